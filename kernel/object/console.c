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
 */
#include "abi/errors.h"
#include "base/mem.h"
#include "mm/ledger.h"
#include "mm/pmm.h"
#include "msg.h"
#include "objects.h"
#include "printk.h"
#include "process.h"
#include "sched.h"
#include "thread.h"

#define CONSOLE_MAX_WRITE 4096

_Static_assert(CONSOLE_MAX_WRITE <= PAGE_SIZE, "a write's copy fits one frame");

struct kobj console_obj = {KOBJ_CONSOLE, 0};

static void console_write(struct call *c, const char *s, size_t n, bool newline)
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

int console_invoke(struct kobj *o, struct call *c)
{
    struct capnp_reader r;
    (void)o;
    if (!call_params(c, &r))
        return CAPOS_ERR_INVALID_ARGUMENT;
    switch (c->sqe->method) {
    case capos_Console_method_write: {
        struct capnp_data d =
            capos_Console_write_Params_get_data(capos_Console_write_Params_read_root(&r));
        if (!call_params_ok(&r) || d.len > CONSOLE_MAX_WRITE)
            return CAPOS_ERR_INVALID_ARGUMENT;
        if (d.len > 0)
            console_write(c, (const char *)d.ptr, d.len, false);
        return CAPOS_OK;
    }
    case capos_Console_method_writeLine: {
        struct capnp_text t =
            capos_Console_writeLine_Params_get_text(capos_Console_writeLine_Params_read_root(&r));
        if (!call_params_ok(&r) || t.len > CONSOLE_MAX_WRITE)
            return CAPOS_ERR_INVALID_ARGUMENT;
        console_write(c, t.str, t.len, true);
        return CAPOS_OK;
    }
    default: return CAPOS_ERR_UNKNOWN_METHOD;
    }
}
