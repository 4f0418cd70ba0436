/*
 * The scheduler: one run queue per CPU, ordered by weighted virtual runtime
 * (the pure core in lib/sched), with a direct hand-off for synchronous IPC,
 * wake-up placement across CPUs, stealing by idle and underloaded CPUs, and
 * per-thread affinity.  See sched.h for the contract and docs/scheduling.md
 * for the policy.
 *
 * Locks: a thread's `lock`, then a CPU's rq_lock.  Two rq locks are held
 * together only by a stealer, lowest CPU id first.  Interrupts are off in
 * the kernel, so the timer tick never interrupts a lock holder.
 *
 * Blocking and waking.  A thread blocks in two steps: it sets BLOCKED while
 * still running (after registering on some wait structure under that
 * structure's lock), then switches out in schedule(), which takes its thread
 * lock and, if it is still BLOCKED, takes it off its queue (on_rq = false).
 * A waker takes the thread lock.  A BLOCKED thread still on_rq has not
 * switched out yet, so it simply becomes RUNNING again and schedule() keeps
 * it.  A thread off its queue is placed on a CPU, but only after on_cpu has
 * dropped: the CPU that switched away from it may still be saving its
 * registers, and no two CPUs may ever run on one stack.  The waiting waker
 * holds no run queue lock, and the switching CPU needs no thread lock to
 * finish its switch, so the wait always ends.
 *
 * Direct switch.  A synchronous wake-up (IPC: the waker is about to block
 * for the woken thread) on a CPU the woken thread may use does not queue
 * it: it becomes this CPU's `handoff` (READY, on_rq, its entity still
 * detached).  When the current thread then blocks, schedule() makes the
 * handoff thread current directly, without the heap and without a choice;
 * if the current thread does not block (it returns to user mode, yields or
 * is preempted) the handoff thread is queued like any woken thread.
 *
 * Time-slice donation.  The direct switch itself leaves the run queue and
 * the clock alone: the thread switched to runs on the slice of the thread
 * whose entity is the queue's current one (the CPU's `donor`, a thread that
 * blocked in a direct switch), and the time is charged at the next real
 * scheduling event on the CPU (a tick, a block that is not a direct switch,
 * a preemption, a wake-up or change of the donor from elsewhere), which
 * first makes the queue say what it would have said after the direct
 * switches (sched_donation_end: one run-queue hand-off from the donor to
 * the `donee`, the thread running).  A round trip of synchronous IPC
 * that ends where it began (the donor's partner switches straight back
 * to it) never touches the run queue.  The time between two charges goes
 * to the thread running at the second (docs/scheduling.md, "Time-slice
 * donation").
 *
 * Invariants: a thread is on a queue (QUEUED or CURRENT entity) iff on_rq,
 * except a CPU's handoff thread and donee, which are on_rq with a detached
 * entity, and a CPU's donor, whose entity is the CURRENT one of that CPU's
 * queue while the thread is BLOCKED and not on_rq;
 * a QUEUED thread is never on_cpu except as the current thread of its own
 * CPU between the pick and the switch; idle threads have no queue entry.
 */
#include "sched.h"

#include "arch.h"
#include "base/mem.h"
#include "switch.h"
#include "panic.h"
#include "percpu.h"
#include "spinlock.h"
#include "stall.h"
#include "time.h"

/* Ticks between balance checks of a busy CPU (idle CPUs check on every
 * wake-up). */
#define SCHED_BALANCE_TICKS 25

static struct thread idle_threads[MAX_CPUS];

enum sched_place {
    PLACE_NEW,   /* a thread that never ran */
    PLACE_WOKEN, /* a thread that slept */
    PLACE_MOVED, /* a runnable thread moved off a CPU it may no longer use */
};

static inline struct thread *se_thread(struct sched_entity *se)
{
    return container_of(se, struct thread, se);
}

static inline unsigned sched_ncpus(void)
{
    return __atomic_load_n(&cpu_count, __ATOMIC_ACQUIRE);
}

/* A snapshot of every CPU's load, read without their locks: a value may be
 * a moment old, which only makes a placement slightly worse, never wrong. */
static void sched_loads(struct sched_load *out, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        const struct sched_rq *rq = &cpus[i].rq;
        out[i].weight = __atomic_load_n(&rq->load_weight, __ATOMIC_RELAXED);
        out[i].nr_queued = __atomic_load_n(&rq->nr_queued, __ATOMIC_RELAXED);
        out[i].nr_running =
            out[i].nr_queued + (__atomic_load_n(&rq->curr, __ATOMIC_RELAXED) != NULL);
    }
}

/* Charges the current thread for the time since it was last charged; rq
 * lock held. */
static ALWAYS_INLINE void sched_charge_current(struct cpu *c, uint64_t now)
{
    struct thread *t = c->current;
    uint64_t d = now > c->charge_ns ? now - c->charge_ns : 0;
    c->charge_ns = now;
    if (t->is_idle) {
        c->idle_ns += d;
        return;
    }
    t->run_ns += d;
    sched_charge(&t->se, d);
}

/* Ends c's time-slice donation, if there is one: the donor's entity
 * leaves the queue and the donee's becomes current, as the direct switches
 * since the last scheduling event would have left them (not charged: the
 * time goes to the entity current at the next charge).  c->rq_lock held;
 * c may be another CPU (a wake-up of its donor). */
static ALWAYS_INLINE void sched_donation_end(struct cpu *c, uint64_t now)
{
    if (likely(c->donor == NULL))
        return;
    struct thread *donor = c->donor, *next = c->donee;
    c->donor = NULL;
    c->donee = NULL;
    if (!sched_rq_handoff(&c->rq, &next->se, now > next->blocked_ns ? now - next->blocked_ns : 0))
        panic("sched: donation to thread %u cannot end", next->tid);
    /* After the entity's last change: a waker that sees false may place it. */
    __atomic_store_n(&donor->donating, false, __ATOMIC_RELEASE);
}

/* A thread whose entity is still its CPU's current one while it is off
 * the queue (a donor): the donation ends before anyone places it or
 * changes its entity.  t->lock held, t BLOCKED and switched out. */
static void sched_donor_release(struct thread *t)
{
    if (likely(!__atomic_load_n(&t->donating, __ATOMIC_ACQUIRE)))
        return;
    /* Only t's CPU makes it a donor (under its rq lock, with t current
     * there and t->lock held), and t cannot run until woken under t->lock:
     * t->cpu is fixed, and `donating` goes false only under that CPU's rq
     * lock. */
    struct cpu *c = &cpus[t->cpu];
    spin_lock(&c->rq_lock);
    if (t->donating)
        sched_donation_end(c, time_now_ns());
    spin_unlock(&c->rq_lock);
}

/* Makes t (woken synchronously, thread lock held, off every queue and CPU)
 * this CPU's handoff thread if it may run here; false if it cannot. */
static ALWAYS_INLINE bool sched_try_handoff(struct thread *t)
{
    struct cpu *c = this_cpu();
    if (c->handoff || c->current->is_idle || !(t->se.allowed_cpus & (1ULL << c->id)))
        return false;
    if (t->cpu != c->id)
        sched_migrate_adjust(&t->se,
                             __atomic_load_n(&cpus[t->cpu].rq.min_vruntime, __ATOMIC_RELAXED),
                             __atomic_load_n(&c->rq.min_vruntime, __ATOMIC_RELAXED));
    t->cpu = c->id;
    t->on_rq = true;
    __atomic_store_n(&t->state, THREAD_READY, __ATOMIC_RELEASE);
    c->handoff = t;
    return true;
}

/* Queues this CPU's handoff thread like any woken thread (the current
 * thread did not block after all); rq lock held. */
static void sched_handoff_queue(struct cpu *c, uint64_t now)
{
    struct thread *t = c->handoff;
    c->handoff = NULL;
    sched_place_woken(&c->rq, &t->se, now > t->blocked_ns ? now - t->blocked_ns : 0);
    if (!sched_rq_enqueue(&c->rq, &t->se))
        panic("sched: handoff thread %u already queued", t->tid);
    if (sched_should_preempt(c->rq.curr, &t->se))
        c->need_resched = true;
}

/*
 * Puts a thread that is on no queue and on no CPU onto a run queue: the
 * CPU is chosen among its allowed ones (sync: the waker is about to block
 * for it), its virtual runtime placed, and the chosen CPU told to reschedule
 * if the newcomer should preempt what runs there.  Thread lock held.
 */
static void sched_activate(struct thread *t, enum sched_place how, bool sync)
{
    struct cpu *self = this_cpu();
    unsigned n = sched_ncpus();
    unsigned target = self->id;

    uint64_t online = n < 64 ? (1ULL << n) - 1 : ~0ULL;
    uint64_t allowed = t->se.allowed_cpus & online;
    if (n > 1 && allowed && (allowed & (allowed - 1)) == 0) {
        /* One CPU allowed: sched_choose_wake_cpu could only choose it. */
        target = (unsigned)__builtin_ctzll(allowed);
    } else if (n > 1) {
        struct sched_load loads[MAX_CPUS];
        sched_loads(loads, n);
        int r = sched_choose_wake_cpu(loads, n, self->id, how == PLACE_NEW ? ~0u : t->cpu,
                                      t->se.allowed_cpus, sync);
        /* Affinity masks always name an online CPU; if not, stay here
         * rather than lose the thread. */
        if (r != SCHED_NO_CPU)
            target = (unsigned)r;
    }
    struct cpu *c = &cpus[target];
    uint64_t src_min = 0;
    bool moved = how != PLACE_NEW && t->cpu != target;
    if (moved)
        src_min = __atomic_load_n(&cpus[t->cpu].rq.min_vruntime, __ATOMIC_RELAXED);

    spin_lock(&c->rq_lock);
    uint64_t now = time_now_ns();
    if (how == PLACE_NEW) {
        sched_place_new(&c->rq, &t->se);
    } else {
        if (moved)
            sched_migrate_adjust(&t->se, src_min, sched_rq_update_min(&c->rq));
        if (how == PLACE_WOKEN)
            sched_place_woken(&c->rq, &t->se, now > t->blocked_ns ? now - t->blocked_ns : 0);
    }
    if (!sched_rq_enqueue(&c->rq, &t->se))
        panic("sched: thread %u enqueued twice", t->tid);
    t->cpu = target;
    t->on_rq = true;
    __atomic_store_n(&t->state, THREAD_READY, __ATOMIC_RELEASE);
    bool preempt = sched_should_preempt(c->rq.curr, &t->se);
    if (preempt)
        __atomic_store_n(&c->need_resched, true, __ATOMIC_RELEASE);
    spin_unlock(&c->rq_lock);
    if (preempt && target != self->id) {
        if (self->kick_defer)
            self->kick_mask |= 1ULL << target;
        else
            smp_kick(target);
    }
}

void sched_kicks_defer(void)
{
    this_cpu()->kick_defer++;
}

void sched_kicks_flush(void)
{
    struct cpu *self = this_cpu();
    if (--self->kick_defer)
        return;
    uint64_t mask = self->kick_mask;
    self->kick_mask = 0;
    while (mask) {
        unsigned cpu = (unsigned)__builtin_ctzll(mask);
        mask &= mask - 1;
        smp_kick(cpu);
    }
}

static void sched_wait_off_cpu(struct thread *t)
{
    while (__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE)) {
        smp_poll();
        cpu_relax();
    }
}

void sched_add(struct thread *t)
{
    spin_lock(&t->lock);
    KASSERT(t->state == THREAD_NEW);
    sched_activate(t, PLACE_NEW, false);
    spin_unlock(&t->lock);
}

/* sched_wake, with `sync` saying whether the waker is about to block for
 * t; called with t->lock held, which it drops. */
static ALWAYS_INLINE void sched_wake_locked(struct thread *t, bool sync)
{
    if (t->state != THREAD_BLOCKED) {
        spin_unlock(&t->lock);
        return;
    }
    if (t->on_rq) {
        /* Woken between preparing to block and switching out: it keeps
         * running (schedule() sees RUNNING and keeps it on its queue). */
        __atomic_store_n(&t->state, THREAD_RUNNING, __ATOMIC_RELEASE);
        spin_unlock(&t->lock);
        return;
    }
    sched_wait_off_cpu(t);
    sched_donor_release(t);
    /* A synchronous wake-up first tries the direct switch, which needs
     * none of sched_activate's placement. */
    if (!sync || !sched_try_handoff(t))
        sched_activate(t, PLACE_WOKEN, sync);
    spin_unlock(&t->lock);
}

void sched_wake(struct thread *t)
{
    spin_lock(&t->lock);
    sched_wake_locked(t, this_cpu()->sync_wake);
}

bool sched_wake_sync_slow(struct thread *t)
{
    sched_wake_locked(t, true);
    return t == this_cpu()->handoff;
}

void sched_kick(struct thread *t)
{
    sched_wake(t);
    /* A thread running elsewhere enters the kernel on the IPI and sees its
     * process stopped before it returns to user mode. */
    unsigned cpu = __atomic_load_n(&t->cpu, __ATOMIC_RELAXED);
    if (__atomic_load_n(&t->state, __ATOMIC_ACQUIRE) == THREAD_RUNNING && cpu != this_cpu()->id)
        smp_kick(cpu);
}

/* Runs on the new thread's stack right after every switch (and first in a
 * new thread): finishes what the previous thread could not do for itself
 * while its registers were live. */
void sched_switch_tail(void)
{
    struct cpu *c = this_cpu();
    if (c->zombie) {
        thread_destroy(c->zombie);
        c->zombie = NULL;
    }
    if (c->migrate) {
        struct thread *t = c->migrate;
        c->migrate = NULL;
        spin_lock(&t->lock);
        sched_activate(t, PLACE_MOVED, false);
        spin_unlock(&t->lock);
    }
}

/* schedule() in every case but the direct switch: prev is charged, the rq
 * lock held (and prev's lock if prev_locked). */
static NOINLINE void schedule_general(struct cpu *c, struct thread *prev, bool prev_locked,
                                      uint64_t now)
{
    struct thread *next = NULL;

    if (!prev->is_idle) {
        if (prev->state == THREAD_RUNNING || prev->state == THREAD_READY) {
            bool stay = prev->se.allowed_cpus & (1ULL << c->id);
            sched_rq_put_curr(&c->rq, stay);
            prev->state = THREAD_READY;
            if (!stay) {
                prev->on_rq = false;
                c->migrate = prev;
            }
        } else {
            sched_rq_put_curr(&c->rq, false);
            prev->on_rq = false;
            prev->blocked_ns = now;
        }
    }
    if (prev_locked)
        spin_unlock(&prev->lock);

    /* The direct switch: the thread this one woke for itself takes over
     * the CPU if this one left it. */
    if (c->handoff) {
        if (prev->on_rq || prev->is_idle) {
            sched_handoff_queue(c, now);
        } else {
            next = c->handoff;
            c->handoff = NULL;
            sched_place_woken(&c->rq, &next->se,
                              now > next->blocked_ns ? now - next->blocked_ns : 0);
            if (!sched_rq_attach_curr(&c->rq, &next->se))
                panic("sched: handoff thread %u already on a queue", next->tid);
        }
    }
    /* A hinted thread (the partner of the call that just blocked this one)
     * runs next if it is still waiting here. */
    struct thread *h = c->hint;
    c->hint = NULL;
    if (h) {
        if (!next && h->se.state == SCHED_QUEUED && h->se.rq == &c->rq &&
            sched_rq_set_curr(&c->rq, &h->se))
            next = h;
        thread_put(h);
    }
    if (!next) {
        struct sched_entity *se = sched_rq_pick_next(&c->rq);
        next = se ? se_thread(se) : c->idle;
    }
    if (!next->is_idle)
        next->state = THREAD_RUNNING;
    if (next != prev)
        c->pick_ns = now;
    spin_unlock(&c->rq_lock);

    c->need_resched = false;
    if (next == prev)
        return;
    c->switches++;
    if (prev->state == THREAD_DEAD)
        c->zombie = prev;
    c->current = next;
    c->current_tid = next->tid;
    __atomic_store_n(&next->on_cpu, 1, __ATOMIC_RELAXED);
    arch_switch(prev, next);
    /* Running as `prev` again, possibly much later and on another CPU. */
    c = this_cpu();
    if (c->zombie || c->migrate)
        sched_switch_tail();
}

/* The end of every fast switch below: next (picked, its state set) takes
 * the CPU from prev; c->rq_lock is dropped.  Returns when prev runs again,
 * possibly much later and on another CPU. */
static ALWAYS_INLINE void sched_switch_to(struct cpu *c, struct thread *prev, struct thread *next)
{
    spin_unlock(&c->rq_lock);
    c->need_resched = false;
    c->switches++;
    c->current = next;
    c->current_tid = next->tid;
    __atomic_store_n(&next->on_cpu, 1, __ATOMIC_RELAXED);
    arch_switch(prev, next);
    c = this_cpu();
    if (unlikely(c->zombie || c->migrate))
        sched_switch_tail();
}

/* sched_switch_to for a switch that read the clock (`now`): the pick's time
 * is kept for the next charge. */
static ALWAYS_INLINE void sched_switch_finish(struct cpu *c, struct thread *prev,
                                              struct thread *next, uint64_t now)
{
    c->pick_ns = now;
    sched_switch_to(c, prev, next);
}

/* The direct switch of synchronous IPC: prev (BLOCKED, locked, charged at
 * `now`) leaves the queue and c's handoff thread becomes current, in one
 * step of the run queue (what schedule_general's steps do for it); both
 * locks are dropped. */
static ALWAYS_INLINE void sched_direct_switch(struct cpu *c, struct thread *prev, uint64_t now)
{
    struct thread *next = c->handoff;
    c->handoff = NULL;
    if (!sched_rq_handoff(&c->rq, &next->se, now > next->blocked_ns ? now - next->blocked_ns : 0))
        panic("sched: direct switch from thread %u to %u refused", prev->tid, next->tid);
    prev->on_rq = false;
    prev->blocked_ns = now;
    spin_unlock(&prev->lock);
    next->state = THREAD_RUNNING;
    sched_switch_finish(c, prev, next, now);
}

/*
 * The direct switch of synchronous IPC with time-slice donation: prev
 * (BLOCKED, locked, not the idle thread) leaves the CPU and c's handoff
 * thread runs on the slice prev ran on, without a clock read, a charge or
 * a run-queue step.  The queue's current entity stays the donor's (prev's,
 * if prev was not itself running on a donated slice); a switch back to the
 * donor ends the donation with nothing to do.  Both locks are dropped.
 */
static ALWAYS_INLINE void sched_donate_switch(struct cpu *c, struct thread *prev)
{
    struct thread *next = c->handoff;
    struct thread *donor = c->donor ? c->donor : prev;
    c->handoff = NULL;
    if (next == donor) {
        /* Back to the thread whose entity is current: nothing to end. */
        c->donor = NULL;
        c->donee = NULL;
        donor->donating = false;
    } else {
        c->donor = donor;
        c->donee = next;
        donor->donating = true;
    }
    prev->on_rq = false;
    prev->blocked_ns = c->charge_ns; /* the last time this CPU read the clock */
    spin_unlock(&prev->lock);
    next->state = THREAD_RUNNING;
    sched_switch_to(c, prev, next);
}

/* What schedule_general does for the idle thread (prev, charged at `now`,
 * rq locked) when there is no hand-off thread or hint: the first queued
 * thread runs, if there is one.  The lock is dropped. */
static NOINLINE void sched_switch_from_idle(struct cpu *c, struct thread *prev, uint64_t now)
{
    struct sched_entity *se = sched_rq_pick_next(&c->rq);
    if (!se) {
        spin_unlock(&c->rq_lock);
        c->need_resched = false;
        return;
    }
    struct thread *next = se_thread(se);
    next->state = THREAD_RUNNING;
    sched_switch_finish(c, prev, next, now);
}

/*
 * Switches to the next thread of this CPU (or its idle thread).  The caller
 * has set the current thread's state: RUNNING or READY threads stay queued
 * (or move, if their affinity no longer allows this CPU), BLOCKED and DEAD
 * ones leave the queue.
 */
static void schedule(void)
{
    struct cpu *c = this_cpu();
    struct thread *prev = c->current;

    /* Only a waker turns BLOCKED into something else, under the thread
     * lock; RUNNING changes only here.  So an unlocked read that sees
     * RUNNING is final, and a BLOCKED one is re-read under the lock. */
    enum thread_state st = __atomic_load_n(&prev->state, __ATOMIC_ACQUIRE);
    bool prev_locked = st == THREAD_BLOCKED || st == THREAD_DEAD;
    if (prev_locked)
        spin_lock(&prev->lock);
    spin_lock(&c->rq_lock);
    uint64_t now = time_now_ns();
    sched_donation_end(c, now);
    sched_charge_current(c, now);
    if (c->handoff && !c->hint && prev->state == THREAD_BLOCKED)
        sched_direct_switch(c, prev, now);
    else if (prev->is_idle && !c->handoff && !c->hint)
        sched_switch_from_idle(c, prev, now);
    else
        schedule_general(c, prev, prev_locked, now);
}

/* What schedule_general does when prev (BLOCKED, locked, charged at
 * `now`) leaves a CPU with nothing queued, no hand-off thread and no hint:
 * prev leaves the queue and the idle thread runs.  Both locks are dropped.
 * A CPU whose partner runs elsewhere does this at every call it waits
 * for. */
static NOINLINE void sched_switch_to_idle(struct cpu *c, struct thread *prev, uint64_t now)
{
    struct thread *next = c->idle;
    if (!sched_rq_put_curr(&c->rq, false))
        panic("sched: thread %u blocked without being current", prev->tid);
    prev->on_rq = false;
    prev->blocked_ns = now;
    spin_unlock(&prev->lock);
    sched_switch_finish(c, prev, next, now);
}

/* schedule() for a thread that blocked (sched_block_commit saw it
 * BLOCKED; a wake-up may have come since, which the state under the lock
 * tells), laid out for the direct switch of synchronous IPC and for a
 * CPU left with nothing to run. */
void sched_switch_blocked(void)
{
    struct cpu *c = this_cpu();
    struct thread *prev = c->current;
    spin_lock(&prev->lock);
    spin_lock(&c->rq_lock);
    if (likely(!c->hint && prev->state == THREAD_BLOCKED && c->handoff != NULL)) {
        sched_donate_switch(c, prev);
        return;
    }
    uint64_t now = time_now_ns();
    sched_donation_end(c, now);
    sched_charge_current(c, now);
    if (!c->hint && prev->state == THREAD_BLOCKED && c->rq.nr_queued == 0) {
        sched_switch_to_idle(c, prev, now);
        return;
    }
    schedule_general(c, prev, true, now);
}

/*
 * Moves queued threads from the busiest CPU to this one if the loads differ
 * enough (lib/sched decides which and how many).  A thread caught between
 * its CPU's pick and switch (on_cpu) ends the steal.  Returns whether
 * anything moved.  n CPUs are online, c among them.
 */
static NOINLINE bool sched_steal_from_busiest(struct cpu *c, unsigned n)
{
    struct sched_load loads[MAX_CPUS];
    struct sched_steal st;
    sched_loads(loads, n);
    if (!sched_pick_steal_source(loads, n, c->id, &st))
        return false;
    struct cpu *src = &cpus[st.src];
    struct cpu *first = src->id < c->id ? src : c, *second = src->id < c->id ? c : src;
    spin_lock(&first->rq_lock);
    spin_lock(&second->rq_lock);
    uint64_t dmin = sched_rq_update_min(&c->rq);
    struct sched_entity *se;
    while ((se = sched_rq_steal_candidate(&src->rq, &st)) != NULL) {
        struct thread *t = se_thread(se);
        if (__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE))
            break;
        uint64_t smin = sched_rq_update_min(&src->rq);
        if (!sched_rq_dequeue(&src->rq, se))
            break;
        sched_migrate_adjust(se, smin, dmin);
        if (!sched_rq_enqueue(&c->rq, se))
            panic("sched: stolen thread %u already queued", t->tid);
        t->cpu = c->id;
        sched_steal_note(&st, se);
        c->steals++;
    }
    spin_unlock(&second->rq_lock);
    spin_unlock(&first->rq_lock);
    return st.moved > 0;
}

/* sched_steal_from_busiest, if there is anything to steal: lib/sched takes
 * only from a CPU with a thread waiting and two runnable, and without one
 * there is nothing to decide (the usual case of an idle CPU whose partners
 * all run, or are about to).  Inline, since an idle CPU asks every time it
 * runs out of work. */
static inline bool sched_steal(struct cpu *c)
{
    unsigned n = sched_ncpus();
    if (n < 2 || c->id >= n)
        return false; /* alone, or still being counted in */
    for (unsigned i = 0; i < n; i++) {
        const struct sched_rq *rq = &cpus[i].rq;
        uint32_t q = __atomic_load_n(&rq->nr_queued, __ATOMIC_RELAXED);
        if (q != 0 && i != c->id && (q > 1 || __atomic_load_n(&rq->curr, __ATOMIC_RELAXED) != NULL))
            return sched_steal_from_busiest(c, n);
    }
    return false;
}

void sched_tick(void)
{
    struct cpu *c = this_cpu();
    if (!c->current)
        return; /* a tick during boot, before the scheduler is set up */
    spin_lock(&c->rq_lock);
    uint64_t now = time_now_ns();
    sched_donation_end(c, now);
    sched_charge_current(c, now);
    if (c->current->is_idle) {
        if (c->rq.nr_queued > 0)
            c->need_resched = true;
    } else if (sched_tick_expired(&c->rq, &c->current->se, now - c->pick_ns)) {
        c->need_resched = true;
    }
    spin_unlock(&c->rq_lock);
    if (c->ticks % SCHED_BALANCE_TICKS == 0 && !c->current->is_idle)
        c->balance_due = true;
    /* The boot CPU, idle, checks whether anything can ever run again. */
    if (c->id == 0 && c->current->is_idle)
        stall_tick();
}

void sched_preempt_slow(void)
{
    struct cpu *c = this_cpu();
    if (c->handoff) {
        /* Returning to user mode instead of blocking: queue it. */
        spin_lock(&c->rq_lock);
        uint64_t now = time_now_ns();
        sched_donation_end(c, now);
        sched_handoff_queue(c, now);
        spin_unlock(&c->rq_lock);
    }
    if (c->hint) {
        /* A hint only lasts for the kernel entry that made it. */
        thread_put(c->hint);
        c->hint = NULL;
    }
    if (c->balance_due) {
        c->balance_due = false;
        if (sched_steal(c))
            c->need_resched = true;
    }
    if (__atomic_load_n(&c->need_resched, __ATOMIC_ACQUIRE))
        schedule();
}

bool sched_hint_set(struct thread *t)
{
    struct cpu *c = this_cpu();
    if (t == c->current || __atomic_load_n(&t->se.rq, __ATOMIC_RELAXED) != &c->rq)
        return false;
    /* The reference keeps the hint safe to look at even if another CPU
     * steals the thread and it exits before this CPU switches. */
    thread_get(t);
    if (c->hint)
        thread_put(c->hint);
    c->hint = t;
    return true;
}

NORETURN void sched_exit_thread(void)
{
    __atomic_store_n(&this_cpu()->current->state, THREAD_DEAD, __ATOMIC_RELEASE);
    schedule();
    panic("sched: a dead thread was scheduled again");
}

void sched_thread_inherit(struct thread *t, const struct thread *parent, uint64_t affinity)
{
    /* t is new: on no queue, so no lock is needed yet. */
    sched_entity_set_weight(&t->se, parent->se.weight);
    t->se.latency_class = parent->se.latency_class;
    t->se.allowed_cpus = affinity ? affinity : parent->se.allowed_cpus;
}

/*
 * Locks the run queue t is on, if any, with t->lock held; returns it or
 * NULL.  A thread changes queues only under both its old queue's lock
 * (steal, migration) and, off a queue, under its own lock, so the retry
 * ends.
 */
static struct cpu *sched_lock_queue_of(struct thread *t)
{
    for (;;) {
        if (!__atomic_load_n(&t->on_rq, __ATOMIC_ACQUIRE))
            return NULL;
        struct cpu *c = &cpus[__atomic_load_n(&t->cpu, __ATOMIC_RELAXED)];
        spin_lock(&c->rq_lock);
        if (t->on_rq && &cpus[t->cpu] == c)
            return c;
        spin_unlock(&c->rq_lock);
    }
}

void sched_set_params(struct thread *t, uint32_t weight, uint8_t latency_class)
{
    spin_lock(&t->lock);
    struct cpu *c = sched_lock_queue_of(t);
    if (!c)
        sched_donor_release(t); /* a donor's entity is still on a queue */
    sched_entity_set_weight(&t->se, weight);
    t->se.latency_class = latency_class;
    if (c)
        spin_unlock(&c->rq_lock);
    spin_unlock(&t->lock);
}

void sched_set_affinity(struct thread *t, uint64_t mask)
{
    unsigned kick = ~0u;
    spin_lock(&t->lock);
    struct cpu *c = sched_lock_queue_of(t);
    __atomic_store_n(&t->se.allowed_cpus, mask, __ATOMIC_RELAXED);
    if (c && !(mask & (1ULL << c->id))) {
        if (t->se.state == SCHED_QUEUED && !__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE)) {
            /* Waiting on a CPU it may no longer use: move it now. */
            sched_rq_dequeue(&c->rq, &t->se);
            t->on_rq = false;
            spin_unlock(&c->rq_lock);
            c = NULL;
            sched_activate(t, PLACE_MOVED, false);
        } else {
            /* Running there (or about to): its next schedule() moves it. */
            __atomic_store_n(&c->need_resched, true, __ATOMIC_RELEASE);
            kick = c->id;
        }
    }
    if (c)
        spin_unlock(&c->rq_lock);
    spin_unlock(&t->lock);
    if (kick != ~0u)
        smp_kick(kick);
}

void sched_thread_init(struct thread *t)
{
    t->lock = (struct spinlock)SPINLOCK_INIT("thread");
    if (!sched_entity_init(&t->se, SCHED_WEIGHT_DEFAULT, SCHED_CLASS_BATCH))
        panic("sched: default weight rejected");
    t->state = THREAD_NEW; /* not runnable until sched_add */
}

void sched_init_cpu(struct cpu *c)
{
    c->rq_lock = (struct spinlock)SPINLOCK_INIT("runqueue");
    sched_rq_init(&c->rq);
    struct thread *idle = &idle_threads[c->id];
    idle->is_idle = true;
    idle->state = THREAD_RUNNING;
    idle->kstack_top = c->kernel_stack_top;
    idle->on_cpu = 1;
    idle->cpu = c->id;
    idle->tid = 0;
    c->idle = idle;
    c->current = idle;
}

NORETURN void sched_start(void)
{
    struct cpu *c = this_cpu();
    c->pick_ns = c->charge_ns = time_now_ns();
    for (;;) {
        schedule();
        /* Back in the idle thread: take work from a busier CPU, or sleep
         * until an interrupt (a tick, or an IPI for a new thread) arrives. */
        if (sched_steal(c))
            continue;
        bool halted = false;
        if (!__atomic_load_n(&c->need_resched, __ATOMIC_ACQUIRE)) {
            /* Nothing to do here, and no switch or handler in progress on
             * this CPU: the stall detector's checkpoint (stall.c). */
            stall_idle_ack(c->id);
            offwatch_end();
            arch_wait_for_interrupt();
            halted = true;
        }
        arch_irq_disable();
        if (halted)
            offwatch_begin(OFFWATCH_IDLE);
    }
}

void sched_stats(struct sched_stats *out)
{
    unsigned n = sched_ncpus();
    out->ncpus = n;
    for (unsigned i = 0; i < n; i++) {
        out->cpu[i].switches = cpus[i].switches;
        out->cpu[i].steals = cpus[i].steals;
        out->cpu[i].idle_ns = cpus[i].idle_ns;
        out->cpu[i].ticks = cpus[i].ticks;
        out->cpu[i].lock_spins = cpus[i].lock_spins;
    }
}

void sched_report_cpu(unsigned id, struct sched_cpu_report *r)
{
    struct cpu *c = &cpus[id];
    memset(r, 0, sizeof(*r));
    r->online = id < sched_ncpus();
    if (!r->online)
        return;
    uint64_t flags = spin_lock_irqsave(&c->rq_lock);
    uint64_t now = time_now_ns();
    r->current = __atomic_load_n(&c->current_tid, __ATOMIC_RELAXED);
    r->idle = r->current == 0;
    /* A queued entity's thread cannot be freed under the queue lock. */
    r->rq_curr = c->rq.curr ? se_thread(c->rq.curr)->tid : 0;
    r->donating = c->donor != NULL;
    r->handoff = c->handoff != NULL;
    r->hint = c->hint != NULL;
    r->queued = c->rq.nr_queued;
    r->need_resched = __atomic_load_n(&c->need_resched, __ATOMIC_RELAXED);
    r->ticks = c->ticks;
    r->switches = c->switches;
    r->running_ms = now > c->pick_ns ? (now - c->pick_ns) / 1000000 : 0;
    spin_unlock_irqrestore(&c->rq_lock, flags);
}
