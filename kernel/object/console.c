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
 * There is one object per serial line (enum console_port): console_obj is
 * the system console, COM1, whose segments take turns with kernel messages
 * (printk); console_port_objs[] are COM2 and COM3, whose segments take
 * turns at their own line (outport.c) and go out byte for byte.  A write
 * to a line the machine does not have fails with unsupported.
 */
#include "abi/errors.h"
#include "base/mem.h"
#include "mm/ledger.h"
#include "mm/pmm.h"
#include "msg.h"
#include "objects.h"
#include "outport.h"
#include "printk.h"
#include "process.h"
#include "sched.h"
#include "thread.h"

#define CONSOLE_MAX_WRITE 4096

_Static_assert(CONSOLE_MAX_WRITE <= PAGE_SIZE, "a write's copy fits one frame");

struct kobj console_obj = {KOBJ_CONSOLE, 0};
struct kobj console_port_objs[CONSOLE_PORTS] = {
    [CONSOLE_COM2] = {KOBJ_CONSOLE, 0},
    [CONSOLE_COM3] = {KOBJ_CONSOLE, 0},
};

_Static_assert((int)CONSOLE_COM1 == (int)capos_ConsolePort_com1 &&
                   (int)CONSOLE_COM2 == (int)capos_ConsolePort_com2 &&
                   (int)CONSOLE_COM3 == (int)capos_ConsolePort_com3 &&
                   (int)CONSOLE_PORTS == capos_ConsolePort_COUNT,
               "console ports as the schema numbers them");

struct kobj *console_port_obj(uint32_t port)
{
    if (port == CONSOLE_COM1)
        return &console_obj;
    return port < CONSOLE_PORTS ? &console_port_objs[port] : NULL;
}

static enum console_port console_port_of(const struct kobj *o)
{
    return o == &console_port_objs[CONSOLE_COM2]   ? CONSOLE_COM2
           : o == &console_port_objs[CONSOLE_COM3] ? CONSOLE_COM3
                                                   : CONSOLE_COM1;
}

static void console_write(struct call *c, enum console_port port, const char *s, size_t n,
                          bool newline)
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
        size_t k = port == CONSOLE_COM1 ? printk_write_segment(s, n, newline)
                                        : outport_write_segment(port, s, n, newline);
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
    enum console_port port = console_port_of(o);
    if (!call_params(c, &r))
        return CAPOS_ERR_INVALID_ARGUMENT;
    if (port != CONSOLE_COM1 && !console_port_present(port))
        return CAPOS_ERR_UNSUPPORTED;
    switch (c->sqe->method) {
    case capos_Console_method_write: {
        struct capnp_data d =
            capos_Console_write_Params_get_data(capos_Console_write_Params_read_root(&r));
        if (!call_params_ok(&r) || d.len > CONSOLE_MAX_WRITE)
            return CAPOS_ERR_INVALID_ARGUMENT;
        if (d.len > 0)
            console_write(c, port, (const char *)d.ptr, d.len, false);
        return CAPOS_OK;
    }
    case capos_Console_method_writeLine: {
        struct capnp_text t =
            capos_Console_writeLine_Params_get_text(capos_Console_writeLine_Params_read_root(&r));
        if (!call_params_ok(&r) || t.len > CONSOLE_MAX_WRITE)
            return CAPOS_ERR_INVALID_ARGUMENT;
        console_write(c, port, t.str, t.len, true);
        return CAPOS_OK;
    }
    default: return CAPOS_ERR_UNKNOWN_METHOD;
    }
}
