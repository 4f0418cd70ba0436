/*
 * libFuzzer target for lib/rbtree: the input is a program of insert, remove
 * and pop-first operations on a pool of nodes, checked against a reference
 * model after every step.
 *
 * Each operation is one byte: the low two bits pick the operation, the high
 * six bits the node.  An insert reads its key from the input too: one byte
 * (a narrow range, so equal keys are common), or eight bytes (any value,
 * the extremes included), chosen by the opcode.  Reads past the end yield
 * zeros.  The model is the set of nodes in the tree with the order they were
 * inserted in; after every operation rb_check() must pass, the count, the
 * first node and the complete in-order sequence must equal the model's
 * (sorted by key, then insertion order), and the height must be within the
 * red-black bound.  Any violation aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rbtree/rbtree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NN 64

struct item {
    struct rb_node node;
    uint64_t seq;
    bool in;
};

static struct item items[NN];
static struct item *sorted[NN];

static const uint8_t *in;
static size_t in_left;

static uint8_t byte(void)
{
    if (in_left == 0)
        return 0;
    in_left--;
    return *in++;
}

static uint64_t bytes8(void)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | byte();
    return v;
}

static void fail(const char *why, size_t step)
{
    fprintf(stderr, "fuzz_rbtree: step %zu: %s\n", step, why);
    abort();
}

static int model_cmp(const void *x, const void *y)
{
    const struct item *a = *(struct item *const *)x, *b = *(struct item *const *)y;
    if (a->node.key != b->node.key)
        return a->node.key < b->node.key ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void check(const struct rb_tree *t, size_t step)
{
    const char *why = rb_check(t);
    if (why)
        fail(why, step);
    size_t k = 0;
    for (unsigned i = 0; i < NN; i++)
        if (items[i].in)
            sorted[k++] = &items[i];
    if (k != t->count)
        fail("count differs from the model", step);
    qsort(sorted, k, sizeof(sorted[0]), model_cmp);
    if ((k ? &sorted[0]->node : NULL) != rb_first(t))
        fail("first differs from the model's minimum", step);
    const struct rb_node *x = rb_first(t);
    for (size_t i = 0; i < k; i++, x = rb_next(x))
        if (x != &sorted[i]->node)
            fail("in-order sequence differs from the model", step);
    if (x)
        fail("in-order walk runs past the model", step);
    unsigned lg = 0;
    while ((2ull << lg) <= k + 1)
        lg++;
    if (rb_height(t) > 2 * (lg + 1))
        fail("height exceeds the red-black bound", step);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rb_tree t;
    uint64_t seq = 0;
    in = data;
    in_left = size;
    memset(items, 0, sizeof(items));
    rb_init(&t);
    for (size_t step = 0; in_left > 0; step++) {
        uint8_t op = byte();
        struct item *it = &items[op >> 2];
        switch (op & 3) {
        case 0: /* insert, narrow key */
        case 1: /* insert, any key */
            if (it->in)
                break;
            it->seq = seq++;
            it->in = true;
            rb_insert(&t, &it->node, (op & 3) == 0 ? byte() % 8 : bytes8());
            break;
        case 2: /* remove this node */
            if (!it->in)
                break;
            it->in = false;
            rb_remove(&t, &it->node);
            if (it->node.parent_red || it->node.child[RB_LEFT] || it->node.child[RB_RIGHT])
                fail("a removed node keeps links", step);
            break;
        case 3: /* pop the first node */
            if (rb_first(&t)) {
                struct item *f = container_of(rb_first(&t), struct item, node);
                f->in = false;
                rb_remove(&t, &f->node);
            }
            break;
        }
        check(&t, step);
    }
    return 0;
}
