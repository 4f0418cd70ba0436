/*
 * Runtime start-up: set up the ring client and the CapSet, then run main
 * and exit with its status.  A malformed CapSet region ends the process with
 * status 127 before main runs.
 */
#include "capos.h"

__attribute__((noreturn)) void capos_rt_start(void *capset, void *ring);

__attribute__((noreturn)) void capos_exit(int code)
{
    capos_sys_exit(code);
}

__attribute__((noreturn)) void capos_rt_start(void *capset, void *ring)
{
    capos_ring_init(ring);
    if (capos_capset_init(capset) != 0)
        capos_exit(127);
    capos_exit(main(capos_argc(), capos_argv()));
}
