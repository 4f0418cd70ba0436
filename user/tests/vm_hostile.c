/*
 * vm_hostile: VirtualMemory under hostile sizes, racing callers and dying
 * processes (system/smoke-vm-hostile.capnp, docs/virtual-memory.md).  Each
 * case prints "vm-hostile: <case>: ok" or FAIL lines:
 *
 *   huge          maps of 1 TiB, of the whole kernel-chosen area (111 TiB)
 *                 and of the whole range, at kernel-chosen and fixed
 *                 addresses, through a 64 KiB facet and through the whole
 *                 object; lengths that wrap, overflow the range or are not
 *                 page multiples; unmaps and protects just as large.  Each
 *                 fails with quotaExceeded, invalidArgument or notFound
 *                 within 1 s of guest time (it costs microseconds; a kernel
 *                 that walks the range takes many seconds or never returns)
 *   preempt       a thread re-protects a page in the middle of 32 MiB that
 *                 another thread on the same CPU touched page by page and
 *                 is unmapping: it runs while the unmap is in the kernel
 *                 (it sees the range busy: wouldBlock, in one of four
 *                 tries), and it never sees anything but ok before and
 *                 notFound after; a map over the busy range is
 *                 alreadyExists
 *   busy          the same with the two threads on any CPUs
 *   image         maps over the program's code, its data and across the
 *                 start of its image: alreadyExists (the kernel maps the
 *                 image outside VirtualMemory's regions); right below it:
 *                 ok; unmap and protect of image pages: notFound
 *   nesting       limited facets nest 8 deep; a ninth is quotaExceeded
 *   race          four threads on all CPUs map, unmap and protect
 *                 overlapping ranges of one window through two nested
 *                 facets, and map, fill, check, protect and unmap memory of
 *                 their own: every result is one the interface allows, each
 *                 thread's memory is zeroed and keeps what it wrote, and at
 *                 the end both budgets are back to 0 and the quota where it
 *                 started
 *   exit-race     children whose threads map, protect and unmap large ranges
 *                 are killed at once and after 1 to 15 ms, or exit from
 *                 another thread while a map is being filled: killed,
 *                 exited(5)
 *   foreign-kill  a child's memory, mapped and unmapped from here in a loop
 *                 while the child is killed: ok until peerGone, then only
 *                 peerGone; the child ends killed
 *   stack-note    a program that declares a 64 KiB stack (stack_note.c)
 *                 has all of it and faults right below it; one whose note
 *                 is not a whole number of pages (stack_note_bad_bare.c)
 *                 is refused with invalidArgument
 *
 * argv[1], when given, names a child role (see child_main).
 */
#include "capos.h"

#include "base/mem.h"
#include "fmt/fmt.h"

#define TESTCASE_PREFIX "vm-hostile"
#include "testcase.h"

#define KIB (1024ULL)
#define MIB (1024ULL * 1024)
#define TIB (1024ULL * 1024 * 1024 * 1024)
#define MS  (1000ULL * 1000)
#define PG  4096ULL

/* The layout is lib/abi/layout.h's; the image's base, user/rt/user.ld's. */
#define IMAGE_BASE 0x0000000000400000ULL

/* The race's shared window: 32 slots of 16 pages, far from kernel-chosen
 * addresses; ranges are whole slots, so regions stay slot-aligned. */
#define WINDOW     0x0000300000000000ULL
#define SLOT       (16 * PG)
#define NSLOTS     32
#define BIG_SLOTS  24 /* 1.5 MiB: several chunks of work */
#define RACERS     4
#define RACE_STEPS 250

#define RW         (CAPOS_PROT_READ | CAPOS_PROT_WRITE)

static uint32_t memory, tspawner, spawner;

static uint64_t used_of(uint32_t vm)
{
    uint64_t limit = 0, used = 0;
    capos_vm_quota(vm, &limit, &used);
    return used;
}

/* xorshift64*: each thread keeps its own state. */
static uint32_t rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return (uint32_t)((*s * 0x2545f4914f6cdd1dULL) >> 32);
}

static int nothing(void *arg)
{
    (void)arg;
    return 0;
}

/* ---- huge ---- */

struct huge_req {
    const char *what;
    int op; /* 0 map, 1 unmap, 2 protect */
    uint64_t addr, len;
    int want;
};

static const struct huge_req huge_reqs[] = {
    {"map 1 TiB anywhere", 0, 0, TIB, CAPOS_ERR_QUOTA_EXCEEDED},
    {"map the kernel-chosen area (111 TiB)", 0, 0, CAPOS_USER_MAP_MAX - CAPOS_USER_AUTO_BASE,
     CAPOS_ERR_QUOTA_EXCEEDED},
    {"map 1 TiB at the kernel-chosen base", 0, CAPOS_USER_AUTO_BASE, TIB, CAPOS_ERR_QUOTA_EXCEEDED},
    {"map 111 TiB at the kernel-chosen base", 0, CAPOS_USER_AUTO_BASE,
     CAPOS_USER_MAP_MAX - CAPOS_USER_AUTO_BASE, CAPOS_ERR_QUOTA_EXCEEDED},
    {"map the whole range", 0, CAPOS_USER_MIN, CAPOS_USER_MAP_MAX - CAPOS_USER_MIN,
     CAPOS_ERR_QUOTA_EXCEEDED},
    {"map 1 TiB ending at the top", 0, CAPOS_USER_MAP_MAX - TIB, TIB, CAPOS_ERR_QUOTA_EXCEEDED},
    {"map one page more than the kernel-chosen area", 0, 0,
     CAPOS_USER_MAP_MAX - CAPOS_USER_AUTO_BASE + PG, CAPOS_ERR_INVALID_ARGUMENT},
    {"map 2^64 - 4096 anywhere", 0, 0, 0ULL - PG, CAPOS_ERR_INVALID_ARGUMENT},
    {"map 2^63 anywhere", 0, 0, 1ULL << 63, CAPOS_ERR_INVALID_ARGUMENT},
    {"map across the top", 0, CAPOS_USER_MAP_MAX - PG, 2 * PG, CAPOS_ERR_INVALID_ARGUMENT},
    {"map a wrapping range", 0, 0ULL - PG, 2 * PG, CAPOS_ERR_INVALID_ARGUMENT},
    {"map 2^64 - 4096 at the base", 0, CAPOS_USER_AUTO_BASE, 0ULL - PG, CAPOS_ERR_INVALID_ARGUMENT},
    {"map 1 TiB + 1 byte", 0, 0, TIB + 1, CAPOS_ERR_INVALID_ARGUMENT},
    {"map 0 bytes", 0, CAPOS_USER_AUTO_BASE, 0, CAPOS_ERR_INVALID_ARGUMENT},
    {"unmap the whole range", 1, CAPOS_USER_MIN, CAPOS_USER_MAP_MAX - CAPOS_USER_MIN,
     CAPOS_ERR_NOT_FOUND},
    {"unmap 1 TiB", 1, CAPOS_USER_AUTO_BASE, TIB, CAPOS_ERR_NOT_FOUND},
    {"unmap a wrapping range", 1, 0ULL - PG, 2 * PG, CAPOS_ERR_INVALID_ARGUMENT},
    {"protect the whole range", 2, CAPOS_USER_MIN, CAPOS_USER_MAP_MAX - CAPOS_USER_MIN,
     CAPOS_ERR_NOT_FOUND},
    {"protect 111 TiB", 2, CAPOS_USER_AUTO_BASE, CAPOS_USER_MAP_MAX - CAPOS_USER_AUTO_BASE,
     CAPOS_ERR_NOT_FOUND},
};

static void huge(void)
{
    begin("huge");
    uint32_t small;
    if (capos_vm_limit(memory, 64 * KIB, &small) != CAPOS_OK) {
        fail("limit to 64 KiB");
        end();
        return;
    }
    uint64_t slowest = 0, tib_ns = 0;
    const char *slowest_what = "";
    for (int facet = 0; facet < 2; facet++) {
        uint32_t vm = facet ? memory : small;
        for (unsigned i = 0; i < sizeof(huge_reqs) / sizeof(huge_reqs[0]); i++) {
            const struct huge_req *q = &huge_reqs[i];
            uint64_t out = 0, t0 = now_ns();
            int r = q->op == 0   ? capos_vm_map(vm, q->addr, q->len, RW, &out)
                    : q->op == 1 ? capos_vm_unmap(vm, q->addr, q->len)
                                 : capos_vm_protect(vm, q->addr, q->len, RW);
            uint64_t dt = now_ns() - t0;
            if (r != q->want)
                fail("%s (%s): %s, expected %s", q->what, facet ? "whole object" : "64 KiB facet",
                     capos_error_name(r), capos_error_name(q->want));
            if (dt > 1000 * MS)
                fail("%s (%s) took %lu ms", q->what, facet ? "whole object" : "64 KiB facet",
                     (unsigned long)(dt / MS));
            if (i == 0 && facet == 0)
                tib_ns = dt;
            if (dt > slowest) {
                slowest = dt;
                slowest_what = q->what;
            }
        }
    }
    capos_printf("vm-hostile: huge: 1 TiB through a 64 KiB facet refused in %lu us; "
                 "slowest: %s, %lu us\n",
                 (unsigned long)(tib_ns / 1000), slowest_what, (unsigned long)(slowest / 1000));
    capos_release(small);
    end();
}

/* ---- busy ---- */

#define BUSY_ADDR 0x0000400000000000ULL

static volatile int busy_phase; /* 1: the unmap is in flight; 2: it returned */

/* Touches every page of the 32 MiB at BUSY_ADDR (each gets its frame on
 * that first touch), then unmaps them all: freeing 8,192 frames is the
 * long call. */
static int busy_unmap(void *arg)
{
    (void)arg;
    /* A light thread gets short time slices, so its unmap, a few ms under
     * TCG, spans several and is preempted in the middle (where it starts
     * within a slice of the default weight decided that by chance). */
    capos_thread_lower_weight(64);
    for (uint64_t off = 0; off < 32 * MIB; off += PG)
        ((volatile uint8_t *)BUSY_ADDR)[off] = 1;
    __atomic_store_n(&busy_phase, 1, __ATOMIC_RELEASE);
    int r = capos_vm_unmap(memory, BUSY_ADDR, 32 * MIB);
    __atomic_store_n(&busy_phase, 2, __ATOMIC_RELEASE);
    return r;
}

/*
 * One thread fills and then unmaps 32 MiB at BUSY_ADDR while this one
 * re-protects a page in the middle: first it is an ordinary mapping (ok),
 * then it is being unmapped (wouldBlock), then it is gone (notFound).
 * With both threads pinned to CPU 0, seeing wouldBlock means this thread
 * ran on the unmapping thread's CPU while its unmap was in the kernel.
 */
static void busy_case(const char *name, bool pinned)
{
    begin(name);
    unsigned would_block = 0, polls = 0, rounds = 0;
    struct capos_thread_opts o = {.affinity = pinned ? 1 : 0};
    if (pinned)
        expect("pin to CPU 0", capos_thread_set_affinity(1), CAPOS_OK);
    uint64_t t0 = now_ns(), ms = 0;
    /* Whether the unmap is preempted in the middle depends on where in
     * its time slice it starts: a round sees it in some rounds only (one
     * in a few under TCG), so up to 32 rounds are tried. */
    while (would_block == 0 && rounds < 32) {
        struct capos_thread *t;
        busy_phase = 0;
        rounds++;
        int m = capos_vm_map(memory, BUSY_ADDR, 32 * MIB, RW, &(uint64_t){0});
        if (m != CAPOS_OK) {
            fail("map 32 MiB: %s", capos_error_name(m));
            break;
        }
        t0 = now_ns();
        if (capos_thread_create(&t, busy_unmap, 0, &o) != CAPOS_OK) {
            fail("create the mapping thread");
            break;
        }
        uint64_t mid = BUSY_ADDR + 16 * MIB;
        while (__atomic_load_n(&busy_phase, __ATOMIC_ACQUIRE) != 2) {
            int u = capos_vm_protect(memory, mid, PG, RW);
            polls++;
            if (u == CAPOS_ERR_WOULD_BLOCK) {
                would_block++;
                /* The region exists while busy: nothing maps over it.  The
                 * unmap may have finished meanwhile (before its thread says
                 * so in busy_phase), and then a map fits: only if the whole
                 * region is gone, which the next page shows. */
                int r = capos_vm_map(memory, mid, PG, RW, &(uint64_t){0});
                if (r == CAPOS_OK) {
                    expect("the rest of the range after a map fitted",
                           capos_vm_protect(memory, mid + PG, PG, RW), CAPOS_ERR_NOT_FOUND);
                    expect("unmap the page", capos_vm_unmap(memory, mid, PG), CAPOS_OK);
                } else {
                    expect("map over the busy range", r, CAPOS_ERR_ALREADY_EXISTS);
                }
            } else if (u != CAPOS_ERR_NOT_FOUND && u != CAPOS_OK) {
                fail("protect during the unmap: %s", capos_error_name(u));
            }
            if (__atomic_load_n(&busy_phase, __ATOMIC_ACQUIRE) == 0)
                capos_thread_yield();
        }
        ms = (now_ns() - t0) / MS;
        int code = -1;
        capos_thread_join(t, &code, 0);
        expect("the 32 MiB unmap", code, CAPOS_OK);
        expect("protect after the unmap", capos_vm_protect(memory, mid, PG, RW),
               CAPOS_ERR_NOT_FOUND);
    }
    if (pinned)
        capos_thread_set_affinity(0);
    if (would_block == 0)
        fail("no wouldBlock in %u rounds of a 32 MiB unmap (%u calls, the last round %lu ms)",
             rounds, polls, (unsigned long)ms);
    else
        capos_printf("vm-hostile: %s: %u of %u calls during a 32 MiB unmap (%lu ms) saw it busy\n",
                     name, would_block, polls, (unsigned long)ms);
    end();
}

/* ---- image ---- */

/* The program image is mapped by the kernel, not through VirtualMemory:
 * the free-range check must see it in the page tables. */
static void image(void)
{
    begin("image");
    uint64_t text = (uintptr_t)&main & ~(PG - 1), data = (uintptr_t)&timer & ~(PG - 1), a = 0;
    expect("map over the program's code", capos_vm_map(memory, text, PG, RW, &a),
           CAPOS_ERR_ALREADY_EXISTS);
    expect("map over its data", capos_vm_map(memory, data, PG, RW, &a), CAPOS_ERR_ALREADY_EXISTS);
    expect("map across the image's first page",
           capos_vm_map(memory, IMAGE_BASE - 16 * PG, 32 * PG, RW, &a), CAPOS_ERR_ALREADY_EXISTS);
    expect("map right below the image", capos_vm_map(memory, IMAGE_BASE - 16 * PG, 16 * PG, RW, &a),
           CAPOS_OK);
    expect("unmap it", capos_vm_unmap(memory, IMAGE_BASE - 16 * PG, 16 * PG), CAPOS_OK);
    expect("unmap the program's code", capos_vm_unmap(memory, text, PG), CAPOS_ERR_NOT_FOUND);
    expect("protect its data", capos_vm_protect(memory, data, PG, CAPOS_PROT_READ),
           CAPOS_ERR_NOT_FOUND);
    end();
}

/* ---- nesting ---- */

static void nesting(void)
{
    begin("nesting");
    uint32_t f[9];
    unsigned made = 0;
    uint32_t parent = memory;
    for (unsigned i = 0; i < 8; i++) {
        int r = capos_vm_limit(parent, (8 - i) * MIB, &f[i]);
        if (r != CAPOS_OK) {
            fail("limit at depth %u: %s", i + 1, capos_error_name(r));
            break;
        }
        parent = f[i];
        made++;
    }
    if (made == 8) {
        expect("a ninth limit", capos_vm_limit(parent, 64 * KIB, &f[8]), CAPOS_ERR_QUOTA_EXCEEDED);
        uint64_t a = 0;
        expect("map at depth 8", capos_vm_map(parent, 0, 64 * KIB, RW, &a), CAPOS_OK);
        for (unsigned i = 0; i < 8; i++) {
            if (used_of(f[i]) != 64 * KIB)
                fail("depth %u charged %lu bytes", i + 1, (unsigned long)used_of(f[i]));
        }
        expect("unmap through the whole object", capos_vm_unmap(memory, a, 64 * KIB), CAPOS_OK);
        for (unsigned i = 0; i < 8; i++) {
            if (used_of(f[i]) != 0)
                fail("depth %u still charged %lu bytes", i + 1, (unsigned long)used_of(f[i]));
        }
    }
    for (unsigned i = 0; i < made; i++)
        capos_release(f[i]);
    end();
}

/* ---- race ---- */

struct racer {
    unsigned id;
    uint32_t vm;  /* facet for the shared window */
    uint32_t own; /* facet for its own memory */
    uint64_t seed;
    unsigned ops[4];
};

static bool allowed_change(int r)
{
    return r == CAPOS_OK || r == CAPOS_ERR_NOT_FOUND || r == CAPOS_ERR_WOULD_BLOCK;
}

static void own_memory(struct racer *rc)
{
    uint64_t pages = 1 + rnd(&rc->seed) % 16, len = pages * PG, addr = 0;
    int r = capos_vm_map(rc->own, 0, len, RW, &addr);
    if (r != CAPOS_OK) {
        fail("racer %u: map %lu pages of its own: %s", rc->id, (unsigned long)pages,
             capos_error_name(r));
        return;
    }
    if (addr < CAPOS_USER_AUTO_BASE || addr >= WINDOW)
        fail("racer %u: kernel-chosen address %#lx", rc->id, (unsigned long)addr);
    volatile uint64_t *w = (volatile uint64_t *)(uintptr_t)addr;
    uint64_t words = len / 8, tag = ((uint64_t)rc->id << 56) | rc->seed;
    if (w[0] != 0 || w[words - 1] != 0 || w[words / 2] != 0)
        fail("racer %u: fresh memory is not zero", rc->id);
    w[0] = tag;
    w[words - 1] = ~tag;
    expect("protect own memory read-only", capos_vm_protect(rc->own, addr, len, CAPOS_PROT_READ),
           CAPOS_OK);
    if (w[0] != tag || w[words - 1] != ~tag)
        fail("racer %u: its memory changed", rc->id);
    expect("unmap own memory", capos_vm_unmap(rc->own, addr, len), CAPOS_OK);
    rc->ops[3]++;
}

static int racer_main(void *arg)
{
    struct racer *rc = arg;
    for (unsigned step = 0; step < RACE_STEPS; step++) {
        uint32_t x = rnd(&rc->seed);
        uint64_t first = x % NSLOTS, n = 1 + (x >> 8) % 4;
        if (first + n > NSLOTS)
            n = NSLOTS - first;
        uint64_t addr = WINDOW + first * SLOT, len = n * SLOT, out;
        int r;
        switch ((x >> 16) % 8) {
        case 0:
        case 1:
            r = capos_vm_map(rc->vm, addr, len, RW, &out);
            if (r != CAPOS_OK && r != CAPOS_ERR_ALREADY_EXISTS)
                fail("racer %u: map: %s", rc->id, capos_error_name(r));
            rc->ops[0] += r == CAPOS_OK;
            break;
        case 2:
        case 3:
            r = capos_vm_unmap(rc->vm, addr, len);
            if (!allowed_change(r))
                fail("racer %u: unmap: %s", rc->id, capos_error_name(r));
            rc->ops[1] += r == CAPOS_OK;
            break;
        case 4:
            r = capos_vm_protect(rc->vm, addr, len, (x & 1) ? RW : CAPOS_PROT_READ);
            if (!allowed_change(r))
                fail("racer %u: protect: %s", rc->id, capos_error_name(r));
            rc->ops[2] += r == CAPOS_OK;
            break;
        case 5:
            r = capos_vm_map(rc->vm, WINDOW, BIG_SLOTS * SLOT, RW, &out);
            if (r == CAPOS_OK) {
                r = capos_vm_unmap(rc->vm, WINDOW, BIG_SLOTS * SLOT);
                if (!allowed_change(r))
                    fail("racer %u: unmap big: %s", rc->id, capos_error_name(r));
            } else if (r != CAPOS_ERR_ALREADY_EXISTS) {
                fail("racer %u: map big: %s", rc->id, capos_error_name(r));
            }
            break;
        default: own_memory(rc); break;
        }
    }
    return 0;
}

static void race(void)
{
    begin("race");
    uint32_t f1, f2;
    if (capos_vm_limit(memory, 24 * MIB, &f1) != CAPOS_OK ||
        capos_vm_limit(f1, 8 * MIB, &f2) != CAPOS_OK) {
        fail("limits");
        end();
        return;
    }
    /* Build the page tables of both areas first, so that the quota can be
     * compared exactly afterwards. */
    uint64_t a = 0;
    expect("warm-up map", capos_vm_map(f1, WINDOW, NSLOTS * SLOT, RW, &a), CAPOS_OK);
    expect("warm-up unmap", capos_vm_unmap(f1, WINDOW, NSLOTS * SLOT), CAPOS_OK);
    expect("warm-up map anywhere", capos_vm_map(f1, 0, 2 * MIB, RW, &a), CAPOS_OK);
    expect("warm-up unmap anywhere", capos_vm_unmap(f1, a, 2 * MIB), CAPOS_OK);

    /* Thread stacks come from the heap: let it grow for them first. */
    static struct racer rc[RACERS];
    struct capos_thread *t[RACERS];
    for (unsigned i = 0; i < RACERS; i++) {
        if (capos_thread_create(&t[i], nothing, 0, 0) != CAPOS_OK)
            t[i] = 0;
    }
    for (unsigned i = 0; i < RACERS; i++) {
        if (t[i])
            capos_thread_join(t[i], 0, 0);
    }
    uint64_t used0 = used_of(memory);
    for (unsigned i = 0; i < RACERS; i++) {
        rc[i] = (struct racer){.id = i,
                               .vm = (i & 1) ? f2 : f1,
                               .own = (i & 2) ? f2 : memory,
                               .seed = 0x9e3779b97f4a7c15ULL * (i + 1)};
        if (capos_thread_create(&t[i], racer_main, &rc[i], 0) != CAPOS_OK) {
            fail("create racer %u", i);
            t[i] = 0;
        }
    }
    unsigned ops[4] = {0};
    for (unsigned i = 0; i < RACERS; i++) {
        if (t[i])
            capos_thread_join(t[i], 0, 0);
        for (unsigned k = 0; k < 4; k++)
            ops[k] += rc[i].ops[k];
    }
    /* Whatever is left in the window is whole slots. */
    for (unsigned s = 0; s < NSLOTS; s++) {
        int r = capos_vm_unmap(memory, WINDOW + s * SLOT, SLOT);
        if (r != CAPOS_OK && r != CAPOS_ERR_NOT_FOUND)
            fail("clean-up of slot %u: %s", s, capos_error_name(r));
    }
    if (used_of(f1) != 0 || used_of(f2) != 0)
        fail("budgets still charged: %lu and %lu bytes", (unsigned long)used_of(f1),
             (unsigned long)used_of(f2));
    uint64_t used1 = used_of(memory);
    /* Only page tables may be new (the own mappings may have landed under
     * one the warm-up did not build); nothing mapped may be left behind. */
    if (used1 > used0 + 16 * KIB)
        fail("quota used %lu KiB before, %lu KiB after", (unsigned long)(used0 / KIB),
             (unsigned long)(used1 / KIB));
    capos_printf("vm-hostile: race: %u maps, %u unmaps, %u protects in the window, "
                 "%u own mappings checked\n",
                 ops[0], ops[1], ops[2], ops[3]);
    capos_release(f2);
    capos_release(f1);
    end();
}

/* ---- children ---- */

static int spawn_child(const char *role, uint64_t memory_limit, const struct capos_grant *extra,
                       uint32_t nextra, uint32_t *handle)
{
    struct capos_grant g[6] = {
        {.name = "console", .kernel = true, .kind = capos_KernelCapKind_console},
        {.name = "timer", .kernel = true, .kind = capos_KernelCapKind_timer},
        {.name = "memory",
         .kernel = true,
         .kind = capos_KernelCapKind_virtualMemory,
         .memory_limit = memory_limit},
        {.name = "threads", .kernel = true, .kind = capos_KernelCapKind_threadSpawner},
        {.name = "park", .kernel = true, .kind = capos_KernelCapKind_parkSpace},
    };
    uint32_t n = 5;
    for (uint32_t i = 0; i < nextra && n < 6; i++)
        g[n++] = extra[i];
    const char *argv[] = {"vm_hostile", role};
    return capos_spawn(spawner, "vm_hostile", role, g, n, argv, 2, 0, 0, handle);
}

static void expect_end(const char *who, uint32_t h, enum capos_ExitStatus_which kind, int32_t code)
{
    struct capos_exit st;
    if (!wait_end(who, h, &st))
        return;
    if (st.kind != kind || (kind == capos_ExitStatus_which_exited && st.code != code)) {
        if (st.kind == capos_ExitStatus_which_faulted)
            fail("%s faulted (vector %u at %#lx: %s)", who, st.vector, (unsigned long)st.address,
                 st.reason);
        else
            fail("%s ended %s %d", who,
                 st.kind == capos_ExitStatus_which_killed ? "killed" : "exited", st.code);
    }
}

/* A churning child thread: maps, protects and unmaps 4 to 12 MiB, and
 * fights its siblings over a fixed window. */
static int churn(void *arg)
{
    uint64_t seed = (uintptr_t)arg * 0x9e3779b97f4a7c15ULL + 1;
    for (;;) {
        uint64_t len = (4 + rnd(&seed) % 9) * MIB, addr = 0;
        if (capos_vm_map(memory, 0, len, RW, &addr) == CAPOS_OK) {
            capos_vm_protect(memory, addr, len / 2, CAPOS_PROT_READ);
            capos_vm_unmap(memory, addr, len);
        }
        uint64_t first = rnd(&seed) % NSLOTS, out;
        capos_vm_map(memory, WINDOW + first * SLOT, SLOT, RW, &out);
        capos_vm_unmap(memory, WINDOW + (rnd(&seed) % NSLOTS) * SLOT, SLOT);
    }
    return 0;
}

static int map_forever(void *arg)
{
    (void)arg;
    for (;;) {
        uint64_t addr = 0;
        if (capos_vm_map(memory, 0, 24 * MIB, RW, &addr) == CAPOS_OK)
            capos_vm_unmap(memory, addr, 24 * MIB);
    }
    return 0;
}

static void exit_race(void)
{
    static const unsigned delays[] = {0, 1, 3, 7, 15};
    begin("exit-race");
    for (unsigned i = 0; i < sizeof(delays) / sizeof(delays[0]); i++) {
        uint32_t h;
        int r = spawn_child("churn", 40 * MIB, 0, 0, &h);
        if (r != CAPOS_OK) {
            fail("spawn churn: %s", capos_error_name(r));
            continue;
        }
        if (delays[i])
            sleep_ms(delays[i]);
        expect("kill", capos_process_kill(h), CAPOS_OK);
        expect_end("churn", h, capos_ExitStatus_which_killed, 0);
    }
    for (unsigned i = 0; i < 3; i++) {
        uint32_t h;
        int r = spawn_child("exit-mid-map", 40 * MIB, 0, 0, &h);
        if (r != CAPOS_OK) {
            fail("spawn exit-mid-map: %s", capos_error_name(r));
            continue;
        }
        expect_end("exit-mid-map", h, capos_ExitStatus_which_exited, 5);
    }
    end();
}

static void foreign_kill(void)
{
    begin("foreign-kill");
    uint32_t server, client;
    if (capos_create_endpoint(spawner, &server, &client) != CAPOS_OK) {
        fail("createEndpoint");
        end();
        return;
    }
    static const unsigned delays[] = {0, 2, 6};
    for (unsigned i = 0; i < sizeof(delays) / sizeof(delays[0]); i++) {
        uint32_t h;
        struct capos_grant g = {.name = "ep", .cap = client, .mode = CAPOS_XFER_COPY};
        int r = spawn_child("give-memory", 40 * MIB, &g, 1, &h);
        if (r != CAPOS_OK) {
            fail("spawn give-memory: %s", capos_error_name(r));
            continue;
        }
        uint64_t buf[16];
        struct capos_request req;
        r = capos_recv(server, buf, sizeof(buf), &req);
        if (r != CAPOS_OK || req.ncaps != 1) {
            fail("receive the child's memory: %s", capos_error_name(r));
            capos_process_kill(h);
            expect_end("give-memory", h, capos_ExitStatus_which_killed, 0);
            continue;
        }
        uint32_t cm = req.caps[0];
        capos_return(server, req.token, CAPOS_OK, 0, 0, 0, 0);
        /* Map and unmap its memory in a loop while it is killed. */
        unsigned maps = 0;
        uint64_t t_kill = now_ns() + delays[i] * MS;
        bool killed = false;
        for (unsigned step = 0; step < 1000; step++) {
            if (!killed && now_ns() >= t_kill) {
                expect("kill", capos_process_kill(h), CAPOS_OK);
                killed = true;
            }
            uint64_t addr = 0;
            r = capos_vm_map(cm, 0, 8 * MIB, RW, &addr);
            if (r == CAPOS_OK) {
                maps++;
                r = capos_vm_unmap(cm, addr, 8 * MIB);
                if (r != CAPOS_OK && r != CAPOS_ERR_PEER_GONE)
                    fail("unmap in the child: %s", capos_error_name(r));
            } else if (r != CAPOS_ERR_PEER_GONE) {
                fail("map in the child: %s", capos_error_name(r));
            }
            if (r == CAPOS_ERR_PEER_GONE)
                break;
        }
        if (!killed)
            capos_process_kill(h);
        expect_end("give-memory", h, capos_ExitStatus_which_killed, 0);
        uint64_t addr;
        expect("map after the kill", capos_vm_map(cm, 0, PG, RW, &addr), CAPOS_ERR_PEER_GONE);
        expect("unmap after the kill", capos_vm_unmap(cm, CAPOS_USER_AUTO_BASE, PG),
               CAPOS_ERR_PEER_GONE);
        capos_release(cm);
        (void)maps;
    }
    capos_release(server);
    capos_release(client);
    end();
}

static int child_main(const char *role)
{
    if (!strcmp(role, "churn")) {
        struct capos_thread *t;
        for (uintptr_t i = 1; i < 3; i++)
            capos_thread_create(&t, churn, (void *)i, 0);
        return churn(0);
    }
    if (!strcmp(role, "exit-mid-map")) {
        struct capos_thread *t;
        capos_thread_create(&t, map_forever, 0, 0);
        sleep_ms(3);
        capos_exit(5);
    }
    if (!strcmp(role, "give-memory")) {
        uint32_t ep;
        if (capos_capset_find("ep", 0, &ep) != CAPOS_OK)
            return 1;
        struct capos_xfer x = {.cap = memory, .mode = CAPOS_XFER_COPY};
        uint64_t res[8];
        if (capos_call(ep, 0x766d21ULL, 0, 0, 0, res, sizeof(res), &x, 1, 0) != CAPOS_OK)
            return 2;
        for (;;)
            sleep_ms(1000);
    }
    return 99;
}

/* ---- stack-note ---- */

static void stack_note(void)
{
    begin("stack-note");
    const struct capos_grant g[] = {
        {.name = "console", .kernel = true, .kind = capos_KernelCapKind_console},
    };
    static const char *const roles[] = {"fit", "overflow"};
    for (unsigned i = 0; i < 2; i++) {
        const char *argv[] = {"stack_note", roles[i]};
        uint32_t h;
        int r = capos_spawn(spawner, "stack_note", roles[i], g, 1, argv, 2, 0, 0, &h);
        if (r != CAPOS_OK) {
            fail("spawn stack_note %s: %s", roles[i], capos_error_name(r));
            continue;
        }
        if (i == 0) {
            expect_end("stack_note fit", h, capos_ExitStatus_which_exited, 0);
            continue;
        }
        struct capos_exit st;
        r = capos_process_wait(h, &st);
        capos_release(h);
        uint64_t below = CAPOS_USER_STACK_TOP - 64 * KIB - 1;
        if (r != CAPOS_OK || st.kind != capos_ExitStatus_which_faulted || st.vector != 14 ||
            st.address != below)
            fail("stack_note overflow: %s, kind %d vector %u address %#lx (expected a page fault "
                 "at %#lx)",
                 capos_error_name(r), (int)st.kind, st.vector, (unsigned long)st.address,
                 (unsigned long)below);
    }
    const char *argv[] = {"stack_note_bad_bare"};
    uint32_t h;
    int r = capos_spawn(spawner, "stack_note_bad_bare", "bad", g, 1, argv, 1, 0, 0, &h);
    if (r == CAPOS_OK)
        capos_release(h);
    if (r != CAPOS_ERR_INVALID_ARGUMENT)
        fail("spawn with a 5000-byte stack note: %s, expected invalidArgument",
             capos_error_name(r));
    end();
}

int main(int argc, char **argv)
{
    if (capos_capset_find("timer", capos_Timer_INTERFACE_ID, &timer) != CAPOS_OK ||
        capos_capset_find("memory", capos_VirtualMemory_INTERFACE_ID, &memory) != CAPOS_OK ||
        capos_capset_find("threads", capos_ThreadSpawner_INTERFACE_ID, &tspawner) != CAPOS_OK) {
        capos_printf("vm-hostile: setup: FAIL: missing capabilities\n");
        return 1;
    }
    if (argc > 1 && argv[1][0])
        return child_main(argv[1]);
    if (capos_capset_find("spawner", capos_ProcessSpawner_INTERFACE_ID, &spawner) != CAPOS_OK) {
        capos_printf("vm-hostile: setup: FAIL: no spawner\n");
        return 1;
    }
    huge();
    busy_case("preempt", true);
    busy_case("busy", false);
    image();
    nesting();
    race();
    exit_race();
    foreign_kill();
    stack_note();
    capos_printf("vm-hostile: %u cases, %u failed\n", ncases, nfailed);
    return nfailed ? 1 : 0;
}
