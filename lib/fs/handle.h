/*
 * The file service's badge table: what each capability it hands out
 * stands for.  A capability is a client facet of the service's endpoint
 * whose badge names a slot here; the slot says what kind of object (a
 * node, the blob store, a namespace realm) and which one, whether the
 * facet is read-only, and which account pays for what is created through
 * it.  A badge carries the slot's generation, so a badge whose slot was
 * freed (its node removed) and reused never names the new occupant, and
 * the table's epoch, so a badge minted by an earlier run of the service
 * (on the same endpoint, restarted by init) names nothing in this one.
 *
 * Finding a slot is constant work on the hot path of every open: live
 * slots hang in chains by a hash of their object, freed ones on a free
 * list, so neither handing out a badge nor dropping an object's badges
 * scans the table.
 */
#ifndef CAPOS_LIB_FS_HANDLE_H
#define CAPOS_LIB_FS_HANDLE_H

#include <stdbool.h>
#include <stdint.h>

#include "fs/account.h"
#include "fs/fs.h"

/* Badges the service mints have this bit; badges without it are the
 * manifest's, for the root directory. */
#define FS_BADGE_MINTED      (1ull << 63)
#define FS_HANDLE_INDEX_BITS 20
#define FS_HANDLE_GEN_BITS   23  /* bits 20-42 */
#define FS_HANDLE_EPOCH_BITS 20  /* bits 43-62 */
#define FS_HANDLE_BUCKETS    256 /* chains by object; a power of two */

/* What a handle's object is. */
enum fs_handle_kind {
    FS_H_NODE = 0, /* a struct fs_node: a File or Directory */
    FS_H_STORE,    /* the struct store: a Store */
    FS_H_REALM,    /* a struct ns_realm: a Namespace */
};

struct fs_handle {
    void *obj; /* NULL: the slot is free */
    enum fs_handle_kind kind;
    struct fs_account *acct;
    uint32_t gen;
    uint32_t next; /* 1 + index of the next slot of its chain or of the free list; 0 ends it */
    bool read_only;
};

/* Zero-initialize, then set h and n (and on_free if wanted). */
struct fs_handles {
    struct fs_handle *h; /* the caller's array of n slots (n < 2^20) */
    uint32_t n;
    /* Called with a slot's index when its handle is freed (its badge stops
     * naming anything), so the owner can let go of what it keeps per slot. */
    void (*on_free)(void *ctx, uint32_t index);
    void *ctx;
    uint32_t epoch;                    /* this run's (< 2^FS_HANDLE_EPOCH_BITS), in every badge */
    uint32_t used;                     /* slots [used, n) were never taken */
    uint32_t free;                     /* 1 + index of the first freed slot; 0: none */
    uint32_t heads[FS_HANDLE_BUCKETS]; /* 1 + index of each chain's first slot */
};

/* The handle `badge` names, or NULL (not minted here, freed, reused). */
struct fs_handle *fs_handle_get(const struct fs_handles *t, uint64_t badge);

/* The badge of the handle (kind, obj, acct, read_only), made if there is
 * none; false if every slot is taken. */
bool fs_handle_badge(struct fs_handles *t, enum fs_handle_kind kind, void *obj,
                     struct fs_account *acct, bool read_only, uint64_t *badge);

/* Frees every handle of `obj`: their badges stop naming anything. */
void fs_handle_drop(struct fs_handles *t, const void *obj);

/* The slot index a badge of this table names (whether live or not). */
static inline uint32_t fs_handle_index(uint64_t badge)
{
    return (uint32_t)(badge & ((1u << FS_HANDLE_INDEX_BITS) - 1));
}

#endif
