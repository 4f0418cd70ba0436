/*
 * fork: a copy-on-write copy of the calling process (fork.c).
 */
#ifndef CAPOS_KERNEL_FORK_H
#define CAPOS_KERNEL_FORK_H

#include "process.h"

/*
 * Makes a copy of `parent` (the process of the calling thread `caller`):
 * its address space copy-on-write, its capability table under the same
 * ids (less what fork.c's rule drops or replaces), and one thread that
 * starts at `entry` with stack pointer `stack` and rdi = `arg`.  Its
 * ledger is new, below the parent's, with the parent's limit.  `spawner`
 * (may be NULL) is the ProcessSpawner counting it (process.h, `spawner`;
 * a reference is taken).  On success the copy runs and the caller holds
 * a reference (process_put); on failure *err is the ErrorCode and nothing
 * of the copy is left: the parent is as it was, but for pages made
 * read-only that its next write makes writable again in place.
 */
struct process *process_fork(struct process *parent, struct thread *caller, uint64_t entry,
                             uint64_t stack, uint64_t arg, struct kobj *spawner, int *err);

#endif
