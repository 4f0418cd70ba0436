/*
 * Shared pieces of the capOS benchmark programs (bench.c, ipcsrv.c,
 * scale.c, fscalls.c): the batch-median measurement over bench/measure.h's
 * counter, raw endpoint calls and the methods of the benchmark's IPC server.
 */
#ifndef CAPOS_BENCH_BENCHLIB_H
#define CAPOS_BENCH_BENCHLIB_H

#include "capos.h"

#include "../../bench/measure.h"

#define BENCH_WARMUP  3
#define BENCH_BATCHES 15

/* Methods of the benchmark's IPC server (ipcsrv.c).  The kernel does not
 * interpret endpoint messages: they are raw words. */
enum {
    IPCSRV_EMPTY = 0,  /* return an empty result */
    IPCSRV_ECHO64 = 1, /* return the 64 bytes received */
    IPCSRV_ONEWAY = 2, /* record the arrival time against word 0 (a TSC stamp) */
    IPCSRV_REPORT = 3, /* print the one-way figure and end */
    IPCSRV_PIN = 4,    /* restrict the server to the CPU mask in word 0; returns its CPU */
    IPCSRV_END = 5,    /* end without printing anything */
    IPCSRV_WHERE = 6,  /* return the CPU the server runs on */
};

/* BENCH_WARMUP unrecorded batches of run(n), then BENCH_BATCHES recorded
 * ones, each as (cost - overhead) / (n * ops_per_iter); prints the median
 * as "BENCH key value" and the spread as an INFO line. */
static inline void bench_measure(const char *key, bench_run_fn run, uint32_t n,
                                 uint32_t ops_per_iter, uint64_t overhead)
{
    uint64_t v[BENCH_BATCHES];
    bench_batches(run, n, (uint64_t)n * ops_per_iter, overhead, BENCH_WARMUP, BENCH_BATCHES, v);
    capos_printf("BENCH %s %lu\n", key, (unsigned long)v[BENCH_BATCHES / 2]);
    capos_printf("INFO spread %s min %lu median %lu max %lu\n", key, (unsigned long)v[0],
                 (unsigned long)v[BENCH_BATCHES / 2], (unsigned long)v[BENCH_BATCHES - 1]);
}

/* One synchronous call through the ring, as the benchmarks make it: CALL,
 * wait, consume, with no runtime bookkeeping.  The result's status (an
 * ErrorCode) is returned; results, if any, land in `res`. */
static inline int bench_call(uint32_t cap, uint16_t method, const void *msg, uint32_t len,
                             void *res, uint32_t res_len)
{
    struct capos_sqe *s = capos_ring_prep();
    capos_sqe_call(s, cap, 1, method, msg, len, res, res_len, 0, 0);
    s->user_data = 7;
    capos_ring_enter(1, CAPOS_WAIT_FOREVER);
    const struct capos_cqe *c = capos_ring_peek();
    int result = c->result;
    capos_ring_advance(1);
    return result;
}

/* The CPU the calling thread runs on now (ThreadHandle.info of itself);
 * -1 on failure.  The handle is looked up once per thread by the caller. */
static inline int bench_where(uint32_t *handle)
{
    struct capos_thread_info info;
    if (!*handle && capos_thread_handle_self(handle) != CAPOS_OK)
        return -1;
    if (capos_thread_info(*handle, &info) != CAPOS_OK)
        return -1;
    return (int)info.cpu;
}

/* Restricts the calling thread to one CPU and makes sure it runs there: a
 * yield lets the scheduler move it at once.  Returns the CPU it then runs
 * on (-1 on failure). */
static inline int bench_pin_self(unsigned cpu, uint32_t *handle)
{
    if (capos_thread_set_affinity(1ULL << cpu) != CAPOS_OK)
        return -1;
    capos_thread_yield();
    return bench_where(handle);
}

/*
 * The IPC server's loop (ipcsrv.c, and each server thread of scale.c):
 * answers calls on `server` into `buf` (64 words), submitting the RETURN and
 * the next RECV in one cap_enter (as one REPLY_RECV entry for the
 * round-trip methods).  EMPTY, ECHO64, PIN, WHERE and END
 * are handled here; any other method goes to `other`, which may put a
 * result in buf and set *len, and returns true to end the server.  For
 * ONEWAY, `arrival` is the TSC read as soon as the call was seen.  Returns
 * 0 when told to end, non-zero if a RECV failed.
 */
typedef bool (*bench_serve_hook)(uint16_t method, uint64_t *buf, uint32_t *len, uint64_t arrival);

static inline void bench_post_recv(uint32_t server, uint64_t *buf)
{
    struct capos_sqe *s = capos_ring_prep();
    capos_sqe_recv(s, server, buf, 64 * sizeof(uint64_t));
    s->user_data = 1;
}

static inline void bench_post_return(uint32_t server, uint64_t token, const uint64_t *buf,
                                     uint32_t len)
{
    /* Written out rather than capos_sqe_return: the ring's SQE is zeroed,
     * and the status and detail stores that function adds would be two
     * more instructions on the measured round trip. */
    struct capos_sqe *s = capos_ring_prep();
    s->opcode = CAPOS_OP_RETURN;
    s->cap = server;
    s->token = token;
    capos_sqe_send(s, buf, len);
    s->user_data = 2;
}

/* REPLY_RECV: the RETURN of `token` and the next RECV in one entry, whose
 * one completion is the next call's (written out as bench_post_return). */
static inline void bench_post_reply_recv(uint32_t server, uint64_t token, uint64_t *buf,
                                         uint32_t len)
{
    struct capos_sqe *s = capos_ring_prep();
    s->opcode = CAPOS_OP_REPLY_RECV;
    s->cap = server;
    s->token = token;
    if (len) {
        s->send_addr = (uint64_t)(uintptr_t)buf;
        s->send_len = len;
    }
    s->recv_addr = (uint64_t)(uintptr_t)buf;
    s->recv_len = 64 * sizeof(uint64_t);
    s->user_data = 1;
}

static inline int bench_serve(uint32_t server, uint64_t *buf, bench_serve_hook other)
{
    uint32_t self_handle = 0;
    /* Completions the next cap_enter waits for: after a REPLY_RECV, one (the
     * next call's); after a RETURN and a RECV, both (the RETURN's at once,
     * the RECV's when the next call arrives).  Either way a round trip costs
     * the server one kernel entry. */
    uint32_t want = 1;
    bench_post_recv(server, buf);
    for (;;) {
        capos_ring_enter(want, CAPOS_WAIT_FOREVER);
        want = 0;
        const struct capos_cqe *c;
        while ((c = capos_ring_peek()) != 0) {
            uint64_t ud = c->user_data, token = c->token;
            uint16_t method = c->method;
            int result = c->result;
            capos_ring_advance(1);
            if (ud != 1)
                continue; /* a RETURN's completion */
            if (result != CAPOS_OK)
                return 2;
            /* The round-trip methods first, with nothing else on their path. */
            if (method <= IPCSRV_ECHO64) {
                bench_post_reply_recv(server, token, buf, method == IPCSRV_ECHO64 ? 64 : 0);
                want++;
                continue;
            }
            uint64_t arrival = method == IPCSRV_ONEWAY ? bench_t_end() : 0;
            uint32_t len = 0;
            bool end = method == IPCSRV_END;
            switch (method) {
            case IPCSRV_END: break;
            case IPCSRV_PIN:
                if (capos_thread_set_affinity(buf[0]) != CAPOS_OK) {
                    buf[0] = (uint64_t)-1;
                    len = 8;
                    break;
                }
                capos_thread_yield(); /* move now, not at the next block */
                /* fall through */
            case IPCSRV_WHERE:
                buf[0] = (uint64_t)(int64_t)bench_where(&self_handle);
                len = 8;
                break;
            default: end = other && other(method, buf, &len, arrival); break;
            }
            bench_post_return(server, token, buf, len);
            if (end) {
                capos_ring_enter(0, 0);
                return 0;
            }
            bench_post_recv(server, buf);
            want += 2;
        }
        if (want == 0)
            want = 1;
    }
}

#endif
