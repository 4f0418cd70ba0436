/*
 * What the fuzz targets of lib/fs and lib/store share: the input read a
 * byte at a time (zeros once it runs out), names made of it, and an allocator that fails
 * when the input says so and counts live blocks, so that a target can
 * check that everything was given back.  Each target is one translation
 * unit, so these are its own statics.
 */
#ifndef CAPOS_TESTS_FUZZ_FUZZ_INPUT_H
#define CAPOS_TESTS_FUZZ_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

static const uint8_t *in;
static size_t in_left;
static long fail_after; /* allocations until one fails; -1: none */
static long live_blocks;

static inline void fuzz_input(const uint8_t *data, size_t size)
{
    in = data;
    in_left = size;
    fail_after = -1;
    live_blocks = 0;
}

static inline uint8_t byte(void)
{
    if (in_left == 0)
        return 0;
    in_left--;
    return *in++;
}

static inline void *f_alloc(void *ctx, size_t n)
{
    (void)ctx;
    if (fail_after == 0)
        return NULL;
    if (fail_after > 0)
        fail_after--;
    live_blocks++;
    return calloc(1, n);
}

static inline void f_free(void *ctx, void *p)
{
    (void)ctx;
    if (p)
        live_blocks--;
    free(p);
}

/* A name from the input: up to `max` bytes from an alphabet rich in the
 * bytes names may not hold ('/', NUL, "." and ".."). */
static inline uint32_t fuzz_name(char *buf, uint32_t max)
{
    static const char alpha[] = "ab./\0c";
    uint32_t len = byte() % (max + 1);
    for (uint32_t i = 0; i < len; i++)
        buf[i] = alpha[byte() % 6];
    return len;
}

#endif
