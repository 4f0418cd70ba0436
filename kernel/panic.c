/*
 * panic(): the single path by which the kernel gives up.  It is re-entrancy
 * safe: a fault or panic while already panicking skips straight to the exit,
 * so a broken console or backtrace cannot loop.
 */
#include "panic.h"

#include <stdarg.h>

#include "arch.h"
#include "percpu.h"
#include "printk.h"

static int panic_depth;
static int panic_cpu = -1; /* the CPU reporting */

NORETURN void panic(const char *fmt, ...)
{
    va_list ap;

    if (!panic_begin())
        system_exit(SYSTEM_EXIT_FAILURE);
    kprintf("\n*** KERNEL PANIC: ");
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
    kprintf("\n");
    /* Start at our caller: its return address and its saved frame pointer. */
    backtrace_print((uintptr_t)__builtin_return_address(0),
                    *(const uintptr_t *)__builtin_frame_address(0));
    kprintf("*** system halted (failure)\n");
    system_exit(SYSTEM_EXIT_FAILURE);
}

bool panic_begin(void)
{
    arch_irq_disable();
    int me = (int)this_cpu()->id;
    int none = -1;
    if (!__atomic_compare_exchange_n(&panic_cpu, &none, me, false, __ATOMIC_SEQ_CST,
                                     __ATOMIC_SEQ_CST)) {
        /* A second panic on another CPU waits for the first report (which
         * ends the machine); on the same CPU it is a fault while reporting,
         * and the caller exits at once. */
        if (none != me)
            arch_halt_forever();
        return false;
    }
    __atomic_fetch_add(&panic_depth, 1, __ATOMIC_SEQ_CST);
    arch_stop_other_cpus();
    printk_enter_panic();
    return true;
}

bool panic_in_progress(void)
{
    return __atomic_load_n(&panic_depth, __ATOMIC_SEQ_CST) > 0;
}

NORETURN void system_exit(enum system_exit_code code)
{
    arch_system_exit((int)code);
}
