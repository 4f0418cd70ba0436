/*
 * VirtualMemory region arithmetic: the bookkeeping half of the kernel's
 * VirtualMemory object (kernel/object/vm.c), kept pure so that it is tested
 * on the host and fuzzed against a reference model.
 *
 * A region set is an unordered array of at most `max` regions, each a
 * non-empty, page-aligned range [start, end).  Regions never overlap.
 * `prot` holds VM_PROT_* bits; only vm_fault_classify reads them.  The
 * library never dereferences `budget` (the facet budget the region was
 * charged to, the kernel's).  A region marked `busy` is being populated,
 * unmapped or re-protected by a call that let go of the process lock for a
 * while: it still occupies its range (nothing may be mapped over it), but no
 * other call may split, unmap or re-protect it until the flag is cleared.
 *
 * Every operation checks first and changes nothing when it fails.  The cost
 * of each is O(n) or O(n^2) in the number of regions (at most `max`), never
 * in the size of a range: callers hold a spinlock with interrupts off.
 * Address-space layout (the area VirtualMemory may use, where kernel-chosen
 * addresses start) is the caller's policy, passed in.
 */
#ifndef CAPOS_LIB_VM_VM_H
#define CAPOS_LIB_VM_VM_H

#include "base/compiler.h"

#define VM_PAGE 4096ULL

/* The protection bits of the VirtualMemory interface (schema/capos.capnp). */
#define VM_PROT_READ  1u
#define VM_PROT_WRITE 2u
#define VM_PROT_EXEC  4u

struct vm_budget;

struct vm_region {
    uint64_t start, end;      /* page-aligned, start < end */
    uint32_t prot;            /* VM_PROT_* bits */
    bool busy;                /* a call is changing it without the lock held */
    struct vm_budget *budget; /* the caller's; opaque here */
    bool shared;              /* committed, and shared writable with fork's copies */
};

enum vm_err {
    VM_OK = 0,
    VM_ERR_NOT_COVERED, /* part of the range is not in any region */
    VM_ERR_BUSY,        /* a region in the range is busy */
    VM_ERR_FULL,        /* splitting would exceed `max` regions */
};

/* A valid prot: only the three bits, readable, never writable and
 * executable together (x86 cannot map write- or exec-only pages). */
bool vm_prot_valid(uint32_t prot);

/* A non-empty, page-aligned range inside [lo, hi) (lo and hi page-aligned,
 * lo < hi).  Overflow-safe for any addr and len. */
bool vm_range_valid(uint64_t addr, uint64_t len, uint64_t lo, uint64_t hi);

/* Index of a region that intersects [start, end), or -1 (start < end). */
int vm_regions_overlap(const struct vm_region *r, unsigned n, uint64_t start, uint64_t end);

/* True iff regions cover every byte of [start, end) (start < end). */
bool vm_regions_cover(const struct vm_region *r, unsigned n, uint64_t start, uint64_t end);

/*
 * The lowest page-aligned address `at` >= from such that [at, at+len) ends
 * at or below `top` and no region intersects [at - guard, at + len + guard)
 * (a guard gap of unmapped space on either side; the guard below `from` is
 * looked at too).  False if there is none.  len and guard are page-aligned
 * and len > 0.  O(n^2): the answer is `from` or the end of a region plus
 * the guard, so only those n + 1 candidates are tried.
 */
bool vm_regions_find_gap(const struct vm_region *r, unsigned n, uint64_t from, uint64_t top,
                         uint64_t len, uint64_t guard, uint64_t *at);

/*
 * Prepares [start, end) for unmap or protect: checks that regions cover all
 * of it, that none of those is busy, and that the (at most two) splits
 * needed to put region boundaries at start and end fit in `max`; then
 * splits.  Afterwards the regions wholly inside [start, end) are exactly the
 * range.  A split copies the region (prot, budget) into a new entry, whose
 * index goes to created[] (*ncreated of them), so that the caller can take
 * another reference on its budget.  Fails with nothing changed.
 */
enum vm_err vm_regions_carve(struct vm_region *r, unsigned *n, unsigned max, uint64_t start,
                             uint64_t end, unsigned created[2], unsigned *ncreated);

/* Sets `busy` on every region wholly inside [start, end). */
void vm_regions_set_busy(struct vm_region *r, unsigned n, uint64_t start, uint64_t end, bool busy);

/* The lowest region start above `at`, or `limit` if none is below it. */
uint64_t vm_regions_next_start(const struct vm_region *r, unsigned n, uint64_t at, uint64_t limit);

/* Index of the region that starts at `start`, or -1. */
int vm_regions_find(const struct vm_region *r, unsigned n, uint64_t start);

/* What a page fault at an address means for the region set (see
 * vm_fault_classify). */
enum vm_fault_kind {
    VM_FAULT_FILL,   /* inside a region that allows the access: give it a page */
    VM_FAULT_DENIED, /* in no region, or the region's prot forbids the access */
    VM_FAULT_BUSY,   /* inside a region a call is changing: try again later */
};

/*
 * Classifies a fault on a page that is not mapped: `access` is the
 * VM_PROT_* bit of what was attempted (read, write or instruction fetch).
 * A busy region is reported before its prot is looked at, since a protect
 * in flight may be changing it.  *idx gets the region's index for FILL and
 * BUSY.  O(n).
 */
enum vm_fault_kind vm_fault_classify(const struct vm_region *r, unsigned n, uint64_t va,
                                     uint32_t access, int *idx);

/* Appends a region; false if the set is full.  The caller has checked that
 * it overlaps no other. */
bool vm_regions_add(struct vm_region *r, unsigned *n, unsigned max, const struct vm_region *add);

/* Removes region i (the last one takes its place). */
void vm_regions_remove(struct vm_region *r, unsigned *n, unsigned i);

#endif
