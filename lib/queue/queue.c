/*
 * The invariant check of the intrusive queue (see queue.h); every other
 * operation is inline.
 */
#include "queue/queue.h"

const char *queue_check(const struct queue *q)
{
    if ((q->head == NULL) != (q->tail == NULL))
        return "head and tail disagree on emptiness";
    if ((q->head == NULL) != (q->count == 0))
        return "count disagrees with emptiness";
    if (q->head && q->head->prev)
        return "head has a predecessor";
    if (q->tail && q->tail->next)
        return "tail has a successor";
    size_t n = 0;
    const struct queue_link *prev = NULL;
    for (const struct queue_link *l = q->head; l; prev = l, l = l->next) {
        if (l->prev != prev)
            return "a prev link does not name its predecessor";
        if (++n > q->count)
            return "more links than count";
    }
    if (n != q->count)
        return "fewer links than count";
    if (prev != q->tail)
        return "the last link is not tail";
    return NULL;
}
