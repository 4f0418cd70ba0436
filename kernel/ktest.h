/*
 * In-kernel test hooks, compiled only into the test kernel (CAPOS_KTEST).
 * The smoke runner selects one with "ktest=<name>" on the command line; each
 * deliberately triggers a fault or panic so that the report path is tested.
 * The production kernel has none of this code.
 */
#ifndef CAPOS_KERNEL_KTEST_H
#define CAPOS_KERNEL_KTEST_H

#ifdef CAPOS_KTEST
void ktest_run(void);
#else
static inline void ktest_run(void)
{
}
#endif

#endif
