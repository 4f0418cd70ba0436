/*
 * The file service's badge table: what each capability it hands out
 * stands for.  A capability is a client facet of the service's endpoint
 * whose badge names a slot here; the slot says what kind of object (a
 * node, the blob store, a namespace realm) and which one, whether the
 * facet is read-only, and which account pays for what is created through
 * it.  A badge carries the slot's generation, so a badge whose slot was
 * freed (its node removed) and reused never names the new occupant.
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
    bool read_only;
};

struct fs_handles {
    struct fs_handle *h; /* the caller's array of n slots (n < 2^20) */
    uint32_t n;
};

/* The handle `badge` names, or NULL (not minted here, freed, reused). */
struct fs_handle *fs_handle_get(const struct fs_handles *t, uint64_t badge);

/* The badge of the handle (kind, obj, acct, read_only), made if there is
 * none; false if every slot is taken. */
bool fs_handle_badge(struct fs_handles *t, enum fs_handle_kind kind, void *obj,
                     struct fs_account *acct, bool read_only, uint64_t *badge);

/* Frees every handle of `obj`: their badges stop naming anything. */
void fs_handle_drop(struct fs_handles *t, const void *obj);

#endif
