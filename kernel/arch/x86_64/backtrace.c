/*
 * Frame-pointer backtraces (the kernel is built with -fno-omit-frame-pointer).
 * Each frame is [saved rbp][return address].  The walk only follows frame
 * pointers that are 8-byte aligned, lie in mapped kernel memory and strictly
 * increase, so a corrupt chain ends the trace instead of faulting.
 */
#include "panic.h"

#include "arch/x86_64/boot_defs.h"
#include "ksyms.h"
#include "arch/x86_64/paging.h"
#include "printk.h"

extern const char __kernel_start[], __kernel_end[];

static bool backtrace_readable(uintptr_t p)
{
    if (p & 7)
        return false;
    /* A 16-byte frame at an 8-aligned address spans at most two pages. */
    return p >= DIRECT_MAP_VMA && paging_is_mapped(p) && paging_is_mapped(p + 8);
}

/* Return addresses point after the call, which may already be the next
 * function: frames above #0 are looked up one byte earlier. */
static void backtrace_line(int i, uintptr_t addr)
{
    uintptr_t off;
    uintptr_t probe = i == 0 ? addr : addr - 1;
    const char *name = ksyms_lookup(probe, &off);
    if (name)
        kprintf("      #%d %#018lx <%s+%#lx>\n", i, (unsigned long)addr, name,
                (unsigned long)(off + (addr - probe)));
    else
        kprintf("      #%d %#018lx\n", i, (unsigned long)addr);
}

/* Deep recursion would push the interesting frames out of the report, so
 * runs of identical return addresses print once with a repeat count. */
void backtrace_print(uintptr_t rip, uintptr_t rbp)
{
    uintptr_t last = 0;
    unsigned repeats = 0, lines = 1;

    kprintf("    backtrace:\n");
    backtrace_line(0, rip);
    for (int walked = 0; walked < 100000 && rbp && lines < 32; walked++) {
        if (!backtrace_readable(rbp))
            break;
        const uintptr_t *frame = (const uintptr_t *)rbp;
        uintptr_t ret = frame[1];
        if (ret < (uintptr_t)__kernel_start || ret >= (uintptr_t)__kernel_end)
            break;
        if (ret == last) {
            repeats++;
        } else {
            if (repeats)
                kprintf("      ... previous frame repeated %u more times\n", repeats);
            repeats = 0;
            backtrace_line((int)lines++, ret);
            last = ret;
        }
        if (frame[0] <= rbp)
            break;
        rbp = frame[0];
    }
    if (repeats)
        kprintf("      ... previous frame repeated %u more times\n", repeats);
}
