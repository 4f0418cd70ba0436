/*
 * Flat messages: how the generated encoders lay out a struct without
 * pointer fields, one segment holding the root pointer and the struct's
 * data section and nothing else.  A call made very often whose parameters
 * and results have this shape (a pipe's read and write, per byte a POSIX
 * program moves) reads and writes them with a few word operations here
 * instead of the general reader and builder, and hands any other encoding
 * to the generated code.
 *
 * The readers accept a subset of what the generated strict decoders
 * accept and read the same values from it: the exact length, a one-segment
 * table, a root struct pointer at offset 0 with exactly the schema's data
 * words and no pointers, and no bit set that the schema does not define.
 * The writers produce exactly what the generated encoders do.  Both are
 * checked against the generated code in tests/host/test_rpc.c, so a schema
 * change that moves a field fails there.
 *
 * Messages are 8-byte aligned arrays of words (little-endian, as capnp).
 */
#ifndef CAPOS_RPC_FLAT_H
#define CAPOS_RPC_FLAT_H

#include <stdbool.h>
#include <stdint.h>

/* The size of a flat message with `words` data words. */
#define CAPOS_FLAT_BYTES(words) (16u + 8u * (words))

/* The segment table (one segment of 1 + words words) and the root pointer
 * (a struct right after it, `words` data words, no pointers). */
static inline uint64_t capos_flat_table(uint32_t words)
{
    return (uint64_t)(1 + words) << 32;
}

static inline uint64_t capos_flat_root(uint32_t words)
{
    return (uint64_t)words << 32;
}

/* Whether m (len bytes) is a flat message of `words` data words. */
static inline bool capos_flat_is(const uint64_t *m, uint32_t len, uint32_t words)
{
    return len == CAPOS_FLAT_BYTES(words) && m[0] == capos_flat_table(words) &&
           m[1] == capos_flat_root(words);
}

/* ---- PipeReader.read and PipeWriter.write parameters ---- */

/* buf (UInt64) in word 0; len (UInt32) in the low half of word 1 and
 * nonBlocking (Bool) in bit 32 of it. */
#define CAPOS_PIPE_IO_WORDS  2u
#define CAPOS_PIPE_IO_BYTES  CAPOS_FLAT_BYTES(CAPOS_PIPE_IO_WORDS)
#define CAPOS_PIPE_IO_KNOWN1 UINT64_C(0x1ffffffff)

static inline void capos_pipe_io_encode(uint64_t m[4], uint64_t buf, uint32_t len, bool nonblocking)
{
    m[0] = capos_flat_table(CAPOS_PIPE_IO_WORDS);
    m[1] = capos_flat_root(CAPOS_PIPE_IO_WORDS);
    m[2] = buf;
    m[3] = len | (uint64_t)nonblocking << 32;
}

/* The parameters of m (len bytes, carrying no capabilities), if flat. */
static inline bool capos_pipe_io_decode(const uint64_t *m, uint32_t len, uint64_t *buf, uint32_t *n,
                                        bool *nonblocking)
{
    if (!capos_flat_is(m, len, CAPOS_PIPE_IO_WORDS) || (m[3] & ~CAPOS_PIPE_IO_KNOWN1))
        return false;
    *buf = m[2];
    *n = (uint32_t)m[3];
    *nonblocking = (m[3] >> 32) & 1;
    return true;
}

/* ---- their results (and the waits'): one UInt32 ---- */

#define CAPOS_PIPE_RESULT_WORDS 1u
#define CAPOS_PIPE_RESULT_BYTES CAPOS_FLAT_BYTES(CAPOS_PIPE_RESULT_WORDS)

static inline void capos_pipe_result_encode(uint64_t m[3], uint32_t v)
{
    m[0] = capos_flat_table(CAPOS_PIPE_RESULT_WORDS);
    m[1] = capos_flat_root(CAPOS_PIPE_RESULT_WORDS);
    m[2] = v;
}

static inline bool capos_pipe_result_decode(const uint64_t *m, uint32_t len, uint32_t *v)
{
    if (!capos_flat_is(m, len, CAPOS_PIPE_RESULT_WORDS) || (m[2] >> 32) != 0)
        return false;
    *v = (uint32_t)m[2];
    return true;
}

#endif
