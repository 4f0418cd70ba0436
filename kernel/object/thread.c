/*
 * Thread capabilities: ThreadHandle (join, info) and ThreadControl (the
 * thread's control over itself), two facets of one object kind.
 *
 * A capability holds a reference on its thread, and the thread one on its
 * process (t->proc never changes, thread.c), so both stay readable (and
 * the process lock usable) after the thread ends.  These objects are made
 * for a thread being created before it is committed, but reach a table or
 * a caller only once it is (process_thread_spawn): no capability ever
 * names a thread that was discarded, so every thread a capability names
 * reaches process_thread_gone.  A join on a running thread becomes a
 * pending op on the thread's joiners queue, guarded by the process lock;
 * once the thread is gone (its slot, ring and quota back) no join queues
 * any more, and the queue is completed a bounded batch at a time
 * (process_thread_gone, then the reaper for any beyond the first batch),
 * so every join completes exactly once: with the exit code, or killed when
 * the process stopped first.  A join that gives up leaves in O(1).
 * ThreadControl methods that act on "this thread" check that the caller is
 * that thread: a ThreadControl passed to another process gives it no power
 * over the thread.  The two facets are served by the generated dispatch of
 * their interfaces (capos_ThreadHandle_SERVER, capos_ThreadControl_SERVER),
 * chosen by the object's kind.
 */
#include "abi/layout.h"
#include "arch.h"
#include "capos.rpc.h"
#include "mm/kheap.h"
#include "msg.h"
#include "objects.h"
#include "pending.h"
#include "process.h"
#include "sched.h"
#include "thread.h"
#include "usercopy.h"

struct thread_cap {
    struct kobj obj; /* KOBJ_THREAD_HANDLE or KOBJ_THREAD_CONTROL */
    struct thread *t;
};

struct kobj *thread_cap_create(struct ledger *l, struct thread *t, bool control, int *err)
{
    struct thread_cap *c =
        kobj_alloc(l, sizeof(*c), control ? KOBJ_THREAD_CONTROL : KOBJ_THREAD_HANDLE, err);
    if (!c)
        return NULL;
    c->t = t;
    thread_get(t);
    return &c->obj;
}

void thread_cap_destroy(struct kobj *o)
{
    struct thread_cap *c = (struct thread_cap *)o;
    thread_put(c->t);
    kfree(c);
}

struct thread *thread_cap_thread(struct kobj *o)
{
    if (o->kind != KOBJ_THREAD_HANDLE && o->kind != KOBJ_THREAD_CONTROL)
        return NULL;
    return ((struct thread_cap *)o)->t;
}

/* A join's result message; returns its length (0 if it did not fit). */
static uint32_t join_message(int32_t code, bool killed, uint8_t *buf, size_t cap)
{
    struct capnp_builder b;
    const uint8_t *out;
    size_t len;
    capnp_builder_init(&b, buf, cap);
    capos_ThreadHandle_join_Results_builder r = capos_ThreadHandle_join_Results_init_root(&b);
    capos_ThreadHandle_join_Results_set_code(r, code);
    capos_ThreadHandle_join_Results_set_killed(r, killed);
    if (capnp_builder_finish(&b, &out, &len) != CAPNP_OK)
        return 0;
    return (uint32_t)len;
}

bool thread_join_complete(struct thread *t, unsigned max)
{
    uint8_t buf[64] ALIGNED(8);
    uint32_t len = join_message(t->exit_code, t->killed, buf, sizeof(buf));
    /* t is gone: new joins answer at once, so the queue only shrinks. */
    unsigned n;
    bool done = pending_complete_waiters(&t->proc->lock, &t->joiners, max, buf, len, &n);
    while (n--)
        thread_put(t); /* each join's reference; the caller still holds one */
    return done;
}

/* Joins completed per reaper step. */
#define THREAD_REAP_JOINS 16

bool thread_reap_joins(struct reap_work *w)
{
    struct thread *t = container_of(w, struct thread, reap_joins);
    if (!thread_join_complete(t, THREAD_REAP_JOINS))
        return false;
    thread_put(t); /* process_thread_gone's */
    return true;
}

bool thread_join_detach(struct pending_op *op)
{
    struct thread *t = op->target;
    spin_lock(&t->proc->lock);
    bool mine = queue_remove_if_queued(&t->joiners, &op->wait);
    spin_unlock(&t->proc->lock);
    if (mine)
        thread_put(t);
    return mine; /* else the thread's end is completing it */
}

capos_ThreadHandle_SERVER(thread_handle, struct thread_cap, struct call);
capos_ThreadControl_SERVER(thread_control, struct thread_cap, struct call);

int thread_cap_invoke(struct kobj *o, struct call *c)
{
    struct thread_cap *tc = (struct thread_cap *)o;
    if (o->kind == KOBJ_THREAD_CONTROL)
        return thread_control_dispatch(tc, c);
    return thread_handle_dispatch(tc, c);
}

/* ---- ThreadHandle ---- */

static int thread_handle_join(struct thread_cap *tc, struct call *c,
                              const capos_ThreadHandle_join_args *a)
{
    struct thread *t = tc->t;
    if (t == c->thread)
        return CAPOS_ERR_INVALID_ARGUMENT; /* would wait for itself forever */
    int err;
    struct pending_op *op = pending_new(c->thread, PENDING_THREAD_JOIN, c->sqe, &err);
    if (!op)
        return err;
    spin_lock(&t->proc->lock);
    if (t->gone) {
        spin_unlock(&t->proc->lock);
        pending_free(op);
        c->result_len = join_message(t->exit_code, t->killed, c->result, CALL_MAX_RESULT);
        return c->result_len ? CAPOS_OK : CAPOS_ERR_RESULT_TOO_LARGE;
    }
    op->target = t;
    thread_get(t);
    queue_push_back(&t->joiners, &op->wait);
    spin_unlock(&t->proc->lock);
    return CALL_PENDING;
}

static int thread_handle_info(struct thread_cap *tc, struct call *c,
                              const capos_ThreadHandle_info_args *a)
{
    const struct thread *t = tc->t;
    struct capnp_builder b;
    call_result_begin(c, &b);
    capos_ThreadHandle_info_encode_results(
        &b, &(capos_ThreadHandle_info_results){
                .tid = t->tid,
                .cpuNs = __atomic_load_n(&t->run_ns, __ATOMIC_RELAXED),
                .cpu = __atomic_load_n(&t->cpu, __ATOMIC_RELAXED),
                .weight = t->se.weight,
                .latencyClass = (enum capos_LatencyClass)t->se.latency_class,
                .affinity = t->se.allowed_cpus,
                .ended = __atomic_load_n(&t->ended, __ATOMIC_RELAXED),
            });
    return call_result_end(c, &b);
}

/* ---- ThreadControl ----
 * Every method but handle acts on the caller itself: a ThreadControl held
 * by anyone else is refused with notPermitted before anything happens. */

static int thread_control_handle(struct thread_cap *tc, struct call *c,
                                 const capos_ThreadControl_handle_args *a)
{
    int err;
    struct kobj *h = thread_cap_create(c->proc->ledger, tc->t, false, &err); /* the caller's */
    if (!h)
        return err;
    c->out_caps[c->out_ncaps++] = h;
    struct capnp_builder b;
    call_result_begin(c, &b);
    capos_ThreadControl_handle_encode_results(&b,
                                              &(capos_ThreadControl_handle_results){.handle = 0});
    return call_result_end(c, &b);
}

static int thread_control_exit(struct thread_cap *tc, struct call *c,
                               const capos_ThreadControl_exit_args *a)
{
    struct thread *t = tc->t;
    if (t != c->thread)
        return CAPOS_ERR_NOT_PERMITTED;
    /* The thread ends once this call has unwound (ring_enter): the call
     * still holds references that must be dropped first.  No completion is
     * ever posted. */
    t->exit_requested = true;
    t->exit_request_code = a->code;
    return CALL_PENDING;
}

static int thread_control_setTls(struct thread_cap *tc, struct call *c,
                                 const capos_ThreadControl_setTls_args *a)
{
    struct thread *t = tc->t;
    if (t != c->thread)
        return CAPOS_ERR_NOT_PERMITTED;
    if (a->base >= CAPOS_USER_MAX)
        return capos_rpc_refuse(&c->rpc, capos_ThreadControl_setTls_field_base);
    t->fs_base = a->base;
    arch_set_fs_base(a->base);
    return CAPOS_OK;
}

static int thread_control_setAffinity(struct thread_cap *tc, struct call *c,
                                      const capos_ThreadControl_setAffinity_args *a)
{
    if (tc->t != c->thread)
        return CAPOS_ERR_NOT_PERMITTED;
    if (!(a->mask & smp_online_mask()))
        return capos_rpc_refuse(&c->rpc, capos_ThreadControl_setAffinity_field_mask);
    sched_set_affinity(tc->t, a->mask);
    return CAPOS_OK;
}

static int thread_control_lowerWeight(struct thread_cap *tc, struct call *c,
                                      const capos_ThreadControl_lowerWeight_args *a)
{
    struct thread *t = tc->t;
    if (t != c->thread)
        return CAPOS_ERR_NOT_PERMITTED;
    if (a->weight == 0 || a->weight > t->se.weight)
        return capos_rpc_refuse(&c->rpc, capos_ThreadControl_lowerWeight_field_weight);
    sched_set_params(t, a->weight, t->se.latency_class);
    return CAPOS_OK;
}

/* set_tid_address: the word process_thread_exit zeroes and wakes. */
static int thread_control_setClearTid(struct thread_cap *tc, struct call *c,
                                      const capos_ThreadControl_setClearTid_args *a)
{
    struct thread *t = tc->t;
    if (t != c->thread)
        return CAPOS_ERR_NOT_PERMITTED;
    if (a->addr != 0 && ((a->addr & 3) || !user_range_ok(a->addr, 4)))
        return capos_rpc_refuse(&c->rpc, capos_ThreadControl_setClearTid_field_addr);
    t->clear_tid = a->addr;
    struct capnp_builder b;
    call_result_begin(c, &b);
    capos_ThreadControl_setClearTid_encode_results(
        &b, &(capos_ThreadControl_setClearTid_results){.tid = t->tid});
    return call_result_end(c, &b);
}

/* The signal calls act on the calling thread (its mask) or its process
 * (entry, wanted set, a signal to itself): a thread of the process is all
 * the authority they need. */
static int thread_control_setSignalEntry(struct thread_cap *tc, struct call *c,
                                         const capos_ThreadControl_setSignalEntry_args *a)
{
    if (tc->t != c->thread)
        return CAPOS_ERR_NOT_PERMITTED;
    return signal_register(c->thread->proc, a->entry, a->restoreStart, a->restoreEnd, a->wanted);
}

static int thread_control_setSignalMask(struct thread_cap *tc, struct call *c,
                                        const capos_ThreadControl_setSignalMask_args *a)
{
    if (tc->t != c->thread)
        return CAPOS_ERR_NOT_PERMITTED;
    __atomic_store_n(&c->thread->sig_blocked, a->blocked, __ATOMIC_RELAXED);
    return CAPOS_OK;
}

static int thread_control_signalProcess(struct thread_cap *tc, struct call *c,
                                        const capos_ThreadControl_signalProcess_args *a)
{
    if (tc->t != c->thread)
        return CAPOS_ERR_NOT_PERMITTED;
    struct process *p = c->thread->proc;
    int err = signal_send(p, a->signal, p->pid);
    if (err == CAPOS_ERR_INVALID_ARGUMENT)
        return capos_rpc_refuse(&c->rpc, capos_ThreadControl_signalProcess_field_signal);
    return err;
}

static int thread_control_yield(struct thread_cap *tc, struct call *c,
                                const capos_ThreadControl_yield_args *a)
{
    if (tc->t != c->thread)
        return CAPOS_ERR_NOT_PERMITTED;
    /* The completion is posted first; the switch happens on the way back
     * to user mode. */
    this_cpu()->need_resched = true;
    return CAPOS_OK;
}
