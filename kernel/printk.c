/*
 * printk: kernel messages and Console writes, and the turns in which they
 * reach the serial line (see printk.h for the guarantees).
 *
 * Turns.  A writer takes a ticket and sends when the ticket comes up, so
 * CPUs are served in arrival order and a waiter waits for at most one turn
 * of each other CPU.  A kernel message is one turn, sent with interrupts
 * off (its caller may be anywhere).  A Console write is cut into segments
 * of at most PRINTK_SEGMENT_MAX bytes that keep short lines whole
 * (lib/console/segment.h), one turn each; it waits for its turn, and for
 * the transmitter between bursts, with interrupt windows open, so its CPU
 * keeps interrupts off for at most one burst of the transmitter (a FIFO's
 * worth, 16 characters) at a time.
 *
 * An interrupt taken in such a window may print.  If it waited for a turn
 * of its own it would wait behind its own CPU's write forever, so it uses
 * that write's turn instead: it waits, interrupts off, until the turn comes
 * up (at once if the write already holds it), sends its message and leaves
 * the turn to the write.  Only then can kernel text land inside a Console
 * segment.  Each CPU records the ticket its Console write holds or awaits
 * (printk_cpu_ticket); printk_windowed counts such writes, so that while
 * there are none (always, early in boot, before the per-CPU state exists)
 * printk never needs to know which CPU it runs on.
 *
 * The transmitter.  Each wait for it is bounded (PRINTK_TX_POLLS polls,
 * tens of milliseconds on real hardware, where a full FIFO drains in 1.4
 * ms).  A transmitter that stays busy that long is presumed stuck: the rest
 * of that send is dropped and later sends look once and drop while it is
 * still busy, so a dead UART costs one bounded wait rather than one per
 * byte.  Once the kernel panics, turns are ignored (the holder may be a
 * stopped CPU) and the report goes out directly.
 */
#include "printk.h"

#include "base/mem.h"
#include "console.h"
#include "console/segment.h"
#include "fmt/fmt.h"
#include "offwatch.h"
#include "percpu.h"
#include "spinlock.h"

/* Polls of the transmitter before it is presumed stuck. */
#define PRINTK_TX_POLLS 20000

static uint32_t printk_next;    /* the next ticket to hand out */
static uint32_t printk_serving; /* the ticket whose holder may send */
/* Per CPU, read and written by that CPU only: 1 + the ticket its Console
 * write holds or awaits with interrupt windows open, or 0. */
static uint32_t printk_cpu_ticket[MAX_CPUS];
static uint32_t printk_windowed; /* Console writes with a nonzero printk_cpu_ticket */
static bool printk_stalled;      /* the transmitter timed out; changed in a turn */
static bool printk_panicking;

void printk_enter_panic(void)
{
    printk_panicking = true;
}

/* Lets pending interrupts in.  The instruction after sti still runs with
 * interrupts off; they are taken after it, before cli. */
static inline void printk_irq_window(void)
{
    offwatch_end();
    irq_window();
    offwatch_resume();
}

/* One step of a wait: interrupts in, or, with interrupts kept off, TLB
 * shootdowns answered (their IPIs cannot arrive). */
static inline void printk_wait_step(bool windows)
{
    if (windows) {
        printk_irq_window();
    } else {
        smp_poll();
        cpu_relax();
    }
}

static void printk_wait_turn(uint32_t ticket, bool windows)
{
    while (__atomic_load_n(&printk_serving, __ATOMIC_ACQUIRE) != ticket)
        printk_wait_step(windows);
}

/* Waits for this caller's turn; returns what printk_turn_give needs. */
static uint32_t printk_turn_take(bool windows)
{
    if (__atomic_load_n(&printk_windowed, __ATOMIC_RELAXED)) {
        uint32_t held = printk_cpu_ticket[this_cpu()->id];
        if (held) {
            /* Inside a window of this CPU's Console write: use its turn. */
            printk_wait_turn(held - 1, false);
            return 0;
        }
    }
    uint32_t t = __atomic_fetch_add(&printk_next, 1, __ATOMIC_RELAXED);
    if (windows) {
        printk_cpu_ticket[this_cpu()->id] = t + 1;
        __atomic_fetch_add(&printk_windowed, 1, __ATOMIC_RELAXED);
    }
    printk_wait_turn(t, windows);
    return t + 1;
}

static void printk_turn_give(uint32_t took, bool windows)
{
    if (!took)
        return; /* a borrowed turn stays with its owner */
    if (windows) {
        __atomic_fetch_sub(&printk_windowed, 1, __ATOMIC_RELAXED);
        printk_cpu_ticket[this_cpu()->id] = 0;
    }
    __atomic_store_n(&printk_serving, took, __ATOMIC_RELEASE);
}

/* Waits until the transmitter takes a burst; false if it is stuck. */
static bool printk_tx_wait(bool windows)
{
    for (unsigned polls = 0;; polls++) {
        if (console_tx_ready()) {
            printk_stalled = false;
            return true;
        }
        if (printk_stalled || polls == PRINTK_TX_POLLS) {
            printk_stalled = true;
            return false;
        }
        printk_wait_step(windows);
    }
}

/* Sends s in bursts, in the caller's turn (or while panicking). */
static void printk_send(const char *s, size_t n, bool windows)
{
    while (n > 0) {
        size_t k = printk_tx_wait(windows) ? console_tx_put(s, n) : n;
        s += k;
        n -= k;
    }
}

struct printk_buf {
    char data[256];
    size_t len;
};

static void printk_sink(void *ctx, const char *s, size_t n)
{
    struct printk_buf *b = ctx;
    while (n) {
        if (b->len == sizeof(b->data)) {
            printk_send(b->data, b->len, false);
            b->len = 0;
        }
        size_t k = sizeof(b->data) - b->len;
        if (k > n)
            k = n;
        memcpy(b->data + b->len, s, k);
        b->len += k;
        s += k;
        n -= k;
    }
}

int kvprintf(const char *fmt, va_list ap)
{
    struct printk_buf b;
    bool turns = !printk_panicking;
    uint32_t took = 0;
    int n;

    b.len = 0;
    uint64_t flags = irq_save();
    if (turns)
        took = printk_turn_take(false);
    n = fmt_vformat(printk_sink, &b, fmt, ap);
    printk_send(b.data, b.len, false);
    if (turns)
        printk_turn_give(took, false);
    irq_restore(flags);
    return n;
}

int kprintf(const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = kvprintf(fmt, ap);
    va_end(ap);
    return n;
}

size_t printk_write_segment(const char *s, size_t n, bool newline)
{
    size_t k = console_segment(s, n, PRINTK_SEGMENT_MAX);
    bool nl = newline && k == n;
    if (printk_panicking) {
        printk_send(s, k, false);
        if (nl)
            printk_send("\n", 1, false);
        return k;
    }
    uint32_t took = printk_turn_take(true);
    printk_send(s, k, true);
    if (nl)
        printk_send("\n", 1, true);
    printk_turn_give(took, true);
    printk_irq_window();
    return k;
}
