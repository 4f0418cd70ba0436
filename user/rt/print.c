/*
 * capos_printf: formats with lib/fmt into a buffer and writes it to the
 * program's "console" capability in one Console.write, so each line of up
 * to 256 bytes that one printf writes is never split by another process's
 * output (docs/console.md).
 */
#include "capos.h"

#include "fmt/fmt.h"

static uint32_t print_console;
static int print_state; /* 0 = not looked up, 1 = found, -1 = none */

int capos_vprintf(const char *fmt, va_list ap)
{
    char buf[1024];
    if (print_state == 0)
        print_state =
            capos_capset_find("console", capos_Console_INTERFACE_ID, &print_console) == CAPOS_OK
                ? 1
                : -1;
    int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
    if (print_state > 0 && n > 0)
        capos_console_write(print_console, buf,
                            (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
    return n;
}

int capos_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = capos_vprintf(fmt, ap);
    va_end(ap);
    return n;
}
