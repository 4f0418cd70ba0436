/*
 * The wait queues behind ParkSpace (object/park.c): a process's waiters,
 * keyed by address, in PARK_BUCKETS hashed buckets that live in the
 * process itself.  Every ParkSpace a process holds, and the kernel's own
 * wake of a thread's clear-tid word, reach the same queues: a waiter is
 * found by (process, address) alone, as a futex is.
 */
#ifndef CAPOS_KERNEL_PARKQ_H
#define CAPOS_KERNEL_PARKQ_H

#include "base/compiler.h"
#include "spinlock.h"

#define PARK_BUCKETS 64

struct pending_op;
struct process;

struct park_bucket {
    struct spinlock lock;
    struct pending_op *head, *tail; /* FIFO: oldest waiter first */
};

/* Initialises p's buckets (process creation). */
void park_init_process(struct process *p);

/* Completes up to `count` waiters on `addr` of p, oldest first (at most
 * PARK_WAKE_MAX), and returns how many. */
uint32_t park_wake_word(struct process *p, uint64_t addr, uint32_t count);

#endif
