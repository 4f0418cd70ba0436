/*
 * The stall detector and the wait report.
 *
 * A stall: every thread is blocked and nothing can wake any of them.  In
 * this kernel a blocked thread is woken only by
 *   (1) a running thread (a completion, a ParkSpace wake, a kill),
 *   (2) a timer event (Timer.sleep, a timed cap_enter or ParkSpace wait),
 *   (3) kernel work a CPU does outside any thread: an interrupt handler
 *       (the tick fires timer events) or the idle thread finishing a switch
 *       (freeing a dead thread completes its joiners and may end its
 *       process, which completes the waits for it).
 * The only device interrupt, console input, wakes a thread only through a
 * SerialInput.read that waits (object/serialin.c), so a waiting read
 * counts as armed, like a timer event.  So the system is stalled once no
 * thread is running or runnable, the timer queue is empty, no serial read
 * waits and no CPU is in the middle of (3).
 *
 * Deciding it race-free on several CPUs.  The boot CPU decides, in its
 * timer tick, and only while it runs its idle thread:
 *   1. it reads every CPU's run queue under that queue's lock (nothing
 *      current, nothing queued) and records each CPU's switch count; then
 *      it reads that the timer queue is empty;
 *   2. it publishes a new request number; every CPU acknowledges it from
 *      its idle loop, at the point where, interrupts off, it found nothing
 *      to run or steal and is about to halt;
 *   3. once all have acknowledged, it repeats 1 and finds the same counts.
 * Then no thread can run again.  A thread that ran, or was picked, after
 * step 1 read its CPU changed that CPU's switch count or is current or
 * queued at step 3 (its pick, the count and its next block are ordered by
 * the queue lock that step 3 takes).  Work of kind (3) that started before
 * a CPU acknowledged has finished by then (handlers and switch tails
 * complete before the idle loop runs again), so what it woke is queued, or
 * has run, at step 3.  Work of kind (3) that starts later can only fire a
 * timer event, and the queue was empty at step 1: an event armed since was
 * armed by a thread that ran since.  A reschedule IPI in flight follows an
 * enqueue that step 3 sees.  So the report needs a true stall, and a thread
 * waiting on a timer never causes one (its event is armed).  The decision
 * takes two or three ticks once the system goes quiet; any change on the
 * way starts it over.
 *
 * The report lists every live process and thread with what it waits on:
 * the operations pending on its ring (CALL and RECV with their endpoint,
 * ProcessHandle.wait and ThreadHandle.join with their target, ParkSpace
 * waits with the word's address, sleeps with their deadline).  It works on
 * a snapshot taken with references (process_list, process_threads) and
 * reads each ring's list under that ring's lock; the targets of operations
 * are never dereferenced, only compared with the snapshot, so the report is
 * safe while the system runs (the debug key) as well as when it is
 * stalled.  Endpoints have no names in the kernel: the report numbers them
 * in the order it meets them, so a CALL and the RECV that would take it
 * show the same number.  The debug key's report ends with the kernel's
 * memory (system_report_memory), which a long test samples this way.
 */
#include "stall.h"

#include "objects.h"
#include "panic.h"
#include "pending.h"
#include "percpu.h"
#include "printk.h"
#include "process.h"
#include "ring.h"
#include "sched.h"
#include "system.h"
#include "thread.h"
#include "time.h"
#include "timerq.h"

/* Snapshot capacity; the report counts what does not fit. */
#define STALL_MAX_PROCS     128
#define STALL_MAX_THREADS   512
#define STALL_MAX_ENDPOINTS 64
/* Operations listed per thread; the rest are counted. */
#define STALL_MAX_OPS 16

uint32_t stall_epoch;
uint32_t stall_acks[MAX_CPUS];

/* Decision state: the boot CPU's tick only. */
static bool stall_requested;
static uint64_t stall_switches[MAX_CPUS];

static inline unsigned stall_ncpus(void)
{
    return __atomic_load_n(&cpu_count, __ATOMIC_ACQUIRE);
}

/* Steps 1 and 3: true if no CPU has a thread current or queued and no
 * timer event is armed; fills switches[] with the CPUs' switch counts. */
static bool stall_quiet(uint64_t *switches)
{
    bool quiet = process_live_count() > 0;
    for (unsigned i = 0; i < stall_ncpus() && quiet; i++) {
        struct cpu *c = &cpus[i];
        spin_lock(&c->rq_lock);
        quiet = c->rq.curr == NULL && c->rq.nr_queued == 0;
        switches[i] = __atomic_load_n(&c->switches, __ATOMIC_RELAXED);
        spin_unlock(&c->rq_lock);
    }
    return quiet && timerq_next_deadline() == UINT64_MAX && !serial_input_waiting();
}

/* The same without locks, to leave at once on a busy system. */
static bool stall_quiet_hint(void)
{
    for (unsigned i = 0; i < stall_ncpus(); i++) {
        const struct sched_rq *rq = &cpus[i].rq;
        if (__atomic_load_n(&rq->curr, __ATOMIC_RELAXED) ||
            __atomic_load_n(&rq->nr_queued, __ATOMIC_RELAXED))
            return false;
    }
    return timerq_next_deadline() == UINT64_MAX && !serial_input_waiting();
}

/* ---- the report ---- */

struct stall_op {
    enum pending_kind kind;
    enum ipc_call_state state;
    const void *target;
    const struct process *server, *park_proc;
    uint64_t park_addr, deadline_ns, interface_id;
    uint16_t method;
    uint32_t pipe_len;
    bool pipe_writer;
};

static struct spinlock stall_report_lock = SPINLOCK_INIT("stall report");
static struct process *rep_procs[STALL_MAX_PROCS];
static unsigned rep_nprocs;
static struct thread *rep_threads[STALL_MAX_THREADS];
static unsigned rep_nthreads;
static const void *rep_eps[STALL_MAX_ENDPOINTS];
static unsigned rep_neps;
static struct stall_op rep_ops[STALL_MAX_OPS];

static const struct process *rep_find_proc(const void *p)
{
    for (unsigned i = 0; i < rep_nprocs; i++) {
        if (rep_procs[i] == p)
            return rep_procs[i];
    }
    return NULL;
}

static const struct thread *rep_find_thread(const void *t)
{
    for (unsigned i = 0; i < rep_nthreads; i++) {
        if (rep_threads[i] == t)
            return rep_threads[i];
    }
    return NULL;
}

/* The report's number for an endpoint (0 once the table is full). */
static unsigned rep_endpoint(const void *ep)
{
    for (unsigned i = 0; i < rep_neps; i++) {
        if (rep_eps[i] == ep)
            return i + 1;
    }
    if (rep_neps == STALL_MAX_ENDPOINTS)
        return 0;
    rep_eps[rep_neps++] = ep;
    return rep_neps;
}

/* One pending operation, on its own line. */
static void rep_print_op(const struct stall_op *o, const struct process *self, uint64_t now)
{
    const struct process *p;
    const struct thread *t;
    switch (o->kind) {
    case PENDING_SLEEP:
        kprintf("      Timer.sleep, due in %lu ms\n",
                (unsigned long)(o->deadline_ns > now ? (o->deadline_ns - now) / 1000000 : 0));
        break;
    case PENDING_PROCESS_WAIT:
        if ((p = rep_find_proc(o->target)) != NULL)
            kprintf("      ProcessHandle.wait for %s (pid %u)\n", p->name, p->pid);
        else
            kprintf("      ProcessHandle.wait for a process that has exited\n");
        break;
    case PENDING_CALL:
        kprintf("      CALL on endpoint #%u (interface %#lx, method %u), ", rep_endpoint(o->target),
                (unsigned long)o->interface_id, o->method);
        if (o->state == CALL_QUEUED)
            kprintf("queued: no RECV has taken it\n");
        else if (o->state == CALL_FAILING)
            kprintf("failing: no RECV can take it\n");
        else if ((p = rep_find_proc(o->server)) != NULL)
            kprintf("received by %s (pid %u), not returned yet\n", p->name, p->pid);
        else
            kprintf("received by a process that has exited\n");
        break;
    case PENDING_RECV: kprintf("      RECV on endpoint #%u\n", rep_endpoint(o->target)); break;
    case PENDING_THREAD_JOIN:
        if ((t = rep_find_thread(o->target)) != NULL)
            kprintf("      ThreadHandle.join of thread %u of %s (pid %u)\n", t->tid, t->proc->name,
                    t->proc->pid);
        else
            kprintf("      ThreadHandle.join of a thread that has ended\n");
        break;
    case PENDING_PARK:
        kprintf("      ParkSpace.wait on the word at %#lx", (unsigned long)o->park_addr);
        if (o->park_proc != self && (p = rep_find_proc(o->park_proc)) != NULL)
            kprintf(" of %s (pid %u)", p->name, p->pid);
        kprintf("\n");
        break;
    /* Pipes are numbered in the same series as endpoints. */
    case PENDING_PIPE_READ:
        kprintf("      PipeReader.read of %u bytes on pipe #%u: empty\n", o->pipe_len,
                rep_endpoint(o->target));
        break;
    case PENDING_PIPE_WRITE:
        kprintf("      PipeWriter.write of %u bytes on pipe #%u: no room\n", o->pipe_len,
                rep_endpoint(o->target));
        break;
    case PENDING_SERIAL_READ:
        kprintf("      SerialInput.read of %u bytes: nothing typed yet\n", o->pipe_len);
        break;
    case PENDING_PIPE_WAIT:
        kprintf("      %s.wait for events %#x on pipe #%u\n",
                o->pipe_writer ? "PipeWriter" : "PipeReader", o->pipe_len, rep_endpoint(o->target));
        break;
    }
}

static void rep_print_thread(const struct process *p, struct thread *t, uint64_t now)
{
    struct ring *r = &t->ring;
    unsigned nops = 0, more = 0;
    bool waiting;
    uint32_t wait_min;

    /* Copy under the ring lock, print after: a completion may take an op
     * off the list at any moment while the system runs. */
    uint64_t flags = spin_lock_irqsave(&r->lock);
    waiting = r->waiter == t;
    wait_min = r->wait_min;
    for (struct pending_op *op = r->pending; op && nops + more < CAPOS_RING_CQ_ENTRIES;
         op = op->owner_next) {
        if (nops == STALL_MAX_OPS) {
            more++;
            continue;
        }
        rep_ops[nops++] = (struct stall_op){
            .kind = op->kind,
            .state = __atomic_load_n(&op->state, __ATOMIC_RELAXED),
            .target = __atomic_load_n(&op->target, __ATOMIC_RELAXED),
            .server = __atomic_load_n(&op->server, __ATOMIC_RELAXED),
            .park_proc = op->park_proc,
            .park_addr = op->park_addr,
            .deadline_ns = timer_event_deadline(&op->timer),
            .interface_id = op->interface_id,
            .method = op->method,
            .pipe_len = op->pipe_len,
            .pipe_writer = op->pipe_writer,
        };
    }
    spin_unlock_irqrestore(&r->lock, flags);

    kprintf("  %s (pid %u) thread %u: ", p->name, p->pid, t->tid);
    switch (__atomic_load_n(&t->state, __ATOMIC_ACQUIRE)) {
    case THREAD_NEW: kprintf("not started yet\n"); break;
    case THREAD_READY: kprintf("ready to run on cpu %u\n", t->cpu); break;
    case THREAD_RUNNING: kprintf("running on cpu %u\n", t->cpu); break;
    case THREAD_DEAD: kprintf("ending\n"); break;
    case THREAD_BLOCKED:
        if (waiting)
            kprintf("blocked in cap_enter until %u completion%s arrive%s\n", wait_min,
                    wait_min == 1 ? "" : "s", wait_min == 1 ? "s" : "");
        else
            kprintf("blocked\n");
        break;
    }
    if (nops == 0 && waiting)
        kprintf("      no operation pending: nothing can complete\n");
    for (unsigned i = 0; i < nops; i++)
        rep_print_op(&rep_ops[i], p, now);
    if (more)
        kprintf("      and %u more operations\n", more);
}

/* Each CPU: what it runs and what its queue holds, by thread id (the
 * threads above give the names).  A thread "ready" for long on a CPU that
 * runs nothing, or runs one thread for long, shows here. */
static void rep_print_cpus(void)
{
    for (unsigned i = 0; i < MAX_CPUS; i++) {
        struct sched_cpu_report r;
        sched_report_cpu(i, &r);
        if (!r.online)
            continue;
        kprintf("  cpu %u: ", i);
        if (r.idle)
            kprintf("idle");
        else
            kprintf("running thread %u", r.current);
        kprintf(" for %lu ms, %u queued", (unsigned long)r.running_ms, r.queued);
        if (r.rq_curr)
            kprintf(", queue's current %u", r.rq_curr);
        if (r.donating)
            kprintf(", on a donated slice");
        if (r.handoff)
            kprintf(", a hand-off waiting");
        if (r.hint)
            kprintf(", a hint set");
        kprintf("%s; %lu ticks, %lu switches\n", r.need_resched ? ", resched due" : "",
                (unsigned long)r.ticks, (unsigned long)r.switches);
    }
}

/* Every live process and thread, oldest first, with what it waits on. */
static void stall_report(void)
{
    static struct thread *threads[PROCESS_MAX_THREADS];
    static unsigned first[STALL_MAX_PROCS + 1];
    uint64_t flags = spin_lock_irqsave(&stall_report_lock);
    uint64_t now = time_now_ns();

    rep_nprocs = process_list(rep_procs, STALL_MAX_PROCS);
    rep_nthreads = 0;
    rep_neps = 0;
    for (unsigned i = 0; i < rep_nprocs; i++) {
        first[i] = rep_nthreads;
        unsigned n = process_threads(rep_procs[i], threads, PROCESS_MAX_THREADS);
        for (unsigned k = 0; k < n; k++) {
            if (rep_nthreads < STALL_MAX_THREADS)
                rep_threads[rep_nthreads++] = threads[k];
            else
                thread_put(threads[k]);
        }
    }
    first[rep_nprocs] = rep_nthreads;
    for (unsigned i = rep_nprocs; i-- > 0;) {
        struct process *p = rep_procs[i];
        if (p->state != PROCESS_ALIVE)
            kprintf("  %s (pid %u): exited, its threads are ending\n", p->name, p->pid);
        for (unsigned k = first[i]; k < first[i + 1]; k++)
            rep_print_thread(p, rep_threads[k], now);
    }
    if (rep_nprocs == STALL_MAX_PROCS || rep_nthreads == STALL_MAX_THREADS)
        kprintf("  (more processes or threads than the report holds)\n");
    rep_print_cpus();
    for (unsigned k = 0; k < rep_nthreads; k++)
        thread_put(rep_threads[k]);
    for (unsigned i = 0; i < rep_nprocs; i++)
        process_put(rep_procs[i]);
    spin_unlock_irqrestore(&stall_report_lock, flags);
}

/* ---- the decision ---- */

NORETURN static void stall_halt(void)
{
    kprintf("system: stalled: every thread is blocked, no timer is pending, and nothing else "
            "can wake one\n");
    kprintf("system: who waits on what:\n");
    stall_report();
    kprintf("system: halting with failure\n");
    system_exit(SYSTEM_EXIT_FAILURE);
}

void stall_tick(void)
{
    uint64_t now_switches[MAX_CPUS];
    if (!stall_quiet_hint()) {
        stall_requested = false;
        return;
    }
    if (!stall_requested) {
        /* Step 1, then step 2's request. */
        if (stall_quiet(stall_switches)) {
            stall_requested = true;
            __atomic_store_n(&stall_epoch, stall_epoch + 1, __ATOMIC_RELEASE);
        }
        return;
    }
    for (unsigned i = 0; i < stall_ncpus(); i++) {
        if (__atomic_load_n(&stall_acks[i], __ATOMIC_ACQUIRE) != stall_epoch)
            return; /* a CPU has not been through its idle loop yet */
    }
    /* Step 3. */
    stall_requested = false;
    if (!stall_quiet(now_switches))
        return;
    for (unsigned i = 0; i < stall_ncpus(); i++) {
        if (now_switches[i] != stall_switches[i])
            return;
    }
    stall_halt();
}

void stall_debug_report(void)
{
    kprintf("debug: who waits on what (Ctrl-T):\n");
    stall_report();
    system_report_memory();
    kprintf("debug: end of report\n");
}
