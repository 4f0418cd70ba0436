/*
 * kmain: the boot CPU's path from the first C instruction to a running
 * system.  Order matters and each step depends only on the ones before it:
 * console, exception handling, boot information, physical memory, the
 * kernel's page tables, heap, interrupts and time, the boot module, the
 * other CPUs, then the system the manifest describes; the boot CPU then
 * becomes its idle thread.
 * Every step reports what it found, so the serial log is a self-description
 * of the machine and the smoke tests can assert on it.
 */
#include "arch.h"
#include "boot_info.h"
#include "cap.h"
#include "console.h"
#include "ktest.h"
#include "mm/kheap.h"
#include "mm/pmm.h"
#include "objects.h"
#include "panic.h"
#include "printk.h"
#include "reaper.h"
#include "ring.h"
#include "sched.h"
#include "system.h"
#include "time.h"
#include "version.h"

void kmain(uint32_t magic, uint64_t info_pa);

static void report_memory(void)
{
    uint64_t usable = 0;
    kprintf("memory map (%u regions%s):\n", boot_info.mem_count,
            boot_info.mem_truncated ? ", truncated" : "");
    for (unsigned i = 0; i < boot_info.mem_count; i++) {
        const struct boot_mem_region *m = &boot_info.mem[i];
        kprintf("  [0x%012lx-0x%012lx] %-12s %8lu KiB\n", (unsigned long)m->base,
                (unsigned long)(m->base + m->len - 1), boot_mem_type_name(m->type),
                (unsigned long)(m->len >> 10));
        if (m->type == BOOT_MEM_USABLE)
            usable += m->len;
    }
    kprintf("memory: %lu MiB usable, %lu frames free (%lu MiB) after reserving the kernel "
            "and boot data\n",
            (unsigned long)(usable >> 20), (unsigned long)pmm_free_count(),
            (unsigned long)((pmm_free_count() * PAGE_SIZE) >> 20));
}

/* Reports the boot module; the manifest lives there.  Exactly one is
 * required: the kernel has no other source of programs. */
static void report_module(void)
{
    if (boot_info.module_count != 1) {
        kprintf("boot: error: expected exactly one boot module, found %u\n",
                boot_info.module_count);
        system_exit(SYSTEM_EXIT_FAILURE);
    }
    const struct boot_module *m = &boot_info.modules[0];
    kprintf("module: \"%s\" at phys %#lx-%#lx, %lu bytes\n", m->name, (unsigned long)m->start,
            (unsigned long)m->end, (unsigned long)(m->end - m->start));
}

/* Proves the tick runs at its rate: two ticks are enough to see it, and
 * every tick waited for is boot time. */
#define REPORT_TICKS 2

static void report_timer(void)
{
    uint64_t t0 = time_now_ns(), k0 = time_ticks();
    while (time_ticks() < k0 + REPORT_TICKS)
        arch_wait_for_interrupt();
    uint64_t dt = time_now_ns() - t0;
    kprintf("timer: %u Hz tick; %u ticks in %lu us; clock %lu kHz, tick timer %lu kHz\n", TICK_HZ,
            REPORT_TICKS, (unsigned long)(dt / 1000), (unsigned long)(arch_clock_hz() / 1000),
            (unsigned long)(arch_tick_timer_hz() / 1000));
}

void kmain(uint32_t magic, uint64_t info_pa)
{
    console_init();
    kprintf("\ncapOS %s (%s) booting\n", CAPOS_VERSION, ARCH_NAME);
    kprintf("serial: output lines COM2 %s, COM3 %s\n",
            console_port_present(CONSOLE_COM2) ? "present" : "absent",
            console_port_present(CONSOLE_COM3) ? "present" : "absent");
    arch_early_init();
    if (!arch_boot_info(magic, info_pa))
        panic("unknown boot protocol (magic %#x); boot through Multiboot1 or Multiboot2", magic);
    kprintf("boot: %s from \"%s\", command line \"%s\"\n", boot_info.protocol,
            boot_info.loader[0] ? boot_info.loader : "unknown loader", boot_info.cmdline);

    pmm_init(&boot_info);
    arch_paging_init();
    report_memory();
    kprintf("paging: kernel address space live; direct map of %lu MiB\n",
            (unsigned long)(pmm_direct_map_limit() >> 20));
    if (!kheap_self_test())
        panic("kernel heap self-test failed");
    kprintf("heap: self-test passed\n");

    arch_interrupts_init();
    time_init();
    arch_irq_enable();
    report_timer();

    report_module();
    ktest_run();

    arch_user_init_cpu();
    if (!cap_init_cpu(0))
        panic("out of memory for the capability call buffers");
    sched_init_cpu(&cpus[0]);
    ring_fast_init();
    smp_init(0);
    if (console_input_init()) {
        serial_input_enable();
        kprintf("console: Ctrl-T on the serial console prints who waits on what\n");
    } else {
        kprintf("console: no input interrupt; the debug key is off\n");
    }
    kprintf("capOS: boot self-report complete\n");
    const struct boot_module *m = &boot_info.modules[0];
    arch_irq_disable();
    /* Scheduler state is touched with interrupts off only. */
    reaper_start();
    system_start(phys_to_virt(m->start), m->end - m->start);
    sched_start();
}
