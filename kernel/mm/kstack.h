/*
 * Kernel stacks for threads: KSTACK_PAGES pages in the kernel virtual area,
 * each with an unmapped guard page below it, so an overflow faults (and is
 * reported through the double-fault IST stack) instead of corrupting memory.
 * A stack's frames are charged to the ledger of the thread that uses it.
 */
#ifndef CAPOS_KERNEL_MM_KSTACK_H
#define CAPOS_KERNEL_MM_KSTACK_H

#include "base/compiler.h"

#define KSTACK_PAGES 4
#define KSTACK_SIZE  (KSTACK_PAGES * 4096)
/* Freed stacks kept mapped for reuse, charged to the kernel's ledger;
 * enough for a burst of thread churn. */
#define KSTACK_CACHE_MAX 64

struct ledger;

/* A stack charged to ledger l; returns its top address, or 0 with *err (if
 * given) set to quotaExceeded or noMemory. */
uint64_t kstack_alloc(struct ledger *l, int *err);
/* Frees the stack whose top kstack_alloc returned, uncharging l. */
void kstack_free(uint64_t top, struct ledger *l);

/* Stacks in the reuse cache right now (for reports). */
unsigned kstack_cached(void);

#endif
