/*
 * Timer object: the monotonic clock and sleeps.  A sleep becomes a pending
 * operation whose completion the timer queue posts at the deadline; the
 * caller's thread is free to do other work meanwhile.
 *
 * The generated dispatch (capos_Timer_SERVER, gen/capos.rpc.h) has checked
 * the whole parameter message before either function below runs; they only
 * act.
 */
#include "capos.rpc.h"
#include "msg.h"
#include "objects.h"
#include "pending.h"
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

static int timer_sleep(struct kobj *o, struct call *c, const capos_Timer_sleep_args *a)
{
    if (a->ns == 0)
        return CAPOS_OK;
    int err;
    struct pending_op *op = pending_new(c->thread, PENDING_SLEEP, c->sqe, &err);
    if (!op)
        return err;
    uint64_t now = time_now_ns();
    timerq_arm(&op->timer, a->ns > UINT64_MAX - now ? UINT64_MAX : now + a->ns);
    return CALL_PENDING;
}
