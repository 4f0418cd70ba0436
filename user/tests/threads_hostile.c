/*
 * threads_hostile: bad input and awkward moments for the thread, ParkSpace
 * and SchedulingPolicy interfaces (system/smoke-threads-hostile.capnp).
 * The kernel must refuse each bad request with the documented error and
 * change nothing, and a process must end cleanly however its threads are
 * caught.  Each case prints "threads-hostile: <case>: ok" or FAIL lines:
 *
 *   spawn-bad-address   entry, stack or TLS base at 0, below or at the end
 *                       of the user range, kernel or non-canonical
 *                       addresses: invalidArgument
 *   spawn-bad-affinity  masks naming no online CPU: invalidArgument; a mask
 *                       with online and offline CPUs runs on an online one
 *   thread-limit        threads up to the per-process limit (64), none
 *                       refused before it, then quotaExceeded; after
 *                       joining them the process fills up to the limit
 *                       again at once
 *   bad-stack           children whose new thread has an unmapped or
 *                       read-only stack, or an entry in data or unmapped
 *                       memory: the whole child stops, faulted (#PF) at the
 *                       expected address, while its main thread waits and
 *                       another goes in and out of ParkSpace.wait
 *   join-self           joining one's own handle: invalidArgument; the
 *                       ThreadHandle interface on a ThreadControl:
 *                       wrongInterface
 *   join-twice          joining an ended thread twice: the same result
 *   join-many           three threads join one thread at once; all see
 *                       its code
 *   park-bad-address    ParkSpace.wait at 0, unaligned, unmapped, kernel,
 *                       non-canonical and range-end addresses; malformed
 *                       parameters; a read-only word is fine
 *   park-wake-count     wake with count 0 wakes nobody; a huge count wakes
 *                       exactly the waiters; a huge timeout does not
 *                       overflow
 *   park-unmapped       a word unmapped while a thread waits on it: wake
 *                       still finds the waiter, a new wait is badAddress
 *   kill-blocked        children with threads in ParkSpace.wait (with and
 *                       without timeout, and in and out of it with a 1 us
 *                       one), ThreadHandle.join, Timer.sleep and a busy
 *                       loop are killed, from at once (while the threads
 *                       are still being created and entering their calls)
 *                       to 40 ms after the spawn: status killed, and the
 *                       timers they armed fire harmlessly afterwards
 *   control-foreign     a ThreadControl copied to another process refuses
 *                       exit, setTls, setAffinity, lowerWeight, yield and
 *                       the signal methods there (notPermitted); handle
 *                       works
 *   join-foreign-killed a ThreadHandle received from another process:
 *                       join completes with killed when that process is
 *                       killed (while its thread goes in and out of
 *                       ParkSpace.wait); info then says ended; its
 *                       ThreadSpawner then answers peerGone
 *   spawn-into-child    two threads start threads in a child through the
 *                       child's ThreadSpawner until it is full (64 with its
 *                       own), or until it is killed while they are at it:
 *                       every spawn succeeds until the child is full
 *                       (quotaExceeded) or killed (peerGone), every thread
 *                       started is reported killed, and the spawner then
 *                       answers peerGone
 *   park-foreign        a copy of this process's ParkSpace in a child:
 *                       waits and wakes on the same address in the two
 *                       processes never meet
 *   control-args        setTls outside the user range, setAffinity to no
 *                       online CPU, exit with a malformed message: refused,
 *                       the thread goes on
 *   policy              SchedulingPolicy.set/restrict bounds and malformed
 *                       requests; lowerWeight bounds
 *   unknown-methods     unknown method ordinals and the wrong interface
 *   last-exit           children whose last thread ends with
 *                       ThreadControl.exit: the process exits with its code
 *   no-leaks            the capability table has as many free slots at the
 *                       end as at the start
 *
 * Children start their work at once, so many end or are stopped while
 * their spawn call is still completing.  argv[1], when given, names a
 * child role (see child_main).
 */
#include "capos.h"

#include "base/mem.h"
#include "fmt/fmt.h"

#define TESTCASE_PREFIX "threads-hostile"
#include "testcase.h"

extern const char capos_thread_entry[];

#define MS          (1000ULL * 1000)
#define NONCANON    0x0000800000000000ULL /* first non-canonical address */
#define KERNEL_ADDR 0xffff800000000000ULL
#define UNMAPPED    0x0000000010000000ULL /* user range, never mapped here */
#define MAX_THREADS 64                    /* kernel PROCESS_MAX_THREADS */

static uint32_t memory, tspawner, park, spawner, policy;
static unsigned ncpus = 1;

/* ---- raw calls ---- */

static int spawn_raw(uint64_t entry, uint64_t stack, uint64_t tls, uint64_t arg, uint64_t affinity,
                     uint32_t *handle)
{
    return spawn_raw_on(tspawner, entry, stack, tls, arg, affinity, handle);
}

/* A call with raw bytes as its parameters. */
static int call_bytes(uint32_t cap, uint64_t iid, uint16_t method, const void *bytes, uint32_t len)
{
    uint64_t res[8];
    return capos_call(cap, iid, method, bytes, len, res, sizeof(res), 0, 0, 0);
}

static int control_call(uint32_t control, uint16_t method, uint64_t value)
{
    struct capos_msg m;
    capos_msg_init(&m);
    switch (method) {
    case capos_ThreadControl_method_exit:
        capos_ThreadControl_exit_Params_set_code(capos_ThreadControl_exit_Params_init_root(&m.b),
                                                 (int32_t)value);
        break;
    case capos_ThreadControl_method_setTls:
        capos_ThreadControl_setTls_Params_set_base(
            capos_ThreadControl_setTls_Params_init_root(&m.b), value);
        break;
    case capos_ThreadControl_method_setAffinity:
        capos_ThreadControl_setAffinity_Params_set_mask(
            capos_ThreadControl_setAffinity_Params_init_root(&m.b), value);
        break;
    case capos_ThreadControl_method_lowerWeight:
        capos_ThreadControl_lowerWeight_Params_set_weight(
            capos_ThreadControl_lowerWeight_Params_init_root(&m.b), (uint32_t)value);
        break;
    default:
        return capos_client_call(control, capos_ThreadControl_INTERFACE_ID, method, 0, 0, 0, 0);
    }
    return capos_client_call(control, capos_ThreadControl_INTERFACE_ID, method, &m, 0, 0, 0);
}

/* SchedulingPolicy.set with `ncaps` capabilities (the first is `thread`)
 * and the thread field naming index `index`. */
static int policy_set_raw(uint32_t pol, uint32_t thread, uint32_t ncaps, uint32_t index,
                          uint32_t weight, uint16_t cls)
{
    struct capos_msg m;
    const uint8_t *out;
    uint32_t len;
    struct capos_xfer x[2] = {{.cap = thread, .mode = CAPOS_XFER_COPY},
                              {.cap = park, .mode = CAPOS_XFER_COPY}};
    capos_msg_init(&m);
    capos_SchedulingPolicy_set_Params_builder p = capos_SchedulingPolicy_set_Params_init_root(&m.b);
    capos_SchedulingPolicy_set_Params_set_thread(p, index);
    capos_SchedulingPolicy_set_Params_set_weight(p, weight);
    capos_SchedulingPolicy_set_Params_set_latencyClass(p, (enum capos_LatencyClass)cls);
    int err = capos_msg_finish(&m, &out, &len);
    if (err)
        return err;
    return capos_call(pol, capos_SchedulingPolicy_INTERFACE_ID, capos_SchedulingPolicy_method_set,
                      out, len, 0, 0, x, (uint16_t)ncaps, 0);
}

static int policy_restrict(uint32_t pol, uint32_t max_weight, bool latency, uint32_t *out_policy)
{
    struct capos_msg m;
    uint64_t res[8];
    uint32_t len = 0;
    capos_msg_init(&m);
    capos_SchedulingPolicy_restrict_Params_builder p =
        capos_SchedulingPolicy_restrict_Params_init_root(&m.b);
    capos_SchedulingPolicy_restrict_Params_set_maxWeight(p, max_weight);
    capos_SchedulingPolicy_restrict_Params_set_latency(p, latency);
    int err = capos_client_call(pol, capos_SchedulingPolicy_INTERFACE_ID,
                                capos_SchedulingPolicy_method_restrict, &m, res, sizeof(res), &len);
    if (err == CAPOS_OK)
        *out_policy = result_cap(res, len);
    return err;
}

static int park_wait_raw(uint64_t addr, uint32_t expected, uint64_t timeout)
{
    return capos_park_wait(park, (const uint32_t *)(uintptr_t)addr, expected, timeout);
}

/* ---- children ---- */

/* Starts this program as a child in `role` with console, timer, memory,
 * threads and park, plus `extra` grants. */
static int spawn_child(const char *role, const char *arg, const struct capos_grant *extra,
                       uint32_t nextra, uint32_t *handle)
{
    struct capos_grant g[8] = {
        {.name = "console", .kernel = true, .kind = capos_KernelCapKind_console},
        {.name = "timer", .kernel = true, .kind = capos_KernelCapKind_timer},
        {.name = "memory", .kernel = true, .kind = capos_KernelCapKind_virtualMemory},
        {.name = "threads", .kernel = true, .kind = capos_KernelCapKind_threadSpawner},
        {.name = "park", .kernel = true, .kind = capos_KernelCapKind_parkSpace},
    };
    uint32_t n = 5;
    for (uint32_t i = 0; i < nextra && n < 8; i++)
        g[n++] = extra[i];
    const char *argv[] = {"threads_hostile", role, arg ? arg : ""};
    return capos_spawn(spawner, "threads_hostile", role, g, n, argv, 3, 0, 0, handle);
}

/* Waits for a child and checks its status; releases the handle. */
static void expect_end(const char *who, uint32_t h, enum capos_ExitStatus_which kind, int32_t code,
                       uint64_t address)
{
    struct capos_exit st;
    if (!wait_end(who, h, &st))
        return;
    bool ok = st.kind == kind;
    if (ok && kind == capos_ExitStatus_which_exited)
        ok = st.code == code;
    if (ok && kind == capos_ExitStatus_which_faulted)
        ok = st.vector == 14 && st.address == address;
    if (!ok) {
        char got[128];
        describe(&st, got, sizeof(got));
        fail("%s ended %s", who, got);
    }
}

/* ---- child roles ---- */

static uint32_t never;                /* a word nobody wakes */
static uint32_t data_word = 0xC3C3C3; /* in the writable, non-executable segment */
static uint32_t shared_word;          /* the same address in parent and child */
static uint8_t foreign_stack[4096] __attribute__((aligned(16)));

/* What the parent runs in a child through the child's ThreadSpawner: a
 * loop that touches nothing but the top of foreign_stack. */
static __attribute__((noreturn)) void foreign_spin(void)
{
    for (;;)
        __asm__ volatile("pause");
}

/* ParkSpace.wait on a word nobody wakes, again and again, each wait with
 * the timeout `arg` (ns; 0: none).  A short one (PARK_BRIEFLY) goes in and
 * out of the wait without pause. */
#define PARK_FOREVER  ((void *)0)
#define PARK_TIMEOUTS ((void *)(uintptr_t)(200 * MS))
#define PARK_BRIEFLY  ((void *)(uintptr_t)1000)

static int park_loop(void *arg)
{
    for (;;)
        capos_park_wait(park, &never, 0, (uint64_t)(uintptr_t)arg);
    return 0;
}

static int join_forever(void *arg)
{
    capos_thread_join(arg, 0, 0);
    return 0;
}

static int sleep_long(void *arg)
{
    (void)arg;
    for (;;)
        capos_timer_sleep(timer, 100 * MS);
    return 0;
}

static int spin(void *arg)
{
    volatile uint64_t *x = arg;
    for (;;)
        (*x)++;
    return 0;
}

static struct capos_thread *child_start(int (*fn)(void *), void *arg)
{
    static const struct capos_thread_opts o = {.stack_size = 16 * 1024};
    struct capos_thread *t;
    if (capos_thread_create(&t, fn, arg, &o) != CAPOS_OK)
        capos_exit(80);
    return t;
}

/* The expected fault addresses of the bad-stack roles (this program is
 * linked at a fixed address, so parent and child agree on them). */
static uint64_t readonly_stack(void)
{
    return ((uint64_t)(uintptr_t)capos_thread_entry & ~0xfffULL) + 0x800;
}

/* The bad thread is started at once by a helper that then goes in and
 * out of ParkSpace.wait, while main joins a parked thread: the fault stops
 * the process whatever its other threads are doing. */
static uint64_t bad_entry, bad_stack_top;

static int start_bad_thread(void *arg)
{
    (void)arg;
    int err = spawn_raw(bad_entry, bad_stack_top, 0, 0, 0, 0);
    if (err != CAPOS_OK)
        capos_exit(60 + err);
    return park_loop(PARK_BRIEFLY);
}

static int bad_thread_role(uint64_t entry, uint64_t stack)
{
    bad_entry = entry;
    bad_stack_top = stack;
    struct capos_thread *parked = child_start(park_loop, PARK_FOREVER);
    child_start(start_bad_thread, 0);
    capos_thread_join(parked, 0, 0); /* the fault stops the process meanwhile */
    return 61;
}

struct last_args {
    uint32_t main_handle;
};

static int exit_after_main(void *arg)
{
    struct last_args *a = arg;
    int code = -1;
    bool killed = true;
    if (join_raw(a->main_handle, &code, &killed) != CAPOS_OK || code != 9 || killed)
        capos_thread_exit(22);
    capos_thread_exit(21);
}

static int exit_later(void *arg)
{
    (void)arg;
    sleep_ms(20);
    capos_thread_exit(42);
}

static int child_main(const char *role, const char *arg)
{
    static volatile uint64_t spins;
    if (!strcmp(role, "badstack-unmapped"))
        return bad_thread_role((uint64_t)(uintptr_t)capos_thread_entry, UNMAPPED);
    if (!strcmp(role, "badstack-readonly"))
        return bad_thread_role((uint64_t)(uintptr_t)capos_thread_entry, readonly_stack());
    if (!strcmp(role, "badentry-data"))
        return bad_thread_role((uint64_t)(uintptr_t)&data_word, UNMAPPED);
    if (!strcmp(role, "badentry-unmapped"))
        return bad_thread_role(UNMAPPED + 0x1000, UNMAPPED);
    if (!strcmp(role, "blocked")) {
        struct capos_thread *parked = child_start(park_loop, PARK_FOREVER);
        child_start(park_loop, PARK_TIMEOUTS);
        child_start(park_loop, PARK_BRIEFLY);
        struct capos_thread *joiner = child_start(join_forever, parked);
        child_start(sleep_long, 0);
        child_start(spin, (void *)&spins);
        capos_thread_join(joiner, 0, 0);
        return 70;
    }
    if (!strcmp(role, "foreign-control")) {
        /* Another process's ThreadControl: nothing but handle may work. */
        uint32_t ctl, h;
        uint64_t res[8];
        uint32_t len = 0;
        struct capos_thread_info info;
        long tid = 0;
        for (const char *p = arg; *p >= '0' && *p <= '9'; p++)
            tid = tid * 10 + (*p - '0');
        if (capos_capset_find("control", capos_ThreadControl_INTERFACE_ID, &ctl) != CAPOS_OK)
            return 1;
        if (control_call(ctl, capos_ThreadControl_method_exit, 5) != CAPOS_ERR_NOT_PERMITTED)
            return 2;
        if (control_call(ctl, capos_ThreadControl_method_setTls, 0x500000) !=
            CAPOS_ERR_NOT_PERMITTED)
            return 3;
        if (control_call(ctl, capos_ThreadControl_method_setAffinity, 1) != CAPOS_ERR_NOT_PERMITTED)
            return 4;
        if (control_call(ctl, capos_ThreadControl_method_lowerWeight, 1) != CAPOS_ERR_NOT_PERMITTED)
            return 5;
        if (control_call(ctl, capos_ThreadControl_method_yield, 0) != CAPOS_ERR_NOT_PERMITTED)
            return 6;
        if (capos_client_call(ctl, capos_ThreadControl_INTERFACE_ID,
                              capos_ThreadControl_method_handle, 0, res, sizeof(res),
                              &len) != CAPOS_OK)
            return 7;
        h = result_cap(res, len);
        if (capos_thread_info(h, &info) != CAPOS_OK || info.tid != (uint32_t)tid || info.ended)
            return 8;
        if (capos_client_call(ctl, capos_ThreadControl_INTERFACE_ID, 10, 0, 0, 0, 0) !=
            CAPOS_ERR_UNKNOWN_METHOD)
            return 9;
        if (control_call(ctl, capos_ThreadControl_method_setSignalEntry, 0) !=
            CAPOS_ERR_NOT_PERMITTED)
            return 10;
        if (control_call(ctl, capos_ThreadControl_method_setSignalMask, 0) !=
            CAPOS_ERR_NOT_PERMITTED)
            return 11;
        if (control_call(ctl, capos_ThreadControl_method_signalProcess, 0) !=
            CAPOS_ERR_NOT_PERMITTED)
            return 12;
        return 0;
    }
    if (!strcmp(role, "send-caps")) {
        /* Hands its ThreadHandle and its ThreadSpawner to the parent, then
         * waits to be killed. */
        uint32_t ep, h;
        if (capos_capset_find("ep", 0, &ep) != CAPOS_OK || capos_thread_handle_self(&h) != CAPOS_OK)
            return 1;
        struct capos_xfer x[2] = {{.cap = h, .mode = CAPOS_XFER_MOVE},
                                  {.cap = tspawner, .mode = CAPOS_XFER_COPY}};
        uint64_t res[8];
        if (capos_call(ep, 0x7468726561647321ULL, 0, 0, 0, res, sizeof(res), x, 2, 0) != CAPOS_OK)
            return 2;
        /* Then goes in and out of a wait until the kill. */
        return park_loop(PARK_BRIEFLY);
    }
    if (!strcmp(role, "foreign-park")) {
        /* The parent's ParkSpace: its waits and wakes are keyed by this
         * process, so they never meet the parent's. */
        uint32_t pp, woken = 99;
        if (capos_capset_find("ppark", capos_ParkSpace_INTERFACE_ID, &pp) != CAPOS_OK)
            return 1;
        if (capos_park_wake(pp, &shared_word, UINT32_MAX, &woken) != CAPOS_OK || woken != 0)
            return 2;
        if (capos_park_wait(pp, &shared_word, 0, 300 * MS) != CAPOS_ERR_TIMED_OUT)
            return 3;
        return 0;
    }
    if (!strcmp(role, "last-exit")) {
        child_start(exit_later, 0);
        capos_thread_exit(3);
    }
    if (!strcmp(role, "only-exit"))
        capos_thread_exit(17);
    if (!strcmp(role, "exit-while-joined")) {
        static struct last_args a;
        if (capos_thread_handle_self(&a.main_handle) != CAPOS_OK)
            return 1;
        child_start(exit_after_main, &a);
        capos_thread_exit(9);
    }
    return 99;
}

/* ---- cases ---- */

static uint8_t good_stack[16384] __attribute__((aligned(16)));

static int return_arg(void *arg)
{
    return (int)(intptr_t)arg;
}

/* A thread is still possible: create one and join it. */
static void still_works(const char *after)
{
    struct capos_thread *t;
    int code = -1;
    int r = capos_thread_create(&t, return_arg, (void *)(intptr_t)4321, 0);
    if (r == CAPOS_OK)
        r = capos_thread_join(t, &code, 0);
    if (r != CAPOS_OK || code != 4321)
        fail("a thread after %s: %s, code %d", after, capos_error_name(r), code);
}

static void spawn_bad_address(void)
{
    static const uint64_t bad[] = {
        0,           CAPOS_USER_MIN - 4,    CAPOS_USER_MAX, NONCANON, NONCANON + 0x1000,
        KERNEL_ADDR, 0xffffffff80000000ULL, ~0ULL};
    uint64_t entry = (uint64_t)(uintptr_t)capos_thread_entry;
    uint64_t stack = (uint64_t)(uintptr_t)(good_stack + sizeof(good_stack));
    uint64_t tls = (uint64_t)(uintptr_t)good_stack;
    begin("spawn-bad-address");
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char what[64];
        fmt_snprintf(what, sizeof(what), "entry %#lx", (unsigned long)bad[i]);
        expect(what, spawn_raw(bad[i], stack, tls, 0, 0, 0), CAPOS_ERR_INVALID_ARGUMENT);
        fmt_snprintf(what, sizeof(what), "stack %#lx", (unsigned long)bad[i]);
        expect(what, spawn_raw(entry, bad[i], tls, 0, 0, 0), CAPOS_ERR_INVALID_ARGUMENT);
        if (bad[i] == 0)
            continue; /* TLS 0 means none */
        fmt_snprintf(what, sizeof(what), "tls %#lx", (unsigned long)bad[i]);
        expect(what, spawn_raw(entry, stack, bad[i], 0, 0, 0), CAPOS_ERR_INVALID_ARGUMENT);
    }
    /* Malformed parameters. */
    static const uint64_t junk[3] = {0xffffffffffffffffULL, 0x1234, 0};
    expect("garbage parameters",
           call_bytes(tspawner, capos_ThreadSpawner_INTERFACE_ID, 0, junk, 24),
           CAPOS_ERR_INVALID_ARGUMENT);
    expect("no parameters", call_bytes(tspawner, capos_ThreadSpawner_INTERFACE_ID, 0, 0, 0),
           CAPOS_ERR_INVALID_ARGUMENT);
    still_works("refused spawns");
    end();
}

static void spawn_bad_affinity(void)
{
    uint64_t online = ncpus >= 64 ? ~0ULL : (1ULL << ncpus) - 1;
    uint64_t entry = (uint64_t)(uintptr_t)capos_thread_entry;
    uint64_t stack = (uint64_t)(uintptr_t)(good_stack + sizeof(good_stack));
    begin("spawn-bad-affinity");
    if (ncpus < 64) {
        expect("affinity of the first offline CPU", spawn_raw(entry, stack, 0, 0, 1ULL << ncpus, 0),
               CAPOS_ERR_INVALID_ARGUMENT);
        expect("affinity of every offline CPU", spawn_raw(entry, stack, 0, 0, ~online, 0),
               CAPOS_ERR_INVALID_ARGUMENT);
    }
    expect("affinity of CPU 63", spawn_raw(entry, stack, 0, 0, 1ULL << 63, 0),
           ncpus == 64 ? CAPOS_OK : CAPOS_ERR_INVALID_ARGUMENT);
    /* Online and offline CPUs together: it runs on the online one. */
    unsigned last = ncpus - 1;
    struct capos_thread_opts o = {.affinity = (1ULL << last) | (1ULL << 63)};
    struct capos_thread *t;
    int code = -1;
    int r = capos_thread_create(&t, report_cpu, 0, &o);
    if (r == CAPOS_OK)
        r = capos_thread_join(t, &code, 0);
    if (r != CAPOS_OK || code != (int)last)
        fail("mask of CPU %u and CPU 63: %s, ran on %d", last, capos_error_name(r), code);
    end();
}

static uint32_t hold_gate;

static int hold(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&hold_gate, __ATOMIC_ACQUIRE))
        capos_park_wait(park, &hold_gate, 0, 0);
    return 7;
}

/* Creates threads that wait on hold_gate until one is refused; returns how
 * many were created (into t[]) and the refusal. */
static unsigned fill_threads(struct capos_thread **t, unsigned max, int *refusal)
{
    static const struct capos_thread_opts o = {.stack_size = 16 * 1024};
    unsigned n = 0;
    *refusal = CAPOS_OK;
    while (n < max) {
        int r = capos_thread_create(&t[n], hold, 0, &o);
        if (r != CAPOS_OK) {
            *refusal = r;
            break;
        }
        n++;
    }
    return n;
}

/* Fills the process with waiting threads up to the limit (and tries a
 * few past it). */
static unsigned fill_to_limit(struct capos_thread **t, int *refusal)
{
    return fill_threads(t, MAX_THREADS + 4, refusal);
}

static unsigned release_threads(struct capos_thread **t, unsigned n)
{
    unsigned bad = 0;
    __atomic_store_n(&hold_gate, 1, __ATOMIC_RELEASE);
    capos_park_wake(park, &hold_gate, UINT32_MAX, 0);
    for (unsigned i = 0; i < n; i++) {
        int code = -1;
        if (capos_thread_join(t[i], &code, 0) != CAPOS_OK || code != 7)
            bad++;
    }
    __atomic_store_n(&hold_gate, 0, __ATOMIC_RELEASE);
    return bad;
}

static void thread_limit(void)
{
    static struct capos_thread *t[MAX_THREADS + 4];
    int refusal;
    begin("thread-limit");
    unsigned n = fill_to_limit(t, &refusal);
    if (n != MAX_THREADS - 1 || refusal != CAPOS_ERR_QUOTA_EXCEEDED)
        fail("%u threads besides main, then %s; expected %u, then quotaExceeded", n,
             capos_error_name(refusal), MAX_THREADS - 1);
    /* The refused ones left nothing behind: another try is refused too. */
    struct capos_thread *extra;
    expect("one more", capos_thread_create(&extra, hold, 0, 0), CAPOS_ERR_QUOTA_EXCEEDED);
    unsigned bad = release_threads(t, n);
    if (bad)
        fail("%u of %u threads did not end with their code", bad, n);
    n = fill_to_limit(t, &refusal);
    if (n != MAX_THREADS - 1 || refusal != CAPOS_ERR_QUOTA_EXCEEDED)
        fail("after joining: %u threads, then %s", n, capos_error_name(refusal));
    bad = release_threads(t, n);
    if (bad)
        fail("second fill: %u of %u threads did not end with their code", bad, n);
    still_works("the limit");
    end();
}

static void bad_stack(void)
{
    static const char *const roles[] = {"badstack-unmapped", "badstack-readonly", "badentry-data",
                                        "badentry-unmapped"};
    begin("bad-stack");
    for (unsigned i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
        uint64_t addr;
        switch (i) {
        case 0: addr = UNMAPPED - 8; break;
        case 1: addr = readonly_stack() - 8; break;
        case 2: addr = (uint64_t)(uintptr_t)&data_word; break;
        default: addr = UNMAPPED + 0x1000; break;
        }
        uint32_t h;
        int r = spawn_child(roles[i], 0, 0, 0, &h);
        if (r != CAPOS_OK) {
            fail("spawn %s: %s", roles[i], capos_error_name(r));
            continue;
        }
        expect_end(roles[i], h, capos_ExitStatus_which_faulted, 0, addr);
    }
    end();
}

static void join_self(void)
{
    uint32_t h;
    begin("join-self");
    int r = capos_thread_handle_self(&h);
    expect("ThreadControl.handle", r, CAPOS_OK);
    if (r == CAPOS_OK) {
        expect("join of itself", join_raw(h, 0, 0), CAPOS_ERR_INVALID_ARGUMENT);
        expect("join of itself again", join_raw(h, 0, 0), CAPOS_ERR_INVALID_ARGUMENT);
        capos_release(h);
    }
    expect("ThreadHandle.join on a ThreadControl",
           call_bytes(capos_thread_self()->control, capos_ThreadHandle_INTERFACE_ID,
                      capos_ThreadHandle_method_join, 0, 0),
           CAPOS_ERR_WRONG_INTERFACE);
    end();
}

static void join_twice(void)
{
    static const int codes[] = {-123456, INT32_MIN, INT32_MAX, 0};
    begin("join-twice");
    for (unsigned i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        struct capos_thread *t;
        int r = capos_thread_create(&t, return_arg, (void *)(intptr_t)codes[i], 0);
        if (r != CAPOS_OK) {
            fail("create: %s", capos_error_name(r));
            continue;
        }
        for (int k = 0; k < 3; k++) {
            int code = 1;
            bool killed = true;
            r = join_raw(t->handle, &code, &killed);
            if (r != CAPOS_OK || code != codes[i] || killed)
                fail("join %d: %s code %d (want %d) killed %d", k + 1, capos_error_name(r), code,
                     codes[i], killed);
        }
        struct capos_thread_info info;
        if (capos_thread_info(t->handle, &info) != CAPOS_OK || !info.ended)
            fail("info of the ended thread does not say ended");
        capos_release(t->handle);
        free(t->block);
    }
    end();
}

struct joiner {
    uint32_t handle;
    int code;
    int err;
    bool killed;
};

static int join_it(void *arg)
{
    struct joiner *j = arg;
    j->err = join_raw(j->handle, &j->code, &j->killed);
    return 0;
}

static void join_many(void)
{
    struct capos_thread *target, *jt[3];
    struct joiner j[3];
    begin("join-many");
    hold_gate = 0;
    if (capos_thread_create(&target, hold, 0, 0) != CAPOS_OK) {
        fail("create target");
        end();
        return;
    }
    for (int i = 0; i < 3; i++) {
        j[i] = (struct joiner){target->handle, -1, -1, true};
        if (capos_thread_create(&jt[i], join_it, &j[i], 0) != CAPOS_OK)
            fail("create joiner %d", i);
    }
    sleep_ms(10);
    __atomic_store_n(&hold_gate, 1, __ATOMIC_RELEASE);
    capos_park_wake(park, &hold_gate, UINT32_MAX, 0);
    for (int i = 0; i < 3; i++) {
        capos_thread_join(jt[i], 0, 0);
        if (j[i].err != CAPOS_OK || j[i].code != 7 || j[i].killed)
            fail("joiner %d: %s code %d killed %d", i, capos_error_name(j[i].err), j[i].code,
                 j[i].killed);
    }
    int code = -1;
    if (capos_thread_join(target, &code, 0) != CAPOS_OK || code != 7)
        fail("the creator's join: code %d", code);
    hold_gate = 0;
    end();
}

static uint32_t words[4] __attribute__((aligned(16)));

static void park_bad_address(void)
{
    uint64_t base = (uint64_t)(uintptr_t)words;
    begin("park-bad-address");
    expect("wait at 0", park_wait_raw(0, 0, 0), CAPOS_ERR_INVALID_ARGUMENT);
    expect("wait just below the user range", park_wait_raw(CAPOS_USER_MIN - 4, 0, 0),
           CAPOS_ERR_INVALID_ARGUMENT);
    for (int off = 1; off < 4; off++) {
        char what[48];
        fmt_snprintf(what, sizeof(what), "wait at word + %d", off);
        expect(what, park_wait_raw(base + (uint64_t)off, 0, 0), CAPOS_ERR_INVALID_ARGUMENT);
    }
    expect("wait on unmapped memory", park_wait_raw(UNMAPPED, 0, 0), CAPOS_ERR_BAD_ADDRESS);
    expect("wait on the last word of the user range", park_wait_raw(CAPOS_USER_MAX - 4, 0, 0),
           CAPOS_ERR_BAD_ADDRESS);
    expect("wait at the end of the user range", park_wait_raw(CAPOS_USER_MAX, 0, 0),
           CAPOS_ERR_INVALID_ARGUMENT);
    expect("wait at a non-canonical address", park_wait_raw(NONCANON, 0, 0),
           CAPOS_ERR_INVALID_ARGUMENT);
    expect("wait at a kernel address", park_wait_raw(KERNEL_ADDR, 0, 0),
           CAPOS_ERR_INVALID_ARGUMENT);
    expect("wait at the top of memory", park_wait_raw(~3ULL, 0, 0), CAPOS_ERR_INVALID_ARGUMENT);
    /* Read-only memory is readable: the wait is real. */
    const uint32_t *code_word = (const uint32_t *)((uintptr_t)capos_thread_entry & ~3ULL);
    expect("wait on read-only code, wrong value",
           park_wait_raw((uintptr_t)code_word, ~*code_word, 0), CAPOS_ERR_WOULD_BLOCK);
    expect("wait on read-only code, 1 ms", park_wait_raw((uintptr_t)code_word, *code_word, MS),
           CAPOS_ERR_TIMED_OUT);
    static const uint64_t junk[2] = {0xdeadbeefdeadbeefULL, 0xffffffffffffffffULL};
    expect("wait with garbage parameters",
           call_bytes(park, capos_ParkSpace_INTERFACE_ID, capos_ParkSpace_method_wait, junk, 16),
           CAPOS_ERR_INVALID_ARGUMENT);
    expect("wake with garbage parameters",
           call_bytes(park, capos_ParkSpace_INTERFACE_ID, capos_ParkSpace_method_wake, junk, 16),
           CAPOS_ERR_INVALID_ARGUMENT);
    uint32_t woken = 99;
    expect("wake unaligned", capos_park_wake(park, (const uint32_t *)(uintptr_t)(base + 2), 1, 0),
           CAPOS_ERR_INVALID_ARGUMENT);
    int r = capos_park_wake(park, (const uint32_t *)(uintptr_t)KERNEL_ADDR, 1, &woken);
    if (r != CAPOS_ERR_INVALID_ARGUMENT && !(r == CAPOS_OK && woken == 0))
        fail("wake at a kernel address: %s, woke %u", capos_error_name(r), woken);
    end();
}

struct waiter {
    uint32_t *word;
    uint64_t timeout;
    uint32_t about_to_park;
    uint32_t returned;
    int result;
};

static int wait_once(void *arg)
{
    struct waiter *w = arg;
    __atomic_store_n(&w->about_to_park, 1, __ATOMIC_RELEASE);
    w->result = capos_park_wait(park, w->word, 0, w->timeout);
    __atomic_store_n(&w->returned, 1, __ATOMIC_RELEASE);
    return 0;
}

/* Starts a thread that waits once as *w says and returns once it is about
 * to park; false (reported) if it could not be created. */
static bool start_waiter(struct capos_thread **t, struct waiter *w)
{
    if (capos_thread_create(t, wait_once, w, 0) != CAPOS_OK) {
        fail("create waiter");
        return false;
    }
    while (!__atomic_load_n(&w->about_to_park, __ATOMIC_ACQUIRE))
        capos_thread_yield();
    return true;
}

/* Wakes until `want` waiters in total have been woken or a second passed;
 * returns the total. */
static uint32_t wake_until(uint32_t *word, uint32_t count, uint32_t want)
{
    uint32_t total = 0;
    for (int i = 0; i < 1000 && total < want; i++) {
        uint32_t n = 0;
        int r = capos_park_wake(park, word, count, &n);
        if (r != CAPOS_OK)
            fail("wake: %s", capos_error_name(r));
        total += n;
        if (total < want)
            sleep_ms(1);
    }
    return total;
}

static void park_wake_count(void)
{
    struct waiter w[2];
    struct capos_thread *t[2];
    uint32_t woken = 99;
    begin("park-wake-count");
    words[0] = 0;
    expect("wake with nobody waiting", capos_park_wake(park, &words[0], 5, &woken), CAPOS_OK);
    if (woken != 0)
        fail("wake with nobody waiting woke %u", woken);
    for (int i = 0; i < 2; i++) {
        w[i] = (struct waiter){&words[0], i ? UINT64_MAX : 0, 0, 0, -1};
        if (capos_thread_create(&t[i], wait_once, &w[i], 0) != CAPOS_OK)
            fail("create waiter %d", i);
    }
    while (!__atomic_load_n(&w[0].about_to_park, __ATOMIC_ACQUIRE) ||
           !__atomic_load_n(&w[1].about_to_park, __ATOMIC_ACQUIRE))
        capos_thread_yield();
    sleep_ms(20); /* long enough for both to be parked */
    woken = 99;
    expect("wake with count 0", capos_park_wake(park, &words[0], 0, &woken), CAPOS_OK);
    if (woken != 0)
        fail("wake with count 0 woke %u", woken);
    sleep_ms(5);
    if (__atomic_load_n(&w[0].returned, __ATOMIC_ACQUIRE) ||
        __atomic_load_n(&w[1].returned, __ATOMIC_ACQUIRE))
        fail("a waiter returned after a wake of 0");
    uint32_t total = wake_until(&words[0], UINT32_MAX, 2);
    if (total != 2)
        fail("waking with count UINT32_MAX woke %u of 2", total);
    for (int i = 0; i < 2; i++) {
        capos_thread_join(t[i], 0, 0);
        if (w[i].result != CAPOS_OK)
            fail("waiter %d (timeout %s) returned %s", i, i ? "UINT64_MAX" : "none",
                 capos_error_name(w[i].result));
    }
    end();
}

static void park_unmapped(void)
{
    uint64_t addr = 0;
    struct waiter w;
    struct capos_thread *t;
    begin("park-unmapped");
    int r = capos_vm_map(memory, 0, 4096, CAPOS_PROT_READ | CAPOS_PROT_WRITE, &addr);
    if (r != CAPOS_OK) {
        fail("map: %s", capos_error_name(r));
        end();
        return;
    }
    uint32_t *word = (uint32_t *)(uintptr_t)(addr + 64);
    w = (struct waiter){word, 2000 * MS, 0, 0, -1};
    if (!start_waiter(&t, &w)) {
        end();
        return;
    }
    sleep_ms(20);
    expect("unmap under the waiter", capos_vm_unmap(memory, addr, 4096), CAPOS_OK);
    uint32_t total = wake_until(word, 1, 1);
    capos_thread_join(t, 0, 0);
    if (total != 1 || w.result != CAPOS_OK)
        fail("wake after unmap woke %u; the waiter returned %s", total, capos_error_name(w.result));
    expect("wait on the unmapped word", capos_park_wait(park, word, 0, 0), CAPOS_ERR_BAD_ADDRESS);
    end();
}

static void kill_blocked(void)
{
    /* From a kill before the child's threads exist, through kills while
     * they are being created and entering their calls, to one long after
     * they have all blocked. */
    static const uint64_t delays[] = {0, 0, 1, 1, 2, 3, 5, 8, 12, 40};
    begin("kill-blocked");
    for (unsigned i = 0; i < sizeof(delays) / sizeof(delays[0]); i++) {
        uint32_t h;
        int r = spawn_child("blocked", 0, 0, 0, &h);
        if (r != CAPOS_OK) {
            fail("spawn: %s", capos_error_name(r));
            continue;
        }
        if (delays[i])
            sleep_ms(delays[i]);
        expect("kill", capos_process_kill(h), CAPOS_OK);
        expect("kill again", capos_process_kill(h), CAPOS_OK);
        expect_end("blocked child", h, capos_ExitStatus_which_killed, 0, 0);
    }
    /* The children's park timeouts (200 ms) and sleeps (100 ms) were armed
     * when they died: let them come due. */
    sleep_ms(250);
    end();
}

static void control_foreign(void)
{
    uint32_t self_h;
    struct capos_thread_info info;
    begin("control-foreign");
    if (capos_thread_handle_self(&self_h) != CAPOS_OK ||
        capos_thread_info(self_h, &info) != CAPOS_OK) {
        fail("own handle or info");
        end();
        return;
    }
    capos_release(self_h);
    char tid[16];
    fmt_snprintf(tid, sizeof(tid), "%u", info.tid);
    struct capos_grant g = {
        .name = "control", .cap = capos_thread_self()->control, .mode = CAPOS_XFER_COPY};
    uint32_t h;
    int r = spawn_child("foreign-control", tid, &g, 1, &h);
    if (r != CAPOS_OK)
        fail("spawn: %s", capos_error_name(r));
    else
        expect_end("foreign-control child (its code is the failed check)", h,
                   capos_ExitStatus_which_exited, 0, 0);
    /* Still this thread's: it may yield and make handles. */
    expect("own yield", capos_thread_yield(), CAPOS_OK);
    r = capos_thread_handle_self(&self_h);
    expect("own handle", r, CAPOS_OK);
    if (r == CAPOS_OK)
        capos_release(self_h);
    end();
}

/* Starts a "send-caps" child and receives its ThreadHandle and
 * ThreadSpawner; false (after a FAIL) if that did not work. */
static bool foreign_child(uint32_t server, uint32_t client, uint32_t *child, uint32_t *handle,
                          uint32_t *child_spawner)
{
    uint64_t buf[16];
    struct capos_request req;
    struct capos_grant g = {.name = "ep", .cap = client, .mode = CAPOS_XFER_COPY};
    int r = spawn_child("send-caps", 0, &g, 1, child);
    if (r != CAPOS_OK) {
        fail("spawn: %s", capos_error_name(r));
        return false;
    }
    r = capos_recv(server, buf, sizeof(buf), &req);
    if (r != CAPOS_OK || req.ncaps != 2) {
        fail("receiving the child's capabilities: %s, %u caps", capos_error_name(r),
             r == CAPOS_OK ? req.ncaps : 0);
        capos_process_kill(*child);
        expect_end("send-caps child", *child, capos_ExitStatus_which_killed, 0, 0);
        return false;
    }
    *handle = req.caps[0];
    *child_spawner = req.caps[1];
    expect("answer", capos_return(server, req.token, CAPOS_OK, 0, 0, 0, 0), CAPOS_OK);
    return true;
}

static void join_foreign_killed(void)
{
    uint32_t server, client, h, foreign, child_spawner;
    begin("join-foreign-killed");
    int r = capos_create_endpoint(spawner, &server, &client);
    if (r != CAPOS_OK) {
        fail("createEndpoint: %s", capos_error_name(r));
        end();
        return;
    }
    if (!foreign_child(server, client, &h, &foreign, &child_spawner)) {
        capos_release(server);
        capos_release(client);
        end();
        return;
    }
    struct capos_thread_info info;
    r = capos_thread_info(foreign, &info);
    if (r != CAPOS_OK || info.ended)
        fail("info of the foreign thread: %s, ended %d", capos_error_name(r), info.ended);
    struct joiner j = {foreign, -1, -1, false};
    struct capos_thread *jt;
    if (capos_thread_create(&jt, join_it, &j, 0) != CAPOS_OK)
        fail("create joiner");
    sleep_ms(10);
    expect("kill", capos_process_kill(h), CAPOS_OK);
    capos_thread_join(jt, 0, 0);
    if (j.err != CAPOS_OK || !j.killed)
        fail("join of the killed process's thread: %s, killed %d", capos_error_name(j.err),
             j.killed);
    bool killed = false;
    r = join_raw(foreign, 0, &killed);
    if (r != CAPOS_OK || !killed)
        fail("second join: %s, killed %d", capos_error_name(r), killed);
    r = capos_thread_info(foreign, &info);
    if (r != CAPOS_OK || !info.ended)
        fail("info after the kill: %s, ended %d", capos_error_name(r), info.ended);
    expect("spawn through the dead process's ThreadSpawner",
           spawn_raw_on(child_spawner, (uint64_t)(uintptr_t)foreign_spin,
                        (uint64_t)(uintptr_t)(foreign_stack + sizeof(foreign_stack)), 0, 0, 0, 0),
           CAPOS_ERR_PEER_GONE);
    capos_release(foreign);
    capos_release(child_spawner);
    expect_end("send-caps child", h, capos_ExitStatus_which_killed, 0, 0);
    capos_release(server);
    capos_release(client);
    end();
}

/* Two threads of the parent start threads in a child through the child's
 * ThreadSpawner until it is full, or until the child is killed while they
 * are at it.  Every spawn succeeds until the child is full (quotaExceeded)
 * or killed (peerGone); every thread started is reported killed, and the
 * child's spawner then answers peerGone. */
struct feeder {
    uint32_t child_spawner;
    uint32_t handles[MAX_THREADS];
    uint32_t n;
    int end; /* the refusal that stopped it */
};

static int feed(void *arg)
{
    struct feeder *f = arg;
    for (;;) {
        uint32_t h;
        int r =
            spawn_raw_on(f->child_spawner, (uint64_t)(uintptr_t)foreign_spin,
                         (uint64_t)(uintptr_t)(foreign_stack + sizeof(foreign_stack)), 0, 0, 0, &h);
        if (r != CAPOS_OK) {
            f->end = r;
            return 0;
        }
        if (f->n == MAX_THREADS) {
            fail("more threads in the child than its limit");
            capos_release(h);
            f->end = CAPOS_OK;
            return 1;
        }
        f->handles[f->n++] = h;
    }
}

static void spawn_into_child(void)
{
    uint32_t server, client;
    begin("spawn-into-child");
    int r = capos_create_endpoint(spawner, &server, &client);
    if (r != CAPOS_OK) {
        fail("createEndpoint: %s", capos_error_name(r));
        end();
        return;
    }
    /* Rounds 0 and 1 fill the child, then kill it; the others kill it 0, 1,
     * 2 or 3 ms after the feeders started. */
    for (int round = 0; round < 6; round++) {
        static struct feeder f[2];
        struct capos_thread *ft[2];
        uint32_t h, foreign, child_spawner, started = 0;
        bool fill = round < 2;
        if (!foreign_child(server, client, &h, &foreign, &child_spawner))
            break;
        for (int i = 0; i < 2; i++) {
            memset(&f[i], 0, sizeof(f[i]));
            f[i].child_spawner = child_spawner;
            if (capos_thread_create(&ft[i], feed, &f[i], 0) != CAPOS_OK)
                fail("create feeder");
        }
        if (!fill) {
            if (round > 2)
                sleep_ms((uint64_t)(round - 2));
            expect("kill", capos_process_kill(h), CAPOS_OK);
        }
        for (int i = 0; i < 2; i++) {
            capos_thread_join(ft[i], 0, 0);
            started += f[i].n;
            if (f[i].end != CAPOS_ERR_QUOTA_EXCEEDED && (fill || f[i].end != CAPOS_ERR_PEER_GONE))
                fail("round %d: a spawn into the child %s: %s", round,
                     fill ? "before it was full" : "before it was full or killed",
                     capos_error_name(f[i].end));
        }
        if (fill && started != MAX_THREADS - 1)
            fail("%u threads started in a child besides its main thread, expected %u", started,
                 MAX_THREADS - 1);
        if (!fill && started > MAX_THREADS - 1)
            fail("%u threads started in a child besides its main thread", started);
        if (fill)
            expect("kill", capos_process_kill(h), CAPOS_OK);
        for (int i = 0; i < 2; i++) {
            for (uint32_t k = 0; k < f[i].n; k++) {
                bool killed = false;
                r = join_raw(f[i].handles[k], 0, &killed);
                if (r != CAPOS_OK || !killed)
                    fail("join of a thread started in the child: %s, killed %d",
                         capos_error_name(r), killed);
                capos_release(f[i].handles[k]);
            }
        }
        expect("spawn into the killed child",
               spawn_raw_on(child_spawner, (uint64_t)(uintptr_t)foreign_spin,
                            (uint64_t)(uintptr_t)(foreign_stack + sizeof(foreign_stack)), 0, 0, 0,
                            0),
               CAPOS_ERR_PEER_GONE);
        expect_end("send-caps child", h, capos_ExitStatus_which_killed, 0, 0);
        capos_release(foreign);
        capos_release(child_spawner);
    }
    capos_release(server);
    capos_release(client);
    end();
}

static void park_foreign(void)
{
    struct waiter w = {&shared_word, 2000 * MS, 0, 0, -1};
    struct capos_thread *t;
    uint32_t h, woken = 99;
    begin("park-foreign");
    shared_word = 0;
    if (!start_waiter(&t, &w)) {
        end();
        return;
    }
    struct capos_grant g = {.name = "ppark", .cap = park, .mode = CAPOS_XFER_COPY};
    int r = spawn_child("foreign-park", 0, &g, 1, &h);
    if (r != CAPOS_OK)
        fail("spawn: %s", capos_error_name(r));
    sleep_ms(50); /* the child has woken nobody and waits on the same address */
    uint32_t total = wake_until(&shared_word, UINT32_MAX, 1);
    capos_thread_join(t, 0, 0);
    if (total != 1 || w.result != CAPOS_OK)
        fail("the parent's wake woke %u; its waiter returned %s", total,
             capos_error_name(w.result));
    expect("a second wake", capos_park_wake(park, &shared_word, UINT32_MAX, &woken), CAPOS_OK);
    if (woken != 0)
        fail("a second wake woke %u (the child's waiter?)", woken);
    if (r == CAPOS_OK)
        expect_end("foreign-park child (its code is the failed check)", h,
                   capos_ExitStatus_which_exited, 0, 0);
    end();
}

static int exit_garbage(void *arg)
{
    (void)arg;
    static const uint64_t junk[2] = {0xffffffffffffffffULL, 0xffffffffffffffffULL};
    int r = call_bytes(capos_thread_self()->control, capos_ThreadControl_INTERFACE_ID,
                       capos_ThreadControl_method_exit, junk, 16);
    return r == CAPOS_ERR_INVALID_ARGUMENT ? 55 : 56;
}

static void control_args(void)
{
    uint32_t ctl = capos_thread_self()->control;
    struct capos_thread *me = capos_thread_self();
    begin("control-args");
    static const uint64_t bad_tls[] = {CAPOS_USER_MAX, NONCANON, KERNEL_ADDR, ~0ULL};
    for (unsigned i = 0; i < sizeof(bad_tls) / sizeof(bad_tls[0]); i++) {
        char what[48];
        fmt_snprintf(what, sizeof(what), "setTls %#lx", (unsigned long)bad_tls[i]);
        expect(what, control_call(ctl, capos_ThreadControl_method_setTls, bad_tls[i]),
               CAPOS_ERR_INVALID_ARGUMENT);
    }
    if (capos_thread_self() != me)
        fail("the thread pointer changed");
    expect("setAffinity 0", control_call(ctl, capos_ThreadControl_method_setAffinity, 0),
           CAPOS_ERR_INVALID_ARGUMENT);
    if (ncpus < 64)
        expect("setAffinity to offline CPUs",
               control_call(ctl, capos_ThreadControl_method_setAffinity, ~((1ULL << ncpus) - 1)),
               CAPOS_ERR_INVALID_ARGUMENT);
    expect("setAffinity to every CPU",
           control_call(ctl, capos_ThreadControl_method_setAffinity, ~0ULL), CAPOS_OK);
    struct capos_thread *t;
    int code = -1;
    if (capos_thread_create(&t, exit_garbage, 0, 0) != CAPOS_OK ||
        capos_thread_join(t, &code, 0) != CAPOS_OK || code != 55)
        fail("exit with a malformed message: the thread ended with %d", code);
    end();
}

static void policy_case(void)
{
    uint32_t self_h, maxw = 0, narrow;
    bool lat = true;
    struct capos_thread_info info;
    begin("policy");
    if (!policy) {
        fail("no policy capability");
        end();
        return;
    }
    if (capos_thread_handle_self(&self_h) != CAPOS_OK ||
        capos_thread_info(self_h, &info) != CAPOS_OK) {
        fail("own handle or info");
        end();
        return;
    }
    uint32_t weight0 = info.weight;
    expect("limits", policy_limits(policy, &maxw, &lat), CAPOS_OK);
    if (maxw != 2048 || lat)
        fail("limits %u/%d, expected 2048 without latency", maxw, lat);
    uint16_t batch = capos_LatencyClass_batch;
    /* Sets the policy must refuse, of this thread (or of the ParkSpace). */
    static const struct {
        const char *what;
        bool park_as_thread;
        uint32_t ncaps, index, weight;
        uint16_t latency_class;
        int want;
    } refused[] = {
        {"weight 0", false, 1, 0, 0, capos_LatencyClass_batch, CAPOS_ERR_INVALID_ARGUMENT},
        {"weight 65537", false, 1, 0, 65537, capos_LatencyClass_batch, CAPOS_ERR_INVALID_ARGUMENT},
        {"weight above the policy's bound", false, 1, 0, 4096, capos_LatencyClass_batch,
         CAPOS_ERR_NOT_PERMITTED},
        {"latency class without permission", false, 1, 0, 1024, capos_LatencyClass_latency,
         CAPOS_ERR_NOT_PERMITTED},
        {"latency class 7", false, 1, 0, 1024, 7, CAPOS_ERR_INVALID_ARGUMENT},
        {"a ParkSpace as the thread", true, 1, 0, 1024, capos_LatencyClass_batch,
         CAPOS_ERR_INVALID_ARGUMENT},
        {"no capability", false, 0, 0, 1024, capos_LatencyClass_batch, CAPOS_ERR_INVALID_ARGUMENT},
        {"two capabilities", false, 2, 0, 1024, capos_LatencyClass_batch,
         CAPOS_ERR_INVALID_ARGUMENT},
        {"thread index past the capabilities", false, 1, 1, 1024, capos_LatencyClass_batch,
         CAPOS_ERR_INVALID_ARGUMENT},
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
        expect(refused[i].what,
               policy_set_raw(policy, refused[i].park_as_thread ? park : self_h, refused[i].ncaps,
                              refused[i].index, refused[i].weight, refused[i].latency_class),
               refused[i].want);
    if (capos_thread_info(self_h, &info) != CAPOS_OK || info.weight != weight0 || info.latency)
        fail("a refused set changed the weight to %u", info.weight);
    expect("weight 1500 by handle", policy_set_raw(policy, self_h, 1, 0, 1500, batch), CAPOS_OK);
    if (capos_thread_info(self_h, &info) != CAPOS_OK || info.weight != 1500)
        fail("weight %u after setting 1500", info.weight);
    expect("weight 1200 by ThreadControl",
           policy_set_raw(policy, capos_thread_self()->control, 1, 0, 1200, batch), CAPOS_OK);
    if (capos_thread_info(self_h, &info) != CAPOS_OK || info.weight != 1200)
        fail("weight %u after setting 1200", info.weight);
    expect("restrict wider", policy_restrict(policy, 4096, false, &narrow),
           CAPOS_ERR_NOT_PERMITTED);
    expect("restrict with latency", policy_restrict(policy, 1024, true, &narrow),
           CAPOS_ERR_NOT_PERMITTED);
    expect("restrict to 0", policy_restrict(policy, 0, false, &narrow), CAPOS_ERR_INVALID_ARGUMENT);
    int r = policy_restrict(policy, 1000, false, &narrow);
    expect("restrict to 1000", r, CAPOS_OK);
    if (r == CAPOS_OK) {
        expect("narrow limits", policy_limits(narrow, &maxw, &lat), CAPOS_OK);
        if (maxw != 1000 || lat)
            fail("narrow limits %u/%d", maxw, lat);
        expect("narrow: weight 1200", policy_set_raw(narrow, self_h, 1, 0, 1200, batch),
               CAPOS_ERR_NOT_PERMITTED);
        expect("narrow: restrict to 1001", policy_restrict(narrow, 1001, false, &maxw),
               CAPOS_ERR_NOT_PERMITTED);
        capos_release(narrow);
    }
    uint32_t ctl = capos_thread_self()->control;
    expect("lowerWeight above the current weight",
           control_call(ctl, capos_ThreadControl_method_lowerWeight, 1201),
           CAPOS_ERR_INVALID_ARGUMENT);
    expect("lowerWeight 0", control_call(ctl, capos_ThreadControl_method_lowerWeight, 0),
           CAPOS_ERR_INVALID_ARGUMENT);
    expect("lowerWeight 1100", control_call(ctl, capos_ThreadControl_method_lowerWeight, 1100),
           CAPOS_OK);
    if (capos_thread_info(self_h, &info) != CAPOS_OK || info.weight != 1100)
        fail("weight %u after lowering to 1100", info.weight);
    expect("restore the weight", policy_set_raw(policy, self_h, 1, 0, weight0, batch), CAPOS_OK);
    capos_release(self_h);
    end();
}

static void unknown_methods(void)
{
    uint32_t h;
    begin("unknown-methods");
    expect("ThreadSpawner method 1",
           call_bytes(tspawner, capos_ThreadSpawner_INTERFACE_ID, 1, 0, 0),
           CAPOS_ERR_UNKNOWN_METHOD);
    expect("ThreadControl method 10",
           call_bytes(capos_thread_self()->control, capos_ThreadControl_INTERFACE_ID, 10, 0, 0),
           CAPOS_ERR_UNKNOWN_METHOD);
    if (capos_thread_handle_self(&h) == CAPOS_OK) {
        expect("ThreadHandle method 2", call_bytes(h, capos_ThreadHandle_INTERFACE_ID, 2, 0, 0),
               CAPOS_ERR_UNKNOWN_METHOD);
        expect(
            "ThreadControl interface on a ThreadHandle",
            call_bytes(h, capos_ThreadControl_INTERFACE_ID, capos_ThreadControl_method_yield, 0, 0),
            CAPOS_ERR_WRONG_INTERFACE);
        capos_release(h);
    } else {
        fail("own handle");
    }
    expect("ParkSpace method 2", call_bytes(park, capos_ParkSpace_INTERFACE_ID, 2, 0, 0),
           CAPOS_ERR_UNKNOWN_METHOD);
    if (policy)
        expect("SchedulingPolicy method 3",
               call_bytes(policy, capos_SchedulingPolicy_INTERFACE_ID, 3, 0, 0),
               CAPOS_ERR_UNKNOWN_METHOD);
    expect("ParkSpace interface on a ThreadSpawner",
           call_bytes(tspawner, capos_ParkSpace_INTERFACE_ID, 0, 0, 0), CAPOS_ERR_WRONG_INTERFACE);
    end();
}

static void last_exit(void)
{
    static const struct {
        const char *role;
        int code;
    } roles[] = {{"last-exit", 42}, {"only-exit", 17}, {"exit-while-joined", 21}};
    begin("last-exit");
    for (unsigned i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
        uint32_t h;
        int r = spawn_child(roles[i].role, 0, 0, 0, &h);
        if (r != CAPOS_OK)
            fail("spawn %s: %s", roles[i].role, capos_error_name(r));
        else
            expect_end(roles[i].role, h, capos_ExitStatus_which_exited, roles[i].code, 0);
    }
    end();
}

/* The endpoint whose client facets free_cap_slots() mints. */
static uint32_t probe_server;

int main(int argc, char **argv)
{
    uint32_t probe_client;
    if (argc > 1 && argv[1][0]) {
        capos_capset_find("timer", capos_Timer_INTERFACE_ID, &timer);
        capos_capset_find("threads", capos_ThreadSpawner_INTERFACE_ID, &tspawner);
        park = capos_park_default();
        return child_main(argv[1], argc > 2 ? argv[2] : "");
    }
    if (capos_capset_find("timer", capos_Timer_INTERFACE_ID, &timer) != CAPOS_OK ||
        capos_capset_find("memory", capos_VirtualMemory_INTERFACE_ID, &memory) != CAPOS_OK ||
        capos_capset_find("threads", capos_ThreadSpawner_INTERFACE_ID, &tspawner) != CAPOS_OK ||
        capos_capset_find("spawner", capos_ProcessSpawner_INTERFACE_ID, &spawner) != CAPOS_OK ||
        !(park = capos_park_default())) {
        capos_printf("threads-hostile: setup: FAIL: missing capabilities\n");
        return 1;
    }
    capos_capset_find("policy", capos_SchedulingPolicy_INTERFACE_ID, &policy);
    if (capos_create_endpoint(spawner, &probe_server, &probe_client) != CAPOS_OK) {
        capos_printf("threads-hostile: setup: FAIL: createEndpoint\n");
        return 1;
    }
    capos_release(probe_client);
    ncpus = count_cpus();
    capos_printf("threads-hostile: %u CPUs\n", ncpus);
    case_name = "setup";
    uint32_t slots0 = free_cap_slots(probe_server, 1);

    spawn_bad_address();
    spawn_bad_affinity();
    thread_limit();
    bad_stack();
    join_self();
    join_twice();
    join_many();
    park_bad_address();
    park_wake_count();
    park_unmapped();
    kill_blocked();
    control_foreign();
    join_foreign_killed();
    spawn_into_child();
    park_foreign();
    control_args();
    policy_case();
    unknown_methods();
    last_exit();

    begin("no-leaks");
    uint32_t slots1 = free_cap_slots(probe_server, 1);
    if (slots1 != slots0)
        fail("%u free capability slots at the start, %u at the end", slots0, slots1);
    still_works("every case");
    end();

    capos_printf("threads-hostile: %u cases, %u failed\n", ncases, nfailed);
    return nfailed ? 1 : 0;
}
