/*
 * Physical frame bitmap: the allocator core behind the kernel's physical
 * memory manager, kept pure so it is tested on the host.
 *
 * One bit per 4 KiB frame, 1 = in use (or not RAM), 0 = free.  The bitmap
 * starts all-used and the boot code frees the usable ranges of the memory
 * map, so anything the map does not describe can never be handed out.
 * free_count is kept exact; a search hint makes single-frame allocation
 * amortised O(1) for the common pattern.  The caller provides the storage and
 * any locking.
 */
#ifndef CAPOS_LIB_MM_FRAME_BITMAP_H
#define CAPOS_LIB_MM_FRAME_BITMAP_H

#include "base/compiler.h"

struct frame_bitmap {
    uint64_t *words;
    uint64_t nframes;
    uint64_t free_count;
    uint64_t hint; /* word index where the next single-frame search starts */
};

enum frame_bitmap_err {
    FRAME_BITMAP_OK = 0,
    FRAME_BITMAP_RANGE,        /* frame or range outside the bitmap */
    FRAME_BITMAP_DOUBLE_FREE,  /* freeing a frame that is already free */
    FRAME_BITMAP_NO_MEMORY,    /* no frame (or no contiguous run) available */
    FRAME_BITMAP_BAD_ARGUMENT, /* zero count, or alignment not a power of two */
};

/* Words of storage needed for nframes frames. */
static inline uint64_t frame_bitmap_words(uint64_t nframes)
{
    return (nframes + 63) / 64;
}

/* Initialises with every frame marked used; `words` holds frame_bitmap_words(n). */
void frame_bitmap_init(struct frame_bitmap *fb, uint64_t *words, uint64_t nframes);

/* Marks [first, first+count) free or used regardless of current state. */
enum frame_bitmap_err frame_bitmap_mark_free(struct frame_bitmap *fb, uint64_t first,
                                             uint64_t count);
enum frame_bitmap_err frame_bitmap_mark_used(struct frame_bitmap *fb, uint64_t first,
                                             uint64_t count);

/* Allocates one frame. */
enum frame_bitmap_err frame_bitmap_alloc(struct frame_bitmap *fb, uint64_t *out);

/*
 * Allocates `count` contiguous frames whose first frame is a multiple of
 * `align` (a power of two, in frames) and which all lie below `limit`
 * (exclusive, in frames; 0 = no limit).
 */
enum frame_bitmap_err frame_bitmap_alloc_run(struct frame_bitmap *fb, uint64_t count,
                                             uint64_t align, uint64_t limit, uint64_t *out);

/* Frees one frame that must currently be allocated. */
enum frame_bitmap_err frame_bitmap_free(struct frame_bitmap *fb, uint64_t frame);

/* Frees a run; fails without change if any frame of it is already free. */
enum frame_bitmap_err frame_bitmap_free_run(struct frame_bitmap *fb, uint64_t first,
                                            uint64_t count);

bool frame_bitmap_is_used(const struct frame_bitmap *fb, uint64_t frame);

#endif
