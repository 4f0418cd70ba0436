/*
 * Quota trees (see quota.h).
 */
#include "mm/quota.h"

void quota_init(struct quota *q, struct quota *parent, uint64_t limit)
{
    q->parent = parent;
    q->limit = limit;
    q->used = 0;
}

/* Adds n to one level unless that would pass its limit. */
static bool quota_add(struct quota *q, uint64_t n)
{
    uint64_t used = __atomic_load_n(&q->used, __ATOMIC_RELAXED);
    do {
        /* used never exceeds limit, so the subtraction cannot wrap. */
        if (n > q->limit - used)
            return false;
    } while (!__atomic_compare_exchange_n(&q->used, &used, used + n, true, __ATOMIC_RELAXED,
                                          __ATOMIC_RELAXED));
    return true;
}

/* Takes n from one level unless it holds less. */
static bool quota_sub(struct quota *q, uint64_t n)
{
    uint64_t used = __atomic_load_n(&q->used, __ATOMIC_RELAXED);
    do {
        if (n > used)
            return false;
    } while (!__atomic_compare_exchange_n(&q->used, &used, used - n, true, __ATOMIC_RELAXED,
                                          __ATOMIC_RELAXED));
    return true;
}

bool quota_charge(struct quota *q, uint64_t n)
{
    struct quota *refused = NULL;
    for (struct quota *it = q; it; it = it->parent) {
        if (!quota_add(it, n)) {
            refused = it;
            break;
        }
    }
    if (!refused)
        return true;
    /* The levels below the refusing one took n a moment ago: they still
     * hold at least that much. */
    for (struct quota *it = q; it != refused; it = it->parent)
        (void)quota_sub(it, n);
    return false;
}

bool quota_uncharge(struct quota *q, uint64_t n)
{
    for (struct quota *it = q; it; it = it->parent) {
        if (!quota_sub(it, n))
            return false;
    }
    return true;
}

uint64_t quota_room(const struct quota *q)
{
    uint64_t room = UINT64_MAX;
    for (; q; q = q->parent) {
        uint64_t used = __atomic_load_n(&q->used, __ATOMIC_RELAXED);
        uint64_t r = used >= q->limit ? 0 : q->limit - used;
        if (r < room)
            room = r;
    }
    return room;
}
