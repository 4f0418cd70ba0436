/*
 * Host tests of tree images (lib/fs/image.c): a built image loads into
 * the tree it describes; every rule of the format is refused with its
 * error and a message naming the entry; every prefix and every single
 * byte change of a good image is checked without a fault; a load that
 * runs out of quota or memory at any point leaves the target empty and
 * every charge given back.
 */
#include <stdlib.h>

#include "fs_alloc.h"
#include "test.h"

#include "base/endian.h"
#include "fs/image.h"

struct img {
    uint8_t b[1 << 16];
    size_t len;
    uint32_t count;
};

static void img_start(struct img *m)
{
    memcpy(m->b, FS_IMAGE_MAGIC, 8);
    le32_put(m->b + 8, FS_IMAGE_VERSION);
    m->len = FS_IMAGE_HEADER;
    m->count = 0;
    le32_put(m->b + 12, 0);
}

static void img_add(struct img *m, uint8_t kind, const char *path, uint32_t mode, const char *data)
{
    size_t plen = strlen(path), dlen = data ? strlen(data) : 0;
    uint8_t *h = m->b + m->len;
    h[0] = kind;
    h[1] = 0;
    le16_put(h + 2, (uint16_t)plen);
    le32_put(h + 4, mode);
    le64_put(h + 8, dlen);
    memcpy(h + 16, path, plen);
    if (dlen)
        memcpy(h + 16 + plen, data, dlen);
    m->len += 16 + plen + dlen;
    le32_put(m->b + 12, ++m->count);
}

#define D(m, p, mode)    img_add(m, FS_IMAGE_KIND_DIR, p, mode, NULL)
#define F(m, p, mode, d) img_add(m, FS_IMAGE_KIND_FILE, p, mode, d)
#define L(m, p, target)  img_add(m, FS_IMAGE_KIND_LINK, p, 0777, target)

/* The default tree's shape. */
static void good(struct img *m)
{
    img_start(m);
    D(m, "bin", 0755);
    F(m, "bin/hello", 0755, "\177ELF...");
    L(m, "bin/hi", "hello");
    D(m, "etc", 0755);
    F(m, "etc/motd", 0644, "hello\n");
    D(m, "etc/x", 0700);
    F(m, "etc/x/y", 0600, "");
    F(m, "etc0", 0644, "after etc/");
    D(m, "tmp", 01777);
}

static enum fs_image_err check(const struct img *m, char *why, size_t n)
{
    struct fs_image_limits lim = fs_image_default_limits();
    return fs_image_check(m->b, m->len, &lim, NULL, why, n);
}

TEST(image_good_loads)
{
    struct img *m = calloc(1, sizeof(*m));
    struct counting c = {.left = -1};
    struct fs_mem mem = mem_of(&c);
    struct fs_account acct = {.bytes_limit = 1 << 20, .entries_limit = 100};
    struct fs_tree t;
    struct fs_image_summary sum;
    struct fs_image_limits lim = fs_image_default_limits();
    char why[160];
    good(m);
    CHECK(fs_tree_init(&t, &mem, &acct, 7) == FS_OK);
    CHECK_EQ(fs_image_load(&t, t.root, &acct, m->b, m->len, &lim, false, 9, &sum, why, sizeof(why)),
             FS_IMAGE_OK);
    CHECK_EQ(sum.dirs, 4);
    CHECK_EQ(sum.files, 4);
    CHECK_EQ(sum.links, 1);
    CHECK_EQ(sum.bytes, 7 + 6 + 10);
    struct fs_node *hi = fs_dir_lookup(fs_dir_lookup(t.root, "bin", 3), "hi", 2);
    CHECK(hi && hi->kind == FS_LINK && hi->mode == 0777 && hi->link.target_len == 5 &&
          memcmp(hi->link.target, "hello", 5) == 0);
    CHECK_EQ(t.root->dir.n, 4);
    struct fs_node *etc = fs_dir_lookup(t.root, "etc", 3);
    CHECK(etc && etc->kind == FS_DIR && etc->mode == 0755 && etc->dir.n == 2);
    struct fs_node *motd = fs_dir_lookup(etc, "motd", 4);
    CHECK(motd && motd->kind == FS_FILE && motd->mode == 0644 && motd->data.size == 6);
    char buf[8];
    CHECK_EQ(fs_data_read(&motd->data, 0, buf, sizeof(buf)), 6);
    CHECK(memcmp(buf, "hello\n", 6) == 0);
    struct fs_node *tmp = fs_dir_lookup(t.root, "tmp", 3);
    CHECK(tmp && tmp->mode == 01777);
    struct fs_node *x = fs_dir_lookup(etc, "x", 1);
    CHECK(x && fs_dir_lookup(x, "y", 1) && fs_dir_lookup(x, "y", 1)->data.size == 0);
    CHECK_EQ(acct.entries_used, 10);
    /* A second load into the same, now full, directory is refused. */
    CHECK_EQ(fs_image_load(&t, t.root, &acct, m->b, m->len, &lim, false, 9, &sum, why, sizeof(why)),
             FS_IMAGE_NOT_EMPTY);
    fs_dir_clear(&t, t.root);
    CHECK_EQ(acct.entries_used, 1);
    CHECK_EQ(acct.bytes_used, 0);
    fs_node_free(&t, t.root);
    CHECK_EQ(c.live, 0);
    free(m);
}

/* Files that borrow the image's bytes read them in place, are charged as
 * copies would be, and copy them at their first change, leaving the image
 * as it was; a copy that runs out of memory leaves the file borrowing. */
TEST(image_borrowed_files)
{
    struct img *m = calloc(1, sizeof(*m));
    struct counting c = {.left = -1};
    struct fs_mem mem = mem_of(&c);
    struct fs_account a1 = {.bytes_limit = 1 << 20, .entries_limit = 100}, a2 = a1;
    struct fs_tree t1, t2;
    struct fs_image_limits lim = fs_image_default_limits();
    /* The good image and a file of three pages and a bit. */
    static char big[3 * 4096 + 10];
    for (size_t i = 0; i < sizeof(big) - 1; i++)
        big[i] = (char)('a' + i % 26);
    good(m);
    F(m, "zbig", 0644, big);
    CHECK(fs_tree_init(&t1, &mem, &a1, 1) == FS_OK && fs_tree_init(&t2, &mem, &a2, 1) == FS_OK);
    long before = c.live;
    CHECK_EQ(fs_image_load(&t1, t1.root, &a1, m->b, m->len, &lim, false, 1, NULL, NULL, 0),
             FS_IMAGE_OK);
    long copied = c.live - before;
    before = c.live;
    CHECK_EQ(fs_image_load(&t2, t2.root, &a2, m->b, m->len, &lim, true, 1, NULL, NULL, 0),
             FS_IMAGE_OK);
    /* No page of contents and no page list: 7 pages and 4 lists fewer,
     * and not charged for them (only the link's 5 bytes of target are). */
    CHECK_EQ(c.live - before + 11, copied);
    CHECK_EQ(a2.bytes_used, 5);
    CHECK_EQ(a1.entries_used, a2.entries_used);
    uint64_t charged = a1.bytes_used;
    struct fs_node *z = fs_dir_lookup(t2.root, "zbig", 4);
    CHECK(z && z->data.borrow && z->data.size == sizeof(big) - 1);
    static char out[sizeof(big)];
    CHECK_EQ(fs_data_read(&z->data, 4090, out, 20), 20);
    CHECK(memcmp(out, big + 4090, 20) == 0);
    /* No memory or no quota for the copy: nothing changes. */
    c.left = 2;
    CHECK_EQ(fs_data_write(&z->data, &mem, z->acct, 5, "XY", 2), FS_NO_MEMORY);
    c.left = -1;
    CHECK(z->data.borrow && a2.bytes_used == 5);
    a2.bytes_limit = 4 * 4096;
    CHECK_EQ(fs_data_write(&z->data, &mem, z->acct, 5, "XY", 2), FS_QUOTA);
    CHECK(z->data.borrow && a2.bytes_used == 5);
    a2.bytes_limit = 1 << 20;
    /* The first change copies, charged as the copied tree's file is; the
     * image keeps its bytes. */
    CHECK_EQ(fs_data_write(&z->data, &mem, z->acct, 5, "XY", 2), FS_OK);
    struct fs_node *z1 = fs_dir_lookup(t1.root, "zbig", 4);
    CHECK(!z->data.borrow && z->data.held == 4 &&
          fs_data_charged(&z->data) == fs_data_charged(&z1->data));
    CHECK_EQ(a2.bytes_used, 5 + fs_data_charged(&z1->data));
    CHECK(charged > a2.bytes_used);
    CHECK_EQ(fs_data_read(&z->data, 0, out, sizeof(big) - 1), sizeof(big) - 1);
    CHECK(memcmp(out, big, 5) == 0 && memcmp(out + 5, "XY", 2) == 0 &&
          memcmp(out + 7, big + 7, sizeof(big) - 8) == 0);
    CHECK(memcmp(m->b + m->len - (sizeof(big) - 1), big, sizeof(big) - 1) == 0);
    /* A truncate copies too; a borrowing file is freed like any other. */
    struct fs_node *motd = fs_dir_lookup(fs_dir_lookup(t2.root, "etc", 3), "motd", 4);
    CHECK(motd && motd->data.borrow);
    CHECK_EQ(fs_data_truncate(&motd->data, &mem, motd->acct, 2), FS_OK);
    CHECK(!motd->data.borrow && motd->data.size == 2);
    fs_dir_clear(&t1, t1.root);
    fs_dir_clear(&t2, t2.root);
    CHECK(a1.bytes_used == 0 && a2.bytes_used == 0);
    fs_node_free(&t1, t1.root);
    fs_node_free(&t2, t2.root);
    CHECK_EQ(c.live, 0);
    free(m);
}

/* Loads a broken copy of the good image; checks the error and the line. */
#define BAD(setup, err, text)                                                                      \
    do {                                                                                           \
        char why_[160];                                                                            \
        img_start(m);                                                                              \
        setup;                                                                                     \
        CHECK_EQ(check(m, why_, sizeof(why_)), err);                                               \
        if (strcmp(why_, text) != 0) {                                                             \
            test_failf(__FILE__, __LINE__, "message \"%s\", expected \"%s\"", why_, text);         \
            free(m);                                                                               \
            return;                                                                                \
        }                                                                                          \
    } while (0)

TEST(image_rules_refused)
{
    struct img *m = calloc(1, sizeof(*m));
    BAD(D(m, "b", 0755);
        D(m, "a", 0755), FS_IMAGE_ORDER, "entry #1 \"a\": not after its previous sibling");
    BAD(D(m, "a", 0755);
        D(m, "a", 0755), FS_IMAGE_ORDER, "entry #1 \"a\": not after its previous sibling");
    BAD(D(m, "a/b", 0755), FS_IMAGE_ORDER,
        "entry #0 \"a/b\": its parent is not the directory listed last before it");
    BAD(F(m, "a", 0644, "x");
        F(m, "a/b", 0644, "x"), FS_IMAGE_ORDER,
        "entry #1 \"a/b\": its parent is not the directory listed last before it");
    /* A subtree split in two: a/x, b, then a/y. */
    BAD(D(m, "a", 0755); D(m, "a/x", 0755); D(m, "b", 0755);
        D(m, "a/y", 0755), FS_IMAGE_ORDER,
        "entry #3 \"a/y\": its parent is not the directory listed last before it");
    /* "ab" is not below "a". */
    BAD(D(m, "a", 0755);
        D(m, "ab/c", 0755), FS_IMAGE_ORDER,
        "entry #1 \"ab/c\": its parent is not the directory listed last before it");
    BAD(D(m, "/a", 0755), FS_IMAGE_BAD_PATH,
        "entry #0 \"/a\": not a path of at most 32 names and 4095 bytes");
    BAD(D(m, "a/", 0755), FS_IMAGE_BAD_PATH,
        "entry #0 \"a/\": not a path of at most 32 names and 4095 bytes");
    BAD(D(m, "a", 0755); D(m, "a/..", 0755), FS_IMAGE_BAD_PATH,
                         "entry #1 \"a/..\": not a path of at most 32 names and 4095 bytes");
    BAD(D(m, ".", 0755), FS_IMAGE_BAD_PATH,
        "entry #0 \".\": not a path of at most 32 names and 4095 bytes");
    BAD(D(m, "a//b", 0755), FS_IMAGE_BAD_PATH,
        "entry #0 \"a//b\": not a path of at most 32 names and 4095 bytes");
    BAD(D(m, "a\"\x01", 0755);
        D(m, "a\"\x01/\\", 010000), FS_IMAGE_BAD_ENTRY,
        "entry #1 \"a\\x22\\x01/\\x5c\": unknown kind, reserved byte set, mode above 07777 or a "
        "directory with contents");
    BAD(D(m, "a", 010000), FS_IMAGE_BAD_ENTRY,
        "entry #0 \"a\": unknown kind, reserved byte set, mode above 07777 or a directory with "
        "contents");
    BAD(img_add(m, 3, "a", 0644, NULL), FS_IMAGE_BAD_ENTRY,
        "entry #0 \"a\": unknown kind, reserved byte set, mode above 07777 or a directory with "
        "contents");
    BAD(img_add(m, FS_IMAGE_KIND_LINK, "a", 0755, "b"), FS_IMAGE_BAD_ENTRY,
        "entry #0 \"a\": a link whose mode is not 0777 or whose target is empty, longer than "
        "4095 bytes or holds a NUL");
    BAD(L(m, "a", NULL), FS_IMAGE_BAD_ENTRY,
        "entry #0 \"a\": a link whose mode is not 0777 or whose target is empty, longer than "
        "4095 bytes or holds a NUL");
    BAD(L(m, "a", "bc");
        m->b[m->len - 1] = 0, FS_IMAGE_BAD_ENTRY,
        "entry #0 \"a\": a link whose mode is not 0777 or whose target is empty, longer than "
        "4095 bytes or holds a NUL");
    BAD(img_add(m, FS_IMAGE_KIND_DIR, "a", 0755, "x"), FS_IMAGE_BAD_ENTRY,
        "entry #0 \"a\": unknown kind, reserved byte set, mode above 07777 or a directory with "
        "contents");
    BAD(D(m, "a", 0755);
        m->b[FS_IMAGE_HEADER + 1] = 1, FS_IMAGE_BAD_ENTRY,
        "entry #0 \"a\": unknown kind, reserved byte set, mode above 07777 or a directory with "
        "contents");
    BAD(D(m, "a", 0755); m->len--, FS_IMAGE_TRUNCATED, "entry #0: the image ends inside it");
    BAD(D(m, "a", 0755);
        le32_put(m->b + 12, 2), FS_IMAGE_TRUNCATED, "entry #1: the image ends inside it");
    BAD(D(m, "a", 0755); m->b[m->len++] = 0, FS_IMAGE_TRAILING, "1 bytes after the last entry");
    BAD(m->b[0] = 'C', FS_IMAGE_MAGIC_BAD, "no tree image of version 1");
    BAD(le32_put(m->b + 8, 2), FS_IMAGE_MAGIC_BAD, "no tree image of version 1");
    BAD(m->len = 15, FS_IMAGE_TRUNCATED, "15 bytes, shorter than the header");
    BAD(le32_put(m->b + 12, 4097), FS_IMAGE_TOO_MANY, "4097 entries (limit 4096)");
    /* A size past the end of the image: truncated, whatever the size. */
    BAD(F(m, "a", 0644, "x"); le64_put(m->b + FS_IMAGE_HEADER + 8, UINT64_MAX), FS_IMAGE_TRUNCATED,
                              "entry #0: the image ends inside it");
    free(m);
}

TEST(image_limits_and_depth)
{
    struct img *m = calloc(1, sizeof(*m));
    struct fs_image_limits lim = fs_image_default_limits();
    char why[160], path[300];
    img_start(m);
    F(m, "a", 0644, "12345");
    F(m, "b", 0644, "12345");
    lim.max_bytes = 9;
    CHECK_EQ(fs_image_check(m->b, m->len, &lim, NULL, why, sizeof(why)), FS_IMAGE_TOO_BIG);
    CHECK_STR(why, "entry #1 \"b\": over the size limit");
    lim = fs_image_default_limits();
    lim.max_file_bytes = 4;
    CHECK_EQ(fs_image_check(m->b, m->len, &lim, NULL, why, sizeof(why)), FS_IMAGE_TOO_BIG);
    lim = fs_image_default_limits();
    lim.max_entries = 1;
    CHECK_EQ(fs_image_check(m->b, m->len, &lim, NULL, why, sizeof(why)), FS_IMAGE_TOO_MANY);
    /* 32 levels are allowed, 33 are not. */
    img_start(m);
    size_t n = 0;
    for (int d = 0; d < 33; d++) {
        if (d)
            path[n++] = '/';
        path[n++] = 'd';
        path[n] = 0;
        D(m, path, 0755);
    }
    lim = fs_image_default_limits();
    CHECK_EQ(fs_image_check(m->b, m->len, &lim, NULL, why, sizeof(why)), FS_IMAGE_BAD_PATH);
    CHECK(strstr(why, "entry #32 ") == why);
    le32_put(m->b + 12, 32);
    m->len -= 16 + n;
    CHECK_EQ(fs_image_check(m->b, m->len, &lim, NULL, why, sizeof(why)), FS_IMAGE_OK);
    /* A name of 256 bytes is not a name. */
    img_start(m);
    memset(path, 'n', 256);
    path[256] = 0;
    D(m, path, 0755);
    CHECK_EQ(fs_image_check(m->b, m->len, &lim, NULL, why, sizeof(why)), FS_IMAGE_BAD_PATH);
    path[255] = 0;
    img_start(m);
    D(m, path, 0755);
    CHECK_EQ(fs_image_check(m->b, m->len, &lim, NULL, why, sizeof(why)), FS_IMAGE_OK);
    free(m);
}

TEST(image_every_prefix_and_byte)
{
    struct img *m = calloc(1, sizeof(*m));
    struct fs_image_limits lim = fs_image_default_limits();
    good(m);
    for (size_t l = 0; l < m->len; l++)
        CHECK(fs_image_check(m->b, l, &lim, NULL, NULL, 0) != FS_IMAGE_OK);
    /* Every single-byte change either still checks or is refused; none
     * faults (ASan), and a refusal writes a line. */
    for (size_t i = 0; i < m->len; i++) {
        for (int v = 0; v < 256; v += 17) {
            uint8_t old = m->b[i];
            char why[160];
            m->b[i] = (uint8_t)v;
            enum fs_image_err e = fs_image_check(m->b, m->len, &lim, NULL, why, sizeof(why));
            CHECK(e == FS_IMAGE_OK || why[0]);
            m->b[i] = old;
        }
    }
    free(m);
}

TEST(image_load_failures_change_nothing)
{
    struct img *m = calloc(1, sizeof(*m));
    struct fs_image_limits lim = fs_image_default_limits();
    good(m);
    /* Every allocation in turn fails, then every entry and byte limit. */
    for (long fail_at = 0;; fail_at++) {
        struct counting c = {.left = -1};
        struct fs_mem mem = mem_of(&c);
        struct fs_account acct = {.bytes_limit = 1 << 20, .entries_limit = 100};
        struct fs_tree t;
        char why[160];
        CHECK(fs_tree_init(&t, &mem, &acct, 1) == FS_OK);
        c.left = fail_at;
        enum fs_image_err e =
            fs_image_load(&t, t.root, &acct, m->b, m->len, &lim, false, 1, NULL, why, sizeof(why));
        c.left = -1;
        if (e == FS_IMAGE_OK) {
            fs_dir_clear(&t, t.root);
        } else {
            CHECK_EQ(e, FS_IMAGE_NO_MEMORY);
            CHECK(strstr(why, "out of memory"));
        }
        CHECK_EQ(t.root->dir.n, 0);
        CHECK_EQ(acct.entries_used, 1);
        CHECK_EQ(acct.bytes_used, 0);
        fs_node_free(&t, t.root);
        CHECK_EQ(c.live, 0);
        if (e == FS_IMAGE_OK)
            break;
    }
    for (uint64_t entries = 1; entries < 11; entries++) {
        struct counting c = {.left = -1};
        struct fs_mem mem = mem_of(&c);
        struct fs_account acct = {.bytes_limit = 1 << 20, .entries_limit = entries};
        struct fs_tree t;
        CHECK(fs_tree_init(&t, &mem, &acct, 1) == FS_OK);
        enum fs_image_err e =
            fs_image_load(&t, t.root, &acct, m->b, m->len, &lim, false, 1, NULL, NULL, 0);
        CHECK_EQ(e, entries < 10 ? FS_IMAGE_QUOTA : FS_IMAGE_OK);
        fs_dir_clear(&t, t.root);
        CHECK_EQ(acct.entries_used, 1);
        CHECK_EQ(acct.bytes_used, 0);
        fs_node_free(&t, t.root);
        CHECK_EQ(c.live, 0);
    }
    struct counting c = {.left = -1};
    struct fs_mem mem = mem_of(&c);
    struct fs_account acct = {.bytes_limit = 4096, .entries_limit = 100};
    struct fs_tree t;
    CHECK(fs_tree_init(&t, &mem, &acct, 1) == FS_OK);
    CHECK_EQ(fs_image_load(&t, t.root, &acct, m->b, m->len, &lim, false, 1, NULL, NULL, 0),
             FS_IMAGE_QUOTA);
    CHECK_EQ(t.root->dir.n, 0);
    CHECK_EQ(acct.bytes_used, 0);
    fs_node_free(&t, t.root);
    CHECK_EQ(c.live, 0);
    free(m);
}
