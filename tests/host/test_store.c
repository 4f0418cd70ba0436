/*
 * Host tests of lib/store: the blob store (hashes, deduplication paid for
 * once, quota and allocation failures that store nothing) and namespaces
 * (bind, rebind, resolve, unbind, realms that see only their prefix,
 * paging across changes, binding only stored hashes).
 */
#include "test.h"

#include <stdlib.h>
#include <string.h>

#include "fs/handle.h"
#include "store/blobs.h"
#include "store/names.h"
#include "fs_alloc.h"

TEST(store_put_get_dedup)
{
    struct counting f = {.left = -1};
    struct fs_mem m = mem_of(&f);
    struct fs_account a = {.bytes_limit = 100, .entries_limit = 10}, b = a;
    struct store s;
    uint8_t h1[SHA256_DIGEST], h2[SHA256_DIGEST], abc[SHA256_DIGEST];
    store_init(&s, &m);
    sha256("abc", 3, abc);
    CHECK(store_put(&s, &a, "abc", 3, h1) == FS_OK);
    CHECK(memcmp(h1, abc, SHA256_DIGEST) == 0);
    CHECK_EQ(a.bytes_used, 3);
    CHECK_EQ(a.entries_used, 1);
    /* The same bytes from another account: the same blob, no charge. */
    CHECK(store_put(&s, &b, "abc", 3, h2) == FS_OK);
    CHECK(memcmp(h1, h2, SHA256_DIGEST) == 0);
    CHECK_EQ(b.bytes_used, 0);
    CHECK_EQ(b.entries_used, 0);
    CHECK_EQ(s.n, 1);
    const struct store_blob *blob = store_get(&s, h1);
    CHECK(blob && blob->len == 3 && memcmp(blob->data, "abc", 3) == 0 && blob->acct == &a);
    /* The empty blob is a blob. */
    CHECK(store_put(&s, &b, "", 0, h2) == FS_OK);
    CHECK(store_get(&s, h2) && store_get(&s, h2)->len == 0);
    CHECK_EQ(b.entries_used, 1);
    h2[0] ^= 1;
    CHECK(!store_get(&s, h2));
    store_free(&s);
    CHECK_EQ(a.bytes_used + a.entries_used + b.bytes_used + b.entries_used, 0);
    CHECK_EQ(f.live, 0);
}

TEST(store_refusals_store_nothing)
{
    struct counting f = {.left = -1};
    struct fs_mem m = mem_of(&f);
    struct fs_account root = {.bytes_limit = 10, .entries_limit = 10};
    struct fs_account a = {.parent = &root, .bytes_limit = 100, .entries_limit = 1};
    static uint8_t big[STORE_MAX_BLOB + 1];
    uint8_t h[SHA256_DIGEST];
    struct store s;
    store_init(&s, &m);
    CHECK(store_put(&s, &a, big, sizeof(big), h) == FS_TOO_BIG);
    CHECK(store_put(&s, &a, big, 11, h) == FS_QUOTA); /* the parent has 10 bytes */
    CHECK(store_put(&s, &a, "x", 1, h) == FS_OK);
    CHECK(store_put(&s, &a, "y", 1, h) == FS_QUOTA); /* one entry */
    CHECK(store_put(&s, &a, "x", 1, h) == FS_OK);    /* stored: free */
    f.left = 0;
    CHECK(store_put(&s, &root, "z", 1, h) == FS_NO_MEMORY);
    f.left = -1;
    CHECK_EQ(s.n, 1);
    CHECK_EQ(root.bytes_used, 1);
    CHECK_EQ(root.entries_used, 1);
    /* Many blobs: kept sorted, each found. */
    struct fs_account wide = {.bytes_limit = 1 << 20, .entries_limit = 1000};
    uint8_t hs[300][SHA256_DIGEST];
    for (int i = 0; i < 300; i++)
        CHECK(store_put(&s, &wide, &i, sizeof(i), hs[i]) == FS_OK);
    for (int i = 0; i < 300; i++) {
        const struct store_blob *b = store_get(&s, hs[i]);
        CHECK(b && b->len == sizeof(i) && memcmp(b->data, &i, sizeof(i)) == 0);
    }
    for (uint32_t i = 1; i < s.n; i++)
        CHECK(memcmp(s.b[i - 1]->hash, s.b[i]->hash, SHA256_DIGEST) < 0);
    store_free(&s);
    CHECK_EQ(f.live, 0);
}

/* A store and a namespace on it, over a counting allocator. */
struct world {
    struct counting f;
    struct fs_mem m;
    struct store s;
    struct ns ns;
};

static void world_init(struct world *w)
{
    w->f = (struct counting){.left = -1};
    w->m = mem_of(&w->f);
    store_init(&w->s, &w->m);
    ns_init(&w->ns, &w->m, &w->s);
}

/* Frees both; returns the blocks still live (0 unless something leaked). */
static long world_free(struct world *w)
{
    ns_free(&w->ns);
    store_free(&w->s);
    return w->f.live;
}

/* Binds `name` in `r`, putting `data` first. */
static enum fs_err bind_text(struct ns *ns, struct store *s, const struct ns_realm *r,
                             const char *name, const char *data, struct fs_account *a)
{
    uint8_t h[SHA256_DIGEST];
    if (store_put(s, a, data, (uint32_t)strlen(data), h) != FS_OK)
        return FS_QUOTA;
    return ns_bind(ns, r, name, (uint32_t)strlen(name), h, a);
}

TEST(ns_bind_resolve_unbind)
{
    struct world w;
    struct fs_account a = {.bytes_limit = 1000, .entries_limit = 5};
    struct ns_realm root = {0};
    uint8_t h[SHA256_DIGEST], unknown[SHA256_DIGEST] = {1};
    world_init(&w);
    CHECK(bind_text(&w.ns, &w.s, &root, "one", "1", &a) == FS_OK);
    CHECK(bind_text(&w.ns, &w.s, &root, "two", "2", &a) == FS_OK);
    CHECK_EQ(a.entries_used, 4); /* two blobs, two bindings */
    CHECK(ns_bind(&w.ns, &root, "x", 1, unknown, &a) == FS_NOT_FOUND);
    CHECK(ns_bind(&w.ns, &root, "..", 2, unknown, &a) == FS_BAD_NAME);
    CHECK(ns_bind(&w.ns, &root, "a/b", 3, unknown, &a) == FS_BAD_NAME);
    sha256("2", 1, h);
    CHECK(memcmp(ns_resolve(&w.ns, &root, "two", 3)->hash, h, SHA256_DIGEST) == 0);
    /* Rebinding keeps the place and the charge. */
    uint64_t seq = ns_resolve(&w.ns, &root, "one", 3)->seq;
    CHECK(ns_bind(&w.ns, &root, "one", 3, h, &a) == FS_OK);
    CHECK(memcmp(ns_resolve(&w.ns, &root, "one", 3)->hash, h, SHA256_DIGEST) == 0);
    CHECK_EQ(ns_resolve(&w.ns, &root, "one", 3)->seq, seq);
    CHECK_EQ(a.entries_used, 4);
    CHECK(ns_bind(&w.ns, &root, "three", 5, h, &a) == FS_OK);
    CHECK(ns_bind(&w.ns, &root, "four", 4, h, &a) == FS_QUOTA);
    CHECK(!ns_resolve(&w.ns, &root, "four", 4));
    CHECK(ns_unbind(&w.ns, &root, "three", 5) == FS_OK);
    CHECK(ns_unbind(&w.ns, &root, "three", 5) == FS_NOT_FOUND);
    w.f.left = 0;
    CHECK(ns_bind(&w.ns, &root, "four", 4, h, &a) == FS_NO_MEMORY);
    w.f.left = -1;
    CHECK_EQ(a.entries_used, 4);
    CHECK_EQ(world_free(&w), 0);
    CHECK_EQ(a.entries_used + a.bytes_used, 0);
}

TEST(ns_realms_confine)
{
    struct world w;
    struct fs_account a = {.bytes_limit = 1000, .entries_limit = 100};
    struct ns_realm root = {0}, pa, pab, bad;
    world_init(&w);
    CHECK(ns_realm_sub(&root, "pkg.", 4, &pa) == FS_OK);
    CHECK(ns_realm_sub(&pa, "ab.", 3, &pab) == FS_OK);
    CHECK(pab.len == 7 && memcmp(pab.prefix, "pkg.ab.", 7) == 0);
    CHECK(ns_realm_sub(&root, "..", 2, &bad) == FS_BAD_NAME);
    CHECK(ns_realm_sub(&root, "a/", 2, &bad) == FS_BAD_NAME);
    char longp[FS_NAME_MAX];
    memset(longp, 'p', sizeof(longp));
    CHECK(ns_realm_sub(&root, longp, FS_NAME_MAX, &bad) == FS_BAD_NAME); /* no room left */
    CHECK(ns_realm_sub(&root, longp, FS_NAME_MAX - 1, &bad) == FS_OK);
    CHECK(bind_text(&w.ns, &w.s, &bad, "q", "q", &a) == FS_OK);
    CHECK(bind_text(&w.ns, &w.s, &bad, "qq", "q", &a) == FS_BAD_NAME);
    CHECK(bind_text(&w.ns, &w.s, &root, "top", "t", &a) == FS_OK);
    CHECK(bind_text(&w.ns, &w.s, &root, "pkg.x", "x", &a) == FS_OK);
    CHECK(bind_text(&w.ns, &w.s, &pa, "ab.y", "y", &a) == FS_OK);
    CHECK(bind_text(&w.ns, &w.s, &pab, "z", "z", &a) == FS_OK);
    CHECK(bind_text(&w.ns, &w.s, &root, "pkg...", "d", &a) == FS_OK); /* ".." in pkg. */
    CHECK(ns_resolve(&w.ns, &root, "pkg.ab.z", 8));
    CHECK(ns_resolve(&w.ns, &pa, "x", 1));
    CHECK(ns_resolve(&w.ns, &pa, "ab.z", 4));
    CHECK(!ns_resolve(&w.ns, &pa, "top", 3));
    CHECK(!ns_resolve(&w.ns, &pab, "x", 1));
    CHECK(!ns_resolve(&w.ns, &pa, "..", 2));
    CHECK(ns_unbind(&w.ns, &pab, "x", 1) == FS_NOT_FOUND);
    /* The realm pkg. lists x, ab.y, ab.z; not top, not "..". */
    const struct ns_binding *out[8];
    uint32_t n;
    uint64_t next;
    bool end;
    ns_list(&w.ns, &pa, 0, 8, out, &n, &next, &end);
    CHECK_EQ(n, 3);
    CHECK(end);
    CHECK(out[0]->len == 5 && memcmp(out[0]->name, "pkg.x", 5) == 0);
    ns_list(&w.ns, &pab, 0, 8, out, &n, &next, &end);
    CHECK(n == 2 && end);
    CHECK_EQ(world_free(&w), 0);
}

TEST(ns_list_pages_across_changes)
{
    struct world w;
    struct fs_account a = {.bytes_limit = 1000, .entries_limit = 1000};
    struct ns_realm root = {0};
    uint8_t h[SHA256_DIGEST];
    char name[8];
    world_init(&w);
    CHECK(store_put(&w.s, &a, "v", 1, h) == FS_OK);
    for (int i = 0; i < 50; i++) {
        int len = snprintf(name, sizeof(name), "n%d", i);
        CHECK(ns_bind(&w.ns, &root, name, (uint32_t)len, h, &a) == FS_OK);
    }
    /* Pages of 7; between pages remove an entry not yet listed and one
     * listed, and add one: each entry that stays is seen exactly once. */
    int seen[60] = {0};
    const struct ns_binding *out[7];
    uint32_t n;
    uint64_t cursor = 0, next;
    bool end = false;
    int page = 0;
    while (!end) {
        ns_list(&w.ns, &root, cursor, 7, out, &n, &next, &end);
        for (uint32_t k = 0; k < n; k++)
            seen[atoi(out[k]->name + 1)]++;
        cursor = next;
        if (page < 5) {
            int len = snprintf(name, sizeof(name), "n%d", 49 - page);
            CHECK(ns_unbind(&w.ns, &root, name, (uint32_t)len) == FS_OK);
            len = snprintf(name, sizeof(name), "n%d", page);
            CHECK(ns_unbind(&w.ns, &root, name, (uint32_t)len) == FS_OK);
            len = snprintf(name, sizeof(name), "n%d", 50 + page);
            CHECK(ns_bind(&w.ns, &root, name, (uint32_t)len, h, &a) == FS_OK);
        }
        page++;
    }
    for (int i = 0; i < 55; i++)
        CHECK_EQ(seen[i], i >= 45 && i < 50 ? 0 : 1);
    CHECK_EQ(world_free(&w), 0);
}

TEST(handles_kinds_are_distinct)
{
    struct fs_handle slots[4] = {0};
    struct fs_handles t = {.h = slots, .n = 4};
    struct fs_account a = {0};
    int obj;
    uint64_t b1, b2, b3;
    CHECK(fs_handle_badge(&t, FS_H_STORE, &obj, &a, false, &b1));
    CHECK(fs_handle_badge(&t, FS_H_REALM, &obj, &a, false, &b2));
    CHECK(fs_handle_badge(&t, FS_H_STORE, &obj, &a, false, &b3));
    CHECK(b1 != b2 && b1 == b3);
    CHECK(fs_handle_get(&t, b2)->kind == FS_H_REALM);
}
