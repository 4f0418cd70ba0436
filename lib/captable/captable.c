/*
 * Capability table implementation (see captable.h for the states and the
 * id layout).
 *
 * Each public operation is split the same way: resolve() decodes the id and
 * checks the slot's state, any argument checks come before it, and only when
 * everything has passed does the operation change the slot.  Slot states move
 * only through set_state(), which keeps count[] exact, and freeing only
 * through release(), which advances the generation or retires the slot.
 */
#include "captable/captable.h"

#include "base/checked.h"

static void set_state(struct captable *t, struct captable_slot *s, enum captable_state to)
{
    t->count[s->state]--;
    t->count[to]++;
    s->state = (uint8_t)to;
}

/* Takes the least recently freed slot off the free list; the caller has checked it is non-empty. */
static uint32_t pop_free(struct captable *t)
{
    uint32_t idx = t->free_head;
    struct captable_slot *s = &t->slots[idx];

    t->free_head = s->next;
    if (t->free_head == CAPTABLE_NIL)
        t->free_tail = CAPTABLE_NIL;
    s->next = CAPTABLE_NIL;
    return idx;
}

static void push_free(struct captable *t, uint32_t idx)
{
    t->slots[idx].next = CAPTABLE_NIL;
    if (t->free_tail == CAPTABLE_NIL)
        t->free_head = idx;
    else
        t->slots[t->free_tail].next = idx;
    t->free_tail = idx;
}

/*
 * Ends the slot's current occupant.  Advancing the generation here, not at
 * the next insert, makes the old id stale at once.  A slot that has used its
 * last generation is retired: reusing it would have to repeat a generation,
 * and an id held since then would name the newcomer.
 */
static void release(struct captable *t, uint32_t idx)
{
    struct captable_slot *s = &t->slots[idx];

    s->obj = NULL;
    s->meta = 0;
    if (s->gen == CAPTABLE_GEN_LAST) {
        set_state(t, s, CAPTABLE_RETIRED);
        return;
    }
    s->gen++;
    set_state(t, s, CAPTABLE_FREE);
    push_free(t, idx);
}

/*
 * Decodes id and finds its slot if the id is current: the slot has issued
 * this generation and not freed it since.  FREE and RETIRED slots name no
 * capability whatever their generation.
 */
static enum captable_err resolve(const struct captable *t, captable_id id, uint32_t *idx)
{
    uint32_t i = captable_id_index(id);
    const struct captable_slot *s;

    if (id == 0)
        return CAPTABLE_ERR_NULL_ID;
    if (i >= t->capacity)
        return CAPTABLE_ERR_RANGE;
    s = &t->slots[i];
    if (s->gen != captable_id_gen(id) || s->state == CAPTABLE_FREE || s->state == CAPTABLE_RETIRED)
        return CAPTABLE_ERR_STALE;
    *idx = i;
    return CAPTABLE_OK;
}

/* resolve() plus: the slot must be in `want`, else `other` is the error. */
static enum captable_err resolve_state(const struct captable *t, captable_id id,
                                       enum captable_state want, enum captable_err other,
                                       uint32_t *idx)
{
    enum captable_err err = resolve(t, id, idx);

    if (err != CAPTABLE_OK)
        return err;
    if (t->slots[*idx].state != want)
        return other;
    return CAPTABLE_OK;
}

/* The slot must be LIVE; a slot in transition reports BUSY. */
static enum captable_err resolve_live(const struct captable *t, captable_id id, uint32_t *idx)
{
    return resolve_state(t, id, CAPTABLE_LIVE, CAPTABLE_ERR_BUSY, idx);
}

/*
 * Ends a two-step operation: the slot id names must be in `from` (else the
 * caller asked for the wrong step); it is then released (to == FREE) or
 * moved to `to`.
 */
static enum captable_err finish_step(struct captable *t, captable_id id, enum captable_state from,
                                     enum captable_state to)
{
    uint32_t idx;
    enum captable_err err = resolve_state(t, id, from, CAPTABLE_ERR_STATE, &idx);

    if (err != CAPTABLE_OK)
        return err;
    if (to == CAPTABLE_FREE)
        release(t, idx);
    else
        set_state(t, &t->slots[idx], to);
    return CAPTABLE_OK;
}

enum captable_err captable_init(struct captable *t, struct captable_slot *slots, uint32_t capacity)
{
    if (!t || !slots || capacity == 0 || capacity > CAPTABLE_MAX_SLOTS)
        return CAPTABLE_ERR_ARG;
    t->slots = slots;
    t->capacity = capacity;
    for (uint32_t s = 0; s < CAPTABLE_NSTATES; s++)
        t->count[s] = 0;
    t->count[CAPTABLE_FREE] = capacity;
    for (uint32_t i = 0; i < capacity; i++) {
        slots[i] = (struct captable_slot){
            .obj = NULL,
            .meta = 0,
            .next = i + 1 < capacity ? i + 1 : CAPTABLE_NIL,
            .gen = CAPTABLE_GEN_FIRST,
            .state = CAPTABLE_FREE,
        };
    }
    t->free_head = 0;
    t->free_tail = capacity - 1;
    return CAPTABLE_OK;
}

enum captable_err captable_insert(struct captable *t, void *obj, uint64_t meta, captable_id *id)
{
    struct captable_slot *s;
    uint32_t idx;

    if (!obj)
        return CAPTABLE_ERR_ARG;
    if (t->count[CAPTABLE_FREE] == 0)
        return CAPTABLE_ERR_FULL;
    idx = pop_free(t);
    s = &t->slots[idx];
    s->obj = obj;
    s->meta = meta;
    set_state(t, s, CAPTABLE_LIVE);
    *id = captable_make_id(idx, s->gen);
    return CAPTABLE_OK;
}

enum captable_err captable_lookup(const struct captable *t, captable_id id,
                                  const struct captable_slot **slot)
{
    uint32_t idx;
    enum captable_err err = resolve_live(t, id, &idx);

    if (err != CAPTABLE_OK)
        return err;
    *slot = &t->slots[idx];
    return CAPTABLE_OK;
}

enum captable_err captable_remove(struct captable *t, captable_id id, void **obj, uint64_t *meta)
{
    uint32_t idx;
    enum captable_err err = resolve_live(t, id, &idx);

    if (err != CAPTABLE_OK)
        return err;
    if (obj)
        *obj = t->slots[idx].obj;
    if (meta)
        *meta = t->slots[idx].meta;
    release(t, idx);
    return CAPTABLE_OK;
}

enum captable_err captable_reserve_move(struct captable *t, captable_id id,
                                        const struct captable_slot **slot)
{
    uint32_t idx;
    enum captable_err err = resolve_live(t, id, &idx);

    if (err != CAPTABLE_OK)
        return err;
    set_state(t, &t->slots[idx], CAPTABLE_RESERVED);
    if (slot)
        *slot = &t->slots[idx];
    return CAPTABLE_OK;
}

enum captable_err captable_commit_move(struct captable *t, captable_id id)
{
    return finish_step(t, id, CAPTABLE_RESERVED, CAPTABLE_FREE);
}

enum captable_err captable_rollback_move(struct captable *t, captable_id id)
{
    return finish_step(t, id, CAPTABLE_RESERVED, CAPTABLE_LIVE);
}

enum captable_err captable_prealloc(struct captable *t, uint32_t n, captable_id *ids)
{
    if (n > 0 && !ids)
        return CAPTABLE_ERR_ARG;
    /* Capacity first: after this check every pop below succeeds. */
    if (n > t->count[CAPTABLE_FREE])
        return CAPTABLE_ERR_FULL;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t idx = pop_free(t);
        set_state(t, &t->slots[idx], CAPTABLE_PENDING);
        ids[k] = captable_make_id(idx, t->slots[idx].gen);
    }
    return CAPTABLE_OK;
}

enum captable_err captable_fill_pending(struct captable *t, captable_id id, void *obj,
                                        uint64_t meta)
{
    uint32_t idx;
    enum captable_err err;

    if (!obj)
        return CAPTABLE_ERR_ARG;
    err = resolve_state(t, id, CAPTABLE_PENDING, CAPTABLE_ERR_STATE, &idx);
    if (err != CAPTABLE_OK)
        return err;
    t->slots[idx].obj = obj;
    t->slots[idx].meta = meta;
    set_state(t, &t->slots[idx], CAPTABLE_LIVE);
    return CAPTABLE_OK;
}

enum captable_err captable_cancel_pending(struct captable *t, captable_id id)
{
    return finish_step(t, id, CAPTABLE_PENDING, CAPTABLE_FREE);
}

bool captable_next(const struct captable *t, uint32_t *cursor, unsigned states, captable_id *id)
{
    for (uint32_t i = *cursor; i < t->capacity; i++) {
        const struct captable_slot *s = &t->slots[i];
        if (states & CAPTABLE_STATE_BIT(s->state)) {
            *id = captable_make_id(i, s->gen);
            *cursor = i + 1;
            return true;
        }
    }
    *cursor = t->capacity;
    return false;
}

bool captable_check(const struct captable *t)
{
    uint32_t seen[CAPTABLE_NSTATES] = {0};
    uint32_t total = 0, idx, last = CAPTABLE_NIL;

    if (!t->slots || t->capacity == 0 || t->capacity > CAPTABLE_MAX_SLOTS)
        return false;
    for (uint32_t i = 0; i < t->capacity; i++) {
        const struct captable_slot *s = &t->slots[i];
        bool holds = s->state == CAPTABLE_LIVE || s->state == CAPTABLE_RESERVED;
        if (s->state >= CAPTABLE_NSTATES || s->gen < CAPTABLE_GEN_FIRST || s->pad != 0)
            return false;
        /* Only slots that hold a capability carry an object; no other slot can leak one. */
        if (holds != (s->obj != NULL) || (!holds && s->meta != 0))
            return false;
        if (s->state == CAPTABLE_RETIRED && s->gen != CAPTABLE_GEN_LAST)
            return false;
        if (s->state != CAPTABLE_FREE && s->next != CAPTABLE_NIL)
            return false;
        seen[s->state]++;
    }
    for (uint32_t st = 0; st < CAPTABLE_NSTATES; st++) {
        if (seen[st] != t->count[st])
            return false;
        total += seen[st];
    }
    if (total != t->capacity)
        return false;
    /*
     * The free list: exactly count[FREE] steps from head reach NIL, each on a
     * FREE slot.  An acyclic walk of that length visits that many distinct
     * slots, so it covers every FREE slot; a cycle would not reach NIL.
     */
    idx = t->free_head;
    for (uint32_t k = 0; k < t->count[CAPTABLE_FREE]; k++) {
        if (idx >= t->capacity || t->slots[idx].state != CAPTABLE_FREE)
            return false;
        last = idx;
        idx = t->slots[idx].next;
    }
    return idx == CAPTABLE_NIL && t->free_tail == last;
}

static const char *const captable_messages[CAPTABLE_ERR_COUNT] = {
    [CAPTABLE_OK] = "ok",
    [CAPTABLE_ERR_NULL_ID] = "cap id 0 is never valid",
    [CAPTABLE_ERR_RANGE] = "cap id names a slot beyond the table",
    [CAPTABLE_ERR_STALE] = "cap id is stale: released, moved away, never issued or reused",
    [CAPTABLE_ERR_BUSY] = "capability is being moved or is not yet filled in",
    [CAPTABLE_ERR_STATE] = "capability slot is not in the state this step needs",
    [CAPTABLE_ERR_FULL] = "capability table is full",
    [CAPTABLE_ERR_ARG] = "bad argument to a capability table operation",
};

const char *captable_strerror(enum captable_err err)
{
    return checked_name(captable_messages, ARRAY_SIZE(captable_messages), (unsigned)err,
                        "unknown capability table error");
}
