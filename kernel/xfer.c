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
    /* Check everything before changing anything. */
    for (unsigned i = 0; i < count; i++) {
        if (d[i].mode > CAPOS_XFER_MOVE)
            return CAPOS_ERR_INVALID_ARGUMENT;
        if (d[i].mode == CAPOS_XFER_MOVE && d[i].cap == target)
            return CAPOS_ERR_INVALID_ARGUMENT;
        for (unsigned k = 0; k < i; k++) {
            if (d[k].cap == d[i].cap)
                return CAPOS_ERR_INVALID_ARGUMENT;
        }
        const struct captable_slot *slot;
        err = cap_err(captable_lookup(&p->caps.t, d[i].cap, &slot));
        if (err != CAPOS_OK)
            return err;
        x->objs[i] = slot->obj;
        x->ids[i] = d[i].cap;
        x->move[i] = d[i].mode == CAPOS_XFER_MOVE;
    }
    /* Act: reserve moves (cannot fail now: every slot was just seen live and
     * no id repeats), take the message's references. */
    for (unsigned i = 0; i < count; i++) {
        if (x->move[i]) {
            const struct captable_slot *slot;
            if (captable_reserve_move(&p->caps.t, x->ids[i], &slot) != CAPTABLE_OK)
                panic("xfer: a checked capability could not be reserved");
        }
        kobj_get(x->objs[i]);
    }
    x->n = count;
    return CAPOS_OK;
}

void xfer_commit_slow(struct process *sender, struct xfer_set *x)
{
    for (unsigned i = 0; i < x->n; i++) {
        if (!x->move[i])
            continue;
        /* The slot held the sender's reference; the set holds the one that
         * moves on.  Freeing the slot releases the sender's. */
        if (sender->state == PROCESS_ALIVE &&
            captable_commit_move(&sender->caps.t, x->ids[i]) == CAPTABLE_OK)
            kobj_put(x->objs[i]);
    }
    x->n = 0;
}

void xfer_rollback_slow(struct process *sender, struct xfer_set *x)
{
    for (unsigned i = 0; i < x->n; i++) {
        if (x->move[i] && sender->state == PROCESS_ALIVE)
            (void)!captable_rollback_move(&sender->caps.t, x->ids[i]);
        kobj_put(x->objs[i]);
    }
    x->n = 0;
}
