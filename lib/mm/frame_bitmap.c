/*
 * Frame bitmap implementation.  Bits beyond nframes in the last word are
 * kept set so the word-at-a-time search never returns a frame past the end.
 */
#include "mm/frame_bitmap.h"

#include "base/checked.h"

static inline bool fb_bit(const struct frame_bitmap *fb, uint64_t f)
{
    return (fb->words[f / 64] >> (f % 64)) & 1;
}

static inline void fb_set(struct frame_bitmap *fb, uint64_t f)
{
    fb->words[f / 64] |= 1ULL << (f % 64);
}

static inline void fb_clear(struct frame_bitmap *fb, uint64_t f)
{
    fb->words[f / 64] &= ~(1ULL << (f % 64));
}

void frame_bitmap_init(struct frame_bitmap *fb, uint64_t *words, uint64_t nframes)
{
    uint64_t n = frame_bitmap_words(nframes);
    fb->words = words;
    fb->nframes = nframes;
    fb->free_count = 0;
    fb->hint = 0;
    for (uint64_t i = 0; i < n; i++)
        words[i] = ~0ULL;
}

enum frame_bitmap_err frame_bitmap_mark_free(struct frame_bitmap *fb, uint64_t first,
                                             uint64_t count)
{
    if (!range_within(first, count, fb->nframes))
        return FRAME_BITMAP_RANGE;
    for (uint64_t f = first; f < first + count; f++) {
        if (fb_bit(fb, f)) {
            fb_clear(fb, f);
            fb->free_count++;
        }
    }
    if (count && first / 64 < fb->hint)
        fb->hint = first / 64;
    return FRAME_BITMAP_OK;
}

enum frame_bitmap_err frame_bitmap_mark_used(struct frame_bitmap *fb, uint64_t first,
                                             uint64_t count)
{
    if (!range_within(first, count, fb->nframes))
        return FRAME_BITMAP_RANGE;
    for (uint64_t f = first; f < first + count; f++) {
        if (!fb_bit(fb, f)) {
            fb_set(fb, f);
            fb->free_count--;
        }
    }
    return FRAME_BITMAP_OK;
}

enum frame_bitmap_err frame_bitmap_alloc(struct frame_bitmap *fb, uint64_t *out)
{
    uint64_t nwords = frame_bitmap_words(fb->nframes);

    if (fb->free_count == 0)
        return FRAME_BITMAP_NO_MEMORY;
    for (uint64_t i = 0; i < nwords; i++) {
        uint64_t w = fb->hint + i;
        if (w >= nwords)
            w -= nwords;
        if (fb->words[w] != ~0ULL) {
            uint64_t f = w * 64 + (uint64_t)__builtin_ctzll(~fb->words[w]);
            if (f >= fb->nframes)
                continue;
            fb_set(fb, f);
            fb->free_count--;
            fb->hint = w;
            *out = f;
            return FRAME_BITMAP_OK;
        }
    }
    /* free_count said otherwise: only reachable if the bitmap was corrupted. */
    return FRAME_BITMAP_NO_MEMORY;
}

/* The first free frame at or after f, or `end` if none comes before it. */
static uint64_t fb_next_free(const struct frame_bitmap *fb, uint64_t f, uint64_t end)
{
    while (f < end) {
        uint64_t free_bits = ~fb->words[f / 64] >> (f % 64);
        if (free_bits) {
            uint64_t n = f + (uint64_t)__builtin_ctzll(free_bits);
            return n < end ? n : end;
        }
        f = (f / 64 + 1) * 64;
    }
    return end;
}

enum frame_bitmap_err frame_bitmap_alloc_run(struct frame_bitmap *fb, uint64_t count,
                                             uint64_t align, uint64_t limit, uint64_t *out)
{
    uint64_t end = fb->nframes;

    if (count == 0 || align == 0 || (align & (align - 1)) != 0)
        return FRAME_BITMAP_BAD_ARGUMENT;
    if (limit && limit < end)
        end = limit;
    if (count > fb->free_count || count > end)
        return FRAME_BITMAP_NO_MEMORY;

    uint64_t first = fb_next_free(fb, 0, end);
    uint64_t start0;
    if (!checked_add_u64(first, align - 1, &start0))
        return FRAME_BITMAP_NO_MEMORY;
    for (uint64_t start = start0 & ~(align - 1); start <= end - count;) {
        uint64_t f;
        for (f = 0; f < count; f++) {
            if (fb_bit(fb, start + f))
                break;
        }
        if (f == count) {
            for (f = 0; f < count; f++)
                fb_set(fb, start + f);
            fb->free_count -= count;
            *out = start;
            return FRAME_BITMAP_OK;
        }
        /* Skip past the used frame and any used ones after it (a word at
         * a time where the rest of a word is used), then to the next
         * aligned start. */
        uint64_t next = fb_next_free(fb, start + f + 1, end);
        uint64_t aligned;
        if (!checked_add_u64(next, align - 1, &aligned))
            break;
        start = aligned & ~(align - 1);
        if (start > end)
            break;
    }
    return FRAME_BITMAP_NO_MEMORY;
}

enum frame_bitmap_err frame_bitmap_free(struct frame_bitmap *fb, uint64_t frame)
{
    return frame_bitmap_free_run(fb, frame, 1);
}

enum frame_bitmap_err frame_bitmap_free_run(struct frame_bitmap *fb, uint64_t first, uint64_t count)
{
    if (count == 0)
        return FRAME_BITMAP_BAD_ARGUMENT;
    if (!range_within(first, count, fb->nframes))
        return FRAME_BITMAP_RANGE;
    for (uint64_t f = first; f < first + count; f++) {
        if (!fb_bit(fb, f))
            return FRAME_BITMAP_DOUBLE_FREE;
    }
    for (uint64_t f = first; f < first + count; f++)
        fb_clear(fb, f);
    fb->free_count += count;
    if (first / 64 < fb->hint)
        fb->hint = first / 64;
    return FRAME_BITMAP_OK;
}

bool frame_bitmap_is_used(const struct frame_bitmap *fb, uint64_t frame)
{
    return frame >= fb->nframes || fb_bit(fb, frame);
}
