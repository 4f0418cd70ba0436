/*
 * Threads, parking and locks for capOS programs.
 *
 * A thread is created in the program's own address space through the
 * "threads" ThreadSpawner capability.  Each thread has its own ring (ring.h
 * finds the calling thread's client through its control block), so threads
 * make calls concurrently without sharing queues.  The control block sits at
 * the bottom of the memory that also holds the thread's stack, both from
 * malloc; the FS base points at it (%fs:0 holds its address, as the x86-64
 * TLS convention expects).
 *
 * capos_mutex is a three-state lock (unlocked, locked, locked with waiters)
 * that sleeps in the kernel through the "park" ParkSpace capability when it
 * has to wait; without one it spins and yields.  The heap uses it, so
 * malloc and free are safe from any thread.
 */
#ifndef CAPOS_USER_RT_THREAD_H
#define CAPOS_USER_RT_THREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ring.h"

struct capos_thread {
    struct capos_thread *self;   /* offset 0: %fs:0 */
    struct capos_ring_client rc; /* offset 8: this thread's ring client */
    uint32_t control;            /* its ThreadControl */
    uint32_t handle;             /* the creator's ThreadHandle (0 for the first thread) */
    int (*fn)(void *);
    void *arg;
    void *block; /* the allocation holding this block and the stack */
};

_Static_assert(__builtin_offsetof(struct capos_thread, rc) == 8, "ring.h reads %fs:0 + 8");

static inline struct capos_thread *capos_thread_self(void)
{
    struct capos_thread *t;
    __asm__("movq %%fs:0, %0" : "=r"(t));
    return t;
}

struct capos_thread_opts {
    size_t stack_size; /* 0: CAPOS_THREAD_STACK_DEFAULT */
    uint64_t affinity; /* CPU mask; 0: the creator's */
};

#define CAPOS_THREAD_STACK_DEFAULT (64 * 1024)

/* Starts fn(arg) in a new thread; *out identifies it for join.  Returns an
 * ErrorCode (notFound if the program has no "threads" capability). */
int capos_thread_create(struct capos_thread **out, int (*fn)(void *), void *arg,
                        const struct capos_thread_opts *opts);

/* Waits for t to end and frees it: *code gets its exit code, *killed
 * whether its process stopped it first (either may be NULL). */
int capos_thread_join(struct capos_thread *t, int *code, bool *killed);

/* Ends the calling thread (the process ends if it was the last). */
__attribute__((noreturn)) void capos_thread_exit(int code);

/* The calling thread's scheduling controls (ThreadControl). */
int capos_thread_set_affinity(uint64_t mask);
int capos_thread_lower_weight(uint32_t weight);
int capos_thread_yield(void);
/* A ThreadHandle for the calling thread (for SchedulingPolicy.set). */
int capos_thread_handle_self(uint32_t *handle);
/* ThreadHandle.info of a handle. */
struct capos_thread_info {
    uint32_t tid, cpu, weight;
    uint64_t cpu_ns, affinity;
    bool latency, ended;
};
int capos_thread_info(uint32_t handle, struct capos_thread_info *out);

/* SchedulingPolicy.set: weight and class (latency = true) of the thread
 * that `thread` (a ThreadHandle or ThreadControl) names. */
int capos_sched_set(uint32_t policy, uint32_t thread, uint32_t weight, bool latency);

/* ParkSpace: wait while *addr == expected (timeout 0 = none); wake up to
 * count waiters.  Return an ErrorCode (wouldBlock, timedOut, ...). */
int capos_park_wait(uint32_t park, const uint32_t *addr, uint32_t expected, uint64_t timeout_ns);
int capos_park_wake(uint32_t park, const uint32_t *addr, uint32_t count, uint32_t *woken);

/* The program's "park" capability, looked up once (0 if it has none). */
uint32_t capos_park_default(void);

struct capos_mutex {
    uint32_t state; /* 0 unlocked, 1 locked, 2 locked and someone may wait */
};

#define CAPOS_MUTEX_INIT                                                                           \
    {                                                                                              \
        0                                                                                          \
    }

void capos_mutex_lock(struct capos_mutex *m);
void capos_mutex_unlock(struct capos_mutex *m);

#endif
