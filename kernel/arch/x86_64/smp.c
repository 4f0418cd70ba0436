/*
 * Multiprocessor support on x86_64: starting the application processors,
 * inter-processor interrupts, and TLB shootdown.
 *
 * Start-up.  The CPUs come from the ACPI MADT (lib/acpi).  For each AP the
 * boot CPU prepares a struct cpu (IST stacks, an idle stack), fills the
 * trampoline's parameter block, and sends INIT, then two STARTUP IPIs; the
 * AP runs trampoline.S into long mode and ap_entry, which claims its slot
 * (a compare-and-swap the boot CPU also uses to give up on a silent CPU),
 * sets up its own descriptor tables, protections, local APIC timer and
 * scheduler, marks itself online and becomes that CPU's idle thread.  APs
 * start one at a time, so one trampoline page and parameter block suffice;
 * after a CPU that did not answer, no further CPU is started, since the
 * silent one might still wake up and read them.
 *
 * TLB shootdown.  A CPU that removes or narrows a user mapping flushes its
 * own TLB and asks every other CPU that has the address space loaded to do
 * the same, then waits for all of them.  The kernel runs with interrupts off,
 * so a CPU could sit spinning on a lock the initiator holds and never take
 * the IPI: every spin loop (spinlocks, this wait) therefore also answers
 * pending shootdown requests itself (smp_poll).
 */
#include "arch/x86_64/smp.h"

#include "acpi/acpi.h"
#include "arch.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/context.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/cpu_init.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/trap.h"
#include "arch/x86_64/tsc.h"
#include "base/mem.h"
#include "boot_info.h"
#include "cap.h"
#include "mm/kheap.h"
#include "mm/kstack.h"
#include "mm/ledger.h"
#include "mm/pmm.h"
#include "panic.h"
#include "percpu.h"
#include "printk.h"
#include "process.h"
#include "sched.h"
#include "time.h"

#define TRAMPOLINE_PA 0x8000ULL

extern const char trampoline_start[], trampoline_end[];
extern const char trampoline_cr3[], trampoline_stack[], trampoline_entry[], trampoline_arg[],
    trampoline_efer[];

void syscall_init_cpu(void);
NORETURN void ap_entry(struct cpu *c);

/* ---- shootdown state ---- */

static struct spinlock shootdown_lock = SPINLOCK_INIT("shootdown");
static volatile uint64_t shootdown_va, shootdown_pages, shootdown_root;
static volatile uint64_t shootdown_pending; /* bit per CPU still to flush */

/* ---- ACPI access: tables live in RAM the direct map may not cover ---- */

static const void *smp_acpi_map(void *ctx, uint64_t pa, uint64_t len)
{
    (void)ctx;
    uint64_t end;
    if (__builtin_add_overflow(pa, len, &end))
        return NULL;
    if (end <= pmm_direct_map_limit() && paging_is_mapped((uintptr_t)phys_to_virt(pa)) &&
        paging_is_mapped((uintptr_t)phys_to_virt(end - 1)))
        return phys_to_virt(pa);
    return mmio_map(pa, len); /* firmware-reserved memory: map it on demand */
}

/* Largest ACPI table read: far above any real MADT (a few KiB). */
#define SMP_ACPI_MAX_TABLE (1u << 20)

/* The MADT as discovered at start-up (also read for the I/O APICs). */
static struct acpi_madt madt;
static bool madt_valid;

const struct acpi_madt *smp_madt(void)
{
    return madt_valid ? &madt : NULL;
}

/* Fills ids[] with the APIC ids of the usable CPUs; returns how many (0:
 * no usable table, reported). */
static unsigned smp_find_cpus(uint32_t *ids, unsigned max)
{
    struct acpi_mem mem = {.map = smp_acpi_map, .ctx = NULL};
    struct acpi_rsdp rsdp;
    static struct acpi_report rep;
    enum acpi_err e;
    uint64_t rsdp_pa;

    if (boot_info.rsdp_len) {
        e = acpi_rsdp_check(boot_info.rsdp, boot_info.rsdp_len, &rsdp);
    } else {
        e = acpi_rsdp_find_bios(&mem, &rsdp_pa);
        if (e == ACPI_OK)
            e = acpi_rsdp_read(&mem, rsdp_pa, &rsdp, &rep);
    }
    if (e == ACPI_OK)
        e = acpi_discover(&mem, &rsdp, SMP_ACPI_MAX_TABLE, &madt, &rep);
    for (uint32_t i = 0; i < rep.count && i < ACPI_MAX_ISSUES; i++) {
        const struct acpi_issue *is = &rep.issues[i];
        kprintf("acpi: %s%s (entry %u at %#lx, value %#lx)\n",
                is->fatal ? "" : "ignored: ", acpi_strerror((enum acpi_err)is->err), is->index,
                (unsigned long)is->phys, (unsigned long)is->value);
    }
    if (e != ACPI_OK) {
        kprintf("acpi: no CPU list (%s)\n", acpi_strerror(e));
        return 0;
    }
    madt_valid = true;
    unsigned n = 0;
    for (unsigned i = 0; i < madt.ncpus && n < max; i++) {
        if (madt.cpus[i].enabled)
            ids[n++] = madt.cpus[i].apic_id;
    }
    kprintf("acpi: MADT lists %u CPU%s (%u usable), local APIC at %#lx\n", madt.ncpus,
            madt.ncpus == 1 ? "" : "s", madt.nenabled, (unsigned long)madt.lapic_base);
    return n;
}

/* ---- starting APs ---- */

/* A temporary PML4 for the trampoline: the kernel's half plus the low 2 MiB
 * identity-mapped; below 4 GiB because the AP loads it in 32-bit mode. */
static uint64_t smp_trampoline_tables(void)
{
    uint64_t pml4, pdpt, pd;
    pmm_set_alloc_limit(1ULL << 32);
    bool ok = pmm_alloc_frame(&pml4) && pmm_alloc_frame(&pdpt) && pmm_alloc_frame(&pd);
    pmm_set_alloc_limit(0);
    if (!ok)
        return 0;
    uint64_t *t = phys_to_virt(pml4);
    const uint64_t *k = phys_to_virt(paging_kernel_root());
    for (int i = 256; i < 512; i++)
        t[i] = k[i];
    t[0] = pdpt | PTE_P | PTE_W;
    ((uint64_t *)phys_to_virt(pdpt))[0] = pd | PTE_P | PTE_W;
    ((uint64_t *)phys_to_virt(pd))[0] = 0 | PTE_P | PTE_W | PTE_PS;
    return pml4;
}

static void smp_param(const char *sym, uint64_t v)
{
    uint64_t *p = phys_to_virt(TRAMPOLINE_PA + (uint64_t)(sym - trampoline_start));
    *p = v;
}

static void smp_delay_us(uint64_t us)
{
    uint64_t end = tsc_ns() + us * 1000;
    while (tsc_ns() < end)
        cpu_relax();
}

/* How one AP start went. */
enum smp_start {
    SMP_STARTED,
    SMP_NO_MEMORY, /* nothing was sent: the next CPU can use the same slot */
    SMP_TIMED_OUT, /* it may still wake up later: nothing may be reused */
};

/* The handshake word in struct cpu (start_state): the AP claims its slot
 * the moment it arrives in ap_entry, and the boot CPU gives up on it only
 * by the same compare-and-swap, so exactly one of the two decides. */
enum { AP_STARTING = 0, AP_ARRIVED, AP_ABANDONED };

#define SMP_ARRIVE_TIMEOUT_MS 1000 /* generous: TCG on a loaded host is slow */
#define SMP_ONLINE_TIMEOUT_MS 5000

static enum smp_start smp_start_one(unsigned idx, uint32_t apic_id, uint64_t tables)
{
    struct cpu *c = &cpus[idx];
    uint64_t stack = kstack_alloc(&kernel_ledger, NULL);
    for (int i = 0; i < 3; i++) {
        if (!c->arch.ist_stacks[i])
            c->arch.ist_stacks[i] = kmalloc(&kernel_ledger, IST_STACK_SIZE);
        if (!c->arch.ist_stacks[i])
            return SMP_NO_MEMORY;
    }
    if (!stack)
        return SMP_NO_MEMORY;
    c->start_state = AP_STARTING;
    c->self = c;
    c->id = idx;
    c->hw_id = apic_id;
    c->kernel_stack_top = stack;
    sched_init_cpu(c);
    smp_param(trampoline_cr3, tables);
    smp_param(trampoline_stack, stack);
    smp_param(trampoline_entry, (uint64_t)(uintptr_t)ap_entry);
    smp_param(trampoline_arg, (uint64_t)(uintptr_t)c);
    smp_param(trampoline_efer, EFER_LME | (cpu_has_nx ? EFER_NXE : 0));
    __atomic_thread_fence(__ATOMIC_SEQ_CST);

    lapic_send(apic_id, 0x4500); /* INIT, assert, level */
    smp_delay_us(10000);
    for (int i = 0; i < 2; i++) {
        lapic_send(apic_id, 0x4600 | (uint32_t)(TRAMPOLINE_PA >> 12)); /* STARTUP */
        smp_delay_us(200);
    }
    uint64_t end = tsc_ns() + SMP_ARRIVE_TIMEOUT_MS * 1000000ULL;
    while (__atomic_load_n(&c->start_state, __ATOMIC_ACQUIRE) == AP_STARTING && tsc_ns() < end)
        cpu_relax();
    uint32_t expect = AP_STARTING;
    if (__atomic_compare_exchange_n(&c->start_state, &expect, AP_ABANDONED, false, __ATOMIC_SEQ_CST,
                                    __ATOMIC_SEQ_CST))
        return SMP_TIMED_OUT;
    /* It arrived: it is ours, and finishing its set-up cannot take long. */
    end = tsc_ns() + SMP_ONLINE_TIMEOUT_MS * 1000000ULL;
    while (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE)) {
        if (tsc_ns() > end)
            panic("smp: CPU with APIC id %u arrived but did not finish starting", apic_id);
        cpu_relax();
    }
    return SMP_STARTED;
}

void smp_init(unsigned max)
{
    static uint32_t ids[ACPI_MAX_CPUS];
    unsigned limit = max && max < MAX_CPUS ? max : MAX_CPUS;
    unsigned n = smp_find_cpus(ids, ACPI_MAX_CPUS);
    if (n == 0) {
        kprintf("smp: running on the boot CPU only\n");
        return;
    }
    uint64_t tables = smp_trampoline_tables();
    if (!tables) {
        kprintf("smp: no memory for the start-up tables; running on the boot CPU only\n");
        return;
    }
    memcpy(phys_to_virt(TRAMPOLINE_PA), trampoline_start,
           (size_t)(trampoline_end - trampoline_start));
    unsigned started = 1;
    bool abandoned = false;
    for (unsigned i = 0; i < n; i++) {
        if (ids[i] == cpus[0].hw_id)
            continue;
        if (started == limit) {
            kprintf("smp: %u CPUs in use (limit %u); the rest stay off\n", limit,
                    max && max < MAX_CPUS ? max : MAX_CPUS);
            break;
        }
        enum smp_start r = smp_start_one(started, ids[i], tables);
        if (r == SMP_STARTED) {
            started++;
            __atomic_store_n(&cpu_count, started, __ATOMIC_RELEASE);
        } else if (r == SMP_NO_MEMORY) {
            kprintf("smp: no memory to start the CPU with APIC id %u\n", ids[i]);
        } else {
            /* A late AP would still read the trampoline, its parameters
             * and the tables: leave all of them alone from here on. */
            kprintf("smp: CPU with APIC id %u did not start within %u ms; starting no more\n",
                    ids[i], SMP_ARRIVE_TIMEOUT_MS);
            abandoned = true;
            break;
        }
    }
    if (!abandoned)
        pmm_free_frame(tables); /* the PDPT and PD stay: a few bytes for good */
    kprintf("smp: %u CPU%s online (ACPI lists %u)\n", started, started == 1 ? "" : "s", n);
}

NORETURN void ap_entry(struct cpu *c)
{
    uint32_t expect = AP_STARTING;
    if (!__atomic_compare_exchange_n(&c->start_state, &expect, AP_ARRIVED, false, __ATOMIC_SEQ_CST,
                                     __ATOMIC_SEQ_CST)) {
        /* Too late: the boot CPU gave up on us and may reuse nothing of
         * ours, so touch nothing and stop. */
        for (;;)
            __asm__ volatile("cli; hlt");
    }
    wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)c);
    wrmsr(MSR_KERNEL_GS_BASE, 0);
    gdt_init_cpu(c);
    gdt_set_kernel_stack(c, c->kernel_stack_top);
    idt_load();
    write_cr3(paging_kernel_root());
    cpu_enable_protections();
    arch_fpu_init_cpu();
    syscall_init_cpu();
    lapic_init();
    if (!cap_init_cpu(c->id))
        panic("smp: cpu %u: no memory for its call buffers", c->id);
    lapic_timer_start(TICK_HZ);
    __atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
    arch_irq_disable();
    sched_start();
}

/* ---- IPIs ---- */

void smp_kick(unsigned cpu)
{
    struct cpu *c = this_cpu();
    if (cpu != c->id && cpu < cpu_count && cpus[cpu].online) {
        c->ipis_sent++;
        lapic_send_ipi(cpus[cpu].hw_id, VEC_IPI_RESCHED);
    }
}

uint64_t smp_online_mask(void)
{
    unsigned n = __atomic_load_n(&cpu_count, __ATOMIC_ACQUIRE);
    return n >= 64 ? ~0ULL : (1ULL << n) - 1;
}

void arch_stop_other_cpus(void)
{
    if (__atomic_load_n(&cpu_count, __ATOMIC_ACQUIRE) > 1)
        lapic_send_nmi_others();
}

/* ---- TLB shootdown ---- */

/* Beyond this many pages a whole-TLB flush is cheaper than invlpg each. */
#define SHOOTDOWN_FULL_PAGES 64

static void tlb_flush_local(uint64_t root, uint64_t va, uint64_t pages)
{
    if (pages > SHOOTDOWN_FULL_PAGES) {
        if (root == 0) {
            /* Kernel mappings are global: toggling PGE flushes those too. */
            uint64_t cr4 = read_cr4();
            write_cr4(cr4 & ~(uint64_t)CR4_PGE);
            write_cr4(cr4);
        } else {
            write_cr3(read_cr3());
        }
        return;
    }
    for (uint64_t i = 0; i < pages; i++)
        invlpg(va + i * PAGE_SIZE);
}

void smp_poll(void)
{
    unsigned me = this_cpu()->id;
    if (!(__atomic_load_n(&shootdown_pending, __ATOMIC_ACQUIRE) & (1ULL << me)))
        return;
    uint64_t root = shootdown_root;
    if (root == 0 || (read_cr3() & PTE_ADDR_MASK) == root)
        tlb_flush_local(root, shootdown_va, shootdown_pages);
    __atomic_fetch_and(&shootdown_pending, ~(1ULL << me), __ATOMIC_RELEASE);
}

void tlb_shootdown(uint64_t cpumask, uint64_t root, uint64_t va, uint64_t pages)
{
    unsigned me = this_cpu()->id;
    cpumask &= ~(1ULL << me) & smp_online_mask();
    if (cpumask == 0)
        return;
    spin_lock(&shootdown_lock);
    shootdown_va = va;
    shootdown_pages = pages;
    shootdown_root = root;
    __atomic_store_n(&shootdown_pending, cpumask, __ATOMIC_SEQ_CST);
    for (unsigned i = 0; i < cpu_count; i++) {
        if (cpumask & (1ULL << i))
            lapic_send_ipi(cpus[i].hw_id, VEC_IPI_SHOOTDOWN);
    }
    while (__atomic_load_n(&shootdown_pending, __ATOMIC_ACQUIRE)) {
        smp_poll();
        cpu_relax();
    }
    spin_unlock(&shootdown_lock);
}

void arch_tlb_flush_user(struct process *p, uint64_t va, uint64_t pages)
{
    if ((read_cr3() & PTE_ADDR_MASK) == p->root)
        tlb_flush_local(p->root, va, pages);
    /* The page-table writes must be visible before the mask is read: a CPU
     * that joins the mask afterwards loads the new tables. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    tlb_shootdown(__atomic_load_n(&p->cpus_active, __ATOMIC_RELAXED), p->root, va, pages);
}

void arch_tlb_flush_kernel(uint64_t va, uint64_t pages)
{
    tlb_flush_local(0, va, pages);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    tlb_shootdown(smp_online_mask(), 0, va, pages);
}
