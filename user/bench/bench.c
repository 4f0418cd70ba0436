/*
 * capOS side of `make bench`: path lengths of the ring and of kernel calls,
 * printed as "BENCH <key> <value>" lines for tools/bench.py.
 *
 * Method (the same as the Linux program's, docs/benchmarks.md): the TSC
 * counts guest instructions under QEMU icount; each batch of n operations is
 * bracketed by lfence;rdtsc ... rdtscp;lfence with the bracket's own cost
 * subtracted; three warm-up batches, then the median of fifteen.  Loop
 * overhead stays in, as on Linux.
 */
#include "capos.h"

#include "base/mem.h"

#define WARMUP  3
#define BATCHES 15

static uint64_t overhead;
static volatile uint64_t nop_sink;
static uint32_t timer;
static uint32_t ipc;

static inline uint64_t t_begin(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence\n\trdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t t_end(void)
{
    uint32_t lo, hi, aux;
    __asm__ volatile("rdtscp\n\tlfence" : "=a"(lo), "=d"(hi), "=c"(aux)::"memory");
    return ((uint64_t)hi << 32) | lo;
}

static void sort(uint64_t *v, int n)
{
    for (int i = 1; i < n; i++) {
        uint64_t x = v[i];
        int j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

typedef void (*run_fn)(uint32_t n);

static void measure(const char *key, run_fn run, uint32_t n, uint32_t ops_per_iter)
{
    uint64_t v[BATCHES], ops = (uint64_t)n * ops_per_iter;
    for (int i = 0; i < WARMUP; i++)
        run(n);
    for (int b = 0; b < BATCHES; b++) {
        uint64_t t0 = t_begin();
        run(n);
        uint64_t d = t_end() - t0;
        d = d > overhead ? d - overhead : 0;
        v[b] = (d + ops / 2) / ops;
    }
    sort(v, BATCHES);
    capos_printf("BENCH %s %lu\n", key, (unsigned long)v[BATCHES / 2]);
    capos_printf("INFO spread %s min %lu median %lu max %lu\n", key, (unsigned long)v[0],
                 (unsigned long)v[BATCHES / 2], (unsigned long)v[BATCHES - 1]);
}

static void run_null_enter(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        capos_cap_enter(0, 0);
}

/* Submit `batch` NOPs, one cap_enter, look at each completion and consume
 * them all (as an io_uring program does with its CQ). */
static void nop_batch(uint32_t batch)
{
    for (uint32_t i = 0; i < batch; i++) {
        struct capos_sqe *s = capos_ring_prep();
        s->opcode = CAPOS_OP_NOP;
        s->user_data = i;
    }
    capos_ring_enter(batch, CAPOS_WAIT_FOREVER);
    for (uint32_t i = 0; i < batch; i++) {
        const struct capos_cqe *c = capos_ring_peek();
        nop_sink += c->user_data + (uint64_t)c->result;
        capos_ring_advance(1);
    }
}

static void run_nop1(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        nop_batch(1);
}

static void run_nop32(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        nop_batch(32);
}

/* Timer.now as a program makes it: one CALL through the ring, then the
 * result read with the generated accessor. */
static void run_timer_now(uint32_t n)
{
    uint64_t ns;
    for (uint32_t i = 0; i < n; i++)
        capos_timer_now(timer, &ns);
}

/* One synchronous call through the ring: CALL, wait, consume.  The
 * message is raw bytes: the kernel does not interpret endpoint messages. */
static uint64_t ipc_buf[8] __attribute__((aligned(8)));
static uint64_t ipc_res[8] __attribute__((aligned(8)));

static inline void ipc_call(uint16_t method, uint32_t len)
{
    struct capos_sqe *s = capos_ring_prep();
    s->opcode = CAPOS_OP_CALL;
    s->cap = ipc;
    s->interface_id = 1;
    s->method = method;
    if (len) {
        s->send_addr = (uint64_t)(uintptr_t)ipc_buf;
        s->send_len = len;
        s->recv_addr = (uint64_t)(uintptr_t)ipc_res;
        s->recv_len = sizeof(ipc_res);
    }
    s->user_data = 7;
    capos_ring_enter(1, CAPOS_WAIT_FOREVER);
    const struct capos_cqe *c = capos_ring_peek();
    nop_sink += (uint64_t)c->result;
    capos_ring_advance(1);
}

static void run_ipc_rt(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        ipc_call(0, 0);
}

static void run_ipc_rt64(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        ipc_call(1, 64);
}

int main(int argc, char **argv)
{
    uint64_t s[64];
    (void)argc, (void)argv;
    if (capos_capset_find("timer", capos_Timer_INTERFACE_ID, &timer) != CAPOS_OK) {
        capos_printf("INFO error no timer capability\nBENCH_END\n");
        return 1;
    }
    for (int i = 0; i < 64; i++) {
        uint64_t t0 = t_begin();
        s[i] = t_end() - t0;
    }
    sort(s, 64);
    overhead = s[32];
    capos_printf("INFO counter overhead %lu\n", (unsigned long)overhead);

    measure("cap_enter_null_insns", run_null_enter, 2000, 1);
    measure("nop_batch1_insns_per_op", run_nop1, 2000, 1);
    measure("nop_batch32_insns_per_op", run_nop32, 100, 32);
    measure("timer_now_call_insns", run_timer_now, 1000, 1);
    if (capos_capset_find("ipc", 0, &ipc) == CAPOS_OK) {
        measure("ipc_rt_insns", run_ipc_rt, 1000, 1);
        measure("ipc_rt_64b_insns", run_ipc_rt64, 1000, 1);
        /* One-way: the server timestamps arrival against the stamp we send. */
        for (int i = 0; i < 2000; i++) {
            ipc_buf[0] = t_begin();
            ipc_call(2, 8);
        }
        ipc_call(3, 0);
    }
    capos_printf("BENCH_END\n");
    return 0;
}
