/*
 * Host tests of lib/queue: FIFO order, removal from the head, the middle
 * and the tail, queue_contains before and after a removal, and random
 * operations against a reference model (an array in queue order),
 * with every invariant checked after every step.
 */
#include "test.h"

#include <stdlib.h>

#include "queue/queue.h"

struct item {
    struct queue_link link;
    int id;
};

static int id_of(const struct queue_link *l)
{
    return container_of(l, struct item, link)->id;
}

/* True if q holds exactly ids[0..n) in order. */
static bool holds(const struct queue *q, const int *ids, size_t n)
{
    if (queue_check(q) || queue_len(q) != n)
        return false;
    size_t i = 0;
    for (const struct queue_link *l = queue_first(q); l; l = queue_next(l), i++) {
        if (i >= n || id_of(l) != ids[i])
            return false;
    }
    return i == n;
}

TEST(zeroed_queue_is_empty)
{
    struct queue q;
    struct item a;
    memset(&q, 0, sizeof(q));
    memset(&a, 0, sizeof(a));
    CHECK(queue_check(&q) == NULL);
    CHECK(queue_empty(&q));
    CHECK(queue_first(&q) == NULL);
    CHECK(queue_pop_front(&q) == NULL);
    CHECK(!queue_contains(&q, &a.link));
    CHECK(!queue_remove_if_queued(&q, &a.link));
    CHECK(queue_check(&q) == NULL);
}

TEST(fifo_order_and_front_push)
{
    struct queue q = {0};
    struct item it[4];
    for (int i = 0; i < 4; i++) {
        it[i].id = i;
        it[i].link = (struct queue_link){0};
    }
    queue_push_back(&q, &it[1].link);
    queue_push_back(&q, &it[2].link);
    queue_push_front(&q, &it[0].link);
    queue_push_back(&q, &it[3].link);
    CHECK(holds(&q, (int[]){0, 1, 2, 3}, 4));
    CHECK_EQ(id_of(queue_pop_front(&q)), 0);
    CHECK_EQ(id_of(queue_pop_front(&q)), 1);
    CHECK(!queue_contains(&q, &it[0].link));
    CHECK(holds(&q, (int[]){2, 3}, 2));
}

TEST(remove_head_middle_tail)
{
    struct queue q = {0};
    struct item it[5];
    for (int i = 0; i < 5; i++) {
        it[i].id = i;
        it[i].link = (struct queue_link){0};
        queue_push_back(&q, &it[i].link);
    }
    queue_remove(&q, &it[2].link); /* middle */
    CHECK(holds(&q, (int[]){0, 1, 3, 4}, 4));
    CHECK(!queue_contains(&q, &it[2].link));
    CHECK(!queue_remove_if_queued(&q, &it[2].link));
    CHECK(queue_remove_if_queued(&q, &it[0].link)); /* head */
    CHECK(holds(&q, (int[]){1, 3, 4}, 3));
    queue_remove(&q, &it[4].link); /* tail */
    CHECK(holds(&q, (int[]){1, 3}, 2));
    CHECK(queue_contains(&q, &it[1].link) && queue_contains(&q, &it[3].link));
    queue_remove(&q, &it[1].link);
    queue_remove(&q, &it[3].link); /* the last one */
    CHECK(holds(&q, NULL, 0));
    CHECK(queue_empty(&q));
    /* A removed link can be queued again. */
    queue_push_back(&q, &it[2].link);
    CHECK(holds(&q, (int[]){2}, 1));
}

TEST(check_finds_broken_links)
{
    struct queue q = {0};
    struct item it[3];
    for (int i = 0; i < 3; i++) {
        it[i].id = i;
        it[i].link = (struct queue_link){0};
        queue_push_back(&q, &it[i].link);
    }
    CHECK(queue_check(&q) == NULL);
    it[2].link.prev = &it[0].link;
    CHECK(queue_check(&q) != NULL);
    it[2].link.prev = &it[1].link;
    q.count = 2;
    CHECK(queue_check(&q) != NULL);
    q.count = 4;
    CHECK(queue_check(&q) != NULL);
    q.count = 3;
    q.tail = &it[1].link;
    CHECK(queue_check(&q) != NULL);
}

/* Random operations on two queues against arrays in queue order. */
TEST(random_against_model)
{
    enum { N = 64, STEPS = 20000 };
    struct item it[N];
    struct queue q[2] = {{0}, {0}};
    int model[2][N];
    size_t mlen[2] = {0, 0};
    int where[N]; /* queue index, or -1 */
    srand(11);
    for (int i = 0; i < N; i++) {
        it[i].id = i;
        it[i].link = (struct queue_link){0};
        where[i] = -1;
    }
    for (int step = 0; step < STEPS; step++) {
        int i = rand() % N, k = rand() % 2;
        switch (rand() % 5) {
        case 0: /* push back */
        case 1:
            if (where[i] >= 0)
                break;
            queue_push_back(&q[k], &it[i].link);
            model[k][mlen[k]++] = i;
            where[i] = k;
            break;
        case 2: /* push front */
            if (where[i] >= 0)
                break;
            queue_push_front(&q[k], &it[i].link);
            memmove(&model[k][1], &model[k][0], mlen[k] * sizeof(int));
            model[k][0] = i;
            mlen[k]++;
            where[i] = k;
            break;
        case 3: { /* remove wherever it is, or find it on neither */
            int w = where[i];
            /* Asked only of the queue it may be on (queue.h). */
            CHECK(queue_contains(&q[w < 0 ? k : w], &it[i].link) == (w >= 0));
            if (w < 0)
                break;
            CHECK(queue_remove_if_queued(&q[w], &it[i].link));
            size_t at = 0;
            while (model[w][at] != i)
                at++;
            memmove(&model[w][at], &model[w][at + 1], (mlen[w] - at - 1) * sizeof(int));
            mlen[w]--;
            where[i] = -1;
            break;
        }
        case 4: { /* pop */
            struct queue_link *l = queue_pop_front(&q[k]);
            CHECK((l == NULL) == (mlen[k] == 0));
            if (!l)
                break;
            CHECK_EQ(id_of(l), model[k][0]);
            where[model[k][0]] = -1;
            memmove(&model[k][0], &model[k][1], (mlen[k] - 1) * sizeof(int));
            mlen[k]--;
            break;
        }
        }
        CHECK(holds(&q[0], model[0], mlen[0]));
        CHECK(holds(&q[1], model[1], mlen[1]));
    }
}
