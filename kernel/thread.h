/*
 * Threads: the unit the scheduler runs.  A thread belongs to a process (or
 * to no process: the per-CPU idle threads) and owns a kernel stack.  While a
 * user thread runs in the kernel, the top of its kernel stack holds its user
 * register state (a struct trap_frame); when it is switched out,
 * `saved_rsp` points at its callee-saved registers below that.
 *
 * States: READY (on a run queue) -> RUNNING (current on a CPU) -> READY
 * (preempted) or BLOCKED (waiting; exactly one party will wake it) or DEAD
 * (the CPU that switches away from it frees its stack).
 *
 * Scheduler fields (sched.c explains the protocol): `lock` serialises a
 * wake-up against the thread's own switch-out; `on_rq` is true while the
 * thread is queued or current on CPU `cpu`; `on_cpu` is true from the moment
 * a CPU picks the thread until that CPU has saved its registers after
 * switching away, and no other CPU may run it meanwhile.
 */
#ifndef CAPOS_KERNEL_THREAD_H
#define CAPOS_KERNEL_THREAD_H

#include "base/compiler.h"
#include "mm/kstack.h"
#include "queue/queue.h"
#include "reaper.h"
#include "ring.h"
#include "sched/sched.h"
#include "spinlock.h"

struct process;

enum thread_state {
    THREAD_NEW, /* created, not yet handed to the scheduler: wake-ups ignore it */
    THREAD_READY,
    THREAD_RUNNING,
    THREAD_BLOCKED,
    THREAD_DEAD,
};

struct thread {
    uint64_t saved_rsp; /* valid while not running */
    uint32_t refs;      /* the scheduler's, plus orphaned calls' */
    uint64_t kstack_top;
    struct process *proc;
    enum thread_state state;
    struct spinlock lock;
    struct sched_entity se;
    uint8_t on_cpu;
    bool on_rq;
    bool donating;       /* its entity is still CPU `cpu`'s current one (donation) */
    unsigned cpu;        /* queue it is on, or the CPU it last ran on */
    uint64_t blocked_ns; /* when it last blocked (sleeper placement) */
    uint64_t run_ns;     /* CPU time used */
    uint64_t fs_base;    /* user TLS base (ThreadControl.setTls) */
    uint64_t clear_tid;  /* word zeroed and woken at ThreadControl.exit (0: none) */
    /* End of the thread, as ThreadHandle.join reports it; these and the
     * joiners list are guarded by proc->lock.  Joins complete once the
     * thread is gone (its slot, ring and quota back with the process), so
     * a joiner may start another thread at once. */
    bool ended;
    bool gone;
    bool killed;
    int32_t exit_code;
    struct queue joiners;        /* ThreadHandle.join ops, oldest first */
    struct reap_work reap_joins; /* joins beyond the first batch (reaper.h) */
    bool ops_reaped;             /* the reaper has cancelled its ops (process lock) */
    int ring_slot;               /* index of its ring's address (-1: the first thread's) */
    /* ThreadControl.exit seen, or another thread's exec ended this one
     * (exec.c, which stores it from another CPU): ring_enter, a wait and
     * the return to user mode end the thread. */
    bool exit_requested;
    /* ProcessSpawner.exec replaced its process's program (exec.c): its
     * cap_enter stops consuming, resets the ring and returns into the new
     * program (ring_enter_finish). */
    bool exec_restart;
    uint32_t control_id;      /* the ThreadControl it was started with ... */
    struct kobj *control_obj; /* ... and its object (identity only, no reference) */
    int32_t exit_request_code;
    unsigned tid;
    bool is_idle;
    bool timed_out;               /* set by the timer when a timed block expires */
    uint64_t sig_blocked;         /* signals never delivered to it (setSignalMask) */
    struct thread *proc_next;     /* the process's thread list */
    struct ring ring;             /* this thread's capability ring */
    uint8_t fpu[512] ALIGNED(16); /* FXSAVE image of the user's x87/SSE state */
};

/* A user thread for `p` that will enter user mode at `entry` with stack
 * pointer `sp` and rdi/rsi = arg0/arg1; its struct and kernel stack are
 * charged to p's ledger.  NULL with *err set to quotaExceeded or noMemory
 * on failure. */
struct thread *thread_create_user(struct process *p, uint64_t entry, uint64_t sp, uint64_t arg0,
                                  uint64_t arg1, int *err);

/* A kernel thread (no process) that will run fn(arg) once sched_add'ed;
 * charged to the kernel's ledger; NULL when out of memory.  fn never
 * returns: kernel threads live as long as the machine. */
struct thread *thread_create_kernel(void (*fn)(void *), void *arg);

/* Frees a dead thread's stack and drops the scheduler's reference (never
 * the running thread). */
void thread_destroy(struct thread *t);

/* Destroys a thread that never ran and was never on its process's thread
 * list (a creation that failed before its commit): frees its stack, gives
 * back its quota and drops the creator's reference; t->proc stays valid
 * for any remaining reference. */
void thread_discard(struct thread *t);

static inline void thread_get(struct thread *t)
{
    __atomic_fetch_add(&t->refs, 1, __ATOMIC_RELAXED);
}

/* Frees a thread whose last reference is gone (thread_put). */
void thread_free(struct thread *t);

static inline void thread_put(struct thread *t)
{
    if (__atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) == 0)
        thread_free(t);
}

#endif
