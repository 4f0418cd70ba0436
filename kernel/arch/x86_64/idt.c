/*
 * The interrupt descriptor table, shared by all CPUs.  Every vector points at
 * its trap.S stub through an interrupt gate (interrupts stay off on entry);
 * the double fault, NMI and machine check use IST stacks so that they are
 * reported even on a corrupt or exhausted kernel stack.  Only the breakpoint
 * vector is callable from user mode (DPL 3): `int n` for any other n is #GP
 * in the caller, so no stub ever runs with a frame the CPU did not build for
 * its vector (the vectors with an error code above all).  ICEBP (INT1)
 * ignores the gate's DPL and arrives as #DB from ring 3, like a single step.
 */
#include "arch/x86_64/trap.h"

#include "arch/x86_64/arch_cpu.h"
#include "panic.h"

struct idt_entry {
    uint16_t off_lo;
    uint16_t sel;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t off_mid;
    uint32_t off_hi;
    uint32_t zero;
} PACKED;

struct idt_ptr {
    uint16_t limit;
    uint64_t base;
} PACKED;

_Static_assert(sizeof(struct idt_entry) == 16, "IDT entry size is fixed by the CPU");

/* trap_entry.S: 256 stubs, 16 bytes apart. */
extern const char trap_stubs[], trap_stubs_end[];
#define TRAP_STUB(v) ((uint64_t)(uintptr_t)(trap_stubs + 16 * (v)))
static struct idt_entry idt[256] ALIGNED(16);

static void idt_set(int v, uint64_t handler, uint8_t ist, uint8_t dpl)
{
    idt[v].off_lo = handler & 0xFFFF;
    idt[v].sel = GDT_KCODE;
    idt[v].ist = ist;
    idt[v].type_attr = (uint8_t)(0x8E | (dpl << 5)); /* present, 64-bit interrupt gate */
    idt[v].off_mid = (handler >> 16) & 0xFFFF;
    idt[v].off_hi = (uint32_t)(handler >> 32);
    idt[v].zero = 0;
}

void idt_init(void)
{
    if (trap_stubs_end - trap_stubs != 256 * 16)
        panic("idt: trap stubs are %ld bytes, expected 4096", (long)(trap_stubs_end - trap_stubs));
    for (int v = 0; v < 256; v++)
        idt_set(v, TRAP_STUB(v), 0, 0);
    idt_set(VEC_DOUBLE_FAULT, TRAP_STUB(VEC_DOUBLE_FAULT), IST_DOUBLE_FAULT, 0);
    idt_set(VEC_NMI, TRAP_STUB(VEC_NMI), IST_NMI, 0);
    idt_set(VEC_MACHINE_CHECK, TRAP_STUB(VEC_MACHINE_CHECK), IST_MCE, 0);
    idt_set(VEC_BREAKPOINT, TRAP_STUB(VEC_BREAKPOINT), 0, 3);
}

void idt_load(void)
{
    struct idt_ptr p = {sizeof(idt) - 1, (uint64_t)(uintptr_t)idt};
    __asm__ volatile("lidt %0" : : "m"(p));
}
