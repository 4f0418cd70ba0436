/*
 * Host tests of lib/rbtree: ordering, FIFO among equal keys, the cached
 * first node, lower bounds, the height bound on the inputs that unbalance
 * a plain search tree, and random insert/remove sequences against a
 * reference model (an array kept sorted by key, then insertion order),
 * with every invariant checked after every step.
 */
#include "test.h"

#include <stdlib.h>

#include "rbtree/rbtree.h"

struct item {
    struct rb_node node;
    uint64_t seq; /* insertion order, for the FIFO checks */
    bool in;
};

static struct item *item_of(struct rb_node *n)
{
    return container_of(n, struct item, node);
}

/* Height bound of a red-black tree of n nodes: 2 log2(n + 1). */
static bool height_ok(const struct rb_tree *t)
{
    unsigned lg = 0;
    while ((2ull << lg) <= t->count + 1)
        lg++;
    return rb_height(t) <= 2 * (lg + 1);
}

/* Walks t in order; true if keys never decrease, equal keys come in seq
 * order, and the walk visits exactly t->count nodes. */
static bool order_ok(const struct rb_tree *t)
{
    size_t n = 0;
    const struct item *prev = NULL;
    for (struct rb_node *x = rb_first(t); x; x = rb_next(x)) {
        const struct item *it = item_of(x);
        if (prev && (prev->node.key > it->node.key ||
                     (prev->node.key == it->node.key && prev->seq > it->seq)))
            return false;
        prev = it;
        n++;
    }
    return n == t->count;
}

TEST(empty_tree)
{
    struct rb_tree t;
    rb_init(&t);
    CHECK(rb_check(&t) == NULL);
    CHECK(rb_first(&t) == NULL);
    CHECK_EQ(rb_height(&t), 0);
}

TEST(single_node_in_and_out)
{
    struct rb_tree t;
    struct item a = {0};
    rb_init(&t);
    rb_insert(&t, &a.node, 42);
    CHECK(rb_check(&t) == NULL);
    CHECK(rb_first(&t) == &a.node);
    CHECK(rb_next(&a.node) == NULL);
    rb_remove(&t, &a.node);
    CHECK(rb_check(&t) == NULL);
    CHECK(rb_first(&t) == NULL);
    CHECK(t.root == NULL);
    CHECK(a.node.parent_red == 0 && !a.node.child[RB_LEFT] && !a.node.child[RB_RIGHT]);
    /* A removed node can go in again. */
    rb_insert(&t, &a.node, 7);
    CHECK(rb_first(&t) == &a.node);
    CHECK_EQ(a.node.key, 7);
}

/* Sorted input degenerates a plain search tree into a list; here the height
 * must stay logarithmic, in both directions and with all keys equal. */
static void fill_and_check_height(uint64_t (*key)(unsigned i), unsigned n, bool *ok)
{
    struct rb_tree t;
    struct item *v = calloc(n, sizeof(*v));
    *ok = v != NULL;
    if (!v)
        return;
    rb_init(&t);
    for (unsigned i = 0; i < n; i++) {
        v[i].seq = i;
        rb_insert(&t, &v[i].node, key(i));
        if ((i & (i + 1)) == 0 && (rb_check(&t) || !height_ok(&t)))
            *ok = false;
    }
    if (rb_check(&t) || !height_ok(&t) || !order_ok(&t))
        *ok = false;
    /* Drain from the front: keys never decrease, equal keys leave in the
     * order they came. */
    const struct item *prev = NULL;
    for (unsigned i = 0; i < n && *ok; i++) {
        struct rb_node *f = rb_first(&t);
        if (!f) {
            *ok = false;
            break;
        }
        const struct item *it = item_of(f);
        if (prev && (prev->node.key > it->node.key ||
                     (prev->node.key == it->node.key && prev->seq > it->seq)))
            *ok = false;
        prev = it;
        rb_remove(&t, f);
        if ((i & 1023) == 0 && (rb_check(&t) || !height_ok(&t)))
            *ok = false;
    }
    if (t.count != 0 || rb_first(&t))
        *ok = false;
    free(v);
}

static uint64_t key_up(unsigned i)
{
    return i;
}
static uint64_t key_down(unsigned i)
{
    return UINT64_MAX - i;
}
static uint64_t key_same(unsigned i)
{
    (void)i;
    return 1000;
}

TEST(height_stays_logarithmic)
{
    bool ok;
    fill_and_check_height(key_up, 100000, &ok);
    CHECK(ok);
    fill_and_check_height(key_down, 100000, &ok);
    CHECK(ok);
    fill_and_check_height(key_same, 100000, &ok);
    CHECK(ok);
}

TEST(equal_keys_come_out_in_insertion_order)
{
    enum { N = 300 };
    static struct item v[N];
    struct rb_tree t;
    rb_init(&t);
    /* Interleave three keys so that rotations move equal keys around. */
    for (unsigned i = 0; i < N; i++) {
        v[i].seq = i;
        rb_insert(&t, &v[i].node, (i * 7) % 3);
        CHECK(rb_check(&t) == NULL);
    }
    CHECK(order_ok(&t));
    /* Take some out of the middle; the rest keep their order. */
    for (unsigned i = 0; i < N; i += 5)
        rb_remove(&t, &v[i].node);
    CHECK(rb_check(&t) == NULL);
    CHECK(order_ok(&t));
    uint64_t last_key = 0, last_seq = 0;
    bool started = false;
    while (rb_first(&t)) {
        struct item *it = item_of(rb_first(&t));
        CHECK(it->seq % 5 != 0);
        if (started && it->node.key == last_key)
            CHECK(it->seq > last_seq);
        if (started)
            CHECK(it->node.key >= last_key);
        last_key = it->node.key;
        last_seq = it->seq;
        started = true;
        rb_remove(&t, &it->node);
        CHECK(rb_check(&t) == NULL);
    }
}

TEST(extreme_keys)
{
    struct item a = {0}, b = {0}, c = {0};
    struct rb_tree t;
    rb_init(&t);
    rb_insert(&t, &a.node, UINT64_MAX);
    rb_insert(&t, &b.node, 0);
    rb_insert(&t, &c.node, UINT64_MAX);
    CHECK(rb_check(&t) == NULL);
    CHECK(rb_first(&t) == &b.node);
    CHECK(rb_next(&b.node) == &a.node);
    CHECK(rb_next(&a.node) == &c.node);
    CHECK(rb_next(&c.node) == NULL);
}

/* The reference model: the items in the tree, sorted by (key, seq). */
static int model_cmp(const void *x, const void *y)
{
    const struct item *a = *(struct item *const *)x, *b = *(struct item *const *)y;
    if (a->node.key != b->node.key)
        return a->node.key < b->node.key ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

TEST(random_operations_match_the_model)
{
    enum { N = 512, STEPS = 200000 };
    static struct item v[N];
    static struct item *sorted[N];
    struct rb_tree t;
    uint64_t seq = 0;
    size_t in = 0;
    srand(12345);
    rb_init(&t);
    memset(v, 0, sizeof(v));
    for (unsigned step = 0; step < STEPS; step++) {
        struct item *it = &v[rand() % N];
        int op = rand() % 8;
        if (op < 4 && !it->in) {
            /* Narrow key ranges give many equal keys, wide ones few. */
            uint64_t key = (step / 20000) % 2 ? (uint64_t)(rand() % 16)
                                              : (uint64_t)rand() << 33 ^ (uint64_t)rand();
            it->seq = seq++;
            it->in = true;
            in++;
            rb_insert(&t, &it->node, key);
        } else if (op < 7 && it->in) {
            it->in = false;
            in--;
            rb_remove(&t, &it->node);
        } else if (rb_first(&t)) {
            struct item *f = item_of(rb_first(&t));
            f->in = false;
            in--;
            rb_remove(&t, &f->node);
        }
        CHECK_EQ(t.count, in);
        if (step % 97 != 0)
            continue;
        /* The full comparison is O(n log n): every 97th step, plus the
         * structural check. */
        const char *why = rb_check(&t);
        if (why)
            test_failf(__FILE__, __LINE__, "step %u: %s", step, why);
        CHECK(why == NULL);
        CHECK(height_ok(&t));
        size_t k = 0;
        for (unsigned i = 0; i < N; i++)
            if (v[i].in)
                sorted[k++] = &v[i];
        qsort(sorted, k, sizeof(sorted[0]), model_cmp);
        struct rb_node *x = rb_first(&t);
        for (size_t i = 0; i < k; i++, x = rb_next(x))
            CHECK(x == &sorted[i]->node);
        CHECK(x == NULL);
        /* rb_lower_bound against the model: the first item whose key is
         * at least a probe, for probes at, between and beyond the keys. */
        for (int probe = 0; probe < 8; probe++) {
            uint64_t key = probe < 2 && k ? sorted[rand() % k]->node.key + (uint64_t)probe
                                          : (uint64_t)(rand() % 18);
            size_t i = 0;
            while (i < k && sorted[i]->node.key < key)
                i++;
            CHECK(rb_lower_bound(&t, key) == (i < k ? &sorted[i]->node : NULL));
        }
    }
}

TEST(lower_bound_finds_the_earliest_equal)
{
    static struct item v[40];
    struct rb_tree t;
    rb_init(&t);
    memset(v, 0, sizeof(v));
    CHECK(rb_lower_bound(&t, 0) == NULL);
    /* Keys 10, 20, 30, 40, each inserted ten times, interleaved. */
    for (unsigned i = 0; i < 40; i++) {
        v[i].seq = i;
        rb_insert(&t, &v[i].node, 10 * (i % 4 + 1));
    }
    CHECK(rb_lower_bound(&t, 0) == &v[0].node);
    CHECK(rb_lower_bound(&t, 10) == &v[0].node);
    CHECK(rb_lower_bound(&t, 11) == &v[1].node);
    CHECK(rb_lower_bound(&t, 20) == &v[1].node);
    CHECK(rb_lower_bound(&t, 40) == &v[3].node);
    CHECK(rb_lower_bound(&t, 41) == NULL);
    CHECK(rb_lower_bound(&t, UINT64_MAX) == NULL);
    rb_remove(&t, &v[1].node);
    CHECK(rb_lower_bound(&t, 20) == &v[5].node);
    /* Walking on from it visits the equal keys in insertion order. */
    struct rb_node *x = rb_lower_bound(&t, 30);
    for (unsigned i = 2; i < 40; i += 4, x = rb_next(x))
        CHECK(x == &v[i].node);
    CHECK(x == &v[3].node);
}
