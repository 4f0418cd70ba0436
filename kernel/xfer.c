/*
 * Capability transfer sets (see xfer.h).
 */
#include "xfer.h"

#include "abi/errors.h"
#include "base/mem.h"
#include "cap.h"
#include "panic.h"
#include "process.h"
#include "usercopy.h"

int xfer_take_slow(struct process *p, uint64_t addr, uint16_t count, uint32_t target,
                   struct xfer_set *x)
{
    struct capos_xfer d[CAPOS_MAX_XFER];
    int err = CAPOS_OK;

    if (count > CAPOS_MAX_XFER)
        return CAPOS_ERR_TOO_MANY_CAPS;
    if (!copy_from_user(d, addr, (uint64_t)count * sizeof(d[0])))
        return CAPOS_ERR_BAD_ADDRESS;
    for (unsigned i = 0; i < count; i++) {
        if (d[i].mode > CAPOS_XFER_MOVE)
            return CAPOS_ERR_INVALID_ARGUMENT;
        if (d[i].mode == CAPOS_XFER_MOVE && d[i].cap == target)
            return CAPOS_ERR_INVALID_ARGUMENT;
        for (unsigned k = 0; k < i; k++) {
            if (d[k].cap == d[i].cap)
                return CAPOS_ERR_INVALID_ARGUMENT;
        }
    }
    /* Check every capability, then act, all under one hold of the table's
     * lock, so nothing can change between the check and the reservation. */
    spin_lock(&p->caps.lock);
    for (unsigned i = 0; i < count && err == CAPOS_OK; i++) {
        const struct captable_slot *slot;
        err = p->caps.slots ? cap_err(captable_lookup(&p->caps.t, d[i].cap, &slot))
                            : CAPOS_ERR_PEER_GONE;
        if (err == CAPOS_OK) {
            x->objs[i] = slot->obj;
            x->ids[i] = d[i].cap;
            x->move[i] = d[i].mode == CAPOS_XFER_MOVE;
        }
    }
    if (err == CAPOS_OK) {
        /* Reserving cannot fail now: every slot was just seen live and no
         * id repeats. */
        for (unsigned i = 0; i < count; i++) {
            if (x->move[i]) {
                const struct captable_slot *slot;
                if (captable_reserve_move(&p->caps.t, x->ids[i], &slot) != CAPTABLE_OK)
                    panic("xfer: a checked capability could not be reserved");
            }
            kobj_get(x->objs[i]);
        }
        x->n = count;
    }
    spin_unlock(&p->caps.lock);
    return err;
}

void xfer_commit_slow(struct process *sender, struct xfer_set *x)
{
    struct kobj *drop[CAPOS_MAX_XFER];
    unsigned ndrop = 0;
    spin_lock(&sender->caps.lock);
    for (unsigned i = 0; i < x->n; i++) {
        /* The slot held the sender's reference; the set holds the one that
         * moves on.  Freeing the slot releases the sender's.  A table that
         * is already gone released it when it went. */
        if (x->move[i] && sender->caps.slots &&
            captable_commit_move(&sender->caps.t, x->ids[i]) == CAPTABLE_OK)
            drop[ndrop++] = x->objs[i];
    }
    spin_unlock(&sender->caps.lock);
    x->n = 0;
    for (unsigned i = 0; i < ndrop; i++)
        kobj_put(drop[i]);
}

void xfer_rollback_slow(struct process *sender, struct xfer_set *x)
{
    spin_lock(&sender->caps.lock);
    for (unsigned i = 0; i < x->n; i++) {
        if (x->move[i] && sender->caps.slots)
            (void)!captable_rollback_move(&sender->caps.t, x->ids[i]);
    }
    spin_unlock(&sender->caps.lock);
    for (unsigned i = 0; i < x->n; i++)
        kobj_put(x->objs[i]);
    x->n = 0;
}
