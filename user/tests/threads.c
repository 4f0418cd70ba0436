/*
 * threads: the thread and ParkSpace smoke.  Each case prints
 * "threads: <case>: ok" or FAIL lines with what differed:
 *   join-codes       threads end with distinct codes; join reports each
 *   mutex-counter    8 threads add 2000 each under a capos_mutex
 *   park-wrong-value wait on a word that differs: wouldBlock at once
 *   park-timeout     wait with a 20 ms timeout and no waker: timedOut
 *   park-wake        4 waiters, wake 1 then 3: counts match, all return
 *   park-no-lost     ping-pong of 500 hand-offs through two words
 *   affinity         a thread pinned to one CPU reports running there
 *   control-foreign  another thread's ThreadControl refuses exit/setTls
 *   last-exit        (at the end) main ends with ThreadControl.exit while
 *                    a helper still runs; the process ends with its code
 */
#include "capos.h"

#define TESTCASE_PREFIX "threads"
#include "testcase.h"

static uint32_t park;

static int ret_arg(void *arg)
{
    return (int)(intptr_t)arg;
}

static void join_codes(void)
{
    struct capos_thread *t[6];
    begin("join-codes");
    for (int i = 0; i < 6; i++) {
        int r = capos_thread_create(&t[i], ret_arg, (void *)(intptr_t)(100 + i), 0);
        if (r != CAPOS_OK) {
            fail("create %d: %s", i, capos_error_name(r));
            return;
        }
    }
    for (int i = 5; i >= 0; i--) {
        int code = -1;
        bool killed = true;
        int r = capos_thread_join(t[i], &code, &killed);
        if (r != CAPOS_OK || code != 100 + i || killed)
            fail("join %d: %s code %d killed %d", i, capos_error_name(r), code, killed);
    }
    end();
}

static struct capos_mutex counter_lock = CAPOS_MUTEX_INIT;
static volatile uint64_t counter;

static int add_many(void *arg)
{
    (void)arg;
    for (int i = 0; i < 2000; i++) {
        capos_mutex_lock(&counter_lock);
        uint64_t v = counter;
        if ((i & 63) == 0)
            capos_thread_yield(); /* invite the others in while holding it */
        counter = v + 1;
        capos_mutex_unlock(&counter_lock);
    }
    return 0;
}

static void mutex_counter(void)
{
    struct capos_thread *t[8];
    begin("mutex-counter");
    counter = 0;
    for (int i = 0; i < 8; i++) {
        if (capos_thread_create(&t[i], add_many, 0, 0) != CAPOS_OK) {
            fail("create %d", i);
            return;
        }
    }
    for (int i = 0; i < 8; i++)
        capos_thread_join(t[i], 0, 0);
    if (counter != 16000)
        fail("counter %lu, expected 16000", (unsigned long)counter);
    end();
}

static uint32_t word;

static void park_simple(void)
{
    begin("park-wrong-value");
    word = 5;
    int r = capos_park_wait(park, &word, 4, 0);
    if (r != CAPOS_ERR_WOULD_BLOCK)
        fail("wait gave %s, expected wouldBlock", capos_error_name(r));
    r = capos_park_wait(park, (const uint32_t *)((uintptr_t)&word + 1), 5, 0);
    if (r != CAPOS_ERR_INVALID_ARGUMENT)
        fail("unaligned wait gave %s, expected invalidArgument", capos_error_name(r));
    r = capos_park_wait(park, (const uint32_t *)(uintptr_t)0x10000000, 0, 0);
    if (r != CAPOS_ERR_BAD_ADDRESS)
        fail("wait on unmapped memory gave %s, expected badAddress", capos_error_name(r));
    end();

    begin("park-timeout");
    uint64_t t0 = 0, t1 = 0;
    bool have_timer = capos_capset_find("timer", capos_Timer_INTERFACE_ID, &timer) == CAPOS_OK;
    if (have_timer)
        capos_timer_now(timer, &t0);
    r = capos_park_wait(park, &word, 5, 20 * 1000 * 1000);
    if (have_timer)
        capos_timer_now(timer, &t1);
    if (r != CAPOS_ERR_TIMED_OUT)
        fail("wait gave %s, expected timedOut", capos_error_name(r));
    if (have_timer && t1 - t0 < 20 * 1000 * 1000)
        fail("returned after %lu ns, before the 20 ms timeout", (unsigned long)(t1 - t0));
    end();
}

static uint32_t gate;
static volatile uint32_t woke;

static int park_waiter(void *arg)
{
    (void)arg;
    while (__atomic_load_n(&gate, __ATOMIC_ACQUIRE) == 0)
        capos_park_wait(park, &gate, 0, 0);
    __atomic_fetch_add(&woke, 1, __ATOMIC_RELAXED);
    return 0;
}

static void park_wake(void)
{
    struct capos_thread *t[4];
    begin("park-wake");
    gate = 0;
    woke = 0;
    for (int i = 0; i < 4; i++)
        capos_thread_create(&t[i], park_waiter, 0, 0);
    /* Give them time to park; any that has not yet sees the new value and
     * does not wait, so all four must return however the race goes. */
    uint32_t total = 0, n = 0;
    for (int i = 0; i < 20; i++)
        capos_thread_yield();
    __atomic_store_n(&gate, 1, __ATOMIC_RELEASE);
    capos_park_wake(park, &gate, 1, &n);
    total += n;
    capos_park_wake(park, &gate, 3, &n);
    total += n;
    for (int i = 0; i < 4; i++)
        capos_thread_join(t[i], 0, 0);
    if (woke != 4)
        fail("%u of 4 waiters returned", woke);
    if (total > 4)
        fail("wakes reported %u woken, more than the 4 waiters", total);
    end();
}

/* Two threads hand a token back and forth through two words: each waits
 * until its word is 1, clears it, sets the other's and wakes it.  A lost
 * wake-up would hang the smoke (caught by its timeout). */
static uint32_t ping_word, pong_word;

static void hand_off(uint32_t *mine, uint32_t *theirs, int rounds)
{
    for (int i = 0; i < rounds; i++) {
        while (__atomic_load_n(mine, __ATOMIC_ACQUIRE) == 0)
            capos_park_wait(park, mine, 0, 0);
        __atomic_store_n(mine, 0, __ATOMIC_RELAXED);
        __atomic_store_n(theirs, 1, __ATOMIC_RELEASE);
        capos_park_wake(park, theirs, 1, 0);
    }
}

static int pong(void *arg)
{
    hand_off(&pong_word, &ping_word, (int)(intptr_t)arg);
    return 0;
}

static void park_no_lost(void)
{
    struct capos_thread *t;
    begin("park-no-lost");
    ping_word = 1;
    pong_word = 0;
    capos_thread_create(&t, pong, (void *)(intptr_t)500, 0);
    hand_off(&ping_word, &pong_word, 500);
    capos_thread_join(t, 0, 0);
    end();
}

static void affinity(void)
{
    begin("affinity");
    for (unsigned cpu = 0; cpu < 2; cpu++) {
        struct capos_thread *t;
        struct capos_thread_opts o = {.affinity = 1ULL << cpu};
        int r = capos_thread_create(&t, report_cpu, 0, &o);
        if (r == CAPOS_ERR_INVALID_ARGUMENT && cpu > 0)
            break; /* a one-CPU machine */
        int code = -2;
        if (r != CAPOS_OK || capos_thread_join(t, &code, 0) != CAPOS_OK || code != (int)cpu)
            fail("thread pinned to CPU %u ran on %d (%s)", cpu, code, capos_error_name(r));
    }
    struct capos_thread *t;
    struct capos_thread_opts none = {.affinity = 1ULL << 63};
    int r = capos_thread_create(&t, report_cpu, 0, &none);
    if (r != CAPOS_ERR_INVALID_ARGUMENT)
        fail("affinity to no online CPU gave %s, expected invalidArgument", capos_error_name(r));
    end();
}

static uint32_t main_control;

static int poke_main(void *arg)
{
    (void)arg;
    struct capos_msg m;
    capos_msg_init(&m);
    capos_ThreadControl_exit_Params_set_code(capos_ThreadControl_exit_Params_init_root(&m.b), 9);
    int r1 = capos_client_call(main_control, capos_ThreadControl_INTERFACE_ID,
                               capos_ThreadControl_method_exit, &m, 0, 0, 0);
    int r2 = capos_client_call(main_control, capos_ThreadControl_INTERFACE_ID,
                               capos_ThreadControl_method_yield, 0, 0, 0, 0);
    return r1 == CAPOS_ERR_NOT_PERMITTED && r2 == CAPOS_ERR_NOT_PERMITTED ? 0 : 1;
}

static void control_foreign(void)
{
    struct capos_thread *t;
    int code = -1;
    begin("control-foreign");
    main_control = capos_thread_self()->control;
    capos_thread_create(&t, poke_main, 0, 0);
    capos_thread_join(t, &code, 0);
    if (code != 0)
        fail("another thread could use main's ThreadControl");
    end();
}

static int linger(void *arg)
{
    (void)arg;
    if (capos_capset_find("timer", capos_Timer_INTERFACE_ID, &timer) == CAPOS_OK)
        capos_timer_sleep(timer, 30 * 1000 * 1000);
    capos_printf("threads: last-exit: helper ends the process\n");
    return 42;
}

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    park = capos_park_default();
    if (!park) {
        capos_printf("threads: setup: FAIL: no park capability\n");
        return 1;
    }
    join_codes();
    mutex_counter();
    park_simple();
    park_wake();
    park_no_lost();
    affinity();
    control_foreign();

    /* The process must outlive its first thread and end with the last
     * thread's code (42). */
    struct capos_thread *t;
    begin("last-exit");
    if (capos_thread_create(&t, linger, 0, 0) != CAPOS_OK) {
        fail("create");
        return 1;
    }
    capos_printf("threads: main thread exits first\n");
    capos_thread_exit(7);
}
