/*
 * CPU bring-up steps of x86_64 beyond kernel/arch.h's (see cpu_init.c),
 * shared by the boot CPU and the application processors (smp.c).
 */
#ifndef CAPOS_ARCH_X86_64_CPU_INIT_H
#define CAPOS_ARCH_X86_64_CPU_INIT_H

/* SMEP, SMAP, global pages, write protection; after paging_init. */
void cpu_enable_protections(void);

/* The SYSCALL entry's MSRs on this CPU (syscall.c). */
void syscall_init_cpu(void);

#endif
