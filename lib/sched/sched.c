/*
 * Scheduling core: virtual-time arithmetic, the run queue and the placement
 * and preemption rules (see sched.h for the contract, docs/scheduling-core.md
 * for the model).
 *
 * The run queue is a binary min-heap built from the entities themselves:
 * each queued entity has parent/left/right links, and the tree is kept
 * complete, so the entity at heap position k (1-based, root = 1) is found by
 * walking from the root along the bits of k below its top bit (0 = left,
 * 1 = right).  That gives O(log n) insert and arbitrary removal without any
 * array, so enqueue never fails for lack of room and a kernel wake path
 * never has an error to handle.  Sifting swaps an entity with its parent by
 * relinking the two nodes; payloads cannot be swapped because the entities
 * are embedded in threads.
 */
#include "sched/sched.h"

uint64_t sched_ns_to_vruntime(uint64_t delta_ns, uint32_t weight)
{
    /* delta * D / w split as (q*w + r) * D / w = q*D + r*D/w, which is exact
     * without a 128-bit intermediate: q*D <= 2^40 * 2^10 and r*D < 2^26. */
    if (delta_ns > SCHED_CHARGE_MAX_NS)
        delta_ns = SCHED_CHARGE_MAX_NS;
    uint64_t q = delta_ns / weight, r = delta_ns % weight;
    return q * SCHED_WEIGHT_DEFAULT + r * SCHED_WEIGHT_DEFAULT / weight;
}

void sched_charge_weighted(struct sched_entity *e, uint64_t delta_ns)
{
    uint64_t w = e->weight;
    uint64_t q = delta_ns / w, r = delta_ns % w;
    /* The leftover numerator of earlier charges joins this one's, so the
     * sum of vruntime over many charges never drifts from the exact total. */
    uint64_t num = r * SCHED_WEIGHT_DEFAULT + e->vrem;
    e->vruntime += q * SCHED_WEIGHT_DEFAULT + num / w;
    e->vrem = (uint32_t)(num % w);
}

bool sched_entity_init(struct sched_entity *e, uint32_t weight, uint8_t latency_class)
{
    if (!sched_weight_valid(weight) || latency_class >= SCHED_CLASS_COUNT)
        return false;
    *e = (struct sched_entity){
        .allowed_cpus = ~0ull,
        .weight = weight,
        .latency_class = latency_class,
        .state = SCHED_DETACHED,
    };
    return true;
}

bool sched_entity_set_weight(struct sched_entity *e, uint32_t weight)
{
    if (!sched_weight_valid(weight))
        return false;
    if (e->rq)
        e->rq->load_weight = e->rq->load_weight - e->weight + weight;
    e->weight = weight;
    /* The remainder was in units of the old weight; dropping it loses less
     * than one virtual ns. */
    e->vrem = 0;
    return true;
}

/* ---- Heap ---- */

/* Heap order: earlier vruntime first, then earlier enqueue. */
static bool entity_before(const struct sched_entity *a, const struct sched_entity *b)
{
    int64_t d = sched_vruntime_diff(a->vruntime, b->vruntime);
    if (d != 0)
        return d < 0;
    return a->seq < b->seq;
}

/* The entity at heap position pos (1-based), or NULL past the end. */
static struct sched_entity *heap_at(const struct sched_rq *rq, uint32_t pos)
{
    struct sched_entity *n = rq->root;
    int bit = 31 - __builtin_clz(pos);
    while (n && bit-- > 0)
        n = (pos >> bit) & 1 ? n->right : n->left;
    return n;
}

/* Makes `repl` (possibly NULL) take old's place under `parent`, or as the
 * root when old has no parent. */
static inline void heap_replace_child(struct sched_rq *rq, struct sched_entity *parent,
                                      struct sched_entity *old, struct sched_entity *repl)
{
    if (!parent)
        rq->root = repl;
    else if (parent->left == old)
        parent->left = repl;
    else
        parent->right = repl;
}

/* Exchanges c with its parent p: c takes p's place and p becomes c's child
 * on the side c was on; the other children move with their new parents. */
static void heap_swap_with_parent(struct sched_rq *rq, struct sched_entity *c)
{
    struct sched_entity *p = c->parent, *g = p->parent;
    struct sched_entity *cl = c->left, *cr = c->right;

    if (p->left == c) {
        c->left = p;
        c->right = p->right;
        if (c->right)
            c->right->parent = c;
    } else {
        c->right = p;
        c->left = p->left;
        if (c->left)
            c->left->parent = c;
    }
    p->left = cl;
    p->right = cr;
    if (cl)
        cl->parent = p;
    if (cr)
        cr->parent = p;
    p->parent = c;
    c->parent = g;
    heap_replace_child(rq, g, p, c);
}

static void heap_sift_up(struct sched_rq *rq, struct sched_entity *e)
{
    while (e->parent && entity_before(e, e->parent))
        heap_swap_with_parent(rq, e);
}

static void heap_sift_down(struct sched_rq *rq, struct sched_entity *e)
{
    for (;;) {
        struct sched_entity *c = e->left;
        if (!c)
            return;
        if (e->right && entity_before(e->right, c))
            c = e->right;
        if (!entity_before(c, e))
            return;
        heap_swap_with_parent(rq, c);
    }
}

static void heap_insert(struct sched_rq *rq, struct sched_entity *e)
{
    uint32_t pos = ++rq->nr_queued;
    e->left = e->right = NULL;
    if (pos == 1) {
        e->parent = NULL;
        rq->root = e;
        return;
    }
    struct sched_entity *p = heap_at(rq, pos >> 1);
    e->parent = p;
    if (pos & 1)
        p->right = e;
    else
        p->left = e;
    heap_sift_up(rq, e);
}

static void heap_remove(struct sched_rq *rq, struct sched_entity *e)
{
    if (rq->nr_queued == 1) {
        /* e is the root and the only node (an idle CPU's one woken
         * thread, the usual case): nothing to move. */
        rq->root = NULL;
        rq->nr_queued = 0;
        e->parent = e->left = e->right = NULL;
        return;
    }
    struct sched_entity *last = heap_at(rq, rq->nr_queued);

    /* Unhook the last position first: afterwards no link of e points at it,
     * even if it was e's own child. */
    heap_replace_child(rq, last->parent, last, NULL);
    rq->nr_queued--;

    if (last != e) {
        /* The last entity fills e's position, then moves up or down. */
        last->parent = e->parent;
        last->left = e->left;
        last->right = e->right;
        heap_replace_child(rq, e->parent, e, last);
        if (last->left)
            last->left->parent = last;
        if (last->right)
            last->right->parent = last;
        heap_sift_up(rq, last);
        heap_sift_down(rq, last);
    }
    e->parent = e->left = e->right = NULL;
}

/* ---- Run queue ---- */

void sched_rq_init(struct sched_rq *rq)
{
    *rq = (struct sched_rq){.min_vruntime = SCHED_VRUNTIME_INIT};
}

static void rq_queue(struct sched_rq *rq, struct sched_entity *e)
{
    e->seq = rq->next_seq++;
    e->state = SCHED_QUEUED;
    heap_insert(rq, e);
}

bool sched_rq_enqueue(struct sched_rq *rq, struct sched_entity *e)
{
    if (e->state != SCHED_DETACHED || e->rq)
        return false;
    e->rq = rq;
    rq->load_weight += e->weight;
    rq_queue(rq, e);
    sched_rq_update_min(rq);
    return true;
}

bool sched_rq_dequeue(struct sched_rq *rq, struct sched_entity *e)
{
    if (e->state != SCHED_QUEUED || e->rq != rq)
        return false;
    heap_remove(rq, e);
    rq->load_weight -= e->weight;
    e->rq = NULL;
    e->state = SCHED_DETACHED;
    sched_rq_update_min(rq);
    return true;
}

bool sched_rq_set_curr(struct sched_rq *rq, struct sched_entity *e)
{
    if (rq->curr || e->state != SCHED_QUEUED || e->rq != rq)
        return false;
    heap_remove(rq, e);
    e->state = SCHED_CURRENT;
    rq->curr = e;
    sched_rq_update_min(rq);
    return true;
}

bool sched_rq_attach_curr(struct sched_rq *rq, struct sched_entity *e)
{
    if (rq->curr || e->state != SCHED_DETACHED || e->rq)
        return false;
    e->rq = rq;
    e->seq = rq->next_seq++;
    e->state = SCHED_CURRENT;
    rq->load_weight += e->weight;
    rq->curr = e;
    sched_rq_update_min(rq);
    return true;
}

struct sched_entity *sched_rq_pick_next(struct sched_rq *rq)
{
    struct sched_entity *e = rq->root;
    if (!e || !sched_rq_set_curr(rq, e))
        return NULL;
    return e;
}

bool sched_rq_put_curr(struct sched_rq *rq, bool runnable)
{
    struct sched_entity *e = rq->curr;
    if (!e)
        return false;
    /* Account for the time it ran before it leaves the clock's view. */
    sched_rq_update_min(rq);
    rq->curr = NULL;
    if (runnable) {
        rq_queue(rq, e);
    } else {
        rq->load_weight -= e->weight;
        e->rq = NULL;
        e->state = SCHED_DETACHED;
    }
    sched_rq_update_min(rq);
    return true;
}

struct sched_load sched_rq_load(const struct sched_rq *rq)
{
    return (struct sched_load){
        .weight = rq->load_weight,
        .nr_running = sched_rq_nr_running(rq),
        .nr_queued = rq->nr_queued,
    };
}

static bool entity_sane(const struct sched_rq *rq, const struct sched_entity *e, uint8_t state)
{
    return e->state == state && e->rq == rq && sched_weight_valid(e->weight) &&
           e->vrem < e->weight && e->latency_class < SCHED_CLASS_COUNT;
}

bool sched_rq_check(const struct sched_rq *rq)
{
    uint64_t n = rq->nr_queued, weight = 0;

    if ((n == 0) != (rq->root == NULL) || (rq->root && rq->root->parent))
        return false;
    if (rq->curr) {
        if (!entity_sane(rq, rq->curr, SCHED_CURRENT))
            return false;
        weight += rq->curr->weight;
    }
    /* Walking every position proves the tree is complete with exactly n
     * nodes: each position's children exist iff their positions are <= n.
     * Parent links back to the position above make the nodes distinct. */
    for (uint64_t k = 1; k <= n; k++) {
        const struct sched_entity *e = heap_at(rq, (uint32_t)k);
        if (!e || !entity_sane(rq, e, SCHED_QUEUED))
            return false;
        if ((e->left != NULL) != (2 * k <= n) || (e->right != NULL) != (2 * k + 1 <= n))
            return false;
        if (e->left && (e->left->parent != e || entity_before(e->left, e)))
            return false;
        if (e->right && (e->right->parent != e || entity_before(e->right, e)))
            return false;
        if (e->seq >= rq->next_seq)
            return false;
        weight += e->weight;
    }
    return weight == rq->load_weight;
}

struct sched_entity *sched_rq_steal_candidate(const struct sched_rq *src_rq,
                                              const struct sched_steal *steal)
{
    if (steal->moved >= steal->max_moves || steal->dst >= SCHED_MAX_CPUS)
        return NULL;
    /* The last positions are leaves, typically the latest vruntimes: the
     * entities the source would run last, and cheap to remove. */
    uint32_t n = src_rq->nr_queued;
    for (uint32_t k = n; k >= 1 && n - k < SCHED_STEAL_SCAN; k--) {
        struct sched_entity *e = heap_at(src_rq, k);
        if (((e->allowed_cpus >> steal->dst) & 1) && e->weight < steal->imbalance)
            return e;
    }
    return NULL;
}

/* ---- Placement ---- */

void sched_place_new(struct sched_rq *rq, struct sched_entity *e)
{
    e->vruntime = sched_rq_update_min(rq);
    e->vrem = 0;
}

void sched_place_woken(struct sched_rq *rq, struct sched_entity *e, uint64_t slept_ns)
{
    uint64_t credit =
        e->latency_class == SCHED_CLASS_LATENCY ? SCHED_LATENCY_BONUS_NS : SCHED_SLEEPER_CREDIT_NS;
    uint64_t floor = sched_rq_update_min(rq) - credit;
    if (slept_ns >= SCHED_LONG_SLEEP_NS || sched_vruntime_before(e->vruntime, floor))
        e->vruntime = floor;
}

void sched_migrate_adjust(struct sched_entity *e, uint64_t src_min_vruntime,
                          uint64_t dst_min_vruntime)
{
    e->vruntime = e->vruntime - src_min_vruntime + dst_min_vruntime;
}

/* ---- Preemption ---- */

uint64_t sched_slice_ns(const struct sched_rq *rq, const struct sched_entity *e)
{
    uint64_t total = rq->load_weight + (e->rq == rq ? 0 : e->weight);
    /* TARGET * weight < 2^25 * 2^17, far from overflow; total >= weight. */
    uint64_t slice = SCHED_TARGET_LATENCY_NS * e->weight / total;
    if (slice < SCHED_MIN_GRANULARITY_NS)
        slice = SCHED_MIN_GRANULARITY_NS;
    if (slice > SCHED_TARGET_LATENCY_NS)
        slice = SCHED_TARGET_LATENCY_NS;
    return slice;
}

bool sched_should_preempt(const struct sched_entity *curr, const struct sched_entity *woken)
{
    if (!curr)
        return true;
    int64_t behind = sched_vruntime_diff(curr->vruntime, woken->vruntime);
    if (woken->latency_class == SCHED_CLASS_LATENCY && curr->latency_class == SCHED_CLASS_BATCH)
        return behind > 0;
    /* At most 2 ms * 1024 virtual ns at weight 1: well inside int64. */
    return behind > (int64_t)sched_ns_to_vruntime(SCHED_WAKEUP_GRAN_NS, woken->weight);
}

bool sched_tick_expired(const struct sched_rq *rq, const struct sched_entity *curr, uint64_t ran_ns)
{
    if (!curr || rq->nr_queued == 0)
        return false;
    return ran_ns >= sched_slice_ns(rq, curr);
}
