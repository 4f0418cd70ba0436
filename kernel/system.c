/*
 * The system: from the boot manifest to running services, and the end.
 *
 * system_start validates the whole manifest first (nothing is created if any
 * part is wrong), reports the service graph, then starts init, which starts
 * the services (user/services/init.c).  When the last process has stopped,
 * the machine halts in an orderly way, and its exit status is init's
 * verdict: success only if init exited with status 0.  init exits non-zero
 * when a service's last run failed (docs/init.md), so a failed service
 * shows in the status of `make run`.
 *
 * Memory: init's ledger is a child of the kernel's, limited to the frames
 * free when init starts less a reserve for what the kernel holds for itself
 * later (cached kernel stacks, the page tables under kernel stacks, its
 * own heap, the shared pages of the binaries' read-only segments).  Every service's ledger is below
 * init's, so processes together can never take the reserve.  From the moment init starts, every
 * frame is either free or charged to a ledger of the tree, so free frames plus the kernel's
 * ledger's count (which includes every other ledger's) stay constant; the halt report shows both,
 * and a quiet machine (one CPU) must show them equal.
 */
#include "system.h"

#include "abi/capset.h"
#include "abi/errors.h"
#include "base/mem.h"
#include "capos.capnp.h"
#include "imagepages.h"
#include "manifest/manifest.h"
#include "mm/kheap.h"
#include "mm/kstack.h"
#include "mm/ledger.h"
#include "mm/pmm.h"
#include "objects.h"
#include "offwatch.h"
#include "panic.h"
#include "printk.h"
#include "process.h"
#include "reaper.h"
#include "sched.h"
#include "time.h"

static struct manifest sys_manifest;
static uint64_t sys_memory_base;     /* free + charged frames when init started */
static struct ledger *sys_processes; /* init's ledger: every process's memory */
/* init's pid, and whether it ended with exit status 0 (written once, by the
 * CPU that stops it, before the live count can reach zero). */
static unsigned sys_init_pid;
static bool sys_init_ok;

static const char *system_kind_name(enum capos_KernelCapKind k)
{
    switch (k) {
    case capos_KernelCapKind_console: return "console";
    case capos_KernelCapKind_timer: return "timer";
    case capos_KernelCapKind_entropy: return "entropy";
    case capos_KernelCapKind_virtualMemory: return "virtualMemory";
    case capos_KernelCapKind_bootPackage: return "bootPackage";
    case capos_KernelCapKind_processSpawner: return "processSpawner";
    case capos_KernelCapKind_threadSpawner: return "threadSpawner";
    case capos_KernelCapKind_parkSpace: return "parkSpace";
    case capos_KernelCapKind_schedulingPolicy: return "schedulingPolicy";
    case capos_KernelCapKind_pipeFactory: return "pipeFactory";
    case capos_KernelCapKind_serialInput: return "serialInput";
    }
    return "?";
}

/* One line per CPU at halt: what its scheduler did and how often it found
 * a lock taken (the contention counter that shows whether CPUs doing
 * independent work ever wait for each other). */
static void system_report_cpus(void)
{
    static struct sched_stats st;
    sched_stats(&st);
    for (unsigned i = 0; i < st.ncpus; i++) {
        kprintf("cpu%u: %lu switches, %lu steals, %lu ticks, idle %lu ms, %lu lock spins\n", i,
                (unsigned long)st.cpu[i].switches, (unsigned long)st.cpu[i].steals,
                (unsigned long)st.cpu[i].ticks, (unsigned long)(st.cpu[i].idle_ns / 1000000),
                (unsigned long)st.cpu[i].lock_spins);
    }
}

/* One line per service: its binary, grants and exports. */
static void system_report(capos_SystemManifest_reader m)
{
    capos_Service_reader_list services = capos_SystemManifest_get_services(m);
    for (uint32_t i = 0; i < capos_Service_list_len(services); i++) {
        capos_Service_reader s = capos_Service_list_get(services, i);
        capos_Grant_reader_list grants = capos_Service_get_grants(s);
        kprintf("  service %s (binary %s):", capos_Service_get_name(s).str,
                capos_Service_get_binary(s).str);
        for (uint32_t g = 0; g < capos_Grant_list_len(grants); g++) {
            capos_Grant_reader gr = capos_Grant_list_get(grants, g);
            capos_Grant_source_reader src = capos_Grant_get_source(gr);
            kprintf(" %s=", capos_Grant_get_name(gr).str);
            switch (capos_Grant_source_which(src)) {
            case capos_Grant_source_which_kernel:
                kprintf("kernel:%s", system_kind_name(capos_KernelCap_get_kind(
                                         capos_Grant_source_get_kernel(src))));
                break;
            case capos_Grant_source_which_export: {
                capos_ExportRef_reader e = capos_Grant_source_get_export(src);
                kprintf("%s.%s", capos_ExportRef_get_service(e).str,
                        capos_ExportRef_get_export(e).str);
                break;
            }
            case capos_Grant_source_which_endpoint:
                kprintf("endpoint:%s",
                        capos_EndpointRef_get_name(capos_Grant_source_get_endpoint(src)).str);
                break;
            }
        }
        kprintf("\n");
    }
}

bool system_find_binary(const char *name, size_t len, const uint8_t **elf, uint64_t *elf_len)
{
    const uint8_t *e;
    size_t l;
    /* A query reopens its manifest's reader (which counts what it reads);
     * spawns on several CPUs at once each use their own copy. */
    struct manifest m = sys_manifest;
    if (!manifest_find_binary(&m, name, len, &e, &l))
        return false;
    if (elf)
        *elf = e;
    if (elf_len)
        *elf_len = l;
    return true;
}

/* Frames kept from processes for what the kernel holds for itself once
 * they run: a full cache of kernel stacks, 1/128 of memory for the page
 * tables that map kernel stacks (one per 102 stacks) and the kernel's own
 * small records, and the most the shared image pages can take
 * (imagepages.h; set from the manifest). */
static uint64_t sys_image_reserve;

static uint64_t system_kernel_reserve(uint64_t free)
{
    return KSTACK_CACHE_MAX * KSTACK_PAGES + free / 128 + sys_image_reserve;
}

/* Starts init with the capabilities it needs to run the manifest: the boot
 * package to read it, the unrestricted spawner to start services and create
 * their kernel objects and endpoints, a console for its reports, a timer for
 * restart back-off, and memory for its heap (the manifest is read into it).
 * Its ledger bounds every process's memory together; the spawner is charged
 * to it like the rest of init. */
static bool system_start_init(capos_SystemManifest_reader m)
{
    struct capnp_text bin = capos_SystemManifest_get_init(m);
    const uint8_t *elf;
    uint64_t elf_len;
    const char *why = "out of memory";
    const char *argv[] = {"init"};
    int err;
    process_report_init();
    uint64_t free = pmm_free_count(), reserve = system_kernel_reserve(free);
    if (!system_find_binary(bin.str, bin.len, &elf, &elf_len))
        panic("system: validated manifest lost binary %s", bin.str);
    sys_memory_base = free + ledger_used(&kernel_ledger);
    kprintf("memory: %lu frames free + %lu charged = %lu when init started; %lu for processes\n",
            (unsigned long)free, (unsigned long)ledger_used(&kernel_ledger),
            (unsigned long)sys_memory_base, (unsigned long)(free > reserve ? free - reserve : 0));
    struct ledger *l = ledger_create(&kernel_ledger, free > reserve ? free - reserve : 0, &err);
    struct kobj *spawner = l ? spawner_create(l, false, 0, &err) : NULL;
    if (!spawner) {
        if (l)
            ledger_put(l);
        kprintf("system: init could not start: %s\n", why);
        return false;
    }
    struct process_grant g[5] = {
        {CAPOS_CAPSET_BOOT, &bootpkg_obj, capos_BootPackage_INTERFACE_ID, PROCESS_BIND_NONE},
        {CAPOS_CAPSET_SPAWNER, spawner, capos_ProcessSpawner_INTERFACE_ID, PROCESS_BIND_NONE},
        {CAPOS_CAPSET_CONSOLE, &console_obj, capos_Console_INTERFACE_ID, PROCESS_BIND_NONE},
        {CAPOS_CAPSET_TIMER, &timer_obj, capos_Timer_INTERFACE_ID, PROCESS_BIND_NONE},
        {CAPOS_CAPSET_MEMORY, NULL, capos_VirtualMemory_INTERFACE_ID, PROCESS_BIND_MEMORY},
    };
    bool bad;
    struct process *p = process_create("init", elf, elf_len, NULL, &bad, g, ARRAY_SIZE(g), argv, 1,
                                       NULL, 0, l, &err, &why);
    sys_processes = l; /* the creator's reference, kept for the reports */
    if (!p) {
        kprintf("system: init could not start: %s\n", why);
        ledger_put(l);
        return false;
    }
    sys_init_pid = p->pid;
    kprintf("system: started init (binary %s, pid %u)\n", bin.str, p->pid);
    process_put(p);
    return true;
}

void system_start(const void *manifest, uint64_t len)
{
    struct manifest_limits lim = manifest_boot_limits();
    struct elf_limits loader = process_elf_limits(PROCESS_DEFAULT_FRAMES);
    struct manifest_summary sum;
    char why[192];

    /* The build validated the manifest with the same limits on the host;
     * the process loader must agree with them, or a manifest could pass
     * both checks and still fail to start. */
    if (lim.elf.va_min != loader.va_min || lim.elf.va_max != loader.va_max ||
        lim.elf.max_total != loader.max_total)
        panic("system: the manifest's boot limits differ from the process loader's");
    if (manifest_validate(manifest, len, &lim, &sum, why, sizeof(why)) != MANIFEST_OK) {
        kprintf("manifest: error: %s\n", why);
        kprintf("system: refusing to start anything\n");
        system_exit(SYSTEM_EXIT_FAILURE);
    }
    if (manifest_open(&sys_manifest, manifest, len) != MANIFEST_OK)
        panic("system: a validated manifest failed to open");
    bootpkg_set_manifest(manifest, len);
    sys_image_reserve = image_pages_bound(sum.binaries, sum.ro_pages);
    capos_SystemManifest_reader m = sys_manifest.root;
    kprintf("manifest: \"%s\": %u binaries, %u services, %u grants, %u endpoints\n",
            capos_SystemManifest_get_name(m).str, sum.binaries, sum.services, sum.grants,
            sum.endpoints);
    system_report(m);

    if (!system_start_init(m)) {
        kprintf("system: no process is running; halting with failure\n");
        system_exit(SYSTEM_EXIT_FAILURE);
    }
}

/* The time stamp counter when init first enters user mode.  Under QEMU
 * with -icount it counts the instructions executed since reset, firmware
 * included, which `make bench` reports as boot_to_init_insns. */
static bool init_entered;

void system_thread_started(void)
{
    struct process *p = sched_current()->proc;
    if (likely(init_entered) || !p || p->pid != 1)
        return;
    uint64_t tsc = arch_cycle_counter();
    init_entered = true;
    kprintf("boot: init's first instruction at TSC %lu\n", (unsigned long)tsc);
}

void system_process_stopped(struct process *p)
{
    const struct exit_status *st = &p->status;
    if (p->pid == sys_init_pid)
        sys_init_ok = st->kind == EXIT_CODE && st->code == 0;
    switch (st->kind) {
    case EXIT_CODE:
        kprintf("system: %s (pid %u) exited with status %d\n", p->name, p->pid, st->code);
        break;
    case EXIT_KILLED: kprintf("system: %s (pid %u) was killed\n", p->name, p->pid); break;
    case EXIT_FAULTED:
        if (st->vector == 255)
            kprintf("system: %s (pid %u) was stopped: %s\n", p->name, p->pid, st->reason);
        else
            kprintf("system: %s (pid %u) was stopped: %s at %#lx (thread %u, rip %#lx)\n", p->name,
                    p->pid, st->reason, (unsigned long)st->address, st->tid,
                    (unsigned long)st->rip);
        break;
    }
}

/* Every frame is free or charged to a ledger below the kernel's, so on a
 * quiet machine the sum is what it was when init started; processes still
 * tearing down on other CPUs may be caught half-way.  Reads only counters
 * (no lock), so it may run anywhere, an interrupt handler included. */
/*
 * Reads free and charged frames as one: a frame is freed before it is
 * uncharged, so a free (and its uncharge) on another CPU between the two
 * reads would make the sum fall short by what it freed.  Reading the free
 * count again and retrying while it moved removes that; what is left is an
 * operation caught half-way, which only ever makes the sum larger (a
 * charge precedes its allocation, a free its uncharge).  Bounded: on a
 * machine that keeps freeing, the last reading stands.
 */
static void system_memory_read(uint64_t *free, uint64_t *charged)
{
    for (int i = 0; i < 1000; i++) {
        uint64_t before = pmm_free_count();
        *charged = ledger_used(&kernel_ledger);
        *free = pmm_free_count();
        if (*free == before)
            return;
        cpu_relax();
    }
}

void system_report_memory(void)
{
    struct kheap_stats hs;
    kheap_stats(&hs);
    uint64_t free, charged;
    system_memory_read(&free, &charged);
    uint64_t processes = sys_processes ? ledger_used(sys_processes) : 0;
    kprintf("memory: %lu frames free + %lu charged = %lu (%lu when init started); "
            "kernel heap %lu blocks in %lu frames\n",
            (unsigned long)free, (unsigned long)charged, (unsigned long)(free + charged),
            (unsigned long)sys_memory_base, (unsigned long)hs.blocks_in_use,
            (unsigned long)hs.pages);
    kprintf("memory: %lu frames charged to processes, %lu to the kernel (%u cached kernel "
            "stacks of %u frames)\n",
            (unsigned long)processes, (unsigned long)(charged - processes), kstack_cached(),
            KSTACK_PAGES);
}

void system_halt(void)
{
    /* The CPU that stopped the last process gets here while the threads
     * of that process, and of others stopped just before, may still be
     * leaving on other CPUs and freeing their memory.  Give those
     * teardowns up to a second to balance the books before they are
     * reported for the last time: a real leak never balances, and is
     * reported all the same. */
    uint64_t until = time_now_ns() + 1000ULL * 1000 * 1000;
    for (;;) {
        uint64_t free, charged;
        system_memory_read(&free, &charged);
        if (free + charged == sys_memory_base || time_now_ns() >= until)
            break;
        cpu_relax();
    }
    struct ipc_stats ipc;
    system_report_memory();
    ipc_stats_sum(&ipc);
    kprintf("ipc: %lu calls met a waiting receiver, %lu were queued first; %lu direct "
            "switches\n",
            (unsigned long)ipc.direct, (unsigned long)ipc.queued, (unsigned long)ipc.fast_switches);
    kprintf("ipc: fast path: %lu calls, %lu returns\n", (unsigned long)ipc.fast_calls,
            (unsigned long)ipc.fast_returns);
    system_report_cpus();
    offwatch_report();
    uint64_t steps, items;
    reaper_stats(&steps, &items);
    kprintf("reaper: %lu teardowns finished in %lu steps\n", (unsigned long)items,
            (unsigned long)steps);
    kprintf("system: all processes have exited; halting\n");
    if (!sys_init_ok) {
        kprintf("system: init did not exit with status 0 (see above); halting with failure\n");
        system_exit(SYSTEM_EXIT_FAILURE);
    }
    system_exit(SYSTEM_EXIT_SUCCESS);
}
