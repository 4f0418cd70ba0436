/*
 * Timer object: the clocks and sleeps.  A sleep becomes a pending
 * operation whose completion the timer queue posts at the deadline; the
 * caller's thread is free to do other work meanwhile.  mapClock maps the
 * clock page (clockpage.c) into the caller's process, so that the caller
 * can read the monotonic and wall clocks without calling here; wallClock
 * and cpuTime serve what the page cannot.
 *
 * The Timer is one shared object: what it reads (the clocks, the caller's
 * own CPU time) is the same for every holder, and what it spends (the clock
 * page's page tables, a pending op) is charged to the caller.
 *
 * The generated dispatch (capos_Timer_SERVER, gen/capos.rpc.h) has checked
 * the whole parameter message before any function below runs; they only
 * act.
 */
#include "abi/clock.h"
#include "capos.rpc.h"
#include "clockpage.h"
#include "msg.h"
#include "objects.h"
#include "pending.h"
#include "percpu.h"
#include "process.h"
#include "thread.h"
#include "time.h"

struct kobj timer_obj = {KOBJ_TIMER, 0};

capos_Timer_SERVER(timer, struct kobj, struct call);

int timer_invoke(struct kobj *o, struct call *c)
{
    return timer_dispatch(o, c);
}

static int timer_now(struct kobj *o, struct call *c, const capos_Timer_now_args *a)
{
    struct capnp_builder b;
    call_result_begin(c, &b);
    capos_Timer_now_encode_results(&b, &(capos_Timer_now_results){.ns = time_now_ns()});
    return call_result_end(c, &b);
}

/* A sleep until the monotonic clock reads `deadline`. */
static int timer_sleep_to(struct call *c, uint64_t deadline)
{
    int err;
    struct pending_op *op = pending_new(c->thread, PENDING_SLEEP, c->sqe, &err);
    if (!op)
        return err;
    timerq_arm(&op->timer, deadline);
    return CALL_PENDING;
}

static int timer_sleep(struct kobj *o, struct call *c, const capos_Timer_sleep_args *a)
{
    if (a->ns == 0)
        return CAPOS_OK;
    uint64_t now = time_now_ns();
    return timer_sleep_to(c, a->ns > UINT64_MAX - now ? UINT64_MAX : now + a->ns);
}

static int timer_sleepUntil(struct kobj *o, struct call *c, const capos_Timer_sleepUntil_args *a)
{
    if (a->deadline <= time_now_ns())
        return CAPOS_OK;
    return timer_sleep_to(c, a->deadline);
}

static int timer_mapClock(struct kobj *o, struct call *c, const capos_Timer_mapClock_args *a)
{
    int err = clock_page_map(c->proc);
    if (err != CAPOS_OK)
        return err;
    struct capnp_builder b;
    call_result_begin(c, &b);
    capos_Timer_mapClock_encode_results(
        &b, &(capos_Timer_mapClock_results){.addr = CAPOS_USER_CLOCK_VA});
    return call_result_end(c, &b);
}

static int timer_wallClock(struct kobj *o, struct call *c, const capos_Timer_wallClock_args *a)
{
    struct capnp_builder b;
    call_result_begin(c, &b);
    capos_Timer_wallClock_encode_results(
        &b, &(capos_Timer_wallClock_results){.ns = clock_realtime_ns()});
    return call_result_end(c, &b);
}

/* The caller's thread is running here: its time is what the scheduler has
 * charged it plus the time since (the kernel runs with interrupts off, so
 * no tick charges it meanwhile).  The process's is its ended threads' and
 * the charged time of those still on its list (the caller's own counted
 * with its running slice); at most PROCESS_MAX_THREADS of them. */
static int timer_cpuTime(struct kobj *o, struct call *c, const capos_Timer_cpuTime_args *a)
{
    struct thread *self = c->thread;
    struct process *p = c->proc;
    uint64_t now = time_now_ns(), since = this_cpu()->charge_ns;
    uint64_t slice = now > since ? now - since : 0;
    uint64_t mine = __atomic_load_n(&self->run_ns, __ATOMIC_RELAXED) + slice;
    spin_lock(&p->lock);
    uint64_t all = p->ended_run_ns + slice;
    for (struct thread *t = p->threads; t; t = t->proc_next)
        all += __atomic_load_n(&t->run_ns, __ATOMIC_RELAXED);
    spin_unlock(&p->lock);
    struct capnp_builder b;
    call_result_begin(c, &b);
    capos_Timer_cpuTime_encode_results(
        &b, &(capos_Timer_cpuTime_results){.thread = mine, .process = all});
    return call_result_end(c, &b);
}
