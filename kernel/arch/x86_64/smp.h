/*
 * Multiprocessor support on x86_64 (smp.c), beyond kernel/arch.h's
 * smp_init, smp_kick, smp_poll and smp_online_mask: TLB shootdown and the
 * MADT the application processors were started from.
 */
#ifndef CAPOS_ARCH_X86_64_SMP_H
#define CAPOS_ARCH_X86_64_SMP_H

#include "base/compiler.h"
#include "arch.h"

/* Flushes [va, va + pages pages) from the TLBs of the CPUs in `cpumask`
 * (other than this one) that have `root` loaded, or, with root 0, of every
 * CPU in the mask (kernel mappings); returns once all have done so. */
void tlb_shootdown(uint64_t cpumask, uint64_t root, uint64_t va, uint64_t pages);

/* The MADT smp_init read (CPUs, I/O APICs, interrupt overrides), or NULL if
 * there was none usable. */
struct acpi_madt;
const struct acpi_madt *smp_madt(void);

#endif
