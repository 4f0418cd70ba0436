/*
 * Copies into and out of the memory of a process that may not be the
 * current one (completions that arrive while another process runs).  The
 * target's page tables are walked page by page; only user pages (writable
 * ones, for writes) are touched, through the direct map, untouched pages
 * of the target's VirtualMemory regions being filled first.
 */
#ifndef CAPOS_KERNEL_USPACE_H
#define CAPOS_KERNEL_USPACE_H

#include "base/compiler.h"
#include "usercopy.h"

struct process;

bool uspace_write(struct process *p, uptr dst, const void *src, uint64_t len) WARN_UNUSED;
bool uspace_read(struct process *p, void *dst, uptr src, uint64_t len) WARN_UNUSED;

/* For the IPC fast path: writes a message of at most USPACE_LOCKED_PAGES
 * pages into p, which need not be the current process, with p->lock held
 * by the caller.  Every page is checked (user, writable; filled if it is an
 * untouched region page) before any byte is written, so a false return
 * leaves p's memory untouched. */
#define USPACE_LOCKED_PAGES 2
bool uspace_write_locked(struct process *p, uptr dst, const void *src, uint64_t len) WARN_UNUSED;

#endif
