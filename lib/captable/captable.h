/*
 * Capability table model: the per-process map from cap ids to kernel
 * objects, kept pure so that it is tested on the host.
 *
 * A process names a capability by a 32-bit cap id: the low 16 bits are a
 * slot index, the high 16 bits the slot's generation.  Generations start at
 * 1, so id 0 is never valid.  A slot's generation advances every time the
 * slot is freed, so an id dies with the capability it named: once released
 * (or moved away) it is rejected as stale forever, even after the slot holds
 * something else.  A slot whose generation would wrap past 0xffff is retired
 * instead of freed and never used again; the table shrinks by one slot rather
 * than risk an old id naming a new capability.
 *
 * Slot states (see docs/captable.md for the full story):
 *   FREE      on the free list; its generation is the one the next id gets
 *   LIVE      holds an object; lookups succeed
 *   RESERVED  a move out of this table is in flight; lookups report busy.
 *             commit_move frees the slot, rollback_move makes it LIVE again
 *   PENDING   set aside by prealloc for an incoming capability; lookups
 *             report busy.  fill_pending makes it LIVE, cancel_pending frees it
 *   RETIRED   generation exhausted; never used again
 *
 *   FREE --insert--> LIVE --remove--> FREE (gen+1) or RETIRED
 *   LIVE --reserve_move--> RESERVED --commit_move--> FREE (gen+1) or RETIRED
 *                                   --rollback_move--> LIVE
 *   FREE --prealloc--> PENDING --fill_pending--> LIVE
 *                              --cancel_pending--> FREE (gen+1) or RETIRED
 *
 * Every operation checks everything first and changes nothing when it
 * returns an error, so callers never roll back a failed call.  Insert and
 * prealloc take the least recently freed slot (a FIFO free list), which
 * spreads generation use over the table.  The table does not interpret the
 * object pointer or the 64-bit metadata word (the kernel keeps the object's
 * kind, badge or rights there); it never dereferences either.  The caller
 * provides the slot storage and any locking.
 */
#ifndef CAPOS_LIB_CAPTABLE_CAPTABLE_H
#define CAPOS_LIB_CAPTABLE_CAPTABLE_H

#include "base/compiler.h"

typedef uint32_t captable_id;

#define CAPTABLE_MAX_SLOTS 65536u /* every 16-bit index */
#define CAPTABLE_GEN_FIRST 1u
#define CAPTABLE_GEN_LAST  0xffffu
#define CAPTABLE_NIL       0xffffffffu /* end of the free list */

enum captable_state {
    CAPTABLE_FREE = 0,
    CAPTABLE_LIVE,
    CAPTABLE_RESERVED,
    CAPTABLE_PENDING,
    CAPTABLE_RETIRED,
    CAPTABLE_NSTATES
};

/* Bit for a state in captable_next()'s mask. */
#define CAPTABLE_STATE_BIT(s) (1u << (s))

struct captable_slot {
    void *obj;     /* LIVE and RESERVED: the object; otherwise NULL */
    uint64_t meta; /* LIVE and RESERVED: caller's metadata; otherwise 0 */
    uint32_t next; /* FREE: next slot on the free list or CAPTABLE_NIL */
    uint16_t gen;  /* generation of the id this slot has issued or will issue next */
    uint8_t state; /* enum captable_state */
    uint8_t pad;   /* always 0 */
};

_Static_assert(sizeof(struct captable_slot) == 24, "captable_slot is 24 bytes");

struct captable {
    struct captable_slot *slots;
    uint32_t capacity;
    uint32_t free_head;               /* least recently freed slot, or CAPTABLE_NIL */
    uint32_t free_tail;               /* most recently freed slot, or CAPTABLE_NIL */
    uint32_t count[CAPTABLE_NSTATES]; /* slots in each state; they sum to capacity */
};

enum captable_err {
    CAPTABLE_OK = 0,
    CAPTABLE_ERR_NULL_ID, /* id 0, which is never issued */
    CAPTABLE_ERR_RANGE,   /* slot index beyond the table */
    CAPTABLE_ERR_STALE,   /* names no capability: released, moved away, never issued, or reused */
    CAPTABLE_ERR_BUSY,    /* the capability is being moved out, or is not yet filled in */
    CAPTABLE_ERR_STATE,   /* valid id, but its slot is not in the state the operation needs */
    CAPTABLE_ERR_FULL,    /* not enough free slots */
    CAPTABLE_ERR_ARG,     /* bad argument: NULL object or storage, capacity 0 or too large */
    CAPTABLE_ERR_COUNT
};

static inline captable_id captable_make_id(uint32_t index, uint16_t gen)
{
    return ((uint32_t)gen << 16) | (index & 0xffffu);
}

static inline uint32_t captable_id_index(captable_id id)
{
    return id & 0xffffu;
}

static inline uint16_t captable_id_gen(captable_id id)
{
    return (uint16_t)(id >> 16);
}

/* Sets up an empty table over `capacity` slots (1..CAPTABLE_MAX_SLOTS) of caller storage. */
enum captable_err captable_init(struct captable *t, struct captable_slot *slots, uint32_t capacity);

/* Puts obj (non-NULL) with meta into a free slot; stores the new id in *id. */
enum captable_err captable_insert(struct captable *t, void *obj, uint64_t meta,
                                  captable_id *id) WARN_UNUSED;

/*
 * Finds the LIVE slot `id` names.  Errors, in the order they are checked:
 * NULL_ID, RANGE, STALE (generation mismatch, or the slot is free or
 * retired), BUSY (the slot is RESERVED or PENDING).  The slot pointer is
 * valid until the next operation that changes the table.
 */
enum captable_err captable_lookup(const struct captable *t, captable_id id,
                                  const struct captable_slot **slot) WARN_UNUSED;

/* Removes a LIVE capability; hands back its object and metadata (either pointer may be NULL). */
enum captable_err captable_remove(struct captable *t, captable_id id, void **obj,
                                  uint64_t *meta) WARN_UNUSED;

/*
 * First half of moving a capability out: LIVE -> RESERVED.  The slot keeps
 * the object (returned in *slot, may be NULL) and the id keeps its
 * generation until commit_move or rollback_move with the same id.
 */
enum captable_err captable_reserve_move(struct captable *t, captable_id id,
                                        const struct captable_slot **slot) WARN_UNUSED;
/* The move happened: RESERVED -> freed.  STATE if the slot is not RESERVED. */
enum captable_err captable_commit_move(struct captable *t, captable_id id) WARN_UNUSED;
/* The move failed: RESERVED -> LIVE, as if never reserved.  STATE if not RESERVED. */
enum captable_err captable_rollback_move(struct captable *t, captable_id id) WARN_UNUSED;

/*
 * Sets aside n free slots as PENDING and writes their ids to ids[0..n).
 * Either all n are reserved or, with FULL, none; n = 0 succeeds and does
 * nothing.  Each must later be filled or cancelled.
 */
enum captable_err captable_prealloc(struct captable *t, uint32_t n, captable_id *ids) WARN_UNUSED;
/* PENDING -> LIVE holding obj (non-NULL) and meta.  STATE if the slot is not PENDING. */
enum captable_err captable_fill_pending(struct captable *t, captable_id id, void *obj,
                                        uint64_t meta) WARN_UNUSED;
/* PENDING -> freed.  STATE if the slot is not PENDING. */
enum captable_err captable_cancel_pending(struct captable *t, captable_id id) WARN_UNUSED;

/*
 * The object of a LIVE capability, or NULL (captable_lookup then says why).
 * Inline and branch-light because every CALL starts with it; it accepts
 * exactly what captable_lookup accepts.
 */
static inline void *captable_get(const struct captable *t, captable_id id)
{
    uint32_t i = captable_id_index(id);
    if (i >= t->capacity)
        return NULL;
    const struct captable_slot *s = &t->slots[i];
    if (s->gen != captable_id_gen(id) || s->state != CAPTABLE_LIVE)
        return NULL;
    return s->obj;
}

static inline uint32_t captable_live_count(const struct captable *t)
{
    return t->count[CAPTABLE_LIVE];
}

static inline uint32_t captable_free_count(const struct captable *t)
{
    return t->count[CAPTABLE_FREE];
}

/*
 * Iteration: returns true with *id naming the first slot at index >= *cursor
 * whose state is in `states` (a mask of CAPTABLE_STATE_BIT()s), and moves
 * *cursor past it; false when there is none.  Start with *cursor = 0.  The
 * slot just returned may be removed, committed or cancelled before the next
 * call.  Process teardown walks LIVE | RESERVED (the slots holding objects).
 */
bool captable_next(const struct captable *t, uint32_t *cursor, unsigned states, captable_id *id);

/* Checks every structural invariant in O(capacity); for tests, fuzzing and debug builds. */
bool captable_check(const struct captable *t);

/* One line of text naming the reason; never NULL. */
const char *captable_strerror(enum captable_err err);

#endif
