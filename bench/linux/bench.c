/*
 * The Linux side of `make bench`: runs as /init of an initramfs on Debian's
 * stock kernel, in QEMU TCG with `-icount shift=0,sleep=off` and one vCPU.
 *
 * Under that QEMU setting rdtsc returns the virtual clock, which advances by
 * exactly one per retired guest instruction (plus jumps over idle time, which
 * none of the loops below contain: one side of every ping-pong is always
 * runnable).  So every figure is a path length, a deterministic count of guest
 * instructions, kernel and user together, not a time.  See docs/benchmarks.md.
 *
 * Method, the same for every operation:
 *  - the operation runs in a loop of n iterations bracketed by two counter
 *    reads; one sample is (end - start - counter_overhead) / ops;
 *  - counter_overhead is the cost of the bracket itself, measured as the
 *    median of back-to-back reads (a handful of instructions);
 *  - WARMUP unrecorded batches run first (first-touch page faults, glibc's
 *    stack cache, the kernel's slab caches), then BATCHES recorded ones;
 *  - the reported value is the median batch, which discards the batches a
 *    250 Hz timer tick landed in.  "INFO spread" lines give min/median/max.
 * The loop's own increment/compare/branch (2-3 instructions) stays in the
 * figure: capOS's loops carry the same cost.
 *
 * Output, on the serial console: one `BENCH <key> <value>` line per figure,
 * `INFO ...` lines that describe the machine, and `BENCH_END` last; then the
 * machine powers off so QEMU exits.  tools/bench.py parses this.
 *
 * Every system call in a measured loop is issued with an inline `syscall`
 * instruction, so glibc's wrappers (errno, cancellation checks) are not in
 * the figures; thread creation and posix_spawn deliberately go through glibc,
 * because "create a thread" and "spawn a program" mean what libc does.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/io_uring.h>
#include <pthread.h>
#include <sched.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../measure.h"

#define WARMUP  3
#define BATCHES 15

/* --- counter (bench/measure.h) ----------------------------------------- */

static uint64_t counter_overhead;

/* --- raw system calls --------------------------------------------------- */

static inline long sys0(long n)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n) : "rcx", "r11", "memory");
    return r;
}

static inline long sys3(long n, long a1, long a2, long a3)
{
    long r;
    __asm__ volatile("syscall"
                     : "=a"(r)
                     : "a"(n), "D"(a1), "S"(a2), "d"(a3)
                     : "rcx", "r11", "memory");
    return r;
}

static inline long sys6(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
    long r;
    register long r10 __asm__("r10") = a4;
    register long r8 __asm__("r8") = a5;
    register long r9 __asm__("r9") = a6;
    __asm__ volatile("syscall"
                     : "=a"(r)
                     : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return r;
}

/* --- output ------------------------------------------------------------- */

/* stdio is avoided for results so nothing sits in a buffer across fork(). */
static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void out(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof buf)
        n = sizeof buf - 1;
    for (int off = 0; off < n;) {
        long w = sys3(SYS_write, 1, (long)(buf + off), n - off);
        if (w <= 0)
            return;
        off += (int)w;
    }
}

static int failures;

static void fail(const char *what, long err)
{
    out("INFO error %s: %s\n", what, strerror((int)(err < 0 ? -err : err)));
    failures++;
}

/* --- the measuring loop ------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

typedef void (*run_fn)(void *ctx, uint32_t n);

/* BENCH_DETAIL=1 on the kernel command line (it reaches /init's environment)
 * adds every batch's value and a per-iteration distribution, for finding out
 * why a figure is what it is. */
static int detail;

/* Per-operation cost of each recorded batch. */
struct series {
    uint64_t v[BATCHES];
    int n;
};

/* Records `batches` batches of run(ctx, n), each as cost / (n * ops_per_iter). */
static void collect(struct series *s, run_fn run, void *ctx, uint32_t n, uint32_t ops_per_iter,
                    int batches)
{
    uint64_t ops = (uint64_t)n * ops_per_iter;
    s->n = batches;
    for (int b = 0; b < batches; b++) {
        uint64_t t0 = bench_t_begin();
        run(ctx, n);
        uint64_t t1 = bench_t_end();
        uint64_t d = t1 - t0;
        d = d > counter_overhead ? d - counter_overhead : 0;
        s->v[b] = (d + ops / 2) / ops;
    }
}

static void report(const char *key, struct series *s)
{
    if (detail) {
        out("INFO batches %s", key);
        for (int b = 0; b < s->n; b++)
            out(" %llu", (unsigned long long)s->v[b]);
        out("\n");
    }
    qsort(s->v, s->n, sizeof s->v[0], cmp_u64);
    out("BENCH %s %llu\n", key, (unsigned long long)s->v[s->n / 2]);
    out("INFO spread %s min %llu median %llu max %llu\n", key, (unsigned long long)s->v[0],
        (unsigned long long)s->v[s->n / 2], (unsigned long long)s->v[s->n - 1]);
}

/* Each iteration timed on its own: this carries the call into run() and the
 * counter pair in every sample and misses work the kernel batches (LRU
 * drains, RCU callbacks), which is why it is only a diagnostic. */
static void detail_per_iteration(const char *key, run_fn run, void *ctx, uint32_t n,
                                 uint32_t ops_per_iter)
{
    static uint64_t s[4096];
    if (n > 4096)
        n = 4096;
    uint64_t sum = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t t0 = bench_t_begin();
        run(ctx, 1);
        uint64_t t1 = bench_t_end();
        s[i] = (t1 - t0 - counter_overhead) / ops_per_iter;
        sum += s[i];
    }
    qsort(s, n, sizeof s[0], cmp_u64);
    out("INFO iter %s n %u min %llu p10 %llu p50 %llu p90 %llu max %llu mean %llu\n", key, n,
        (unsigned long long)s[0], (unsigned long long)s[n / 10], (unsigned long long)s[n / 2],
        (unsigned long long)s[n * 9 / 10], (unsigned long long)s[n - 1],
        (unsigned long long)(sum / n));
}

/* The usual figure: WARMUP unrecorded batches, BATCHES recorded, median. */
static void measure(const char *key, run_fn run, void *ctx, uint32_t n, uint32_t ops_per_iter)
{
    struct series s;
    for (int i = 0; i < WARMUP; i++)
        run(ctx, n);
    collect(&s, run, ctx, n, ops_per_iter, BATCHES);
    report(key, &s);
    if (detail)
        detail_per_iteration(key, run, ctx, n, ops_per_iter);
}

static void measure_counter_overhead(void)
{
    counter_overhead = bench_counter_overhead();
    out("INFO counter_overhead %llu\n", (unsigned long long)counter_overhead);
}

/* Involuntary context switches of this process (all its threads) plus, if
 * `other` is not 0, of that process: evidence of wakeup preemption. */
static long involuntary_switches(pid_t other)
{
    struct rusage r;
    long n = getrusage(RUSAGE_SELF, &r) == 0 ? r.ru_nivcsw : 0;
    if (other > 0) {
        char path[64], line[128];
        snprintf(path, sizeof path, "/proc/%d/status", (int)other);
        FILE *f = fopen(path, "r");
        if (f) {
            while (fgets(line, sizeof line, f))
                if (!strncmp(line, "nonvoluntary_ctxt_switches:", 27))
                    n += strtol(line + 27, NULL, 10);
            fclose(f);
        }
    }
    return n;
}

/*
 * A ping-pong round trip on one CPU has two regimes under CFS, and both are
 * reported.  Right after the partner is created the two tasks' virtual
 * runtimes are far enough apart that each wakeup preempts the waker: a round
 * trip is then one sleep, one wakeup and one involuntary switch fewer than it
 * looks (the `_early` figure).  That costs the two sides unequal CPU time, so
 * their vruntimes converge, and after some thousand round trips (~10 ms
 * virtual) wakeups stop preempting: each side now wakes the other and goes
 * to sleep, two voluntary switches per round trip.  That steady state is what
 * a sustained ping-pong runs in, and is the main figure.
 */
#define PINGPONG_EARLY_WARM  16
#define PINGPONG_EARLY_N     40
#define PINGPONG_EARLY_BATCH 5
#define PINGPONG_SETTLE      4000
#define PINGPONG_N           200

static void pingpong(const char *key, const char *early_key, run_fn run, void *ctx, pid_t other)
{
    struct series s;
    run(ctx, PINGPONG_EARLY_WARM);
    long i0 = involuntary_switches(other);
    collect(&s, run, ctx, PINGPONG_EARLY_N, 1, PINGPONG_EARLY_BATCH);
    long i1 = involuntary_switches(other);
    report(early_key, &s);
    out("INFO switches %s involuntary %ld in %d round trips\n", early_key, i1 - i0,
        PINGPONG_EARLY_N * PINGPONG_EARLY_BATCH);

    run(ctx, PINGPONG_SETTLE);
    i0 = involuntary_switches(other);
    collect(&s, run, ctx, PINGPONG_N, 1, BATCHES);
    i1 = involuntary_switches(other);
    report(key, &s);
    out("INFO switches %s involuntary %ld in %d round trips\n", key, i1 - i0, PINGPONG_N * BATCHES);
    /* A tick or a kworker may preempt now and then; many more means the
     * steady state was not reached and the figure mixes both regimes. */
    if (i1 - i0 > PINGPONG_N * BATCHES / 20)
        out("INFO warning %s: still preempting on wakeup after %d round trips\n", key,
            PINGPONG_SETTLE);
}

/* --- getpid / getppid --------------------------------------------------- */

static void run_getpid(void *ctx, uint32_t n)
{
    (void)ctx;
    for (uint32_t i = 0; i < n; i++)
        sys0(SYS_getpid);
}

static void run_getppid(void *ctx, uint32_t n)
{
    (void)ctx;
    for (uint32_t i = 0; i < n; i++)
        sys0(SYS_getppid);
}

/* --- clock_gettime ------------------------------------------------------ */

/*
 * Reading the monotonic clock two ways: the real system call, and glibc's
 * clock_gettime, which reads the TSC through the vDSO without entering the
 * kernel (the clocksource here is tsc, so the vDSO path is taken).
 */
static void run_clock_syscall(void *ctx, uint32_t n)
{
    struct timespec *ts = ctx;
    for (uint32_t i = 0; i < n; i++)
        sys3(SYS_clock_gettime, CLOCK_MONOTONIC, (long)ts, 0);
}

static void run_clock_vdso(void *ctx, uint32_t n)
{
    struct timespec *ts = ctx;
    for (uint32_t i = 0; i < n; i++) {
        clock_gettime(CLOCK_MONOTONIC, ts);
        __asm__ volatile("" ::: "memory");
    }
}

/* --- io_uring NOP ------------------------------------------------------- */

/*
 * The raw interface: io_uring_setup returns an fd and the offsets of the ring
 * fields; the rings and the SQE array are mmap'd from that fd.  We are the
 * only submitter and the only reaper, so the SQ tail and CQ head are kept in
 * locals and published with release stores; the kernel's CQ tail is read with
 * an acquire load.  Each SQE is written in full on every submission, so the
 * user-side cost of filling a request is part of the figure (as it is for a
 * capOS ring NOP).
 */
struct uring {
    int fd;
    unsigned *sq_tail, *sq_mask, *sq_array;
    unsigned *cq_head, *cq_tail, *cq_mask;
    struct io_uring_sqe *sqes;
    struct io_uring_cqe *cqes;
    unsigned sq_local_tail, cq_local_head;
    uint32_t batch;
    long errors;
};

static int uring_open(struct uring *u, unsigned entries)
{
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    memset(u, 0, sizeof *u);
    long fd = sys6(SYS_io_uring_setup, entries, (long)&p, 0, 0, 0, 0);
    if (fd < 0) {
        fail("io_uring_setup", fd);
        return -1;
    }
    u->fd = (int)fd;

    size_t sq_sz = p.sq_off.array + p.sq_entries * sizeof(unsigned);
    size_t cq_sz = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    /* With SINGLE_MMAP (5.4+) both rings live in one mapping. */
    int single = (p.features & IORING_FEAT_SINGLE_MMAP) != 0;
    if (single && cq_sz > sq_sz)
        sq_sz = cq_sz;
    char *sq = mmap(NULL, sq_sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, u->fd,
                    IORING_OFF_SQ_RING);
    if (sq == MAP_FAILED) {
        fail("mmap sq ring", errno);
        return -1;
    }
    char *cq = sq;
    if (!single) {
        cq = mmap(NULL, cq_sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, u->fd,
                  IORING_OFF_CQ_RING);
        if (cq == MAP_FAILED) {
            fail("mmap cq ring", errno);
            return -1;
        }
    }
    u->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_POPULATE, u->fd, IORING_OFF_SQES);
    if (u->sqes == MAP_FAILED) {
        fail("mmap sqes", errno);
        return -1;
    }
    u->sq_tail = (unsigned *)(sq + p.sq_off.tail);
    u->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
    u->sq_array = (unsigned *)(sq + p.sq_off.array);
    u->cq_head = (unsigned *)(cq + p.cq_off.head);
    u->cq_tail = (unsigned *)(cq + p.cq_off.tail);
    u->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
    u->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
    u->sq_local_tail = *u->sq_tail;
    u->cq_local_head = *u->cq_head;
    return 0;
}

static void run_uring_nop(void *ctx, uint32_t n)
{
    struct uring *u = ctx;
    const unsigned sq_mask = *u->sq_mask, cq_mask = *u->cq_mask;
    const uint32_t batch = u->batch;

    for (uint32_t i = 0; i < n; i++) {
        unsigned tail = u->sq_local_tail;
        for (uint32_t k = 0; k < batch; k++) {
            unsigned idx = tail & sq_mask;
            struct io_uring_sqe *sqe = &u->sqes[idx];
            memset(sqe, 0, sizeof *sqe);
            sqe->opcode = IORING_OP_NOP;
            sqe->user_data = k;
            u->sq_array[idx] = idx;
            tail++;
        }
        u->sq_local_tail = tail;
        __atomic_store_n(u->sq_tail, tail, __ATOMIC_RELEASE);

        long r = sys6(SYS_io_uring_enter, u->fd, batch, batch, IORING_ENTER_GETEVENTS, 0, 0);
        if (r != (long)batch)
            u->errors++;

        /* NOPs complete inline, so all `batch` completions are there now. */
        unsigned head = u->cq_local_head;
        unsigned ctail = __atomic_load_n(u->cq_tail, __ATOMIC_ACQUIRE);
        while (head != ctail) {
            if (u->cqes[head & cq_mask].res != 0)
                u->errors++;
            head++;
        }
        u->cq_local_head = head;
        __atomic_store_n(u->cq_head, head, __ATOMIC_RELEASE);
    }
}

static void bench_uring(void)
{
    struct uring u;
    if (uring_open(&u, 64) != 0)
        return;
    u.batch = 1;
    measure("linux_uring_nop_batch1_insns_per_op", run_uring_nop, &u, 2000, 1);
    u.batch = 32;
    measure("linux_uring_nop_batch32_insns_per_op", run_uring_nop, &u, 200, 32);
    if (u.errors)
        fail("io_uring NOP completions", EIO);
    close(u.fd);
}

/* --- pipe ping-pong between two processes ------------------------------- */

/*
 * The parent writes a message of `size` bytes into `to_child`; the child reads
 * whatever arrived and writes it back into `to_parent`.  Both are pinned to
 * CPU 0, so a round trip is two writes, two reads and two context switches
 * between address spaces.  A write of at most PIPE_BUF bytes is atomic, so
 * one read always returns the whole message.  The child ends at EOF.
 */
#define PIPE_MSG_MAX 64

struct pingpong {
    int to_child[2], to_parent[2];
    long size;
    long errors;
};

static void run_pipe_rt(void *ctx, uint32_t n)
{
    struct pingpong *pp = ctx;
    char msg[PIPE_MSG_MAX] = {0};
    for (uint32_t i = 0; i < n; i++) {
        if (sys3(SYS_write, pp->to_child[1], (long)msg, pp->size) != pp->size)
            pp->errors++;
        if (sys3(SYS_read, pp->to_parent[0], (long)msg, pp->size) != pp->size)
            pp->errors++;
    }
}

static void pipe_echo(int in, int out_fd)
{
    char msg[PIPE_MSG_MAX];
    long got;
    while ((got = sys3(SYS_read, in, (long)msg, sizeof msg)) > 0)
        sys3(SYS_write, out_fd, (long)msg, got);
    _exit(0);
}

static void bench_pipe(void)
{
    struct pingpong pp = {.size = 1};
    if (pipe(pp.to_child) != 0 || pipe(pp.to_parent) != 0) {
        fail("pipe", errno);
        return;
    }
    pid_t pid = fork();
    if (pid < 0) {
        fail("fork", errno);
        return;
    }
    if (pid == 0) {
        close(pp.to_child[1]);
        close(pp.to_parent[0]);
        pipe_echo(pp.to_child[0], pp.to_parent[1]);
    }
    close(pp.to_child[0]);
    close(pp.to_parent[1]);
    pingpong("linux_pipe_rt_insns", "linux_pipe_rt_early_insns", run_pipe_rt, &pp, pid);
    /* Same partner, already in the steady regime. */
    pp.size = 64;
    measure("linux_pipe_rt_64b_insns", run_pipe_rt, &pp, PINGPONG_N, 1);
    close(pp.to_child[1]);
    waitpid(pid, NULL, 0);
    close(pp.to_parent[0]);
    if (pp.errors)
        fail("pipe ping-pong", EIO);
}

/* --- futex ping-pong between two threads -------------------------------- */

/*
 * One shared word says whose turn it is: TURN_PONG (the partner's) or
 * TURN_PING (the measuring thread's); TURN_STOP ends the partner.  Each side
 * flips the word, wakes the other with FUTEX_WAKE and sleeps with FUTEX_WAIT
 * until the word comes back.  On one CPU a round trip is two wakes, two waits
 * and two thread switches within one address space.
 */
enum { TURN_PING = 0, TURN_PONG = 1, TURN_STOP = 2 };

static int futex_word;

static inline void futex_wait(int *w, int val)
{
    sys6(SYS_futex, (long)w, FUTEX_WAIT_PRIVATE, val, 0, 0, 0);
}

static inline void futex_wake(int *w)
{
    sys6(SYS_futex, (long)w, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0);
}

static void *futex_partner(void *arg)
{
    (void)arg;
    for (;;) {
        int v;
        while ((v = __atomic_load_n(&futex_word, __ATOMIC_ACQUIRE)) == TURN_PING)
            futex_wait(&futex_word, TURN_PING);
        if (v == TURN_STOP)
            return NULL;
        __atomic_store_n(&futex_word, TURN_PING, __ATOMIC_RELEASE);
        futex_wake(&futex_word);
    }
}

static void run_futex_rt(void *ctx, uint32_t n)
{
    (void)ctx;
    for (uint32_t i = 0; i < n; i++) {
        __atomic_store_n(&futex_word, TURN_PONG, __ATOMIC_RELEASE);
        futex_wake(&futex_word);
        while (__atomic_load_n(&futex_word, __ATOMIC_ACQUIRE) == TURN_PONG)
            futex_wait(&futex_word, TURN_PONG);
    }
}

static void bench_futex(void)
{
    pthread_t t;
    futex_word = TURN_PING;
    int e = pthread_create(&t, NULL, futex_partner, NULL);
    if (e != 0) {
        fail("pthread_create", e);
        return;
    }
    pingpong("linux_futex_rt_insns", "linux_futex_rt_early_insns", run_futex_rt, NULL, 0);
    __atomic_store_n(&futex_word, TURN_STOP, __ATOMIC_RELEASE);
    futex_wake(&futex_word);
    pthread_join(t, NULL);
}

/* --- thread create + join ----------------------------------------------- */

static void *thread_noop(void *arg)
{
    return arg;
}

static long thread_errors;

static void run_thread_create_join(void *ctx, uint32_t n)
{
    (void)ctx;
    for (uint32_t i = 0; i < n; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, thread_noop, NULL) != 0 || pthread_join(t, NULL) != 0)
            thread_errors++;
    }
}

/* --- posix_spawn + wait ------------------------------------------------- */

/*
 * glibc's posix_spawn (clone with CLONE_VM|CLONE_VFORK on a small stack, then
 * execve in the child) followed by waitpid.  Two children: /bench-child is a
 * 9 KB static program with no libc whose _start calls exit_group, so the
 * figure is the kernel's create/exec/exit/reap path plus glibc's spawn code;
 * /bench-child-libc is an empty main() linked statically with glibc, adding
 * the page faults and start-up of an ordinary static program.
 */
#define CHILD_PATH      "/bench-child"
#define CHILD_LIBC_PATH "/bench-child-libc"

static long spawn_errors;

static void run_spawn_wait(void *ctx, uint32_t n)
{
    char *path = ctx;
    char *argv[] = {path, NULL};
    char *envp[] = {NULL};
    for (uint32_t i = 0; i < n; i++) {
        pid_t pid;
        int status;
        if (posix_spawn(&pid, path, NULL, NULL, argv, envp) != 0 ||
            waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            spawn_errors++;
    }
}

/* Runs a program of bench/posix to its end; its output goes to the console
 * with ours. */
static void run_posix_program(const char *path)
{
    char *argv[] = {(char *)path, NULL};
    char *envp[] = {NULL};
    pid_t pid;
    int status;
    if (posix_spawn(&pid, path, NULL, NULL, argv, envp) != 0 || waitpid(pid, &status, 0) != pid ||
        !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail(path, ECHILD);
}

/* --- anonymous write page fault ----------------------------------------- */

/*
 * Each batch maps a fresh 4 MiB private anonymous region and writes one byte
 * into each of its 1024 pages: every write takes a fault that allocates and
 * zeroes a page and maps it.  A second pass over the same, now mapped, pages
 * costs only the loop and the counter, and is subtracted.  The figure is the
 * mean over the 1024 faults, so it includes what the kernel does once per
 * several faults (refilling the per-CPU free lists, draining the LRU batch,
 * the region's page-table pages).  Most single faults cost less: the median of
 * individually timed faults is reported as linux_page_fault_p50_insns.
 *
 * Debian's kernel has transparent huge pages "always", which would make an
 * aligned 2 MiB stretch one fault; the kernel switches THP off by itself below
 * 512 MiB of RAM (our case), and MADV_NOHUGEPAGE makes sure of it anyway.
 */
#define PF_PAGES 1024
#define PF_LEN   ((size_t)PF_PAGES * 4096)

static void touch_pages(volatile char *p)
{
    for (size_t i = 0; i < PF_PAGES; i++)
        p[i * 4096] = 1;
}

/* The region is aligned to its own size so that it always needs exactly two
 * page-table pages, wherever address-space randomization put the mmap base. */
static char *pf_region(void)
{
    char *m = mmap(NULL, 2 * PF_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        fail("mmap", errno);
        return NULL;
    }
    char *p = (char *)(((uintptr_t)m + PF_LEN - 1) & ~(uintptr_t)(PF_LEN - 1));
    if (p > m)
        munmap(m, (size_t)(p - m));
    if (p + PF_LEN < m + 2 * PF_LEN)
        munmap(p + PF_LEN, (size_t)(m + 2 * PF_LEN - (p + PF_LEN)));
    if (madvise(p, PF_LEN, MADV_NOHUGEPAGE) != 0)
        fail("madvise", errno);
    return p;
}

static void bench_page_fault(void)
{
    struct series s = {.n = BATCHES};
    for (int b = -WARMUP; b < BATCHES; b++) {
        char *p = pf_region();
        if (!p)
            return;
        uint64_t t0 = bench_t_begin();
        touch_pages(p);
        uint64_t t1 = bench_t_end();
        uint64_t t2 = bench_t_begin();
        touch_pages(p);
        uint64_t t3 = bench_t_end();
        munmap(p, PF_LEN);
        uint64_t faulting = t1 - t0, mapped = t3 - t2;
        if (b >= 0)
            s.v[b] = faulting > mapped ? (faulting - mapped + PF_PAGES / 2) / PF_PAGES : 0;
    }
    report("linux_page_fault_insns", &s);

    /* Each fault on its own, in a fresh region. */
    static uint64_t f[PF_PAGES];
    volatile char *q = pf_region();
    if (!q)
        return;
    uint64_t sum = 0;
    for (size_t i = 0; i < PF_PAGES; i++) {
        uint64_t a = bench_t_begin();
        q[i * 4096] = 1;
        uint64_t z = bench_t_end();
        f[i] = z - a - counter_overhead;
        sum += f[i];
    }
    munmap((void *)q, PF_LEN);
    qsort(f, PF_PAGES, sizeof f[0], cmp_u64);
    out("BENCH linux_page_fault_p50_insns %llu\n", (unsigned long long)f[PF_PAGES / 2]);
    out("INFO iter linux_page_fault min %llu p10 %llu p50 %llu p90 %llu max %llu mean %llu\n",
        (unsigned long long)f[0], (unsigned long long)f[PF_PAGES / 10],
        (unsigned long long)f[PF_PAGES / 2], (unsigned long long)f[PF_PAGES * 9 / 10],
        (unsigned long long)f[PF_PAGES - 1], (unsigned long long)(sum / PF_PAGES));
}

/* --- machine description ------------------------------------------------ */

static void print_file_line(const char *label, const char *path)
{
    char buf[256];
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return;
    buf[n] = 0;
    buf[strcspn(buf, "\n")] = 0;
    out("INFO %s %s\n", label, buf);
}

/* What the kernel runs on and which speculation mitigations it chose: these
 * decide the syscall and context-switch paths, so they go into the log. */
static void describe_machine(void)
{
    struct utsname u;
    if (uname(&u) == 0)
        out("INFO kernel %s %s\n", u.release, u.version);
    mkdir("/proc", 0555);
    mkdir("/sys", 0555);
    if (mount("proc", "/proc", "proc", 0, NULL) == 0) {
        print_file_line("cmdline", "/proc/cmdline");
        FILE *f = fopen("/proc/cpuinfo", "r");
        if (f) {
            char line[512];
            while (fgets(line, sizeof line, f)) {
                if (!strncmp(line, "vendor_id", 9) || !strncmp(line, "model name", 10) ||
                    !strncmp(line, "flags", 5)) {
                    line[strcspn(line, "\n")] = 0;
                    out("INFO cpu %s\n", line);
                }
                if (line[0] == '\n')
                    break;
            }
            fclose(f);
        }
    }
    if (mount("sysfs", "/sys", "sysfs", 0, NULL) == 0) {
        const char *dir = "/sys/devices/system/cpu/vulnerabilities";
        DIR *d = opendir(dir);
        if (d) {
            struct dirent *e;
            while ((e = readdir(d)) != NULL) {
                if (e->d_name[0] == '.')
                    continue;
                char path[512], label[300];
                snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
                snprintf(label, sizeof label, "vuln %s", e->d_name);
                print_file_line(label, path);
            }
            closedir(d);
        }
        print_file_line("clocksource",
                        "/sys/devices/system/clocksource/clocksource0/current_clocksource");
        print_file_line("thp", "/sys/kernel/mm/transparent_hugepage/enabled");
    }
}

static void power_off(void) __attribute__((noreturn));

static void power_off(void)
{
    sync();
    reboot(RB_POWER_OFF);
    /* ACPI power-off failed: fall back to QEMU's isa-debug-exit port, if
     * present (status 1 -> QEMU exits 3), else to a panic on /init exit,
     * which `panic=-1` plus -no-reboot turns into QEMU exiting. */
    if (ioperm(0xf4, 4, 1) == 0)
        outl(1, 0xf4);
    _exit(1);
}

int main(void)
{
    /* First thing /init does: the virtual clock now holds the instructions
     * since reset (firmware, the bzImage decompressor, the kernel's boot,
     * glibc's static start-up -- the last a few thousand) plus any idle time
     * the kernel slept through. */
    uint64_t boot = bench_t_begin();
    /* The kernel's own clock starts later, once it has calibrated the TSC:
     * this excludes firmware, decompressor and the earliest setup.  It is the
     * time printk stamps on "Run /init as init process". */
    struct timespec mono;
    clock_gettime(CLOCK_MONOTONIC, &mono);

    const char *env = getenv("BENCH_DETAIL");
    detail = env && env[0] == '1';
    env = getenv("BENCH_ONLY");
    int boot_only = env && !strcmp(env, "boot");

    out("\nINFO capos-linux-bench start\n");
    out("BENCH linux_boot_to_init_insns %llu\n", (unsigned long long)boot);
    out("BENCH linux_kernel_to_init_ns %llu\n",
        (unsigned long long)mono.tv_sec * 1000000000ull + (unsigned long long)mono.tv_nsec);
    describe_machine();
    if (boot_only) {
        out("BENCH_END\n");
        power_off();
    }

    /* Everything below runs on CPU 0, children and threads included. */
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0)
        fail("sched_setaffinity", errno);

    measure_counter_overhead();
    measure("linux_getpid_insns", run_getpid, NULL, 2000, 1);
    measure("linux_getppid_insns", run_getppid, NULL, 2000, 1);
    struct timespec ts;
    measure("linux_clock_gettime_syscall_insns", run_clock_syscall, &ts, 2000, 1);
    measure("linux_clock_gettime_vdso_insns", run_clock_vdso, &ts, 2000, 1);
    bench_uring();
    bench_pipe();
    bench_page_fault();
    measure("linux_spawn_wait_insns", run_spawn_wait, CHILD_PATH, 8, 1);
    measure("linux_spawn_wait_libc_insns", run_spawn_wait, CHILD_LIBC_PATH, 4, 1);
    if (spawn_errors)
        fail("posix_spawn/waitpid", ECHILD);
    /* The threaded figures come last: once a thread has existed, glibc takes
     * its multi-threaded paths for the rest of the process's life. */
    bench_futex();
    /* Thread exit frees the task through RCU callbacks that run in bursts,
     * so batches are long enough to average them. */
    measure("linux_thread_create_join_insns", run_thread_create_join, NULL, 100, 1);
    if (thread_errors)
        fail("pthread_create/join", EAGAIN);
    /* The POSIX rows: the same sources as capOS's, built with musl
     * (bench/posix/); they print their own BENCH lines, on CPU 0 like the
     * rest. */
    run_posix_program("/posix-bench");
    run_posix_program("/posix-hello");
    run_posix_program("/posix-files");
    run_posix_program("/lua-bench");

    out("INFO failures %d\n", failures);
    out("BENCH_END\n");
    power_off();
    return 0;
}
