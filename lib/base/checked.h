/*
 * Overflow-checked arithmetic and range checks.
 *
 * Every bounds check on untrusted offsets and lengths goes through these so
 * that the overflow-safe form is written once: a range [off, off+len) lies in
 * a buffer of `size` bytes iff len <= size && off <= size - len.
 */
#ifndef CAPOS_LIB_BASE_CHECKED_H
#define CAPOS_LIB_BASE_CHECKED_H

#include "base/compiler.h"

/* Returns true and stores a+b in *out if it fits, false on overflow. */
static inline bool checked_add_u64(uint64_t a, uint64_t b, uint64_t *out)
{
    return !__builtin_add_overflow(a, b, out);
}

static inline bool checked_mul_u64(uint64_t a, uint64_t b, uint64_t *out)
{
    return !__builtin_mul_overflow(a, b, out);
}

static inline bool checked_add_size(size_t a, size_t b, size_t *out)
{
    return !__builtin_add_overflow(a, b, out);
}

static inline bool checked_mul_size(size_t a, size_t b, size_t *out)
{
    return !__builtin_mul_overflow(a, b, out);
}

/* True iff [off, off+len) is inside [0, size). Safe for any inputs. */
static inline bool range_within(uint64_t off, uint64_t len, uint64_t size)
{
    return len <= size && off <= size - len;
}

/* True iff [a, a+alen) and [b, b+blen) intersect; ranges must not wrap. */
static inline bool range_overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return alen != 0 && blen != 0 && a < b + blen && b < a + alen;
}

/* Entry i of a table of n messages indexed by an error code, or `fallback`
 * for a code past the end or one the table leaves unnamed. */
static inline const char *checked_name(const char *const *table, size_t n, unsigned i,
                                       const char *fallback)
{
    return i < n && table[i] ? table[i] : fallback;
}

#endif
