/*
 * races: regression tests of a process ending while something is being
 * created in it, and of calls a server's receive buffer cannot take
 * (system/smoke-races.capnp, on 4 CPUs).  Each case prints
 * "races: <case>: ok" or FAIL lines saying what happened instead:
 *
 *   control-after-exit  a child copies the first ThreadControl that
 *                       appears in its capability table to the parent and
 *                       ends the process at once, while a parent thread
 *                       starts threads in it and two other threads of the
 *                       child keep the child's process lock busy (mapping
 *                       and unmapping memory), so that the end often meets
 *                       a spawn half-way; up to 40 children, or 20 s.
 *                       Once the child has ended and every spawn into it
 *                       has returned, the ThreadControl the parent holds
 *                       must name a thread that really was started:
 *                       handle(), info and join work on it (the join
 *                       reports it killed) and exit through it is refused;
 *                       the ThreadHandles the spawns returned join the
 *                       same way
 *   spawn-exit-release  children end (their only thread calls
 *                       ThreadControl.exit, or they are killed) while two
 *                       parent threads start threads in them; some have a
 *                       full capability table, so that every spawn fails,
 *                       others run the threads (up to 48), which exit at
 *                       once: every child's wait completes within 5 s with
 *                       the right status (no process is left alive without
 *                       threads), and free physical memory is the same
 *                       after the case as before it (every child's memory
 *                       came back)
 *   oversized-call      a server that retries RECV with a 512-byte buffer;
 *                       one client sends calls whose message, or message
 *                       and capability ids, do not fit it, another calls
 *                       that do: every oversized call fails with
 *                       invalidArgument (its moved capabilities come back),
 *                       every other call is served, and the server never
 *                       sees a RECV fail
 *   echo-server         the echo service: a call that does not fit its
 *                       64 KiB buffer is refused with invalidArgument and
 *                       it goes on; 300 calls each carrying a capability
 *                       are all answered (it releases what it receives)
 *
 * A kernel panic or fault in any case fails the smoke.  argv[1], when
 * given, names a child role (see child_main).
 */
#include "capos.h"

#include "base/mem.h"
#include "fmt/fmt.h"

#define TESTCASE_PREFIX "races"
#include "testcase.h"

extern const char capos_thread_entry[];

#define MS          (1000ULL * 1000)
#define MAX_THREADS 64 /* kernel PROCESS_MAX_THREADS */
#define PROG        "races"
#define RACES_IID   0x7261636573726163ULL
#define M_HELLO     0 /* a child hands over its ThreadSpawner */
#define M_CONTROL   1 /* a child hands over a ThreadControl it found */
#define M_QUIT      2
#define M_PING      3
#define RW          (CAPOS_PROT_READ | CAPOS_PROT_WRITE)
#define MAP_BYTES   (512ULL << 10) /* the leaker's mapper: what one call maps */
#define MAP_CYCLES  32             /* and how many times at most */

static uint32_t memory, spawner, park, console;

/* ---- raw calls ---- */

/* ThreadControl.handle() of `ctl`. */
static int control_handle(uint32_t ctl, uint32_t *h)
{
    uint64_t res[8];
    uint32_t len = 0;
    int err = capos_client_call(ctl, capos_ThreadControl_INTERFACE_ID,
                                capos_ThreadControl_method_handle, 0, res, sizeof(res), &len);
    if (err == CAPOS_OK)
        *h = result_cap(res, len);
    return err;
}

static int control_exit(uint32_t ctl, int32_t code)
{
    struct capos_msg m;
    capos_msg_init(&m);
    capos_ThreadControl_exit_Params_set_code(capos_ThreadControl_exit_Params_init_root(&m.b), code);
    return capos_client_call(ctl, capos_ThreadControl_INTERFACE_ID, capos_ThreadControl_method_exit,
                             &m, 0, 0, 0);
}

/* A CALL on `ep` handing over a copy of `cap`, submitted without waiting
 * for its completion. */
static void send_copy_async(uint32_t ep, uint16_t method, uint32_t cap)
{
    static struct capos_xfer x;
    x.cap = cap;
    x.mode = CAPOS_XFER_COPY;
    struct capos_sqe *s = capos_ring_prep();
    if (!s)
        return;
    capos_sqe_call(s, ep, RACES_IID, method, 0, 0, 0, 0, &x, 1);
    s->user_data = capos_ring_cookie();
    capos_ring_enter(0, 0);
}

/* ---- waiting for a child, with a deadline ---- */

struct waiter {
    uint32_t h;
    int err;
    struct capos_exit st;
    uint32_t done;
};

static int wait_thread(void *arg)
{
    struct waiter *w = arg;
    w->err = capos_process_wait(w->h, &w->st);
    __atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
    capos_park_wake(park, &w->done, 1, 0);
    return 0;
}

/* Waits up to `ms` for the child behind handle h to end.  False if it did
 * not (a FAIL naming `who` if it `must`): it is then killed, so that
 * nothing is left waiting.  The handle is released either way. */
static bool wait_child(const char *who, uint32_t h, uint64_t ms, bool must, struct capos_exit *st)
{
    static const struct capos_thread_opts o = {.stack_size = 16 * 1024};
    struct waiter w = {.h = h};
    struct capos_thread *t;
    uint64_t start = 0, now = 0;
    bool ended = true;
    if (capos_thread_create(&t, wait_thread, &w, &o) != CAPOS_OK) {
        fail("%s: no thread to wait with", who);
        capos_process_kill(h);
        capos_release(h);
        return false;
    }
    capos_timer_now(timer, &start);
    while (!__atomic_load_n(&w.done, __ATOMIC_ACQUIRE)) {
        capos_timer_now(timer, &now);
        if (now - start >= ms * MS) {
            ended = false;
            break;
        }
        capos_park_wait(park, &w.done, 0, ms * MS - (now - start));
    }
    if (!ended) {
        if (must)
            fail("%s had not ended %lu ms after it should have: a process left alive without "
                 "threads?",
                 who, (unsigned long)ms);
        capos_process_kill(h);
    }
    capos_thread_join(t, 0, 0);
    capos_release(h);
    *st = w.st;
    if (ended && w.err != CAPOS_OK)
        fail("%s: wait: %s", who, capos_error_name(w.err));
    return ended && w.err == CAPOS_OK;
}

/* ---- free physical memory ---- */

/* What this program can map until the machine runs out, plus what it
 * holds already (testlib.h's probe). */
static uint64_t probe_physical(void)
{
    static const uint64_t piece[] = {64ULL << 20, 8ULL << 20, 1ULL << 20, 128ULL << 10};
    return free_physical(memory, piece, sizeof(piece) / sizeof(piece[0]), 48);
}

/* ---- children ---- */

static uint32_t tspawner;
static uint8_t spin_stack[4096] __attribute__((aligned(16)));

/* What the parent runs in a child through the child's ThreadSpawner: a
 * loop that touches nothing but the top of spin_stack. */
static __attribute__((noreturn)) void foreign_spin(void)
{
    for (;;)
        __asm__ volatile("pause");
}

/* Control blocks and stacks for threads the parent starts in an
 * "open-exit" child with capos_thread_entry: the child fills them in (the
 * addresses are the same in parent and child, one binary), and each of the
 * parent's two feeders uses its own POOL_SLOTS of them, each for at most
 * one live thread at a time. */
#define POOL_SLOTS  8
#define POOL_SPAWNS 24

struct pool_thread {
    struct capos_thread t;
    uint8_t stack[16384] __attribute__((aligned(16)));
};

static struct pool_thread pool[2 * POOL_SLOTS];

static int exit_at_once(void *arg)
{
    (void)arg;
    return 7;
}

static void pool_init(void)
{
    for (unsigned i = 0; i < 2 * POOL_SLOTS; i++) {
        memset(&pool[i].t, 0, sizeof(pool[i].t));
        pool[i].t.self = &pool[i].t;
        pool[i].t.fn = exit_at_once;
    }
}

static uint32_t stop_mapping;

/* Maps and unmaps memory a few times, or until told to stop: each call
 * holds the process's lock while the kernel allocates or frees the
 * frames.  (Not for longer: a CPU waiting for a lock cannot be preempted,
 * and under an emulator's unfair scheduling the waiters could starve.) */
static int mapper(void *arg)
{
    (void)arg;
    for (int i = 0; i < MAP_CYCLES && !__atomic_load_n(&stop_mapping, __ATOMIC_RELAXED); i++) {
        uint64_t a;
        if (capos_vm_map(memory, 0, MAP_BYTES, RW, &a) == CAPOS_OK)
            capos_vm_unmap(memory, a, MAP_BYTES);
    }
    return 0;
}

/* "leaker": starts two mappers (between them the process lock is nearly
 * always held or wanted, so a spawn into the child usually waits for it at
 * each step, and the child's end often meets a spawn half-way), sends its
 * ThreadSpawner to the parent, then watches the next few slots its table
 * will hand out (for up to a second).  A ThreadControl of a thread the
 * parent starts appears there; the child copies it to the parent and ends
 * at once, while the spawn that made it may still be completing. */
static int leaker_main(uint32_t ep)
{
    static const struct capos_thread_opts o = {.stack_size = 16 * 1024};
    struct capos_thread *t;
    struct capos_xfer x = {.cap = tspawner, .mode = CAPOS_XFER_COPY};
    uint32_t h;
    uint64_t res[4];
    for (int i = 0; i < 2; i++) {
        if (capos_thread_create(&t, mapper, 0, &o) != CAPOS_OK)
            return 10;
    }
    /* The table hands out never-used slots in order: the next capabilities
     * land just after this handle, with generation 1 (a slot set aside for
     * a spawn that then failed comes back with generation 2). */
    if (capos_thread_handle_self(&h) != CAPOS_OK)
        return 11;
    uint32_t next = ((1u << 16) | (h & 0xffffu)) + 1;
    if (capos_call(ep, RACES_IID, M_HELLO, 0, 0, res, sizeof(res), &x, 1, 0) != CAPOS_OK)
        return 12;
    uint64_t start = 0, now = 0;
    capos_timer_now(timer, &start);
    for (uint32_t probes = 0;; probes++) {
        /* Any interface but the right one: wrongInterface means the slot
         * holds a capability, and nothing else of this process's lands
         * there. */
        uint32_t id = next + probes % 4;
        if (capos_call(id, 1, 0, 0, 0, 0, 0, 0, 0, 0) == CAPOS_ERR_WRONG_INTERFACE) {
            /* The mapper's current call still holds the lock the spawn
             * must take to finish; the end of the process competes for
             * it, and does not have to wait for further ones. */
            __atomic_store_n(&stop_mapping, 1, __ATOMIC_RELAXED);
            send_copy_async(ep, M_CONTROL, id);
            capos_exit(0);
        }
        if (probes % 256 == 0) {
            capos_timer_now(timer, &now);
            if (now - start > 1000 * MS)
                break;
        }
    }
    return 1;
}

/* Fills this process's capability table with handles of its own thread. */
static bool fill_table(void)
{
    uint32_t self, h;
    int r;
    if (capos_capset_find(CAPOS_CAPSET_THREAD, capos_ThreadControl_INTERFACE_ID, &self) != CAPOS_OK)
        return false;
    for (int i = 0; i < 300; i++) {
        r = control_handle(self, &h);
        if (r == CAPOS_ERR_TABLE_FULL)
            return true;
        if (r != CAPOS_OK)
            return false;
    }
    return false;
}

/* "full-exit", "full-kill", "open-exit": maps some memory (so that a
 * process whose memory is never released shows), fills its table for the
 * "full" roles, sends its ThreadSpawner to the parent, then ends its only
 * thread with ThreadControl.exit after `delay` ms, or waits to be killed. */
static int ender_main(const char *role, uint32_t ep, unsigned delay)
{
    struct capos_xfer x = {.cap = tspawner, .mode = CAPOS_XFER_COPY};
    uint32_t self;
    uint64_t res[4], a;
    bool full = !strncmp(role, "full", 4);
    if (capos_capset_find(CAPOS_CAPSET_THREAD, capos_ThreadControl_INTERFACE_ID, &self) != CAPOS_OK)
        return 20;
    if (capos_vm_map(memory, 0, 8ULL << 20, RW, &a) != CAPOS_OK)
        return 21;
    if (full && !fill_table())
        return 22;
    if (!full)
        pool_init();
    if (capos_call(ep, RACES_IID, M_HELLO, 0, 0, res, sizeof(res), &x, 1, 0) != CAPOS_OK)
        return 23;
    if (!strcmp(role, "full-kill")) {
        for (;;)
            sleep_ms(1000);
    }
    if (delay)
        sleep_ms(delay);
    control_exit(self, full ? 5 : 6);
    return 24; /* the exit was refused */
}

/* "retry-server": serves "ep" with a 512-byte receive buffer, retrying a
 * RECV that fails; each call is answered with its message length, M_QUIT
 * with how many calls were served and how many RECVs failed. */
static int retry_server(uint32_t ep)
{
    static uint64_t buf[64];
    uint32_t served = 0, failed = 0;
    for (;;) {
        struct capos_request req;
        int r = capos_recv(ep, buf, sizeof(buf), &req);
        if (r != CAPOS_OK) {
            failed++;
            continue;
        }
        for (uint32_t i = 0; i < req.ncaps; i++)
            capos_release(req.caps[i]);
        if (req.method == M_QUIT) {
            uint32_t rep[2] = {served, failed};
            capos_return(ep, req.token, CAPOS_OK, rep, sizeof(rep), 0, 0);
            return 0;
        }
        served++;
        uint32_t n = req.msg_len;
        capos_return(ep, req.token, CAPOS_OK, &n, sizeof(n), 0, 0);
    }
}

static int child_main(int argc, char **argv)
{
    uint32_t ep;
    unsigned delay = 0;
    for (const char *p = argc > 2 ? argv[2] : ""; *p >= '0' && *p <= '9'; p++)
        delay = delay * 10 + (unsigned)(*p - '0');
    if (capos_capset_find("ep", 0, &ep) != CAPOS_OK)
        return 2;
    if (!strcmp(argv[1], "retry-server"))
        return retry_server(ep);
    capos_capset_find("timer", capos_Timer_INTERFACE_ID, &timer);
    if (capos_capset_find("memory", capos_VirtualMemory_INTERFACE_ID, &memory) != CAPOS_OK ||
        capos_capset_find("threads", capos_ThreadSpawner_INTERFACE_ID, &tspawner) != CAPOS_OK)
        return 3;
    if (!strcmp(argv[1], "leaker"))
        return leaker_main(ep);
    return ender_main(argv[1], ep, delay);
}

/* Starts this program as a child in `role` with "ep" (a copy of `ep`, or
 * the capability itself with `move`), console, timer, memory and threads. */
static int spawn_child(const char *role, unsigned delay, uint32_t ep, bool move, uint32_t *handle)
{
    char d[12];
    fmt_snprintf(d, sizeof(d), "%u", delay);
    struct capos_grant g[5] = {
        {.name = "ep", .cap = ep, .mode = move ? CAPOS_XFER_MOVE : CAPOS_XFER_COPY},
        {.name = "console", .kernel = true, .kind = capos_KernelCapKind_console},
        {.name = "timer", .kernel = true, .kind = capos_KernelCapKind_timer},
        {.name = "memory", .kernel = true, .kind = capos_KernelCapKind_virtualMemory},
        {.name = "threads", .kernel = true, .kind = capos_KernelCapKind_threadSpawner},
    };
    const char *argv[] = {PROG, role, d};
    return capos_spawn(spawner, PROG, role, g, 5, argv, 3, 0, 0, handle);
}

/* Receives a child's hello on `server`: its ThreadSpawner. */
static bool receive_spawner(uint32_t server, uint32_t *child_spawner)
{
    uint64_t buf[16];
    struct capos_request req;
    int r = capos_recv(server, buf, sizeof(buf), &req);
    if (r != CAPOS_OK || req.method != M_HELLO || req.ncaps != 1) {
        fail("hello from the child: %s, method %u, %u caps", capos_error_name(r),
             r == CAPOS_OK ? req.method : 0, r == CAPOS_OK ? req.ncaps : 0);
        return false;
    }
    *child_spawner = req.caps[0];
    capos_return(server, req.token, CAPOS_OK, 0, 0, 0, 0);
    return true;
}

/* What a worker thread saw go wrong: a count and the first one's text,
 * which the main thread reports once the worker is done. */
struct bad_note {
    uint32_t n;
    char first[96];
};

static void note_bad(struct bad_note *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void note_bad(struct bad_note *b, const char *fmt, ...)
{
    va_list ap;
    if (b->n++)
        return;
    va_start(ap, fmt);
    fmt_vsnprintf(b->first, sizeof(b->first), fmt, ap);
    va_end(ap);
}

/* ---- threads that start threads in a child ---- */

struct feeder {
    uint32_t child_spawner;
    bool pool;   /* run pool threads (exit at once) instead of spinning ones */
    unsigned lo; /* pool slots [lo, lo + POOL_SLOTS) */
    uint32_t handles[MAX_THREADS];
    uint32_t n;      /* handles kept */
    uint32_t joined; /* pool threads joined along the way */
    uint32_t refused;
    int end; /* the refusal that stopped it */
    struct bad_note bad;
};

/* Joins a thread started in a child: it ran exit_at_once (code 7) or was
 * killed with its process. */
static void feeder_join(struct feeder *f, uint32_t h)
{
    int code = -1;
    bool killed = false;
    int r = join_raw(h, &code, &killed);
    if (r != CAPOS_OK || (!killed && (!f->pool || code != 7)))
        note_bad(&f->bad, "join: %s, code %d, killed %d", capos_error_name(r), code, killed);
    capos_release(h);
}

/* Starts threads in the child until a spawn fails with peerGone.  Pool
 * threads keep their process alive as long as new ones keep coming, so a
 * pool feeder stops after POOL_SPAWNS of them. */
static int feed(void *arg)
{
    struct feeder *f = arg;
    for (unsigned k = 0; !f->pool || k < POOL_SPAWNS; k++) {
        uint32_t h, slot = f->lo + k % POOL_SLOTS;
        int r;
        if (f->pool) {
            /* A slot's previous thread must be gone before it is reused. */
            if (f->handles[slot - f->lo]) {
                feeder_join(f, f->handles[slot - f->lo]);
                f->handles[slot - f->lo] = 0;
                f->joined++;
            }
            r = spawn_raw_on(f->child_spawner, (uint64_t)(uintptr_t)capos_thread_entry,
                             (uint64_t)(uintptr_t)(pool[slot].stack + sizeof(pool[slot].stack)),
                             (uint64_t)(uintptr_t)&pool[slot].t, (uint64_t)(uintptr_t)&pool[slot].t,
                             0, &h);
        } else {
            r = spawn_raw_on(f->child_spawner, (uint64_t)(uintptr_t)foreign_spin,
                             (uint64_t)(uintptr_t)(spin_stack + sizeof(spin_stack)), 0, 0, 0, &h);
        }
        if (r == CAPOS_ERR_PEER_GONE) {
            f->end = r;
            break;
        }
        if (r != CAPOS_OK) {
            /* A full table or thread limit refuses spawns until the end. */
            if (r != CAPOS_ERR_TABLE_FULL && r != CAPOS_ERR_QUOTA_EXCEEDED)
                note_bad(&f->bad, "spawn: %s", capos_error_name(r));
            f->refused++;
            continue;
        }
        if (f->pool) {
            f->handles[slot - f->lo] = h;
        } else if (f->n < MAX_THREADS) {
            f->handles[f->n++] = h;
        } else {
            note_bad(&f->bad, "more threads started in the child than its limit");
            capos_release(h);
        }
    }
    uint32_t n = f->pool ? POOL_SLOTS : f->n;
    for (uint32_t i = 0; i < n; i++) {
        if (f->handles[i])
            feeder_join(f, f->handles[i]);
        f->handles[i] = 0;
    }
    return 0;
}

static void feeders_start(struct feeder *f, struct capos_thread **t, int n, uint32_t child_spawner,
                          bool use_pool)
{
    for (int i = 0; i < n; i++) {
        memset(&f[i], 0, sizeof(f[i]));
        f[i].child_spawner = child_spawner;
        f[i].pool = use_pool;
        f[i].lo = (unsigned)i * POOL_SLOTS;
        if (capos_thread_create(&t[i], feed, &f[i], 0) != CAPOS_OK)
            fail("create feeder");
    }
}

static void feeders_join(struct feeder *f, struct capos_thread **t, int n, const char *who)
{
    for (int i = 0; i < n; i++) {
        capos_thread_join(t[i], 0, 0);
        if (f[i].bad.n)
            fail("%s: %u bad spawns or joins; first: %s", who, f[i].bad.n, f[i].bad.first);
    }
}

/* ---- control-after-exit ---- */

static uint32_t ce_server;
static uint32_t ce_spawner, ce_hello; /* the latest hello's spawner, and a count */
static uint32_t ce_caps[MAX_THREADS]; /* ThreadControls received this round */
static uint32_t ce_ncaps, ce_controls, ce_handles_ok;

/* Everything a holder of another process's ThreadControl may do with it,
 * once that process has ended and every spawn into it has returned. */
static void use_control(uint32_t ctl)
{
    if (control_exit(ctl, 3) != CAPOS_ERR_NOT_PERMITTED)
        fail("exit through a ThreadControl of another process was not refused");
    for (int k = 0; k < 3; k++) {
        uint32_t h;
        struct capos_thread_info info;
        int code = -1;
        bool killed = false;
        int r = control_handle(ctl, &h);
        if (r != CAPOS_OK) {
            fail("handle() of a received ThreadControl: %s", capos_error_name(r));
            break;
        }
        r = capos_thread_info(h, &info);
        if (r != CAPOS_OK || info.tid == 0 || !info.ended)
            fail("info of its handle: %s, tid %u, ended %d", capos_error_name(r), info.tid,
                 info.ended);
        r = join_raw(h, &code, &killed);
        if (r != CAPOS_OK || !killed)
            fail("join of its handle: %s, code %d, killed %d", capos_error_name(r), code, killed);
        else
            ce_handles_ok++;
        capos_release(h);
    }
    capos_release(ctl);
}

/* Takes the children's calls: M_HELLO (keeps the spawner, wakes main),
 * M_CONTROL (keeps the ThreadControl), M_PING from main (answered once
 * every call before it has been taken), M_QUIT. */
static int ce_receiver(void *arg)
{
    static uint64_t buf[16];
    (void)arg;
    for (;;) {
        struct capos_request req;
        int r = capos_recv(ce_server, buf, sizeof(buf), &req);
        if (r != CAPOS_OK) {
            fail("receiver: RECV: %s", capos_error_name(r));
            return 1;
        }
        if (req.method == M_QUIT || req.method == M_PING) {
            capos_return(ce_server, req.token, CAPOS_OK, 0, 0, 0, 0);
            if (req.method == M_QUIT)
                return 0;
            continue;
        }
        if (req.ncaps != 1 || (req.method != M_HELLO && req.method != M_CONTROL)) {
            fail("receiver: method %u with %u caps", req.method, req.ncaps);
            for (uint32_t i = 0; i < req.ncaps; i++)
                capos_release(req.caps[i]);
            capos_return(ce_server, req.token, CAPOS_ERR_INVALID_ARGUMENT, 0, 0, 0, 0);
            continue;
        }
        uint32_t cap = req.caps[0];
        capos_return(ce_server, req.token, CAPOS_OK, 0, 0, 0, 0);
        if (req.method == M_HELLO) {
            __atomic_store_n(&ce_spawner, cap, __ATOMIC_RELAXED);
            __atomic_fetch_add(&ce_hello, 1, __ATOMIC_RELEASE);
            capos_park_wake(park, &ce_hello, 1, 0);
        } else if (ce_ncaps < MAX_THREADS) {
            ce_caps[ce_ncaps++] = cap;
        } else {
            fail("receiver: more ThreadControls than a child can have");
            capos_release(cap);
        }
    }
}

/* Rounds of control-after-exit: as many as fit the time budget, up to
 * CE_ROUNDS (each is one chance for the end of the child to meet a spawn
 * between making the ThreadControl reachable and committing the thread). */
#define CE_ROUNDS    40
#define CE_BUDGET_MS 20000

static void control_after_exit(void)
{
    static struct feeder f[2];
    struct capos_thread *recv_t, *feed_t[2];
    uint32_t client, found = 0, round;
    uint64_t t0 = 0, t1 = 0;
    begin("control-after-exit");
    if (capos_create_endpoint(spawner, &ce_server, &client) != CAPOS_OK ||
        capos_thread_create(&recv_t, ce_receiver, 0, 0) != CAPOS_OK) {
        fail("createEndpoint or receiver");
        end();
        return;
    }
    capos_timer_now(timer, &t0);
    t1 = t0;
    for (round = 0; round < CE_ROUNDS && case_failures < 5 && t1 - t0 < CE_BUDGET_MS * MS;
         round++) {
        uint32_t h, hello = __atomic_load_n(&ce_hello, __ATOMIC_ACQUIRE);
        struct capos_exit st;
        int r = spawn_child("leaker", 0, client, false, &h);
        if (r != CAPOS_OK) {
            fail("spawn: %s", capos_error_name(r));
            break;
        }
        for (int waits = 0; __atomic_load_n(&ce_hello, __ATOMIC_ACQUIRE) == hello && waits < 50;
             waits++)
            capos_park_wait(park, &ce_hello, hello, 100 * MS);
        if (__atomic_load_n(&ce_hello, __ATOMIC_ACQUIRE) == hello) {
            fail("round %u: no hello from the child", round);
            capos_process_kill(h);
            wait_child("leaker", h, 3000, false, &st);
            break;
        }
        uint32_t child_spawner = __atomic_load_n(&ce_spawner, __ATOMIC_RELAXED);
        feeders_start(f, feed_t, 1, child_spawner, false);
        if (wait_child("leaker", h, 10000, false, &st)) {
            if (st.kind == capos_ExitStatus_which_exited && st.code == 0) {
                found++;
            } else if (st.kind != capos_ExitStatus_which_exited || st.code != 1) {
                char got[128];
                describe(&st, got, sizeof(got));
                fail("round %u: the child ended %s", round, got);
            }
        }
        /* Every spawn into the child has returned once its feeder ends. */
        feeders_join(f, feed_t, 1, "feeder");
        if (f[0].end != CAPOS_ERR_PEER_GONE)
            fail("round %u: spawns into the child ended with %s", round,
                 capos_error_name(f[0].end));
        capos_release(child_spawner);
        /* The receiver has taken everything the child sent once it answers
         * this; what the child copied out now outlives the child. */
        capos_call(client, RACES_IID, M_PING, 0, 0, 0, 0, 0, 0, 0);
        for (uint32_t i = 0; i < ce_ncaps; i++)
            use_control(ce_caps[i]);
        ce_controls += ce_ncaps;
        capos_timer_now(timer, &t1);
        ce_ncaps = 0;
    }
    capos_call(client, RACES_IID, M_QUIT, 0, 0, 0, 0, 0, 0, 0);
    capos_thread_join(recv_t, 0, 0);
    capos_release(client);
    capos_release(ce_server);
    capos_printf("races: control-after-exit: %u rounds in %lu ms, %u children found a "
                 "ThreadControl, %u received, %u handles made and joined\n",
                 round, (unsigned long)((t1 - t0) / MS), found, ce_controls, ce_handles_ok);
    if (!found)
        fail("no child ever found a ThreadControl: the case tested nothing");
    end();
}

/* ---- spawn-exit-release ---- */

struct ender_role {
    const char *role;
    bool pool;
};

static unsigned ender_children;

static void ender_round(const struct ender_role *er, unsigned round, uint32_t server,
                        uint32_t client)
{
    static struct feeder f[2];
    struct capos_thread *feed_t[2];
    struct capos_exit st;
    uint32_t h, child_spawner;
    unsigned delay = round % 3;
    bool kill = !strcmp(er->role, "full-kill");
    int r = spawn_child(er->role, delay, client, false, &h);
    if (r != CAPOS_OK) {
        fail("spawn %s: %s", er->role, capos_error_name(r));
        return;
    }
    ender_children++;
    if (!receive_spawner(server, &child_spawner)) {
        capos_process_kill(h);
        wait_child(er->role, h, 3000, false, &st);
        return;
    }
    feeders_start(f, feed_t, 2, child_spawner, er->pool);
    if (kill) {
        if (delay)
            sleep_ms(delay);
        capos_process_kill(h);
    }
    if (wait_child(er->role, h, 5000, true, &st)) {
        bool ok = kill ? st.kind == capos_ExitStatus_which_killed
                       : st.kind == capos_ExitStatus_which_exited &&
                             (st.code == (er->pool ? 6 : 5) || (er->pool && st.code == 7));
        if (!ok) {
            char got[128];
            describe(&st, got, sizeof(got));
            fail("%s round %u: the child ended %s", er->role, round, got);
        }
    }
    feeders_join(f, feed_t, 2, er->role);
    capos_release(child_spawner);
}

static void spawn_exit_release(void)
{
    static const struct ender_role roles[] = {
        {"full-exit", false},
        {"full-kill", false},
        {"open-exit", true},
    };
    uint32_t server, client, rounds = 12;
    begin("spawn-exit-release");
    if (capos_create_endpoint(spawner, &server, &client) != CAPOS_OK) {
        fail("createEndpoint");
        end();
        return;
    }
    /* A round of each first: kernel caches fill to what the case needs. */
    for (unsigned i = 0; i < 3; i++)
        ender_round(&roles[i], i, server, client);
    uint64_t before = probe_physical();
    ender_children = 0;
    for (unsigned round = 0; round < rounds && case_failures < 3; round++) {
        for (unsigned i = 0; i < 3; i++)
            ender_round(&roles[i], round, server, client);
    }
    uint64_t after = probe_physical();
    capos_printf("races: spawn-exit-release: %u children; free physical memory %lu KiB before, "
                 "%lu KiB after\n",
                 ender_children, (unsigned long)(before >> 10), (unsigned long)(after >> 10));
    /* Each child held over 8 MiB; kernel caches may differ by a little. */
    if (after + (4ULL << 20) < before)
        fail("free physical memory fell by %lu KiB: a child's memory was never released",
             (unsigned long)((before - after) >> 10));
    capos_release(server);
    capos_release(client);
    end();
}

/* ---- oversized-call ---- */

static uint32_t os_client, os_probe;
static uint32_t os_big_done, os_small_done;
static uint8_t big_msg[1024];

struct caller {
    uint32_t calls, ok;
    struct bad_note bad;
    uint32_t *done;
};

static void caller_done(struct caller *c)
{
    __atomic_store_n(c->done, 1, __ATOMIC_RELEASE);
    capos_park_wake(park, c->done, 1, 0);
}

/* Calls that do not fit the server's 512-byte buffer: 1 KiB of message, or
 * 504 bytes and three moved capabilities (504 + 12 > 512). */
static int big_caller(void *arg)
{
    struct caller *c = arg;
    for (uint32_t i = 0; i < 20; i++) {
        uint32_t res[4], x[3];
        struct capos_xfer xf[3];
        uint16_t nx = 0;
        uint32_t len = sizeof(big_msg);
        if (i % 2) {
            len = 504;
            for (nx = 0; nx < 3; nx++) {
                if (capos_endpoint_mint(os_probe, nx, &x[nx]) != CAPOS_OK)
                    break;
                xf[nx].cap = x[nx];
                xf[nx].mode = CAPOS_XFER_MOVE;
            }
        }
        int r = capos_call(os_client, RACES_IID, M_PING, big_msg, len, res, sizeof(res), xf, nx, 0);
        c->calls++;
        if (r != CAPOS_ERR_INVALID_ARGUMENT)
            note_bad(&c->bad, "call %u (%u bytes, %u caps): %s, expected invalidArgument", i, len,
                     nx, capos_error_name(r));
        /* The moves rolled back: each capability is ours to release. */
        for (uint16_t k = 0; k < nx; k++) {
            r = capos_release(x[k]);
            if (r != CAPOS_OK)
                note_bad(&c->bad, "release of a capability the failed call %u moved: %s", i,
                         capos_error_name(r));
        }
    }
    caller_done(c);
    return 0;
}

static int small_caller(void *arg)
{
    struct caller *c = arg;
    for (uint32_t i = 0; i < 50; i++) {
        uint32_t res[4] = {0}, msg[4] = {i, i, i, i};
        struct capos_cqe cqe;
        int r = capos_call(os_client, RACES_IID, M_PING, msg, sizeof(msg), res, sizeof(res), 0, 0,
                           &cqe);
        c->calls++;
        if (r != CAPOS_OK || res[0] != sizeof(msg))
            note_bad(&c->bad, "call %u: %s, answered %u", i, capos_error_name(r), res[0]);
        else
            c->ok++;
    }
    caller_done(c);
    return 0;
}

/* Waits up to `ms` for *word to become non-zero. */
static bool wait_word(uint32_t *word, uint64_t ms)
{
    uint64_t start = 0, now = 0;
    capos_timer_now(timer, &start);
    while (!__atomic_load_n(word, __ATOMIC_ACQUIRE)) {
        capos_timer_now(timer, &now);
        if (now - start >= ms * MS)
            return false;
        capos_park_wait(park, word, 0, ms * MS - (now - start));
    }
    return true;
}

static void oversized_call(void)
{
    static struct caller big, small;
    struct capos_thread *big_t = NULL, *small_t = NULL;
    struct capos_exit st;
    uint32_t server, probe_client, h, res[4] = {0};
    begin("oversized-call");
    if (capos_create_endpoint(spawner, &server, &os_client) != CAPOS_OK ||
        capos_create_endpoint(spawner, &os_probe, &probe_client) != CAPOS_OK) {
        fail("createEndpoint");
        end();
        return;
    }
    capos_release(probe_client);
    int r = spawn_child("retry-server", 0, server, true, &h);
    if (r != CAPOS_OK) {
        fail("spawn: %s", capos_error_name(r));
        end();
        return;
    }
    memset(big_msg, 0x5a, sizeof(big_msg));
    big = (struct caller){.done = &os_big_done};
    small = (struct caller){.done = &os_small_done};
    if (capos_thread_create(&big_t, big_caller, &big, 0) != CAPOS_OK ||
        capos_thread_create(&small_t, small_caller, &small, 0) != CAPOS_OK) {
        fail("create callers");
        capos_process_kill(h);
    }
    bool big_ok = big_t && wait_word(&os_big_done, 10000);
    bool small_ok = small_t && wait_word(&os_small_done, 10000);
    if (big_t && small_t && (!big_ok || !small_ok)) {
        fail("after 10 s the oversized caller has made %u of 20 calls and the other %u of 50: the "
             "server is jammed",
             big.calls, small.calls);
        /* Its end completes every call still waiting. */
        capos_process_kill(h);
    }
    if (big_t)
        capos_thread_join(big_t, 0, 0);
    if (small_t)
        capos_thread_join(small_t, 0, 0);
    if (big.bad.n)
        fail("oversized caller: %u bad results; first: %s", big.bad.n, big.bad.first);
    if (small.bad.n)
        fail("other caller: %u bad results; first: %s", small.bad.n, small.bad.first);
    if (big_ok && small_ok) {
        r = capos_call(os_client, RACES_IID, M_QUIT, 0, 0, res, sizeof(res), 0, 0, 0);
        if (r != CAPOS_OK || res[0] != 50 || res[1] != 0)
            fail("the server: %s, served %u calls (expected 50), %u RECVs failed (expected 0)",
                 capos_error_name(r), res[0], res[1]);
    }
    if (wait_child("retry-server", h, 10000, true, &st) && big_ok && small_ok &&
        (st.kind != capos_ExitStatus_which_exited || st.code != 0)) {
        char got[128];
        describe(&st, got, sizeof(got));
        fail("the server ended %s", got);
    }
    capos_release(os_client);
    capos_release(os_probe);
    end();
}

/* ---- echo-server ---- */

static int echo_call(uint32_t ep, const char *text, uint32_t cap, char *err_what, size_t wlen)
{
    struct capos_msg m;
    uint64_t res[64];
    const uint8_t *out;
    uint32_t len;
    struct capos_cqe cqe;
    struct capnp_reader r;
    struct capos_xfer x = {.cap = cap, .mode = CAPOS_XFER_COPY};
    capos_msg_init(&m);
    capos_Echo_echo_Params_set_text(capos_Echo_echo_Params_init_root(&m.b), text, strlen(text));
    capos_msg_finish(&m, &out, &len);
    int e = capos_call(ep, capos_Echo_INTERFACE_ID, capos_Echo_method_echo, out, len, res,
                       sizeof(res), &x, 1, &cqe);
    if (e != CAPOS_OK)
        return e;
    if (!capos_msg_read(&r, res, cqe.result_len)) {
        fmt_snprintf(err_what, wlen, "a malformed reply");
        return CAPOS_ERR_INVALID_ARGUMENT;
    }
    struct capnp_text t = capos_Echo_echo_Results_get_text(capos_Echo_echo_Results_read_root(&r));
    if (t.len != strlen(text) || memcmp(t.str, text, t.len) != 0) {
        fmt_snprintf(err_what, wlen, "a reply with other text");
        return CAPOS_ERR_INVALID_ARGUMENT;
    }
    return CAPOS_OK;
}

static void echo_server(void)
{
    static uint8_t huge[CAPOS_MAX_MSG_BYTES];
    struct capos_exit st;
    struct capos_xfer x = {.cap = console, .mode = CAPOS_XFER_COPY};
    uint32_t server, client, h, ok = 0;
    char what[64] = "";
    uint64_t res[64];
    begin("echo-server");
    if (capos_create_endpoint(spawner, &server, &client) != CAPOS_OK) {
        fail("createEndpoint");
        end();
        return;
    }
    struct capos_grant g[2] = {
        {.name = "echo", .cap = server, .mode = CAPOS_XFER_MOVE},
        {.name = "console", .kernel = true, .kind = capos_KernelCapKind_console},
    };
    const char *argv[] = {"echo", "300"};
    int r = capos_spawn(spawner, "echo", "echo", g, 2, argv, 2, 0, 0, &h);
    if (r != CAPOS_OK) {
        fail("spawn echo: %s", capos_error_name(r));
        end();
        return;
    }
    /* 64 KiB of message and a capability id: more than its buffer. */
    r = capos_call(client, capos_Echo_INTERFACE_ID, capos_Echo_method_echo, huge, sizeof(huge), res,
                   sizeof(res), &x, 1, 0);
    if (r != CAPOS_ERR_INVALID_ARGUMENT)
        fail("a call that fits no buffer of the server: %s, expected invalidArgument",
             capos_error_name(r));
    for (uint32_t i = 0; i < 300; i++) {
        char text[32];
        fmt_snprintf(text, sizeof(text), "call %u", i);
        r = echo_call(client, text, console, what, sizeof(what));
        if (r != CAPOS_OK) {
            fail("echo call %u with a capability: %s%s%s", i, capos_error_name(r),
                 what[0] ? ", " : "", what);
            break;
        }
        ok++;
    }
    if (ok == 300 && wait_child("echo", h, 10000, true, &st)) {
        if (st.kind != capos_ExitStatus_which_exited || st.code != 0) {
            char got[128];
            describe(&st, got, sizeof(got));
            fail("echo ended %s", got);
        }
    } else if (ok != 300) {
        capos_process_kill(h);
        wait_child("echo", h, 3000, false, &st);
    }
    capos_release(client);
    end();
}

int main(int argc, char **argv)
{
    if (argc > 1)
        return child_main(argc, argv);
    if (capos_capset_find("timer", capos_Timer_INTERFACE_ID, &timer) != CAPOS_OK ||
        capos_capset_find("memory", capos_VirtualMemory_INTERFACE_ID, &memory) != CAPOS_OK ||
        capos_capset_find("spawner", capos_ProcessSpawner_INTERFACE_ID, &spawner) != CAPOS_OK ||
        capos_capset_find("console", capos_Console_INTERFACE_ID, &console) != CAPOS_OK ||
        !(park = capos_park_default())) {
        capos_printf("races: setup: FAIL: missing capabilities\n");
        return 1;
    }
    control_after_exit();
    spawn_exit_release();
    oversized_call();
    echo_server();
    capos_printf("races: %u cases, %u failed\n", ncases, nfailed);
    return nfailed ? 1 : 0;
}
