/* Host tests of lib/mm/quota: limits along the whole chain, rollback of a
 * refused charge, and threads charging one tree at once. */
#include "test.h"

#include <pthread.h>
#include <stdbool.h>

#include "mm/quota.h"

TEST(quota_charge_within_limit)
{
    struct quota q;
    quota_init(&q, NULL, 10);
    CHECK(quota_charge(&q, 4));
    CHECK(quota_charge(&q, 6));
    CHECK_EQ(quota_used(&q), 10);
    CHECK(!quota_charge(&q, 1));
    CHECK_EQ(quota_room(&q), 0);
    CHECK(quota_uncharge(&q, 3));
    CHECK_EQ(quota_room(&q), 3);
    CHECK(quota_charge(&q, 0));
    CHECK(!quota_charge(&q, UINT64_MAX));
    CHECK_EQ(quota_used(&q), 7);
}

/* A child may be given a larger limit than its parent has: the parent's
 * room is what counts, and the parent counts the child's charges. */
TEST(quota_ancestors_bound_children)
{
    struct quota root, parent, a, b;
    quota_init(&root, NULL, 100);
    quota_init(&parent, &root, 50);
    quota_init(&a, &parent, 1000);
    quota_init(&b, &parent, 30);
    CHECK(quota_charge(&a, 40));
    CHECK_EQ(quota_room(&a), 10);
    CHECK_EQ(quota_room(&b), 10);
    CHECK(!quota_charge(&b, 11));
    CHECK(quota_charge(&b, 10));
    CHECK_EQ(quota_used(&parent), 50);
    CHECK_EQ(quota_used(&root), 50);
    CHECK(quota_charge(&root, 50));
    CHECK(!quota_charge(&root, 1));
    CHECK(quota_uncharge(&a, 40));
    CHECK_EQ(quota_used(&parent), 10);
    CHECK_EQ(quota_used(&root), 60);
}

/* A charge refused high up leaves the levels below exactly as before. */
TEST(quota_refusal_rolls_back)
{
    struct quota root, mid, leaf;
    quota_init(&root, NULL, 5);
    quota_init(&mid, &root, 100);
    quota_init(&leaf, &mid, 100);
    CHECK(quota_charge(&leaf, 3));
    CHECK(!quota_charge(&leaf, 3));
    CHECK_EQ(quota_used(&leaf), 3);
    CHECK_EQ(quota_used(&mid), 3);
    CHECK_EQ(quota_used(&root), 3);
}

TEST(quota_uncharge_underflow_is_refused)
{
    struct quota root, leaf;
    quota_init(&root, NULL, 100);
    quota_init(&leaf, &root, 100);
    CHECK(quota_charge(&leaf, 5));
    CHECK(!quota_uncharge(&leaf, 6));
    CHECK_EQ(quota_used(&leaf), 5);
    CHECK_EQ(quota_used(&root), 5);
}

/* Threads charge and uncharge random amounts at the leaves of one tree
 * while another watches every count: none may ever pass its limit, each
 * count must equal what its subtree holds once they stop, and giving
 * everything back must leave every count at zero. */
#define NODES   7
#define WORKERS 4
#define ROUNDS  200000
#define HELD    64

static struct quota tree[NODES];
static const int tree_parent[NODES] = {-1, 0, 0, 1, 1, 2, 2};
static const uint64_t tree_limit[NODES] = {1000, 600, 700, 400, 400, 1000, 300};
static bool tree_stop;
static bool tree_over;

struct tree_worker {
    uint64_t seed;
    uint64_t held[NODES]; /* what this worker charged to each leaf */
    unsigned refused;
};

static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void *tree_work(void *arg)
{
    struct tree_worker *w = arg;
    uint64_t pieces[HELD][2];
    unsigned n = 0;
    for (int i = 0; i < ROUNDS; i++) {
        uint64_t r = next_rand(&w->seed);
        if (n == HELD || (n > 0 && (r & 1))) {
            unsigned k = (unsigned)((r >> 1) % n);
            if (!quota_uncharge(&tree[pieces[k][0]], pieces[k][1]))
                __atomic_store_n(&tree_over, true, __ATOMIC_RELAXED);
            w->held[pieces[k][0]] -= pieces[k][1];
            pieces[k][0] = pieces[n - 1][0];
            pieces[k][1] = pieces[n - 1][1];
            n--;
        } else {
            unsigned leaf = 3 + (unsigned)((r >> 1) % 4);
            uint64_t amount = 1 + (r >> 8) % 60;
            if (quota_charge(&tree[leaf], amount)) {
                pieces[n][0] = leaf;
                pieces[n][1] = amount;
                w->held[leaf] += amount;
                n++;
            } else {
                w->refused++;
            }
        }
    }
    /* What is still held stays, for the check at rest. */
    return NULL;
}

static void *tree_watch(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&tree_stop, __ATOMIC_ACQUIRE)) {
        for (int i = 0; i < NODES; i++) {
            if (quota_used(&tree[i]) > tree[i].limit)
                __atomic_store_n(&tree_over, true, __ATOMIC_RELAXED);
        }
    }
    return NULL;
}

TEST(quota_threads_never_pass_a_limit)
{
    pthread_t workers[WORKERS], watcher;
    struct tree_worker w[WORKERS];
    for (int i = 0; i < NODES; i++)
        quota_init(&tree[i], tree_parent[i] < 0 ? NULL : &tree[tree_parent[i]], tree_limit[i]);
    tree_stop = false;
    tree_over = false;
    memset(w, 0, sizeof(w));
    CHECK(pthread_create(&watcher, NULL, tree_watch, NULL) == 0);
    for (int i = 0; i < WORKERS; i++) {
        w[i].seed = 0x9E3779B97F4A7C15ULL * (uint64_t)(i + 1);
        CHECK(pthread_create(&workers[i], NULL, tree_work, &w[i]) == 0);
    }
    for (int i = 0; i < WORKERS; i++)
        pthread_join(workers[i], NULL);
    __atomic_store_n(&tree_stop, true, __ATOMIC_RELEASE);
    pthread_join(watcher, NULL);
    CHECK(!tree_over);

    /* At rest, each count is exactly what its subtree holds. */
    uint64_t held[NODES] = {0};
    unsigned refused = 0;
    for (int i = 0; i < WORKERS; i++) {
        refused += w[i].refused;
        for (int leaf = 3; leaf < NODES; leaf++) {
            held[leaf] += w[i].held[leaf];
            held[tree_parent[leaf]] += w[i].held[leaf];
            held[0] += w[i].held[leaf];
        }
    }
    for (int i = 0; i < NODES; i++)
        CHECK_EQ(quota_used(&tree[i]), held[i]);
    CHECK(refused > 0); /* the limits were reached */
    for (int i = 0; i < WORKERS; i++) {
        for (int leaf = 3; leaf < NODES; leaf++)
            CHECK(quota_uncharge(&tree[leaf], w[i].held[leaf]));
    }
    for (int i = 0; i < NODES; i++)
        CHECK_EQ(quota_used(&tree[i]), 0);
}
