/*
 * The clock page and the wall clock.
 *
 * At boot the RTC gives the wall-clock time in whole seconds; REALTIME is
 * that time plus the monotonic time since (realtime_offset = RTC seconds in
 * ns - the monotonic time at the reading).  Nothing sets the clock later,
 * so the page is written once, before any process can map it; the sequence
 * count protocol is followed all the same, so a reader never depends on
 * that.
 *
 * The page's mode says whether it can be read in user mode.  It describes
 * the kernel's own clock, the TSC (arch/x86_64/tsc.c), exactly: a user-mode
 * reading is what Timer.now would return at that instant.  So the mode is
 * TSC whenever the kernel's clock is the TSC, which in this kernel is
 * always: a CPU whose TSC does not tick at a constant rate, or differs
 * between CPUs, makes the kernel's clock just as wrong, and user mode can
 * do no better by calling in.  A kernel with another clock source would set
 * mode NONE, and readers fall back to the Timer calls (lib/clock/clock.h).
 *
 * Mapping: one frame shared by every process, mapped read-only and
 * user-accessible at CAPOS_USER_CLOCK_VA, in the bootstrap area that
 * VirtualMemory never maps or unmaps.  The page tables it needs are charged
 * to the process like any other; the frame belongs to nobody and is never
 * freed, so teardown unmaps it before freeing the process's frames.
 * process->clock_mapped (under the process lock) makes mapping idempotent.
 */
#include "clockpage.h"

#include "abi/clock.h"
#include "abi/errors.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/rtc.h"
#include "arch/x86_64/tsc.h"
#include "kerr.h"
#include "mm/pmm.h"
#include "panic.h"
#include "printk.h"
#include "process.h"
#include "time.h"

static uint64_t clock_page_pa;
static struct capos_clock_page *clock_page;

void clock_page_init(void)
{
    if (!pmm_alloc_frame(&clock_page_pa))
        panic("clock: no frame for the clock page");
    clock_page = phys_to_virt(clock_page_pa);
    uint64_t rtc_s = 0;
    bool rtc = rtc_read_epoch(&rtc_s);
    uint64_t mono = time_now_ns();
    struct tsc_params tp = tsc_params();
    struct capos_clock_page *pg = clock_page;
    __atomic_store_n(&pg->seq, pg->seq + 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    pg->version = CAPOS_CLOCK_VERSION;
    pg->mode = CAPOS_CLOCK_MODE_TSC;
    pg->tsc_shift = tp.shift;
    pg->tsc_base = tp.base;
    pg->tsc_mult = tp.mult;
    pg->tsc_hz = tsc_hz();
    pg->realtime_boot_s = rtc ? rtc_s : 0;
    pg->realtime_offset = rtc ? rtc_s * 1000000000ULL - mono : 0;
    __atomic_store_n(&pg->seq, pg->seq + 1, __ATOMIC_RELEASE);
    if (rtc)
        kprintf("clock: rtc %lu s since 1970 at boot; clock page at %#lx\n", (unsigned long)rtc_s,
                (unsigned long)clock_page_pa);
    else
        kprintf("clock: the RTC could not be read; REALTIME counts from boot\n");
}

uint64_t clock_realtime_ns(void)
{
    return time_now_ns() + __atomic_load_n(&clock_page->realtime_offset, __ATOMIC_RELAXED);
}

int clock_page_map(struct process *p)
{
    int err = CAPOS_OK;
    spin_lock(&p->lock);
    if (!p->root || p->state != PROCESS_ALIVE) {
        err = CAPOS_ERR_PEER_GONE;
    } else if (!p->clock_mapped) {
        int r =
            paging_map(p->root, CAPOS_USER_CLOCK_VA, clock_page_pa, MAP_READ | MAP_USER, p->ledger);
        if (r == KERR_OK)
            p->clock_mapped = true;
        else if (r == KERR_EXISTS) /* nothing else maps there: a kernel bug */
            panic("clock: %s has a mapping at the clock page's address", p->name);
        else
            err = ledger_room(p->ledger) == 0 ? CAPOS_ERR_QUOTA_EXCEEDED : CAPOS_ERR_NO_MEMORY;
    }
    spin_unlock(&p->lock);
    return err;
}

void clock_page_unmap(struct process *p, uint64_t root)
{
    uint64_t pa;
    if (p->clock_mapped && paging_unmap(root, CAPOS_USER_CLOCK_VA, &pa) && pa != clock_page_pa)
        panic("clock: %s had another frame at the clock page's address", p->name);
    p->clock_mapped = false;
}
