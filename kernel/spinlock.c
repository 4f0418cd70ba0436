/*
 * The contended path of spinlocks (see spinlock.h).  It lives out of line
 * so that every inlined acquire stays one exchange and a branch: the spin,
 * the contention counters (the lock's and this CPU's) and answering TLB
 * shootdowns while waiting only run when the lock was taken.
 */
#include "spinlock.h"

#include "percpu.h"

void spin_lock_contended(struct spinlock *l)
{
    __atomic_fetch_add(&l->contended, 1, __ATOMIC_RELAXED);
    this_cpu()->lock_spins++; /* interrupts are off: this CPU's alone */
    do {
        while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED)) {
            /* The holder may be waiting for this CPU to flush its TLB. */
            smp_poll();
            cpu_relax();
        }
    } while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) != 0);
}
