/* Boot-CPU initialisation steps, called in order from kmain (see cpu_init.c). */
#ifndef CAPOS_ARCH_X86_64_CPU_INIT_H
#define CAPOS_ARCH_X86_64_CPU_INIT_H

/* GDT, TSS, GS base and IDT: exceptions are reported from here on. */
void cpu_early_init(void);
/* SMEP, SMAP, global pages, write protection; after paging_init. */
void cpu_enable_protections(void);
/* Legacy PIC off, local APIC on. */
void cpu_interrupts_init(void);

#endif
