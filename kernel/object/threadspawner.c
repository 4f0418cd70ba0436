/*
 * ThreadSpawner objects: creating threads in one process's address space.
 *
 * The object is bound to the process it was granted to (like VirtualMemory)
 * and holds a reference on it; whoever holds the capability creates threads
 * there.  Arguments are checked before anything is allocated: entry, stack
 * and TLS base must lie in the user range (a non-canonical FS base would
 * fault in the kernel when loaded), an affinity mask must name an online
 * CPU, and a setTid or clearTid word must be 0 or an aligned word in the
 * user range.  The result message and the room for it in the caller's buffer and
 * table are checked next; the room in the target's table, the thread
 * limit, frame quota and the process being alive by process_thread_spawn,
 * which publishes nothing (not even the new thread's ThreadControl in the
 * target's table) before its commit and so undoes only private state on
 * failure.  A spawn either fails with nothing started or succeeds in full.
 * The generated dispatch (capos_ThreadSpawner_SERVER) has decoded the
 * parameters; a refused address, mask or tid word is named in the
 * completion.
 */
#include "abi/layout.h"
#include "arch.h"
#include "capos.rpc.h"
#include "mm/kheap.h"
#include "msg.h"
#include "objects.h"
#include "process.h"
#include "thread.h"
#include "usercopy.h"

struct tspawner {
    struct kobj obj;
    struct process *p;
};

struct kobj *thread_spawner_create(struct process *p, int *err)
{
    struct tspawner *s = kobj_alloc(p->ledger, sizeof(*s), KOBJ_THREAD_SPAWNER, err);
    if (!s)
        return NULL;
    s->p = p;
    process_get(p);
    return &s->obj;
}

bool thread_spawner_targets(const struct kobj *o, const struct process *p)
{
    return ((const struct tspawner *)o)->p == p;
}

void thread_spawner_destroy(struct kobj *o)
{
    struct tspawner *s = (struct tspawner *)o;
    process_put(s->p);
    kfree(s);
}

static bool user_addr(uint64_t a)
{
    return a >= CAPOS_USER_MIN && a < CAPOS_USER_MAX;
}

/* A tid word: 0 (none), or an aligned 32-bit word in the user range. */
static bool tid_word(uint64_t a)
{
    return a == 0 || ((a & 3) == 0 && user_range_ok(a, 4));
}

capos_ThreadSpawner_SERVER(thread_spawner, struct tspawner, struct call);

int thread_spawner_invoke(struct kobj *o, struct call *c)
{
    return thread_spawner_dispatch((struct tspawner *)o, c);
}

static int thread_spawner_spawn(struct tspawner *s, struct call *c,
                                const capos_ThreadSpawner_spawn_args *a)
{
    /* ---- check ---- */
    if (!user_addr(a->entry))
        return capos_rpc_refuse(&c->rpc, capos_ThreadSpawner_spawn_field_entry);
    if (!user_addr(a->stack))
        return capos_rpc_refuse(&c->rpc, capos_ThreadSpawner_spawn_field_stack);
    if (a->tls != 0 && !user_addr(a->tls))
        return capos_rpc_refuse(&c->rpc, capos_ThreadSpawner_spawn_field_tls);
    if (a->affinity != 0 && !(a->affinity & smp_online_mask()))
        return capos_rpc_refuse(&c->rpc, capos_ThreadSpawner_spawn_field_affinity);
    if (!tid_word(a->setTid))
        return capos_rpc_refuse(&c->rpc, capos_ThreadSpawner_spawn_field_setTid);
    if (!tid_word(a->clearTid))
        return capos_rpc_refuse(&c->rpc, capos_ThreadSpawner_spawn_field_clearTid);
    /* The result first: once the thread runs, nothing may fail.  The tid
     * is filled in afterwards, in place: a fixed-size field of a message
     * already laid out, so the size checked here does not change. */
    struct capnp_builder b;
    call_result_begin(c, &b);
    capos_ThreadSpawner_spawn_Results_builder res = capos_ThreadSpawner_spawn_encode_results(
        &b, &(capos_ThreadSpawner_spawn_results){.handle = 0});
    int err = call_result_end(c, &b);
    /* A thread started in the caller's own process takes a slot there too
     * (its ThreadControl). */
    if (err == CAPOS_OK)
        err = call_result_room(c, s->p == c->proc ? 2 : 1);
    if (err != CAPOS_OK)
        return err;

    /* ---- act ---- */
    struct thread_spawn_args args = {
        .entry = a->entry,
        .stack = a->stack,
        .tls = a->tls,
        .arg = a->arg,
        .affinity = a->affinity,
        .set_tid = a->setTid,
        .clear_tid = a->clearTid,
    };
    struct kobj *h;
    uint32_t tid;
    err = process_thread_spawn(s->p, &args, c->thread, &h, &tid);
    if (err != CAPOS_OK)
        return err;
    capos_ThreadSpawner_spawn_Results_set_tid(res, tid);
    c->out_caps[c->out_ncaps++] = h;
    return CAPOS_OK;
}
