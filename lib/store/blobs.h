/*
 * The blob store of the file service: immutable blobs named by the
 * SHA-256 of their bytes.  A blob put twice is kept once; the account that
 * first put it pays for it (its bytes and one entry), and nothing takes a
 * blob away while the store lives, so the charge stays too.
 */
#ifndef CAPOS_LIB_STORE_BLOBS_H
#define CAPOS_LIB_STORE_BLOBS_H

#include <stdbool.h>
#include <stdint.h>

#include "crypto/sha256.h"
#include "fs/account.h"
#include "fs/fs.h"

/* The largest blob (the schema's maxBlob): one put carries it whole. */
#define STORE_MAX_BLOB 32768u

struct store_blob {
    uint8_t hash[SHA256_DIGEST];
    uint32_t len;
    struct fs_account *acct; /* paid for it */
    uint8_t data[];
};

struct store {
    struct fs_mem mem;
    struct store_blob **b; /* sorted by hash, distinct */
    uint32_t n, cap;
};

void store_init(struct store *s, const struct fs_mem *m);

/*
 * Puts `len` bytes (at most STORE_MAX_BLOB, else FS_TOO_BIG) and writes
 * their hash.  A blob with that hash already stored is kept as it is and
 * nothing is charged; a new one charges len bytes and one entry to `acct`
 * (FS_QUOTA or FS_NO_MEMORY store and charge nothing).
 */
enum fs_err store_put(struct store *s, struct fs_account *acct, const void *data, uint32_t len,
                      uint8_t hash[SHA256_DIGEST]);

/* The blob named `hash`, or NULL. */
const struct store_blob *store_get(const struct store *s, const uint8_t hash[SHA256_DIGEST]);

/* Frees every blob and gives back their charges. */
void store_free(struct store *s);

#endif
