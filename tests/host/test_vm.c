/*
 * Host tests of lib/vm: argument validation at the edges of the address
 * range (overflow included), overlap and coverage, the kernel-chosen
 * address search with guard pages, carving (splits, busy regions, a full
 * table) with nothing changed on failure, and a randomized comparison of
 * the gap search with a brute-force search.
 */
#include "test.h"

#include <stdlib.h>

#include "vm/vm.h"

#define P    VM_PAGE
#define NREG 8

/* Fake budgets: never dereferenced by the library. */
static char budgets[4];
#define BUDGET(n) ((struct vm_budget *)(void *)&budgets[(n)])

static struct vm_region R(uint64_t start, uint64_t end) {
    struct vm_region r = {start, end, 0, false, NULL, false};
    return r;
}

TEST(vm_prot_validation)
{
    CHECK(vm_prot_valid(VM_PROT_READ));
    CHECK(vm_prot_valid(VM_PROT_READ | VM_PROT_WRITE));
    CHECK(vm_prot_valid(VM_PROT_READ | VM_PROT_EXEC));
    CHECK(!vm_prot_valid(0));
    CHECK(!vm_prot_valid(VM_PROT_WRITE));
    CHECK(!vm_prot_valid(VM_PROT_EXEC));
    CHECK(!vm_prot_valid(VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC));
    CHECK(!vm_prot_valid(VM_PROT_READ | 8));
    CHECK(!vm_prot_valid(0x80000001u));
}

TEST(vm_range_validation)
{
    const uint64_t lo = 0x10000, hi = 0x7f0000000000ULL;
    CHECK(vm_range_valid(lo, P, lo, hi));
    CHECK(vm_range_valid(hi - P, P, lo, hi));
    CHECK(vm_range_valid(lo, hi - lo, lo, hi));
    CHECK(!vm_range_valid(lo, 0, lo, hi));
    CHECK(!vm_range_valid(lo - P, P, lo, hi));
    CHECK(!vm_range_valid(hi, P, lo, hi));
    CHECK(!vm_range_valid(hi - P, 2 * P, lo, hi));
    CHECK(!vm_range_valid(lo + 1, P, lo, hi));
    CHECK(!vm_range_valid(lo, P + 1, lo, hi));
    CHECK(!vm_range_valid(0, P, lo, hi));
    /* Lengths and addresses whose sum wraps. */
    CHECK(!vm_range_valid(lo, UINT64_MAX - P + 1, lo, hi));
    CHECK(!vm_range_valid(hi - P, UINT64_MAX - P + 1, lo, hi));
    CHECK(!vm_range_valid(UINT64_MAX - P + 1, 2 * P, lo, hi));
    CHECK(!vm_range_valid(0xffff800000000000ULL, P, lo, hi));
    CHECK(!vm_range_valid(lo, 1ULL << 63, lo, hi));
}

TEST(vm_overlap_and_cover)
{
    struct vm_region r[3] = {R(0x10000, 0x20000), R(0x20000, 0x30000), R(0x40000, 0x50000)};
    CHECK_EQ(vm_regions_overlap(r, 3, 0x0, 0x10000), -1);
    CHECK_EQ(vm_regions_overlap(r, 3, 0x30000, 0x40000), -1);
    CHECK_EQ(vm_regions_overlap(r, 3, 0x1f000, 0x21000), 0);
    CHECK_EQ(vm_regions_overlap(r, 3, 0x3f000, 0x41000), 2);
    CHECK_EQ(vm_regions_overlap(r, 3, 0x4f000, 0x60000), 2);
    CHECK_EQ(vm_regions_overlap(r, 0, 0x0, UINT64_MAX), -1);
    CHECK(vm_regions_cover(r, 3, 0x10000, 0x30000)); /* across two adjacent regions */
    CHECK(vm_regions_cover(r, 3, 0x18000, 0x28000));
    CHECK(vm_regions_cover(r, 3, 0x41000, 0x42000));
    CHECK(!vm_regions_cover(r, 3, 0x10000, 0x31000));
    CHECK(!vm_regions_cover(r, 3, 0x2f000, 0x41000)); /* a hole in the middle */
    CHECK(!vm_regions_cover(r, 3, 0xf000, 0x11000));
    CHECK(!vm_regions_cover(r, 0, 0x10000, 0x11000));
}

TEST(vm_find_gap_guards)
{
    uint64_t at = 0;
    const uint64_t base = 0x100000, top = 0x200000;
    /* Empty: the base itself. */
    CHECK(vm_regions_find_gap(NULL, 0, base, top, P, P, &at));
    CHECK_EQ(at, base);
    /* A region ending right below the base keeps a guard page free. */
    struct vm_region r[4] = {R(base - 2 * P, base)};
    CHECK(vm_regions_find_gap(r, 1, base, top, P, P, &at));
    CHECK_EQ(at, base + P);
    /* A region starting right above the page needs a guard page too. */
    r[1] = R(base + 2 * P, base + 3 * P);
    CHECK(vm_regions_find_gap(r, 2, base, top, P, P, &at));
    CHECK_EQ(at, base + 4 * P);
    /* Without guards the page fits straight after the first region. */
    CHECK(vm_regions_find_gap(r, 2, base, top, P, 0, &at));
    CHECK_EQ(at, base);
}

TEST(vm_find_gap_exact)
{
    uint64_t at = 0;
    const uint64_t base = 0x100000, top = 0x200000;
    struct vm_region r[3] = {R(base, base + 4 * P), R(base + 7 * P, base + 8 * P),
                             R(base + 14 * P, base + 15 * P)};
    /* The 3-page hole [4, 7) holds exactly one page with a guard on each side. */
    CHECK(vm_regions_find_gap(r, 3, base, top, P, P, &at));
    CHECK_EQ(at, base + 5 * P);
    /* Two pages need the 6-page hole [8, 14). */
    CHECK(vm_regions_find_gap(r, 3, base, top, 2 * P, P, &at));
    CHECK_EQ(at, base + 9 * P);
    /* Five pages: past the last region. */
    CHECK(vm_regions_find_gap(r, 3, base, top, 5 * P, P, &at));
    CHECK_EQ(at, base + 16 * P);
    /* The area's top bounds the answer (no guard needed above the top). */
    CHECK(vm_regions_find_gap(r, 3, base, base + 21 * P, 5 * P, P, &at));
    CHECK_EQ(at, base + 16 * P);
    CHECK(!vm_regions_find_gap(r, 3, base, base + 20 * P, 5 * P, P, &at));
    /* A length larger than the whole area, and one that would wrap. */
    CHECK(!vm_regions_find_gap(r, 3, base, top, top, P, &at));
    CHECK(!vm_regions_find_gap(NULL, 0, base, top, UINT64_MAX & ~(P - 1), P, &at));
    CHECK(!vm_regions_find_gap(NULL, 0, top, top, P, P, &at));
}

/* Brute force: the lowest page >= from that satisfies the definition. */
static bool gap_slow(const struct vm_region *r, unsigned n, uint64_t from, uint64_t top,
                     uint64_t len, uint64_t guard, uint64_t *at)
{
    for (uint64_t a = from; a + len <= top; a += P) {
        uint64_t lo = a > guard ? a - guard : 0;
        if (vm_regions_overlap(r, n, lo, a + len + guard) < 0) {
            *at = a;
            return true;
        }
    }
    return false;
}

TEST(vm_find_gap_random)
{
    srand(7);
    for (int iter = 0; iter < 20000; iter++) {
        struct vm_region r[NREG];
        unsigned n = 0;
        uint64_t page = 0;
        /* Disjoint regions in random order over a 64-page area. */
        while (n < NREG && page < 64) {
            page += (uint64_t)(rand() % 4);
            uint64_t len = 1 + (uint64_t)(rand() % 4);
            if (page + len > 64)
                break;
            r[n++] = R(page * P, (page + len) * P);
            page += len;
        }
        for (unsigned i = n; i > 1; i--) {
            unsigned j = (unsigned)rand() % i;
            struct vm_region t = r[i - 1];
            r[i - 1] = r[j];
            r[j] = t;
        }
        uint64_t from = (uint64_t)(rand() % 64) * P, top = (uint64_t)(rand() % 70) * P;
        uint64_t len = (1 + (uint64_t)(rand() % 6)) * P, guard = (uint64_t)(rand() % 2) * P;
        uint64_t a = 0, b = 0;
        bool fa = vm_regions_find_gap(r, n, from, top, len, guard, &a);
        bool fb = gap_slow(r, n, from, top, len, guard, &b);
        CHECK_EQ(fa, fb);
        if (fa)
            CHECK_EQ(a, b);
    }
}

TEST(vm_carve_splits)
{
    struct vm_region r[NREG] = {R(0x10000, 0x20000)};
    unsigned n = 1, created[2], nc = 9;
    r[0].prot = 3;
    r[0].budget = BUDGET(1);
    /* A hole in the middle: two splits, both copies of the original. */
    CHECK_EQ(vm_regions_carve(r, &n, NREG, 0x14000, 0x18000, created, &nc), VM_OK);
    CHECK_EQ(n, 3);
    CHECK_EQ(nc, 2);
    CHECK(vm_regions_cover(r, n, 0x10000, 0x20000));
    int mid = vm_regions_find(r, n, 0x14000);
    CHECK(mid >= 0);
    CHECK_EQ(r[mid].end, 0x18000);
    for (unsigned i = 0; i < n; i++) {
        CHECK_EQ(r[i].prot, 3);
        CHECK(r[i].budget == BUDGET(1));
    }
    /* The new entries are the pieces above each cut. */
    CHECK_EQ(r[created[0]].start, 0x14000);
    CHECK_EQ(r[created[1]].start, 0x18000);
    /* Boundaries already in place: nothing to split. */
    CHECK_EQ(vm_regions_carve(r, &n, NREG, 0x14000, 0x18000, created, &nc), VM_OK);
    CHECK_EQ(n, 3);
    CHECK_EQ(nc, 0);
    /* Busy marks exactly the regions inside. */
    vm_regions_set_busy(r, n, 0x14000, 0x18000, true);
    for (unsigned i = 0; i < n; i++)
        CHECK_EQ(r[i].busy, (int)i == mid);
    vm_regions_remove(r, &n, (unsigned)mid);
    CHECK_EQ(n, 2);
    CHECK(!vm_regions_cover(r, n, 0x10000, 0x20000));
    CHECK(vm_regions_cover(r, n, 0x10000, 0x14000));
    CHECK(vm_regions_cover(r, n, 0x18000, 0x20000));
}

/* The call must fail with `err` and leave the set exactly as it was. */
#define CHECK_CARVE_FAILS(r, n, max, s, e, err)                                                    \
    do {                                                                                           \
        struct vm_region copy_[NREG];                                                              \
        unsigned n0_ = (n), created_[2], nc_;                                                      \
        memcpy(copy_, (r), sizeof(copy_));                                                         \
        CHECK_EQ(vm_regions_carve((r), &(n), (max), (s), (e), created_, &nc_), (err));             \
        CHECK_EQ((n), n0_);                                                                        \
        CHECK_EQ(nc_, 0);                                                                          \
        CHECK(memcmp(copy_, (r), sizeof(copy_)) == 0);                                             \
    } while (0)

TEST(vm_carve_failures)
{
    struct vm_region r[NREG];
    memset(r, 0, sizeof(r));
    r[0] = R(0x10000, 0x20000);
    r[1] = R(0x20000, 0x30000);
    r[2] = R(0x40000, 0x50000);
    unsigned n = 3;
    CHECK_CARVE_FAILS(r, n, NREG, 0x2f000, 0x41000, VM_ERR_NOT_COVERED);
    CHECK_CARVE_FAILS(r, n, NREG, 0x0f000, 0x11000, VM_ERR_NOT_COVERED);
    CHECK_CARVE_FAILS(r, n, NREG, 0x60000, 0x61000, VM_ERR_NOT_COVERED);
    r[1].busy = true;
    CHECK_CARVE_FAILS(r, n, NREG, 0x1f000, 0x21000, VM_ERR_BUSY);
    CHECK_CARVE_FAILS(r, n, NREG, 0x28000, 0x29000, VM_ERR_BUSY);
    r[1].busy = false;
    /* Room for one split but two are needed; then room for none. */
    CHECK_CARVE_FAILS(r, n, 4, 0x11000, 0x12000, VM_ERR_FULL);
    CHECK_CARVE_FAILS(r, n, 3, 0x11000, 0x20000, VM_ERR_FULL);
    /* A range across two regions splits each at its end. */
    unsigned created[2], nc;
    CHECK_EQ(vm_regions_carve(r, &n, 5, 0x18000, 0x28000, created, &nc), VM_OK);
    CHECK_EQ(n, 5);
    CHECK_EQ(nc, 2);
    CHECK(vm_regions_find(r, n, 0x18000) >= 0);
    CHECK(vm_regions_find(r, n, 0x28000) >= 0);
    CHECK(vm_regions_cover(r, n, 0x10000, 0x30000));
}

TEST(vm_add_and_next_start)
{
    struct vm_region r[2];
    unsigned n = 0;
    struct vm_region a = R(0x30000, 0x40000), b = R(0x10000, 0x20000);
    CHECK(vm_regions_add(r, &n, 2, &a));
    CHECK(vm_regions_add(r, &n, 2, &b));
    CHECK(!vm_regions_add(r, &n, 2, &a));
    CHECK_EQ(n, 2);
    CHECK_EQ(vm_regions_next_start(r, n, 0, 0x100000), 0x10000);
    CHECK_EQ(vm_regions_next_start(r, n, 0x10000, 0x100000), 0x30000);
    CHECK_EQ(vm_regions_next_start(r, n, 0x30000, 0x100000), 0x100000);
    CHECK_EQ(vm_regions_next_start(r, n, 0, 0x8000), 0x8000);
}

TEST(vm_fault_classification)
{
    struct vm_region r[3] = {R(4 * P, 8 * P), R(10 * P, 12 * P), R(20 * P, 21 * P)};
    r[0].prot = VM_PROT_READ | VM_PROT_WRITE;
    r[1].prot = VM_PROT_READ | VM_PROT_EXEC;
    r[2].prot = VM_PROT_READ | VM_PROT_WRITE;
    r[2].busy = true;
    int idx = -1;
    /* Inside a read-write region: reads and writes fill, fetches do not. */
    CHECK(vm_fault_classify(r, 3, 4 * P, VM_PROT_READ, &idx) == VM_FAULT_FILL && idx == 0);
    CHECK(vm_fault_classify(r, 3, 8 * P - 1, VM_PROT_WRITE, &idx) == VM_FAULT_FILL && idx == 0);
    CHECK(vm_fault_classify(r, 3, 5 * P, VM_PROT_EXEC, &idx) == VM_FAULT_DENIED);
    /* Read-exec: a write is denied (no copy-on-write here). */
    CHECK(vm_fault_classify(r, 3, 11 * P, VM_PROT_EXEC, &idx) == VM_FAULT_FILL && idx == 1);
    CHECK(vm_fault_classify(r, 3, 11 * P, VM_PROT_WRITE, &idx) == VM_FAULT_DENIED);
    /* The ends are exclusive; gaps and the space past every region deny. */
    CHECK(vm_fault_classify(r, 3, 8 * P, VM_PROT_READ, &idx) == VM_FAULT_DENIED);
    CHECK(vm_fault_classify(r, 3, 4 * P - 1, VM_PROT_READ, &idx) == VM_FAULT_DENIED);
    CHECK(vm_fault_classify(r, 3, 0, VM_PROT_READ, &idx) == VM_FAULT_DENIED);
    CHECK(vm_fault_classify(r, 3, UINT64_MAX, VM_PROT_READ, &idx) == VM_FAULT_DENIED);
    /* A busy region is busy whatever the access, even a forbidden one. */
    CHECK(vm_fault_classify(r, 3, 20 * P + 17, VM_PROT_READ, &idx) == VM_FAULT_BUSY && idx == 2);
    CHECK(vm_fault_classify(r, 3, 20 * P, VM_PROT_EXEC, &idx) == VM_FAULT_BUSY && idx == 2);
    /* An access that is not exactly one known bit is denied. */
    CHECK(vm_fault_classify(r, 3, 4 * P, 0, &idx) == VM_FAULT_DENIED);
    CHECK(vm_fault_classify(r, 3, 4 * P, VM_PROT_READ | VM_PROT_WRITE, &idx) == VM_FAULT_DENIED);
    CHECK(vm_fault_classify(r, 3, 4 * P, 8, &idx) == VM_FAULT_DENIED);
    /* No regions at all. */
    CHECK(vm_fault_classify(r, 0, 4 * P, VM_PROT_READ, &idx) == VM_FAULT_DENIED);
}
