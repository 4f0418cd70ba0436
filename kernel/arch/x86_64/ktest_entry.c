/*
 * x86_64 test hooks (test kernel only, see ktest.h) for the GS rule of
 * trap_entry.S: a paranoid vector (NMI, #DB) that arrives while the user's
 * GS base is live in ring 0 -- as one may at the first instruction of
 * syscall_entry or at the final sysretq/iretq -- must still run its handler
 * on this CPU's struct cpu.  Each hook turns interrupts off (a timer tick
 * in the window would meet a broken rule, not the one under test), swaps to
 * the user GS (base 0 before any process runs) and raises the vector with
 * `int`; the handler must report a kernel fault on the right CPU and stop
 * the machine.
 */
#ifdef CAPOS_KTEST
#include "ktest.h"

bool arch_ktest_run(const char *which)
{
    if (ktest_is(which, "nmi-user-gs")) {
        __asm__ volatile("cli\n\tswapgs\n\tint $2\n\tswapgs" ::: "memory");
        return true;
    }
    if (ktest_is(which, "db-user-gs")) {
        __asm__ volatile("cli\n\tswapgs\n\tint $1\n\tswapgs" ::: "memory");
        return true;
    }
    return false;
}
#endif
