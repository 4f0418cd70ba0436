/*
 * Intrusive red-black tree ordered by a 64-bit key, with the first node
 * cached: the ordered set behind the kernel's timer queue and each
 * process's ParkSpace waits, kept pure so that it is tested on the host.
 *
 * A node is embedded in whatever it orders (a timer event, say); the tree
 * never allocates and never fails.  Nodes with equal keys keep the order in
 * which they were inserted: an insert goes after every node whose key is
 * less than or equal to its own, and rotations do not change the in-order
 * sequence, so the first node is always the smallest key and, among equal
 * keys, the one inserted earliest.
 *
 * Cost, worst case, for n nodes: rb_insert and rb_remove O(log n) (the
 * height is at most 2 log2(n + 1), and each does at most three rotations),
 * rb_first O(1), rb_next and rb_lower_bound O(log n).  There is no
 * amortisation: a hostile sequence of inserts and removals cannot make one
 * call slow.
 *
 * Invariants (checked by rb_check):
 *   - in-order keys never decrease;
 *   - the root is black, no red node has a red child, and every path from a
 *     node down to a missing child passes the same number of black nodes;
 *   - every child's parent link names its parent, the root's is NULL;
 *   - first is the leftmost node (NULL iff the tree is empty); count is the
 *     number of nodes.
 *
 * The caller provides all locking and must not insert a node that is in a
 * tree or remove one that is not in this tree; rb_remove clears the node's
 * links so a removed node can be inserted again.  The node's colour is kept
 * in the low bit of its parent link (nodes are at least 2-byte aligned).
 */
#ifndef CAPOS_LIB_RBTREE_RBTREE_H
#define CAPOS_LIB_RBTREE_RBTREE_H

#include "base/compiler.h"

/* Child indices: the rebalancing code is written once for one side and
 * runs for the other by flipping the index (RB_LEFT ^ 1 == RB_RIGHT). */
enum { RB_LEFT = 0, RB_RIGHT = 1 };

struct rb_node {
    uintptr_t parent_red;     /* parent pointer | 1 if red */
    struct rb_node *child[2]; /* [RB_LEFT] smaller keys, [RB_RIGHT] larger or equal */
    uint64_t key;
};

struct rb_tree {
    struct rb_node *root;
    struct rb_node *first; /* leftmost: smallest key, earliest among equals */
    size_t count;
};

void rb_init(struct rb_tree *t);

/* Inserts n with `key` after every node whose key is <= key. */
void rb_insert(struct rb_tree *t, struct rb_node *n, uint64_t key);

/* Removes n, which must be in t. */
void rb_remove(struct rb_tree *t, struct rb_node *n);

/* The node with the smallest key (earliest inserted among equals), or NULL. */
static inline struct rb_node *rb_first(const struct rb_tree *t)
{
    return t->first;
}

/* The node after n in order, or NULL. */
struct rb_node *rb_next(const struct rb_node *n);

/* The first node in order whose key is >= key (among equal keys, the one
 * inserted earliest), or NULL.  O(log n). */
struct rb_node *rb_lower_bound(const struct rb_tree *t, uint64_t key);

/* NULL if every invariant above holds, else which one is broken. */
const char *rb_check(const struct rb_tree *t);

/* Nodes on the longest path from the root down (0 for an empty tree). */
unsigned rb_height(const struct rb_tree *t);

#endif
