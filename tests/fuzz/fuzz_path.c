/*
 * Fuzz target of lib/path: a small tree of directories, files and links
 * (names and link targets from the input, targets full of "..", "/" and
 * "."), and paths from the input resolved from a working directory, both
 * by path_resolve and by a reference model that walks node pointers
 * recursively (a node's parent pointer, the root its own parent).  They
 * must agree on the error or on the node named; and every result must be
 * canonical: names only, each one a directory of the tree but the last,
 * so no path leads above the root.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "path/path.h"

#define NNODES 24
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct node {
    struct node *parent;
    char name[4];
    enum path_kind kind;
    char target[64];
};

static struct node nodes[NNODES];
static int nnodes;
static struct path_result r;

static struct node *child(const struct node *d, const char *name, uint32_t len)
{
    for (int i = 1; i < nnodes; i++) {
        if (nodes[i].parent == d && strlen(nodes[i].name) == len &&
            memcmp(nodes[i].name, name, len) == 0)
            return &nodes[i];
    }
    return NULL;
}

/* The node at canonical path p (len bytes), or NULL. */
static struct node *at(const char *p, uint32_t len)
{
    struct node *n = &nodes[0];
    uint32_t i = 0;
    while (i < len) {
        uint32_t s = ++i;
        while (i < len && p[i] != '/')
            i++;
        n = n && n->kind == PATH_DIR ? child(n, p + s, i - s) : NULL;
    }
    return n;
}

static int lookup(void *ctx, const char *dir, uint32_t dir_len, const char *name, uint32_t len,
                  char *target, uint32_t *tlen)
{
    (void)ctx;
    struct node *d = at(dir, dir_len);
    if (!d || d->kind != PATH_DIR)
        abort(); /* the walk looked inside something that is not a directory */
    struct node *n = child(d, name, len);
    if (!n)
        return PATH_NONE;
    if (n->kind == PATH_LINK) {
        *tlen = (uint32_t)strlen(n->target);
        memcpy(target, n->target, *tlen);
    }
    return n->kind;
}

/* The reference: resolves p from d, following links recursively. */
static int links;

static int ref(struct node *d, const char *p, bool follow_last, struct node **out, bool *missing)
{
    const char *s = p;
    if (*s == '/')
        d = &nodes[0];
    *missing = false;
    for (;;) {
        while (*s == '/')
            s++;
        if (!*s)
            break;
        const char *e = s;
        while (*e && *e != '/')
            e++;
        const char *nx = e;
        while (*nx == '/')
            nx++;
        bool last = !*nx;
        uint32_t len = (uint32_t)(e - s);
        if (d->kind != PATH_DIR)
            return PATH_ENOTDIR;
        if (len == 1 && *s == '.') {
        } else if (len == 2 && s[0] == '.' && s[1] == '.') {
            d = d->parent;
        } else {
            struct node *n = child(d, s, len);
            if (!n) {
                if (!last)
                    return PATH_ENOENT;
                *missing = true;
                *out = d;
                return 0;
            }
            bool trailing = *e == '/';
            if (n->kind == PATH_LINK && (!last || follow_last || trailing)) {
                if (++links > PATH_LINKS_MAX)
                    return PATH_ELOOP;
                struct node *t;
                bool miss;
                int err = ref(d, n->target, true, &t, &miss);
                if (err)
                    return err;
                if (miss) {
                    if (!last)
                        return PATH_ENOENT;
                    *missing = true;
                    *out = t;
                    return 0;
                }
                n = t;
            }
            d = n;
        }
        s = nx;
    }
    *out = d;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char p[96];
    fuzz_input(data, size);
    memset(nodes, 0, sizeof(nodes));
    nodes[0].parent = &nodes[0];
    nodes[0].kind = PATH_DIR;
    nnodes = 1;
    uint8_t n = byte() % NNODES;
    for (int i = 1; i < n; i++) {
        struct node *x = &nodes[nnodes];
        x->parent = &nodes[byte() % nnodes];
        if (x->parent->kind != PATH_DIR)
            continue;
        x->name[0] = "abcd"[byte() & 3];
        if (child(x->parent, x->name, 1))
            continue;
        x->kind = (enum path_kind)(1 + byte() % 3);
        if (x->kind == PATH_LINK) {
            uint32_t len = 1 + byte() % (sizeof(x->target) - 1);
            for (uint32_t k = 0; k < len; k++)
                x->target[k] = "ab./c"[byte() % 5];
        }
        nnodes++;
    }
    /* The working directory: a directory of the tree, by its path. */
    struct node *cwd = &nodes[byte() % nnodes];
    if (cwd->kind != PATH_DIR)
        cwd = &nodes[0];
    char cw[64];
    uint32_t cl = 0;
    {
        const struct node *chain[NNODES];
        int depth = 0;
        for (const struct node *c = cwd; c != &nodes[0]; c = c->parent)
            chain[depth++] = c;
        while (depth--) {
            cw[cl++] = '/';
            cw[cl++] = chain[depth]->name[0];
        }
    }
    uint32_t len = 1 + byte() % (sizeof(p) - 1);
    for (uint32_t k = 0; k < len; k++)
        p[k] = "ab./cd"[byte() % 6];
    p[len] = 0;
    bool follow = byte() & 1;
    int got = path_resolve(lookup, 0, cw, cl, p, follow ? PATH_FOLLOW : 0, &r);
    links = 0;
    struct node *want;
    bool missing;
    int exp = ref(cwd, p, follow, &want, &missing);
    if (got != exp && !(exp == 0 && got == PATH_ENOTDIR))
        abort();
    if (got)
        return 0;
    /* Canonical: "/name" pieces only, every prefix a directory. */
    if (r.len != strlen(r.path))
        abort();
    for (uint32_t i = 0; i < r.len;) {
        uint32_t s = ++i;
        while (i < r.len && r.path[i] != '/')
            i++;
        if (!path_name_valid(r.path + s, i - s))
            abort();
        if (i < r.len && (!at(r.path, i) || at(r.path, i)->kind != PATH_DIR))
            abort();
    }
    if (missing) {
        if (r.kind != PATH_NONE || at(r.path, r.name_off - 1) != want)
            abort();
    } else if (at(r.path, r.len) != want) {
        abort();
    }
    return 0;
}
