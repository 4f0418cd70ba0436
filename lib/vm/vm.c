/*
 * VirtualMemory region arithmetic (see vm.h).  Nothing here allocates,
 * locks or loops over pages: every loop runs over the region array.
 */
#include "vm/vm.h"

#include "base/checked.h"

static bool vm_aligned(uint64_t x)
{
    return (x & (VM_PAGE - 1)) == 0;
}

bool vm_prot_valid(uint32_t prot)
{
    return (prot & ~(VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC)) == 0 && (prot & VM_PROT_READ) &&
           (prot & (VM_PROT_WRITE | VM_PROT_EXEC)) != (VM_PROT_WRITE | VM_PROT_EXEC);
}

bool vm_range_valid(uint64_t addr, uint64_t len, uint64_t lo, uint64_t hi)
{
    return len != 0 && vm_aligned(addr) && vm_aligned(len) && addr >= lo &&
           range_within(addr - lo, len, hi - lo);
}

int vm_regions_overlap(const struct vm_region *r, unsigned n, uint64_t start, uint64_t end)
{
    for (unsigned i = 0; i < n; i++) {
        if (r[i].start < end && start < r[i].end)
            return (int)i;
    }
    return -1;
}

bool vm_regions_cover(const struct vm_region *r, unsigned n, uint64_t start, uint64_t end)
{
    /* Regions are disjoint, so the covered bytes add up without double
     * counting; the sum is at most end - start. */
    uint64_t covered = 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t lo = MAX(r[i].start, start), hi = MIN(r[i].end, end);
        if (lo < hi)
            covered += hi - lo;
    }
    return covered == end - start;
}

/* Whether `at` is a valid answer for vm_regions_find_gap. */
static bool vm_gap_ok(const struct vm_region *r, unsigned n, uint64_t at, uint64_t top,
                      uint64_t len, uint64_t guard)
{
    if (at > top || len > top - at)
        return false;
    uint64_t lo = at > guard ? at - guard : 0;
    uint64_t hi = at + len; /* <= top */
    hi = hi > UINT64_MAX - guard ? UINT64_MAX : hi + guard;
    return vm_regions_overlap(r, n, lo, hi) < 0;
}

bool vm_regions_find_gap(const struct vm_region *r, unsigned n, uint64_t from, uint64_t top,
                         uint64_t len, uint64_t guard, uint64_t *at)
{
    /*
     * If the lowest valid address a is above `from`, then a - page is not
     * valid: some region reaches into [a - page - guard, a - guard), but
     * none into [a - guard, ...), so that region ends exactly at a - guard.
     * Hence a is `from` or some r.end + guard, and the lowest valid one of
     * those candidates is the answer.
     */
    bool found = false;
    uint64_t best = 0;
    if (vm_gap_ok(r, n, from, top, len, guard)) {
        *at = from;
        return true;
    }
    for (unsigned i = 0; i < n; i++) {
        uint64_t cand;
        if (!checked_add_u64(r[i].end, guard, &cand) || cand < from || (found && cand >= best))
            continue;
        if (vm_gap_ok(r, n, cand, top, len, guard)) {
            best = cand;
            found = true;
        }
    }
    if (found)
        *at = best;
    return found;
}

/* Index of the region strictly containing `at` (start < at < end), or -1:
 * the one a boundary at `at` would split. */
static int vm_split_target(const struct vm_region *r, unsigned n, uint64_t at)
{
    for (unsigned i = 0; i < n; i++) {
        if (r[i].start < at && at < r[i].end)
            return (int)i;
    }
    return -1;
}

/* Splits region i at `at` (inside it): the upper piece becomes a new region
 * at the end of the array, whose index goes to created[]. */
static void vm_split(struct vm_region *r, unsigned *n, int i, uint64_t at, unsigned created[2],
                     unsigned *ncreated)
{
    r[*n] = r[i];
    r[*n].start = at;
    r[i].end = at;
    created[(*ncreated)++] = (*n)++;
}

enum vm_err vm_regions_carve(struct vm_region *r, unsigned *n, unsigned max, uint64_t start,
                             uint64_t end, unsigned created[2], unsigned *ncreated)
{
    *ncreated = 0;
    if (!vm_regions_cover(r, *n, start, end))
        return VM_ERR_NOT_COVERED;
    for (unsigned i = 0; i < *n; i++) {
        if (r[i].busy && r[i].start < end && start < r[i].end)
            return VM_ERR_BUSY;
    }
    int split_lo = vm_split_target(r, *n, start);
    int split_hi = vm_split_target(r, *n, end);
    /* One region may contain both ends: it splits twice. */
    unsigned need = (split_lo >= 0) + (split_hi >= 0);
    if (need > max - *n)
        return VM_ERR_FULL;
    if (split_lo >= 0)
        vm_split(r, n, split_lo, start, created, ncreated);
    /* The upper split happens after the lower one, in whichever piece now
     * holds `end`. */
    split_hi = vm_split_target(r, *n, end);
    if (split_hi >= 0)
        vm_split(r, n, split_hi, end, created, ncreated);
    return VM_OK;
}

void vm_regions_set_busy(struct vm_region *r, unsigned n, uint64_t start, uint64_t end, bool busy)
{
    for (unsigned i = 0; i < n; i++) {
        if (r[i].start >= start && r[i].end <= end)
            r[i].busy = busy;
    }
}

uint64_t vm_regions_next_start(const struct vm_region *r, unsigned n, uint64_t at, uint64_t limit)
{
    for (unsigned i = 0; i < n; i++) {
        if (r[i].start > at && r[i].start < limit)
            limit = r[i].start;
    }
    return limit;
}

int vm_regions_find(const struct vm_region *r, unsigned n, uint64_t start)
{
    for (unsigned i = 0; i < n; i++) {
        if (r[i].start == start)
            return (int)i;
    }
    return -1;
}

enum vm_fault_kind vm_fault_classify(const struct vm_region *r, unsigned n, uint64_t va,
                                     uint32_t access, int *idx)
{
    for (unsigned i = 0; i < n; i++) {
        if (va < r[i].start || va >= r[i].end)
            continue;
        *idx = (int)i;
        if (r[i].busy)
            return VM_FAULT_BUSY;
        /* Exactly one known access bit, and the region grants it. */
        bool one = access == VM_PROT_READ || access == VM_PROT_WRITE || access == VM_PROT_EXEC;
        return one && (r[i].prot & access) ? VM_FAULT_FILL : VM_FAULT_DENIED;
    }
    return VM_FAULT_DENIED;
}

bool vm_regions_add(struct vm_region *r, unsigned *n, unsigned max, const struct vm_region *add)
{
    if (*n >= max)
        return false;
    r[(*n)++] = *add;
    return true;
}

void vm_regions_remove(struct vm_region *r, unsigned *n, unsigned i)
{
    r[i] = r[--(*n)];
}
