/*
 * Stopping the machine.  panic() is for broken kernel invariants only (never
 * for bad input from a process): it prints the reason and a backtrace, stops
 * the other CPUs and exits QEMU with a failure status.  system_exit() is the
 * orderly end used when the system has nothing left to run.
 */
#ifndef CAPOS_KERNEL_PANIC_H
#define CAPOS_KERNEL_PANIC_H

#include "base/compiler.h"

/* Values written to QEMU's isa-debug-exit port; QEMU exits with (v << 1) | 1. */
enum system_exit_code {
    SYSTEM_EXIT_SUCCESS = 0, /* QEMU status 1 */
    SYSTEM_EXIT_FAILURE = 1, /* QEMU status 3 */
};

NORETURN void panic(const char *fmt, ...) PRINTF_LIKE(1, 2);
NORETURN void system_exit(enum system_exit_code code);

/* Starts the panic path: interrupts off, other CPUs stopped, printk lock-free.
 * Returns false if a panic is already under way (the caller must then exit
 * without reporting, to avoid recursion). */
bool panic_begin(void);

/* True once any CPU has started panicking; fault handlers use it to avoid
 * recursive reports. */
bool panic_in_progress(void);

/* Prints a backtrace starting at the given frame pointer. */
void backtrace_print(uintptr_t rip, uintptr_t rbp);

/* Kernel invariant check: panics with file and line when `cond` is false. */
#define KASSERT(cond)                                                                              \
    do {                                                                                           \
        if (unlikely(!(cond)))                                                                     \
            panic("assertion failed: %s (%s:%d)", #cond, __FILE__, __LINE__);                      \
    } while (0)

#endif
