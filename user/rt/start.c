/*
 * Runtime start-up: set up the first thread's control block and ring
 * client, point the FS base at the block, read the CapSet, then run main
 * and exit with its status.  A malformed CapSet region ends the process with
 * status 127 before main runs (126 if the thread pointer cannot be set).
 */
#include "abi/note.h"
#include "capos.h"

/* The whole first stack and image are committed at spawn (lib/abi/note.h):
 * like the heap's chunks (heap.c), a native program's memory never faults
 * for quota, and a spawn its quota cannot hold fails with quotaExceeded. */
CAPOS_NOTE(CAPOS_NOTE_COMMIT, capos_rt_commit);

__attribute__((noreturn)) void capos_rt_start(void *capset, void *ring, uint32_t control);

/* The first thread's control block (later threads get theirs from malloc). */
static struct capos_thread capos_main_thread;

__attribute__((noreturn)) void capos_exit(int code)
{
    capos_sys_exit(code);
}

__attribute__((noreturn)) void capos_rt_start(void *capset, void *ring, uint32_t control)
{
    struct capos_thread *t = &capos_main_thread;
    uint64_t arena[capos_ThreadControl_setTls_PARAMS_BYTES / 8];
    struct capnp_builder b;
    const uint8_t *msg;
    size_t len;
    t->self = t;
    t->control = control;
    capos_ring_init(&t->rc, ring);
    /* Point the FS base at the control block; until then the ring is
     * reached through t directly (the stubs use the thread pointer). */
    capnp_builder_init(&b, arena, sizeof(arena));
    capos_ThreadControl_setTls_args a = {.base = (uint64_t)(uintptr_t)t};
    capos_ThreadControl_setTls_encode_args(&b, &a);
    if (capnp_builder_finish(&b, &msg, &len) != CAPNP_OK ||
        capos_call_on(&t->rc, control, capos_ThreadControl_INTERFACE_ID,
                      capos_ThreadControl_method_setTls, msg, (uint32_t)len) != CAPOS_OK)
        capos_exit(126);
    if (capos_capset_init(capset) != 0)
        capos_exit(127);
    capos_exit(main(capos_argc(), capos_argv()));
}
