/*
 * Process creation, exit and teardown (see process.h).
 *
 * Creation checks, then acts: the ELF image and the CapSet contents are
 * validated before any memory is allocated; after that, every allocation is
 * charged to the new process's ledger (its struct, capability table, image,
 * stack, page tables, first thread, ring and CapSet, and the transient
 * buffers used to build it), and any failure unwinds through one path,
 * process_abort, which frees exactly what exists so far.  Nothing is
 * visible to anyone else until the last step.
 *
 * Memory ownership: every user page of a process (image, stack, ring,
 * CapSet, VirtualMemory mappings) is a frame held by that process and
 * charged to it, except the pages of read-only image segments, which are
 * the kernel's shared image pages (imagepages.h), held by the process but
 * charged to nobody but the kernel, and the clock page.  Teardown drops
 * the process's hold on every leaf frame it finds in the lower half
 * (freeing those it alone held), uncharging the charged ones, then frees
 * the page tables.
 */
#include "process.h"

#include "abi/errors.h"
#include "abi/layout.h"
#include "abi/note.h"
#include "arch.h"
#include "base/endian.h"
#include "base/mem.h"
#include "boot_info.h"
#include "clockpage.h"
#include "elf/elf.h"
#include "imagepages.h"
#include "mm/kheap.h"
#include "mm/ledger.h"
#include "mm/pmm.h"
#include "objects.h"
#include "panic.h"
#include "pending.h"
#include "printk.h"
#include "reaper.h"
#include "signal.h"
#include "sched.h"
#include "system.h"
#include "thread.h"
#include "uspace.h"

static struct spinlock proc_list_lock = SPINLOCK_INIT("processes");
/* The kernel command line's `spawnmem`: each new process's charge, by
 * part, on the console (process_create). */
static bool proc_report_memory;
static struct queue proc_all; /* live processes, newest first */
static unsigned proc_next_pid = 1;
static unsigned proc_live;

/* Copies a string into a fixed field, truncating, NUL-padding the rest. */
static void str_copy(char *dst, size_t cap, const char *src)
{
    size_t n = strnlen(src, cap - 1);
    memcpy(dst, src, n);
    memset(dst + n, 0, cap - n);
}

static void name_copy(char *dst, const char *src)
{
    str_copy(dst, CAPOS_CAPSET_NAME_MAX, src);
}

/* Why mapping a page failed: paging_map charges each page table it creates
 * to the ledger, one frame at a time, so no room at all means the quota
 * (asked before anything is uncharged again). */
static int process_map_err(const struct process *p)
{
    return ledger_room(p->ledger) == 0 ? CAPOS_ERR_QUOTA_EXCEEDED : CAPOS_ERR_NO_MEMORY;
}

/* A zeroed frame charged to p's ledger, or an ErrorCode. */
static int process_frame(struct process *p, uint64_t *pa)
{
    if (!ledger_charge(p->ledger, 1))
        return CAPOS_ERR_QUOTA_EXCEEDED;
    if (!pmm_alloc_frame(pa)) {
        ledger_uncharge(p->ledger, 1);
        return CAPOS_ERR_NO_MEMORY;
    }
    return CAPOS_OK;
}

/* Allocates, fills and maps `len` bytes at va with user permissions;
 * returns an ErrorCode. */
int process_map_bytes(struct process *p, uint64_t va, const void *src, uint64_t src_len,
                      uint64_t len, unsigned flags)
{
    for (uint64_t off = 0; off < len; off += PAGE_SIZE) {
        uint64_t pa;
        int err = process_frame(p, &pa);
        if (err != CAPOS_OK)
            return err;
        if (src && off < src_len)
            memcpy(phys_to_virt(pa), (const uint8_t *)src + off, MIN(PAGE_SIZE, src_len - off));
        if (paging_map(p->root, va + off, pa, flags | MAP_USER, p->ledger) != 0) {
            err = process_map_err(p);
            pmm_free_frame(pa);
            ledger_uncharge(p->ledger, 1);
            return err;
        }
    }
    return CAPOS_OK;
}

/* Maps the image's segments: for a manifest binary (no `frames`), the
 * pages of read-only ones shared with every other process of the binary
 * where they can be (imagepages.h, not charged to p); for a copy, each
 * page the file fills whole is the copy's own frame, handed over (charged
 * to p already: the copy was); the others copied into frames of p's own.  Unless `all`,
 * the pages of the last writable segment that hold no file byte (its
 * .bss) are left demand-zero (p->bss_lo, mm/fault.c).  *pages counts the
 * pages mapped, *shared those of them shared. */
int process_load_elf(struct process *p, const uint8_t *image, const struct elf_info *info,
                     struct image_frames *frames, bool all, uint64_t *pages, uint64_t *shared)
{
    int last_w = -1;
    for (uint32_t i = 0; i < info->nsegs; i++) {
        if (info->segs[i].flags & ELF_PF_W)
            last_w = (int)i;
    }
    for (uint32_t i = 0; i < info->nsegs; i++) {
        const struct elf_segment *s = &info->segs[i];
        uint64_t start = ALIGN_DOWN(s->vaddr, PAGE_SIZE);
        uint64_t end = ALIGN_UP(s->vaddr + s->memsz, PAGE_SIZE);
        if (!all && (int)i == last_w) {
            /* Segments are page-disjoint (elf.h): the tail is this one's. */
            p->bss_lo = MAX(start, ALIGN_UP(s->vaddr + s->filesz, PAGE_SIZE));
            p->bss_hi = end;
            end = p->bss_lo;
        }
        unsigned flags =
            ((s->flags & ELF_PF_W) ? MAP_WRITE : 0) | ((s->flags & ELF_PF_X) ? MAP_EXEC : 0);
        for (uint64_t va = start; va < end; va += PAGE_SIZE) {
            uint64_t pa;
            (*pages)++;
            if (frames && va >= s->vaddr && va + PAGE_SIZE <= s->vaddr + s->filesz) {
                /* vaddr and offset agree modulo the page (elf.h): this
                 * page is one whole frame of the copy. */
                uint64_t fi = (s->offset + (va - s->vaddr)) / PAGE_SIZE;
                if (!(frames->taken[fi / 8] & (1u << (fi % 8)))) {
                    pa = frames->pa + fi * PAGE_SIZE;
                    if (paging_map(p->root, va, pa, flags | MAP_USER, p->ledger) != 0)
                        return process_map_err(p);
                    frames->taken[fi / 8] |= (uint8_t)(1u << (fi % 8));
                    continue;
                }
            }
            if (!frames && !(s->flags & ELF_PF_W) && image_page_get(image, info, i, va, &pa)) {
                if (paging_map(p->root, va, pa, flags | MAP_USER | MAP_UNCHARGED, p->ledger) != 0) {
                    int err = process_map_err(p);
                    pmm_frame_put(pa);
                    return err;
                }
                (*shared)++;
                continue;
            }
            int err = process_frame(p, &pa);
            if (err != CAPOS_OK)
                return err;
            image_page_fill(phys_to_virt(pa), image, s, va);
            if (paging_map(p->root, va, pa, flags | MAP_USER, p->ledger) != 0) {
                err = process_map_err(p);
                pmm_free_frame(pa);
                ledger_uncharge(p->ledger, 1);
                return err;
            }
        }
    }
    return CAPOS_OK;
}

/* Lays out the CapSet region (lib/abi/capset.h) in a kernel buffer: the
 * grants, then `self` (the first thread's ThreadControl) with id self_id. */
uint8_t *process_build_capset(struct process *p, const struct process_grant *grants,
                              const uint32_t *ids, unsigned ngrants,
                              const struct process_grant *self, uint32_t self_id,
                              const char *const *argv, unsigned argc, const char *const *env,
                              unsigned envc, uint32_t *len_out, int *err, const char **why)
{
    unsigned nent = ngrants + 1;
    uint64_t size = sizeof(struct capos_capset_header) +
                    (uint64_t)nent * sizeof(struct capos_capset_entry) + 4ULL * (argc + envc);
    for (unsigned i = 0; i < argc; i++)
        size += strnlen(argv[i], CAPOS_CAPSET_MAX_BYTES) + 1;
    for (unsigned i = 0; i < envc; i++)
        size += strnlen(env[i], CAPOS_CAPSET_MAX_BYTES) + 1;
    if (size > CAPOS_CAPSET_MAX_BYTES) {
        *why = "capabilities, argv and env exceed the 16 KiB CapSet region";
        *err = CAPOS_ERR_INVALID_ARGUMENT;
        return NULL;
    }
    uint8_t *buf = kheap_alloc(p->ledger, CAPOS_CAPSET_MAX_BYTES, true, err);
    if (!buf) {
        *why = "out of kernel memory or over the process's quota";
        return NULL;
    }
    struct capos_capset_header *h = (struct capos_capset_header *)buf;
    struct capos_capset_entry *e = (struct capos_capset_entry *)(h + 1);
    uint32_t *argv_tab = (uint32_t *)(e + nent);
    uint32_t *env_tab = argv_tab + argc;
    uint32_t str = (uint32_t)((uint8_t *)(env_tab + envc) - buf);

    h->magic = CAPOS_CAPSET_MAGIC;
    h->version = CAPOS_CAPSET_VERSION;
    h->total_bytes = (uint32_t)size;
    h->count = nent;
    h->entry_offset = sizeof(*h);
    h->argc = argc;
    h->argv_offset = (uint32_t)((uint8_t *)argv_tab - buf);
    h->envc = envc;
    h->env_offset = (uint32_t)((uint8_t *)env_tab - buf);
    h->pid = p->pid;
    h->ppid = p->ppid;
    memcpy(h->name, p->name, CAPOS_CAPSET_NAME_MAX);
    for (unsigned i = 0; i < ngrants; i++) {
        name_copy(e[i].name, grants[i].name);
        e[i].cap = ids[i];
        e[i].interface_id = grants[i].interface_id;
    }
    name_copy(e[ngrants].name, self->name);
    e[ngrants].cap = self_id;
    e[ngrants].interface_id = self->interface_id;
    for (unsigned i = 0; i < argc + envc; i++) {
        const char *s = i < argc ? argv[i] : env[i - argc];
        size_t n = strnlen(s, CAPOS_CAPSET_MAX_BYTES);
        argv_tab[i] = str; /* env_tab follows argv_tab directly */
        memcpy(buf + str, s, n);
        str += (uint32_t)n + 1;
    }
    *len_out = (uint32_t)size;
    return buf;
}

/* Frees a process struct and drops its ledger reference (the struct was
 * charged to that ledger, which the heap keeps alive until it is freed). */
static void process_free(struct process *p)
{
    struct ledger *l = p->ledger;
    signal_release(p);
    kfree(p);
    ledger_put(l);
}

/*
 * The one unwind path of process_create: frees everything a partly built
 * process has, whatever the step it failed at.  Grants from `owned` on
 * are still the caller's references (not yet in the table) and are
 * dropped first, while p still exists (a VirtualMemory or ThreadSpawner
 * grant holds a reference on p and reaches it when destroyed); the ones
 * before are released with the table.  p, t and ctl may be NULL; a zeroed
 * p has no table and no address space.  `ctl` is the first thread's
 * ThreadControl when it was made but is not in the table.
 */
static void process_abort(struct process *p, struct thread *t, struct kobj *ctl,
                          struct process_grant *grants, unsigned ngrants, unsigned owned)
{
    for (unsigned i = owned; i < ngrants; i++) {
        if (grants[i].obj)
            kobj_put(grants[i].obj);
    }
    if (ctl)
        kobj_put(ctl);
    if (!p)
        return;
    if (t)
        thread_discard(t); /* not on the process's list yet */
    cap_table_destroy(p);
    if (p->root)
        process_release_memory(p);
    process_free(p);
}

struct elf_limits process_elf_limits(uint64_t frame_limit)
{
    /* Any real limit is far below the cap, which keeps the product exact. */
    uint64_t frames = MIN(frame_limit, (CAPOS_USER_MAP_MAX - CAPOS_USER_MIN) / PAGE_SIZE);
    struct elf_limits lim = {CAPOS_USER_MIN, CAPOS_USER_MAP_MAX, frames * PAGE_SIZE};
    return lim;
}

/* The size of the first thread's stack and the part of it committed at
 * spawn: what the program's notes ask for (lib/abi/note.h), or the
 * defaults without them; false for a stack note outside the note's rule.
 * The largest stack still ends above every program image. */
_Static_assert(CAPOS_NOTE_STACK_MAX == 8u * 1024 * 1024, "process_create's message says 8 MiB");
_Static_assert(CAPOS_USER_STACK_TOP - CAPOS_NOTE_STACK_MAX >= CAPOS_USER_MAP_MAX,
               "a declared stack stays above the images");
bool process_stack_size(const void *elf, uint64_t elf_len, bool all, uint64_t *size,
                        uint64_t *commit)
{
    const uint8_t *d;
    uint32_t n;
    *size = CAPOS_USER_STACK_SIZE;
    if (elf_find_note(elf, elf_len, CAPOS_NOTE_OWNER, CAPOS_NOTE_STACK, &d, &n)) {
        uint32_t v = n == 4 ? le32_get(d) : 0;
        if (v == 0 || v > CAPOS_NOTE_STACK_MAX || v % PAGE_SIZE != 0)
            return false;
        *size = v;
    }
    *commit = all ? *size : MIN(*size, PROCESS_STACK_COMMIT);
    return true;
}

/* The parts of a new process's charge, in the order process_create makes
 * them; each is the ledger's growth over that step (page tables included
 * with the pages that needed them). */
enum {
    SPAWN_RECORDS, /* struct process, capability table, bound objects */
    SPAWN_SPACE,   /* the top-level page table */
    SPAWN_IMAGE,   /* the ELF image's pages and their tables */
    SPAWN_STACK,   /* the first thread's committed stack and its tables */
    SPAWN_THREAD,  /* struct thread and its kernel stack */
    SPAWN_RING,    /* the ring and its tables */
    SPAWN_CAPSET,  /* ThreadControl, the CapSet page(s) and their tables */
    SPAWN_PARTS,
};

void process_report_init(void)
{
    proc_report_memory = boot_cmdline_has("spawnmem", NULL);
}

/* `spawnmem`: what making p cost its ledger, part by part (mark[i] is the
 * ledger's use after part i, base before the first). */
static void process_report(const struct process *p, uint64_t base, const uint64_t *mark,
                           uint64_t image_pages, uint64_t image_shared)
{
    uint64_t d[SPAWN_PARTS];
    for (unsigned i = 0; i < SPAWN_PARTS; i++)
        d[i] = mark[i] - (i ? mark[i - 1] : base);
    kprintf("spawnmem: %s (pid %u) charged %lu frames: records %lu, space %lu, image %lu "
            "(%lu pages, %lu shared), stack %lu, thread %lu, ring %lu, capset %lu\n",
            p->name, p->pid, (unsigned long)(ledger_used(p->ledger) - base), (unsigned long)d[0],
            (unsigned long)d[1], (unsigned long)d[2], (unsigned long)image_pages,
            (unsigned long)image_shared, (unsigned long)d[3], (unsigned long)d[4],
            (unsigned long)d[5], (unsigned long)d[6]);
}

/* Spawns and forks run in the spawning thread: its process is the parent,
 * whose pid getppid reports and to which SIGCHLD goes; init is made by the
 * kernel's boot thread, which has no process. */
static int process_parent(struct process *p, struct ledger *ledger)
{
    const struct thread *cur = sched_current();
    struct process *parent = cur && cur->proc ? cur->proc : NULL;
    p->ppid = parent ? parent->pid : 0;
    return signal_init(p, parent, ledger);
}

struct process *process_create(const char *name, const void *elf, uint64_t elf_len,
                               struct image_frames *frames, bool *bad_image,
                               struct process_grant *grants, unsigned ngrants,
                               const char *const *argv, unsigned argc, const char *const *env,
                               unsigned envc, struct ledger *ledger, int *err, const char **why)
{
    struct elf_limits lim = process_elf_limits(ledger_limit(ledger));
    struct elf_info *info = NULL;
    struct process *p = NULL;
    struct thread *t = NULL;
    struct kobj *ctl = NULL;
    unsigned owned = 0; /* grants[0..owned) are in p's table */
    uint32_t ids[PROCESS_MAX_CAPS], ctl_id;
    uint8_t *capset;
    uint32_t capset_len;
    uint64_t stack_size, stack_commit, image_pages = 0, image_shared = 0;
    bool commit_all;
    uint64_t base = ledger_used(ledger), mark[SPAWN_PARTS];
    enum elf_err ee;

    /* Check: the grants fit, and the image is one this process may load. */
    *why = "out of kernel memory or over the process's quota";
    *bad_image = false;
    if (ngrants >= PROCESS_MAX_CAPS) { /* one slot is the first thread's ThreadControl */
        *why = "too many grants";
        *err = CAPOS_ERR_INVALID_ARGUMENT;
        goto fail;
    }
    info = kheap_alloc(ledger, sizeof(*info), false, err);
    if (!info)
        goto fail;
    ee = elf_parse(elf, elf_len, &lim, info);
    if (ee != ELF_OK) {
        *why = elf_strerror(ee);
        *err = ee == ELF_ERR_TOO_BIG ? CAPOS_ERR_QUOTA_EXCEEDED : CAPOS_ERR_INVALID_ARGUMENT;
        *bad_image = ee != ELF_ERR_TOO_BIG;
        goto fail;
    }
    commit_all = elf_has_note(elf, elf_len, CAPOS_NOTE_OWNER, CAPOS_NOTE_COMMIT);
    if (!process_stack_size(elf, elf_len, commit_all, &stack_size, &stack_commit)) {
        *why = "its stack note is not a whole number of pages up to 8 MiB";
        *err = CAPOS_ERR_INVALID_ARGUMENT;
        *bad_image = true;
        goto fail;
    }

    /* Act: every step below can fail only for lack of memory, quota or
     * table room, and goes to `fail` with what it made recorded above. */
    p = process_new(name, ledger, err);
    if (!p)
        goto fail;
    for (unsigned i = 0; i < ngrants; i++) {
        if (grants[i].bind == PROCESS_BIND_NONE)
            continue;
        grants[i].obj = grants[i].bind == PROCESS_BIND_MEMORY ? vmobj_create(p, err)
                                                              : thread_spawner_create(p, err);
        if (!grants[i].obj)
            goto fail;
    }
    /* From here on each grant inserted belongs to the table (and dies with it). */
    for (; owned < ngrants; owned++) {
        if (cap_insert(p, grants[owned].obj, &ids[owned]) != CAPOS_OK) {
            *why = "capability table full";
            *err = CAPOS_ERR_TABLE_FULL;
            goto fail;
        }
    }
    mark[SPAWN_RECORDS] = ledger_used(ledger);
    *err = paging_create_space(&p->root, ledger) ? CAPOS_OK : process_map_err(p);
    mark[SPAWN_SPACE] = ledger_used(ledger);
    if (*err == CAPOS_OK)
        *err = process_load_elf(p, elf, info, frames, commit_all, &image_pages, &image_shared);
    mark[SPAWN_IMAGE] = ledger_used(ledger);
    /* The stack: its committed top now (at least what start-up takes),
     * so that a process whose quota cannot hold it fails here with
     * quotaExceeded; the rest is demand-zero (stack_lo, mm/fault.c),
     * charged page by page as it is first touched. */
    if (*err == CAPOS_OK)
        *err = process_map_bytes(p, CAPOS_USER_STACK_TOP - stack_commit, NULL, 0, stack_commit,
                                 MAP_WRITE);
    p->stack_lo = CAPOS_USER_STACK_TOP - stack_size;
    mark[SPAWN_STACK] = ledger_used(ledger);
    if (*err != CAPOS_OK)
        goto fail;
    /* The first thread, and its ThreadControl (also listed in the CapSet). */
    t = thread_create_user(p, info->entry, CAPOS_USER_STACK_TOP, CAPOS_USER_CAPSET_VA,
                           CAPOS_USER_RING_VA, err);
    if (!t)
        goto fail;
    mark[SPAWN_THREAD] = ledger_used(ledger);
    *err = ring_create(t, CAPOS_USER_RING_VA);
    if (*err != CAPOS_OK)
        goto fail;
    mark[SPAWN_RING] = ledger_used(ledger);
    t->ring_slot = -1;
    ctl = thread_cap_create(ledger, t, true, err);
    if (!ctl)
        goto fail;
    *err = cap_insert(p, ctl, &ctl_id);
    if (*err != CAPOS_OK)
        goto fail;
    t->control_obj = ctl;
    ctl = NULL; /* the table's now */
    t->control_id = ctl_id;
    arch_thread_set_start_rdx(t, ctl_id);
    struct process_grant self = {CAPOS_CAPSET_THREAD, NULL, capos_ThreadControl_INTERFACE_ID,
                                 PROCESS_BIND_NONE};
    capset = process_build_capset(p, grants, ids, ngrants, &self, ctl_id, argv, argc, env, envc,
                                  &capset_len, err, why);
    if (!capset)
        goto fail;
    *err = process_map_bytes(p, CAPOS_USER_CAPSET_VA, capset, capset_len,
                             ALIGN_UP(capset_len, PAGE_SIZE), MAP_READ);
    kfree(capset);
    if (*err != CAPOS_OK) {
        *why = "out of memory or over the process's quota";
        goto fail;
    }
    kfree(info);
    mark[SPAWN_CAPSET] = ledger_used(ledger);
    if (proc_report_memory)
        process_report(p, base, mark, image_pages, image_shared);

    /* Publish: the process becomes visible, its first thread runnable. */
    process_publish(p, t);
    return p;

fail:
    kfree(info);
    process_abort(p, t, ctl, grants, ngrants, owned);
    return NULL;
}

struct process *process_new(const char *name, struct ledger *ledger, int *err)
{
    struct process *p = kheap_alloc(ledger, sizeof(*p), true, err);
    if (!p)
        return NULL;
    name_copy(p->name, name);
    /* One for its threads together (dropped with the last one, with the
     * address space) and the caller's; each struct thread adds its own. */
    p->refs = 2;
    p->reap_left = 2;
    p->state = PROCESS_ALIVE;
    p->lock = (struct spinlock)SPINLOCK_INIT("process");
    p->park_lock = (struct spinlock)SPINLOCK_INIT("park");
    p->ledger = ledger;
    ledger_get(ledger);
    uint64_t flags = spin_lock_irqsave(&proc_list_lock);
    p->pid = proc_next_pid++;
    spin_unlock_irqrestore(&proc_list_lock, flags);
    *err = process_parent(p, ledger);
    if (*err == CAPOS_OK)
        *err = cap_table_init(&p->caps, PROCESS_MAX_CAPS, ledger);
    if (*err != CAPOS_OK) {
        process_free(p);
        return NULL;
    }
    return p;
}

void process_discard(struct process *p, struct thread *t)
{
    process_abort(p, t, NULL, NULL, 0, 0);
}

void process_publish(struct process *p, struct thread *t)
{
    t->proc_next = NULL;
    p->threads = t;
    p->nthreads = 1;
    p->nlive = 1;
    uint64_t flags = spin_lock_irqsave(&proc_list_lock);
    queue_push_front(&proc_all, &p->all_link);
    proc_live++;
    spin_unlock_irqrestore(&proc_list_lock, flags);
    sched_add(t);
}

/* Rings of threads after the first sit below the first thread's, one per
 * slot, with unmapped space between them (PROCESS_RING_STRIDE). */
_Static_assert(CAPOS_RING_PAGES < 8, "a ring and a guard fit a stride");
_Static_assert(CAPOS_USER_RING_VA - PROCESS_MAX_THREADS * PROCESS_RING_STRIDE >
                   CAPOS_USER_STACK_TOP,
               "thread rings stay above the stack");
_Static_assert(CAPOS_USER_RING_VA + PROCESS_RING_STRIDE <= CAPOS_USER_CAPSET_VA &&
                   CAPOS_USER_CAPSET_VA + CAPOS_CAPSET_MAX_BYTES < CAPOS_USER_CLOCK_VA,
               "the first ring, the CapSet and the clock page do not touch");

static uint64_t process_ring_va(int slot)
{
    return CAPOS_USER_RING_VA - (uint64_t)(slot + 1) * PROCESS_RING_STRIDE;
}

/*
 * ThreadSpawner.spawn.  Publish last: until the commit nothing of the new
 * thread is reachable by anyone -- its ThreadControl's table slot is only
 * set aside (PENDING), the thread is on no list, its handle is returned
 * only on success -- so a failure undoes private state alone.  The commit
 * is decided under p->lock, which orders it against process_stop (which
 * marks p stopped under the same lock before it collects the threads and
 * destroys the table) and against the last live thread leaving (nlive):
 * if p is alive there and still has a live thread, the ring is mapped,
 * the thread joins the list and the ThreadControl fills its slot in one
 * step; otherwise the spawn fails and nobody ever saw the thread.  While
 * it is being created the thread counts only in nspawning, never in the
 * counts whose last decrement ends the process or releases its memory.
 */
int process_thread_spawn(struct process *p, const struct thread_spawn_args *a,
                         const struct thread *parent, struct kobj **handle, uint32_t *tid)
{
    uint32_t ctl_id;
    struct kobj *ctl = NULL, *h = NULL;
    struct thread *t = NULL;
    int slot = 0;

    /* A slot for its ThreadControl, unusable by anyone until the commit. */
    int err = cap_prealloc(p, &ctl_id);
    if (err != CAPOS_OK)
        return err;
    /* Its place under the thread limit, and a ring address. */
    spin_lock(&p->lock);
    if (p->state != PROCESS_ALIVE || p->nlive == 0 || p->exec_ending) {
        err = CAPOS_ERR_PEER_GONE;
    } else if (p->nthreads + p->nspawning >= PROCESS_MAX_THREADS || p->ring_slots == ~0ULL) {
        err = CAPOS_ERR_QUOTA_EXCEEDED;
    } else {
        slot = __builtin_ctzll(~p->ring_slots);
        p->ring_slots |= 1ULL << slot;
        p->nspawning++;
    }
    spin_unlock(&p->lock);
    if (err != CAPOS_OK) {
        cap_cancel_pending(p, ctl_id);
        return err;
    }

    /* The thread and its two capabilities, known to nobody yet. */
    uint64_t ring_va = process_ring_va(slot);
    /* Everything a spawn makes is charged to the process it runs in. */
    t = thread_create_user(p, a->entry, a->stack, a->arg, ring_va, &err);
    ctl = t ? thread_cap_create(p->ledger, t, true, &err) : NULL;
    h = ctl ? thread_cap_create(p->ledger, t, false, &err) : NULL;
    if (h && a->set_tid) {
        /* Before the commit: the thread cannot run yet, and a word that
         * is not there fails the spawn with nothing started. */
        uint32_t id = t->tid;
        if (!uspace_write(p, a->set_tid, &id, sizeof(id)))
            err = CAPOS_ERR_BAD_ADDRESS;
    }
    if (h && err == CAPOS_OK) {
        t->ring_slot = slot;
        t->fs_base = a->tls;
        t->clear_tid = a->clear_tid;
        t->control_id = ctl_id;
        t->control_obj = ctl;
        arch_thread_set_start_rdx(t, ctl_id);
        sched_thread_inherit(t, parent, a->affinity);
    }

    /* The commit.  The ring is mapped here too: p's other threads may be
     * changing its mappings, and a stopped p may have lost its address
     * space. */
    spin_lock(&p->lock);
    p->nspawning--;
    if (err == CAPOS_OK && (p->state != PROCESS_ALIVE || p->nlive == 0 || p->exec_ending))
        err = CAPOS_ERR_PEER_GONE;
    if (err == CAPOS_OK)
        err = ring_create(t, ring_va);
    if (err == CAPOS_OK) {
        /* An alive p still has its table (process_stop destroys it only
         * after marking p stopped under this lock). */
        if (!cap_fill_pending(p, ctl_id, ctl))
            panic("process: %s lost its capability table while alive", p->name);
        t->proc_next = p->threads;
        p->threads = t;
        p->nthreads++;
        p->nlive++;
    } else {
        p->ring_slots &= ~(1ULL << slot);
    }
    spin_unlock(&p->lock);
    if (err == CAPOS_OK) {
        *handle = h;
        *tid = t->tid;
        sched_add(t);
        return CAPOS_OK;
    }

    /* Nobody saw any of it: drop it all. */
    cap_cancel_pending(p, ctl_id);
    if (h)
        kobj_put(h);
    if (ctl)
        kobj_put(ctl);
    if (t)
        thread_discard(t);
    return err;
}

void process_thread_ended(struct thread *t, int32_t code, bool killed)
{
    struct process *p = t->proc;
    spin_lock(&p->lock);
    if (t->ended) {
        spin_unlock(&p->lock);
        return;
    }
    t->ended = true;
    t->exit_code = code;
    t->killed = killed;
    spin_unlock(&p->lock);
}

NORETURN void process_thread_exit(int32_t code)
{
    struct thread *t = sched_current();
    struct process *p = t->proc;
    /* nlive counts committed threads only, and a spawn's commit is refused
     * once it is zero: the thread that brings it to zero is the last, and
     * ends the process, whatever spawns are still on their way. */
    spin_lock(&p->lock);
    bool last = --p->nlive == 0;
    spin_unlock(&p->lock);
    process_thread_ended(t, code, false);
    if (last)
        process_exit(p, code);
    /* The process goes on without this thread.  Its clear-tid word says
     * so to whoever waits for it (pthread_join): the thread never runs in
     * user mode again, so its stack may go once the word is 0.  A word
     * that is not writable any more is the process's own loss. */
    if (t->clear_tid) {
        uint32_t zero = 0;
        if (copy_to_user(t->clear_tid, &zero, sizeof(zero))) {
            /* Every waiter, a batch at a time with interrupts let in
             * between: the process may have parked thousands there. */
            while (park_wake_word(p, t->clear_tid, UINT32_MAX) == PARK_WAKE_MAX)
                sched_irq_window();
        }
    }
    /* The ThreadControl it was started with goes too, if its slot still
     * holds it: otherwise every thread ever started would keep a table
     * slot. */
    struct kobj *o;
    if (cap_get(p, t->control_id, &o) == CAPOS_OK) {
        bool same = o == t->control_obj;
        kobj_put(o);
        if (same)
            cap_release(p, t->control_id);
    }
    ring_kill(t);
    pending_cancel_all(t);
    sched_exit_thread();
}

void process_get(struct process *p)
{
    __atomic_fetch_add(&p->refs, 1, __ATOMIC_RELAXED);
}

void process_put(struct process *p)
{
    if (__atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL) == 0)
        process_free(p);
}

/* Takes the address space away from p (nobody walks it after this) and
 * drops the regions' budgets; returns its root, or 0 if it had none. */
static uint64_t process_detach_memory(struct process *p)
{
    spin_lock(&p->lock);
    uint64_t root = p->root;
    p->root = 0; /* nobody walks these tables any more */
    vm_release_regions(p);
    if (root)
        clock_page_unmap(p, root); /* shared: not the process's to free */
    spin_unlock(&p->lock);
    return root;
}

/* One half of a stopped process's teardown is done; true for the second,
 * which marks p reaped (a wait answers at once from here on). */
static bool process_teardown_half_done(struct process *p)
{
    uint64_t flags = spin_lock_irqsave(&p->lock);
    bool last = --p->reap_left == 0;
    if (last)
        p->reaped = true;
    spin_unlock_irqrestore(&p->lock, flags);
    return last;
}

/* p's address space is freed (or it had none).  With the threads'
 * reference on p: handed to the waiters' stage if the table went first,
 * else dropped. */
static void process_memory_released(struct process *p)
{
    if (process_teardown_half_done(p)) {
        p->reap_stage = PROCESS_REAP_WAITERS;
        reap_queue(&p->reap_stop, REAP_PROCESS_STOPPED);
    } else {
        process_put(p);
    }
}

/*
 * A thread's last word to its process.  The threads of a process hold one
 * reference on it between them, which the thread that leaves the list last
 * drops, together with the address space.  So everything done to p for t
 * (its ring unmapped, its ring slot given back) happens while t is still on
 * the list: once t is off it, another CPU may finish the last thread and free
 * p at any moment, and only the last thread may touch p after that.
 */
void process_thread_gone(struct process *p, struct thread *t)
{
    /* The last thread's ring would go with the address space anyway;
     * unmapping it here too keeps one path for every thread. */
    ring_destroy(t);
    uint64_t flags = spin_lock_irqsave(&p->lock);
    /* Only now may a new thread reuse the ring's address. */
    if (t->ring_slot >= 0)
        p->ring_slots &= ~(1ULL << t->ring_slot);
    for (struct thread **pp = &p->threads; *pp; pp = &(*pp)->proc_next) {
        if (*pp == t) {
            *pp = t->proc_next;
            p->nthreads--;
            p->ended_run_ns += __atomic_load_n(&t->run_ns, __ATOMIC_RELAXED);
            break;
        }
    }
    bool last = p->nthreads == 0;
    if (!t->ended) {
        /* It noticed its process stopped before the stopper got round to
         * it: it was killed. */
        t->ended = true;
        t->killed = true;
        t->exit_code = 0;
    }
    t->gone = true;
    bool alive = p->state == PROCESS_ALIVE;
    spin_unlock_irqrestore(&p->lock, flags);
    /* Joiners hear of it last: by then its slot, ring and quota are back,
     * so a joiner may start another thread at once.  A first batch here,
     * the rest (joins may come from any number of processes) by the
     * reaper.  This touches t, the joiners' threads and p's lock, which
     * t's own reference on p keeps. */
    if (!thread_join_complete(t, PROCESS_JOINS_INLINE)) {
        thread_get(t);
        reap_queue(&t->reap_joins, REAP_THREAD_JOINS);
    }
    if (!last)
        return;
    /* The last thread takes the address space with it: detached here, in
     * O(regions), and freed by the reaper a bounded step at a time (no CPU
     * has it loaded: every thread of p has been switched away from).  The
     * reaper drops the threads' reference on p once it is done. */
    if (alive)
        panic("process: %s lost its last thread while alive", p->name);
    p->reap_root = process_detach_memory(p);
    p->reap_cursor = 0;
    if (p->reap_root)
        reap_queue(&p->reap_memory, REAP_ADDRESS_SPACE);
    else
        process_memory_released(p);
}

void process_release_memory(struct process *p)
{
    uint64_t root = process_detach_memory(p), cursor = 0;
    if (root)
        while (!paging_teardown(root, &cursor, UINT32_MAX, p->ledger))
            ;
}

/* Address-space frames one reaper step looks at (a freed frame counts as
 * eight, paging_teardown): about 64 freed pages, or two empty tables. */
#define PROCESS_REAP_PT_BUDGET 1024

bool process_reap_memory(struct reap_work *w)
{
    struct process *p = container_of(w, struct process, reap_memory);
    if (!paging_teardown(p->reap_root, &p->reap_cursor, PROCESS_REAP_PT_BUDGET, p->ledger))
        return false;
    process_memory_released(p);
    return true;
}

unsigned process_threads(struct process *p, struct thread **out, unsigned max)
{
    unsigned n = 0;
    spin_lock(&p->lock);
    for (struct thread *t = p->threads; t && n < max; t = t->proc_next) {
        thread_get(t);
        out[n++] = t;
    }
    spin_unlock(&p->lock);
    return n;
}

/*
 * Common part of every way a process stops: record the status once, kill
 * its rings, mark its threads ended and make them notice (they exit at
 * their next kernel exit, cancelling their own operations), and take it
 * off the list of live processes.  All of that is O(threads).  The rest,
 * whose size the process and others chose -- cancelling what its threads
 * were waiting for, failing the calls made to it, releasing its
 * capabilities (each of which may destroy an object), telling the waiters
 * for it -- is the reaper's, a bounded step at a time, in that order
 * (process_reap_stopped).
 */
static void process_stop(struct process *p, const struct exit_status *st)
{
    struct thread *threads[PROCESS_MAX_THREADS];
    uint64_t flags = spin_lock_irqsave(&p->lock);
    if (p->state != PROCESS_ALIVE) {
        spin_unlock_irqrestore(&p->lock, flags);
        return;
    }
    p->state = PROCESS_EXITED;
    p->status = *st;
    struct kobj *spawner = p->spawner;
    p->spawner = NULL;
    spin_unlock_irqrestore(&p->lock, flags);
    if (spawner)
        spawner_child_gone(spawner); /* its count of live processes */
    /* Report first: before anyone waiting for this process hears of it, and
     * long before the live count drops (at zero, whichever CPU got there
     * ends the machine). */
    system_process_stopped(p);
    signal_process_stopped(p);

    unsigned n = process_threads(p, threads, PROCESS_MAX_THREADS);
    for (unsigned i = 0; i < n; i++) {
        ring_kill(threads[i]);
        process_thread_ended(threads[i], 0, true);
    }
    process_get(p); /* the reaper's, dropped when it is done */
    p->reap_stage = PROCESS_REAP_CANCEL;
    reap_queue(&p->reap_stop, REAP_PROCESS_STOPPED);
    for (unsigned i = 0; i < n; i++) {
        /* Blocked ones wake and find their process stopped; running ones
         * find out before they return to user mode. */
        sched_kick(threads[i]);
        thread_put(threads[i]);
    }
    flags = spin_lock_irqsave(&proc_list_lock);
    queue_remove(&proc_all, &p->all_link);
    bool last = --proc_live == 0;
    spin_unlock_irqrestore(&proc_list_lock, flags);
    if (last)
        system_halt(); /* exactly one CPU sees the count reach zero */
}

/* Completions and releases one reaper step makes at most: each is a
 * cross-address-space post or an object's destruction, a few thousand
 * instructions at most. */
#define PROCESS_REAP_BATCH 16

/* Operations one reaper step cancels at most: a cancelled call gives back
 * up to CAPOS_MAX_XFER capabilities. */
#define PROCESS_REAP_OPS 4

bool process_reap_stopped(struct reap_work *w)
{
    struct process *p = container_of(w, struct process, reap_stop);
    switch (p->reap_stage) {
    case PROCESS_REAP_CANCEL: {
        /* The first thread whose operations are not all cancelled yet (it
         * has at most one per completion slot).  The list only shrinks
         * now: a spawn's commit needs p alive. */
        struct thread *t;
        spin_lock(&p->lock);
        for (t = p->threads; t && t->ops_reaped; t = t->proc_next)
            ;
        if (t)
            thread_get(t);
        spin_unlock(&p->lock);
        if (!t) {
            p->reap_stage = PROCESS_REAP_RECEIVED;
            return false;
        }
        if (pending_cancel_some(t, PROCESS_REAP_OPS)) {
            spin_lock(&p->lock);
            t->ops_reaped = true;
            spin_unlock(&p->lock);
        }
        thread_put(t);
        return false;
    }
    case PROCESS_REAP_RECEIVED:
        if (endpoint_process_gone(p, PROCESS_REAP_BATCH))
            p->reap_stage = PROCESS_REAP_TABLE;
        return false;
    case PROCESS_REAP_TABLE:
        if (!cap_table_destroy_some(p, PROCESS_REAP_BATCH))
            return false;
        if (!process_teardown_half_done(p)) {
            /* The address space is still going: its reaper step
             * completes the waiters. */
            process_put(p);
            return true;
        }
        p->reap_stage = PROCESS_REAP_WAITERS;
        return false;
    case PROCESS_REAP_WAITERS:
        if (!process_handle_notify(p, PROCESS_REAP_BATCH))
            return false;
        signal_process_reaped(p);
        process_put(p);
        return true;
    }
    panic("process: %s in reaper stage %u", p->name, (unsigned)p->reap_stage);
}

void process_kill(struct process *p)
{
    struct exit_status st;
    memset(&st, 0, sizeof(st));
    st.kind = EXIT_KILLED;
    process_stop(p, &st);
}

void process_check_alive(void)
{
    struct thread *t = sched_current();
    struct process *p = t->proc;
    if (p && p->state != PROCESS_ALIVE)
        process_exit_current();
    /* An exec in another thread of p ends this one (exec.c). */
    if (p && unlikely(__atomic_load_n(&t->exit_requested, __ATOMIC_ACQUIRE)))
        process_thread_exit(t->exit_request_code);
}

NORETURN void process_exit_current(void)
{
    struct thread *t = sched_current();
    struct process *p = t->proc;
    KASSERT(p && p->state != PROCESS_ALIVE);
    /* The reaper cancels this thread's operations too (so that what it
     * waits on is freed even while the thread has not run yet), but only
     * the thread itself creates them: cancelling here, after its last,
     * leaves none behind. */
    ring_kill(t);
    pending_cancel_all(t);
    sched_exit_thread();
}

NORETURN void process_exit(struct process *p, int32_t code)
{
    struct exit_status st;
    memset(&st, 0, sizeof(st));
    st.kind = EXIT_CODE;
    st.code = code;
    process_stop(p, &st);
    process_exit_current();
}

NORETURN void process_fault_trap(struct process *p, uint8_t vector, uint64_t address, uint64_t rip,
                                 const char *what)
{
    struct exit_status st;
    memset(&st, 0, sizeof(st));
    st.kind = EXIT_FAULTED;
    st.vector = vector;
    st.address = address;
    st.rip = rip;
    st.tid = sched_current()->tid;
    str_copy(st.reason, sizeof(st.reason), what);
    process_stop(p, &st);
    process_exit_current();
}

NORETURN void process_fault(struct process *p, const char *reason)
{
    process_fault_trap(p, 255, 0, 0, reason);
}

unsigned process_live_count(void)
{
    return __atomic_load_n(&proc_live, __ATOMIC_RELAXED);
}

unsigned process_list(struct process **out, unsigned max)
{
    unsigned n = 0;
    uint64_t flags = spin_lock_irqsave(&proc_list_lock);
    for (struct queue_link *l = queue_first(&proc_all); l && n < max; l = queue_next(l)) {
        struct process *p = container_of(l, struct process, all_link);
        process_get(p);
        out[n++] = p;
    }
    spin_unlock_irqrestore(&proc_list_lock, flags);
    return n;
}
