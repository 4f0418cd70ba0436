/*
 * The two capOS system calls.  Everything else a program does goes through
 * its ring (ring.h) and capabilities.
 */
#ifndef CAPOS_USER_RT_SYSCALL_H
#define CAPOS_USER_RT_SYSCALL_H

#include <stdint.h>

#include "abi/ring.h"

/* Processes submissions, then waits for `min_complete` completions or the
 * timeout (CAPOS_WAIT_FOREVER, or 0 to not wait).  Returns the number of
 * completions available, or a negative ErrorCode. */
static inline int64_t capos_cap_enter(uint32_t min_complete, uint64_t timeout_ns)
{
    int64_t ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"((uint64_t)CAPOS_SYS_CAP_ENTER), "D"((uint64_t)min_complete),
                       "S"(timeout_ns)
                     : "rcx", "r11", "memory");
    return ret;
}

static inline __attribute__((noreturn)) void capos_sys_exit(int32_t code)
{
    __asm__ volatile("syscall"
                     :
                     : "a"((uint64_t)CAPOS_SYS_EXIT), "D"((uint64_t)(int64_t)code)
                     : "rcx", "r11", "memory");
    __builtin_unreachable();
}

#endif
