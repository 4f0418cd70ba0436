/*
 * Console object: writes to the kernel console.  The kernel adds nothing to
 * the bytes.  A write of up to CONSOLE_MAX_WRITE bytes goes out in segments
 * of at most PRINTK_SEGMENT_MAX bytes, one turn at the serial line each
 * (printk.h): every line of up to that length comes out whole, and while a
 * segment goes out its CPU keeps interrupts off for at most one burst of
 * the transmitter at a time.
 *
 * Between segments the writing thread passes a preemption point, so a long
 * write (about 0.36 s for 4096 bytes at 115200 baud, twice that if they are
 * all newlines, sent as CR LF), or one that waits behind other writers,
 * does not keep other threads off its CPU for longer than one segment and
 * the turns queued before it.  A thread may leave the CPU only once its
 * data no longer lives in the CPU's call buffer (another thread's call
 * would overwrite it): a write longer than one segment is first copied into
 * a frame charged to the writer's memory quota.  Without room in the quota
 * the write still goes out, from the call buffer and without preemption
 * points, as one uninterrupted sequence of segments.  A write whose process
 * is stopping ends at the next segment boundary.
 *
 * The generated dispatch (capos_Console_SERVER) has checked the parameters,
 * the schema's bound on their length included, before the acting functions
 * at the end run.
 */
#include "base/mem.h"
#include "capos.rpc.h"
#include "mm/ledger.h"
#include "mm/pmm.h"
#include "msg.h"
#include "objects.h"
#include "printk.h"
#include "process.h"
#include "sched.h"
#include "thread.h"

#define CONSOLE_MAX_WRITE capos_maxConsoleWrite /* the schema's bound on a write */

_Static_assert(CONSOLE_MAX_WRITE <= PAGE_SIZE, "a write's copy fits one frame");

struct kobj console_obj = {KOBJ_CONSOLE, 0};

static void console_out(struct call *c, const char *s, size_t n, bool newline)
{
    struct process *p = c->proc;
    struct thread *t = c->thread;
    uint64_t copy_pa = 0;
    bool copied = false;
    if (n > PRINTK_SEGMENT_MAX && ledger_charge(p->ledger, 1)) {
        if (pmm_alloc_frames(1, 1, &copy_pa)) {
            memcpy(phys_to_virt(copy_pa), s, n);
            s = phys_to_virt(copy_pa);
            copied = true;
        } else {
            ledger_uncharge(p->ledger, 1);
        }
    }
    for (;;) {
        size_t k = printk_write_segment(s, n, newline);
        s += k;
        n -= k;
        if (n == 0)
            break;
        if (copied)
            sched_preempt_point(); /* may resume on another CPU */
        if (p->state != PROCESS_ALIVE || t->exit_requested)
            break;
    }
    if (copied) {
        pmm_free_frame(copy_pa);
        ledger_uncharge(p->ledger, 1);
    }
}

capos_Console_SERVER(console, struct kobj, struct call);

int console_invoke(struct kobj *o, struct call *c)
{
    return console_dispatch(o, c);
}

/* The decoder has checked that data and text are at most
 * capos_maxConsoleWrite bytes. */
static int console_write(struct kobj *o, struct call *c, const capos_Console_write_args *a)
{
    if (a->data.len > 0)
        console_out(c, (const char *)a->data.ptr, a->data.len, false);
    return CAPOS_OK;
}

static int console_writeLine(struct kobj *o, struct call *c, const capos_Console_writeLine_args *a)
{
    console_out(c, a->text.str, a->text.len, true);
    return CAPOS_OK;
}
