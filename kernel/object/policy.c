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
#include "abi/errors.h"
#include "mm/kheap.h"
#include "msg.h"
#include "objects.h"
#include "process.h"
#include "sched.h"
#include "thread.h"

struct policy {
    struct kobj obj;
    uint32_t max_weight;
    bool latency;
};

struct kobj *policy_create(struct ledger *l, uint32_t max_weight, bool latency, int *err)
{
    struct policy *p = kheap_alloc(l, sizeof(*p), true, err);
    if (!p)
        return NULL;
    p->obj.kind = KOBJ_SCHEDULING_POLICY;
    p->obj.refs = 1;
    p->max_weight =
        max_weight == 0 || max_weight > SCHED_WEIGHT_MAX ? SCHED_WEIGHT_MAX : max_weight;
    p->latency = latency;
    return &p->obj;
}

void policy_destroy(struct kobj *o)
{
    kfree(o);
}

static int policy_set(struct policy *p, struct call *c, struct capnp_reader *r)
{
    capos_SchedulingPolicy_set_Params_reader a = capos_SchedulingPolicy_set_Params_read_root(r);
    uint32_t idx = capos_SchedulingPolicy_set_Params_get_thread(a);
    uint32_t weight = capos_SchedulingPolicy_set_Params_get_weight(a);
    uint16_t cls = capos_SchedulingPolicy_set_Params_get_latencyClass(a);
    if (!call_params_ok(r) || idx >= c->xfer.n || c->xfer.n != 1 || !sched_weight_valid(weight) ||
        cls >= SCHED_CLASS_COUNT)
        return CAPOS_ERR_INVALID_ARGUMENT;
    struct thread *t = thread_cap_thread(c->xfer.objs[idx]);
    if (!t)
        return CAPOS_ERR_INVALID_ARGUMENT;
    if (weight > p->max_weight || (cls == SCHED_CLASS_LATENCY && !p->latency))
        return CAPOS_ERR_NOT_PERMITTED;
    sched_set_params(t, weight, (uint8_t)cls);
    return CAPOS_OK; /* the thread capability goes back (cap_call rolls it back) */
}

int policy_invoke(struct kobj *o, struct call *c)
{
    struct policy *p = (struct policy *)o;
    struct capnp_reader r;
    struct capnp_builder b;
    if (!call_params(c, &r))
        return CAPOS_ERR_INVALID_ARGUMENT;
    capnp_reader_set_cap_count(&r, c->xfer.n);
    switch (c->sqe->method) {
    case capos_SchedulingPolicy_method_set: return policy_set(p, c, &r);
    case capos_SchedulingPolicy_method_limits: {
        call_result_begin(c, &b);
        capos_SchedulingPolicy_limits_Results_builder res =
            capos_SchedulingPolicy_limits_Results_init_root(&b);
        capos_SchedulingPolicy_limits_Results_set_maxWeight(res, p->max_weight);
        capos_SchedulingPolicy_limits_Results_set_latency(res, p->latency);
        return call_result_end(c, &b);
    }
    case capos_SchedulingPolicy_method_restrict: {
        capos_SchedulingPolicy_restrict_Params_reader a =
            capos_SchedulingPolicy_restrict_Params_read_root(&r);
        uint32_t w = capos_SchedulingPolicy_restrict_Params_get_maxWeight(a);
        bool lat = capos_SchedulingPolicy_restrict_Params_get_latency(a);
        if (!call_params_ok(&r) || w == 0)
            return CAPOS_ERR_INVALID_ARGUMENT;
        if (w > p->max_weight || (lat && !p->latency))
            return CAPOS_ERR_NOT_PERMITTED;
        int err;
        struct kobj *n = policy_create(c->proc->ledger, w, lat, &err);
        if (!n)
            return err;
        c->out_caps[c->out_ncaps++] = n;
        call_result_begin(c, &b);
        capos_SchedulingPolicy_restrict_Results_set_policy(
            capos_SchedulingPolicy_restrict_Results_init_root(&b), 0);
        return call_result_end(c, &b);
    }
    default: return CAPOS_ERR_UNKNOWN_METHOD;
    }
}
