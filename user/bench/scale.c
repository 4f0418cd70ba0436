/*
 * scale: IPC throughput with N independent client/server pairs, for the
 * multi-threaded TCG boots of `make bench` (bench/capos/bench-scale.capnp).
 * Pair i runs on CPU i, client and server both pinned there, so every call
 * takes the direct-switch path of one CPU and the pairs share nothing but
 * the kernel.  The figure is the total number of round trips per second of
 * guest time (Timer.now), over the same window for every pair.
 *
 * Roles, by argv[1]:
 *   coord N      the coordinator: waits until N clients are warm, hands them
 *                all the same window [start, start + SCALE_WINDOW_NS) of the
 *                kernel clock, collects their counts and prints the result
 *   client I     one pair's client in a process of its own, calling the
 *                "ipc" export of its own ipcsrv process
 *   clients N    N clients as threads of one process (cap "ipc<i>" for
 *                pair i), against
 *   servers N    N server threads in one process (export "ipc<i>")
 * The last two are the same pairs with the processes shared: every call
 * then also takes the one client process's and the one server process's
 * locks, which separate processes do not share.
 *
 * The coordinator is an endpoint ("sync"): READY blocks a warm client until
 * every client is ready and returns the window; REPORT carries a client's
 * count, its first and last clock reading and its CPU.
 */
#include "benchlib.h"

#include "base/mem.h"

#define SCALE_MAX_PAIRS   8
#define SCALE_WINDOW_NS   2000000000ULL /* 2 s of guest time per boot */
#define SCALE_LEAD_NS     50000000ULL   /* the window starts 50 ms after the hand-out */
#define SCALE_WARMUP      2000
#define SCALE_CHECK_EVERY 64 /* calls between clock readings */

enum { SYNC_READY = 0, SYNC_REPORT = 1 };

static uint32_t timer;

static uint64_t now_ns(void)
{
    uint64_t ns = 0;
    capos_timer_now(timer, &ns);
    return ns;
}

static unsigned parse_uint(const char *s)
{
    unsigned v = 0;
    while (s && *s >= '0' && *s <= '9')
        v = v * 10 + (unsigned)(*s++ - '0');
    return v;
}

/* ---- a client: one pair's calling side ---- */

struct client {
    unsigned pair;
    uint32_t ipc, sync;
    int status;
    uint64_t msg[8] __attribute__((aligned(8)));
    uint64_t res[8] __attribute__((aligned(8)));
};

static int client_fail(struct client *c, const char *what)
{
    capos_printf("INFO error scale pair %u: %s\n", c->pair, what);
    c->status = 1;
    return 1;
}

static int client_run(void *arg)
{
    struct client *c = arg;
    uint32_t handle = 0;
    struct capos_cqe cqe;
    if (bench_pin_self(c->pair, &handle) != (int)c->pair)
        return client_fail(c, "cannot run the client on its CPU");
    c->msg[0] = 1ULL << c->pair;
    if (bench_call(c->ipc, IPCSRV_PIN, c->msg, 8, c->res, sizeof(c->res)) != CAPOS_OK ||
        c->res[0] != c->pair)
        return client_fail(c, "cannot run the server on the client's CPU");
    for (int i = 0; i < SCALE_WARMUP; i++)
        bench_call(c->ipc, IPCSRV_EMPTY, 0, 0, 0, 0);

    if (capos_call(c->sync, 1, SYNC_READY, 0, 0, c->res, sizeof(c->res), 0, 0, &cqe) != CAPOS_OK ||
        cqe.result_len < 16)
        return client_fail(c, "no window from the coordinator");
    uint64_t start = c->res[0], end = start + c->res[1], now, calls = 0;
    /* Keep the pair busy until the window opens, then count. */
    do {
        for (int i = 0; i < SCALE_CHECK_EVERY; i++)
            bench_call(c->ipc, IPCSRV_EMPTY, 0, 0, 0, 0);
        now = now_ns();
    } while (now < start);
    uint64_t first = now;
    do {
        for (int i = 0; i < SCALE_CHECK_EVERY; i++)
            bench_call(c->ipc, IPCSRV_EMPTY, 0, 0, 0, 0);
        calls += SCALE_CHECK_EVERY;
        now = now_ns();
    } while (now < end);

    c->msg[0] = calls;
    c->msg[1] = first;
    c->msg[2] = now;
    c->msg[3] = (uint64_t)(int64_t)bench_where(&handle);
    c->msg[4] = c->pair;
    if (capos_call(c->sync, 1, SYNC_REPORT, c->msg, 5 * 8, 0, 0, 0, 0, &cqe) != CAPOS_OK)
        return client_fail(c, "report refused");
    bench_call(c->ipc, IPCSRV_END, 0, 0, 0, 0);
    return 0;
}

static int find_sync(uint32_t *sync)
{
    if (capos_capset_find("sync", 0, sync) != CAPOS_OK) {
        capos_printf("INFO error scale: no sync capability\n");
        return 1;
    }
    return 0;
}

/* One pair's client in a process of its own. */
static int role_client(unsigned pair)
{
    static struct client c;
    c.pair = pair;
    if (find_sync(&c.sync) || capos_capset_find("ipc", 0, &c.ipc) != CAPOS_OK)
        return 1;
    return client_run(&c);
}

/* N clients as threads of one process; the first thread is pair 0. */
static int role_clients(unsigned n)
{
    static struct client c[SCALE_MAX_PAIRS];
    static struct capos_thread *t[SCALE_MAX_PAIRS];
    uint32_t sync;
    if (find_sync(&sync))
        return 1;
    for (unsigned i = 0; i < n; i++) {
        char name[8] = {'i', 'p', 'c', (char)('0' + i), 0};
        c[i].pair = i;
        c[i].sync = sync;
        if (capos_capset_find(name, 0, &c[i].ipc) != CAPOS_OK) {
            capos_printf("INFO error scale: no %s capability\n", name);
            return 1;
        }
    }
    for (unsigned i = 1; i < n; i++) {
        struct capos_thread_opts o = {.affinity = 1ULL << i};
        if (capos_thread_create(&t[i], client_run, &c[i], &o) != CAPOS_OK) {
            capos_printf("INFO error scale: cannot create client thread %u\n", i);
            return 1;
        }
    }
    int r = client_run(&c[0]);
    for (unsigned i = 1; i < n; i++) {
        int code = 1;
        capos_thread_join(t[i], &code, 0);
        r |= code;
    }
    return r;
}

/* ---- servers as threads of one process ---- */

static uint64_t server_bufs[SCALE_MAX_PAIRS][64] __attribute__((aligned(8)));
static uint32_t server_caps[SCALE_MAX_PAIRS];

static int server_thread(void *arg)
{
    unsigned i = (unsigned)(uintptr_t)arg;
    return bench_serve(server_caps[i], server_bufs[i], 0);
}

static int role_servers(unsigned n)
{
    static struct capos_thread *t[SCALE_MAX_PAIRS];
    for (unsigned i = 0; i < n; i++) {
        char name[8] = {'i', 'p', 'c', (char)('0' + i), 0};
        if (capos_capset_find(name, capos_Endpoint_INTERFACE_ID, &server_caps[i]) != CAPOS_OK) {
            capos_printf("INFO error scale: no %s export\n", name);
            return 1;
        }
    }
    for (unsigned i = 1; i < n; i++) {
        if (capos_thread_create(&t[i], server_thread, (void *)(uintptr_t)i, 0) != CAPOS_OK) {
            capos_printf("INFO error scale: cannot create server thread %u\n", i);
            return 1;
        }
    }
    int r = server_thread(0);
    for (unsigned i = 1; i < n; i++) {
        int code = 1;
        capos_thread_join(t[i], &code, 0);
        r |= code;
    }
    return r;
}

/* ---- the coordinator ---- */

static int role_coord(unsigned n)
{
    static uint64_t buf[64] __attribute__((aligned(8)));
    static uint64_t tokens[SCALE_MAX_PAIRS];
    static uint64_t rep[SCALE_MAX_PAIRS][5];
    struct capos_request req;
    uint32_t sync;
    if (capos_capset_find("sync", capos_Endpoint_INTERFACE_ID, &sync) != CAPOS_OK) {
        capos_printf("INFO error scale: no sync export\n");
        return 1;
    }
    for (unsigned i = 0; i < n; i++) {
        if (capos_recv(sync, buf, sizeof(buf), &req) != CAPOS_OK || req.method != SYNC_READY) {
            capos_printf("INFO error scale: bad READY\n");
            return 1;
        }
        tokens[i] = req.token;
    }
    uint64_t window[2] = {now_ns() + SCALE_LEAD_NS, SCALE_WINDOW_NS};
    for (unsigned i = 0; i < n; i++)
        capos_return(sync, tokens[i], CAPOS_OK, window, sizeof(window), 0, 0);
    for (unsigned i = 0; i < n; i++) {
        if (capos_recv(sync, buf, sizeof(buf), &req) != CAPOS_OK || req.method != SYNC_REPORT ||
            req.msg_len < sizeof(rep[0])) {
            capos_printf("INFO error scale: bad REPORT\n");
            return 1;
        }
        memcpy(rep[i], req.msg, sizeof(rep[i]));
        capos_return(sync, req.token, CAPOS_OK, 0, 0, 0, 0);
    }

    /* Each pair's rate over its own readings; the windows coincide to
     * within one batch of SCALE_CHECK_EVERY calls. */
    uint64_t total = 0, calls = 0, latest_first = 0, earliest_last = ~0ULL;
    for (unsigned i = 0; i < n; i++) {
        uint64_t c = rep[i][0], first = rep[i][1], last = rep[i][2];
        uint64_t rate = last > first ? c * 1000000000ULL / (last - first) : 0;
        total += rate;
        calls += c;
        latest_first = first > latest_first ? first : latest_first;
        earliest_last = last < earliest_last ? last : earliest_last;
        capos_printf("INFO scale pair %lu cpu %ld calls %lu in %lu ns: %lu calls/s\n",
                     (unsigned long)rep[i][4], (long)(int64_t)rep[i][3], (unsigned long)c,
                     (unsigned long)(last - first), (unsigned long)rate);
        if (first > window[0] + SCALE_LEAD_NS)
            capos_printf("INFO warning scale pair %lu started %lu ns late\n",
                         (unsigned long)rep[i][4], (unsigned long)(first - window[0]));
    }
    capos_printf("INFO scale %u pairs: %lu calls, windows overlap %lu of %lu ns\n", n,
                 (unsigned long)calls,
                 (unsigned long)(earliest_last > latest_first ? earliest_last - latest_first : 0),
                 (unsigned long)window[1]);
    capos_printf("BENCH ipc_scale_calls_per_s %lu\n", (unsigned long)total);
    capos_printf("BENCH ipc_scale_pairs %u\n", n);
    capos_printf("BENCH_END\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (capos_capset_find("timer", capos_Timer_INTERFACE_ID, &timer) != CAPOS_OK && argc > 1 &&
        strcmp(argv[1], "servers") != 0) {
        capos_printf("INFO error scale: no timer capability\n");
        return 1;
    }
    unsigned v = argc > 2 ? parse_uint(argv[2]) : 0;
    if (argc > 2 && !strcmp(argv[1], "client") && v < SCALE_MAX_PAIRS)
        return role_client(v);
    if (argc > 2 && v >= 1 && v <= SCALE_MAX_PAIRS) {
        if (!strcmp(argv[1], "coord"))
            return role_coord(v);
        if (!strcmp(argv[1], "clients"))
            return role_clients(v);
        if (!strcmp(argv[1], "servers"))
            return role_servers(v);
    }
    capos_printf("INFO error scale: usage: scale coord|client|clients|servers N\n");
    return 1;
}
