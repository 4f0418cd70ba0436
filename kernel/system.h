/*
 * System start-up from the boot manifest and the orderly end (see system.c).
 */
#ifndef CAPOS_KERNEL_SYSTEM_H
#define CAPOS_KERNEL_SYSTEM_H

#include "base/compiler.h"

struct process;

/* Validates the manifest, reports it and starts its services. */
void system_start(const void *manifest, uint64_t len);

/* Finds a binary of the boot manifest by name (elf/len may be NULL). */
bool system_find_binary(const char *name, size_t len, const uint8_t **elf, uint64_t *elf_len);

/* Called by every new thread right before it first enters user mode
 * (switch.S): reports when the first thread of init got there. */
void system_thread_started(void);

/* Called once for every process that stops, to report its status. */
void system_process_stopped(struct process *p);

/* Prints the kernel's memory: frames free and charged (against the sum
 * when init started), the kernel heap, and what processes hold.  At halt,
 * and with the debug key's report (stall.c). */
void system_report_memory(void);

/* Reports the counters and ends the machine: the last process stopped.  The
 * exit status is success only if init exited with status 0. */
NORETURN void system_halt(void);

#endif
