/*
 * Host tests of lib/fs, the file service's pure logic: names, quota
 * accounts, file data as page lists (against a flat reference buffer, with
 * quota and allocation failures that must change nothing), the tree
 * (create, lookup, unlink, rename, list cursors across changes) and the
 * badge table (generations, sharing, dropping).
 */
#include "test.h"

#include <stdlib.h>

#include "fs/handle.h"
#include "fs/name.h"
#include "fs/records.h"
#include "fs/tree.h"
#include "fs_alloc.h"

static struct fs_account big_account(void)
{
    return (struct fs_account){.bytes_limit = UINT64_MAX, .entries_limit = UINT64_MAX};
}

TEST(fs_names)
{
    CHECK(fs_name_valid("a", 1));
    CHECK(fs_name_valid("...", 3));
    CHECK(fs_name_valid(".hidden", 7));
    CHECK(!fs_name_valid("", 0));
    CHECK(!fs_name_valid(".", 1));
    CHECK(!fs_name_valid("..", 2));
    CHECK(!fs_name_valid("a/b", 3));
    CHECK(!fs_name_valid("/", 1));
    CHECK(!fs_name_valid("a\0b", 3));
    char long_name[FS_NAME_MAX + 1];
    memset(long_name, 'x', sizeof(long_name));
    CHECK(fs_name_valid(long_name, FS_NAME_MAX));
    CHECK(!fs_name_valid(long_name, FS_NAME_MAX + 1));
}

TEST(fs_account_chain)
{
    struct fs_account root = {.bytes_limit = 100, .entries_limit = 10};
    struct fs_account child = {.parent = &root, .bytes_limit = 60, .entries_limit = 20};
    CHECK(fs_account_charge(&child, 50, 5));
    CHECK_EQ(root.bytes_used, 50);
    CHECK(!fs_account_charge(&child, 20, 0)); /* child full */
    CHECK(fs_account_charge(&root, 50, 5));
    CHECK(!fs_account_charge(&child, 0, 1)); /* root full, child is not */
    CHECK_EQ(child.entries_used, 5);
    CHECK_EQ(root.entries_used, 10);
    CHECK(!fs_account_charge(&root, UINT64_MAX, 0));
    fs_account_uncharge(&child, 50, 5);
    CHECK_EQ(root.bytes_used, 50);
    CHECK_EQ(child.bytes_used, 0);
}

TEST(fs_data_sparse_and_sequential)
{
    struct counting c = {.left = -1};
    struct fs_mem m = mem_of(&c);
    struct fs_account a = big_account();
    struct fs_data d = {0};
    static uint8_t buf[70000], out[70000];
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)(i * 7 + 1);
    /* 64 KiB in 16 sequential writes: exactly 16 pages, no copy moved. */
    for (uint32_t i = 0; i < 16; i++)
        CHECK_EQ(fs_data_write(&d, &m, &a, i * 4096u, buf + i * 4096u, 4096), FS_OK);
    CHECK_EQ(d.size, 65536);
    CHECK_EQ(d.held, 16);
    CHECK_EQ(d.nslots, 16);
    CHECK_EQ(a.bytes_used, 65536 + 16 * 8);
    CHECK_EQ(fs_data_read(&d, 0, out, 65536), 65536);
    CHECK(memcmp(out, buf, 65536) == 0);
    /* A write far away leaves a hole that reads as zeros and costs nothing. */
    CHECK_EQ(fs_data_write(&d, &m, &a, 1u << 20, "end", 3), FS_OK);
    CHECK_EQ(d.held, 17);
    CHECK_EQ(fs_data_read(&d, 65536 + 100, out, 10), 10);
    for (int i = 0; i < 10; i++)
        CHECK_EQ(out[i], 0);
    CHECK_EQ(fs_data_read(&d, (1u << 20) + 1, out, 100), 2);
    CHECK(memcmp(out, "nd", 2) == 0);
    CHECK_EQ(fs_data_read(&d, 1u << 21, out, 100), 0);
    /* Truncate into a page: the tail reads as zeros after growing again. */
    CHECK_EQ(fs_data_truncate(&d, &m, &a, 100), FS_OK);
    CHECK_EQ(d.held, 1);
    CHECK_EQ(a.bytes_used, fs_data_charged(&d));
    CHECK_EQ(fs_data_truncate(&d, &m, &a, 5000), FS_OK);
    CHECK_EQ(fs_data_read(&d, 0, out, 5000), 5000);
    CHECK(memcmp(out, buf, 100) == 0);
    for (int i = 100; i < 5000; i++)
        CHECK_EQ(out[i], 0);
    /* Truncating past the page list and reading there. */
    CHECK_EQ(fs_data_truncate(&d, &m, &a, 1ull << 40), FS_OK);
    CHECK_EQ(fs_data_read(&d, (1ull << 40) - 4, out, 16), 4);
    CHECK_EQ(fs_data_truncate(&d, &m, &a, FS_MAX_FILE_SIZE + 1), FS_TOO_BIG);
    CHECK_EQ(fs_data_write(&d, &m, &a, FS_MAX_FILE_SIZE - 1, "ab", 2), FS_TOO_BIG);
    CHECK_EQ(fs_data_write(&d, &m, &a, UINT64_MAX, "ab", 2), FS_TOO_BIG);
    fs_data_free(&d, &m, &a);
    CHECK_EQ(a.bytes_used, 0);
    CHECK_EQ(c.live, 0);
}

TEST(fs_data_failures_change_nothing)
{
    struct counting c = {.left = -1};
    struct fs_mem m = mem_of(&c);
    struct fs_account a = {.bytes_limit = 3 * 4096, .entries_limit = 0};
    struct fs_data d = {0};
    uint8_t page[8192], out[8192];
    memset(page, 0xab, sizeof(page));
    CHECK_EQ(fs_data_write(&d, &m, &a, 0, page, 8192), FS_OK);
    /* Two more pages do not fit a 3-page quota. */
    CHECK_EQ(fs_data_write(&d, &m, &a, 8000, page, 8192), FS_QUOTA);
    CHECK_EQ(d.size, 8192);
    CHECK_EQ(a.bytes_used, 8192 + 4 * 8);
    /* A far offset needs a page list of 2^27 slots: refused, not allocated. */
    CHECK_EQ(fs_data_write(&d, &m, &a, 1ull << 39, page, 1), FS_QUOTA);
    CHECK_EQ(d.nslots, 4);
    /* Out of memory after the first new page: the first is given back. */
    c.left = 1;
    a.bytes_limit = UINT64_MAX;
    long live = c.live;
    CHECK_EQ(fs_data_write(&d, &m, &a, 8192, page, 8192), FS_NO_MEMORY);
    CHECK_EQ(c.live, live);
    CHECK_EQ(a.bytes_used, 8192 + 4 * 8);
    CHECK_EQ(d.size, 8192);
    CHECK_EQ(fs_data_read(&d, 0, out, 8192), 8192);
    CHECK(memcmp(out, page, 8192) == 0);
    c.left = -1;
    fs_data_free(&d, &m, &a);
    CHECK_EQ(c.live, 0);
}

TEST(fs_data_random_against_reference)
{
    enum { SPAN = 40000 };
    struct counting c = {.left = -1};
    struct fs_mem m = mem_of(&c);
    struct fs_account a = big_account();
    struct fs_data d = {0};
    static uint8_t ref[SPAN], buf[SPAN], out[SPAN];
    uint64_t size = 0;
    srand(7);
    for (int step = 0; step < 3000; step++) {
        uint32_t off = (uint32_t)rand() % SPAN, len = (uint32_t)rand() % 9000;
        if (len > SPAN - off)
            len = SPAN - off;
        switch (rand() % 3) {
        case 0:
            for (uint32_t i = 0; i < len; i++)
                buf[i] = (uint8_t)rand();
            CHECK_EQ(fs_data_write(&d, &m, &a, off, buf, len), FS_OK);
            memcpy(ref + off, buf, len);
            if (len && off + len > size)
                size = off + len;
            break;
        case 1:
            CHECK_EQ(fs_data_truncate(&d, &m, &a, off), FS_OK);
            if (off < size)
                memset(ref + off, 0, size - off);
            size = off;
            break;
        default: {
            uint32_t n = fs_data_read(&d, off, out, len);
            uint32_t want = off >= size ? 0 : (uint32_t)(size - off < len ? size - off : len);
            CHECK_EQ(n, want);
            CHECK(memcmp(out, ref + off, n) == 0);
        }
        }
        CHECK_EQ(d.size, size);
        CHECK_EQ(a.bytes_used, fs_data_charged(&d));
    }
    fs_data_free(&d, &m, &a);
    CHECK_EQ(c.live, 0);
}

static struct fs_node *mk(struct fs_tree *t, struct fs_node *dir, const char *name, enum fs_kind k,
                          struct fs_account *a)
{
    struct fs_node *n = NULL;
    if (fs_dir_create(t, dir, name, (uint32_t)strlen(name), k, 0644, a, 1, &n) != FS_OK)
        return NULL;
    return n;
}

TEST(fs_tree_entries)
{
    struct counting c = {.left = -1};
    struct fs_mem m = mem_of(&c);
    struct fs_account a = {.bytes_limit = 1 << 20, .entries_limit = 5}; /* the root's and 4 */
    struct fs_tree t;
    struct fs_node *n, *old;
    CHECK_EQ(fs_tree_init(&t, &m, &a, 1), FS_OK);
    struct fs_node *root = t.root;
    struct fs_node *f = mk(&t, root, "f", FS_FILE, &a);
    struct fs_node *d = mk(&t, root, "d", FS_DIR, &a);
    CHECK(f && d);
    CHECK(f->ino != d->ino);
    CHECK_EQ(root->dir.subdirs, 1);
    CHECK_EQ(fs_dir_create(&t, root, "f", 1, FS_FILE, 0, &a, 1, &n), FS_EXISTS);
    CHECK_EQ(fs_dir_create(&t, root, "..", 2, FS_FILE, 0, &a, 1, &n), FS_BAD_NAME);
    CHECK_EQ(fs_dir_create(&t, f, "x", 1, FS_FILE, 0, &a, 1, &n), FS_NOT_DIR);
    CHECK(mk(&t, d, "inner", FS_FILE, &a));
    CHECK(mk(&t, root, "g", FS_FILE, &a));
    /* Five entries with the root: the account is full, and nothing was added. */
    CHECK_EQ(fs_dir_create(&t, root, "h", 1, FS_FILE, 0, &a, 1, &n), FS_QUOTA);
    CHECK_EQ(root->dir.n, 3);
    CHECK(fs_dir_lookup(root, "d", 1) == d);
    CHECK(!fs_dir_lookup(root, "inner", 5)); /* only one level */
    CHECK_EQ(fs_dir_unlink(&t, root, "d", 1, 2, &n), FS_NOT_EMPTY);
    /* Rename over a file of the same kind, not over a directory. */
    CHECK_EQ(fs_dir_rename(&t, root, "f", 1, root, "d", 1, 2, &old), FS_IS_DIR);
    CHECK_EQ(fs_dir_rename(&t, root, "f", 1, root, "g", 1, 2, &old), FS_OK);
    CHECK(old && old != f);
    fs_node_free(&t, old);
    CHECK(fs_dir_lookup(root, "g", 1) == f);
    CHECK(!fs_dir_lookup(root, "f", 1));
    CHECK_EQ(fs_dir_rename(&t, root, "g", 1, root, "a/b", 3, 2, &old), FS_BAD_NAME);
    CHECK_EQ(fs_dir_rename(&t, root, "nope", 4, root, "x", 1, 2, &old), FS_NOT_FOUND);
    CHECK_EQ(a.entries_used, 4);
    CHECK_EQ(fs_dir_unlink(&t, d, "inner", 5, 2, &n), FS_OK);
    fs_node_free(&t, n);
    CHECK_EQ(fs_dir_unlink(&t, root, "d", 1, 2, &n), FS_OK);
    fs_node_free(&t, n);
    CHECK_EQ(root->dir.subdirs, 0);
    CHECK_EQ(fs_dir_unlink(&t, root, "g", 1, 2, &n), FS_OK);
    fs_node_free(&t, n);
    CHECK_EQ(a.entries_used, 1);
    fs_node_free(&t, root);
    CHECK_EQ(a.entries_used, 0);
    CHECK_EQ(c.live, 0);
}

TEST(fs_tree_move_between_directories)
{
    struct counting c = {.left = -1};
    struct fs_mem m = mem_of(&c);
    struct fs_account a = {.bytes_limit = 1 << 20, .entries_limit = 100};
    struct fs_tree t;
    struct fs_node *old;
    CHECK_EQ(fs_tree_init(&t, &m, &a, 1), FS_OK);
    struct fs_node *root = t.root;
    struct fs_node *d = mk(&t, root, "d", FS_DIR, &a), *e = mk(&t, root, "e", FS_DIR, &a);
    struct fs_node *dd = mk(&t, d, "dd", FS_DIR, &a), *f = mk(&t, d, "f", FS_FILE, &a);
    CHECK(d && e && dd && f);
    CHECK(d->parent == root && dd->parent == d && !root->parent);
    /* A file to another directory: gone from one, in the other. */
    CHECK_EQ(fs_dir_rename(&t, d, "f", 1, e, "g", 1, 5, &old), FS_OK);
    CHECK(!old && f->parent == e && fs_dir_lookup(e, "g", 1) == f && !fs_dir_lookup(d, "f", 1));
    CHECK(e->mtime_ns == 5 && d->mtime_ns == 5);
    /* A directory into itself or below itself: refused, nothing moved. */
    CHECK_EQ(fs_dir_rename(&t, root, "d", 1, d, "x", 1, 6, &old), FS_INTO_ITSELF);
    CHECK_EQ(fs_dir_rename(&t, root, "d", 1, dd, "x", 1, 6, &old), FS_INTO_ITSELF);
    CHECK(fs_dir_lookup(root, "d", 1) == d && d->parent == root);
    /* A directory moves with what it holds; subdirs follow it. */
    CHECK_EQ(root->dir.subdirs, 2);
    CHECK_EQ(fs_dir_rename(&t, root, "d", 1, e, "d2", 2, 7, &old), FS_OK);
    CHECK(d->parent == e && dd->parent == d && root->dir.subdirs == 1 && e->dir.subdirs == 1);
    /* Replacing in the other directory follows the same rules. */
    CHECK(mk(&t, root, "h", FS_FILE, &a));
    CHECK_EQ(fs_dir_rename(&t, root, "h", 1, e, "d2", 2, 8, &old), FS_IS_DIR);
    CHECK_EQ(fs_dir_rename(&t, root, "h", 1, e, "g", 1, 8, &old), FS_OK);
    CHECK(old == f);
    fs_node_free(&t, old);
    /* A file as the destination directory. */
    struct fs_node *h = fs_dir_lookup(e, "g", 1);
    CHECK_EQ(fs_dir_rename(&t, e, "d2", 2, h, "x", 1, 9, &old), FS_NOT_DIR);
    /* Out of memory for the destination's entry list: nothing changes. */
    struct fs_node *full = mk(&t, root, "full", FS_DIR, &a);
    CHECK(full);
    char name[4] = "n00";
    for (int i = 0; i < 8; i++) {
        name[2] = (char)('0' + i);
        CHECK(mk(&t, full, name, FS_FILE, &a));
    }
    CHECK_EQ(full->dir.n, full->dir.cap);
    c.left = 0;
    CHECK_EQ(fs_dir_rename(&t, e, "g", 1, full, "g", 1, 10, &old), FS_NO_MEMORY);
    c.left = -1;
    CHECK(fs_dir_lookup(e, "g", 1) == h && !fs_dir_lookup(full, "g", 1));
    fs_dir_clear(&t, root);
    fs_node_free(&t, root);
    CHECK_EQ(a.entries_used, 0);
    CHECK_EQ(c.live, 0);
}

TEST(fs_tree_symlinks)
{
    struct counting c = {.left = -1};
    struct fs_mem m = mem_of(&c);
    struct fs_account a = {.bytes_limit = 10, .entries_limit = 4};
    struct fs_tree t;
    struct fs_node *n, *old;
    CHECK_EQ(fs_tree_init(&t, &m, &a, 1), FS_OK);
    struct fs_node *root = t.root, *d = mk(&t, root, "d", FS_DIR, &a);
    CHECK(d);
    /* A target is 1 to FS_LINK_MAX bytes without NUL, charged as bytes. */
    CHECK_EQ(fs_dir_symlink(&t, root, "l", 1, "", 0, &a, 2), FS_BAD_NAME);
    CHECK_EQ(fs_dir_symlink(&t, root, "l", 1, "a\0b", 3, &a, 2), FS_BAD_NAME);
    CHECK_EQ(fs_dir_symlink(&t, root, "l", 1, "0123456789x", 11, &a, 2), FS_QUOTA);
    CHECK_EQ(a.bytes_used, 0);
    CHECK_EQ(fs_dir_symlink(&t, root, "l", 1, "../d/x", 6, &a, 2), FS_OK);
    CHECK_EQ(a.bytes_used, 6);
    CHECK_EQ(fs_dir_symlink(&t, root, "l", 1, "y", 1, &a, 2), FS_EXISTS);
    CHECK_EQ(fs_dir_symlink(&t, root, "..", 2, "y", 1, &a, 2), FS_BAD_NAME);
    n = fs_dir_lookup(root, "l", 1);
    CHECK(n && n->kind == FS_LINK && n->link.target_len == 6 &&
          memcmp(n->link.target, "../d/x", 6) == 0);
    /* An entry short, the charge of the target comes back. */
    CHECK(mk(&t, root, "f", FS_FILE, &a));
    CHECK_EQ(fs_dir_symlink(&t, root, "m", 1, "z", 1, &a, 2), FS_QUOTA);
    CHECK_EQ(a.bytes_used, 6);
    /* Renaming: a link replaces a file, never a directory. */
    CHECK_EQ(fs_dir_rename(&t, root, "l", 1, root, "d", 1, 3, &old), FS_IS_DIR);
    CHECK_EQ(fs_dir_rename(&t, root, "d", 1, root, "l", 1, 3, &old), FS_NOT_DIR);
    CHECK_EQ(fs_dir_rename(&t, root, "l", 1, root, "f", 1, 3, &old), FS_OK);
    CHECK(old && old->kind == FS_FILE);
    fs_node_free(&t, old);
    CHECK_EQ(fs_dir_unlink(&t, root, "f", 1, 4, &n), FS_OK);
    CHECK(n->kind == FS_LINK);
    fs_node_free(&t, n);
    CHECK_EQ(a.bytes_used, 0);
    CHECK_EQ(fs_dir_unlink(&t, root, "d", 1, 4, &n), FS_OK);
    fs_node_free(&t, n);
    fs_node_free(&t, root);
    CHECK_EQ(a.entries_used, 0);
    CHECK_EQ(c.live, 0);
}

TEST(fs_tree_list_cursor_survives_changes)
{
    struct counting c = {.left = -1};
    struct fs_mem m = mem_of(&c);
    struct fs_account a = big_account();
    struct fs_tree t;
    struct fs_node *n;
    char name[16];
    static bool seen[300], seen_new[50];
    CHECK_EQ(fs_tree_init(&t, &m, &a, 1), FS_OK);
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof(name), "e%d", i);
        CHECK(mk(&t, t.root, name, FS_FILE, &a));
    }
    /* Page through 7 at a time, removing an already listed entry and a
     * not yet listed one, and adding one, between pages. */
    uint64_t cursor = 0;
    int pages = 0, added = 0;
    for (;;) {
        uint32_t i = fs_dir_seek(t.root, cursor), k;
        for (k = 0; k < 7 && i + k < t.root->dir.n; k++) {
            const char *nm = t.root->dir.ents[i + k]->name;
            bool *flag = nm[0] == 'e' ? &seen[atoi(nm + 1)] : &seen_new[atoi(nm + 1)];
            CHECK(!*flag);
            *flag = true;
        }
        if (i + k == t.root->dir.n)
            break;
        cursor = t.root->dir.ents[i + k]->seq;
        pages++;
        snprintf(name, sizeof(name), "e%d", pages * 2);
        if (fs_dir_unlink(&t, t.root, name, (uint32_t)strlen(name), 1, &n) == FS_OK)
            fs_node_free(&t, n);
        snprintf(name, sizeof(name), "e%d", 299 - pages);
        if (fs_dir_unlink(&t, t.root, name, (uint32_t)strlen(name), 1, &n) == FS_OK) {
            seen[299 - pages] = true; /* removed before its page: never listed */
            fs_node_free(&t, n);
        }
        if (added < 50) {
            snprintf(name, sizeof(name), "n%d", added++);
            CHECK(mk(&t, t.root, name, FS_FILE, &a));
        }
    }
    for (int i = 0; i < 300; i++)
        CHECK(seen[i]);
    for (int i = 0; i < added; i++)
        CHECK(seen_new[i]);
    while (t.root->dir.n) {
        CHECK_EQ(fs_dir_unlink(&t, t.root, t.root->dir.ents[0]->name, t.root->dir.ents[0]->name_len,
                               1, &n),
                 FS_OK);
        fs_node_free(&t, n);
    }
    fs_node_free(&t, t.root);
    CHECK_EQ(c.live, 0);
}

TEST(fs_handles_badges)
{
    struct fs_handle slots[3] = {0};
    struct fs_handles h = {.h = slots, .n = 3};
    struct fs_account a = big_account(), b = big_account();
    struct fs_node *n1 = (struct fs_node *)&slots[0], *n2 = (struct fs_node *)&slots[1];
    uint64_t b1, b1again, b1ro, b2, b3;
    CHECK(fs_handle_badge(&h, FS_H_NODE, n1, &a, false, &b1));
    CHECK(fs_handle_badge(&h, FS_H_NODE, n1, &a, false, &b1again));
    CHECK_EQ(b1, b1again);
    CHECK(b1 & FS_BADGE_MINTED);
    CHECK(fs_handle_badge(&h, FS_H_NODE, n1, &a, true, &b1ro));
    CHECK(b1ro != b1);
    CHECK(fs_handle_badge(&h, FS_H_NODE, n2, &b, false, &b2));
    CHECK(!fs_handle_badge(&h, FS_H_NODE, n2, &a, false, &b3)); /* full */
    CHECK(fs_handle_get(&h, b1)->obj == n1);
    CHECK(fs_handle_get(&h, b1ro)->read_only);
    CHECK(!fs_handle_get(&h, 5));                                   /* a manifest badge */
    CHECK(!fs_handle_get(&h, FS_BADGE_MINTED | 7));                 /* no such slot */
    CHECK(!fs_handle_get(&h, b1 + (1ull << FS_HANDLE_INDEX_BITS))); /* wrong generation */
    /* A badge of another run of the service (another epoch) names nothing. */
    h.epoch = 5;
    CHECK(!fs_handle_get(&h, b1));
    h.epoch = 0;
    CHECK(fs_handle_get(&h, b1));
    fs_handle_drop(&h, n1);
    CHECK(!fs_handle_get(&h, b1));
    CHECK(!fs_handle_get(&h, b1ro));
    CHECK(fs_handle_get(&h, b2));
    /* The freed slot is reused under a new badge; the old one stays dead. */
    CHECK(fs_handle_badge(&h, FS_H_NODE, n2, &a, false, &b3));
    CHECK(b3 != b1 && b3 != b1ro);
    CHECK(!fs_handle_get(&h, b1));
    CHECK(fs_handle_get(&h, b3)->acct == &a);
}

/* on_free's record: how often each slot was freed. */
static void count_free(void *ctx, uint32_t index)
{
    ((uint32_t *)ctx)[index]++;
}

/* The chained table against a flat model: many objects share a chain (64
 * objects, 256 chains, and neighbours 16 bytes apart), several handles share
 * an object, and drops and hand-outs interleave; every badge must name
 * exactly what the model says, a full table must refuse, and every freed
 * slot must be reported once. */
TEST(fs_handles_chains_against_model)
{
    enum { SLOTS = 40, OBJS = 64, KEYS = OBJS * 4 };
    static struct fs_handle slots[SLOTS];
    static struct fs_handles t;
    static uint8_t objs[OBJS * 16];
    struct fs_account accts[2] = {big_account(), big_account()};
    uint64_t badge_of_key[KEYS] = {0}; /* 0: the model holds no handle for the key */
    uint32_t live = 0, freed[SLOTS] = {0}, expect_freed = 0;
    memset(slots, 0, sizeof(slots));
    memset(&t, 0, sizeof(t));
    t.h = slots, t.n = SLOTS, t.on_free = count_free, t.ctx = freed;
    srand(11);
    for (int step = 0; step < 20000; step++) {
        uint32_t k = (uint32_t)rand() % KEYS, o = k / 4;
        void *obj = &objs[o * 16];
        struct fs_account *acct = &accts[k & 1];
        bool ro = k & 2;
        if (rand() % 4 == 0) {
            uint64_t dead[4] = {0};
            for (uint32_t j = o * 4; j < o * 4 + 4; j++) {
                if (badge_of_key[j]) {
                    dead[j - o * 4] = badge_of_key[j];
                    badge_of_key[j] = 0, live--, expect_freed++;
                }
            }
            fs_handle_drop(&t, obj);
            for (int j = 0; j < 4; j++)
                CHECK(!dead[j] || !fs_handle_get(&t, dead[j])); /* a dropped badge names nothing */
        } else {
            uint64_t b;
            bool ok = fs_handle_badge(&t, FS_H_NODE, obj, acct, ro, &b);
            if (badge_of_key[k]) {
                CHECK(ok);
                CHECK_EQ(b, badge_of_key[k]);
            } else if (live == SLOTS) {
                CHECK(!ok);
            } else {
                CHECK(ok);
                badge_of_key[k] = b, live++;
            }
        }
        uint32_t seen = 0;
        for (uint32_t j = 0; j < KEYS; j++) {
            if (!badge_of_key[j])
                continue;
            const struct fs_handle *h = fs_handle_get(&t, badge_of_key[j]);
            CHECK(h && h->obj == &objs[j / 4 * 16] && h->acct == &accts[j & 1] &&
                  h->read_only == !!(j & 2));
            seen++;
        }
        CHECK_EQ(seen, live);
    }
    uint32_t total = 0;
    for (uint32_t i = 0; i < SLOTS; i++)
        total += freed[i];
    CHECK_EQ(total, expect_freed);
}

/* Directory records: what is put reads back; every refusal of the reader
 * (truncation at every byte, a bad kind, names that are not names) moves
 * nothing; the writer refuses what does not fit. */
TEST(fs_records)
{
    uint8_t buf[2 * FS_REC_MAX];
    size_t used = 0, at = 0;
    char longest[255];
    memset(longest, 'n', sizeof(longest));
    CHECK(fs_rec_put(
        buf, sizeof(buf), &used,
        &(struct fs_rec){
            .ino = 7, .next = 1ull << 40, .kind = FS_REC_DIR, .name = "etc", .name_len = 3}));
    CHECK(fs_rec_put(
        buf, sizeof(buf), &used,
        &(struct fs_rec){
            .ino = UINT64_MAX, .next = 9, .kind = FS_REC_LINK, .name = longest, .name_len = 255}));
    CHECK_EQ(used, 2 * FS_REC_HEAD + 3 + 255);
    size_t before = used;
    CHECK(!fs_rec_put(buf, sizeof(buf), &used,
                      &(struct fs_rec){.kind = FS_REC_FILE, .name = longest, .name_len = 255}));
    CHECK_EQ(used, before);
    struct fs_rec r;
    CHECK_EQ(fs_rec_next(buf, used, &at, &r), FS_REC_OK);
    CHECK(r.ino == 7 && r.next == 1ull << 40 && r.kind == FS_REC_DIR && r.name_len == 3 &&
          memcmp(r.name, "etc", 3) == 0);
    CHECK_EQ(fs_rec_next(buf, used, &at, &r), FS_REC_OK);
    CHECK(r.ino == UINT64_MAX && r.next == 9 && r.kind == FS_REC_LINK && r.name_len == 255);
    CHECK_EQ(fs_rec_next(buf, used, &at, &r), FS_REC_END);
    /* Every truncation of the page is refused at the record it cuts. */
    for (size_t len = 0; len < used; len++) {
        size_t a = 0;
        enum fs_rec_err e;
        while ((e = fs_rec_next(buf, len, &a, &r)) == FS_REC_OK)
            ;
        CHECK(len == 0 || len == FS_REC_HEAD + 3 ? e == FS_REC_END : e == FS_REC_BAD);
        CHECK(a == 0 || a == FS_REC_HEAD + 3);
    }
    /* A bad kind, and names that are not names. */
    static const struct {
        uint8_t kind, len;
        const char *name;
    } bad[] = {{3, 1, "a"}, {0, 0, ""}, {0, 1, "."}, {1, 2, ".."}, {0, 3, "a/b"}, {0, 3, "a\0b"}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint8_t b[FS_REC_HEAD + 3] = {0};
        b[16] = bad[i].kind;
        b[17] = bad[i].len;
        memcpy(b + FS_REC_HEAD, bad[i].name, bad[i].len);
        size_t a = 0;
        CHECK_EQ(fs_rec_next(b, FS_REC_HEAD + bad[i].len, &a, &r), FS_REC_BAD);
        CHECK_EQ(a, 0);
    }
    /* A position past the end is refused, not read. */
    at = used + 1;
    CHECK_EQ(fs_rec_next(buf, used, &at, &r), FS_REC_BAD);
}
