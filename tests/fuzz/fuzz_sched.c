/*
 * libFuzzer target for lib/sched: the input is a program of run-queue
 * operations over two queues and a pool of entities, checked against a
 * shadow model after every step.
 *
 * Byte 0 picks where both queues' virtual clocks start (zero, the boot value,
 * either side of 2^63, just below the wrap, or eight raw bytes), so wrapping
 * arithmetic is always in play.  Then each operation is one byte (low four
 * bits the opcode, high bits flags) followed by its operands; reads past the
 * end yield zeros.  After every operation: sched_rq_check() passes on both
 * queues, each queue's heap minimum is the model's (vruntime, then enqueue
 * order), counts, loads and entity states match the model, min_vruntime has
 * not gone backwards, every properly placed batch entity lies no further
 * than the sleeper credit behind its queue's clock, and each charge,
 * placement, migration, steal and wake-CPU choice obeys its rule exactly.
 * Any violation aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched/sched.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NE  16
#define NRQ 2

struct ment {
    int rq;       /* queue index while QUEUED or CURRENT, else -1 */
    int state;    /* the state the entity must be in */
    uint64_t seq; /* the enqueue sequence it must carry while QUEUED */
    bool placed;  /* vruntime came from a placement rule, not raw */
};

static struct sched_rq rqs[NRQ];
static struct sched_entity ents[NE];
static struct ment model[NE];
static uint64_t model_seq[NRQ], last_min[NRQ];

static const uint8_t *in;
static size_t in_left;

static uint8_t byte(void)
{
    if (in_left == 0)
        return 0;
    in_left--;
    return *in++;
}

static uint64_t bytes(int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | byte();
    return v;
}

static void fail(const char *why, long long a, long long b)
{
    fprintf(stderr, "fuzz_sched: %s (%lld vs %lld)\n", why, a, b);
    abort();
}

static void expect(long long got, long long want, const char *what)
{
    if (got != want)
        fail(what, got, want);
}

static bool before(const struct sched_entity *a, const struct sched_entity *b)
{
    int64_t d = sched_vruntime_diff(a->vruntime, b->vruntime);
    return d != 0 ? d < 0 : a->seq < b->seq;
}

static struct sched_entity *model_min(int q)
{
    struct sched_entity *best = NULL;
    for (int i = 0; i < NE; i++)
        if (model[i].rq == q && model[i].state == SCHED_QUEUED && (!best || before(&ents[i], best)))
            best = &ents[i];
    return best;
}

static int index_of(const struct sched_entity *e)
{
    return e ? (int)(e - ents) : -1;
}

/* A weight, biased towards the extremes. */
static uint32_t pick_weight(void)
{
    uint8_t sel = byte();
    if (sel < 0x20)
        return SCHED_WEIGHT_MIN;
    if (sel < 0x40)
        return SCHED_WEIGHT_MAX;
    if (sel < 0x80)
        return SCHED_WEIGHT_DEFAULT;
    return (uint32_t)(bytes(2) % SCHED_WEIGHT_MAX) + 1;
}

static void model_enqueued(int i, int q)
{
    model[i].rq = q;
    model[i].state = SCHED_QUEUED;
    model[i].seq = model_seq[q]++;
    expect((long long)ents[i].seq, (long long)model[i].seq, "enqueue sequence");
}

static void op_enqueue(uint8_t op)
{
    int i = byte() % NE, q = (op >> 4) & 1;
    struct sched_entity *e = &ents[i];
    uint8_t how = byte();
    uint64_t old = e->vruntime;

    if (model[i].state != SCHED_DETACHED) {
        expect(sched_rq_enqueue(&rqs[q], e), false, "enqueue of an attached entity");
        return;
    }
    switch (how % 4) {
    case 0: /* new */
        sched_place_new(&rqs[q], e);
        expect((long long)e->vruntime, (long long)rqs[q].min_vruntime, "place_new");
        model[i].placed = true;
        break;
    case 1:
    case 2: { /* woken, after a short or a very long sleep */
        uint64_t slept = how & 0x80 ? SCHED_LONG_SLEEP_NS : bytes(2);
        uint64_t credit = e->latency_class == SCHED_CLASS_LATENCY ? SCHED_LATENCY_BONUS_NS
                                                                  : SCHED_SLEEPER_CREDIT_NS;
        sched_place_woken(&rqs[q], e, slept);
        uint64_t floor = rqs[q].min_vruntime - credit;
        uint64_t want =
            slept < SCHED_LONG_SLEEP_NS && !sched_vruntime_before(old, floor) ? old : floor;
        expect((long long)e->vruntime, (long long)want, "place_woken");
        /* Only a value that was itself in range stays in range. */
        model[i].placed = model[i].placed || e->vruntime == floor;
        break;
    }
    default: { /* raw: anywhere within 2^40 of the clock */
        int64_t off = (int64_t)(bytes(5) & ((1ull << 41) - 1)) - (int64_t)(1ull << 40);
        e->vruntime = sched_rq_update_min(&rqs[q]) + (uint64_t)off;
        model[i].placed = false;
        break;
    }
    }
    expect(sched_rq_enqueue(&rqs[q], e), true, "enqueue");
    model_enqueued(i, q);
}

static void op_dequeue(uint8_t op)
{
    int i = byte() % NE, q = (op >> 4) & 1;
    bool ok = model[i].state == SCHED_QUEUED && model[i].rq == q;
    expect(sched_rq_dequeue(&rqs[q], &ents[i]), ok, "dequeue");
    if (ok) {
        model[i].rq = -1;
        model[i].state = SCHED_DETACHED;
    }
}

static int model_curr(int q)
{
    for (int i = 0; i < NE; i++)
        if (model[i].rq == q && model[i].state == SCHED_CURRENT)
            return i;
    return -1;
}

static void op_pick(uint8_t op)
{
    int q = (op >> 4) & 1;
    struct sched_entity *want = model_curr(q) < 0 ? model_min(q) : NULL;
    struct sched_entity *got = sched_rq_pick_next(&rqs[q]);
    expect(index_of(got), index_of(want), "pick_next");
    if (got)
        model[index_of(got)].state = SCHED_CURRENT;
}

static void op_set_curr(uint8_t op)
{
    int i = byte() % NE, q = (op >> 4) & 1;
    bool ok = model_curr(q) < 0 && model[i].state == SCHED_QUEUED && model[i].rq == q;
    expect(sched_rq_set_curr(&rqs[q], &ents[i]), ok, "set_curr");
    if (ok)
        model[i].state = SCHED_CURRENT;
}

static void op_put_curr(uint8_t op)
{
    int q = (op >> 4) & 1, c = model_curr(q);
    bool runnable = op & 0x20;
    expect(sched_rq_put_curr(&rqs[q], runnable), c >= 0, "put_curr");
    if (c < 0)
        return;
    if (runnable) {
        model_enqueued(c, q);
    } else {
        model[c].rq = -1;
        model[c].state = SCHED_DETACHED;
    }
}

static void op_charge(uint8_t op)
{
    int q = (op >> 4) & 1, c = model_curr(q);
    uint64_t delta = op & 0x20 ? bytes(3) << (byte() % 24) : bytes(3);
    if (c < 0)
        return;
    struct sched_entity *e = &ents[c];
    uint64_t dc = delta > SCHED_CHARGE_MAX_NS ? SCHED_CHARGE_MAX_NS : delta;
    unsigned __int128 num = (unsigned __int128)dc * SCHED_WEIGHT_DEFAULT + e->vrem;
    uint64_t v0 = e->vruntime;
    sched_charge(e, delta);
    expect((long long)(e->vruntime - v0), (long long)(uint64_t)(num / e->weight), "charge");
    expect(e->vrem, (long long)(uint64_t)(num % e->weight), "charge remainder");
}

static void op_set_weight(void)
{
    int i = byte() % NE;
    uint32_t w = byte() & 1 ? (uint32_t)bytes(3) : pick_weight();
    bool ok = sched_weight_valid(w);
    uint32_t before_w = ents[i].weight;
    expect(sched_entity_set_weight(&ents[i], w), ok, "set_weight");
    expect(ents[i].weight, ok ? w : before_w, "weight after set_weight");
}

static void op_migrate(uint8_t op)
{
    int i = byte() % NE, src = (op >> 4) & 1, dst = !src;
    if (model[i].state != SCHED_QUEUED || model[i].rq != src)
        return;
    struct sched_entity *e = &ents[i];
    uint64_t sm = sched_rq_update_min(&rqs[src]);
    int64_t lag = sched_vruntime_diff(e->vruntime, sm);
    expect(sched_rq_dequeue(&rqs[src], e), true, "migrate dequeue");
    uint64_t dm = sched_rq_update_min(&rqs[dst]);
    sched_migrate_adjust(e, sm, dm);
    expect(sched_vruntime_diff(e->vruntime, dm), lag, "migration lag");
    expect(sched_rq_enqueue(&rqs[dst], e), true, "migrate enqueue");
    model_enqueued(i, dst);
}

/* A steal between the two queues, as the kernel runs one. */
static void op_steal(uint8_t op)
{
    int self = (op >> 4) & 1;
    struct sched_load loads[NRQ] = {sched_rq_load(&rqs[0]), sched_rq_load(&rqs[1])};
    struct sched_steal st;
    struct sched_entity *e;

    if (!sched_pick_steal_source(loads, NRQ, (unsigned)self, &st))
        return;
    int src = (int)st.src;
    if (src == self || loads[src].nr_queued == 0 ||
        !sched_load_busier(loads[src].weight, loads[self].weight))
        fail("steal source", src, self);
    uint64_t gap = loads[src].weight - loads[self].weight;
    while ((e = sched_rq_steal_candidate(&rqs[src], &st))) {
        int i = index_of(e);
        if (model[i].state != SCHED_QUEUED || model[i].rq != src)
            fail("steal candidate not queued on the source", i, src);
        if (!((e->allowed_cpus >> self) & 1) || e->weight >= st.imbalance)
            fail("steal candidate not allowed or too heavy", i, (long long)e->weight);
        if (st.moved >= SCHED_STEAL_MAX)
            fail("steal not bounded", st.moved, SCHED_STEAL_MAX);
        uint64_t sm = sched_rq_update_min(&rqs[src]);
        expect(sched_rq_dequeue(&rqs[src], e), true, "steal dequeue");
        sched_migrate_adjust(e, sm, sched_rq_update_min(&rqs[self]));
        expect(sched_rq_enqueue(&rqs[self], e), true, "steal enqueue");
        model_enqueued(i, self);
        sched_steal_note(&st, e);
    }
    /* Each move shrank the difference, so it ends smaller in magnitude. */
    if (st.moved) {
        int64_t after = (int64_t)rqs[src].load_weight - (int64_t)rqs[self].load_weight;
        if ((uint64_t)(after < 0 ? -after : after) >= gap)
            fail("steal did not reduce the imbalance", after, (long long)gap);
    }
}

static void op_wake_cpu(void)
{
    struct sched_load loads[8];
    unsigned n = byte() % 9;
    for (unsigned k = 0; k < n; k++)
        loads[k] =
            (struct sched_load){.weight = bytes(2), .nr_running = byte(), .nr_queued = byte()};
    unsigned waker = byte() % 10, prev = byte() % 10;
    uint64_t allowed = byte();
    bool sync = allowed & 0x80 ? byte() & 1 : false;
    int c = sched_choose_wake_cpu(loads, n, waker, prev, allowed, sync);
    uint64_t valid = allowed & ((1ull << n) - 1);
    if (!valid) {
        expect(c, SCHED_NO_CPU, "wake cpu with nothing allowed");
        return;
    }
    if (c < 0 || (unsigned)c >= n || !((valid >> c) & 1))
        fail("wake cpu not allowed", c, (long long)valid);
    if (sync && ((valid >> waker) & 1) && waker < n &&
        loads[waker].nr_queued <= SCHED_SYNC_WAKE_MAX_QUEUED)
        expect(c, waker, "sync wake stays on the waker's cpu");
}

static void op_attr(void)
{
    int i = byte() % NE;
    uint8_t a = byte();
    if (model[i].state != SCHED_DETACHED)
        return;
    /* Affinity is any mask covering at least one of the two CPUs. */
    ents[i].allowed_cpus = (a & 3) ? (uint64_t)(a & 3) : ~0ull;
    /* A class change invalidates the placement, as the next wake redoes it. */
    ents[i].latency_class = (a >> 2) & 1;
    model[i].placed = false;
}

static void check_all(void)
{
    for (int q = 0; q < NRQ; q++) {
        struct sched_rq *rq = &rqs[q];
        uint64_t now = sched_rq_update_min(rq), w = 0;
        uint32_t nq = 0;
        int c = model_curr(q);
        if (!sched_rq_check(rq))
            fail("sched_rq_check", q, 0);
        if (sched_vruntime_before(now, last_min[q]))
            fail("min_vruntime went backwards", (long long)now, (long long)last_min[q]);
        last_min[q] = now;
        expect(index_of(sched_rq_peek(rq)), index_of(model_min(q)), "heap minimum");
        expect(index_of(rq->curr), c, "current entity");
        for (int i = 0; i < NE; i++) {
            if (model[i].rq != q)
                continue;
            w += ents[i].weight;
            nq += model[i].state == SCHED_QUEUED;
            expect(ents[i].state, model[i].state, "entity state");
            if (model[i].state == SCHED_QUEUED)
                expect((long long)ents[i].seq, (long long)model[i].seq, "entity seq");
            if (model[i].placed && ents[i].latency_class == SCHED_CLASS_BATCH &&
                sched_vruntime_diff(ents[i].vruntime, now) < -(int64_t)SCHED_SLEEPER_CREDIT_NS)
                fail("batch entity behind the sleeper credit", i,
                     sched_vruntime_diff(ents[i].vruntime, now));
        }
        expect((long long)rq->load_weight, (long long)w, "load weight");
        expect(rq->nr_queued, nq, "queued count");
    }
    for (int i = 0; i < NE; i++)
        if (model[i].state == SCHED_DETACHED)
            expect(ents[i].rq == NULL && ents[i].state == SCHED_DETACHED, 1, "detached entity");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint64_t starts[] = {0, SCHED_VRUNTIME_INIT, (1ull << 63) - (1ull << 30),
                                      (1ull << 63) + 12345, UINT64_MAX - 1000};
    in = data;
    in_left = size;

    uint8_t s = byte();
    uint64_t start = s < 5 * 40 ? starts[s % 5] : bytes(8);
    for (int q = 0; q < NRQ; q++) {
        sched_rq_init(&rqs[q]);
        rqs[q].min_vruntime = start + (uint64_t)q * (1ull << 35);
        last_min[q] = rqs[q].min_vruntime;
        model_seq[q] = 0;
    }
    for (int i = 0; i < NE; i++) {
        if (!sched_entity_init(&ents[i], pick_weight(), i % 3 == 0))
            fail("entity_init", i, 0);
        ents[i].vruntime = start;
        model[i] = (struct ment){.rq = -1, .state = SCHED_DETACHED};
    }

    while (in_left > 0) {
        uint8_t op = byte();
        switch (op & 15) {
        case 0:
        case 1:
        case 2: op_enqueue(op); break;
        case 3: op_dequeue(op); break;
        case 4: op_pick(op); break;
        case 5: op_set_curr(op); break;
        case 6:
        case 7: op_put_curr(op); break;
        case 8:
        case 9: op_charge(op); break;
        case 10: op_set_weight(); break;
        case 11: op_migrate(op); break;
        case 12: op_steal(op); break;
        case 13: op_wake_cpu(); break;
        default: op_attr(); break;
        }
        check_all();
    }

    /* Drain both queues through the scheduler's own path. */
    for (int q = 0; q < NRQ; q++) {
        sched_rq_put_curr(&rqs[q], false);
        while (sched_rq_pick_next(&rqs[q]))
            sched_rq_put_curr(&rqs[q], false);
        expect((long long)rqs[q].load_weight, 0, "load after drain");
        if (!sched_rq_check(&rqs[q]))
            fail("sched_rq_check after drain", q, 0);
    }
    return 0;
}
