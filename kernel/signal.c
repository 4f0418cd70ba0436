/*
 * Asynchronous signals: posting, waking a thread to take them, and the
 * SIGCHLD link from child to parent (signal.h, docs/signals.md).
 *
 * Posting sets a bit under the process's signal lock and, when the bit was
 * not pending already (a flood of one signal costs one wake-up), makes
 * every thread that does not block it notice: one waiting in cap_enter is
 * woken exactly as a completion would wake it (taken off as its ring's
 * waiter under the ring lock, so no other party wakes it too), one running
 * on another CPU gets a reschedule IPI and enters the kernel, whose return
 * to user mode delivers.  The threads' list is copied (with references)
 * under the process lock first, so the wake-ups run with no process lock
 * held.  O(threads), at most PROCESS_MAX_THREADS.
 */
#include "signal.h"

#include "abi/errors.h"
#include "arch.h"
#include "mm/kheap.h"
#include "percpu.h"
#include "process.h"
#include "sched.h"
#include "thread.h"
#include "usercopy.h"

static void link_put(struct sig_link *l)
{
    if (l && __atomic_sub_fetch(&l->refs, 1, __ATOMIC_ACQ_REL) == 0)
        kfree(l);
}

int signal_init(struct process *p, struct process *parent, struct ledger *l)
{
    struct process_signals *s = &p->sig;
    int err;
    s->lock = (struct spinlock)SPINLOCK_INIT("signals");
    s->wanted = ~0ULL;
    s->self = kheap_alloc(l, sizeof(*s->self), true, &err);
    if (!s->self)
        return err;
    s->self->lock = (struct spinlock)SPINLOCK_INIT("siglink");
    s->self->refs = 1;
    s->self->proc = p;
    if (parent && parent->sig.self) {
        s->parent = parent->sig.self;
        __atomic_fetch_add(&s->parent->refs, 1, __ATOMIC_RELAXED);
    }
    return CAPOS_OK;
}

void signal_release(struct process *p)
{
    link_put(p->sig.self);
    link_put(p->sig.parent);
    p->sig.self = p->sig.parent = NULL;
}

/* Makes p's threads that may take a pending signal notice it. */
static void signal_kick(struct process *p)
{
    struct thread *threads[PROCESS_MAX_THREADS];
    unsigned n = process_threads(p, threads, PROCESS_MAX_THREADS);
    unsigned me = this_cpu()->id;
    for (unsigned i = 0; i < n; i++) {
        struct thread *t = threads[i];
        if (signal_ready(&p->sig, __atomic_load_n(&t->sig_blocked, __ATOMIC_RELAXED))) {
            struct ring *r = &t->ring;
            uint64_t flags = spin_lock_irqsave(&r->lock);
            bool waiting = r->waiter == t;
            if (waiting)
                r->waiter = NULL;
            spin_unlock_irqrestore(&r->lock, flags);
            if (waiting) {
                sched_wake(t);
            } else {
                unsigned cpu = __atomic_load_n(&t->cpu, __ATOMIC_RELAXED);
                if (__atomic_load_n(&t->state, __ATOMIC_ACQUIRE) == THREAD_RUNNING && cpu != me)
                    smp_kick(cpu);
            }
        }
        thread_put(t);
    }
}

/* Marks sig pending in p with `info` if p wants it; kicks on a new bit. */
static int signal_post(struct process *p, unsigned sig, const struct capos_sig_info *info)
{
    struct process_signals *s = &p->sig;
    uint64_t bit = 1ULL << (sig - 1);
    uint64_t flags = spin_lock_irqsave(&s->lock);
    if (__atomic_load_n(&p->state, __ATOMIC_ACQUIRE) != PROCESS_ALIVE) {
        spin_unlock_irqrestore(&s->lock, flags);
        return CAPOS_ERR_PEER_GONE;
    }
    bool fresh = false;
    if (s->wanted & bit) {
        s->info[sig - 1] = *info;
        fresh = !(s->pending & bit);
        __atomic_store_n(&s->pending, s->pending | bit, __ATOMIC_RELEASE);
    }
    spin_unlock_irqrestore(&s->lock, flags);
    if (fresh)
        signal_kick(p);
    return CAPOS_OK;
}

int signal_send(struct process *p, unsigned sig, uint32_t from_pid)
{
    if (sig == 0 || sig > CAPOS_SIG_MAX || sig == CAPOS_SIGSTOP)
        return CAPOS_ERR_INVALID_ARGUMENT;
    if (sig == CAPOS_SIGKILL) {
        if (__atomic_load_n(&p->state, __ATOMIC_ACQUIRE) != PROCESS_ALIVE)
            return CAPOS_ERR_PEER_GONE;
        process_kill(p);
        return CAPOS_OK;
    }
    struct capos_sig_info info = {.pid = from_pid, .kind = CAPOS_SIG_SENT};
    return signal_post(p, sig, &info);
}

void signal_process_stopped(struct process *p)
{
    struct sig_link *self = p->sig.self;
    if (self) {
        spin_lock(&self->lock);
        self->proc = NULL; /* its children's SIGCHLD goes nowhere from now on */
        spin_unlock(&self->lock);
    }
}

void signal_process_reaped(struct process *p)
{
    struct sig_link *up = p->sig.parent;
    if (!up)
        return;
    struct capos_sig_info info = {.pid = p->pid};
    switch (p->status.kind) {
    case EXIT_CODE:
        info.kind = CAPOS_SIG_CHILD_EXITED;
        info.status = p->status.code;
        break;
    case EXIT_KILLED: info.kind = CAPOS_SIG_CHILD_KILLED; break;
    case EXIT_FAULTED:
        info.kind = CAPOS_SIG_CHILD_FAULTED;
        info.status = p->status.vector;
        break;
    }
    /* The parent stays readable while its link names it: it clears the
     * link (above, under the link's lock) before anything can free it. */
    spin_lock(&up->lock);
    struct process *parent = up->proc;
    if (parent)
        process_get(parent);
    spin_unlock(&up->lock);
    if (parent) {
        signal_post(parent, CAPOS_SIGCHLD, &info);
        process_put(parent);
    }
}

int signal_register(struct process *p, uint64_t entry, uint64_t lo, uint64_t hi, uint64_t wanted)
{
    struct process_signals *s = &p->sig;
    if (entry != 0 && (!user_range_ok(entry, 1) || hi < lo || !user_range_ok(lo, hi - lo)))
        return CAPOS_ERR_INVALID_ARGUMENT;
    wanted &= ~(1ULL << (CAPOS_SIGKILL - 1));
    uint64_t flags = spin_lock_irqsave(&s->lock);
    s->restore_lo = entry ? lo : 0;
    s->restore_hi = entry ? hi : 0;
    s->wanted = wanted;
    __atomic_store_n(&s->pending, s->pending & wanted, __ATOMIC_RELAXED);
    __atomic_store_n(&s->entry, entry, __ATOMIC_RELEASE);
    bool any = s->pending != 0;
    spin_unlock_irqrestore(&s->lock, flags);
    if (any && entry)
        signal_kick(p); /* posted before there was an entry */
    return CAPOS_OK;
}

void signal_exec(struct process *p)
{
    struct process_signals *s = &p->sig;
    uint64_t flags = spin_lock_irqsave(&s->lock);
    __atomic_store_n(&s->entry, 0, __ATOMIC_RELEASE);
    s->restore_lo = s->restore_hi = 0;
    s->wanted = ~0ULL;
    spin_unlock_irqrestore(&s->lock, flags);
}

void signal_fork(struct process *child, struct process *parent)
{
    struct process_signals *ps = &parent->sig, *cs = &child->sig;
    uint64_t flags = spin_lock_irqsave(&ps->lock);
    uint64_t entry = ps->entry, lo = ps->restore_lo, hi = ps->restore_hi, wanted = ps->wanted;
    spin_unlock_irqrestore(&ps->lock, flags);
    flags = spin_lock_irqsave(&cs->lock);
    cs->restore_lo = lo;
    cs->restore_hi = hi;
    cs->wanted = wanted;
    __atomic_store_n(&cs->entry, entry, __ATOMIC_RELEASE);
    spin_unlock_irqrestore(&cs->lock, flags);
}

uint64_t signal_take(struct thread *t, uint64_t rip, struct capos_sig_info *info, uint64_t *entry)
{
    struct process_signals *s = &t->proc->sig;
    uint64_t blocked = __atomic_load_n(&t->sig_blocked, __ATOMIC_RELAXED);
    if (likely(!signal_ready(s, blocked)))
        return 0;
    uint64_t flags = spin_lock_irqsave(&s->lock);
    uint64_t take =
        s->entry && !(rip >= s->restore_lo && rip < s->restore_hi) ? s->pending & ~blocked : 0;
    __atomic_store_n(&s->pending, s->pending & ~take, __ATOMIC_RELAXED);
    for (uint64_t b = take; b; b &= b - 1) {
        unsigned i = (unsigned)__builtin_ctzll(b);
        info[i] = s->info[i];
    }
    *entry = s->entry;
    spin_unlock_irqrestore(&s->lock, flags);
    return take;
}
