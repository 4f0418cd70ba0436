/*
 * The process itself: exit, identity, uname, limits, and signals as far as
 * they exist before the kernel delivers any.
 *
 * exit_group(status) is the exit system call with status & 0xff, which is
 * what ProcessHandle.wait reports.  Identity: the pid is the kernel's
 * process id (from the CapSet); there are no users, so every uid and gid
 * is POSIX_UID (0) and set*id succeed only as no-ops to that id.
 *
 * Signals: sigaction and the signal mask are kept per process and per
 * thread, and a signal a process sends itself (kill, tkill, tgkill, which is
 * what raise() and abort() do) is delivered synchronously: its handler runs
 * on the sending thread (once the signal is unblocked, if it is blocked),
 * or its default action applies; a terminating default action ends the
 * process with exit code POSIX_EXIT_SIGNALLED | (128 + signal): its low
 * byte is the status a shell shows (abort: 134), and a parent's wait
 * reports it as a death by that signal (wait.c).
 * Signals to any other process are ESRCH: there is no way to name one yet.
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
#define NSIG_     65

/* The kernel's struct sigaction layout, as musl passes it. */
struct ksigaction {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)(void);
    uint64_t mask;
};

static struct posix_lock sig_lock;
static struct ksigaction actions[NSIG_];
static __thread uint64_t sig_mask, sig_pending;

/* Dispositions and the mask are copied with the memory; a child starts
 * with no signal pending, as on Linux. */
void posix_sig_forked(void)
{
    sig_lock.state = 0;
    sig_pending = 0;
}

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

/* The mask posix_spawn gave the process, set on the main thread once it
 * has its thread-local storage (start-up runs before that). */
static uint64_t initial_mask;

void posix_sig_init_mask(uint64_t mask)
{
    initial_mask = mask;
}

void posix_sig_init_ignored(uint64_t mask)
{
    for (int sig = 1; sig < NSIG_; sig++) {
        if ((mask >> (sig - 1) & 1) && sig != SIGKILL && sig != SIGSTOP)
            actions[sig].handler = SIG_IGN;
    }
}

uint64_t posix_sig_exec_state(uint64_t *ignored)
{
    uint64_t ign = 0;
    posix_lock(&sig_lock);
    for (int sig = 1; sig < NSIG_; sig++) {
        if (actions[sig].handler == SIG_IGN)
            ign |= 1ULL << (sig - 1);
    }
    posix_unlock(&sig_lock);
    *ignored = ign;
    return sig_mask;
}

__attribute__((constructor)) static void sig_mask_start(void)
{
    sig_mask = initial_mask & ~((1ULL << (SIGKILL - 1)) | (1ULL << (SIGSTOP - 1)));
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

/* ---- signals ---- */

static bool default_ignores(int sig)
{
    return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT || sig == SIGSTOP ||
           sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* Runs sig's action on this thread now. */
static void deliver(int sig)
{
    posix_lock(&sig_lock);
    struct ksigaction a = actions[sig];
    if ((a.flags & SA_RESETHAND) && a.handler != SIG_IGN && a.handler != SIG_DFL)
        actions[sig].handler = SIG_DFL;
    posix_unlock(&sig_lock);
    if (a.handler == SIG_IGN)
        return;
    if (a.handler == SIG_DFL) {
        if (!default_ignores(sig))
            posix_exit_signal(sig);
        return;
    }
    uint64_t saved = sig_mask;
    sig_mask |= a.mask;
    if (!(a.flags & SA_NODEFER))
        sig_mask |= 1ULL << (sig - 1);
    if (a.flags & SA_SIGINFO) {
        siginfo_t si;
        memset(&si, 0, sizeof(si));
        si.si_signo = sig;
        si.si_code = SI_TKILL;
        si.si_pid = posix_pid();
        ((void (*)(int, siginfo_t *, void *))(void *)a.handler)(sig, &si, 0);
    } else {
        a.handler(sig);
    }
    sig_mask = saved;
}

/* Delivers pending signals the mask no longer blocks, lowest first. */
static void deliver_pending(void)
{
    uint64_t ready;
    while ((ready = sig_pending & ~sig_mask) != 0) {
        int sig = __builtin_ctzll(ready) + 1;
        sig_pending &= ~(1ULL << (sig - 1));
        deliver(sig);
    }
}

static long raise_self(long sig)
{
    if (sig < 0 || sig >= NSIG_)
        return -EINVAL;
    if (sig == 0)
        return 0;
    sig_pending |= 1ULL << (sig - 1);
    deliver_pending();
    return 0;
}

void posix_raise(int sig)
{
    raise_self(sig);
}

long sys_kill(long pid, long sig, long a3, long a4, long a5, long a6)
{
    if (pid != posix_pid() && pid != 0 && pid != -1)
        return sig < 0 || sig >= NSIG_ ? -EINVAL : -ESRCH;
    return raise_self(sig);
}

/* Another thread of this process cannot be interrupted: a signal for it
 * takes effect only if its action ends the process (pthread_cancel's
 * internal signal is seen at the target's next cancellation point). */
long sys_tkill(long tid, long sig, long a3, long a4, long a5, long a6)
{
    if (tid <= 0 || sig < 0 || sig >= NSIG_)
        return -EINVAL;
    if (tid == posix_thread_tid())
        return raise_self(sig);
    if (sig == 0)
        return 0;
    posix_lock(&sig_lock);
    struct ksigaction a = actions[sig];
    posix_unlock(&sig_lock);
    if (a.handler == SIG_DFL && !default_ignores((int)sig) && sig < SIGRTMIN)
        posix_exit_signal((int)sig);
    return 0;
}

long sys_tgkill(long tgid, long tid, long sig, long a4, long a5, long a6)
{
    if (tgid != posix_pid())
        return tgid <= 0 ? -EINVAL : -ESRCH;
    return sys_tkill(tid, sig, 0, 0, 0, 0);
}

long sys_rt_sigaction(long sig, long act, long oact, long size, long a5, long a6)
{
    if (sig < 1 || sig >= NSIG_ || size != 8)
        return -EINVAL;
    if (act && (sig == SIGKILL || sig == SIGSTOP))
        return -EINVAL;
    posix_lock(&sig_lock);
    if (oact)
        *(struct ksigaction *)oact = actions[sig];
    if (act)
        actions[sig] = *(const struct ksigaction *)act;
    posix_unlock(&sig_lock);
    return 0;
}

long sys_rt_sigprocmask(long how, long set, long oset, long size, long a5, long a6)
{
    const uint64_t unblockable = (1ULL << (SIGKILL - 1)) | (1ULL << (SIGSTOP - 1));
    if (size != 8)
        return -EINVAL;
    uint64_t old = sig_mask;
    if (set) {
        uint64_t s = *(const uint64_t *)set;
        switch (how) {
        case SIG_BLOCK: sig_mask |= s; break;
        case SIG_UNBLOCK: sig_mask &= ~s; break;
        case SIG_SETMASK: sig_mask = s; break;
        default: return -EINVAL;
        }
        sig_mask &= ~unblockable;
    }
    if (oset)
        *(uint64_t *)oset = old;
    deliver_pending();
    return 0;
}

long sys_rt_sigpending(long set, long size, long a3, long a4, long a5, long a6)
{
    if (size != 8)
        return -EINVAL;
    *(uint64_t *)set = sig_pending;
    return 0;
}

/* Nothing delivers a signal asynchronously, so a handler never returns
 * through here; reaching it means a corrupt stack. */
__attribute__((noreturn)) void __capos_sigreturn(void)
{
    posix_exit_signal(SIGSEGV);
}

long sys_sigaltstack(long ss, long old, long a3, long a4, long a5, long a6)
{
    if (old)
        memset((void *)old, 0, sizeof(stack_t)), ((stack_t *)old)->ss_flags = SS_DISABLE;
    return 0;
}
