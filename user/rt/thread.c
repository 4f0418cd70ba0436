/*
 * Threads, ParkSpace and the mutex (see thread.h).
 *
 * Start of a thread: ThreadSpawner.spawn with the entry capos_thread_entry
 * (crt0.S), the top of the new stack, the control block as both FS base and
 * argument.  The kernel starts it with rsi = its ring and rdx = its
 * ThreadControl; capos_thread_start sets up the ring client, runs fn and
 * ends the thread with fn's result.  The creator keeps the ThreadHandle;
 * join waits on it, then releases it and frees the block and stack (the
 * thread is gone from user mode by then: it ended inside the kernel).
 */
#include "capos.h"

#include "base/mem.h"

__attribute__((noreturn)) void capos_thread_start(struct capos_thread *t, void *ring,
                                                  uint32_t control);
extern const char capos_thread_entry[];

/* A capability of the CapSet, looked up once; 0 when absent.  Lookups race
 * harmlessly: every thread finds the same id. */
static uint32_t cached_cap(uint32_t *slot, int *state, const char *name, uint64_t iid)
{
    int s = __atomic_load_n(state, __ATOMIC_ACQUIRE);
    if (s == 0) {
        uint32_t cap = 0;
        s = capos_capset_find(name, iid, &cap) == CAPOS_OK ? 1 : -1;
        __atomic_store_n(slot, cap, __ATOMIC_RELAXED);
        __atomic_store_n(state, s, __ATOMIC_RELEASE);
    }
    return s > 0 ? __atomic_load_n(slot, __ATOMIC_RELAXED) : 0;
}

static uint32_t spawner_cap, park_cap;
static int spawner_state, park_state;

uint32_t capos_park_default(void)
{
    return cached_cap(&park_cap, &park_state, "park", capos_ParkSpace_INTERFACE_ID);
}

int capos_thread_create(struct capos_thread **out, int (*fn)(void *), void *arg,
                        const struct capos_thread_opts *opts)
{
    uint32_t spawner =
        cached_cap(&spawner_cap, &spawner_state, "threads", capos_ThreadSpawner_INTERFACE_ID);
    if (!spawner)
        return CAPOS_ERR_NOT_FOUND;
    size_t stack = opts && opts->stack_size ? opts->stack_size : CAPOS_THREAD_STACK_DEFAULT;
    size_t total = sizeof(struct capos_thread) + stack;
    if (total < stack)
        return CAPOS_ERR_INVALID_ARGUMENT;
    uint8_t *block = malloc(total);
    if (!block)
        return CAPOS_ERR_NO_MEMORY;
    struct capos_thread *t = (struct capos_thread *)block;
    memset(t, 0, sizeof(*t));
    t->self = t;
    t->fn = fn;
    t->arg = arg;
    t->block = block;
    uint64_t top = ((uint64_t)(uintptr_t)(block + total)) & ~15ULL;

    capos_ThreadSpawner_spawn_args a = {.entry = (uint64_t)(uintptr_t)capos_thread_entry,
                                        .stack = top,
                                        .tls = (uint64_t)(uintptr_t)t,
                                        .arg = (uint64_t)(uintptr_t)t,
                                        .affinity = opts ? opts->affinity : 0};
    capos_ThreadSpawner_spawn_results r;
    int err = capos_ThreadSpawner_spawn_call(spawner, &a, &r, 0);
    if (err != CAPOS_OK) {
        free(block);
        return err;
    }
    t->handle = r.handle;
    *out = t;
    return CAPOS_OK;
}

__attribute__((noreturn)) void capos_thread_start(struct capos_thread *t, void *ring,
                                                  uint32_t control)
{
    capos_ring_init(&t->rc, ring);
    t->control = control;
    capos_thread_exit(t->fn(t->arg));
}

int capos_thread_join(struct capos_thread *t, int *code, bool *killed)
{
    capos_ThreadHandle_join_results r;
    int err = capos_ThreadHandle_join_call(t->handle, 0, &r, 0);
    if (err != CAPOS_OK)
        return err;
    if (code)
        *code = r.code;
    if (killed)
        *killed = r.killed;
    capos_release(t->handle);
    free(t->block);
    return CAPOS_OK;
}

/* The calling thread's ThreadControl. */
static uint32_t self_control(void)
{
    return capos_thread_self()->control;
}

__attribute__((noreturn)) void capos_thread_exit(int code)
{
    capos_ThreadControl_exit_args a = {.code = code};
    capos_ThreadControl_exit_call(self_control(), &a, 0, 0);
    /* Only reached if the kernel refused: end the whole process instead. */
    capos_exit(code);
}

int capos_thread_set_affinity(uint64_t mask)
{
    capos_ThreadControl_setAffinity_args a = {.mask = mask};
    return capos_ThreadControl_setAffinity_call(self_control(), &a, 0, 0);
}

int capos_thread_lower_weight(uint32_t weight)
{
    capos_ThreadControl_lowerWeight_args a = {.weight = weight};
    return capos_ThreadControl_lowerWeight_call(self_control(), &a, 0, 0);
}

int capos_thread_yield(void)
{
    return capos_ThreadControl_yield_call(self_control(), 0, 0, 0);
}

int capos_thread_handle_self(uint32_t *handle)
{
    capos_ThreadControl_handle_results r;
    int err = capos_ThreadControl_handle_call(self_control(), 0, &r, 0);
    if (err == CAPOS_OK)
        *handle = r.handle;
    return err;
}

int capos_thread_info(uint32_t handle, struct capos_thread_info *out)
{
    capos_ThreadHandle_info_results r;
    int err = capos_ThreadHandle_info_call(handle, 0, &r, 0);
    if (err != CAPOS_OK)
        return err;
    out->tid = r.tid;
    out->cpu = r.cpu;
    out->weight = r.weight;
    out->cpu_ns = r.cpuNs;
    out->affinity = r.affinity;
    out->latency = r.latencyClass == capos_LatencyClass_latency;
    out->ended = r.ended;
    return CAPOS_OK;
}

int capos_sched_set(uint32_t policy, uint32_t thread, uint32_t weight, bool latency)
{
    struct capos_xfer x = {.cap = thread, .mode = CAPOS_XFER_COPY};
    struct capos_rpc_opts o = {.xfer = &x, .nxfer = 1};
    capos_SchedulingPolicy_set_args a = {.thread = 0,
                                         .weight = weight,
                                         .latencyClass = latency ? capos_LatencyClass_latency
                                                                 : capos_LatencyClass_batch};
    return capos_SchedulingPolicy_set_call(policy, &a, 0, &o);
}

int capos_park_wait(uint32_t park, const uint32_t *addr, uint32_t expected, uint64_t timeout_ns)
{
    capos_ParkSpace_wait_args a = {
        .addr = (uint64_t)(uintptr_t)addr, .expected = expected, .timeoutNs = timeout_ns};
    return capos_ParkSpace_wait_call(park, &a, 0, 0);
}

int capos_park_wake(uint32_t park, const uint32_t *addr, uint32_t count, uint32_t *woken)
{
    capos_ParkSpace_wake_args a = {.addr = (uint64_t)(uintptr_t)addr, .count = count};
    capos_ParkSpace_wake_results r;
    int err = capos_ParkSpace_wake_call(park, &a, &r, 0);
    if (err == CAPOS_OK && woken)
        *woken = r.woken;
    return err;
}

/*
 * The mutex (after Drepper, "Futexes Are Tricky"): 0 free, 1 held, 2 held
 * and possibly waited for.  Only a holder that saw 2 pays for a wake.
 */
void capos_mutex_lock(struct capos_mutex *m)
{
    uint32_t c = 0;
    if (__atomic_compare_exchange_n(&m->state, &c, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        return;
    uint32_t park = capos_park_default();
    if (c != 2)
        c = __atomic_exchange_n(&m->state, 2, __ATOMIC_ACQUIRE);
    while (c != 0) {
        if (park)
            capos_park_wait(park, &m->state, 2, 0);
        else
            capos_thread_yield();
        c = __atomic_exchange_n(&m->state, 2, __ATOMIC_ACQUIRE);
    }
}

void capos_mutex_unlock(struct capos_mutex *m)
{
    if (__atomic_exchange_n(&m->state, 0, __ATOMIC_RELEASE) == 2) {
        uint32_t park = capos_park_default();
        if (park)
            capos_park_wake(park, &m->state, 1, 0);
    }
}
