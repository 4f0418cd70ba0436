/*
 * The blob store (blobs.h).  Invariants: b[0..n) are distinct and sorted
 * by hash, each blob's hash is the SHA-256 of its bytes, and each blob's
 * account holds a charge of len bytes and one entry for it.
 */
#include "store/blobs.h"

#include "base/mem.h"
#include "fs/grow.h"

void store_init(struct store *s, const struct fs_mem *m)
{
    *s = (struct store){.mem = *m};
}

/* The index of the first blob whose hash is not below `hash`. */
static uint32_t seek(const struct store *s, const uint8_t hash[SHA256_DIGEST])
{
    uint32_t lo = 0, hi = s->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (memcmp(s->b[mid]->hash, hash, SHA256_DIGEST) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const struct store_blob *store_get(const struct store *s, const uint8_t hash[SHA256_DIGEST])
{
    uint32_t i = seek(s, hash);
    if (i < s->n && memcmp(s->b[i]->hash, hash, SHA256_DIGEST) == 0)
        return s->b[i];
    return NULL;
}

static enum fs_err reserve(struct store *s)
{
    if (s->n < s->cap)
        return FS_OK;
    struct store_blob **b = fs_grow(&s->mem, s->b, s->n, &s->cap, 16, sizeof(*b));
    if (!b)
        return FS_NO_MEMORY;
    s->b = b;
    return FS_OK;
}

enum fs_err store_put(struct store *s, struct fs_account *acct, const void *data, uint32_t len,
                      uint8_t hash[SHA256_DIGEST])
{
    if (len > STORE_MAX_BLOB)
        return FS_TOO_BIG;
    sha256(data, len, hash);
    uint32_t i = seek(s, hash);
    if (i < s->n && memcmp(s->b[i]->hash, hash, SHA256_DIGEST) == 0)
        return FS_OK; /* the same bytes: stored once, paid for once */
    enum fs_err e = reserve(s);
    if (e != FS_OK)
        return e;
    if (!fs_account_charge(acct, len, 1))
        return FS_QUOTA;
    struct store_blob *blob = s->mem.alloc(s->mem.ctx, sizeof(*blob) + len);
    if (!blob) {
        fs_account_uncharge(acct, len, 1);
        return FS_NO_MEMORY;
    }
    memcpy(blob->hash, hash, SHA256_DIGEST);
    blob->len = len;
    blob->acct = acct;
    if (len)
        memcpy(blob->data, data, len);
    memmove(&s->b[i + 1], &s->b[i], (s->n - i) * sizeof(*s->b));
    s->b[i] = blob;
    s->n++;
    return FS_OK;
}

void store_free(struct store *s)
{
    for (uint32_t i = 0; i < s->n; i++) {
        fs_account_uncharge(s->b[i]->acct, s->b[i]->len, 1);
        s->mem.free(s->mem.ctx, s->b[i]);
    }
    s->mem.free(s->mem.ctx, s->b);
    s->b = NULL;
    s->n = s->cap = 0;
}
