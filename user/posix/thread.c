/*
 * Threads for musl's pthreads: clone, the thread pointer, futexes, thread
 * exit, and the scheduling calls.
 *
 * clone (the __clone hook) is ThreadSpawner.spawn of the "threads"
 * capability: the new thread starts at posix_thread_entry on the stack musl
 * prepared, with musl's thread pointer as its FS base, and its start record
 * (function, argument, tid, the clear-tid word, and the thread's ring
 * client, which lives there as long as the thread) just above its stack
 * pointer.  Each thread keeps a pointer to its ring client, its
 * ThreadControl and its ids in thread-local variables, a few words in all,
 * so that musl's built-in thread-local block holds the first thread's
 * without an mmap.  The process's first thread has no thread pointer until
 * musl sets one (arch_prctl(SET_FS), here __capos_set_thread_area), and
 * makes its calls through its client (start.c's) named by
 * capos_posix_boot_ring until then (user/rt/ring.h).
 *
 * Thread ids are the process id for the first thread (as on Linux) and
 * process-unique numbers above it for the others, chosen here before the
 * spawn so that CLONE_PARENT_SETTID's word holds the id before the thread
 * can run.
 *
 * futex WAIT and WAKE are ParkSpace.wait and wake on the "park" capability
 * (private and shared alike: a futex word is only ever in this address
 * space); REQUEUE and CMP_REQUEUE wake the waiters they would move (a
 * spurious wake-up every futex user must take), WAKE_OP and the PI
 * operations are ENOSYS.  Without a "park" capability a wait yields the CPU
 * and returns as if woken.
 *
 * The clear-tid word (CLONE_CHILD_CLEARTID, set_tid_address) is the
 * kernel's to clear: ThreadSpawner.spawn's clearTid and
 * ThreadControl.setClearTid hand it over, and the kernel zeroes it and
 * wakes its ParkSpace waiters once the thread will never run in user mode
 * again.  musl's join and its thread-list lock wait for that word, and only
 * then free the thread's stack, which the exiting thread uses to its last
 * instruction.  A detached thread cannot free its own stack: it leaves it
 * to mem.c (posix_stack_defer), which unmaps it once the kernel has
 * cleared the word.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "abi/errors.h"
#include "capos.rpc.h"
#include "posix.h"
#include "ring.h"

/* The futex operations of the Linux ABI (musl has no header for them). */
#define FUTEX_WAIT             0
#define FUTEX_WAKE             1
#define FUTEX_REQUEUE          3
#define FUTEX_CMP_REQUEUE      4
#define FUTEX_WAIT_BITSET      9
#define FUTEX_WAKE_BITSET      10
#define FUTEX_PRIVATE_FLAG     128
#define FUTEX_CLOCK_REALTIME   256
#define FUTEX_CMD_MASK         (~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu

__thread struct capos_ring_client *capos_posix_ring;
struct capos_ring_client *capos_posix_boot_ring;

struct self {
    uint32_t control;
    int tid;
    int *clear_tid; /* what the kernel clears at exit (0: nothing) */
};
static __thread struct self self;
static uint32_t main_control;
static int main_tid;
static int next_tid;

/* Thread-local variables are read only once the thread has its thread
 * pointer; the barrier keeps the compiler from reading them anyway and
 * selecting (clang does), which faults while %fs is 0. */
uint32_t posix_thread_control(void)
{
    if (capos_posix_boot_ring)
        return main_control;
    __asm__ volatile("" ::: "memory");
    return self.control;
}

int posix_thread_tid(void)
{
    if (capos_posix_boot_ring)
        return main_tid;
    __asm__ volatile("" ::: "memory");
    return self.tid;
}

void posix_thread_init_main(uint32_t control, int tid)
{
    main_control = control;
    main_tid = tid;
    next_tid = tid;
}

void posix_thread_forked(uint32_t control, int pid)
{
    main_control = control;
    main_tid = pid;
    next_tid = pid;
    self.control = control;
    self.tid = pid;
    self.clear_tid = 0;
}

/* arch_prctl(ARCH_SET_FS): the first call, from musl's start-up, also moves
 * the first thread's ring client into its thread-local home. */
long __capos_set_thread_area(void *tp)
{
    capos_ThreadControl_setTls_args a = {.base = (uint64_t)(uintptr_t)tp};
    int err = capos_ThreadControl_setTls_call(posix_thread_control(), &a, 0, 0);
    if (err != CAPOS_OK)
        return posix_errno(err);
    struct capos_ring_client *boot = capos_posix_boot_ring;
    if (boot) {
        capos_posix_ring = boot;
        self.control = main_control;
        self.tid = main_tid;
        __atomic_store_n(&capos_posix_boot_ring, (struct capos_ring_client *)0, __ATOMIC_RELEASE);
    }
    return 0;
}

long sys_arch_prctl(long code, long addr, long a3, long a4, long a5, long a6)
{
    if (code == 0x1002) /* ARCH_SET_FS */
        return __capos_set_thread_area((void *)addr);
    return -EINVAL;
}

struct start_rec {
    int (*fn)(void *);
    void *arg;
    int tid;
    int *clear_tid;
    struct capos_ring_client ring;
};

__attribute__((noreturn)) void posix_thread_start(struct start_rec *r, void *ring,
                                                  uint32_t control);
extern const char posix_thread_entry[];

#define CLONE_NEEDED (CLONE_VM | CLONE_THREAD | CLONE_SETTLS | CLONE_SIGHAND)

static long clone_thread(int (*fn)(void *), void *stack, int flags, void *arg, int *ptid, void *tls,
                         int *ctid);

/* musl calls this directly: bracketed as a system call (signal.c). */
long __capos_clone(int (*fn)(void *), void *stack, int flags, void *arg, int *ptid, void *tls,
                   int *ctid)
{
    long e = posix_syscall_enter();
    long r = clone_thread(fn, stack, flags, arg, ptid, tls, ctid);
    posix_syscall_leave(e);
    return r;
}

static long clone_thread(int (*fn)(void *), void *stack, int flags, void *arg, int *ptid, void *tls,
                         int *ctid)
{
    if ((flags & CLONE_NEEDED) != CLONE_NEEDED)
        return -ENOSYS; /* a new process: not possible without a spawner here */
    if (!posix_caps.threads)
        return -EAGAIN;
    uintptr_t top = ((uintptr_t)stack - sizeof(struct start_rec)) & ~(uintptr_t)15;
    struct start_rec *r = (struct start_rec *)top;
    r->fn = fn;
    r->arg = arg;
    r->tid = __atomic_add_fetch(&next_tid, 1, __ATOMIC_RELAXED);
    r->clear_tid = (flags & CLONE_CHILD_CLEARTID) ? ctid : 0;
    if (flags & CLONE_PARENT_SETTID)
        *ptid = r->tid;
    capos_ThreadSpawner_spawn_args a = {.entry = (uint64_t)(uintptr_t)posix_thread_entry,
                                        .stack = top,
                                        .tls = (uint64_t)(uintptr_t)tls,
                                        .arg = top,
                                        .clearTid = (uint64_t)(uintptr_t)r->clear_tid};
    capos_ThreadSpawner_spawn_results res;
    int err = capos_ThreadSpawner_spawn_call(posix_caps.threads, &a, &res, 0);
    if (err != CAPOS_OK)
        return -EAGAIN;
    capos_release(res.handle);
    return r->tid;
}

static __attribute__((noreturn)) void thread_exit(int code)
{
    capos_ThreadControl_exit_args a = {.code = code};
    capos_ThreadControl_exit_call(posix_thread_control(), &a, 0, 0);
    posix_exit_group(code); /* only if the kernel refused */
}

__attribute__((noreturn)) void posix_thread_start(struct start_rec *r, void *ring, uint32_t control)
{
    capos_ring_init(&r->ring, ring);
    capos_posix_ring = &r->ring;
    self.control = control;
    self.tid = r->tid;
    self.clear_tid = r->clear_tid;
    thread_exit(r->fn(r->arg));
}

long sys_exit(long code, long a2, long a3, long a4, long a5, long a6)
{
    thread_exit((int)code);
}

/* musl's last moments of a detached thread: the stack it runs on goes
 * once the kernel has cleared its clear-tid word (musl's thread-list lock,
 * which the thread holds until then).  Without such a word the stack is
 * freed with the address space. */
__attribute__((noreturn)) void __capos_unmapself(void *base, size_t size)
{
    if (self.clear_tid)
        posix_stack_defer(base, size, self.clear_tid);
    thread_exit(0);
}

long sys_set_tid_address(long ctid, long a2, long a3, long a4, long a5, long a6)
{
    capos_ThreadControl_setClearTid_args a = {.addr = (uint64_t)ctid};
    capos_ThreadControl_setClearTid_results r;
    if (capos_ThreadControl_setClearTid_call(posix_thread_control(), &a, &r, 0) == CAPOS_OK)
        self.clear_tid = (int *)ctid;
    return posix_thread_tid();
}

long sys_gettid(long a1, long a2, long a3, long a4, long a5, long a6)
{
    return posix_thread_tid();
}

long sys_sched_yield(long a1, long a2, long a3, long a4, long a5, long a6)
{
    capos_ThreadControl_yield_call(posix_thread_control(), 0, 0, 0);
    return 0;
}

/* The calling thread's affinity mask, from ThreadHandle.info. */
long sys_sched_getaffinity(long pid, long size, long mask, long a4, long a5, long a6)
{
    if (pid != 0 && pid != posix_thread_tid())
        return -ESRCH;
    if (size < 8 || (size & 7))
        return -EINVAL;
    capos_ThreadControl_handle_results h;
    int err = capos_ThreadControl_handle_call(posix_thread_control(), 0, &h, 0);
    if (err != CAPOS_OK)
        return posix_errno(err);
    capos_ThreadHandle_info_results info;
    err = capos_ThreadHandle_info_call(h.handle, 0, &info, 0);
    capos_release(h.handle);
    if (err != CAPOS_OK)
        return posix_errno(err);
    memcpy((void *)mask, &info.affinity, 8);
    return 8;
}

long sys_sched_setaffinity(long pid, long size, long mask, long a4, long a5, long a6)
{
    uint64_t m = 0;
    if (pid != 0 && pid != posix_thread_tid())
        return -ESRCH;
    if (size <= 0)
        return -EINVAL;
    memcpy(&m, (const void *)mask, size < 8 ? (size_t)size : 8);
    capos_ThreadControl_setAffinity_args a = {.mask = m};
    int err = capos_ThreadControl_setAffinity_call(posix_thread_control(), &a, 0, 0);
    return err == CAPOS_OK ? 0 : posix_errno(err);
}

/* A timeout in nanoseconds, or -EINVAL. */
static long ts_ns(const struct timespec *ts, uint64_t *ns)
{
    if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L)
        return -EINVAL;
    *ns = (uint64_t)ts->tv_sec > UINT64_MAX / 1000000000u - 1
              ? UINT64_MAX
              : (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
    return 0;
}

static long futex_wait(uint32_t *addr, uint32_t val, uint64_t timeout_ns, bool has_timeout)
{
    if (!posix_caps.park) {
        sys_sched_yield(0, 0, 0, 0, 0, 0);
        return __atomic_load_n(addr, __ATOMIC_RELAXED) == val ? 0 : -EAGAIN;
    }
    if (has_timeout && timeout_ns == 0)
        return __atomic_load_n(addr, __ATOMIC_RELAXED) == val ? -ETIMEDOUT : -EAGAIN;
    capos_ParkSpace_wait_args a = {
        .addr = (uint64_t)(uintptr_t)addr, .expected = val, .timeoutNs = timeout_ns};
    int err = capos_ParkSpace_wait_call(posix_caps.park, &a, 0, 0);
    switch (err) {
    case CAPOS_OK: return 0;
    case CAPOS_ERR_WOULD_BLOCK: return -EAGAIN;
    case CAPOS_ERR_TIMED_OUT: return -ETIMEDOUT;
    case CAPOS_ERR_CANCELLED: return -EINTR;
    case CAPOS_ERR_BAD_ADDRESS: return -EFAULT;
    default: return -EINVAL;
    }
}

static long futex_wake(uint32_t *addr, uint32_t count)
{
    if (!posix_caps.park || count == 0)
        return 0;
    /* One wake takes a bounded batch (CAPOS_PARK_WAKE_MAX): a wake of more repeats while a
     * call took a whole batch and some of the count is left. */
    long woken = 0;
    for (;;) {
        capos_ParkSpace_wake_args a = {.addr = (uint64_t)(uintptr_t)addr, .count = count};
        capos_ParkSpace_wake_results r;
        int err = capos_ParkSpace_wake_call(posix_caps.park, &a, &r, 0);
        if (err != CAPOS_OK)
            return woken ? woken : err == CAPOS_ERR_INVALID_ARGUMENT ? -EINVAL : -EFAULT;
        woken += r.woken;
        count -= r.woken;
        if (r.woken < CAPOS_PARK_WAKE_MAX || count == 0)
            return woken;
    }
}

long sys_futex(long uaddr, long op, long val, long tsp, long uaddr2, long val3)
{
    uint32_t *addr = (uint32_t *)uaddr;
    int cmd = (int)op & FUTEX_CMD_MASK;
    uint64_t ns = 0;
    long r;
    if (uaddr & 3)
        return -EINVAL;
    switch (cmd) {
    case FUTEX_WAIT:
        if (tsp && (r = ts_ns((const struct timespec *)tsp, &ns)) < 0)
            return r;
        return futex_wait(addr, (uint32_t)val, ns, tsp != 0);
    case FUTEX_WAIT_BITSET: {
        /* An absolute timeout on CLOCK_MONOTONIC, or CLOCK_REALTIME. */
        uint64_t deadline, now;
        if ((uint32_t)val3 != FUTEX_BITSET_MATCH_ANY)
            return (uint32_t)val3 ? -ENOSYS : -EINVAL;
        if (!tsp)
            return futex_wait(addr, (uint32_t)val, 0, false);
        if ((r = ts_ns((const struct timespec *)tsp, &deadline)) < 0)
            return r;
        struct timespec t;
        if (posix_clock(op & FUTEX_CLOCK_REALTIME ? CLOCK_REALTIME : CLOCK_MONOTONIC, &t) < 0)
            return -EINVAL;
        now = (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
        return futex_wait(addr, (uint32_t)val, deadline > now ? deadline - now : 0, true);
    }
    case FUTEX_WAKE: return futex_wake(addr, (uint32_t)val);
    case FUTEX_WAKE_BITSET:
        if ((uint32_t)val3 != FUTEX_BITSET_MATCH_ANY)
            return (uint32_t)val3 ? -ENOSYS : -EINVAL;
        return futex_wake(addr, (uint32_t)val);
    case FUTEX_CMP_REQUEUE:
        if (__atomic_load_n(addr, __ATOMIC_RELAXED) != (uint32_t)val3)
            return -EAGAIN;
        /* fall through */
    case FUTEX_REQUEUE: {
        /* The requeue count travels in the timeout argument. */
        uint64_t n = (uint64_t)(uint32_t)val + (uint64_t)(uint32_t)tsp;
        return futex_wake(addr, n > INT32_MAX ? INT32_MAX : (uint32_t)n);
    }
    default: return -ENOSYS;
    }
}
