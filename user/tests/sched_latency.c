/*
 * sched_latency: the latency class is woken ahead of batch threads.
 *
 * CPU 1 is kept busy by a CPU-bound batch thread (the hog), of the default
 * weight except in wake-delay.  Two probes share that CPU with it, one in
 * the latency class and one batch; the main thread runs on CPU 0.  In a
 * round both probes wait on the same ParkSpace word and one wake (count 2)
 * releases them; the first thing each does is take a ticket from a shared
 * counter.  The main thread decides which probe parks first, and so which
 * one the kernel wakes first (it wakes the oldest waiter first): half the
 * rounds wake the batch probe first.
 *
 * For these rounds both probes have the same weight, the largest (65536),
 * so that the class is their only difference.  A heavy weight also makes the
 * check independent of the host: under TCG a virtual CPU that the host
 * stops for a while sees its clock jump, and the jump is charged to
 * whichever thread was current.  At the default weight a jump of 10 ms or
 * more charged to the latency probe would use up its lead of 10 ms of
 * virtual time over the batch probe; at weight 65536 the same jump moves it
 * by 1/64 of that.
 *
 *   first-after-wake        The wake comes from a third thread on CPU 1.
 *                           The latency probe must hold ticket 0 in every
 *                           round, whichever probe was woken first.
 *   first-after-remote-wake The main thread wakes them from CPU 0.  The
 *                           latency probe must be first in every round in
 *                           which it was woken first.  Rounds in which the
 *                           batch probe is woken first are counted but not
 *                           checked: the kernel completes the waiters of one
 *                           wake one after the other and interrupts CPU 1 as
 *                           soon as the batch probe is queued, so CPU 1 can
 *                           switch to it before the latency probe has been
 *                           queued at all.
 *   wake-delay              Each probe in turn is woken alone (from CPU 0),
 *                           with the probes at the default weight, then at
 *                           a background weight (128), and the hog at twice
 *                           theirs.  Measured: the time from just before the
 *                           wake to the probe's first instruction after it,
 *                           and how many turns of its loop the hog ran
 *                           meanwhile.  At the default weight a batch
 *                           thread that slept is placed far enough behind
 *                           the hog to preempt it as well, so the classes
 *                           look alike.  At weight 128 a batch thread's
 *                           wake-up granularity (2 ms scaled to its weight,
 *                           16 ms) exceeds its sleeper credit (10 ms): it
 *                           waits for the hog's slice (13 ms) to end, while
 *                           the latency class preempts the hog at once.
 *                           Checked, at both weights: the hog ran less than
 *                           a tick's worth of turns (as measured at the
 *                           start) before the latency probe, in the median.
 *                           The hog's turns count only what CPU 1 really
 *                           ran, unlike the times, which are host time: a
 *                           busy host can hold a virtual CPU back for
 *                           milliseconds before it sees the wake, and a
 *                           busy enough one can use up the hog's slice
 *                           while the CPU stands still, so that even the
 *                           batch probe runs after few of the hog's turns.
 *                           The times and the batch probe's turns are
 *                           therefore printed, not checked.  (The hog is
 *                           kept light too because a host pause charged to
 *                           a probe moves the probe's virtual time by 8
 *                           times the pause, and the probe gets no CPU until
 *                           the hog has caught up with that.)  A wake during
 *                           which CPU 0 itself stopped for a millisecond or
 *                           more is not counted.
 *
 * A round in which a probe was not yet waiting in the kernel when the wake
 * came (the wake count says so) proves nothing; it is not counted and
 * another is played.  Nor is a round in which, or just after which, the
 * host stopped CPU 1 for BIG_PAUSE_NS or more (the hog sees the gap): that
 * is still far from the 640 ms it takes to use up the latency probe's lead
 * at weight 65536, but it is that kind of pause that decides such a round,
 * not the scheduler.  Needs two CPUs.  Output: "sched-latency: <case>: ok"
 * or FAIL lines.
 */
#include "capos.h"

#define TESTCASE_PREFIX "sched-latency"
#include "testcase.h"

#define ROUNDS         50
#define MAX_VOID       50  /* per case */
#define MAX_VOID_DELAY 200 /* per weight in wake-delay */
#define DELAY_ROUNDS   25
#define TICK_NS        (4ull * 1000 * 1000)
#define ORDER_WEIGHT   65536
#define LOW_WEIGHT     128
#define QUIT           UINT32_MAX
#define BIG_PAUSE_NS   (100ull * 1000 * 1000)
#define GAP_MIN_NS     (1ull * 1000 * 1000)

enum { LAT, BATCH, NPROBES };
static const char *const probe_name[NPROBES] = {"latency", "batch"};

static uint32_t park, policy;

/* Waits on *word while it is below r (with any value below r). */
static void wait_below(uint32_t *word, uint32_t r)
{
    uint32_t v;
    while ((v = __atomic_load_n(word, __ATOMIC_ACQUIRE)) < r)
        capos_park_wait(park, word, v, 0);
}

static volatile uint32_t hog_stop;
/* Pauses of the hog's CPU of BIG_PAUSE_NS or more, and that length in TSC
 * cycles. */
static volatile uint64_t big_pauses;
static uint64_t big_pause_cycles = UINT64_MAX, wake_max_cycles;
/* The hog's turns in a tick of running alone (as measured at the start). */
static uint64_t turns_per_tick;

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static volatile uint64_t hog_turns;

/* Burns CPU, counting its turns; a long gap between two of them is a pause
 * of the CPU (the probes and the waker run for far less). */
static int hog(void *arg)
{
    (void)arg;
    uint64_t last = rdtsc();
    while (!hog_stop) {
        uint64_t now = rdtsc();
        if (now - last >= big_pause_cycles)
            big_pauses++;
        last = now;
        hog_turns++;
    }
    return 0;
}

/*
 * The probes.  Each of a probe's rounds r (1, 2, ...) goes:
 *   1. wait until permit[p] >= r (the main thread decides who parks first);
 *   2. say so in parked[p], then wait on its word (`go`, shared, or
 *      solo[p], its own) while that is below r;
 *   3. on waking, take a ticket and read the hog's turns and the time,
 *      first thing;
 *   4. publish them and count the round as done.
 * A permit of QUIT ends the probe.
 */
static uint32_t permit[NPROBES], parked[NPROBES], solo[NPROBES], go;
static uint32_t tickets, done;
static uint32_t ticket_of[NPROBES];
static uint64_t ran_at[NPROBES], hog_at[NPROBES];
static volatile bool use_solo;

static int probe(void *arg)
{
    int p = (int)(intptr_t)arg;
    for (uint32_t r = 1;; r++) {
        wait_below(&permit[p], r);
        if (__atomic_load_n(&permit[p], __ATOMIC_ACQUIRE) == QUIT)
            return 0;
        uint32_t *word = use_solo ? &solo[p] : &go;
        __atomic_store_n(&parked[p], r, __ATOMIC_RELEASE);
        wait_below(word, r);
        uint32_t t = __atomic_fetch_add(&tickets, 1, __ATOMIC_RELAXED);
        uint64_t turns = hog_turns, now = 0;
        capos_timer_now(timer, &now);
        ticket_of[p] = t;
        ran_at[p] = now;
        hog_at[p] = turns;
        __atomic_fetch_add(&done, 1, __ATOMIC_RELEASE);
    }
}

/*
 * The waker on CPU 1: its round r starts when wreq reaches r; it then sets
 * `go` to go_to and wakes both probes with one wake, and publishes how many
 * that released.  A wreq of QUIT ends it.
 */
static uint32_t wreq, wdone, wwoken, go_to;

static int waker(void *arg)
{
    (void)arg;
    for (uint32_t r = 1;; r++) {
        wait_below(&wreq, r);
        if (__atomic_load_n(&wreq, __ATOMIC_ACQUIRE) == QUIT)
            return 0;
        uint32_t n = 0;
        __atomic_store_n(&go, go_to, __ATOMIC_RELEASE);
        capos_park_wake(park, &go, 2, &n);
        wwoken = n;
        __atomic_store_n(&wdone, r, __ATOMIC_RELEASE);
    }
}

/* Sleeps until *word reaches `want` (each sleep ends at the next tick), for
 * at most about 10 s. */
static bool await(const uint32_t *word, uint32_t want)
{
    for (int i = 0; i < 2500; i++) {
        if (__atomic_load_n(word, __ATOMIC_ACQUIRE) >= want)
            return true;
        capos_timer_sleep(timer, TICK_NS / 4);
    }
    return false;
}

/* Lets probe p park for round r and waits until it has said it parks,
 * which it does just before it enters the kernel's wait, then a tick more
 * (`settle`) or half a millisecond.  Whether it was waiting, the wake count
 * tells afterwards. */
static bool let_park(int p, uint32_t r, bool settle)
{
    __atomic_store_n(&permit[p], r, __ATOMIC_RELEASE);
    capos_park_wake(park, &permit[p], 1, 0);
    if (!await(&parked[p], r)) {
        fail("the %s probe did not get ready for round %u", probe_name[p], r);
        return false;
    }
    if (settle) {
        capos_timer_sleep(timer, TICK_NS);
    } else {
        /* Half a millisecond, spinning here on CPU 0: plenty to enter the
         * kernel, little of the hog's slice. */
        uint64_t t0 = 0, t = 0;
        capos_timer_now(timer, &t0);
        do
            capos_timer_now(timer, &t);
        while (t - t0 < 500 * 1000);
    }
    return true;
}

static struct capos_thread *hog_thread;

static bool set_probes(struct capos_thread **pt, uint32_t weight)
{
    for (int p = 0; p < NPROBES; p++) {
        int e = capos_sched_set(policy, pt[p]->handle, weight, p == LAT);
        if (e != CAPOS_OK) {
            fail("set weight %u on the %s probe: %s", weight, probe_name[p], capos_error_name(e));
            return false;
        }
    }
    return true;
}

/* The round each probe is in (both advance together while they share
 * `go`). */
static uint32_t rnd[NPROBES];

/*
 * ROUNDS rounds of a shared wake, alternating which probe parks first, the
 * wake made on CPU 1 (local) or from here on CPU 0; the results are
 * printed.  check[o] says whether losing a round of order o (0: the batch
 * probe woken first, 1: the latency probe woken first) is a failure.
 */
static void shared_wake_rounds(bool local, const bool check[2])
{
    unsigned lat_first[2] = {0, 0}, rounds[2] = {0, 0}, voids = 0, stalled = 0, taint = 0;
    uint64_t big_seen = big_pauses;
    use_solo = false;
    for (int i = 0; rounds[0] + rounds[1] < ROUNDS;) {
        uint32_t r = ++rnd[LAT];
        rnd[BATCH] = r;
        int order = i & 1;
        int a = order ? LAT : BATCH, b = order ? BATCH : LAT;
        if (!let_park(a, r, true) || !let_park(b, r, true))
            return;
        __atomic_store_n(&tickets, 0, __ATOMIC_RELAXED);
        uint32_t d0 = __atomic_load_n(&done, __ATOMIC_ACQUIRE), woken = 0;
        if (local) {
            go_to = r;
            uint32_t w = __atomic_load_n(&wdone, __ATOMIC_ACQUIRE) + 1;
            __atomic_store_n(&wreq, w, __ATOMIC_RELEASE);
            capos_park_wake(park, &wreq, 1, 0);
            if (!await(&wdone, w)) {
                fail("round %u: the waker did not run", r);
                return;
            }
            woken = wwoken;
        } else {
            __atomic_store_n(&go, r, __ATOMIC_RELEASE);
            capos_park_wake(park, &go, 2, &woken);
        }
        /* A probe that was not waiting yet finds `go` at r and passes. */
        if (!await(&done, d0 + 2)) {
            fail("round %u: the probes did not both run", r);
            return;
        }
        /* A tick for the hog to run again and see any pause of this round. */
        capos_timer_sleep(timer, TICK_NS);
        uint64_t big = big_pauses;
        if (big != big_seen)
            taint = 2; /* this round and the next */
        big_seen = big;
        bool paused = taint > 0;
        if (taint > 0)
            taint--;
        if (paused || woken != 2) {
            if (paused)
                stalled++;
            else
                voids++;
            if (voids + stalled > MAX_VOID) {
                fail("%u rounds void, %u with a probe not yet waiting", voids + stalled, voids);
                return;
            }
            continue;
        }
        i++;
        rounds[order]++;
        if (ticket_of[LAT] == 0)
            lat_first[order]++;
        else if (check[order])
            fail("round %u: the batch probe ran first (%s probe woken first), %ld us before the "
                 "latency probe",
                 r, probe_name[a], (long)(ran_at[LAT] - ran_at[BATCH]) / 1000);
    }
    capos_printf("sched-latency: %s: latency probe first in %u of %u rounds with the batch probe "
                 "woken first, %u of %u with the latency probe woken first (void: %u with a probe "
                 "not yet waiting, %u with the CPU paused)\n",
                 case_name, lat_first[0], rounds[0], lat_first[1], rounds[1], voids, stalled);
}

static void first_after_wake(struct capos_thread **pt)
{
    static const bool both[2] = {true, true};
    begin("first-after-wake");
    if (set_probes(pt, ORDER_WEIGHT))
        shared_wake_rounds(true, both);
    end();
}

static void first_after_remote_wake(struct capos_thread **pt)
{
    /* Only the rounds that wake the latency probe first are checked; see
     * the header for why the others can go either way. */
    static const bool latency_woken_first[2] = {false, true};
    begin("first-after-remote-wake");
    if (set_probes(pt, ORDER_WEIGHT))
        shared_wake_rounds(false, latency_woken_first);
    end();
}

static void sort(uint64_t *v, int n)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
            uint64_t x = v[j];
            v[j] = v[j - 1];
            v[j - 1] = x;
        }
}

/* Wake-up delays of each probe at `weight`; the medians of the hog's turns
 * meanwhile go to med[]. */
static bool measure_delays(uint32_t weight, struct capos_thread **pt, uint64_t *med)
{
    static uint64_t delay[NPROBES][DELAY_ROUNDS], turns[NPROBES][DELAY_ROUNDS];
    unsigned voids = 0, paused = 0;
    if (!set_probes(pt, weight))
        return false;
    /* The hog gets twice the probes' weight (see the header). */
    int e = capos_sched_set(policy, hog_thread->handle, 2 * weight, false);
    if (e != CAPOS_OK) {
        fail("set weight %u on the hog: %s", 2 * weight, capos_error_name(e));
        return false;
    }
    use_solo = true;
    for (int i = 0; i < DELAY_ROUNDS; i++) {
        for (int p = 0; p < NPROBES; p++) {
            uint32_t woken = 0;
            bool late = false;
            do {
                /* Woken as soon as it has parked: the hog has just been
                 * switched back in and has most of its slice ahead. */
                uint32_t r = ++rnd[p];
                if (!let_park(p, r, false))
                    return false;
                uint32_t d0 = __atomic_load_n(&done, __ATOMIC_ACQUIRE);
                uint64_t t0 = 0, c0 = rdtsc();
                __atomic_store_n(&solo[p], r, __ATOMIC_RELEASE);
                capos_timer_now(timer, &t0);
                uint64_t h0 = hog_turns;
                capos_park_wake(park, &solo[p], 1, &woken);
                /* This CPU stopped between reading the hog's turns and the
                 * wake: the hog ran on meanwhile. */
                late = rdtsc() - c0 >= wake_max_cycles;
                if (!await(&done, d0 + 1)) {
                    fail("round %u: the %s probe did not run", r, probe_name[p]);
                    return false;
                }
                if (woken != 1)
                    voids++;
                else if (late)
                    paused++;
                if (voids + paused > MAX_VOID) {
                    fail("%u rounds void, %u with a probe not yet waiting", voids + paused, voids);
                    return false;
                }
                delay[p][i] = ran_at[p] > t0 ? ran_at[p] - t0 : 0;
                turns[p][i] = hog_at[p] > h0 ? hog_at[p] - h0 : 0;
            } while (woken != 1 || late);
        }
    }
    for (int p = 0; p < NPROBES; p++) {
        sort(delay[p], DELAY_ROUNDS);
        sort(turns[p], DELAY_ROUNDS);
        med[p] = turns[p][DELAY_ROUNDS / 2];
        capos_printf("sched-latency: wake-delay: weight %u, %s probe: median %lu us (min %lu, max "
                     "%lu), the hog ran %lu turns meanwhile (median; %lu in a tick)\n",
                     weight, probe_name[p], (unsigned long)(delay[p][DELAY_ROUNDS / 2] / 1000),
                     (unsigned long)(delay[p][0] / 1000),
                     (unsigned long)(delay[p][DELAY_ROUNDS - 1] / 1000), (unsigned long)med[p],
                     (unsigned long)turns_per_tick);
    }
    if (voids + paused)
        capos_printf("sched-latency: wake-delay: weight %u: void: %u with a probe not yet "
                     "waiting, %u with this CPU paused at the wake\n",
                     weight, voids, paused);
    return true;
}

static void wake_delay(struct capos_thread **pt)
{
    static const uint32_t weights[2] = {1024, LOW_WEIGHT};
    uint64_t med[NPROBES];
    begin("wake-delay");
    for (int w = 0; w < 2; w++) {
        if (!measure_delays(weights[w], pt, med))
            return;
        if (med[LAT] >= turns_per_tick)
            fail("at weight %u the hog ran %lu turns before the latency probe (median), a tick's "
                 "worth (%lu) or more",
                 weights[w], (unsigned long)med[LAT], (unsigned long)turns_per_tick);
    }
    end();
}

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    park = capos_park_default();
    if (!park || capos_capset_find("timer", capos_Timer_INTERFACE_ID, &timer) != CAPOS_OK ||
        capos_capset_find("policy", capos_SchedulingPolicy_INTERFACE_ID, &policy) != CAPOS_OK) {
        capos_printf("sched-latency: setup: FAIL: needs park, timer and policy\n");
        return 1;
    }
    if (capos_thread_set_affinity(1ull << 1) != CAPOS_OK) {
        capos_printf("sched-latency: setup: FAIL: needs two CPUs\n");
        return 1;
    }
    capos_thread_set_affinity(1);

    struct capos_thread_opts on1 = {.affinity = 1ull << 1};
    struct capos_thread *w, *pt[NPROBES];
    if (capos_thread_create(&hog_thread, hog, 0, &on1) != CAPOS_OK ||
        capos_thread_create(&w, waker, 0, &on1) != CAPOS_OK ||
        capos_thread_create(&pt[LAT], probe, (void *)(intptr_t)LAT, &on1) != CAPOS_OK ||
        capos_thread_create(&pt[BATCH], probe, (void *)(intptr_t)BATCH, &on1) != CAPOS_OK) {
        capos_printf("sched-latency: setup: FAIL: cannot create the threads\n");
        return 1;
    }
    /* Let the hog settle in as the CPU's only runnable thread, and measure
     * the TSC's rate meanwhile. */
    uint64_t n0 = 0, n1 = 0, c0 = rdtsc(), h0 = hog_turns;
    capos_timer_now(timer, &n0);
    capos_timer_sleep(timer, 100ull * 1000 * 1000);
    capos_timer_now(timer, &n1);
    uint64_t khz = (rdtsc() - c0) / ((n1 - n0) / 1000000);
    turns_per_tick = (hog_turns - h0) / ((n1 - n0) / TICK_NS);
    big_pause_cycles = BIG_PAUSE_NS / 1000000 * khz;
    wake_max_cycles = khz; /* 1 ms */

    first_after_wake(pt);
    first_after_remote_wake(pt);
    wake_delay(pt);
    if (nfailed)
        return 1; /* ends every thread, wherever the probes were left */

    /* End the probes, the waker and the hog. */
    for (int p = 0; p < NPROBES; p++) {
        __atomic_store_n(&permit[p], QUIT, __ATOMIC_RELEASE);
        capos_park_wake(park, &permit[p], 1, 0);
    }
    __atomic_store_n(&wreq, QUIT, __ATOMIC_RELEASE);
    capos_park_wake(park, &wreq, 1, 0);
    hog_stop = 1;
    capos_thread_join(hog_thread, 0, 0);
    capos_thread_join(w, 0, 0);
    for (int p = 0; p < NPROBES; p++)
        capos_thread_join(pt[p], 0, 0);
    return 0;
}
