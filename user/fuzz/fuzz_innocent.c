/*
 * fuzz_innocent: the bystander of the system-call fuzzer.  While fuzzing
 * processes attack the kernel on every CPU, this process does ordinary,
 * deterministic work and checks every result; any wrong answer, error or
 * stall means a hostile process reached it through the kernel.
 *
 *   ping     one thread calls a private endpoint (no one else holds a
 *            facet of it) that another thread serves; every request
 *            carries a payload of varying length and every reply a
 *            checksum of the request and the badge, which the caller
 *            checks.  The longest round trip is recorded.
 *   public   two threads serve the public endpoint whose client facets the
 *            fuzzing children hold: well-formed requests get the checksum,
 *            anything else is refused with invalidArgument, and every
 *            capability that arrives is released.  A receive that keeps
 *            failing means the server is jammed.
 *   memory   map a region (1 to 64 pages, or 4 MiB, which the kernel maps
 *            in preemptible chunks), check that it reads zero, fill it,
 *            make it read-only, verify, make it writable, rewrite, verify,
 *            unmap; the quota in use must be back to where it was.  Every
 *            call must succeed: the quota is this process's own.
 *   timer    1 ms sleeps (Timer.sleep and Timer.sleepUntil), each of
 *            which must last at least 1 ms; the longest overshoot is
 *            recorded.  After each, a private pipe (no one else holds an
 *            end) carries 1 to 4096 bytes there and back, which must
 *            arrive whole and unchanged, and leaves it empty.  After each, the thread's
 *            RFLAGS and FPU control state must be as this program left
 *            them (fuzzing processes set odd values on the same CPUs).
 *   park     ParkSpace waits with a 20 ms timeout on a word this process
 *            never wakes: each must time out, whatever addresses the
 *            fuzzing processes wake in their own address spaces (keys are
 *            per process).
 *   status   the main thread serves the supervisor's status endpoint:
 *            counts, pause (every thread but the servers stops, nothing
 *            mapped, so the supervisor can measure free memory by taking
 *            all of it), resume, and stop
 *            (the books are checked, the last line says ok or FAIL, the
 *            process exits 0 or 1).
 *
 * Failures are printed as they happen ("fuzz-innocent: FAIL ...") and
 * counted; the supervisor reads the count at every progress line.
 */
#include "capos.h"

#include "base/mem.h"
#include "fmt/fmt.h"
#include "fuzz_proto.h"

#define MS                  1000000ULL
#define PUBLIC_THREADS      2
#define JAM_LIMIT           1000 /* consecutive failed receives that mean a jammed server */
#define MAX_REPORTS         20
#define CALL_LIMIT_US       (10ULL * 1000 * 1000) /* a private round trip longer is a stall */
#define SLEEP_OVER_LIMIT_US (10ULL * 1000 * 1000)

static uint32_t pipe_rd, pipe_wr; /* the private pipe's ends */
static uint32_t timer, memory, priv_server, priv_client, pub_server, status_server, park;
static struct fz_status st;
static uint32_t stopping, pause_req, paused, started;

static uint32_t reports, slow_reports;
static uint64_t t_start;

/* Stalls long enough to note (not failures: the machine is shared and
 * emulated), with their time since start, to be lined up with the rest of
 * the log. */
#define SLOW_US    500000
#define SLOW_LINES 10

static void note_slow(const char *what, uint64_t us, uint64_t now)
{
    if (__atomic_fetch_add(&slow_reports, 1, __ATOMIC_RELAXED) < SLOW_LINES)
        capos_printf("fuzz-innocent: slow %s: %lu us, at %lu ms\n", what, (unsigned long)us,
                     (unsigned long)((now - t_start) / MS));
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
    char line[200];
    va_list ap;
    __atomic_fetch_add(&st.failures, 1, __ATOMIC_RELAXED);
    if (__atomic_fetch_add(&reports, 1, __ATOMIC_RELAXED) >= MAX_REPORTS)
        return;
    va_start(ap, fmt);
    fmt_vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    capos_printf("fuzz-innocent: FAIL: %s\n", line);
}

/* The shared helpers report through fail() above. */
#include "../tests/testlib.h"

static bool stop_now(void)
{
    return __atomic_load_n(&stopping, __ATOMIC_ACQUIRE) != 0;
}

/* Threads that stop at a pause: ping client, memory, timer, park.  While
 * the supervisor measures free memory by taking all of it, none of them
 * may need any (a queued call's message, a page table). */
#define PAUSABLE 4

static void pause_point(void)
{
    if (!__atomic_load_n(&pause_req, __ATOMIC_ACQUIRE))
        return;
    __atomic_fetch_add(&paused, 1, __ATOMIC_ACQ_REL);
    while (__atomic_load_n(&pause_req, __ATOMIC_ACQUIRE) && !stop_now())
        capos_park_wait(park, &pause_req, 1, 50 * MS);
    __atomic_fetch_sub(&paused, 1, __ATOMIC_ACQ_REL);
}

static uint64_t now_ns(void)
{
    uint64_t t = 0;
    int r = capos_timer_now(timer, &t);
    if (r != CAPOS_OK)
        fail("Timer.now: %s", capos_error_name(r));
    return t;
}

static void max_store(uint64_t *where, uint64_t v)
{
    uint64_t cur = __atomic_load_n(where, __ATOMIC_RELAXED);
    while (v > cur &&
           !__atomic_compare_exchange_n(where, &cur, v, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        ;
}

/* ---- ping: private endpoint, both ends in this process ---- */

static int ping_server(void *arg)
{
    (void)arg;
    static uint64_t buf[FZ_SERVICE_RECV / 8];
    static uint64_t out[FZ_SERVICE_RECV / 8];
    struct capos_request req;
    int err = capos_recv(priv_server, buf, sizeof(buf), &req);
    while (err == CAPOS_OK) {
        const struct fz_service_req *q = (const void *)req.msg;
        struct fz_service_rep *rep = (void *)out;
        int status = CAPOS_OK;
        uint32_t len = 0;
        if (req.badge != FZ_BADGE_PRIVATE || req.interface_id != FZ_SERVICE_IID || req.ncaps != 0 ||
            req.msg_len < sizeof(*q) || q->magic != FZ_SERVICE_MAGIC ||
            q->len != req.msg_len - sizeof(*q)) {
            fail("private server got a call it never made (badge %lu, iid %#lx, %u bytes)",
                 (unsigned long)req.badge, (unsigned long)req.interface_id, req.msg_len);
            status = CAPOS_ERR_INVALID_ARGUMENT;
        } else if (q->seq == UINT32_MAX) {
            return capos_return(priv_server, req.token, CAPOS_OK, 0, 0, 0, 0) == CAPOS_OK ? 0 : 1;
        } else {
            len = fz_service_answer(rep, q, req.badge);
        }
        err = capos_reply_recv(priv_server, req.token, status, rep, len, buf, sizeof(buf), &req);
    }
    fail("private server: %s", capos_error_name(err));
    return 1;
}

static int ping_client(void *arg)
{
    (void)arg;
    static uint64_t qbuf[(sizeof(struct fz_service_req) + 2048) / 8 + 1];
    struct fz_service_req *q = (void *)qbuf;
    struct fz_service_rep rep;
    struct capos_cqe cqe;
    uint64_t rng = 0x1badcafe;
    for (uint32_t seq = 0; !stop_now(); seq++) {
        pause_point();
        q->magic = FZ_SERVICE_MAGIC;
        q->seq = seq;
        q->len = (uint32_t)fz_below(&rng, 2048);
        q->nonce = fz_next(&rng);
        for (uint32_t i = 0; i < q->len; i++)
            q->payload[i] = (uint8_t)fz_next(&rng);
        memset(&rep, 0, sizeof(rep));
        uint64_t t0 = now_ns();
        int err = capos_call(priv_client, FZ_SERVICE_IID, 0, q, sizeof(*q) + q->len, &rep,
                             sizeof(rep), 0, 0, &cqe);
        uint64_t t1 = now_ns(), us = (t1 - t0) / 1000;
        max_store(&st.max_call_us, us);
        if (us > SLOW_US)
            note_slow("private call", us, t1);
        if (us > CALL_LIMIT_US)
            fail("private call %u took %lu us", seq, (unsigned long)us);
        if (err != CAPOS_OK) {
            fail("private call %u: %s", seq, capos_error_name(err));
            continue;
        }
        if (cqe.result_len != sizeof(rep) || rep.magic != FZ_SERVICE_MAGIC || rep.seq != seq ||
            rep.len != q->len || rep.badge != FZ_BADGE_PRIVATE ||
            rep.sum != fz_service_sum(fz_service_hash(q), FZ_BADGE_PRIVATE)) {
            fail("private call %u: wrong reply (seq %u, badge %lu, %u bytes)", seq, rep.seq,
                 (unsigned long)rep.badge, cqe.result_len);
            continue;
        }
        __atomic_fetch_add(&st.pings, 1, __ATOMIC_RELAXED);
    }
    /* Ends the server thread. */
    q->magic = FZ_SERVICE_MAGIC;
    q->seq = UINT32_MAX;
    q->len = 0;
    int err = capos_call(priv_client, FZ_SERVICE_IID, 0, q, sizeof(*q), 0, 0, 0, 0, 0);
    if (err != CAPOS_OK)
        fail("private quit call: %s", capos_error_name(err));
    return 0;
}

/* ---- public: the fuzzing children's server ---- */

struct pub {
    struct capos_thread *t;
    uint64_t buf[FZ_SERVICE_RECV / 8];
    uint64_t out[4];
};

static struct pub pubs[PUBLIC_THREADS];

static int public_server(void *arg)
{
    struct pub *p = arg;
    struct capos_request req;
    uint32_t bad_recvs = 0;
    int err = capos_recv(pub_server, p->buf, sizeof(p->buf), &req);
    for (;;) {
        if (err != CAPOS_OK) {
            /* A call too large for the buffer, or one whose capabilities
             * would not fit the table, fails the receive; the next one
             * must work unless a caller can jam the server. */
            if (++bad_recvs == JAM_LIMIT)
                fail("public server: %u receives in a row failed, the last with %s", bad_recvs,
                     capos_error_name(err));
            err = capos_recv(pub_server, p->buf, sizeof(p->buf), &req);
            continue;
        }
        bad_recvs = 0;
        for (uint32_t i = 0; i < req.ncaps; i++) {
            if (capos_release(req.caps[i]) == CAPOS_OK)
                __atomic_fetch_add(&st.caps_freed, 1, __ATOMIC_RELAXED);
        }
        const struct fz_service_req *q = (const void *)req.msg;
        struct fz_service_rep *rep = (void *)p->out;
        int status = CAPOS_ERR_INVALID_ARGUMENT;
        uint32_t len = 0;
        if (req.interface_id == FZ_SERVICE_IID && req.method == 0 && req.msg_len >= sizeof(*q) &&
            q->magic == FZ_SERVICE_MAGIC && q->len == req.msg_len - sizeof(*q) &&
            q->len <= FZ_SERVICE_MAX) {
            len = fz_service_answer(rep, q, req.badge);
            status = CAPOS_OK;
            __atomic_fetch_add(&st.served, 1, __ATOMIC_RELAXED);
        } else {
            __atomic_fetch_add(&st.rejected, 1, __ATOMIC_RELAXED);
        }
        /* The caller may be gone (peerGone): that is its business. */
        err =
            capos_reply_recv(pub_server, req.token, status, rep, len, p->buf, sizeof(p->buf), &req);
    }
    return 0;
}

/* ---- memory ---- */

static bool verify(const uint64_t *w, uint64_t words, uint64_t key)
{
    for (uint64_t i = 0; i < words; i++) {
        if (w[i] != (key ^ i * 0x9E3779B97F4A7C15ULL)) {
            fail("memory word %lu of a region reads %#lx", (unsigned long)i, (unsigned long)w[i]);
            return false;
        }
    }
    return true;
}

/* Page tables the memory rounds may leave behind in all (their addresses
 * are the kernel's lowest free ones, so they reuse the same tables). */
#define PT_SLACK (64 * 1024)

static int memory_worker(void *arg)
{
    (void)arg;
    uint64_t rng = 0x5eed0001, base_used = 0;
    /* Creating the other threads charges the quota too: start measuring
     * once they all exist. */
    while (!__atomic_load_n(&started, __ATOMIC_ACQUIRE))
        capos_timer_sleep(timer, MS);
    while (!stop_now()) {
        pause_point();
        uint64_t before = quota_used(memory);
        /* Mostly small; one in sixteen is 4 MiB, which the kernel maps in
         * several chunks, with chances for other threads to run between. */
        uint64_t pages = fz_chance(&rng, 1, 16) ? 1024 : 1 + fz_below(&rng, 64);
        uint64_t len = pages * 4096, addr = 0;
        uint64_t key = fz_next(&rng);
        int r = capos_vm_map(memory, 0, len, CAPOS_PROT_READ | CAPOS_PROT_WRITE, &addr);
        if (r != CAPOS_OK) {
            fail("map of %lu pages: %s", (unsigned long)pages, capos_error_name(r));
            capos_timer_sleep(timer, 10 * MS);
            continue;
        }
        if ((addr & 4095) || addr < CAPOS_USER_MIN || addr > CAPOS_USER_MAX - len) {
            fail("map of %lu pages answered address %#lx", (unsigned long)pages,
                 (unsigned long)addr);
            continue;
        }
        uint64_t *w = (uint64_t *)(uintptr_t)addr, words = len / 8;
        /* Fresh memory is zero: anything else is another process's data. */
        for (uint64_t i = 0; i < words; i++) {
            if (w[i] != 0) {
                fail("word %lu of a fresh %lu-page map reads %#lx", (unsigned long)i,
                     (unsigned long)pages, (unsigned long)w[i]);
                break;
            }
        }
        for (uint64_t i = 0; i < words; i++)
            w[i] = key ^ i * 0x9E3779B97F4A7C15ULL;
        if ((r = capos_vm_protect(memory, addr, len, CAPOS_PROT_READ)) != CAPOS_OK)
            fail("protect read-only: %s", capos_error_name(r));
        verify(w, words, key);
        if ((r = capos_vm_protect(memory, addr, len, CAPOS_PROT_READ | CAPOS_PROT_WRITE)) !=
            CAPOS_OK)
            fail("protect writable: %s", capos_error_name(r));
        key = ~key;
        for (uint64_t i = 0; i < words; i++)
            w[i] = key ^ i * 0x9E3779B97F4A7C15ULL;
        verify(w, words, key);
        if ((r = capos_vm_unmap(memory, addr, len)) != CAPOS_OK)
            fail("unmap: %s", capos_error_name(r));
        uint64_t after = quota_used(memory);
        /* The frames come back; page tables for the range may stay (or go
         * with it): up to one per 2 MiB and two above.  Over the whole run
         * nothing may pile up.  Threads give back their frames when they
         * end, which they do only once stopping is set: then the books may
         * differ. */
        uint64_t tables = (pages / 512 + 3) * 4096;
        if (!base_used)
            base_used = before;
        if ((after > before + tables || after > base_used + PT_SLACK) && !stop_now())
            fail("quota in use %lu bytes before a map of %lu pages, %lu after its unmap (%lu at "
                 "the first round)",
                 (unsigned long)before, (unsigned long)pages, (unsigned long)after,
                 (unsigned long)base_used);
        __atomic_fetch_add(&st.vm_rounds, 1, __ATOMIC_RELAXED);
    }
    return 0;
}

/* ---- timer ---- */

/* The CPU state a thread of this process always has between its own
 * instructions: DF, AC and NT clear, and the FPU control state every
 * thread starts with (all exceptions masked, round to nearest).  Fuzzing
 * processes set all of it before entering the kernel on the same CPUs. */
static void check_cpu_state(void)
{
    uint64_t rflags;
    uint32_t mxcsr = 0;
    uint16_t cw = 0;
    __asm__ volatile("pushfq\n\tpopq %0" : "=r"(rflags));
    __asm__ volatile("stmxcsr %0\n\tfnstcw %1" : "=m"(mxcsr), "=m"(cw));
    if (rflags & (1u << 10 | 1u << 14 | 1u << 18))
        fail("RFLAGS %#lx after a system call (DF, NT or AC set)", (unsigned long)rflags);
    if ((mxcsr & ~0x3fu) != 0x1f80 || cw != 0x037f)
        fail("FPU control state MXCSR %#x, x87 control word %#x after a system call", mxcsr, cw);
}

/* One pipe call: read or write (method 0) of [buf, buf+len), never
 * blocking; *n is the count. */
static int pipe_call(uint32_t end, uint64_t iid, void *buf, uint32_t len, uint32_t *n)
{
    struct capos_msg m;
    capos_msg_init(&m);
    if (iid == capos_PipeReader_INTERFACE_ID) {
        capos_PipeReader_read_Params_builder p = capos_PipeReader_read_Params_init_root(&m.b);
        capos_PipeReader_read_Params_set_buf(p, (uint64_t)(uintptr_t)buf);
        capos_PipeReader_read_Params_set_len(p, len);
        capos_PipeReader_read_Params_set_nonBlocking(p, true);
    } else {
        capos_PipeWriter_write_Params_builder p = capos_PipeWriter_write_Params_init_root(&m.b);
        capos_PipeWriter_write_Params_set_buf(p, (uint64_t)(uintptr_t)buf);
        capos_PipeWriter_write_Params_set_len(p, len);
        capos_PipeWriter_write_Params_set_nonBlocking(p, true);
    }
    uint8_t res[64] __attribute__((aligned(8)));
    uint32_t rlen = 0;
    int r = capos_client_call(end, iid, 0, &m, res, sizeof(res), &rlen);
    struct capnp_reader rd;
    *n = 0;
    if (r == CAPOS_OK) {
        if (!capos_msg_read(&rd, res, rlen))
            return CAPOS_ERR_INVALID_ARGUMENT;
        *n = capos_PipeReader_read_Results_get_n(capos_PipeReader_read_Results_read_root(&rd));
    }
    return r;
}

/* Bytes there and back through the private pipe: whole, unchanged, and
 * nothing left behind. */
static void pipe_round(uint64_t round)
{
    static uint8_t out[4096], in[4096];
    uint32_t len = 1 + (uint32_t)(fz_mix(round) % sizeof(out)), n = 0;
    for (uint32_t i = 0; i < len; i++)
        out[i] = (uint8_t)fz_mix(round ^ i);
    int r = pipe_call(pipe_wr, capos_PipeWriter_INTERFACE_ID, out, len, &n);
    if (r != CAPOS_OK || n != len) {
        fail("a private pipe took %u of %u bytes (%s)", n, len, capos_error_name(r));
        return;
    }
    r = pipe_call(pipe_rd, capos_PipeReader_INTERFACE_ID, in, sizeof(in), &n);
    if (r != CAPOS_OK || n != len || memcmp(in, out, len) != 0) {
        fail("a private pipe gave %u bytes for %u (%s)", n, len, capos_error_name(r));
        return;
    }
    r = pipe_call(pipe_rd, capos_PipeReader_INTERFACE_ID, in, 1, &n);
    if (r != CAPOS_ERR_WOULD_BLOCK)
        fail("an emptied private pipe read gave %s (%u bytes)", capos_error_name(r), n);
}

/* Timer.sleepUntil(now + ns). */
static int sleep_until(uint64_t deadline)
{
    struct capos_msg m;
    capos_msg_init(&m);
    capos_Timer_sleepUntil_Params_set_deadline(capos_Timer_sleepUntil_Params_init_root(&m.b),
                                               deadline);
    return capos_client_call(timer, capos_Timer_INTERFACE_ID, capos_Timer_method_sleepUntil, &m, 0,
                             0, 0);
}

static int timer_worker(void *arg)
{
    (void)arg;
    for (uint64_t round = 0; !stop_now(); round++) {
        pause_point();
        uint64_t t0 = now_ns();
        int r = round & 1 ? sleep_until(t0 + MS) : capos_timer_sleep(timer, MS);
        uint64_t t1 = now_ns();
        check_cpu_state();
        if (r != CAPOS_OK) {
            fail("Timer.sleep: %s", capos_error_name(r));
            continue;
        }
        if (t1 < t0 + MS) {
            fail("a 1 ms sleep lasted %lu ns", (unsigned long)(t1 - t0));
            continue;
        }
        uint64_t over = (t1 - t0 - MS) / 1000;
        max_store(&st.max_sleep_over_us, over);
        if (over > SLOW_US)
            note_slow("1 ms sleep, overshoot", over, t1);
        if (over > SLEEP_OVER_LIMIT_US)
            fail("a 1 ms sleep overshot by %lu us", (unsigned long)over);
        __atomic_fetch_add(&st.sleeps, 1, __ATOMIC_RELAXED);
        pipe_round(round);
    }
    return 0;
}

/* ---- park ---- */

static uint32_t never_woken;

static int park_worker(void *arg)
{
    (void)arg;
    while (!stop_now()) {
        pause_point();
        int r = capos_park_wait(park, &never_woken, 0, 20 * MS);
        if (r == CAPOS_ERR_TIMED_OUT)
            __atomic_fetch_add(&st.park_timeouts, 1, __ATOMIC_RELAXED);
        else
            fail("a ParkSpace wait nobody in this process ends gave %s", capos_error_name(r));
    }
    return 0;
}

/* ---- status ---- */

static void snapshot(struct fz_status *out)
{
    out->magic = FZ_STATUS_MAGIC;
    out->pings = __atomic_load_n(&st.pings, __ATOMIC_RELAXED);
    out->served = __atomic_load_n(&st.served, __ATOMIC_RELAXED);
    out->rejected = __atomic_load_n(&st.rejected, __ATOMIC_RELAXED);
    out->caps_freed = __atomic_load_n(&st.caps_freed, __ATOMIC_RELAXED);
    out->vm_rounds = __atomic_load_n(&st.vm_rounds, __ATOMIC_RELAXED);
    out->sleeps = __atomic_load_n(&st.sleeps, __ATOMIC_RELAXED);
    out->park_timeouts = __atomic_load_n(&st.park_timeouts, __ATOMIC_RELAXED);
    out->failures = __atomic_load_n(&st.failures, __ATOMIC_RELAXED);
    out->max_call_us = __atomic_load_n(&st.max_call_us, __ATOMIC_RELAXED);
    out->max_sleep_over_us = __atomic_load_n(&st.max_sleep_over_us, __ATOMIC_RELAXED);
}

static struct capos_thread *start(int (*fn)(void *), void *arg)
{
    struct capos_thread *t = NULL;
    int r = capos_thread_create(&t, fn, arg, &(struct capos_thread_opts){.stack_size = 32 * 1024});
    if (r != CAPOS_OK) {
        capos_printf("fuzz-innocent: FAIL: thread create: %s\n", capos_error_name(r));
        capos_exit(1);
    }
    return t;
}

int main(int argc, char **argv)
{
    if (capos_capset_find("timer", capos_Timer_INTERFACE_ID, &timer) != CAPOS_OK ||
        capos_capset_find("memory", capos_VirtualMemory_INTERFACE_ID, &memory) != CAPOS_OK ||
        capos_capset_find("private", capos_Endpoint_INTERFACE_ID, &priv_server) != CAPOS_OK ||
        capos_capset_find("private-client", 0, &priv_client) != CAPOS_OK ||
        capos_capset_find("public", capos_Endpoint_INTERFACE_ID, &pub_server) != CAPOS_OK ||
        capos_capset_find("status", capos_Endpoint_INTERFACE_ID, &status_server) != CAPOS_OK ||
        !(park = capos_park_default())) {
        capos_printf("fuzz-innocent: FAIL: missing capabilities\n");
        return 1;
    }
    /* The private pipe, made once: its 17 frames stay charged to this
     * process for the whole run, so the supervisor's memory books do not
     * move with it. */
    uint32_t factory;
    uint8_t res[128] __attribute__((aligned(8)));
    uint32_t rlen = 0;
    if (capos_capset_find("pipes", capos_PipeFactory_INTERFACE_ID, &factory) != CAPOS_OK ||
        capos_client_call(factory, capos_PipeFactory_INTERFACE_ID, capos_PipeFactory_method_create,
                          0, res, sizeof(res), &rlen) != CAPOS_OK ||
        CAPOS_CAPS_OFFSET(rlen) + 8 > sizeof(res)) {
        capos_printf("fuzz-innocent: FAIL: no private pipe\n");
        return 1;
    }
    pipe_rd = ((const uint32_t *)(const void *)(res + CAPOS_CAPS_OFFSET(rlen)))[0];
    pipe_wr = ((const uint32_t *)(const void *)(res + CAPOS_CAPS_OFFSET(rlen)))[1];
    t_start = now_ns();
    struct capos_thread *ts[5];
    ts[0] = start(ping_server, 0);
    ts[1] = start(ping_client, 0);
    ts[2] = start(memory_worker, 0);
    ts[3] = start(timer_worker, 0);
    ts[4] = start(park_worker, 0);
    for (int i = 0; i < PUBLIC_THREADS; i++)
        pubs[i].t = start(public_server, &pubs[i]);
    __atomic_store_n(&started, 1, __ATOMIC_RELEASE);
    capos_printf("fuzz-innocent: ping, public service, memory, timer and park running\n");

    static uint64_t buf[64];
    struct capos_request req;
    int err = capos_recv(status_server, buf, sizeof(buf), &req);
    while (err == CAPOS_OK) {
        struct fz_status out;
        int status = CAPOS_OK;
        uint32_t len = 0;
        for (uint32_t i = 0; i < req.ncaps; i++)
            capos_release(req.caps[i]);
        if (req.interface_id != FZ_STATUS_IID) {
            status = CAPOS_ERR_WRONG_INTERFACE;
        } else if (req.method == FZS_PAUSE) {
            __atomic_store_n(&pause_req, 1, __ATOMIC_RELEASE);
            while (__atomic_load_n(&paused, __ATOMIC_ACQUIRE) < PAUSABLE)
                capos_timer_sleep(timer, MS);
        } else if (req.method == FZS_RESUME) {
            __atomic_store_n(&pause_req, 0, __ATOMIC_RELEASE);
            capos_park_wake(park, &pause_req, PAUSABLE, 0);
        } else if (req.method == FZS_STOP) {
            break;
        } else if (req.method != FZS_STATUS) {
            status = CAPOS_ERR_UNKNOWN_METHOD;
        }
        if (status == CAPOS_OK) {
            snapshot(&out);
            len = sizeof(out);
        }
        err = capos_reply_recv(status_server, req.token, status, &out, len, buf, sizeof(buf), &req);
    }
    if (err != CAPOS_OK) {
        fail("status server: %s", capos_error_name(err));
        return 1;
    }
    /* Stop: everything but the public servers ends and is joined; they
     * end with the process. */
    __atomic_store_n(&stopping, 1, __ATOMIC_RELEASE);
    __atomic_store_n(&pause_req, 0, __ATOMIC_RELEASE);
    capos_park_wake(park, &pause_req, PAUSABLE, 0);
    for (int i = 0; i < 5; i++) {
        int code = -1;
        bool killed = false;
        int r = capos_thread_join(ts[i], &code, &killed);
        if (r != CAPOS_OK || code != 0 || killed)
            fail("thread %d ended with %d (%s)", i, code, capos_error_name(r));
    }
    struct fz_status out;
    snapshot(&out);
    if (out.pings == 0 || out.vm_rounds == 0 || out.sleeps == 0 || out.park_timeouts == 0)
        fail("no progress: %lu pings, %lu memory rounds, %lu sleeps, %lu park timeouts",
             (unsigned long)out.pings, (unsigned long)out.vm_rounds, (unsigned long)out.sleeps,
             (unsigned long)out.park_timeouts);
    snapshot(&out);
    capos_printf("fuzz-innocent: %lu pings (longest %lu us), %lu public requests served, %lu "
                 "refused, %lu capabilities released, %lu memory rounds, %lu sleeps (longest "
                 "overshoot %lu us), %lu park timeouts, %lu failures\n",
                 (unsigned long)out.pings, (unsigned long)out.max_call_us,
                 (unsigned long)out.served, (unsigned long)out.rejected,
                 (unsigned long)out.caps_freed, (unsigned long)out.vm_rounds,
                 (unsigned long)out.sleeps, (unsigned long)out.max_sleep_over_us,
                 (unsigned long)out.park_timeouts, (unsigned long)out.failures);
    /* Answer the stop only now, so the supervisor's wait sees the end. */
    snapshot(&out);
    capos_return(status_server, req.token, CAPOS_OK, &out, sizeof(out), 0, 0);
    if (out.failures) {
        capos_printf("fuzz-innocent: FAIL: %lu failures\n", (unsigned long)out.failures);
        return 1;
    }
    capos_printf("fuzz-innocent: ok\n");
    return 0;
}
