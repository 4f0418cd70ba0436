/*
 * The context switch, for schedule() alone:
 *
 *   static inline void arch_switch(struct thread *prev, struct thread *next);
 *
 * saves what prev leaves in the CPU (its floating-point state), loads
 * next's (address space, thread pointer, kernel stack) and returns when
 * prev runs again.  It runs on every switch, so the architecture defines
 * it inline; the definition needs the thread, process and CPU structs,
 * which kernel/arch.h (included by their own headers) cannot include, so
 * it comes through this header of its own.
 */
#ifndef CAPOS_KERNEL_SWITCH_H
#define CAPOS_KERNEL_SWITCH_H

#include "percpu.h"
#include "process.h"
#include "thread.h"
#include "arch/x86_64/switch.h"

#endif
