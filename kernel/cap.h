/*
 * Capabilities in the kernel: kernel objects, per-process capability tables,
 * and CALL dispatch.
 *
 * Every object a capability can name starts with a struct kobj: its kind
 * (which selects the implementation in a switch, never a function pointer)
 * and a reference count.  A capability-table slot holds one reference; so do
 * pending operations and wrappers.  When the count drops to zero the object
 * is destroyed by its kind's destroy function.
 *
 * A process's table maps generation-tagged cap ids to objects
 * (lib/captable).  CALL on a cap id looks the object up, checks the
 * interface id, copies the parameters in once, and hands a struct call to
 * the object's invoke function, which either completes it (result message
 * and capabilities) or turns it into a pending operation.
 */
#ifndef CAPOS_KERNEL_CAP_H
#define CAPOS_KERNEL_CAP_H

#include "abi/ring.h"
#include "base/compiler.h"
#include "captable/captable.h"
#include "rpc/rpc.h"
#include "spinlock.h"
#include "xfer.h"

struct ledger;
struct process;
struct thread;

enum kobj_kind {
    KOBJ_CONSOLE,
    KOBJ_TIMER,
    KOBJ_ENTROPY,
    KOBJ_VIRTUAL_MEMORY,
    KOBJ_BOOT_PACKAGE,
    KOBJ_ENDPOINT_SERVER,
    KOBJ_ENDPOINT_CLIENT,
    KOBJ_PROCESS_SPAWNER,
    KOBJ_PROCESS_HANDLE,
    KOBJ_THREAD_SPAWNER,
    KOBJ_THREAD_HANDLE,
    KOBJ_THREAD_CONTROL,
    KOBJ_SCHEDULING_POLICY,
    KOBJ_PARK_SPACE,
    KOBJ_PIPE_FACTORY,
    KOBJ_PIPE_READER,
    KOBJ_PIPE_WRITER,
    KOBJ_SERIAL_INPUT,
    KOBJ_KIND_COUNT
};

struct kobj {
    enum kobj_kind kind;
    uint32_t refs; /* 0 for static singletons, which are never destroyed */
};

/* A zeroed object of `size` bytes, charged to `l`, that starts with a struct
 * kobj of `kind` holding one reference: the creator's.  NULL (and *err) when
 * the ledger or the heap refuses. */
void *kobj_alloc(struct ledger *l, size_t size, enum kobj_kind kind, int *err) WARN_UNUSED;
void kobj_get(struct kobj *o);
void kobj_put(struct kobj *o);

/* The interface id the object answers to (0: any, as for endpoint clients). */
uint64_t kobj_interface_id(const struct kobj *o);

/* A process's table.  `lock` guards t and slots and nothing else (a leaf:
 * nothing else is taken while it is held), so threads of one process that
 * look up capabilities do not contend with its other state (the process
 * lock: address space, received calls, thread list). */
struct cap_table {
    struct spinlock lock;
    struct captable t;
    struct captable_slot *slots;
    /* A table being destroyed: detached from the process (slots NULL) and
     * released a batch at a time by its owner's teardown. */
    struct captable dead;
    struct captable_slot *dead_slots;
    uint32_t dead_cursor;
};

/* Allocates the table's slots (charged to l, the process's ledger: a table
 * has a fixed capacity, so its slots are paid for once, at creation).
 * Returns an ErrorCode. */
int cap_table_init(struct cap_table *ct, uint32_t capacity, struct ledger *l);
/* Releases every capability of p (dropping references) and frees the slots;
 * later insertions fail with peerGone. */
void cap_table_destroy(struct process *p);
/* The same in steps: the first call detaches the table (so later
 * insertions fail), each releases at most `max` capabilities; true once
 * the slots are freed. */
bool cap_table_destroy_some(struct process *p, unsigned max);

/* Inserts a reference the caller gives up; returns an ErrorCode. */
int cap_insert(struct process *p, struct kobj *o, uint32_t *id);

/* Publishing last: cap_prealloc sets a slot aside (PENDING: the id names
 * nothing usable, lookups report capBusy) for a capability that must not
 * be reachable before its creator commits; cap_fill_pending then puts a
 * reference the caller gives up there (false, and the reference is still
 * the caller's, if the table is gone), or cap_cancel_pending frees it.
 * cap_prealloc returns tableFull or peerGone on failure. */
int cap_prealloc(struct process *p, uint32_t *id);
bool cap_fill_pending(struct process *p, uint32_t id, struct kobj *o);
void cap_cancel_pending(struct process *p, uint32_t id);

/* Looks up a cap id and takes a reference on its object (the caller puts
 * it).  Returns an ErrorCode. */
int cap_get(struct process *p, uint32_t id, struct kobj **o);

/* Looks up a cap id and, on CAPOS_OK, returns with p's table locked: the
 * table's own reference keeps *o alive until cap_lookup_unlock(p), so a
 * caller that needs only something *o refers to can take a reference on
 * that instead of on *o.  Nothing may be locked or blocked on meanwhile
 * (the table lock is a leaf).  On an error the table is not left locked. */
/* cap_lookup_lock(p, id, &o) and cap_lookup_unlock(p) are inline, in
 * process.h (which knows struct process); a failed lookup finds out why
 * out of line: */
int cap_lookup_failed(struct process *p, uint32_t id);

/* Delivers a message and n capabilities into p: every table slot is
 * reserved first (nothing is written if the table cannot take them), then
 * the message goes to addr and the new cap ids after it (at
 * CAPOS_CAPS_OFFSET(len)), then the slots are filled.  On success the
 * references in objs belong to the table; on failure (tableFull,
 * badAddress, peerGone) they are still the caller's and no slot changed. */
int cap_accept_msg(struct process *p, uint64_t addr, const void *msg, uint32_t len,
                   struct kobj **objs, unsigned n);

/* RELEASE: drops the capability; returns an ErrorCode. */
int cap_release(struct process *p, uint32_t id);

/* CALL: runs or starts the call and posts its completion (now or later). */
void cap_call(struct thread *t, const struct capos_sqe *sqe);

/* cap_call on cap_enter's fast path: a call on a client facet may be
 * delivered at once (endpoint_call_fast, docs/ipc.md).  Inline, in
 * process.h. */

/* cap_call's work on anything but a client facet: o, found with the table
 * locked, or the lookup's error (the table then unlocked). */
void cap_call_object(struct thread *t, const struct capos_sqe *sqe, struct kobj *o, int err);

/* Completes a CALL that was refused before it reached its object, with
 * `err` and no result. */
void cap_call_refuse(struct thread *t, const struct capos_sqe *sqe, int err);

/* RETURN: an ErrorCode to complete with now (the result message is read
 * into this CPU's parameter scratch buffer). */
int cap_return(struct thread *t, const struct capos_sqe *sqe);

/* Each CPU's parameter scratch buffer (CALL_MAX_PARAMS bytes), indexed by
 * CPU id: where the message of a CALL or RETURN is read into. */
extern uint8_t *cap_scratch_params[];

/* Drops references (the caps of a failed delivery). */
void cap_drop_all(struct kobj **caps, unsigned n);

/* Maps a capability-table result to an ErrorCode. */
int cap_err(enum captable_err e);

/* Allocates this CPU's parameter and result scratch buffers. */
bool cap_init_cpu(unsigned cpu);

/* Maximum message sizes the kernel objects accept / produce. */
#define CALL_MAX_PARAMS 65536
#define CALL_MAX_RESULT 65536

/*
 * One CALL as an object sees it: room for the result message, the
 * capabilities going either way, and the call as the generated dispatch
 * sees it (the parameters in rpc, a kernel copy).
 */
struct call {
    struct process *proc;  /* the caller's process (capabilities, memory) */
    struct thread *thread; /* the caller's thread (its ring gets the completion) */
    const struct capos_sqe *sqe;
    uint8_t *result; /* CALL_MAX_RESULT bytes of scratch */
    uint32_t result_len;
    struct kobj *out_caps[CAPOS_MAX_XFER]; /* references for the caller */
    unsigned out_ncaps;
    struct xfer_set xfer; /* capabilities the caller sent (spawn grants) */
    /* The call as generated dispatch sees it (rpc/rpc.h); a refused call's
     * rpc.detail goes into its completion. */
    struct capos_rpc_call rpc;
};

/* Returned by invoke functions that turned the call into a pending op. */
#define CALL_PENDING (-1)

/* Completes a call now: copies out the result and caps, posts the CQE. */
void call_complete(struct call *c, int err);

/*
 * For methods whose effect cannot be undone (starting a process or a
 * thread): checks, before acting, that the result already built in c
 * (c->result_len) and `ncaps` capabilities will fit the caller's buffer and
 * table.  Returns CAPOS_OK, resultTooLarge or tableFull.  The caller's own
 * other threads may still use up the room meanwhile; only it loses then.
 */
int call_result_room(struct call *c, unsigned ncaps);

/*
 * Delivers a completion to thread t: on success the message and the new
 * cap ids of `caps` go to the recv buffer [recv_addr, recv_addr+recv_len) in
 * t's process and t's table;
 * then `cqe` (with user_data and any RECV fields already set) is posted with
 * the final result, which is returned.  If that is ok the references in
 * `caps` now belong to the process's table; otherwise (buffer too small, table full,
 * buffer unwritable) they are still the caller's, to drop or roll back, so
 * a capability is never lost or half-delivered.
 */
int cap_deliver(struct thread *t, struct capos_cqe *cqe, uint64_t recv_addr, uint32_t recv_len,
                int err, const void *msg, uint32_t len, struct kobj **caps, unsigned ncaps);

#endif
