/*
 * sched_fair: CPU shares follow weights.
 *
 * Three CPU-bound threads share one CPU with weights in the ratio 1 : 2 : 4,
 * set through the "policy" SchedulingPolicy.  The CPU time each receives
 * over an interval of at least two seconds (ThreadHandle.info at both ends)
 * must be within 5% (relative) of 1/7, 2/7 and 4/7 of what the three
 * received together.  The main thread takes no part: on a machine with two
 * or more CPUs it is pinned to CPU 0 and the workers to CPU 1; on one CPU
 * it sleeps through the interval.
 *
 * The start.  The workers are created waiting on a ParkSpace word; the
 * first reading is taken while all three wait, with their weights set, and
 * one wake then starts them together.  A new thread starts at its CPU's
 * clock (the virtual time of what runs there), and the clock may move by a
 * tick between the creation of the first worker and the last, which would
 * leave the last that much short of its share for good.  So before the
 * gate opens a filler thread runs alone on their CPU for 50 ms, moving its
 * clock well past where all three started: a woken thread that far behind
 * is placed a fixed credit behind the clock, the same for each, and the
 * interval begins with no worker ahead of another.
 *
 * The end, at a quiet moment.  The kernel measures CPU time with the TSC.
 * Under an emulator the TSC follows the host's clock, so when the host
 * stops the virtual CPU for a while (because it has other work to do) the
 * whole pause is charged to the thread that was running.  The scheduler
 * makes up for it: that thread then waits until the others have caught up,
 * which takes them pause * (7 - u) / u for a thread with u of the 7 parts.
 * Until then its CPU time is ahead of its share by up to the pause, and a
 * reading taken in that window is off by as much: a pause of 15 ms is
 * already 5% of the lightest worker's 2/7 s.  Pauses of tens or hundreds of
 * milliseconds do happen on a busy host.  So the workers watch for them: on
 * every turn of its loop a worker reads the TSC, and a gap of at least
 * PAUSE_MIN_NS since the last turn of any worker is a pause.  Which worker
 * it was charged to cannot be told for sure (during a switch it may be one
 * that is switched in and out again without a turn), so readings are
 * unreliable for twice the catch-up time of the lightest worker, 12 times
 * the pause.  The main thread takes the last reading at the first moment
 * outside every such window (and only if the three ThreadHandle.info calls
 * took less than READ_MAX_NS together, so that they describe one moment),
 * waiting at most QUIET_WAIT_NS for one; the interval grows by the wait.
 * When to read is decided from the pauses alone, never from the CPU times
 * read, and the 5% bound is applied unchanged.  The pauses, the wait and a
 * reading taken without a quiet moment are all printed.
 *
 * Output: "sched-fair: shares A% B% C% (expected 14.3 28.6 57.1)", then
 * "sched-fair: weights: ok" or FAIL lines saying what differed.
 */
#include "capos.h"

#define NWORKERS      3
#define INTERVAL_NS   (2000ull * 1000 * 1000)
#define PAUSE_MIN_NS  (2ull * 1000 * 1000)
#define READ_MAX_NS   (1ull * 1000 * 1000)
#define QUIET_WAIT_NS (8000ull * 1000 * 1000)
#define TICK_NS       (4ull * 1000 * 1000)

/* Weights in the ratio 1 : 2 : 4; `units` is each one's part of the 7. */
static const uint32_t weights[NWORKERS] = {1024, 2048, 4096};
static const uint32_t units[NWORKERS] = {1, 2, 4};

struct worker {
    volatile uint64_t turns; /* turns of its loop: says it really ran */
};

static struct worker workers[NWORKERS];
/* Pauses seen, the longest (in TSC cycles), and the TSC value until which
 * readings may be off because of them; written by the workers, which run
 * one at a time. */
static volatile uint64_t pauses, max_pause, unreliable;
static uint32_t gate;
static volatile uint32_t stop;
static uint32_t park;
static uint64_t pause_min_cycles;
static unsigned failures;

#define fail(...)                                                                                  \
    do {                                                                                           \
        capos_printf("sched-fair: FAIL: ");                                                        \
        capos_printf(__VA_ARGS__);                                                                 \
        capos_printf("\n");                                                                        \
        failures++;                                                                                \
    } while (0)

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/*
 * Waits at the gate, then burns CPU until told to stop, watching for
 * pauses.  The workers share one CPU, so the last turn of any of them says
 * when the CPU last ran one.  Each turn replaces that turn's TSC value with
 * a compare-and-swap, so a turn during which another worker took the CPU
 * (between reading it and the TSC) fails and is not looked at.
 */
static uint64_t last_turn;

static int spin(void *arg)
{
    struct worker *w = arg;
    while (__atomic_load_n(&gate, __ATOMIC_ACQUIRE) == 0)
        capos_park_wait(park, &gate, 0, 0);
    while (!stop) {
        uint64_t old = __atomic_load_n(&last_turn, __ATOMIC_RELAXED);
        uint64_t now = rdtsc();
        if (!__atomic_compare_exchange_n(&last_turn, &old, now, false, __ATOMIC_RELAXED,
                                         __ATOMIC_RELAXED))
            continue;
        uint64_t gap = now - old;
        if (old != 0 && gap >= pause_min_cycles && gap < (1ull << 62)) {
            /* Twice the lightest worker's catch-up: 2 * gap * (7 - 1) / 1. */
            uint64_t until = now + 12 * gap;
            pauses++;
            if (gap > max_pause)
                max_pause = gap;
            if (until > unreliable)
                unreliable = until;
        }
        w->turns++;
    }
    return 0;
}

/* Runs alone on the workers' CPU while they wait at the gate. */
static volatile uint32_t filler_stop;

static int filler(void *arg)
{
    (void)arg;
    while (!filler_stop)
        ;
    return 0;
}

/* Reads the CPU time of every worker; false (with *err CAPOS_OK) if the
 * three reads took too long to describe one moment. */
static bool read_times(struct capos_thread **t, uint64_t *ns, uint64_t max_cycles, int *err)
{
    uint64_t c0 = rdtsc();
    *err = CAPOS_OK;
    for (int i = 0; i < NWORKERS; i++) {
        struct capos_thread_info info;
        int r = capos_thread_info(t[i]->handle, &info);
        if (r != CAPOS_OK) {
            *err = r;
            return false;
        }
        ns[i] = info.cpu_ns;
    }
    return rdtsc() - c0 < max_cycles;
}

/*
 * Takes a reading at the first quiet moment, waiting a tick at a time for
 * at most QUIET_WAIT_NS; *waited_ms says how long it waited, and the
 * result whether the moment was quiet.  On an error of info, *err is set.
 */
static bool read_quiet(uint32_t timer, struct capos_thread **t, uint64_t *ns, uint64_t khz,
                       uint64_t *waited_ms, int *err)
{
    uint64_t start = rdtsc(), limit = QUIET_WAIT_NS / 1000000 * khz;
    uint64_t read_max = READ_MAX_NS / 1000000 * khz;
    bool ok = false;
    for (;;) {
        if (rdtsc() >= unreliable) {
            ok = read_times(t, ns, read_max, err);
            if (*err != CAPOS_OK)
                return false;
            ok = ok && rdtsc() >= unreliable;
        }
        if (ok || rdtsc() - start >= limit)
            break;
        capos_timer_sleep(timer, TICK_NS / 4);
    }
    if (!ok)
        read_times(t, ns, ~0ull, err);
    *waited_ms = (rdtsc() - start) / khz;
    return ok;
}

/* Prints a part-per-thousand value as a percentage with one decimal. */
static void print_permille(const char *before, uint64_t pm, const char *after)
{
    capos_printf("%s%u.%u%s", before, (unsigned)(pm / 10), (unsigned)(pm % 10), after);
}

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    uint32_t policy, timer;
    park = capos_park_default();
    if (!park ||
        capos_capset_find("policy", capos_SchedulingPolicy_INTERFACE_ID, &policy) != CAPOS_OK ||
        capos_capset_find("timer", capos_Timer_INTERFACE_ID, &timer) != CAPOS_OK) {
        capos_printf("sched-fair: FAIL: needs park, policy and timer\n");
        return 1;
    }

    /* Two or more CPUs: main keeps to CPU 0, the workers get CPU 1. */
    uint64_t mask = 1;
    bool smp = capos_thread_set_affinity(1) == CAPOS_OK &&
               capos_thread_set_affinity(1ull << 1) == CAPOS_OK;
    if (smp) {
        capos_thread_set_affinity(1);
        mask = 1ull << 1;
    }
    capos_printf("sched-fair: workers on CPU %u, main %s\n", smp ? 1u : 0u,
                 smp ? "on CPU 0" : "asleep during the interval");

    /* The TSC's rate, against the kernel's clock. */
    uint64_t n0 = 0, n1 = 0, c0, c1;
    capos_timer_now(timer, &n0);
    c0 = rdtsc();
    capos_timer_sleep(timer, 100ull * 1000 * 1000);
    capos_timer_now(timer, &n1);
    c1 = rdtsc();
    uint64_t khz = (c1 - c0) / ((n1 - n0) / 1000000);
    if (khz == 0) {
        capos_printf("sched-fair: FAIL: the TSC does not advance\n");
        return 1;
    }
    pause_min_cycles = PAUSE_MIN_NS / 1000000 * khz;

    struct capos_thread *t[NWORKERS];
    struct capos_thread_opts opts = {.affinity = mask};
    for (int i = 0; i < NWORKERS; i++) {
        int r = capos_thread_create(&t[i], spin, &workers[i], &opts);
        if (r == CAPOS_OK)
            r = capos_sched_set(policy, t[i]->handle, weights[i], false);
        if (r != CAPOS_OK) {
            capos_printf("sched-fair: FAIL: worker %d: %s\n", i, capos_error_name(r));
            return 1;
        }
    }
    for (int i = 0; i < NWORKERS; i++) {
        struct capos_thread_info info;
        if (capos_thread_info(t[i]->handle, &info) != CAPOS_OK || info.weight != weights[i] ||
            info.affinity != mask)
            fail("worker %d: weight %u affinity %lx, expected %u and %lx", i, info.weight,
                 (unsigned long)info.affinity, weights[i], (unsigned long)mask);
    }

    /* Let them all reach the gate (each has only a few calls to make), and
     * move their CPU's clock on past where they started (see the header).
     * Then read their times while they wait there, and open it. */
    uint64_t before[NWORKERS], after[NWORKERS], waited = 0;
    int err = CAPOS_OK;
    struct capos_thread *f;
    capos_timer_sleep(timer, 20ull * 1000 * 1000);
    if (capos_thread_create(&f, filler, 0, &opts) != CAPOS_OK) {
        capos_printf("sched-fair: FAIL: cannot create the filler\n");
        return 1;
    }
    capos_timer_sleep(timer, 50ull * 1000 * 1000);
    filler_stop = 1;
    capos_thread_join(f, 0, 0);
    read_times(t, before, ~0ull, &err);
    uint64_t start = rdtsc();
    __atomic_store_n(&gate, 1, __ATOMIC_RELEASE);
    capos_park_wake(park, &gate, NWORKERS, 0);
    if (err == CAPOS_OK)
        capos_timer_sleep(timer, INTERVAL_NS);
    bool quiet = err == CAPOS_OK && read_quiet(timer, t, after, khz, &waited, &err);
    uint64_t span_ms = (rdtsc() - start) / khz;
    stop = 1;
    for (int i = 0; i < NWORKERS; i++)
        capos_thread_join(t[i], 0, 0);
    if (err != CAPOS_OK) {
        fail("info: %s", capos_error_name(err));
        return 1;
    }

    for (int i = 0; i < NWORKERS; i++)
        if (workers[i].turns == 0)
            fail("worker %d never ran its loop", i);
    capos_printf("sched-fair: %lu pauses of the CPU of %lu ms or more, the longest %lu ms; "
                 "waited %lu ms for a quiet moment to read%s\n",
                 (unsigned long)pauses, (unsigned long)(PAUSE_MIN_NS / 1000000),
                 (unsigned long)(max_pause / khz), (unsigned long)waited,
                 quiet ? "" : " (none came)");

    uint64_t d[NWORKERS], sum = 0;
    for (int i = 0; i < NWORKERS; i++) {
        d[i] = after[i] - before[i];
        sum += d[i];
    }
    if (sum == 0) {
        fail("the workers received no CPU time");
        return 1;
    }
    capos_printf("sched-fair: over %lu ms the workers ran %lu / %lu / %lu ms (%lu ms in all)\n",
                 (unsigned long)span_ms, (unsigned long)(d[0] / 1000000),
                 (unsigned long)(d[1] / 1000000), (unsigned long)(d[2] / 1000000),
                 (unsigned long)(sum / 1000000));
    capos_printf("sched-fair: shares");
    for (int i = 0; i < NWORKERS; i++)
        print_permille(" ", (d[i] * 1000 + sum / 2) / sum, "%");
    capos_printf(" (expected");
    for (int i = 0; i < NWORKERS; i++)
        print_permille(" ", (units[i] * 1000 + 3) / 7, "");
    capos_printf(")\n");

    /* |d/sum - u/7| <= 0.05 * u/7, in integers: 20 * |7d - u*sum| <= u*sum.
     * The largest deviation is printed too, in tenths of a percent of the
     * expected share, to show the margin. */
    uint64_t worst = 0;
    for (int i = 0; i < NWORKERS; i++) {
        uint64_t got = 7 * d[i], want = units[i] * sum;
        uint64_t diff = got > want ? got - want : want - got;
        uint64_t pm = (diff * 1000 + want / 2) / want;
        if (pm > worst)
            worst = pm;
        if (20 * diff > want)
            fail("worker %d (weight %u) got %lu of %lu ns, not within 5%% of %u/7", i, weights[i],
                 (unsigned long)d[i], (unsigned long)sum, units[i]);
    }
    print_permille("sched-fair: largest deviation ", worst, "% of the expected share (limit 5%)\n");
    if (!failures)
        capos_printf("sched-fair: weights: ok\n");
    return failures ? 1 : 0;
}
