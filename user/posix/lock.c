/*
 * The personality's own lock (fd table, memory map): three states, free,
 * held, held with possible waiters (after Drepper, "Futexes Are Tricky").
 * Uncontended it is one atomic instruction each way; a waiter sleeps on the
 * "park" ParkSpace, or yields its CPU if the process has none.
 *
 * Each thread counts the locks it holds (once signal delivery has started,
 * posix_sig_live: before that there is no thread-local storage), so that a
 * signal handler never runs where it could wait for a lock its own thread
 * holds (signal.c).
 */
#include "capos.rpc.h"
#include "posix.h"

static void lock_wait(uint32_t *word)
{
    if (posix_caps.park) {
        capos_ParkSpace_wait_args a = {.addr = (uint64_t)(uintptr_t)word, .expected = 2};
        capos_ParkSpace_wait_call(posix_caps.park, &a, 0, 0);
    } else {
        capos_ThreadControl_yield_call(posix_thread_control(), 0, 0, 0);
    }
}

void posix_lock(struct posix_lock *l)
{
    uint32_t c = 0;
    if (!__atomic_compare_exchange_n(&l->state, &c, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
        if (c != 2)
            c = __atomic_exchange_n(&l->state, 2, __ATOMIC_ACQUIRE);
        while (c != 0) {
            lock_wait(&l->state);
            c = __atomic_exchange_n(&l->state, 2, __ATOMIC_ACQUIRE);
        }
    }
    if (posix_sig_live)
        posix_locks_held++;
}

void posix_unlock(struct posix_lock *l)
{
    if (posix_sig_live)
        posix_locks_held--;
    if (__atomic_exchange_n(&l->state, 0, __ATOMIC_RELEASE) == 2 && posix_caps.park) {
        capos_ParkSpace_wake_args a = {.addr = (uint64_t)(uintptr_t)&l->state, .count = 1};
        capos_ParkSpace_wake_call(posix_caps.park, &a, 0, 0);
    }
}
