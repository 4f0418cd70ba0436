/*
 * Scheduling core: weighted fair queueing by virtual runtime, kept pure so
 * that every decision the kernel's scheduler makes is tested on the host.
 *
 * Every schedulable thread embeds a struct sched_entity; every CPU embeds a
 * struct sched_rq.  An entity's vruntime is the CPU time it has received,
 * scaled by SCHED_WEIGHT_DEFAULT / weight, so entities that have had their
 * fair share have equal vruntimes and the one with the smallest vruntime is
 * the one most owed the CPU.  A run queue keeps its waiting entities in an
 * intrusive binary min-heap ordered by (vruntime, enqueue sequence) and
 * tracks min_vruntime, the queue's notion of "now" in virtual time, which
 * never goes backwards.  Placement rules decide where a new, woken or
 * migrated entity starts so that sleeping cannot be turned into a hoard of
 * credit.  The balancing functions are pure decisions over a snapshot of
 * per-CPU loads.  docs/scheduling-core.md describes the model.
 *
 * Entity states:
 *   DETACHED  on no queue (new, blocked, or between queues during a move)
 *   QUEUED    in rq's heap, waiting; counted in rq's load
 *   CURRENT   rq's running entity; counted in rq's load, not in the heap
 *
 *   DETACHED --enqueue--> QUEUED --pick_next / set_curr--> CURRENT
 *   DETACHED --attach_curr--> CURRENT
 *   QUEUED --dequeue--> DETACHED
 *   CURRENT --put_curr(runnable)--> QUEUED,  --put_curr(!runnable)--> DETACHED
 *
 * Vruntimes are compared modulo 2^64 (a signed difference), so they may wrap;
 * that is sound while the values being compared lie within 2^63 of each
 * other, which the placement rules and the charge bound keep true.  Never
 * compare two vruntimes with < directly; use sched_vruntime_before().
 *
 * Every function runs in O(log n) or better except sched_rq_check; none
 * allocates, none fails on a valid call.  Calls that would break an
 * invariant (enqueueing a queued entity, say) return false and change
 * nothing: they are kernel bugs, and the kernel decides whether to panic.
 * The caller provides all locking: an rq and the entities on it are guarded
 * by one lock.  The balancing functions read only the snapshot they are
 * given, so the kernel may gather it without holding other CPUs' locks.
 */
#ifndef CAPOS_LIB_SCHED_SCHED_H
#define CAPOS_LIB_SCHED_SCHED_H

#include "base/compiler.h"

/* Weights: relative CPU shares.  DEFAULT is the unit vruntime is measured in. */
#define SCHED_WEIGHT_MIN     1u
#define SCHED_WEIGHT_DEFAULT 1024u
#define SCHED_WEIGHT_MAX     (1024u * 64)

/* Slices: a runnable entity should run at least once per target latency, for
 * its weight's share of it, but never for less than the minimum granularity. */
#define SCHED_TARGET_LATENCY_NS  20000000ull /* 20 ms */
#define SCHED_MIN_GRANULARITY_NS 2000000ull  /* 2 ms */

/* A woken entity preempts the running one when it is owed at least this much
 * CPU time (converted to the wakee's virtual time) more than the runner. */
#define SCHED_WAKEUP_GRAN_NS 2000000ull /* 2 ms */

/* Placement credit, in virtual ns: a woken batch entity starts no earlier
 * than min_vruntime - SLEEPER_CREDIT, a woken latency entity no earlier than
 * min_vruntime - LATENCY_BONUS.  The bonus exceeds the credit, so a latency
 * entity that has not overrun its share lands ahead of every batch entity. */
#define SCHED_SLEEPER_CREDIT_NS (SCHED_TARGET_LATENCY_NS / 2)
#define SCHED_LATENCY_BONUS_NS  SCHED_TARGET_LATENCY_NS

/* One charge larger than this is clamped: it can only mean missed ticks, and
 * the bound keeps a single step at most 2^50 virtual ns. */
#define SCHED_CHARGE_MAX_NS (1ull << 40) /* about 18 minutes */

/* A sleep at least this long makes the entity's stored vruntime meaningless:
 * min_vruntime may have moved 2^62 or more since (it advances at most
 * SCHED_WEIGHT_DEFAULT / SCHED_WEIGHT_MIN virtual ns per ns), so a signed
 * comparison could be wrong.  Such an entity is placed as a fresh sleeper. */
#define SCHED_LONG_SLEEP_NS (1ull << 52) /* about 52 days */

/* Balancing.  A queue is significantly busier than another when the
 * difference in load exceeds this share of its own load. */
#define SCHED_IMBALANCE_PCT        25u
#define SCHED_STEAL_MAX            8u /* entities moved by one steal */
#define SCHED_STEAL_SCAN           8u /* heap positions examined per candidate */
#define SCHED_SYNC_WAKE_MAX_QUEUED 1u /* waiting entities tolerated on a sync waker's CPU */
#define SCHED_MAX_CPUS             64u
#define SCHED_NO_CPU               (-1)

/* The first min_vruntime of a queue: 2^32 virtual ns (about 4 s) below the
 * wrap, so wrapping arithmetic is exercised early in every boot instead of
 * after months of uptime. */
#define SCHED_VRUNTIME_INIT ((uint64_t)0 - (1ull << 32))

enum sched_latency_class {
    SCHED_CLASS_BATCH = 0, /* default: fair share, bounded sleeper credit */
    SCHED_CLASS_LATENCY,   /* woken ahead of batch entities and preempts them */
    SCHED_CLASS_COUNT
};

enum sched_entity_state {
    SCHED_DETACHED = 0,
    SCHED_QUEUED,
    SCHED_CURRENT,
};

struct sched_rq;

struct sched_entity {
    uint64_t vruntime;     /* virtual ns at SCHED_WEIGHT_DEFAULT; wraps */
    uint64_t seq;          /* rq's enqueue counter at the last enqueue: FIFO among equals */
    uint64_t allowed_cpus; /* affinity: bit i set = may run on CPU i */
    struct sched_entity *parent, *left, *right; /* heap links while QUEUED */
    struct sched_rq *rq;                        /* queue while QUEUED or CURRENT, else NULL */
    uint32_t weight;                            /* SCHED_WEIGHT_MIN..SCHED_WEIGHT_MAX */
    uint32_t vrem;         /* charge remainder in 1/weight virtual ns, < weight */
    uint8_t latency_class; /* enum sched_latency_class */
    uint8_t state;         /* enum sched_entity_state */
};

struct sched_rq {
    struct sched_entity *root; /* heap minimum, NULL when nothing waits */
    struct sched_entity *curr; /* running entity, NULL when the CPU idles */
    uint64_t min_vruntime;     /* monotonic (modulo 2^64) virtual clock of the queue */
    uint64_t load_weight;      /* sum of weights of the queued entities and curr */
    uint64_t next_seq;         /* enqueue counter */
    uint32_t nr_queued;        /* entities in the heap (curr excluded) */
};

/* One CPU's load, as the balancing functions see it. */
struct sched_load {
    uint64_t weight;     /* sched_rq.load_weight */
    uint32_t nr_running; /* queued + current */
    uint32_t nr_queued;  /* waiting: what a steal could take */
};

/* ---- Virtual time ---- */

/* True iff vruntime a is earlier than b (modulo 2^64). */
static inline bool sched_vruntime_before(uint64_t a, uint64_t b)
{
    return (int64_t)(a - b) < 0;
}

/* a - b as a signed distance; meaningful while they are within 2^63. */
static inline int64_t sched_vruntime_diff(uint64_t a, uint64_t b)
{
    return (int64_t)(a - b);
}

/* delta_ns of CPU time at `weight`, in virtual ns (rounded down).  delta_ns
 * is clamped to SCHED_CHARGE_MAX_NS; weight must be valid. */
uint64_t sched_ns_to_vruntime(uint64_t delta_ns, uint32_t weight);

/* ---- Entities ---- */

static inline bool sched_weight_valid(uint32_t weight)
{
    return weight >= SCHED_WEIGHT_MIN && weight <= SCHED_WEIGHT_MAX;
}

/* Initialises a DETACHED entity allowed on every CPU.  False (and nothing
 * written) if the weight or class is out of range. */
bool sched_entity_init(struct sched_entity *e, uint32_t weight, uint8_t latency_class);

/* Changes the weight, also in the load of the queue the entity is on.  The
 * vruntime is unchanged: the new weight applies to time charged from now on.
 * False (nothing changed) if the weight is out of range. */
bool sched_entity_set_weight(struct sched_entity *e, uint32_t weight);

/* sched_charge for a weight other than the default (delta_ns clamped). */
void sched_charge_weighted(struct sched_entity *e, uint64_t delta_ns);

/* Advances vruntime by delta_ns * SCHED_WEIGHT_DEFAULT / weight.  The
 * remainder of the division is carried in vrem, so many small charges add up
 * to exactly one large one.  delta_ns is clamped to SCHED_CHARGE_MAX_NS.
 * Inline: every context switch charges.  At the default weight the charge
 * is the time itself and the remainder (below the weight) stays as it is,
 * which is what the division would give. */
static inline void sched_charge(struct sched_entity *e, uint64_t delta_ns)
{
    if (delta_ns > SCHED_CHARGE_MAX_NS)
        delta_ns = SCHED_CHARGE_MAX_NS;
    if (e->weight == SCHED_WEIGHT_DEFAULT)
        e->vruntime += delta_ns;
    else
        sched_charge_weighted(e, delta_ns);
}

/* ---- Run queue ---- */

void sched_rq_init(struct sched_rq *rq);

/* Brings min_vruntime up to the earliest of curr and the heap minimum if
 * that is later, and returns it.  Every rq function that reads min_vruntime
 * calls this first, so callers only need it to read the value themselves
 * (for instance to snapshot it for sched_migrate_adjust). */
static inline uint64_t sched_rq_update_min(struct sched_rq *rq);

/* DETACHED -> QUEUED on rq.  The vruntime is used as it is: place it first. */
bool sched_rq_enqueue(struct sched_rq *rq, struct sched_entity *e);

/* QUEUED on rq -> DETACHED. */
bool sched_rq_dequeue(struct sched_rq *rq, struct sched_entity *e);

/* The queued entity that would run next, or NULL; nothing changes. */
static inline struct sched_entity *sched_rq_peek(const struct sched_rq *rq)
{
    return rq->root;
}

static inline uint32_t sched_rq_nr_running(const struct sched_rq *rq)
{
    return rq->nr_queued + (rq->curr != NULL);
}

/* Makes the queued entity with the smallest vruntime current and returns it;
 * NULL if none waits.  rq must have no current entity (put_curr first). */
struct sched_entity *sched_rq_pick_next(struct sched_rq *rq);

/* Makes a specific QUEUED entity current, bypassing the order: the direct
 * hand-off of a synchronous IPC call.  It is still charged as it runs, so
 * fairness is kept over time.  rq must have no current entity. */
bool sched_rq_set_curr(struct sched_rq *rq, struct sched_entity *e);

/* Makes a DETACHED entity current at once, without passing through the
 * heap: the direct switch of synchronous IPC, where the woken server runs
 * as soon as its blocked caller leaves the CPU.  Place it first
 * (sched_place_woken).  rq must have no current entity. */
bool sched_rq_attach_curr(struct sched_rq *rq, struct sched_entity *e);

/* The direct switch of synchronous IPC in one step: the current entity
 * blocks and the DETACHED entity `next`, woken after sleeping slept_ns,
 * becomes current without passing through the heap.  Leaves exactly the
 * state of sched_rq_put_curr(rq, false), sched_place_woken(rq, next,
 * slept_ns) and sched_rq_attach_curr(rq, next) in that order, in fewer
 * steps (tests/host/test_sched.c compares the two).  Charge the current
 * entity first.  False (nothing changed) if rq has no current entity or
 * next is not DETACHED. */
static inline bool sched_rq_handoff(struct sched_rq *rq, struct sched_entity *next,
                                    uint64_t slept_ns);

/* The current entity stops running: back into the heap if `runnable`
 * (preempted, yielded), off the queue otherwise (blocked, exiting).  Charge
 * it for the time it ran before calling this.  False if there is no curr. */
bool sched_rq_put_curr(struct sched_rq *rq, bool runnable);

/* The load snapshot of one queue. */
struct sched_load sched_rq_load(const struct sched_rq *rq);

/* Verifies every invariant: heap shape and order, links, states, counts and
 * the load sum.  O(n log n); for tests and kernel debugging. */
bool sched_rq_check(const struct sched_rq *rq);

/* ---- Placement (call on a DETACHED entity, just before enqueue) ---- */

/* A new entity starts at the queue's virtual now: no credit, no debt. */
void sched_place_new(struct sched_rq *rq, struct sched_entity *e);

/*
 * A woken entity keeps its vruntime unless that is further behind than its
 * class's credit allows: batch entities start no earlier than
 * min_vruntime - SCHED_SLEEPER_CREDIT_NS, latency entities no earlier than
 * min_vruntime - SCHED_LATENCY_BONUS_NS.  `slept_ns` is how long it slept
 * (0 if unknown); at least SCHED_LONG_SLEEP_NS means the stored vruntime is
 * stale and the floor is used.  The vruntime must be relative to rq: if the
 * entity slept on another queue, sched_migrate_adjust it first.
 */
void sched_place_woken(struct sched_rq *rq, struct sched_entity *e, uint64_t slept_ns);

/* Moves a DETACHED entity's vruntime from one queue's virtual clock to
 * another's, keeping its lag (vruntime - min_vruntime).  The minima are
 * values so the kernel can snapshot the source's without its lock. */
void sched_migrate_adjust(struct sched_entity *e, uint64_t src_min_vruntime,
                          uint64_t dst_min_vruntime);

/* ---- Preemption ---- */

/* The time slice of e on rq: its weight's share of the target latency
 * (counting e in the load even if it is not on rq), clamped to
 * [SCHED_MIN_GRANULARITY_NS, SCHED_TARGET_LATENCY_NS]. */
uint64_t sched_slice_ns(const struct sched_rq *rq, const struct sched_entity *e);

/* Should `woken`, just placed on curr's queue, preempt `curr` (NULL = the
 * CPU idles)?  Yes if the CPU idles; yes if woken is latency class, curr
 * batch, and woken is behind it at all; otherwise yes if woken is behind curr
 * by more than SCHED_WAKEUP_GRAN_NS converted to woken's virtual time. */
bool sched_should_preempt(const struct sched_entity *curr, const struct sched_entity *woken);

/* Timer tick: has curr, which has run ran_ns since it was picked, used up
 * its slice?  Never while nothing else waits on rq. */
bool sched_tick_expired(const struct sched_rq *rq, const struct sched_entity *curr,
                        uint64_t ran_ns);

/* ---- Balancing (pure decisions over a load snapshot) ---- */

/* True iff `busy` is significantly busier than `other` (SCHED_IMBALANCE_PCT). */
bool sched_load_busier(uint64_t busy, uint64_t other);

/* A steal in progress: where from, how much imbalance is left to remove. */
struct sched_steal {
    unsigned src;       /* CPU to steal from */
    unsigned dst;       /* CPU stealing (the caller) */
    uint64_t imbalance; /* src load - dst load still to even out */
    uint32_t moved;     /* entities moved so far */
    uint32_t max_moves; /* bound on moves for this steal */
};

/*
 * Chooses the CPU `self` should steal from: the busiest other CPU that has
 * an entity waiting, at least two runnable (one waiting alone runs there
 * as soon as that CPU gets to it: an idle CPU just woken for it) and is
 * significantly busier than self.  Fills *out and returns true, or returns
 * false when the loads are balanced enough.  ncpus is at most
 * SCHED_MAX_CPUS.
 */
bool sched_pick_steal_source(const struct sched_load *loads, unsigned ncpus, unsigned self,
                             struct sched_steal *out);

/*
 * The next entity to move from src_rq (locked) for the steal: one of the
 * last SCHED_STEAL_SCAN heap positions (the entities least likely to run
 * soon) that may run on steal->dst and whose weight is below the remaining
 * imbalance, so that every move makes the two loads strictly closer.  NULL
 * when the steal is done.  The caller dequeues it, migrates it, enqueues it
 * on its own queue and reports it with sched_steal_note.
 */
struct sched_entity *sched_rq_steal_candidate(const struct sched_rq *src_rq,
                                              const struct sched_steal *steal);

/* Records that e (weight as moved) was moved by the steal. */
void sched_steal_note(struct sched_steal *steal, const struct sched_entity *e);

/*
 * Chooses the CPU to wake an entity on, among `allowed` (bit i = CPU i; bits
 * at or above ncpus are ignored):
 *   1. sync wake (the waker is about to block, as in an IPC call): the
 *      waker's CPU, unless more than SCHED_SYNC_WAKE_MAX_QUEUED entities
 *      already wait there;
 *   2. the entity's previous CPU, unless it is significantly busier than
 *      the least loaded allowed CPU;
 *   3. the least loaded allowed CPU (ties: fewest running, then lowest id).
 * waker_cpu or prev_cpu may be out of range (unknown).  Returns SCHED_NO_CPU
 * if no allowed CPU exists.
 */
int sched_choose_wake_cpu(const struct sched_load *loads, unsigned ncpus, unsigned waker_cpu,
                          unsigned prev_cpu, uint64_t allowed, bool sync);

/* ---- Inline definitions (the direct switch runs them on every IPC) ---- */

/* min_vruntime after sched_rq_update_min with `curr` as the current
 * entity and `root` as the heap minimum (NULL: none), from `min`. */
static inline uint64_t sched_rq_min_with(uint64_t min, const struct sched_entity *curr,
                                         const struct sched_entity *root)
{
    const struct sched_entity *first = curr;
    if (root && (!first || sched_vruntime_before(root->vruntime, first->vruntime)))
        first = root;
    if (first && sched_vruntime_before(min, first->vruntime))
        min = first->vruntime;
    return min;
}

static inline uint64_t sched_rq_update_min(struct sched_rq *rq)
{
    /* Only forwards: an entity placed behind the clock (a woken sleeper)
     * must not drag the clock back and so earn the others credit. */
    rq->min_vruntime = sched_rq_min_with(rq->min_vruntime, rq->curr, rq->root);
    return rq->min_vruntime;
}

static inline bool sched_rq_handoff(struct sched_rq *rq, struct sched_entity *next,
                                    uint64_t slept_ns)
{
    struct sched_entity *prev = rq->curr;
    if (!prev || next->state != SCHED_DETACHED || next->rq)
        return false;
    /* The heap does not change here, so each clock update of the three
     * steps reduces to one comparison against its minimum.  put_curr:
     * the clock sees prev's time, then only the heap. */
    const struct sched_entity *root = rq->root;
    uint64_t min = sched_rq_min_with(rq->min_vruntime, prev, root);
    min = sched_rq_min_with(min, NULL, root);
    rq->load_weight -= prev->weight;
    prev->rq = NULL;
    prev->state = SCHED_DETACHED;
    /* place_woken: its clock update changes nothing more. */
    uint64_t credit = next->latency_class == SCHED_CLASS_LATENCY ? SCHED_LATENCY_BONUS_NS
                                                                 : SCHED_SLEEPER_CREDIT_NS;
    uint64_t floor = min - credit;
    if (slept_ns >= SCHED_LONG_SLEEP_NS || sched_vruntime_before(next->vruntime, floor))
        next->vruntime = floor;
    /* attach_curr. */
    next->rq = rq;
    next->seq = rq->next_seq++;
    next->state = SCHED_CURRENT;
    rq->load_weight += next->weight;
    rq->curr = next;
    rq->min_vruntime = sched_rq_min_with(min, next, root);
    return true;
}

#endif
