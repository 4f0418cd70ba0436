/*
 * Calls that name files by path.  A process reaches files only through a
 * Directory capability it was granted, and the personality has none to
 * resolve paths against yet: the process's file tree is empty, so every
 * path names nothing and the call fails with ENOENT, as it would on Linux
 * for a file that does not exist.  The *at forms check their directory
 * descriptor first, as Linux does for a relative path: EBADF if it is not
 * open, ENOTDIR since no descriptor here is a directory.  A NULL path is
 * EFAULT.
 */
#include <errno.h>
#include <fcntl.h>

#include "fd.h"
#include "posix.h"

static long no_path(long path)
{
    return path ? -ENOENT : -EFAULT;
}

static long no_path_at(long dirfd, long path)
{
    if (!path)
        return -EFAULT;
    if (*(const char *)path != '/' && dirfd != AT_FDCWD) {
        struct ofd *o = fd_get((int)dirfd);
        if (!o)
            return -EBADF;
        ofd_put(o);
        return -ENOTDIR;
    }
    return -ENOENT;
}

/* open, creat, access, stat, lstat, unlink, chdir, mkdir, rmdir, readlink,
 * chmod, truncate, ...: the path is the first argument. */
long sys_path1(long path, long a2, long a3, long a4, long a5, long a6)
{
    return no_path(path);
}

/* rename, link, symlink: two paths; the first that names nothing fails. */
long sys_path2(long from, long to, long a3, long a4, long a5, long a6)
{
    return from && to ? -ENOENT : -EFAULT;
}

/* openat, faccessat, unlinkat, mkdirat, readlinkat, fchmodat, ...: a
 * directory descriptor, then the path. */
long sys_path_at(long dirfd, long path, long a3, long a4, long a5, long a6)
{
    return no_path_at(dirfd, path);
}

/* getcwd: there is no working directory to name (Linux says ENOENT when
 * it has been removed). */
long sys_getcwd(long buf, long size, long a3, long a4, long a5, long a6)
{
    return -ENOENT;
}

/* fchdir: no descriptor here is a directory. */
long sys_fchdir(long fd, long a2, long a3, long a4, long a5, long a6)
{
    struct ofd *o = fd_get((int)fd);
    if (!o)
        return -EBADF;
    ofd_put(o);
    return -ENOTDIR;
}

/* umask: kept for the files the process will create once it can. */
static unsigned umask_bits = 022;

long sys_umask(long mask, long a2, long a3, long a4, long a5, long a6)
{
    return (long)__atomic_exchange_n(&umask_bits, (unsigned)mask & 0777, __ATOMIC_RELAXED);
}

/* renameat, renameat2, linkat: (olddirfd, old, newdirfd, new, ...). */
long sys_path2_at(long odir, long old, long ndir, long new_, long a5, long a6)
{
    long r = no_path_at(odir, old);
    return r == -ENOENT && !new_ ? -EFAULT : r;
}
