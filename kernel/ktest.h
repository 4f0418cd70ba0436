/*
 * In-kernel test hooks, compiled only into the test kernel (CAPOS_KTEST).
 * The smoke runner selects one with "ktest=<name>" on the command line; each
 * deliberately triggers a fault or panic so that the report path is tested,
 * except the few that test a kernel mechanism directly and end the machine
 * with their verdict (cow).
 * The production kernel has none of this code.
 */
#ifndef CAPOS_KERNEL_KTEST_H
#define CAPOS_KERNEL_KTEST_H

#ifdef CAPOS_KTEST
#include "base/compiler.h"

void ktest_run(void);

/* Whether the ktest= value `value` names test `name`. */
bool ktest_is(const char *value, const char *name);

/* ktest=cow: demand paging and copy-on-write on bare address spaces
 * (mm/fault_ktest.c); ends the machine with success or failure. */
NORETURN void ktest_cow(void);

/* The architecture's own hooks (kernel/arch/<arch>/): runs the one `which`
 * names and returns true (only if it failed to end the machine), or returns
 * false if `which` names none of them. */
bool arch_ktest_run(const char *which);
#else
static inline void ktest_run(void)
{
}
#endif

#endif
