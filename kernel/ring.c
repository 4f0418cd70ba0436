/*
 * cap_enter and the submission/completion protocol (see ring.h and
 * docs/ring-abi.md).
 *
 * Submission processing reads the process's sq_tail once, checks it against
 * the kernel's sq_head (an impossible value kills the process: its ring is
 * corrupt and nothing it submits can be trusted to mean anything), then
 * consumes at most sq_entries entries, each only while a completion slot can
 * be reserved for it.  Each SQE is copied into kernel memory once and
 * validated there; the shared copy is never read again.  Between two
 * entries the thread opens an interrupt window and passes a preemption
 * point, so one cap_enter keeps interrupts off for the longest single
 * entry, not for a batch of 128.  Entries that cannot
 * be consumed for lack of completion space stay in the queue (backpressure)
 * and are picked up by a later cap_enter once the process has consumed
 * completions.
 */
#include "ring.h"

#include "abi/errors.h"
#include "arch.h"
#include "base/mem.h"
#include "boot_info.h"
#include "cap.h"
#include "mm/ledger.h"
#include "mm/pmm.h"
#include "objects.h"
#include "offwatch.h"
#include "pending.h"
#include "printk.h"
#include "process.h"
#include "ring/ring.h"
#include "sched.h"
#include "time.h"
#include "timerq.h"

int ring_create(struct thread *t, uint64_t user_va)
{
    struct process *p = t->proc;
    struct ring *r = &t->ring;
    uint64_t pa;

    r->lock = (struct spinlock)SPINLOCK_INIT("ring");
    r->user_va = user_va;
    pending_pool_init(r);
    if (!ledger_charge(p->ledger, CAPOS_RING_PAGES))
        return CAPOS_ERR_QUOTA_EXCEEDED;
    if (!pmm_alloc_frames(CAPOS_RING_PAGES, 1, &pa)) {
        ledger_uncharge(p->ledger, CAPOS_RING_PAGES);
        return CAPOS_ERR_NO_MEMORY;
    }
    r->hdr = phys_to_virt(pa);
    r->sq = (struct capos_sqe *)((uint8_t *)r->hdr + CAPOS_RING_SQ_OFFSET);
    r->cq = (struct capos_cqe *)((uint8_t *)r->hdr + CAPOS_RING_CQ_OFFSET);
    r->hdr->abi_version = CAPOS_RING_ABI_VERSION;
    r->hdr->sq_entries = CAPOS_RING_SQ_ENTRIES;
    r->hdr->cq_entries = CAPOS_RING_CQ_ENTRIES;
    r->hdr->sq_offset = CAPOS_RING_SQ_OFFSET;
    r->hdr->cq_offset = CAPOS_RING_CQ_OFFSET;
    /* The frames now belong to the address space: teardown frees them. */
    for (uint64_t i = 0; i < CAPOS_RING_PAGES; i++) {
        if (paging_map(p->root, user_va + i * PAGE_SIZE, pa + i * PAGE_SIZE, MAP_USER | MAP_WRITE,
                       p->ledger) != 0) {
            /* Only a page table can have failed, charged a frame at a
             * time: no room left means it was the quota.  Unmapped frames
             * are not found by teardown: free them here. */
            int err = ledger_room(p->ledger) == 0 ? CAPOS_ERR_QUOTA_EXCEEDED : CAPOS_ERR_NO_MEMORY;
            for (uint64_t k = i; k < CAPOS_RING_PAGES; k++)
                pmm_free_frame(pa + k * PAGE_SIZE);
            ledger_uncharge(p->ledger, CAPOS_RING_PAGES - i);
            r->hdr = NULL;
            return err;
        }
    }
    return CAPOS_OK;
}

bool ring_post(struct thread *t, const struct capos_cqe *cqe)
{
    struct ring *r = &t->ring;
    spin_lock(&r->lock);
    if (r->dead) {
        spin_unlock(&r->lock);
        return false;
    }
    struct thread *wake = ring_post_locked(r, cqe);
    spin_unlock(&r->lock);
    if (wake)
        sched_wake(wake);
    return true;
}

void ring_kill(struct thread *t)
{
    struct ring *r = &t->ring;
    spin_lock(&r->lock);
    r->dead = true;
    r->waiter = NULL;
    spin_unlock(&r->lock);
}

/*
 * Completes an SQE of the running submission batch at once with `err` and
 * no message (NOP, RELEASE and early errors), writing the CQE in place.  It
 * becomes visible when ring_submit publishes the tail after the batch (or
 * with any completion posted meanwhile); the owner cannot be waiting on it,
 * since the owner is the thread submitting.
 */
static inline void ring_complete_now(struct thread *t, uint64_t user_data, int err, uint32_t detail)
{
    struct ring *r = &t->ring;
    spin_lock(&r->lock);
    ring_cqe_write_result(r, user_data, err, detail);
    spin_unlock(&r->lock);
}

/* The ErrorCode of a refused SQE, and in *detail which check refused it
 * (the codes that share invalidOpcode are told apart only there). */
static int ring_sqe_error(enum ring_sqe_check c, uint32_t *detail)
{
    uint32_t why = capos_SubmissionError_none;
    int err = CAPOS_ERR_INVALID_OPCODE;
    switch (c) {
    case RING_SQE_OK: err = CAPOS_OK; break;
    case RING_SQE_BAD_OPCODE: why = capos_SubmissionError_unknownOpcode; break;
    case RING_SQE_BAD_FLAGS: why = capos_SubmissionError_flags; break;
    case RING_SQE_NONZERO: why = capos_SubmissionError_unusedField; break;
    case RING_SQE_TOO_LONG:
        why = capos_SubmissionError_tooLong;
        err = CAPOS_ERR_INVALID_ARGUMENT;
        break;
    case RING_SQE_TOO_MANY_CAPS:
        why = capos_SubmissionError_tooManyCaps;
        err = CAPOS_ERR_TOO_MANY_CAPS;
        break;
    }
    *detail = why ? CAPOS_RPC_DETAIL(CAPOS_DETAIL_SUBMISSION, why) : 0;
    return err;
}

/* Completes a refused SQE at once, with the detail of the refusal (out of
 * line: the path of every accepted entry stays as it was). */
static NOINLINE void ring_refuse(struct thread *t, uint64_t user_data, enum ring_sqe_check chk)
{
    uint32_t detail;
    int err = ring_sqe_error(chk, &detail);
    ring_complete_now(t, user_data, err, detail);
}

/*
 * REPLY_RECV on the general path: the RETURN and the RECV it stands for,
 * one after the other, as if they had been submitted as two entries
 * (docs/ring-abi.md).  A RETURN that completes with ok or peerGone (the
 * client is gone: the server receives on) leaves no completion of its
 * own; one refused completes the entry with its error and the flag
 * CAPOS_CQE_REPLY_REFUSED, and the RECV is not posted.  Returns as
 * ring_dispatch does.
 */
static NOINLINE bool ring_reply_recv(struct thread *t, const struct capos_sqe *sqe)
{
    struct ring *r = &t->ring;
    struct capos_sqe part = *sqe;
    part.opcode = CAPOS_OP_RETURN;
    part.recv_addr = 0;
    part.detail = 0; /* recv_len's place */
    int err = cap_return(t, &part);
    if (err != CAPOS_OK && err != CAPOS_ERR_PEER_GONE) {
        spin_lock(&r->lock);
        ring_cqe_write_flags(r, sqe->user_data, err, 0, CAPOS_CQE_REPLY_REFUSED);
        spin_unlock(&r->lock);
        return true;
    }
    part = (struct capos_sqe){.opcode = CAPOS_OP_RECV,
                              .cap = sqe->cap,
                              .user_data = sqe->user_data,
                              .recv_addr = sqe->recv_addr,
                              .recv_len = sqe->recv_len};
    err = endpoint_recv(t, &part);
    if (err == CALL_PENDING)
        return false;
    ring_complete_now(t, sqe->user_data, err, 0);
    return true;
}

/* Runs one SQE that ring_sqe_validate judged `chk`.  Operations that
 * finish now complete in place (ring_complete_now) before returning; the
 * others keep their reservation until a pending operation completes them.
 * Returns whether it left an in-place completion for the batch to publish;
 * completions posted by ring_post are published already. */
static ALWAYS_INLINE bool ring_dispatch(struct thread *t, const struct capos_sqe *sqe,
                                        enum ring_sqe_check chk)
{
    int err;
    offwatch_label(OFFWATCH_OP(sqe->opcode));
    if (chk != RING_SQE_OK) {
        ring_refuse(t, sqe->user_data, chk);
        return true;
    } else {
        switch (sqe->opcode) {
        case CAPOS_OP_NOP: err = CAPOS_OK; break;
        case CAPOS_OP_RELEASE: err = cap_release(t->proc, sqe->cap); break;
        case CAPOS_OP_CALL: cap_call(t, sqe); return false;
        case CAPOS_OP_RECV:
            err = endpoint_recv(t, sqe);
            if (err == CALL_PENDING)
                return false;
            break;
        case CAPOS_OP_RETURN: err = cap_return(t, sqe); break;
        case CAPOS_OP_REPLY_RECV: return ring_reply_recv(t, sqe);
        default: err = CAPOS_ERR_INVALID_OPCODE; break;
        }
    }
    ring_complete_now(t, sqe->user_data, err, 0);
    return true;
}

/* Consumes what the process submitted; returns why its ring is corrupt, or
 * NULL.  The
 * completion space is computed once: nothing consumed here can free a slot,
 * and the process's own head only moves forward while it waits in here. */
static const char *ring_submit(struct thread *t)
{
    struct ring *r = &t->ring;
    struct process *p = t->proc;
    uint32_t tail = __atomic_load_n(&r->hdr->sq_tail, __ATOMIC_ACQUIRE);
    uint32_t pending, posted;

    if (!ring_sq_pending(r->sq_head, tail, CAPOS_RING_SQ_ENTRIES, &pending))
        return "ring: submission queue tail is corrupt";
    /* Reserve a completion slot for every entry taken, all at once: posts
     * from other CPUs change cq_tail and cq_reserved under the lock. */
    spin_lock(&r->lock);
    if (!ring_posted(r, &posted)) {
        spin_unlock(&r->lock);
        return "ring: completion queue head is corrupt";
    }
    uint32_t space = posted + r->cq_reserved >= CAPOS_RING_CQ_ENTRIES
                         ? 0 /* backpressure: everything waits for completion space */
                         : CAPOS_RING_CQ_ENTRIES - posted - r->cq_reserved;
    uint32_t n = pending < space ? pending : space;
    r->cq_reserved += n;
    spin_unlock(&r->lock);
    bool unpublished = false;
    for (uint32_t i = 0; i < n; i++) {
        /* One copy out of shared memory; only the copy is looked at. */
        struct capos_sqe sqe = r->sq[r->sq_head & (CAPOS_RING_SQ_ENTRIES - 1)];
        r->sq_head++;
        unpublished |= ring_dispatch(t, &sqe, ring_sqe_validate(&sqe));
        pending_setup_done(r);
        /* Between two entries: interrupts in, and a switch if one is due.
         * Nothing of the last entry is left in per-CPU state (its call
         * buffers are done with, its op is out of setup) and no lock is
         * held; what goes on from here is this thread's (its ring, the
         * copies), so it may resume on another CPU.  Completions made in
         * place stay unpublished meanwhile; only this thread reads them.
         * A stop that came meanwhile is seen below. */
        if (i + 1 < n)
            sched_pause_between();
        if (p->state != PROCESS_ALIVE || t->exit_requested || t->exec_restart)
            break;
    }
    __atomic_store_n(&r->hdr->sq_head, r->sq_head, __ATOMIC_RELEASE);
    if (unpublished) {
        spin_lock(&r->lock);
        ring_publish_tail(r);
        spin_unlock(&r->lock);
    }
    return NULL;
}

/* Makes self the ring's waiter until min_complete completions are posted,
 * and prepares it to block (r->lock held; the caller then drops it and
 * blocks). */
static ALWAYS_INLINE void ring_set_waiter(struct ring *r, struct thread *self,
                                          uint32_t min_complete)
{
    self->timed_out = false;
    r->waiter = self;
    r->wait_min = min_complete;
    sched_prepare_block();
}

/* The first step of a wait, under the ring lock, so that a completion
 * posted from another CPU either is seen here or sees the waiter and wakes
 * it: no wake-up is lost in between.  A signal the thread may take ends
 * the wait too (signal.c wakes a waiter the same way, after marking the
 * signal pending), and the return to user mode delivers it.  Publishes the completions written in
 * place if `publish`; returns true, with the completions available in
 * *posted, if the wait is over (min_complete posted, no waiting asked
 * for, the deadline passed, the ring dead), else makes self the waiter,
 * ready to block.  A corrupt head stops the process. */
static ALWAYS_INLINE bool ring_wait_begin(struct thread *self, uint32_t min_complete,
                                          uint64_t timeout_ns, uint64_t deadline, bool publish,
                                          uint32_t *posted)
{
    struct ring *r = &self->ring;
    spin_lock(&r->lock);
    if (publish)
        ring_publish_tail(r);
    bool corrupt_head = !ring_posted(r, posted);
    /* An exec in another thread asks this one to end (exec.c): read
     * under the lock that makes it the waiter, so that the exec's kick
     * after its store finds it blocked if it did not see the store. */
    bool ending = __atomic_load_n(&self->exit_requested, __ATOMIC_ACQUIRE);
    bool done = corrupt_head || *posted >= min_complete || timeout_ns == 0 ||
                (timeout_ns != CAPOS_WAIT_FOREVER && time_now_ns() >= deadline) || r->dead ||
                ending || signal_ready(&self->proc->sig, self->sig_blocked);
    if (!done)
        ring_set_waiter(r, self, min_complete);
    spin_unlock(&r->lock);
    if (corrupt_head)
        process_fault(self->proc, "ring: completion queue head is corrupt");
    if (ending)
        process_thread_exit(self->exit_request_code);
    return done;
}

/* A waiter's first step once it runs again: a completion that woke it
 * took it off as the ring's waiter, a timeout or a kill left it there, so
 * it takes itself off (only this thread ever makes itself the waiter, so
 * another value seen here is final); a thread of a stopped process ends
 * here. */
static void ring_wait_resumed(struct ring *r, struct thread *self)
{
    if (__atomic_load_n(&r->waiter, __ATOMIC_RELAXED) == self) {
        spin_lock(&r->lock);
        if (r->waiter == self)
            r->waiter = NULL;
        spin_unlock(&r->lock);
    }
    if (self->proc->state != PROCESS_ALIVE)
        process_exit_current();
    /* An exec in another thread asked this one to end (exec.c). */
    if (__atomic_load_n(&self->exit_requested, __ATOMIC_ACQUIRE))
        process_thread_exit(self->exit_request_code);
}

/* cap_enter's wait, after the submissions: returns once min_complete
 * completions are posted and unconsumed, on the timeout, or when the ring
 * died (the caller then finds its process stopped). */
static int64_t ring_wait(struct thread *self, uint32_t min_complete, uint64_t timeout_ns)
{
    struct ring *r = &self->ring;
    struct process *p = self->proc;
    uint32_t posted;
    uint64_t deadline = 0;
    struct timer_event te;

    if (timeout_ns != CAPOS_WAIT_FOREVER) {
        uint64_t now = time_now_ns();
        deadline = timeout_ns > UINT64_MAX - now ? UINT64_MAX : now + timeout_ns;
        te.armed = false;
        te.firing = false;
        te.sync_cancel = false;
        te.kind = TIMER_WAKE_THREAD;
        te.thread = self;
    }
    for (;;) {
        if (ring_wait_begin(self, min_complete, timeout_ns, deadline, false, &posted))
            return posted;
        if (timeout_ns != CAPOS_WAIT_FOREVER)
            timerq_arm(&te, deadline);
        sched_block_commit();
        if (timeout_ns != CAPOS_WAIT_FOREVER)
            timerq_cancel_sync(&te);
        ring_wait_resumed(r, self);
        if (self->timed_out)
            break;
    }
    if (!ring_posted(r, &posted))
        process_fault(p, "ring: completion queue head is corrupt");
    return posted;
}

/* ring_wait for the fast path: a wait without a timeout, registered (after
 * publishing completions written in place, if `publish`) and resumed with
 * the least work; anything unusual on resumption (a kill, a wake-up that
 * was not a completion) continues in ring_wait exactly where its loop
 * would. */
static int64_t ring_wait_forever(struct thread *self, uint32_t min_complete, bool publish)
{
    struct ring *r = &self->ring;
    struct process *p = self->proc;
    uint32_t posted;

    if (ring_wait_begin(self, min_complete, CAPOS_WAIT_FOREVER, 0, publish, &posted))
        return posted;
    sched_block_commit();
    /* The usual wake-up: a completion that met the wait took this thread
     * off as the waiter. */
    if (likely(__atomic_load_n(&r->waiter, __ATOMIC_RELAXED) != self && p->state == PROCESS_ALIVE &&
               ring_posted(r, &posted) && posted >= min_complete))
        return posted;
    ring_wait_resumed(r, self);
    return ring_wait(self, min_complete, CAPOS_WAIT_FOREVER);
}

/* What cap_enter does once the submissions are in: a stopped process or
 * an exiting thread ends here, everyone else waits. */
static int64_t ring_enter_finish(struct thread *self, uint32_t min_complete, uint64_t timeout_ns)
{
    if (self->proc->state != PROCESS_ALIVE)
        process_exit_current();
    if (self->exit_requested)
        process_thread_exit(self->exit_request_code);
    if (unlikely(self->exec_restart)) {
        /* The old program's entries after the exec are dropped with its
         * ring's indices; the new one starts with an empty ring and the
         * registers exec set (rax 0, as at any start). */
        self->exec_restart = false;
        ring_reset(self);
        return 0;
    }
    return ring_wait(self, min_complete, timeout_ns);
}

/* The end of a fast cap_enter with `posted` completions available: a
 * caller that asked for more and may wait waits (ring_enter_finish);
 * otherwise a stopped process or an exiting thread ends here, as there,
 * and the others return at once.  p is self->proc, read by the caller
 * before its ring's indices (an acquire load would make it read again). */
static ALWAYS_INLINE int64_t ring_enter_done(struct thread *self, struct process *p,
                                             uint32_t posted, uint32_t min_complete,
                                             uint64_t timeout_ns)
{
    if (posted < min_complete && timeout_ns != 0)
        return ring_enter_finish(self, min_complete, timeout_ns);
    if (p->state != PROCESS_ALIVE)
        process_exit_current();
    if (self->exit_requested)
        process_thread_exit(self->exit_request_code);
    return posted;
}

/* The general cap_enter: any number of submissions, any wait. */
static NOINLINE int64_t ring_enter_general(struct thread *self, uint32_t min_complete,
                                           uint64_t timeout_ns)
{
    const char *corrupt = ring_submit(self);
    if (corrupt)
        process_fault(self->proc, corrupt);
    return ring_enter_finish(self, min_complete, timeout_ns);
}

/* Copies SQE sq_head + i into d: the one read of the shared entry. */
static ALWAYS_INLINE void ring_sqe_copy(const struct ring *r, uint32_t i, struct capos_sqe *d)
{
    *d = r->sq[(r->sq_head + i) & (CAPOS_RING_SQ_ENTRIES - 1)];
}

/* Whether an SQE copy is a valid `op`: ring_sqe_validate(sqe) ==
 * RING_SQE_OK && sqe->opcode == op, with the checks of that opcode alone. */
static ALWAYS_INLINE bool ring_sqe_is_ok(const struct capos_sqe *sqe, unsigned op)
{
    return sqe->opcode == op && sqe->flags == 0 && ring_sqe_validate_op(sqe, op) == RING_SQE_OK;
}

/* Consumes the n copied entries one by one, as ring_submit does (their
 * completion slots are reserved already); returns whether any completion
 * was written in place. */
static NOINLINE bool ring_submit_copies(struct thread *self, const struct capos_sqe *sqe,
                                        uint32_t n)
{
    struct ring *r = &self->ring;
    struct process *p = self->proc;
    bool unpublished = false;
    uint32_t i = 0;
    while (i < n) {
        r->sq_head++;
        unpublished |= ring_dispatch(self, &sqe[i], ring_sqe_validate(&sqe[i]));
        i++;
        pending_setup_done(r);
        if (p->state != PROCESS_ALIVE || self->exit_requested || self->exec_restart)
            break;
    }
    if (i < n) {
        /* Not consumed after all: it stays queued, as in ring_submit. */
        spin_lock(&r->lock);
        r->cq_reserved -= n - i;
        spin_unlock(&r->lock);
    }
    __atomic_store_n(&r->hdr->sq_head, r->sq_head, __ATOMIC_RELEASE);
    return unpublished;
}

/* One entry that finishes at once and touches nothing else (a NOP, or one
 * refused before any capability is looked at): completed with err and
 * detail and published in the hold of the ring lock that reserved its
 * slot (held on entry, dropped here), as ring_dispatch and ring_submit
 * would. */
static ALWAYS_INLINE int64_t ring_complete_in_place(struct thread *self, uint64_t user_data,
                                                    int err, uint32_t detail, uint32_t posted,
                                                    uint32_t min_complete, uint64_t timeout_ns)
{
    struct ring *r = &self->ring;
    struct process *p = self->proc;
    ring_cqe_write_result(r, user_data, err, detail);
    ring_publish_tail(r);
    r->sq_head++;
    __atomic_store_n(&r->hdr->sq_head, r->sq_head, __ATOMIC_RELEASE);
    spin_unlock(&r->lock);
    return ring_enter_done(self, p, posted + 1, min_complete, timeout_ns);
}

/* ring_complete_in_place for an entry refused by its checks (chk). */
static NOINLINE int64_t ring_enter_refused(struct thread *self, const struct capos_sqe *sqe,
                                           enum ring_sqe_check chk, uint32_t posted,
                                           uint32_t min_complete, uint64_t timeout_ns)
{
    uint32_t detail;
    int err = ring_sqe_error(chk, &detail);
    return ring_complete_in_place(self, sqe->user_data, err, detail, posted, min_complete,
                                  timeout_ns);
}

/*
 * The fast path of cap_enter (docs/ipc.md, "The fast path"): the same
 * protocol as ring_submit and ring_wait, specialised for what a
 * synchronous client or server submits, at most two entries.  It accounts
 * for them exactly as ring_submit would (one copy each, sq_head, one
 * completion slot each), runs a CALL through cap_call_fast and a
 * REPLY_RECV, or a RETURN with the next RECV, through endpoint_fast_reply,
 * which take every case
 * they do not cover back to the general code, and everything else through
 * ring_dispatch.  n is 1 or 2 (ring_enter); a corrupt head or a full
 * completion queue go to ring_enter_general, before anything was consumed.
 */
static NOINLINE int64_t ring_enter_fast(struct thread *self, uint32_t n, uint32_t min_complete,
                                        uint64_t timeout_ns)
{
    struct ring *r = &self->ring;
    struct process *p = self->proc;
    struct capos_sqe sqe[2];
    uint32_t posted;
    bool unpublished;

    spin_lock(&r->lock);
    if (unlikely(!ring_posted(r, &posted) || posted + r->cq_reserved + n > CAPOS_RING_CQ_ENTRIES)) {
        /* A corrupt head or no room for both: the general loop handles it
         * (and takes what fits). */
        spin_unlock(&r->lock);
        return ring_enter_general(self, min_complete, timeout_ns);
    }
    r->cq_reserved += n;
    ring_sqe_copy(r, 0, &sqe[0]);
    offwatch_label(OFFWATCH_OP(sqe[0].opcode));
    if (n == 1) {
        if (likely(ring_sqe_is_ok(&sqe[0], CAPOS_OP_CALL))) {
            /* A call into another process may take the fast path; anything
             * else is the general cap_call. */
            spin_unlock(&r->lock);
            r->sq_head++;
            __atomic_store_n(&r->hdr->sq_head, r->sq_head, __ATOMIC_RELEASE);
            cap_call_fast(self, p, &sqe[0]);
            pending_setup_done(r);
            unpublished = false;
            goto wait;
        }
        if (ring_sqe_is_ok(&sqe[0], CAPOS_OP_NOP))
            return ring_complete_in_place(self, sqe[0].user_data, CAPOS_OK, 0, posted, min_complete,
                                          timeout_ns);
        if (ring_sqe_is_ok(&sqe[0], CAPOS_OP_REPLY_RECV)) {
            spin_unlock(&r->lock);
            if (likely(endpoint_fast_reply(self, &sqe[0], &sqe[0]))) {
                /* The RETURN left no completion, the RECV is posted. */
                r->sq_head++;
                __atomic_store_n(&r->hdr->sq_head, r->sq_head, __ATOMIC_RELEASE);
                pending_setup_done(r);
                unpublished = false;
                goto wait;
            }
            goto general;
        }
        enum ring_sqe_check chk = ring_sqe_validate(&sqe[0]);
        if (chk != RING_SQE_OK)
            return ring_enter_refused(self, &sqe[0], chk, posted, min_complete, timeout_ns);
        spin_unlock(&r->lock);
    } else {
        ring_sqe_copy(r, 1, &sqe[1]);
        spin_unlock(&r->lock);
        if (likely(ring_sqe_is_ok(&sqe[0], CAPOS_OP_RETURN) &&
                   ring_sqe_is_ok(&sqe[1], CAPOS_OP_RECV) &&
                   endpoint_fast_reply(self, &sqe[0], &sqe[1]))) {
            /* The RETURN completed in place, the RECV is posted. */
            r->sq_head += 2;
            __atomic_store_n(&r->hdr->sq_head, r->sq_head, __ATOMIC_RELEASE);
            pending_setup_done(r);
            unpublished = true;
            goto wait;
        }
    }
general:
    unpublished = ring_submit_copies(self, sqe, n);
wait:
    if (unlikely(timeout_ns != CAPOS_WAIT_FOREVER || p->state != PROCESS_ALIVE ||
                 self->exit_requested || self->exec_restart)) {
        if (unpublished) {
            spin_lock(&r->lock);
            ring_publish_tail(r);
            spin_unlock(&r->lock);
        }
        return ring_enter_finish(self, min_complete, timeout_ns);
    }
    /* In-place completions are published with the wait's registration. */
    return ring_wait_forever(self, min_complete, unpublished);
}

bool ring_fast = true;

void ring_fast_init(void)
{
    const char *v;
    if (boot_cmdline_has("ipcfast", &v) && v && v[0] == '0' && v[1] == '\0')
        ring_fast = false;
    kprintf("ipc: fast path %s\n", ring_fast ? "on" : "off (ipcfast=0)");
}

/* cap_enter with nothing submitted, on the fast path.  A caller that will
 * not wait needs no lock: posts only add to what it sees. */
static inline int64_t ring_enter_nothing(struct thread *self, uint32_t min_complete,
                                         uint64_t timeout_ns)
{
    struct process *p = self->proc;
    uint32_t posted;
    if (!ring_posted(&self->ring, &posted))
        process_fault(p, "ring: completion queue head is corrupt");
    return ring_enter_done(self, p, posted, min_complete, timeout_ns);
}

int64_t ring_enter(struct thread *self, uint64_t min_complete, uint64_t timeout_ns)
{
    if (min_complete > CAPOS_RING_CQ_ENTRIES)
        return -(int64_t)CAPOS_ERR_INVALID_ARGUMENT;
    if (!ring_fast)
        return ring_enter_general(self, (uint32_t)min_complete, timeout_ns);
    /* Up to two entries go the fast way; more, or a corrupt tail, the
     * general way (before anything was consumed). */
    uint32_t tail = __atomic_load_n(&self->ring.hdr->sq_tail, __ATOMIC_ACQUIRE);
    uint32_t n = tail - self->ring.sq_head;
    if (n == 0)
        return ring_enter_nothing(self, (uint32_t)min_complete, timeout_ns);
    if (n > 2)
        return ring_enter_general(self, (uint32_t)min_complete, timeout_ns);
    return ring_enter_fast(self, n, (uint32_t)min_complete, timeout_ns);
}

void ring_reset(struct thread *t)
{
    struct ring *r = &t->ring;
    spin_lock(&r->lock);
    r->sq_head = 0;
    r->cq_tail = 0;
    r->cq_reserved = 0;
    r->waiter = NULL;
    r->hdr->sq_head = 0;
    r->hdr->sq_tail = 0;
    r->hdr->cq_head = 0;
    r->hdr->cq_tail = 0;
    spin_unlock(&r->lock);
}

void ring_destroy(struct thread *t)
{
    struct process *p = t->proc;
    struct ring *r = &t->ring;
    if (!r->hdr)
        return;
    uint64_t frames[CAPOS_RING_PAGES];
    unsigned n = 0;
    /* The process's other threads may be changing its mappings.  A
     * released address space (root 0) took the ring's frames with it; a
     * stopped process's will (no thread is made in it any more, so the
     * address is never reused), which spares a shootdown per thread while
     * its other threads may still run elsewhere. */
    spin_lock(&p->lock);
    bool keep = p->state != PROCESS_ALIVE;
    for (uint64_t i = 0; i < CAPOS_RING_PAGES && p->root && !keep; i++) {
        if (paging_unmap(p->root, r->user_va + i * PAGE_SIZE, &frames[n]))
            n++;
    }
    /* Other threads of the process may run elsewhere with the pages in
     * their TLBs: flush everywhere before the frames are reused. */
    if (n)
        arch_tlb_flush_user(p, r->user_va, CAPOS_RING_PAGES);
    spin_unlock(&p->lock);
    for (unsigned i = 0; i < n; i++)
        pmm_free_frame(frames[i]);
    ledger_uncharge(p->ledger, n);
    r->hdr = NULL;
}
