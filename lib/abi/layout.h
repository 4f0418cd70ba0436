/*
 * The user part of every address space, as the kernel lays it out and
 * programs and tests rely on it: one home for these addresses.
 *
 *   [CAPOS_USER_MIN, CAPOS_USER_MAP_MAX)   program images and VirtualMemory
 *                                          mappings; the kernel chooses
 *                                          addresses from CAPOS_USER_AUTO_BASE
 *   CAPOS_USER_STACK_TOP                   the first thread's stack, below it
 *   CAPOS_USER_RING_VA                     the first thread's ring; later
 *                                          threads' rings below it
 *   CAPOS_USER_CAPSET_VA                   the CapSet (lib/abi/capset.h)
 *   CAPOS_USER_CLOCK_VA                    the clock page, where Timer.mapClock
 *                                          maps it (lib/abi/clock.h)
 *   CAPOS_USER_MAX                         end of the user range
 *
 * The lowest 64 KiB stay unmapped so that null-pointer accesses fault.  The
 * bootstrap regions (stack, CapSet, rings) sit at fixed addresses above
 * CAPOS_USER_MAP_MAX, out of reach of any mapping a program asks for; their
 * addresses are also passed to _start in registers.  The first ring, the
 * CapSet and the clock page share one 2 MiB-aligned block, with unmapped
 * space between them, so that one page table maps all three.
 */
#ifndef CAPOS_LIB_ABI_LAYOUT_H
#define CAPOS_LIB_ABI_LAYOUT_H

#define CAPOS_USER_MIN        0x0000000000010000ULL
#define CAPOS_USER_AUTO_BASE  0x0000100000000000ULL
#define CAPOS_USER_MAP_MAX    0x00007f0000000000ULL
#define CAPOS_USER_STACK_TOP  0x00007ffff0000000ULL
#define CAPOS_USER_STACK_SIZE (256 * 1024)
#define CAPOS_USER_RING_VA    0x00007fffff000000ULL
#define CAPOS_USER_CAPSET_VA  0x00007fffff100000ULL
#define CAPOS_USER_CLOCK_VA   0x00007fffff180000ULL
#define CAPOS_USER_MAX        0x00007ffffffff000ULL

_Static_assert(CAPOS_USER_MIN < CAPOS_USER_AUTO_BASE && CAPOS_USER_AUTO_BASE < CAPOS_USER_MAP_MAX,
               "user layout");
_Static_assert(CAPOS_USER_MAP_MAX <= CAPOS_USER_STACK_TOP - CAPOS_USER_STACK_SIZE &&
                   CAPOS_USER_STACK_TOP < CAPOS_USER_RING_VA &&
                   CAPOS_USER_RING_VA < CAPOS_USER_CAPSET_VA &&
                   CAPOS_USER_CAPSET_VA < CAPOS_USER_CLOCK_VA &&
                   CAPOS_USER_CLOCK_VA < CAPOS_USER_MAX,
               "user layout");
_Static_assert(CAPOS_USER_RING_VA % 0x200000 == 0 &&
                   CAPOS_USER_CLOCK_VA - CAPOS_USER_RING_VA < 0x200000,
               "the first ring, the CapSet and the clock page share a 2 MiB block");

#endif
