/*
 * libFuzzer target for lib/fs, the file service's logic behind every
 * request: the input is a program of creates, mkdirs, removes, renames,
 * writes, truncates, reads and list pages, with names, offsets and lengths
 * taken from the input as a client would send them (names with '/', NUL,
 * "." and "..", offsets up to 2^64), under a small quota and an allocator
 * that fails when the input says so.
 *
 * After every operation: no account is over its limit; the bytes charged
 * equal the pages and page lists the files hold and the entries charged equal the nodes
 * in the tree; every file reads back exactly as a reference copy says; a
 * refused operation changed nothing; a directory's entries have valid,
 * distinct names in increasing seq order.  Any violation aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"

#include "fs/tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NDIRS  8
#define NFILES 16
#define SPAN   65536 /* reference copies cover offsets below this */

struct tracked_file {
    struct fs_node *n;
    uint8_t ref[SPAN];
};

static struct fs_node *dirs[NDIRS];
static struct tracked_file files[NFILES];

static void fail(const char *why, size_t step)
{
    fprintf(stderr, "fuzz_fs: step %zu: %s\n", step, why);
    abort();
}

static struct tracked_file *track_file(struct fs_node *n)
{
    for (int i = 0; i < NFILES; i++) {
        if (!files[i].n) {
            files[i].n = n;
            memset(files[i].ref, 0, SPAN);
            return &files[i];
        }
    }
    return NULL;
}

/* Forgets a node that is about to be freed. */
static void forget(const struct fs_node *n)
{
    for (int i = 0; i < NDIRS; i++)
        if (dirs[i] == n)
            dirs[i] = NULL;
    for (int i = 0; i < NFILES; i++)
        if (files[i].n == n)
            files[i].n = NULL;
}

/* Counts the nodes below `d` and the bytes their files are charged. */
static void count(const struct fs_node *d, uint64_t *nodes, uint64_t *bytes, size_t step)
{
    for (uint32_t i = 0; i < d->dir.n; i++) {
        const struct fs_node *e = d->dir.ents[i];
        if (!fs_name_valid(e->name, e->name_len))
            fail("an entry has an invalid name", step);
        if (i && d->dir.ents[i - 1]->seq >= e->seq)
            fail("entries out of seq order", step);
        if (e->seq >= d->dir.next_seq)
            fail("seq past next_seq", step);
        for (uint32_t j = 0; j < i; j++) {
            const struct fs_node *o = d->dir.ents[j];
            if (o->name_len == e->name_len && memcmp(o->name, e->name, e->name_len) == 0)
                fail("two entries with one name", step);
        }
        if (e->parent != d)
            fail("a node's parent is not the directory it is in", step);
        (*nodes)++;
        if (e->kind == FS_DIR)
            count(e, nodes, bytes, step);
        else if (e->kind == FS_LINK)
            *bytes += e->link.target_len;
        else
            *bytes += fs_data_charged(&e->data);
    }
}

static void check(struct fs_tree *t, const struct fs_account *root, const struct fs_account *sub,
                  size_t step)
{
    static uint8_t out[SPAN + 16];
    uint64_t nodes = 1, pages = 0; /* the root is an entry too */
    count(t->root, &nodes, &pages, step);
    if (root->bytes_used > root->bytes_limit || root->entries_used > root->entries_limit ||
        sub->bytes_used > sub->bytes_limit || sub->entries_used > sub->entries_limit)
        fail("an account is over its limit", step);
    if (sub->bytes_used > root->bytes_used || sub->entries_used > root->entries_used)
        fail("a child account holds more than its parent", step);
    if (root->bytes_used != pages)
        fail("bytes charged differ from what the files hold", step);
    if (root->entries_used != nodes)
        fail("entries charged differ from nodes", step);
    for (int i = 0; i < NFILES; i++) {
        const struct fs_node *n = files[i].n;
        if (!n)
            continue;
        uint32_t want = n->data.size < SPAN ? (uint32_t)n->data.size : SPAN;
        if (fs_data_read(&n->data, 0, out, SPAN) != want || memcmp(out, files[i].ref, want) != 0)
            fail("a file differs from its reference", step);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t buf[9000];
    struct fs_account root = {.bytes_limit = 40 * FS_PAGE, .entries_limit = 40};
    struct fs_account sub = {.parent = &root, .bytes_limit = 8 * FS_PAGE, .entries_limit = 6};
    struct fs_mem m = {.alloc = f_alloc, .free = f_free};
    struct fs_tree t;
    struct fs_node *n;
    char a[24], b[24];
    fuzz_input(data, size);
    memset(dirs, 0, sizeof(dirs));
    for (int i = 0; i < NFILES; i++)
        files[i].n = NULL;
    if (fs_tree_init(&t, &m, &root, 0) != FS_OK)
        abort();
    dirs[0] = t.root;
    for (size_t step = 0; in_left; step++) {
        uint8_t op = byte();
        struct fs_node *d = dirs[(op >> 4) % NDIRS];
        if (!d)
            d = t.root;
        struct fs_account *acct = op & 8 ? &sub : &root;
        struct tracked_file *tf = &files[byte() % NFILES];
        fail_after = (op & 0x80) ? byte() % 3 : -1;
        if ((op & 0x47) == 0x40) { /* a symbolic link, its target a fuzzed name */
            uint32_t len = fuzz_name(a, 20), lt = fuzz_name(b, 20);
            uint64_t before = acct->bytes_used;
            enum fs_err e = fs_dir_symlink(&t, d, a, len, b, lt, acct, step);
            if (e == FS_OK && acct->bytes_used != before + lt)
                fail("a link's target charged wrongly", step);
            if (e == FS_OK && fs_dir_lookup(d, a, len)->kind != FS_LINK)
                fail("a link made is not there", step);
            if (e != FS_OK && acct->bytes_used != before)
                fail("a refused link charged bytes", step);
            fail_after = -1;
            check(&t, &root, &sub, step);
            continue;
        }
        switch (op & 7) {
        case 0:   /* create a file */
        case 1: { /* mkdir */
            uint32_t len = fuzz_name(a, 20);
            enum fs_kind k = (op & 7) ? FS_DIR : FS_FILE;
            enum fs_err e = fs_dir_create(&t, d, a, len, k, 0644, acct, step, &n);
            if (e == FS_OK) {
                if (k == FS_FILE) {
                    track_file(n);
                } else {
                    for (int i = 0; i < NDIRS; i++) {
                        if (!dirs[i]) {
                            dirs[i] = n;
                            break;
                        }
                    }
                }
            } else if (e == FS_BAD_NAME && fs_name_valid(a, len)) {
                fail("a valid name refused", step);
            } else if (e != FS_BAD_NAME && !fs_name_valid(a, len)) {
                fail("an invalid name not refused", step);
            }
            break;
        }
        case 2: { /* remove */
            uint32_t len = fuzz_name(a, 20);
            if (fs_dir_unlink(&t, d, a, len, step, &n) == FS_OK) {
                forget(n);
                fs_node_free(&t, n);
            }
            break;
        }
        case 3: { /* rename, within d or into another directory */
            uint32_t la = fuzz_name(a, 20), lb = fuzz_name(b, 20);
            struct fs_node *to = dirs[byte() % NDIRS];
            if (!to)
                to = d;
            struct fs_node *from = fs_dir_lookup(d, a, la);
            uint32_t nd = d->dir.n, nto = to->dir.n;
            enum fs_err e = fs_dir_rename(&t, d, a, la, to, b, lb, step, &n);
            if (e == FS_OK && from && fs_dir_lookup(to, b, lb) != from)
                fail("rename lost the entry", step);
            if (e != FS_OK && (d->dir.n != nd || to->dir.n != nto))
                fail("a refused rename changed a directory", step);
            if (e == FS_INTO_ITSELF && (!from || from->kind != FS_DIR))
                fail("a loop reported for a non-directory", step);
            if (e == FS_OK && n) {
                forget(n);
                fs_node_free(&t, n);
            }
            break;
        }
        case 4: { /* write */
            if (!tf->n)
                break;
            uint64_t off = (uint64_t)byte() << 8 | byte();
            if (byte() == 0xff)
                off = (uint64_t)byte() << 56 | (uint64_t)byte() << 40 | off;
            uint32_t len = ((uint32_t)byte() << 8 | byte()) % sizeof(buf);
            memset(buf, byte(), len);
            struct fs_data before = tf->n->data;
            enum fs_err e = fs_data_write(&tf->n->data, &m, tf->n->acct, off, buf, len);
            if (e == FS_OK) {
                for (uint64_t i = 0; i < len && off + i < SPAN; i++)
                    tf->ref[off + i] = buf[0];
            } else if (tf->n->data.size != before.size || tf->n->data.held != before.held) {
                fail("a refused write changed the file", step);
            }
            break;
        }
        case 5: { /* truncate */
            if (!tf->n)
                break;
            uint64_t sz = ((uint64_t)byte() << 8 | byte()) % (SPAN + 8192);
            if (byte() == 0xff)
                sz = (uint64_t)byte() << 48;
            uint64_t old = tf->n->data.size;
            if (fs_data_truncate(&tf->n->data, &m, tf->n->acct, sz) == FS_OK && sz < old &&
                sz < SPAN)
                memset(tf->ref + sz, 0, SPAN - sz);
            break;
        }
        case 6: { /* read anywhere */
            if (!tf->n)
                break;
            uint64_t off = (uint64_t)byte() << 24 | (uint64_t)byte() << 8 | byte();
            uint32_t len = ((uint32_t)byte() << 8 | byte()) % sizeof(buf);
            uint32_t got = fs_data_read(&tf->n->data, off, buf, len);
            uint64_t sz = tf->n->data.size;
            if (got != (off >= sz ? 0 : (sz - off < len ? sz - off : len)))
                fail("a read returned the wrong count", step);
            break;
        }
        default: { /* a list page from a cursor */
            uint64_t cursor = byte();
            uint32_t i = fs_dir_seek(d, cursor);
            if (i < d->dir.n && d->dir.ents[i]->seq < cursor)
                fail("seek landed before the cursor", step);
            if (i > 0 && d->dir.ents[i - 1]->seq >= cursor)
                fail("seek skipped an entry", step);
            break;
        }
        }
        fail_after = -1;
        check(&t, &root, &sub, step);
    }
    /* Tear down depth first; everything must come back. */
    while (t.root->dir.n) {
        struct fs_node *d = t.root;
        while (d->dir.n && d->dir.ents[0]->kind == FS_DIR && d->dir.ents[0]->dir.n)
            d = d->dir.ents[0];
        struct fs_node *e = d->dir.ents[0];
        if (fs_dir_unlink(&t, d, e->name, e->name_len, 0, &n) != FS_OK)
            abort();
        fs_node_free(&t, n);
    }
    fs_node_free(&t, t.root);
    if (root.bytes_used || root.entries_used || sub.bytes_used || sub.entries_used || live_blocks)
        fail("something was not given back", 0);
    return 0;
}
