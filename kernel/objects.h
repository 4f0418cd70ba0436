/*
 * The kernel object types and their entry points, one implementation file
 * each under kernel/object/.  cap.c dispatches to *_invoke by object kind;
 * each invoke hands the call to its interface's generated dispatch
 * (capos_<Iface>_SERVER), which decodes and checks the parameters from the
 * kernel copy and runs one acting function, which returns an ErrorCode (or
 * CALL_PENDING when the call will complete later).
 *
 * Constructors take the ledger that pays for the object (mm/ledger.h):
 * normally the calling process's; the object's memory stays charged there
 * until the object is destroyed, wherever it has been passed meanwhile.  On
 * failure they return NULL with *err set to quotaExceeded or noMemory.
 */
#ifndef CAPOS_KERNEL_OBJECTS_H
#define CAPOS_KERNEL_OBJECTS_H

#include "cap.h"
#include "percpu.h"
#include "capos.capnp.h"

struct ledger;
struct process;
struct thread;

/* Console: the serial console, COM1 (singleton), and one object for each
 * program output line (COM2, COM3); console_port_obj names one by the
 * schema's ConsolePort (NULL for an unknown one). */
extern struct kobj console_obj;
struct kobj *console_port_obj(uint32_t port);
int console_invoke(struct kobj *o, struct call *c);

/* Timer: monotonic clock and sleeps (singleton). */
extern struct kobj timer_obj;
int timer_invoke(struct kobj *o, struct call *c);

/* EntropySource: RDSEED/RDRAND (singleton). */
extern struct kobj entropy_obj;
int entropy_invoke(struct kobj *o, struct call *c);

/* BootPackage: read access to the boot manifest (singleton). */
extern struct kobj bootpkg_obj;
void bootpkg_set_manifest(const void *data, uint64_t len);
int bootpkg_invoke(struct kobj *o, struct call *c);

/* VirtualMemory: one process's anonymous mappings (one object per grant),
 * charged to the target's ledger. */
struct kobj *vmobj_create(struct process *target, int *err);
int vmobj_invoke(struct kobj *o, struct call *c);
void vmobj_destroy(struct kobj *o);
/* Whether a VirtualMemory object names process p's memory, and then in
 * *limited whether it is a facet with a budget (fork: kernel/fork.c). */
bool vmobj_targets(const struct kobj *o, const struct process *p, bool *limited);
/* Drops the regions' budget references (process teardown). */
void vm_release_regions(struct process *p);

/* Endpoints (object/endpoint.c): facets, IPC calls, receives and returns. */
struct pending_op;
/* Adds up the per-CPU IPC counters (struct cpu.ipc). */
void ipc_stats_sum(struct ipc_stats *out);
/* An endpoint, its server facet (returned) and a first client facet. */
struct kobj *endpoint_create(struct ledger *l, struct kobj **client, int *err);
struct endpoint;
/* The endpoint behind client facet o, with a reference for the caller, and
 * the facet's badge; o must stay alive meanwhile (its table locked). */
struct endpoint *endpoint_client_ref(const struct kobj *o, uint64_t *badge);
/* Another reference on ep, for one who holds one (or knows that a pending
 * op that holds one is still pending); and its release. */
void endpoint_get(struct endpoint *ep);
void endpoint_put(struct endpoint *ep);
/* CALL through a client facet of ep (with `badge`); the caller holds a
 * reference on ep throughout. */
int endpoint_call(struct thread *t, struct endpoint *ep, uint64_t badge,
                  const struct capos_sqe *sqe, uint8_t *scratch);
int endpoint_recv(struct thread *t, const struct capos_sqe *sqe);
/* The fast path (docs/ipc.md).  endpoint_call_fast: a CALL on client facet
 * o, found by cap_call_fast with the caller's capability table locked
 * (it unlocks it); the call is delivered at once if it can be, as
 * endpoint_call would, and otherwise goes through endpoint_call.
 * endpoint_fast_reply: a RETURN and the next RECV (or, ret == rcv, a
 * REPLY_RECV), that either finish exactly as endpoint_return and
 * endpoint_recv would and return true (the RETURN's completion, but for
 * a REPLY_RECV, written and not yet published), or return false having
 * changed nothing. */
void endpoint_call_fast(struct thread *t, struct kobj *o, const struct capos_sqe *sqe);
bool endpoint_fast_reply(struct thread *t, const struct capos_sqe *ret,
                         const struct capos_sqe *rcv);
int endpoint_return(struct thread *t, const struct capos_sqe *sqe, uint8_t *scratch);
int endpoint_invoke(struct kobj *o, struct call *c);
void endpoint_facet_destroy(struct kobj *o);
/* Reaper step: fails a batch of the calls queued on an endpoint whose last
 * server facet went. */
struct reap_work;
bool endpoint_reap_calls(struct reap_work *w);
bool endpoint_detach_op(struct pending_op *op);
/* Fails up to `max` calls the stopped process p received and did not
 * return (peerGone); true once none is left. */
bool endpoint_process_gone(struct process *p, unsigned max);

/* ProcessSpawner (object/spawner.c). */
struct kobj *spawner_create(struct ledger *l, bool restricted, uint32_t nallowed, int *err);
int spawner_invoke(struct kobj *o, struct call *c);
void spawner_destroy(struct kobj *o);
/* A process the spawner started has stopped: its count of live processes
 * drops, and the process's reference on it goes (process_stop). */
void spawner_child_gone(struct kobj *o);
/* A kernel object for a KernelCap grant, charged to l.  Kinds bound to
 * the receiving process (VirtualMemory, ThreadSpawner) return NULL with
 * *bind set. */
enum process_bind;
struct kobj *kernel_cap_create(struct ledger *l, capos_KernelCap_reader k, uint64_t *interface_id,
                               enum process_bind *bind, int *err);

/* ProcessHandle (object/prochandle.c).  A handle may be made before its
 * target exists (target NULL, so that nothing can fail after a spawn) and
 * bound to it once, before anyone else can see it. */
struct kobj *process_handle_create(struct ledger *l, struct process *target, int *err);
void process_handle_bind(struct kobj *o, struct process *target);
int process_handle_invoke(struct kobj *o, struct call *c);
void process_handle_destroy(struct kobj *o);
bool process_handle_detach(struct pending_op *op);
/* Completes up to `max` waits for the stopped process p with its exit
 * status; true once none is left. */
bool process_handle_notify(struct process *p, unsigned max);

/* ThreadSpawner (object/threadspawner.c), bound to one process and
 * charged to its ledger. */
struct kobj *thread_spawner_create(struct process *p, int *err);
int thread_spawner_invoke(struct kobj *o, struct call *c);
void thread_spawner_destroy(struct kobj *o);
/* Whether a ThreadSpawner starts threads in p (fork: kernel/fork.c). */
bool thread_spawner_targets(const struct kobj *o, const struct process *p);

/* ThreadHandle and ThreadControl (object/thread.c). */
struct kobj *thread_cap_create(struct ledger *l, struct thread *t, bool control, int *err);
int thread_cap_invoke(struct kobj *o, struct call *c);
void thread_cap_destroy(struct kobj *o);
/* The thread a ThreadHandle or ThreadControl names; NULL for other kinds. */
struct thread *thread_cap_thread(struct kobj *o);
/* Completes up to `max` joins of the gone thread t; true once none is
 * left. */
bool thread_join_complete(struct thread *t, unsigned max);
bool thread_join_detach(struct pending_op *op);
/* Reaper step: joins of a gone thread beyond the first batch. */
struct reap_work;
bool thread_reap_joins(struct reap_work *w);

/* SchedulingPolicy (object/policy.c); max_weight 0 = no bound. */
struct kobj *policy_create(struct ledger *l, uint32_t max_weight, bool latency, int *err);
int policy_invoke(struct kobj *o, struct call *c);
void policy_destroy(struct kobj *o);

/* ParkSpace (object/park.c). */
struct kobj *park_create(struct ledger *l, int *err);
int park_invoke(struct kobj *o, struct call *c);
void park_destroy(struct kobj *o);
bool park_detach(struct pending_op *op);
void park_timed_out(struct pending_op *op);
/* Waiters one wake completes at most: the result says how many it took,
 * so a caller that wakes everyone repeats while that is the whole batch. */
#define PARK_WAKE_MAX CAPOS_PARK_WAKE_MAX
/* Completes up to `count` (at most PARK_WAKE_MAX) waiters of p on the word
 * at addr, oldest first, and returns how many: ParkSpace.wake, and the
 * kernel's wake of a thread's clear-tid word. */
uint32_t park_wake_word(struct process *p, uint64_t addr, uint32_t count);

/* Pipes (object/pipe.c): the factory (singleton) and the two ends of
 * each pipe. */
extern struct kobj pipe_factory_obj;
int pipe_invoke(struct kobj *o, struct call *c);
/* The fast path's CALL on a pipe end o, found by cap_call_fast with the
 * caller's capability table locked (it unlocks it): a read or write with
 * flat parameters runs with the least around it, anything else as
 * cap_call_object would run it. */
void pipe_call_fast(struct thread *t, struct kobj *o, const struct capos_sqe *sqe);
void pipe_end_destroy(struct kobj *o);
bool pipe_detach(struct pending_op *op);
/* A reference on the pipe a PENDING_PIPE_* op waits on (op->target), taken
 * while the op is known to hold one; and its release. */
void pipe_pin(void *pipe);
void pipe_unpin(void *pipe);

/* SerialInput (object/serialin.c): bytes received on COM1 (singleton). */
extern struct kobj serial_input_obj;
int serial_input_invoke(struct kobj *o, struct call *c);
/* Reads can work: the receive interrupt is routed (boot). */
void serial_input_enable(void);
/* The receive interrupt: buffers what the UART holds, takes the debug
 * key out, and hands a waiting read to the reaper. */
void serial_input_interrupt(void);
/* Reaper step (REAP_SERIAL_INPUT): completes the waiting read. */
struct reap_work;
bool serial_input_deliver(struct reap_work *w);
bool serial_input_detach(struct pending_op *op);
/* A read waits: the stall detector counts it as armed. */
bool serial_input_waiting(void);

#endif
