/*
 * libcapos-posix: the system calls of musl, carried out over capabilities.
 *
 * musl's system call layer calls __capos_syscall(n, a1..a6) (ports/musl);
 * syscall.c dispatches on n to the functions declared here, one file per
 * kind of object: the fd table (fd.c) and what a descriptor can name
 * (console.c, pipe.c), waiting on descriptors (poll.c), paths (path.c),
 * memory (mem.c), time (time.c), threads and futexes (thread.c), the
 * process itself (proc.c), randomness (random.c).  Each returns what Linux
 * would: a result >= 0 or -errno.
 *
 * Authority: the capabilities are the ones the process was granted, looked
 * up by their conventional CapSet names once at start-up (capset.c).  A call
 * whose capability is missing fails the way docs/posix.md states (EPERM for
 * time and randomness, ENOMEM for memory, EAGAIN for threads, ENFILE for
 * pipes, EBADF for an unopened descriptor); nothing here can reach anything
 * else.
 */
#ifndef CAPOS_POSIX_POSIX_H
#define CAPOS_POSIX_POSIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "abi/capset.h"

/* The capabilities the personality uses, 0 when not granted. */
struct posix_caps {
    uint32_t memory;  /* VirtualMemory "memory" */
    uint32_t timer;   /* Timer "timer" */
    uint32_t entropy; /* EntropySource "entropy" */
    uint32_t threads; /* ThreadSpawner "threads" */
    uint32_t park;    /* ParkSpace "park" */
    uint32_t out;     /* Console for fd 1: "stdout", else "console" */
    uint32_t err;     /* Console for fd 2: "stderr", else "console" */
    uint32_t pipes;   /* PipeFactory "pipes" */
    uint32_t root;    /* Directory "root": the process's "/" */
    uint32_t spawner; /* ProcessSpawner "spawner" (posix_spawn) */
    uint32_t tty;     /* Terminal "terminal", else "tty": fds 0-2 and /dev/tty */
};
extern struct posix_caps posix_caps;

/* ---- capset.c ---- */
const struct capos_capset_header *posix_capset(void);
bool posix_capset_init(const void *region);
/* The cap named `name` with interface `iid` (0: any), or 0. */
uint32_t posix_capset_find(const char *name, uint64_t iid);
/* The i-th argv / env string (i < count). */
const char *posix_capset_arg(uint32_t i);
const char *posix_capset_env(uint32_t i);

/* ---- errors ---- */
/* The errno for a capOS ErrorCode (a failed call). */
long posix_errno(int err);

/* ---- lock.c: a small mutex for the personality's own tables ---- */
struct posix_lock {
    uint32_t state; /* 0 free, 1 held, 2 held with waiters */
};
void posix_lock(struct posix_lock *l);
void posix_unlock(struct posix_lock *l);

/* ---- the system calls (syscall.c dispatches to them) ---- */
typedef long posix_fn(long, long, long, long, long, long);
#define X(name, fn, support) posix_fn fn;
#include "systab.h"
#undef X

/* The hooks the musl patches call instead of a system call (ports/musl). */
long __capos_syscall(long n, long a1, long a2, long a3, long a4, long a5, long a6);
long __capos_set_thread_area(void *tp);
long __capos_clone(int (*fn)(void *), void *stack, int flags, void *arg, int *ptid, void *tls,
                   int *ctid);
__attribute__((noreturn)) void __capos_unmapself(void *base, size_t size);
__attribute__((noreturn)) void __capos_sigreturn(void);
long __capos_vfork(void);
long posix_random(void *buf, size_t len);

/* ---- thread.c ---- */
/* The calling thread's ThreadControl and its id (tid). */
uint32_t posix_thread_control(void);
int posix_thread_tid(void);
void posix_thread_init_main(uint32_t control, int tid);

/* ---- after fork, in the child (fork.c) ----
 * Each file's per-process state that the copy must not keep: its lock
 * (another thread of the parent may have held it; only the forking
 * thread goes on in the child) and what belongs to the parent alone. */
void posix_thread_forked(uint32_t control, int pid); /* the ids of the one thread */
void posix_child_forked(void);                       /* no children */
void posix_fd_forked(void);
/* The parent's side of a fork (fd.c: shared offsets): prepare takes the
 * fd table's lock and a holder for the child on every shared offset;
 * done gives them back if `forked` is false, and the lock. */
void posix_fd_fork_prepare(void);
void posix_fd_fork_done(bool forked);
/* The process is ending: its holds on the shared offsets go back (a
 * process killed from outside keeps its own until the last process of
 * its family has gone, with the page). */
void posix_fd_exiting(void);
void posix_file_forked(void);
void posix_mem_forked(void);
void posix_sig_forked(void); /* nothing pending */
/* The process's group (its pid unless setpgid moved it): proc.c. */
long posix_getpgrp(void);
void posix_spawn_forked(void);

/* ---- time.c ---- */
struct timespec;
/* clock_gettime without the checks of the system call: 0 or -errno. */
long posix_clock(int clk, struct timespec *ts);

/* ---- mem.c ---- */
/* Unmaps [base, base+size) once *word is no longer what it is now (the
 * kernel clears a thread's clear-tid word when the thread has ended). */
void posix_stack_defer(void *base, size_t size, int *word);

/* ---- fd.c ---- */
void posix_fd_init(void);
/* mmap of descriptor fd: -EBADF if it is not open, else -ENODEV (nothing
 * a descriptor names here can be mapped). */
long posix_fd_mappable(int fd);

/* ---- file.c ---- */
/* Finds the root and sets the initial working directory. */
void posix_file_init(void);
/* Whether environment entry e is the personality's own (kept from main). */
bool posix_env_hidden(const char *e);
/* 0 if (dirfd, path) names something (following links), else -errno. */
long posix_path_exists(long dirfd, const char *path);

/* ---- proc.c ---- */
/* The exit code of a process a signal's default action ended: this bit
 * with 128 + the signal (the low byte a shell would show), which wait
 * reports as WIFSIGNALED (wait.c).  exit() codes never reach it. */
#define POSIX_EXIT_SIGNALLED 0x100
/* The environment entry of the signal mask a spawned process starts with
 * (posix_spawnattr_setsigmask; hidden from main). */
#define POSIX_SIGMASK_ENV "CAPOS_POSIX_SIGMASK="
/* The environment entry of the signals a program started by execve
 * ignores (SIG_IGN stays across exec; hidden from main). */
#define POSIX_SIGIGN_ENV "CAPOS_POSIX_SIGIGN="
/* Sets the calling thread's signal mask (start-up). */
void posix_sig_init_mask(uint64_t mask);
/* Makes the signals in `mask` (bit sig - 1) ignored (start-up). */
void posix_sig_init_ignored(uint64_t mask);
/* What execve keeps: the calling thread's signal mask, and (*ignored) the
 * signals whose action is SIG_IGN. */
uint64_t posix_sig_exec_state(uint64_t *ignored);
__attribute__((noreturn)) void posix_exit_group(int status);
/* Ends the process as the default action of sig does. */
__attribute__((noreturn)) void posix_exit_signal(int sig);
int posix_pid(void);
/* ---- signal.c (docs/signals.md) ---- */
/* Delivers sig to the calling thread now (raise, without the checks). */
void posix_raise(int sig);
/* Around every system call (syscall.c): while a thread is inside one, a
 * signal the kernel delivers waits for a safe point.  enter's result goes
 * to leave, which runs the handlers that became due. */
long posix_syscall_enter(void);
void posix_syscall_leave(long entered);
/* Waits until the monotonic clock reads `deadline` (UINT64_MAX: for ever)
 * or a signal the thread does not block arrives; true for a signal. */
bool posix_sig_sleep(uint64_t deadline);
/* -EINTR once if a handler without SA_RESTART ran in this thread since
 * the last call, else 0 (a wait that goes on after a handler asks). */
long posix_sig_wait_result(void);
/* Whether a signal the calling thread does not block waits for it (a
 * wait that can be abandoned, poll's, then returns EINTR). */
bool posix_sig_due_now(void);
/* Whether a handler without SA_RESTART is installed (a blocking read then
 * waits in a way a signal can interrupt). */
bool posix_sig_may_interrupt(void);
/* Set once signals can be delivered (every thread has its thread-local
 * storage from then on), and the personality's locks the calling thread
 * holds (lock.c counts them): a handler never runs while it holds one. */
extern bool posix_sig_live;
extern __thread int posix_locks_held;
#define FUTEX_WAIT_PRIVATE_ 128
#define FUTEX_WAKE_PRIVATE_ 129

/* ---- wait.c: the children posix_spawn started ---- */
#define POSIX_CHILD_MAX 64 /* children not yet reaped (RLIMIT_NPROC) */
/* A free entry for a child being spawned, or -1 if there are
 * POSIX_CHILD_MAX already. */
int posix_child_reserve(void);
void posix_child_unreserve(int slot);
/* Records the child started into a reserved entry. */
void posix_child_add(int slot, int pid, uint32_t handle);
/* The children not yet reaped (pids and ProcessHandles, at most max):
 * what execve hands the new program.  Returns how many. */
int posix_children(int *pids, uint32_t *handles, int max);
/* The environment entry of the children a program started by execve
 * inherits ("pid,pid,...", each handle as CapSet entry "child<pid>";
 * hidden from main). */
#define POSIX_CHILDREN_ENV "CAPOS_POSIX_CHILDREN="
/* Adopts the children POSIX_CHILDREN_ENV lists (start-up). */
void posix_children_init(void);
/* kill for a child: `pid`, or -1 for every child not yet reaped.
 * ESRCH if there is no such child. */
long posix_child_signal(long pid, int sig);

#endif
