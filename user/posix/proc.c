/*
 * The process itself: exit, identity, uname and limits (signals are
 * signal.c's).
 *
 * exit_group(status) is the exit system call with status & 0xff, which is
 * what ProcessHandle.wait reports.  Identity: the pid is the kernel's
 * process id (from the CapSet); there are no users, so every uid and gid
 * is POSIX_UID (0) and set*id succeed only as no-ops to that id.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>

#include "capos.h"
#include "posix.h"
#include "../../kernel/version.h" /* the release uname reports */

#define POSIX_UID 0

__attribute__((noreturn)) void posix_exit_group(int status)
{
    posix_fd_exiting();
    capos_sys_exit(status & 0xff);
}

__attribute__((noreturn)) void posix_exit_signal(int sig)
{
    posix_fd_exiting();
    capos_sys_exit(POSIX_EXIT_SIGNALLED | (128 + (sig & 0x7f)));
}

int posix_pid(void)
{
    return (int)posix_capset()->pid;
}

long sys_exit_group(long status, long a2, long a3, long a4, long a5, long a6)
{
    posix_exit_group((int)status);
}

long sys_getpid(long a1, long a2, long a3, long a4, long a5, long a6)
{
    return posix_pid();
}

/* The process that spawned this one (0: the kernel started it). */
long sys_getppid(long a1, long a2, long a3, long a4, long a5, long a6)
{
    return (long)posix_capset()->ppid;
}

/* Process groups, as far as a process can know them alone: its own group
 * (its pid until setpgid moves it; a fork's child starts in its parent's,
 * as the memory is copied), which job-control shells compare with the
 * terminal's foreground group.  There is no kernel notion of a group:
 * signals to a group reach the children a process holds (signal.c). */
static long own_pgid;

long posix_getpgrp(void)
{
    return own_pgid ? own_pgid : (long)posix_capset()->pid;
}

long sys_getpgid(long pid, long a2, long a3, long a4, long a5, long a6)
{
    if (pid < 0)
        return -EINVAL;
    if (pid != 0 && pid != (long)posix_capset()->pid)
        return -ESRCH; /* another process's group is not known here */
    return posix_getpgrp();
}

long sys_setpgid(long pid, long pgid, long a3, long a4, long a5, long a6)
{
    long self = (long)posix_capset()->pid;
    if (pid < 0 || pgid < 0)
        return -EINVAL;
    if (pid != 0 && pid != self)
        return 0; /* a child's group: recorded nowhere, as it keeps ours */
    own_pgid = pgid ? pgid : self;
    return 0;
}

long sys_getsid(long pid, long a2, long a3, long a4, long a5, long a6)
{
    if (pid < 0)
        return -EINVAL;
    if (pid != 0 && pid != (long)posix_capset()->pid)
        return -ESRCH;
    return 1; /* one session: the terminal's */
}

long sys_getuid(long a1, long a2, long a3, long a4, long a5, long a6)
{
    return POSIX_UID;
}

long sys_setuid(long uid, long a2, long a3, long a4, long a5, long a6)
{
    return uid == POSIX_UID ? 0 : -EPERM;
}

long sys_getresuid(long r, long e, long s, long a4, long a5, long a6)
{
    *(unsigned *)r = *(unsigned *)e = *(unsigned *)s = POSIX_UID;
    return 0;
}

long sys_getgroups(long n, long list, long a3, long a4, long a5, long a6)
{
    return n < 0 ? -EINVAL : 0;
}

long sys_uname(long p, long a2, long a3, long a4, long a5, long a6)
{
    struct utsname *u = (struct utsname *)p;
    memset(u, 0, sizeof(*u));
    strcpy(u->sysname, "capOS");
    strcpy(u->nodename, "capos");
    strcpy(u->release, CAPOS_VERSION);
    strcpy(u->version, "capOS " CAPOS_VERSION);
    strcpy(u->machine, "x86_64");
    strcpy(u->domainname, "(none)");
    return 0;
}

/* getrlimit and setrlimit: the limits that are real here, reported as
 * both soft and hard; setting one is refused unless it changes nothing. */
static void rlimit_of(int res, struct rlimit *l)
{
    l->rlim_cur = l->rlim_max = RLIM_INFINITY;
    if (res == RLIMIT_NOFILE)
        l->rlim_cur = l->rlim_max = 256;
    else if (res == RLIMIT_STACK)
        l->rlim_cur = l->rlim_max = 256 * 1024;
    else if (res == RLIMIT_NPROC)
        l->rlim_cur = l->rlim_max = 64;
}

long sys_prlimit64(long pid, long res, long nl, long ol, long a5, long a6)
{
    struct rlimit cur;
    if (pid != 0 && pid != posix_pid())
        return -ESRCH;
    if (res < 0 || res >= RLIM_NLIMITS)
        return -EINVAL;
    rlimit_of((int)res, &cur);
    if (nl) {
        const struct rlimit *n = (const struct rlimit *)nl;
        if (n->rlim_cur > n->rlim_max)
            return -EINVAL;
        if (n->rlim_max > cur.rlim_max)
            return -EPERM;
    }
    if (ol)
        *(struct rlimit *)ol = cur;
    return 0;
}

long sys_getrlimit(long res, long ol, long a3, long a4, long a5, long a6)
{
    return sys_prlimit64(0, res, 0, ol, 0, 0);
}
