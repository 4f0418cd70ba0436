/*
 * Physical memory manager: owns every 4 KiB frame of RAM.
 *
 * Built once from the boot memory map.  Frames that are not usable RAM, or
 * hold the kernel image, the boot module, the loader's information or the
 * allocator's own bitmap, are never handed out.  All RAM is reachable through
 * the direct map at DIRECT_MAP_VMA; phys_to_virt/virt_to_phys convert.
 * Allocation failure is an ordinary result (0 / false), never a panic.
 */
#ifndef CAPOS_KERNEL_MM_PMM_H
#define CAPOS_KERNEL_MM_PMM_H

#include "base/compiler.h"
#include "arch.h"

#define PAGE_SIZE  4096ULL
#define PAGE_SHIFT 12

struct boot_info;

static inline void *phys_to_virt(uint64_t pa)
{
    return (void *)(uintptr_t)(pa + DIRECT_MAP_VMA);
}

static inline uint64_t virt_to_phys(const void *va)
{
    return (uint64_t)(uintptr_t)va - DIRECT_MAP_VMA;
}

/* Builds the frame bitmap from the memory map; panics only if no usable
 * memory exists at all (nothing could run). */
void pmm_init(const struct boot_info *bi);

/* One zeroed frame; returns false when memory is exhausted. */
bool pmm_alloc_frame(uint64_t *pa);
/* `count` contiguous zeroed frames aligned to `align` frames. */
bool pmm_alloc_frames(uint64_t count, uint64_t align, uint64_t *pa);
/* `count` contiguous frames whose contents are left as they were: for a
 * caller that overwrites every byte it will ever read (spawnImage's copy
 * of an image, which nothing else sees), so that no time goes into
 * zeroing what is copied over at once. */
bool pmm_alloc_run(uint64_t count, uint64_t *pa);
/* Frees frames held once (freeing a shared frame is a kernel bug). */
void pmm_free_frame(uint64_t pa);
void pmm_free_frames(uint64_t pa, uint64_t count);

/*
 * Sharing one allocated frame among several holders (copy-on-write pages
 * mapped in more than one address space).  A frame starts with one holder.
 * pmm_frame_share adds one (false if the count is saturated: the caller
 * copies instead); pmm_frame_put drops one and frees the frame with the
 * last; pmm_frame_shared says whether another holder exists, which only a
 * holder that keeps others from sharing its reference meanwhile (by its
 * process lock) can act on.
 */
bool pmm_frame_share(uint64_t pa);
void pmm_frame_put(uint64_t pa);
bool pmm_frame_shared(uint64_t pa);

/* Until the kernel's page tables cover all RAM, only frames below this limit
 * are handed out (boot.S maps 4 GiB). */
void pmm_set_alloc_limit(uint64_t limit_pa);

uint64_t pmm_free_count(void);
/* Top of RAM that the direct map covers (for pointer sanity checks). */
uint64_t pmm_direct_map_limit(void);
void pmm_set_direct_map_limit(uint64_t limit);

#endif
