/*
 * SchedulingPolicy objects: the authority to give threads a larger CPU
 * share or the latency class.
 *
 * A policy carries two bounds, the largest weight it may set and whether
 * it may grant the latency class; restrict() hands out narrower policies
 * and never wider ones.  The thread is named by a ThreadHandle or
 * ThreadControl sent with the call, so a policy only reaches threads its
 * holder can already name.  Without any policy a thread can only lower its
 * own weight (ThreadControl.lowerWeight).
 */
#include "capos.rpc.h"
#include "mm/kheap.h"
#include "msg.h"
#include "objects.h"
#include "process.h"
#include "sched.h"
#include "thread.h"

/* What the schema lets SchedulingPolicy.set ask for is what the scheduler
 * takes: weights 1 to capos_maxThreadWeight, the LatencyClass values. */
_Static_assert(SCHED_WEIGHT_MIN == 1 && SCHED_WEIGHT_MAX == capos_maxThreadWeight,
               "thread weights as the schema bounds them");
_Static_assert((int)SCHED_CLASS_BATCH == (int)capos_LatencyClass_batch &&
                   (int)SCHED_CLASS_LATENCY == (int)capos_LatencyClass_latency &&
                   (int)SCHED_CLASS_COUNT == capos_LatencyClass_COUNT,
               "latency classes as the schema numbers them");

struct policy {
    struct kobj obj;
    uint32_t max_weight;
    bool latency;
};

struct kobj *policy_create(struct ledger *l, uint32_t max_weight, bool latency, int *err)
{
    struct policy *p = kobj_alloc(l, sizeof(*p), KOBJ_SCHEDULING_POLICY, err);
    if (!p)
        return NULL;
    p->max_weight =
        max_weight == 0 || max_weight > SCHED_WEIGHT_MAX ? SCHED_WEIGHT_MAX : max_weight;
    p->latency = latency;
    return &p->obj;
}

void policy_destroy(struct kobj *o)
{
    kfree(o);
}

capos_SchedulingPolicy_SERVER(policy, struct policy, struct call);

int policy_invoke(struct kobj *o, struct call *c)
{
    return policy_dispatch((struct policy *)o, c);
}

/* The decoder has checked that `thread` is the one capability sent, that the
 * weight is 1 to capos_maxThreadWeight and that the class is a LatencyClass. */
static int policy_set(struct policy *p, struct call *c, const capos_SchedulingPolicy_set_args *a)
{
    struct thread *t = thread_cap_thread(c->xfer.objs[a->thread]);
    if (!t)
        return capos_rpc_refuse(&c->rpc, capos_SchedulingPolicy_set_field_thread);
    if (a->weight > p->max_weight || (a->latencyClass == capos_LatencyClass_latency && !p->latency))
        return CAPOS_ERR_NOT_PERMITTED;
    sched_set_params(t, a->weight, (uint8_t)a->latencyClass);
    return CAPOS_OK; /* the thread capability goes back (cap_call rolls it back) */
}

static int policy_limits(struct policy *p, struct call *c,
                         const capos_SchedulingPolicy_limits_args *a)
{
    struct capnp_builder b;
    call_result_begin(c, &b);
    capos_SchedulingPolicy_limits_encode_results(
        &b, &(capos_SchedulingPolicy_limits_results){.maxWeight = p->max_weight,
                                                     .latency = p->latency});
    return call_result_end(c, &b);
}

/* maxWeight is at least 1 (the decoder's check). */
static int policy_restrict(struct policy *p, struct call *c,
                           const capos_SchedulingPolicy_restrict_args *a)
{
    if (a->maxWeight > p->max_weight || (a->latency && !p->latency))
        return CAPOS_ERR_NOT_PERMITTED;
    int err;
    struct kobj *n = policy_create(c->proc->ledger, a->maxWeight, a->latency, &err);
    if (!n)
        return err;
    c->out_caps[c->out_ncaps++] = n;
    struct capnp_builder b;
    call_result_begin(c, &b);
    capos_SchedulingPolicy_restrict_encode_results(
        &b, &(capos_SchedulingPolicy_restrict_results){.policy = 0});
    return call_result_end(c, &b);
}
