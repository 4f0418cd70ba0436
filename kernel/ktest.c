/*
 * Test hooks (see ktest.h).  Each hook must end the machine through the
 * fault or panic path; returning means the fault did not happen, which the
 * hook reports as a failure of its own.
 */
#ifdef CAPOS_KTEST
#include "ktest.h"

#include "base/mem.h"
#include "boot_info.h"
#include "mm/ledger.h"
#include "panic.h"
#include "printk.h"

/* Far more frames than the stack holds; volatile so the compiler can
 * neither prove the recursion infinite nor turn it into a loop. */
static volatile int ktest_depth_limit = 1 << 30;

static int ktest_recurse(int depth)
{
    volatile char pad[512];
    pad[0] = (char)depth;
    if (depth >= ktest_depth_limit)
        return 0;
    return ktest_recurse(depth + 1) + pad[0];
}

bool ktest_is(const char *value, const char *name)
{
    size_t n = strlen(name);
    return strncmp(value, name, n) == 0 && (value[n] == '\0' || value[n] == ' ');
}

void ktest_run(void)
{
    const char *which;
    if (!boot_cmdline_has("ktest", &which) || !which)
        return;
    kprintf("ktest: running \"%.16s\"\n", which);
    if (ktest_is(which, "pf")) {
        *(volatile uint64_t *)0xffff9000deadb000ULL = 1;
    } else if (ktest_is(which, "gp")) {
        /* A non-canonical address raises #GP, not #PF. */
        *(volatile uint64_t *)0x8000000000000000ULL = 1;
    } else if (ktest_is(which, "stack")) {
        /* Runs into the boot stack's guard page: reported via the IST stack. */
        ktest_recurse(0);
    } else if (ktest_is(which, "panic")) {
        panic("ktest: deliberate panic with value %d", 42);
    } else if (ktest_is(which, "double-free")) {
        /* The heap must notice a block freed twice, even once its slab
         * frame has gone back to the frame pool's spare. */
        void *p = kmalloc(&kernel_ledger, 100);
        kfree(p);
        kfree(p);
    } else if (ktest_is(which, "wild-free")) {
        uint8_t *p = kmalloc(&kernel_ledger, 100);
        kfree(p + 16);
    } else if (ktest_is(which, "cow")) {
        ktest_cow();
    } else if (!arch_ktest_run(which)) {
        kprintf("ktest: unknown test\n");
        system_exit(SYSTEM_EXIT_FAILURE);
    }
    kprintf("ktest: error: the deliberate fault did not happen\n");
    system_exit(SYSTEM_EXIT_FAILURE);
}
#endif
