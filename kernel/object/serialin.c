/*
 * SerialInput: the bytes received on the system console's serial line
 * (COM1), for the terminal service (docs/terminal.md).  One object for the
 * machine, granted by the manifest (KernelCapKind serialInput).
 *
 * The kernel only keeps bytes: no echo, no line editing, no signals; the
 * line discipline is the terminal service's (lib/tty).  State, under
 * serialin_lock (taken with interrupts off, from the receive interrupt and
 * from calls):
 *   - buf[head .. head+count), wrapping: received, not yet read.  The
 *     interrupt appends what fits and counts the rest as dropped; it never
 *     waits and takes at most SERIALIN_MAX_IRQ bytes per interrupt.
 *   - reader: the one read waiting (pending op, PENDING_SERIAL_READ), only
 *     while the buffer is empty.  A second read while one waits fails with
 *     quotaExceeded: one reader at a time is the rule, so a byte never has
 *     to choose between two waiters.
 *   - queued: the delivery step is on the reaper's queue.
 * A waiting read is completed in thread context, not by the interrupt
 * handler: its completion writes the bytes into the reader's memory, which
 * may mean walking its page tables under its process lock, and the
 * interrupt may have arrived while this CPU held that lock.  So the
 * interrupt hands the completion to the reaper (reap_queue: O(1), any
 * context), whose step takes the reader and the bytes under the lock and
 * completes it after dropping it.
 *
 * Whoever takes `reader` off (under the lock) completes or cancels it: the
 * reaper's step, or an exiting reader (serial_input_detach).  The stall
 * detector counts a waiting read as armed (serial_input_waiting): the
 * receive interrupt can still wake it.
 *
 * The debug key (Ctrl-T, kernel/stall.c) never reaches the buffer: the
 * interrupt handler takes it out and prints the wait report.
 */
#include "base/mem.h"
#include "capos.rpc.h"
#include "console.h"
#include "msg.h"
#include "objects.h"
#include "pending.h"
#include "reaper.h"
#include "spinlock.h"
#include "stall.h"
#include "thread.h"

#define SERIALIN_BUF     4096
#define SERIALIN_MAX_IRQ 256 /* bytes one interrupt takes at most (a FIFO holds 16) */
#define SERIALIN_MAX     capos_maxSerialRead

struct kobj serial_input_obj = {KOBJ_SERIAL_INPUT, 0};

static struct spinlock serialin_lock = SPINLOCK_INIT("serial input");
static uint8_t serialin_buf[SERIALIN_BUF];
static uint32_t serialin_head, serialin_count;
static uint64_t serialin_received, serialin_dropped;
static struct pending_op *serialin_reader;
static bool serialin_queued;
static struct reap_work serialin_work;
static bool serialin_enabled;

capos_SerialInput_SERVER(serialin, struct kobj, struct call);

int serial_input_invoke(struct kobj *o, struct call *c)
{
    return serialin_dispatch(o, c);
}

void serial_input_enable(void)
{
    serialin_enabled = true;
}

/* Moves up to `max` buffered bytes to out (lock held); returns how many. */
static uint32_t serialin_take_locked(uint8_t *out, uint32_t max)
{
    uint32_t n = MIN(max, serialin_count);
    for (uint32_t i = 0; i < n; i++)
        out[i] = serialin_buf[(serialin_head + i) % SERIALIN_BUF];
    serialin_head = (serialin_head + n) % SERIALIN_BUF;
    serialin_count -= n;
    return n;
}

void serial_input_interrupt(void)
{
    bool report = false, wake = false;
    int c;
    uint64_t flags = spin_lock_irqsave(&serialin_lock);
    for (unsigned i = 0; i < SERIALIN_MAX_IRQ && (c = console_getc()) >= 0; i++) {
        if (c == STALL_DEBUG_KEY) {
            report = true;
            continue;
        }
        serialin_received++;
        if (serialin_count == SERIALIN_BUF) {
            serialin_dropped++;
            continue;
        }
        serialin_buf[(serialin_head + serialin_count) % SERIALIN_BUF] = (uint8_t)c;
        serialin_count++;
    }
    if (serialin_reader && serialin_count && !serialin_queued) {
        serialin_queued = true;
        wake = true;
    }
    spin_unlock_irqrestore(&serialin_lock, flags);
    if (wake)
        reap_queue(&serialin_work, REAP_SERIAL_INPUT);
    if (report)
        stall_debug_report();
}

bool serial_input_deliver(struct reap_work *w)
{
    static uint8_t data[SERIALIN_MAX];
    static uint64_t arena[(SERIALIN_MAX + 64) / 8];
    (void)w;
    uint64_t flags = spin_lock_irqsave(&serialin_lock);
    serialin_queued = false;
    struct pending_op *op = serialin_reader;
    uint32_t n = 0;
    if (op && serialin_count) {
        serialin_reader = NULL;
        n = serialin_take_locked(data, op->pipe_len);
    } else {
        op = NULL; /* the reader went meanwhile */
    }
    spin_unlock_irqrestore(&serialin_lock, flags);
    if (!op)
        return true;
    /* Only the reaper runs this, one step at a time: the static buffers
     * are its own. */
    struct capnp_builder b;
    const uint8_t *msg;
    size_t len;
    capnp_builder_init(&b, arena, sizeof(arena));
    capos_SerialInput_read_encode_results(&b, &(capos_SerialInput_read_results){.data = {data, n}});
    if (capnp_builder_finish(&b, &msg, &len) != CAPNP_OK)
        pending_complete(op, CAPOS_ERR_RESULT_TOO_LARGE, NULL, 0, NULL, 0);
    else
        pending_complete(op, CAPOS_OK, msg, (uint32_t)len, NULL, 0);
    return true;
}

bool serial_input_detach(struct pending_op *op)
{
    uint64_t flags = spin_lock_irqsave(&serialin_lock);
    bool mine = serialin_reader == op;
    if (mine)
        serialin_reader = NULL;
    spin_unlock_irqrestore(&serialin_lock, flags);
    return mine;
}

bool serial_input_waiting(void)
{
    return __atomic_load_n(&serialin_reader, __ATOMIC_ACQUIRE) != NULL;
}

/* `max` is 1 to SERIALIN_MAX (the schema's bounds, checked by the
 * decoder). */
static int serialin_read(struct kobj *o, struct call *c, const capos_SerialInput_read_args *a)
{
    uint8_t data[SERIALIN_MAX];
    struct pending_op *op = NULL;
    if (!serialin_enabled)
        return CAPOS_ERR_UNSUPPORTED;
    for (;;) {
        uint64_t flags = spin_lock_irqsave(&serialin_lock);
        /* A waiting read comes first: the bytes that arrived are its. */
        if (serialin_reader) {
            spin_unlock_irqrestore(&serialin_lock, flags);
            if (op)
                pending_free(op);
            return CAPOS_ERR_QUOTA_EXCEEDED;
        }
        if (serialin_count) {
            uint32_t n = serialin_take_locked(data, a->max);
            spin_unlock_irqrestore(&serialin_lock, flags);
            if (op)
                pending_free(op);
            struct capnp_builder b;
            call_result_begin(c, &b);
            capos_SerialInput_read_encode_results(
                &b, &(capos_SerialInput_read_results){.data = {data, n}});
            return call_result_end(c, &b);
        }
        if (op) {
            /* Still empty, nobody waiting: this read waits. */
            op->pipe_len = a->max;
            __atomic_store_n(&serialin_reader, op, __ATOMIC_RELEASE);
            spin_unlock_irqrestore(&serialin_lock, flags);
            return CALL_PENDING;
        }
        spin_unlock_irqrestore(&serialin_lock, flags);
        /* The op is made without the lock (it may allocate), then the
         * state is looked at again. */
        int err;
        op = pending_new(c->thread, PENDING_SERIAL_READ, c->sqe, &err);
        if (!op)
            return err;
    }
}

static int serialin_stats(struct kobj *o, struct call *c, const capos_SerialInput_stats_args *a)
{
    uint64_t flags = spin_lock_irqsave(&serialin_lock);
    capos_SerialInput_stats_results r = {.received = serialin_received,
                                         .dropped = serialin_dropped};
    spin_unlock_irqrestore(&serialin_lock, flags);
    struct capnp_builder b;
    call_result_begin(c, &b);
    capos_SerialInput_stats_encode_results(&b, &r);
    return call_result_end(c, &b);
}
