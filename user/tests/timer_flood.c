/*
 * timer_flood: thousands of armed timers from hostile processes next to an
 * innocent one whose timers must still fire in time (and, on one CPU, in
 * order).  One binary, the role in argv[1]:
 *
 *   flood      FLOOD_THREADS threads (plus main) each arm FLOOD_PER_THREAD
 *              Timer.sleeps: a third due at one shared instant (so thousands
 *              fall due in the same tick), a third at random times within a
 *              second, a third an hour away.  Every fourth thread exits at
 *              once, its sleeps still armed (the exit cancels them); the
 *              others check that each short sleep completes once, with ok,
 *              and never before its deadline, then exit with the long ones
 *              armed; main keeps its own long sleeps armed until the process
 *              ends.
 *   innocent   rounds of 8 sleeps of distinct lengths, submitted in shuffled
 *              order in one cap_enter, plus 4 of equal length submitted in a
 *              row: each completes once, with ok, not before its deadline
 *              and at most INNOCENT_LATE_MAX after it.
 *   strict     innocent, and also checks the completion order: by length,
 *              equal lengths in submission order.  Only meaningful on one
 *              CPU: with several, two CPUs may fire two due timers at once
 *              and post their completions in either order.
 *   bench      measures the instructions of one cap_enter that arms a
 *              Timer.sleep (under QEMU -icount the TSC counts them) with no
 *              other timer armed, then with two "hold" children holding
 *              BENCH_HOLD_EACH long sleeps each: a random deadline among
 *              theirs, and a deadline after all of them.
 *   hold       arms BENCH_HOLD_EACH hour-long sleeps and waits to be killed.
 *
 * Lines: "timer-flood: <role>: ..." (a flood names itself by argv[2]); anything wrong is a FAIL
 * line and a nonzero exit status.
 */
#include "capos.h"

#include "base/mem.h"
#include "../bench/benchlib.h" /* the TSC pair of the benchmarks */

#define MS                 (1000ULL * 1000)
#define HOUR               (3600ULL * 1000 * MS)

#define FLOOD_THREADS      40
#define FLOOD_PER_THREAD   120 /* of the 128 completion slots: room for Timer.now */
#define FLOOD_AT_MS        400 /* the shared instant, after the process starts */
#define INNOCENT_ROUNDS    6
#define INNOCENT_DISTINCT  8
#define INNOCENT_EQUAL     4
#define INNOCENT_BASE_MS   20
#define INNOCENT_STEP_MS   25
#define INNOCENT_LATE_MAX  (5000 * MS) /* generous: QEMU on a loaded host stalls */
#define BENCH_HOLD_THREADS 40
#define BENCH_HOLD_PER     125
#define BENCH_HOLD_EACH    (BENCH_HOLD_THREADS * BENCH_HOLD_PER)
#define BENCH_SAMPLES      41

static uint32_t timer;
static const char *role;
static unsigned failures;

#define fail(...)                                                                                  \
    do {                                                                                           \
        capos_printf("timer-flood: %s: FAIL: ", role);                                             \
        capos_printf(__VA_ARGS__);                                                                 \
        capos_printf("\n");                                                                        \
        __atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);                                        \
    } while (0)

static uint64_t now_ns(void)
{
    uint64_t t = 0;
    if (capos_timer_now(timer, &t) != CAPOS_OK)
        fail("Timer.now failed");
    return t;
}

static uint64_t rnd_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* A Timer.sleep request: its parameters (which must live until the kernel
 * has taken the SQE) and what is known of its deadline. */
struct sleep_req {
    uint64_t msg[4];
    uint32_t msg_len;
    uint64_t ns;
    uint64_t earliest; /* Timer.now before submitting + ns: the deadline is no earlier */
    uint64_t cookie;
    bool done;
};

static bool sleep_prep(struct sleep_req *r, uint64_t ns)
{
    struct capnp_builder b;
    const uint8_t *out;
    size_t len;
    capnp_builder_init(&b, r->msg, sizeof(r->msg));
    capos_Timer_sleep_Params_set_ns(capos_Timer_sleep_Params_init_root(&b), ns);
    if (capnp_builder_finish(&b, &out, &len) != CAPNP_OK)
        return false;
    r->msg_len = (uint32_t)len;
    r->ns = ns;
    r->done = false;
    return true;
}

/* Fills s with r's Timer.sleep call, r->cookie its user data. */
static void sleep_sqe(struct capos_sqe *s, const struct sleep_req *r)
{
    capos_sqe_call(s, timer, capos_Timer_INTERFACE_ID, capos_Timer_method_sleep, r->msg, r->msg_len,
                   0, 0, 0, 0);
    s->user_data = r->cookie;
}

/* Submits reqs[0..n) in batches that fit the submission queue; each gets a
 * cookie, and `earliest` from the clock read before its batch. */
static bool sleep_submit(struct sleep_req *reqs, unsigned n)
{
    for (unsigned i = 0; i < n;) {
        uint64_t t = now_ns();
        unsigned batch = 0;
        for (; i < n && batch < CAPOS_RING_SQ_ENTRIES; i++, batch++) {
            struct capos_sqe *s = capos_ring_prep();
            if (!s)
                break;
            reqs[i].cookie = capos_ring_cookie();
            reqs[i].earliest = t + reqs[i].ns;
            sleep_sqe(s, &reqs[i]);
        }
        if (capos_ring_enter(0, 0) < 0)
            return false;
    }
    return true;
}

/* Waits for the next completion of one of reqs[0..n); returns its index
 * (after checking result and deadline; *seen is when it was seen), or -1 on
 * an unexpected completion. */
static int sleep_next(struct sleep_req *reqs, unsigned n, uint64_t *seen)
{
    struct capos_cqe c;
    while (!capos_ring_next(&c))
        capos_ring_enter(1, CAPOS_WAIT_FOREVER);
    *seen = now_ns();
    for (unsigned i = 0; i < n; i++) {
        if (reqs[i].cookie != c.user_data)
            continue;
        if (reqs[i].done) {
            fail("sleep %u completed twice", i);
            return -1;
        }
        reqs[i].done = true;
        if (c.result != CAPOS_OK)
            fail("sleep %u completed with %s", i, capos_error_name(c.result));
        if (*seen < reqs[i].earliest)
            fail("sleep %u of %lu ns completed %lu ns early", i, (unsigned long)reqs[i].ns,
                 (unsigned long)(reqs[i].earliest - *seen));
        return (int)i;
    }
    fail("a completion with unknown cookie %lu", (unsigned long)c.user_data);
    return -1;
}

/* ---- flood ---- */

struct flood_arg {
    uint64_t at; /* the shared instant */
    uint64_t seed;
    bool leave_early;
    unsigned completed;
};

static int flood_thread(void *p)
{
    struct flood_arg *a = p;
    struct sleep_req reqs[FLOOD_PER_THREAD];
    unsigned nshort = 0;
    uint64_t t = now_ns();
    for (unsigned i = 0; i < FLOOD_PER_THREAD; i++) {
        uint64_t ns;
        switch (i % 3) {
        case 0: ns = a->at > t ? a->at - t : 1; break;
        case 1: ns = 50 * MS + rnd_next(&a->seed) % (900 * MS); break;
        default: ns = HOUR + rnd_next(&a->seed) % HOUR; break;
        }
        if (!sleep_prep(&reqs[i], ns)) {
            fail("building a sleep");
            return 1;
        }
        nshort += i % 3 != 2;
    }
    if (!sleep_submit(reqs, FLOOD_PER_THREAD)) {
        fail("cap_enter failed");
        return 1;
    }
    if (a->leave_early)
        return 0; /* exits with every sleep armed */
    for (unsigned got = 0; got < nshort; got++) {
        uint64_t seen;
        int i = sleep_next(reqs, FLOOD_PER_THREAD, &seen);
        if (i < 0)
            return 1;
        if (reqs[i].ns >= HOUR)
            fail("an hour-long sleep completed");
        a->completed++;
    }
    return 0; /* exits with the long sleeps armed */
}

static int flood(const char *who)
{
    static struct capos_thread *t[FLOOD_THREADS];
    static struct flood_arg args[FLOOD_THREADS];
    static struct sleep_req own[FLOOD_PER_THREAD];
    uint64_t start = now_ns();
    unsigned created = 0, early = 0, completed = 0;
    for (unsigned i = 0; i < FLOOD_THREADS; i++) {
        args[i] = (struct flood_arg){.at = start + FLOOD_AT_MS * MS,
                                     .seed = start * 2654435761u + i * 0x9E3779B97F4A7C15ULL + 1,
                                     .leave_early = i % 4 == 3};
        int r = capos_thread_create(&t[i], flood_thread, &args[i], 0);
        if (r != CAPOS_OK) {
            fail("thread %u: %s", i, capos_error_name(r));
            break;
        }
        created++;
    }
    for (unsigned i = 0; i < FLOOD_PER_THREAD; i++)
        if (!sleep_prep(&own[i], HOUR + i * MS))
            fail("building a sleep");
    if (!sleep_submit(own, FLOOD_PER_THREAD))
        fail("cap_enter failed");
    for (unsigned i = 0; i < created; i++) {
        int code = -1;
        bool killed = false;
        if (capos_thread_join(t[i], &code, &killed) != CAPOS_OK || killed || code != 0)
            fail("thread %u ended with code %d%s", i, code, killed ? " (killed)" : "");
        early += args[i].leave_early;
        completed += args[i].completed;
    }
    unsigned armed = (created + 1) * FLOOD_PER_THREAD;
    if (completed != (created - early) * (FLOOD_PER_THREAD * 2 / 3))
        fail("%u short sleeps completed, expected %u", completed,
             (created - early) * (FLOOD_PER_THREAD * 2 / 3));
    capos_printf("timer-flood: flood %s: %u threads armed %u sleeps; %u completed in time, %u "
                 "cancelled by exits\n",
                 who, created + 1, armed, completed, armed - completed);
    return failures ? 1 : 0; /* ends with its own hour-long sleeps armed */
}

/* ---- innocent ---- */

static int innocent(bool strict)
{
    enum { N = INNOCENT_DISTINCT + INNOCENT_EQUAL };
    struct sleep_req reqs[N];
    uint64_t seed = now_ns() | 1, late_max = 0;
    unsigned order[INNOCENT_DISTINCT];
    capos_timer_sleep(timer, 100 * MS); /* let the floods arm theirs first */
    for (unsigned round = 0; round < INNOCENT_ROUNDS; round++) {
        for (unsigned k = 0; k < INNOCENT_DISTINCT; k++)
            order[k] = k;
        for (unsigned k = INNOCENT_DISTINCT - 1; k > 0; k--) {
            unsigned j = (unsigned)(rnd_next(&seed) % (k + 1)), x = order[k];
            order[k] = order[j];
            order[j] = x;
        }
        /* Submission index i: distinct lengths in shuffled order, then the
         * equal ones, longest of all. */
        for (unsigned i = 0; i < N; i++) {
            unsigned k = i < INNOCENT_DISTINCT ? order[i] : INNOCENT_DISTINCT;
            sleep_prep(&reqs[i], (INNOCENT_BASE_MS + k * INNOCENT_STEP_MS) * MS);
        }
        if (!sleep_submit(reqs, N)) {
            fail("cap_enter failed");
            return 1;
        }
        uint64_t submitted = now_ns();
        unsigned expect_next = 0; /* strict: the length index (or equal slot) due next */
        for (unsigned got = 0; got < N; got++) {
            uint64_t seen;
            int i = sleep_next(reqs, N, &seen);
            if (i < 0)
                return 1;
            uint64_t due = submitted + reqs[i].ns;
            if (seen > due && seen - due > late_max)
                late_max = seen - due;
            if (seen > due && seen - due > INNOCENT_LATE_MAX)
                fail("round %u: sleep of %lu ms completed %lu ms late", round,
                     (unsigned long)(reqs[i].ns / MS), (unsigned long)((seen - due) / MS));
            if (!strict)
                continue;
            /* Distinct lengths come in length order; then the equal ones in
             * the order they were submitted. */
            unsigned want = expect_next < INNOCENT_DISTINCT ? 0 : expect_next;
            if (expect_next < INNOCENT_DISTINCT) {
                for (unsigned j = 0; j < INNOCENT_DISTINCT; j++)
                    if (order[j] == expect_next)
                        want = j;
            }
            if ((unsigned)i != want)
                fail("round %u: completion %u was submission %d, expected %u", round, got, i, want);
            expect_next++;
        }
    }
    capos_printf("timer-flood: %s: %u rounds of %u sleeps, all in time%s (latest %lu us late)\n",
                 role, INNOCENT_ROUNDS, N, strict ? " and in order" : "",
                 (unsigned long)(late_max / 1000));
    return failures ? 1 : 0;
}

/* ---- bench ---- */

struct hold_arg {
    unsigned idx;
    uint64_t seed;
};

static int hold_thread(void *p)
{
    static struct sleep_req reqs[BENCH_HOLD_THREADS][BENCH_HOLD_PER];
    struct hold_arg *a = p;
    struct sleep_req *r = reqs[a->idx];
    for (unsigned i = 0; i < BENCH_HOLD_PER; i++)
        sleep_prep(&r[i], HOUR + rnd_next(&a->seed) % HOUR);
    if (!sleep_submit(r, BENCH_HOLD_PER))
        fail("cap_enter failed");
    for (;;)
        capos_ring_enter(CAPOS_RING_CQ_ENTRIES, CAPOS_WAIT_FOREVER);
    return 0;
}

static int hold(void)
{
    static struct hold_arg args[BENCH_HOLD_THREADS];
    uint64_t base = now_ns();
    for (unsigned i = 0; i < BENCH_HOLD_THREADS; i++) {
        struct capos_thread *t;
        args[i] =
            (struct hold_arg){.idx = i, .seed = base * 2654435761u + i * 0x9E3779B97F4A7C15ULL + 1};
        if (capos_thread_create(&t, hold_thread, &args[i], 0) != CAPOS_OK)
            fail("thread %u", i);
    }
    for (;;)
        capos_timer_sleep(timer, HOUR);
    return 0;
}

struct timing_arg {
    int mode; /* 0: any deadline; 1: random in the holders' range; 2: after all of theirs */
    uint64_t seed;
    uint64_t median;
};

/* One thread per measurement, so that its sleeps (one per sample) are
 * cancelled by its exit and never fill the completion queue. */
static int timing_thread(void *p)
{
    struct timing_arg *a = p;
    static struct sleep_req reqs[BENCH_SAMPLES];
    uint64_t s[BENCH_SAMPLES];
    for (unsigned i = 0; i < BENCH_SAMPLES; i++) {
        uint64_t ns = a->mode == 1 ? HOUR + rnd_next(&a->seed) % HOUR : 3 * HOUR + i;
        sleep_prep(&reqs[i], ns);
        struct capos_sqe *q = capos_ring_prep();
        if (!q)
            return 1;
        reqs[i].cookie = capos_ring_cookie();
        sleep_sqe(q, &reqs[i]);
        uint64_t t0 = bench_t_begin();
        capos_ring_enter(0, 0);
        s[i] = bench_t_end() - t0;
    }
    for (unsigned i = 1; i < BENCH_SAMPLES; i++)
        for (unsigned j = i; j > 0 && s[j - 1] > s[j]; j--) {
            uint64_t x = s[j];
            s[j] = s[j - 1];
            s[j - 1] = x;
        }
    a->median = s[BENCH_SAMPLES / 2];
    return 0;
}

static uint64_t timing_measure(int mode, uint64_t seed)
{
    struct capos_thread *t;
    struct timing_arg a = {.mode = mode, .seed = seed | 1};
    int code = -1;
    if (capos_thread_create(&t, timing_thread, &a, 0) != CAPOS_OK ||
        capos_thread_join(t, &code, 0) != CAPOS_OK || code != 0) {
        fail("measuring thread");
        return 0;
    }
    return a.median;
}

static int bench(void)
{
    uint32_t spawner, h[2];
    static const struct capos_grant grants[] = {
        {.name = "console", .kernel = true, .kind = capos_KernelCapKind_console},
        {.name = "timer", .kernel = true, .kind = capos_KernelCapKind_timer},
        {.name = "memory", .kernel = true, .kind = capos_KernelCapKind_virtualMemory},
        {.name = "threads", .kernel = true, .kind = capos_KernelCapKind_threadSpawner},
    };
    const char *argv[] = {"timer_flood", "hold"};
    if (capos_capset_find("spawner", capos_ProcessSpawner_INTERFACE_ID, &spawner) != CAPOS_OK) {
        fail("no spawner");
        return 1;
    }
    uint64_t empty = timing_measure(0, 1);
    for (int i = 0; i < 2; i++)
        if (capos_spawn(spawner, "timer_flood", "hold", grants, ARRAY_SIZE(grants), argv, 2, 0, 0,
                        &h[i]) != CAPOS_OK)
            fail("spawn");
    capos_timer_sleep(timer, 2000 * MS); /* the holders arm theirs */
    uint64_t among = timing_measure(1, now_ns());
    uint64_t after = timing_measure(2, 1);
    for (int i = 0; i < 2; i++) {
        struct capos_exit st;
        capos_process_kill(h[i]);
        capos_process_wait(h[i], &st);
    }
    capos_printf("timer-flood: bench: arming one Timer.sleep (cap_enter, median of %u): %lu "
                 "with none armed; with %u armed: %lu (random deadline), %lu (latest)\n",
                 BENCH_SAMPLES, (unsigned long)empty, 2 * BENCH_HOLD_EACH, (unsigned long)among,
                 (unsigned long)after);
    return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
    role = argc > 1 ? argv[1] : "?";
    if (capos_capset_find("timer", capos_Timer_INTERFACE_ID, &timer) != CAPOS_OK)
        return 2;
    if (!strcmp(role, "flood"))
        return flood(argc > 2 ? argv[2] : "?");
    if (!strcmp(role, "innocent"))
        return innocent(false);
    if (!strcmp(role, "strict"))
        return innocent(true);
    if (!strcmp(role, "bench"))
        return bench();
    if (!strcmp(role, "hold"))
        return hold();
    capos_printf("timer-flood: unknown role \"%s\"\n", role);
    return 2;
}
