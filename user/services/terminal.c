/*
 * The terminal service: the serial console as a terminal (docs/terminal.md).
 * It owns SerialInput ("input") and the system Console ("console"), runs
 * the line discipline (lib/tty) and serves the Terminal interface on its
 * "terminal" export: one session, one foreground process group.
 *
 * Three threads, one owner of the state.  The main thread serves every
 * call and alone touches the discipline.  The pump thread blocks in
 * SerialInput.read and hands each batch of bytes to the main thread as a
 * TerminalInput.input call on a facet of the service's own endpoint
 * (badge TERM_SELF); the ticker thread asks TerminalInput.tick for the
 * next VTIME deadline and sleeps until it, 20 ms at a time (a new read
 * may bring an earlier one).  So input, timers and clients
 * all arrive as calls on one endpoint, in one loop, with no lock.
 *
 * Calls that cannot be answered yet are deferred (capos_server_defer) and
 * answered later by token: reads (up to TERM_READS, answered in the order
 * they came, as the discipline allows), one nextSignal, one tick.  A read
 * whose caller died meanwhile finds its RETURN refused: its bytes go back
 * to the discipline for the next reader.  Signals
 * the discipline raises (ISIG) are kept, up to TERM_SIGNALS, for whoever
 * asks nextSignal; delivering them to the foreground group is that
 * caller's business.
 *
 * Output: Console.write on COM1 sends "\n" as CR LF itself, so after the
 * discipline's output processing a CR LF pair is handed to it as "\n".
 */
#include "capos.h"

#include "base/mem.h"
#include "tty/tty.h"

#define TERM_SELF    0x7e5e1f00u /* badge of the service's own facet */
#define TERM_READS   8
#define TERM_SIGNALS 8
#define TERM_PUMP    256 /* bytes the pump reads at a time */
/* The ticker's longest sleep: a read with an earlier deadline may come
 * while it sleeps, and waits at most this long past it. */
#define TERM_TICK_NS 20000000ull

struct deferred_read {
    uint64_t token;
    uint32_t max;
    uint64_t started_ns;
};

struct term {
    struct tty tty;
    uint32_t endpoint, console, timer;
    uint32_t pgid;
    struct deferred_read reads[TERM_READS];
    unsigned nreads;
    struct {
        uint32_t sig, pgid;
    } signals[TERM_SIGNALS];
    unsigned nsignals;
    uint64_t signal_dropped;
    bool signal_waits, tick_waits;
    uint64_t signal_token, tick_token;
};

capos_Terminal_SERVER(term, struct term, struct capos_serve_call);
capos_TerminalInput_SERVER(termin, struct term, struct capos_serve_call);

static struct term term;
static struct capos_server server;
/* Results carry up to maxTerminalIo bytes: more than the loop's own
 * arena holds.  Deferred answers are built in the second one. */
static uint64_t result_arena[(capos_maxTerminalIo + 256) / 8];
static uint64_t answer_arena[(capos_maxTerminalIo + 256) / 8];

static uint64_t now_ns(void)
{
    uint64_t ns = 0;
    capos_timer_now(term.timer, &ns);
    return ns;
}

/* Sends bytes to the console after output processing. */
static void emit(struct term *t, const uint8_t *p, uint32_t n)
{
    uint8_t out[512];
    while (n > 0) {
        uint32_t used;
        uint32_t k = tty_output(&t->tty.t, p, n, out, sizeof(out), &used);
        /* The UART already sends "\n" as CR LF. */
        uint32_t w = 0;
        for (uint32_t i = 0; i < k; i++) {
            if (out[i] == '\r' && i + 1 < k && out[i + 1] == '\n')
                continue;
            out[w++] = out[i];
        }
        capos_console_write(t->console, out, w);
        p += used;
        n -= used;
    }
}

static void flush_echo(struct term *t)
{
    uint8_t e[512];
    uint32_t n;
    while ((n = tty_echo_take(&t->tty, e, sizeof(e))) > 0)
        emit(t, e, n);
}

/* Answers the deferred read `token` with data[0..n); false if it could
 * not be delivered (its caller is gone). */
static bool answer_read(struct term *t, uint64_t token, const uint8_t *data, uint32_t n)
{
    struct capnp_builder b;
    const uint8_t *msg;
    size_t len;
    capnp_builder_init(&b, answer_arena, sizeof(answer_arena));
    capos_Terminal_read_encode_results(&b, &(capos_Terminal_read_results){.data = {data, n}});
    if (capnp_builder_finish(&b, &msg, &len) != CAPNP_OK) {
        capos_return(t->endpoint, token, CAPOS_ERR_RESULT_TOO_LARGE, NULL, 0, NULL, 0);
        return false;
    }
    return capos_return(t->endpoint, token, CAPOS_OK, msg, (uint32_t)len, NULL, 0) == CAPOS_OK;
}

static void answer_signal(struct term *t)
{
    struct capnp_builder b;
    const uint8_t *msg;
    size_t len;
    capnp_builder_init(&b, answer_arena, sizeof(answer_arena));
    capos_Terminal_nextSignal_encode_results(
        &b, &(capos_Terminal_nextSignal_results){.signal = t->signals[0].sig,
                                                 .pgid = t->signals[0].pgid});
    memmove(t->signals, t->signals + 1, (t->nsignals - 1) * sizeof(t->signals[0]));
    t->nsignals--;
    t->signal_waits = false;
    if (capnp_builder_finish(&b, &msg, &len) == CAPNP_OK)
        capos_return(t->endpoint, t->signal_token, CAPOS_OK, msg, (uint32_t)len, NULL, 0);
}

/* The earliest deadline of the waiting reads (UINT64_MAX: none). */
static uint64_t reads_deadline(struct term *t, uint64_t now)
{
    uint64_t first = UINT64_MAX, d;
    for (unsigned i = 0; i < t->nreads; i++) {
        if (!tty_read_ready(&t->tty, t->reads[i].max, t->reads[i].started_ns, now, &d) && d < first)
            first = d;
    }
    return first;
}

static void answer_tick(struct term *t, uint64_t deadline)
{
    struct capnp_builder b;
    const uint8_t *msg;
    size_t len;
    capnp_builder_init(&b, answer_arena, sizeof(answer_arena));
    capos_TerminalInput_tick_encode_results(
        &b, &(capos_TerminalInput_tick_results){.deadline = deadline});
    t->tick_waits = false;
    if (capnp_builder_finish(&b, &msg, &len) == CAPNP_OK)
        capos_return(t->endpoint, t->tick_token, CAPOS_OK, msg, (uint32_t)len, NULL, 0);
}

/* Answers the waiting reads the discipline now allows, oldest first, and
 * a waiting tick if a read now has a deadline. */
static void serve_waiting(struct term *t)
{
    static uint8_t data[capos_maxTerminalIo];
    uint64_t now = now_ns(), d;
    while (t->nreads > 0 &&
           tty_read_ready(&t->tty, t->reads[0].max, t->reads[0].started_ns, now, &d)) {
        uint32_t n = tty_read(&t->tty, data, t->reads[0].max);
        /* A reader that died waiting does not take the input with it. */
        if (!answer_read(t, t->reads[0].token, data, n))
            tty_unread(&t->tty, data, n);
        memmove(t->reads, t->reads + 1, (t->nreads - 1) * sizeof(t->reads[0]));
        t->nreads--;
    }
    if (t->tick_waits && (d = reads_deadline(t, now)) != UINT64_MAX)
        answer_tick(t, d);
    if (t->signal_waits && t->nsignals > 0)
        answer_signal(t);
}

/* ---- Terminal ---- */

static int term_read(struct term *t, struct capos_serve_call *call,
                     const capos_Terminal_read_args *a)
{
    static uint8_t data[capos_maxTerminalIo];
    uint64_t now = now_ns(), d;
    if (t->nreads == 0 && tty_read_ready(&t->tty, a->max, now, now, &d)) {
        uint32_t n = tty_read(&t->tty, data, a->max);
        capos_Terminal_read_encode_results(&call->result,
                                           &(capos_Terminal_read_results){.data = {data, n}});
        return CAPOS_OK;
    }
    if (a->nonBlocking)
        return CAPOS_ERR_WOULD_BLOCK;
    if (t->nreads == TERM_READS)
        return CAPOS_ERR_QUOTA_EXCEEDED;
    t->reads[t->nreads++] = (struct deferred_read){
        .token = capos_server_defer(&server), .max = a->max, .started_ns = now};
    serve_waiting(t); /* a timed read may need the ticker */
    return CAPOS_OK;
}

static int term_write(struct term *t, struct capos_serve_call *call,
                      const capos_Terminal_write_args *a)
{
    emit(t, a->data.ptr, a->data.len);
    capos_Terminal_write_encode_results(&call->result,
                                        &(capos_Terminal_write_results){.n = a->data.len});
    return CAPOS_OK;
}

static int term_getAttr(struct term *t, struct capos_serve_call *call,
                        const capos_Terminal_getAttr_args *a)
{
    const struct tty_termios *tm = &t->tty.t;
    capos_Terminal_getAttr_encode_results(
        &call->result, &(capos_Terminal_getAttr_results){.iflag = tm->iflag,
                                                         .oflag = tm->oflag,
                                                         .cflag = tm->cflag,
                                                         .lflag = tm->lflag,
                                                         .cc = {tm->cc, TTY_NCCS}});
    return CAPOS_OK;
}

static int term_setAttr(struct term *t, struct capos_serve_call *call,
                        const capos_Terminal_setAttr_args *a)
{
    struct tty_termios tm = t->tty.t;
    tm.iflag = a->iflag;
    tm.oflag = a->oflag;
    tm.cflag = a->cflag;
    tm.lflag = a->lflag;
    memcpy(tm.cc, a->cc.ptr, a->cc.len); /* at most terminalNccs: checked */
    tty_set_attr(&t->tty, &tm, a->when == capos_TerminalSetWhen_flush);
    serve_waiting(t);
    return CAPOS_OK;
}

static int term_getWinSize(struct term *t, struct capos_serve_call *call,
                           const capos_Terminal_getWinSize_args *a)
{
    const struct tty_winsize *w = &t->tty.ws;
    capos_Terminal_getWinSize_encode_results(
        &call->result,
        &(capos_Terminal_getWinSize_results){
            .rows = w->rows, .cols = w->cols, .xpixel = w->xpixel, .ypixel = w->ypixel});
    return CAPOS_OK;
}

static int term_setWinSize(struct term *t, struct capos_serve_call *call,
                           const capos_Terminal_setWinSize_args *a)
{
    t->tty.ws = (struct tty_winsize){a->rows, a->cols, a->xpixel, a->ypixel};
    return CAPOS_OK;
}

static int term_getForeground(struct term *t, struct capos_serve_call *call,
                              const capos_Terminal_getForeground_args *a)
{
    capos_Terminal_getForeground_encode_results(
        &call->result, &(capos_Terminal_getForeground_results){.pgid = t->pgid});
    return CAPOS_OK;
}

static int term_setForeground(struct term *t, struct capos_serve_call *call,
                              const capos_Terminal_setForeground_args *a)
{
    t->pgid = a->pgid;
    return CAPOS_OK;
}

static int term_nextSignal(struct term *t, struct capos_serve_call *call,
                           const capos_Terminal_nextSignal_args *a)
{
    if (t->signal_waits)
        return CAPOS_ERR_QUOTA_EXCEEDED;
    t->signal_token = capos_server_defer(&server);
    t->signal_waits = true;
    serve_waiting(t);
    return CAPOS_OK;
}

/* ---- TerminalInput: the service's own threads ---- */

static int termin_input(struct term *t, struct capos_serve_call *call,
                        const capos_TerminalInput_input_args *a)
{
    uint64_t now = now_ns();
    for (uint32_t i = 0; i < a->data.len; i++) {
        int sig = tty_input(&t->tty, a->data.ptr[i], now);
        if (sig == 0)
            continue;
        if (t->nsignals == TERM_SIGNALS) {
            t->signal_dropped++;
            continue;
        }
        t->signals[t->nsignals].sig = (uint32_t)sig;
        t->signals[t->nsignals].pgid = t->pgid;
        t->nsignals++;
    }
    flush_echo(t);
    serve_waiting(t);
    return CAPOS_OK;
}

static int termin_tick(struct term *t, struct capos_serve_call *call,
                       const capos_TerminalInput_tick_args *a)
{
    if (t->tick_waits)
        return CAPOS_ERR_QUOTA_EXCEEDED;
    t->tick_token = capos_server_defer(&server);
    t->tick_waits = true;
    serve_waiting(t);
    return CAPOS_OK;
}

/* ---- threads ---- */

static uint32_t self_facet;

static int pump_main(void *arg)
{
    uint32_t input = (uint32_t)(uintptr_t)arg;
    uint64_t res[(TERM_PUMP + 64) / 8];
    struct capos_rpc_opts o = {.buf = res, .buf_len = sizeof(res)};
    capos_SerialInput_read_results r;
    for (;;) {
        int err = capos_SerialInput_read_call(
            input, &(capos_SerialInput_read_args){.max = TERM_PUMP}, &r, &o);
        if (err != CAPOS_OK) {
            capos_printf("terminal: SerialInput.read: %s\n", capos_error_name(err));
            return 1;
        }
        capos_TerminalInput_input_args in = {.data = r.data};
        if (capos_TerminalInput_input_call(self_facet, &in, NULL, NULL) != CAPOS_OK)
            return 1;
    }
}

static int ticker_main(void *arg)
{
    (void)arg;
    for (;;) {
        capos_TerminalInput_tick_results r;
        if (capos_TerminalInput_tick_call(self_facet, NULL, &r, NULL) != CAPOS_OK)
            return 1;
        uint64_t now = now_ns();
        if (r.deadline > now)
            capos_timer_sleep(term.timer, MIN(r.deadline - now, TERM_TICK_NS));
    }
}

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    uint32_t input = capos_capset_require("input", capos_SerialInput_INTERFACE_ID);
    term.console = capos_capset_require("console", capos_Console_INTERFACE_ID);
    term.timer = capos_capset_require("timer", capos_Timer_INTERFACE_ID);
    term.endpoint = capos_capset_require("terminal", capos_Endpoint_INTERFACE_ID);
    tty_init(&term.tty);
    struct capos_thread *pump, *ticker;
    if (capos_endpoint_mint(term.endpoint, TERM_SELF, &self_facet) != CAPOS_OK ||
        capos_thread_create(&pump, pump_main, (void *)(uintptr_t)input, NULL) != CAPOS_OK ||
        capos_thread_create(&ticker, ticker_main, NULL, NULL) != CAPOS_OK) {
        capos_printf("terminal: cannot start its threads\n");
        return 1;
    }
    capos_printf("terminal: serving the serial console\n");
    capos_server_init(&server, term.endpoint);
    capos_server_result_arena(&server, result_arena, sizeof(result_arena));
    int status = CAPOS_OK;
    while (capos_server_next(&server, status)) {
        if (server.call.rpc.interface_id == capos_TerminalInput_INTERFACE_ID)
            status = server.call.badge == TERM_SELF ? termin_dispatch(&term, &server.call)
                                                    : CAPOS_ERR_NOT_PERMITTED;
        else
            status = term_dispatch(&term, &server.call);
    }
    return 1;
}
