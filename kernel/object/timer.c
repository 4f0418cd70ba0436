/*
 * Timer object: the monotonic clock and sleeps.  A sleep becomes a pending
 * operation whose completion the timer queue posts at the deadline; the
 * caller's thread is free to do other work meanwhile.
 */
#include "abi/errors.h"
#include "msg.h"
#include "objects.h"
#include "pending.h"
#include "time.h"

struct kobj timer_obj = {KOBJ_TIMER, 0};

int timer_invoke(struct kobj *o, struct call *c)
{
    struct capnp_reader r;
    struct capnp_builder b;
    (void)o;
    if (!call_params(c, &r))
        return CAPOS_ERR_INVALID_ARGUMENT;
    switch (c->sqe->method) {
    case capos_Timer_method_now: {
        call_result_begin(c, &b);
        capos_Timer_now_Results_set_ns(capos_Timer_now_Results_init_root(&b), time_now_ns());
        return call_result_end(c, &b);
    }
    case capos_Timer_method_sleep: {
        uint64_t ns = capos_Timer_sleep_Params_get_ns(capos_Timer_sleep_Params_read_root(&r));
        if (!call_params_ok(&r))
            return CAPOS_ERR_INVALID_ARGUMENT;
        if (ns == 0)
            return CAPOS_OK;
        int err;
        struct pending_op *op = pending_new(c->thread, PENDING_SLEEP, c->sqe, &err);
        if (!op)
            return err;
        uint64_t now = time_now_ns();
        timerq_arm(&op->timer, ns > UINT64_MAX - now ? UINT64_MAX : now + ns);
        return CALL_PENDING;
    }
    default: return CAPOS_ERR_UNKNOWN_METHOD;
    }
}
