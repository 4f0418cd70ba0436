/*
 * Intrusive doubly-linked FIFO queue: the one queue type behind every
 * kernel wait list (an endpoint's queued calls and posted RECVs, a
 * process's ProcessHandle waiters, a thread's joiners, the kernel's
 * teardown work), kept pure so that it is tested on the host.
 *
 * A link is embedded in whatever waits; the queue never allocates and
 * never fails.  Every operation is O(1) in the worst case, removal from
 * the middle included: a waiter that gives up (a cancelled call, a thread
 * that exits) costs the same however many others are queued around it.
 * That is the point of the type: with a singly linked list, removal walks
 * the entries queued before the one removed, and those may be any
 * process's.
 *
 * An all-zero queue is empty and an all-zero link is on no queue, so
 * zeroed memory needs no initialisation.  A link is on at most one queue
 * at a time, and the caller knows which one it can be on (an endpoint's
 * call can only ever be on that endpoint's call queue); queue_contains
 * then answers in O(1) whether it is still there, which is how the
 * kernel tells "still waiting" from "someone took it".  Removal clears the
 * link, so a removed link is on no queue.  The caller provides all
 * locking.
 *
 * Invariants (checked by queue_check): following next from head visits
 * exactly count links and ends at tail; prev links are the reverse; head's
 * prev and tail's next are NULL; head and tail are both NULL iff count is
 * 0.
 */
#ifndef CAPOS_LIB_QUEUE_QUEUE_H
#define CAPOS_LIB_QUEUE_QUEUE_H

#include "base/compiler.h"

struct queue_link {
    struct queue_link *next, *prev;
};

struct queue {
    struct queue_link *head, *tail;
    size_t count;
};

static inline bool queue_empty(const struct queue *q)
{
    return q->head == NULL;
}

static inline size_t queue_len(const struct queue *q)
{
    return q->count;
}

/* The oldest link, or NULL. */
static inline struct queue_link *queue_first(const struct queue *q)
{
    return q->head;
}

/* The link after l on its queue, or NULL. */
static inline struct queue_link *queue_next(const struct queue_link *l)
{
    return l->next;
}

/* Whether l, which is on q or on no queue, is on q. */
static inline bool queue_contains(const struct queue *q, const struct queue_link *l)
{
    return l->prev != NULL || q->head == l;
}

/* Appends l (on no queue) at the tail. */
static inline void queue_push_back(struct queue *q, struct queue_link *l)
{
    l->next = NULL;
    l->prev = q->tail;
    if (q->tail)
        q->tail->next = l;
    else
        q->head = l;
    q->tail = l;
    q->count++;
}

/* Puts l (on no queue) at the head. */
static inline void queue_push_front(struct queue *q, struct queue_link *l)
{
    l->prev = NULL;
    l->next = q->head;
    if (q->head)
        q->head->prev = l;
    else
        q->tail = l;
    q->head = l;
    q->count++;
}

/* Unlinks l, which must be on q. */
static inline void queue_remove(struct queue *q, struct queue_link *l)
{
    if (l->prev)
        l->prev->next = l->next;
    else
        q->head = l->next;
    if (l->next)
        l->next->prev = l->prev;
    else
        q->tail = l->prev;
    l->next = l->prev = NULL;
    q->count--;
}

/* Removes l if it is on q (see queue_contains); whether it was. */
static inline bool queue_remove_if_queued(struct queue *q, struct queue_link *l)
{
    if (!queue_contains(q, l))
        return false;
    queue_remove(q, l);
    return true;
}

/* Removes and returns the oldest link, or NULL. */
static inline struct queue_link *queue_pop_front(struct queue *q)
{
    struct queue_link *l = q->head;
    if (l)
        queue_remove(q, l);
    return l;
}

/* NULL if every invariant above holds, else which one is broken.  O(n):
 * for tests. */
const char *queue_check(const struct queue *q);

#endif
