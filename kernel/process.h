/*
 * Processes: an address space, a capability table, a ledger (its memory
 * quota, mm/ledger.h) and one or more threads (each with its own ring).
 *
 * Life cycle: ALIVE from creation; process_exit / process_fault / kill move
 * it to EXITED once, recording the exit status, cancelling its pending
 * operations and releasing every capability it holds.  Its memory is freed
 * when its last thread has been switched away from (the address space may
 * be live on the CPU until then).  The struct itself is reference counted:
 * ProcessHandle objects keep it (and its exit status) readable after exit.
 * The struct, like everything else the kernel holds for the process, is
 * charged to the process's ledger, which it holds a reference on.
 */
#ifndef CAPOS_KERNEL_PROCESS_H
#define CAPOS_KERNEL_PROCESS_H

#include "abi/capset.h"
#include "abi/errors.h"
#include "elf/elf.h"
#include "base/compiler.h"
#include "cap.h"
#include "mm/ledger.h"
#include "objects.h"
#include "pending.h"
#include "queue/queue.h"
#include "rbtree/rbtree.h"
#include "reaper.h"
#include "ring.h"
#include "signal.h"
#include "spinlock.h"
#include "vm/vm.h"

#define PROCESS_MAX_CAPS       256
#define PROCESS_DEFAULT_FRAMES (64ULL * 1024 * 1024 / 4096) /* 64 MiB */
#define PROCESS_MAX_VM_REGIONS 64
#define PROCESS_MAX_THREADS    64
#define PROCESS_MAX_RECEIVED   64 /* endpoint calls received, not yet returned (a bitmap) */
/* The distance between the rings of a process's threads (process.c). */
#define PROCESS_RING_STRIDE (8 * 4096)
/* The part of the first thread's stack mapped and charged when a process is
 * made (process_create), unless the program's commit note asks for all of
 * it (lib/abi/note.h): room for start-up's frames (the POSIX runtime's
 * argv, environment and auxiliary vector included), so that a spawn the
 * quota cannot start fails with quotaExceeded rather than the child dying
 * on its first push.  The rest of the stack is charged as it is touched. */
#define PROCESS_STACK_COMMIT (8 * 1024)

enum process_state {
    PROCESS_ALIVE,
    PROCESS_EXITED,
};

enum exit_kind {
    EXIT_CODE,    /* exit(code) */
    EXIT_KILLED,  /* killed through a ProcessHandle */
    EXIT_FAULTED, /* stopped by the kernel */
};

struct exit_status {
    enum exit_kind kind;
    int32_t code;
    uint8_t vector;   /* EXIT_FAULTED: CPU vector, 255 for kernel-detected */
    uint64_t address; /* EXIT_FAULTED: faulting address or RIP */
    uint64_t rip;     /* EXIT_FAULTED by an exception: where, and in which thread */
    uint32_t tid;
    char reason[64];
};

/* p->vm[] (struct vm_region, lib/vm/vm.h) holds the anonymous mappings made
 * through VirtualMemory (kernel/object/vm.c); only these can be unmapped or
 * re-protected, so a process cannot unmap its ring or CapSet. */
struct process {
    unsigned pid;
    unsigned ppid; /* the spawning process's pid (0: the kernel's); exec keeps it */
    char name[CAPOS_CAPSET_NAME_MAX];
    enum process_state state;
    struct exit_status status;
    uint32_t refs;
    /* Guards the state, the thread list, the address space and the
     * received-call table; the capability table has its own (caps.lock). */
    struct spinlock lock;

    uint64_t root;         /* PML4 */
    uint64_t cpus_active;  /* CPUs that may have `root` loaded (context.c) */
    struct ledger *ledger; /* a reference; what the process and its children are charged to */
    struct vm_region vm[PROCESS_MAX_VM_REGIONS];
    unsigned vm_count;
    /* The first thread's stack, [stack_lo, CAPOS_USER_STACK_TOP): its top
     * PROCESS_STACK_COMMIT bytes are mapped when the process is made, the
     * rest is demand-zero and read-write like a region (mm/fault.c), but
     * the kernel's, out of VirtualMemory's reach (it lies above
     * CAPOS_USER_MAP_MAX).  Set once, before the process runs. */
    uint64_t stack_lo;
    /* The zero-filled tail of the image's last writable segment (its
     * .bss), [bss_lo, bss_hi): demand-zero and read-write the same way,
     * unless the program asks for all of its memory to be committed
     * (lib/abi/note.h).  Empty if bss_lo == bss_hi.  Set once, before the
     * process runs. */
    uint64_t bss_lo, bss_hi;
    bool clock_mapped; /* the clock page is mapped (clockpage.c) */

    struct cap_table caps;
    /* Thread accounting (process lock).  A thread being created counts
     * only in nspawning (against the thread limit, with its ring slot)
     * until process_thread_spawn commits it onto the list; nthreads and
     * nlive count committed threads alone, so whoever brings one of them
     * to zero is the last: the last nlive ends the process, the last
     * nthreads releases its memory.  A commit needs the process alive and
     * nlive > 0, so neither count rises again once it has reached zero. */
    struct thread *threads; /* committed threads not yet freed (thread.proc_next) */
    /* An exec (exec.c) is ending p's other threads and replacing its
     * program: no thread spawn commits meanwhile, and no second exec
     * starts. */
    bool exec_ending;
    unsigned nthreads;     /* threads on that list */
    unsigned nlive;        /* threads on it that have not called ThreadControl.exit */
    unsigned nspawning;    /* threads being created, not yet on the list */
    uint64_t ring_slots;   /* ring addresses in use by threads after the first */
    uint64_t ended_run_ns; /* CPU time of the threads no longer on the list */

    /* Endpoint calls this process received and has not returned; a slot is
     * reserved by each posted RECV.  Tokens carry the slot's generation. */
    struct pending_op *received[PROCESS_MAX_RECEIVED];
    uint64_t received_used; /* bit i: slot i is reserved */
    uint32_t received_gen[PROCESS_MAX_RECEIVED];

    /* ProcessHandle.wait operations waiting for this one (process lock),
     * oldest first; a wait that is cancelled leaves in O(1). */
    struct queue waiters;

    /* ParkSpace.wait operations of this process's threads, by address
     * (object/park.c).  Its own lock, so that parking does not contend
     * with the process's other state; taken alone. */
    struct spinlock park_lock;
    struct rb_tree parked;

    struct queue_link all_link; /* on the list of live processes */

    /* Teardown by the reaper (reaper.h): once stopped, its operations,
     * received calls, table and waiters (reap_stop, in reap_stage order);
     * once its last thread is gone, its address space (reap_memory: the
     * detached root, and how far paging_teardown has got). */
    struct reap_work reap_stop;
    struct reap_work reap_memory;
    uint8_t reap_stage;
    uint64_t reap_root, reap_cursor;
    /* The two halves of the teardown (reap_stop up to its table, and the
     * address space) still to finish (process lock); whichever finishes
     * last sets `reaped` and completes the waiters, so that a wait
     * answers only once everything the process held is back.  A wait on
     * a process already reaped answers at once. */
    uint8_t reap_left;
    bool reaped;

    /* The ProcessSpawner that started it, whose count of live processes
     * it is in (spawner_adopt), or NULL; a reference, given back when the
     * process stops (process lock). */
    struct kobj *spawner;
    struct process_signals sig; /* signal.h */
};

/* The reaper's stages of a stopped process (process_reap_stopped). */
enum {
    PROCESS_REAP_CANCEL,   /* each thread's pending operations, a thread per step */
    PROCESS_REAP_RECEIVED, /* the calls it received and did not return */
    PROCESS_REAP_TABLE,    /* its capabilities, a batch per step */
    PROCESS_REAP_WAITERS,  /* ProcessHandle.wait, a batch per step, once reaped */
};

/* Joins of a gone thread completed where it goes (the switch away from
 * it); the reaper completes any others. */
#define PROCESS_JOINS_INLINE 8

/* Kernel objects bound to the process they are granted to, which
 * process_create makes once the process exists. */
enum process_bind {
    PROCESS_BIND_NONE = 0,
    PROCESS_BIND_MEMORY,  /* VirtualMemory */
    PROCESS_BIND_THREADS, /* ThreadSpawner */
};

/* One capability to put into a new process's CapSet. */
struct process_grant {
    const char *name;
    struct kobj *obj; /* a reference the new process takes over (NULL if bound) */
    uint64_t interface_id;
    enum process_bind bind;
};

/* The ELF limits a process image must meet (user range, memory bound). */
struct elf_limits process_elf_limits(uint64_t frame_limit);

/* A kernel copy of an image a caller supplied (ProcessSpawner.spawnImage):
 * contiguous frames at `pa`, charged to the new process's ledger.  A page
 * the image fills whole is not copied again: its frame of the copy is
 * handed over to the process (its bit in `taken`, one per frame of the
 * copy, is set), and the copy's owner frees and uncharges only the
 * others. */
struct image_frames {
    uint64_t pa;
    uint8_t *taken;
};

/*
 * Creates a process from an ELF image (a manifest binary, already
 * validated by the manifest check, or a kernel copy of an image a caller
 * supplied: validated here either way), with the given grants and
 * argv/env.  `frames` is NULL for a manifest binary, whose read-only
 * pages are shared (imagepages.h): only those, as the cache knows a
 * binary by its address, which only the boot module keeps; else it
 * describes the copy the image is.
 * Everything it is made of is charged to `ledger` (the process takes a
 * reference of its own; the caller keeps its).  Grants with a `bind` kind
 * have no object yet: each receives one bound to the new process itself.
 * The first thread starts with its ThreadControl's cap id in rdx.  On
 * success the process is runnable and the caller holds a reference to it
 * (it may have exited already: process_put when done); on failure nothing
 * is left behind (the grants' references are dropped), *why says what
 * failed and *err is the ErrorCode for it (quotaExceeded when the ledger
 * refused a charge; invalidArgument with *bad_image set when the image
 * is not one this kernel runs).
 */
struct process *process_create(const char *name, const void *elf, uint64_t elf_len,
                               struct image_frames *frames, bool *bad_image,
                               struct process_grant *grants, unsigned ngrants,
                               const char *const *argv, unsigned argc, const char *const *env,
                               unsigned envc, struct ledger *ledger, int *err, const char **why);

/* The parts of process_create that fork (kernel/fork.c) builds a process
 * from.  process_new: a process with its struct, pid and empty capability
 * table, charged to `ledger` (it takes a reference), not yet visible; NULL
 * and *err on failure.  process_discard: frees such a process and
 * everything it has so far (`t`, its first thread, may be NULL), which
 * nobody else has seen.  process_publish: makes it visible with `t` as its
 * first and only thread, and runnable; the caller keeps a reference. */
struct process *process_new(const char *name, struct ledger *ledger, int *err);
void process_discard(struct process *p, struct thread *t);
void process_publish(struct process *p, struct thread *t);

/* The steps process_create builds a process with, which exec (exec.c)
 * also builds a new image with, on a process struct of its own that is
 * never published (its root, ledger, pid, ppid and name set).  Each
 * returns an ErrorCode (or NULL, with *err and *why), and leaves what it
 * made in p's address space or ledger for the caller's unwinding. */
int process_map_bytes(struct process *p, uint64_t va, const void *src, uint64_t src_len,
                      uint64_t len, unsigned flags);
int process_load_elf(struct process *p, const uint8_t *image, const struct elf_info *info,
                     struct image_frames *frames, bool all, uint64_t *pages, uint64_t *shared);
bool process_stack_size(const void *elf, uint64_t elf_len, bool all, uint64_t *size,
                        uint64_t *commit);
uint8_t *process_build_capset(struct process *p, const struct process_grant *grants,
                              const uint32_t *ids, unsigned ngrants,
                              const struct process_grant *self, uint32_t self_id,
                              const char *const *argv, unsigned argc, const char *const *env,
                              unsigned envc, uint32_t *len_out, int *err, const char **why);

struct xfer_set;
/*
 * ProcessSpawner.exec (exec.c): replaces the program of t's process p (t
 * the calling thread) with the ELF image in `frames` (a kernel copy
 * charged to p's ledger, as spawnImage makes), in place.  Checks and
 * builds everything first -- the image, a new address space with t's ring
 * moved into it, a new capability table holding the grants and a new
 * ThreadControl for t, the CapSet -- and only then commits: p's other
 * threads end, then the transfers in x, the switch to the new space and
 * table, the cancelling of t's operations and of the calls p received,
 * and t's restart at the new entry when its cap_enter returns
 * (thread.exec_restart); the old space and table are freed last.  On failure p and t are exactly as
 * before, the grants' references dropped and x untouched; *why, and
 * *bad_image when the image is not one this kernel runs.  Returns an
 * ErrorCode.
 */
int process_exec(struct process *p, struct thread *t, const char *name, const void *elf,
                 uint64_t elf_len, struct image_frames *frames, bool *bad_image,
                 struct process_grant *grants, unsigned ngrants, const char *const *argv,
                 unsigned argc, const char *const *env, unsigned envc, struct xfer_set *x,
                 const char **why);

/* What ThreadSpawner.spawn asks for. */
struct thread_spawn_args {
    uint64_t entry, stack, tls, arg;
    uint64_t affinity;  /* already checked against the online CPUs; 0 = the parent's */
    uint64_t set_tid;   /* aligned user address that gets the thread's id, or 0 */
    uint64_t clear_tid; /* aligned user address, or 0 (thread.h) */
};

/* Starts a thread in p (ThreadSpawner.spawn) with the parent's scheduling
 * parameters; *handle gets a ThreadHandle for it, made before the thread
 * can run (so nothing can fail once it does), and *tid its id, which is
 * also stored at a->set_tid (if not 0) before the commit: badAddress, and
 * nothing started, if that word is not writable.  Nothing of the thread is
 * visible to anyone (its ThreadControl in p's table, the thread on p's
 * list) before the commit, which happens under p's lock after checking
 * that p is alive and has a live thread.  Returns an ErrorCode; on failure
 * nothing is left behind. */
int process_thread_spawn(struct process *p, const struct thread_spawn_args *a,
                         const struct thread *parent, struct kobj **handle, uint32_t *tid);

/* ThreadControl.exit: ends the calling thread; the process ends with
 * exited(code) if it was the last.  Otherwise the thread's clear-tid word
 * (if any) is set to 0 and its ParkSpace waiters woken first.  Never
 * returns. */
NORETURN void process_thread_exit(int32_t code);

/* Records that t ended (once: later calls do nothing) and completes its
 * ThreadHandle.join waiters. */
void process_thread_ended(struct thread *t, int32_t code, bool killed);

/* exit(code) from the current process; never returns. */
NORETURN void process_exit(struct process *p, int32_t code);
/* Stops process p (not the current one) with status killed; its thread
 * dies the next time it would run.  No effect if p already stopped. */
void process_kill(struct process *p);

/* The kernel stops the current process for misbehaving; never returns. */
NORETURN void process_fault(struct process *p, const char *reason);
/* The current process faulted on a CPU exception at `rip`; never returns. */
NORETURN void process_fault_trap(struct process *p, uint8_t vector, uint64_t address, uint64_t rip,
                                 const char *what);
/* Before returning to user mode: if the current process was stopped (killed)
 * meanwhile, its thread ends here instead; so does a thread that an exec in
 * another thread of its process asked to end (thread.exit_requested). */
void process_check_alive(void);

/* The current process was already stopped: finish dying. */
NORETURN void process_exit_current(void);

void process_get(struct process *p);
void process_put(struct process *p);

/* Frees the memory (address space and frames) of a process at once: for
 * one that never ran (process_create's unwinding). */
void process_release_memory(struct process *p);

/* Reaper steps (reaper.h): a stopped process's teardown, and the freeing
 * of a released address space; true when finished. */
bool process_reap_stopped(struct reap_work *w);
bool process_reap_memory(struct reap_work *w);

/* Called when a committed thread of p has died and its stack is freed;
 * the last one (p is stopped by then) frees the process's memory. */
void process_thread_gone(struct process *p, struct thread *t);

/* Reads the kernel command line's `spawnmem` (a console line per new
 * process: what making it charged, part by part).  Before init starts. */
void process_report_init(void);

/* Number of processes not yet exited. */
unsigned process_live_count(void);

/* Read-only views for reports (kernel/stall.c).  Each stores up to `max`
 * pointers, each with a reference the caller drops (process_put,
 * thread_put), and returns how many: the processes not yet exited, newest
 * first; the threads of p not yet freed.  What they point at may change
 * meanwhile; the references keep it readable. */
unsigned process_list(struct process **out, unsigned max);
unsigned process_threads(struct process *p, struct thread **out, unsigned max);

/* cap.h's lookup, inline because every CALL, RECV and RETURN starts with
 * it; a failed lookup finds out why out of line. */
static ALWAYS_INLINE int cap_lookup_lock(struct process *p, uint32_t id, struct kobj **o)
{
    spin_lock(&p->caps.lock);
    *o = p->caps.slots ? captable_get(&p->caps.t, id) : NULL;
    if (likely(*o != NULL))
        return CAPOS_OK;
    return cap_lookup_failed(p, id); /* why, and the table unlocked */
}

static ALWAYS_INLINE void cap_lookup_unlock(struct process *p)
{
    spin_unlock(&p->caps.lock);
}

static ALWAYS_INLINE void cap_call_fast(struct thread *t, struct process *p,
                                        const struct capos_sqe *sqe)
{
    struct kobj *o;
    int err = cap_lookup_lock(p, sqe->cap, &o);
    if (likely(err == CAPOS_OK && o->kind == KOBJ_ENDPOINT_CLIENT))
        endpoint_call_fast(t, o, sqe);
    else if (err == CAPOS_OK && (o->kind == KOBJ_PIPE_READER || o->kind == KOBJ_PIPE_WRITER))
        pipe_call_fast(t, o, sqe);
    else
        cap_call_object(t, sqe, o, err);
}

#endif
