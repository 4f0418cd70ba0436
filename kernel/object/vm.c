/*
 * VirtualMemory object: anonymous memory in one target process's address
 * space, charged to that process's frame ledger.
 *
 * The object names a specific process (it holds a reference), not "whoever
 * calls": authority over an address space is this capability, and it can be
 * handed to a pager or supervisor like any other.  Mappings are filled on
 * demand: map records a region, and each page gets a zeroed frame, charged
 * to the process's ledger, when it is first touched (mm/fault.c).  A map
 * with `commit` instead charges and fills every page before it returns, for
 * callers that must never fault on their memory or want running out of
 * quota to be an error of map rather than a fault later.  Only
 * regions created here can be unmapped or re-protected; the image, stack,
 * ring and CapSet are out of its reach.  docs/virtual-memory.md describes
 * the model; lib/vm holds the region arithmetic, this file the acting half.
 *
 * Order of work.  Every check that costs O(1) comes first (prot, alignment,
 * range, then region count, budget room and ledger room), so a request the
 * process could never pay for fails before anything is looked up.  Then,
 * under the process lock, come the checks that cost O(regions) or a bounded
 * page-table walk (placement, overlap, coverage), and the call claims its
 * range: map charges the budget in full (and, committing, the ledger) and
 * records its region (busy while a commit fills it); unmap and protect
 * split the regions at the range ends and mark those inside busy.
 * Nothing ever loops over the pages of a range that is not mapped.
 *
 * Bounded work.  The kernel runs with interrupts off, and filling, unmapping
 * or re-protecting a range costs time in proportion to its pages (which the
 * quota bounds).  That work goes in chunks of VM_CHUNK_PAGES pages: each
 * chunk takes the process lock, and between chunks the lock is dropped,
 * pending interrupts are taken (ticks, TLB shootdown requests) and the
 * thread may be preempted (sched_pause).  The busy mark keeps other calls off
 * the claimed range meanwhile: an overlapping map sees alreadyExists, an
 * overlapping unmap or protect wouldBlock, and a fault in it is not filled
 * (mm/fault.c).  Only teardown touches a busy region: a filling,
 * unmapping or re-protecting thread that finds the address space released
 * (root 0) or the process stopped stops at once; teardown has then freed
 * (and uncharged) every page in the tables, and a filling thread gives back
 * only the charge for what it never mapped.
 *
 * Preemption inside a call.  cap_call hands the object pointers into this
 * CPU's scratch buffers (c->rpc.params, c->result).  After sched_pause another
 * call may be using them, and this thread may be running on another CPU.
 * The generated dispatch (capos_VirtualMemory_SERVER) decodes the
 * parameters into an argument struct on this thread's stack before any
 * pause, so nothing reads c->rpc.params after one; map, unmap and protect
 * complete their calls themselves (vm_complete) with a result message built
 * on this thread's stack, returning CALL_PENDING so that cap_call does not
 * complete them again.  Nothing else is held across
 * a pause: no lock, no pending operation (these calls never create one),
 * no per-CPU state; cap_call, the ring and the scheduler keep only
 * per-thread state across a dispatch, as they do when a thread blocks.  The
 * objects stay alive: cap_call holds a reference on this object, which
 * holds one on the target process and on its budget.
 *
 * Every change to the address space happens under the process's lock, which
 * also keeps cross-process copies (uspace.c) from walking tables that change
 * under them.  Budgets are changed under the same lock.
 *
 * Attenuation: limit() makes a facet of the same address space with a
 * budget.  Budgets nest (a facet made from a limited facet charges both, up
 * to VM_BUDGET_MAX_DEPTH deep, so walking a chain is O(1)); each region
 * remembers the budget it was charged to (holding a reference), so memory
 * unmapped through any facet is refunded to the right one.  The wrapper is
 * a kernel object, so a limited caller costs no extra IPC hop.
 */
#include "abi/layout.h"
#include "arch.h"
#include "capos.rpc.h"
#include "elf/elf.h"
#include "mm/fault.h"
#include "mm/kheap.h"
#include "mm/ledger.h"
#include "mm/pmm.h"
#include "msg.h"
#include "objects.h"
#include "panic.h"
#include "process.h"
#include "sched.h"
#include "vm/vm.h"

/* Pages filled, unmapped or re-protected between two pauses. */
#define VM_CHUNK_PAGES 64

/* How deep limited facets may nest. */
#define VM_BUDGET_MAX_DEPTH 8

/* The kernel-chosen address search passes at most one run of the program
 * image per round (see vm_choose). */
#define VM_SEARCH_ROUNDS (ELF_MAX_SEGMENTS + 1)

struct vm_budget {
    uint32_t refs;            /* facets and regions charged to it */
    uint32_t depth;           /* 1 for a facet of the whole object */
    uint64_t limit, used;     /* frames */
    struct vm_budget *parent; /* charged too (a reference is held) */
};

struct vmobj {
    struct kobj obj;
    struct process *target;
    struct vm_budget *budget; /* NULL: only the process quota applies */
};

static void budget_put(struct vm_budget *b)
{
    while (b && --b->refs == 0) {
        struct vm_budget *parent = b->parent;
        kfree(b);
        b = parent;
    }
}

/* Frames a budget chain still allows (UINT64_MAX with no budget). */
static uint64_t budget_room(const struct vm_budget *b)
{
    uint64_t room = UINT64_MAX;
    for (; b; b = b->parent)
        room = MIN(room, b->limit - b->used);
    return room;
}

static void budget_charge(struct vm_budget *b, int64_t frames)
{
    for (; b; b = b->parent)
        b->used += (uint64_t)frames;
}

static struct kobj *vmobj_new(struct ledger *l, struct process *target, struct vm_budget *budget,
                              int *err)
{
    struct vmobj *v = kobj_alloc(l, sizeof(*v), KOBJ_VIRTUAL_MEMORY, err);
    if (!v)
        return NULL;
    v->target = target;
    v->budget = budget;
    process_get(target);
    return &v->obj;
}

struct kobj *vmobj_create(struct process *target, int *err)
{
    return vmobj_new(target->ledger, target, NULL, err);
}

bool vmobj_targets(const struct kobj *o, const struct process *p, bool *limited)
{
    const struct vmobj *v = (const struct vmobj *)o;
    *limited = v->budget != NULL;
    return v->target == p;
}

void vmobj_destroy(struct kobj *o)
{
    struct vmobj *v = (struct vmobj *)o;
    /* Budget counts are guarded by the process's lock, like the regions
     * that also hold budget references. */
    spin_lock(&v->target->lock);
    budget_put(v->budget);
    spin_unlock(&v->target->lock);
    process_put(v->target);
    kfree(v);
}

void vm_release_regions(struct process *p)
{
    for (unsigned i = 0; i < p->vm_count; i++)
        budget_put(p->vm[i].budget);
    p->vm_count = 0;
}

/* The address space is being (or has been) released: stop working on it.
 * Process lock held. */
static bool vm_gone(const struct process *p)
{
    return !p->root || p->state != PROCESS_ALIVE;
}

/* ---- finding room ---- */

/* Whether [addr, addr+len) is free: no region and no other mapping (the
 * image, stack, ring and CapSet are not regions) in it.  Process lock
 * held; O(regions) plus a bounded page-table walk. */
static int vm_check_free(const struct process *p, uint64_t addr, uint64_t len)
{
    uint64_t hit;
    if (vm_regions_overlap(p->vm, p->vm_count, addr, addr + len) >= 0 ||
        paging_find_mapped(p->root, addr, addr + len, &hit))
        return CAPOS_ERR_ALREADY_EXISTS;
    return CAPOS_OK;
}

/*
 * A kernel-chosen address: the lowest gap at or above CAPOS_USER_AUTO_BASE that
 * holds len bytes with an unmapped page on either side.  Lowest first, so
 * that a process that maps and unmaps over and over reuses its addresses
 * (and the page tables under them, which unmap keeps) instead of spreading
 * out.  Each round finds the lowest such gap among the regions
 * (lib/vm, O(regions^2)), then looks for any other mapping in it (a
 * bounded page-table walk).  The only mappings in the VirtualMemory area
 * that are not regions are the program image's; when one is in the way,
 * the next round starts past the run of image pages it belongs to (the
 * walk over that run is bounded by the image's size).  The image has at
 * most ELF_MAX_SEGMENTS runs, so VM_SEARCH_ROUNDS rounds always suffice.
 * Process lock held.
 */
static int vm_choose(const struct process *p, uint64_t len, uint64_t *addr)
{
    uint64_t from = CAPOS_USER_AUTO_BASE;
    for (unsigned round = 0; round < VM_SEARCH_ROUNDS; round++) {
        uint64_t at, hit;
        if (!vm_regions_find_gap(p->vm, p->vm_count, from, CAPOS_USER_MAP_MAX, len, PAGE_SIZE, &at))
            return CAPOS_ERR_NO_MEMORY;
        if (!paging_find_mapped(p->root, at - PAGE_SIZE, at + len + PAGE_SIZE, &hit)) {
            *addr = at;
            return CAPOS_OK;
        }
        /* Past the run of non-region pages at `hit`, and a guard page. */
        uint64_t stop = vm_regions_next_start(p->vm, p->vm_count, hit, CAPOS_USER_MAP_MAX);
        from = paging_find_unmapped(p->root, hit, stop) + PAGE_SIZE;
    }
    return CAPOS_ERR_NO_MEMORY;
}

/* ---- the acting half ---- */

/*
 * Makes a new mapping of `len` bytes (at *addr, or kernel-chosen if *addr
 * is 0): checks the limits and the place, charges the budget for every
 * page and records the region.  Its frames come as its pages are touched
 * (mm/fault.c), each charged to the ledger then; with `commit` the ledger
 * is charged for every page now and the region is recorded busy, for
 * vm_populate to fill.  Process lock held.
 */
static int vm_reserve(struct process *p, struct vm_budget *budget, uint64_t *addr, uint64_t len,
                      uint32_t prot, bool commit, bool shared)
{
    uint64_t pages = len / PAGE_SIZE;
    if (vm_gone(p))
        return CAPOS_ERR_PEER_GONE;
    /* The ledger is charged page by page as the region is touched; a
     * region the quota could not fill even now is refused at once, which
     * keeps absurd requests cheap and their failure clean. */
    if (p->vm_count == PROCESS_MAX_VM_REGIONS || pages > budget_room(budget) ||
        pages > ledger_room(p->ledger))
        return CAPOS_ERR_QUOTA_EXCEEDED;
    int err = *addr ? vm_check_free(p, *addr, len) : vm_choose(p, len, addr);
    if (err != CAPOS_OK)
        return err;
    /* Other threads of the process may have charged since the room check
     * (page tables are charged as they are made). */
    if (commit && !ledger_charge(p->ledger, pages))
        return CAPOS_ERR_QUOTA_EXCEEDED;
    budget_charge(budget, (int64_t)pages);
    if (budget)
        budget->refs++;
    struct vm_region r = {*addr, *addr + len, prot, commit, budget, shared};
    vm_regions_add(p->vm, &p->vm_count, PROCESS_MAX_VM_REGIONS, &r); /* room checked above */
    return CAPOS_OK;
}

/* Removes the regions wholly inside [start, end), refunding their budgets.
 * Process lock held. */
static void vm_drop_regions(struct process *p, uint64_t start, uint64_t end)
{
    for (unsigned i = 0; i < p->vm_count;) {
        struct vm_region *r = &p->vm[i];
        if (r->start >= start && r->end <= end) {
            budget_charge(r->budget, -(int64_t)((r->end - r->start) / PAGE_SIZE));
            budget_put(r->budget);
            vm_regions_remove(p->vm, &p->vm_count, i);
        } else {
            i++;
        }
    }
}

/*
 * Fills [start, end) of a committed region with zeroed frames, a chunk at a
 * time: the chunk's frames are allocated (and zeroed) without the process
 * lock, then mapped under it.  *done gets the end of what is mapped.
 * Returns peerGone if the process went away meanwhile.
 */
static int vm_populate(struct process *p, uint64_t start, uint64_t end, uint32_t prot, bool shared,
                       uint64_t *done)
{
    uint64_t frames[VM_CHUNK_PAGES];
    uint64_t va = start;
    unsigned flags = vm_map_flags(prot) | (shared ? MAP_FORK_SHARED : 0);
    int err = CAPOS_OK;
    while (va < end) {
        unsigned n = (unsigned)MIN((uint64_t)VM_CHUNK_PAGES, (end - va) / PAGE_SIZE);
        unsigned got = 0, mapped = 0;
        while (got < n && pmm_alloc_frame(&frames[got]))
            got++;
        if (got < n) {
            err = CAPOS_ERR_NO_MEMORY;
        } else {
            spin_lock(&p->lock);
            if (vm_gone(p)) {
                err = CAPOS_ERR_PEER_GONE;
            } else {
                mapped = paging_map_pages(p->root, va, frames, n, flags, p->ledger);
                if (mapped < n) /* a page table could not be allocated or charged */
                    err = ledger_room(p->ledger) ? CAPOS_ERR_NO_MEMORY : CAPOS_ERR_QUOTA_EXCEEDED;
            }
            spin_unlock(&p->lock);
        }
        for (unsigned i = mapped; i < got; i++)
            pmm_free_frame(frames[i]);
        va += (uint64_t)mapped * PAGE_SIZE;
        if (err != CAPOS_OK || va == end)
            break;
        sched_pause();
    }
    *done = va;
    return err;
}

/*
 * Unmaps [start, end) and frees its frames (`unmap`), or gives its pages the
 * hardware flags `flags`, a chunk at a time.  A frame is freed only after
 * every CPU has dropped its TLB entry for the page (other threads of the
 * process may be running elsewhere): change the chunk, flush everywhere,
 * then free.  False if the process went away first; teardown frees
 * whatever was still mapped.
 */
static bool vm_change_pages(struct process *p, uint64_t start, uint64_t end, bool unmap,
                            unsigned flags)
{
    uint64_t frames[VM_CHUNK_PAGES];
    for (uint64_t va = start; va < end;) {
        unsigned pages = (unsigned)MIN((uint64_t)VM_CHUNK_PAGES, (end - va) / PAGE_SIZE);
        unsigned n = 0;
        bool changed;
        spin_lock(&p->lock);
        if (vm_gone(p)) {
            spin_unlock(&p->lock);
            return false;
        }
        if (unmap)
            changed = (n = paging_unmap_pages(p->root, va, pages, frames)) != 0;
        else
            changed = paging_protect_pages(p->root, va, pages, flags);
        if (changed)
            arch_tlb_flush_user(p, va, pages);
        spin_unlock(&p->lock);
        va += (uint64_t)pages * PAGE_SIZE;
        /* Each mapping was charged once, shared or not (mm/fault.c). */
        for (unsigned i = 0; i < n; i++)
            pmm_frame_put(frames[i]);
        ledger_uncharge(p->ledger, n);
        if (va < end)
            sched_pause();
    }
    return true;
}

static bool vm_unmap_pages(struct process *p, uint64_t start, uint64_t end)
{
    return vm_change_pages(p, start, end, true, 0);
}

/* Splits the regions at start and end and marks those inside busy: the
 * range is this call's until vm_drop_regions or the busy mark is cleared.
 * Process lock held. */
static int vm_claim(struct process *p, uint64_t start, uint64_t end)
{
    unsigned created[2], ncreated;
    if (vm_gone(p))
        return CAPOS_ERR_PEER_GONE;
    switch (vm_regions_carve(p->vm, &p->vm_count, PROCESS_MAX_VM_REGIONS, start, end, created,
                             &ncreated)) {
    case VM_ERR_NOT_COVERED: return CAPOS_ERR_NOT_FOUND;
    case VM_ERR_BUSY: return CAPOS_ERR_WOULD_BLOCK;
    case VM_ERR_FULL: return CAPOS_ERR_QUOTA_EXCEEDED;
    case VM_OK: break;
    }
    /* A split region is charged to the same budget twice over. */
    for (unsigned i = 0; i < ncreated; i++) {
        if (p->vm[created[i]].budget)
            p->vm[created[i]].budget->refs++;
    }
    vm_regions_set_busy(p->vm, p->vm_count, start, end, true);
    return CAPOS_OK;
}

/* Maps [addr, addr+len) (a range vmobj_map checked; addr 0: kernel-chosen)
 * and gives the address in *out.  Without `commit` no page is touched;
 * with it, every page is filled before the call returns. */
static int vm_map(struct process *p, struct vm_budget *budget, uint64_t addr, uint64_t len,
                  uint32_t prot, bool commit, bool shared, uint64_t *out)
{
    uint64_t done;
    spin_lock(&p->lock);
    int err = vm_reserve(p, budget, &addr, len, prot, commit, shared);
    spin_unlock(&p->lock);
    if (err != CAPOS_OK || !commit) {
        *out = addr;
        return err;
    }
    err = vm_populate(p, addr, addr + len, prot, shared, &done);
    spin_lock(&p->lock);
    if (err == CAPOS_OK && vm_gone(p))
        err = CAPOS_ERR_PEER_GONE;
    if (err == CAPOS_OK) {
        /* Only teardown removes a busy region, and it has not run. */
        int i = vm_regions_find(p->vm, p->vm_count, addr);
        if (i < 0)
            panic("vm: the busy region at %#lx vanished", (unsigned long)addr);
        p->vm[i].busy = false;
    }
    spin_unlock(&p->lock);
    if (err == CAPOS_OK) {
        *out = addr;
        return CAPOS_OK;
    }
    /* Give back what the map took.  The frames in [addr, done) are in the
     * tables: unmapping them returns them and their charge (or teardown
     * already did); the rest of the up-front charge was never used.  A
     * process that went away keeps the region for teardown to drop. */
    bool live = vm_unmap_pages(p, addr, done);
    ledger_uncharge(p->ledger, (addr + len - done) / PAGE_SIZE);
    spin_lock(&p->lock);
    if (live && !vm_gone(p))
        vm_drop_regions(p, addr, addr + len);
    spin_unlock(&p->lock);
    return err;
}

static int vm_unmap(struct process *p, uint64_t addr, uint64_t len)
{
    spin_lock(&p->lock);
    int err = vm_claim(p, addr, addr + len);
    spin_unlock(&p->lock);
    if (err != CAPOS_OK)
        return err;
    if (!vm_unmap_pages(p, addr, addr + len))
        return CAPOS_ERR_PEER_GONE;
    spin_lock(&p->lock);
    if (!vm_gone(p))
        vm_drop_regions(p, addr, addr + len);
    spin_unlock(&p->lock);
    return CAPOS_OK;
}

static int vm_protect(struct process *p, uint64_t addr, uint64_t len, uint32_t prot)
{
    unsigned flags = vm_map_flags(prot);
    spin_lock(&p->lock);
    /* Memory shared with fork's copies keeps its permissions: a page made
     * read-only would be copied on its next write, and shared no more. */
    int err = CAPOS_OK;
    for (unsigned i = 0; i < p->vm_count; i++) {
        if (p->vm[i].shared && p->vm[i].start < addr + len && p->vm[i].end > addr)
            err = CAPOS_ERR_NOT_PERMITTED;
    }
    if (err == CAPOS_OK)
        err = vm_claim(p, addr, addr + len);
    spin_unlock(&p->lock);
    if (err != CAPOS_OK)
        return err;
    uint64_t end = addr + len;
    if (!vm_change_pages(p, addr, end, false, flags))
        return CAPOS_ERR_PEER_GONE;
    spin_lock(&p->lock);
    if (!vm_gone(p)) {
        for (unsigned i = 0; i < p->vm_count; i++) {
            struct vm_region *r = &p->vm[i];
            if (r->start >= addr && r->end <= end)
                r->prot = prot;
        }
        vm_regions_set_busy(p->vm, p->vm_count, addr, end, false);
    }
    spin_unlock(&p->lock);
    return CAPOS_OK;
}

/*
 * Completes a map, unmap or protect call from this thread's stack (see
 * "Preemption inside a call" above): with the address for a successful
 * map, an empty result otherwise.  Returns CALL_PENDING, which tells
 * cap_call that the call is complete already.
 */
static int vm_complete(struct call *c, int err, bool has_addr, uint64_t addr)
{
    uint64_t buf[4]; /* segment table, root pointer, one data word */
    c->result = (uint8_t *)buf;
    c->result_len = 0;
    if (err == CAPOS_OK && has_addr) {
        struct capnp_builder b;
        capnp_builder_init(&b, buf, sizeof(buf));
        capos_VirtualMemory_map_encode_results(&b,
                                               &(capos_VirtualMemory_map_results){.addr = addr});
        err = call_result_end(c, &b);
    }
    call_complete(c, err);
    return CALL_PENDING;
}

/* ---- the methods ---- */

capos_VirtualMemory_SERVER(vmobj, struct vmobj, struct call);

int vmobj_invoke(struct kobj *o, struct call *c)
{
    struct vmobj *v = (struct vmobj *)o;
    if (v->target->state != PROCESS_ALIVE)
        return CAPOS_ERR_PEER_GONE;
    return vmobj_dispatch(v, c);
}

/* Refuses a range that is not a non-empty, page-aligned part of [lo, hi)
 * (vm_range_valid), naming the length when no range of that length could
 * be, else the address. */
static int vm_refuse_range(struct call *c, uint64_t len, uint64_t lo, uint64_t hi,
                           uint32_t field_addr, uint32_t field_len)
{
    bool len_bad = len == 0 || !IS_ALIGNED(len, PAGE_SIZE) || len > hi - lo;
    return capos_rpc_refuse(&c->rpc, len_bad ? field_len : field_addr);
}

static int vmobj_map(struct vmobj *v, struct call *c, const capos_VirtualMemory_map_args *a)
{
    uint64_t out = 0;
    /* O(1) argument checks; kernel-chosen placement needs only a length
     * that fits the area it chooses from. */
    if (!vm_prot_valid(a->prot))
        return capos_rpc_refuse(&c->rpc, capos_VirtualMemory_map_field_prot);
    if (a->addr ? !vm_range_valid(a->addr, a->len, CAPOS_USER_MIN, CAPOS_USER_MAP_MAX)
                : !vm_range_valid(CAPOS_USER_AUTO_BASE, a->len, CAPOS_USER_AUTO_BASE,
                                  CAPOS_USER_MAP_MAX))
        return vm_refuse_range(c, a->len, a->addr ? CAPOS_USER_MIN : CAPOS_USER_AUTO_BASE,
                               CAPOS_USER_MAP_MAX, capos_VirtualMemory_map_field_addr,
                               capos_VirtualMemory_map_field_len);
    /* Shared memory is committed: a page untouched at a fork would be
     * filled apart on each side, and shared no more. */
    if (a->shared && !a->commit)
        return capos_rpc_refuse(&c->rpc, capos_VirtualMemory_map_field_shared);
    int err = vm_map(v->target, v->budget, a->addr, a->len, a->prot, a->commit, a->shared, &out);
    return vm_complete(c, err, true, out);
}

static int vmobj_unmap(struct vmobj *v, struct call *c, const capos_VirtualMemory_unmap_args *a)
{
    if (!vm_range_valid(a->addr, a->len, CAPOS_USER_MIN, CAPOS_USER_MAP_MAX))
        return vm_refuse_range(c, a->len, CAPOS_USER_MIN, CAPOS_USER_MAP_MAX,
                               capos_VirtualMemory_unmap_field_addr,
                               capos_VirtualMemory_unmap_field_len);
    return vm_complete(c, vm_unmap(v->target, a->addr, a->len), false, 0);
}

static int vmobj_protect(struct vmobj *v, struct call *c, const capos_VirtualMemory_protect_args *a)
{
    if (!vm_range_valid(a->addr, a->len, CAPOS_USER_MIN, CAPOS_USER_MAP_MAX))
        return vm_refuse_range(c, a->len, CAPOS_USER_MIN, CAPOS_USER_MAP_MAX,
                               capos_VirtualMemory_protect_field_addr,
                               capos_VirtualMemory_protect_field_len);
    if (!vm_prot_valid(a->prot))
        return capos_rpc_refuse(&c->rpc, capos_VirtualMemory_protect_field_prot);
    return vm_complete(c, vm_protect(v->target, a->addr, a->len, a->prot), false, 0);
}

static int vmobj_quota(struct vmobj *v, struct call *c, const capos_VirtualMemory_quota_args *a)
{
    const struct vm_budget *bu = v->budget;
    const struct ledger *l = v->target->ledger;
    struct capnp_builder b;
    call_result_begin(c, &b);
    capos_VirtualMemory_quota_encode_results(
        &b, &(capos_VirtualMemory_quota_results){
                .limit = (bu ? bu->limit : ledger_limit(l)) * PAGE_SIZE,
                .used = (bu ? bu->used : ledger_used(l)) * PAGE_SIZE,
            });
    return call_result_end(c, &b);
}

static int vmobj_limit(struct vmobj *v, struct call *c, const capos_VirtualMemory_limit_args *a)
{
    struct process *p = v->target;
    uint64_t bytes = a->bytes;
    if (!IS_ALIGNED(bytes, PAGE_SIZE))
        return capos_rpc_refuse(&c->rpc, capos_VirtualMemory_limit_field_bytes);
    /* Nesting is bounded, so every walk up a budget chain is O(1). */
    if (v->budget && v->budget->depth >= VM_BUDGET_MAX_DEPTH)
        return CAPOS_ERR_QUOTA_EXCEEDED;
    spin_lock(&p->lock);
    bool room = bytes / PAGE_SIZE <= budget_room(v->budget);
    spin_unlock(&p->lock);
    if (!room)
        return capos_rpc_refuse(&c->rpc, capos_VirtualMemory_limit_field_bytes);
    /* The room may shrink meanwhile; that is harmless, since every charge
     * goes through the parent's budget too.  The facet and its budget are
     * charged to the caller. */
    int err;
    struct vm_budget *nb = kheap_alloc(c->proc->ledger, sizeof(*nb), true, &err);
    if (!nb)
        return err;
    nb->refs = 1;
    nb->depth = v->budget ? v->budget->depth + 1 : 1;
    nb->limit = bytes / PAGE_SIZE;
    nb->parent = v->budget;
    spin_lock(&p->lock);
    if (nb->parent)
        nb->parent->refs++;
    spin_unlock(&p->lock);
    struct kobj *lim = vmobj_new(c->proc->ledger, p, nb, &err);
    if (!lim) {
        spin_lock(&p->lock);
        budget_put(nb);
        spin_unlock(&p->lock);
        return err;
    }
    c->out_caps[c->out_ncaps++] = lim;
    struct capnp_builder b;
    call_result_begin(c, &b);
    capos_VirtualMemory_limit_encode_results(&b, &(capos_VirtualMemory_limit_results){.memory = 0});
    return call_result_end(c, &b);
}
