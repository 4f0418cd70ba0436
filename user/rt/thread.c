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

    struct capos_msg m;
    uint64_t res[8];
    uint32_t len;
    capos_msg_init(&m);
    capos_ThreadSpawner_spawn_Params_builder p = capos_ThreadSpawner_spawn_Params_init_root(&m.b);
    capos_ThreadSpawner_spawn_Params_set_entry(p, (uint64_t)(uintptr_t)capos_thread_entry);
    capos_ThreadSpawner_spawn_Params_set_stack(p, top);
    capos_ThreadSpawner_spawn_Params_set_tls(p, (uint64_t)(uintptr_t)t);
    capos_ThreadSpawner_spawn_Params_set_arg(p, (uint64_t)(uintptr_t)t);
    capos_ThreadSpawner_spawn_Params_set_affinity(p, opts ? opts->affinity : 0);
    int err = capos_client_call(spawner, capos_ThreadSpawner_INTERFACE_ID,
                                capos_ThreadSpawner_method_spawn, &m, res, sizeof(res), &len);
    struct capnp_reader r;
    if (err == CAPOS_OK && !capos_msg_read(&r, res, len))
        err = CAPOS_ERR_INVALID_ARGUMENT;
    if (err != CAPOS_OK) {
        free(block);
        return err;
    }
    /* The handle's cap id follows the result message. */
    t->handle = ((const uint32_t *)((const uint8_t *)res + CAPOS_CAPS_OFFSET(len)))[0];
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
    uint64_t res[8];
    uint32_t len;
    struct capnp_reader r;
    int err = capos_client_call(t->handle, capos_ThreadHandle_INTERFACE_ID,
                                capos_ThreadHandle_method_join, 0, res, sizeof(res), &len);
    if (err != CAPOS_OK)
        return err;
    if (!capos_msg_read(&r, res, len))
        return CAPOS_ERR_INVALID_ARGUMENT;
    capos_ThreadHandle_join_Results_reader j = capos_ThreadHandle_join_Results_read_root(&r);
    if (code)
        *code = capos_ThreadHandle_join_Results_get_code(j);
    if (killed)
        *killed = capos_ThreadHandle_join_Results_get_killed(j);
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
    struct capos_msg m;
    capos_msg_init(&m);
    capos_ThreadControl_exit_Params_set_code(capos_ThreadControl_exit_Params_init_root(&m.b), code);
    capos_client_call(self_control(), capos_ThreadControl_INTERFACE_ID,
                      capos_ThreadControl_method_exit, &m, 0, 0, 0);
    /* Only reached if the kernel refused: end the whole process instead. */
    capos_exit(code);
}

int capos_thread_set_affinity(uint64_t mask)
{
    struct capos_msg m;
    capos_msg_init(&m);
    capos_ThreadControl_setAffinity_Params_set_mask(
        capos_ThreadControl_setAffinity_Params_init_root(&m.b), mask);
    return capos_client_call(self_control(), capos_ThreadControl_INTERFACE_ID,
                             capos_ThreadControl_method_setAffinity, &m, 0, 0, 0);
}

int capos_thread_lower_weight(uint32_t weight)
{
    struct capos_msg m;
    capos_msg_init(&m);
    capos_ThreadControl_lowerWeight_Params_set_weight(
        capos_ThreadControl_lowerWeight_Params_init_root(&m.b), weight);
    return capos_client_call(self_control(), capos_ThreadControl_INTERFACE_ID,
                             capos_ThreadControl_method_lowerWeight, &m, 0, 0, 0);
}

int capos_thread_yield(void)
{
    return capos_client_call(self_control(), capos_ThreadControl_INTERFACE_ID,
                             capos_ThreadControl_method_yield, 0, 0, 0, 0);
}

int capos_thread_handle_self(uint32_t *handle)
{
    uint64_t res[8];
    uint32_t len;
    int err = capos_client_call(self_control(), capos_ThreadControl_INTERFACE_ID,
                                capos_ThreadControl_method_handle, 0, res, sizeof(res), &len);
    if (err == CAPOS_OK)
        *handle = ((const uint32_t *)((const uint8_t *)res + CAPOS_CAPS_OFFSET(len)))[0];
    return err;
}

int capos_thread_info(uint32_t handle, struct capos_thread_info *out)
{
    uint64_t res[16];
    uint32_t len;
    struct capnp_reader r;
    int err = capos_client_call(handle, capos_ThreadHandle_INTERFACE_ID,
                                capos_ThreadHandle_method_info, 0, res, sizeof(res), &len);
    if (err != CAPOS_OK)
        return err;
    if (!capos_msg_read(&r, res, len))
        return CAPOS_ERR_INVALID_ARGUMENT;
    capos_ThreadHandle_info_Results_reader i = capos_ThreadHandle_info_Results_read_root(&r);
    out->tid = capos_ThreadHandle_info_Results_get_tid(i);
    out->cpu = capos_ThreadHandle_info_Results_get_cpu(i);
    out->weight = capos_ThreadHandle_info_Results_get_weight(i);
    out->cpu_ns = capos_ThreadHandle_info_Results_get_cpuNs(i);
    out->affinity = capos_ThreadHandle_info_Results_get_affinity(i);
    out->latency =
        capos_ThreadHandle_info_Results_get_latencyClass(i) == capos_LatencyClass_latency;
    out->ended = capos_ThreadHandle_info_Results_get_ended(i);
    return CAPOS_OK;
}

int capos_sched_set(uint32_t policy, uint32_t thread, uint32_t weight, bool latency)
{
    struct capos_msg m;
    const uint8_t *out;
    uint32_t len;
    capos_msg_init(&m);
    capos_SchedulingPolicy_set_Params_builder p = capos_SchedulingPolicy_set_Params_init_root(&m.b);
    capos_SchedulingPolicy_set_Params_set_thread(p, 0);
    capos_SchedulingPolicy_set_Params_set_weight(p, weight);
    capos_SchedulingPolicy_set_Params_set_latencyClass(p, latency ? capos_LatencyClass_latency
                                                                  : capos_LatencyClass_batch);
    int err = capos_msg_finish(&m, &out, &len);
    if (err)
        return err;
    struct capos_xfer x = {.cap = thread, .mode = CAPOS_XFER_COPY};
    return capos_call(policy, capos_SchedulingPolicy_INTERFACE_ID,
                      capos_SchedulingPolicy_method_set, out, len, 0, 0, &x, 1, 0);
}

int capos_park_wait(uint32_t park, const uint32_t *addr, uint32_t expected, uint64_t timeout_ns)
{
    struct capos_msg m;
    capos_msg_init(&m);
    capos_ParkSpace_wait_Params_builder p = capos_ParkSpace_wait_Params_init_root(&m.b);
    capos_ParkSpace_wait_Params_set_addr(p, (uint64_t)(uintptr_t)addr);
    capos_ParkSpace_wait_Params_set_expected(p, expected);
    capos_ParkSpace_wait_Params_set_timeoutNs(p, timeout_ns);
    return capos_client_call(park, capos_ParkSpace_INTERFACE_ID, capos_ParkSpace_method_wait, &m, 0,
                             0, 0);
}

int capos_park_wake(uint32_t park, const uint32_t *addr, uint32_t count, uint32_t *woken)
{
    struct capos_msg m;
    uint64_t res[8];
    uint32_t len;
    struct capnp_reader r;
    capos_msg_init(&m);
    capos_ParkSpace_wake_Params_builder p = capos_ParkSpace_wake_Params_init_root(&m.b);
    capos_ParkSpace_wake_Params_set_addr(p, (uint64_t)(uintptr_t)addr);
    capos_ParkSpace_wake_Params_set_count(p, count);
    int err = capos_client_call(park, capos_ParkSpace_INTERFACE_ID, capos_ParkSpace_method_wake, &m,
                                res, sizeof(res), &len);
    if (err == CAPOS_OK && woken) {
        if (!capos_msg_read(&r, res, len))
            return CAPOS_ERR_INVALID_ARGUMENT;
        *woken = capos_ParkSpace_wake_Results_get_woken(capos_ParkSpace_wake_Results_read_root(&r));
    }
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
