/*
 * Pipes: a bounded byte buffer with a read end (PipeReader) and a write end
 * (PipeWriter), made by the PipeFactory (a singleton: a pipe is charged to
 * whoever calls create).  docs/posix-kernel.md describes the semantics;
 * this comment is the state machine.
 *
 * Memory and references.  One heap block holds the record and the
 * pipeCapacity-byte ring buffer, charged to the creator's ledger.  The two
 * ends are kernel objects embedded in it (rd, wr); each end's reference
 * count counts the capabilities naming it and the reads (rd) or writes
 * (wr) pending on it, so an end is gone exactly when nobody can read
 * (write) through it any more.  `refs` keeps the block: one for each end
 * not yet gone and one for each pending operation, so an operation
 * finishing after both ends went away still finds its pipe.  A wait holds
 * no reference on its end: waits armed by a poll must not keep a closed end
 * alive (and so keep EOF from the readers).
 *
 * Queues.  Reads, writes and waits that cannot complete at once are
 * pending operations on three FIFO queues (at most PIPE_MAX_QUEUED each,
 * so that the work one call does for others is bounded).  Invariants,
 * under the pipe's lock:
 *   - a read is queued only while the buffer is empty and a write end
 *     exists;
 *   - a write is queued only while the write at the head does not fit
 *     (an atomic one needs all of its bytes, a longer one some room) and a
 *     read end exists, and a new write queues behind any queued one;
 *   - a wait is queued only while none of its events (nor hangup) holds.
 * Every change of the buffer or of the ends restores them (pipe_pump):
 * queued reads take data while there is some, queued writes put data while
 * it fits, then waits whose condition holds complete.  A read moves data
 * straight from the buffer into its owner's memory, a write from its
 * owner's memory into the buffer (uspace.c walks the owner's tables when
 * it is not the current process), so a completion carries only a count.
 *
 * Ownership of a pending operation follows pending.h: whoever takes it
 * off its queue (under the lock) completes it, after the lock is dropped;
 * process exit (pipe_detach) takes what is still queued.  An end that goes
 * completes what can no longer happen: the read end going fails queued
 * writes (peerGone) and cancels waits on the read end, and wakes waits on
 * the write end (hangup); the write end going ends queued reads (0, end of
 * file) and likewise for the waits.
 *
 * Lock order: the pipe's lock is taken like an endpoint's, before a
 * process lock (uspace copies) and before ring locks and the kernel heap
 * (pending_new, which may allocate from the caller's ledger); nothing
 * else is held with it, and completions are posted after it is dropped.
 */
#include "abi/errors.h"
#include "base/mem.h"
#include "capos.rpc.h"
#include "mm/kheap.h"
#include "msg.h"
#include "objects.h"
#include "offwatch.h"
#include "pending.h"
#include "rpc/flat.h"
#include "process.h"
#include "sched.h"
#include "thread.h"
#include "usercopy.h"
#include "uspace.h"

#define PIPE_CAPACITY   capos_pipeCapacity
#define PIPE_ATOMIC     capos_pipeAtomicWrite
#define PIPE_MAX_QUEUED 64 /* operations per queue (reads, writes, waits) */

#define PIPE_EVENTS     (capos_pipeReadable | capos_pipeWritable)

struct pipe_queue {
    struct pending_op *head, *tail;
    unsigned n;
};

struct pipe {
    struct kobj rd, wr; /* the ends */
    struct spinlock lock;
    uint32_t refs; /* ends not gone + pending operations */
    bool rd_gone, wr_gone;
    uint32_t head, count; /* data: buf[head .. head+count), wrapping */
    struct pipe_queue reads, writes, waits;
    uint8_t buf[];
};

struct kobj pipe_factory_obj = {KOBJ_PIPE_FACTORY, 0};

static struct pipe *pipe_of(struct kobj *o)
{
    return o->kind == KOBJ_PIPE_READER ? container_of(o, struct pipe, rd)
                                       : container_of(o, struct pipe, wr);
}

static void pipe_put(struct pipe *p)
{
    if (__atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL) == 0)
        kfree(p);
}

/* ---- queues (pipe lock held) ---- */

static void pq_push(struct pipe_queue *q, struct pending_op *op)
{
    op->wait_next = NULL;
    if (q->tail)
        q->tail->wait_next = op;
    else
        q->head = op;
    q->tail = op;
    q->n++;
}

static struct pending_op *pq_pop(struct pipe_queue *q)
{
    struct pending_op *op = q->head;
    q->head = op->wait_next;
    if (!q->head)
        q->tail = NULL;
    op->wait_next = NULL;
    q->n--;
    return op;
}

/* Unlinks op, which follows prev (NULL: op is the head) on q. */
static void pq_unlink(struct pipe_queue *q, struct pending_op *prev, struct pending_op *op)
{
    if (prev)
        prev->wait_next = op->wait_next;
    else
        q->head = op->wait_next;
    if (q->tail == op)
        q->tail = prev;
    op->wait_next = NULL;
    q->n--;
}

/* Unlinks op if it is on q. */
static bool pq_remove(struct pipe_queue *q, struct pending_op *op)
{
    struct pending_op *prev = NULL;
    for (struct pending_op *o = q->head; o; prev = o, o = o->wait_next) {
        if (o == op) {
            pq_unlink(q, prev, op);
            return true;
        }
    }
    return false;
}

/* Operations taken off the queues, to complete once the lock is dropped. */
struct pipe_done {
    struct pending_op *head, **tail;
};

static void pipe_take(struct pipe_done *d, struct pending_op *op, int err, uint32_t result)
{
    op->pipe_err = err;
    op->pipe_result = result;
    op->wait_next = NULL;
    *d->tail = op;
    d->tail = &op->wait_next;
}

/* ---- the buffer (pipe lock held) ---- */

static uint32_t pipe_room(const struct pipe *p)
{
    return PIPE_CAPACITY - p->count;
}

/* Copies n <= count bytes from the front of the buffer to proc's memory at
 * uaddr; consumes them only if the whole copy succeeded. */
static bool pipe_copy_out(struct pipe *p, struct process *proc, uint64_t uaddr, uint32_t n)
{
    uint32_t first = MIN(n, PIPE_CAPACITY - p->head);
    if (!uspace_write(proc, uaddr, p->buf + p->head, first) ||
        (n > first && !uspace_write(proc, uaddr + first, p->buf, n - first)))
        return false;
    p->head = (p->head + n) % PIPE_CAPACITY;
    p->count -= n;
    return true;
}

/* Copies n <= room bytes from proc's memory at uaddr to the back of the
 * buffer; they count as data only if the whole copy succeeded. */
static bool pipe_copy_in(struct pipe *p, struct process *proc, uint64_t uaddr, uint32_t n)
{
    uint32_t tail = (p->head + p->count) % PIPE_CAPACITY;
    uint32_t first = MIN(n, PIPE_CAPACITY - tail);
    if (!uspace_read(proc, p->buf + tail, uaddr, first) ||
        (n > first && !uspace_read(proc, p->buf, uaddr + first, n - first)))
        return false;
    p->count += n;
    return true;
}

/* How much of a write of len bytes goes in now (0: it must wait). */
static uint32_t pipe_write_fits(const struct pipe *p, uint32_t len)
{
    uint32_t room = pipe_room(p);
    if (len <= PIPE_ATOMIC)
        return room >= len ? len : 0;
    return MIN(len, room);
}

/* The readiness bits of one end. */
static uint32_t pipe_ready(const struct pipe *p, bool writer)
{
    if (writer)
        return (pipe_room(p) >= PIPE_ATOMIC ? capos_pipeWritable : 0) |
               (p->rd_gone ? capos_pipeHangup : 0);
    return (p->count > 0 ? capos_pipeReadable : 0) | (p->wr_gone ? capos_pipeHangup : 0);
}

/* Which waits a scan cancels: those on one end (writer), only those of
 * `owner` unless it is NULL. */
struct pipe_cancel {
    const struct thread *owner;
    bool writer;
};

/*
 * One pass over the waits (pipe lock held): a wait that `cancel` names
 * (if any) is taken off as cancelled, one whose condition holds as
 * completed with the end's ready bits; the rest stay.  Returns how many
 * were cancelled.  A wait whose condition holds is never left queued, so
 * a scan made only to cancel completes nothing else.
 */
static uint32_t pipe_scan_waits(struct pipe *p, struct pipe_done *d,
                                const struct pipe_cancel *cancel)
{
    uint32_t cancelled = 0;
    struct pending_op *prev = NULL, *op = p->waits.head;
    while (op) {
        struct pending_op *next = op->wait_next;
        uint32_t ready = pipe_ready(p, op->pipe_writer);
        if (cancel && op->pipe_writer == cancel->writer &&
            (!cancel->owner || op->owner == cancel->owner)) {
            pq_unlink(&p->waits, prev, op);
            pipe_take(d, op, CAPOS_ERR_CANCELLED, 0);
            cancelled++;
        } else if (ready & (op->pipe_len | capos_pipeHangup)) {
            pq_unlink(&p->waits, prev, op);
            pipe_take(d, op, CAPOS_OK, ready);
        } else {
            prev = op;
        }
        op = next;
    }
    return cancelled;
}

/*
 * Restores the queue invariants after a change: serves queued reads and
 * writes while they can proceed, then takes the waits whose condition
 * holds.  Each turn of the loop takes one operation off a queue, so the
 * work is bounded by the operations queued (3 * PIPE_MAX_QUEUED) and the
 * bytes they move by the buffer's size per operation.
 */
static void pipe_pump(struct pipe *p, struct pipe_done *d)
{
    if (!p->reads.head && !p->writes.head && !p->waits.head)
        return; /* nothing waits: the usual case of a read or write */
    for (;;) {
        struct pending_op *op;
        if (p->reads.head && (p->count > 0 || p->wr_gone)) {
            op = pq_pop(&p->reads);
            uint32_t n = MIN(op->pipe_len, p->count);
            if (n > 0 && !pipe_copy_out(p, op->owner->proc, op->pipe_buf, n))
                pipe_take(d, op, CAPOS_ERR_BAD_ADDRESS, 0);
            else
                pipe_take(d, op, CAPOS_OK, n); /* n = 0: end of file */
        } else if (p->writes.head && p->rd_gone) {
            pipe_take(d, pq_pop(&p->writes), CAPOS_ERR_PEER_GONE, 0);
        } else if (p->writes.head && pipe_write_fits(p, p->writes.head->pipe_len)) {
            op = pq_pop(&p->writes);
            uint32_t n = pipe_write_fits(p, op->pipe_len);
            if (!pipe_copy_in(p, op->owner->proc, op->pipe_buf, n))
                pipe_take(d, op, CAPOS_ERR_BAD_ADDRESS, 0);
            else
                pipe_take(d, op, CAPOS_OK, n);
        } else {
            break;
        }
    }
    pipe_scan_waits(p, d, NULL);
}

/* ---- completions (no lock held) ---- */

/* The result message of a read, write, wait or cancelWaits: one UInt32,
 * in its flat form (rpc/flat.h), which is how the generated encoder lays
 * out all four. */
_Static_assert(capos_PipeReader_read_RESULT_BYTES == CAPOS_PIPE_RESULT_BYTES &&
                   capos_PipeWriter_write_RESULT_BYTES == CAPOS_PIPE_RESULT_BYTES &&
                   capos_PipeReader_wait_RESULT_BYTES == CAPOS_PIPE_RESULT_BYTES &&
                   capos_PipeReader_cancelWaits_RESULT_BYTES == CAPOS_PIPE_RESULT_BYTES &&
                   CAPOS_PIPE_RESULT_BYTES <= CALL_MAX_RESULT,
               "pipe results are one flat UInt32");

/* Posts the completions of d and drops what each operation held. */
static void pipe_finish(struct pipe *p, struct pipe_done *d)
{
    if (!d->head)
        return;
    sched_kicks_defer();
    while (d->head) {
        struct pending_op *op = d->head;
        d->head = op->wait_next;
        enum pending_kind kind = op->kind;
        int err = op->pipe_err;
        uint64_t msg[CAPOS_PIPE_RESULT_BYTES / 8];
        capos_pipe_result_encode(msg, op->pipe_result);
        pending_complete(op, err, msg, err == CAPOS_OK ? sizeof(msg) : 0, NULL, 0);
        if (kind == PENDING_PIPE_READ)
            kobj_put(&p->rd);
        else if (kind == PENDING_PIPE_WRITE)
            kobj_put(&p->wr);
        pipe_put(p);
    }
    sched_kicks_flush();
}

/* Queues a pending operation for the current call; pipe lock held.  A read
 * or write also holds its end. */
static int pipe_enqueue(struct pipe *p, struct call *c, struct pipe_queue *q,
                        enum pending_kind kind, uint64_t buf, uint32_t len, bool writer)
{
    if (q->n >= PIPE_MAX_QUEUED)
        return CAPOS_ERR_QUOTA_EXCEEDED;
    int err;
    struct pending_op *op = pending_new(c->thread, kind, c->sqe, &err);
    if (!op)
        return err;
    op->target = p;
    op->pipe_buf = buf;
    op->pipe_len = len;
    op->pipe_writer = writer;
    __atomic_fetch_add(&p->refs, 1, __ATOMIC_RELAXED);
    if (kind == PENDING_PIPE_READ)
        kobj_get(&p->rd);
    else if (kind == PENDING_PIPE_WRITE)
        kobj_get(&p->wr);
    pq_push(q, op);
    return CALL_PENDING;
}

static int pipe_count_result(struct call *c, uint32_t v)
{
    capos_pipe_result_encode((uint64_t *)(void *)c->result, v);
    c->result_len = CAPOS_PIPE_RESULT_BYTES;
    return CAPOS_OK;
}

/* ---- the factory ---- */

capos_PipeFactory_SERVER(pipe_factory, struct kobj, struct call);

static int pipe_factory_create(struct kobj *o, struct call *c,
                               const capos_PipeFactory_create_args *a)
{
    int err;
    struct pipe *p = kheap_alloc(c->proc->ledger, sizeof(*p) + PIPE_CAPACITY, false, &err);
    if (!p)
        return err;
    memset(p, 0, sizeof(*p)); /* the buffer needs no clearing: only data is read */
    p->rd = (struct kobj){KOBJ_PIPE_READER, 1};
    p->wr = (struct kobj){KOBJ_PIPE_WRITER, 1};
    p->lock = (struct spinlock)SPINLOCK_INIT("pipe");
    p->refs = 2;
    /* The ends go to the caller (or, if the completion fails, are dropped
     * there, which frees the pipe). */
    c->out_caps[c->out_ncaps++] = &p->rd;
    c->out_caps[c->out_ncaps++] = &p->wr;
    struct capnp_builder b;
    call_result_begin(c, &b);
    capos_PipeFactory_create_encode_results(
        &b, &(capos_PipeFactory_create_results){.reader = 0, .writer = 1});
    return call_result_end(c, &b);
}

/* ---- reads and writes ---- */

/* A read's step under the pipe's lock: what is buffered now, end of file
 * (*n stays 0) once the write end is gone, or the call waits. */
static int pipe_read_locked(struct pipe *p, struct call *c, uint64_t buf, uint32_t len,
                            bool nonblocking, struct pipe_done *d, uint32_t *n)
{
    if (p->count > 0) {
        *n = MIN(len, p->count);
        if (!pipe_copy_out(p, c->proc, buf, *n))
            return CAPOS_ERR_BAD_ADDRESS;
        pipe_pump(p, d); /* room for queued writes */
        return CAPOS_OK;
    }
    if (p->wr_gone)
        return CAPOS_OK; /* end of file */
    if (nonblocking)
        return CAPOS_ERR_WOULD_BLOCK;
    return pipe_enqueue(p, c, &p->reads, PENDING_PIPE_READ, buf, len, false);
}

/* A write's step under the pipe's lock: refused once the read end is gone,
 * what fits now if no write is queued before it, or the call waits. */
static int pipe_write_locked(struct pipe *p, struct call *c, uint64_t buf, uint32_t len,
                             bool nonblocking, struct pipe_done *d, uint32_t *n)
{
    if (p->rd_gone)
        return CAPOS_ERR_PEER_GONE;
    if (!p->writes.head && (*n = pipe_write_fits(p, len)) > 0) {
        if (!pipe_copy_in(p, c->proc, buf, *n))
            return CAPOS_ERR_BAD_ADDRESS;
        pipe_pump(p, d); /* data for queued reads */
        return CAPOS_OK;
    }
    if (nonblocking)
        return CAPOS_ERR_WOULD_BLOCK;
    return pipe_enqueue(p, c, &p->writes, PENDING_PIPE_WRITE, buf, len, true);
}

/* A read or a write of up to len bytes at buf: checked, then the end's
 * step under the lock; the completions it made are posted after. */
static int pipe_transfer(struct pipe *p, struct call *c, uint64_t buf, uint32_t len,
                         bool nonblocking, bool writer)
{
    if (len == 0)
        return pipe_count_result(c, 0);
    if (!user_range_ok(buf, len))
        return CAPOS_ERR_BAD_ADDRESS;
    struct pipe_done d = {NULL, &d.head};
    uint32_t n = 0;
    spin_lock(&p->lock);
    int err = writer ? pipe_write_locked(p, c, buf, len, nonblocking, &d, &n)
                     : pipe_read_locked(p, c, buf, len, nonblocking, &d, &n);
    spin_unlock(&p->lock);
    pipe_finish(p, &d);
    return err == CAPOS_OK ? pipe_count_result(c, n) : err;
}

/* ---- the read end ---- */

capos_PipeReader_SERVER(pipe_reader, struct pipe, struct call);

static int pipe_reader_read(struct pipe *p, struct call *c, const capos_PipeReader_read_args *a)
{
    return pipe_transfer(p, c, a->buf, a->len, a->nonBlocking, false);
}

/* wait and cancelWaits are the same for both ends, and so is the field a
 * refused event mask is named by. */
_Static_assert(capos_PipeReader_wait_field_events == capos_PipeWriter_wait_field_events,
               "both ends' wait name their events field alike");
static int pipe_wait(struct pipe *p, struct call *c, uint32_t events, bool nonblocking, bool writer)
{
    if (events & ~PIPE_EVENTS)
        return capos_rpc_refuse(&c->rpc, capos_PipeReader_wait_field_events);
    int err = CAPOS_OK;
    spin_lock(&p->lock);
    uint32_t ready = pipe_ready(p, writer);
    if (!nonblocking && !(ready & (events | capos_pipeHangup)))
        err = pipe_enqueue(p, c, &p->waits, PENDING_PIPE_WAIT, 0, events, writer);
    spin_unlock(&p->lock);
    return err == CAPOS_OK ? pipe_count_result(c, ready) : err;
}

static int pipe_cancel_waits(struct pipe *p, struct call *c, bool writer)
{
    struct pipe_done d = {NULL, &d.head};
    spin_lock(&p->lock);
    uint32_t n = pipe_scan_waits(p, &d, &(struct pipe_cancel){c->thread, writer});
    spin_unlock(&p->lock);
    pipe_finish(p, &d);
    return pipe_count_result(c, n);
}

static int pipe_reader_wait(struct pipe *p, struct call *c, const capos_PipeReader_wait_args *a)
{
    return pipe_wait(p, c, a->events, a->nonBlocking, false);
}

static int pipe_reader_cancelWaits(struct pipe *p, struct call *c,
                                   const capos_PipeReader_cancelWaits_args *a)
{
    return pipe_cancel_waits(p, c, false);
}

/* ---- the write end ---- */

capos_PipeWriter_SERVER(pipe_writer, struct pipe, struct call);

static int pipe_writer_write(struct pipe *p, struct call *c, const capos_PipeWriter_write_args *a)
{
    return pipe_transfer(p, c, a->buf, a->len, a->nonBlocking, true);
}

static int pipe_writer_wait(struct pipe *p, struct call *c, const capos_PipeWriter_wait_args *a)
{
    return pipe_wait(p, c, a->events, a->nonBlocking, true);
}

static int pipe_writer_cancelWaits(struct pipe *p, struct call *c,
                                   const capos_PipeWriter_cancelWaits_args *a)
{
    return pipe_cancel_waits(p, c, true);
}

/* A read or a write whose parameters are in their flat form (rpc/flat.h):
 * straight to the transfer, without the generated decoder, which takes
 * every other encoding (and refuses what it must). */
static bool pipe_flat_io(struct kobj *o, struct call *c, int *err)
{
    bool writer = o->kind == KOBJ_PIPE_WRITER;
    uint64_t buf;
    uint32_t len;
    bool nonblocking;
    if (!(writer ? c->rpc.interface_id == capos_PipeWriter_INTERFACE_ID &&
                       c->rpc.method == capos_PipeWriter_method_write
                 : c->rpc.interface_id == capos_PipeReader_INTERFACE_ID &&
                       c->rpc.method == capos_PipeReader_method_read) ||
        c->rpc.ncaps != 0 ||
        !capos_pipe_io_decode((const uint64_t *)(const void *)c->rpc.params, c->rpc.params_len,
                              &buf, &len, &nonblocking))
        return false;
    *err = pipe_transfer(pipe_of(o), c, buf, len, nonblocking, writer);
    return true;
}

/*
 * A CALL on pipe end o from cap_call_fast, which found it with the caller's
 * capability table locked (unlocked here): a read or a write without
 * capabilities, whose parameters are flat, goes straight to the transfer,
 * with what cap_call_object does around an invocation cut to what such a
 * call needs (its parameters copied to the stack, its result built there).
 * Everything else is cap_call_object's, as if there were no fast path.
 */
void pipe_call_fast(struct thread *t, struct kobj *o, const struct capos_sqe *sqe)
{
    bool writer = o->kind == KOBJ_PIPE_WRITER;
    uint64_t params[CAPOS_PIPE_IO_BYTES / 8], result[CAPOS_PIPE_RESULT_BYTES / 8];
    if (sqe->interface_id !=
            (writer ? capos_PipeWriter_INTERFACE_ID : capos_PipeReader_INTERFACE_ID) ||
        sqe->method != (writer ? capos_PipeWriter_method_write : capos_PipeReader_method_read) ||
        sqe->xfer_count != 0 || sqe->send_len != sizeof(params)) {
        cap_call_object(t, sqe, o, CAPOS_OK);
        return;
    }
    kobj_get(o);
    cap_lookup_unlock(t->proc);
    offwatch_label(OFFWATCH_CALL(o->kind, sqe->method));
    struct call c;
    c.proc = t->proc;
    c.thread = t;
    c.sqe = sqe;
    c.result = (uint8_t *)result;
    c.result_len = 0;
    c.out_ncaps = 0;
    c.xfer.n = 0;
    c.rpc.detail = 0;
    uint64_t buf;
    uint32_t len;
    bool nonblocking;
    int err;
    if (!copy_from_user(params, sqe->send_addr, sizeof(params))) {
        err = CAPOS_ERR_BAD_ADDRESS;
    } else if (capos_pipe_io_decode(params, sizeof(params), &buf, &len, &nonblocking)) {
        err = pipe_transfer(pipe_of(o), &c, buf, len, nonblocking, writer);
    } else {
        /* Another encoding: the generated decoder's, whose refusal may
         * carry a detail. */
        c.rpc = (struct capos_rpc_call){.interface_id = sqe->interface_id,
                                        .params = (const uint8_t *)params,
                                        .params_len = sizeof(params),
                                        .method = sqe->method};
        err = pipe_invoke(o, &c);
        if (err != CALL_PENDING)
            call_complete(&c, err);
        kobj_put(o);
        return;
    }
    if (err != CALL_PENDING) {
        /* call_complete of a call that returns no capabilities and whose
         * errors carry no detail. */
        struct capos_cqe cqe = {.user_data = sqe->user_data};
        cap_deliver(t, &cqe, sqe->recv_addr, sqe->recv_len, err, result,
                    err == CAPOS_OK ? c.result_len : 0, NULL, 0);
    }
    kobj_put(o);
}

int pipe_invoke(struct kobj *o, struct call *c)
{
    int err;
    if (o->kind != KOBJ_PIPE_FACTORY && pipe_flat_io(o, c, &err))
        return err;
    switch (o->kind) {
    case KOBJ_PIPE_FACTORY: return pipe_factory_dispatch(o, c);
    case KOBJ_PIPE_READER: return pipe_reader_dispatch(pipe_of(o), c);
    case KOBJ_PIPE_WRITER: return pipe_writer_dispatch(pipe_of(o), c);
    default: return CAPOS_ERR_INVALID_CAP;
    }
}

/* ---- ends going, operations cancelled ---- */

void pipe_end_destroy(struct kobj *o)
{
    bool writer = o->kind == KOBJ_PIPE_WRITER;
    struct pipe *p = pipe_of(o);
    struct pipe_done d = {NULL, &d.head};
    spin_lock(&p->lock);
    if (writer)
        p->wr_gone = true; /* queued reads end (end of file) */
    else
        p->rd_gone = true; /* queued writes fail */
    /* Waits on the end that went can never be answered: cancelled.  Then
     * the queued operations see the end gone, and the other end's waits
     * hangup. */
    pipe_scan_waits(p, &d, &(struct pipe_cancel){NULL, writer});
    pipe_pump(p, &d);
    spin_unlock(&p->lock);
    pipe_finish(p, &d);
    pipe_put(p);
}

void pipe_pin(void *pipe)
{
    __atomic_fetch_add(&((struct pipe *)pipe)->refs, 1, __ATOMIC_RELAXED);
}

void pipe_unpin(void *pipe)
{
    pipe_put(pipe);
}

/* Its owner is exiting: takes op off its queue if it is still there.  A
 * write that leaves the head of the queue may let the ones behind it in,
 * so the queues are pumped again. */
bool pipe_detach(struct pending_op *op)
{
    struct pipe *p = op->target;
    struct pipe_queue *q = op->kind == PENDING_PIPE_READ    ? &p->reads
                           : op->kind == PENDING_PIPE_WRITE ? &p->writes
                                                            : &p->waits;
    struct pipe_done d = {NULL, &d.head};
    spin_lock(&p->lock);
    bool mine = pq_remove(q, op);
    if (mine)
        pipe_pump(p, &d);
    spin_unlock(&p->lock);
    pipe_finish(p, &d);
    if (!mine)
        return false; /* taken: whoever took it completes it */
    if (op->kind == PENDING_PIPE_READ)
        kobj_put(&p->rd);
    else if (op->kind == PENDING_PIPE_WRITE)
        kobj_put(&p->wr);
    pipe_put(p);
    return true;
}
