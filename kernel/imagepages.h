/*
 * Shared image pages: the read-only pages of the boot binaries (text,
 * read-only data, headers), one frame per page, made the first time a
 * process of that binary is made and kept until the machine halts, and
 * mapped read-only into every process that runs the binary instead of a
 * copy per process.
 *
 * Accounting (docs/virtual-memory.md, "Shared image pages"): the frames,
 * and the one-frame record per binary that lists them, are the kernel's,
 * charged to kernel_ledger when made, as the boot module that holds the
 * binaries is the kernel's; a process that maps one is charged nothing
 * for it (its entry carries MAP_UNCHARGED, which teardown honours).  Their
 * number is bounded by the manifest: image_pages_bound() is added to the
 * kernel's reserve before init's quota is set (system.c), so no process
 * quota counts on frames this cache may take later.
 *
 * Lifetime: each frame keeps one holder for the cache, never dropped, and
 * one per mapping (pmm_frame_share), which teardown drops; so a frame is
 * never freed.  Nor is it ever written after it is filled: its mappings are
 * read-only and lie in no VirtualMemory region, so no fault makes them
 * writable (mm/fault.c denies a write outside a region) and no kernel copy
 * writes through them (uspace.c asks for writable pages).
 */
#ifndef CAPOS_KERNEL_IMAGEPAGES_H
#define CAPOS_KERNEL_IMAGEPAGES_H

#include "base/compiler.h"
#include "elf/elf.h"

/* Fills the page at va of segment s of `image` as the program sees it at
 * the start: the part of the file that falls in it, zeros elsewhere (dst
 * is a zeroed page). */
void image_page_fill(void *dst, const uint8_t *image, const struct elf_segment *s, uint64_t va);

/*
 * The shared frame of page va of read-only segment `seg` of the boot binary
 * `image` (parsed into info, identified by its address, which the boot
 * module keeps for the machine's life), made on first use, with a holder
 * added for the caller's mapping: the caller maps it read-only with
 * MAP_UNCHARGED, or drops the holder (pmm_frame_put).  False when it
 * cannot be shared (memory exhausted, the binary's record full, the
 * frame's holder count saturated): the caller then maps a private copy,
 * charged as before.
 */
bool image_page_get(const uint8_t *image, const struct elf_info *info, unsigned seg, uint64_t va,
                    uint64_t *pa) WARN_UNUSED;

/* The most frames the cache can take for a manifest of `binaries` binaries
 * whose read-only segments span `pages` pages in all. */
uint64_t image_pages_bound(uint64_t binaries, uint64_t pages);

#endif
