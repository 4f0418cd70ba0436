/*
 * Spinlocks for kernel data shared between CPUs and interrupt handlers.
 *
 * A spinlock is held with interrupts disabled on the holding CPU
 * (spin_lock_irqsave), so an interrupt handler that takes the same lock can
 * never deadlock against the code it interrupted.  The kernel runs with
 * interrupts off anyway (every entry clears IF), so paths that are never
 * reached with interrupts on use spin_lock/spin_unlock, which skip the flag
 * save.  Locks are test-and-test-and-set with `pause`.  Contention is
 * counted twice: per lock (`contended`) and per CPU (struct cpu.lock_spins,
 * reported at halt), so it is visible which locks CPUs fight over and
 * whether independent work ever waits.  Never sleep or block with one held.
 * A spinning CPU keeps answering TLB shootdown requests (smp_poll), since
 * with interrupts off it would never see the IPI.
 *
 * Lock order (outer first): endpoint, process, ring, thread, run queue,
 * timer queue; TLB shootdown (taken under a process lock) and the allocator
 * locks are leaves.  Two locks of the same kind are never held together,
 * except two run queues, lowest CPU first (stealing).
 */
#ifndef CAPOS_KERNEL_SPINLOCK_H
#define CAPOS_KERNEL_SPINLOCK_H

#include "base/compiler.h"
#include "arch.h"

struct spinlock {
    uint32_t locked;
    uint32_t contended; /* times an acquirer had to spin */
    const char *name;
};

#define SPINLOCK_INIT(n)                                                                           \
    {                                                                                              \
        0, 0, (n)                                                                                  \
    }

/* The contended case of spin_lock_raw (spinlock.c): out of line, so that
 * the uncontended lock inlined everywhere is a single exchange and test
 * (always inlined: in a large function the compiler would otherwise call
 * a copy of these three instructions). */
void spin_lock_contended(struct spinlock *l);

static ALWAYS_INLINE void spin_lock_raw(struct spinlock *l)
{
    if (unlikely(__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) != 0))
        spin_lock_contended(l);
}

static ALWAYS_INLINE bool spin_trylock_raw(struct spinlock *l)
{
    return __atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) == 0;
}

static ALWAYS_INLINE void spin_unlock_raw(struct spinlock *l)
{
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

/* For code that always runs with interrupts disabled. */
static ALWAYS_INLINE void spin_lock(struct spinlock *l)
{
    spin_lock_raw(l);
}

static ALWAYS_INLINE void spin_unlock(struct spinlock *l)
{
    spin_unlock_raw(l);
}

static inline uint64_t spin_lock_irqsave(struct spinlock *l)
{
    uint64_t flags = irq_save();
    spin_lock_raw(l);
    return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
    spin_unlock_raw(l);
    irq_restore(flags);
}

#endif
