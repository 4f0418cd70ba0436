/*
 * Spinlocks for kernel data shared between CPUs and interrupt handlers.
 *
 * A spinlock is held with interrupts disabled on the holding CPU
 * (spin_lock_irqsave), so an interrupt handler that takes the same lock can
 * never deadlock against the code it interrupted.  Locks are
 * test-and-test-and-set with `pause`; each counts how often it was found
 * taken so contention is visible.  Never sleep or block with one held.
 */
#ifndef CAPOS_KERNEL_SPINLOCK_H
#define CAPOS_KERNEL_SPINLOCK_H

#include "base/compiler.h"
#include "arch/x86_64/cpu.h"

struct spinlock {
    uint32_t locked;
    uint32_t contended; /* times an acquirer had to spin */
    const char *name;
};

#define SPINLOCK_INIT(n)                                                                           \
    {                                                                                              \
        0, 0, (n)                                                                                  \
    }

static inline void spin_lock_raw(struct spinlock *l)
{
    if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) == 0)
        return;
    __atomic_fetch_add(&l->contended, 1, __ATOMIC_RELAXED);
    do {
        while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
            cpu_relax();
    } while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) != 0);
}

static inline bool spin_trylock_raw(struct spinlock *l)
{
    return __atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) == 0;
}

static inline void spin_unlock_raw(struct spinlock *l)
{
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
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
