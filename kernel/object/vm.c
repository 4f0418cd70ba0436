/*
 * VirtualMemory object: anonymous memory in one target process's address
 * space, charged to that process's frame ledger.
 *
 * The object names a specific process (it holds a reference), not "whoever
 * calls": authority over an address space is this capability, and it can be
 * handed to a pager or supervisor like any other.  Mappings are committed
 * eagerly (frames are allocated and zeroed at map time), so exceeding the
 * quota is a clean `quotaExceeded` from map, never a fault later.  Only
 * regions created here can be unmapped or re-protected; the image, stack,
 * ring and CapSet are out of its reach.
 *
 * Region bookkeeping: p->vm[] holds disjoint, page-aligned regions.  unmap
 * and protect first split regions at the range ends (vm_carve), then act on
 * the regions wholly inside the range.
 *
 * Every change to the address space happens under the process's lock, which
 * also keeps cross-process copies (uspace.c) from walking tables that change
 * under them.  Budgets are changed under the same lock.
 *
 * Attenuation: limit() makes a facet of the same address space with a
 * budget.  Budgets nest (a facet made from a limited facet charges both);
 * each region remembers the budget it was charged to (holding a reference),
 * so memory unmapped through any facet is refunded to the right one.  The
 * wrapper is a kernel object, so a limited caller costs no extra IPC hop.
 */
#include "abi/errors.h"
#include "arch.h"
#include "arch/x86_64/paging.h"
#include "base/checked.h"
#include "base/mem.h"
#include "mm/kheap.h"
#include "mm/ledger.h"
#include "mm/pmm.h"
#include "msg.h"
#include "objects.h"
#include "process.h"
#include "sched.h"

#define VM_PROT_READ  1u
#define VM_PROT_WRITE 2u
#define VM_PROT_EXEC  4u
#define VM_USER_TOP   0x00007f0000000000ULL /* below the bootstrap regions */
#define VM_AUTO_BASE  0x0000100000000000ULL /* kernel-chosen mappings start here */

struct vm_budget {
    uint32_t refs;            /* facets and regions charged to it */
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
    struct vmobj *v = kheap_alloc(l, sizeof(*v), true, err);
    if (!v)
        return NULL;
    v->obj.kind = KOBJ_VIRTUAL_MEMORY;
    v->obj.refs = 1;
    v->target = target;
    v->budget = budget;
    process_get(target);
    return &v->obj;
}

struct kobj *vmobj_create(struct process *target, int *err)
{
    return vmobj_new(target->ledger, target, NULL, err);
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

static unsigned vm_map_flags(uint32_t prot)
{
    return ((prot & VM_PROT_WRITE) ? MAP_WRITE : 0) | ((prot & VM_PROT_EXEC) ? MAP_EXEC : 0);
}

/* Validates an (addr, len) range argument; page-aligned, non-empty, inside
 * the area VirtualMemory may use. */
static bool vm_range_ok(uint64_t addr, uint64_t len)
{
    return len != 0 && IS_ALIGNED(addr, PAGE_SIZE) && IS_ALIGNED(len, PAGE_SIZE) &&
           addr >= CAPOS_USER_MIN &&
           range_within(addr - CAPOS_USER_MIN, len, VM_USER_TOP - CAPOS_USER_MIN);
}

static bool vm_prot_ok(uint32_t prot)
{
    /* Readable always (x86 cannot map write- or exec-only), never W+X. */
    return (prot & ~7u) == 0 && (prot & VM_PROT_READ) &&
           (prot & (VM_PROT_WRITE | VM_PROT_EXEC)) != (VM_PROT_WRITE | VM_PROT_EXEC);
}

static bool vm_range_free(struct process *p, uint64_t addr, uint64_t len)
{
    for (uint64_t va = addr; va < addr + len; va += PAGE_SIZE) {
        if (paging_lookup(p->root, va, NULL, NULL))
            return false;
    }
    return true;
}

/* Splits the region containing `at` (if any) so that a boundary falls there. */
static bool vm_split(struct process *p, uint64_t at)
{
    for (unsigned i = 0; i < p->vm_count; i++) {
        struct vm_region *r = &p->vm[i];
        if (at > r->start && at < r->end) {
            if (p->vm_count == PROCESS_MAX_VM_REGIONS)
                return false;
            p->vm[p->vm_count++] = (struct vm_region){at, r->end, r->prot, r->budget};
            if (r->budget)
                r->budget->refs++;
            r->end = at;
            return true;
        }
    }
    return true;
}

/* Makes region boundaries fall on start and end; then checks that regions
 * cover the whole range.  Leaves the region list valid on failure. */
static int vm_carve(struct process *p, uint64_t start, uint64_t end)
{
    uint64_t covered = 0;
    for (unsigned i = 0; i < p->vm_count; i++) {
        struct vm_region *r = &p->vm[i];
        uint64_t lo = MAX(r->start, start), hi = MIN(r->end, end);
        if (lo < hi)
            covered += hi - lo;
    }
    if (covered != end - start)
        return CAPOS_ERR_NOT_FOUND;
    if (!vm_split(p, start) || !vm_split(p, end))
        return CAPOS_ERR_QUOTA_EXCEEDED;
    return CAPOS_OK;
}

/* Pages unmapped per TLB flush; their frames wait in a local array. */
#define VM_UNMAP_BATCH 32

/*
 * Unmaps a range and frees its frames.  A frame is freed only after every
 * CPU has dropped its TLB entry for the page (other threads of the process
 * may be running elsewhere), so the range goes in batches: unmap, flush
 * everywhere, then free.
 */
static void vm_unmap_pages(struct process *p, uint64_t start, uint64_t end)
{
    uint64_t frames[VM_UNMAP_BATCH];
    uint64_t va = start;
    while (va < end) {
        uint64_t from = va;
        unsigned n = 0;
        for (; va < end && n < VM_UNMAP_BATCH; va += PAGE_SIZE) {
            uint64_t pa;
            if (paging_unmap(p->root, va, &pa))
                frames[n++] = pa;
        }
        if (n == 0)
            continue;
        arch_tlb_flush_user(p, from, (va - from) / PAGE_SIZE);
        for (unsigned i = 0; i < n; i++)
            pmm_free_frame(frames[i]);
        ledger_uncharge(p->ledger, n);
    }
}

/*
 * A kernel-chosen address: the lowest gap above VM_AUTO_BASE that holds len
 * bytes with an unmapped page on either side.  Lowest first, so that a
 * process that maps and unmaps over and over reuses its addresses (and the
 * page tables under them, which unmap keeps) instead of spreading out.
 * Each pass moves past at least one region for good, so there are at most
 * vm_count + 1 passes over at most PROCESS_MAX_VM_REGIONS regions.
 */
static uint64_t vm_choose(const struct process *p, uint64_t len)
{
    uint64_t at = VM_AUTO_BASE;
    for (unsigned pass = 0; pass <= p->vm_count; pass++) {
        bool moved = false;
        for (unsigned i = 0; i < p->vm_count; i++) {
            const struct vm_region *r = &p->vm[i];
            if (at < r->end + PAGE_SIZE && r->start < at + len + PAGE_SIZE) {
                at = r->end + PAGE_SIZE;
                moved = true;
            }
        }
        if (!moved)
            break;
    }
    return at;
}

static int vm_map(struct process *p, struct vm_budget *budget, uint64_t addr, uint64_t len,
                  uint32_t prot, uint64_t *out)
{
    if (!vm_prot_ok(prot) || len == 0 || !IS_ALIGNED(len, PAGE_SIZE))
        return CAPOS_ERR_INVALID_ARGUMENT;
    if (addr == 0) {
        if (len > VM_USER_TOP)
            return CAPOS_ERR_INVALID_ARGUMENT;
        addr = vm_choose(p, len);
        while (vm_range_ok(addr, len) && !vm_range_free(p, addr, len))
            addr += len + PAGE_SIZE; /* something else is mapped there */
    }
    if (!vm_range_ok(addr, len))
        return CAPOS_ERR_INVALID_ARGUMENT;
    if (!vm_range_free(p, addr, len))
        return CAPOS_ERR_ALREADY_EXISTS;
    if (p->vm_count == PROCESS_MAX_VM_REGIONS || len / PAGE_SIZE > budget_room(budget))
        return CAPOS_ERR_QUOTA_EXCEEDED;
    /* Charge the data frames up front; page tables are charged as they are
     * created. */
    if (!ledger_charge(p->ledger, len / PAGE_SIZE))
        return CAPOS_ERR_QUOTA_EXCEEDED;
    for (uint64_t off = 0; off < len; off += PAGE_SIZE) {
        uint64_t pa;
        int err = CAPOS_OK;
        if (!pmm_alloc_frame(&pa))
            err = CAPOS_ERR_NO_MEMORY;
        else if (paging_map(p->root, addr + off, pa, vm_map_flags(prot) | MAP_USER, p->ledger) !=
                 0) {
            pmm_free_frame(pa);
            err = ledger_room(p->ledger) == 0 ? CAPOS_ERR_QUOTA_EXCEEDED : CAPOS_ERR_NO_MEMORY;
        }
        if (err != CAPOS_OK) {
            /* Undo: unmap what was mapped (uncharging it), then the rest of
             * the up-front charge. */
            vm_unmap_pages(p, addr, addr + off);
            ledger_uncharge(p->ledger, (len - off) / PAGE_SIZE);
            return err;
        }
    }
    p->vm[p->vm_count++] = (struct vm_region){addr, addr + len, vm_map_flags(prot), budget};
    if (budget)
        budget->refs++;
    budget_charge(budget, (int64_t)(len / PAGE_SIZE));
    *out = addr;
    return CAPOS_OK;
}

static int vm_unmap(struct process *p, uint64_t addr, uint64_t len)
{
    if (!vm_range_ok(addr, len))
        return CAPOS_ERR_INVALID_ARGUMENT;
    int err = vm_carve(p, addr, addr + len);
    if (err != CAPOS_OK)
        return err;
    for (unsigned i = 0; i < p->vm_count;) {
        struct vm_region *r = &p->vm[i];
        if (r->start >= addr && r->end <= addr + len) {
            vm_unmap_pages(p, r->start, r->end);
            budget_charge(r->budget, -(int64_t)((r->end - r->start) / PAGE_SIZE));
            budget_put(r->budget);
            p->vm[i] = p->vm[--p->vm_count];
        } else {
            i++;
        }
    }
    return CAPOS_OK;
}

static int vm_protect(struct process *p, uint64_t addr, uint64_t len, uint32_t prot)
{
    if (!vm_range_ok(addr, len) || !vm_prot_ok(prot))
        return CAPOS_ERR_INVALID_ARGUMENT;
    int err = vm_carve(p, addr, addr + len);
    if (err != CAPOS_OK)
        return err;
    for (unsigned i = 0; i < p->vm_count; i++) {
        struct vm_region *r = &p->vm[i];
        if (r->start >= addr && r->end <= addr + len) {
            r->prot = vm_map_flags(prot);
            bool changed = false;
            for (uint64_t va = r->start; va < r->end; va += PAGE_SIZE)
                changed |= paging_protect(p->root, va, r->prot | MAP_USER);
            if (changed)
                arch_tlb_flush_user(p, r->start, (r->end - r->start) / PAGE_SIZE);
        }
    }
    return CAPOS_OK;
}

int vmobj_invoke(struct kobj *o, struct call *c)
{
    struct vmobj *v = (struct vmobj *)o;
    struct process *p = v->target;
    struct capnp_reader r;
    struct capnp_builder b;
    int err;

    if (p->state != PROCESS_ALIVE)
        return CAPOS_ERR_PEER_GONE;
    if (!call_params(c, &r))
        return CAPOS_ERR_INVALID_ARGUMENT;
    switch (c->sqe->method) {
    case capos_VirtualMemory_method_map: {
        capos_VirtualMemory_map_Params_reader a = capos_VirtualMemory_map_Params_read_root(&r);
        uint64_t addr = capos_VirtualMemory_map_Params_get_addr(a);
        uint64_t len = capos_VirtualMemory_map_Params_get_len(a);
        uint32_t prot = capos_VirtualMemory_map_Params_get_prot(a);
        uint64_t out = 0;
        if (!call_params_ok(&r))
            return CAPOS_ERR_INVALID_ARGUMENT;
        spin_lock(&p->lock);
        err = p->root ? vm_map(p, v->budget, addr, len, prot, &out) : CAPOS_ERR_PEER_GONE;
        spin_unlock(&p->lock);
        if (err != CAPOS_OK)
            return err;
        call_result_begin(c, &b);
        capos_VirtualMemory_map_Results_set_addr(capos_VirtualMemory_map_Results_init_root(&b),
                                                 out);
        return call_result_end(c, &b);
    }
    case capos_VirtualMemory_method_unmap: {
        capos_VirtualMemory_unmap_Params_reader a = capos_VirtualMemory_unmap_Params_read_root(&r);
        uint64_t addr = capos_VirtualMemory_unmap_Params_get_addr(a);
        uint64_t len = capos_VirtualMemory_unmap_Params_get_len(a);
        if (!call_params_ok(&r))
            return CAPOS_ERR_INVALID_ARGUMENT;
        spin_lock(&p->lock);
        err = p->root ? vm_unmap(p, addr, len) : CAPOS_ERR_PEER_GONE;
        spin_unlock(&p->lock);
        return err;
    }
    case capos_VirtualMemory_method_protect: {
        capos_VirtualMemory_protect_Params_reader a =
            capos_VirtualMemory_protect_Params_read_root(&r);
        uint64_t addr = capos_VirtualMemory_protect_Params_get_addr(a);
        uint64_t len = capos_VirtualMemory_protect_Params_get_len(a);
        uint32_t prot = capos_VirtualMemory_protect_Params_get_prot(a);
        if (!call_params_ok(&r))
            return CAPOS_ERR_INVALID_ARGUMENT;
        spin_lock(&p->lock);
        err = p->root ? vm_protect(p, addr, len, prot) : CAPOS_ERR_PEER_GONE;
        spin_unlock(&p->lock);
        return err;
    }
    case capos_VirtualMemory_method_quota: {
        const struct vm_budget *bu = v->budget;
        call_result_begin(c, &b);
        capos_VirtualMemory_quota_Results_builder q =
            capos_VirtualMemory_quota_Results_init_root(&b);
        capos_VirtualMemory_quota_Results_set_limit(q, (bu ? bu->limit : ledger_limit(p->ledger)) *
                                                           PAGE_SIZE);
        capos_VirtualMemory_quota_Results_set_used(q, (bu ? bu->used : ledger_used(p->ledger)) *
                                                          PAGE_SIZE);
        return call_result_end(c, &b);
    }
    case capos_VirtualMemory_method_limit: {
        uint64_t bytes = capos_VirtualMemory_limit_Params_get_bytes(
            capos_VirtualMemory_limit_Params_read_root(&r));
        if (!call_params_ok(&r) || !IS_ALIGNED(bytes, PAGE_SIZE) ||
            bytes / PAGE_SIZE > budget_room(v->budget))
            return CAPOS_ERR_INVALID_ARGUMENT;
        /* The facet and its budget are charged to the caller. */
        struct vm_budget *nb = kheap_alloc(c->proc->ledger, sizeof(*nb), true, &err);
        if (!nb)
            return err;
        nb->refs = 1;
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
        call_result_begin(c, &b);
        capos_VirtualMemory_limit_Results_set_memory(
            capos_VirtualMemory_limit_Results_init_root(&b), 0);
        return call_result_end(c, &b);
    }
    default: return CAPOS_ERR_UNKNOWN_METHOD;
    }
}
