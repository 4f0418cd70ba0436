/*
 * The saved CPU state of an interrupt or exception, as trap_entry.S builds
 * it, and the vectors the kernel uses.
 */
#ifndef CAPOS_ARCH_X86_64_TRAP_H
#define CAPOS_ARCH_X86_64_TRAP_H

#include "base/compiler.h"

struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

_Static_assert(sizeof(struct trap_frame) == 22 * 8, "trap_entry.S builds this layout");
_Static_assert(offsetof(struct trap_frame, cs) == 18 * 8, "trap_entry.S tests CS at 24(%rsp)");
/* trap_frame.inc's offsets, for the entry code. */
_Static_assert(offsetof(struct trap_frame, rip) == 17 * 8 &&
                   offsetof(struct trap_frame, rflags) == 19 * 8 &&
                   offsetof(struct trap_frame, ss) == 21 * 8,
               "TF_RIP, TF_RFLAGS and TF_SS in trap_frame.inc");

enum {
    VEC_DIVIDE = 0,
    VEC_DEBUG = 1,
    VEC_NMI = 2,
    VEC_BREAKPOINT = 3,
    VEC_INVALID_OPCODE = 6,
    VEC_DEVICE_NA = 7,
    VEC_DOUBLE_FAULT = 8,
    VEC_GP = 13,
    VEC_PAGE_FAULT = 14,
    VEC_MACHINE_CHECK = 18,
    VEC_TIMER = 32,
    VEC_CONSOLE = 36,         /* serial console input (ISA IRQ 4, through the I/O APIC) */
    VEC_IPI_RESCHED = 0xF0,   /* another CPU made a thread runnable here */
    VEC_IPI_SHOOTDOWN = 0xF1, /* flush TLB entries another CPU unmapped */
    VEC_PIC_BASE = 0xE0,      /* legacy PIC, remapped here and masked */
    VEC_SPURIOUS = 0xFF,
};

/* Page-fault error code bits. */
enum {
    PF_PRESENT = 1 << 0,  /* a protection violation (else: not present) */
    PF_WRITE = 1 << 1,    /* the access was a write */
    PF_USER = 1 << 2,     /* from user mode */
    PF_RESERVED = 1 << 3, /* a reserved bit was set in an entry */
    PF_FETCH = 1 << 4,    /* an instruction fetch */
};

static inline bool trap_from_user(const struct trap_frame *f)
{
    return (f->cs & 3) != 0;
}

void idt_init(void);
void idt_load(void);

/* C entries from trap_entry.S. */
void trap_dispatch(struct trap_frame *f);
NORETURN void trap_user_frame_fault(struct trap_frame *f);

#endif
