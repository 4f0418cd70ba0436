/*
 * ParkSpace objects: futex-like waiting on words of the caller's memory.
 *
 * A wait is keyed by (caller's process, address).  Keys of different
 * processes never meet, so the waits are kept with the process they belong
 * to, not with the space: each process has one ordered set of its parked
 * operations (process.h: parked, under park_lock), an intrusive red-black
 * tree keyed by address in which the waits on one address sit together,
 * oldest first.  Every ParkSpace the process holds reaches the same set,
 * as futexes do, and so does the kernel's wake of a thread's clear-tid
 * word (park_wake_word, at ThreadControl.exit), which needs no
 * capability.  The object itself is only the authority to park and wake;
 * a process shares nothing with another holder of the same space, so no
 * other process can make its waits or wakes slower, whatever it parks on
 * whatever addresses.
 *
 * No wake-up is lost: wait reads the word and inserts itself under
 * park_lock, and wake removes under the same lock, so a waker that changed
 * the word before calling wake either finds the waiter parked or the waiter
 * saw the new value and did not park.
 *
 * Ownership follows the pending-op rule: whoever takes an op out of the set
 * completes it.  wake takes ops (and completes them ok), the timeout takes
 * its op (timedOut), and thread exit detaches what is still parked.  A
 * timeout that fires while wake already holds the op finds it gone and
 * leaves it; wake waits for such a firing to finish (timerq_cancel_sync)
 * before the op can be freed or reused.
 *
 * Work per call is bounded by what the caller asks of its own process: a
 * wait is one insertion, O(log n) for the n operations the process has
 * parked (at most one per completion slot of each of its threads); a wake
 * is one lower-bound search and then O(log n) per waiter it takes, at most
 * PARK_WAKE_MAX of them; a timeout or a cancel is one removal.
 *
 * The generated dispatch (capos_ParkSpace_SERVER) has decoded the
 * parameters; a misaligned or out-of-range address is refused here, and
 * named in the completion.
 */
#include "abi/layout.h"
#include "capos.rpc.h"
#include "mm/kheap.h"
#include "msg.h"
#include "objects.h"
#include "pending.h"
#include "process.h"
#include "sched.h"
#include "thread.h"
#include "time.h"
#include "usercopy.h"

/* PARK_WAKE_MAX (objects.h) bounds the completions, each a
 * cross-address-space post and a wake-up, one wake makes with interrupts
 * off. */

struct parkspace {
    struct kobj obj;
};

struct kobj *park_create(struct ledger *l, int *err)
{
    struct parkspace *s = kobj_alloc(l, sizeof(*s), KOBJ_PARK_SPACE, err);
    return s ? &s->obj : NULL;
}

void park_destroy(struct kobj *o)
{
    kfree(o); /* the parked operations are the processes', not the object's */
}

/* The tree key of an address: its word index (addresses are 4-aligned and
 * in the user half, so nothing is lost). */
static inline uint64_t park_key(uint64_t addr)
{
    return addr >> 2;
}

static inline struct pending_op *park_op(struct rb_node *n)
{
    return container_of(n, struct pending_op, park_node);
}

capos_ParkSpace_SERVER(park, struct parkspace, struct call);

int park_invoke(struct kobj *o, struct call *c)
{
    return park_dispatch((struct parkspace *)o, c);
}

static int park_wait(struct parkspace *s, struct call *c, const capos_ParkSpace_wait_args *a)
{
    uint64_t addr = a->addr, timeout = a->timeoutNs;
    if ((addr & 3) || addr < CAPOS_USER_MIN || addr > CAPOS_USER_MAX - 4)
        return capos_rpc_refuse(&c->rpc, capos_ParkSpace_wait_field_addr);
    int err;
    struct pending_op *op = pending_new(c->thread, PENDING_PARK, c->sqe, &err);
    if (!op)
        return err;
    struct process *p = c->proc;
    op->park_proc = p;
    op->park_addr = addr;
    op->timer.sync_cancel = true;
    uint32_t word;
    spin_lock(&p->park_lock);
    /* The caller's own memory: a missing page fails the copy, nothing more. */
    if (!copy_from_user(&word, addr, sizeof(word))) {
        spin_unlock(&p->park_lock);
        pending_free(op);
        return CAPOS_ERR_BAD_ADDRESS;
    }
    if (word != a->expected) {
        spin_unlock(&p->park_lock);
        pending_free(op);
        return CAPOS_ERR_WOULD_BLOCK;
    }
    rb_insert(&p->parked, &op->park_node, park_key(addr));
    op->parked = true;
    if (timeout) {
        uint64_t now = time_now_ns();
        timerq_arm(&op->timer, timeout > UINT64_MAX - now ? UINT64_MAX : now + timeout);
    }
    spin_unlock(&p->park_lock);
    return CALL_PENDING;
}

uint32_t park_wake_word(struct process *p, uint64_t addr, uint32_t count)
{
    if (count > PARK_WAKE_MAX)
        count = PARK_WAKE_MAX;
    struct pending_op *taken[PARK_WAKE_MAX];
    uint32_t n = 0;
    uint64_t key = park_key(addr);
    spin_lock(&p->park_lock);
    /* The waits on addr are consecutive in the tree, oldest first. */
    struct rb_node *x = rb_lower_bound(&p->parked, key);
    while (x && x->key == key && n < count) {
        struct rb_node *next = rb_next(x);
        struct pending_op *op = park_op(x);
        rb_remove(&p->parked, x);
        op->parked = false;
        taken[n++] = op;
        x = next;
    }
    spin_unlock(&p->park_lock);
    sched_kicks_defer();
    for (uint32_t i = 0; i < n; i++) {
        struct pending_op *op = taken[i];
        /* A timeout firing right now finds the op gone; let it finish
         * before the op can be reused. */
        timerq_cancel_sync(&op->timer);
        pending_complete(op, CAPOS_OK, NULL, 0, NULL, 0);
    }
    sched_kicks_flush();
    return n;
}

static int park_wake(struct parkspace *s, struct call *c, const capos_ParkSpace_wake_args *a)
{
    if (a->addr & 3)
        return capos_rpc_refuse(&c->rpc, capos_ParkSpace_wake_field_addr);
    uint32_t n = park_wake_word(c->proc, a->addr, a->count);
    struct capnp_builder bld;
    call_result_begin(c, &bld);
    capos_ParkSpace_wake_encode_results(&bld, &(capos_ParkSpace_wake_results){.woken = n});
    return call_result_end(c, &bld);
}

/* Takes op out of its process's set if it is still there; true if this
 * caller now owns it.  op->park_proc is the owner's process, which the
 * op's reference on its owner keeps alive; a canceller that finds the op
 * taken meanwhile keeps its memory until the detach is done (pending.h),
 * so nothing else needs pinning. */
static bool park_take(struct pending_op *op)
{
    struct process *p = op->park_proc;
    spin_lock(&p->park_lock);
    bool mine = op->parked;
    if (mine) {
        rb_remove(&p->parked, &op->park_node);
        op->parked = false;
    }
    spin_unlock(&p->park_lock);
    return mine;
}

bool park_detach(struct pending_op *op)
{
    if (!park_take(op))
        return false; /* a wake owns it */
    timerq_cancel_sync(&op->timer);
    return true;
}

void park_timed_out(struct pending_op *op)
{
    if (park_take(op))
        pending_complete(op, CAPOS_ERR_TIMED_OUT, NULL, 0, NULL, 0);
}
