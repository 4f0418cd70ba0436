/*
 * Host tests of lib/captable: each operation and error, the stale-id and
 * generation-retirement rules, that every failed call leaves the table
 * byte-for-byte unchanged, and a randomized check against a reference model.
 */
#include "test.h"

#include <stdlib.h>

#include "captable/captable.h"

#define CAP 8

static struct captable_slot slots[CAPTABLE_MAX_SLOTS];
static struct captable table;

/* Distinct fake objects: the table never dereferences them. */
static char objs[64];
#define OBJ(n) ((void *)&objs[(n)])

static void setup(uint32_t cap)
{
    memset(slots, 0x5a, sizeof(slots[0]) * cap);
    if (captable_init(&table, slots, cap) != CAPTABLE_OK)
        abort();
}

/* A copy of the table and its slots, to show a failed call changed nothing. */
struct snapshot {
    struct captable t;
    struct captable_slot s[64];
};

static void snap(struct snapshot *sn)
{
    sn->t = table;
    memcpy(sn->s, slots, sizeof(slots[0]) * (table.capacity < 64 ? table.capacity : 64));
}

static int unchanged(const struct snapshot *sn)
{
    return memcmp(&sn->t, &table, sizeof(table)) == 0 &&
           memcmp(sn->s, slots, sizeof(slots[0]) * (table.capacity < 64 ? table.capacity : 64)) ==
               0;
}

/* The call must fail with `err` and leave the table exactly as it was. */
#define CHECK_FAILS_CLEAN(call, err)                                                               \
    do {                                                                                           \
        struct snapshot sn_;                                                                       \
        snap(&sn_);                                                                                \
        CHECK_EQ((call), (err));                                                                   \
        CHECK(unchanged(&sn_));                                                                    \
    } while (0)

static captable_id must_insert(void *obj, uint64_t meta)
{
    captable_id id = 0;
    if (captable_insert(&table, obj, meta, &id) != CAPTABLE_OK)
        abort();
    return id;
}

TEST(init_rejects_bad_capacity)
{
    struct captable t;
    CHECK_EQ(captable_init(&t, slots, 0), CAPTABLE_ERR_ARG);
    CHECK_EQ(captable_init(&t, slots, CAPTABLE_MAX_SLOTS + 1), CAPTABLE_ERR_ARG);
    CHECK_EQ(captable_init(&t, NULL, 4), CAPTABLE_ERR_ARG);
    CHECK_EQ(captable_init(&t, slots, CAPTABLE_MAX_SLOTS), CAPTABLE_OK);
    CHECK(captable_check(&t));
    CHECK_EQ(captable_free_count(&t), CAPTABLE_MAX_SLOTS);
}

TEST(id_layout)
{
    captable_id id = captable_make_id(0x1234, 0xabcd);
    CHECK_EQ(id, 0xabcd1234u);
    CHECK_EQ(captable_id_index(id), 0x1234);
    CHECK_EQ(captable_id_gen(id), 0xabcd);
}

TEST(insert_lookup_remove)
{
    const struct captable_slot *s;
    void *obj;
    uint64_t meta;
    setup(CAP);
    captable_id a = must_insert(OBJ(1), 11);
    captable_id b = must_insert(OBJ(2), 22);
    CHECK(a != 0 && b != 0 && a != b);
    CHECK_EQ(captable_id_gen(a), CAPTABLE_GEN_FIRST);
    CHECK_EQ(captable_live_count(&table), 2);
    CHECK_EQ(captable_lookup(&table, a, &s), CAPTABLE_OK);
    CHECK(s->obj == OBJ(1));
    CHECK_EQ(s->meta, 11);
    CHECK_EQ(captable_lookup(&table, b, &s), CAPTABLE_OK);
    CHECK(s->obj == OBJ(2));
    CHECK_EQ(captable_remove(&table, a, &obj, &meta), CAPTABLE_OK);
    CHECK(obj == OBJ(1));
    CHECK_EQ(meta, 11);
    CHECK_EQ(captable_live_count(&table), 1);
    CHECK(captable_check(&table));
}

TEST(lookup_errors_in_order)
{
    const struct captable_slot *s = NULL;
    setup(CAP);
    must_insert(OBJ(1), 0);
    captable_id a = must_insert(OBJ(2), 0);
    CHECK_EQ(captable_id_index(a), 1);
    CHECK_FAILS_CLEAN(captable_lookup(&table, 0, &s), CAPTABLE_ERR_NULL_ID);
    CHECK_FAILS_CLEAN(captable_lookup(&table, captable_make_id(CAP, 1), &s), CAPTABLE_ERR_RANGE);
    CHECK_FAILS_CLEAN(captable_lookup(&table, captable_make_id(0xffff, 1), &s), CAPTABLE_ERR_RANGE);
    /* Right slot, wrong generation (older, newer, and the never-used 0). */
    CHECK_FAILS_CLEAN(captable_lookup(&table, a + 0x10000, &s), CAPTABLE_ERR_STALE);
    CHECK_FAILS_CLEAN(captable_lookup(&table, captable_id_index(a), &s), CAPTABLE_ERR_STALE);
    /* A free slot's current generation has not been issued yet. */
    CHECK_FAILS_CLEAN(captable_lookup(&table, captable_make_id(5, 1), &s), CAPTABLE_ERR_STALE);
    CHECK(s == NULL);
}

TEST(released_id_is_stale_even_after_reuse)
{
    const struct captable_slot *s;
    setup(1);
    captable_id a = must_insert(OBJ(1), 0);
    CHECK_EQ(captable_remove(&table, a, NULL, NULL), CAPTABLE_OK);
    CHECK_FAILS_CLEAN(captable_lookup(&table, a, &s), CAPTABLE_ERR_STALE);
    CHECK_FAILS_CLEAN(captable_remove(&table, a, NULL, NULL), CAPTABLE_ERR_STALE);
    /* The only slot is reused: same index, new generation; the old id still fails. */
    captable_id b = must_insert(OBJ(2), 0);
    CHECK_EQ(captable_id_index(b), captable_id_index(a));
    CHECK(b != a);
    CHECK_FAILS_CLEAN(captable_lookup(&table, a, &s), CAPTABLE_ERR_STALE);
    CHECK_FAILS_CLEAN(captable_remove(&table, a, NULL, NULL), CAPTABLE_ERR_STALE);
    CHECK_EQ(captable_lookup(&table, b, &s), CAPTABLE_OK);
    CHECK(s->obj == OBJ(2));
}

TEST(free_list_is_fifo)
{
    /* The least recently freed slot is reused first, which delays reusing any one slot. */
    setup(3);
    captable_id a = must_insert(OBJ(1), 0);
    captable_id b = must_insert(OBJ(2), 0);
    CHECK_EQ(captable_remove(&table, b, NULL, NULL), CAPTABLE_OK);
    CHECK_EQ(captable_remove(&table, a, NULL, NULL), CAPTABLE_OK);
    CHECK_EQ(captable_id_index(must_insert(OBJ(3), 0)), 2);
    CHECK_EQ(captable_id_index(must_insert(OBJ(4), 0)), captable_id_index(b));
    CHECK_EQ(captable_id_index(must_insert(OBJ(5), 0)), captable_id_index(a));
    CHECK(captable_check(&table));
}

TEST(insert_errors)
{
    captable_id id = 0;
    setup(2);
    CHECK_FAILS_CLEAN(captable_insert(&table, NULL, 0, &id), CAPTABLE_ERR_ARG);
    must_insert(OBJ(1), 0);
    must_insert(OBJ(2), 0);
    CHECK_FAILS_CLEAN(captable_insert(&table, OBJ(3), 0, &id), CAPTABLE_ERR_FULL);
    CHECK_EQ(id, 0);
}

TEST(move_commit)
{
    const struct captable_slot *s;
    setup(CAP);
    captable_id a = must_insert(OBJ(1), 7);
    CHECK_EQ(captable_reserve_move(&table, a, &s), CAPTABLE_OK);
    CHECK(s->obj == OBJ(1));
    CHECK_EQ(s->meta, 7);
    CHECK_EQ(s->state, CAPTABLE_RESERVED);
    /* While reserved, the capability cannot be used, removed or reserved again. */
    CHECK_FAILS_CLEAN(captable_lookup(&table, a, &s), CAPTABLE_ERR_BUSY);
    CHECK_FAILS_CLEAN(captable_remove(&table, a, NULL, NULL), CAPTABLE_ERR_BUSY);
    CHECK_FAILS_CLEAN(captable_reserve_move(&table, a, &s), CAPTABLE_ERR_BUSY);
    CHECK_FAILS_CLEAN(captable_fill_pending(&table, a, OBJ(2), 0), CAPTABLE_ERR_STATE);
    CHECK_FAILS_CLEAN(captable_cancel_pending(&table, a), CAPTABLE_ERR_STATE);
    CHECK_EQ(captable_live_count(&table), 0);
    CHECK_EQ(captable_commit_move(&table, a), CAPTABLE_OK);
    CHECK_FAILS_CLEAN(captable_lookup(&table, a, &s), CAPTABLE_ERR_STALE);
    CHECK_FAILS_CLEAN(captable_commit_move(&table, a), CAPTABLE_ERR_STALE);
    CHECK_FAILS_CLEAN(captable_rollback_move(&table, a), CAPTABLE_ERR_STALE);
    CHECK_EQ(captable_free_count(&table), CAP);
    CHECK(captable_check(&table));
}

TEST(move_rollback)
{
    const struct captable_slot *s;
    setup(CAP);
    captable_id a = must_insert(OBJ(1), 7);
    CHECK_FAILS_CLEAN(captable_commit_move(&table, a), CAPTABLE_ERR_STATE);
    CHECK_FAILS_CLEAN(captable_rollback_move(&table, a), CAPTABLE_ERR_STATE);
    CHECK_EQ(captable_reserve_move(&table, a, NULL), CAPTABLE_OK);
    CHECK_EQ(captable_rollback_move(&table, a), CAPTABLE_OK);
    /* Back to LIVE under the same id, as if never reserved. */
    CHECK_EQ(captable_lookup(&table, a, &s), CAPTABLE_OK);
    CHECK(s->obj == OBJ(1));
    CHECK_EQ(s->meta, 7);
    CHECK_EQ(captable_live_count(&table), 1);
    CHECK_FAILS_CLEAN(captable_rollback_move(&table, a), CAPTABLE_ERR_STATE);
    CHECK(captable_check(&table));
}

TEST(prealloc_fill_cancel)
{
    captable_id ids[4];
    const struct captable_slot *s;
    setup(4);
    must_insert(OBJ(1), 0);
    CHECK_EQ(captable_prealloc(&table, 3, ids), CAPTABLE_OK);
    CHECK_EQ(captable_free_count(&table), 0);
    CHECK_EQ(captable_live_count(&table), 1);
    CHECK(ids[0] != ids[1] && ids[1] != ids[2] && ids[0] != ids[2]);
    /* Pending ids are busy for lookups and wrong-state for the move steps. */
    CHECK_FAILS_CLEAN(captable_lookup(&table, ids[0], &s), CAPTABLE_ERR_BUSY);
    CHECK_FAILS_CLEAN(captable_remove(&table, ids[0], NULL, NULL), CAPTABLE_ERR_BUSY);
    CHECK_FAILS_CLEAN(captable_reserve_move(&table, ids[0], NULL), CAPTABLE_ERR_BUSY);
    CHECK_FAILS_CLEAN(captable_commit_move(&table, ids[0]), CAPTABLE_ERR_STATE);
    CHECK_FAILS_CLEAN(captable_rollback_move(&table, ids[0]), CAPTABLE_ERR_STATE);
    CHECK_FAILS_CLEAN(captable_fill_pending(&table, ids[0], NULL, 0), CAPTABLE_ERR_ARG);
    /* Pending slots are spoken for: inserts fail until one is given back. */
    captable_id x;
    CHECK_FAILS_CLEAN(captable_insert(&table, OBJ(9), 0, &x), CAPTABLE_ERR_FULL);
    CHECK_EQ(captable_fill_pending(&table, ids[0], OBJ(2), 20), CAPTABLE_OK);
    CHECK_EQ(captable_fill_pending(&table, ids[1], OBJ(3), 30), CAPTABLE_OK);
    CHECK_FAILS_CLEAN(captable_fill_pending(&table, ids[0], OBJ(4), 0), CAPTABLE_ERR_STATE);
    CHECK_FAILS_CLEAN(captable_cancel_pending(&table, ids[1]), CAPTABLE_ERR_STATE);
    CHECK_EQ(captable_cancel_pending(&table, ids[2]), CAPTABLE_OK);
    CHECK_FAILS_CLEAN(captable_cancel_pending(&table, ids[2]), CAPTABLE_ERR_STALE);
    CHECK_FAILS_CLEAN(captable_fill_pending(&table, ids[2], OBJ(5), 0), CAPTABLE_ERR_STALE);
    CHECK_EQ(captable_lookup(&table, ids[0], &s), CAPTABLE_OK);
    CHECK(s->obj == OBJ(2));
    CHECK_EQ(s->meta, 20);
    CHECK_EQ(captable_live_count(&table), 3);
    CHECK_EQ(captable_free_count(&table), 1);
    CHECK(captable_check(&table));
}

TEST(prealloc_all_or_nothing)
{
    captable_id ids[8];
    setup(4);
    must_insert(OBJ(1), 0);
    memset(ids, 0, sizeof(ids));
    CHECK_FAILS_CLEAN(captable_prealloc(&table, 4, ids), CAPTABLE_ERR_FULL);
    CHECK_EQ(ids[0], 0);
    CHECK_FAILS_CLEAN(captable_prealloc(&table, 0xffffffffu, ids), CAPTABLE_ERR_FULL);
    CHECK_FAILS_CLEAN(captable_prealloc(&table, 2, NULL), CAPTABLE_ERR_ARG);
    CHECK_FAILS_CLEAN(captable_prealloc(&table, 0, NULL), CAPTABLE_OK);
    CHECK_EQ(captable_prealloc(&table, 3, ids), CAPTABLE_OK);
    CHECK_FAILS_CLEAN(captable_prealloc(&table, 1, ids), CAPTABLE_ERR_FULL);
}

TEST(every_error_leaves_table_unchanged)
{
    /* Each operation, on each kind of bad id, against a table with every state present. */
    captable_id ids[2], live, reserved, freed, x;
    const struct captable_slot *s;
    setup(CAP);
    live = must_insert(OBJ(1), 1);
    reserved = must_insert(OBJ(2), 2);
    freed = must_insert(OBJ(3), 3);
    CHECK_EQ(captable_reserve_move(&table, reserved, NULL), CAPTABLE_OK);
    CHECK_EQ(captable_remove(&table, freed, NULL, NULL), CAPTABLE_OK);
    CHECK_EQ(captable_prealloc(&table, 2, ids), CAPTABLE_OK);
    const captable_id bad[] = {0, captable_make_id(CAP, 1), freed, live + 0x10000,
                               captable_make_id(7, 1)};
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        enum captable_err want = i == 0   ? CAPTABLE_ERR_NULL_ID
                                 : i == 1 ? CAPTABLE_ERR_RANGE
                                          : CAPTABLE_ERR_STALE;
        CHECK_FAILS_CLEAN(captable_lookup(&table, bad[i], &s), want);
        CHECK_FAILS_CLEAN(captable_remove(&table, bad[i], NULL, NULL), want);
        CHECK_FAILS_CLEAN(captable_reserve_move(&table, bad[i], NULL), want);
        CHECK_FAILS_CLEAN(captable_commit_move(&table, bad[i]), want);
        CHECK_FAILS_CLEAN(captable_rollback_move(&table, bad[i]), want);
        CHECK_FAILS_CLEAN(captable_fill_pending(&table, bad[i], OBJ(4), 0), want);
        CHECK_FAILS_CLEAN(captable_cancel_pending(&table, bad[i]), want);
    }
    CHECK_FAILS_CLEAN(captable_insert(&table, NULL, 0, &x), CAPTABLE_ERR_ARG);
    CHECK_FAILS_CLEAN(captable_prealloc(&table, CAP, ids), CAPTABLE_ERR_FULL);
    CHECK(captable_check(&table));
}

/* Ages a FREE slot so its next id uses `gen`; only ever moves generations forward. */
static void age_slot(uint32_t idx, uint16_t gen)
{
    if (slots[idx].state == CAPTABLE_FREE && slots[idx].gen < gen)
        slots[idx].gen = gen;
}

TEST(generation_wrap_retires_slot)
{
    /* One slot cycled through every generation, then retired for good. */
    captable_id first = 0, last = 0, x;
    const struct captable_slot *s;
    setup(1);
    for (uint32_t g = CAPTABLE_GEN_FIRST; g <= CAPTABLE_GEN_LAST; g++) {
        captable_id id = must_insert(OBJ(1), g);
        CHECK_EQ(captable_id_gen(id), g);
        CHECK_EQ(captable_id_index(id), 0);
        if (!first)
            first = id;
        last = id;
        CHECK_EQ(captable_remove(&table, id, NULL, NULL), CAPTABLE_OK);
    }
    CHECK_EQ(captable_id_gen(last), 0xffff);
    CHECK_EQ(slots[0].state, CAPTABLE_RETIRED);
    CHECK_EQ(captable_free_count(&table), 0);
    CHECK_EQ(captable_live_count(&table), 0);
    CHECK_FAILS_CLEAN(captable_insert(&table, OBJ(2), 0, &x), CAPTABLE_ERR_FULL);
    CHECK_FAILS_CLEAN(captable_prealloc(&table, 1, &x), CAPTABLE_ERR_FULL);
    CHECK_FAILS_CLEAN(captable_lookup(&table, last, &s), CAPTABLE_ERR_STALE);
    CHECK_FAILS_CLEAN(captable_lookup(&table, first, &s), CAPTABLE_ERR_STALE);
    /* Generation 0 would have been next had it wrapped; it must not name anything either. */
    CHECK_FAILS_CLEAN(captable_lookup(&table, captable_make_id(0, 0), &s), CAPTABLE_ERR_NULL_ID);
    CHECK(captable_check(&table));
}

TEST(retirement_through_every_free_path)
{
    /* remove, commit_move and cancel_pending all retire a slot at its last generation. */
    captable_id a, b, c, ids[1];
    setup(4);
    for (uint32_t i = 0; i < 4; i++)
        age_slot(i, CAPTABLE_GEN_LAST);
    a = must_insert(OBJ(1), 0);
    b = must_insert(OBJ(2), 0);
    CHECK_EQ(captable_prealloc(&table, 1, ids), CAPTABLE_OK);
    c = ids[0];
    CHECK_EQ(captable_id_gen(a), 0xffff);
    CHECK_EQ(captable_remove(&table, a, NULL, NULL), CAPTABLE_OK);
    CHECK_EQ(captable_reserve_move(&table, b, NULL), CAPTABLE_OK);
    CHECK_EQ(captable_commit_move(&table, b), CAPTABLE_OK);
    CHECK_EQ(captable_cancel_pending(&table, c), CAPTABLE_OK);
    CHECK_EQ(table.count[CAPTABLE_RETIRED], 3);
    CHECK_EQ(captable_free_count(&table), 1);
    /* The one slot left is still usable, and the others stay out of reach. */
    captable_id d = must_insert(OBJ(3), 0);
    CHECK_EQ(captable_id_index(d), 3);
    captable_id x;
    CHECK_FAILS_CLEAN(captable_insert(&table, OBJ(4), 0, &x), CAPTABLE_ERR_FULL);
    /* A rollback does not free the slot, so it does not retire it. */
    CHECK_EQ(captable_reserve_move(&table, d, NULL), CAPTABLE_OK);
    CHECK_EQ(captable_rollback_move(&table, d), CAPTABLE_OK);
    CHECK_EQ(captable_live_count(&table), 1);
    CHECK(captable_check(&table));
}

TEST(iteration_and_teardown)
{
    captable_id ids[2], a, b, c, id;
    uint32_t cursor = 0, n = 0;
    setup(CAP);
    a = must_insert(OBJ(1), 0);
    b = must_insert(OBJ(2), 0);
    c = must_insert(OBJ(3), 0);
    CHECK_EQ(captable_remove(&table, b, NULL, NULL), CAPTABLE_OK);
    CHECK_EQ(captable_reserve_move(&table, c, NULL), CAPTABLE_OK);
    CHECK_EQ(captable_prealloc(&table, 2, ids), CAPTABLE_OK);
    /* LIVE only. */
    while (captable_next(&table, &cursor, CAPTABLE_STATE_BIT(CAPTABLE_LIVE), &id)) {
        CHECK_EQ(id, a);
        n++;
    }
    CHECK_EQ(n, 1);
    CHECK(!captable_next(&table, &cursor, ~0u, &id));
    /* Teardown: drop everything that holds an object, removing while iterating. */
    cursor = 0;
    n = 0;
    while (captable_next(&table, &cursor,
                         CAPTABLE_STATE_BIT(CAPTABLE_LIVE) | CAPTABLE_STATE_BIT(CAPTABLE_RESERVED),
                         &id)) {
        if (id == c) {
            CHECK_EQ(captable_rollback_move(&table, id), CAPTABLE_OK);
        }
        CHECK_EQ(captable_remove(&table, id, NULL, NULL), CAPTABLE_OK);
        n++;
    }
    CHECK_EQ(n, 2);
    cursor = 0;
    n = 0;
    while (captable_next(&table, &cursor, CAPTABLE_STATE_BIT(CAPTABLE_PENDING), &id)) {
        CHECK_EQ(captable_cancel_pending(&table, id), CAPTABLE_OK);
        n++;
    }
    CHECK_EQ(n, 2);
    CHECK_EQ(captable_free_count(&table), CAP);
    CHECK(captable_check(&table));
}

TEST(check_detects_corruption)
{
    captable_id a;
    setup(CAP);
    a = must_insert(OBJ(1), 0);
    CHECK(captable_check(&table));
    table.count[CAPTABLE_LIVE]++;
    CHECK(!captable_check(&table));
    table.count[CAPTABLE_LIVE]--;
    slots[captable_id_index(a)].obj = NULL;
    CHECK(!captable_check(&table));
    slots[captable_id_index(a)].obj = OBJ(1);
    slots[table.free_tail].next = table.free_head; /* a cycle */
    CHECK(!captable_check(&table));
}

TEST(every_error_has_a_message)
{
    for (int a = 0; a < CAPTABLE_ERR_COUNT; a++) {
        const char *m = captable_strerror((enum captable_err)a);
        CHECK(m != NULL && strstr(m, "unknown") == NULL);
        for (int b = 0; b < a; b++)
            CHECK(strcmp(m, captable_strerror((enum captable_err)b)) != 0);
    }
    CHECK(strstr(captable_strerror(CAPTABLE_ERR_COUNT), "unknown") != NULL);
}

/* ---- Randomized model check ---- */

enum { MSTATE_FREE, MSTATE_LIVE, MSTATE_RESERVED, MSTATE_PENDING, MSTATE_RETIRED };

/*
 * The reference model: per slot index, the state and the id of its current
 * occupant, and the highest generation ever issued there.  The model does not
 * choose slots; it accepts the table's choice after checking that the slot
 * was free and the generation never issued before (no aliasing).  For every
 * id it then predicts the exact result of each operation.
 */
struct mslot {
    int state;
    captable_id id; /* current occupant (LIVE, RESERVED, PENDING) */
    void *obj;
    uint64_t meta;
    uint32_t max_gen;
};

#define MCAP 48
static struct mslot model[MCAP];
static uint32_t model_free, model_live;
/* Every id ever issued, so that stale ids are tried again long after. */
static captable_id history[60000];
static uint32_t nhistory;

static uint32_t rnd(uint32_t n)
{
    return (uint32_t)rand() % n;
}

/* Predicted outcome of resolving id for an operation needing state `want`. */
static enum captable_err model_resolve(captable_id id, int want, int busy_if_not)
{
    uint32_t idx = captable_id_index(id);
    if (id == 0)
        return CAPTABLE_ERR_NULL_ID;
    if (idx >= MCAP)
        return CAPTABLE_ERR_RANGE;
    const struct mslot *m = &model[idx];
    if (m->state == MSTATE_FREE || m->state == MSTATE_RETIRED || m->id != id)
        return CAPTABLE_ERR_STALE;
    if (m->state != want)
        return busy_if_not ? CAPTABLE_ERR_BUSY : CAPTABLE_ERR_STATE;
    return CAPTABLE_OK;
}

/* The model's side of freeing a slot: retire at the last generation. */
static void model_release(uint32_t idx)
{
    struct mslot *m = &model[idx];
    if (m->state == MSTATE_LIVE)
        model_live--;
    m->obj = NULL;
    m->meta = 0;
    if (captable_id_gen(m->id) == CAPTABLE_GEN_LAST) {
        m->state = MSTATE_RETIRED;
    } else {
        m->state = MSTATE_FREE;
        model_free++;
    }
}

/* Records an id the table just issued; returns 0 if it aliases anything. */
static int model_issue(captable_id id, int state, void *obj, uint64_t meta)
{
    uint32_t idx = captable_id_index(id);
    if (id == 0 || idx >= MCAP || model[idx].state != MSTATE_FREE ||
        captable_id_gen(id) <= model[idx].max_gen)
        return 0;
    model[idx] = (struct mslot){state, id, obj, meta, captable_id_gen(id)};
    model_free--;
    if (state == MSTATE_LIVE)
        model_live++;
    if (nhistory < ARRAY_SIZE(history))
        history[nhistory++] = id;
    return 1;
}

/* An id to try: mostly current occupants and recent ids (many now stale), some junk. */
static captable_id pick_id(int want)
{
    uint32_t r = rnd(20);
    if (r < 9) {
        /* An occupant in the state the operation needs, if there is one. */
        uint32_t start = rnd(MCAP);
        for (uint32_t k = 0; k < MCAP; k++) {
            const struct mslot *m = &model[(start + k) % MCAP];
            if (m->state == want)
                return m->id;
        }
    }
    if (r < 16 && nhistory)
        return history[nhistory - 1 - rnd(nhistory < 256 ? nhistory : 256)];
    if (r < 18)
        return captable_make_id(rnd(MCAP + 2), (uint16_t)rnd(4));
    if (r < 19)
        return (captable_id)rand() ^ ((captable_id)rand() << 16);
    return 0;
}

TEST(randomized_model)
{
    uint32_t saw_full = 0, saw_empty = 0;

    srand(4321);
    setup(MCAP);
    memset(model, 0, sizeof(model));
    model_free = MCAP;
    model_live = 0;
    nhistory = 0;

    for (int step = 0; step < 50000; step++) {
        /*
         * Operation numbers as in the switch below.  Phases alternate between
         * mostly filling and mostly draining, so the table swings between
         * full and empty rather than settling in between.
         */
        static const uint8_t fill_mix[] = {0, 1, 0, 2, 3, 4, 5, 6, 7, 7, 8, 8, 9, 10};
        static const uint8_t drain_mix[] = {0, 2, 3, 3, 3, 4, 4, 5, 5, 6, 7, 8, 9, 9, 10};
        static const int op_wants[11] = {MSTATE_FREE,     MSTATE_FREE, MSTATE_LIVE,
                                         MSTATE_LIVE,     MSTATE_LIVE, MSTATE_RESERVED,
                                         MSTATE_RESERVED, MSTATE_FREE, MSTATE_PENDING,
                                         MSTATE_PENDING,  MSTATE_FREE};
        uint32_t op = (step / 2000) % 2 ? drain_mix[rnd(ARRAY_SIZE(drain_mix))]
                                        : fill_mix[rnd(ARRAY_SIZE(fill_mix))];
        captable_id id = pick_id(op_wants[op]), out = 0, ids[6];
        const struct captable_slot *s = NULL;
        void *obj = OBJ(1 + rnd(60));
        uint64_t meta = (uint64_t)rand() << 20;
        enum captable_err want, got;
        struct snapshot sn;
        uint32_t idx = captable_id_index(id);
        snap(&sn);

        switch (op) {
        case 0:
        case 1: /* insert */
            want = model_free ? CAPTABLE_OK : CAPTABLE_ERR_FULL;
            got = captable_insert(&table, obj, meta, &out);
            CHECK_EQ(got, want);
            if (got == CAPTABLE_OK)
                CHECK(model_issue(out, MSTATE_LIVE, obj, meta));
            break;
        case 2: /* lookup */
            want = model_resolve(id, MSTATE_LIVE, 1);
            got = captable_lookup(&table, id, &s);
            CHECK_EQ(got, want);
            if (got == CAPTABLE_OK) {
                CHECK(s->obj == model[idx].obj);
                CHECK_EQ(s->meta, model[idx].meta);
            }
            break;
        case 3: { /* remove */
            void *o = NULL;
            uint64_t m = 0;
            want = model_resolve(id, MSTATE_LIVE, 1);
            got = captable_remove(&table, id, &o, &m);
            CHECK_EQ(got, want);
            if (got == CAPTABLE_OK) {
                CHECK(o == model[idx].obj);
                CHECK_EQ(m, model[idx].meta);
                model_release(idx);
            }
            break;
        }
        case 4: /* reserve_move */
            want = model_resolve(id, MSTATE_LIVE, 1);
            got = captable_reserve_move(&table, id, &s);
            CHECK_EQ(got, want);
            if (got == CAPTABLE_OK) {
                CHECK(s->obj == model[idx].obj);
                model[idx].state = MSTATE_RESERVED;
                model_live--;
            }
            break;
        case 5: /* commit_move */
            want = model_resolve(id, MSTATE_RESERVED, 0);
            got = captable_commit_move(&table, id);
            CHECK_EQ(got, want);
            if (got == CAPTABLE_OK)
                model_release(idx);
            break;
        case 6: /* rollback_move */
            want = model_resolve(id, MSTATE_RESERVED, 0);
            got = captable_rollback_move(&table, id);
            CHECK_EQ(got, want);
            if (got == CAPTABLE_OK) {
                model[idx].state = MSTATE_LIVE;
                model_live++;
            }
            break;
        case 7: { /* prealloc */
            uint32_t n = rnd(6);
            want = n <= model_free ? CAPTABLE_OK : CAPTABLE_ERR_FULL;
            got = captable_prealloc(&table, n, ids);
            CHECK_EQ(got, want);
            if (got == CAPTABLE_OK) {
                for (uint32_t k = 0; k < n; k++)
                    CHECK(model_issue(ids[k], MSTATE_PENDING, NULL, 0));
            }
            break;
        }
        case 8: /* fill_pending */
            want = model_resolve(id, MSTATE_PENDING, 0);
            got = captable_fill_pending(&table, id, obj, meta);
            CHECK_EQ(got, want);
            if (got == CAPTABLE_OK) {
                model[idx].state = MSTATE_LIVE;
                model[idx].obj = obj;
                model[idx].meta = meta;
                model_live++;
            }
            break;
        case 9: /* cancel_pending */
            want = model_resolve(id, MSTATE_PENDING, 0);
            got = captable_cancel_pending(&table, id);
            CHECK_EQ(got, want);
            if (got == CAPTABLE_OK)
                model_release(idx);
            break;
        default: { /* age a free slot toward its last generations, so retirement happens */
            uint32_t i = rnd(MCAP);
            want = got = CAPTABLE_OK;
            if (rnd(20) == 0)
                age_slot(i, (uint16_t)(0xfff0 + rnd(16)));
            break;
        }
        }
        if (got != CAPTABLE_OK)
            CHECK(unchanged(&sn));
        CHECK_EQ(captable_live_count(&table), model_live);
        CHECK_EQ(captable_free_count(&table), model_free);
        if (model_free == 0)
            saw_full++;
        if (model_live == 0)
            saw_empty++;
        if (step % 500 == 0) {
            /* Whole-table comparison: states, ids and objects. */
            CHECK(captable_check(&table));
            for (uint32_t i = 0; i < MCAP; i++) {
                const struct captable_slot *ts = &slots[i];
                CHECK_EQ(ts->state, model[i].state);
                if (model[i].state != MSTATE_FREE && model[i].state != MSTATE_RETIRED) {
                    CHECK_EQ(captable_make_id(i, ts->gen), model[i].id);
                    CHECK(ts->obj == model[i].obj);
                }
            }
            uint32_t cursor = 0, n = 0;
            captable_id it;
            while (captable_next(&table, &cursor, CAPTABLE_STATE_BIT(CAPTABLE_LIVE), &it)) {
                CHECK_EQ(model[captable_id_index(it)].state, MSTATE_LIVE);
                CHECK_EQ(model[captable_id_index(it)].id, it);
                n++;
            }
            CHECK_EQ(n, model_live);
        }
    }
    /* The run must have exercised the rare paths, without retiring the whole table. */
    CHECK(table.count[CAPTABLE_RETIRED] > 0 && table.count[CAPTABLE_RETIRED] < MCAP / 2);
    CHECK(saw_full > 1000 && saw_empty > 1000);
    CHECK(nhistory > 5000);
    CHECK(captable_check(&table));
}
