/*
 * libFuzzer target for lib/vm: the input is a program of region operations
 * (what kernel/object/vm.c does with them: map at a fixed or a chosen
 * address, claim a range for unmap or protect, finish or abandon it), run
 * against the real region set and a page-by-page reference model side by
 * side.
 *
 * The model is an array of pages over a 64-page area, each naming the
 * region that holds it (0: none) and that region's prot, budget and busy
 * flag; a region is the run of pages with one id.  Byte 0 picks the set's
 * capacity (1..16); each operation is an opcode byte and operand bytes.
 * After every operation the result must equal the model's prediction, a
 * failed call must leave the set unchanged, and the set must match the
 * model exactly: regions page-aligned, non-empty and disjoint, one region
 * per model run, with the same prot, budget and busy flag.  The gap search
 * is checked against a brute-force search of the model.  Any violation
 * aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/vm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PAGES  64
#define MAXREG 16
#define P      VM_PAGE

struct mpage {
    unsigned id; /* 0: unmapped */
    uint32_t prot;
    bool busy;
    struct vm_budget *budget;
};

static struct vm_region set[MAXREG];
static unsigned n, max;
static struct mpage model[PAGES + 1]; /* [PAGES] stays unmapped: a sentinel */
static unsigned next_id;
static char budgets[4];

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
    fprintf(stderr, "fuzz_vm: %s (%ld vs %ld)\n", why, a, b);
    abort();
}

static void expect(long got, long want, const char *what)
{
    if (got != want)
        fail(what, got, want);
}

/* A page range [s, e) from two operand bytes, possibly empty or past the
 * area (then clipped: the library's callers never pass empty ranges). */
static void range(unsigned *s, unsigned *e)
{
    *s = byte() % PAGES;
    unsigned len = 1 + byte() % 16;
    *e = *s + len > PAGES ? PAGES : *s + len;
}

static bool model_any_mapped(unsigned s, unsigned e)
{
    for (unsigned i = s; i < e; i++) {
        if (model[i].id)
            return true;
    }
    return false;
}

static unsigned model_count(void)
{
    unsigned c = 0;
    for (unsigned i = 0; i < PAGES; i++) {
        if (model[i].id && (i == 0 || model[i - 1].id != model[i].id))
            c++;
    }
    return c;
}

/* Whether a region boundary must be made at page b (it falls inside one). */
static bool model_needs_split(unsigned b)
{
    return b > 0 && b < PAGES && model[b].id && model[b - 1].id == model[b].id;
}

/* Gives the pages from b to the end of their run a new id: a split. */
static void model_split(unsigned b)
{
    unsigned old = model[b].id, id = ++next_id;
    for (unsigned i = b; i < PAGES && model[i].id == old; i++)
        model[i].id = id;
}

/* Regions wholly inside [s, e) in the model: every page of the run. */
static bool model_run_inside(unsigned first, unsigned s, unsigned e)
{
    unsigned id = model[first].id, lo = first, hi = first;
    while (lo > 0 && model[lo - 1].id == id)
        lo--;
    while (hi < PAGES && model[hi].id == id)
        hi++;
    return lo >= s && hi <= e;
}

static void check_set(void)
{
    if (n > max)
        fail("more regions than the capacity", n, max);
    expect(n, model_count(), "region count");
    for (unsigned i = 0; i < n; i++) {
        const struct vm_region *r = &set[i];
        if (r->start % P || r->end % P || r->start >= r->end || r->end > PAGES * P)
            fail("malformed region", (long)r->start, (long)r->end);
        unsigned s = (unsigned)(r->start / P), e = (unsigned)(r->end / P);
        unsigned id = model[s].id;
        if (!id || (s > 0 && model[s - 1].id == id) || model[e].id == id)
            fail("region is not one model run", s, e);
        for (unsigned k = s; k < e; k++) {
            if (model[k].id != id)
                fail("region spans two model runs", s, k);
            expect(r->prot, model[k].prot, "prot");
            expect(r->busy, model[k].busy, "busy");
            if (r->budget != model[k].budget)
                fail("budget", s, k);
        }
    }
}

static void snapshot(struct vm_region *copy, unsigned *n0)
{
    memcpy(copy, set, sizeof(set));
    *n0 = n;
}

static void unchanged(const struct vm_region *copy, unsigned n0, const char *what)
{
    if (n != n0 || memcmp(copy, set, sizeof(set)) != 0)
        fail(what, (long)n, (long)n0);
}

static void op_map_fixed(void)
{
    unsigned s, e;
    range(&s, &e);
    uint32_t prot = byte();
    struct vm_budget *b = (struct vm_budget *)(void *)&budgets[byte() % 4];
    bool overlap = vm_regions_overlap(set, n, s * P, e * P) >= 0;
    expect(overlap, model_any_mapped(s, e), "overlap");
    if (overlap)
        return;
    struct vm_region r = {s * P, e * P, prot, byte() & 1, b, false};
    struct vm_region copy[MAXREG];
    unsigned n0;
    snapshot(copy, &n0);
    bool added = vm_regions_add(set, &n, max, &r);
    expect(added, n0 < max, "add");
    if (!added) {
        unchanged(copy, n0, "a failed add changed the set");
        return;
    }
    unsigned id = ++next_id;
    for (unsigned i = s; i < e; i++)
        model[i] = (struct mpage){id, prot, r.busy, b};
}

static void op_map_auto(void)
{
    uint64_t from = byte() % PAGES, top = byte() % (PAGES + 1), len = 1 + byte() % 8;
    uint64_t guard = byte() % 3;
    uint64_t at = 0, want = 0;
    bool found = vm_regions_find_gap(set, n, from * P, top * P, len * P, guard * P, &at);
    bool model_found = false;
    for (uint64_t a = from; a + len <= top && !model_found; a++) {
        uint64_t lo = a > guard ? a - guard : 0, hi = a + len + guard;
        if (!model_any_mapped((unsigned)lo, (unsigned)(hi > PAGES ? PAGES : hi))) {
            model_found = true;
            want = a;
        }
    }
    expect(found, model_found, "gap found");
    if (!found)
        return;
    expect((long)at, (long)(want * P), "gap address");
    struct vm_region r = {at, at + len * P, 1, false, NULL, false};
    if (vm_regions_add(set, &n, max, &r)) {
        unsigned id = ++next_id;
        for (uint64_t i = want; i < want + len; i++)
            model[i] = (struct mpage){id, 1, false, NULL};
    }
}

/* A claim as unmap and protect make it: carve, then mark busy (or, for
 * the model of an abandoned claim, carve only). */
static bool op_carve(unsigned *ps, unsigned *pe)
{
    unsigned s, e, created[2], nc = 7;
    range(&s, &e);
    *ps = s;
    *pe = e;
    enum vm_err want = VM_OK;
    bool covered = true, busy = false;
    for (unsigned i = s; i < e; i++) {
        covered &= model[i].id != 0;
        busy |= model[i].busy;
    }
    unsigned need = model_needs_split(s) + model_needs_split(e);
    if (!covered)
        want = VM_ERR_NOT_COVERED;
    else if (busy)
        want = VM_ERR_BUSY;
    else if (need > max - n)
        want = VM_ERR_FULL;
    struct vm_region copy[MAXREG];
    unsigned n0;
    snapshot(copy, &n0);
    enum vm_err got = vm_regions_carve(set, &n, max, s * P, e * P, created, &nc);
    expect(got, want, "carve result");
    if (got != VM_OK) {
        expect(nc, 0, "created on failure");
        unchanged(copy, n0, "a failed carve changed the set");
        return false;
    }
    expect(nc, need, "splits");
    for (unsigned i = 0; i < nc; i++) {
        if (created[i] < n0 || created[i] >= n)
            fail("created index is not a new entry", created[i], n);
    }
    if (model_needs_split(s))
        model_split(s);
    if (model_needs_split(e))
        model_split(e);
    if (!vm_regions_cover(set, n, s * P, e * P))
        fail("carved range not covered", s, e);
    return true;
}

static void op_unmap(void)
{
    unsigned s, e;
    if (!op_carve(&s, &e))
        return;
    check_set();
    /* Remove every region wholly inside, as vm_drop_regions does. */
    for (unsigned i = 0; i < n;) {
        if (set[i].start >= s * P && set[i].end <= e * P)
            vm_regions_remove(set, &n, i);
        else
            i++;
    }
    for (unsigned i = s; i < e; i++)
        model[i] = (struct mpage){0, 0, false, NULL};
}

static void op_claim(void)
{
    unsigned s, e;
    if (!op_carve(&s, &e))
        return;
    vm_regions_set_busy(set, n, s * P, e * P, true);
    for (unsigned i = s; i < e; i++)
        model[i].busy = true;
}

static void op_release(void)
{
    unsigned s, e;
    range(&s, &e);
    uint32_t prot = byte();
    vm_regions_set_busy(set, n, s * P, e * P, false);
    for (unsigned i = 0; i < n; i++) {
        if (set[i].start >= s * P && set[i].end <= e * P)
            set[i].prot = prot;
    }
    for (unsigned i = s; i < e; i++) {
        if (model[i].id && model_run_inside(i, s, e)) {
            model[i].busy = false;
            model[i].prot = prot;
        }
    }
}

static void op_query(void)
{
    unsigned s, e;
    range(&s, &e);
    bool covered = true;
    for (unsigned i = s; i < e; i++)
        covered &= model[i].id != 0;
    expect(vm_regions_cover(set, n, s * P, e * P), covered, "cover");
    int i = vm_regions_find(set, n, s * P);
    bool starts = model[s].id && (s == 0 || model[s - 1].id != model[s].id);
    expect(i >= 0, starts, "find");
    if (i >= 0)
        expect((long)set[i].start, (long)(s * P), "find index");
    uint64_t next = vm_regions_next_start(set, n, s * P, e * P);
    unsigned want = e;
    for (unsigned k = s + 1; k < e; k++) {
        if (model[k].id && model[k - 1].id != model[k].id) {
            want = k;
            break;
        }
    }
    expect((long)next, (long)want * (long)P, "next start");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    in = data;
    in_left = size;
    memset(set, 0, sizeof(set));
    memset(model, 0, sizeof(model));
    n = 0;
    next_id = 0;
    max = 1 + byte() % MAXREG;
    for (unsigned steps = 0; in_left > 0 && steps < 512; steps++) {
        switch (byte() % 6) {
        case 0: op_map_fixed(); break;
        case 1: op_map_auto(); break;
        case 2: op_unmap(); break;
        case 3: op_claim(); break;
        case 4: op_release(); break;
        case 5: op_query(); break;
        }
        check_set();
    }
    return 0;
}
