/*
 * libFuzzer target for lib/store, the logic behind Store and Namespace
 * requests: the input is a program of puts, binds, resolves, unbinds,
 * realms made by sub, and list pages, with bytes, names and prefixes taken
 * from the input as a client would send them (names with '/', NUL, "."
 * and ".."), under small quotas and an allocator that fails when the
 * input says so.  A reference model (the blobs put, the bindings by whole
 * name) says what every operation must do.
 *
 * After every operation: no account is over its limit; the bytes and
 * entries charged equal the blobs held and the bindings; every blob's hash
 * is the SHA-256 of its bytes; every binding of the model resolves to its
 * hash and no other binding exists; a page walk of every realm lists
 * exactly the model's bindings that realm sees, each once.  Any violation
 * aborts; at the end everything must have been given back.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"

#include "store/blobs.h"
#include "store/names.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_BLOBS    48
#define MAX_BINDINGS 48
#define NREALMS      6

struct ref_blob {
    uint8_t hash[SHA256_DIGEST];
    uint8_t data[64];
    uint32_t len;
};

struct ref_binding {
    char name[FS_NAME_MAX];
    uint32_t len;
    uint8_t hash[SHA256_DIGEST];
};

static struct ref_blob blobs[MAX_BLOBS];
static struct ref_binding binds[MAX_BINDINGS];
static uint32_t nblobs, nbinds;
static struct ns_realm realms[NREALMS];
static uint32_t nrealms;

static void fail(const char *why, size_t step)
{
    fprintf(stderr, "fuzz_store: step %zu: %s\n", step, why);
    abort();
}

/* What realm `r` must see: the whole names starting with its prefix whose
 * rest is a name. */
static bool model_sees(const struct ns_realm *r, const struct ref_binding *b)
{
    return b->len > r->len && memcmp(b->name, r->prefix, r->len) == 0 &&
           fs_name_valid(b->name + r->len, b->len - r->len);
}

static struct ref_binding *model_find(const char *whole, uint32_t len)
{
    for (uint32_t i = 0; i < nbinds; i++)
        if (binds[i].len == len && memcmp(binds[i].name, whole, len) == 0)
            return &binds[i];
    return NULL;
}

static void check(const struct store *s, const struct ns *ns, const struct fs_account *root,
                  const struct fs_account *sub, size_t step)
{
    uint64_t bytes = 0;
    if (root->bytes_used > root->bytes_limit || root->entries_used > root->entries_limit ||
        sub->bytes_used > sub->bytes_limit || sub->entries_used > sub->entries_limit)
        fail("an account is over its limit", step);
    if (s->n != nblobs)
        fail("the store holds another number of blobs", step);
    for (uint32_t i = 0; i < s->n; i++) {
        uint8_t h[SHA256_DIGEST];
        sha256(s->b[i]->data, s->b[i]->len, h);
        if (memcmp(h, s->b[i]->hash, SHA256_DIGEST) != 0)
            fail("a blob's hash is not its bytes' hash", step);
        bytes += s->b[i]->len;
    }
    if (root->bytes_used != bytes || root->entries_used != s->n + ns->n)
        fail("the charges differ from what is held", step);
    if (ns->n != nbinds)
        fail("the namespace holds another number of bindings", step);
    struct ns_realm whole = {0};
    for (uint32_t i = 0; i < nbinds; i++) {
        const struct ns_binding *b = ns_resolve(ns, &whole, binds[i].name, binds[i].len);
        if (!b || memcmp(b->hash, binds[i].hash, SHA256_DIGEST) != 0 || !store_get(s, b->hash))
            fail("a binding does not resolve to its hash", step);
    }
    /* Page through every realm in pages of 3. */
    for (uint32_t r = 0; r < nrealms; r++) {
        const struct ns_binding *page[3];
        uint32_t seen = 0, n, want = 0;
        uint64_t cursor = 0, next;
        bool end = false;
        for (uint32_t i = 0; i < nbinds; i++)
            want += model_sees(&realms[r], &binds[i]);
        while (!end) {
            ns_list(ns, &realms[r], cursor, 3, page, &n, &next, &end);
            for (uint32_t k = 0; k < n; k++) {
                const struct ref_binding *m = model_find(page[k]->name, page[k]->len);
                if (!m || !model_sees(&realms[r], m))
                    fail("a realm lists a binding it does not see", step);
            }
            if (!end && (n != 3 || next <= cursor))
                fail("a page short of the end, or a cursor that does not advance", step);
            seen += n;
            cursor = next;
        }
        if (seen != want)
            fail("a realm lists another number of bindings", step);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fs_account root = {.bytes_limit = 1024, .entries_limit = 40};
    struct fs_account sub = {.parent = &root, .bytes_limit = 200, .entries_limit = 6};
    struct fs_mem m = {.alloc = f_alloc, .free = f_free};
    struct store s;
    struct ns ns;
    char a[16];
    uint8_t buf[64], h[SHA256_DIGEST];
    fuzz_input(data, size);
    nblobs = nbinds = 0;
    nrealms = 1;
    realms[0] = (struct ns_realm){0};
    store_init(&s, &m);
    ns_init(&ns, &m, &s);
    for (size_t step = 0; in_left; step++) {
        uint8_t op = byte();
        struct fs_account *acct = op & 8 ? &sub : &root;
        const struct ns_realm *r = &realms[(op >> 4) % nrealms];
        fail_after = (op & 0x80) ? byte() % 3 : -1;
        switch (op & 7) {
        case 0: { /* put */
            uint32_t len = byte() % sizeof(buf);
            for (uint32_t i = 0; i < len; i++)
                buf[i] = byte() % 4;
            uint64_t bu = root.bytes_used, eu = root.entries_used;
            enum fs_err e = store_put(&s, acct, buf, len, h);
            struct ref_blob *known = NULL;
            for (uint32_t i = 0; i < nblobs; i++)
                if (blobs[i].len == len && memcmp(blobs[i].data, buf, len) == 0)
                    known = &blobs[i];
            if (known && (e != FS_OK || memcmp(known->hash, h, SHA256_DIGEST) != 0 ||
                          root.bytes_used != bu || root.entries_used != eu))
                fail("a put of stored bytes was not free and the same", step);
            if (!known && e == FS_OK) {
                if (nblobs == MAX_BLOBS)
                    fail("more blobs than the quota allows", step);
                blobs[nblobs].len = len;
                memcpy(blobs[nblobs].data, buf, len);
                memcpy(blobs[nblobs++].hash, h, SHA256_DIGEST);
            }
            if (!known && e != FS_OK && (root.bytes_used != bu || root.entries_used != eu))
                fail("a refused put charged something", step);
            break;
        }
        case 1:   /* bind to a put blob */
        case 2: { /* bind to any hash */
            uint32_t len = fuzz_name(a, 12);
            if ((op & 7) == 1 && nblobs)
                memcpy(h, blobs[byte() % nblobs].hash, SHA256_DIGEST);
            else
                for (uint32_t i = 0; i < SHA256_DIGEST; i++)
                    h[i] = byte();
            enum fs_err e = ns_bind(&ns, r, a, len, h, acct);
            char whole[FS_NAME_MAX];
            bool ok_name = fs_name_valid(a, len) && len + r->len <= FS_NAME_MAX;
            if (ok_name) {
                memcpy(whole, r->prefix, r->len);
                memcpy(whole + r->len, a, len);
            }
            if (!ok_name) {
                if (e != FS_BAD_NAME)
                    fail("a bad name bound", step);
                break;
            }
            if (!store_get(&s, h)) {
                if (e != FS_NOT_FOUND)
                    fail("an unknown hash bound", step);
                break;
            }
            struct ref_binding *b = model_find(whole, r->len + len);
            if (b) {
                if (e != FS_OK)
                    fail("a rebind failed", step);
                memcpy(b->hash, h, SHA256_DIGEST);
            } else if (e == FS_OK) {
                if (nbinds == MAX_BINDINGS)
                    fail("more bindings than the quota allows", step);
                binds[nbinds].len = r->len + len;
                memcpy(binds[nbinds].name, whole, binds[nbinds].len);
                memcpy(binds[nbinds++].hash, h, SHA256_DIGEST);
            }
            break;
        }
        case 3: { /* unbind */
            uint32_t len = fuzz_name(a, 12);
            enum fs_err e = ns_unbind(&ns, r, a, len);
            if (e == FS_OK) {
                char whole[FS_NAME_MAX];
                memcpy(whole, r->prefix, r->len);
                memcpy(whole + r->len, a, len);
                struct ref_binding *b = model_find(whole, r->len + len);
                if (!b)
                    fail("unbound a name the model does not hold", step);
                *b = binds[--nbinds];
            }
            break;
        }
        case 4: { /* resolve */
            uint32_t len = fuzz_name(a, 12);
            const struct ns_binding *b = ns_resolve(&ns, r, a, len);
            if (b && (b->len != r->len + len || memcmp(b->name, r->prefix, r->len) != 0 ||
                      memcmp(b->name + r->len, a, len) != 0))
                fail("resolve found a binding of another name", step);
            if (b && !fs_name_valid(a, len))
                fail("resolve accepted a bad name", step);
            break;
        }
        case 5: { /* a realm */
            uint32_t len = fuzz_name(a, 12);
            struct ns_realm nr;
            if (ns_realm_sub(r, a, len, &nr) == FS_OK) {
                if (!fs_name_valid(a, len) || nr.len != r->len + len)
                    fail("a bad realm made", step);
                if (nrealms < NREALMS)
                    realms[nrealms++] = nr;
            }
            break;
        }
        default: { /* get */
            if (!nblobs)
                break;
            const struct ref_blob *rb = &blobs[byte() % nblobs];
            const struct store_blob *b = store_get(&s, rb->hash);
            if (!b || b->len != rb->len || memcmp(b->data, rb->data, rb->len) != 0)
                fail("a blob reads back different", step);
            break;
        }
        }
        fail_after = -1;
        check(&s, &ns, &root, &sub, step);
    }
    ns_free(&ns);
    store_free(&s);
    if (root.bytes_used || root.entries_used || sub.bytes_used || sub.entries_used || live_blocks)
        fail("something was not given back", 0);
    return 0;
}
