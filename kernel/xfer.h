/*
 * Capability transfer sets: the capabilities one CALL or RETURN carries.
 *
 * xfer_take copies the sender's descriptors in once, checks them all and
 * only then acts: every id must name a live capability (not one already
 * reserved by another move in flight), no id may appear twice, the call's
 * own target may not be moved, and at most CAPOS_MAX_XFER may be sent.  It
 * takes one reference per capability for the message and reserves the
 * sender's slot of every move (lookups of a reserved slot report capBusy).
 *
 * The set then ends in exactly one of two ways:
 *   commit   the receiver accepted: moved slots are freed in the sender's
 *            table; the set's references now belong to the receiver;
 *   rollback the transfer failed: reserved slots become live again and the
 *            set's references are dropped, so the sender's table is exactly
 *            as before.
 * Nothing is ever half-inserted: receivers pre-allocate all their slots
 * before any is filled (cap_deliver).
 */
#ifndef CAPOS_KERNEL_XFER_H
#define CAPOS_KERNEL_XFER_H

#include "abi/ring.h"
#include "base/compiler.h"

struct process;
struct kobj;

struct xfer_set {
    uint16_t n;
    struct kobj *objs[CAPOS_MAX_XFER]; /* references owned by the set */
    uint32_t ids[CAPOS_MAX_XFER];      /* the sender's cap ids */
    bool move[CAPOS_MAX_XFER];
};

/* Takes the descriptors [addr, addr + count) of process p (the current
 * one); `target` is the cap id the operation is addressed to (0: none).
 * Returns an ErrorCode; on failure nothing has changed. */
int xfer_take_slow(struct process *p, uint64_t addr, uint16_t count, uint32_t target,
                   struct xfer_set *x);

static inline int xfer_take(struct process *p, uint64_t addr, uint16_t count, uint32_t target,
                            struct xfer_set *x)
{
    x->n = 0;
    return count ? xfer_take_slow(p, addr, count, target, x) : 0;
}

void xfer_commit_slow(struct process *sender, struct xfer_set *x);
void xfer_rollback_slow(struct process *sender, struct xfer_set *x);

/* Most messages carry no capabilities: keep that case free. */
static inline void xfer_commit(struct process *sender, struct xfer_set *x)
{
    if (x->n)
        xfer_commit_slow(sender, x);
}

static inline void xfer_rollback(struct process *sender, struct xfer_set *x)
{
    if (x->n)
        xfer_rollback_slow(sender, x);
}

#endif
