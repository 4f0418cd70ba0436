/*
 * threads_regress: regression tests for threads and spawning under
 * concurrency and at their limits (system/smoke-threads-regress.capnp).
 * Each case checks one guarantee and prints "threads-regress: <case>: ok",
 * or FAIL lines saying what happened instead:
 *
 *   limit-after-join   a process at its thread limit joins a thread and at
 *                      once creates another, 300 times: every create
 *                      succeeds (a join completes only once the thread no
 *                      longer counts against the limit)
 *   ring-slot-reuse    four threads create and join threads in a tight
 *                      loop, never more than nine alive: no create is
 *                      refused (an ended thread's ring slot is free and its
 *                      ring unmapped by the time its joiner hears of it)
 *   slots-after-join   with two free slots in its capability table, the
 *                      process starts and joins a thread 1000 times: after
 *                      each join both slots are free again (the thread's
 *                      ThreadControl is released before the join completes)
 *   spawn-table-full   ThreadSpawner.spawn with one free slot in the
 *                      caller's table, where a thread of its own process
 *                      needs two (its ThreadControl and the ThreadHandle):
 *                      tableFull, and the thread never runs; with two free
 *                      slots the same spawn succeeds
 *   spawn-result-small ThreadSpawner.spawn with a result buffer too small
 *                      for the handle: resultTooLarge, and the thread never
 *                      runs
 *   process-result-small ProcessSpawner.spawn with a result buffer too
 *                      small, and with a full capability table:
 *                      resultTooLarge and tableFull, and neither child runs
 *   spawn-concurrent   capos_spawn from two threads at once, 40 children
 *                      each: every child gets its own spawner's arguments
 *                      and exits with its code
 *   vm-page-tables     256 map/unmap pairs of 1 MiB at addresses the kernel
 *                      chooses: the memory in use ends no higher than it
 *                      began (the kernel picks the lowest free gap, so each
 *                      map reuses the page tables the one before it left)
 *   spawn-lookup       four threads spawn 160 children each, eight at a
 *                      time, that live 20 ms: every spawn finds its binary
 *                      (manifest lookups are safe on several CPUs at once)
 *                      and every child exits with its code
 *   spawn-exit-race    the same with 500 children per thread that exit at
 *                      once, often before their ProcessSpawner.spawn has
 *                      returned: every spawn gives a handle, every wait
 *                      the child's code, and nothing stalls
 *   kill-while-spawning 1000 children killed at once or after 1 ms while
 *                      their main thread creates threads as fast as it can:
 *                      each ends killed (a thread still being created is
 *                      not woken by the kill before it is handed to the
 *                      scheduler, so it is queued once)
 *   cancel-race        1000 children killed at once or after 1 ms while
 *                      their threads go in and out of ParkSpace.wait,
 *                      Timer.sleep, ThreadHandle.join, CALL and RECV: each
 *                      ends killed (an operation still being set up on one
 *                      CPU is left to its thread by a kill on another)
 *
 * A kernel panic or fault in any case fails the smoke.  argv[1], when
 * given, names a child role (see child_main).
 */
#include "capos.h"

#include "base/mem.h"
#include "fmt/fmt.h"

#define TESTCASE_PREFIX "threads-regress"
#include "testcase.h"

extern const char capos_thread_entry[];

#define MS          (1000ULL * 1000)
#define MAX_THREADS 64 /* kernel PROCESS_MAX_THREADS */
#define PING_IID    0x70696e6770696e67ULL
#define PROG        "threads_regress"

static uint32_t tspawner, park, spawner;

/* ---- threads started without the runtime's bookkeeping ---- */

/* A control block and stack that are never freed, so a thread nobody can
 * join may keep running on them. */
struct raw_thread {
    struct capos_thread t;
    uint8_t stack[12 * 1024] __attribute__((aligned(16)));
};

static struct raw_thread raw_pool[4];

/* ThreadSpawner.spawn of fn(arg) on `slot` with a result buffer of
 * `res_len` bytes; *handle gets the ThreadHandle when it arrives. */
static int raw_spawn(struct raw_thread *slot, int (*fn)(void *), void *arg, uint32_t res_len,
                     uint32_t *handle)
{
    struct capos_msg m;
    uint64_t res[8];
    uint32_t len = 0;
    memset(&slot->t, 0, sizeof(slot->t));
    slot->t.self = &slot->t;
    slot->t.fn = fn;
    slot->t.arg = arg;
    capos_msg_init(&m);
    capos_ThreadSpawner_spawn_Params_builder p = capos_ThreadSpawner_spawn_Params_init_root(&m.b);
    capos_ThreadSpawner_spawn_Params_set_entry(p, (uint64_t)(uintptr_t)capos_thread_entry);
    capos_ThreadSpawner_spawn_Params_set_stack(
        p, (uint64_t)(uintptr_t)(slot->stack + sizeof(slot->stack)));
    capos_ThreadSpawner_spawn_Params_set_tls(p, (uint64_t)(uintptr_t)&slot->t);
    capos_ThreadSpawner_spawn_Params_set_arg(p, (uint64_t)(uintptr_t)&slot->t);
    int err = capos_client_call(tspawner, capos_ThreadSpawner_INTERFACE_ID,
                                capos_ThreadSpawner_method_spawn, &m, res,
                                res_len < sizeof(res) ? res_len : sizeof(res), &len);
    if (err == CAPOS_OK)
        *handle = ((const uint32_t *)((const uint8_t *)res + CAPOS_CAPS_OFFSET(len)))[0];
    return err;
}

static uint32_t ran;

static int note_ran(void *arg)
{
    (void)arg;
    __atomic_fetch_add(&ran, 1, __ATOMIC_RELEASE);
    return 3;
}

/* ---- filling the capability table ---- */

static uint32_t probe_server;
static uint32_t fill_ids[300];
static uint32_t nfill;

/* Fills the table, then frees `leave` slots. */
static void fill_table(uint32_t leave)
{
    int r = CAPOS_OK;
    nfill = 0;
    while (nfill < 300 && (r = capos_endpoint_mint(probe_server, 1, &fill_ids[nfill])) == CAPOS_OK)
        nfill++;
    if (r != CAPOS_ERR_TABLE_FULL)
        fail("filling the table: %s", capos_error_name(r));
    while (leave-- && nfill)
        capos_release(fill_ids[--nfill]);
}

static void unfill_table(void)
{
    while (nfill)
        capos_release(fill_ids[--nfill]);
}

/* ---- cases ---- */

static uint32_t own_gate[MAX_THREADS];

static int hold_own(void *arg)
{
    uint32_t *g = arg;
    while (!__atomic_load_n(g, __ATOMIC_ACQUIRE))
        capos_park_wait(park, g, 0, 0);
    return 7;
}

static void limit_after_join(void)
{
    static struct capos_thread *t[MAX_THREADS];
    static const struct capos_thread_opts o = {.stack_size = 16 * 1024};
    unsigned n = 0, rounds = 300;
    begin("limit-after-join");
    while (n < MAX_THREADS - 1) {
        own_gate[n] = 0;
        if (capos_thread_create(&t[n], hold_own, &own_gate[n], &o) != CAPOS_OK)
            break;
        n++;
    }
    if (n != MAX_THREADS - 1)
        fail("only %u threads besides main", n);
    for (unsigned k = 0; k < rounds && n; k++) {
        unsigned i = k % n;
        __atomic_store_n(&own_gate[i], 1, __ATOMIC_RELEASE);
        capos_park_wake(park, &own_gate[i], 1, 0);
        capos_thread_join(t[i], 0, 0);
        own_gate[i] = 0;
        int r = capos_thread_create(&t[i], hold_own, &own_gate[i], &o);
        if (r != CAPOS_OK) {
            fail("create %u, right after joining a thread at the limit: %s", k,
                 capos_error_name(r));
            t[i] = NULL;
            break;
        }
    }
    for (unsigned i = 0; i < n; i++) {
        if (!t[i])
            continue;
        __atomic_store_n(&own_gate[i], 1, __ATOMIC_RELEASE);
        capos_park_wake(park, &own_gate[i], 1, 0);
        capos_thread_join(t[i], 0, 0);
    }
    end();
}

static void slots_after_join(void)
{
    unsigned late = 0, rounds = 1000;
    begin("slots-after-join");
    fill_table(2); /* a thread takes two: its handle and its ThreadControl */
    for (unsigned k = 0; k < rounds; k++) {
        uint32_t h, a = 0, b = 0;
        int code = -1;
        int r = raw_spawn(&raw_pool[0], note_ran, 0, 64, &h);
        if (r != CAPOS_OK) {
            fail("spawn with two free slots: %s", capos_error_name(r));
            break;
        }
        if (join_raw(h, &code, NULL) != CAPOS_OK || code != 3)
            fail("join: code %d", code);
        capos_release(h);
        /* Both slots should be free again. */
        int ra = capos_endpoint_mint(probe_server, 1, &a);
        int rb = capos_endpoint_mint(probe_server, 1, &b);
        if (ra == CAPOS_OK)
            capos_release(a);
        if (rb == CAPOS_OK)
            capos_release(b);
        if (ra != CAPOS_OK || rb != CAPOS_OK)
            late++;
    }
    unfill_table();
    if (late)
        fail("%u of %u times a joined thread still held a table slot after the join", late, rounds);
    end();
}

/* Whether a thread started on raw_pool ran note_ran within 20 ms. */
static bool ran_soon(void)
{
    sleep_ms(20);
    return __atomic_load_n(&ran, __ATOMIC_ACQUIRE) != 0;
}

/* A spawn on `slot` that must be refused with `want` before the thread
 * runs; a thread that was made anyway is joined and released. */
static bool spawn_refused(struct raw_thread *slot, uint32_t res_len, int want, const char *what)
{
    uint32_t h = 0;
    __atomic_store_n(&ran, 0, __ATOMIC_RELAXED);
    int r = raw_spawn(slot, note_ran, 0, res_len, &h);
    bool seen = ran_soon();
    if (r == want && !seen)
        return true;
    fail("%s: %s, the thread %s", what, capos_error_name(r), seen ? "ran" : "did not run");
    if (r == CAPOS_OK) {
        join_raw(h, 0, NULL);
        capos_release(h);
    }
    return false;
}

static void spawn_table_full(void)
{
    begin("spawn-table-full");
    for (int n = 0; n < 5; n++) {
        uint32_t h = 0;
        int code = -1;
        fill_table(1);
        if (!spawn_refused(&raw_pool[1 + n % 2], 64, CAPOS_ERR_TABLE_FULL,
                           "spawn with one free slot")) {
            unfill_table();
            break;
        }
        /* One more free slot: now there is room. */
        capos_release(fill_ids[--nfill]);
        int r = raw_spawn(&raw_pool[1 + n % 2], note_ran, 0, 64, &h);
        if (r == CAPOS_OK) {
            if (join_raw(h, &code, NULL) != CAPOS_OK || code != 3)
                fail("join of the thread spawned with two free slots: code %d", code);
            capos_release(h);
        } else {
            fail("spawn with two free slots: %s", capos_error_name(r));
        }
        unfill_table();
        if (r != CAPOS_OK)
            break;
    }
    end();
}

static void spawn_result_small(void)
{
    begin("spawn-result-small");
    spawn_refused(&raw_pool[3], 8, CAPOS_ERR_RESULT_TOO_LARGE,
                  "spawn with an 8-byte result buffer");
    end();
}

/* ProcessSpawner.spawn of a child of this program in `role`, with a copy of
 * `ep` as "ep" and a result buffer of `res_len` bytes. */
static int spawn_pinger(const char *role, uint32_t ep, uint32_t res_len, uint32_t *handle)
{
    static const struct raw_grant g[] = {
        {.name = "ep"},
        RAW_KERNEL_GRANT("timer", timer),
        RAW_KERNEL_GRANT("console", console),
    };
    const char *argv[] = {PROG, role};
    uint32_t ncaps;
    return process_spawn_raw(spawner, PROG, role, g, 3, argv, 2, ep, res_len, handle, &ncaps);
}

static void process_result_small(void)
{
    uint32_t server, client, h[2] = {0, 0}, late;
    uint64_t buf[16];
    struct capos_request req;
    unsigned pings = 0;
    begin("process-result-small");
    if (capos_create_endpoint(spawner, &server, &client) != CAPOS_OK) {
        fail("createEndpoint");
        end();
        return;
    }
    /* Two children that would call "ep" at once if they ran: one spawned
     * with an 8-byte result buffer, one with no free slot in this
     * process's table for its handle. */
    int r[2];
    r[0] = spawn_pinger("ping", client, 8, &h[0]);
    fill_table(0);
    r[1] = spawn_pinger("ping", client, 128, &h[1]);
    unfill_table();
    if (r[0] != CAPOS_ERR_RESULT_TOO_LARGE)
        fail("spawn with an 8-byte result buffer: %s, expected resultTooLarge",
             capos_error_name(r[0]));
    if (r[1] != CAPOS_ERR_TABLE_FULL)
        fail("spawn with a full table: %s, expected tableFull", capos_error_name(r[1]));
    /* A third child, spawned properly, calls 100 ms later: anything the
     * first two sent arrives before that. */
    int r2 = spawn_pinger("done", client, 128, &late);
    if (r2 != CAPOS_OK) {
        fail("spawn of the third child: %s", capos_error_name(r2));
    } else {
        for (;;) {
            if (capos_recv(server, buf, sizeof(buf), &req) != CAPOS_OK)
                break;
            capos_return(server, req.token, CAPOS_OK, 0, 0, 0, 0);
            if (req.method == 1)
                break;
            pings++;
        }
        struct capos_exit st;
        capos_process_wait(late, &st);
        capos_release(late);
    }
    if (pings)
        fail("%u of the children whose spawn failed ran", pings);
    for (int i = 0; i < 2; i++) {
        if (r[i] == CAPOS_OK) {
            struct capos_exit st;
            capos_process_wait(h[i], &st);
            capos_release(h[i]);
        }
    }
    capos_release(server);
    capos_release(client);
    end();
}

/* A few threads create and join threads as fast as they can: never more
 * than eight exist, so the limit of 64 is never near. */
struct churner {
    unsigned created, refused, other;
    int other_err;
};

static int trivial(void *arg)
{
    return (int)(intptr_t)arg;
}

static int churn(void *arg)
{
    static const struct capos_thread_opts o = {.stack_size = 16 * 1024};
    struct churner *c = arg;
    for (int i = 0; i < 1500; i++) {
        struct capos_thread *t;
        int r = capos_thread_create(&t, trivial, (void *)(intptr_t)i, &o);
        if (r == CAPOS_ERR_QUOTA_EXCEEDED) {
            c->refused++;
            continue;
        }
        if (r != CAPOS_OK) {
            if (!c->other++)
                c->other_err = r;
            continue;
        }
        c->created++;
        capos_thread_join(t, 0, 0);
    }
    return 0;
}

static void ring_slot_reuse(void)
{
    struct churner c[4];
    struct capos_thread *t[4];
    unsigned created = 0, refused = 0;
    begin("ring-slot-reuse");
    memset(c, 0, sizeof(c));
    for (int i = 0; i < 4; i++) {
        if (capos_thread_create(&t[i], churn, &c[i], 0) != CAPOS_OK)
            fail("create churner %d", i);
    }
    for (int i = 0; i < 4; i++) {
        capos_thread_join(t[i], 0, 0);
        created += c[i].created;
        refused += c[i].refused;
        if (c[i].other)
            fail("churner %d: %u creates failed with %s", i, c[i].other,
                 capos_error_name(c[i].other_err));
    }
    if (refused)
        fail("%u of %u creates refused with quotaExceeded while at most 9 threads existed", refused,
             created + refused);
    end();
}

struct spawn_loop {
    int code;
    unsigned wrong, errors;
    int first_error;
    struct capos_exit first_wrong;
};

static int spawn_many(void *arg)
{
    struct spawn_loop *l = arg;
    char codestr[12], name[16];
    fmt_snprintf(codestr, sizeof(codestr), "%d", l->code);
    fmt_snprintf(name, sizeof(name), "exit-%d", l->code);
    const char *argv[] = {PROG, "exit", codestr};
    struct capos_grant g = {.name = "timer", .kernel = true, .kind = capos_KernelCapKind_timer};
    for (int i = 0; i < 40; i++) {
        uint32_t h;
        struct capos_exit st;
        int r = capos_spawn(spawner, PROG, name, &g, 1, argv, 3, 0, 0, &h);
        if (r != CAPOS_OK) {
            if (!l->errors++)
                l->first_error = r;
            continue;
        }
        memset(&st, 0, sizeof(st));
        if (capos_process_wait(h, &st) != CAPOS_OK || st.kind != capos_ExitStatus_which_exited ||
            st.code != l->code) {
            if (!l->wrong++)
                l->first_wrong = st;
        }
        capos_release(h);
    }
    return 0;
}

static void spawn_concurrent(void)
{
    struct spawn_loop l[2] = {{.code = 11}, {.code = 22}};
    struct capos_thread *t[2];
    begin("spawn-concurrent");
    for (int i = 0; i < 2; i++) {
        if (capos_thread_create(&t[i], spawn_many, &l[i], 0) != CAPOS_OK)
            fail("create");
    }
    for (int i = 0; i < 2; i++) {
        capos_thread_join(t[i], 0, 0);
        if (l[i].errors)
            fail("thread %d: %u of 40 spawns failed (first: %s)", i, l[i].errors,
                 capos_error_name(l[i].first_error));
        if (l[i].wrong)
            fail("thread %d: %u of 40 children did not exit with %d (first: kind %d, code %d)", i,
                 l[i].wrong, l[i].code, (int)l[i].first_wrong.kind, l[i].first_wrong.code);
    }
    end();
}

static void vm_page_tables(void)
{
    uint32_t memory;
    uint64_t limit = 0, used0 = 0, used1 = 0;
    begin("vm-page-tables");
    if (capos_capset_find("memory", capos_VirtualMemory_INTERFACE_ID, &memory) != CAPOS_OK) {
        fail("no memory capability");
        end();
        return;
    }
    /* One pair first: the page tables under the kernel-chosen area are
     * made (and kept) by the first map that fills a page there. */
    uint64_t warm;
    if (capos_vm_map_commit(memory, 0, 1 << 20, CAPOS_PROT_READ | CAPOS_PROT_WRITE, &warm) ==
        CAPOS_OK)
        capos_vm_unmap(memory, warm, 1 << 20);
    capos_vm_quota(memory, &limit, &used0);
    for (int i = 0; i < 256; i++) {
        uint64_t a;
        int r = capos_vm_map_commit(memory, 0, 1 << 20, CAPOS_PROT_READ | CAPOS_PROT_WRITE, &a);
        if (r != CAPOS_OK) {
            fail("map %d: %s", i, capos_error_name(r));
            break;
        }
        capos_vm_unmap(memory, a, 1 << 20);
    }
    capos_vm_quota(memory, &limit, &used1);
    /* Children of earlier cases, charged to this process, may still be
     * finishing their teardown: use can only fall meanwhile, not grow. */
    if (used1 > used0)
        fail("256 map/unmap pairs of 1 MiB at kernel-chosen addresses left %lu KiB more in use "
             "(%lu KiB before, %lu KiB after)",
             (unsigned long)((used1 - used0) >> 10), (unsigned long)(used0 >> 10),
             (unsigned long)(used1 >> 10));
    end();
}

/* Four threads spawn children of this program and wait for them, each
 * child exiting with 4 (at once, or after 20 ms).  Every spawn must give a
 * handle and every wait that code. */
struct quick {
    const char *role;
    unsigned n;
    unsigned bad;
    char first[96]; /* what the first bad one did */
};

static uint32_t quick_done, quick_threads_done;

static int spawn_quick(void *arg)
{
    struct quick *q = arg;
    for (unsigned i = 0; i < q->n; i += 8) {
        uint32_t h[8];
        unsigned nh = 0;
        /* Eight spawns back to back, then eight waits. */
        for (unsigned k = 0; k < 8 && i + k < q->n; k++) {
            struct capos_msg m;
            uint64_t res[16];
            struct capos_cqe cqe;
            const uint8_t *out;
            uint32_t len;
            capos_msg_init(&m);
            capos_ProcessSpawner_spawn_Params_builder p =
                capos_ProcessSpawner_spawn_Params_init_root(&m.b);
            capos_ProcessSpawner_spawn_Params_set_binary(p, PROG, strlen(PROG));
            capos_ProcessSpawner_spawn_Params_set_name(p, q->role, strlen(q->role));
            capos_SpawnGrant_builder_list gl = capos_ProcessSpawner_spawn_Params_init_grants(p, 1);
            capos_SpawnGrant_builder g = capos_SpawnGrant_list_at(gl, 0);
            capos_SpawnGrant_set_name(g, "timer", 5);
            capos_KernelCap_set_kind(capos_SpawnGrant_init_kernel(g), capos_KernelCapKind_timer);
            struct capnp_list_builder al = capos_ProcessSpawner_spawn_Params_init_argv(p, 3);
            capnp_lb_set_text(al, 0, PROG, strlen(PROG));
            capnp_lb_set_text(al, 1, q->role, strlen(q->role));
            capnp_lb_set_text(al, 2, "4", 1);
            int r = capos_msg_finish(&m, &out, &len);
            if (r == CAPOS_OK)
                r = capos_call(spawner, capos_ProcessSpawner_INTERFACE_ID,
                               capos_ProcessSpawner_method_spawn, out, len, res, sizeof(res), 0, 0,
                               &cqe);
            if (r != CAPOS_OK) {
                if (!q->bad++)
                    fmt_snprintf(q->first, sizeof(q->first), "spawn %u: %s", i + k,
                                 capos_error_name(r));
            } else {
                h[nh++] = ((const uint32_t *)((const uint8_t *)res +
                                              CAPOS_CAPS_OFFSET(cqe.result_len)))[0];
            }
            __atomic_fetch_add(&quick_done, 1, __ATOMIC_RELAXED);
        }
        for (unsigned k = 0; k < nh; k++) {
            struct capos_exit st;
            memset(&st, 0, sizeof(st));
            int r = capos_process_wait(h[k], &st);
            if (r != CAPOS_OK || st.kind != capos_ExitStatus_which_exited || st.code != 4) {
                if (!q->bad++)
                    fmt_snprintf(q->first, sizeof(q->first),
                                 "a child: wait %s, status kind %d code %d vector %u",
                                 capos_error_name(r), (int)st.kind, st.code, st.vector);
            }
            capos_release(h[k]);
            __atomic_fetch_add(&quick_done, 1, __ATOMIC_RELAXED);
        }
    }
    __atomic_fetch_add(&quick_threads_done, 1, __ATOMIC_RELEASE);
    return 0;
}

/* Runs spawn_quick on four threads, n children each; a FAIL if they stop
 * making progress (the stuck threads are left to end with the process). */
static void quick_spawns(const char *role, unsigned n)
{
    static struct capos_thread *t[4];
    static struct quick q[4];
    quick_done = quick_threads_done = 0;
    for (int i = 0; i < 4; i++) {
        q[i] = (struct quick){.role = role, .n = n};
        if (capos_thread_create(&t[i], spawn_quick, &q[i], 0) != CAPOS_OK)
            fail("create");
    }
    uint32_t last = 0, still = 0;
    while (__atomic_load_n(&quick_threads_done, __ATOMIC_ACQUIRE) < 4 && still < 20) {
        sleep_ms(500);
        uint32_t now = __atomic_load_n(&quick_done, __ATOMIC_RELAXED);
        still = now == last ? still + 1 : 0;
        last = now;
    }
    if (still >= 20) {
        fail("no progress for 10 s after %u of %u spawns and waits: a spawn or a wait never "
             "completed",
             last, 8 * n);
        return;
    }
    for (int i = 0; i < 4; i++) {
        capos_thread_join(t[i], 0, 0);
        if (q[i].bad)
            fail("thread %d: %u of %u spawns failed or ended wrongly; first: %s", i, q[i].bad, n,
                 q[i].first);
    }
}

static void spawn_lookup(void)
{
    begin("spawn-lookup");
    quick_spawns("exit-late", 160);
    end();
}

static void spawn_exit_race(void)
{
    begin("spawn-exit-race");
    quick_spawns("exit", 500);
    end();
}

/* Kills `n` children in `role` with `grants`, each at once or after a
 * millisecond; each must end killed. */
static void kill_children(const char *role, const struct capos_grant *grants, uint32_t ngrants,
                          unsigned n)
{
    const char *argv[] = {PROG, role};
    for (unsigned k = 0; k < n; k++) {
        uint32_t h;
        struct capos_exit st;
        int r = capos_spawn(spawner, PROG, role, grants, ngrants, argv, 2, 0, 0, &h);
        if (r != CAPOS_OK) {
            fail("spawn %u: %s", k, capos_error_name(r));
            break;
        }
        if (k % 2)
            sleep_ms(1);
        r = capos_process_kill(h);
        if (r != CAPOS_OK)
            fail("kill %u: %s", k, capos_error_name(r));
        memset(&st, 0, sizeof(st));
        r = capos_process_wait(h, &st);
        if (r != CAPOS_OK || st.kind != capos_ExitStatus_which_killed)
            fail("child %u: wait %s, status kind %d code %d vector %u", k, capos_error_name(r),
                 (int)st.kind, st.code, st.vector);
        capos_release(h);
        if (case_failures >= 5)
            break;
    }
}

static void kill_while_spawning(void)
{
    struct capos_grant g[2] = {
        {.name = "threads", .kernel = true, .kind = capos_KernelCapKind_threadSpawner},
        {.name = "memory", .kernel = true, .kind = capos_KernelCapKind_virtualMemory},
    };
    begin("kill-while-spawning");
    kill_children("spawn-storm", g, 2, 1000);
    end();
}

static void cancel_race(void)
{
    struct capos_grant g[5] = {
        {.name = "park", .kernel = true, .kind = capos_KernelCapKind_parkSpace},
        {.name = "threads", .kernel = true, .kind = capos_KernelCapKind_threadSpawner},
        {.name = "memory", .kernel = true, .kind = capos_KernelCapKind_virtualMemory},
        {.name = "timer", .kernel = true, .kind = capos_KernelCapKind_timer},
        {.name = "spawner", .kernel = true, .kind = capos_KernelCapKind_processSpawner},
    };
    begin("cancel-race");
    kill_children("storm", g, 5, 1000);
    end();
}

/* ---- children ---- */

/* "spawn-storm": the main thread creates threads that only spin in user
 * mode, as fast as it can, until the kill. */
static int spin_forever(void *arg)
{
    (void)arg;
    for (;;)
        __asm__ volatile("pause");
    return 0;
}

/* "storm": threads that go in and out of blocking calls without pause
 * until the kill: ParkSpace.wait with a 1 us timeout, Timer.sleep of 1 us,
 * creating and joining a thread, and CALL and RECV on an endpoint of the
 * child's own. */
static uint32_t storm_word, storm_server, storm_client;

static int storm_park(void *arg)
{
    (void)arg;
    for (;;)
        capos_park_wait(park, &storm_word, 0, 1000);
    return 0; /* not reached */
}

static int storm_sleep(void *arg)
{
    (void)arg;
    for (;;)
        capos_timer_sleep(timer, 1000);
    return 0; /* not reached */
}

static int storm_nothing(void *arg)
{
    return (int)(intptr_t)arg;
}

static int storm_join(void *arg)
{
    static const struct capos_thread_opts o = {.stack_size = 16 * 1024};
    (void)arg;
    for (;;) {
        struct capos_thread *t;
        if (capos_thread_create(&t, storm_nothing, 0, &o) == CAPOS_OK)
            capos_thread_join(t, 0, 0);
    }
    return 0; /* not reached */
}

static int storm_serve(void *arg)
{
    uint64_t buf[8];
    struct capos_request req;
    (void)arg;
    for (;;) {
        if (capos_recv(storm_server, buf, sizeof(buf), &req) == CAPOS_OK)
            capos_return(storm_server, req.token, CAPOS_OK, 0, 0, 0, 0);
    }
    return 0; /* not reached */
}

static int storm_call(void *arg)
{
    uint64_t res[4];
    (void)arg;
    for (;;)
        capos_call(storm_client, PING_IID, 0, 0, 0, res, sizeof(res), 0, 0, 0);
    return 0; /* not reached */
}

static int storm_main(void)
{
    static const struct capos_thread_opts o = {.stack_size = 16 * 1024};
    static int (*const fns[])(void *) = {storm_park,  storm_sleep, storm_join, storm_serve,
                                         storm_serve, storm_call,  storm_call};
    struct capos_thread *t;
    uint32_t sp;
    park = capos_park_default();
    capos_capset_find("timer", capos_Timer_INTERFACE_ID, &timer);
    if (capos_capset_find("spawner", capos_ProcessSpawner_INTERFACE_ID, &sp) == CAPOS_OK)
        capos_create_endpoint(sp, &storm_server, &storm_client);
    for (unsigned i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
        capos_thread_create(&t, fns[i], 0, &o);
    return storm_park(0);
}

/* Child roles: "exit N" exits with N at once, "exit-late N" after 20 ms;
 * "spawn-storm" and "storm" run until killed (see above); "ping" calls its
 * "ep" endpoint once, "done" waits 100 ms and calls it with method 1. */
static int child_main(int argc, char **argv)
{
    uint32_t ep;
    uint64_t res[4];
    if (!strcmp(argv[1], "spawn-storm")) {
        static const struct capos_thread_opts o = {.stack_size = 16 * 1024};
        struct capos_thread *t;
        for (int i = 0; i < 60; i++)
            capos_thread_create(&t, spin_forever, 0, &o);
        return spin_forever(0);
    }
    if (!strcmp(argv[1], "storm"))
        return storm_main();
    if (!strcmp(argv[1], "exit-late")) {
        capos_capset_find("timer", capos_Timer_INTERFACE_ID, &timer);
        sleep_ms(20);
    }
    if (!strcmp(argv[1], "exit") || !strcmp(argv[1], "exit-late")) {
        int code = 0;
        for (const char *p = argc > 2 ? argv[2] : ""; *p >= '0' && *p <= '9'; p++)
            code = code * 10 + (*p - '0');
        return code;
    }
    if (capos_capset_find("ep", 0, &ep) != CAPOS_OK)
        return 1;
    if (!strcmp(argv[1], "done")) {
        capos_capset_find("timer", capos_Timer_INTERFACE_ID, &timer);
        sleep_ms(100);
        return capos_call(ep, PING_IID, 1, 0, 0, res, sizeof(res), 0, 0, 0);
    }
    return capos_call(ep, PING_IID, 0, 0, 0, res, sizeof(res), 0, 0, 0);
}

int main(int argc, char **argv)
{
    uint32_t probe_client;
    if (argc > 1)
        return child_main(argc, argv);
    if (capos_capset_find("timer", capos_Timer_INTERFACE_ID, &timer) != CAPOS_OK ||
        capos_capset_find("threads", capos_ThreadSpawner_INTERFACE_ID, &tspawner) != CAPOS_OK ||
        capos_capset_find("spawner", capos_ProcessSpawner_INTERFACE_ID, &spawner) != CAPOS_OK ||
        !(park = capos_park_default()) ||
        capos_create_endpoint(spawner, &probe_server, &probe_client) != CAPOS_OK) {
        capos_printf("threads-regress: setup: FAIL: missing capabilities\n");
        return 1;
    }
    capos_release(probe_client);
    limit_after_join();
    ring_slot_reuse();
    slots_after_join();
    spawn_table_full();
    spawn_result_small();
    process_result_small();
    spawn_concurrent();
    vm_page_tables();
    spawn_lookup();
    spawn_exit_race();
    kill_while_spawning();
    cancel_race();
    capos_printf("threads-regress: %u cases, %u failed\n", ncases, nfailed);
    return nfailed ? 1 : 0;
}
