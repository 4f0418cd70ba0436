/*
 * A program on the terminal (smoke terminal).  First a child of its own
 * ("quitter", this binary) leaves a read waiting in the service and
 * faults: the line typed next must not be lost with it.  It tries the
 * service's own TerminalInput (notPermitted) and a read that may not wait
 * (wouldBlock).  Then it reads
 * lines through the
 * Terminal interface and says what it got, switches to non-canonical
 * mode with echo off and reads single keys, back to canonical mode, asks
 * for the signal ^C raised for its foreground group, and ends at end of
 * file (^D).  The smoke types as a person would when it says it is ready.
 */
#include "capos.h"

#include "base/mem.h"
#include "tty/tty.h"

static uint32_t tty;
static uint64_t res[(capos_maxTerminalIo + 256) / 8];

static void show(const char *what, const uint8_t *p, uint32_t n)
{
    char s[160];
    uint32_t k = 0;
    for (uint32_t i = 0; i < n && k + 5 < sizeof(s); i++) {
        if (p[i] == '\n') {
            s[k++] = '\\';
            s[k++] = 'n';
        } else if (p[i] >= 0x20 && p[i] < 0x7f) {
            s[k++] = (char)p[i];
        } else {
            s[k++] = '?';
        }
    }
    s[k] = 0;
    capos_printf("ttyecho: %s \"%s\"\n", what, s);
}

/* One read; its length, or -1 on an error. */
static int tread(uint32_t max, const uint8_t **data)
{
    struct capos_rpc_opts o = {.buf = res, .buf_len = sizeof(res)};
    capos_Terminal_read_results r;
    int err = capos_Terminal_read_call(tty, &(capos_Terminal_read_args){.max = max}, &r, &o);
    if (err != CAPOS_OK) {
        capos_printf("ttyecho: read: %s\n", capos_error_name(err));
        return -1;
    }
    *data = r.data.ptr;
    return (int)r.data.len;
}

static int set_mode(bool canonical)
{
    uint64_t ares[16];
    struct capos_rpc_opts o = {.buf = ares, .buf_len = sizeof(ares)};
    capos_Terminal_getAttr_results g;
    if (capos_Terminal_getAttr_call(tty, NULL, &g, &o) != CAPOS_OK || g.cc.len != TTY_NCCS)
        return -1;
    uint8_t cc[TTY_NCCS];
    memcpy(cc, g.cc.ptr, TTY_NCCS);
    uint32_t lflag =
        canonical ? g.lflag | TTY_ICANON | TTY_ECHO : g.lflag & ~(TTY_ICANON | TTY_ECHO);
    cc[TTY_VMIN] = 1;
    cc[TTY_VTIME] = 0;
    capos_Terminal_setAttr_args s = {.iflag = g.iflag,
                                     .oflag = g.oflag,
                                     .cflag = g.cflag,
                                     .lflag = lflag,
                                     .cc = {cc, TTY_NCCS},
                                     .when = capos_TerminalSetWhen_flush};
    return capos_Terminal_setAttr_call(tty, &s, NULL, NULL) == CAPOS_OK ? 0 : -1;
}

/* The child: a read the service defers (the getForeground after it is
 * answered only once the service has taken the read), then a fault. */
static int quitter(void)
{
    uint64_t arena[capos_Terminal_read_ARENA_WORDS], cookie;
    struct capnp_builder b;
    struct capos_rpc_opts o = {.buf = res, .buf_len = sizeof(res)};
    capos_Terminal_getForeground_results fg;
    capnp_builder_init(&b, arena, sizeof(arena));
    if (capos_Terminal_read_submit(tty, &(capos_Terminal_read_args){.max = 16}, &b, &o, &cookie) !=
            CAPOS_OK ||
        capos_Terminal_getForeground_call(tty, NULL, &fg, NULL) != CAPOS_OK)
        return 2;
    capos_printf("ttyecho: the quitter waits to read, and faults\n");
    *(volatile int *)0 = 1;
    return 3;
}

int main(int argc, char **argv)
{
    const uint8_t *d;
    int n;
    tty = capos_capset_require("tty", capos_Terminal_INTERFACE_ID);
    if (argc > 1)
        return quitter();
    uint32_t spawner = capos_capset_require("spawner", capos_ProcessSpawner_INTERFACE_ID), h;
    const struct capos_grant g[] = {
        {.name = "console", .kernel = true, .kind = capos_KernelCapKind_console},
        {.name = "tty",
         .cap = tty,
         .mode = CAPOS_XFER_COPY,
         .interface_id = capos_Terminal_INTERFACE_ID},
    };
    const char *qargv[] = {"quitter", "quit"};
    struct capos_exit st;
    if (capos_spawn(spawner, "ttyecho", "quitter", g, 2, qargv, 2, NULL, 0, &h) != CAPOS_OK ||
        capos_process_wait(h, &st) != CAPOS_OK || st.kind != capos_ExitStatus_which_faulted)
        return 1;

    /* What a client may not do, and a read that may not wait. */
    uint8_t junk = 'j';
    int err = capos_TerminalInput_input_call(
        tty, &(capos_TerminalInput_input_args){.data = {&junk, 1}}, NULL, NULL);
    capos_printf("ttyecho: feeding the terminal's input: %s\n", capos_error_name(err));
    struct capos_rpc_opts o = {.buf = res, .buf_len = sizeof(res)};
    capos_Terminal_read_results rr;
    err = capos_Terminal_read_call(tty, &(capos_Terminal_read_args){.max = 8, .nonBlocking = true},
                                   &rr, &o);
    capos_printf("ttyecho: a read that may not wait: %s\n", capos_error_name(err));
    capos_printf("ttyecho: ready\n");
    if ((n = tread(256, &d)) < 0)
        return 1;
    show("got", d, (uint32_t)n);

    if (set_mode(false) != 0)
        return 1;
    capos_printf("ttyecho: raw mode\n");
    for (int i = 0; i < 3; i++) {
        if ((n = tread(1, &d)) != 1)
            return 1;
        show("key", d, 1);
    }

    if (set_mode(true) != 0 ||
        capos_Terminal_setForeground_call(tty, &(capos_Terminal_setForeground_args){.pgid = 7},
                                          NULL, NULL) != CAPOS_OK)
        return 1;
    capos_printf("ttyecho: cooked, foreground 7\n");
    capos_Terminal_nextSignal_results sig;
    if (capos_Terminal_nextSignal_call(tty, NULL, &sig, NULL) != CAPOS_OK)
        return 1;
    capos_printf("ttyecho: signal %u for group %u\n", sig.signal, sig.pgid);

    while ((n = tread(256, &d)) > 0)
        show("got", d, (uint32_t)n);
    if (n < 0)
        return 1;
    capos_printf("ttyecho: end of file\n");
    return 0;
}
