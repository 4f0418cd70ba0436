/*
 * Capability tables, object references and CALL dispatch (see cap.h).
 *
 * Dispatch is decode-then-invoke: cap_call checks the cap id, the interface
 * id, the message limits and copies the parameters into this CPU's scratch
 * buffer before any object code runs; each object's invoke function hands
 * the call to its interface's generated dispatch (capos.rpc.h), which
 * decodes and checks the parameters from that kernel copy before the
 * object's acting function runs.  Results are built in the other scratch
 * buffer and copied out by cap_deliver.  Nothing in user memory is read
 * twice.
 */
#include "cap.h"

#include "abi/errors.h"
#include "base/mem.h"
#include "mm/kheap.h"
#include "mm/pmm.h"
#include "objects.h"
#include "offwatch.h"
#include "panic.h"
#include "percpu.h"
#include "process.h"
#include "thread.h"
#include "ring.h"
#include "usercopy.h"
#include "uspace.h"

/* ---- object references ---- */

void *kobj_alloc(struct ledger *l, size_t size, enum kobj_kind kind, int *err)
{
    struct kobj *o = kheap_alloc(l, size, true, err);
    if (!o)
        return NULL;
    o->kind = kind;
    o->refs = 1;
    return o;
}

void kobj_get(struct kobj *o)
{
    if (o->refs)
        __atomic_fetch_add(&o->refs, 1, __ATOMIC_RELAXED);
}

void kobj_put(struct kobj *o)
{
    if (o->refs == 0)
        return; /* static singleton */
    if (__atomic_sub_fetch(&o->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    switch (o->kind) {
    case KOBJ_VIRTUAL_MEMORY: vmobj_destroy(o); break;
    case KOBJ_ENDPOINT_SERVER:
    case KOBJ_ENDPOINT_CLIENT: endpoint_facet_destroy(o); break;
    case KOBJ_PROCESS_SPAWNER: spawner_destroy(o); break;
    case KOBJ_PROCESS_HANDLE: process_handle_destroy(o); break;
    case KOBJ_THREAD_SPAWNER: thread_spawner_destroy(o); break;
    case KOBJ_THREAD_HANDLE:
    case KOBJ_THREAD_CONTROL: thread_cap_destroy(o); break;
    case KOBJ_SCHEDULING_POLICY: policy_destroy(o); break;
    case KOBJ_PARK_SPACE: park_destroy(o); break;
    case KOBJ_PIPE_READER:
    case KOBJ_PIPE_WRITER: pipe_end_destroy(o); break;
    case KOBJ_PIPE_FACTORY:
    case KOBJ_CONSOLE:
    case KOBJ_TIMER:
    case KOBJ_ENTROPY:
    case KOBJ_BOOT_PACKAGE:
    case KOBJ_SERIAL_INPUT:
    case KOBJ_KIND_COUNT:
        panic("kobj: singleton kind %d reached a zero reference count", (int)o->kind);
    }
}

uint64_t kobj_interface_id(const struct kobj *o)
{
    switch (o->kind) {
    case KOBJ_CONSOLE: return capos_Console_INTERFACE_ID;
    case KOBJ_TIMER: return capos_Timer_INTERFACE_ID;
    case KOBJ_ENTROPY: return capos_EntropySource_INTERFACE_ID;
    case KOBJ_VIRTUAL_MEMORY: return capos_VirtualMemory_INTERFACE_ID;
    case KOBJ_BOOT_PACKAGE: return capos_BootPackage_INTERFACE_ID;
    case KOBJ_ENDPOINT_SERVER: return capos_Endpoint_INTERFACE_ID;
    case KOBJ_ENDPOINT_CLIENT: return 0; /* the server's protocol, any interface */
    case KOBJ_PROCESS_SPAWNER: return capos_ProcessSpawner_INTERFACE_ID;
    case KOBJ_PROCESS_HANDLE: return capos_ProcessHandle_INTERFACE_ID;
    case KOBJ_THREAD_SPAWNER: return capos_ThreadSpawner_INTERFACE_ID;
    case KOBJ_THREAD_HANDLE: return capos_ThreadHandle_INTERFACE_ID;
    case KOBJ_THREAD_CONTROL: return capos_ThreadControl_INTERFACE_ID;
    case KOBJ_SCHEDULING_POLICY: return capos_SchedulingPolicy_INTERFACE_ID;
    case KOBJ_PARK_SPACE: return capos_ParkSpace_INTERFACE_ID;
    case KOBJ_PIPE_FACTORY: return capos_PipeFactory_INTERFACE_ID;
    case KOBJ_PIPE_READER: return capos_PipeReader_INTERFACE_ID;
    case KOBJ_PIPE_WRITER: return capos_PipeWriter_INTERFACE_ID;
    case KOBJ_SERIAL_INPUT: return capos_SerialInput_INTERFACE_ID;
    case KOBJ_KIND_COUNT: break;
    }
    return 0;
}

/* ---- tables ---- */

int cap_err(enum captable_err e)
{
    switch (e) {
    case CAPTABLE_OK: return CAPOS_OK;
    case CAPTABLE_ERR_NULL_ID:
    case CAPTABLE_ERR_RANGE: return CAPOS_ERR_INVALID_CAP;
    case CAPTABLE_ERR_STALE: return CAPOS_ERR_STALE_CAP;
    case CAPTABLE_ERR_BUSY:
    case CAPTABLE_ERR_STATE: return CAPOS_ERR_CAP_BUSY;
    case CAPTABLE_ERR_FULL: return CAPOS_ERR_TABLE_FULL;
    case CAPTABLE_ERR_ARG:
    case CAPTABLE_ERR_COUNT: break;
    }
    return CAPOS_ERR_INVALID_ARGUMENT;
}

int cap_table_init(struct cap_table *ct, uint32_t capacity, struct ledger *l)
{
    int err;
    ct->lock = (struct spinlock)SPINLOCK_INIT("captable");
    ct->slots = kheap_alloc(l, sizeof(struct captable_slot) * capacity, true, &err);
    if (!ct->slots)
        return err;
    if (captable_init(&ct->t, ct->slots, capacity) != CAPTABLE_OK) {
        kfree(ct->slots);
        ct->slots = NULL;
        return CAPOS_ERR_INVALID_ARGUMENT;
    }
    return CAPOS_OK;
}

/* Tables belong to a process and are changed only under their own lock;
 * objects are released after the lock is dropped, because destroying one
 * may take other locks (an endpoint's, another process's). */

bool cap_table_destroy_some(struct process *p, unsigned max)
{
    struct cap_table *ct = &p->caps;
    uint64_t flags = spin_lock_irqsave(&ct->lock);
    if (ct->slots) {
        ct->dead = ct->t;
        ct->dead_slots = ct->slots;
        ct->dead_cursor = 0;
        ct->slots = NULL;
    }
    spin_unlock_irqrestore(&ct->lock, flags);
    /* From here the detached copy is this caller's alone. */
    if (!ct->dead_slots)
        return true;
    captable_id id;
    /* A slot reserved by a move in flight still holds its reference. */
    unsigned states = CAPTABLE_STATE_BIT(CAPTABLE_LIVE) | CAPTABLE_STATE_BIT(CAPTABLE_RESERVED);
    for (unsigned i = 0; i < max; i++) {
        if (!captable_next(&ct->dead, &ct->dead_cursor, states, &id)) {
            kfree(ct->dead_slots);
            ct->dead_slots = NULL;
            return true;
        }
        struct captable_slot *slot = &ct->dead_slots[captable_id_index(id)];
        if (slot->obj)
            kobj_put(slot->obj);
    }
    return false;
}

void cap_table_destroy(struct process *p)
{
    while (!cap_table_destroy_some(p, UINT32_MAX))
        ;
}

int cap_insert(struct process *p, struct kobj *o, uint32_t *id)
{
    int err = CAPOS_ERR_PEER_GONE;
    spin_lock(&p->caps.lock);
    if (p->caps.slots)
        err = cap_err(captable_insert(&p->caps.t, o, 0, id));
    spin_unlock(&p->caps.lock);
    return err;
}

int cap_prealloc(struct process *p, uint32_t *id)
{
    int err = CAPOS_ERR_PEER_GONE;
    spin_lock(&p->caps.lock);
    if (p->caps.slots)
        err = cap_err(captable_prealloc(&p->caps.t, 1, id));
    spin_unlock(&p->caps.lock);
    return err;
}

bool cap_fill_pending(struct process *p, uint32_t id, struct kobj *o)
{
    spin_lock(&p->caps.lock);
    bool ok = p->caps.slots && captable_fill_pending(&p->caps.t, id, o, 0) == CAPTABLE_OK;
    spin_unlock(&p->caps.lock);
    return ok;
}

void cap_cancel_pending(struct process *p, uint32_t id)
{
    spin_lock(&p->caps.lock);
    if (p->caps.slots)
        (void)!captable_cancel_pending(&p->caps.t, id);
    spin_unlock(&p->caps.lock);
}

NOINLINE int cap_lookup_failed(struct process *p, uint32_t id)
{
    const struct captable_slot *slot;
    int err = p->caps.slots ? cap_err(captable_lookup(&p->caps.t, id, &slot)) : CAPOS_ERR_PEER_GONE;
    spin_unlock(&p->caps.lock);
    return err;
}

int cap_get(struct process *p, uint32_t id, struct kobj **o)
{
    int err = cap_lookup_lock(p, id, o);
    if (err == CAPOS_OK) {
        kobj_get(*o);
        cap_lookup_unlock(p);
    }
    return err;
}

int cap_release(struct process *p, uint32_t id)
{
    void *obj = NULL;
    int err = CAPOS_ERR_PEER_GONE;
    spin_lock(&p->caps.lock);
    if (p->caps.slots)
        err = cap_err(captable_remove(&p->caps.t, id, &obj, NULL));
    spin_unlock(&p->caps.lock);
    if (obj)
        kobj_put(obj);
    return err;
}

/* cap_accept_msg with capabilities (n > 0); out of line, so that a message
 * without any needs no room for their ids. */
static NOINLINE int cap_accept_msg_caps(struct process *p, uint64_t addr, const void *msg,
                                        uint32_t len, struct kobj **objs, unsigned n)
{
    uint32_t ids[CAPOS_MAX_XFER];
    int err;
    /* Reserve every slot before writing anything: insertion then cannot
     * fail halfway, and a message the table cannot take leaves the buffer
     * untouched. */
    spin_lock(&p->caps.lock);
    err = p->caps.slots ? cap_err(captable_prealloc(&p->caps.t, n, ids)) : CAPOS_ERR_PEER_GONE;
    spin_unlock(&p->caps.lock);
    if (err != CAPOS_OK)
        return err;
    bool written = uspace_write(p, addr, msg, len) &&
                   uspace_write(p, addr + CAPOS_CAPS_OFFSET(len), ids, 4ULL * n);
    spin_lock(&p->caps.lock);
    for (unsigned i = 0; i < n && p->caps.slots; i++) {
        if (!written)
            (void)!captable_cancel_pending(&p->caps.t, ids[i]);
        else if (captable_fill_pending(&p->caps.t, ids[i], objs[i], 0) != CAPTABLE_OK)
            panic("cap: a pre-allocated slot could not be filled");
    }
    /* A table destroyed meanwhile took none of them. */
    err = !p->caps.slots ? CAPOS_ERR_PEER_GONE : written ? CAPOS_OK : CAPOS_ERR_BAD_ADDRESS;
    spin_unlock(&p->caps.lock);
    return err;
}

int cap_accept_msg(struct process *p, uint64_t addr, const void *msg, uint32_t len,
                   struct kobj **objs, unsigned n)
{
    if (n)
        return cap_accept_msg_caps(p, addr, msg, len, objs, n);
    return uspace_write(p, addr, msg, len) ? CAPOS_OK : CAPOS_ERR_BAD_ADDRESS;
}

/* ---- completion delivery ---- */

void cap_drop_all(struct kobj **caps, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        kobj_put(caps[i]);
}

int cap_deliver(struct thread *t, struct capos_cqe *cqe, uint64_t recv_addr, uint32_t recv_len,
                int err, const void *msg, uint32_t len, struct kobj **caps, unsigned ncaps)
{
    struct process *p = t->proc;
    uint64_t needed = CAPOS_CAPS_OFFSET(len) + 4ULL * ncaps;

    if (__atomic_load_n(&t->ring.dead, __ATOMIC_ACQUIRE))
        return CAPOS_ERR_PEER_GONE; /* the thread is gone: take nothing */
    cqe->result_len = 0;
    cqe->ncaps = 0;
    if (err == CAPOS_OK && needed > recv_len) {
        err = CAPOS_ERR_RESULT_TOO_LARGE;
        cqe->result_len = (uint32_t)needed;
    } else if (err == CAPOS_OK) {
        err = cap_accept_msg(p, recv_addr, msg, len, caps, ncaps);
        if (err == CAPOS_OK)
            cqe->ncaps = (uint16_t)ncaps;
    }
    cqe->result = err;
    if (err == CAPOS_OK)
        cqe->result_len = len;
    /* If the thread died just now the completion is dropped; capabilities
     * accepted above belong to its process's table like any others. */
    ring_post(t, cqe);
    return err;
}

void call_complete(struct call *c, int err)
{
    struct capos_cqe cqe = {.user_data = c->sqe->user_data,
                            .detail = err != CAPOS_OK ? c->rpc.detail : 0};
    if (err != CAPOS_OK)
        c->result_len = 0;
    if (cap_deliver(c->thread, &cqe, c->sqe->recv_addr, c->sqe->recv_len, err, c->result,
                    c->result_len, c->out_caps, err == CAPOS_OK ? c->out_ncaps : 0) != CAPOS_OK ||
        err != CAPOS_OK)
        cap_drop_all(c->out_caps, c->out_ncaps);
}

int call_result_room(struct call *c, unsigned ncaps)
{
    uint64_t needed = CAPOS_CAPS_OFFSET(c->result_len) + 4ULL * ncaps;
    if (needed > c->sqe->recv_len)
        return CAPOS_ERR_RESULT_TOO_LARGE;
    struct process *p = c->proc;
    spin_lock(&p->caps.lock);
    bool room = p->caps.slots && captable_free_count(&p->caps.t) >= ncaps;
    spin_unlock(&p->caps.lock);
    return room ? CAPOS_OK : CAPOS_ERR_TABLE_FULL;
}

/* ---- CALL ---- */

uint8_t *cap_scratch_params[MAX_CPUS];
static uint8_t *cap_scratch_result[MAX_CPUS];

bool cap_init_cpu(unsigned cpu)
{
    uint64_t pa1, pa2;
    if (!pmm_alloc_frames(CALL_MAX_PARAMS / PAGE_SIZE, 1, &pa1) ||
        !pmm_alloc_frames(CALL_MAX_RESULT / PAGE_SIZE, 1, &pa2))
        return false;
    cap_scratch_params[cpu] = phys_to_virt(pa1);
    cap_scratch_result[cpu] = phys_to_virt(pa2);
    return true;
}

static int cap_invoke(struct kobj *o, struct call *c)
{
    switch (o->kind) {
    case KOBJ_CONSOLE: return console_invoke(o, c);
    case KOBJ_TIMER: return timer_invoke(o, c);
    case KOBJ_ENTROPY: return entropy_invoke(o, c);
    case KOBJ_VIRTUAL_MEMORY: return vmobj_invoke(o, c);
    case KOBJ_BOOT_PACKAGE: return bootpkg_invoke(o, c);
    case KOBJ_ENDPOINT_SERVER:
    case KOBJ_ENDPOINT_CLIENT: return endpoint_invoke(o, c);
    case KOBJ_PROCESS_SPAWNER: return spawner_invoke(o, c);
    case KOBJ_PROCESS_HANDLE: return process_handle_invoke(o, c);
    case KOBJ_THREAD_SPAWNER: return thread_spawner_invoke(o, c);
    case KOBJ_THREAD_HANDLE:
    case KOBJ_THREAD_CONTROL: return thread_cap_invoke(o, c);
    case KOBJ_SCHEDULING_POLICY: return policy_invoke(o, c);
    case KOBJ_PARK_SPACE: return park_invoke(o, c);
    case KOBJ_PIPE_FACTORY:
    case KOBJ_PIPE_READER:
    case KOBJ_PIPE_WRITER: return pipe_invoke(o, c);
    case KOBJ_SERIAL_INPUT: return serial_input_invoke(o, c);
    case KOBJ_KIND_COUNT: break;
    }
    return CAPOS_ERR_INVALID_CAP;
}

/* Kernel methods that take capabilities: ProcessSpawner.spawn, spawnImage
 * and exec (grants), SchedulingPolicy.set (the thread) and Endpoint.identify. */
static bool cap_takes_caps(const struct kobj *o, uint16_t method)
{
    return (o->kind == KOBJ_PROCESS_SPAWNER && (method == capos_ProcessSpawner_method_spawn ||
                                                method == capos_ProcessSpawner_method_spawnImage ||
                                                method == capos_ProcessSpawner_method_exec)) ||
           (o->kind == KOBJ_SCHEDULING_POLICY && method == capos_SchedulingPolicy_method_set) ||
           (o->kind == KOBJ_ENDPOINT_SERVER && method == capos_Endpoint_method_identify);
}

void cap_call_refuse(struct thread *t, const struct capos_sqe *sqe, int err)
{
    struct call c;
    c.proc = t->proc;
    c.thread = t;
    c.sqe = sqe;
    c.result = cap_scratch_result[this_cpu()->id];
    c.result_len = 0;
    c.out_ncaps = 0;
    c.xfer.n = 0;
    c.rpc.detail = 0;
    call_complete(&c, err);
}

void cap_call_object(struct thread *t, const struct capos_sqe *sqe, struct kobj *o, int err)
{
    struct process *p = t->proc;
    struct call c;
    unsigned cpu = this_cpu()->id;

    c.proc = p;
    c.thread = t;
    c.sqe = sqe;
    c.result = cap_scratch_result[cpu];
    c.result_len = 0;
    c.out_ncaps = 0;
    c.xfer.n = 0;
    c.rpc.detail = 0; /* until a decoder says what was wrong */
    if (err == CAPOS_OK) {
        kobj_get(o);
        cap_lookup_unlock(p);
        offwatch_label(OFFWATCH_CALL(o->kind, sqe->method));
    }
    if (err == CAPOS_OK && sqe->interface_id != kobj_interface_id(o))
        err = CAPOS_ERR_WRONG_INTERFACE;
    if (err == CAPOS_OK && sqe->xfer_count != 0 && !cap_takes_caps(o, sqe->method))
        err = CAPOS_ERR_TOO_MANY_CAPS;
    if (err == CAPOS_OK && !copy_from_user(cap_scratch_params[cpu], sqe->send_addr, sqe->send_len))
        err = CAPOS_ERR_BAD_ADDRESS;
    if (err == CAPOS_OK)
        err = xfer_take(p, sqe->xfer_addr, sqe->xfer_count, sqe->cap, &c.xfer);
    if (err != CAPOS_OK) {
        if (o)
            kobj_put(o);
        call_complete(&c, err);
        return;
    }
    c.rpc = (struct capos_rpc_call){.interface_id = sqe->interface_id,
                                    .params = cap_scratch_params[cpu],
                                    .params_len = sqe->send_len,
                                    .ncaps = c.xfer.n,
                                    .method = sqe->method};
    /* cap_get's reference keeps the object alive across the call even if
     * the call releases the capability. */
    err = cap_invoke(o, &c);
    /* An object that took capabilities has committed or rolled them back. */
    if (c.xfer.n)
        xfer_rollback(p, &c.xfer);
    if (err != CALL_PENDING)
        call_complete(&c, err);
    kobj_put(o);
}

void cap_call(struct thread *t, const struct capos_sqe *sqe)
{
    struct process *p = t->proc;
    struct kobj *o = NULL;

    int err = cap_lookup_lock(p, sqe->cap, &o);
    if (likely(err == CAPOS_OK && o->kind == KOBJ_ENDPOINT_CLIENT)) {
        /* A call into another process: the endpoint takes it from here.
         * Only the endpoint is needed, not the facet that names it. */
        offwatch_label(OFFWATCH_ENDPOINT_CALL);
        uint64_t badge;
        struct endpoint *ep = endpoint_client_ref(o, &badge);
        cap_lookup_unlock(p);
        err = endpoint_call(t, ep, badge, sqe, cap_scratch_params[this_cpu()->id]);
        endpoint_put(ep);
        if (err != CALL_PENDING)
            cap_call_refuse(t, sqe, err);
        return;
    }
    cap_call_object(t, sqe, o, err);
}

int cap_return(struct thread *t, const struct capos_sqe *sqe)
{
    return endpoint_return(t, sqe, cap_scratch_params[this_cpu()->id]);
}
