/*
 * Namespaces (names.h).  Invariants: the bindings have distinct whole
 * names of 1 to FS_NAME_MAX bytes with no '/' and no NUL, each bound to a
 * hash of a blob of the store, with strictly increasing seq below
 * next_seq; each binding's account holds one entry's charge for it.
 */
#include "store/names.h"

#include "base/mem.h"
#include "fs/grow.h"

void ns_init(struct ns *ns, const struct fs_mem *m, const struct store *store)
{
    *ns = (struct ns){.mem = *m, .store = store};
}

/* The whole name of `name` in `r`, in buf; false if it is not a name or
 * the whole would be too long. */
static bool whole(const struct ns_realm *r, const char *name, uint32_t len, char *buf,
                  uint32_t *out)
{
    if (!fs_name_valid(name, len) || len > FS_NAME_MAX - (uint32_t)r->len)
        return false;
    memcpy(buf, r->prefix, r->len);
    memcpy(buf + r->len, name, len);
    *out = r->len + len;
    return true;
}

enum fs_err ns_realm_sub(const struct ns_realm *r, const char *prefix, uint32_t len,
                         struct ns_realm *out)
{
    uint32_t n;
    char buf[FS_NAME_MAX];
    if (!whole(r, prefix, len, buf, &n) || n >= FS_NAME_MAX)
        return FS_BAD_NAME;
    memcpy(out->prefix, buf, n);
    out->len = (uint8_t)n;
    return FS_OK;
}

static int32_t find(const struct ns *ns, const char *name, uint32_t len)
{
    for (uint32_t i = 0; i < ns->n; i++) {
        if (ns->b[i]->len == len && memcmp(ns->b[i]->name, name, len) == 0)
            return (int32_t)i;
    }
    return -1;
}

enum fs_err ns_bind(struct ns *ns, const struct ns_realm *r, const char *name, uint32_t len,
                    const uint8_t hash[SHA256_DIGEST], struct fs_account *acct)
{
    char buf[FS_NAME_MAX];
    uint32_t n;
    if (!whole(r, name, len, buf, &n))
        return FS_BAD_NAME;
    if (!store_get(ns->store, hash))
        return FS_NOT_FOUND;
    int32_t i = find(ns, buf, n);
    if (i >= 0) {
        memcpy(ns->b[i]->hash, hash, SHA256_DIGEST);
        return FS_OK;
    }
    if (ns->n == ns->cap) {
        struct ns_binding **b = fs_grow(&ns->mem, ns->b, ns->n, &ns->cap, 16, sizeof(*b));
        if (!b)
            return FS_NO_MEMORY;
        ns->b = b;
    }
    if (!fs_account_charge(acct, 0, 1))
        return FS_QUOTA;
    struct ns_binding *nb = ns->mem.alloc(ns->mem.ctx, sizeof(*nb));
    if (!nb) {
        fs_account_uncharge(acct, 0, 1);
        return FS_NO_MEMORY;
    }
    nb->seq = ns->next_seq++;
    nb->acct = acct;
    memcpy(nb->hash, hash, SHA256_DIGEST);
    memcpy(nb->name, buf, n);
    nb->len = (uint8_t)n;
    ns->b[ns->n++] = nb;
    return FS_OK;
}

const struct ns_binding *ns_resolve(const struct ns *ns, const struct ns_realm *r, const char *name,
                                    uint32_t len)
{
    char buf[FS_NAME_MAX];
    uint32_t n;
    if (!whole(r, name, len, buf, &n))
        return NULL;
    int32_t i = find(ns, buf, n);
    return i < 0 ? NULL : ns->b[i];
}

enum fs_err ns_unbind(struct ns *ns, const struct ns_realm *r, const char *name, uint32_t len)
{
    char buf[FS_NAME_MAX];
    uint32_t n;
    if (!whole(r, name, len, buf, &n))
        return FS_BAD_NAME;
    int32_t i = find(ns, buf, n);
    if (i < 0)
        return FS_NOT_FOUND;
    struct ns_binding *b = ns->b[i];
    memmove(&ns->b[i], &ns->b[i + 1], (ns->n - (uint32_t)i - 1) * sizeof(*ns->b));
    ns->n--;
    fs_account_uncharge(b->acct, 0, 1);
    ns->mem.free(ns->mem.ctx, b);
    return FS_OK;
}

bool ns_realm_sees(const struct ns_realm *r, const struct ns_binding *b)
{
    return b->len > r->len && memcmp(b->name, r->prefix, r->len) == 0 &&
           fs_name_valid(b->name + r->len, b->len - r->len);
}

void ns_list(const struct ns *ns, const struct ns_realm *r, uint64_t cursor, uint32_t max,
             const struct ns_binding **out, uint32_t *n, uint64_t *next, bool *end)
{
    uint32_t lo = 0, hi = ns->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (ns->b[mid]->seq < cursor)
            lo = mid + 1;
        else
            hi = mid;
    }
    *n = 0;
    for (uint32_t i = lo; i < ns->n; i++) {
        if (!ns_realm_sees(r, ns->b[i]))
            continue;
        if (*n == max) {
            *next = ns->b[i]->seq;
            *end = false;
            return;
        }
        out[(*n)++] = ns->b[i];
    }
    *next = ns->next_seq;
    *end = true;
}

void ns_free(struct ns *ns)
{
    for (uint32_t i = 0; i < ns->n; i++) {
        fs_account_uncharge(ns->b[i]->acct, 0, 1);
        ns->mem.free(ns->mem.ctx, ns->b[i]);
    }
    ns->mem.free(ns->mem.ctx, ns->b);
    ns->b = NULL;
    ns->n = ns->cap = 0;
}
