/*
 * The interrupts-off watch (see offwatch.h); test kernel only.
 *
 * Each CPU keeps its own table of labels, written only by itself with
 * interrupts off, so recording takes no lock; the report at the halt
 * merges them.  A table holds OFFWATCH_SLOTS labels; a stretch whose
 * label finds no free slot counts under the last slot's "other" entry,
 * so nothing is lost from the overall longest.
 */
#ifdef CAPOS_KTEST
#include "offwatch.h"

#include "abi/ring.h"
#include "arch.h"
#include "boot_info.h"
#include "cap.h"
#include "percpu.h"
#include "printk.h"
#include "reaper.h"

#define OFFWATCH_SLOTS 48
#define OFFWATCH_OTHER 0xff000000u

struct offwatch_slot {
    uint32_t label;
    uint64_t max, count;
};

struct offwatch_cpu {
    uint64_t since; /* TSC at the start of the current stretch; 0: none */
    uint32_t label;
    unsigned nslots;
    struct offwatch_slot slot[OFFWATCH_SLOTS];
};

static struct offwatch_cpu offwatch[MAX_CPUS];

static inline struct offwatch_cpu *ow_this(void)
{
    return &offwatch[this_cpu()->id];
}

void offwatch_begin(uint32_t label)
{
    struct offwatch_cpu *w = ow_this();
    w->label = label;
    w->since = arch_cycle_counter();
}

void offwatch_resume(void)
{
    ow_this()->since = arch_cycle_counter();
}

void offwatch_label(uint32_t label)
{
    ow_this()->label = label;
}

void offwatch_end(void)
{
    struct offwatch_cpu *w = ow_this();
    if (!w->since)
        return; /* interrupts were not off for kernel work (boot, first entry) */
    uint64_t d = arch_cycle_counter() - w->since;
    w->since = 0;
    struct offwatch_slot *s = NULL;
    for (unsigned i = 0; i < w->nslots; i++) {
        if (w->slot[i].label == w->label) {
            s = &w->slot[i];
            break;
        }
    }
    if (!s) {
        if (w->nslots < OFFWATCH_SLOTS - 1) {
            s = &w->slot[w->nslots++];
            s->label = w->label;
        } else {
            s = &w->slot[OFFWATCH_SLOTS - 1];
            s->label = OFFWATCH_OTHER;
        }
    }
    s->count++;
    if (d > s->max)
        s->max = d;
}

static const char *const kind_names[KOBJ_KIND_COUNT] = {
    [KOBJ_CONSOLE] = "Console",
    [KOBJ_TIMER] = "Timer",
    [KOBJ_ENTROPY] = "EntropySource",
    [KOBJ_VIRTUAL_MEMORY] = "VirtualMemory",
    [KOBJ_BOOT_PACKAGE] = "BootPackage",
    [KOBJ_ENDPOINT_SERVER] = "Endpoint",
    [KOBJ_ENDPOINT_CLIENT] = "Endpoint (client)",
    [KOBJ_PROCESS_SPAWNER] = "ProcessSpawner",
    [KOBJ_PROCESS_HANDLE] = "ProcessHandle",
    [KOBJ_THREAD_SPAWNER] = "ThreadSpawner",
    [KOBJ_THREAD_HANDLE] = "ThreadHandle",
    [KOBJ_THREAD_CONTROL] = "ThreadControl",
    [KOBJ_SCHEDULING_POLICY] = "SchedulingPolicy",
    [KOBJ_PARK_SPACE] = "ParkSpace",
    [KOBJ_SERIAL_INPUT] = "SerialInput",
};

static const char *const op_names[CAPOS_OP_COUNT] = {
    [CAPOS_OP_NOP] = "NOP",         [CAPOS_OP_CALL] = "CALL (refused before the object)",
    [CAPOS_OP_RECV] = "RECV",       [CAPOS_OP_RETURN] = "RETURN",
    [CAPOS_OP_RELEASE] = "RELEASE", [CAPOS_OP_REPLY_RECV] = "REPLY_RECV",
};

static const char *const reap_names[] = {
    [REAP_PROCESS_STOPPED] = "a stopped process (operations, table, waiters)",
    [REAP_ADDRESS_SPACE] = "an address space",
    [REAP_THREAD_JOINS] = "the joins of a gone thread",
    [REAP_ENDPOINT_CALLS] = "an endpoint's failing calls",
    [REAP_SERIAL_INPUT] = "a serial read's bytes",
};

static void offwatch_print(uint32_t label, uint64_t max, uint64_t count)
{
    unsigned a = (label >> 8) & 0xff, b = label & 0xff;
    kprintf("  %10lu max, %8lu stretches: ", (unsigned long)max, (unsigned long)count);
    switch (label & 0xff000000u) {
    case OFFWATCH_SYSCALL: kprintf("system call, no operation\n"); break;
    case OFFWATCH_OP(0):
        kprintf("%s\n", b < CAPOS_OP_COUNT ? op_names[b] : "unknown opcode");
        break;
    case OFFWATCH_CALL(0, 0):
        kprintf("CALL %s method %u\n", a < KOBJ_KIND_COUNT ? kind_names[a] : "?", b);
        break;
    case OFFWATCH_ENDPOINT_CALL: kprintf("CALL into another process\n"); break;
    case OFFWATCH_REAP(0):
        kprintf("reaper step: %s\n", b < ARRAY_SIZE(reap_names) ? reap_names[b] : "?");
        break;
    case OFFWATCH_IRQ(0): kprintf("interrupt, vector %u\n", b); break;
    case OFFWATCH_IDLE: kprintf("an idle CPU woken\n"); break;
    default: kprintf("other labels (the table was full)\n"); break;
    }
}

/* Parses a decimal number; false if s is not one. */
static bool offwatch_parse(const char *s, uint64_t *v)
{
    uint64_t n = 0;
    if (!s || !*s)
        return false;
    for (; *s && *s != ' '; s++) {
        if (*s < '0' || *s > '9' || n > (UINT64_MAX - 9) / 10)
            return false;
        n = n * 10 + (uint64_t)(*s - '0');
    }
    *v = n;
    return true;
}

void offwatch_report(void)
{
    static struct offwatch_slot all[MAX_CPUS * OFFWATCH_SLOTS];
    unsigned n = 0;
    for (unsigned c = 0; c < cpu_count; c++) {
        const struct offwatch_cpu *w = &offwatch[c];
        for (unsigned i = 0; i < OFFWATCH_SLOTS; i++) {
            const struct offwatch_slot *s = &w->slot[i];
            if (!s->count)
                continue;
            unsigned k = 0;
            while (k < n && all[k].label != s->label)
                k++;
            if (k == n)
                all[n++] = (struct offwatch_slot){s->label, 0, 0};
            all[k].count += s->count;
            all[k].max = MAX(all[k].max, s->max);
        }
    }
    /* Longest first (a selection sort of at most a few hundred). */
    for (unsigned i = 0; i < n; i++) {
        unsigned m = i;
        for (unsigned k = i + 1; k < n; k++) {
            if (all[k].max > all[m].max)
                m = k;
        }
        struct offwatch_slot t = all[i];
        all[i] = all[m];
        all[m] = t;
    }
    kprintf("offwatch: the longest stretch with interrupts off, by what it did (TSC cycles; "
            "instructions under -icount):\n");
    for (unsigned i = 0; i < n; i++)
        offwatch_print(all[i].label, all[i].max, all[i].count);
    const char *v;
    uint64_t bound;
    uint64_t longest = n ? all[0].max : 0;
    if (boot_cmdline_has("offbound", &v) && offwatch_parse(v, &bound))
        kprintf("offwatch: longest %lu, bound %lu %s\n", (unsigned long)longest,
                (unsigned long)bound, longest <= bound ? "held" : "BROKEN");
    else
        kprintf("offwatch: longest %lu\n", (unsigned long)longest);
}
#endif
