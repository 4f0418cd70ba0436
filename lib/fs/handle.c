/*
 * The badge table (handle.h).  Invariants: a live slot's badge is
 * FS_BADGE_MINTED | epoch << 43 | gen << 20 | index; freeing a slot
 * bumps its generation, so a freed badge never matches again (a slot whose
 * generation would wrap is retired, never put on the free list).  At most
 * one live slot holds a given (kind, object, account, read-only), so
 * handing out the same authority twice costs no slot.  Every live slot is
 * on exactly one chain, the one of its object's hash; every freed slot
 * that is not retired is on the free list; slots at or past `used` are on
 * neither.
 */
#include "fs/handle.h"

#define GEN_MAX     ((1u << FS_HANDLE_GEN_BITS) - 1)
#define EPOCH_SHIFT (FS_HANDLE_INDEX_BITS + FS_HANDLE_GEN_BITS)

_Static_assert(EPOCH_SHIFT + FS_HANDLE_EPOCH_BITS == 63, "the fields fill a badge below bit 63");

static uint64_t badge_of(const struct fs_handles *t, const struct fs_handle *h)
{
    uint64_t epoch = t->epoch & ((1u << FS_HANDLE_EPOCH_BITS) - 1);
    return FS_BADGE_MINTED | epoch << EPOCH_SHIFT | (uint64_t)h->gen << FS_HANDLE_INDEX_BITS |
           (uint64_t)(h - t->h);
}

static uint32_t *chain_of(struct fs_handles *t, const void *obj)
{
    uint64_t v = (uint64_t)(uintptr_t)obj >> 4;
    return &t->heads[(uint32_t)((v * 0x9e3779b97f4a7c15ull) >> 56) & (FS_HANDLE_BUCKETS - 1)];
}

struct fs_handle *fs_handle_get(const struct fs_handles *t, uint64_t badge)
{
    if (!(badge & FS_BADGE_MINTED))
        return NULL;
    uint32_t i = fs_handle_index(badge);
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
    uint32_t *head = chain_of(t, obj);
    for (uint32_t i = *head; i; i = t->h[i - 1].next) {
        struct fs_handle *h = &t->h[i - 1];
        if (h->obj == obj && h->kind == kind && h->acct == acct && h->read_only == read_only) {
            *badge = badge_of(t, h);
            return true;
        }
    }
    uint32_t slot;
    if (t->free) {
        slot = t->free - 1;
        t->free = t->h[slot].next;
    } else if (t->used < t->n) {
        slot = t->used++;
    } else {
        return false;
    }
    struct fs_handle *h = &t->h[slot];
    h->obj = obj;
    h->kind = kind;
    h->acct = acct;
    h->read_only = read_only;
    h->next = *head;
    *head = slot + 1;
    *badge = badge_of(t, h);
    return true;
}

void fs_handle_drop(struct fs_handles *t, const void *obj)
{
    uint32_t *link = chain_of(t, obj);
    while (*link) {
        uint32_t slot = *link - 1;
        struct fs_handle *h = &t->h[slot];
        if (h->obj != obj) {
            link = &h->next;
            continue;
        }
        *link = h->next;
        h->obj = NULL;
        h->acct = NULL;
        h->gen++;
        h->next = 0;
        if (h->gen < GEN_MAX) {
            h->next = t->free;
            t->free = slot + 1;
        }
        if (t->on_free)
            t->on_free(t->ctx, slot);
    }
}
