/*
 * SHA-256 (FIPS 180-4, section 6.2), streaming: init, any number of
 * updates, final.  The context holds the chaining value, the bytes of an
 * unfinished 64-byte block and the message length; nothing is allocated.
 */
#ifndef CAPOS_LIB_CRYPTO_SHA256_H
#define CAPOS_LIB_CRYPTO_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST 32
#define SHA256_BLOCK  64

struct sha256 {
    uint32_t h[8];
    uint64_t bits;             /* message length so far, in bits (mod 2^64) */
    uint8_t buf[SHA256_BLOCK]; /* the unfinished block */
    uint32_t nbuf;             /* bytes in buf, < SHA256_BLOCK */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
/* Pads, writes the digest (big-endian words) and leaves `s` to be reset
 * with sha256_init before any further use. */
void sha256_final(struct sha256 *s, uint8_t out[SHA256_DIGEST]);

/* The digest of one message. */
void sha256(const void *data, size_t len, uint8_t out[SHA256_DIGEST]);

#endif
