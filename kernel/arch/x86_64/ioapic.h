/*
 * I/O APIC: routes a legacy ISA interrupt to a vector on one CPU (ioapic.c).
 */
#ifndef CAPOS_ARCH_X86_64_IOAPIC_H
#define CAPOS_ARCH_X86_64_IOAPIC_H

#include "base/compiler.h"

/* Delivers ISA IRQ `irq` as `vector` to the CPU with local APIC id
 * `apic_id`, after the MADT's override for that IRQ, if any.  False (and
 * nothing programmed) without an MADT or an I/O APIC that serves it. */
bool ioapic_route_isa(unsigned irq, uint8_t vector, uint32_t apic_id);

#endif
