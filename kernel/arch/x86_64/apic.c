/*
 * Local APIC driver (xAPIC mode through MMIO).
 *
 * The MMIO page is mapped uncached once; every CPU's LAPIC appears at the
 * same physical address, so the mapping is shared.  The timer is calibrated
 * once against the TSC (divide-by-16, one-shot count over a fixed TSC
 * interval) and then runs in periodic mode on each CPU.
 */
#include "arch/x86_64/apic.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/trap.h"
#include "arch/x86_64/tsc.h"
#include "panic.h"

enum {
    LAPIC_ID = 0x020,
    LAPIC_TPR = 0x080,
    LAPIC_EOI = 0x0B0,
    LAPIC_SVR = 0x0F0,
    LAPIC_ICR_LO = 0x300,
    LAPIC_ICR_HI = 0x310,
    LAPIC_LVT_TIMER = 0x320,
    LAPIC_TIMER_INIT = 0x380,
    LAPIC_TIMER_CUR = 0x390,
    LAPIC_TIMER_DIV = 0x3E0,
};

#define LVT_MASKED       (1u << 16)
#define LVT_TIMER_PERIOD (1u << 17)
#define APIC_BASE_ENABLE (1u << 11)

static volatile uint32_t *lapic_regs;
static uint64_t lapic_hz; /* timer input clock after the divide-by-16 */

static inline uint32_t lapic_read(uint32_t reg)
{
    return lapic_regs[reg / 4];
}

static inline void lapic_write(uint32_t reg, uint32_t v)
{
    lapic_regs[reg / 4] = v;
}

void lapic_init(void)
{
    uint64_t base = rdmsr(MSR_APIC_BASE);

    if (!lapic_regs) {
        lapic_regs = mmio_map(base & 0xFFFFF000ULL, 4096);
        if (!lapic_regs)
            panic("apic: cannot map the local APIC");
    }
    wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
    lapic_write(LAPIC_TPR, 0);
    lapic_write(LAPIC_SVR, 0x100 | VEC_SPURIOUS); /* software enable */
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
}

uint32_t lapic_id(void)
{
    return lapic_read(LAPIC_ID) >> 24;
}

void lapic_eoi(void)
{
    lapic_write(LAPIC_EOI, 0);
}

void lapic_timer_calibrate(void)
{
    /* 2 ms: over 100,000 counts of the timer at the clocks seen so far,
     * far finer than a tick needs. */
    const uint64_t interval_us = 2000;
    uint64_t start, end;
    uint32_t left;

    lapic_write(LAPIC_TIMER_DIV, 0x3); /* divide by 16 */
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
    lapic_write(LAPIC_TIMER_INIT, 0xFFFFFFFFu);
    start = rdtsc();
    end = start + tsc_hz() * interval_us / 1000000;
    while (rdtsc() < end)
        cpu_relax();
    left = lapic_read(LAPIC_TIMER_CUR);
    lapic_write(LAPIC_TIMER_INIT, 0);
    lapic_hz = (uint64_t)(0xFFFFFFFFu - left) * (1000000 / interval_us);
    if (lapic_hz == 0)
        panic("apic: the local APIC timer does not count");
}

void lapic_timer_start(unsigned hz)
{
    uint64_t count = lapic_hz / hz;
    if (count == 0 || count > 0xFFFFFFFFu)
        panic("apic: tick rate %u Hz not reachable with timer clock %lu Hz", hz,
              (unsigned long)lapic_hz);
    lapic_write(LAPIC_TIMER_DIV, 0x3);
    lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_PERIOD | VEC_TIMER);
    lapic_write(LAPIC_TIMER_INIT, (uint32_t)count);
}

uint64_t lapic_timer_hz(void)
{
    return lapic_hz;
}

/* Waits until the previous IPI left the local APIC (the delivery-status bit
 * clears); bounded so a wedged APIC cannot hang the caller forever. */
static void lapic_icr_wait(void)
{
    for (unsigned i = 0; i < 1000000 && (lapic_read(LAPIC_ICR_LO) & (1u << 12)); i++)
        cpu_relax();
}

void lapic_send(uint32_t apic_id, uint32_t icr_lo)
{
    lapic_icr_wait();
    lapic_write(LAPIC_ICR_HI, apic_id << 24);
    lapic_write(LAPIC_ICR_LO, icr_lo);
    lapic_icr_wait();
}

void lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
    lapic_send(apic_id, vector); /* fixed delivery, physical destination, edge */
}

void lapic_send_nmi_others(void)
{
    /* Destination shorthand "all excluding self", delivery mode NMI. */
    lapic_send(0, (3u << 18) | (4u << 8));
}

void pic_disable(void)
{
    /* ICW1-4: cascade, vector offsets, wiring, 8086 mode; then mask all. */
    outb(0x20, 0x11);
    outb(0xA0, 0x11);
    outb(0x21, VEC_PIC_BASE);
    outb(0xA1, VEC_PIC_BASE + 8);
    outb(0x21, 0x04);
    outb(0xA1, 0x02);
    outb(0x21, 0x01);
    outb(0xA1, 0x01);
    outb(0x21, 0xFF);
    outb(0xA1, 0xFF);
}
