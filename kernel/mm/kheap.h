/*
 * Kernel heap for kernel objects.  kmalloc returns NULL when memory is
 * exhausted; every caller handles that as an ordinary error (there are no
 * allocation asserts).  Blocks are 16-byte aligned.  For page-aligned memory
 * (page tables, stacks) use the PMM directly.
 */
#ifndef CAPOS_KERNEL_MM_KHEAP_H
#define CAPOS_KERNEL_MM_KHEAP_H

#include "base/compiler.h"

void *kmalloc(size_t size) WARN_UNUSED;
void *kzalloc(size_t size) WARN_UNUSED;
void kfree(void *p);

struct kheap_stats {
    uint64_t bytes_in_use; /* requested bytes of live blocks */
    uint64_t blocks_in_use;
    uint64_t pages;    /* frames owned by the heap (slabs and large blocks) */
    uint64_t failures; /* allocations refused for lack of memory */
};

void kheap_stats(struct kheap_stats *out);

/* Allocates, checks and frees blocks of many sizes; false on any mismatch. */
bool kheap_self_test(void);

#endif
