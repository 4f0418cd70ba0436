/*
 * Signals (docs/signals.md): dispositions, masks, sending, waiting, the
 * alternate stack, ITIMER_REAL, and taking the signals the kernel delivers.
 *
 * The kernel knows only a process-wide pending set and which signals the
 * process wants (ThreadControl.setSignalEntry): every signal whose action
 * is a handler or a default that does something.  A signal it delivers
 * arrives at __capos_sig_entry (sigentry.S) on whichever thread the kernel
 * chose, and posix_sig_async adds it to `proc_pending` with who sent it.
 * Handlers then run at a safe point of that thread:
 *   - at once, if the thread was running its own code;
 *   - if it was inside a system call (`in_syscall`: the ring client and
 *     the personality's locks may be in use), when the call returns, or
 *     earlier where the call waits (the ring wait hook, user/rt/ring.h)
 *     if the thread holds none of the personality's locks (lock.c):
 *     a wait for a completion (a pipe or terminal read, a wait for a
 *     child) runs the handler and goes on waiting, as with SA_RESTART;
 *     waitpid returns EINTR instead if the handler's action lacks
 *     SA_RESTART; pause, sigsuspend, nanosleep and sleep wait on nothing
 *     but the clock and return EINTR.
 * A signal the thread blocks stays in proc_pending until a thread that
 * does not block it looks (a mask change, a system call's return).
 * Signals a thread sends itself (raise, abort, kill of its own pid) are
 * still delivered synchronously, before the call returns, from the
 * thread's own pending set.
 *
 * The personality's own threads (the ITIMER_REAL timer, the terminal's
 * listener) block every signal
 * in the kernel (ThreadControl.setSignalMask), so a signal is never taken
 * by a thread that cannot run its handler.
 *
 * A terminating default action ends the process with exit code
 * POSIX_EXIT_SIGNALLED | (128 + signal) (docs/processes.md): its low byte
 * is the status a shell shows (abort: 134), and a parent's wait reports it
 * as a death by that signal (wait.c).  Stop and continue are not
 * implemented: SIGSTOP cannot be sent, SIGTSTP/SIGTTIN/SIGTTOU/SIGCONT by
 * default do nothing.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <ucontext.h>

#include "abi/signal.h"
#include "capos.h"
#include "capos.rpc.h"
#include "posix.h"
#include "ring.h"

#define NSIG_       65
#define BIT(s)      (1ULL << ((s)-1))
#define UNBLOCKABLE (BIT(SIGKILL) | BIT(SIGSTOP))

/* The kernel's struct sigaction layout, as musl passes it. */
struct ksigaction {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)(void);
    uint64_t mask;
};

static struct posix_lock sig_lock;
static struct ksigaction actions[NSIG_];
static uint64_t wanted_now; /* what the kernel was last told (sig_lock) */
/* Delivered by the kernel, not yet handled (atomic), and who sent each. */
static uint64_t proc_pending;
static struct capos_sig_info sig_info[NSIG_];
/* Set once the entry is registered: from then on every thread has its
 * thread-local storage, which the code below uses. */
bool posix_sig_live;
__thread int posix_locks_held;

static __thread uint64_t sig_mask, sig_pending;
static __thread uint64_t kernel_mask; /* what setSignalMask last said for this thread */
static __thread int in_syscall;
static __thread int sig_woken;       /* a signal was taken (posix_idle_wait) */
static __thread int sig_interrupted; /* a handler without SA_RESTART ran */
static __thread stack_t alt = {.ss_flags = SS_DISABLE};
static __thread int on_alt;
/* sigentry.S's two words (the RIP and RSP being restored). */
__thread uint64_t posix_sig_rip, posix_sig_rsp;

extern char __capos_sig_entry[], __capos_sig_restore[], __capos_sig_restore_end[];
extern char posix_idle_wait_start[] __asm__("posix_idle_wait");
extern char posix_idle_jump[], posix_idle_abort[];
extern char capos_cap_enter_ret[]; /* right after cap_enter's 2-byte syscall */
long posix_idle_wait(int *flag, uint32_t min_complete, uint64_t timeout_ns);
void posix_sig_call_on(void *fn, int sig, void *info, void *ctx, void *top);
void posix_sig_async(struct capos_sigframe *f);

static bool default_ignores(int sig)
{
    return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT || sig == SIGSTOP ||
           sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* The signals whose action does anything (sig_lock held). */
static uint64_t wanted_set(void)
{
    uint64_t w = 0;
    for (int s = 1; s < NSIG_; s++) {
        void (*h)(int) = actions[s].handler;
        if (h == SIG_IGN || (h == SIG_DFL && default_ignores(s)))
            continue;
        w |= BIT(s);
    }
    return w;
}

/* Tells the kernel the wanted set if it changed (sig_lock held). */
static void sig_register(void)
{
    uint64_t w = wanted_set();
    if (posix_sig_live && w == wanted_now)
        return;
    capos_ThreadControl_setSignalEntry_args a = {
        .entry = (uint64_t)(uintptr_t)__capos_sig_entry,
        .restoreStart = (uint64_t)(uintptr_t)__capos_sig_restore,
        .restoreEnd = (uint64_t)(uintptr_t)__capos_sig_restore_end,
        .wanted = w,
    };
    if (capos_ThreadControl_setSignalEntry_call(posix_thread_control(), &a, 0, 0) == CAPOS_OK)
        wanted_now = w;
}

/* The mask posix_spawn gave the process, set on the main thread once it
 * has its thread-local storage (start-up runs before that). */
static uint64_t initial_mask;

void posix_sig_init_mask(uint64_t mask)
{
    initial_mask = mask;
}

/* The signals the program that exec'd this one ignored stay ignored
 * (start-up, before sig_start tells the kernel what is wanted). */
void posix_sig_init_ignored(uint64_t mask)
{
    for (int sig = 1; sig < NSIG_; sig++) {
        if ((mask & BIT(sig)) && !(UNBLOCKABLE & BIT(sig)))
            actions[sig].handler = SIG_IGN;
    }
}

/* What an exec carries over: this thread's mask, and the ignored set. */
uint64_t posix_sig_exec_state(uint64_t *ignored)
{
    uint64_t ign = 0;
    posix_lock(&sig_lock);
    for (int sig = 1; sig < NSIG_; sig++) {
        if (actions[sig].handler == SIG_IGN)
            ign |= BIT(sig);
    }
    posix_unlock(&sig_lock);
    *ignored = ign;
    return sig_mask;
}

/* A fork's child: dispositions, the mask and the registration are copied
 * (the kernel copied its half, signal_fork), and nothing is pending, as on
 * Linux; the lock may have been held by a thread the child does not have. */
void posix_sig_forked(void)
{
    sig_lock = (struct posix_lock){0};
    __atomic_store_n(&proc_pending, 0, __ATOMIC_RELAXED);
    sig_pending = 0;
    memset(sig_info, 0, sizeof(sig_info));
}

__attribute__((constructor)) static void sig_start(void)
{
    sig_mask = initial_mask & ~UNBLOCKABLE;
    in_syscall++; /* a signal taken meanwhile waits for the lock's release */
    posix_lock(&sig_lock);
    sig_register();
    posix_unlock(&sig_lock);
    posix_sig_live = true; /* after the unlock: lock.c starts counting */
    in_syscall--;
}

/* The signal's siginfo: the kernel's record for one it delivered, the
 * caller itself for one it raised. */
static void fill_info(siginfo_t *si, int sig, bool from_kernel)
{
    memset(si, 0, sizeof(*si));
    si->si_signo = sig;
    if (!from_kernel) {
        si->si_code = SI_TKILL;
        si->si_pid = posix_pid();
        return;
    }
    const struct capos_sig_info *k = &sig_info[sig];
    si->si_pid = (pid_t)k->pid;
    switch (k->kind) {
    case CAPOS_SIG_CHILD_EXITED:
        if ((k->status & ~0xff) == POSIX_EXIT_SIGNALLED && (k->status & 0xff) > 128) {
            si->si_code = CLD_KILLED;
            si->si_status = (k->status & 0xff) - 128;
        } else {
            si->si_code = CLD_EXITED;
            si->si_status = k->status & 0xff;
        }
        break;
    case CAPOS_SIG_CHILD_KILLED:
        si->si_code = CLD_KILLED;
        si->si_status = SIGKILL;
        break;
    case CAPOS_SIG_CHILD_FAULTED:
        si->si_code = CLD_KILLED;
        si->si_status = k->status == 14 || k->status == 13 ? SIGSEGV : SIGKILL;
        break;
    default: si->si_code = SI_USER; break;
    }
}

/* Runs sig's action on this thread now. */
static void deliver(int sig, bool from_kernel)
{
    /* The lock (and the call in sig_register) is the personality's: a
     * signal taken meanwhile waits (deliver_pending's loop sees it). */
    in_syscall++;
    posix_lock(&sig_lock);
    struct ksigaction a = actions[sig];
    if ((a.flags & SA_RESETHAND) && a.handler != SIG_IGN && a.handler != SIG_DFL) {
        actions[sig].handler = SIG_DFL;
        actions[sig].flags &= ~SA_SIGINFO;
        sig_register();
    }
    posix_unlock(&sig_lock);
    in_syscall--;
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
        sig_mask |= BIT(sig);
    sig_mask &= ~UNBLOCKABLE;
    /* A wait for a child restarts after SIGCHLD: the child it announces
     * has ended and its wait is about to complete (Linux's wait4 would
     * return it). */
    if (!(a.flags & SA_RESTART) && sig != SIGCHLD)
        sig_interrupted = 1;
    siginfo_t si;
    ucontext_t uc;
    fill_info(&si, sig, from_kernel);
    memset(&uc, 0, sizeof(uc));
    memcpy(&uc.uc_sigmask, &saved, sizeof(saved));
    void *fn = (void *)a.handler;
    if ((a.flags & SA_ONSTACK) && !(alt.ss_flags & SS_DISABLE) && !on_alt) {
        on_alt = 1;
        posix_sig_call_on(fn, sig, &si, &uc, (char *)alt.ss_sp + alt.ss_size);
        on_alt = 0;
    } else if (a.flags & SA_SIGINFO) {
        ((void (*)(int, siginfo_t *, void *))fn)(sig, &si, &uc);
    } else {
        a.handler(sig);
    }
    sig_mask = saved;
}

/* Whether a signal this thread does not block is waiting for it. */
static bool sig_due(void)
{
    return ((sig_pending | __atomic_load_n(&proc_pending, __ATOMIC_ACQUIRE)) & ~sig_mask) != 0;
}

/* Delivers pending signals the mask does not block, lowest first: the
 * thread's own, then the process's (each taken by one thread alone). */
static void deliver_pending(void)
{
    for (;;) {
        uint64_t mine = sig_pending & ~sig_mask;
        uint64_t proc = __atomic_load_n(&proc_pending, __ATOMIC_ACQUIRE) & ~sig_mask;
        if (!(mine | proc))
            return;
        int sig = __builtin_ctzll(mine | proc) + 1;
        if (mine & BIT(sig)) {
            sig_pending &= ~BIT(sig);
            deliver(sig, false);
        } else if (__atomic_fetch_and(&proc_pending, ~BIT(sig), __ATOMIC_ACQ_REL) & BIT(sig)) {
            deliver(sig, true);
        }
    }
}

void posix_sig_async(struct capos_sigframe *f)
{
    for (uint64_t b = f->signals; b; b &= b - 1) {
        int s = __builtin_ctzll(b) + 1;
        sig_info[s] = f->info[s - 1];
    }
    __atomic_fetch_or(&proc_pending, f->signals, __ATOMIC_RELEASE);
    sig_woken = 1;
    /* Between posix_idle_wait's test and its syscall: do not block. */
    if (f->rip >= (uint64_t)(uintptr_t)posix_idle_wait_start &&
        f->rip <= (uint64_t)(uintptr_t)posix_idle_jump)
        f->rip = (uint64_t)(uintptr_t)posix_idle_abort;
    /* The same for a ring wait that checked for due signals (the hook)
     * and is about to block: its cap_enter returns 0 at once instead, and
     * the wait's loop comes round to the hook.  (A cap_enter that only
     * submits is skipped too; the next one submits.) */
    if (f->rip >= (uint64_t)(uintptr_t)capos_cap_enter &&
        f->rip <= (uint64_t)(uintptr_t)capos_cap_enter_ret - 2) {
        f->rip = (uint64_t)(uintptr_t)capos_cap_enter_ret;
        f->rax = 0;
    }
    if (in_syscall)
        return; /* at the call's next safe point */
    deliver_pending();
}

/* The ring wait hook: a wait in a system call returned early. */
static bool sig_wait_point(void)
{
    if (posix_locks_held || !sig_due())
        return false; /* a lock of this thread's: at the call's end */
    deliver_pending();
    return true;
}

long posix_syscall_enter(void)
{
    if (!posix_sig_live)
        return 0;
    if (in_syscall++ == 0)
        sig_interrupted = 0; /* only a handler run during this call counts */
    return 1;
}

void posix_syscall_leave(long entered)
{
    if (!entered)
        return;
    if (--in_syscall == 0 && __builtin_expect(sig_due(), 0))
        deliver_pending();
}

static bool may_interrupt; /* sig_lock */

bool posix_sig_may_interrupt(void)
{
    return __atomic_load_n(&may_interrupt, __ATOMIC_RELAXED);
}

bool posix_sig_due_now(void)
{
    return posix_sig_live && sig_due();
}

long posix_sig_wait_result(void)
{
    if (sig_interrupted) {
        sig_interrupted = 0;
        return -EINTR;
    }
    return 0;
}

static uint64_t mono_now(void)
{
    struct timespec t;
    sys_clock_gettime(CLOCK_MONOTONIC, (long)&t, 0, 0, 0, 0);
    return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

bool posix_sig_sleep(uint64_t deadline)
{
    if (!posix_sig_live) {
        /* Before start-up is done: nothing can interrupt the wait. */
        while (mono_now() < deadline)
            posix_idle_wait(&(int){0}, capos_ring_idle_prepare() + 1, deadline - mono_now());
        return false;
    }
    for (;;) {
        sig_woken = 0;
        if (sig_due())
            return true;
        uint64_t now = mono_now();
        if (now >= deadline)
            return false;
        uint32_t n = capos_ring_idle_prepare();
        if (n >= CAPOS_RING_CQ_ENTRIES)
            n = CAPOS_RING_CQ_ENTRIES - 1;
        posix_idle_wait(&sig_woken, n + 1,
                        deadline == UINT64_MAX ? CAPOS_WAIT_FOREVER : deadline - now);
    }
}

__attribute__((constructor)) static void sig_hook(void)
{
    capos_ring_wait_hook = sig_wait_point;
}

/* ---- raising and sending ---- */

static long raise_self(long sig)
{
    if (sig < 0 || sig >= NSIG_)
        return -EINVAL;
    if (sig == 0)
        return 0;
    sig_pending |= BIT(sig);
    deliver_pending();
    return 0;
}

void posix_raise(int sig)
{
    raise_self(sig);
}

/* kill: a child by its pid (its ProcessHandle is the authority), the
 * process group (0, -1, or minus the caller's pid: every process here is
 * in its own group with its children, see wait.c) as the children the
 * caller holds and itself; anything else ESRCH, as Linux answers for a
 * process that does not exist. */
long sys_kill(long pid, long sig, long a3, long a4, long a5, long a6)
{
    if (sig < 0 || sig >= NSIG_)
        return -EINVAL;
    if (pid == posix_pid())
        return raise_self(sig);
    if (pid > 0)
        return posix_child_signal(pid, (int)sig);
    if (pid == 0 || pid == -1 || -pid == posix_pid()) {
        long r = posix_child_signal(-1, (int)sig);
        if (r < 0 && r != -ESRCH)
            return r;
        return raise_self(sig);
    }
    return -ESRCH;
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

/* ---- dispositions and masks ---- */

long sys_rt_sigaction(long sig, long act, long oact, long size, long a5, long a6)
{
    if (sig < 1 || sig >= NSIG_ || size != 8)
        return -EINVAL;
    if (act && (sig == SIGKILL || sig == SIGSTOP))
        return -EINVAL;
    posix_lock(&sig_lock);
    if (oact)
        *(struct ksigaction *)oact = actions[sig];
    if (act) {
        actions[sig] = *(const struct ksigaction *)act;
        void (*h)(int) = actions[sig].handler;
        if (h == SIG_IGN || (h == SIG_DFL && default_ignores((int)sig))) {
            /* A pending signal that is now ignored is discarded. */
            sig_pending &= ~BIT(sig);
            __atomic_fetch_and(&proc_pending, ~BIT(sig), __ATOMIC_RELAXED);
        }
        sig_register();
        bool any = false;
        for (int s = 1; s < NSIG_ && !any; s++)
            any = actions[s].handler != SIG_IGN && actions[s].handler != SIG_DFL &&
                  !(actions[s].flags & SA_RESTART);
        __atomic_store_n(&may_interrupt, any, __ATOMIC_RELAXED);
    }
    posix_unlock(&sig_lock);
    return 0;
}

long sys_rt_sigprocmask(long how, long set, long oset, long size, long a5, long a6)
{
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
        sig_mask &= ~UNBLOCKABLE;
    }
    if (oset)
        *(uint64_t *)oset = old;
    /* A thread other than the first tells the kernel too, so that a
     * signal it blocks goes to a thread that does not (the first thread's
     * mask stays in user space: a signal it blocks waits in the pending
     * set, where sigpending sees it, for a process that has no other). */
    if (posix_sig_live && sig_mask != kernel_mask && posix_thread_tid() != posix_pid()) {
        capos_ThreadControl_setSignalMask_args m = {.blocked = sig_mask};
        if (capos_ThreadControl_setSignalMask_call(posix_thread_control(), &m, 0, 0) == CAPOS_OK)
            kernel_mask = sig_mask;
    }
    deliver_pending();
    return 0;
}

long sys_rt_sigpending(long set, long size, long a3, long a4, long a5, long a6)
{
    if (size != 8)
        return -EINVAL;
    *(uint64_t *)set = (sig_pending | __atomic_load_n(&proc_pending, __ATOMIC_ACQUIRE)) & sig_mask;
    return 0;
}

long sys_rt_sigsuspend(long set, long size, long a3, long a4, long a5, long a6)
{
    if (size != 8)
        return -EINVAL;
    uint64_t old = sig_mask;
    sig_mask = *(const uint64_t *)set & ~UNBLOCKABLE;
    posix_sig_sleep(UINT64_MAX);
    deliver_pending(); /* under the temporary mask, as POSIX asks */
    sig_mask = old;
    return -EINTR;
}

long sys_pause(long a1, long a2, long a3, long a4, long a5, long a6)
{
    posix_sig_sleep(UINT64_MAX);
    return -EINTR;
}

/* Handlers are called as functions and return to deliver(); reaching the
 * restorer musl names means a corrupt stack. */
__attribute__((noreturn)) void __capos_sigreturn(void)
{
    posix_exit_signal(SIGSEGV);
}

long sys_sigaltstack(long ss, long old, long a3, long a4, long a5, long a6)
{
    if (old) {
        stack_t o = alt;
        o.ss_flags = on_alt ? SS_ONSTACK : (alt.ss_flags & SS_DISABLE);
        *(stack_t *)old = o;
    }
    if (ss) {
        stack_t n = *(const stack_t *)ss;
        if (on_alt)
            return -EPERM;
        if (n.ss_flags & ~SS_DISABLE)
            return -EINVAL;
        if (n.ss_flags & SS_DISABLE) {
            alt = (stack_t){.ss_flags = SS_DISABLE};
        } else {
            if (n.ss_size < MINSIGSTKSZ)
                return -ENOMEM;
            alt = n;
        }
    }
    return 0;
}

/* ---- the terminal's ^C and ^\ ---- */

/*
 * A process granted a Terminal listens to Terminal.nextSignal on a thread
 * of its own, which blocks every signal.  The terminal has one listener at
 * a time: the first process holding it that asks is "the foreground" (a
 * child sharing its parent's terminal finds the parent listening and
 * gives up, quotaExceeded).  A SIGINT or SIGQUIT event goes to the
 * listener's group as kill(0) would send it: its children and itself.
 * SIGTSTP events are dropped (nothing stops).  The group the terminal
 * records is not looked at: process groups do not exist beyond a process
 * and its children.
 */
static void *tty_main(void *arg)
{
    capos_ThreadControl_setSignalMask_args m = {.blocked = ~0ULL};
    capos_ThreadControl_setSignalMask_call(posix_thread_control(), &m, 0, 0);
    sig_mask = ~UNBLOCKABLE;
    kernel_mask = ~0ULL;
    for (;;) {
        capos_Terminal_nextSignal_results r;
        if (capos_Terminal_nextSignal_call(posix_caps.tty, 0, &r, 0) != CAPOS_OK)
            return arg; /* another process listens, or the terminal is gone */
        if (r.signal != SIGINT && r.signal != SIGQUIT)
            continue;
        posix_child_signal(-1, (int)r.signal);
        capos_ThreadControl_signalProcess_args s = {.signal = (uint8_t)r.signal};
        capos_ThreadControl_signalProcess_call(posix_thread_control(), &s, 0, 0);
    }
}

__attribute__((constructor)) static void tty_listen(void)
{
    if (!posix_caps.tty || !posix_caps.threads)
        return;
    pthread_t t;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setstacksize(&at, 16384);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    pthread_create(&t, &at, tty_main, NULL);
}

/* ---- ITIMER_REAL: a thread of the personality that sends SIGALRM ---- */

static struct posix_lock alarm_lock;
static uint64_t alarm_at, alarm_every; /* monotonic ns, 0: disarmed */
static uint32_t alarm_seq;             /* futex word: bumped on every change */
static bool alarm_started;

static void *alarm_main(void *arg)
{
    capos_ThreadControl_setSignalMask_args m = {.blocked = ~0ULL};
    capos_ThreadControl_setSignalMask_call(posix_thread_control(), &m, 0, 0);
    sig_mask = ~UNBLOCKABLE;
    kernel_mask = ~0ULL;
    for (;;) {
        uint32_t seq = __atomic_load_n(&alarm_seq, __ATOMIC_ACQUIRE);
        posix_lock(&alarm_lock);
        uint64_t at = alarm_at, now = mono_now();
        bool fire = at && now >= at;
        if (fire) {
            if (alarm_every) {
                while (alarm_at <= now)
                    alarm_at += alarm_every;
            } else {
                alarm_at = 0;
            }
        }
        posix_unlock(&alarm_lock);
        if (fire) {
            capos_ThreadControl_signalProcess_args s = {.signal = SIGALRM};
            capos_ThreadControl_signalProcess_call(posix_thread_control(), &s, 0, 0);
            continue;
        }
        struct timespec ts, *tp = NULL;
        if (at) {
            uint64_t d = at - now;
            ts.tv_sec = (time_t)(d / 1000000000ULL);
            ts.tv_nsec = (long)(d % 1000000000ULL);
            tp = &ts;
        }
        sys_futex((long)&alarm_seq, FUTEX_WAIT_PRIVATE_, seq, (long)tp, 0, 0);
    }
    return arg;
}

static void itv_of(uint64_t ns, struct timeval *tv)
{
    tv->tv_sec = (time_t)(ns / 1000000000ULL);
    tv->tv_usec = (suseconds_t)((ns % 1000000000ULL + 999) / 1000);
}

static long itimer_get(struct itimerval *v)
{
    uint64_t now = mono_now();
    posix_lock(&alarm_lock);
    itv_of(alarm_at > now ? alarm_at - now : (alarm_at ? 1000 : 0), &v->it_value);
    itv_of(alarm_every, &v->it_interval);
    posix_unlock(&alarm_lock);
    return 0;
}

long sys_getitimer(long which, long val, long a3, long a4, long a5, long a6)
{
    if (which != ITIMER_REAL)
        return which == ITIMER_VIRTUAL || which == ITIMER_PROF ? -ENOSYS : -EINVAL;
    return itimer_get((struct itimerval *)val);
}

long sys_setitimer(long which, long val, long oval, long a4, long a5, long a6)
{
    if (which != ITIMER_REAL)
        return which == ITIMER_VIRTUAL || which == ITIMER_PROF ? -ENOSYS : -EINVAL;
    const struct itimerval *n = (const struct itimerval *)val;
    if (n &&
        (n->it_value.tv_usec < 0 || n->it_value.tv_usec >= 1000000 || n->it_interval.tv_usec < 0 ||
         n->it_interval.tv_usec >= 1000000 || n->it_value.tv_sec < 0 || n->it_interval.tv_sec < 0))
        return -EINVAL;
    if (oval)
        itimer_get((struct itimerval *)oval);
    if (!n)
        return 0;
    uint64_t value =
        (uint64_t)n->it_value.tv_sec * 1000000000ULL + (uint64_t)n->it_value.tv_usec * 1000ULL;
    uint64_t every = (uint64_t)n->it_interval.tv_sec * 1000000000ULL +
                     (uint64_t)n->it_interval.tv_usec * 1000ULL;
    posix_lock(&alarm_lock);
    bool start = value && !alarm_started;
    alarm_at = value ? mono_now() + value : 0;
    alarm_every = value ? every : 0;
    __atomic_fetch_add(&alarm_seq, 1, __ATOMIC_RELEASE);
    if (start) {
        pthread_t t;
        pthread_attr_t at;
        pthread_attr_init(&at);
        pthread_attr_setstacksize(&at, 16384);
        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&t, &at, alarm_main, NULL) != 0) {
            alarm_at = alarm_every = 0;
            posix_unlock(&alarm_lock);
            return -EAGAIN;
        }
        alarm_started = true;
    }
    posix_unlock(&alarm_lock);
    sys_futex((long)&alarm_seq, FUTEX_WAKE_PRIVATE_, 1, 0, 0, 0);
    return 0;
}
