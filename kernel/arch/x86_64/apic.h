/*
 * Local APIC (xAPIC, memory-mapped) and the legacy 8259 PIC, which is
 * remapped away from the exception vectors and masked.  The LAPIC timer
 * provides the periodic scheduler tick.
 */
#ifndef CAPOS_ARCH_X86_64_APIC_H
#define CAPOS_ARCH_X86_64_APIC_H

#include "base/compiler.h"

/* Maps and enables the calling CPU's LAPIC (the MMIO window is mapped once). */
void lapic_init(void);
uint32_t lapic_id(void);
void lapic_eoi(void);

/* Measures the LAPIC timer rate against the TSC (tsc_calibrate first); the
 * rate is arch_tick_timer_hz. */
void lapic_timer_calibrate(void);
/* Starts the periodic tick at `hz` on the calling CPU. */
void lapic_timer_start(unsigned hz);

/* Inter-processor interrupts.  lapic_send writes a raw ICR command (INIT,
 * STARTUP, ...) to the CPU with `apic_id`. */
void lapic_send(uint32_t apic_id, uint32_t icr_lo);
void lapic_send_ipi(uint32_t apic_id, uint8_t vector);
/* An NMI to every other CPU (the panic path's stop). */
void lapic_send_nmi_others(void);

/* Remaps the 8259 PIC to VEC_PIC_BASE and masks every line. */
void pic_disable(void);

#endif
