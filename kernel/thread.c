/*
 * Thread creation and destruction.  A thread's stack is freed only by a CPU
 * that is no longer running on it (the scheduler's zombie hand-off), and the
 * last thread of an exited process takes the process's memory with it.
 *
 * Every user thread's t->proc is set once, at creation, and never changes;
 * the struct holds a reference on that process until the struct itself is
 * freed.  So whoever holds a thread (a pending operation's owner, a
 * ThreadHandle or ThreadControl, a CPU finishing a switch) may read
 * t->proc, take its locks and find its address space gone (root 0), never
 * freed memory or NULL.  Only the per-CPU idle threads have no process.
 *
 * A thread's kernel memory is charged to its process's ledger: the struct
 * (with its ring's two fast-path operations) and the pending operations it
 * allocates on demand through the heap, the kernel stack through
 * kstack_alloc.  The stack is uncharged when it is freed; the struct and
 * the operations its ring keeps free when the last reference to it goes
 * (kfree knows the ledger).
 */
#include "thread.h"

#include "arch.h"
#include "mm/kheap.h"
#include "mm/kstack.h"
#include "mm/ledger.h"
#include "mm/pmm.h"
#include "process.h"
#include "sched.h"

static unsigned thread_next_tid = 1;

struct thread *thread_create_user(struct process *p, uint64_t entry, uint64_t sp, uint64_t arg0,
                                  uint64_t arg1, int *err)
{
    struct thread *t = kheap_alloc(p->ledger, sizeof(*t), true, err);
    if (!t)
        return NULL;
    t->kstack_top = kstack_alloc(p->ledger, err);
    if (!t->kstack_top) {
        kfree(t);
        return NULL;
    }
    t->proc = p;
    process_get(p); /* t->proc stays readable as long as t does */
    t->refs = 1;
    t->tid = __atomic_fetch_add(&thread_next_tid, 1, __ATOMIC_RELAXED);
    sched_thread_init(t);
    arch_thread_setup_user(t, entry, sp, arg0, arg1);
    return t;
}

struct thread *thread_create_kernel(void (*fn)(void *), void *arg)
{
    int err;
    struct thread *t = kheap_alloc(&kernel_ledger, sizeof(*t), true, &err);
    if (!t)
        return NULL;
    t->kstack_top = kstack_alloc(&kernel_ledger, &err);
    if (!t->kstack_top) {
        kfree(t);
        return NULL;
    }
    t->refs = 1; /* the scheduler's; a kernel thread never ends */
    /* tid 0, like the idle threads: thread ids name user threads. */
    sched_thread_init(t);
    arch_thread_setup_kernel(t, fn, arg);
    return t;
}

void thread_free(struct thread *t)
{
    struct process *p = t->proc;
    pending_pool_release(&t->ring);
    kfree(t);
    if (p)
        process_put(p);
}

void thread_destroy(struct thread *t)
{
    struct process *p = t->proc;
    if (p) {
        kstack_free(t->kstack_top, p->ledger);
        t->kstack_top = 0;
        process_thread_gone(p, t);
    }
    thread_put(t);
}

void thread_discard(struct thread *t)
{
    /* On no thread list, so there is nothing to tell the process; t->proc
     * stays set (and referenced) until the last reference to t goes, like
     * every user thread's.  The struct's charge goes with its last
     * reference (kfree knows the ledger). */
    kstack_free(t->kstack_top, t->proc->ledger);
    t->kstack_top = 0;
    thread_put(t);
}
