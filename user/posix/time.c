/*
 * Time: clock_gettime, clock_getres, gettimeofday, time, nanosleep and
 * clock_nanosleep over the "timer" capability.
 *
 * CLOCK_MONOTONIC (and _RAW, _COARSE, BOOTTIME) is Timer time since boot.
 * CLOCK_REALTIME is the same plus the wall-clock offset.  CPU-time clocks
 * come from ThreadHandle.info.  Without a timer every clock read and sleep
 * fails with EPERM: the process was given no access to time.
 */
#include <errno.h>
#include <sys/time.h>
#include <time.h>

#include "abi/errors.h"
#include "capos.rpc.h"
#include "posix.h"
#include "ring.h"

#define NS 1000000000ULL

static void ns_to_ts(uint64_t ns, struct timespec *ts)
{
    ts->tv_sec = (time_t)(ns / NS);
    ts->tv_nsec = (long)(ns % NS);
}

static long mono_ns(uint64_t *ns)
{
    if (!posix_caps.timer)
        return -EPERM;
    capos_Timer_now_results r;
    int err = capos_Timer_now_call(posix_caps.timer, 0, &r, 0);
    if (err != CAPOS_OK)
        return posix_errno(err);
    *ns = r.ns;
    return 0;
}

/* The wall clock: nanoseconds since the epoch at boot. */
static uint64_t realtime_offset_ns;

/* CPU time of the calling thread. */
static long thread_cpu_ns(uint64_t *ns)
{
    capos_ThreadControl_handle_results h;
    int err = capos_ThreadControl_handle_call(posix_thread_control(), 0, &h, 0);
    if (err != CAPOS_OK)
        return posix_errno(err);
    capos_ThreadHandle_info_results info;
    err = capos_ThreadHandle_info_call(h.handle, 0, &info, 0);
    capos_release(h.handle);
    if (err != CAPOS_OK)
        return posix_errno(err);
    *ns = info.cpuNs;
    return 0;
}

long posix_clock(int clk, struct timespec *ts)
{
    uint64_t ns = 0;
    long r;
    switch (clk) {
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME: r = mono_ns(&ns); break;
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
        r = mono_ns(&ns);
        ns += realtime_offset_ns;
        break;
    case CLOCK_PROCESS_CPUTIME_ID:
    case CLOCK_THREAD_CPUTIME_ID: r = thread_cpu_ns(&ns); break;
    default: return -EINVAL;
    }
    if (r == 0)
        ns_to_ts(ns, ts);
    return r;
}

long sys_clock_gettime(long clk, long ts, long a3, long a4, long a5, long a6)
{
    return posix_clock((int)clk, (struct timespec *)ts);
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
    struct timespec t;
    long r = posix_clock(CLOCK_REALTIME, &t);
    if (r == 0 && tp)
        *(time_t *)tp = t.tv_sec;
    return r == 0 ? (long)t.tv_sec : r;
}

static long sleep_ns(uint64_t ns)
{
    if (!posix_caps.timer)
        return -EPERM;
    if (ns == 0)
        return 0;
    capos_Timer_sleep_args a = {.ns = ns};
    int err = capos_Timer_sleep_call(posix_caps.timer, &a, 0, 0);
    return err == CAPOS_OK ? 0 : posix_errno(err);
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
    uint64_t ns;
    struct timespec now;
    long r = ts_check((const struct timespec *)req, &ns);
    if (r < 0)
        return r;
    if (clk != CLOCK_MONOTONIC && clk != CLOCK_REALTIME && clk != CLOCK_BOOTTIME)
        return clk == CLOCK_THREAD_CPUTIME_ID ? -EINVAL : -ENOTSUP;
    if (flags & TIMER_ABSTIME) {
        if ((r = posix_clock((int)clk, &now)) < 0)
            return r;
        uint64_t n = (uint64_t)now.tv_sec * NS + (uint64_t)now.tv_nsec;
        ns = ns > n ? ns - n : 0;
    }
    return sleep_ns(ns);
}

long sys_nanosleep(long req, long rem, long a3, long a4, long a5, long a6)
{
    return sys_clock_nanosleep(CLOCK_MONOTONIC, 0, req, rem, 0, 0);
}
