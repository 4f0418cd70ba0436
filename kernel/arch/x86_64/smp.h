/*
 * Multiprocessor support on x86_64 (smp.c): starting the application
 * processors from the ACPI MADT, inter-processor interrupts, and TLB
 * shootdown.
 */
#ifndef CAPOS_ARCH_X86_64_SMP_H
#define CAPOS_ARCH_X86_64_SMP_H

#include "base/compiler.h"

/* Starts every usable CPU the firmware lists (up to MAX_CPUS, or `max` if
 * nonzero); the boot CPU calls it once, before the first process exists. */
void smp_init(unsigned max);

/* Makes `cpu` enter the kernel soon (its need_resched is already set). */
void smp_kick(unsigned cpu);

/* Answers a pending TLB shootdown request for this CPU, if any.  Every loop
 * that spins with interrupts off calls it, so a CPU that waits for a lock
 * held by a shootdown initiator cannot deadlock against it. */
void smp_poll(void);

/* Flushes [va, va + pages pages) from the TLBs of the CPUs in `cpumask`
 * (other than this one) that have `root` loaded, or, with root 0, of every
 * CPU in the mask (kernel mappings); returns once all have done so. */
void tlb_shootdown(uint64_t cpumask, uint64_t root, uint64_t va, uint64_t pages);

/* Bitmask of online CPUs. */
uint64_t smp_online_mask(void);

/* The MADT smp_init read (CPUs, I/O APICs, interrupt overrides), or NULL if
 * there was none usable. */
struct acpi_madt;
const struct acpi_madt *smp_madt(void);

#endif
