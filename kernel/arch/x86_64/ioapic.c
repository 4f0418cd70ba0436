/*
 * I/O APIC driver: just enough to route one legacy ISA interrupt (the
 * serial console's receive interrupt) to a vector on one CPU.
 *
 * The MADT (read at start-up by smp.c) lists the I/O APICs with the first
 * global system interrupt (GSI) each serves, and the interrupt source
 * overrides that move an ISA IRQ to another GSI or give it a non-ISA
 * polarity or trigger mode.  An ISA IRQ without an override is the GSI of
 * the same number, active high, edge triggered.  Each I/O APIC is reached
 * through two MMIO registers, an index and a window; redirection entry n is
 * the 64-bit register pair 0x10 + 2n.  Entries that no one routes stay
 * masked as the firmware left them.
 */
#include "arch/x86_64/ioapic.h"

#include "acpi/acpi.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/smp.h"

#define IOAPIC_REGSEL    0x00
#define IOAPIC_WINDOW    0x10
#define IOAPIC_VERSION   0x01
#define IOAPIC_REDIR     0x10

#define REDIR_ACTIVE_LOW (1u << 13)
#define REDIR_LEVEL      (1u << 15)
#define REDIR_MASKED     (1u << 16)

static uint32_t ioapic_read(volatile uint32_t *regs, uint32_t reg)
{
    regs[IOAPIC_REGSEL / 4] = reg;
    return regs[IOAPIC_WINDOW / 4];
}

static void ioapic_write(volatile uint32_t *regs, uint32_t reg, uint32_t v)
{
    regs[IOAPIC_REGSEL / 4] = reg;
    regs[IOAPIC_WINDOW / 4] = v;
}

bool ioapic_route_isa(unsigned irq, uint8_t vector, uint32_t apic_id)
{
    const struct acpi_madt *m = smp_madt();
    if (!m)
        return false;
    uint32_t gsi = irq;
    bool low = false, level = false;
    for (uint32_t i = 0; i < m->noverrides; i++) {
        const struct acpi_override *o = &m->overrides[i];
        if (o->source != irq)
            continue;
        gsi = o->gsi;
        low = ACPI_ISO_POLARITY(o->flags) == ACPI_ISO_ACTIVE_LOW;
        level = ACPI_ISO_TRIGGER(o->flags) == ACPI_ISO_LEVEL;
    }
    for (uint32_t i = 0; i < m->nioapics; i++) {
        const struct acpi_ioapic *a = &m->ioapics[i];
        if (gsi < a->gsi_base)
            continue;
        volatile uint32_t *regs = mmio_map(a->addr, 4096);
        if (!regs)
            return false;
        uint32_t entries = ((ioapic_read(regs, IOAPIC_VERSION) >> 16) & 0xff) + 1;
        uint32_t pin = gsi - a->gsi_base;
        if (pin >= entries)
            continue;
        uint32_t lo = vector | (low ? REDIR_ACTIVE_LOW : 0) | (level ? REDIR_LEVEL : 0);
        /* Masked while the destination is written, so no half-written
         * entry ever delivers; fixed delivery, physical destination. */
        ioapic_write(regs, IOAPIC_REDIR + 2 * pin, lo | REDIR_MASKED);
        ioapic_write(regs, IOAPIC_REDIR + 2 * pin + 1, apic_id << 24);
        ioapic_write(regs, IOAPIC_REDIR + 2 * pin, lo);
        return true;
    }
    return false;
}
