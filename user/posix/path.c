/*
 * Calls that name files by path but that the file service cannot carry
 * out: ownership (chown, lchown, fchownat: there are no users), device
 * nodes (mknod, mknodat), hard links (link, linkat: every node has exactly
 * one name), chroot and statfs.  The path is resolved as any other (file.c), so a path that
 * names nothing fails as it would on Linux (ENOENT, ENOTDIR, ELOOP, ...);
 * one that names something gets EPERM.
 */
#include <errno.h>
#include <fcntl.h>

#include "fd.h"
#include "posix.h"

/* chown, lchown, mknod, statfs, chroot: the path first. */
long sys_path1(long path, long a2, long a3, long a4, long a5, long a6)
{
    long e = posix_path_exists(AT_FDCWD, (const char *)path);
    return e < 0 ? e : -EPERM;
}

/* link: the first path must name something. */
long sys_path2(long from, long to, long a3, long a4, long a5, long a6)
{
    if (!to)
        return -EFAULT;
    long e = posix_path_exists(AT_FDCWD, (const char *)from);
    return e < 0 ? e : -EPERM;
}

/* mknodat, fchownat: a directory descriptor, then the path. */
long sys_path_at(long dirfd, long path, long a3, long a4, long a5, long a6)
{
    long e = posix_path_exists(dirfd, (const char *)path);
    return e < 0 ? e : -EPERM;
}

/* linkat: (olddirfd, old, newdirfd, new, flags). */
long sys_path2_at(long odir, long old, long ndir, long new_, long a5, long a6)
{
    if (!new_)
        return -EFAULT;
    long e = posix_path_exists(odir, (const char *)old);
    return e < 0 ? e : -EPERM;
}
