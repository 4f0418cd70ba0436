/*
 * Page-table construction and walking (see paging.h for the layout).
 *
 * Tables are frames from the PMM, reached through the direct map.  Kernel
 * mappings are made only in the kernel root; because every kernel top-level
 * entry exists from boot, other address spaces see them through shared
 * lower-level tables.  Intermediate entries are always writable, and
 * user-accessible only under a user mapping; the leaf entry carries the real
 * permissions.  A kernel lock serialises changes to the kernel half; the
 * owning process's lock serialises changes to a user half.
 *
 * Live counts (user half only).  Every entry that points to a user page
 * table keeps, in bits 52-61 (ignored by the MMU in a non-leaf entry), the
 * number of live entries of that table: present leaves, and entries that
 * point to a table whose own count is non-zero.  So a count is zero exactly
 * when nothing is mapped below the entry, and paging_find_mapped skips an
 * empty table, however many a process has built (unmap keeps them), without
 * reading it.  The map and unmap functions keep the counts; teardown frees
 * whole trees, and frees a page table whose count is zero without reading
 * it.  The kernel half has no counts: its
 * top-level entries are copied into every address space and never change.
 */
#include "arch/x86_64/paging.h"

#include "arch/x86_64/cpu.h"
#include "base/checked.h"
#include "base/mem.h"
#include "boot_info.h"
#include "kerr.h"
#include "mm/ledger.h"
#include "mm/pmm.h"
#include "panic.h"
#include "printk.h"
#include "spinlock.h"

#define LARGE_PAGE (2ULL << 20)

/* The user half: the lower 256 top-level entries. */
#define USER_HALF_END 0x0000800000000000ULL

/* Software bits of a 4 KiB page's entry: MAP_UNCHARGED, MAP_COW,
 * MAP_FORK_SHARED. */
#define PTE_UNCHARGED (1ULL << 9)
#define PTE_COW       (1ULL << 10)
#define PTE_SHARED    (1ULL << 11)

#define PTE_LIVE_ONE  (1ULL << 52)
#define PTE_LIVE_MASK (0x3ffULL << 52)

bool cpu_has_nx, cpu_has_smep, cpu_has_smap, cpu_has_pge, cpu_has_1g;

static uint64_t kernel_root;
static struct spinlock kernel_map_lock = SPINLOCK_INIT("kernel-map");

extern const char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern const char __data_start[], __data_end[], __stack_guard[], __stack_bottom[];
extern const char __kernel_end[];

static inline unsigned pt_index(uint64_t va, int level)
{
    return (va >> (12 + 9 * level)) & 511;
}

static uint64_t pte_bits(unsigned f)
{
    uint64_t b = PTE_P;
    if (f & MAP_WRITE)
        b |= PTE_W;
    if (f & MAP_USER)
        b |= PTE_U;
    if (f & MAP_UNCACHED)
        b |= PTE_PCD | PTE_PWT;
    if ((f & MAP_GLOBAL) && cpu_has_pge)
        b |= PTE_G;
    if (!(f & MAP_EXEC) && cpu_has_nx)
        b |= PTE_NX;
    if (f & MAP_UNCHARGED)
        b |= PTE_UNCHARGED;
    if (f & MAP_COW)
        b |= PTE_COW;
    if (f & MAP_FORK_SHARED)
        b |= PTE_SHARED;
    return b;
}

/* A frame for a table, charged to `ledger` when given: both or neither. */
static bool table_frame_alloc(struct ledger *ledger, uint64_t *pa)
{
    if (ledger && !ledger_charge(ledger, 1))
        return false;
    if (!pmm_alloc_frame(pa)) {
        if (ledger)
            ledger_uncharge(ledger, 1);
        return false;
    }
    return true;
}

/* A new table for an absent entry, charged to `ledger` when given. */
static uint64_t *pt_create(uint64_t *entry, bool user, struct ledger *ledger)
{
    uint64_t pa;
    if (!table_frame_alloc(ledger, &pa))
        return NULL;
    *entry = pa | PTE_P | PTE_W | (user ? PTE_U : 0);
    return phys_to_virt(pa);
}

/* Returns the table the entry points to, allocating it if asked (charging
 * `ledger` when given); NULL if absent (and not created), if allocation
 * failed, or if it maps a large page.  Inline: every page of a map, unmap
 * or protect descends three times, nearly always through present tables. */
static inline uint64_t *pt_descend(uint64_t *entry, bool create, bool user, struct ledger *ledger)
{
    uint64_t e = *entry;
    if (e & PTE_P) {
        if (e & PTE_PS)
            return NULL;
        if (user && !(e & PTE_U))
            __atomic_fetch_or(entry, PTE_U, __ATOMIC_RELAXED); /* the MMU may set A meanwhile */
        return phys_to_virt(e & PTE_ADDR_MASK);
    }
    return create ? pt_create(entry, user, ledger) : NULL;
}

/* Finds (creating tables down to) the entry at `level` for va. */
static inline uint64_t *pt_walk(uint64_t root, uint64_t va, int level, bool create, bool user,
                                struct ledger *ledger)
{
    uint64_t *table = phys_to_virt(root);
    for (int l = 3; l > level; l--) {
        table = pt_descend(&table[pt_index(va, l)], create, user, ledger);
        if (!table)
            return NULL;
    }
    return &table[pt_index(va, level)];
}

/* Fills path[level] with the entry for va at each level, 3 (PML4) down to
 * 0 (the PTE), creating tables as pt_walk does; false if a table is
 * missing (or could not be made). */
static inline bool pt_path(uint64_t root, uint64_t va, bool create, bool user,
                           struct ledger *ledger, uint64_t *path[4])
{
    uint64_t *table = phys_to_virt(root);
    for (int l = 3; l > 0; l--) {
        path[l] = &table[pt_index(va, l)];
        table = pt_descend(path[l], create, user, ledger);
        if (!table)
            return false;
    }
    path[0] = &table[pt_index(va, 0)];
    return true;
}

/* n leaves under path[] appeared: the PT they are in gains n live
 * entries, and the tables above it one each while a table goes from empty
 * to live.  Atomic adds, because the MMU may set the accessed bit of these
 * entries at the same time. */
static void pt_live_add(uint64_t *path[4], uint64_t n)
{
    uint64_t add = n * PTE_LIVE_ONE;
    for (int l = 1; l <= 3; l++) {
        uint64_t old = __atomic_fetch_add(path[l], add, __ATOMIC_RELAXED);
        if (old & PTE_LIVE_MASK)
            return; /* the table was live already: nothing above changes */
        add = PTE_LIVE_ONE;
    }
}

/* n leaves under path[] went away: the reverse of pt_live_add. */
static void pt_live_sub(uint64_t *path[4], uint64_t n)
{
    uint64_t sub = n * PTE_LIVE_ONE;
    for (int l = 1; l <= 3; l++) {
        uint64_t now = __atomic_sub_fetch(path[l], sub, __ATOMIC_RELAXED);
        if (now & PTE_LIVE_MASK)
            return; /* the table still holds something */
        sub = PTE_LIVE_ONE;
    }
}

/* Pages from va to the end of its page table, at most n. */
static unsigned pt_run(uint64_t va, unsigned n)
{
    unsigned left = 512 - pt_index(va, 0);
    return n < left ? n : left;
}

int paging_map(uint64_t root, uint64_t va, uint64_t pa, unsigned map_flags, struct ledger *ledger)
{
    uint64_t *path[4];
    if (!pt_path(root, va, true, map_flags & MAP_USER, ledger, path))
        return KERR_NOMEM;
    if (*path[0] & PTE_P)
        return KERR_EXISTS;
    *path[0] = (pa & PTE_ADDR_MASK) | pte_bits(map_flags);
    if (va < USER_HALF_END)
        pt_live_add(path, 1);
    return KERR_OK;
}

/* The range operations below walk down once per page table and then work
 * along it, so each page costs a few instructions besides its frame. */

unsigned paging_map_pages(uint64_t root, uint64_t va, const uint64_t *frames, unsigned n,
                          unsigned map_flags, struct ledger *ledger)
{
    uint64_t bits = pte_bits(map_flags);
    unsigned done = 0;
    while (done < n) {
        uint64_t *path[4];
        unsigned run = pt_run(va, n - done), k = 0;
        if (!pt_path(root, va, true, map_flags & MAP_USER, ledger, path))
            break;
        while (k < run && !(path[0][k] & PTE_P)) {
            path[0][k] = (frames[done + k] & PTE_ADDR_MASK) | bits;
            k++;
        }
        if (k && va < USER_HALF_END)
            pt_live_add(path, k);
        done += k;
        va += (uint64_t)k * PAGE_SIZE;
        if (k < run)
            break; /* a page was mapped already */
    }
    return done;
}

bool paging_remap(uint64_t root, uint64_t va, uint64_t pa, unsigned map_flags)
{
    uint64_t *path[4];
    if (!pt_path(root, va, false, false, NULL, path) || !(*path[0] & PTE_P))
        return false;
    *path[0] = (pa & PTE_ADDR_MASK) | pte_bits(map_flags);
    return true;
}

bool paging_unmap(uint64_t root, uint64_t va, uint64_t *pa)
{
    uint64_t frame;
    if (!paging_unmap_pages(root, va, 1, &frame))
        return false;
    if (pa)
        *pa = frame;
    return true;
}

unsigned paging_unmap_pages(uint64_t root, uint64_t va, unsigned n, uint64_t *frames)
{
    unsigned got = 0;
    while (n > 0) {
        uint64_t *path[4];
        unsigned run = pt_run(va, n), k = 0;
        if (pt_path(root, va, false, false, NULL, path)) {
            for (unsigned i = 0; i < run; i++) {
                uint64_t e = path[0][i];
                if (e & PTE_P) {
                    frames[got + k++] = e & PTE_ADDR_MASK;
                    path[0][i] = 0;
                }
            }
            if (k && va < USER_HALF_END)
                pt_live_sub(path, k);
        }
        got += k;
        n -= run;
        va += (uint64_t)run * PAGE_SIZE;
    }
    return got;
}

bool paging_protect_pages(uint64_t root, uint64_t va, unsigned n, unsigned map_flags)
{
    uint64_t bits = pte_bits(map_flags), shared_bits = bits & ~PTE_W;
    bool changed = false;
    while (n > 0) {
        uint64_t *path[4];
        unsigned run = pt_run(va, n);
        if (pt_path(root, va, false, false, NULL, path)) {
            for (unsigned i = 0; i < run; i++) {
                uint64_t e = path[0][i];
                if (!(e & PTE_P))
                    continue;
                /* A shared frame stays read-only: the first write copies
                 * it (mm/fault.c). */
                uint64_t want =
                    (bits & PTE_W) && pmm_frame_shared(e & PTE_ADDR_MASK) ? shared_bits : bits;
                /* Accessed and dirty are the MMU's, not permissions. */
                if ((e & ~(PTE_ADDR_MASK | PTE_A | PTE_D)) != want) {
                    path[0][i] = (e & (PTE_ADDR_MASK | PTE_A | PTE_D)) | want;
                    changed = true;
                }
            }
        }
        n -= run;
        va += (uint64_t)run * PAGE_SIZE;
    }
    return changed;
}

/* The leaf entry for user page va, or 0 if a table above it is missing.
 * The walk of pt_walk, unrolled: a message copy into another process makes
 * it for every page it writes.  Each table above the leaf must be present
 * and not map a large page. */
static inline uint64_t pt_user_leaf(uint64_t root, uint64_t va)
{
    const uint64_t *t = phys_to_virt(root);
    uint64_t e = t[pt_index(va, 3)];
    for (int l = 2; l >= 0; l--) {
        if ((e & (PTE_P | PTE_PS)) != PTE_P)
            return 0;
        t = phys_to_virt(e & PTE_ADDR_MASK);
        e = t[pt_index(va, l)];
    }
    return e;
}

bool paging_user_entry(uint64_t root, uint64_t va, unsigned *map_flags)
{
    uint64_t e = pt_user_leaf(root, va);
    if ((e & (PTE_P | PTE_U)) != (PTE_P | PTE_U))
        return false;
    *map_flags = ((e & PTE_W) ? MAP_WRITE : 0) | ((e & PTE_NX) && cpu_has_nx ? 0 : MAP_EXEC) |
                 ((e & PTE_COW) ? MAP_COW : 0);
    return true;
}

bool paging_user_page(uint64_t root, uint64_t va, bool write, uint64_t *pa)
{
    uint64_t e = pt_user_leaf(root, va);
    uint64_t need = PTE_P | PTE_U | (write ? PTE_W : 0);
    if ((e & need) != need)
        return false;
    *pa = e & PTE_ADDR_MASK;
    return true;
}

/* Bytes one entry of a level-`level` table maps. */
static inline uint64_t pt_span(int level)
{
    return 1ULL << (12 + 9 * level);
}

/* The first entry of `table` (at `level`, mapping from `base`) that maps
 * anything at or above lo. */
static unsigned pt_first(uint64_t base, int level, uint64_t lo)
{
    return lo <= base ? 0 : (unsigned)((lo - base) / pt_span(level));
}

/*
 * The lowest mapped address in [lo, hi) below `table`.  Only live entries
 * are descended into.  A live entry whose range lies wholly inside
 * [lo, hi) always yields an answer, so the entries that are descended into
 * without one are those straddling lo or hi: at most two per level.  The
 * cost is therefore at most a few tables' worth of entries (512 each), for
 * any range and any number of tables.
 */
static bool pt_find_mapped(const uint64_t *table, int level, uint64_t base, uint64_t lo,
                           uint64_t hi, uint64_t *va)
{
    uint64_t span = pt_span(level);
    for (unsigned i = pt_first(base, level, lo); i < 512 && base + i * span < hi; i++) {
        uint64_t e = table[i], at = base + i * span;
        if (!(e & PTE_P))
            continue;
        if (level == 0 || (e & PTE_PS)) {
            *va = MAX(at, lo);
            return true;
        }
        if ((e & PTE_LIVE_MASK) &&
            pt_find_mapped(phys_to_virt(e & PTE_ADDR_MASK), level - 1, at, lo, hi, va))
            return true;
    }
    return false;
}

bool paging_find_mapped(uint64_t root, uint64_t lo, uint64_t hi, uint64_t *va)
{
    hi = MIN(hi, USER_HALF_END);
    return lo < hi && pt_find_mapped(phys_to_virt(root), 3, 0, lo, hi, va);
}

/* The lowest unmapped address in [lo, hi) below `table`: each mapped page
 * before it is passed over once. */
static bool pt_find_unmapped(const uint64_t *table, int level, uint64_t base, uint64_t lo,
                             uint64_t hi, uint64_t *va)
{
    uint64_t span = pt_span(level);
    for (unsigned i = pt_first(base, level, lo); i < 512 && base + i * span < hi; i++) {
        uint64_t e = table[i], at = base + i * span;
        bool leaf = level == 0 || (e & PTE_PS);
        if (!(e & PTE_P) || (!leaf && !(e & PTE_LIVE_MASK))) {
            *va = MAX(at, lo);
            return true;
        }
        if (!leaf && pt_find_unmapped(phys_to_virt(e & PTE_ADDR_MASK), level - 1, at, lo, hi, va))
            return true;
    }
    return false;
}

uint64_t paging_find_unmapped(uint64_t root, uint64_t lo, uint64_t hi)
{
    uint64_t va;
    hi = MIN(hi, USER_HALF_END);
    if (lo < hi && pt_find_unmapped(phys_to_virt(root), 3, 0, lo, hi, &va))
        return va;
    return MAX(lo, hi);
}

/*
 * Copy-on-write sharing of one address space's user pages with another
 * (paging_share): a walk of the source like teardown's, which descends
 * only into live tables and looks at a bounded number of entries a step.
 */
struct pt_share {
    uint64_t dst;
    uint64_t cursor, hi;
    unsigned budget;
    struct ledger *ledger;
    int err;
    bool narrowed;
};

/* Shares the leaf entry *src (mapping va) into s->dst; false with s->err
 * set when the destination's quota or memory ran out (nothing of this
 * page is left in dst then, and *src is as it was). */
static bool pt_share_leaf(uint64_t *src, uint64_t va, struct pt_share *s)
{
    uint64_t e = *src, pa = e & PTE_ADDR_MASK, copy = 0;
    uint64_t ne = e & ~(PTE_A | PTE_D);
    /* A frame at its holder limit is copied instead: the copy is dst's
     * own, charged to it, writable as the source page was. */
    bool share = pmm_frame_share(pa);
    if (!share) {
        if (!pmm_alloc_frame(&copy)) {
            s->err = KERR_NOMEM;
            return false;
        }
        memcpy(phys_to_virt(copy), phys_to_virt(pa), PAGE_SIZE);
        ne = copy | (ne & ~(PTE_ADDR_MASK | PTE_UNCHARGED));
    }
    bool charged = !(ne & PTE_UNCHARGED);
    uint64_t *path[4];
    if (charged && !ledger_charge(s->ledger, 1))
        goto fail;
    if (!pt_path(s->dst, va, true, true, s->ledger, path) || (*path[0] & PTE_P)) {
        if (charged)
            ledger_uncharge(s->ledger, 1);
        goto fail;
    }
    if (share && (e & PTE_W) && !(e & PTE_SHARED)) {
        /* Both sides read-only now; a write to either copies the frame
         * (or, for the last holder, makes it writable again). */
        __atomic_and_fetch(src, ~PTE_W, __ATOMIC_RELAXED);
        __atomic_or_fetch(src, PTE_COW, __ATOMIC_RELAXED);
        ne = (ne & ~PTE_W) | PTE_COW;
        s->narrowed = true;
    }
    *path[0] = ne;
    pt_live_add(path, 1);
    return true;

fail:
    s->err = KERR_NOMEM;
    if (share)
        pmm_frame_put(pa);
    else
        pmm_free_frame(copy);
    return false;
}

static bool pt_share(uint64_t *table, int level, uint64_t base, struct pt_share *s)
{
    uint64_t span = pt_span(level);
    int end = level == 3 ? 256 : 512;
    int first = (int)MIN(pt_first(base, level, s->cursor), (unsigned)end);
    for (int i = pt_next_present(table, first, end); i < end;
         i = pt_next_present(table, i + 1, end)) {
        uint64_t at = base + (uint64_t)i * span;
        if (at >= s->hi)
            break;
        if (s->budget == 0) {
            s->cursor = MAX(at, s->cursor);
            return false;
        }
        s->budget--;
        uint64_t e = table[i];
        if (level > 0) {
            if (!(e & PTE_PS) && (e & PTE_LIVE_MASK) &&
                !pt_share(phys_to_virt(e & PTE_ADDR_MASK), level - 1, at, s))
                return false;
        } else if ((e & PTE_U) && !pt_share_leaf(&table[i], at, s)) {
            s->cursor = at;
            return false;
        }
        s->cursor = MAX(s->cursor, at + span);
    }
    s->cursor = MAX(s->cursor, MIN(s->hi, base + (uint64_t)end * span));
    return true;
}

bool paging_share(uint64_t src, uint64_t dst, uint64_t *cursor, uint64_t hi, unsigned budget,
                  struct ledger *ledger, bool *narrowed, int *err)
{
    struct pt_share s = {dst, *cursor, MIN(hi, USER_HALF_END), budget, ledger, KERR_OK, false};
    bool done = s.cursor >= s.hi || pt_share(phys_to_virt(src), 3, 0, &s);
    *cursor = done ? hi : s.cursor;
    *narrowed = s.narrowed;
    *err = s.err;
    return done;
}

bool paging_create_space(uint64_t *root, struct ledger *ledger)
{
    uint64_t pa;
    if (!table_frame_alloc(ledger, &pa))
        return false;
    /* The kernel half is shared: copy its top-level entries, which never
     * change after paging_init. */
    uint64_t *dst = phys_to_virt(pa);
    const uint64_t *src = phys_to_virt(kernel_root);
    for (int i = 256; i < 512; i++)
        dst[i] = src[i];
    *root = pa;
    return true;
}

/*
 * One bounded step of freeing a detached user half (paging_teardown):
 * every entry at or above td->cursor below `table` (at `level`, mapping
 * from `base`) is freed, leaf frames and tables alike, and zeroed, so a
 * later step that walks down to the cursor again finds nothing before it.
 * Each present entry costs one unit of the budget, each frame freed
 * PT_TEARDOWN_FREE more (absent entries are skipped eight to a read, at
 * most 64 reads a table, and every table read is paid for by its freeing);
 * a page table whose live count is zero holds no leaf and is freed without
 * being read.  Returns false when the budget ran out first, with
 * td->cursor at the first address not yet done.
 */
#define PT_TEARDOWN_FREE 8

struct pt_teardown {
    uint64_t cursor;
    unsigned budget;
    uint64_t frames; /* freed, to uncharge in one go */
};

static bool pt_teardown(uint64_t *table, int level, uint64_t base, struct pt_teardown *td)
{
    uint64_t span = pt_span(level);
    int end = level == 3 ? 256 : 512;
    int first = (int)MIN(pt_first(base, level, td->cursor), (unsigned)end);
    /* Absent entries are skipped eight at a time (pt_next_present): the
     * tables of a process are mostly empty. */
    for (int i = pt_next_present(table, first, end); i < end;
         i = pt_next_present(table, i + 1, end)) {
        uint64_t at = base + (uint64_t)i * span;
        if (td->budget == 0) {
            td->cursor = MAX(at, td->cursor);
            return false;
        }
        td->budget--;
        uint64_t e = table[i];
        if (level > 0 && (level > 1 || (e & PTE_LIVE_MASK)) &&
            !pt_teardown(phys_to_virt(e & PTE_ADDR_MASK), level - 1, at, td))
            return false;
        /* A leaf is a frame the process may share with others (the last
         * holder frees it), charged to it unless marked uncharged; above
         * it, a table now empty. */
        if (level == 0)
            pmm_frame_put(e & PTE_ADDR_MASK);
        else
            pmm_free_frame(e & PTE_ADDR_MASK);
        table[i] = 0;
        if (level > 0 || !(e & PTE_UNCHARGED))
            td->frames++;
        td->budget -= MIN(td->budget, PT_TEARDOWN_FREE);
        td->cursor = at + span;
    }
    td->cursor = MAX(td->cursor, base + (uint64_t)end * span);
    return true;
}

bool paging_teardown(uint64_t root, uint64_t *cursor, unsigned budget, struct ledger *ledger)
{
    struct pt_teardown td = {*cursor, budget, 0};
    bool done = pt_teardown(phys_to_virt(root), 3, 0, &td);
    if (done) {
        pmm_free_frame(root);
        td.frames++;
    }
    if (ledger)
        ledger_uncharge(ledger, td.frames);
    *cursor = td.cursor;
    return done;
}

bool paging_is_mapped(uintptr_t va)
{
    uint64_t *table = phys_to_virt(read_cr3() & PTE_ADDR_MASK);
    for (int l = 3; l >= 0; l--) {
        uint64_t e = table[pt_index(va, l)];
        if (!(e & PTE_P))
            return false;
        if (l == 0 || (e & PTE_PS))
            return true;
        table = phys_to_virt(e & PTE_ADDR_MASK);
    }
    return false;
}

uint64_t paging_kernel_root(void)
{
    return kernel_root;
}

static void paging_map_large(uint64_t va, uint64_t pa, unsigned flags)
{
    uint64_t *pde = pt_walk(kernel_root, va, 1, true, false, NULL);
    if (!pde)
        panic("paging: out of memory building the direct map");
    if (!(*pde & PTE_P))
        *pde = pa | pte_bits(flags) | PTE_PS;
}

static void paging_map_direct(uint64_t start, uint64_t end, uint64_t *top)
{
    start = ALIGN_DOWN(start, LARGE_PAGE);
    if (!checked_add_u64(end, LARGE_PAGE - 1, &end))
        return;
    end = ALIGN_DOWN(end, LARGE_PAGE);
    if (end > (512ULL << 30)) {
        kprintf("paging: RAM above 512 GiB is not mapped\n");
        end = 512ULL << 30;
    }
    for (uint64_t pa = start; pa < end; pa += LARGE_PAGE)
        paging_map_large(DIRECT_MAP_VMA + pa, pa, MAP_WRITE | MAP_GLOBAL);
    if (end > *top)
        *top = end;
}

static void paging_map_image(const char *start, const char *end, unsigned flags)
{
    for (uintptr_t va = (uintptr_t)start; va < (uintptr_t)end; va += PAGE_SIZE) {
        if (va >= (uintptr_t)__stack_guard && va < (uintptr_t)__stack_bottom)
            continue; /* the boot stack's guard page stays unmapped */
        if (paging_map(kernel_root, va, va - KERNEL_VMA, flags | MAP_GLOBAL, NULL) != KERR_OK)
            panic("paging: cannot map the kernel image at %#lx", (unsigned long)va);
    }
}

static void paging_detect_features(void)
{
    struct cpuid_regs r = cpuid(0x80000000, 0);
    if (r.eax >= 0x80000001) {
        r = cpuid(0x80000001, 0);
        cpu_has_nx = r.edx & (1u << 20);
        cpu_has_1g = r.edx & (1u << 26);
    }
    r = cpuid(1, 0);
    cpu_has_pge = r.edx & (1u << 13);
    r = cpuid(0, 0);
    if (r.eax >= 7) {
        r = cpuid(7, 0);
        cpu_has_smep = r.ebx & (1u << 7);
        cpu_has_smap = r.ebx & (1u << 20);
    }
}

void paging_init(void)
{
    static const unsigned kernel_slots[] = {256, 320, 510, 511};
    uint64_t top = 0;

    paging_detect_features();
    if (!pmm_alloc_frame(&kernel_root))
        panic("paging: no memory for the kernel page tables");
    uint64_t *pml4 = phys_to_virt(kernel_root);
    for (unsigned i = 0; i < ARRAY_SIZE(kernel_slots); i++) {
        if (!pt_descend(&pml4[kernel_slots[i]], true, false, NULL))
            panic("paging: no memory for the kernel page tables");
    }

    /* Direct map: the first 2 MiB (firmware tables, SMP trampoline) and
     * every RAM or ACPI region the loader reported. */
    paging_map_direct(0, LARGE_PAGE, &top);
    for (unsigned i = 0; i < boot_info.mem_count; i++) {
        const struct boot_mem_region *m = &boot_info.mem[i];
        if (m->type == BOOT_MEM_USABLE || m->type == BOOT_MEM_ACPI_RECLAIM ||
            m->type == BOOT_MEM_ACPI_NVS)
            paging_map_direct(m->base, m->base + m->len, &top);
    }

    paging_map_image(__text_start, __text_end, MAP_EXEC);
    paging_map_image(__rodata_start, __rodata_end, MAP_READ);
    paging_map_image(__data_start, __data_end, MAP_WRITE);
    paging_map_image(__data_end, __kernel_end, MAP_READ);

    write_cr3(kernel_root);
    pmm_set_direct_map_limit(top);
    pmm_set_alloc_limit(0);
}

void *mmio_map(uint64_t pa, uint64_t size)
{
    static uint64_t mmio_next = MMIO_VMA;
    uint64_t off = pa & (PAGE_SIZE - 1);
    uint64_t base = pa - off;
    uint64_t len, va;
    uint64_t flags;

    if (!checked_add_u64(size, off, &len) || !checked_add_u64(len, PAGE_SIZE - 1, &len))
        return NULL;
    len = ALIGN_DOWN(len, PAGE_SIZE);
    flags = spin_lock_irqsave(&kernel_map_lock);
    if (len > (512ULL << 30) - (mmio_next - MMIO_VMA)) {
        spin_unlock_irqrestore(&kernel_map_lock, flags);
        return NULL;
    }
    va = mmio_next;
    mmio_next += len + PAGE_SIZE; /* one unmapped page between windows */
    for (uint64_t i = 0; i < len; i += PAGE_SIZE) {
        if (paging_map(kernel_root, va + i, base + i, MAP_WRITE | MAP_UNCACHED | MAP_GLOBAL,
                       NULL) != KERR_OK) {
            spin_unlock_irqrestore(&kernel_map_lock, flags);
            return NULL; /* the partial mapping stays; the window is never reused */
        }
    }
    spin_unlock_irqrestore(&kernel_map_lock, flags);
    return (void *)(uintptr_t)(va + off);
}
