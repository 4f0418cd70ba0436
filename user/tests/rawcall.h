/*
 * rawcall.h: the raw calls of the programs that test the kernel's
 * interfaces below the runtime (user/tests/): they build and decode the
 * messages themselves, on capabilities the runtime did not create.  Needs
 * nothing from the program that includes it.
 */
#ifndef CAPOS_USER_TESTS_RAWCALL_H
#define CAPOS_USER_TESTS_RAWCALL_H

#include "capos.h"

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

#endif
