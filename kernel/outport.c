/*
 * Turns at the output ports COM2 and COM3 (see outport.h and
 * docs/console.md).
 *
 * Each port has its own ticket queue, so writers of one port never wait
 * for another port or for the kernel console.  The guarantee is the one
 * Console writes have on COM1: a write goes out in segments of at most
 * PRINTK_SEGMENT_MAX bytes, each ending at a newline when there is one
 * (lib/console/segment.h), one turn each, so lines of up to that length
 * from different writers never mix.  Only Console writes, from threads,
 * use these ports: no kernel message and no interrupt handler ever
 * writes here, so a writer simply waits for its turn and for the
 * transmitter with interrupt windows open, and nothing borrows turns.
 * Each wait for the transmitter is bounded as on COM1: a port that stays
 * busy for OUTPORT_TX_POLLS polls is presumed stuck, the rest of that send
 * is dropped, and later sends look once and drop while it is still busy.
 */
#include "outport.h"

#include "arch/x86_64/cpu.h"
#include "console/segment.h"
#include "printk.h"

#define OUTPORT_TX_POLLS 20000

struct outport {
    uint32_t next;    /* the next ticket to hand out */
    uint32_t serving; /* the ticket whose holder may send */
    bool stalled;     /* the transmitter timed out; changed in a turn */
};

static struct outport outports[CONSOLE_PORTS];

static inline void outport_window(void)
{
    irq_enable();
    cpu_relax();
    irq_disable();
}

static bool outport_tx_wait(enum console_port port, struct outport *o)
{
    for (unsigned polls = 0;; polls++) {
        if (console_port_tx_ready(port)) {
            o->stalled = false;
            return true;
        }
        if (o->stalled || polls == OUTPORT_TX_POLLS) {
            o->stalled = true;
            return false;
        }
        outport_window();
    }
}

static void outport_send(enum console_port port, struct outport *o, const char *s, size_t n)
{
    while (n > 0) {
        size_t k = outport_tx_wait(port, o) ? console_port_tx_put(port, s, n) : n;
        s += k;
        n -= k;
    }
}

size_t outport_write_segment(enum console_port port, const char *s, size_t n, bool newline)
{
    struct outport *o = &outports[port];
    size_t k = console_segment(s, n, PRINTK_SEGMENT_MAX);
    bool nl = newline && k == n;
    uint32_t t = __atomic_fetch_add(&o->next, 1, __ATOMIC_RELAXED);
    while (__atomic_load_n(&o->serving, __ATOMIC_ACQUIRE) != t)
        outport_window();
    outport_send(port, o, s, k);
    if (nl)
        outport_send(port, o, "\n", 1);
    __atomic_store_n(&o->serving, t + 1, __ATOMIC_RELEASE);
    outport_window();
    return k;
}
