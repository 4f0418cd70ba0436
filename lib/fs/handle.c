/*
 * The badge table (handle.h).  Invariants: a live slot's badge is
 * FS_BADGE_MINTED | gen << FS_HANDLE_INDEX_BITS | index; freeing a slot
 * bumps its generation, so a freed badge never matches again (a slot whose
 * generation would wrap is not reused).  At most one live slot holds a
 * given (kind, object, account, read-only), so handing out the same
 * authority twice costs no slot.
 */
#include "fs/handle.h"

#define GEN_MAX 0x7fffffffu

static uint64_t badge_of(const struct fs_handles *t, const struct fs_handle *h)
{
    return FS_BADGE_MINTED | (uint64_t)h->gen << FS_HANDLE_INDEX_BITS | (uint64_t)(h - t->h);
}

struct fs_handle *fs_handle_get(const struct fs_handles *t, uint64_t badge)
{
    if (!(badge & FS_BADGE_MINTED))
        return NULL;
    uint64_t i = badge & ((1u << FS_HANDLE_INDEX_BITS) - 1);
    if (i >= t->n)
        return NULL;
    struct fs_handle *h = &t->h[i];
    if (!h->obj || badge_of(t, h) != badge)
        return NULL;
    return h;
}

bool fs_handle_badge(struct fs_handles *t, enum fs_handle_kind kind, void *obj,
                     struct fs_account *acct, bool read_only, uint64_t *badge)
{
    struct fs_handle *free_slot = NULL;
    for (uint32_t i = 0; i < t->n; i++) {
        struct fs_handle *h = &t->h[i];
        if (h->obj == obj && h->kind == kind && h->acct == acct && h->read_only == read_only) {
            *badge = badge_of(t, h);
            return true;
        }
        if (!h->obj && !free_slot && h->gen < GEN_MAX)
            free_slot = h;
    }
    if (!free_slot)
        return false;
    free_slot->obj = obj;
    free_slot->kind = kind;
    free_slot->acct = acct;
    free_slot->read_only = read_only;
    *badge = badge_of(t, free_slot);
    return true;
}

void fs_handle_drop(struct fs_handles *t, const void *obj)
{
    for (uint32_t i = 0; i < t->n; i++) {
        if (t->h[i].obj == obj) {
            t->h[i].obj = NULL;
            t->h[i].acct = NULL;
            t->h[i].gen++;
        }
    }
}
