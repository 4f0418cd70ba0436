/*
 * Kernel stacks for threads: KSTACK_PAGES pages in the kernel virtual area,
 * each with an unmapped guard page below it, so an overflow faults (and is
 * reported through the double-fault IST stack) instead of corrupting memory.
 */
#ifndef CAPOS_KERNEL_MM_KSTACK_H
#define CAPOS_KERNEL_MM_KSTACK_H

#include "base/compiler.h"

#define KSTACK_PAGES 4
#define KSTACK_SIZE  (KSTACK_PAGES * 4096)

/* Returns the stack's top address, or 0 when out of memory. */
uint64_t kstack_alloc(void);
/* Frees the stack whose top kstack_alloc returned. */
void kstack_free(uint64_t top);

#endif
