/*
 * The tree (tree.h).  Invariants: a directory's entries have distinct valid
 * names and strictly increasing seq, all below its next_seq; `subdirs`
 * counts the directory entries among them; every node's account holds one
 * entry's charge for it (the root's too); every node but the root has as
 * `parent` the directory whose entry it is.
 */
#include "fs/tree.h"

#include "base/mem.h"
#include "fs/grow.h"

static struct fs_node *node_new(struct fs_tree *t, enum fs_kind kind, uint32_t mode,
                                struct fs_account *acct, uint64_t now_ns)
{
    struct fs_node *n = t->mem.alloc(t->mem.ctx, sizeof(*n));
    if (!n)
        return NULL;
    n->kind = kind;
    n->mode = mode;
    n->ino = t->next_ino++;
    n->atime_ns = n->mtime_ns = n->ctime_ns = now_ns;
    n->acct = acct;
    return n;
}

enum fs_err fs_tree_init(struct fs_tree *t, const struct fs_mem *m, struct fs_account *acct,
                         uint64_t now_ns)
{
    t->mem = *m;
    t->next_ino = 1;
    if (!fs_account_charge(acct, 0, 1))
        return FS_QUOTA;
    t->root = node_new(t, FS_DIR, 0755, acct, now_ns);
    if (!t->root) {
        fs_account_uncharge(acct, 0, 1);
        return FS_NO_MEMORY;
    }
    return FS_OK;
}

static int32_t dir_index(const struct fs_node *dir, const char *name, uint32_t len)
{
    for (uint32_t i = 0; i < dir->dir.n; i++) {
        const struct fs_node *e = dir->dir.ents[i];
        if (e->name_len == len && memcmp(e->name, name, len) == 0)
            return (int32_t)i;
    }
    return -1;
}

struct fs_node *fs_dir_lookup(const struct fs_node *dir, const char *name, uint32_t len)
{
    int32_t i = dir_index(dir, name, len);
    return i < 0 ? NULL : dir->dir.ents[i];
}

/* Whether `name` can be added to `dir`: a directory, a valid name, not
 * taken. */
static enum fs_err dir_can_add(const struct fs_node *dir, const char *name, uint32_t len)
{
    if (dir->kind != FS_DIR)
        return FS_NOT_DIR;
    if (!fs_name_valid(name, len))
        return FS_BAD_NAME;
    return dir_index(dir, name, len) >= 0 ? FS_EXISTS : FS_OK;
}

/* Appends `n` (named already) as the newest entry of `dir`; room is there. */
static void dir_append(struct fs_node *dir, struct fs_node *n)
{
    n->parent = dir;
    n->seq = dir->dir.next_seq++;
    dir->dir.ents[dir->dir.n++] = n;
    if (n->kind == FS_DIR)
        dir->dir.subdirs++;
}

static enum fs_err dir_reserve(struct fs_tree *t, struct fs_node *dir)
{
    if (dir->dir.n < dir->dir.cap)
        return FS_OK;
    struct fs_node **e = fs_grow(&t->mem, dir->dir.ents, dir->dir.n, &dir->dir.cap, 8, sizeof(*e));
    if (!e)
        return FS_NO_MEMORY;
    dir->dir.ents = e;
    return FS_OK;
}

/* Removes entry i of `dir`, keeping the order. */
static void dir_take(struct fs_node *dir, uint32_t i)
{
    struct fs_node *n = dir->dir.ents[i];
    memmove(&dir->dir.ents[i], &dir->dir.ents[i + 1], (dir->dir.n - i - 1) * sizeof(n));
    dir->dir.n--;
    if (n->kind == FS_DIR)
        dir->dir.subdirs--;
}

enum fs_err fs_dir_create(struct fs_tree *t, struct fs_node *dir, const char *name, uint32_t len,
                          enum fs_kind kind, uint32_t mode, struct fs_account *acct,
                          uint64_t now_ns, struct fs_node **out)
{
    enum fs_err e = dir_can_add(dir, name, len);
    if (e == FS_OK)
        e = dir_reserve(t, dir);
    if (e != FS_OK)
        return e;
    if (!fs_account_charge(acct, 0, 1))
        return FS_QUOTA;
    struct fs_node *n = node_new(t, kind, mode, acct, now_ns);
    if (!n) {
        fs_account_uncharge(acct, 0, 1);
        return FS_NO_MEMORY;
    }
    memcpy(n->name, name, len);
    n->name_len = (uint8_t)len;
    dir_append(dir, n);
    dir->mtime_ns = dir->ctime_ns = now_ns;
    *out = n;
    return FS_OK;
}

enum fs_err fs_dir_symlink(struct fs_tree *t, struct fs_node *dir, const char *name, uint32_t len,
                           const char *target, uint32_t target_len, struct fs_account *acct,
                           uint64_t now_ns)
{
    if (target_len == 0 || target_len > FS_LINK_MAX || strnlen(target, target_len) != target_len)
        return FS_BAD_NAME;
    enum fs_err e = dir_can_add(dir, name, len);
    if (e != FS_OK)
        return e;
    char *copy = t->mem.alloc(t->mem.ctx, target_len);
    if (!copy)
        return FS_NO_MEMORY;
    if (!fs_account_charge(acct, target_len, 0)) {
        t->mem.free(t->mem.ctx, copy);
        return FS_QUOTA;
    }
    struct fs_node *n;
    e = fs_dir_create(t, dir, name, len, FS_LINK, 0777, acct, now_ns, &n);
    if (e != FS_OK) {
        fs_account_uncharge(acct, target_len, 0);
        t->mem.free(t->mem.ctx, copy);
        return e;
    }
    memcpy(copy, target, target_len);
    n->link.target = copy;
    n->link.target_len = target_len;
    return FS_OK;
}

enum fs_err fs_dir_unlink(struct fs_tree *t, struct fs_node *dir, const char *name, uint32_t len,
                          uint64_t now_ns, struct fs_node **out)
{
    (void)t;
    int32_t i = dir_index(dir, name, len);
    if (i < 0)
        return FS_NOT_FOUND;
    struct fs_node *n = dir->dir.ents[i];
    if (n->kind == FS_DIR && n->dir.n)
        return FS_NOT_EMPTY;
    dir_take(dir, (uint32_t)i);
    dir->mtime_ns = dir->ctime_ns = now_ns;
    *out = n;
    return FS_OK;
}

/* Whether `d` is `n` or lies below it: the walk up that a move of
 * directory `n` into `d` must not close into a loop. */
static bool below_or_same(const struct fs_node *d, const struct fs_node *n)
{
    for (; d; d = d->parent) {
        if (d == n)
            return true;
    }
    return false;
}

enum fs_err fs_dir_rename(struct fs_tree *t, struct fs_node *dir, const char *from,
                          uint32_t from_len, struct fs_node *to_dir, const char *to,
                          uint32_t to_len, uint64_t now_ns, struct fs_node **replaced)
{
    *replaced = NULL;
    if (to_dir->kind != FS_DIR)
        return FS_NOT_DIR;
    if (!fs_name_valid(to, to_len))
        return FS_BAD_NAME;
    int32_t i = dir_index(dir, from, from_len);
    if (i < 0)
        return FS_NOT_FOUND;
    struct fs_node *n = dir->dir.ents[i];
    if (to_dir != dir && n->kind == FS_DIR && below_or_same(to_dir, n))
        return FS_INTO_ITSELF;
    int32_t j = dir_index(to_dir, to, to_len);
    if (to_dir == dir && j == i)
        return FS_OK;
    if (j >= 0) {
        struct fs_node *old = to_dir->dir.ents[j];
        if (old->kind == FS_DIR && n->kind != FS_DIR)
            return FS_IS_DIR;
        if (old->kind != FS_DIR && n->kind == FS_DIR)
            return FS_NOT_DIR;
        if (old->kind == FS_DIR && old->dir.n)
            return FS_NOT_EMPTY;
    } else if (to_dir != dir) {
        enum fs_err e = dir_reserve(t, to_dir); /* the one step that can fail */
        if (e != FS_OK)
            return e;
    }
    /* Checked: from here nothing fails. */
    if (j >= 0) {
        *replaced = to_dir->dir.ents[j];
        dir_take(to_dir, (uint32_t)j);
        if (to_dir == dir && j < i)
            i--;
    }
    /* The renamed entry moves to the end of the listing: its seq is new. */
    dir_take(dir, (uint32_t)i);
    memcpy(n->name, to, to_len);
    n->name_len = (uint8_t)to_len;
    dir_append(to_dir, n);
    n->ctime_ns = now_ns;
    dir->mtime_ns = dir->ctime_ns = now_ns;
    to_dir->mtime_ns = to_dir->ctime_ns = now_ns;
    return FS_OK;
}

uint32_t fs_dir_seek(const struct fs_node *dir, uint64_t cursor)
{
    uint32_t lo = 0, hi = dir->dir.n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (dir->dir.ents[mid]->seq < cursor)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void fs_node_free(struct fs_tree *t, struct fs_node *n)
{
    if (n->kind == FS_FILE) {
        fs_data_free(&n->data, &t->mem, n->acct);
    } else if (n->kind == FS_LINK) {
        fs_account_uncharge(n->acct, n->link.target_len, 0);
        t->mem.free(t->mem.ctx, n->link.target);
    } else {
        t->mem.free(t->mem.ctx, n->dir.ents);
    }
    fs_account_uncharge(n->acct, 0, 1);
    t->mem.free(t->mem.ctx, n);
}

void fs_dir_clear(struct fs_tree *t, struct fs_node *dir)
{
    /* No node knows its parent: each round walks down from `dir` to a
     * deepest last entry, so the work is the nodes times the depth. */
    while (dir->dir.n) {
        struct fs_node *p = dir, *c = dir->dir.ents[dir->dir.n - 1];
        while (c->kind == FS_DIR && c->dir.n) {
            p = c;
            c = c->dir.ents[c->dir.n - 1];
        }
        dir_take(p, p->dir.n - 1);
        fs_node_free(t, c);
    }
}
