/*
 * fuzz: the supervisor of the system-call fuzzer.  It keeps short-lived
 * fuzzing processes (fuzz_child) running on every CPU, next to an innocent
 * process (fuzz_innocent) that does ordinary work and checks it, and it
 * checks that the kernel survives: no fault or panic (the serial log),
 * no hang (every child ends when killed; progress lines keep coming), no
 * harm to the innocent, and no memory lost once the fuzzing processes are
 * gone.
 *
 * argv: fuzz SECONDS PROGRESS SEED [slots=N] [classes=LIST] [child=N] [hold=MS]
 *
 *   SECONDS   how long to fuzz (the run then drains and checks)
 *   PROGRESS  seconds between progress lines and memory checks; 0 checks
 *             only after the warm-up and at the end
 *   SEED      the master seed (decimal or 0x...); child n runs with
 *             fz_child_seed(SEED, n), printed when it starts
 *   slots=N   children running at once (default 3)
 *   classes=  attack classes relative to the default set: "+nt,-vm" adds
 *             nt and removes vm; "all" enables every class (fuzz_proto.h)
 *   child=N   replay: run only child N of this seed, once
 *   hold=MS   at the end of each quiet point's measurements, stay quiet
 *             this long between "fuzz: holding" and "fuzz: held": make soak
 *             samples the kernel's own memory counters then
 *             (tests/qemu/soak.py)
 *
 * Each child gets console, timer (and a second one, "clock", that it never
 * fuzzes: its lifetime is measured on it), entropy, bootPackage, its own
 * VirtualMemory (24 MiB quota), ThreadSpawner, ParkSpace and a bounded
 * SchedulingPolicy; a launcher restricted to fuzz_child; the server and a
 * badged client facet of two "arena" endpoints shared by all children
 * (they call, serve, and pass capabilities to each other there; the arenas
 * are replaced every few children so their last server facet goes away
 * under load); a client facet of the innocent's public service; and the
 * report endpoint, on which it sends its counts and any oracle it saw
 * break.  A driver thread per slot starts a child, lets it run for a
 * lifetime drawn from its seed (or kills it early, while it is busy),
 * kills it, and waits for it: a child that has not ended 20 s after the
 * kill is a hang.
 *
 * Memory: after a warm-up and at every progress line the drivers stop
 * starting children, everything they started ends (grandchildren end by
 * themselves within GRANDCHILD_MS), the innocent's threads pause with
 * nothing mapped, and the supervisor measures the physical memory the
 * kernel can still give (mapping until noMemory, as the stress test does),
 * its own quota in use and its free capability slots.  None may move beyond
 * a small slack from the warm-up baseline.  (At halt the kernel's own
 * report must account for every frame; the smoke checks that line.)
 *
 * The last lines are the totals, then "fuzz: ok" only if every oracle
 * held, else "fuzz: FAIL ..." lines.
 */
#include "capos.h"

#include "base/mem.h"
#include "fmt/fmt.h"
#include "fuzz_proto.h"

#define MS              (1000ULL * 1000)
#define S               (1000 * MS)
#define MAX_SLOTS       8
#define NARENAS         2
#define ARENA_ROTATE    16 /* children between replacements of an arena */
#define KILL_TIMEOUT    (20 * S)
#define SLOW_END_MS     2000      /* a child that takes longer to end is noted */
#define DRAIN_TIMEOUT   (120 * S) /* every step of a driver has a shorter deadline */
#define GRANDCHILD_MS   1500      /* grandchildren end by themselves within this */
#define CHILD_MEMORY    (24ULL << 20)
#define INNOCENT_MEMORY (32ULL << 20)
#define MAX_REPORTS     40
/* Free physical memory may fall this much from the warm-up baseline:
 * kernel caches (stacks, heap slabs) fill to the peak the fuzzing drives
 * them to, and grow a little more when a later child drives a new peak. */
#define PHYS_SLACK (8ULL << 20)
/* The supervisor's own heap may grow by a chunk. */
#define MEM_SLACK (2ULL << 20)

static uint32_t timer, memory, spawner, launcher;
static uint32_t report_server, report_client0;
static uint32_t arena_server[NARENAS], arena_client[NARENAS];
static uint32_t pub_server, status_client;
static uint32_t innocent;
static uint64_t master_seed;
static uint32_t classes = FZ_DEFAULT_CLASSES;
static uint32_t nslots = 3;
static int64_t replay_child = -1;
static uint64_t hold_ms;
static uint32_t failures;
static struct capos_mutex arena_lock = CAPOS_MUTEX_INIT;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
    char line[240];
    va_list ap;
    if (__atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED) >= MAX_REPORTS)
        return;
    va_start(ap, fmt);
    fmt_vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    capos_printf("fuzz: FAIL: %s\n", line);
}

/* The shared helpers report through fail() above. */
#include "../tests/testlib.h"

static uint64_t now_ns(void)
{
    uint64_t t = 0;
    capos_timer_now(timer, &t);
    return t;
}

static void sleep_ns(uint64_t ns)
{
    capos_timer_sleep(timer, ns);
}

/* "+a,-b,c": add a and c, remove b; "all": every class. */
static bool parse_classes(const char *s)
{
    if (strcmp(s, "all") == 0) {
        classes = (1u << FZ_NCLASSES) - 1;
        return true;
    }
    while (*s) {
        bool remove = *s == '-';
        if (*s == '+' || *s == '-')
            s++;
        size_t n = 0;
        while (s[n] && s[n] != ',')
            n++;
        int found = -1;
        for (int c = 0; c < FZ_NCLASSES; c++) {
            if (strlen(fz_class_names[c]) == n && memcmp(fz_class_names[c], s, n) == 0)
                found = c;
        }
        if (found < 0)
            return false;
        if (remove)
            classes &= ~FZ_BIT(found);
        else
            classes |= FZ_BIT(found);
        s += n;
        if (*s == ',')
            s++;
    }
    return true;
}

static void class_list(char *out, size_t cap)
{
    size_t n = 0;
    out[0] = 0;
    for (int c = 0; c < FZ_NCLASSES; c++) {
        if (classes & FZ_BIT(c))
            n += (size_t)fmt_snprintf(out + n, cap - n, "%s%s", n ? "," : "", fz_class_names[c]);
        if (n >= cap)
            break;
    }
}

/* ---- totals, fed by the report server ---- */

static struct {
    uint64_t children, exited, killed, faulted;
    uint64_t submitted, completed, enters, threads, procs, transfers, stale_ok, flag_enters;
    uint64_t result[FZ_NCODES];
    uint64_t reports, bad_reports, child_failures;
} tot;

static void add(uint64_t *where, uint64_t v)
{
    __atomic_fetch_add(where, v, __ATOMIC_RELAXED);
}

static int report_server_main(void *arg)
{
    (void)arg;
    static uint64_t buf[64];
    struct capos_request req;
    int err = capos_recv(report_server, buf, sizeof(buf), &req);
    for (;;) {
        if (err != CAPOS_OK) {
            /* Too large or too many capabilities: the caller's problem. */
            err = capos_recv(report_server, buf, sizeof(buf), &req);
            continue;
        }
        for (uint32_t i = 0; i < req.ncaps; i++)
            capos_release(req.caps[i]);
        int status = CAPOS_OK;
        if (req.interface_id == FZ_REPORT_IID && req.method == FZR_COUNTS &&
            req.msg_len == sizeof(struct fz_counts) &&
            ((const struct fz_counts *)(const void *)req.msg)->magic == FZ_REPORT_MAGIC) {
            struct fz_counts c;
            memcpy(&c, req.msg, sizeof(c));
            add(&tot.submitted, c.submitted);
            add(&tot.completed, c.completed);
            add(&tot.enters, c.enters);
            add(&tot.threads, c.threads);
            add(&tot.procs, c.procs);
            add(&tot.transfers, c.transfers);
            add(&tot.stale_ok, c.stale_ok);
            add(&tot.flag_enters, c.flag_enters);
            for (int i = 0; i < FZ_NCODES; i++)
                add(&tot.result[i], c.result[i]);
            add(&tot.reports, 1);
        } else if (req.interface_id == FZ_REPORT_IID && req.method == FZR_FAIL &&
                   req.msg_len == sizeof(struct fz_fail) &&
                   ((const struct fz_fail *)(const void *)req.msg)->magic == FZ_REPORT_MAGIC) {
            struct fz_fail f;
            memcpy(&f, req.msg, sizeof(f));
            f.text[sizeof(f.text) - 1] = 0;
            /* The badge names the child, whatever the message claims. */
            fail("fz-%lu: %s", (unsigned long)req.badge, f.text);
            add(&tot.child_failures, 1);
        } else {
            /* No child sends anything else here (the report facet is the
             * one capability a child never fuzzes): counted, and a failure
             * at the end, since it would be a call that reached the wrong
             * endpoint. */
            add(&tot.bad_reports, 1);
            status = CAPOS_ERR_INVALID_ARGUMENT;
        }
        err = capos_reply_recv(report_server, req.token, status, 0, 0, buf, sizeof(buf), &req);
    }
    return 0;
}

/* ---- arenas ---- */

static void arena_replace(int k)
{
    uint32_t s, c;
    int r = capos_create_endpoint(spawner, &s, &c);
    if (r != CAPOS_OK) {
        fail("createEndpoint for an arena: %s", capos_error_name(r));
        return;
    }
    capos_mutex_lock(&arena_lock);
    uint32_t old_s = arena_server[k], old_c = arena_client[k];
    arena_server[k] = s;
    arena_client[k] = c;
    capos_mutex_unlock(&arena_lock);
    /* The old endpoint lives on in the children that hold it; when the
     * last of them ends, its queued calls fail with peerGone. */
    if (old_s && (r = capos_release(old_s)) != CAPOS_OK)
        fail("release of an old arena: %s", capos_error_name(r));
    if (old_c && (r = capos_release(old_c)) != CAPOS_OK)
        fail("release of an old arena client: %s", capos_error_name(r));
}

/* ---- children ---- */

static uint32_t pause_req;
static uint32_t paused_drivers;
static uint32_t run_over;
static uint64_t next_child;

static bool child_params(uint64_t index, uint64_t *seed, uint64_t *life_ms, uint64_t *kill_ms)
{
    *seed = fz_child_seed(master_seed, index);
    uint64_t s = fz_mix(*seed ^ 0x6c696665); /* the supervisor's own stream for this child */
    *life_ms = 150 + fz_below(&s, 1500);
    /* A third are killed while busy; the rest end by themselves first. */
    *kill_ms = fz_chance(&s, 1, 3) ? fz_below(&s, *life_ms) : *life_ms + 300;
    return true;
}

static int spawn_child(uint64_t index, uint64_t seed, uint64_t life_ms, uint32_t *handle)
{
    char name[24], seed_s[24], classes_s[16], index_s[24], life_s[24];
    fmt_snprintf(name, sizeof(name), "fz-%lu", (unsigned long)index);
    fmt_snprintf(seed_s, sizeof(seed_s), "%#lx", (unsigned long)seed);
    fmt_snprintf(classes_s, sizeof(classes_s), "%#x", classes);
    fmt_snprintf(index_s, sizeof(index_s), "%lu", (unsigned long)index);
    fmt_snprintf(life_s, sizeof(life_s), "%lu", (unsigned long)life_ms);
    const char *argv[] = {"fuzz_child", seed_s, classes_s, index_s, life_s, "0"};

    uint32_t report = 0, pub = 0, arena_c[NARENAS] = {0};
    int r = capos_endpoint_mint(report_server, index, &report);
    if (r == CAPOS_OK)
        r = capos_endpoint_mint(pub_server, FZ_BADGE_CHILD + index, &pub);
    capos_mutex_lock(&arena_lock);
    uint32_t arena_s[NARENAS];
    for (int k = 0; k < NARENAS; k++) {
        arena_s[k] = arena_server[k];
        if (r == CAPOS_OK)
            r = capos_endpoint_mint(arena_server[k], index, &arena_c[k]);
    }
    if (r == CAPOS_OK) {
        const struct capos_grant g[] = {
            {.name = "console", .kernel = true, .kind = capos_KernelCapKind_console},
            {.name = "timer", .kernel = true, .kind = capos_KernelCapKind_timer},
            {.name = "clock", .kernel = true, .kind = capos_KernelCapKind_timer},
            {.name = "entropy", .kernel = true, .kind = capos_KernelCapKind_entropy},
            {.name = "boot", .kernel = true, .kind = capos_KernelCapKind_bootPackage},
            {.name = "memory",
             .kernel = true,
             .kind = capos_KernelCapKind_virtualMemory,
             .memory_limit = CHILD_MEMORY},
            {.name = "threads", .kernel = true, .kind = capos_KernelCapKind_threadSpawner},
            {.name = "park", .kernel = true, .kind = capos_KernelCapKind_parkSpace},
            {.name = "pipes", .kernel = true, .kind = capos_KernelCapKind_pipeFactory},
            {.name = "com2",
             .kernel = true,
             .kind = capos_KernelCapKind_console,
             .port = capos_ConsolePort_com2},
            {.name = "com3",
             .kernel = true,
             .kind = capos_KernelCapKind_console,
             .port = capos_ConsolePort_com3},
            {.name = "policy",
             .kernel = true,
             .kind = capos_KernelCapKind_schedulingPolicy,
             .max_weight = 4096},
            {.name = "launcher", .cap = launcher, .mode = CAPOS_XFER_COPY},
            {.name = "arena0-server", .cap = arena_s[0], .mode = CAPOS_XFER_COPY},
            {.name = "arena0", .cap = arena_c[0], .mode = CAPOS_XFER_MOVE},
            {.name = "arena1-server", .cap = arena_s[1], .mode = CAPOS_XFER_COPY},
            {.name = "arena1", .cap = arena_c[1], .mode = CAPOS_XFER_MOVE},
            {.name = "public", .cap = pub, .mode = CAPOS_XFER_MOVE},
            {.name = "report", .cap = report, .mode = CAPOS_XFER_MOVE},
        };
        r = capos_spawn(spawner, "fuzz_child", name, g, sizeof(g) / sizeof(g[0]), argv,
                        sizeof(argv) / sizeof(argv[0]), 0, 0, handle);
    }
    capos_mutex_unlock(&arena_lock);
    if (r != CAPOS_OK) {
        /* Nothing was moved: give back what was minted. */
        uint32_t minted[] = {report, pub, arena_c[0], arena_c[1]};
        for (unsigned i = 0; i < sizeof(minted) / sizeof(minted[0]); i++) {
            if (minted[i])
                capos_release(minted[i]);
        }
    }
    return r;
}

struct driver {
    struct capos_thread *t;
    uint32_t id;
    uint64_t started;
    const char *step; /* what it is doing, for a drain that does not end */
    uint64_t child;   /* the child it is doing it for */
};

static struct driver drivers[MAX_SLOTS];

static bool pausing(void)
{
    return __atomic_load_n(&pause_req, __ATOMIC_ACQUIRE) != 0;
}

/* Sleeps up to `ns`, waking early when a pause is requested. */
static void sleep_unless_paused(uint64_t ns)
{
    uint64_t end = now_ns() + ns;
    for (uint64_t t = now_ns(); t < end && !pausing(); t = now_ns())
        sleep_ns(end - t < 20 * MS ? end - t : 20 * MS);
}

static void run_child(struct driver *d, uint64_t index)
{
    uint64_t seed, life_ms, kill_ms;
    uint32_t h = 0;
    child_params(index, &seed, &life_ms, &kill_ms);
    d->child = index;
    d->step = "replacing an arena";
    if (index % ARENA_ROTATE == 0)
        arena_replace((int)(index / ARENA_ROTATE % NARENAS));
    d->step = "spawning";
    int r = spawn_child(index, seed, life_ms, &h);
    if (r != CAPOS_OK) {
        fail("spawn of fz-%lu: %s", (unsigned long)index, capos_error_name(r));
        return;
    }
    capos_printf("fuzz: fz-%lu seed %#lx life %lu ms%s\n", (unsigned long)index,
                 (unsigned long)seed, (unsigned long)life_ms,
                 kill_ms < life_ms ? ", killed early" : "");
    add(&tot.children, 1);
    d->started++;
    d->step = "letting it run";
    sleep_unless_paused(kill_ms * MS);
    d->step = "killing";
    static uint64_t res[MAX_SLOTS][32];
    struct capos_cqe cqe;
    struct capos_exit st;
    uint64_t killed_at = now_ns();
    r = call_deadline(timer, h, capos_ProcessHandle_INTERFACE_ID, capos_ProcessHandle_method_kill,
                      res[d->id], sizeof(res[d->id]), KILL_TIMEOUT, &cqe);
    if (r == CAPOS_ERR_TIMED_OUT) {
        fail("ProcessHandle.kill of fz-%lu has not completed in %lu s", (unsigned long)index,
             (unsigned long)(KILL_TIMEOUT / S));
        return;
    }
    if (r != CAPOS_OK)
        fail("kill of fz-%lu: %s", (unsigned long)index, capos_error_name(r));
    d->step = "waiting for it";
    r = call_deadline(timer, h, capos_ProcessHandle_INTERFACE_ID, capos_ProcessHandle_method_wait,
                      res[d->id], sizeof(res[d->id]), KILL_TIMEOUT, &cqe);
    if (r == CAPOS_ERR_TIMED_OUT) {
        fail("fz-%lu has not ended %lu s after it was killed", (unsigned long)index,
             (unsigned long)(KILL_TIMEOUT / S));
        return; /* the handle stays: the process is still there */
    }
    d->step = "releasing its handle";
    uint64_t took = (now_ns() - killed_at) / MS;
    if (took >= SLOW_END_MS)
        capos_printf("fuzz: fz-%lu took %lu ms to end after the kill\n", (unsigned long)index,
                     (unsigned long)took);
    if (r != CAPOS_OK || !capos_exit_decode(res[d->id], cqe.result_len, &st)) {
        fail("wait for fz-%lu: %s", (unsigned long)index, capos_error_name(r));
    } else if (st.kind == capos_ExitStatus_which_exited) {
        add(&tot.exited, 1);
    } else if (st.kind == capos_ExitStatus_which_killed) {
        add(&tot.killed, 1);
    } else {
        add(&tot.faulted, 1);
    }
    if ((r = capos_release(h)) != CAPOS_OK)
        fail("release of fz-%lu's handle: %s", (unsigned long)index, capos_error_name(r));
}

static int driver_main(void *arg)
{
    struct driver *d = arg;
    for (;;) {
        if (pausing()) {
            d->step = "paused after";
            __atomic_fetch_add(&paused_drivers, 1, __ATOMIC_ACQ_REL);
            while (pausing())
                sleep_ns(5 * MS);
            __atomic_fetch_sub(&paused_drivers, 1, __ATOMIC_ACQ_REL);
        }
        if (__atomic_load_n(&run_over, __ATOMIC_ACQUIRE))
            return 0;
        uint64_t index = __atomic_fetch_add(&next_child, 1, __ATOMIC_RELAXED);
        if (replay_child >= 0) {
            if (index > 0) {
                /* Replay runs one child; the other drivers idle. */
                while (!__atomic_load_n(&run_over, __ATOMIC_ACQUIRE) && !pausing())
                    sleep_ns(20 * MS);
                continue;
            }
            index = (uint64_t)replay_child;
        }
        run_child(d, index);
        d->step = "between children";
        if (replay_child >= 0)
            __atomic_store_n(&next_child, 1, __ATOMIC_RELAXED);
    }
}

/* Stops starting children and waits until every driver's child and the
 * grandchildren have ended, then pauses the innocent's memory work. */
static uint64_t t0;

static void drain(void)
{
    capos_printf("fuzz: draining at %lu ms\n", (unsigned long)((now_ns() - t0) / MS));
    __atomic_store_n(&pause_req, 1, __ATOMIC_RELEASE);
    /* Drivers stop after their child has ended, which the kill timeout
     * bounds; a drain that takes longer says where it stands, and one that
     * does not end is a hang. */
    uint64_t start = now_ns();
    uint64_t waited = 0;
    while (__atomic_load_n(&paused_drivers, __ATOMIC_ACQUIRE) < nslots) {
        sleep_ns(5 * MS);
        if (++waited % 2000 != 0)
            continue;
        capos_printf("fuzz: still draining at %lu ms: %u of %u drivers stopped\n",
                     (unsigned long)((now_ns() - t0) / MS),
                     __atomic_load_n(&paused_drivers, __ATOMIC_ACQUIRE), nslots);
        for (uint32_t i = 0; i < nslots; i++)
            capos_printf("fuzz:   driver %u: %s fz-%lu\n", i, drivers[i].step,
                         (unsigned long)drivers[i].child);
        if (now_ns() - start > DRAIN_TIMEOUT) {
            fail("the drain has not ended in %lu s", (unsigned long)(DRAIN_TIMEOUT / S));
            capos_exit(1);
        }
    }
    sleep_ns(GRANDCHILD_MS * MS);
    struct fz_status s;
    int r = capos_call(status_client, FZ_STATUS_IID, FZS_PAUSE, 0, 0, &s, sizeof(s), 0, 0, 0);
    if (r != CAPOS_OK)
        fail("pausing the innocent: %s", capos_error_name(r));
    capos_printf("fuzz: drained at %lu ms\n", (unsigned long)((now_ns() - t0) / MS));
}

/* The end of a quiet point's measurements: still drained, with the
 * probe's mappings gone (their page tables stay, as they will at every
 * later quiet point), so the kernel's memory is what it will be at the
 * next one unless something was lost meanwhile. */
static void hold(void)
{
    if (!hold_ms)
        return;
    capos_printf("fuzz: holding %lu ms\n", (unsigned long)hold_ms);
    sleep_ns(hold_ms * MS);
    capos_printf("fuzz: held\n");
}

static void resume(void)
{
    capos_printf("fuzz: resuming at %lu ms\n", (unsigned long)((now_ns() - t0) / MS));
    struct fz_status s;
    int r = capos_call(status_client, FZ_STATUS_IID, FZS_RESUME, 0, 0, &s, sizeof(s), 0, 0, 0);
    if (r != CAPOS_OK)
        fail("resuming the innocent: %s", capos_error_name(r));
    __atomic_store_n(&pause_req, 0, __ATOMIC_RELEASE);
}

/* ---- probes (only while drained) ---- */

/* Free slots of the table and free physical memory (testlib.h's probes).
 * Pieces of 16 MiB at most: each map zeroes its frames in one kernel
 * entry, and the innocent keeps running meanwhile. */
static uint32_t probe_slots(void)
{
    return free_cap_slots(report_server, 0);
}

static uint64_t probe_physical(void)
{
    static const uint64_t piece[] = {16ULL << 20, 1ULL << 20, 128ULL << 10};
    uint64_t start = now_ns();
    uint64_t phys = free_physical(memory, piece, sizeof(piece) / sizeof(piece[0]), 80);
    capos_printf("fuzz: probe took %lu ms\n", (unsigned long)((now_ns() - start) / MS));
    return phys;
}

static bool innocent_status(struct fz_status *s)
{
    memset(s, 0, sizeof(*s));
    int r = capos_call(status_client, FZ_STATUS_IID, FZS_STATUS, 0, 0, s, sizeof(*s), 0, 0, 0);
    if (r != CAPOS_OK || s->magic != FZ_STATUS_MAGIC) {
        fail("innocent status: %s", capos_error_name(r));
        return false;
    }
    return true;
}

/* ---- start-up ---- */

static void setup(void)
{
    uint32_t priv_s, priv_c0, priv_c, pub_c0, status_s;
    const char *const allowed[] = {"fuzz_child"};
    if (capos_create_endpoint(spawner, &report_server, &report_client0) != CAPOS_OK ||
        capos_create_endpoint(spawner, &priv_s, &priv_c0) != CAPOS_OK ||
        capos_endpoint_mint(priv_s, FZ_BADGE_PRIVATE, &priv_c) != CAPOS_OK ||
        capos_release(priv_c0) != CAPOS_OK ||
        capos_create_endpoint(spawner, &pub_server, &pub_c0) != CAPOS_OK ||
        capos_release(pub_c0) != CAPOS_OK ||
        capos_create_endpoint(spawner, &status_s, &status_client) != CAPOS_OK ||
        capos_restrict(spawner, allowed, 1, &launcher) != CAPOS_OK) {
        capos_printf("fuzz: FAIL: endpoint setup\n");
        capos_exit(1);
    }
    for (int k = 0; k < NARENAS; k++)
        arena_replace(k);
    const struct capos_grant g[] = {
        {.name = "console", .kernel = true, .kind = capos_KernelCapKind_console},
        {.name = "timer", .kernel = true, .kind = capos_KernelCapKind_timer},
        {.name = "memory",
         .kernel = true,
         .kind = capos_KernelCapKind_virtualMemory,
         .memory_limit = INNOCENT_MEMORY},
        {.name = "threads", .kernel = true, .kind = capos_KernelCapKind_threadSpawner},
        {.name = "park", .kernel = true, .kind = capos_KernelCapKind_parkSpace},
        {.name = "pipes", .kernel = true, .kind = capos_KernelCapKind_pipeFactory},
        {.name = "private", .cap = priv_s, .mode = CAPOS_XFER_MOVE},
        {.name = "private-client", .cap = priv_c, .mode = CAPOS_XFER_MOVE},
        {.name = "public", .cap = pub_server, .mode = CAPOS_XFER_COPY},
        {.name = "status", .cap = status_s, .mode = CAPOS_XFER_MOVE},
    };
    const char *argv[] = {"fuzz_innocent"};
    int r = capos_spawn(spawner, "fuzz_innocent", "fuzz-innocent", g, sizeof(g) / sizeof(g[0]),
                        argv, 1, 0, 0, &innocent);
    if (r != CAPOS_OK) {
        capos_printf("fuzz: FAIL: spawn of the innocent: %s\n", capos_error_name(r));
        capos_exit(1);
    }
}

/* Fuzzes for `ns` (or until a failure); returns the time it took. */
static uint64_t run_for(uint64_t ns)
{
    uint64_t start = now_ns(), end = start + ns;
    for (uint64_t t = start; t < end && !failures; t = now_ns())
        sleep_ns(end - t < 200 * MS ? end - t : 200 * MS);
    return now_ns() - start;
}

static void print_totals(uint64_t elapsed_ns)
{
    uint64_t secs = elapsed_ns / S ? elapsed_ns / S : 1;
    capos_printf("fuzz: %lu children (%lu exited, %lu killed, %lu faulted) in %lu s of fuzzing; "
                 "%lu grandchildren, %lu threads started\n",
                 (unsigned long)tot.children, (unsigned long)tot.exited, (unsigned long)tot.killed,
                 (unsigned long)tot.faulted, (unsigned long)(elapsed_ns / S),
                 (unsigned long)tot.procs, (unsigned long)tot.threads);
    capos_printf("fuzz: %lu operations submitted, %lu completed (%lu per second), %lu cap_enter "
                 "calls, %lu with hostile RFLAGS; %lu capabilities transferred; %lu dead ids "
                 "stayed dead\n",
                 (unsigned long)tot.submitted, (unsigned long)tot.completed,
                 (unsigned long)(tot.completed / secs), (unsigned long)tot.enters,
                 (unsigned long)tot.flag_enters, (unsigned long)tot.transfers,
                 (unsigned long)tot.stale_ok);
    char line[400];
    size_t n = 0;
    for (int i = 0; i < FZ_NCODES && n < sizeof(line); i++) {
        if (tot.result[i])
            n += (size_t)fmt_snprintf(line + n, sizeof(line) - n, " %s %lu", capos_error_name(i),
                                      (unsigned long)tot.result[i]);
    }
    capos_printf("fuzz: results:%s\n", line);
    capos_printf("fuzz: %lu reports from children, %lu calls on the report endpoint that were "
                 "not reports\n",
                 (unsigned long)tot.reports, (unsigned long)tot.bad_reports);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        capos_printf("fuzz: FAIL: usage: fuzz SECONDS PROGRESS SEED [slots=N] [classes=LIST] "
                     "[child=N] [hold=MS]\n");
        return 1;
    }
    uint64_t seconds = fz_parse(argv[1]), progress = fz_parse(argv[2]);
    master_seed = fz_parse(argv[3]);
    for (int i = 4; i < argc; i++) {
        if (strncmp(argv[i], "slots=", 6) == 0) {
            nslots = (uint32_t)fz_parse(argv[i] + 6);
        } else if (strncmp(argv[i], "classes=", 8) == 0) {
            if (!parse_classes(argv[i] + 8)) {
                capos_printf("fuzz: FAIL: unknown class in %s\n", argv[i]);
                return 1;
            }
        } else if (strncmp(argv[i], "child=", 6) == 0) {
            replay_child = (int64_t)fz_parse(argv[i] + 6);
        } else if (strncmp(argv[i], "hold=", 5) == 0) {
            hold_ms = fz_parse(argv[i] + 5);
        } else {
            capos_printf("fuzz: FAIL: unknown option %s\n", argv[i]);
            return 1;
        }
    }
    if (nslots < 1 || nslots > MAX_SLOTS)
        nslots = 3;
    if (capos_capset_find("timer", capos_Timer_INTERFACE_ID, &timer) != CAPOS_OK ||
        capos_capset_find("memory", capos_VirtualMemory_INTERFACE_ID, &memory) != CAPOS_OK ||
        capos_capset_find("spawner", capos_ProcessSpawner_INTERFACE_ID, &spawner) != CAPOS_OK) {
        capos_printf("fuzz: FAIL: missing capabilities\n");
        return 1;
    }
    unsigned ncpus = count_cpus();
    char cls[300];
    class_list(cls, sizeof(cls));
    capos_printf("fuzz: seed %#lx, %lu s on %u CPUs, %u slots, progress every %lu s%s\n",
                 (unsigned long)master_seed, (unsigned long)seconds, ncpus, nslots,
                 (unsigned long)progress, replay_child >= 0 ? ", replaying one child" : "");
    capos_printf("fuzz: classes %s\n", cls);
    setup();

    struct capos_thread *rs = NULL;
    if (capos_thread_create(&rs, report_server_main, 0, &(struct capos_thread_opts){0}) !=
        CAPOS_OK) {
        capos_printf("fuzz: FAIL: report thread\n");
        return 1;
    }
    for (uint32_t i = 0; i < nslots; i++) {
        drivers[i].id = i;
        if (capos_thread_create(&drivers[i].t, driver_main, &drivers[i],
                                &(struct capos_thread_opts){0}) != CAPOS_OK) {
            capos_printf("fuzz: FAIL: driver thread\n");
            return 1;
        }
    }

    /* SECONDS counts fuzzing time only: the drains and memory probes
     * between segments (seconds each under emulation) come on top. */
    t0 = now_ns();
    uint64_t fuzzed = 0;
    uint64_t warmup = seconds / 4 < 5 ? seconds / 4 : 5;
    fuzzed += run_for(warmup * S);
    drain();
    uint64_t base_phys = probe_physical(), base_used = quota_used(memory);
    uint32_t base_slots = probe_slots();
    struct fz_status last;
    innocent_status(&last);
    capos_printf("fuzz: after %lu s of warm-up: %lu children, %lu KiB physical free or held, %lu "
                 "KiB in use, %u free capability slots\n",
                 (unsigned long)warmup, (unsigned long)tot.children,
                 (unsigned long)(base_phys >> 10), (unsigned long)(base_used >> 10), base_slots);
    hold();
    resume();

    while (fuzzed < seconds * S && !failures) {
        uint64_t left = seconds * S - fuzzed;
        bool last_segment = !progress || left <= progress * S;
        fuzzed += run_for(last_segment ? left : progress * S);
        if (last_segment || failures)
            break;
        drain();
        uint64_t phys = probe_physical(), used = quota_used(memory);
        uint32_t slots = probe_slots();
        struct fz_status s;
        innocent_status(&s);
        capos_printf("fuzz: progress: %lu s fuzzed (%lu s elapsed), %lu children, %lu ops (%lu/s), "
                     "%lu threads, %lu grandchildren; innocent %lu pings, %lu served, %lu memory "
                     "rounds; %lu KiB physical free or held, %lu KiB in use, %u free slots\n",
                     (unsigned long)(fuzzed / S), (unsigned long)((now_ns() - t0) / S),
                     (unsigned long)tot.children, (unsigned long)tot.completed,
                     (unsigned long)(tot.completed / (fuzzed / S ? fuzzed / S : 1)),
                     (unsigned long)tot.threads, (unsigned long)tot.procs, (unsigned long)s.pings,
                     (unsigned long)s.served, (unsigned long)s.vm_rounds,
                     (unsigned long)(phys >> 10), (unsigned long)(used >> 10), slots);
        if (phys + PHYS_SLACK < base_phys)
            fail("free physical memory fell from %lu KiB to %lu KiB",
                 (unsigned long)(base_phys >> 10), (unsigned long)(phys >> 10));
        if (used > base_used + MEM_SLACK)
            fail("memory in use grew from %lu KiB to %lu KiB", (unsigned long)(base_used >> 10),
                 (unsigned long)(used >> 10));
        if (slots != base_slots)
            fail("%u free capability slots, %u after the warm-up", slots, base_slots);
        if (s.failures)
            fail("the innocent saw %lu failures", (unsigned long)s.failures);
        if (s.pings <= last.pings || s.vm_rounds <= last.vm_rounds || s.sleeps <= last.sleeps ||
            s.park_timeouts <= last.park_timeouts)
            fail("the innocent made no progress (%lu pings, %lu memory rounds, %lu sleeps, %lu "
                 "park timeouts)",
                 (unsigned long)s.pings, (unsigned long)s.vm_rounds, (unsigned long)s.sleeps,
                 (unsigned long)s.park_timeouts);
        last = s;
        hold();
        resume();
    }

    /* The end: drain, check memory, stop the innocent. */
    __atomic_store_n(&run_over, 1, __ATOMIC_RELEASE);
    drain();
    uint64_t elapsed = now_ns() - t0;
    capos_printf("fuzz: %lu s fuzzed in %lu s\n", (unsigned long)(fuzzed / S),
                 (unsigned long)(elapsed / S));
    uint64_t phys = probe_physical(), used = quota_used(memory);
    uint32_t slots = probe_slots();
    struct fz_status s;
    innocent_status(&s);
    hold();
    int r = capos_call(status_client, FZ_STATUS_IID, FZS_STOP, 0, 0, &s, sizeof(s), 0, 0, 0);
    if (r != CAPOS_OK)
        fail("stopping the innocent: %s", capos_error_name(r));
    struct capos_exit st;
    r = capos_process_wait(innocent, &st);
    if (r != CAPOS_OK || st.kind != capos_ExitStatus_which_exited || st.code != 0)
        fail("the innocent ended badly (%s, kind %d, code %d)", capos_error_name(r), (int)st.kind,
             st.code);
    print_totals(fuzzed);
    capos_printf("fuzz: memory: %lu KiB physical free or held after warm-up, %lu KiB at the end; "
                 "%lu KiB in use after warm-up, %lu KiB at the end; %u free capability slots "
                 "after warm-up, %u at the end\n",
                 (unsigned long)(base_phys >> 10), (unsigned long)(phys >> 10),
                 (unsigned long)(base_used >> 10), (unsigned long)(used >> 10), base_slots, slots);
    if (phys + PHYS_SLACK < base_phys)
        fail("free physical memory fell from %lu KiB to %lu KiB", (unsigned long)(base_phys >> 10),
             (unsigned long)(phys >> 10));
    if (used > base_used + MEM_SLACK)
        fail("memory in use grew from %lu KiB to %lu KiB", (unsigned long)(base_used >> 10),
             (unsigned long)(used >> 10));
    if (slots != base_slots)
        fail("%u free capability slots at the end, %u after the warm-up", slots, base_slots);
    if (tot.children != tot.exited + tot.killed + tot.faulted)
        fail("%lu children started, %lu ended", (unsigned long)tot.children,
             (unsigned long)(tot.exited + tot.killed + tot.faulted));
    if (tot.completed == 0)
        fail("no operation completed");
    if (tot.bad_reports)
        fail("%lu calls on the report endpoint were not reports", (unsigned long)tot.bad_reports);
    if (failures) {
        capos_printf("fuzz: FAIL: %u failures\n", failures);
        return 1;
    }
    capos_printf("fuzz: ok\n");
    return 0;
}
