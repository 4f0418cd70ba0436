/*
 * ThreadSpawner objects: creating threads in one process's address space.
 *
 * The object is bound to the process it was granted to (like VirtualMemory)
 * and holds a reference on it; whoever holds the capability creates threads
 * there.  Arguments are checked before anything is allocated: entry, stack
 * and TLS base must lie in the user range (a non-canonical FS base would
 * fault in the kernel when loaded), and an affinity mask must name an online
 * CPU.  The result message and the room for it in the caller's buffer and
 * table are checked next; the room in the target's table, the thread
 * limit, frame quota and the process being alive by process_thread_spawn,
 * which publishes nothing (not even the new thread's ThreadControl in the
 * target's table) before its commit and so undoes only private state on
 * failure.  A spawn either fails with nothing started or succeeds in full.
 */
#include "abi/errors.h"
#include "arch/x86_64/smp.h"
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
    struct tspawner *s = kheap_alloc(p->ledger, sizeof(*s), true, err);
    if (!s)
        return NULL;
    s->obj.kind = KOBJ_THREAD_SPAWNER;
    s->obj.refs = 1;
    s->p = p;
    process_get(p);
    return &s->obj;
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

int thread_spawner_invoke(struct kobj *o, struct call *c)
{
    struct tspawner *s = (struct tspawner *)o;
    struct capnp_reader r;
    if (!call_params(c, &r))
        return CAPOS_ERR_INVALID_ARGUMENT;
    if (c->sqe->method != capos_ThreadSpawner_method_spawn)
        return CAPOS_ERR_UNKNOWN_METHOD;
    capos_ThreadSpawner_spawn_Params_reader a = capos_ThreadSpawner_spawn_Params_read_root(&r);
    struct thread_spawn_args args = {
        .entry = capos_ThreadSpawner_spawn_Params_get_entry(a),
        .stack = capos_ThreadSpawner_spawn_Params_get_stack(a),
        .tls = capos_ThreadSpawner_spawn_Params_get_tls(a),
        .arg = capos_ThreadSpawner_spawn_Params_get_arg(a),
        .affinity = capos_ThreadSpawner_spawn_Params_get_affinity(a),
        .set_tid = capos_ThreadSpawner_spawn_Params_get_setTid(a),
        .clear_tid = capos_ThreadSpawner_spawn_Params_get_clearTid(a),
    };
    if (!call_params_ok(&r) || !user_addr(args.entry) || !user_addr(args.stack) ||
        (args.tls != 0 && !user_addr(args.tls)) ||
        (args.affinity != 0 && !(args.affinity & smp_online_mask())) || !tid_word(args.set_tid) ||
        !tid_word(args.clear_tid))
        return CAPOS_ERR_INVALID_ARGUMENT;
    /* The result first: once the thread runs, nothing may fail.  The tid
     * is filled in afterwards, in place: a fixed-size field of a message
     * already laid out, so the size checked here does not change. */
    struct capnp_builder b;
    call_result_begin(c, &b);
    capos_ThreadSpawner_spawn_Results_builder res = capos_ThreadSpawner_spawn_Results_init_root(&b);
    capos_ThreadSpawner_spawn_Results_set_handle(res, 0);
    int err = call_result_end(c, &b);
    /* A thread started in the caller's own process takes a slot there too
     * (its ThreadControl). */
    if (err == CAPOS_OK)
        err = call_result_room(c, s->p == c->proc ? 2 : 1);
    struct kobj *h;
    uint32_t tid;
    if (err == CAPOS_OK)
        err = process_thread_spawn(s->p, &args, c->thread, &h, &tid);
    if (err != CAPOS_OK)
        return err;
    capos_ThreadSpawner_spawn_Results_set_tid(res, tid);
    c->out_caps[c->out_ncaps++] = h;
    return CAPOS_OK;
}
