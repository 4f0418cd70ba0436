/*
 * ledger_flood: a process with a small memory quota tries every way it has
 * to make the kernel hold memory for it (system/smoke-ledger.capnp; started
 * by ledger_driver with a 16 MiB quota).  Each flood must stop at the quota
 * with a clean quotaExceeded, and once what it made is released the quota's
 * use must be back where it was (give or take the one spare frame a
 * ledger's heap may keep).  In order:
 *
 *   facets     mints client facets of one endpoint into its table
 *   vm-limits  makes VirtualMemory facets with budgets (VirtualMemory.limit)
 *   handles    makes ThreadHandles of itself (ThreadControl.handle)
 *   endpoints  creates endpoints through its launcher
 *   children   starts children through a restricted launcher: each child's
 *              memory is charged to this process's ledger, so it cannot
 *              exceed its quota through children
 *   messages   queues 64 KiB calls through endpoints of its own from up to
 *              62 threads (the attack that once held ~500 MiB of kernel
 *              heap); while it holds its whole quota it tells the driver,
 *              which starts an innocent process that must be able to map
 *              4 MiB of its own quota
 *   threads    starts threads that block, which stay for the exit
 *
 * All but the messages flood run with most of the quota taken by a
 * VirtualMemory mapping, so that the objects under test reach the quota
 * before a count limit (capability slots, threads per process) could stop
 * them.  At the end some of everything is left behind on purpose: the
 * process exits holding it, and the driver checks that its teardown gave it
 * all back.
 *
 * Each flood prints what it made and how it stopped, then "... ok" or FAIL
 * lines; argv[1] "child" is the role of the children (they block until
 * killed).
 */
#include "capos.h"

#include "base/mem.h"
#include "fmt/fmt.h"

/* Each flood is a case: case_name is the flood's name. */
#define TESTCASE_PREFIX "ledger-flood"
#include "testcase.h"

extern const char capos_thread_entry[];

#define PAGE         4096ULL
#define KIB          1024ULL
#define FLOOD_IID    0x666c6f6f64000001ULL /* the calls nobody answers */
#define REPORT_IID   0x666c6f6f64000002ULL /* to the driver */
#define MSG_BYTES    65536u                /* the largest message */
#define MSG_FRAMES   17                    /* what the kernel charges for one queued */
#define WORKERS      62                    /* threads that queue calls (64 - main - spare) */
#define WORKER_CALLS 124                   /* calls each queues at most (its ring holds 128) */
#define WORKER_STACK (12 * 1024)
#define MAX_OBJECTS  240 /* capability slots the object floods may fill */
#define MAX_CHILDREN 64

static uint32_t memory, threads, launcher, driver;
static uint64_t quota_limit;
static unsigned nfloods;
/* Mapped at the start rather than in .bss, so that the children (this
 * program too) stay small. */
static uint8_t *message;

static uint64_t room_frames(void)
{
    uint64_t used = quota_used(memory);
    return used >= quota_limit ? 0 : (quota_limit - used) / PAGE;
}

/* ---- taking most of the quota with a mapping ---- */

#define MAX_FILL 16
static uint64_t fill_addr[MAX_FILL], fill_len[MAX_FILL];
static unsigned nfill;

/* Maps memory until between `target` and target + 2 frames of quota are
 * left (a page may need a page table, rarely two); with target 0, until a
 * page no longer fits (then at most one frame is left). */
static void fill_to(uint64_t target)
{
    while (nfill < MAX_FILL) {
        uint64_t room = room_frames();
        if (room <= target + 2 && target > 0)
            return;
        if (room <= 2) {
            uint64_t addr;
            int err = capos_vm_map_commit(memory, 0, PAGE, 3, &addr);
            if (err == CAPOS_ERR_QUOTA_EXCEEDED)
                return;
            if (err != CAPOS_OK) {
                fail("filling the quota: map of a page: %s", capos_error_name(err));
                return;
            }
            fill_addr[nfill] = addr;
            fill_len[nfill++] = PAGE;
            continue;
        }
        /* A mapping needs page tables of its own: leave them room (a big
         * one may cross several page tables, a small one at most two). */
        uint64_t want = room - target;
        uint64_t pages = want > 64 ? want - 24 : want > 3 ? want - 2 : 1;
        uint64_t addr;
        int err = capos_vm_map_commit(memory, 0, pages * PAGE, 3, &addr);
        if (err != CAPOS_OK) {
            fail("filling the quota: map of %lu pages: %s", (unsigned long)pages,
                 capos_error_name(err));
            return;
        }
        fill_addr[nfill] = addr;
        fill_len[nfill++] = pages * PAGE;
    }
}

static void unfill(void)
{
    while (nfill) {
        nfill--;
        int err = capos_vm_unmap(memory, fill_addr[nfill], fill_len[nfill]);
        if (err != CAPOS_OK)
            fail("unmap of the filler: %s", capos_error_name(err));
    }
}

/* ---- one flood ---- */

static uint64_t flood_base; /* quota used before the flood */

static void flood_begin(const char *name)
{
    case_name = name;
    case_failures = 0;
    flood_base = quota_used(memory);
}

/* The flood stopped with `err` after making n objects of at least `bytes`
 * each with `room` frames of quota free: it must be quotaExceeded, and the
 * objects must have fitted the room, plus the free blocks the ledger's heap
 * already held: its spare frame, and at most a frame's worth in its partly
 * used slab frame of each of `kinds` block sizes. */
static void flood_stopped(int err, unsigned n, uint64_t bytes, uint64_t room, unsigned kinds,
                          const char *what)
{
    uint64_t used = quota_used(memory);
    if (err != CAPOS_ERR_QUOTA_EXCEEDED)
        fail("after %u %s the flood stopped with %s, not quotaExceeded", n, what,
             capos_error_name(err));
    if ((uint64_t)n * bytes > (room + 1 + kinds) * PAGE)
        fail("%u %s of %lu bytes fitted only %lu frames of quota", n, what, (unsigned long)bytes,
             (unsigned long)room);
    if (used > quota_limit)
        fail("quota use %lu KiB is over the limit %lu KiB", (unsigned long)(used / KIB),
             (unsigned long)(quota_limit / KIB));
    capos_printf("ledger-flood: %s: %u %s in %lu frames of room, then %s\n", case_name, n, what,
                 (unsigned long)room, capos_error_name(err));
}

/* Everything made is released: the use must be back (one spare frame of
 * the ledger's heap may come or go). */
static void flood_end(void)
{
    /* Children and threads are torn down after they are reported gone:
     * let them finish (this is the only CPU the test needs). */
    uint64_t used = quota_used(memory);
    for (int i = 0; i < 1000 && (used > flood_base + PAGE || used + PAGE < flood_base); i++) {
        capos_thread_yield();
        used = quota_used(memory);
    }
    if (used > flood_base + PAGE || used + PAGE < flood_base)
        fail("quota use is %lu KiB after the flood, %lu KiB before", (unsigned long)(used / KIB),
             (unsigned long)(flood_base / KIB));
    nfloods++;
    if (case_failures) {
        nfailed++;
    } else {
        capos_printf("ledger-flood: %s: back to %lu KiB: ok\n", case_name,
                     (unsigned long)(used / KIB));
    }
}

static void release_all(uint32_t *caps, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (capos_release(caps[i]) != CAPOS_OK)
            fail("release of cap %#x failed", caps[i]);
    }
}

/* ---- threads from memory the flood provides ---- */

/* Starts a thread on a control block and stack the caller provides (the
 * runtime's capos_thread_create would take them from the heap, which may
 * have to map memory the flood has used up). */
static int thread_start(struct capos_thread *t, uint8_t *stack, size_t stack_size,
                        int (*fn)(void *), void *arg)
{
    memset(t, 0, sizeof(*t));
    t->self = t;
    t->fn = fn;
    t->arg = arg;
    uint64_t top = ((uint64_t)(uintptr_t)(stack + stack_size)) & ~15ULL;
    struct capos_msg m;
    uint64_t res[8];
    uint32_t len;
    capos_msg_init(&m);
    capos_ThreadSpawner_spawn_Params_builder p = capos_ThreadSpawner_spawn_Params_init_root(&m.b);
    capos_ThreadSpawner_spawn_Params_set_entry(p, (uint64_t)(uintptr_t)capos_thread_entry);
    capos_ThreadSpawner_spawn_Params_set_stack(p, top);
    capos_ThreadSpawner_spawn_Params_set_tls(p, (uint64_t)(uintptr_t)t);
    capos_ThreadSpawner_spawn_Params_set_arg(p, (uint64_t)(uintptr_t)t);
    int err = capos_client_call(threads, capos_ThreadSpawner_INTERFACE_ID,
                                capos_ThreadSpawner_method_spawn, &m, res, sizeof(res), &len);
    if (err == CAPOS_OK)
        t->handle = ((const uint32_t *)((const uint8_t *)res + CAPOS_CAPS_OFFSET(len)))[0];
    return err;
}

/* ---- the floods ---- */

enum { WORKER_FLOODING, WORKER_STOPPED };

struct worker {
    struct capos_thread t;
    uint8_t stack[WORKER_STACK] __attribute__((aligned(16)));
};

struct worker_state {
    uint32_t server, client;
    uint32_t state;   /* WORKER_FLOODING until it stopped queueing */
    uint32_t queued;  /* calls it left waiting in its endpoint's queue */
    int refusal;      /* what stopped it (0: it reached WORKER_CALLS) */
    uint32_t settled; /* queued calls that completed since, all peerGone */
    uint32_t wrong;   /* ... or not */
};

static struct worker *workers; /* mapped once the flood starts */
static struct worker_state wstate[WORKERS];

/* Makes capabilities (make(i, &cap)) with the rest of the quota taken,
 * until the kernel refuses one or MAX_OBJECTS are made; each is an object
 * of at least `bytes` in one block size.  Then releases them. */
static void flood_caps(int (*make)(unsigned i, uint32_t *out), uint64_t bytes, const char *what)
{
    uint32_t caps[MAX_OBJECTS];
    unsigned n = 0;
    int err;
    fill_to(0);
    uint64_t room = room_frames();
    while ((err = make(n, &caps[n])) == CAPOS_OK && ++n < MAX_OBJECTS)
        ;
    flood_stopped(err, n, bytes, room, 1, what);
    release_all(caps, n);
    unfill();
}

static uint32_t facet_server; /* the facets flood's endpoint */

static int mint_facet(unsigned i, uint32_t *out)
{
    return capos_endpoint_mint(facet_server, i, out);
}

static void flood_facets(void)
{
    uint32_t client;
    int err;
    flood_begin("facets");
    if ((err = capos_create_endpoint(launcher, &facet_server, &client)) != CAPOS_OK) {
        fail("createEndpoint: %s", capos_error_name(err));
        return;
    }
    flood_caps(mint_facet, 64, "client facets");
    capos_release(client);
    capos_release(facet_server);
    flood_end();
}

static int limit_facet(unsigned i, uint32_t *out)
{
    (void)i;
    return capos_vm_limit(memory, PAGE, out);
}

static void flood_vm_limits(void)
{
    flood_begin("vm-limits");
    /* A facet and its budget are a block each. */
    flood_caps(limit_facet, 128, "limited VirtualMemory facets");
    flood_end();
}

/* A ThreadHandle is a 32-byte block: more of them than a table holds fit in
 * the free blocks a ledger's heap may already have (its spare frame and a
 * partly used slab frame), so the flood parks them in calls queued on an
 * endpoint of its own.  Each call carries copies of up to CAPOS_MAX_XFER
 * handles, whose table slots are then released; releasing the server facet
 * at the end fails the calls, which drops the handles.  A queued call's
 * operation is charged too, so the quota may run out on a call instead of
 * a handle: that call fails at once with quotaExceeded (and drops its
 * handles), which ends the flood the same way. */
#define HANDLE_CALLS 120 /* calls queued at most (the ring holds 128) */

static void flood_handles(void)
{
    uint32_t server, client, batch[CAPOS_MAX_XFER];
    struct capos_xfer x[CAPOS_MAX_XFER];
    uint64_t cookies[HANDLE_CALLS];
    unsigned n = 0, queued = 0;
    int err;
    flood_begin("handles");
    err = capos_create_endpoint(launcher, &server, &client);
    if (err != CAPOS_OK) {
        fail("creating the endpoint: %s", capos_error_name(err));
        flood_end();
        return;
    }
    /* Room for the calls' operations (512-byte blocks, eight a frame) as
     * well as for the handles. */
    fill_to(HANDLE_CALLS / 8);
    uint64_t room = room_frames();
    while (err == CAPOS_OK && queued < HANDLE_CALLS) {
        unsigned k = 0;
        while (k < CAPOS_MAX_XFER && (err = capos_thread_handle_self(&batch[k])) == CAPOS_OK)
            x[k] = (struct capos_xfer){.cap = batch[k], .mode = CAPOS_XFER_COPY}, k++;
        n += k;
        if (k == 0)
            break;
        struct capos_sqe *s = capos_ring_prep();
        capos_sqe_call(s, client, FLOOD_IID, 0, 0, 0, 0, 0, x, (uint16_t)k);
        s->user_data = cookies[queued++] = capos_ring_cookie();
        capos_ring_enter(0, 0);
        /* A parked call has no completion yet; one that has was refused. */
        struct capos_cqe c;
        if (capos_ring_next(&c)) {
            if (c.user_data != cookies[queued - 1] || c.result == CAPOS_OK)
                fail("a parking call completed with %s", capos_error_name(c.result));
            err = c.result;
            queued--;
        }
        for (unsigned i = 0; i < k; i++)
            capos_release(batch[i]);
    }
    /* Handles and the calls' operations share the quota. */
    flood_stopped(err, n, 32, room, 2, "thread handles");
    /* No server facet left: every parked call fails, dropping its handles.
     * Synchronous calls meanwhile keep the completions for us. */
    capos_release(server);
    for (unsigned i = 0; i < queued; i++) {
        struct capos_cqe c;
        if (capos_ring_wait(cookies[i], &c) != 0)
            fail("waiting for parking call %u failed", i);
        else if (c.result != CAPOS_ERR_PEER_GONE)
            fail("parking call %u ended with %s, not peerGone", i, capos_error_name(c.result));
    }
    capos_release(client);
    unfill();
    flood_end();
}

static void flood_endpoints(void)
{
    uint32_t caps[MAX_OBJECTS];
    unsigned n = 0;
    int err;
    flood_begin("endpoints");
    fill_to(0);
    uint64_t room = room_frames();
    while ((err = capos_create_endpoint(launcher, &caps[n], &caps[n + 1])) == CAPOS_OK &&
           (n += 2) + 2 <= MAX_OBJECTS)
        ;
    /* An endpoint and two facets: 128 + 2 x 64 bytes of blocks. */
    flood_stopped(err, n / 2, 256, room, 2, "endpoints");
    release_all(caps, n);
    unfill();
    flood_end();
}

/* Threads that block until released (a completion they wait for never
 * comes; their process's exit or a kill ends them). */
static int blocker(void *arg)
{
    (void)arg;
    while (capos_ring_enter(1, CAPOS_WAIT_FOREVER) >= 0)
        ;
    return 1;
}

#define FLOOD_THREADS 16

/* Threads run on the control blocks and stacks of the last workers (the
 * message flood is over by then; the leftover one uses the first). */
static void flood_threads(void)
{
    unsigned n = 0;
    int err = CAPOS_OK;
    flood_begin("threads");
    fill_to(48);
    uint64_t room = room_frames();
    while (n < FLOOD_THREADS) {
        struct worker *w = &workers[WORKERS - 1 - n];
        if ((err = thread_start(&w->t, w->stack, WORKER_STACK, blocker, NULL)) != CAPOS_OK)
            break;
        n++;
    }
    if (n == FLOOD_THREADS)
        fail("%u threads started in %lu frames of room", n, (unsigned long)room);
    /* A thread's kernel stack takes 4 frames and its ring 4; its struct
     * and the operations it starts come on top. */
    flood_stopped(err, n, 8 * PAGE, room, 0, "threads");
    /* Nothing but the process's exit ends a thread blocked in cap_enter:
     * the threads are left for the exit to clean up. */
    unfill();
    nfloods++;
    if (case_failures)
        nfailed++;
    else
        capos_printf("ledger-flood: threads: left %u blocked for the exit: ok\n", n);
}

static int child_main(void)
{
    while (capos_ring_enter(1, CAPOS_WAIT_FOREVER) >= 0)
        ;
    return 1;
}

static void flood_children(void)
{
    static const char *const argv[] = {"ledger_flood", "child"};
    uint32_t handles[MAX_CHILDREN];
    unsigned n = 0;
    int err = CAPOS_OK;
    flood_begin("children");
    fill_to(400);
    uint64_t room = room_frames(), before = quota_used(memory);
    while (n < MAX_CHILDREN) {
        err = capos_spawn(launcher, "ledger_flood", "ledger-child", NULL, 0, argv, 2, NULL, 0,
                          &handles[n]);
        if (err != CAPOS_OK)
            break;
        uint64_t now = quota_used(memory);
        /* Its image, stack, ring, page tables, thread and struct: far more
         * than 24 frames, all charged here. */
        if (now < before + 24 * PAGE)
            fail("child %u added only %lu KiB to this process's quota use", n,
                 (unsigned long)((now - before) / KIB));
        before = now;
        n++;
    }
    if (n == MAX_CHILDREN)
        fail("%u children started in %lu frames of room, none refused", n, (unsigned long)room);
    flood_stopped(err, n, 24 * PAGE, room, 0, "children");
    for (unsigned i = 0; i < n; i++) {
        struct capos_exit st;
        capos_process_kill(handles[i]);
        if (capos_process_wait(handles[i], &st) != CAPOS_OK ||
            st.kind != capos_ExitStatus_which_killed)
            fail("child %u did not end killed", i);
        capos_release(handles[i]);
    }
    unfill();
    flood_end();
}

/* ---- messages ---- */

/* Queues 64 KiB calls on its own endpoint, one cap_enter each, until one
 * is refused; then waits for every queued call to fail (the server facet
 * is released) and counts the outcomes. */
static int worker_main(void *arg)
{
    struct worker_state *w = arg;
    while (w->queued < WORKER_CALLS) {
        struct capos_sqe *s = capos_ring_prep();
        capos_sqe_call(s, w->client, FLOOD_IID, 0, message, MSG_BYTES, 0, 0, 0, 0);
        s->user_data = w->queued;
        capos_ring_enter(0, 0);
        const struct capos_cqe *c = capos_ring_peek();
        if (c) {
            w->refusal = c->result;
            capos_ring_advance(1);
            break;
        }
        w->queued++;
    }
    __atomic_store_n(&w->state, WORKER_STOPPED, __ATOMIC_RELEASE);
    while (w->settled + w->wrong < w->queued) {
        capos_ring_enter(1, CAPOS_WAIT_FOREVER);
        const struct capos_cqe *c;
        while ((c = capos_ring_peek())) {
            if (c->result == CAPOS_ERR_PEER_GONE)
                w->settled++;
            else
                w->wrong++;
            capos_ring_advance(1);
        }
    }
    return 0;
}

/* Tells the driver how much this process holds, and waits for its answer
 * (it runs the innocent process meanwhile). */
static void tell_driver(uint64_t held)
{
    char text[64];
    int n = fmt_snprintf(text, sizeof(text), "%lu", (unsigned long)held);
    int err = capos_call(driver, REPORT_IID, 0, text, (uint32_t)n + 1, NULL, 0, NULL, 0, NULL);
    if (err != CAPOS_OK)
        fail("the driver answered %s", capos_error_name(err));
}

static void flood_messages(bool keep)
{
    unsigned nw = 0;
    uint64_t queued = 0;
    int refusal = 0;
    flood_begin(keep ? "leftover" : "messages");
    memset(wstate, 0, sizeof(wstate));
    for (; nw < WORKERS && !refusal; nw++) {
        struct worker_state *w = &wstate[nw];
        int err = capos_create_endpoint(launcher, &w->server, &w->client);
        if (err == CAPOS_OK)
            err = thread_start(&workers[nw].t, workers[nw].stack, WORKER_STACK, worker_main, w);
        if (err != CAPOS_OK) {
            /* Endpoints and threads are charged too: this is the quota. */
            refusal = err;
            if (w->server) {
                capos_release(w->server);
                capos_release(w->client);
            }
            break;
        }
        while (__atomic_load_n(&w->state, __ATOMIC_ACQUIRE) != WORKER_STOPPED)
            capos_thread_yield();
        queued += w->queued;
        refusal = w->refusal;
        if (keep)
            break; /* one worker's worth is enough to leave behind */
    }
    if (keep) {
        capos_printf("ledger-flood: leftover: %lu calls queued at exit\n", (unsigned long)queued);
        return;
    }
    uint64_t used = quota_used(memory);
    if (queued * MSG_FRAMES * PAGE > quota_limit)
        fail("%lu calls of 64 KiB queued on a %lu KiB quota", (unsigned long)queued,
             (unsigned long)(quota_limit / KIB));
    if (refusal != CAPOS_ERR_QUOTA_EXCEEDED)
        fail("after %lu calls from %u threads the flood stopped with %s, not quotaExceeded",
             (unsigned long)queued, nw, capos_error_name(refusal));
    capos_printf("ledger-flood: messages: %lu calls of 64 KiB from %u threads, then %s; "
                 "%lu of %lu KiB used\n",
                 (unsigned long)queued, nw, capos_error_name(refusal), (unsigned long)(used / KIB),
                 (unsigned long)(quota_limit / KIB));
    tell_driver(used);
    /* Releasing each server facet fails its queued calls: every worker
     * hears peerGone for each and ends. */
    for (unsigned i = 0; i < nw; i++) {
        struct worker_state *w = &wstate[i];
        capos_release(w->server);
        capos_release(w->client);
        int code;
        bool killed;
        int err = capos_thread_join(&workers[i].t, &code, &killed);
        if (err != CAPOS_OK || killed || code != 0)
            fail("worker %u ended badly (%s)", i, capos_error_name(err));
        if (w->settled != w->queued)
            fail("worker %u: %u of its %u calls failed with another error than peerGone", i,
                 w->wrong, w->queued);
    }
    flood_end();
}

int main(int argc, char **argv)
{
    uint64_t addr;
    if (argc > 1 && strcmp(argv[1], "child") == 0)
        return child_main();
    if (capos_capset_find("memory", capos_VirtualMemory_INTERFACE_ID, &memory) != CAPOS_OK ||
        capos_capset_find("threads", capos_ThreadSpawner_INTERFACE_ID, &threads) != CAPOS_OK ||
        capos_capset_find("launcher", capos_ProcessSpawner_INTERFACE_ID, &launcher) != CAPOS_OK ||
        capos_capset_find("driver", REPORT_IID, &driver) != CAPOS_OK) {
        capos_printf("ledger-flood: missing capabilities\n");
        return 2;
    }
    uint64_t used0, msg_addr;
    case_name = "setup";
    if (capos_vm_quota(memory, &quota_limit, &used0) != CAPOS_OK ||
        capos_vm_map_commit(memory, 0, ALIGN_UP(sizeof(struct worker) * WORKERS, PAGE), 3, &addr) !=
            CAPOS_OK ||
        capos_vm_map_commit(memory, 0, MSG_BYTES, 3, &msg_addr) != CAPOS_OK) {
        capos_printf("ledger-flood: cannot set up\n");
        return 2;
    }
    workers = (struct worker *)(uintptr_t)addr;
    message = (uint8_t *)(uintptr_t)msg_addr;
    memset(message, 0x5a, MSG_BYTES);
    /* The filler's page tables stay once made: make them before any flood
     * measures its starting point. */
    fill_to(0);
    unfill();
    capos_printf("ledger-flood: quota %lu KiB, %lu KiB used at the start\n",
                 (unsigned long)(quota_limit / KIB), (unsigned long)(quota_used(memory) / KIB));

    flood_facets();
    flood_vm_limits();
    flood_handles();
    flood_endpoints();
    flood_children();
    flood_messages(false);
    flood_threads();
    /* Left behind for the exit to clean up: blocked threads (above), a
     * worker's queued calls, facets, endpoints. */
    flood_messages(true);
    uint32_t server, client, extra;
    if (capos_create_endpoint(launcher, &server, &client) == CAPOS_OK) {
        for (unsigned i = 0; i < 32; i++)
            (void)capos_endpoint_mint(server, i, &extra);
    }
    capos_printf("ledger-flood: %u floods, %u failed\n", nfloods, nfailed);
    return nfailed ? 1 : 0;
}
