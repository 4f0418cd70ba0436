/*
 * Asynchronous signals (docs/signals.md): a process's pending set, what it
 * wants delivered, its entry point, and the link a child uses to tell its
 * parent it ended (SIGCHLD).
 *
 * The kernel knows no disposition, handler or per-signal semantics: it
 * marks a signal pending (ProcessHandle.signal, ThreadControl.signalProcess,
 * a child's end), makes one of the process's threads notice (a thread
 * waiting in cap_enter returns early, a running one is interrupted), and at
 * the thread's next return to user mode hands every pending signal it does
 * not block to the registered entry in one frame on the user stack.  What
 * a signal then does is the process's business.  SIGKILL alone is the
 * kernel's: it stops the process (status killed).
 *
 * Invariants: `pending` only holds signals `wanted` at the time they were
 * posted (and loses any that stop being wanted); info[s-1] describes the
 * latest post of signal s.  Both, and the entry fields, change under
 * `lock`.  Every operation is O(threads of the target) at most.
 */
#ifndef CAPOS_KERNEL_SIGNAL_H
#define CAPOS_KERNEL_SIGNAL_H

#include "abi/signal.h"
#include "base/compiler.h"
#include "spinlock.h"

struct process;
struct thread;
struct ledger;

/* A process as its children's SIGCHLD sees it: NULL once it has stopped.
 * Referenced by the process and by each child it made; freed by the last
 * reference (nothing else goes with it, so no chain of frees). */
struct sig_link {
    struct spinlock lock;
    uint32_t refs;
    struct process *proc;
};

struct process_signals {
    struct spinlock lock;
    uint64_t pending; /* written under lock; read without it as a hint */
    uint64_t wanted;
    uint64_t entry; /* 0: none registered (signals stay pending) */
    uint64_t restore_lo, restore_hi;
    struct capos_sig_info info[CAPOS_SIG_MAX];
    struct sig_link *self;   /* this process, for its children */
    struct sig_link *parent; /* the process that made it (NULL: the kernel) */
};

/* Sets up p's signal state with everything wanted, nothing pending, and
 * its link (charged to ledger `l`), holding a reference on the creator's
 * link (`parent` may be NULL).  quotaExceeded or noMemory, else ok. */
int signal_init(struct process *p, struct process *parent, struct ledger *l);

/* Drops p's references on the links (process_free). */
void signal_release(struct process *p);

/* p has stopped: its link goes dead (its children's SIGCHLD goes nowhere). */
void signal_process_stopped(struct process *p);

/* p's waiters have been told it ended (process.c, the reaper's last
 * stage): its parent is sent SIGCHLD now, not at the stop, so that a
 * parent whose handler calls waitpid(WNOHANG) finds the child there, as
 * on Linux, where SIGCHLD comes with the zombie. */
void signal_process_reaped(struct process *p);

/* Sends signal `sig` to p on behalf of process `from_pid` (ProcessHandle.
 * signal, ThreadControl.signalProcess).  invalidArgument (0, > 64,
 * SIGSTOP), peerGone (p has stopped) or ok. */
int signal_send(struct process *p, unsigned sig, uint32_t from_pid);

/* ThreadControl.setSignalEntry for the calling thread's process. */
int signal_register(struct process *p, uint64_t entry, uint64_t lo, uint64_t hi, uint64_t wanted);

/* An exec: the registration goes (the entry was the old program's code),
 * everything is wanted again; what is pending stays pending. */
void signal_exec(struct process *p);

/* A fork's child (not yet running) gets the parent's registration: its
 * memory is a copy of the parent's, entry and restore code included, and
 * so is what its signal layer believes it registered.  Nothing pending
 * is copied, as POSIX wants for a child. */
void signal_fork(struct process *child, struct process *parent);

/* Whether thread t has a signal to take (cap_enter's wait ends early). */
static inline bool signal_ready(const struct process_signals *s, uint64_t blocked)
{
    return __atomic_load_n(&s->entry, __ATOMIC_RELAXED) != 0 &&
           (__atomic_load_n(&s->pending, __ATOMIC_RELAXED) & ~blocked) != 0;
}

/* Takes the signals thread t may be given now (its process has an entry,
 * the interrupted instruction at `rip` is outside the restore range),
 * filling `info` for them and *entry; 0 if none. */
uint64_t signal_take(struct thread *t, uint64_t rip, struct capos_sig_info *info, uint64_t *entry);

/* Arch: before a return to user mode of the current thread, whose user
 * state is `frame`: diverts it to the signal entry if signal_take gives it
 * anything (a frame the user stack cannot hold stops the process). */
void arch_signal_deliver(void *frame);

#endif
