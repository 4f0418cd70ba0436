/*
 * The clock page (lib/abi/clock.h): one frame holding the kernel's time
 * data, filled at boot and mapped read-only into processes by
 * Timer.mapClock, and the wall clock behind it.
 */
#ifndef CAPOS_KERNEL_CLOCKPAGE_H
#define CAPOS_KERNEL_CLOCKPAGE_H

#include "base/compiler.h"

struct process;

/* Reads the RTC and fills the page; after tsc_calibrate, on the boot CPU,
 * before any process exists.  Panics only if no frame is left at boot. */
void clock_page_init(void);

/* REALTIME now, in nanoseconds since 1970 (what the page gives). */
uint64_t clock_realtime_ns(void);

/* Maps the page into p at CAPOS_USER_CLOCK_VA, once (later calls find it
 * mapped and do nothing); the page tables are charged to p's ledger.
 * Returns an ErrorCode: ok, quotaExceeded, noMemory, peerGone (p's address
 * space is gone). */
int clock_page_map(struct process *p);

/* Process teardown: takes the shared page out of p's tables, which the
 * caller (holding p's lock) is about to free with every frame left in
 * them. */
void clock_page_unmap(struct process *p, uint64_t root);

#endif
