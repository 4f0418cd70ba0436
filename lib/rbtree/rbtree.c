/*
 * Red-black tree (see rbtree.h).  Missing children are NULL and count as
 * black; the rebalancing after a removal therefore tracks the parent of the
 * position it is fixing, since that position may hold no node.
 */
#include "rbtree/rbtree.h"

static inline struct rb_node *rb_parent(const struct rb_node *n)
{
    return (struct rb_node *)(n->parent_red & ~(uintptr_t)1);
}

static inline bool rb_is_red(const struct rb_node *n)
{
    return n && (n->parent_red & 1);
}

static inline bool rb_is_black(const struct rb_node *n)
{
    return !rb_is_red(n);
}

static inline void rb_set_parent(struct rb_node *n, struct rb_node *p)
{
    n->parent_red = (uintptr_t)p | (n->parent_red & 1);
}

static inline void rb_set_red(struct rb_node *n, bool red)
{
    n->parent_red = (n->parent_red & ~(uintptr_t)1) | (red ? 1 : 0);
}

void rb_init(struct rb_tree *t)
{
    t->root = NULL;
    t->first = NULL;
    t->count = 0;
}

/* Makes `repl` take old's place under `parent` (or as the root). */
static void rb_replace_child(struct rb_tree *t, struct rb_node *parent, struct rb_node *old,
                             struct rb_node *repl)
{
    if (!parent)
        t->root = repl;
    else if (parent->child[RB_LEFT] == old)
        parent->child[RB_LEFT] = repl;
    else
        parent->child[RB_RIGHT] = repl;
}

/*
 * Rotates at x towards `dir`: x's child on the other side rises into x's
 * place and x becomes its `dir` child.  With dir == RB_LEFT:
 *
 *     x              y
 *    / \            / \
 *   a   y    =>    x   c
 *      / \        / \
 *     b   c      a   b
 *
 * and RB_RIGHT is the mirror image.  In-order sequence is unchanged.
 */
static void rb_rotate(struct rb_tree *t, struct rb_node *x, int dir)
{
    struct rb_node *y = x->child[!dir];
    struct rb_node *p = rb_parent(x);
    x->child[!dir] = y->child[dir];
    if (y->child[dir])
        rb_set_parent(y->child[dir], x);
    y->child[dir] = x;
    rb_set_parent(y, p);
    rb_replace_child(t, p, x, y);
    rb_set_parent(x, y);
}

void rb_insert(struct rb_tree *t, struct rb_node *n, uint64_t key)
{
    struct rb_node *parent = NULL, *cur = t->root;
    bool leftmost = true;
    /* Equal keys go right: the new node lands after every equal one. */
    while (cur) {
        parent = cur;
        if (key < cur->key) {
            cur = cur->child[RB_LEFT];
        } else {
            cur = cur->child[RB_RIGHT];
            leftmost = false;
        }
    }
    n->key = key;
    n->child[RB_LEFT] = n->child[RB_RIGHT] = NULL;
    n->parent_red = (uintptr_t)parent | 1;
    if (!parent)
        t->root = n;
    else if (key < parent->key)
        parent->child[RB_LEFT] = n;
    else
        parent->child[RB_RIGHT] = n;
    if (leftmost)
        t->first = n;
    t->count++;

    /* n is red; the only rule that can break is red-under-red.  `side` is
     * the side of g that p hangs on; the other case is its mirror image. */
    struct rb_node *p;
    while ((p = rb_parent(n)) && rb_is_red(p)) {
        struct rb_node *g = rb_parent(p); /* exists: a red node is never the root */
        int side = p == g->child[RB_LEFT] ? RB_LEFT : RB_RIGHT;
        struct rb_node *u = g->child[!side];
        if (rb_is_red(u)) {
            /* Push the red up two levels and continue from there. */
            rb_set_red(p, false);
            rb_set_red(u, false);
            rb_set_red(g, true);
            n = g;
            continue;
        }
        if (n == p->child[!side]) {
            /* Bring n to the outside so that one rotation at g finishes. */
            rb_rotate(t, p, side);
            n = p;
            p = rb_parent(n);
        }
        rb_set_red(p, false);
        rb_set_red(g, true);
        rb_rotate(t, g, !side);
        break; /* a rotation ends the repair */
    }
    rb_set_red(t->root, false);
}

struct rb_node *rb_next(const struct rb_node *n)
{
    if (n->child[RB_RIGHT]) {
        const struct rb_node *c = n->child[RB_RIGHT];
        while (c->child[RB_LEFT])
            c = c->child[RB_LEFT];
        return (struct rb_node *)c;
    }
    struct rb_node *p = rb_parent(n);
    while (p && n == p->child[RB_RIGHT]) {
        n = p;
        p = rb_parent(p);
    }
    return p;
}

struct rb_node *rb_lower_bound(const struct rb_tree *t, uint64_t key)
{
    /* Equal keys are inserted to the right of their equals, so going left
     * at every node >= key ends at the earliest of them. */
    struct rb_node *best = NULL;
    for (struct rb_node *n = t->root; n;) {
        if (n->key >= key) {
            best = n;
            n = n->child[RB_LEFT];
        } else {
            n = n->child[RB_RIGHT];
        }
    }
    return best;
}

/*
 * After a black node left the position now held by x (possibly NULL) under
 * `parent`, every path through x is one black short.  Repairs that by
 * recolouring upwards or by at most three rotations.
 */
static void rb_remove_repair(struct rb_tree *t, struct rb_node *x, struct rb_node *parent)
{
    while (x != t->root && rb_is_black(x)) {
        /* `side` is x's side of parent (x may be NULL: then it is the empty
         * one); the other case is its mirror image.  The sibling w exists:
         * its side has at least one more black. */
        int side = x == parent->child[RB_LEFT] ? RB_LEFT : RB_RIGHT;
        struct rb_node *w = parent->child[!side];
        if (rb_is_red(w)) {
            rb_set_red(w, false);
            rb_set_red(parent, true);
            rb_rotate(t, parent, side);
            w = parent->child[!side];
        }
        if (rb_is_black(w->child[RB_LEFT]) && rb_is_black(w->child[RB_RIGHT])) {
            rb_set_red(w, true);
            x = parent;
            parent = rb_parent(x);
            continue;
        }
        if (rb_is_black(w->child[!side])) {
            rb_set_red(w->child[side], false);
            rb_set_red(w, true);
            rb_rotate(t, w, !side);
            w = parent->child[!side];
        }
        rb_set_red(w, rb_is_red(parent));
        rb_set_red(parent, false);
        rb_set_red(w->child[!side], false);
        rb_rotate(t, parent, side);
        x = t->root;
        break;
    }
    if (x)
        rb_set_red(x, false);
}

void rb_remove(struct rb_tree *t, struct rb_node *z)
{
    struct rb_node *x, *parent;
    bool removed_black;

    if (t->first == z)
        t->first = rb_next(z);
    t->count--;

    if (!z->child[RB_LEFT] || !z->child[RB_RIGHT]) {
        /* At most one child: it takes z's place. */
        x = z->child[RB_LEFT] ? z->child[RB_LEFT] : z->child[RB_RIGHT];
        parent = rb_parent(z);
        removed_black = rb_is_black(z);
        if (x)
            rb_set_parent(x, parent);
        rb_replace_child(t, parent, z, x);
    } else {
        /* Two children: z's successor y (leftmost of the right subtree, so
         * without a left child) moves into z's place and takes its colour;
         * what is lost is y's colour at y's old position. */
        struct rb_node *y = z->child[RB_RIGHT];
        while (y->child[RB_LEFT])
            y = y->child[RB_LEFT];
        removed_black = rb_is_black(y);
        x = y->child[RB_RIGHT];
        if (rb_parent(y) == z) {
            parent = y;
        } else {
            parent = rb_parent(y);
            parent->child[RB_LEFT] = x;
            if (x)
                rb_set_parent(x, parent);
            y->child[RB_RIGHT] = z->child[RB_RIGHT];
            rb_set_parent(z->child[RB_RIGHT], y);
        }
        y->child[RB_LEFT] = z->child[RB_LEFT];
        rb_set_parent(z->child[RB_LEFT], y);
        struct rb_node *zp = rb_parent(z);
        y->parent_red = z->parent_red; /* z's parent and colour */
        rb_replace_child(t, zp, z, y);
    }
    if (removed_black)
        rb_remove_repair(t, x, parent);
    z->parent_red = 0;
    z->child[RB_LEFT] = z->child[RB_RIGHT] = NULL;
}

/* Checks the subtree at n (whose parent must be `parent` and whose keys must
 * lie in [lo, hi]); returns its black height, or -1 with *why set. */
static int rb_check_node(const struct rb_node *n, const struct rb_node *parent, uint64_t lo,
                         uint64_t hi, size_t *count, const char **why)
{
    if (!n)
        return 1;
    if (rb_parent(n) != parent) {
        *why = "a node's parent link is wrong";
        return -1;
    }
    if (n->key < lo || n->key > hi) {
        *why = "keys are out of order";
        return -1;
    }
    if (rb_is_red(n) && (rb_is_red(n->child[RB_LEFT]) || rb_is_red(n->child[RB_RIGHT]))) {
        *why = "a red node has a red child";
        return -1;
    }
    (*count)++;
    int l = rb_check_node(n->child[RB_LEFT], n, lo, n->key, count, why);
    if (l < 0)
        return -1;
    int r = rb_check_node(n->child[RB_RIGHT], n, n->key, hi, count, why);
    if (r < 0)
        return -1;
    if (l != r) {
        *why = "black heights differ";
        return -1;
    }
    return l + (rb_is_black(n) ? 1 : 0);
}

const char *rb_check(const struct rb_tree *t)
{
    const char *why = NULL;
    size_t count = 0;
    if (rb_is_red(t->root))
        return "the root is red";
    if (rb_check_node(t->root, NULL, 0, UINT64_MAX, &count, &why) < 0)
        return why;
    if (count != t->count)
        return "count is wrong";
    const struct rb_node *first = t->root;
    while (first && first->child[RB_LEFT])
        first = first->child[RB_LEFT];
    if (first != t->first)
        return "first is not the leftmost node";
    return NULL;
}

static unsigned rb_height_node(const struct rb_node *n)
{
    if (!n)
        return 0;
    unsigned l = rb_height_node(n->child[RB_LEFT]), r = rb_height_node(n->child[RB_RIGHT]);
    return 1 + (l > r ? l : r);
}

unsigned rb_height(const struct rb_tree *t)
{
    return rb_height_node(t->root);
}
