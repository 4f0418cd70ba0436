/*
 * Namespaces of the file service: names bound to the hashes of blobs of a
 * store.  One table holds every binding under its whole name; a realm is
 * a prefix, and what a realm sees are the bindings whose names start with
 * it, with the prefix stripped.  A name seen through a realm is a file
 * name (fs/name.h), and the realm's prefix is put in front of it before
 * anything is looked up, so no name seen through a realm designates a
 * binding outside it.
 */
#ifndef CAPOS_LIB_STORE_NAMES_H
#define CAPOS_LIB_STORE_NAMES_H

#include <stdbool.h>
#include <stdint.h>

#include "fs/account.h"
#include "fs/fs.h"
#include "fs/name.h"
#include "store/blobs.h"

struct ns_binding {
    uint64_t seq; /* position in the listing */
    struct fs_account *acct;
    uint8_t hash[SHA256_DIGEST];
    uint8_t len;
    char name[FS_NAME_MAX]; /* the whole name */
};

struct ns {
    struct fs_mem mem;
    const struct store *store; /* only its hashes can be bound */
    struct ns_binding **b;     /* ordered by seq, which only grows */
    uint32_t n, cap;
    uint64_t next_seq;
};

/* A realm: the prefix of the names it sees (empty: the whole table). */
struct ns_realm {
    uint8_t len;
    char prefix[FS_NAME_MAX];
};

void ns_init(struct ns *ns, const struct fs_mem *m, const struct store *store);

/* The realm of `r` narrowed by `prefix` (a file name whose whole name
 * still leaves room for a one-byte name); FS_BAD_NAME otherwise. */
enum fs_err ns_realm_sub(const struct ns_realm *r, const char *prefix, uint32_t len,
                         struct ns_realm *out);

/*
 * Binds `name` in realm `r` to `hash`: FS_BAD_NAME (not a name, or too
 * long with the prefix), FS_NOT_FOUND (no such blob), FS_QUOTA or
 * FS_NO_MEMORY (nothing changed).  An existing binding takes the new hash
 * and keeps its place and its charge; a new one charges one entry to
 * `acct`.
 */
enum fs_err ns_bind(struct ns *ns, const struct ns_realm *r, const char *name, uint32_t len,
                    const uint8_t hash[SHA256_DIGEST], struct fs_account *acct);

/* The binding of `name` in realm `r`, or NULL (also for a bad name). */
const struct ns_binding *ns_resolve(const struct ns *ns, const struct ns_realm *r, const char *name,
                                    uint32_t len);

/* Removes the binding of `name` in `r` and gives back its entry. */
enum fs_err ns_unbind(struct ns *ns, const struct ns_realm *r, const char *name, uint32_t len);

/* Whether realm `r` sees binding `b`; its name there is the rest after the prefix. */
bool ns_realm_sees(const struct ns_realm *r, const struct ns_binding *b);

/*
 * A page of realm `r`: up to `max` bindings from `cursor`, stored in
 * out[0..*n); *next is the cursor of the following page and *end says
 * whether there is none.
 */
void ns_list(const struct ns *ns, const struct ns_realm *r, uint64_t cursor, uint32_t max,
             const struct ns_binding **out, uint32_t *n, uint64_t *next, bool *end);

/* Frees every binding and gives back their entries. */
void ns_free(struct ns *ns);

#endif
