/*
 * The two capOS system calls.  Everything else a program does goes through
 * its ring (ring.h) and capabilities.
 *
 * They are functions (syscall.S), not inline assembly, so that every
 * `syscall` instruction of a capOS program lies in one of these two: the
 * build checks each user ELF for that (tests/posix/scan_syscalls.py), which
 * also proves that no Linux system call is left in the C library.
 */
#ifndef CAPOS_USER_RT_SYSCALL_H
#define CAPOS_USER_RT_SYSCALL_H

#include <stdint.h>

#include "abi/ring.h"

/* Processes submissions, then waits for `min_complete` completions or the
 * timeout (CAPOS_WAIT_FOREVER, or 0 to not wait).  Returns the number of
 * completions available, or a negative ErrorCode. */
int64_t capos_cap_enter(uint32_t min_complete, uint64_t timeout_ns);

/* Ends the whole process with `code`. */
__attribute__((noreturn)) void capos_sys_exit(int32_t code);

#endif
