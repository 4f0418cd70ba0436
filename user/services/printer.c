/*
 * Printer server: has no console of its own.  A client hands it a Console
 * capability with Printer.attach; the printer keeps it (releasing the one
 * it held before) and prints through it on Printer.print.  Shows authority
 * arriving by transfer, explicitly.  Every other capability a call carries
 * is released at once, so that no client can fill its table.
 */
#include "capos.h"

static uint64_t reqbuf[2048];

int main(int argc, char **argv)
{
    uint32_t server, console = 0, dummy;
    struct capos_request req;
    int served = 0;
    (void)argc, (void)argv;
    if (capos_capset_find("printer", capos_Endpoint_INTERFACE_ID, &server) != CAPOS_OK)
        return 1;
    /* It really has none of its own. */
    if (capos_capset_find("console", 0, &dummy) == CAPOS_OK)
        return 2;
    int err = capos_recv(server, reqbuf, sizeof(reqbuf), &req);
    while (err == CAPOS_OK) {
        int status = CAPOS_OK;
        struct capnp_reader r;
        if (req.interface_id != capos_Printer_INTERFACE_ID ||
            !capos_msg_read(&r, req.msg, req.msg_len)) {
            status = CAPOS_ERR_INVALID_ARGUMENT;
        } else if (req.method == capos_Printer_method_attach) {
            capnp_reader_set_cap_count(&r, req.ncaps);
            uint32_t idx =
                capos_Printer_attach_Params_get_console(capos_Printer_attach_Params_read_root(&r));
            if (idx >= req.ncaps) {
                status = CAPOS_ERR_INVALID_ARGUMENT;
            } else {
                if (console)
                    capos_release(console);
                console = req.caps[idx];
            }
        } else if (req.method == capos_Printer_method_print) {
            struct capnp_text t =
                capos_Printer_print_Params_get_text(capos_Printer_print_Params_read_root(&r));
            status = console ? capos_console_write_line(console, t.str) : CAPOS_ERR_NOT_FOUND;
        } else {
            status = CAPOS_ERR_UNKNOWN_METHOD;
        }
        for (uint32_t i = 0; i < req.ncaps; i++) {
            if (req.caps[i] != console)
                capos_release(req.caps[i]);
        }
        if (++served == 3) {
            capos_return(server, req.token, status, 0, 0, 0, 0);
            break;
        }
        err = capos_reply_recv(server, req.token, status, 0, 0, reqbuf, sizeof(reqbuf), &req);
    }
    return 0;
}
