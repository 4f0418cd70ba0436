/*
 * Host tests of lib/path: resolution against a small tree given as a
 * table (files, directories, links), "." and "..", ".." at the root,
 * links relative and absolute that try to climb out, loops, over-long
 * names and paths, trailing slashes.
 */
#include "test.h"

#include <string.h>

#include "path/path.h"

struct ent {
    const char *path; /* canonical */
    enum path_kind kind;
    const char *target;
};

static const struct ent tree[] = {
    {"/a", PATH_DIR, 0},
    {"/a/b", PATH_DIR, 0},
    {"/a/b/f", PATH_FILE, 0},
    {"/a/up", PATH_LINK, "../../../.."},
    {"/a/abs", PATH_LINK, "/a/b"},
    {"/a/rel", PATH_LINK, "b/f"},
    {"/a/esc", PATH_LINK, "../../../etc/passwd"},
    {"/loop1", PATH_LINK, "loop2"},
    {"/loop2", PATH_LINK, "loop1"},
    {"/self", PATH_LINK, "self"},
    {"/f", PATH_FILE, 0},
    {"/etc", PATH_DIR, 0},
    {"/dangling", PATH_LINK, "nothing"},
};

static int calls;

static int lookup(void *ctx, const char *dir, uint32_t dir_len, const char *name, uint32_t len,
                  char *target, uint32_t *tlen)
{
    char full[PATH_MAX_LEN + 300];
    (void)ctx;
    calls++;
    memcpy(full, dir, dir_len);
    full[dir_len] = '/';
    memcpy(full + dir_len + 1, name, len);
    full[dir_len + 1 + len] = 0;
    for (unsigned i = 0; i < sizeof(tree) / sizeof(tree[0]); i++) {
        if (strcmp(tree[i].path, full) == 0) {
            if (tree[i].kind == PATH_LINK) {
                *tlen = (uint32_t)strlen(tree[i].target);
                memcpy(target, tree[i].target, *tlen);
            }
            return tree[i].kind;
        }
    }
    return PATH_NONE;
}

static struct path_result r;

static int res(const char *cwd, const char *p, unsigned flags)
{
    return path_resolve(lookup, 0, cwd, (uint32_t)strlen(cwd), p, flags, &r);
}

#define RESOLVES(cwd, p, flags, want, kind_)                                                       \
    do {                                                                                           \
        CHECK_EQ(res(cwd, p, flags), 0);                                                           \
        CHECK(strcmp(r.path, want) == 0);                                                          \
        CHECK_EQ(r.kind, kind_);                                                                   \
    } while (0)

TEST(path_plain)
{
    RESOLVES("", "/", 0, "", PATH_DIR);
    RESOLVES("", "/a/b/f", 0, "/a/b/f", PATH_FILE);
    RESOLVES("/a", "b//f", 0, "/a/b/f", PATH_FILE);
    RESOLVES("/a", "./b/./f", 0, "/a/b/f", PATH_FILE);
    RESOLVES("/a/b", "..", 0, "/a", PATH_DIR);
    RESOLVES("/a/b", "new", 0, "/a/b/new", PATH_NONE);
    CHECK_EQ(r.name_off, 5u);
    RESOLVES("", "/a/b/", 0, "/a/b", PATH_DIR);
    CHECK(r.trailing_slash);
    CHECK_EQ(res("", "/nope/x", 0), PATH_ENOENT);
    CHECK_EQ(res("", "/f/x", 0), PATH_ENOTDIR);
    CHECK_EQ(res("", "/f/", 0), PATH_ENOTDIR);
    CHECK_EQ(res("", "/f/..", 0), PATH_ENOTDIR);
    CHECK_EQ(res("", "", 0), PATH_ENOENT);
}

TEST(path_cannot_climb_out)
{
    RESOLVES("", "/..", 0, "", PATH_DIR);
    RESOLVES("", "/../../..", 0, "", PATH_DIR);
    RESOLVES("/a/b", "../../../../a", 0, "/a", PATH_DIR);
    RESOLVES("", "/a/up", PATH_FOLLOW, "", PATH_DIR);
    RESOLVES("", "/a/up/a/b/f", 0, "/a/b/f", PATH_FILE);
    RESOLVES("", "/a/esc", PATH_FOLLOW, "/etc/passwd", PATH_NONE);
    CHECK_EQ(res("", "/a/esc/x", 0), PATH_ENOENT);
    RESOLVES("", "/a/abs/f", 0, "/a/b/f", PATH_FILE);
    RESOLVES("", "/a/rel", PATH_FOLLOW, "/a/b/f", PATH_FILE);
    /* Not followed in the last component unless asked. */
    RESOLVES("", "/a/rel", 0, "/a/rel", PATH_LINK);
    RESOLVES("", "/a/abs/..", 0, "/a", PATH_DIR);
    RESOLVES("", "/dangling", PATH_FOLLOW, "/nothing", PATH_NONE);
}

TEST(path_loops_and_lengths)
{
    static char p[PATH_MAX_LEN + 10];
    CHECK_EQ(res("", "/loop1", PATH_FOLLOW), PATH_ELOOP);
    CHECK_EQ(res("", "/self/x", 0), PATH_ELOOP);
    RESOLVES("", "/self", 0, "/self", PATH_LINK);
    memset(p, 'a', 256);
    p[0] = '/';
    p[257] = 0;
    p[256] = 'a';
    CHECK_EQ(res("", p, 0), PATH_ENAMETOOLONG);
    p[256] = 0; /* "/" and a 255-byte name */
    CHECK_EQ(res("", p, 0), 0);
    CHECK_EQ(r.kind, PATH_NONE);
    memset(p, '/', sizeof(p));
    p[PATH_MAX_LEN] = 0;
    CHECK_EQ(res("", p, 0), PATH_ENAMETOOLONG);
    p[PATH_MAX_LEN - 1] = 0;
    RESOLVES("", p, 0, "", PATH_DIR);
    /* "a/" repeated: resolves, however many slashes. */
    for (int i = 0; i < 1000; i++)
        memcpy(p + 4 * i, "./a/", 4);
    p[4000] = 0;
    CHECK_EQ(res("", p, 0), PATH_ENOENT);
    calls = 0;
    CHECK_EQ(res("", "/loop1/x", 0), PATH_ELOOP);
    CHECK(calls <= PATH_LINKS_MAX + 2);
}

TEST(path_names)
{
    CHECK(path_name_valid("a", 1));
    CHECK(path_name_valid("...", 3));
    CHECK(!path_name_valid(".", 1));
    CHECK(!path_name_valid("..", 2));
    CHECK(!path_name_valid("a/b", 3));
    CHECK(!path_name_valid("", 0));
}
