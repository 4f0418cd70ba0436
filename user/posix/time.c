/*
 * Time: clock_gettime, clock_getres, gettimeofday, time, nanosleep and
 * clock_nanosleep over the "timer" capability.
 *
 * CLOCK_MONOTONIC (and _RAW, _COARSE, BOOTTIME) is Timer time since boot;
 * CLOCK_REALTIME is the wall clock (the RTC read at boot, advanced by the
 * monotonic clock).  Both are read in user mode from the clock page, which
 * the first clock read maps with Timer.mapClock (lib/clock/clock.h: a
 * sequence count, rdtsc and one multiply); where the page cannot serve,
 * Timer.now and Timer.wallClock do.  The CPU-time clocks are Timer.cpuTime.
 * Absolute sleeps are Timer.sleepUntil on the monotonic clock (a REALTIME
 * deadline is moved onto it: the wall clock is never set, so the two keep
 * a fixed distance).  Without a timer every clock read and sleep fails with
 * EPERM: the process was given no access to time.
 */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>

#include "abi/errors.h"
#include "capos.h"
#include "capos.rpc.h"
#include "clock/clock.h"
#include "posix.h"
#include "ring.h"

#define NS 1000000000ULL

static void ns_to_ts(uint64_t ns, struct timespec *ts)
{
    ts->tv_sec = (time_t)(ns / NS);
    ts->tv_nsec = (long)(ns % NS);
}

/* The clock page once mapped; (void *)1 if it could not be. */
static const struct capos_clock_page *clock_page;

static uint64_t rdtsc_fn(void *ctx)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static const struct capos_clock_page *page(void)
{
    const struct capos_clock_page *pg = __atomic_load_n(&clock_page, __ATOMIC_ACQUIRE);
    if (pg)
        return pg != (const void *)1 ? pg : NULL;
    /* Mapping is idempotent: threads that race here get the same page. */
    capos_Timer_mapClock_results r;
    int err = capos_Timer_mapClock_call(posix_caps.timer, 0, &r, 0);
    pg = err == CAPOS_OK ? (const struct capos_clock_page *)(uintptr_t)r.addr : (const void *)1;
    __atomic_store_n(&clock_page, pg, __ATOMIC_RELEASE);
    return pg != (const void *)1 ? pg : NULL;
}

/* The monotonic time, and the wall clock if real is not NULL. */
static long read_clock(uint64_t *mono, uint64_t *real)
{
    if (!posix_caps.timer)
        return -EPERM;
    const struct capos_clock_page *pg = page();
    if (pg && capos_clock_read(pg, rdtsc_fn, 0, mono, real))
        return 0;
    capos_Timer_now_results n;
    capos_Timer_wallClock_results w;
    int err = capos_Timer_now_call(posix_caps.timer, 0, &n, 0);
    if (err == CAPOS_OK && real)
        err = capos_Timer_wallClock_call(posix_caps.timer, 0, &w, 0);
    if (err != CAPOS_OK)
        return posix_errno(err);
    *mono = n.ns;
    if (real)
        *real = w.ns;
    return 0;
}

/* CPU time of the calling thread, or of the whole process. */
static long cpu_ns(bool process, uint64_t *ns)
{
    if (!posix_caps.timer)
        return -EPERM;
    capos_Timer_cpuTime_results r;
    int err = capos_Timer_cpuTime_call(posix_caps.timer, 0, &r, 0);
    if (err != CAPOS_OK)
        return posix_errno(err);
    *ns = process ? r.process : r.thread;
    return 0;
}

long posix_clock(int clk, struct timespec *ts)
{
    uint64_t ns = 0, real = 0;
    long r;
    switch (clk) {
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME: r = read_clock(&ns, NULL); break;
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
        r = read_clock(&ns, &real);
        ns = real;
        break;
    case CLOCK_PROCESS_CPUTIME_ID: r = cpu_ns(true, &ns); break;
    case CLOCK_THREAD_CPUTIME_ID: r = cpu_ns(false, &ns); break;
    default: return -EINVAL;
    }
    if (r == 0)
        ns_to_ts(ns, ts);
    return r;
}

/* The common case first, with no call in it: MONOTONIC or REALTIME from a
 * page already mapped.  Everything else (the first read, other clocks, a
 * page that cannot serve) goes the whole way. */
long sys_clock_gettime(long clk, long ts, long a3, long a4, long a5, long a6)
{
    const struct capos_clock_page *pg = __atomic_load_n(&clock_page, __ATOMIC_ACQUIRE);
    uint64_t mono, real;
    if (__builtin_expect(pg > (const struct capos_clock_page *)1, 1) &&
        (clk == CLOCK_MONOTONIC || clk == CLOCK_REALTIME) &&
        capos_clock_read(pg, rdtsc_fn, 0, &mono, &real)) {
        ns_to_ts(clk == CLOCK_REALTIME ? real : mono, (struct timespec *)ts);
        return 0;
    }
    long e = posix_syscall_enter();
    long r = posix_clock((int)clk, (struct timespec *)ts);
    posix_syscall_leave(e);
    return r;
}

long sys_clock_getres(long clk, long ts, long a3, long a4, long a5, long a6)
{
    struct timespec t;
    long r = posix_clock((int)clk, &t);
    if (r == 0 && ts)
        *(struct timespec *)ts = (struct timespec){0, 1};
    return r;
}

long sys_gettimeofday(long tv, long tz, long a3, long a4, long a5, long a6)
{
    struct timespec t;
    long r = posix_clock(CLOCK_REALTIME, &t);
    if (r == 0 && tv)
        *(struct timeval *)tv = (struct timeval){t.tv_sec, t.tv_nsec / 1000};
    if (r == 0 && tz)
        *(struct timezone *)tz = (struct timezone){0, 0};
    return r;
}

long sys_time(long tp, long a2, long a3, long a4, long a5, long a6)
{
    struct timeval tv = {0, 0};
    long r = sys_gettimeofday((long)&tv, 0, 0, 0, 0, 0);
    if (r < 0)
        return r;
    if (tp)
        *(time_t *)tp = tv.tv_sec;
    return (long)tv.tv_sec;
}

/* Sleeps until the monotonic clock reads `deadline`: a wait on the ring
 * with that timeout (no Timer call in flight, so a signal can end it at
 * once: EINTR, with what is left in *rem if rem is not NULL). */
static long sleep_until(uint64_t deadline, struct timespec *rem)
{
    if (!posix_sig_sleep(deadline))
        return 0;
    if (rem) {
        uint64_t mono;
        read_clock(&mono, NULL);
        ns_to_ts(deadline > mono ? deadline - mono : 0, rem);
    }
    return -EINTR;
}

static long ts_check(const struct timespec *t, uint64_t *ns)
{
    if (t->tv_nsec < 0 || t->tv_nsec >= (long)NS || t->tv_sec < 0)
        return -EINVAL;
    *ns = (uint64_t)t->tv_sec > UINT64_MAX / NS - 1
              ? UINT64_MAX
              : (uint64_t)t->tv_sec * NS + (uint64_t)t->tv_nsec;
    return 0;
}

long sys_clock_nanosleep(long clk, long flags, long req, long rem, long a5, long a6)
{
    uint64_t ns, mono, real;
    long r = ts_check((const struct timespec *)req, &ns);
    if (r < 0)
        return r;
    if (clk != CLOCK_MONOTONIC && clk != CLOCK_REALTIME && clk != CLOCK_BOOTTIME)
        return clk == CLOCK_THREAD_CPUTIME_ID ? -EINVAL : -ENOTSUP;
    if ((r = read_clock(&mono, clk == CLOCK_REALTIME ? &real : NULL)) < 0)
        return r;
    if (!(flags & TIMER_ABSTIME))
        return ns == 0 ? 0
                       : sleep_until(ns > UINT64_MAX - mono ? UINT64_MAX - 1 : mono + ns,
                                     (struct timespec *)rem);
    if (clk == CLOCK_REALTIME) {
        /* The same instant on the monotonic clock. */
        if (ns <= real)
            return 0;
        ns -= real;
        return sleep_until(ns > UINT64_MAX - mono ? UINT64_MAX - 1 : mono + ns, NULL);
    }
    return sleep_until(ns, NULL);
}

long sys_nanosleep(long req, long rem, long a3, long a4, long a5, long a6)
{
    return sys_clock_nanosleep(CLOCK_MONOTONIC, 0, req, rem, 0, 0);
}

/* The wall clock is the RTC read at boot and is never set. */
long sys_clock_settime(long clk, long ts, long a3, long a4, long a5, long a6)
{
    return clk == CLOCK_REALTIME ? -EPERM : -EINVAL;
}

/* getrusage: CPU time as user time (the kernel's own work for the process
 * is not told apart); for the process, ru_maxrss is the memory charged to
 * it in KiB (VirtualMemory.quota: its pages, page tables and kernel
 * records; nothing is paged out, so what it holds is what it is charged);
 * children: none yet.  The other fields are 0. */
long sys_getrusage(long who, long ru, long a3, long a4, long a5, long a6)
{
    uint64_t ns = 0;
    long r = 0;
    if (who == RUSAGE_SELF || who == RUSAGE_THREAD)
        r = cpu_ns(who == RUSAGE_SELF, &ns);
    else if (who != RUSAGE_CHILDREN)
        return -EINVAL;
    if (r < 0)
        return r;
    struct rusage *u = (struct rusage *)ru;
    memset(u, 0, sizeof(*u));
    u->ru_utime.tv_sec = (time_t)(ns / NS);
    u->ru_utime.tv_usec = (suseconds_t)(ns % NS / 1000);
    uint64_t limit, used;
    if (who == RUSAGE_SELF && posix_caps.memory &&
        capos_vm_quota(posix_caps.memory, &limit, &used) == CAPOS_OK)
        u->ru_maxrss = (long)(used / 1024);
    return 0;
}

/* times: the process's CPU time as user time, in clock ticks of 1/100 s
 * (AT_CLKTCK); returns the monotonic time in the same ticks. */
long sys_times(long buf, long a2, long a3, long a4, long a5, long a6)
{
    uint64_t cpu = 0, mono = 0;
    long r = cpu_ns(true, &cpu);
    if (r == 0)
        r = read_clock(&mono, NULL);
    if (r < 0)
        return r;
    if (buf)
        *(struct tms *)buf = (struct tms){.tms_utime = (clock_t)(cpu / (NS / 100))};
    return (long)(mono / (NS / 100));
}
