/*
 * ProcessHandle objects: waiting for a process's exit status, and killing it.
 *
 * A handle keeps a reference on its process, so the exit status (and its
 * pid, which ProcessHandle.pid reports) stays readable after the process
 * is gone.  A wait on a running process becomes
 * a pending op on the process's waiter queue (holding another reference);
 * once the process has stopped and the reaper has taken back everything
 * it held (its capabilities, its address space: process.h, reaped), every
 * waiter completes with the status, a bounded batch at a time (the
 * waiters may be any number of any processes').  So a parent that hears
 * of its child's end can reuse the child's quota at once.  A waiter that
 * gives up leaves the queue in O(1).  signal is signal.c's.
 */
#include "base/mem.h"
#include "capos.rpc.h"
#include "mm/kheap.h"
#include "msg.h"
#include "objects.h"
#include "pending.h"
#include "process.h"
#include "signal.h"
#include "thread.h"

struct phandle {
    struct kobj obj;
    struct process *target;
};

struct kobj *process_handle_create(struct ledger *l, struct process *target, int *err)
{
    struct phandle *h = kobj_alloc(l, sizeof(*h), KOBJ_PROCESS_HANDLE, err);
    if (!h)
        return NULL;
    if (target)
        process_handle_bind(&h->obj, target);
    return &h->obj;
}

void process_handle_bind(struct kobj *o, struct process *target)
{
    struct phandle *h = (struct phandle *)o;
    h->target = target;
    process_get(target);
}

void process_handle_destroy(struct kobj *o)
{
    struct phandle *h = (struct phandle *)o;
    if (h->target)
        process_put(h->target);
    kfree(h);
}

/* Builds a wait result (an ExitStatus) into buf; returns its length or 0. */
static uint32_t exit_status_message(const struct exit_status *st, uint8_t *buf, size_t cap)
{
    struct capnp_builder b;
    const uint8_t *out;
    size_t len;
    capnp_builder_init(&b, buf, cap);
    capos_ExitStatus_builder es = capos_ProcessHandle_wait_Results_init_status(
        capos_ProcessHandle_wait_Results_init_root(&b));
    switch (st->kind) {
    case EXIT_CODE: capos_ExitStatus_set_exited(es, st->code); break;
    case EXIT_KILLED: capos_ExitStatus_set_killed(es); break;
    case EXIT_FAULTED: {
        capos_Fault_builder f = capos_ExitStatus_init_faulted(es);
        capos_Fault_set_vector(f, st->vector);
        capos_Fault_set_address(f, st->address);
        capos_Fault_set_reason(f, st->reason, strnlen(st->reason, sizeof(st->reason)));
        break;
    }
    }
    if (capnp_builder_finish(&b, &out, &len) != CAPNP_OK)
        return 0;
    return (uint32_t)len;
}

capos_ProcessHandle_SERVER(process_handle, struct phandle, struct call);

int process_handle_invoke(struct kobj *o, struct call *c)
{
    return process_handle_dispatch((struct phandle *)o, c);
}

static int process_handle_wait(struct phandle *h, struct call *c,
                               const capos_ProcessHandle_wait_args *a)
{
    struct process *t = h->target;
    int err;
    struct pending_op *op = pending_new(c->thread, PENDING_PROCESS_WAIT, c->sqe, &err);
    if (!op)
        return err;
    /* Under the target's lock `reaped` cannot change: either the process
     * is gone, everything it held back (answer now), or the op is queued
     * before the reaper completes the waiters. */
    spin_lock(&t->lock);
    if (t->reaped) {
        spin_unlock(&t->lock);
        pending_free(op);
        c->result_len = exit_status_message(&t->status, c->result, CALL_MAX_RESULT);
        return c->result_len ? CAPOS_OK : CAPOS_ERR_RESULT_TOO_LARGE;
    }
    op->target = t;
    process_get(t);
    queue_push_back(&t->waiters, &op->wait);
    spin_unlock(&t->lock);
    return CALL_PENDING;
}

static int process_handle_kill(struct phandle *h, struct call *c,
                               const capos_ProcessHandle_kill_args *a)
{
    process_kill(h->target);
    return CAPOS_OK;
}

/* Authority: holding the handle (a parent holds one per child). */
static int process_handle_signal(struct phandle *h, struct call *c,
                                 const capos_ProcessHandle_signal_args *a)
{
    int err = signal_send(h->target, a->signal, c->thread->proc->pid);
    if (err == CAPOS_ERR_INVALID_ARGUMENT)
        return capos_rpc_refuse(&c->rpc, capos_ProcessHandle_signal_field_signal);
    return err;
}

static int process_handle_pid(struct phandle *h, struct call *c,
                              const capos_ProcessHandle_pid_args *a)
{
    struct capnp_builder b;
    call_result_begin(c, &b);
    capos_ProcessHandle_pid_encode_results(
        &b, &(capos_ProcessHandle_pid_results){.pid = h->target->pid});
    return call_result_end(c, &b);
}

bool process_handle_detach(struct pending_op *op)
{
    struct process *t = op->target;
    spin_lock(&t->lock);
    bool mine = queue_remove_if_queued(&t->waiters, &op->wait);
    spin_unlock(&t->lock);
    if (mine)
        process_put(t);
    return mine; /* else the target's exit is completing it */
}

bool process_handle_notify(struct process *p, unsigned max)
{
    uint8_t buf[256] ALIGNED(8);
    uint32_t len = exit_status_message(&p->status, buf, sizeof(buf));
    /* p is reaped: new waits answer at once, so the queue only shrinks. */
    unsigned n;
    bool done = pending_complete_waiters(&p->lock, &p->waiters, max, buf, len, &n);
    while (n--)
        process_put(p); /* each wait's reference; the caller still holds one */
    return done;
}
