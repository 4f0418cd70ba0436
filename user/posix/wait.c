/*
 * Children and waiting for them: wait4 (wait, waitpid) and waitid
 * (docs/processes.md).
 *
 * Every child posix_spawn started has an entry here, with its pid and its
 * ProcessHandle, until a wait reaps it: until then the handle keeps the
 * kernel's record of the process, and its status, alive (a zombie).  A
 * wait posts a ProcessHandle.wait for each child it may report that has
 * none in flight yet, all on the calling thread's ring at once, under
 * cookies of their own (WAIT_TAG | entry), and takes whichever completes
 * first (capos_ring_next_tagged); so waiting for any of several children
 * costs no polling, and a child's end is heard of once, whoever waits
 * next.  A wait in flight stays posted when a WNOHANG call returns, and
 * its completion is taken by a later wait.  The completions go to the ring
 * of the thread that posted them: a thread only takes its own, and a
 * child whose wait another thread has in flight is reported to that
 * thread (waiting for the same children from several threads at once is
 * not supported).
 *
 * Status: exited(code) is WIFEXITED with code (0-255); the codes the
 * personality uses for a death by a signal's default action, 0x100 |
 * (128 + sig) (proc.c, POSIX_EXIT_SIGNALLED), are WIFSIGNALED with that
 * signal (abort: SIGABRT); a ProcessHandle.kill is SIGKILL; a CPU
 * exception is the signal Linux sends for it (page and protection faults
 * SIGSEGV, invalid opcode SIGILL, divide and floating-point errors
 * SIGFPE, breakpoints SIGTRAP, alignment SIGBUS) and any other stop by the
 * kernel SIGKILL.  No core is dumped.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "capos.h"
#include "capos.rpc.h"
#include "posix.h"
#include "ring.h"

#define WAIT_TAG  (1ULL << 63) /* cookies of waits in flight: WAIT_TAG | entry */
#define WAIT_MASK (~0ULL << 32)

enum child_state {
    CHILD_FREE,
    CHILD_RESERVED, /* a posix_spawn in progress */
    CHILD_RUNNING,  /* not known to have ended */
    CHILD_ZOMBIE,   /* ended, status known, not reaped */
};

struct child {
    uint8_t state;
    bool posted; /* a ProcessHandle.wait in flight */
    int poster;  /* the thread whose ring it is on */
    int pid;
    uint32_t handle;
    int status;                                   /* CHILD_ZOMBIE: the wait status */
    uint64_t msg[32] __attribute__((aligned(8))); /* the wait's result */
};

static struct posix_lock child_lock;
static struct child children[POSIX_CHILD_MAX];

void posix_child_forked(void)
{
    /* The kernel gave the child none of the parent's ProcessHandles. */
    memset(children, 0, sizeof(children));
    child_lock.state = 0;
}

int posix_child_reserve(void)
{
    int slot = -1;
    posix_lock(&child_lock);
    for (int i = 0; i < POSIX_CHILD_MAX && slot < 0; i++) {
        if (children[i].state == CHILD_FREE) {
            children[i].state = CHILD_RESERVED;
            slot = i;
        }
    }
    posix_unlock(&child_lock);
    return slot;
}

void posix_child_unreserve(int slot)
{
    posix_lock(&child_lock);
    children[slot].state = CHILD_FREE;
    posix_unlock(&child_lock);
}

int posix_children(int *pids, uint32_t *handles, int max)
{
    int n = 0;
    posix_lock(&child_lock);
    for (int i = 0; i < POSIX_CHILD_MAX && n < max; i++) {
        if (children[i].state == CHILD_RUNNING || children[i].state == CHILD_ZOMBIE) {
            pids[n] = children[i].pid;
            handles[n++] = children[i].handle;
        }
    }
    posix_unlock(&child_lock);
    return n;
}

void posix_children_init(void)
{
    const struct capos_capset_header *cs = posix_capset();
    size_t pl = sizeof(POSIX_CHILDREN_ENV) - 1;
    for (uint32_t i = 0; i < cs->envc; i++) {
        const char *e = posix_capset_env(i);
        if (strncmp(e, POSIX_CHILDREN_ENV, pl) != 0)
            continue;
        for (const char *p = e + pl; *p;) {
            char *end;
            long pid = strtol(p, &end, 10);
            if (end == p || pid <= 0 || pid > INT32_MAX)
                return; /* malformed: no more children */
            char name[CAPOS_CAPSET_NAME_MAX];
            snprintf(name, sizeof(name), "child%ld", pid);
            uint32_t h = posix_capset_find(name, capos_ProcessHandle_INTERFACE_ID);
            int slot = h ? posix_child_reserve() : -1;
            if (slot >= 0)
                posix_child_add(slot, (int)pid, h);
            p = *end == ',' ? end + 1 : end;
        }
    }
}

void posix_child_add(int slot, int pid, uint32_t handle)
{
    posix_lock(&child_lock);
    struct child *c = &children[slot];
    c->pid = pid;
    c->handle = handle;
    c->posted = false;
    c->state = CHILD_RUNNING;
    posix_unlock(&child_lock);
}

/* The signal Linux sends for CPU exception `vector`. */
static int fault_signal(unsigned vector)
{
    switch (vector) {
    case 0:  /* #DE */
    case 16: /* #MF */
    case 19: /* #XM */ return SIGFPE;
    case 1: /* #DB */
    case 3: /* #BP */ return SIGTRAP;
    case 6: /* #UD */ return SIGILL;
    case 17: /* #AC */ return SIGBUS;
    case 4:  /* #OF */
    case 5:  /* #BR */
    case 11: /* #NP */
    case 12: /* #SS */
    case 13: /* #GP */
    case 14: /* #PF */ return SIGSEGV;
    default: return SIGKILL;
    }
}

/* A wait status (the W* macros' encoding) for a decoded ExitStatus. */
static int wait_status(const struct capos_cqe *cqe, const void *msg)
{
    struct capnp_reader r;
    capos_ProcessHandle_wait_results res;
    uint32_t detail;
    if (cqe->result != CAPOS_OK ||
        !capos_ProcessHandle_wait_decode_results(&r, msg, cqe->result_len, 0, &res, &detail))
        return SIGKILL; /* the kernel always answers; nothing else is honest */
    switch (capos_ExitStatus_which(res.status)) {
    case capos_ExitStatus_which_exited: {
        int32_t code = capos_ExitStatus_get_exited(res.status);
        if ((code & ~0xff) == POSIX_EXIT_SIGNALLED && (code & 0xff) > 128 &&
            (code & 0xff) < 128 + 65)
            return (code & 0xff) - 128;
        return (code & 0xff) << 8;
    }
    case capos_ExitStatus_which_faulted:
        return fault_signal(capos_Fault_get_vector(capos_ExitStatus_get_faulted(res.status)));
    default: return SIGKILL;
    }
}

/* Whether child c is one `pid` (wait4's argument) asks for.  There are no
 * process groups apart from the one every process is in: 0 and -1 mean
 * any child, and -g any child when g is the caller's group. */
static bool wait_matches(const struct child *c, long pid)
{
    if (c->state != CHILD_RUNNING && c->state != CHILD_ZOMBIE)
        return false;
    if (pid > 0)
        return c->pid == pid;
    if (pid == 0 || pid == -1)
        return true;
    return -pid == posix_pid();
}

/* Takes in a completion of a wait of ours; under child_lock. */
static void wait_completed(const struct capos_cqe *cqe)
{
    uint64_t i = cqe->user_data & ~WAIT_MASK;
    if (i >= POSIX_CHILD_MAX || !children[i].posted)
        return;
    struct child *c = &children[i];
    c->posted = false;
    c->status = wait_status(cqe, c->msg);
    c->state = CHILD_ZOMBIE;
}

/*
 * The core of wait4 and waitid: a child `pid` asks for that has ended,
 * reaped unless `keep`; *st gets its status.  Returns its pid, 0 with
 * `nohang` if none has ended yet, -ECHILD if there is no such child.
 */
static long wait_for(long pid, bool nohang, bool keep, int *st)
{
    int me = posix_thread_tid();
    for (;;) {
        bool any = false, posted = false, starved = false;
        struct child *found = NULL;
        posix_lock(&child_lock);
        for (int i = 0; i < POSIX_CHILD_MAX && !found; i++) {
            struct child *c = &children[i];
            if (!wait_matches(c, pid))
                continue;
            any = true;
            if (c->state == CHILD_ZOMBIE) {
                found = c;
            } else if (!c->posted) {
                struct capos_sqe *sqe = capos_ring_prep();
                if (!sqe) {
                    starved = true; /* the queue is full: posted next time round */
                    continue;
                }
                capos_sqe_call(sqe, c->handle, capos_ProcessHandle_INTERFACE_ID,
                               capos_ProcessHandle_method_wait, NULL, 0, c->msg, sizeof(c->msg),
                               NULL, 0);
                sqe->user_data = WAIT_TAG | (uint64_t)i;
                c->posted = true;
                c->poster = me;
                posted = true;
            } else if (c->poster == me) {
                posted = true;
            }
        }
        if (found) {
            long r = found->pid;
            *st = found->status;
            if (!keep) {
                capos_release(found->handle);
                found->state = CHILD_FREE;
            }
            posix_unlock(&child_lock);
            return r;
        }
        posix_unlock(&child_lock);
        if (!any)
            return -ECHILD;
        if (!posted && nohang)
            return 0;
        /* Submit what was prepared; with WNOHANG take only what is there. */
        struct capos_cqe cqe;
        capos_ring_enter(0, 0);
        if (starved)
            continue; /* the queue has room again: post the rest first */
        bool got = capos_ring_next_tagged(WAIT_MASK, WAIT_TAG, !nohang && posted, &cqe);
        if (!got && !posted) {
            /* Only other threads' waits are in flight: they report these
             * children; block on nothing here. */
            return nohang ? 0 : -ECHILD;
        }
        if (!got) {
            /* Woken for a signal whose handler ran: EINTR unless it asked
             * for SA_RESTART; else look again (it may have reaped). */
            long e = posix_sig_wait_result();
            if (e || nohang)
                return e;
            continue;
        }
        posix_lock(&child_lock);
        wait_completed(&cqe);
        /* Whatever else has completed meanwhile, without blocking. */
        while (capos_ring_next_tagged(WAIT_MASK, WAIT_TAG, false, &cqe))
            wait_completed(&cqe);
        posix_unlock(&child_lock);
    }
}

long posix_child_signal(long pid, int sig)
{
    long r = -ESRCH;
    posix_lock(&child_lock);
    for (int i = 0; i < POSIX_CHILD_MAX; i++) {
        struct child *c = &children[i];
        if ((c->state != CHILD_RUNNING && c->state != CHILD_ZOMBIE) || (pid > 0 && c->pid != pid))
            continue;
        r = 0;
        if (sig == 0 || c->state == CHILD_ZOMBIE)
            continue; /* a zombie takes a signal and ignores it, as on Linux */
        capos_ProcessHandle_signal_args a = {.signal = (uint8_t)sig};
        int err = capos_ProcessHandle_signal_call(c->handle, &a, 0, 0);
        if (err == CAPOS_ERR_INVALID_ARGUMENT)
            r = sig == SIGSTOP ? -ENOSYS : -EINVAL;
        /* peerGone: it has ended and is not reaped yet, a zombie. */
    }
    posix_unlock(&child_lock);
    return r;
}

#define WAIT4_OPTIONS (WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WALL | __WCLONE)

long sys_wait4(long pid, long status, long options, long ru, long a5, long a6)
{
    if (options & ~(long)WAIT4_OPTIONS || pid == INT_MIN)
        return -EINVAL;
    int st = 0;
    long r = wait_for(pid, options & WNOHANG, false, &st);
    if (r > 0 && status)
        *(int *)status = st;
    if (r >= 0 && ru)
        memset((void *)ru, 0, sizeof(struct rusage));
    return r;
}

long sys_waitid(long type, long id, long info, long options, long ru, long a6)
{
    if (!(options & WEXITED) || options & ~(long)(WNOHANG | WEXITED | WSTOPPED | WCONTINUED |
                                                  WNOWAIT | __WNOTHREAD | __WALL | __WCLONE))
        return -EINVAL;
    long pid;
    switch (type) {
    case P_ALL: pid = -1; break;
    case P_PID:
        if (id <= 0)
            return -EINVAL;
        pid = id;
        break;
    case P_PGID: pid = id ? -id : 0; break;
    default: return -EINVAL;
    }
    int st = 0;
    long r = wait_for(pid, options & WNOHANG, options & WNOWAIT, &st);
    if (r < 0)
        return r;
    siginfo_t *si = (siginfo_t *)info;
    if (si) {
        memset(si, 0, sizeof(*si));
        if (r > 0) {
            si->si_signo = SIGCHLD;
            si->si_pid = (pid_t)r;
            si->si_uid = 0;
            if (WIFEXITED(st)) {
                si->si_code = CLD_EXITED;
                si->si_status = WEXITSTATUS(st);
            } else {
                si->si_code = CLD_KILLED;
                si->si_status = WTERMSIG(st);
            }
        }
    }
    if (ru)
        memset((void *)ru, 0, sizeof(struct rusage));
    return 0;
}
