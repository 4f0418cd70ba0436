/*
 * rawcall.h: the raw calls of the programs that test the kernel's
 * interfaces below the runtime (user/tests/): they build and decode the
 * messages themselves, on capabilities the runtime did not create.  Needs
 * nothing from the program that includes it.
 */
#ifndef CAPOS_USER_TESTS_RAWCALL_H
#define CAPOS_USER_TESTS_RAWCALL_H

#include "capos.h"

#include "base/mem.h"

/* The first capability id of a result of len bytes. */
static inline uint32_t result_cap(const uint64_t *res, uint32_t len)
{
    return ((const uint32_t *)((const uint8_t *)res + CAPOS_CAPS_OFFSET(len)))[0];
}

/* ThreadSpawner.spawn through `sp` with exactly these parameters; *handle
 * (if not NULL) gets the ThreadHandle, else it is released. */
static inline int spawn_raw_on(uint32_t sp, uint64_t entry, uint64_t stack, uint64_t tls,
                               uint64_t arg, uint64_t affinity, uint32_t *handle)
{
    struct capos_msg m;
    uint64_t res[8];
    uint32_t len = 0;
    capos_msg_init(&m);
    capos_ThreadSpawner_spawn_Params_builder p = capos_ThreadSpawner_spawn_Params_init_root(&m.b);
    capos_ThreadSpawner_spawn_Params_set_entry(p, entry);
    capos_ThreadSpawner_spawn_Params_set_stack(p, stack);
    capos_ThreadSpawner_spawn_Params_set_tls(p, tls);
    capos_ThreadSpawner_spawn_Params_set_arg(p, arg);
    capos_ThreadSpawner_spawn_Params_set_affinity(p, affinity);
    int err = capos_client_call(sp, capos_ThreadSpawner_INTERFACE_ID,
                                capos_ThreadSpawner_method_spawn, &m, res, sizeof(res), &len);
    if (err == CAPOS_OK) {
        if (handle)
            *handle = result_cap(res, len);
        else
            capos_release(result_cap(res, len));
    }
    return err;
}

/* ThreadHandle.join on a handle the runtime did not create; *code and
 * *killed (each if not NULL) get the result. */
static inline int join_raw(uint32_t h, int *code, bool *killed)
{
    uint64_t res[8];
    uint32_t len = 0;
    struct capnp_reader r;
    int err = capos_client_call(h, capos_ThreadHandle_INTERFACE_ID, capos_ThreadHandle_method_join,
                                0, res, sizeof(res), &len);
    if (err != CAPOS_OK)
        return err;
    if (!capos_msg_read(&r, res, len))
        return CAPOS_ERR_INVALID_ARGUMENT;
    capos_ThreadHandle_join_Results_reader j = capos_ThreadHandle_join_Results_read_root(&r);
    if (code)
        *code = capos_ThreadHandle_join_Results_get_code(j);
    if (killed)
        *killed = capos_ThreadHandle_join_Results_get_killed(j);
    return CAPOS_OK;
}

/* SchedulingPolicy.limits of `pol`. */
static inline int policy_limits(uint32_t pol, uint32_t *max_weight, bool *latency)
{
    uint64_t res[8];
    uint32_t len = 0;
    struct capnp_reader r;
    int e = capos_client_call(pol, capos_SchedulingPolicy_INTERFACE_ID,
                              capos_SchedulingPolicy_method_limits, 0, res, sizeof(res), &len);
    if (e != CAPOS_OK)
        return e;
    if (!capos_msg_read(&r, res, len))
        return CAPOS_ERR_INVALID_ARGUMENT;
    capos_SchedulingPolicy_limits_Results_reader l =
        capos_SchedulingPolicy_limits_Results_read_root(&r);
    *max_weight = capos_SchedulingPolicy_limits_Results_get_maxWeight(l);
    *latency = capos_SchedulingPolicy_limits_Results_get_latency(l);
    return CAPOS_OK;
}

/* A grant of process_spawn_raw: a kernel capability of `kind`, or (kernel
 * false) the capability the call transfers, with `interface_id` if not 0. */
struct raw_grant {
    const char *name;
    bool kernel;
    enum capos_KernelCapKind kind;
    uint64_t interface_id;
};

/* A raw_grant of the kernel capability of kind capos_KernelCapKind_<kind>. */
#define RAW_KERNEL_GRANT(grant_name, kind_suffix)                                                  \
    {                                                                                              \
        .name = (grant_name), .kernel = true, .kind = capos_KernelCapKind_##kind_suffix            \
    }

#define RAW_SPAWN_RESULT 128 /* the largest result buffer process_spawn_raw offers */

/* ProcessSpawner.spawn through `via` of `binary` named `name`, with the
 * grants g[0..ng) and argv, handing over `xfer` (copied; none if 0) and
 * offering a result buffer of res_len bytes (at most RAW_SPAWN_RESULT).
 * The message is built on the caller's stack, so any thread may spawn at
 * any time.  On success *handle gets the first capability id of the result
 * and *ncaps the count of them. */
static inline int process_spawn_raw(uint32_t via, const char *binary, const char *name,
                                    const struct raw_grant *g, uint32_t ng, const char *const *argv,
                                    uint32_t argc, uint32_t xfer, uint32_t res_len,
                                    uint32_t *handle, uint32_t *ncaps)
{
    struct capos_msg m;
    struct capos_xfer x = {.cap = xfer, .mode = CAPOS_XFER_COPY};
    uint64_t res[RAW_SPAWN_RESULT / 8];
    struct capos_cqe cqe;
    const uint8_t *out;
    uint32_t len;
    capos_msg_init(&m);
    capos_ProcessSpawner_spawn_Params_builder p = capos_ProcessSpawner_spawn_Params_init_root(&m.b);
    capos_ProcessSpawner_spawn_Params_set_binary(p, binary, strlen(binary));
    capos_ProcessSpawner_spawn_Params_set_name(p, name, strlen(name));
    capos_SpawnGrant_builder_list gl = capos_ProcessSpawner_spawn_Params_init_grants(p, ng);
    for (uint32_t i = 0; i < ng; i++) {
        capos_SpawnGrant_builder b = capos_SpawnGrant_list_at(gl, i);
        capos_SpawnGrant_set_name(b, g[i].name, strlen(g[i].name));
        if (g[i].kernel) {
            capos_KernelCap_set_kind(capos_SpawnGrant_init_kernel(b), g[i].kind);
        } else {
            capos_SpawnGrant_set_cap(b, 0);
            if (g[i].interface_id)
                capos_SpawnGrant_set_interfaceId(b, g[i].interface_id);
        }
    }
    struct capnp_list_builder al = capos_ProcessSpawner_spawn_Params_init_argv(p, argc);
    for (uint32_t i = 0; i < argc; i++)
        capnp_lb_set_text(al, i, argv[i], strlen(argv[i]));
    int err = capos_msg_finish(&m, &out, &len);
    if (err)
        return err;
    err =
        capos_call(via, capos_ProcessSpawner_INTERFACE_ID, capos_ProcessSpawner_method_spawn, out,
                   len, res, res_len < sizeof(res) ? res_len : sizeof(res), &x, xfer ? 1 : 0, &cqe);
    if (err == CAPOS_OK) {
        *handle = result_cap(res, cqe.result_len);
        *ncaps = cqe.ncaps;
    }
    return err;
}

#endif
