/*
 * fork: a copy of the calling process (ProcessSpawner.fork, object/spawner.c).
 *
 * What the copy is made of:
 *   - its address space: every user page of the caller, shared
 *     copy-on-write (paging_share: both entries read-only, a writable one
 *     marked MAP_COW so that a write breaks the sharing wherever the page
 *     lies, mm/fault.c), except the threads' rings and the clock page; the
 *     region set (without the callers' budgets: a region of the copy is
 *     charged to its quota alone), the first stack's and the .bss's
 *     demand-zero ranges.  The CapSet's first page gets a private copy
 *     with the copy's pid and parent pid;
 *   - its capability table: the caller's slots under the same ids, so the
 *     ids the caller's memory holds name the same capabilities in the
 *     copy, less what must not be duplicated (fork_cap_rule);
 *   - one thread, the caller's copy: it starts at the entry, stack and
 *     argument the caller passed, with the caller's thread pointer and a
 *     fresh ring at the address of the caller's ring; its ThreadControl
 *     takes the caller's ThreadControl's id.
 *
 * Charges: the copy gets a ledger of its own below the caller's, with the
 * caller's limit, and is charged for every page it shares (and its page
 * tables) while it is made, before it runs: a copy the quota cannot hold
 * fails with quotaExceeded and is thrown away whole.  The caller's pages
 * it had already shared stay read-only and marked MAP_COW; their frames
 * have one holder again, so the caller's next write to each makes it
 * writable in place (an upgrade, no copy): nothing of the caller changes
 * that it can see.
 *
 * Bounded work: the address space is shared FORK_STEP page-table entries
 * at a time under the caller's lock, with the lock dropped and interrupts
 * let in between steps (as spawnImage's copy): the cost is in proportion
 * to the caller's resident pages, which its quota bounds.  The capability
 * table is PROCESS_MAX_CAPS slots, copied in one step.
 *
 * Other threads of the caller go on meanwhile.  A mapping call of theirs
 * in progress (a busy region) makes the fork fail with wouldBlock; one
 * that starts during the fork changes the caller only, or the copy too,
 * depending on how far the copy has got: the copy of a process whose
 * threads change its mappings while it forks is one of the states it
 * passed through, page by page, never memory it did not own.
 */
#include "fork.h"

#include "abi/capset.h"
#include "abi/layout.h"
#include "arch.h"
#include "base/mem.h"
#include "capos.rpc.h"
#include "clockpage.h"
#include "kerr.h"
#include "mm/ledger.h"
#include "mm/pmm.h"
#include "objects.h"
#include "panic.h"
#include "sched.h"
#include "signal.h"
#include "thread.h"

/* Page-table entries one step of the address-space copy looks at, as one
 * reaper step of teardown: about 64 pages shared, with their tables. */
#define FORK_STEP 1024

/* The caller's rings: the first thread's at CAPOS_USER_RING_VA, the
 * others' below it (process.c, PROCESS_RING_STRIDE apart). */
#define FORK_RINGS_LO (CAPOS_USER_RING_VA - (uint64_t)PROCESS_MAX_THREADS * PROCESS_RING_STRIDE)
#define FORK_RINGS_HI (CAPOS_USER_RING_VA + PROCESS_RING_STRIDE)
_Static_assert(FORK_RINGS_LO > CAPOS_USER_STACK_TOP && FORK_RINGS_HI <= CAPOS_USER_CAPSET_VA,
               "the rings lie between the stack and the CapSet");

static const struct {
    uint64_t lo, hi;
} fork_ranges[] = {
    {0, FORK_RINGS_LO},
    {FORK_RINGS_HI, CAPOS_USER_CLOCK_VA},
    {CAPOS_USER_CLOCK_VA + PAGE_SIZE, CAPOS_USER_MAX},
};

static bool fork_user_addr(uint64_t a)
{
    return a >= CAPOS_USER_MIN && a < CAPOS_USER_MAX;
}

/* Why a charge-and-map failed: no room at all means the quota. */
static int fork_map_err(const struct process *p)
{
    return ledger_room(p->ledger) == 0 ? CAPOS_ERR_QUOTA_EXCEEDED : CAPOS_ERR_NO_MEMORY;
}

/* The region set and the kernel's demand-zero ranges, under the parent's
 * lock; wouldBlock while a call of another thread is changing a region. */
static int fork_regions(struct process *parent, struct process *child)
{
    int err = CAPOS_OK;
    spin_lock(&parent->lock);
    if (!parent->root || parent->state != PROCESS_ALIVE)
        err = CAPOS_ERR_PEER_GONE;
    for (unsigned i = 0; err == CAPOS_OK && i < parent->vm_count; i++) {
        if (parent->vm[i].busy)
            err = CAPOS_ERR_WOULD_BLOCK;
    }
    if (err == CAPOS_OK) {
        for (unsigned i = 0; i < parent->vm_count; i++) {
            child->vm[i] = parent->vm[i];
            child->vm[i].budget = NULL; /* the budgets are the parent's facets' */
        }
        child->vm_count = parent->vm_count;
        child->stack_lo = parent->stack_lo;
        child->bss_lo = parent->bss_lo;
        child->bss_hi = parent->bss_hi;
    }
    spin_unlock(&parent->lock);
    return err;
}

/* Shares every page of the parent in fork_ranges with the child, a step
 * at a time (see the top of the file). */
static int fork_memory(struct process *parent, struct process *child)
{
    for (unsigned r = 0; r < sizeof(fork_ranges) / sizeof(fork_ranges[0]); r++) {
        uint64_t cursor = fork_ranges[r].lo;
        for (bool done = false; !done;) {
            int kerr = KERR_OK;
            bool narrowed = false;
            spin_lock(&parent->lock);
            if (!parent->root || parent->state != PROCESS_ALIVE) {
                spin_unlock(&parent->lock);
                return CAPOS_ERR_PEER_GONE;
            }
            uint64_t from = cursor;
            done = paging_share(parent->root, child->root, &cursor, fork_ranges[r].hi, FORK_STEP,
                                child->ledger, &narrowed, &kerr);
            /* Pages made read-only: no CPU may write them through an old
             * entry once the lock is let go (the failed page itself was
             * left as it was). */
            if (narrowed)
                arch_tlb_flush_user(parent, from, (cursor - from) / PAGE_SIZE);
            spin_unlock(&parent->lock);
            if (kerr != KERR_OK)
                return fork_map_err(child);
            sched_irq_window();
        }
    }
    return CAPOS_OK;
}

/* The child's CapSet page: a private copy naming the child's pid and its
 * parent's (the rest, capabilities included, is the parent's, whose ids
 * the child's table keeps). */
static int fork_capset(struct process *parent, struct process *child)
{
    uint64_t old, copy;
    if (!paging_user_page(child->root, CAPOS_USER_CAPSET_VA, false, &old))
        return CAPOS_OK; /* the parent had none: nothing to name */
    if (!pmm_alloc_frame(&copy))
        return CAPOS_ERR_NO_MEMORY;
    memcpy(phys_to_virt(copy), phys_to_virt(old), PAGE_SIZE);
    struct capos_capset_header *h = phys_to_virt(copy);
    h->pid = child->pid;
    h->ppid = parent->pid;
    /* Charged already, as a shared page; the child has not run. */
    paging_remap(child->root, CAPOS_USER_CAPSET_VA, copy, MAP_READ | MAP_USER);
    pmm_frame_put(old);
    return CAPOS_OK;
}

enum fork_rule {
    FORK_KEEP,    /* the same object: a copy adds no authority */
    FORK_DROP,    /* not duplicated: the slot is empty in the child */
    FORK_REBIND,  /* bound to the parent: a new one bound to the child */
    FORK_CONTROL, /* the calling thread's ThreadControl: the child thread's */
};

/*
 * What the child gets for a capability of the parent.  Everything a
 * process may hold it may share with a child it makes, so a copy adds no
 * authority; what is dropped is what names one holder's role rather than
 * an authority: the server facet of an endpoint (one receiver per
 * endpoint), the handles on the parent's children and threads (waits and
 * joins are the parent's), its other threads' controls, and a budgeted
 * VirtualMemory facet of the parent (its budget counts the parent's
 * mappings).  The objects bound to the parent itself are replaced.
 */
static enum fork_rule fork_cap_rule(const struct kobj *o, const struct process *parent,
                                    const struct thread *caller, uint32_t id)
{
    bool limited;
    switch (o->kind) {
    case KOBJ_ENDPOINT_SERVER:
    case KOBJ_PROCESS_HANDLE:
    case KOBJ_THREAD_HANDLE: return FORK_DROP;
    case KOBJ_THREAD_CONTROL:
        return o == caller->control_obj && id == caller->control_id ? FORK_CONTROL : FORK_DROP;
    case KOBJ_VIRTUAL_MEMORY:
        if (!vmobj_targets(o, parent, &limited))
            return FORK_KEEP;
        return limited ? FORK_DROP : FORK_REBIND;
    case KOBJ_THREAD_SPAWNER: return thread_spawner_targets(o, parent) ? FORK_REBIND : FORK_KEEP;
    default: return FORK_KEEP;
    }
}

/*
 * The child's table: the parent's slots (same ids, same generations) with
 * a reference on every object taken under the parent's table lock, then,
 * the child being seen by nobody yet, each slot kept, emptied or given
 * its replacement.  *ctl_id gets the id of the child thread's
 * ThreadControl `ctl` (whose reference the table takes).
 */
static int fork_caps(struct process *parent, struct process *child, const struct thread *caller,
                     struct kobj *ctl, uint32_t *ctl_id)
{
    struct cap_table *pc = &parent->caps, *cc = &child->caps;
    const unsigned held = CAPTABLE_STATE_BIT(CAPTABLE_LIVE) | CAPTABLE_STATE_BIT(CAPTABLE_RESERVED);
    spin_lock(&pc->lock);
    if (!pc->slots || pc->t.capacity != cc->t.capacity) {
        spin_unlock(&pc->lock);
        return CAPOS_ERR_PEER_GONE;
    }
    memcpy(cc->slots, pc->slots, (size_t)cc->t.capacity * sizeof(*cc->slots));
    struct captable_slot *slots = cc->slots;
    cc->t = pc->t;
    cc->t.slots = slots;
    uint32_t cursor = 0;
    captable_id id;
    while (captable_next(&cc->t, &cursor, held, &id))
        kobj_get(slots[captable_id_index(id)].obj);
    spin_unlock(&pc->lock);

    /* A move out of the parent in flight (RESERVED) is the parent's; a
     * capability on its way in (PENDING) is too. */
    cursor = 0;
    bool placed = false;
    int err = CAPOS_OK;
    while (captable_next(&cc->t, &cursor, held | CAPTABLE_STATE_BIT(CAPTABLE_PENDING), &id)) {
        struct captable_slot *s = &slots[captable_id_index(id)];
        if (s->state == CAPTABLE_PENDING) {
            if (captable_cancel_pending(&cc->t, id) != CAPTABLE_OK)
                panic("fork: a pending slot did not cancel");
            continue;
        }
        if (s->state == CAPTABLE_RESERVED && captable_rollback_move(&cc->t, id) != CAPTABLE_OK)
            panic("fork: a reserved slot did not roll back");
        struct kobj *o = s->obj, *n = NULL;
        void *obj;
        uint64_t meta;
        switch (fork_cap_rule(o, parent, caller, id)) {
        case FORK_KEEP: continue;
        case FORK_DROP:
            if (captable_remove(&cc->t, id, &obj, &meta) != CAPTABLE_OK)
                panic("fork: a live slot could not be emptied");
            kobj_put(o);
            continue;
        case FORK_CONTROL:
            kobj_get(ctl);
            n = ctl;
            placed = true;
            *ctl_id = id;
            break;
        case FORK_REBIND:
            n = o->kind == KOBJ_VIRTUAL_MEMORY ? vmobj_create(child, &err)
                                               : thread_spawner_create(child, &err);
            if (!n)
                return err; /* the table holds a reference for every slot */
            break;
        }
        /* The slot keeps its id and takes the new object (the table is
         * the child's alone, and no lookup can see it yet). */
        s->obj = n;
        kobj_put(o);
    }
    if (placed)
        return CAPOS_OK;
    /* The caller had let go of its ThreadControl: a slot of its own. */
    kobj_get(ctl);
    err = cap_insert(child, ctl, ctl_id);
    if (err != CAPOS_OK)
        kobj_put(ctl);
    return err;
}

struct process *process_fork(struct process *parent, struct thread *caller, uint64_t entry,
                             uint64_t stack, uint64_t arg, struct kobj *spawner, int *err)
{
    if (!fork_user_addr(entry) || !fork_user_addr(stack)) {
        *err = CAPOS_ERR_INVALID_ARGUMENT;
        return NULL;
    }
    struct ledger *cl = ledger_create(parent->ledger, ledger_limit(parent->ledger), err);
    if (!cl)
        return NULL;
    struct process *child = process_new(parent->name, cl, err);
    ledger_put(cl); /* the child holds its own */
    if (!child)
        return NULL;
    struct thread *t = NULL;
    struct kobj *ctl = NULL;
    uint32_t ctl_id = 0;

    *err = paging_create_space(&child->root, cl) ? CAPOS_OK : fork_map_err(child);
    if (*err == CAPOS_OK)
        *err = fork_regions(parent, child);
    if (*err == CAPOS_OK)
        *err = fork_memory(parent, child);
    if (*err == CAPOS_OK)
        *err = fork_capset(parent, child);
    if (*err != CAPOS_OK)
        goto fail;
    t = thread_create_user(child, entry, stack, arg, 0, err);
    if (!t)
        goto fail;
    t->fs_base = caller->fs_base;
    /* The calling thread's signal mask and the process's registration
     * carry over, as the child's memory does. */
    t->sig_blocked = __atomic_load_n(&caller->sig_blocked, __ATOMIC_RELAXED);
    signal_fork(child, parent);
    t->ring_slot = caller->ring_slot;
    if (caller->ring_slot >= 0)
        child->ring_slots = 1ULL << caller->ring_slot;
    *err = ring_create(t, caller->ring.user_va);
    if (*err != CAPOS_OK)
        goto fail;
    ctl = thread_cap_create(cl, t, true, err);
    if (!ctl)
        goto fail;
    *err = fork_caps(parent, child, caller, ctl, &ctl_id);
    if (*err != CAPOS_OK)
        goto fail;
    t->control_obj = ctl;
    t->control_id = ctl_id;
    kobj_put(ctl); /* the table's now */
    ctl = NULL;
    arch_thread_set_start_rdx(t, ctl_id);
    sched_thread_inherit(t, caller, 0);
    if (parent->clock_mapped) {
        *err = clock_page_map(child);
        if (*err != CAPOS_OK)
            goto fail;
    }
    if (spawner) {
        kobj_get(spawner);
        child->spawner = spawner;
    }
    process_publish(child, t);
    return child;

fail:
    if (ctl)
        kobj_put(ctl);
    process_discard(child, t);
    return NULL;
}
