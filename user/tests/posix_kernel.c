/*
 * posix-kernel: the kernel interfaces the POSIX personality stands on
 * (docs/posix-kernel.md), each case a sub-check of the smoke:
 *
 *   pipe-basic       bytes in order, len 0, a non-blocking read of an empty
 *                    pipe (wouldBlock)
 *   pipe-eof         a read after the write end is gone: 0; a reader blocked
 *                    when it goes ends with 0 too
 *   pipe-peer-gone   a write after the read end is gone: peerGone
 *   pipe-atomic      64 KiB fit; a write of at most 4096 bytes goes in whole
 *                    or not at all, a longer one puts in what fits
 *   pipe-bad-address a read into or write from memory the caller does not
 *                    have: badAddress, and no byte consumed or added
 *   pipe-blocking    a blocked read completes when a thread writes; a
 *                    blocked write when a thread reads
 *   pipe-wait        wait: readiness at once when non-blocking, a pending
 *                    wait woken by data and by the other end going,
 *                    cancelWaits, bad events refused
 *   pipe-queue-limit 64 reads may wait on a pipe, the 65th is refused with
 *                    quotaExceeded
 *   pipe-transfer    a read end handed to a child at spawn: the child reads
 *                    what the parent writes
 *   pipe-no-leak     2000 pipes made and dropped under a 64 MiB quota (each
 *                    costs 17 frames while it lives), and the memory in
 *                    use no higher after than before
 *   clock-page       mapClock maps one page, twice the same address; its
 *                    time lies between two Timer.now calls and its wall
 *                    clock matches Timer.wallClock; the RTC said after 2024
 *   clock-read-only  a child that writes to its clock page is stopped
 *   sleep-until      sleepUntil a deadline wakes after it, a past one at once
 *   cpu-time         cpuTime: the thread's grows with work, the process's is
 *                    at least the thread's
 *   clear-tid        spawn's setTid gets the tid before the thread runs; its
 *                    clearTid word is zeroed and its waiters woken when it
 *                    exits; setClearTid moves the word; bad words refused
 *   ppid             a child's CapSet names this process as its parent; this
 *                    process's names init
 *   port-absent      a Console on COM2 of a machine without one: unsupported
 *
 * argv[1], when given, names a child role: "reader" (reads 5 bytes from its
 * "pipe" grant and exits with their sum mod 256), "ppid" (exits 0 if its
 * parent is the pid in argv[2]), "clockwrite" (writes to its clock page).
 */
#include "capos.h"

#include "abi/clock.h"
#include "base/mem.h"
#include "clock/clock.h"
#include "fmt/fmt.h"

#define TESTCASE_PREFIX "posix-kernel"
#include "testcase.h"

#define MS   (1000ULL * 1000)
#define PROG "posix_kernel"

extern const char capos_thread_entry[];

static uint32_t tspawner, park, spawner, pipes, memory;

/* ---- pipes ---- */

struct pipe_ends {
    uint32_t r, w;
};

static int pipe_new(struct pipe_ends *p)
{
    capos_PipeFactory_create_results res;
    int err = capos_PipeFactory_create_call(pipes, 0, &res, 0);
    if (err == CAPOS_OK) {
        p->r = res.reader;
        p->w = res.writer;
    }
    return err;
}

static int pread_(uint32_t r, void *buf, uint32_t len, bool nb, uint32_t *n)
{
    capos_PipeReader_read_args a = {.buf = (uint64_t)(uintptr_t)buf, .len = len, .nonBlocking = nb};
    capos_PipeReader_read_results res = {0};
    int err = capos_PipeReader_read_call(r, &a, &res, 0);
    *n = res.n;
    return err;
}

static int pwrite_(uint32_t w, const void *buf, uint32_t len, bool nb, uint32_t *n)
{
    capos_PipeWriter_write_args a = {
        .buf = (uint64_t)(uintptr_t)buf, .len = len, .nonBlocking = nb};
    capos_PipeWriter_write_results res = {0};
    int err = capos_PipeWriter_write_call(w, &a, &res, 0);
    *n = res.n;
    return err;
}

static void pipe_basic(void)
{
    struct pipe_ends p;
    char buf[16];
    uint32_t n;
    begin("pipe-basic");
    CHECK(pipe_new(&p) == CAPOS_OK, "create");
    CHECK(pwrite_(p.w, "hello", 5, false, &n) == CAPOS_OK && n == 5, "write 5: %u", n);
    CHECK(pwrite_(p.w, "!", 0, false, &n) == CAPOS_OK && n == 0, "write 0");
    CHECK(pread_(p.r, buf, 3, false, &n) == CAPOS_OK && n == 3 && memcmp(buf, "hel", 3) == 0,
          "read 3");
    CHECK(pread_(p.r, buf, sizeof(buf), false, &n) == CAPOS_OK && n == 2 &&
              memcmp(buf, "lo", 2) == 0,
          "read the rest: %u", n);
    CHECK(pread_(p.r, buf, 0, false, &n) == CAPOS_OK && n == 0, "read 0");
    int err = pread_(p.r, buf, 1, true, &n);
    CHECK(err == CAPOS_ERR_WOULD_BLOCK, "empty non-blocking read: %s", capos_error_name(err));
    capos_release(p.r);
    capos_release(p.w);
    end();
}

static uint32_t blocked_reader_end;
static int blocked_read(void *arg)
{
    char c;
    uint32_t n = 99;
    int err = pread_(blocked_reader_end, &c, 1, false, &n);
    return err == CAPOS_OK ? (int)n : -1;
}

static void pipe_eof(void)
{
    struct pipe_ends p;
    char buf[4];
    uint32_t n;
    begin("pipe-eof");
    pipe_new(&p);
    pwrite_(p.w, "xy", 2, false, &n);
    capos_release(p.w);
    CHECK(pread_(p.r, buf, 4, false, &n) == CAPOS_OK && n == 2, "data before end of file");
    CHECK(pread_(p.r, buf, 4, false, &n) == CAPOS_OK && n == 0, "end of file: %u", n);
    capos_release(p.r);
    pipe_new(&p);
    struct capos_thread *t;
    blocked_reader_end = p.r;
    capos_thread_create(&t, blocked_read, 0, 0);
    capos_timer_sleep(timer, 20 * MS);
    capos_release(p.w);
    int code = -2;
    capos_thread_join(t, &code, 0);
    CHECK(code == 0, "a blocked reader when the writer goes: %d", code);
    capos_release(p.r);
    end();
}

static void pipe_peer_gone(void)
{
    struct pipe_ends p;
    uint32_t n;
    begin("pipe-peer-gone");
    pipe_new(&p);
    capos_release(p.r);
    int err = pwrite_(p.w, "x", 1, false, &n);
    CHECK(err == CAPOS_ERR_PEER_GONE, "write: %s", capos_error_name(err));
    capos_release(p.w);
    end();
}

static uint8_t big[8192];

static void pipe_atomic(void)
{
    struct pipe_ends p;
    uint32_t n, pages = 0;
    int err;
    begin("pipe-atomic");
    pipe_new(&p);
    while ((err = pwrite_(p.w, big, 4096, true, &n)) == CAPOS_OK && pages < 100)
        pages++;
    CHECK(pages == 16 && err == CAPOS_ERR_WOULD_BLOCK, "%u pages fit, then %s", pages,
          capos_error_name(err));
    err = pwrite_(p.w, big, 1, true, &n);
    CHECK(err == CAPOS_ERR_WOULD_BLOCK, "a byte into a full pipe: %s", capos_error_name(err));
    err = pwrite_(p.w, big, 5000, true, &n);
    CHECK(err == CAPOS_ERR_WOULD_BLOCK, "5000 bytes into a full pipe: %s", capos_error_name(err));
    pread_(p.r, big, 100, false, &n);
    err = pwrite_(p.w, big, 200, true, &n);
    CHECK(err == CAPOS_ERR_WOULD_BLOCK, "200 bytes (atomic) into 100 of room: %s",
          capos_error_name(err));
    err = pwrite_(p.w, big, 5000, true, &n);
    CHECK(err == CAPOS_OK && n == 100, "5000 bytes into 100 of room: %s, %u", capos_error_name(err),
          n);
    capos_release(p.r);
    capos_release(p.w);
    end();
}

static void pipe_bad_address(void)
{
    struct pipe_ends p;
    char buf[4];
    uint32_t n;
    begin("pipe-bad-address");
    pipe_new(&p);
    pwrite_(p.w, "abc", 3, false, &n);
    int err = pread_(p.r, (void *)0x7000000000ULL, 3, false, &n);
    CHECK(err == CAPOS_ERR_BAD_ADDRESS, "read into unmapped memory: %s", capos_error_name(err));
    err = pread_(p.r, (void *)0xffff800000000000ULL, 3, false, &n);
    CHECK(err == CAPOS_ERR_BAD_ADDRESS, "read into the kernel: %s", capos_error_name(err));
    CHECK(pread_(p.r, buf, 4, false, &n) == CAPOS_OK && n == 3 && memcmp(buf, "abc", 3) == 0,
          "the bytes are still there: %u", n);
    err = pwrite_(p.w, (void *)0x7000000000ULL, 3, false, &n);
    CHECK(err == CAPOS_ERR_BAD_ADDRESS, "write from unmapped memory: %s", capos_error_name(err));
    CHECK(pread_(p.r, buf, 4, true, &n) == CAPOS_ERR_WOULD_BLOCK, "nothing was added");
    capos_release(p.r);
    capos_release(p.w);
    end();
}

static struct pipe_ends shared;
static int drain(void *arg)
{
    uint32_t n, total = 0;
    capos_timer_sleep(timer, 20 * MS);
    while (total < 70000 && pread_(shared.r, big, sizeof(big), false, &n) == CAPOS_OK && n)
        total += n;
    return (int)total;
}

static int late_write(void *arg)
{
    uint32_t n;
    capos_timer_sleep(timer, 20 * MS);
    return pwrite_(shared.w, "late", 4, false, &n) == CAPOS_OK ? (int)n : -1;
}

static void pipe_blocking(void)
{
    struct capos_thread *t;
    char buf[8];
    uint32_t n;
    int code = -1;
    begin("pipe-blocking");
    pipe_new(&shared);
    capos_thread_create(&t, late_write, 0, 0);
    int err = pread_(shared.r, buf, sizeof(buf), false, &n);
    CHECK(err == CAPOS_OK && n == 4 && memcmp(buf, "late", 4) == 0, "blocked read: %s %u",
          capos_error_name(err), n);
    capos_thread_join(t, &code, 0);
    CHECK(code == 4, "writer: %d", code);
    capos_thread_create(&t, drain, 0, 0);
    uint32_t total = 0;
    for (int i = 0; i < 17; i++) { /* the 17th waits for the reader */
        err = pwrite_(shared.w, big, 4096, false, &n);
        total += err == CAPOS_OK ? n : 0;
    }
    CHECK(total == 17 * 4096, "blocking writes put in %u bytes", total);
    capos_release(shared.w);
    capos_thread_join(t, &code, 0);
    CHECK(code == 17 * 4096, "the reader got %d bytes", code);
    capos_release(shared.r);
    end();
}

/* An asynchronous PipeReader.wait; its completion is collected later. */
struct async_wait {
    uint64_t cookie;
    uint64_t arena[capos_PipeReader_wait_ARENA_WORDS];
    uint64_t res[capos_PipeReader_wait_RESULT_BYTES / 8];
    struct capos_rpc_opts o;
};

static int wait_submit(struct async_wait *w, uint32_t end, uint32_t events)
{
    struct capnp_builder b;
    w->o = (struct capos_rpc_opts){.buf = w->res, .buf_len = sizeof(w->res)};
    capnp_builder_init(&b, w->arena, sizeof(w->arena));
    capos_PipeReader_wait_args a = {.events = events};
    int err = capos_PipeReader_wait_submit(end, &a, &b, &w->o, &w->cookie);
    if (err == CAPOS_OK)
        capos_ring_enter(0, 0);
    return err;
}

static int wait_collect(struct async_wait *w, uint32_t *ready)
{
    struct capos_cqe c;
    capos_PipeReader_wait_results r = {0};
    int err = capos_ring_wait(w->cookie, &c);
    if (err == CAPOS_OK)
        err = capos_PipeReader_wait_complete(&c, &r, &w->o);
    *ready = r.ready;
    return err;
}

static void pipe_wait(void)
{
    struct pipe_ends p;
    struct async_wait w;
    uint32_t n, ready;
    begin("pipe-wait");
    pipe_new(&p);
    capos_PipeReader_wait_args a = {.events = capos_pipeReadable, .nonBlocking = true};
    capos_PipeReader_wait_results r;
    CHECK(capos_PipeReader_wait_call(p.r, &a, &r, 0) == CAPOS_OK && r.ready == 0,
          "empty, non-blocking: %u", r.ready);
    a.events = 8;
    int err = capos_PipeReader_wait_call(p.r, &a, &r, 0);
    CHECK(err == CAPOS_ERR_INVALID_ARGUMENT, "bad events: %s", capos_error_name(err));
    capos_PipeWriter_wait_args wa = {.events = capos_pipeWritable, .nonBlocking = true};
    capos_PipeWriter_wait_results wr;
    CHECK(capos_PipeWriter_wait_call(p.w, &wa, &wr, 0) == CAPOS_OK &&
              wr.ready == capos_pipeWritable,
          "write end writable: %u", wr.ready);

    wait_submit(&w, p.r, capos_pipeReadable);
    pwrite_(p.w, "d", 1, false, &n);
    err = wait_collect(&w, &ready);
    CHECK(err == CAPOS_OK && ready == capos_pipeReadable, "woken by data: %s %u",
          capos_error_name(err), ready);
    pread_(p.r, &n, 1, false, &n);

    wait_submit(&w, p.r, capos_pipeReadable);
    capos_PipeReader_cancelWaits_results cr = {0};
    err = capos_PipeReader_cancelWaits_call(p.r, 0, &cr, 0);
    CHECK(err == CAPOS_OK && cr.cancelled == 1, "cancelWaits: %s %u", capos_error_name(err),
          cr.cancelled);
    err = wait_collect(&w, &ready);
    CHECK(err == CAPOS_ERR_CANCELLED, "the cancelled wait: %s", capos_error_name(err));

    wait_submit(&w, p.r, capos_pipeReadable);
    capos_release(p.w);
    err = wait_collect(&w, &ready);
    CHECK(err == CAPOS_OK && ready == capos_pipeHangup, "woken by the writer going: %s %u",
          capos_error_name(err), ready);
    capos_release(p.r);
    end();
}

static void pipe_queue_limit(void)
{
    struct pipe_ends p;
    static char bufs[65][8];
    uint64_t cookies[65];
    begin("pipe-queue-limit");
    pipe_new(&p);
    for (int i = 0; i < 65; i++) {
        capos_PipeReader_read_args a = {.buf = (uint64_t)(uintptr_t)bufs[i], .len = 1};
        struct capnp_builder b;
        uint64_t arena[capos_PipeReader_read_ARENA_WORDS];
        capnp_builder_init(&b, arena, sizeof(arena));
        static uint64_t res[65][capos_PipeReader_read_RESULT_BYTES / 8];
        struct capos_rpc_opts o = {.buf = res[i], .buf_len = sizeof(res[i])};
        if (capos_PipeReader_read_submit(p.r, &a, &b, &o, &cookies[i]) != CAPOS_OK)
            fail("submit %d", i);
        capos_ring_enter(0, 0); /* one at a time: the queue fills in order */
    }
    struct capos_cqe c;
    int err = capos_ring_wait(cookies[64], &c) == 0 ? c.result : -1;
    CHECK(err == CAPOS_ERR_QUOTA_EXCEEDED, "the 65th read: %s", capos_error_name(err));
    capos_release(p.w); /* the 64 waiting reads end with end of file */
    unsigned ended = 0;
    for (int i = 0; i < 64; i++)
        ended += capos_ring_wait(cookies[i], &c) == 0 && c.result == CAPOS_OK;
    CHECK(ended == 64, "%u of 64 waiting reads ended", ended);
    capos_release(p.r);
    end();
}

static void pipe_transfer(void)
{
    struct pipe_ends p;
    uint32_t n, handle;
    begin("pipe-transfer");
    pipe_new(&p);
    struct capos_grant g[] = {
        {.name = "console", .kernel = true, .kind = capos_KernelCapKind_console},
        {.name = "pipe",
         .cap = p.r,
         .mode = CAPOS_XFER_MOVE,
         .interface_id = capos_PipeReader_INTERFACE_ID},
    };
    const char *argv[] = {PROG, "reader"};
    int err = capos_spawn(spawner, PROG, "pipe-reader", g, 2, argv, 2, 0, 0, &handle);
    CHECK(err == CAPOS_OK, "spawn: %s", capos_error_name(err));
    pwrite_(p.w, "\x01\x02\x03\x04\x05", 5, false, &n);
    struct capos_exit st;
    if (err == CAPOS_OK) {
        capos_process_wait(handle, &st);
        CHECK(st.kind == capos_ExitStatus_which_exited && st.code == 15, "the child read %d",
              st.code);
        capos_release(handle);
    }
    capos_release(p.w);
    end();
}

static void pipe_no_leak(void)
{
    struct pipe_ends p;
    unsigned made = 0;
    uint64_t limit0 = 0, used0 = 0, limit1 = 0, used1 = 0;
    begin("pipe-no-leak");
    capos_vm_quota(memory, &limit0, &used0);
    for (int i = 0; i < 2000; i++) {
        uint32_t n;
        if (pipe_new(&p) != CAPOS_OK)
            break;
        pwrite_(p.w, "x", 1, false, &n);
        capos_release(p.w);
        capos_release(p.r);
        made++;
    }
    capos_vm_quota(memory, &limit1, &used1);
    CHECK(made == 2000, "only %u pipes could be made", made);
    /* Other memory of the process may come and go meanwhile; a pipe is
     * 17 frames. */
    CHECK(used1 < used0 + 17 * 4096, "memory in use went from %lu to %lu bytes",
          (unsigned long)used0, (unsigned long)used1);
    end();
}

/* ---- the clock ---- */

static uint64_t rdtsc_fn(void *ctx)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static void clock_page(void)
{
    capos_Timer_mapClock_results m1 = {0}, m2 = {0};
    begin("clock-page");
    CHECK(capos_Timer_mapClock_call(timer, 0, &m1, 0) == CAPOS_OK, "mapClock");
    CHECK(capos_Timer_mapClock_call(timer, 0, &m2, 0) == CAPOS_OK && m1.addr == m2.addr,
          "mapped twice: %#lx %#lx", (unsigned long)m1.addr, (unsigned long)m2.addr);
    const struct capos_clock_page *pg = (const void *)(uintptr_t)m1.addr;
    CHECK(pg->version == CAPOS_CLOCK_VERSION && pg->mode == CAPOS_CLOCK_MODE_TSC,
          "version %u mode %u", pg->version, pg->mode);
    uint64_t before = now_ns(), mono = 0, real = 0;
    bool ok = capos_clock_read(pg, rdtsc_fn, 0, &mono, &real);
    uint64_t after = now_ns();
    CHECK(ok && before <= mono && mono <= after, "page time %lu not within [%lu, %lu]",
          (unsigned long)mono, (unsigned long)before, (unsigned long)after);
    capos_Timer_wallClock_results w = {0};
    capos_Timer_wallClock_call(timer, 0, &w, 0);
    uint64_t diff = w.ns > real ? w.ns - real : real - w.ns;
    CHECK(diff < 1000 * MS, "wall clock %lu vs page %lu", (unsigned long)w.ns, (unsigned long)real);
    CHECK(pg->realtime_boot_s > 1704067200ULL, "RTC at boot: %lu s",
          (unsigned long)pg->realtime_boot_s);
    end();
}

static void clock_read_only(void)
{
    uint32_t handle;
    struct capos_exit st;
    begin("clock-read-only");
    struct capos_grant g[] = {
        {.name = "console", .kernel = true, .kind = capos_KernelCapKind_console},
        {.name = "timer", .kernel = true, .kind = capos_KernelCapKind_timer},
    };
    const char *argv[] = {PROG, "clockwrite"};
    int err = capos_spawn(spawner, PROG, "clockwrite", g, 2, argv, 2, 0, 0, &handle);
    CHECK(err == CAPOS_OK, "spawn: %s", capos_error_name(err));
    if (err == CAPOS_OK) {
        capos_process_wait(handle, &st);
        CHECK(st.kind == capos_ExitStatus_which_faulted && st.vector == 14,
              "the writer ended with kind %d code %d vector %u", st.kind, st.code, st.vector);
        capos_release(handle);
    }
    end();
}

static void sleep_until(void)
{
    begin("sleep-until");
    uint64_t t0 = now_ns(), deadline = t0 + 20 * MS;
    capos_Timer_sleepUntil_args a = {.deadline = deadline};
    CHECK(capos_Timer_sleepUntil_call(timer, &a, 0, 0) == CAPOS_OK, "sleepUntil");
    uint64_t t1 = now_ns();
    CHECK(t1 >= deadline, "woke %lu ns early", (unsigned long)(deadline - t1));
    a.deadline = t0;
    CHECK(capos_Timer_sleepUntil_call(timer, &a, 0, 0) == CAPOS_OK && now_ns() - t1 < 10 * MS,
          "a past deadline");
    end();
}

static void cpu_time(void)
{
    capos_Timer_cpuTime_results a = {0}, b = {0};
    begin("cpu-time");
    capos_Timer_cpuTime_call(timer, 0, &a, 0);
    volatile uint64_t x = 0;
    for (uint64_t i = 0; i < 3000000; i++)
        x += i;
    CHECK(x == 4499998500000ULL, "the work was not done");
    capos_Timer_cpuTime_call(timer, 0, &b, 0);
    CHECK(b.thread > a.thread, "thread time %lu then %lu", (unsigned long)a.thread,
          (unsigned long)b.thread);
    CHECK(a.process >= a.thread && b.process >= b.thread, "process time below thread time");
    end();
}

/* ---- thread ids ---- */

static struct capos_thread raw_t[2];
static uint8_t raw_stack[2][16 * 1024] __attribute__((aligned(16)));
static uint32_t clear_word, tid_word, moved_word;

static int exit_now(void *arg)
{
    return 0;
}

static int move_word(void *arg)
{
    capos_ThreadControl_setClearTid_args a = {.addr = (uint64_t)(uintptr_t)&moved_word};
    capos_ThreadControl_setClearTid_results r = {0};
    int err = capos_ThreadControl_setClearTid_call(capos_thread_self()->control, &a, &r, 0);
    return err == CAPOS_OK ? (int)r.tid : -1;
}

static int raw_spawn(int i, int (*fn)(void *), uint64_t set_tid, uint64_t clear_tid,
                     capos_ThreadSpawner_spawn_results *res)
{
    memset(&raw_t[i], 0, sizeof(raw_t[i]));
    raw_t[i].self = &raw_t[i];
    raw_t[i].fn = fn;
    capos_ThreadSpawner_spawn_args a = {
        .entry = (uint64_t)(uintptr_t)capos_thread_entry,
        .stack = (uint64_t)(uintptr_t)(raw_stack[i] + sizeof(raw_stack[i])),
        .tls = (uint64_t)(uintptr_t)&raw_t[i],
        .arg = (uint64_t)(uintptr_t)&raw_t[i],
        .setTid = set_tid,
        .clearTid = clear_tid,
    };
    return capos_ThreadSpawner_spawn_call(tspawner, &a, res, 0);
}

/* Waits until *word is 0 (the kernel clears it and wakes its waiters). */
static bool wait_zero(uint32_t *word)
{
    for (int i = 0; i < 100; i++) {
        uint32_t v = __atomic_load_n(word, __ATOMIC_ACQUIRE);
        if (v == 0)
            return true;
        capos_ParkSpace_wait_args a = {
            .addr = (uint64_t)(uintptr_t)word, .expected = v, .timeoutNs = 100 * MS};
        capos_ParkSpace_wait_call(park, &a, 0, 0);
    }
    return false;
}

static void clear_tid(void)
{
    capos_ThreadSpawner_spawn_results res = {0};
    begin("clear-tid");
    clear_word = 0xabcd;
    tid_word = 0;
    int err = raw_spawn(0, exit_now, (uint64_t)(uintptr_t)&tid_word,
                        (uint64_t)(uintptr_t)&clear_word, &res);
    CHECK(err == CAPOS_OK, "spawn: %s", capos_error_name(err));
    CHECK(res.tid != 0 && tid_word == res.tid, "setTid %u, result %u", tid_word, res.tid);
    CHECK(wait_zero(&clear_word), "the clear-tid word stayed %#x", clear_word);
    capos_release(res.handle);

    moved_word = 0x77;
    clear_word = 0x55;
    err = raw_spawn(1, move_word, 0, (uint64_t)(uintptr_t)&clear_word, &res);
    CHECK(err == CAPOS_OK, "spawn: %s", capos_error_name(err));
    CHECK(wait_zero(&moved_word), "setClearTid's word stayed %#x", moved_word);
    CHECK(clear_word == 0x55, "the first word was cleared too");
    capos_release(res.handle);

    err = raw_spawn(0, exit_now, 0, (uint64_t)(uintptr_t)&clear_word + 1, &res);
    CHECK(err == CAPOS_ERR_INVALID_ARGUMENT, "misaligned clearTid: %s", capos_error_name(err));
    err = raw_spawn(0, exit_now, 0x7000000000ULL, 0, &res);
    CHECK(err == CAPOS_ERR_BAD_ADDRESS, "setTid in unmapped memory: %s", capos_error_name(err));
    capos_ThreadControl_setClearTid_args a = {.addr = 0xffff800000000000ULL};
    capos_ThreadControl_setClearTid_results r;
    err = capos_ThreadControl_setClearTid_call(capos_thread_self()->control, &a, &r, 0);
    CHECK(err == CAPOS_ERR_INVALID_ARGUMENT, "setClearTid in the kernel: %s",
          capos_error_name(err));
    end();
}

static void ppid(void)
{
    char pid[16];
    uint32_t handle;
    struct capos_exit st;
    begin("ppid");
    const struct capos_capset_header *cs = capos_capset();
    CHECK(cs->ppid == 1, "started by init (pid 1), the CapSet says %u", cs->ppid);
    fmt_snprintf(pid, sizeof(pid), "%u", cs->pid);
    struct capos_grant g[] = {
        {.name = "console", .kernel = true, .kind = capos_KernelCapKind_console}};
    const char *argv[] = {PROG, "ppid", pid};
    int err = capos_spawn(spawner, PROG, "ppid", g, 1, argv, 3, 0, 0, &handle);
    CHECK(err == CAPOS_OK, "spawn: %s", capos_error_name(err));
    if (err == CAPOS_OK) {
        capos_process_wait(handle, &st);
        CHECK(st.kind == capos_ExitStatus_which_exited && st.code == 0,
              "the child saw another parent");
        capos_release(handle);
    }
    end();
}

static void port_absent(void)
{
    uint32_t handle;
    struct capos_exit st;
    begin("port-absent");
    struct capos_grant g[] = {
        {.name = "console", .kernel = true, .kind = capos_KernelCapKind_console},
        {.name = "out",
         .kernel = true,
         .kind = capos_KernelCapKind_console,
         .port = capos_ConsolePort_com2},
    };
    const char *argv[] = {PROG, "com2"};
    int err = capos_spawn(spawner, PROG, "com2", g, 2, argv, 2, 0, 0, &handle);
    CHECK(err == CAPOS_OK, "spawn: %s", capos_error_name(err));
    if (err == CAPOS_OK) {
        capos_process_wait(handle, &st);
        CHECK(st.kind == capos_ExitStatus_which_exited && st.code == CAPOS_ERR_UNSUPPORTED,
              "the write to COM2 ended with %d", st.code);
        capos_release(handle);
    }
    end();
}

/* ---- children ---- */

static int child_main(const char *role, int argc, char **argv)
{
    if (strcmp(role, "reader") == 0) {
        uint32_t r = capos_capset_require("pipe", capos_PipeReader_INTERFACE_ID), n, got = 0;
        uint8_t buf[5];
        while (got < 5 && pread_(r, buf + got, 5 - got, false, &n) == CAPOS_OK && n)
            got += n;
        int sum = 0;
        for (uint32_t i = 0; i < got; i++)
            sum += buf[i];
        return sum;
    }
    if (strcmp(role, "ppid") == 0) {
        uint32_t want = 0;
        for (const char *p = argc > 2 ? argv[2] : ""; *p; p++)
            want = want * 10 + (uint32_t)(*p - '0');
        return capos_capset()->ppid == want ? 0 : 1;
    }
    if (strcmp(role, "clockwrite") == 0) {
        capos_Timer_mapClock_results m = {0};
        timer = capos_capset_require("timer", capos_Timer_INTERFACE_ID);
        if (capos_Timer_mapClock_call(timer, 0, &m, 0) != CAPOS_OK)
            return 2;
        *(volatile uint32_t *)(uintptr_t)m.addr = 1;
        return 3;
    }
    if (strcmp(role, "com2") == 0) {
        uint32_t out = capos_capset_require("out", capos_Console_INTERFACE_ID);
        return capos_console_write(out, "x\n", 2);
    }
    return 100;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        return child_main(argv[1], argc, argv);
    timer = capos_capset_require("timer", capos_Timer_INTERFACE_ID);
    tspawner = capos_capset_require("threads", capos_ThreadSpawner_INTERFACE_ID);
    park = capos_capset_require("park", capos_ParkSpace_INTERFACE_ID);
    spawner = capos_capset_require("spawner", capos_ProcessSpawner_INTERFACE_ID);
    pipes = capos_capset_require("pipes", capos_PipeFactory_INTERFACE_ID);
    memory = capos_capset_require("memory", capos_VirtualMemory_INTERFACE_ID);
    pipe_basic();
    pipe_eof();
    pipe_peer_gone();
    pipe_atomic();
    pipe_bad_address();
    pipe_blocking();
    pipe_wait();
    pipe_queue_limit();
    pipe_transfer();
    pipe_no_leak();
    clock_page();
    clock_read_only();
    sleep_until();
    cpu_time();
    clear_tid();
    ppid();
    port_absent();
    capos_printf("posix-kernel: %u cases, %u failed\n", ncases, nfailed);
    return nfailed != 0;
}
