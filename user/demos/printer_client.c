/*
 * Printer client: prints through the printer before and after handing it a
 * copy of this process's Console capability (Printer.attach carries it as a
 * transferred capability).  Before, the printer cannot print (notFound);
 * after, it can.
 */
#include "capos.h"

#include "base/mem.h"

static int print(uint32_t printer, const char *text)
{
    struct capos_msg m;
    const uint8_t *out;
    uint32_t len;
    capos_msg_init(&m);
    capos_Printer_print_Params_set_text(capos_Printer_print_Params_init_root(&m.b), text,
                                        strlen(text));
    capos_msg_finish(&m, &out, &len);
    return capos_call(printer, capos_Printer_INTERFACE_ID, capos_Printer_method_print, out, len, 0,
                      0, 0, 0, 0);
}

int main(int argc, char **argv)
{
    uint32_t printer, console;
    (void)argc, (void)argv;
    if (capos_capset_find("printer", capos_Printer_INTERFACE_ID, &printer) != CAPOS_OK ||
        capos_capset_find("console", capos_Console_INTERFACE_ID, &console) != CAPOS_OK)
        return 1;
    int before = print(printer, "printer: this must not appear");
    capos_printf("printer-client: print before attach: %s\n", capos_error_name(before));

    struct capos_msg m;
    const uint8_t *out;
    uint32_t len;
    struct capos_xfer x = {console, CAPOS_XFER_COPY};
    capos_msg_init(&m);
    capos_Printer_attach_Params_set_console(capos_Printer_attach_Params_init_root(&m.b), 0);
    capos_msg_finish(&m, &out, &len);
    int err = capos_call(printer, capos_Printer_INTERFACE_ID, capos_Printer_method_attach, out, len,
                         0, 0, &x, 1, 0);
    capos_printf("printer-client: attach with a copy of my console: %s\n", capos_error_name(err));
    err = print(printer, "printer: printed through the console the client handed over");
    capos_printf("printer-client: print after attach: %s\n", capos_error_name(err));
    return before == CAPOS_ERR_NOT_FOUND && err == CAPOS_OK ? 0 : 1;
}
