/*
 * __capos_syscall: where every system call of musl arrives (ports/musl).
 * A switch over the dispatch table (systab.h), clock_gettime tested
 * first; numbers not in it return -ENOSYS, as a Linux kernel without the
 * call would.  Every call is bracketed by posix_syscall_enter/leave, so that
 * a signal arriving inside one runs its handler at a safe point
 * (signal.c).
 */
#include <errno.h>
#include <sys/syscall.h>

#include "abi/errors.h"
#include "posix.h"

static long dispatch(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
    switch (n) {
#define X(name, fn, support)                                                                       \
    case SYS_##name:                                                                               \
        return fn(a1, a2, a3, a4, a5, a6);
#include "systab.h"
#undef X
    default: return -ENOSYS;
    }
}

long __capos_syscall(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
    /* Reading the clock is the call programs make most often, and the one
     * that must cost about what Linux's vDSO does: it skips the table
     * (and enters the personality only if it needs the ring). */
    if (n == SYS_clock_gettime)
        return sys_clock_gettime(a1, a2, a3, a4, a5, a6);
    long e = posix_syscall_enter();
    long r = dispatch(n, a1, a2, a3, a4, a5, a6);
    posix_syscall_leave(e);
    return r;
}

long posix_errno(int err)
{
    switch (err) {
    case CAPOS_ERR_BAD_ADDRESS: return -EFAULT;
    case CAPOS_ERR_NO_MEMORY:
    case CAPOS_ERR_QUOTA_EXCEEDED: return -ENOMEM;
    case CAPOS_ERR_INVALID_ARGUMENT: return -EINVAL;
    case CAPOS_ERR_TIMED_OUT: return -ETIMEDOUT;
    case CAPOS_ERR_CANCELLED: return -EINTR;
    case CAPOS_ERR_WOULD_BLOCK: return -EAGAIN;
    case CAPOS_ERR_PEER_GONE: return -EPIPE;
    case CAPOS_ERR_NOT_PERMITTED:
    case CAPOS_ERR_INVALID_CAP:
    case CAPOS_ERR_STALE_CAP: return -EPERM;
    default: return -EIO;
    }
}
