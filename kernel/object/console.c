/*
 * Console object: writes to the kernel console.  Whole writes go out under
 * the console lock, so lines from different processes (and the kernel) never
 * interleave within a write.  The kernel adds nothing to the bytes.
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
