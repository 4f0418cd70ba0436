/*
 * stress: many threads on every CPU doing IPC, parking, and creating and
 * ending threads and processes all at once, for a given time, with every
 * operation accounted for.  It runs as the smoke "stress-smp4"
 * (system/smoke-stress.capnp, a few seconds) and as `make soak` (the same
 * program for minutes, tests/soak.mk).
 *
 * argv: stress [seconds [progress-seconds]].  The run is a series of rounds
 * of about ROUND_MS each (the last one may end after `seconds`).  In a
 * round, all at once:
 *
 *   ipc      NSERVERS server threads RECV/RETURN on one endpoint; NCLIENTS
 *            client threads of this process (badge 1), a peer process with
 *            two client threads (badge 2) and a doomed peer (badge 3,
 *            killed mid-round: in odd rounds while it calls, in even ones
 *            once told to stop calling and parked) CALL it.  Every reply must echo its request and
 *            carry a value derived from it and the badge; calls made and
 *            calls served must match exactly (the peer reports its count as
 *            its exit status).
 *   mutex    NMUTEX threads increment one counter under a capos_mutex,
 *            yielding while holding it now and then; no update may be lost.
 *   queue    NPRODUCERS and NCONSUMERS threads pass numbered items through
 *            a 16-slot queue guarded by counting semaphores built on
 *            ParkSpace (a lost wake-up hangs the round); counts and sums
 *            must match and each consumer sees each producer's items in
 *            order.
 *   pingpong NPAIRS pairs of threads hand a token back and forth through
 *            ParkSpace, one pair without and one with a short timeout (so
 *            timeouts race with wakes).
 *   threads  a driver creates batches of threads (returning, exiting
 *            through ThreadControl.exit, creating and joining a thread of
 *            their own, parking until a timeout, yielding; some pinned to a
 *            CPU) and joins them, checking every exit code.  Creates are
 *            never refused: the process stays far below its thread limit.
 *   procs    NPROCS drivers each spawn stress_child processes (exit, exit
 *            while threads run, last thread ends the process, blocked
 *            threads killed, fault in main or in a thread) and wait for
 *            them, checking every exit status; every spawn must succeed.
 *            Children start at once, so many end while their spawn call is
 *            still completing.  In turns of one of each kind, the children
 *            are "racy" (stress_child.c): they are stopped while their
 *            threads go in and out of blocking calls (block children are
 *            killed 0 to 2 ms after the spawn), or stopped only once their
 *            threads have blocked or spin (block children are killed
 *            after 30 ms).
 *
 * Then everything is stopped and joined, the round's books are checked,
 * and the capability table (free slots, found by filling it) and the
 * memory quota in use are compared with their values after the warm-up
 * rounds: neither may grow (every thread joined has given back its slots
 * by the time its join completes, so the free slots must match exactly).  With a progress interval
 * (the soak), a progress line is printed that often, and the physical memory the kernel has not
 * kept (free memory, found by mapping until noMemory, which takes a second or two, plus this
 * program's own) is measured after the warm-up, at each progress line and at the end: kernel memory
 * that is never given back shows as a fall.
 *
 * The last lines are a summary with every count, then "stress: ok" only if
 * every invariant held, else "stress: FAIL ..." lines; the exit status is
 * 0 or 1.
 */
#include "capos.h"

#include "base/mem.h"
#include "fmt/fmt.h"
#include "stress_proto.h"

#define NSERVERS     3
#define NCLIENTS     3
#define PEER_THREADS 2
#define NMUTEX       3
#define NPRODUCERS   2
#define NCONSUMERS   2
#define NPAIRS       2
#define NPROCS       2
#define BATCH        6
#define QUEUE_SLOTS  16
#define ROUND_MS     300
#define WARMUP       2 /* rounds before the leak baselines are taken */
#define MS           (1000ULL * 1000)
#define MAX_REPORTS  20 /* FAIL lines printed; the rest are only counted */

/* Growth of the memory quota in use tolerated over the run: the heap may
 * need another chunk or two (1 MiB each, never returned) when a round's
 * allocations interleave differently; runs on 4 CPUs have peaked at 1.5 to
 * 2.1 MiB above the baseline.  A leak of thread stacks (about 40 threads of
 * 16 KiB a round) would pass this within a few rounds. */
#define MEM_SLACK (3ULL << 20)
/* Free physical memory may differ this much between the warm-up and the
 * end (kernel caches of stacks and heap pages fill to their peak). */
#define PHYS_SLACK (4ULL << 20)

static const struct capos_thread_opts small = {.stack_size = 16 * 1024};
static const struct capos_thread_opts medium = {.stack_size = 32 * 1024};

static uint32_t timer, memory, spawner, park;
static uint32_t ep_server, client_local, client_peer, client_doomed;
static unsigned ncpus;
static uint32_t round_stop;
static uint32_t doom; /* servers tell the doomed peer to stop calling */
static uint64_t round_no;
static uint32_t failures;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
    char line[240];
    va_list ap;
    uint32_t n = __atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);
    if (n >= MAX_REPORTS)
        return;
    va_start(ap, fmt);
    fmt_vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    capos_printf("stress: FAIL round %lu: %s\n", (unsigned long)round_no, line);
}

/* The shared helpers report through fail() above. */
#include "rawcall.h"
#include "testlib.h"

static bool stopping(void)
{
    return __atomic_load_n(&round_stop, __ATOMIC_ACQUIRE) != 0;
}

static long parse(const char *s)
{
    long v = 0;
    for (; s && *s >= '0' && *s <= '9'; s++)
        v = v * 10 + (*s - '0');
    return v;
}

static uint64_t now_ns(void)
{
    uint64_t t = 0;
    capos_timer_now(timer, &t);
    return t;
}

static void sleep_ms(uint64_t ms)
{
    capos_timer_sleep(timer, ms * MS);
}

/* Everything counted over the whole run. */
static struct {
    uint64_t rounds;
    uint64_t calls_local, calls_peer, calls_doomed, served_local, served_peer, quits;
    uint64_t mutex_ops, items, item_sum, handoffs, park_timeouts;
    uint64_t threads_created, threads_joined;
    uint64_t procs_spawned, procs_waited, procs_exited, procs_killed, procs_faulted;
    uint64_t doomed_killed, peers_exited;
} tot;

/* ---- ipc ---- */

struct server {
    struct capos_thread *t;
    uint64_t served[4]; /* by badge */
    uint64_t bad;
};

static int server_main(void *arg)
{
    struct server *s = arg;
    uint64_t buf[16];
    struct capos_request req;
    struct stress_rep rep;
    int err = capos_recv(ep_server, buf, sizeof(buf), &req);
    while (err == CAPOS_OK) {
        struct stress_req q;
        int status = CAPOS_OK;
        uint32_t len = 0;
        if (req.interface_id == STRESS_IID && req.method == SM_QUIT &&
            req.badge == STRESS_BADGE_LOCAL) {
            capos_return(ep_server, req.token, CAPOS_OK, 0, 0, 0, 0);
            return 0;
        }
        if (req.interface_id != STRESS_IID || req.msg_len != sizeof(q) || req.ncaps != 0 ||
            req.badge < STRESS_BADGE_LOCAL || req.badge > STRESS_BADGE_DOOMED) {
            s->bad++;
            fail("server got a malformed call (iid %#lx, %u bytes, badge %lu)",
                 (unsigned long)req.interface_id, req.msg_len, (unsigned long)req.badge);
            status = CAPOS_ERR_INVALID_ARGUMENT;
        } else {
            memcpy(&q, req.msg, sizeof(q));
            if (q.magic != STRESS_REQ_MAGIC || req.method != SM_ECHO) {
                s->bad++;
                fail("server got a corrupt request (magic %#lx)", (unsigned long)q.magic);
                status = CAPOS_ERR_INVALID_ARGUMENT;
            } else {
                rep.magic = STRESS_REP_MAGIC;
                rep.client = q.client;
                rep.seq = q.seq;
                rep.value = stress_value(&q, req.badge);
                rep.badge = req.badge;
                rep.stop = stopping() || (req.badge == STRESS_BADGE_DOOMED &&
                                          __atomic_load_n(&doom, __ATOMIC_ACQUIRE));
                rep.pad = 0;
                len = sizeof(rep);
                s->served[req.badge]++;
            }
        }
        err = capos_reply_recv(ep_server, req.token, status, &rep, len, buf, sizeof(buf), &req);
    }
    fail("server RECV: %s", capos_error_name(err));
    return 1;
}

struct client {
    struct capos_thread *t;
    uint32_t id;
    uint64_t made, answered;
};

static int client_main(void *arg)
{
    struct client *c = arg;
    struct stress_req q;
    struct stress_rep r;
    struct capos_cqe cqe;
    for (uint32_t seq = 0; !stopping(); seq++) {
        q.magic = STRESS_REQ_MAGIC;
        q.client = c->id;
        q.seq = seq;
        q.nonce = round_no << 32 ^ (uint64_t)seq * 2654435761u;
        memset(&r, 0, sizeof(r));
        c->made++;
        int err =
            capos_call(client_local, STRESS_IID, SM_ECHO, &q, sizeof(q), &r, sizeof(r), 0, 0, &cqe);
        if (err != CAPOS_OK) {
            fail("client %u call %u: %s", c->id, seq, capos_error_name(err));
            return 1;
        }
        if (cqe.result_len != sizeof(r) || !stress_rep_ok(&q, &r, STRESS_BADGE_LOCAL)) {
            fail("client %u call %u: wrong reply (client %u seq %u badge %lu, %u bytes)", c->id,
                 seq, r.client, r.seq, (unsigned long)r.badge, cqe.result_len);
            return 1;
        }
        c->answered++;
    }
    return 0;
}

/* ---- mutex ---- */

static struct capos_mutex counter_lock = CAPOS_MUTEX_INIT;
static volatile uint64_t counter;

struct incrementer {
    struct capos_thread *t;
    uint64_t ops;
};

static int incrementer_main(void *arg)
{
    struct incrementer *w = arg;
    for (uint32_t i = 1; !stopping(); i++) {
        capos_mutex_lock(&counter_lock);
        uint64_t v = counter;
        if ((i & 31) == 0)
            capos_thread_yield(); /* let the others find it held */
        counter = v + 1;
        capos_mutex_unlock(&counter_lock);
        w->ops++;
    }
    return 0;
}

/* ---- queue on ParkSpace semaphores ---- */

/* A counting semaphore: `count` tokens; takers that find none announce
 * themselves in `waiters` and park on `count` while it is 0.  A giver wakes
 * one only if someone announced itself; the announcement and the count are
 * both sequentially consistent, so either the giver sees the waiter or the
 * waiter's park sees the new count (and returns wouldBlock). */
struct sem {
    uint32_t count;
    uint32_t waiters;
};

static void sem_take(struct sem *s)
{
    for (;;) {
        uint32_t c = __atomic_load_n(&s->count, __ATOMIC_SEQ_CST);
        while (c > 0) {
            if (__atomic_compare_exchange_n(&s->count, &c, c - 1, false, __ATOMIC_SEQ_CST,
                                            __ATOMIC_SEQ_CST))
                return;
        }
        __atomic_fetch_add(&s->waiters, 1, __ATOMIC_SEQ_CST);
        int r = capos_park_wait(park, &s->count, 0, 0);
        __atomic_fetch_sub(&s->waiters, 1, __ATOMIC_SEQ_CST);
        if (r != CAPOS_OK && r != CAPOS_ERR_WOULD_BLOCK)
            fail("semaphore park: %s", capos_error_name(r));
    }
}

static void sem_give(struct sem *s)
{
    __atomic_fetch_add(&s->count, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&s->waiters, __ATOMIC_SEQ_CST)) {
        uint32_t woken = 0;
        int r = capos_park_wake(park, &s->count, 1, &woken);
        if (r != CAPOS_OK || woken > 1)
            fail("semaphore wake: %s, woke %u of at most 1", capos_error_name(r), woken);
    }
}

#define POISON UINT64_MAX

static struct {
    struct capos_mutex lock;
    uint64_t item[QUEUE_SLOTS];
    uint32_t head, tail;
    struct sem items, slots;
} queue;

static void queue_put(uint64_t v)
{
    sem_take(&queue.slots);
    capos_mutex_lock(&queue.lock);
    queue.item[queue.tail++ % QUEUE_SLOTS] = v;
    capos_mutex_unlock(&queue.lock);
    sem_give(&queue.items);
}

static uint64_t queue_get(void)
{
    sem_take(&queue.items);
    capos_mutex_lock(&queue.lock);
    uint64_t v = queue.item[queue.head++ % QUEUE_SLOTS];
    capos_mutex_unlock(&queue.lock);
    sem_give(&queue.slots);
    return v;
}

struct producer {
    struct capos_thread *t;
    uint32_t id;
    uint64_t count, sum;
};

static int producer_main(void *arg)
{
    struct producer *p = arg;
    for (uint64_t seq = 1; !stopping(); seq++) {
        uint64_t v = (uint64_t)(p->id + 1) << 40 | seq;
        queue_put(v);
        p->count++;
        p->sum += v;
    }
    return 0;
}

struct consumer {
    struct capos_thread *t;
    uint64_t count, sum;
    uint64_t last[NPRODUCERS];
};

static int consumer_main(void *arg)
{
    struct consumer *c = arg;
    for (;;) {
        uint64_t v = queue_get();
        if (v == POISON)
            return 0;
        uint64_t p = (v >> 40) - 1, seq = v & ((1ULL << 40) - 1);
        if (p >= NPRODUCERS || seq <= c->last[p]) {
            fail("consumer got item %#lx after %#lx", (unsigned long)v,
                 p < NPRODUCERS ? (unsigned long)c->last[p] : 0ul);
            return 1;
        }
        c->last[p] = seq;
        c->count++;
        c->sum += v;
    }
}

/* ---- ping-pong ---- */

struct pair;

struct side {
    struct capos_thread *t;
    struct pair *pair;
    int me;
    uint64_t got, timeouts;
};

struct pair {
    uint32_t word[2]; /* 0 wait, 1 the token is here, 2 stop */
    uint64_t timeout_ns;
    struct side side[2];
};

static int side_main(void *arg)
{
    struct side *s = arg;
    struct pair *p = s->pair;
    uint32_t *mine = &p->word[s->me], *theirs = &p->word[!s->me];
    for (;;) {
        uint32_t v;
        while ((v = __atomic_load_n(mine, __ATOMIC_ACQUIRE)) == 0) {
            int r = capos_park_wait(park, mine, 0, p->timeout_ns);
            if (r == CAPOS_ERR_TIMED_OUT)
                s->timeouts++;
            else if (r != CAPOS_OK && r != CAPOS_ERR_WOULD_BLOCK) {
                fail("ping-pong park: %s", capos_error_name(r));
                return 1;
            }
        }
        if (v == 2)
            return 0;
        s->got++;
        bool stop = stopping();
        __atomic_store_n(mine, 0, __ATOMIC_RELAXED);
        __atomic_store_n(theirs, stop ? 2 : 1, __ATOMIC_RELEASE);
        uint32_t woken = 0;
        int r = capos_park_wake(park, theirs, 1, &woken);
        if (r != CAPOS_OK || woken > 1) {
            fail("ping-pong wake: %s, woke %u", capos_error_name(r), woken);
            return 1;
        }
        if (stop)
            return 0;
    }
}

/* ---- thread churn ---- */

enum job_kind { JOB_RETURN, JOB_EXIT, JOB_NESTED, JOB_PARK, JOB_YIELD, JOB_KINDS };

struct job {
    enum job_kind kind;
    int code;
    uint32_t created, joined; /* by a nested job */
};

static int job_return(void *arg)
{
    return ((struct job *)arg)->code;
}

/* ThreadControl.exit from a few calls deep: the thread's stack is left
 * behind mid-use. */
static __attribute__((noinline, noreturn)) void exit_inner(int code)
{
    volatile char pad[256];
    pad[0] = (char)code;
    capos_thread_exit(code + pad[0] - (char)code);
}

static __attribute__((noinline, noreturn)) void exit_outer(int code)
{
    volatile char pad[256];
    pad[0] = 1;
    exit_inner(code + pad[0] - 1);
}

static int job_main(void *arg)
{
    struct job *j = arg;
    switch (j->kind) {
    case JOB_RETURN: return j->code;
    case JOB_EXIT: exit_outer(j->code);
    case JOB_NESTED: {
        struct job inner = {JOB_RETURN, j->code ^ 0x5a5a, 0, 0};
        struct capos_thread *t;
        int code = -1;
        bool killed = true;
        int r = capos_thread_create(&t, job_return, &inner, &small);
        if (r != CAPOS_OK) {
            fail("nested thread create: %s", capos_error_name(r));
            return -1;
        }
        __atomic_fetch_add(&j->created, 1, __ATOMIC_RELAXED);
        r = capos_thread_join(t, &code, &killed);
        if (r != CAPOS_OK || code != inner.code || killed) {
            fail("nested join: %s code %d (want %d) killed %d", capos_error_name(r), code,
                 inner.code, killed);
            return -1;
        }
        __atomic_fetch_add(&j->joined, 1, __ATOMIC_RELAXED);
        return j->code;
    }
    case JOB_PARK: {
        uint32_t word = 0;
        int r = capos_park_wait(park, &word, 0, 50 * 1000);
        return r == CAPOS_ERR_TIMED_OUT ? j->code : -2;
    }
    case JOB_YIELD:
        for (int i = 0; i < 3; i++)
            capos_thread_yield();
        return j->code;
    case JOB_KINDS: break;
    }
    return -3;
}

struct thread_driver {
    struct capos_thread *t;
    uint64_t created, joined;
};

static int thread_driver_main(void *arg)
{
    struct thread_driver *d = arg;
    for (uint32_t batch = 0; !stopping(); batch++) {
        struct job jobs[BATCH];
        struct capos_thread *t[BATCH];
        int n = 0;
        for (int i = 0; i < BATCH; i++) {
            uint32_t k = batch + (uint32_t)i;
            struct capos_thread_opts o = small;
            jobs[i] =
                (struct job){(enum job_kind)(k % JOB_KINDS),
                             (int)((round_no * 7919 + batch * 31 + (uint32_t)i) & 0xfffffff), 0, 0};
            if (i % 2 == 0)
                o.affinity = 1ULL << (k % ncpus);
            int r = capos_thread_create(&t[i], job_main, &jobs[i], &o);
            if (r != CAPOS_OK) {
                fail("thread create: %s", capos_error_name(r));
                break;
            }
            d->created++;
            n++;
        }
        for (int i = 0; i < n; i++) {
            int code = -1;
            bool killed = true;
            int r = capos_thread_join(t[i], &code, &killed);
            if (r != CAPOS_OK || code != jobs[i].code || killed)
                fail("join of a kind %d thread: %s code %d (want %d) killed %d", jobs[i].kind,
                     capos_error_name(r), code, jobs[i].code, killed);
            if (r == CAPOS_OK)
                d->joined++;
            d->created += __atomic_load_n(&jobs[i].created, __ATOMIC_RELAXED);
            d->joined += __atomic_load_n(&jobs[i].joined, __ATOMIC_RELAXED);
        }
        if (n < BATCH)
            return 1;
    }
    return 0;
}

/* ---- process churn ---- */

/* ProcessSpawner.spawn of stress_child with its usual kernel grants and
 * optionally an endpoint client facet (copied) as "echo".  Any thread may
 * spawn at any time. */
static int spawn_child(const char *const *argv, uint32_t argc, uint32_t echo, uint32_t *handle)
{
    static const struct raw_grant g[] = {
        RAW_KERNEL_GRANT("console", console),      RAW_KERNEL_GRANT("timer", timer),
        RAW_KERNEL_GRANT("memory", virtualMemory), RAW_KERNEL_GRANT("threads", threadSpawner),
        RAW_KERNEL_GRANT("park", parkSpace),       {.name = "echo", .interface_id = STRESS_IID},
    };
    const uint32_t ng = sizeof(g) / sizeof(g[0]) - (echo ? 0 : 1);
    uint32_t ncaps = 0;
    int err = process_spawn_raw(spawner, "stress_child", "stress_child", g, ng, argv, argc, echo,
                                RAW_SPAWN_RESULT, handle, &ncaps);
    if (err)
        return err;
    return ncaps == 1 ? CAPOS_OK : CAPOS_ERR_INVALID_ARGUMENT;
}

/* Waits for a child, releases its handle and returns its status (kind
 * exited with code INT32_MIN if the wait itself failed). */
static struct capos_exit wait_child(uint32_t h, const char *what)
{
    struct capos_exit st;
    int r = capos_process_wait(h, &st);
    if (r != CAPOS_OK) {
        fail("wait for %s: %s", what, capos_error_name(r));
        memset(&st, 0, sizeof(st));
        st.kind = capos_ExitStatus_which_exited;
        st.code = INT32_MIN;
    }
    r = capos_release(h);
    if (r != CAPOS_OK)
        fail("release of %s's handle: %s", what, capos_error_name(r));
    return st;
}

enum child_mode { CM_EXIT, CM_THREADS, CM_LAST, CM_BLOCK, CM_FAULT, CM_TFAULT, CM_MODES };
static const char *const mode_names[CM_MODES] = {"exit",  "threads", "last",
                                                 "block", "fault",   "tfault"};
/* Children that are stopped while their threads go in and out of blocking
 * calls (see stress_child.c). */
static const char *const racy_names[CM_MODES] = {"exit-racy",  "threads-racy", "last-racy",
                                                 "block-racy", "fault-racy",   "tfault-racy"};

struct proc_driver {
    struct capos_thread *t;
    uint32_t id;
    uint64_t spawned, waited, exited, killed, faulted;
};

static int proc_driver_main(void *arg)
{
    struct proc_driver *d = arg;
    for (uint32_t k = 0; !stopping(); k++) {
        enum child_mode mode = (enum child_mode)((k + d->id * 3 + round_no) % CM_MODES);
        int code = (int)((k * 13 + d->id + round_no) % 120) + 1;
        char codestr[16];
        fmt_snprintf(codestr, sizeof(codestr), "%d", code);
        bool racy = (k / CM_MODES + d->id) % 2;
        const char *argv[] = {"stress_child", (racy ? racy_names : mode_names)[mode], codestr};
        uint32_t h;
        int r = spawn_child(argv, 3, 0, &h);
        if (r != CAPOS_OK) {
            fail("spawn of a %s child: %s", mode_names[mode], capos_error_name(r));
            return 1;
        }
        d->spawned++;
        if (mode == CM_BLOCK) {
            /* A racy child's threads may still be on their way into
             * their calls when the kill comes; the others' have long
             * blocked. */
            if (!racy || k % 3)
                sleep_ms((racy ? 0 : 30) + k % 3);
            r = capos_process_kill(h);
            if (r != CAPOS_OK)
                fail("kill: %s", capos_error_name(r));
        }
        struct capos_exit st = wait_child(h, mode_names[mode]);
        d->waited++;
        bool ok;
        switch (mode) {
        case CM_EXIT:
        case CM_THREADS:
        case CM_LAST: ok = st.kind == capos_ExitStatus_which_exited && st.code == code; break;
        case CM_BLOCK: ok = st.kind == capos_ExitStatus_which_killed; break;
        case CM_FAULT:
        case CM_TFAULT:
            ok = st.kind == capos_ExitStatus_which_faulted && st.vector == 14 &&
                 st.address == (mode == CM_FAULT ? 0 : 0x10);
            break;
        default: ok = false;
        }
        d->exited += st.kind == capos_ExitStatus_which_exited;
        d->killed += st.kind == capos_ExitStatus_which_killed;
        d->faulted += st.kind == capos_ExitStatus_which_faulted;
        if (!ok) {
            char got[128];
            describe(&st, got, sizeof(got));
            fail("%s child (code %d) ended %s", mode_names[mode], code, got);
        }
    }
    return 0;
}

/* ---- one round ---- */

static struct server servers[NSERVERS];
static struct client clients[NCLIENTS];
static struct incrementer incs[NMUTEX];
static struct producer producers[NPRODUCERS];
static struct consumer consumers[NCONSUMERS];
static struct pair pairs[NPAIRS];
static struct thread_driver tdriver;
static struct proc_driver pdrivers[NPROCS];

static bool start(struct capos_thread **t, int (*fn)(void *), void *arg,
                  const struct capos_thread_opts *o, const char *what)
{
    int r = capos_thread_create(t, fn, arg, o);
    if (r != CAPOS_OK) {
        fail("create %s thread: %s", what, capos_error_name(r));
        *t = NULL;
        return false;
    }
    tot.threads_created++;
    return true;
}

static int finish(struct capos_thread *t, const char *what)
{
    int code = -1;
    bool killed = true;
    if (!t)
        return -1;
    int r = capos_thread_join(t, &code, &killed);
    if (r != CAPOS_OK || killed) {
        fail("join %s thread: %s killed %d", what, capos_error_name(r), killed);
        return -1;
    }
    tot.threads_joined++;
    if (code != 0)
        fail("%s thread ended with %d", what, code);
    return code;
}

static void run_round(void)
{
    char badge[8];
    uint32_t peer = 0, doomed = 0;

    memset(servers, 0, sizeof(servers));
    memset(clients, 0, sizeof(clients));
    memset(incs, 0, sizeof(incs));
    memset(producers, 0, sizeof(producers));
    memset(consumers, 0, sizeof(consumers));
    memset(pairs, 0, sizeof(pairs));
    memset(&tdriver, 0, sizeof(tdriver));
    memset(pdrivers, 0, sizeof(pdrivers));
    memset(&queue, 0, sizeof(queue));
    queue.slots.count = QUEUE_SLOTS;
    counter = 0;
    __atomic_store_n(&round_stop, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&doom, 0, __ATOMIC_RELEASE);

    for (int i = 0; i < NSERVERS; i++)
        start(&servers[i].t, server_main, &servers[i], &small, "server");
    char nthreads[8];
    fmt_snprintf(nthreads, sizeof(nthreads), "%d", PEER_THREADS);
    fmt_snprintf(badge, sizeof(badge), "%d", STRESS_BADGE_PEER);
    const char *peer_argv[] = {"stress_child", "client", nthreads, badge};
    int r = spawn_child(peer_argv, 4, client_peer, &peer);
    if (r != CAPOS_OK)
        fail("spawn peer: %s", capos_error_name(r));
    char dbadge[8];
    fmt_snprintf(dbadge, sizeof(dbadge), "%d", STRESS_BADGE_DOOMED);
    bool racy = round_no % 2;
    const char *doomed_argv[] = {"stress_child", racy ? "doomed-racy" : "doomed", dbadge};
    r = spawn_child(doomed_argv, 3, client_doomed, &doomed);
    if (r != CAPOS_OK)
        fail("spawn doomed peer: %s", capos_error_name(r));
    for (int i = 0; i < NCLIENTS; i++) {
        clients[i].id = (uint32_t)i;
        start(&clients[i].t, client_main, &clients[i], &small, "client");
    }
    for (int i = 0; i < NMUTEX; i++)
        start(&incs[i].t, incrementer_main, &incs[i], &small, "mutex");
    for (int i = 0; i < NCONSUMERS; i++)
        start(&consumers[i].t, consumer_main, &consumers[i], &small, "consumer");
    for (int i = 0; i < NPRODUCERS; i++) {
        producers[i].id = (uint32_t)i;
        start(&producers[i].t, producer_main, &producers[i], &small, "producer");
    }
    for (int i = 0; i < NPAIRS; i++) {
        pairs[i].word[0] = 1;
        pairs[i].timeout_ns = i ? 200 * 1000 : 0;
        for (int s = 0; s < 2; s++) {
            pairs[i].side[s].pair = &pairs[i];
            pairs[i].side[s].me = s;
            start(&pairs[i].side[s].t, side_main, &pairs[i].side[s], &small, "ping-pong");
        }
    }
    start(&tdriver.t, thread_driver_main, &tdriver, &medium, "thread driver");
    for (int i = 0; i < NPROCS; i++) {
        pdrivers[i].id = (uint32_t)i;
        start(&pdrivers[i].t, proc_driver_main, &pdrivers[i], &medium, "process driver");
    }

    /* The doomed peer dies mid-round: in odd rounds with calls queued or
     * in service, in even ones once it has stopped calling and parked. */
    sleep_ms(ROUND_MS / 2 - 20 + round_no % 40);
    if (!racy) {
        __atomic_store_n(&doom, 1, __ATOMIC_RELEASE);
        sleep_ms(20);
    }
    if (doomed && (r = capos_process_kill(doomed)) != CAPOS_OK)
        fail("kill doomed peer: %s", capos_error_name(r));
    sleep_ms(ROUND_MS / 2);
    __atomic_store_n(&round_stop, 1, __ATOMIC_RELEASE);

    uint64_t made = 0, answered = 0, ops = 0;
    for (int i = 0; i < NCLIENTS; i++) {
        finish(clients[i].t, "client");
        made += clients[i].made;
        answered += clients[i].answered;
    }
    for (int i = 0; i < NMUTEX; i++) {
        finish(incs[i].t, "mutex");
        ops += incs[i].ops;
    }
    uint64_t pcount = 0, psum = 0, ccount = 0, csum = 0;
    for (int i = 0; i < NPRODUCERS; i++) {
        finish(producers[i].t, "producer");
        pcount += producers[i].count;
        psum += producers[i].sum;
    }
    for (int i = 0; i < NCONSUMERS; i++)
        queue_put(POISON);
    for (int i = 0; i < NCONSUMERS; i++) {
        finish(consumers[i].t, "consumer");
        ccount += consumers[i].count;
        csum += consumers[i].sum;
    }
    uint64_t handoffs = 0, timeouts = 0;
    for (int i = 0; i < NPAIRS; i++) {
        for (int s = 0; s < 2; s++) {
            finish(pairs[i].side[s].t, "ping-pong");
            timeouts += pairs[i].side[s].timeouts;
        }
        uint64_t a = pairs[i].side[0].got, b = pairs[i].side[1].got;
        if (a != b && a != b + 1)
            fail("ping-pong pair %d: sides got %lu and %lu tokens", i, (unsigned long)a,
                 (unsigned long)b);
        handoffs += a + b;
    }
    finish(tdriver.t, "thread driver");
    for (int i = 0; i < NPROCS; i++)
        finish(pdrivers[i].t, "process driver");

    /* The peer stops when a reply says so; then no client is left. */
    int32_t peer_calls = 0;
    if (peer) {
        struct capos_exit st = wait_child(peer, "peer");
        if (st.kind != capos_ExitStatus_which_exited || st.code < 0) {
            char got[128];
            describe(&st, got, sizeof(got));
            fail("peer ended %s", got);
        } else {
            peer_calls = st.code;
            tot.peers_exited++;
        }
    }
    if (doomed) {
        struct capos_exit st = wait_child(doomed, "doomed peer");
        if (st.kind != capos_ExitStatus_which_killed) {
            char got[128];
            describe(&st, got, sizeof(got));
            fail("doomed peer ended %s", got);
        } else {
            tot.doomed_killed++;
        }
    }
    for (int i = 0; i < NSERVERS; i++) {
        r = capos_call(client_local, STRESS_IID, SM_QUIT, 0, 0, 0, 0, 0, 0, 0);
        if (r != CAPOS_OK)
            fail("quit call: %s", capos_error_name(r));
        else
            tot.quits++;
    }
    uint64_t served[4] = {0}, bad = 0;
    for (int i = 0; i < NSERVERS; i++) {
        finish(servers[i].t, "server");
        for (int b = 0; b < 4; b++)
            served[b] += servers[i].served[b];
        bad += servers[i].bad;
    }

    /* The round's books. */
    if (answered != made || served[STRESS_BADGE_LOCAL] != made)
        fail("local calls: %lu made, %lu answered, %lu served", (unsigned long)made,
             (unsigned long)answered, (unsigned long)served[STRESS_BADGE_LOCAL]);
    if (served[STRESS_BADGE_PEER] != (uint64_t)peer_calls)
        fail("peer calls: %d answered, %lu served", peer_calls,
             (unsigned long)served[STRESS_BADGE_PEER]);
    if (served[0] || bad)
        fail("servers saw %lu calls without a badge and %lu malformed ones",
             (unsigned long)served[0], (unsigned long)bad);
    if (counter != ops)
        fail("mutex counter %lu after %lu increments", (unsigned long)counter, (unsigned long)ops);
    if (pcount != ccount || psum != csum || queue.head != queue.tail)
        fail("queue: %lu items (sum %#lx) put, %lu (sum %#lx) taken, %u left",
             (unsigned long)pcount, (unsigned long)psum, (unsigned long)ccount, (unsigned long)csum,
             queue.tail - queue.head);
    if (tdriver.created != tdriver.joined)
        fail("threads: %lu created, %lu joined", (unsigned long)tdriver.created,
             (unsigned long)tdriver.joined);

    tot.rounds++;
    tot.calls_local += made;
    tot.served_local += served[STRESS_BADGE_LOCAL];
    tot.calls_peer += (uint64_t)peer_calls;
    tot.served_peer += served[STRESS_BADGE_PEER];
    tot.calls_doomed += served[STRESS_BADGE_DOOMED];
    tot.mutex_ops += ops;
    tot.items += ccount;
    tot.item_sum += csum;
    tot.handoffs += handoffs;
    tot.park_timeouts += timeouts;
    tot.threads_created += tdriver.created;
    tot.threads_joined += tdriver.joined;
    tot.procs_spawned += 2; /* the peers */
    tot.procs_waited += (peer ? 1 : 0) + (doomed ? 1 : 0);
    for (int i = 0; i < NPROCS; i++) {
        if (pdrivers[i].spawned != pdrivers[i].waited)
            fail("process driver %d: %lu spawned, %lu waited", i,
                 (unsigned long)pdrivers[i].spawned, (unsigned long)pdrivers[i].waited);
        tot.procs_spawned += pdrivers[i].spawned;
        tot.procs_waited += pdrivers[i].waited;
        tot.procs_exited += pdrivers[i].exited;
        tot.procs_killed += pdrivers[i].killed;
        tot.procs_faulted += pdrivers[i].faulted;
    }
}

/* ---- leak probes (only between rounds: nothing else runs then) ---- */

/* Free slots of the capability table and physical memory (testlib.h's
 * probes with this program's endpoint and sizes).  The pieces of memory are
 * large: the probe runs between rounds, while nothing else does. */
static uint32_t probe_slots(void)
{
    return free_cap_slots(ep_server, 99);
}

static uint64_t probe_physical(void)
{
    static const uint64_t piece[] = {64ULL << 20, 8ULL << 20, 1ULL << 20, 128ULL << 10};
    return free_physical(memory, piece, sizeof(piece) / sizeof(piece[0]), 40);
}

static void summary(uint64_t elapsed_ns)
{
    capos_printf("stress: %lu rounds in %lu ms on %u CPUs\n", (unsigned long)tot.rounds,
                 (unsigned long)(elapsed_ns / MS), ncpus);
    capos_printf("stress: ipc: %lu local calls made, %lu served; %lu peer calls answered, %lu "
                 "served; %lu served to killed peers; %lu quits\n",
                 (unsigned long)tot.calls_local, (unsigned long)tot.served_local,
                 (unsigned long)tot.calls_peer, (unsigned long)tot.served_peer,
                 (unsigned long)tot.calls_doomed, (unsigned long)tot.quits);
    capos_printf("stress: park: %lu mutex increments, %lu queue items (sum %#lx), %lu hand-offs, "
                 "%lu park timeouts\n",
                 (unsigned long)tot.mutex_ops, (unsigned long)tot.items,
                 (unsigned long)tot.item_sum, (unsigned long)tot.handoffs,
                 (unsigned long)tot.park_timeouts);
    capos_printf("stress: threads: %lu created, %lu joined\n", (unsigned long)tot.threads_created,
                 (unsigned long)tot.threads_joined);
    capos_printf("stress: processes: %lu spawned, %lu waited (%lu exited, %lu killed, %lu "
                 "faulted; %lu peers exited, %lu doomed killed)\n",
                 (unsigned long)tot.procs_spawned, (unsigned long)tot.procs_waited,
                 (unsigned long)tot.procs_exited, (unsigned long)tot.procs_killed,
                 (unsigned long)tot.procs_faulted, (unsigned long)tot.peers_exited,
                 (unsigned long)tot.doomed_killed);
}

int main(int argc, char **argv)
{
    uint64_t seconds = argc > 1 ? (uint64_t)parse(argv[1]) : 5;
    uint64_t progress = argc > 2 ? (uint64_t)parse(argv[2]) : 0;
    uint32_t client0;
    if (capos_capset_find("timer", capos_Timer_INTERFACE_ID, &timer) != CAPOS_OK ||
        capos_capset_find("memory", capos_VirtualMemory_INTERFACE_ID, &memory) != CAPOS_OK ||
        capos_capset_find("spawner", capos_ProcessSpawner_INTERFACE_ID, &spawner) != CAPOS_OK ||
        !(park = capos_park_default())) {
        capos_printf("stress: FAIL: missing capabilities\n");
        return 1;
    }
    if (capos_create_endpoint(spawner, &ep_server, &client0) != CAPOS_OK ||
        capos_endpoint_mint(ep_server, STRESS_BADGE_LOCAL, &client_local) != CAPOS_OK ||
        capos_endpoint_mint(ep_server, STRESS_BADGE_PEER, &client_peer) != CAPOS_OK ||
        capos_endpoint_mint(ep_server, STRESS_BADGE_DOOMED, &client_doomed) != CAPOS_OK ||
        capos_release(client0) != CAPOS_OK) {
        capos_printf("stress: FAIL: endpoint setup\n");
        return 1;
    }
    ncpus = count_cpus();
    capos_printf("stress: %lu s on %u CPUs, rounds of %u ms\n", (unsigned long)seconds, ncpus,
                 ROUND_MS);

    uint64_t t0 = now_ns(), deadline = t0 + seconds * 1000 * MS, next_report = 0;
    uint64_t base_used = 0, max_used = 0, base_phys = 0, last_phys = 0;
    uint32_t base_slots = 0, slots = 0;
    uint64_t probe_ms = 0;
    do {
        round_no++;
        run_round();
        uint64_t used = quota_used(memory);
        slots = probe_slots();
        if (tot.rounds == WARMUP) {
            uint64_t p0 = now_ns();
            /* The first probe creates the page tables of its addresses;
             * the baseline of memory in use includes them. */
            if (progress)
                base_phys = last_phys = probe_physical();
            base_used = max_used = used = quota_used(memory);
            base_slots = slots = probe_slots();
            probe_ms = (now_ns() - p0) / MS;
            char phys[96] = "physical memory not probed (no progress interval)";
            if (progress)
                fmt_snprintf(phys, sizeof(phys),
                             "%lu MiB of physical memory free or held by this program",
                             (unsigned long)(base_phys >> 20));
            capos_printf("stress: after %u warm-up rounds: memory in use %lu KiB, %u free "
                         "capability slots, %s (baselines took %lu ms)\n",
                         WARMUP, (unsigned long)(used >> 10), slots, phys, (unsigned long)probe_ms);
            next_report = now_ns() + progress * 1000 * MS;
        } else if (tot.rounds > WARMUP) {
            if (used > max_used)
                max_used = used;
            if (used > base_used + MEM_SLACK)
                fail("memory in use grew from %lu KiB to %lu KiB", (unsigned long)(base_used >> 10),
                     (unsigned long)(used >> 10));
            if (slots != base_slots)
                fail("%u free capability slots, %u after the warm-up", slots, base_slots);
            if (progress && now_ns() >= next_report) {
                last_phys = probe_physical();
                capos_printf("stress: progress: %lu s, %lu rounds, %lu calls, %lu threads, %lu "
                             "processes; memory in use %lu KiB, %u free capability slots, %lu "
                             "MiB physical free or held\n",
                             (unsigned long)((now_ns() - t0) / (1000 * MS)),
                             (unsigned long)tot.rounds,
                             (unsigned long)(tot.calls_local + tot.calls_peer),
                             (unsigned long)tot.threads_created, (unsigned long)tot.procs_spawned,
                             (unsigned long)(used >> 10), slots, (unsigned long)(last_phys >> 20));
                next_report += progress * 1000 * MS;
                if (last_phys + PHYS_SLACK < base_phys)
                    fail("free physical memory fell from %lu KiB to %lu KiB",
                         (unsigned long)(base_phys >> 10), (unsigned long)(last_phys >> 10));
            }
        }
    } while (!failures && (now_ns() < deadline || tot.rounds <= WARMUP));

    uint64_t elapsed = now_ns() - t0;
    uint64_t end_phys = failures || !progress ? 0 : probe_physical();
    summary(elapsed);
    char phys[96] = "physical memory not probed";
    if (progress)
        fmt_snprintf(phys, sizeof(phys),
                     "%lu KiB physical free or held after warm-up, %lu KiB at the end",
                     (unsigned long)(base_phys >> 10), (unsigned long)(end_phys >> 10));
    capos_printf("stress: leaks: memory in use %lu KiB after warm-up, at most %lu KiB later; %u "
                 "free capability slots after warm-up, %u at the end; %s\n",
                 (unsigned long)(base_used >> 10), (unsigned long)(max_used >> 10), base_slots,
                 slots, phys);
    if (!failures && progress && end_phys + PHYS_SLACK < base_phys)
        fail("free physical memory fell from %lu KiB to %lu KiB", (unsigned long)(base_phys >> 10),
             (unsigned long)(end_phys >> 10));
    if (tot.calls_local != tot.served_local || tot.calls_peer != tot.served_peer ||
        tot.threads_created != tot.threads_joined || tot.procs_spawned != tot.procs_waited)
        fail("totals do not balance");
    if (failures) {
        capos_printf("stress: FAIL: %u failures\n", failures);
        return 1;
    }
    capos_printf("stress: ok\n");
    return 0;
}
