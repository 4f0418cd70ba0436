/*
 * Balancing decisions between CPUs: where to wake an entity and whom to
 * steal from.  They are pure functions of a load snapshot (see sched.h); the
 * snapshot may be stale by the time the kernel acts, which only makes a
 * decision less good, never unsafe, because the kernel moves entities under
 * the queues' locks.  Load is the sum of weights on a queue, so a CPU running
 * one heavy thread counts as busier than one running a light one.
 */
#include "sched/sched.h"

bool sched_load_busier(uint64_t busy, uint64_t other)
{
    if (busy <= other)
        return false;
    /* diff > busy * PCT / 100, computed without the product overflowing:
     * comparing with the floor of the quotient is the same test for
     * integers. */
    uint64_t limit = busy / 100 * SCHED_IMBALANCE_PCT + busy % 100 * SCHED_IMBALANCE_PCT / 100;
    return busy - other > limit;
}

bool sched_pick_steal_source(const struct sched_load *loads, unsigned ncpus, unsigned self,
                             struct sched_steal *out)
{
    unsigned best = ncpus;

    if (ncpus > SCHED_MAX_CPUS || self >= ncpus)
        return false;
    for (unsigned i = 0; i < ncpus; i++) {
        /* Only waiting entities can move; the running one stays.  A CPU
         * with one runnable entity, waiting or not, runs it itself as
         * soon as it can: taking it away leaves that CPU idle instead. */
        if (i == self || loads[i].nr_queued == 0 || loads[i].nr_running < 2 ||
            !sched_load_busier(loads[i].weight, loads[self].weight))
            continue;
        if (best == ncpus || loads[i].weight > loads[best].weight ||
            (loads[i].weight == loads[best].weight && loads[i].nr_queued > loads[best].nr_queued))
            best = i;
    }
    if (best == ncpus)
        return false;
    *out = (struct sched_steal){
        .src = best,
        .dst = self,
        .imbalance = loads[best].weight - loads[self].weight,
        .moved = 0,
        .max_moves = MIN(SCHED_STEAL_MAX, loads[best].nr_queued),
    };
    return true;
}

void sched_steal_note(struct sched_steal *steal, const struct sched_entity *e)
{
    /* Moving weight w shifts the difference of the two loads by 2w. */
    uint64_t shift = 2 * (uint64_t)e->weight;
    steal->imbalance = shift >= steal->imbalance ? 0 : steal->imbalance - shift;
    steal->moved++;
}

static bool cpu_in(uint64_t mask, unsigned cpu)
{
    return cpu < SCHED_MAX_CPUS && ((mask >> cpu) & 1);
}

int sched_choose_wake_cpu(const struct sched_load *loads, unsigned ncpus, unsigned waker_cpu,
                          unsigned prev_cpu, uint64_t allowed, bool sync)
{
    if (ncpus > SCHED_MAX_CPUS)
        ncpus = SCHED_MAX_CPUS;
    if (ncpus < SCHED_MAX_CPUS)
        allowed &= (1ull << ncpus) - 1;
    if (!allowed)
        return SCHED_NO_CPU;

    /* The waker is about to block, so its CPU is about to be free and the
     * wakee finds the waker's data in its cache: worth it unless a queue
     * is already forming there. */
    if (sync && cpu_in(allowed, waker_cpu) &&
        loads[waker_cpu].nr_queued <= SCHED_SYNC_WAKE_MAX_QUEUED)
        return (int)waker_cpu;

    unsigned best = SCHED_MAX_CPUS;
    for (unsigned i = 0; i < ncpus; i++) {
        if (!cpu_in(allowed, i))
            continue;
        if (best == SCHED_MAX_CPUS || loads[i].weight < loads[best].weight ||
            (loads[i].weight == loads[best].weight && loads[i].nr_running < loads[best].nr_running))
            best = i;
    }

    /* The previous CPU may still hold the wakee's cache lines; leave it
     * only for a clearly less loaded one. */
    if (cpu_in(allowed, prev_cpu) && !sched_load_busier(loads[prev_cpu].weight, loads[best].weight))
        return (int)prev_cpu;
    return (int)best;
}
