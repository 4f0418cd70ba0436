/*
 * Exec: a running process's program replaced in place (ProcessSpawner.exec,
 * docs/processes.md "Exec"; the spawner checks the call and copies the
 * image, process_exec does the rest).
 *
 * What stays: the struct process itself -- its pid, its parent's pid, its
 * ledger (and so its quota and its place under its parent's), the
 * ProcessHandles others hold on it and their waits -- and the calling
 * thread, with its tid, kernel stack, ring frames and scheduling (the
 * process's other threads end, as if each had exited with 0).  What is
 * new: the address space, the capability table (exactly the grants of the
 * call and the thread's new ThreadControl: everything else the process
 * held is released), the CapSet, the thread's user registers, FPU state
 * and TLS base, and its ring's indices.
 *
 * Check, then act.  Everything the new program needs is built first on a
 * builder (a struct process of its own, never published, with p's ledger,
 * pid, ppid and the new name): the address space with the image, the
 * committed stack and the thread's ring frames mapped into it, the table
 * with the grants and a new ThreadControl, the CapSet.  Any failure up to
 * there unwinds the builder alone (exec_unbuild) and leaves p and its
 * thread exactly as they were.  Then p's other threads are ended
 * (exec_end_others: the one irreversible step that can precede a failure,
 * and only the failure of p being stopped meanwhile), and the commit
 * happens under p's lock, which orders it against thread spawns and a
 * stop: p is alive with t as its only thread and no spawn in flight
 * (process_thread_spawn's counts, and exec_ending refusing new ones),
 * which also means no other CPU can have p's address space loaded.  From
 * the commit on nothing fails.
 *
 * Memory: the builder, the new space and the image copy are charged to
 * p's ledger while the old space still is, so an exec needs room for both
 * at once; the old space and table are freed (and uncharged) before the
 * call returns into the new program, a bounded step at a time with
 * interrupts let in between, in the caller's own time.
 *
 * Operations: the thread's pending operations are cancelled and the calls
 * p received and did not return fail with peerGone.  A call of the old
 * program already in a server's hands completes later into the same ring,
 * where the new program sees a completion it did not ask for: only the
 * process itself can have made that happen, and the POSIX runtime, whose
 * calls are synchronous, never has one outstanding when it execs.
 */
#include "abi/capset.h"
#include "abi/errors.h"
#include "abi/layout.h"
#include "abi/note.h"
#include "arch.h"
#include "base/mem.h"
#include "capos.rpc.h"
#include "clockpage.h"
#include "mm/kheap.h"
#include "mm/ledger.h"
#include "mm/pmm.h"
#include "objects.h"
#include "process.h"
#include "sched.h"
#include "signal.h"
#include "thread.h"
#include "xfer.h"

/* Page-table entries one teardown step looks at (as the reaper's step). */
#define EXEC_TEARDOWN_BUDGET 1024
/* Capabilities of the old table released per step. */
#define EXEC_RELEASE_BATCH 16

static void exec_name_copy(char *dst, const char *src)
{
    size_t n = strnlen(src, CAPOS_CAPSET_NAME_MAX - 1);
    memcpy(dst, src, n);
    memset(dst + n, 0, CAPOS_CAPSET_NAME_MAX - n);
}

/* Unmaps the `n` first pages of t's ring from `root`; the frames stay the
 * ring's. */
static void exec_unmap_ring(uint64_t root, uint64_t va, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        uint64_t pa;
        (void)paging_unmap(root, va + i * PAGE_SIZE, &pa);
    }
}

/* Frees a builder and everything on it: grants[owned..n) are still the
 * caller's references, the others are in its table; `ring_pages` of the
 * ring are mapped into its space and must leave it before the space is
 * torn down (their frames are not the builder's). */
static void exec_unbuild(struct process *b, struct process_grant *grants, unsigned n,
                         unsigned owned, struct kobj *ctl, unsigned ring_pages)
{
    for (unsigned i = owned; i < n; i++) {
        if (grants[i].obj)
            kobj_put(grants[i].obj);
    }
    if (ctl)
        kobj_put(ctl);
    cap_table_destroy(b);
    if (b->root) {
        exec_unmap_ring(b->root, CAPOS_USER_RING_VA, ring_pages);
        process_release_memory(b);
    }
    kfree(b);
}

/*
 * Ends p's threads other than t, the exec's caller, and waits until they
 * are gone; returns with p's lock held and t p's only thread, or (lock
 * not held) peerGone if p stopped meanwhile, unsupported if another exec
 * of p is ending the threads already.  Once p is marked (exec_ending) no
 * thread spawn commits, so the set only shrinks.  Each other thread is
 * asked to end (exit_requested, as if it had called ThreadControl.exit
 * with 0) and kicked: a blocked one wakes in its ring wait and ends
 * there, a running one ends on its way back to user mode (the next tick
 * at the latest).  t yields the CPU until they are gone, in p's own time:
 * the work is theirs, and bounded by PROCESS_MAX_THREADS.
 */
static int exec_end_others(struct process *p, struct thread *t)
{
    struct thread *others[PROCESS_MAX_THREADS];
    unsigned n = 0;
    spin_lock(&p->lock);
    if (p->state != PROCESS_ALIVE || p->exec_ending) {
        int err = p->state != PROCESS_ALIVE ? CAPOS_ERR_PEER_GONE : CAPOS_ERR_UNSUPPORTED;
        spin_unlock(&p->lock);
        return err;
    }
    p->exec_ending = true;
    for (struct thread *o = p->threads; o && n < PROCESS_MAX_THREADS; o = o->proc_next) {
        if (o != t && !o->ended) {
            thread_get(o);
            others[n++] = o;
        }
    }
    spin_unlock(&p->lock);
    for (unsigned i = 0; i < n; i++) {
        /* One that is ending by its own ThreadControl.exit keeps its code. */
        if (!__atomic_load_n(&others[i]->exit_requested, __ATOMIC_ACQUIRE)) {
            others[i]->exit_request_code = 0;
            __atomic_store_n(&others[i]->exit_requested, true, __ATOMIC_SEQ_CST);
        }
        sched_kick(others[i]);
        thread_put(others[i]);
    }
    for (;;) {
        spin_lock(&p->lock);
        if (p->state != PROCESS_ALIVE) {
            p->exec_ending = false;
            spin_unlock(&p->lock);
            return CAPOS_ERR_PEER_GONE;
        }
        if (p->nthreads == 1 && p->nspawning == 0 && p->threads == t)
            return CAPOS_OK;
        spin_unlock(&p->lock);
        this_cpu()->need_resched = true;
        sched_pause();
    }
}

int process_exec(struct process *p, struct thread *t, const char *name, const void *elf,
                 uint64_t elf_len, struct image_frames *frames, bool *bad_image,
                 struct process_grant *grants, unsigned ngrants, const char *const *argv,
                 unsigned argc, const char *const *env, unsigned envc, struct xfer_set *x,
                 const char **why)
{
    struct elf_limits lim = process_elf_limits(ledger_limit(p->ledger));
    struct elf_info *info = NULL;
    struct process *b = NULL;
    struct kobj *ctl = NULL;
    unsigned owned = 0, ring_pages = 0;
    uint32_t ids[PROCESS_MAX_CAPS], ctl_id;
    uint64_t stack_size, stack_commit, pages = 0, shared = 0;
    int err;

    /* ---- check: the image, and a process exec can replace ---- */
    *why = "out of kernel memory or over the process's quota";
    *bad_image = false;
    if (ngrants >= PROCESS_MAX_CAPS) {
        *why = "too many grants";
        err = CAPOS_ERR_INVALID_ARGUMENT;
        goto drop;
    }
    info = kheap_alloc(p->ledger, sizeof(*info), false, &err);
    if (!info)
        goto drop;
    enum elf_err ee = elf_parse(elf, elf_len, &lim, info);
    if (ee != ELF_OK) {
        *why = elf_strerror(ee);
        err = ee == ELF_ERR_TOO_BIG ? CAPOS_ERR_QUOTA_EXCEEDED : CAPOS_ERR_INVALID_ARGUMENT;
        *bad_image = ee != ELF_ERR_TOO_BIG;
        goto drop;
    }
    bool commit_all = elf_has_note(elf, elf_len, CAPOS_NOTE_OWNER, CAPOS_NOTE_COMMIT);
    if (!process_stack_size(elf, elf_len, commit_all, &stack_size, &stack_commit)) {
        *why = "its stack note is not a whole number of pages up to 8 MiB";
        err = CAPOS_ERR_INVALID_ARGUMENT;
        *bad_image = true;
        goto drop;
    }

    /* ---- build, on the builder: nothing of p changes ---- */
    b = kheap_alloc(p->ledger, sizeof(*b), true, &err);
    if (!b)
        goto drop;
    b->pid = p->pid;
    b->ppid = p->ppid;
    b->ledger = p->ledger; /* no reference of its own: it never outlives this call */
    b->state = PROCESS_ALIVE;
    b->lock = (struct spinlock)SPINLOCK_INIT("process");
    exec_name_copy(b->name, name);
    err = cap_table_init(&b->caps, PROCESS_MAX_CAPS, p->ledger);
    if (err != CAPOS_OK)
        goto fail;
    /* Bound kernel grants are bound to p, which goes on. */
    for (unsigned i = 0; i < ngrants; i++) {
        if (grants[i].bind == PROCESS_BIND_NONE)
            continue;
        grants[i].obj = grants[i].bind == PROCESS_BIND_MEMORY ? vmobj_create(p, &err)
                                                              : thread_spawner_create(p, &err);
        if (!grants[i].obj)
            goto fail;
    }
    for (; owned < ngrants; owned++) {
        err = cap_insert(b, grants[owned].obj, &ids[owned]);
        if (err != CAPOS_OK) {
            *why = "capability table full";
            goto fail;
        }
    }
    err = paging_create_space(&b->root, p->ledger) ? CAPOS_OK
          : ledger_room(p->ledger) == 0            ? CAPOS_ERR_QUOTA_EXCEEDED
                                                   : CAPOS_ERR_NO_MEMORY;
    if (err == CAPOS_OK)
        err = process_load_elf(b, elf, info, frames, commit_all, &pages, &shared);
    if (err == CAPOS_OK)
        err = process_map_bytes(b, CAPOS_USER_STACK_TOP - stack_commit, NULL, 0, stack_commit,
                                MAP_WRITE);
    b->stack_lo = CAPOS_USER_STACK_TOP - stack_size;
    /* The thread's ring, the same frames, where a first thread's is. */
    uint64_t ring_pa = virt_to_phys(t->ring.hdr);
    for (; err == CAPOS_OK && ring_pages < CAPOS_RING_PAGES; ring_pages++) {
        if (paging_map(b->root, CAPOS_USER_RING_VA + ring_pages * PAGE_SIZE,
                       ring_pa + ring_pages * PAGE_SIZE, MAP_USER | MAP_WRITE, p->ledger) != 0)
            err = ledger_room(p->ledger) == 0 ? CAPOS_ERR_QUOTA_EXCEEDED : CAPOS_ERR_NO_MEMORY;
    }
    if (err != CAPOS_OK)
        goto fail;
    ctl = thread_cap_create(p->ledger, t, true, &err);
    if (!ctl)
        goto fail;
    err = cap_insert(b, ctl, &ctl_id);
    if (err != CAPOS_OK)
        goto fail;
    struct kobj *new_ctl = ctl;
    ctl = NULL; /* the builder table's now */
    struct process_grant self = {CAPOS_CAPSET_THREAD, NULL, capos_ThreadControl_INTERFACE_ID,
                                 PROCESS_BIND_NONE};
    uint32_t capset_len;
    uint8_t *capset = process_build_capset(b, grants, ids, ngrants, &self, ctl_id, argv, argc, env,
                                           envc, &capset_len, &err, why);
    if (!capset)
        goto fail;
    err = process_map_bytes(b, CAPOS_USER_CAPSET_VA, capset, capset_len,
                            ALIGN_UP(capset_len, PAGE_SIZE), MAP_READ);
    kfree(capset);
    if (err != CAPOS_OK)
        goto fail;

    /* ---- commit: p's other threads end, then the new space ---- */
    err = exec_end_others(p, t);
    if (err != CAPOS_OK) {
        *why = err == CAPOS_ERR_PEER_GONE ? "the process stopped" : "another exec is under way";
        goto fail;
    }
    /* p's lock is held: t is p's only thread, and stays so. */
    uint64_t old_root = p->root;
    /* The ring's frames leave the old space, which would free them. */
    exec_unmap_ring(old_root, t->ring.user_va, CAPOS_RING_PAGES);
    clock_page_unmap(p, old_root); /* mapped again on the new program's request */
    vm_release_regions(p);
    p->root = b->root;
    b->root = 0;
    p->stack_lo = b->stack_lo;
    p->bss_lo = b->bss_lo;
    p->bss_hi = b->bss_hi;
    p->ring_slots = 0;
    memcpy(p->name, b->name, CAPOS_CAPSET_NAME_MAX);
    t->ring.user_va = CAPOS_USER_RING_VA;
    t->ring_slot = -1;
    /* p's only thread runs here: no other CPU has the old space loaded,
     * and this one leaves it now. */
    arch_space_activate(p->root);
    p->exec_ending = false; /* thread spawns commit again, into the new program */
    spin_unlock(&p->lock);

    /* From here on nothing fails.  The transfers commit against the old
     * table (moved slots freed there); the new one holds its own
     * references. */
    struct xfer_set done = *x;
    xfer_commit(p, x);
    cap_drop_all(done.objs, done.n);
    /* The old program's operations and received calls, while its table
     * is still p's (a cancelled call gives back what it carried). */
    pending_cancel_all(t);
    while (!endpoint_process_gone(p, PROCESS_MAX_RECEIVED))
        ;
    /* A process stopped meanwhile may have had its table taken by the
     * reaper already: the new one then stays on the builder and goes
     * with it. */
    spin_lock(&p->caps.lock);
    if (p->caps.slots) {
        struct captable old_t = p->caps.t;
        struct captable_slot *old_slots = p->caps.slots;
        p->caps.t = b->caps.t;
        p->caps.slots = b->caps.slots;
        b->caps.t = old_t;
        b->caps.slots = old_slots;
    }
    spin_unlock(&p->caps.lock);
    t->control_id = ctl_id;
    t->control_obj = new_ctl;
    t->clear_tid = 0;
    /* The old program's signal entry is not code of the new one: nothing
     * is delivered until the new program registers its own (pending
     * signals wait for it, as POSIX keeps them across an exec). */
    signal_exec(p);
    __atomic_store_n(&t->sig_blocked, 0, __ATOMIC_RELAXED);

    /* The old space and table, a bounded step at a time. */
    uint64_t cursor = 0;
    while (!paging_teardown(old_root, &cursor, EXEC_TEARDOWN_BUDGET, p->ledger))
        sched_irq_window();
    while (!cap_table_destroy_some(b, EXEC_RELEASE_BATCH))
        sched_irq_window();
    kfree(b);
    uint64_t entry = info->entry;
    kfree(info);

    /* The thread leaves its cap_enter at the new entry. */
    arch_thread_restart_user(t, entry, CAPOS_USER_STACK_TOP, CAPOS_USER_CAPSET_VA,
                             CAPOS_USER_RING_VA, ctl_id);
    t->exec_restart = true;
    return CAPOS_OK;

fail:
    exec_unbuild(b, grants, ngrants, owned, ctl, ring_pages);
    kfree(info);
    return err;
drop:
    for (unsigned i = 0; i < ngrants; i++) {
        if (grants[i].obj)
            kobj_put(grants[i].obj);
    }
    kfree(info);
    return err;
}
