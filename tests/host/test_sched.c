/*
 * Host tests of lib/sched: virtual-time arithmetic, the run queue against a
 * reference model, placement, slices and preemption, simulations of a CPU
 * under the policy (fair shares by weight, latency wake-ups, sleepers), and
 * the balancing decisions.
 */
#include "test.h"

#include <stdlib.h>

#include "sched/sched.h"

#define MS 1000000ull

static struct sched_entity mk(uint32_t weight, uint8_t cls)
{
    struct sched_entity e;
    sched_entity_init(&e, weight, cls);
    return e;
}

/* Reference for the charge: floor(total_ns * DEFAULT / weight), exact. */
static uint64_t ref_vdelta(unsigned __int128 total_ns, uint32_t weight)
{
    return (uint64_t)(total_ns * SCHED_WEIGHT_DEFAULT / weight);
}

static uint64_t rnd64(void)
{
    return (uint64_t)rand() << 42 ^ (uint64_t)rand() << 21 ^ (uint64_t)rand();
}

/* ---- Virtual time ---- */

TEST(charge_scales_by_weight)
{
    struct sched_entity e = mk(SCHED_WEIGHT_DEFAULT, SCHED_CLASS_BATCH);
    sched_charge(&e, 4 * MS);
    CHECK_EQ(e.vruntime, 4 * MS);
    e = mk(2048, SCHED_CLASS_BATCH);
    sched_charge(&e, 4 * MS);
    CHECK_EQ(e.vruntime, 2 * MS);
    e = mk(512, SCHED_CLASS_BATCH);
    sched_charge(&e, 4 * MS);
    CHECK_EQ(e.vruntime, 8 * MS);
    e = mk(SCHED_WEIGHT_MIN, SCHED_CLASS_BATCH);
    sched_charge(&e, 4 * MS);
    CHECK_EQ(e.vruntime, 4 * MS * 1024);
    e = mk(SCHED_WEIGHT_MAX, SCHED_CLASS_BATCH);
    sched_charge(&e, 4 * MS);
    CHECK_EQ(e.vruntime, 4 * MS / 64);
}

TEST(charge_carries_remainder)
{
    /* At the heaviest weight a 100 ns charge is 1.5625 virtual ns; without
     * the carried remainder a thousand of them would lose a third. */
    struct sched_entity e = mk(SCHED_WEIGHT_MAX, SCHED_CLASS_BATCH);
    for (int i = 0; i < 1000; i++)
        sched_charge(&e, 100);
    CHECK_EQ(e.vruntime, 1562);
    CHECK_EQ(e.vruntime, ref_vdelta(100000, SCHED_WEIGHT_MAX));

    srand(77);
    for (int round = 0; round < 2000; round++) {
        uint32_t w = (uint32_t)(rand() % SCHED_WEIGHT_MAX) + 1;
        uint64_t start = rnd64();
        unsigned __int128 total = 0;
        e = mk(w, SCHED_CLASS_BATCH);
        e.vruntime = start;
        for (int i = 0; i < 50; i++) {
            uint64_t d =
                rand() % 4 ? (uint64_t)(rand() % 100000) : rnd64() % (SCHED_CHARGE_MAX_NS + 1);
            sched_charge(&e, d);
            total += d;
            CHECK(e.vrem < w);
            CHECK_EQ(e.vruntime - start, ref_vdelta(total, w));
        }
    }
}

TEST(charge_extremes)
{
    /* The largest charge at the smallest weight: 2^40 ns * 1024. */
    struct sched_entity e = mk(SCHED_WEIGHT_MIN, SCHED_CLASS_BATCH);
    sched_charge(&e, UINT64_MAX);
    CHECK_EQ(e.vruntime, SCHED_CHARGE_MAX_NS * SCHED_WEIGHT_DEFAULT);
    CHECK_EQ(e.vrem, 0);
    CHECK(sched_vruntime_diff(e.vruntime, 0) > 0);
    e = mk(SCHED_WEIGHT_MAX, SCHED_CLASS_BATCH);
    sched_charge(&e, UINT64_MAX);
    CHECK_EQ(e.vruntime, SCHED_CHARGE_MAX_NS / 64);

    /* A vruntime wraps past 2^64 and still compares as later. */
    e = mk(SCHED_WEIGHT_DEFAULT, SCHED_CLASS_BATCH);
    e.vruntime = UINT64_MAX - 1000;
    uint64_t before = e.vruntime;
    sched_charge(&e, 5000);
    CHECK_EQ(e.vruntime, 3999);
    CHECK(sched_vruntime_before(before, e.vruntime));
    CHECK_EQ(sched_vruntime_diff(e.vruntime, before), 5000);

    for (int i = 0; i < 10000; i++) {
        uint64_t d = rnd64() >> (rand() % 64);
        uint32_t w = (uint32_t)(rnd64() % SCHED_WEIGHT_MAX) + 1;
        uint64_t dc = d > SCHED_CHARGE_MAX_NS ? SCHED_CHARGE_MAX_NS : d;
        CHECK_EQ(sched_ns_to_vruntime(d, w), ref_vdelta(dc, w));
    }
    CHECK_EQ(sched_ns_to_vruntime(0, 1), 0);
    CHECK_EQ(sched_ns_to_vruntime(SCHED_CHARGE_MAX_NS, 1), 1ull << 50);
}

TEST(entity_validation)
{
    struct sched_entity e;
    CHECK(!sched_entity_init(&e, 0, SCHED_CLASS_BATCH));
    CHECK(!sched_entity_init(&e, SCHED_WEIGHT_MAX + 1, SCHED_CLASS_BATCH));
    CHECK(!sched_entity_init(&e, 1024, SCHED_CLASS_COUNT));
    CHECK(sched_entity_init(&e, SCHED_WEIGHT_MAX, SCHED_CLASS_LATENCY));
    CHECK_EQ(e.state, SCHED_DETACHED);
    CHECK_EQ(e.allowed_cpus, ~0ull);
    CHECK(!sched_entity_set_weight(&e, 0));
    CHECK_EQ(e.weight, SCHED_WEIGHT_MAX);

    struct sched_rq rq;
    sched_rq_init(&rq);
    CHECK(sched_rq_enqueue(&rq, &e));
    CHECK_EQ(rq.load_weight, SCHED_WEIGHT_MAX);
    CHECK(sched_entity_set_weight(&e, 3));
    CHECK_EQ(rq.load_weight, 3);
    CHECK(sched_rq_check(&rq));
}

/* ---- Run queue ---- */

TEST(rq_order_and_fifo_ties)
{
    struct sched_rq rq;
    struct sched_entity e[5];
    uint64_t base = SCHED_VRUNTIME_INIT + 10; /* straddles the wrap below */
    static const int64_t off[5] = {30, -5, 30, (int64_t)(1ull << 33), 0};
    static const int order[5] = {1, 4, 0, 2, 3};

    sched_rq_init(&rq);
    for (int i = 0; i < 5; i++) {
        e[i] = mk(SCHED_WEIGHT_DEFAULT, SCHED_CLASS_BATCH);
        e[i].vruntime = base + (uint64_t)off[i];
        CHECK(sched_rq_enqueue(&rq, &e[i]));
    }
    CHECK_EQ(rq.nr_queued, 5);
    CHECK_EQ(rq.load_weight, 5 * SCHED_WEIGHT_DEFAULT);
    CHECK(sched_rq_check(&rq));
    for (int i = 0; i < 5; i++) {
        struct sched_entity *p = sched_rq_pick_next(&rq);
        CHECK(p == &e[order[i]]);
        CHECK_EQ(p->state, SCHED_CURRENT);
        CHECK(sched_rq_check(&rq));
        CHECK(sched_rq_put_curr(&rq, false));
        CHECK_EQ(p->state, SCHED_DETACHED);
        CHECK(p->rq == NULL);
    }
    CHECK(sched_rq_pick_next(&rq) == NULL);
    CHECK_EQ(rq.load_weight, 0);

    /* Equal vruntimes run in enqueue order, and a preempted entity goes
     * behind the others that have the same vruntime. */
    for (int i = 0; i < 3; i++) {
        e[i].vruntime = 100;
        CHECK(sched_rq_enqueue(&rq, &e[i]));
    }
    CHECK(sched_rq_pick_next(&rq) == &e[0]);
    CHECK(sched_rq_put_curr(&rq, true));
    CHECK(sched_rq_pick_next(&rq) == &e[1]);
    CHECK(sched_rq_put_curr(&rq, true));
    CHECK(sched_rq_pick_next(&rq) == &e[2]);
    CHECK(sched_rq_put_curr(&rq, true));
    CHECK(sched_rq_pick_next(&rq) == &e[0]);
}

TEST(rq_misuse_changes_nothing)
{
    struct sched_rq rq, other;
    struct sched_entity a = mk(1024, 0), b = mk(1024, 0);
    sched_rq_init(&rq);
    sched_rq_init(&other);
    CHECK(!sched_rq_put_curr(&rq, true));
    CHECK(!sched_rq_dequeue(&rq, &a));
    CHECK(!sched_rq_set_curr(&rq, &a));
    CHECK(sched_rq_enqueue(&rq, &a));
    CHECK(!sched_rq_enqueue(&rq, &a));
    CHECK(!sched_rq_enqueue(&other, &a));
    CHECK(!sched_rq_dequeue(&other, &a));
    CHECK(sched_rq_enqueue(&rq, &b));
    CHECK(sched_rq_set_curr(&rq, &b));
    CHECK(!sched_rq_set_curr(&rq, &a));
    CHECK(sched_rq_pick_next(&rq) == NULL); /* curr still set */
    CHECK(!sched_rq_dequeue(&rq, &b));      /* current, not queued */
    CHECK(!sched_rq_enqueue(&rq, &b));
    CHECK_EQ(rq.nr_queued, 1);
    CHECK_EQ(sched_rq_nr_running(&rq), 2);
    CHECK(sched_rq_check(&rq));
    CHECK(sched_rq_check(&other));
}

TEST(rq_attach_curr_hands_off)
{
    struct sched_rq rq;
    struct sched_entity a = mk(1024, 0), b = mk(2048, 0), c = mk(1024, 0);
    sched_rq_init(&rq);
    a.vruntime = b.vruntime = c.vruntime = sched_rq_update_min(&rq);
    CHECK(sched_rq_enqueue(&rq, &c));
    CHECK(sched_rq_attach_curr(&rq, &a));
    CHECK_EQ(a.state, SCHED_CURRENT);
    CHECK(rq.curr == &a);
    CHECK_EQ(rq.load_weight, 2048);
    CHECK(sched_rq_check(&rq));
    CHECK(!sched_rq_attach_curr(&rq, &b)); /* a is current */
    CHECK(!sched_rq_attach_curr(&rq, &c)); /* queued, not detached */
    /* The caller blocks and the woken entity takes the CPU directly. */
    sched_charge(&a, 3 * MS);
    CHECK(sched_rq_put_curr(&rq, false));
    sched_place_woken(&rq, &b, 0);
    CHECK(sched_rq_attach_curr(&rq, &b));
    CHECK_EQ(rq.load_weight, 3072);
    CHECK_EQ(rq.nr_queued, 1);
    CHECK(sched_rq_check(&rq));
    CHECK(sched_rq_put_curr(&rq, true));
    CHECK(sched_rq_check(&rq));
    CHECK_EQ(rq.nr_queued, 2);
}

TEST(rq_check_detects_corruption)
{
    struct sched_rq rq;
    struct sched_entity e[4];
    sched_rq_init(&rq);
    for (int i = 0; i < 4; i++) {
        e[i] = mk(1024, 0);
        e[i].vruntime = (uint64_t)i * 10;
        sched_rq_enqueue(&rq, &e[i]);
    }
    CHECK(sched_rq_check(&rq));
    e[3].vruntime = 0; /* order broken below e[1] */
    CHECK(!sched_rq_check(&rq));
    e[3].vruntime = 30;
    rq.load_weight++;
    CHECK(!sched_rq_check(&rq));
    rq.load_weight--;
    e[2].parent = &e[1];
    CHECK(!sched_rq_check(&rq));
    e[2].parent = &e[0];
    rq.nr_queued = 5;
    CHECK(!sched_rq_check(&rq));
    rq.nr_queued = 4;
    CHECK(sched_rq_check(&rq));
}

/* Model of one run queue: which entities are queued or current. */
enum { NE = 40 };
struct model {
    struct sched_rq rq;
    struct sched_entity e[NE];
    uint64_t seq;
    int curr; /* index or -1 */
};

static bool model_before(const struct sched_entity *a, const struct sched_entity *b)
{
    int64_t d = sched_vruntime_diff(a->vruntime, b->vruntime);
    return d != 0 ? d < 0 : a->seq < b->seq;
}

static struct sched_entity *model_min(struct model *m)
{
    struct sched_entity *best = NULL;
    for (int i = 0; i < NE; i++)
        if (m->e[i].state == SCHED_QUEUED && (!best || model_before(&m->e[i], best)))
            best = &m->e[i];
    return best;
}

/* Random operations checked against the model, with the clock starting at a
 * random point so that wrapping is covered. */
TEST(rq_randomized_model)
{
    struct model m;
    srand(4321);
    for (int round = 0; round < 20; round++) {
        sched_rq_init(&m.rq);
        m.rq.min_vruntime = rnd64();
        m.seq = 0;
        m.curr = -1;
        for (int i = 0; i < NE; i++)
            m.e[i] = mk((uint32_t)(rand() % 4096) + 1, (uint8_t)(rand() % 2));
        uint64_t last_min = m.rq.min_vruntime;

        for (int step = 0; step < 5000; step++) {
            int i = rand() % NE;
            struct sched_entity *e = &m.e[i];
            switch (rand() % 8) {
            case 0:
            case 1: /* enqueue, placed one of three ways */
                if (e->state != SCHED_DETACHED) {
                    CHECK(!sched_rq_enqueue(&m.rq, e));
                    break;
                }
                if (rand() % 3 == 0)
                    sched_place_new(&m.rq, e);
                else
                    sched_place_woken(&m.rq, e, rand() % 50 ? 0 : SCHED_LONG_SLEEP_NS);
                CHECK(sched_rq_enqueue(&m.rq, e));
                CHECK_EQ(e->seq, m.seq);
                m.seq++;
                break;
            case 2: { /* dequeue */
                bool queued = e->state == SCHED_QUEUED;
                CHECK_EQ(sched_rq_dequeue(&m.rq, e), queued);
                CHECK(!queued || e->state == SCHED_DETACHED);
                break;
            }
            case 3: { /* pick the minimum */
                struct sched_entity *want = m.curr < 0 ? model_min(&m) : NULL;
                CHECK(sched_rq_pick_next(&m.rq) == want);
                if (want)
                    m.curr = (int)(want - m.e);
                break;
            }
            case 4: /* hand-off to a chosen entity */
                if (m.curr < 0 && e->state == SCHED_QUEUED) {
                    CHECK(sched_rq_set_curr(&m.rq, e));
                    m.curr = i;
                } else {
                    CHECK(!sched_rq_set_curr(&m.rq, e));
                }
                break;
            case 5: /* run and stop */
                if (m.curr < 0) {
                    CHECK(!sched_rq_put_curr(&m.rq, true));
                    break;
                }
                sched_charge(&m.e[m.curr], (uint64_t)(rand() % (int)(8 * MS)));
                {
                    bool runnable = rand() % 2;
                    CHECK(sched_rq_put_curr(&m.rq, runnable));
                    if (runnable) {
                        CHECK_EQ(m.e[m.curr].seq, m.seq);
                        m.seq++;
                    }
                }
                m.curr = -1;
                break;
            case 6: /* charge the runner without stopping it */
                if (m.curr >= 0)
                    sched_charge(&m.e[m.curr], (uint64_t)(rand() % (int)(4 * MS)));
                break;
            default:
                CHECK(sched_entity_set_weight(e, (uint32_t)(rand() % SCHED_WEIGHT_MAX) + 1));
                break;
            }

            uint64_t now = sched_rq_update_min(&m.rq);
            CHECK(!sched_vruntime_before(now, last_min));
            last_min = now;
            CHECK(sched_rq_check(&m.rq));
            CHECK(sched_rq_peek(&m.rq) == model_min(&m));
            CHECK(m.rq.curr == (m.curr < 0 ? NULL : &m.e[m.curr]));
            uint64_t w = 0;
            uint32_t nq = 0;
            for (int k = 0; k < NE; k++) {
                if (m.e[k].state != SCHED_DETACHED)
                    w += m.e[k].weight;
                nq += m.e[k].state == SCHED_QUEUED;
                CHECK((m.e[k].rq != NULL) == (m.e[k].state != SCHED_DETACHED));
            }
            CHECK_EQ(m.rq.load_weight, w);
            CHECK_EQ(m.rq.nr_queued, nq);
        }
    }
}

/* Two identical queues driven by the same random operations; at each
 * hand-off one takes sched_rq_handoff and the other the three calls it
 * stands for.  Every field of both queues and all their entities (links as
 * indices) must stay equal. */
#define HE 12

struct twin {
    struct sched_rq rq;
    struct sched_entity e[HE];
};

static long twin_idx(const struct twin *t, const struct sched_entity *p)
{
    return p ? (long)(p - t->e) : -1;
}

static bool twins_equal(const struct twin *a, const struct twin *b)
{
    if (a->rq.min_vruntime != b->rq.min_vruntime || a->rq.load_weight != b->rq.load_weight ||
        a->rq.next_seq != b->rq.next_seq || a->rq.nr_queued != b->rq.nr_queued ||
        twin_idx(a, a->rq.root) != twin_idx(b, b->rq.root) ||
        twin_idx(a, a->rq.curr) != twin_idx(b, b->rq.curr))
        return false;
    for (int i = 0; i < HE; i++) {
        const struct sched_entity *x = &a->e[i], *y = &b->e[i];
        if (x->vruntime != y->vruntime || x->vrem != y->vrem || x->seq != y->seq ||
            x->state != y->state || x->weight != y->weight || (x->rq != NULL) != (y->rq != NULL) ||
            twin_idx(a, x->parent) != twin_idx(b, y->parent) ||
            twin_idx(a, x->left) != twin_idx(b, y->left) ||
            twin_idx(a, x->right) != twin_idx(b, y->right))
            return false;
    }
    return true;
}

TEST(rq_handoff_equals_put_place_attach)
{
    static struct twin a, b;
    srand(2718);
    int handoffs = 0;
    for (int round = 0; round < 40; round++) {
        uint64_t start = round % 4 == 0 ? SCHED_VRUNTIME_INIT : rnd64();
        sched_rq_init(&a.rq);
        sched_rq_init(&b.rq);
        a.rq.min_vruntime = b.rq.min_vruntime = start;
        for (int i = 0; i < HE; i++) {
            a.e[i] = b.e[i] = mk((uint32_t)(rand() % 4096) + 1, (uint8_t)(rand() % 2));
            a.e[i].vruntime = b.e[i].vruntime =
                start + (uint64_t)(rand() % (int)(40 * MS)) - 20 * MS;
        }
        for (int step = 0; step < 3000; step++) {
            int i = rand() % HE, op = rand() % 7;
            uint64_t d = (uint64_t)(rand() % (int)(6 * MS));
            uint64_t slept =
                rand() % 40 ? (uint64_t)(rand() % (int)(50 * MS)) : SCHED_LONG_SLEEP_NS;
            switch (op) {
            case 0:
            case 1: /* a detached entity joins the queue */
                if (a.e[i].state == SCHED_DETACHED) {
                    sched_place_woken(&a.rq, &a.e[i], slept);
                    sched_place_woken(&b.rq, &b.e[i], slept);
                    CHECK(sched_rq_enqueue(&a.rq, &a.e[i]));
                    CHECK(sched_rq_enqueue(&b.rq, &b.e[i]));
                }
                break;
            case 2: /* the runner is preempted, the minimum runs */
                if (a.rq.curr) {
                    sched_charge(a.rq.curr, d);
                    sched_charge(b.rq.curr, d);
                    CHECK(sched_rq_put_curr(&a.rq, true));
                    CHECK(sched_rq_put_curr(&b.rq, true));
                }
                CHECK((sched_rq_pick_next(&a.rq) == NULL) == (sched_rq_pick_next(&b.rq) == NULL));
                break;
            case 3: /* a waiting entity leaves (it moves elsewhere) */
                CHECK_EQ(sched_rq_dequeue(&a.rq, &a.e[i]), sched_rq_dequeue(&b.rq, &b.e[i]));
                break;
            default: /* the runner blocks and hands the CPU to a detached entity */
                if (!a.rq.curr) {
                    CHECK(!sched_rq_handoff(&a.rq, &a.e[i], slept));
                    CHECK((sched_rq_pick_next(&a.rq) == NULL) ==
                          (sched_rq_pick_next(&b.rq) == NULL));
                    break;
                }
                if (a.e[i].state != SCHED_DETACHED) {
                    CHECK(!sched_rq_handoff(&a.rq, &a.e[i], slept));
                    break;
                }
                sched_charge(a.rq.curr, d);
                sched_charge(b.rq.curr, d);
                CHECK(sched_rq_handoff(&a.rq, &a.e[i], slept));
                CHECK(sched_rq_put_curr(&b.rq, false));
                sched_place_woken(&b.rq, &b.e[i], slept);
                CHECK(sched_rq_attach_curr(&b.rq, &b.e[i]));
                handoffs++;
                break;
            }
            CHECK(sched_rq_check(&a.rq));
            CHECK(twins_equal(&a, &b));
        }
    }
    CHECK(handoffs > 10000); /* the comparison above ran often enough to mean something */
}

/* ---- Placement ---- */

TEST(min_vruntime_is_monotonic)
{
    struct sched_rq rq;
    struct sched_entity a = mk(1024, 0), b = mk(1024, 0);
    sched_rq_init(&rq);
    uint64_t m0 = rq.min_vruntime;
    CHECK_EQ(m0, SCHED_VRUNTIME_INIT);

    /* Enqueueing something behind the clock leaves it where it is. */
    a.vruntime = m0 - 5 * MS;
    sched_rq_enqueue(&rq, &a);
    CHECK_EQ(sched_rq_update_min(&rq), m0);
    sched_rq_pick_next(&rq);
    sched_charge(&a, 2 * MS);
    CHECK_EQ(sched_rq_update_min(&rq), m0);
    sched_charge(&a, 10 * MS);
    CHECK_EQ(sched_rq_update_min(&rq), m0 + 7 * MS);
    /* The clock crosses the wrap and keeps going forwards. */
    sched_charge(&a, 5000 * MS);
    CHECK_EQ(sched_rq_update_min(&rq), m0 + 5007 * MS);
    CHECK(sched_rq_update_min(&rq) < m0); /* numerically wrapped */
    /* Blocking counts the time it ran last, and leaving the queue empty
     * keeps the clock there. */
    sched_charge(&a, 3 * MS);
    sched_rq_put_curr(&rq, false);
    uint64_t m1 = rq.min_vruntime;
    CHECK_EQ(m1, a.vruntime);
    CHECK_EQ(sched_rq_update_min(&rq), m1);
    b.vruntime = m1 - 1;
    sched_rq_enqueue(&rq, &b);
    CHECK_EQ(sched_rq_update_min(&rq), m1);
}

TEST(placement_rules)
{
    struct sched_rq rq;
    struct sched_entity n = mk(1024, SCHED_CLASS_BATCH), s = mk(1024, SCHED_CLASS_BATCH);
    struct sched_entity l = mk(1024, SCHED_CLASS_LATENCY), busy = mk(1024, SCHED_CLASS_BATCH);
    sched_rq_init(&rq);
    uint64_t m = rq.min_vruntime;

    sched_place_new(&rq, &n);
    CHECK_EQ(n.vruntime, m);

    /* Far behind: capped at the class's credit. */
    s.vruntime = m - 1000 * MS;
    sched_place_woken(&rq, &s, 0);
    CHECK_EQ(s.vruntime, m - SCHED_SLEEPER_CREDIT_NS);
    l.vruntime = m - 1000 * MS;
    sched_place_woken(&rq, &l, 0);
    CHECK_EQ(l.vruntime, m - SCHED_LATENCY_BONUS_NS);
    CHECK(sched_vruntime_before(l.vruntime, s.vruntime));

    /* Slightly behind: keeps exactly what it is owed. */
    s.vruntime = m - 3 * MS;
    sched_place_woken(&rq, &s, 0);
    CHECK_EQ(s.vruntime, m - 3 * MS);

    /* Ahead (it overran its share before sleeping): no credit at all,
     * whatever its class. */
    busy.vruntime = m + 50 * MS;
    sched_place_woken(&rq, &busy, 0);
    CHECK_EQ(busy.vruntime, m + 50 * MS);
    l.vruntime = m + 50 * MS;
    sched_place_woken(&rq, &l, 0);
    CHECK_EQ(l.vruntime, m + 50 * MS);

    /* A very long sleep: the stored value may have wrapped out of the
     * comparable window, here appearing far ahead; it is not trusted. */
    busy.vruntime = m + (1ull << 62);
    sched_place_woken(&rq, &busy, SCHED_LONG_SLEEP_NS);
    CHECK_EQ(busy.vruntime, m - SCHED_SLEEPER_CREDIT_NS);
}

TEST(migration_keeps_lag)
{
    struct sched_rq a, b;
    struct sched_entity e = mk(1024, 0);
    sched_rq_init(&a);
    sched_rq_init(&b);
    a.min_vruntime = 123456789;
    b.min_vruntime = UINT64_MAX - 5; /* across the wrap */
    for (int64_t lag = -(int64_t)(20 * MS); lag <= (int64_t)(20 * MS); lag += (int64_t)MS) {
        e.vruntime = a.min_vruntime + (uint64_t)lag;
        sched_migrate_adjust(&e, a.min_vruntime, b.min_vruntime);
        CHECK_EQ(sched_vruntime_diff(e.vruntime, b.min_vruntime), lag);
        sched_migrate_adjust(&e, b.min_vruntime, a.min_vruntime);
        CHECK_EQ(e.vruntime, a.min_vruntime + (uint64_t)lag);
    }
    /* Moved while queued: x is 1 ms behind a's runner, y 2 ms behind b's;
     * after the move x still runs 1 ms behind b's runner, so before y. */
    struct sched_entity ra = mk(1024, 0), rb = mk(1024, 0), x = mk(1024, 0), y = mk(1024, 0);
    sched_place_new(&a, &ra);
    sched_rq_enqueue(&a, &ra);
    sched_rq_pick_next(&a);
    sched_place_new(&b, &rb);
    sched_rq_enqueue(&b, &rb);
    sched_rq_pick_next(&b);
    x.vruntime = a.min_vruntime + 1 * MS;
    y.vruntime = b.min_vruntime + 2 * MS;
    sched_rq_enqueue(&a, &x);
    sched_rq_enqueue(&b, &y);
    CHECK(sched_rq_dequeue(&a, &x));
    sched_migrate_adjust(&x, sched_rq_update_min(&a), sched_rq_update_min(&b));
    CHECK_EQ(sched_vruntime_diff(x.vruntime, b.min_vruntime), 1 * MS);
    CHECK(sched_rq_enqueue(&b, &x));
    CHECK(sched_rq_put_curr(&b, false));
    CHECK(sched_rq_pick_next(&b) == &x);
    CHECK(sched_rq_check(&a) && sched_rq_check(&b));
}

/* ---- Slices and preemption ---- */

TEST(slices)
{
    struct sched_rq rq;
    struct sched_entity e[12];
    sched_rq_init(&rq);
    e[0] = mk(1024, 0);
    /* Alone, or not on the queue yet: the whole target latency. */
    CHECK_EQ(sched_slice_ns(&rq, &e[0]), SCHED_TARGET_LATENCY_NS);
    sched_rq_enqueue(&rq, &e[0]);
    CHECK_EQ(sched_slice_ns(&rq, &e[0]), SCHED_TARGET_LATENCY_NS);
    e[1] = mk(2048, 0);
    e[2] = mk(4096, 0);
    sched_rq_enqueue(&rq, &e[1]);
    sched_rq_enqueue(&rq, &e[2]);
    CHECK_EQ(sched_slice_ns(&rq, &e[0]), SCHED_TARGET_LATENCY_NS / 7);
    CHECK_EQ(sched_slice_ns(&rq, &e[1]), SCHED_TARGET_LATENCY_NS * 2 / 7);
    CHECK_EQ(sched_slice_ns(&rq, &e[2]), SCHED_TARGET_LATENCY_NS * 4 / 7);
    /* Many entities: never below the minimum granularity. */
    for (int i = 3; i < 12; i++) {
        e[i] = mk(1024, 0);
        sched_rq_enqueue(&rq, &e[i]);
    }
    CHECK_EQ(sched_slice_ns(&rq, &e[3]), SCHED_MIN_GRANULARITY_NS);
    struct sched_entity light = mk(1, 0), heavy = mk(SCHED_WEIGHT_MAX, 0);
    CHECK_EQ(sched_slice_ns(&rq, &light), SCHED_MIN_GRANULARITY_NS);
    CHECK(sched_slice_ns(&rq, &heavy) > SCHED_TARGET_LATENCY_NS / 2);
}

TEST(tick_expiry)
{
    struct sched_rq rq;
    struct sched_entity a = mk(1024, 0), b = mk(1024, 0);
    sched_rq_init(&rq);
    sched_rq_enqueue(&rq, &a);
    sched_rq_pick_next(&rq);
    /* Nobody else to run: never expires. */
    CHECK(!sched_tick_expired(&rq, &a, 1000 * MS));
    sched_rq_enqueue(&rq, &b);
    CHECK(!sched_tick_expired(&rq, &a, 9 * MS));
    CHECK(sched_tick_expired(&rq, &a, 10 * MS));
    CHECK(!sched_tick_expired(&rq, NULL, 10 * MS));
}

TEST(wake_preemption)
{
    struct sched_entity curr = mk(1024, SCHED_CLASS_BATCH), w = mk(1024, SCHED_CLASS_BATCH);
    struct sched_entity lat = mk(1024, SCHED_CLASS_LATENCY);
    curr.vruntime = 100 * MS;

    CHECK(sched_should_preempt(NULL, &w));
    w.vruntime = curr.vruntime - SCHED_WAKEUP_GRAN_NS;
    CHECK(!sched_should_preempt(&curr, &w));
    w.vruntime--;
    CHECK(sched_should_preempt(&curr, &w));
    /* The granularity is in the wakee's time: a light wakee must be much
     * further behind, a heavy one less. */
    w.weight = 1;
    CHECK(!sched_should_preempt(&curr, &w));
    w.vruntime = curr.vruntime - SCHED_WAKEUP_GRAN_NS * 1024 - 1;
    CHECK(sched_should_preempt(&curr, &w));
    w.weight = 4096;
    w.vruntime = curr.vruntime - SCHED_WAKEUP_GRAN_NS / 4 - 1;
    CHECK(sched_should_preempt(&curr, &w));

    /* Latency class: behind at all is enough against batch ... */
    lat.vruntime = curr.vruntime - 1;
    CHECK(sched_should_preempt(&curr, &lat));
    lat.vruntime = curr.vruntime;
    CHECK(!sched_should_preempt(&curr, &lat));
    /* ... but against another latency entity the granularity applies. */
    curr.latency_class = SCHED_CLASS_LATENCY;
    lat.vruntime = curr.vruntime - 1;
    CHECK(!sched_should_preempt(&curr, &lat));
    /* Across the wrap. */
    curr.latency_class = SCHED_CLASS_BATCH;
    curr.vruntime = 5;
    lat.vruntime = UINT64_MAX - 5;
    CHECK(sched_should_preempt(&curr, &lat));
}

/* ---- Simulation of one CPU ---- */

/*
 * A task either burns the CPU forever (burst_ns == 0) or runs burst_ns of CPU
 * time, sleeps, and repeats: for sleep_ns, or if period_ns is set until the
 * next multiple of period_ns plus phase_ns (a periodic timer).  The simulator moves time from event
 * to event (tick, end of a burst, wake-up) and drives the scheduler as the kernel would: charge,
 * tick expiry, wake placement and preemption.
 */
struct sim_task {
    struct sched_entity se;
    uint64_t burst_ns, sleep_ns, period_ns, phase_ns;
    uint64_t burst_left, wake_at, slept_from;
    uint64_t ran_ns;
    bool sleeping;
};

struct sim {
    struct sched_rq rq;
    struct sim_task *t;
    int n;
    uint64_t now, tick_ns, slice_ran;
    int wakes, wakes_run_first; /* latency-class wake-ups, and those run at once */
    int wakes_vs_sleeper;       /* ... while a batch sleeper was also runnable */
};

static struct sim_task *sim_task_of(struct sched_entity *e)
{
    return container_of(e, struct sim_task, se);
}

static void sim_init(struct sim *s, struct sim_task *t, int n)
{
    memset(s, 0, sizeof(*s));
    sched_rq_init(&s->rq);
    s->t = t;
    s->n = n;
    s->tick_ns = 4 * MS;
    for (int i = 0; i < n; i++) {
        t[i].burst_left = t[i].burst_ns;
        sched_place_new(&s->rq, &t[i].se);
        sched_rq_enqueue(&s->rq, &t[i].se);
    }
    sched_rq_pick_next(&s->rq);
}

static void sim_switch(struct sim *s, bool runnable)
{
    sched_rq_put_curr(&s->rq, runnable);
    sched_rq_pick_next(&s->rq);
    s->slice_ran = 0;
}

static void sim_run(struct sim *s, uint64_t until)
{
    while (s->now < until) {
        uint64_t next = (s->now / s->tick_ns + 1) * s->tick_ns;
        struct sched_entity *c = s->rq.curr;
        struct sim_task *ct = c ? sim_task_of(c) : NULL;
        if (ct && ct->burst_ns && s->now + ct->burst_left < next)
            next = s->now + ct->burst_left;
        for (int i = 0; i < s->n; i++)
            if (s->t[i].sleeping && s->t[i].wake_at < next)
                next = s->t[i].wake_at;
        if (next > until)
            next = until;

        uint64_t dt = next - s->now;
        s->now = next;
        if (ct) {
            sched_charge(c, dt);
            ct->ran_ns += dt;
            s->slice_ran += dt;
            if (ct->burst_ns) {
                ct->burst_left -= dt;
                if (ct->burst_left == 0) {
                    ct->sleeping = true;
                    ct->slept_from = s->now;
                    ct->wake_at = s->now + ct->sleep_ns;
                    if (ct->period_ns) {
                        ct->wake_at = s->now / ct->period_ns * ct->period_ns + ct->phase_ns;
                        if (ct->wake_at <= s->now)
                            ct->wake_at += ct->period_ns;
                    }
                    ct->burst_left = ct->burst_ns;
                    sim_switch(s, false);
                }
            }
        }
        for (int i = 0; i < s->n; i++) {
            struct sim_task *w = &s->t[i];
            if (!w->sleeping || w->wake_at != s->now)
                continue;
            w->sleeping = false;
            sched_place_woken(&s->rq, &w->se, s->now - w->slept_from);
            sched_rq_enqueue(&s->rq, &w->se);
            if (sched_should_preempt(s->rq.curr, &w->se))
                sim_switch(s, s->rq.curr != NULL);
            if (w->se.latency_class == SCHED_CLASS_LATENCY) {
                s->wakes++;
                for (int k = 0; k < s->n; k++)
                    s->wakes_vs_sleeper += s->t[k].burst_ns && !s->t[k].sleeping &&
                                           s->t[k].se.latency_class == SCHED_CLASS_BATCH;
                s->wakes_run_first += s->rq.curr == &w->se;
            }
        }
        if (s->now % s->tick_ns == 0 && s->rq.curr &&
            sched_tick_expired(&s->rq, s->rq.curr, s->slice_ran))
            sim_switch(s, true);
        if (!s->rq.curr)
            sim_switch(s, false);
    }
}

/* |got - want| <= want / 100 */
static bool within_1pct(uint64_t got, uint64_t want)
{
    uint64_t d = got > want ? got - want : want - got;
    return d * 100 <= want;
}

TEST(fairness_weights_1_2_4)
{
    struct sim_task t[3] = {{.se = mk(1024, 0)}, {.se = mk(2048, 0)}, {.se = mk(4096, 0)}};
    struct sim s;
    uint64_t total = 10000 * MS;
    sim_init(&s, t, 3);
    sim_run(&s, total);
    CHECK_EQ(t[0].ran_ns + t[1].ran_ns + t[2].ran_ns, total);
    CHECK(within_1pct(t[0].ran_ns, total / 7));
    CHECK(within_1pct(t[1].ran_ns, total * 2 / 7));
    CHECK(within_1pct(t[2].ran_ns, total * 4 / 7));
    CHECK(sched_rq_check(&s.rq));
}

TEST(fairness_extreme_weights)
{
    /* 1 : 1024 : 65536 over 60 s; the lightest still makes progress. */
    struct sim_task t[3] = {{.se = mk(1, 0)}, {.se = mk(1024, 0)}, {.se = mk(SCHED_WEIGHT_MAX, 0)}};
    struct sim s;
    uint64_t total = 60000 * MS, wsum = 1 + 1024 + SCHED_WEIGHT_MAX;
    sim_init(&s, t, 3);
    sim_run(&s, total);
    CHECK(within_1pct(t[1].ran_ns, total * 1024 / wsum));
    CHECK(within_1pct(t[2].ran_ns, total * SCHED_WEIGHT_MAX / wsum));
    /* Its exact share is under a millisecond; it gets whole ticks. */
    CHECK(t[0].ran_ns > 0 && t[0].ran_ns <= 2 * s.tick_ns);
}

TEST(latency_task_runs_first_on_every_wake)
{
    /* Two CPU hogs, a batch task woken by a 30 ms timer that then needs
     * 3 ms, and a latency-class task woken by the same timer tick (just
     * after it) that needs 1 ms.  The batch sleeper's own credit makes it
     * preempt the hogs; the latency task must still go first, ahead of the
     * batch sleeper too. */
    struct sim_task t[4] = {
        {.se = mk(1024, SCHED_CLASS_BATCH)},
        {.se = mk(1024, SCHED_CLASS_BATCH)},
        {.se = mk(1024, SCHED_CLASS_BATCH), .burst_ns = 3 * MS, .period_ns = 30 * MS},
        {.se = mk(1024, SCHED_CLASS_LATENCY), .burst_ns = 1 * MS, .period_ns = 30 * MS},
    };
    struct sim s;
    sim_init(&s, t, 4);
    sim_run(&s, 10000 * MS);
    CHECK(s.wakes > 300);
    CHECK_EQ(s.wakes_run_first, s.wakes);
    CHECK_EQ(s.wakes_vs_sleeper, s.wakes);
    /* Both sleepers got all they asked for, the hogs split the rest. */
    CHECK(t[3].ran_ns >= (uint64_t)s.wakes * MS);
    CHECK(t[2].ran_ns >= (uint64_t)s.wakes * 3 * MS);
    CHECK(within_1pct(t[0].ran_ns, t[1].ran_ns));
}

TEST(latency_task_cannot_take_more_than_its_share)
{
    /* A latency-class task that is really CPU-bound (sleeps 1 µs per 4 ms
     * burst) must end up with a fair share, not the whole CPU. */
    struct sim_task t[2] = {
        {.se = mk(1024, SCHED_CLASS_BATCH)},
        {.se = mk(1024, SCHED_CLASS_LATENCY), .burst_ns = 4 * MS, .sleep_ns = 1000},
    };
    struct sim s;
    uint64_t total = 10000 * MS;
    sim_init(&s, t, 2);
    sim_run(&s, total);
    CHECK(within_1pct(t[1].ran_ns, total / 2));
}

TEST(sleeper_does_not_hoard)
{
    /* Three equal tasks; the third sleeps 5 s after its first 100 ms of
     * CPU, then competes again.  Over the 3 s after it wakes it gets its
     * third, plus at most the sleeper credit and a tick of rounding. */
    struct sim_task t[3] = {
        {.se = mk(1024, 0)},
        {.se = mk(1024, 0)},
        {.se = mk(1024, 0), .burst_ns = 100 * MS, .sleep_ns = 5000 * MS},
    };
    struct sim s;
    sim_init(&s, t, 3);
    while (!t[2].sleeping)
        sim_run(&s, s.now + MS);
    t[2].burst_ns = 0; /* after this sleep it is CPU-bound */
    sim_run(&s, t[2].wake_at);
    CHECK(!t[2].sleeping);
    uint64_t base = t[2].ran_ns, from = s.now;

    /* Its head start right after waking is bounded by the credit. */
    sim_run(&s, from + 60 * MS);
    CHECK(t[2].ran_ns - base <= 60 * MS / 3 + SCHED_SLEEPER_CREDIT_NS + s.tick_ns);
    sim_run(&s, from + 3000 * MS);
    uint64_t got = t[2].ran_ns - base;
    CHECK(got <= 1000 * MS + SCHED_SLEEPER_CREDIT_NS + s.tick_ns);
    CHECK(got + 2 * s.tick_ns >= 1000 * MS);
}

/* ---- Balancing ---- */

static struct sched_load ld(uint64_t weight, uint32_t running, uint32_t queued)
{
    return (struct sched_load){.weight = weight, .nr_running = running, .nr_queued = queued};
}

TEST(busier_threshold)
{
    CHECK(!sched_load_busier(1000, 1000));
    CHECK(!sched_load_busier(1000, 2000));
    CHECK(!sched_load_busier(1000, 750));
    CHECK(sched_load_busier(1000, 749));
    CHECK(sched_load_busier(1, 0));
    CHECK(!sched_load_busier(0, 0));
    CHECK(sched_load_busier(UINT64_MAX, 0));
    /* floor(UINT64_MAX / 4) is the largest difference that is not enough. */
    CHECK(!sched_load_busier(UINT64_MAX, UINT64_MAX - UINT64_MAX / 4));
    CHECK(sched_load_busier(UINT64_MAX, UINT64_MAX - UINT64_MAX / 4 - 1));
}

TEST(steal_none_when_balanced)
{
    struct sched_load l[4] = {ld(2048, 2, 1), ld(2048, 2, 1), ld(1800, 2, 1), ld(2048, 2, 1)};
    struct sched_steal st;
    CHECK(!sched_pick_steal_source(l, 4, 0, &st));
    /* Busier but nothing waiting: the runner cannot be taken. */
    struct sched_load l2[2] = {ld(0, 0, 0), ld(SCHED_WEIGHT_MAX, 1, 0)};
    CHECK(!sched_pick_steal_source(l2, 2, 0, &st));
    /* One waiting on an idle CPU: it runs there next, nothing to gain. */
    struct sched_load l3[2] = {ld(0, 0, 0), ld(SCHED_WEIGHT_MAX, 1, 1)};
    CHECK(!sched_pick_steal_source(l3, 2, 0, &st));
    l3[1] = ld(SCHED_WEIGHT_MAX, 2, 2);
    CHECK(sched_pick_steal_source(l3, 2, 0, &st));
    CHECK(!sched_pick_steal_source(l2, 2, 2, &st));
    CHECK(!sched_pick_steal_source(l2, SCHED_MAX_CPUS + 1, 0, &st));
}

TEST(steal_from_busiest)
{
    struct sched_load l[5] = {ld(1024, 1, 0), ld(3072, 3, 2), ld(0, 0, 0), ld(8192, 8, 7),
                              ld(4096, 4, 3)};
    struct sched_steal st;
    CHECK(sched_pick_steal_source(l, 5, 2, &st));
    CHECK_EQ(st.src, 3);
    CHECK_EQ(st.dst, 2);
    CHECK_EQ(st.imbalance, 8192);
    CHECK_EQ(st.max_moves, SCHED_STEAL_MAX < 7 ? SCHED_STEAL_MAX : 7);
    CHECK(sched_pick_steal_source(l, 5, 0, &st));
    CHECK_EQ(st.src, 3);
    CHECK(!sched_pick_steal_source(l, 5, 3, &st));
}

/* Runs a whole steal between two real queues as the kernel would. */
static uint32_t do_steal(struct sched_rq *src, struct sched_rq *dst, struct sched_steal *st)
{
    struct sched_entity *e;
    while ((e = sched_rq_steal_candidate(src, st))) {
        if (!sched_rq_dequeue(src, e))
            return 1000;
        sched_migrate_adjust(e, sched_rq_update_min(src), sched_rq_update_min(dst));
        sched_rq_enqueue(dst, e);
        sched_steal_note(st, e);
    }
    return st->moved;
}

TEST(steal_moves_bounded_and_converges)
{
    struct sched_rq rq[2];
    struct sched_entity e[40];
    struct sched_load l[2];
    struct sched_steal st;
    sched_rq_init(&rq[0]);
    sched_rq_init(&rq[1]);
    for (int i = 0; i < 40; i++) {
        e[i] = mk(1024, 0);
        e[i].vruntime = rq[0].min_vruntime + (uint64_t)i * MS;
        sched_rq_enqueue(&rq[0], &e[i]);
    }
    sched_rq_pick_next(&rq[0]);
    l[0] = sched_rq_load(&rq[0]);
    l[1] = sched_rq_load(&rq[1]);
    CHECK(sched_pick_steal_source(l, 2, 1, &st));
    CHECK_EQ(st.src, 0);
    CHECK_EQ(do_steal(&rq[0], &rq[1], &st), SCHED_STEAL_MAX);
    CHECK_EQ(rq[1].nr_queued, SCHED_STEAL_MAX);
    CHECK(sched_rq_check(&rq[0]) && sched_rq_check(&rq[1]));

    /* Repeated steals end balanced and then stop. */
    int rounds = 0;
    for (;;) {
        l[0] = sched_rq_load(&rq[0]);
        l[1] = sched_rq_load(&rq[1]);
        if (!sched_pick_steal_source(l, 2, 1, &st))
            break;
        if (do_steal(&rq[0], &rq[1], &st) == 0)
            break;
        CHECK(++rounds < 10);
    }
    CHECK_EQ(rq[0].load_weight, 20 * 1024);
    CHECK_EQ(rq[1].load_weight, 20 * 1024);
    l[0] = sched_rq_load(&rq[0]);
    l[1] = sched_rq_load(&rq[1]);
    CHECK(!sched_pick_steal_source(l, 2, 0, &st));
    CHECK(!sched_pick_steal_source(l, 2, 1, &st));
}

TEST(steal_never_flips_imbalance)
{
    /* src: runner 1024 + one waiting 1024; dst runs 1024.  Moving the
     * waiting one would only swap the imbalance. */
    struct sched_rq src, dst;
    struct sched_entity a = mk(1024, 0), b = mk(1024, 0), c = mk(1024, 0);
    struct sched_load l[2];
    struct sched_steal st;
    sched_rq_init(&src);
    sched_rq_init(&dst);
    sched_rq_enqueue(&src, &a);
    sched_rq_enqueue(&src, &b);
    sched_rq_pick_next(&src);
    sched_rq_enqueue(&dst, &c);
    sched_rq_pick_next(&dst);
    l[0] = sched_rq_load(&src);
    l[1] = sched_rq_load(&dst);
    CHECK(sched_pick_steal_source(l, 2, 1, &st));
    CHECK(sched_rq_steal_candidate(&src, &st) == NULL);

    /* But an idle CPU takes a waiting heavy entity from a light runner. */
    struct sched_entity light = mk(1, 0), heavy = mk(SCHED_WEIGHT_MAX, 0);
    sched_rq_init(&src);
    sched_rq_init(&dst);
    sched_rq_enqueue(&src, &light);
    sched_rq_enqueue(&src, &heavy);
    CHECK(sched_rq_set_curr(&src, &light));
    l[0] = sched_rq_load(&src);
    l[1] = sched_rq_load(&dst);
    CHECK(sched_pick_steal_source(l, 2, 1, &st));
    CHECK(sched_rq_steal_candidate(&src, &st) == &heavy);
}

TEST(steal_honours_affinity)
{
    struct sched_rq src;
    struct sched_entity e[4];
    struct sched_steal st = {.src = 0, .dst = 3, .imbalance = 1ull << 40, .max_moves = 8};
    sched_rq_init(&src);
    for (int i = 0; i < 4; i++) {
        e[i] = mk(1024, 0);
        e[i].allowed_cpus = 1; /* CPU 0 only */
        e[i].vruntime = src.min_vruntime + (uint64_t)i;
        sched_rq_enqueue(&src, &e[i]);
    }
    CHECK(sched_rq_steal_candidate(&src, &st) == NULL);
    e[1].allowed_cpus = 1u << 3;
    CHECK(sched_rq_steal_candidate(&src, &st) == &e[1]);
    st.dst = 64;
    CHECK(sched_rq_steal_candidate(&src, &st) == NULL);
}

TEST(wake_cpu_choice)
{
    struct sched_load l[4] = {ld(2048, 2, 1), ld(1024, 1, 0), ld(0, 0, 0), ld(3072, 3, 2)};
    uint64_t all = ~0ull;

    /* Sync: the waker's CPU while at most one entity waits there. */
    CHECK_EQ(sched_choose_wake_cpu(l, 4, 0, 3, all, true), 0);
    CHECK_EQ(sched_choose_wake_cpu(l, 4, 1, 3, all, true), 1);
    CHECK_EQ(sched_choose_wake_cpu(l, 4, 3, 1, all, true), 2); /* waker overloaded */
    /* ... but not if affinity forbids it. */
    CHECK_EQ(sched_choose_wake_cpu(l, 4, 0, 1, all & ~1ull, true), 2);
    /* Not sync: the previous CPU unless clearly busier than the idlest. */
    CHECK_EQ(sched_choose_wake_cpu(l, 4, 0, 2, all, false), 2);
    CHECK_EQ(sched_choose_wake_cpu(l, 4, 0, 1, all, false), 2);
    CHECK_EQ(sched_choose_wake_cpu(l, 4, 0, 1, 0xb, false), 1);
    CHECK_EQ(sched_choose_wake_cpu(l, 4, 0, 3, 0x9, false), 0);
    /* Affinity to one CPU wins over everything. */
    CHECK_EQ(sched_choose_wake_cpu(l, 4, 2, 2, 1u << 3, true), 3);
    /* Unknown previous CPU, or a mask naming no existing CPU. */
    CHECK_EQ(sched_choose_wake_cpu(l, 4, 99, 99, all, true), 2);
    CHECK_EQ(sched_choose_wake_cpu(l, 4, 0, 0, 1u << 4, false), SCHED_NO_CPU);
    CHECK_EQ(sched_choose_wake_cpu(l, 4, 0, 0, 0, true), SCHED_NO_CPU);
    CHECK_EQ(sched_choose_wake_cpu(l, 0, 0, 0, all, true), SCHED_NO_CPU);
    /* Equal weights: the one running fewer. */
    struct sched_load t[3] = {ld(2048, 2, 1), ld(2048, 1, 0), ld(2048, 2, 1)};
    CHECK_EQ(sched_choose_wake_cpu(t, 3, 9, 9, all, false), 1);
    /* Every allowed CPU is honoured, over many random cases. */
    struct sched_load r[SCHED_MAX_CPUS];
    srand(99);
    for (int i = 0; i < 20000; i++) {
        unsigned n = (unsigned)(rand() % (int)SCHED_MAX_CPUS) + 1;
        uint64_t mask = rnd64() & rnd64();
        for (unsigned k = 0; k < n; k++)
            r[k] =
                ld((uint64_t)(rand() % 5) * 1024, (uint32_t)(rand() % 5), (uint32_t)(rand() % 4));
        int c = sched_choose_wake_cpu(r, n, (unsigned)(rand() % 70), (unsigned)(rand() % 70), mask,
                                      rand() % 2);
        uint64_t valid = n < 64 ? mask & ((1ull << n) - 1) : mask;
        if (!valid) {
            CHECK_EQ(c, SCHED_NO_CPU);
        } else {
            CHECK(c >= 0 && (unsigned)c < n && ((valid >> c) & 1));
        }
    }
}
