/*
 * libFuzzer target for lib/captable: the input is a program of table
 * operations, run against the real table and a shadow model side by side.
 *
 * Byte 0 picks the capacity (1..32); then each operation is one byte of
 * opcode followed by its operands.  Ids come from the history of issued ids
 * (most of them stale after a while), from a chosen slot and generation, or
 * raw from the input.  After every operation: the result must equal the
 * model's prediction, a failed call must leave the table byte-for-byte
 * unchanged, captable_check() must pass, the live and free counts must match
 * the model, and every id the table issues must be fresh (its slot free in
 * the model, its generation above any issued there before), which is the
 * no-aliasing property.  Any violation aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "captable/captable.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXCAP  32
#define MAXHIST 1024

enum { M_FREE, M_LIVE, M_RESERVED, M_PENDING, M_RETIRED };

struct mslot {
    int state;
    captable_id id;
    void *obj;
    uint64_t meta;
    uint32_t max_gen;
};

static struct captable table;
static struct captable_slot slots[MAXCAP];
static struct mslot model[MAXCAP];
static uint32_t cap, model_free, model_live, nhist;
static captable_id hist[MAXHIST];
static uintptr_t next_obj;

/* Input cursor: reads past the end yield zeros, so every input is a complete program. */
static const uint8_t *in;
static size_t in_left;

static uint8_t byte(void)
{
    if (in_left == 0)
        return 0;
    in_left--;
    return *in++;
}

static void fail(const char *why, long a, long b)
{
    fprintf(stderr, "fuzz_captable: %s (%ld vs %ld)\n", why, a, b);
    abort();
}

static void expect(long got, long want, const char *what)
{
    if (got != want)
        fail(what, got, want);
}

static void *new_obj(void)
{
    /* Distinct, never dereferenced. */
    next_obj += 16;
    return (void *)next_obj;
}

static captable_id pick_id(void)
{
    uint8_t sel = byte();
    if (sel < 0xc0)
        return nhist ? hist[nhist - 1 - sel % nhist] : 0;
    if (sel < 0xf0)
        return captable_make_id(sel & 0x3f, (uint16_t)(byte() | (byte() << 8)));
    return (captable_id)byte() | (captable_id)byte() << 8 | (captable_id)byte() << 16 |
           (captable_id)byte() << 24;
}

static enum captable_err model_resolve(captable_id id, int want, int busy)
{
    uint32_t idx = captable_id_index(id);
    if (id == 0)
        return CAPTABLE_ERR_NULL_ID;
    if (idx >= cap)
        return CAPTABLE_ERR_RANGE;
    if (model[idx].state == M_FREE || model[idx].state == M_RETIRED || model[idx].id != id)
        return CAPTABLE_ERR_STALE;
    if (model[idx].state != want)
        return busy ? CAPTABLE_ERR_BUSY : CAPTABLE_ERR_STATE;
    return CAPTABLE_OK;
}

static void model_issue(captable_id id, int state, void *obj, uint64_t meta)
{
    uint32_t idx = captable_id_index(id);
    if (id == 0 || idx >= cap)
        fail("issued id outside the table", (long)id, cap);
    if (model[idx].state != M_FREE)
        fail("issued id for a slot that is not free", (long)id, model[idx].state);
    if (captable_id_gen(id) <= model[idx].max_gen)
        fail("issued id repeats a generation", captable_id_gen(id), model[idx].max_gen);
    model[idx] = (struct mslot){state, id, obj, meta, captable_id_gen(id)};
    model_free--;
    if (state == M_LIVE)
        model_live++;
    if (nhist < MAXHIST)
        hist[nhist++] = id;
}

static void model_release(uint32_t idx)
{
    if (model[idx].state == M_LIVE)
        model_live--;
    model[idx].obj = NULL;
    model[idx].meta = 0;
    if (captable_id_gen(model[idx].id) == CAPTABLE_GEN_LAST) {
        model[idx].state = M_RETIRED;
    } else {
        model[idx].state = M_FREE;
        model_free++;
    }
}

/* Walks the table with captable_next and compares each state's members with the model. */
static void check_iteration(void)
{
    for (int st = M_LIVE; st <= M_PENDING; st++) {
        uint32_t cursor = 0, n = 0, want = 0;
        captable_id id;
        while (captable_next(&table, &cursor, CAPTABLE_STATE_BIT(st), &id)) {
            if (model[captable_id_index(id)].state != st || model[captable_id_index(id)].id != id)
                fail("iteration returned a wrong id", (long)id, st);
            n++;
        }
        for (uint32_t i = 0; i < cap; i++)
            want += model[i].state == st;
        expect(n, want, "iteration count");
    }
}

/* Process teardown: resolve every slot that holds something, as the kernel would. */
static void teardown(void)
{
    uint32_t cursor = 0;
    captable_id id;
    while (captable_next(&table, &cursor, ~0u, &id)) {
        uint32_t idx = captable_id_index(id);
        switch (slots[idx].state) {
        case CAPTABLE_RESERVED:
            expect(captable_rollback_move(&table, id), CAPTABLE_OK, "teardown rollback");
            model[idx].state = M_LIVE;
            model_live++;
            /* fall through */
        case CAPTABLE_LIVE:
            expect(captable_remove(&table, id, NULL, NULL), CAPTABLE_OK, "teardown remove");
            model_release(idx);
            break;
        case CAPTABLE_PENDING:
            expect(captable_cancel_pending(&table, id), CAPTABLE_OK, "teardown cancel");
            model_release(idx);
            break;
        default: break;
        }
    }
    expect(captable_live_count(&table), 0, "live after teardown");
}

static void run_op(uint8_t op)
{
    const struct captable_slot *s = NULL;
    struct captable before_t;
    struct captable_slot before_s[MAXCAP];
    enum captable_err got = CAPTABLE_OK, want = CAPTABLE_OK;
    captable_id id = 0, ids[8];
    uint32_t idx;

    before_t = table;
    memcpy(before_s, slots, sizeof(slots[0]) * cap);

    switch (op % 13) {
    case 0:
    case 1: { /* insert */
        void *obj = (op & 0x80) ? NULL : new_obj();
        uint64_t meta = byte();
        want = !obj ? CAPTABLE_ERR_ARG : model_free ? CAPTABLE_OK : CAPTABLE_ERR_FULL;
        got = captable_insert(&table, obj, meta, &id);
        expect(got, want, "insert");
        if (got == CAPTABLE_OK)
            model_issue(id, M_LIVE, obj, meta);
        break;
    }
    case 2: /* lookup */
        id = pick_id();
        idx = captable_id_index(id);
        want = model_resolve(id, M_LIVE, 1);
        got = captable_lookup(&table, id, &s);
        expect(got, want, "lookup");
        if (got == CAPTABLE_OK && (s->obj != model[idx].obj || s->meta != model[idx].meta))
            fail("lookup found another object", (long)id, idx);
        break;
    case 3: { /* remove */
        void *obj = NULL;
        id = pick_id();
        idx = captable_id_index(id);
        want = model_resolve(id, M_LIVE, 1);
        got = captable_remove(&table, id, &obj, NULL);
        expect(got, want, "remove");
        if (got == CAPTABLE_OK) {
            if (obj != model[idx].obj)
                fail("remove returned another object", (long)id, idx);
            model_release(idx);
        }
        break;
    }
    case 4: /* reserve_move */
        id = pick_id();
        idx = captable_id_index(id);
        want = model_resolve(id, M_LIVE, 1);
        got = captable_reserve_move(&table, id, &s);
        expect(got, want, "reserve_move");
        if (got == CAPTABLE_OK) {
            model[idx].state = M_RESERVED;
            model_live--;
        }
        break;
    case 5: /* commit_move */
        id = pick_id();
        want = model_resolve(id, M_RESERVED, 0);
        got = captable_commit_move(&table, id);
        expect(got, want, "commit_move");
        if (got == CAPTABLE_OK)
            model_release(captable_id_index(id));
        break;
    case 6: /* rollback_move */
        id = pick_id();
        want = model_resolve(id, M_RESERVED, 0);
        got = captable_rollback_move(&table, id);
        expect(got, want, "rollback_move");
        if (got == CAPTABLE_OK) {
            model[captable_id_index(id)].state = M_LIVE;
            model_live++;
        }
        break;
    case 7: { /* prealloc */
        uint32_t n = byte() % 9;
        want = n <= model_free ? CAPTABLE_OK : CAPTABLE_ERR_FULL;
        got = captable_prealloc(&table, n, ids);
        expect(got, want, "prealloc");
        for (uint32_t k = 0; got == CAPTABLE_OK && k < n; k++)
            model_issue(ids[k], M_PENDING, NULL, 0);
        break;
    }
    case 8: { /* fill_pending */
        void *obj = (op & 0x80) ? NULL : new_obj();
        id = pick_id();
        idx = captable_id_index(id);
        want = !obj ? CAPTABLE_ERR_ARG : model_resolve(id, M_PENDING, 0);
        got = captable_fill_pending(&table, id, obj, 7);
        expect(got, want, "fill_pending");
        if (got == CAPTABLE_OK) {
            model[idx].state = M_LIVE;
            model[idx].obj = obj;
            model[idx].meta = 7;
            model_live++;
        }
        break;
    }
    case 9: /* cancel_pending */
        id = pick_id();
        want = model_resolve(id, M_PENDING, 0);
        got = captable_cancel_pending(&table, id);
        expect(got, want, "cancel_pending");
        if (got == CAPTABLE_OK)
            model_release(captable_id_index(id));
        break;
    case 10: { /* age a free slot close to its last generation (test-only shortcut) */
        uint8_t a = byte();
        idx = a % cap;
        if (slots[idx].state == CAPTABLE_FREE && slots[idx].gen < 0xfff0 + (a >> 4))
            slots[idx].gen = (uint16_t)(0xfff0 + (a >> 4));
        break;
    }
    case 11: check_iteration(); break;
    default: teardown(); break;
    }

    if (got != CAPTABLE_OK && (memcmp(&before_t, &table, sizeof(table)) != 0 ||
                               memcmp(before_s, slots, sizeof(slots[0]) * cap) != 0))
        fail("failed call changed the table", got, op);
    if (!captable_check(&table))
        fail("captable_check", op, 0);
    expect(captable_live_count(&table), model_live, "live count");
    expect(captable_free_count(&table), model_free, "free count");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    in = data;
    in_left = size;
    cap = 1 + byte() % MAXCAP;
    if (captable_init(&table, slots, cap) != CAPTABLE_OK)
        fail("init", cap, 0);
    memset(model, 0, sizeof(model));
    model_free = cap;
    model_live = 0;
    nhist = 0;
    next_obj = 0x1000;
    while (in_left > 0)
        run_op(byte());
    check_iteration();
    teardown();
    expect(captable_free_count(&table) + table.count[CAPTABLE_RETIRED], cap, "all slots back");
    return 0;
}
