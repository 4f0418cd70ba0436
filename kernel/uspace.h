/*
 * Copies into and out of the memory of a process that may not be the
 * current one (completions that arrive while another process runs).  The
 * target's page tables are walked page by page; only present user pages
 * (writable ones, for writes) are touched, through the direct map.
 */
#ifndef CAPOS_KERNEL_USPACE_H
#define CAPOS_KERNEL_USPACE_H

#include "base/compiler.h"
#include "usercopy.h"

struct process;

bool uspace_write(struct process *p, uptr dst, const void *src, uint64_t len) WARN_UNUSED;
bool uspace_read(struct process *p, void *dst, uptr src, uint64_t len) WARN_UNUSED;

#endif
