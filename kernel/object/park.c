/*
 * ParkSpace objects: futex-like waiting on words of the caller's memory.
 *
 * A wait is keyed by (caller's process, address); it is a pending op on one
 * of that process's hash buckets (parkq.h), which every ParkSpace the
 * process holds shares, and which the kernel's wake of a thread's
 * clear-tid word (park_wake_word, at ThreadControl.exit) reaches without
 * any capability.  The object itself is only the authority to wait and
 * wake.  No wake-up is lost: wait reads the word and
 * queues itself under the bucket's lock, and wake dequeues under the same
 * lock, so a waker that changed the word before calling wake either finds
 * the waiter queued or the waiter saw the new value and did not queue.
 *
 * Ownership follows the pending-op rule: whoever takes an op off its bucket
 * completes it.  wake takes ops (and completes them ok), the timeout takes
 * its op (timedOut), and thread exit detaches what is still queued.  A
 * timeout that fires while wake already holds the op finds it gone and
 * leaves it; wake waits for such a firing to finish (timerq_cancel_sync)
 * before the op can return to the pool and be reused.
 *
 * Work per call is bounded: a wait touches one bucket; a wake removes at
 * most `count` ops (capped at PARK_WAKE_MAX per call) and scans one bucket,
 * whose length is bounded by the process's own waiting operations.
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

#define PARK_WAKE_MAX 1024 /* ops a single wake may complete */

_Static_assert(PARK_BUCKETS == 64, "park_bucket takes the top 6 bits of the hash");

struct parkspace {
    struct kobj obj;
};

struct kobj *park_create(struct ledger *l, int *err)
{
    struct parkspace *s = kheap_alloc(l, sizeof(*s), true, err);
    if (!s)
        return NULL;
    s->obj.kind = KOBJ_PARK_SPACE;
    s->obj.refs = 1;
    return &s->obj;
}

void park_destroy(struct kobj *o)
{
    kfree(o); /* the queues are the processes', not the object's */
}

void park_init_process(struct process *p)
{
    for (unsigned i = 0; i < PARK_BUCKETS; i++)
        p->park[i] = (struct park_bucket){.lock = SPINLOCK_INIT("park")};
}

static struct park_bucket *park_bucket(struct process *p, uint64_t addr)
{
    uint64_t h = addr >> 2;
    h ^= h >> 29;
    return &p->park[(h * 0xBF58476D1CE4E5B9ULL) >> 58];
}

/* Unlinks op from bucket b if it is there; bucket lock held. */
static bool park_unlink(struct park_bucket *b, struct pending_op *op)
{
    struct pending_op *prev = NULL;
    for (struct pending_op *o = b->head; o; prev = o, o = o->wait_next) {
        if (o != op)
            continue;
        if (prev)
            prev->wait_next = op->wait_next;
        else
            b->head = op->wait_next;
        if (b->tail == op)
            b->tail = prev;
        op->wait_next = NULL;
        return true;
    }
    return false;
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
    op->park_proc = c->proc;
    op->park_addr = addr;
    op->timer.sync_cancel = true;
    struct park_bucket *b = park_bucket(c->proc, addr);
    uint32_t word;
    spin_lock(&b->lock);
    /* The caller's own memory: a missing page fails the copy, nothing more. */
    if (!copy_from_user(&word, addr, sizeof(word))) {
        spin_unlock(&b->lock);
        pending_free(op);
        return CAPOS_ERR_BAD_ADDRESS;
    }
    if (word != a->expected) {
        spin_unlock(&b->lock);
        pending_free(op);
        return CAPOS_ERR_WOULD_BLOCK;
    }
    if (b->tail)
        b->tail->wait_next = op;
    else
        b->head = op;
    b->tail = op;
    if (timeout) {
        uint64_t now = time_now_ns();
        timerq_arm(&op->timer, timeout > UINT64_MAX - now ? UINT64_MAX : now + timeout);
    }
    spin_unlock(&b->lock);
    return CALL_PENDING;
}

uint32_t park_wake_word(struct process *p, uint64_t addr, uint32_t count)
{
    if (count > PARK_WAKE_MAX)
        count = PARK_WAKE_MAX;
    struct park_bucket *b = park_bucket(p, addr);
    struct pending_op *taken = NULL, **tail = &taken;
    uint32_t n = 0;
    spin_lock(&b->lock);
    struct pending_op *prev = NULL, *o = b->head;
    while (o && n < count) {
        struct pending_op *next = o->wait_next;
        if (o->park_addr == addr) {
            if (prev)
                prev->wait_next = next;
            else
                b->head = next;
            if (b->tail == o)
                b->tail = prev;
            o->wait_next = NULL;
            *tail = o;
            tail = &o->wait_next;
            n++;
        } else {
            prev = o;
        }
        o = next;
    }
    spin_unlock(&b->lock);
    sched_kicks_defer();
    while (taken) {
        struct pending_op *op = taken;
        taken = op->wait_next;
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

/* Takes op off its bucket if it is still there; true if this caller now
 * owns it.  op->park_proc is the owner's process, which the op's
 * reference on its owner keeps alive; a canceller that finds the op
 * taken meanwhile keeps its memory until the detach is done (pending.h),
 * so nothing else needs pinning. */
static bool park_take(struct pending_op *op)
{
    struct park_bucket *b = park_bucket(op->park_proc, op->park_addr);
    spin_lock(&b->lock);
    bool mine = park_unlink(b, op);
    spin_unlock(&b->lock);
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
