/*
 * Console object: writes to the kernel console.  The kernel adds nothing to
 * the bytes.  A write of up to CONSOLE_MAX_WRITE bytes goes out through
 * printk_write, which keeps every line of up to 256 bytes whole (nothing
 * from another writer inside it) and never keeps interrupts off for more
 * than one burst of the serial transmitter; printk.h states the guarantee.
 *
 * The call blocks its thread's CPU for as long as its bytes take to send
 * (about 0.36 s for 4096 bytes at 115200 baud, twice that if they are all
 * newlines, sent as CR LF), serving interrupts throughout; the time is
 * charged to the writer.  The data stays in this CPU's call buffer, which
 * nothing else uses meanwhile: the thread does not leave the CPU.
 */
#include "abi/errors.h"
#include "msg.h"
#include "objects.h"
#include "printk.h"

#define CONSOLE_MAX_WRITE 4096

struct kobj console_obj = {KOBJ_CONSOLE, 0};

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
        printk_write((const char *)d.ptr, d.len, false);
        return CAPOS_OK;
    }
    case capos_Console_method_writeLine: {
        struct capnp_text t =
            capos_Console_writeLine_Params_get_text(capos_Console_writeLine_Params_read_root(&r));
        if (!call_params_ok(&r) || t.len > CONSOLE_MAX_WRITE)
            return CAPOS_ERR_INVALID_ARGUMENT;
        printk_write(t.str, t.len, true);
        return CAPOS_OK;
    }
    default: return CAPOS_ERR_UNKNOWN_METHOD;
    }
}
