/*
 * fuzz_child: one fuzzing process of the system-call fuzzer (the
 * supervisor is user/fuzz/fuzz.c).  Its worker threads drive random ring
 * operations with random and deliberately hostile arguments, on every
 * capability it holds, until the supervisor kills it or its main thread
 * ends it at the end of its lifetime.  The process may die in the attempt
 * (it corrupts its own ring, faults on purpose, is killed); the kernel
 * must not.
 *
 * argv: fuzz_child SEED CLASSES INDEX LIFE_MS DEPTH [ROLE]
 *
 * Everything the process does is drawn from SEED: how many workers, which
 * attack classes it favours (of the CLASSES bitmask, enum fz_class), and
 * every operation of every worker (each worker has its own stream, so a
 * replay repeats each thread's choices; only the interleaving is left to
 * the CPUs).  DEPTH 0 is a child of the supervisor; it may start
 * grandchildren (DEPTH 1, which start none) through its launcher, handing
 * them capabilities of its own.  ROLE "race" makes a grandchild that starts
 * threads into its parent through the parent's ThreadSpawner while the
 * parent exits (the spawnrace class).
 *
 * What a worker does, by class (fuzz_proto.h): random SQEs of every opcode
 * (raw); every method of every kernel interface with arguments drawn from
 * boundary values, addresses of every kind (unmapped, kernel,
 * non-canonical, read-only, straddling the end of a mapping) and lengths
 * around every limit (typed), optionally with the Cap'n Proto framing and
 * pointers corrupted (mutate); calls that transfer capabilities, with
 * duplicates, stale ids, the target itself and the endpoint's own facets
 * (xfer); RECV and RETURN on the shared arena endpoints with real, forged
 * and reused tokens (server); map/unmap/protect from several threads over
 * the same regions, which also hold the buffers of pending operations (vm);
 * threads started, joined and ended, also into other processes (threads);
 * grandchildren (procs); ParkSpace waits on memory being unmapped (park);
 * system calls and spins with DF, AC, RF, ID (and NT) set, IOPL 3 and
 * interrupts off asked for, and odd FPU control state (flags, nt); raw
 * system call numbers and cap_enter arguments (syscall); calls to the
 * innocent's service, whose replies are checked (innocent); rewriting
 * other workers' SQEs while they submit them (scribble); and ways to die:
 * a corrupt ring, a single-step trap, privileged instructions (cli, hlt,
 * port I/O, control registers, MSRs), wild thread entries (suicide);
 * pipes whose ends are released, moved or abandoned while reads, writes
 * and waits block on them (pipe); and the clock page with VirtualMemory
 * aimed at it, sleepUntil, cpuTime, and clear-tid words that are gone or
 * read-only by the time their thread exits (posix).
 *
 * Oracles checked here, reported to the supervisor as failures: every
 * completion carries a defined ErrorCode, zero reserved fields and a
 * detail only with an error, of a kind the kernel sets; completions match
 * operations
 * this thread submitted (unless the process scribbles over its own
 * rings); a capability id released or moved away never works again
 * (staleCap, forever); user mode always runs with interrupts on and IOPL
 * 0, and the FPU control state survives the kernel; a privileged
 * instruction always faults; and the innocent's service answers
 * well-formed requests correctly.  Counts go to the supervisor every 200 ms.
 *
 * Memory the kernel writes results into is never this program's own
 * state: results go to per-operation slots and a junk area (lengths never
 * larger than the buffer), to regions of a fixed address zone that only
 * the fuzzer maps (so a late completion into a region that was unmapped
 * never lands in the heap), or to addresses that must be refused.
 */
#include "capos.h"

#include "abi/clock.h"

#include "base/mem.h"
#include "fmt/fmt.h"
#include "fuzz_proto.h"

extern const char capos_thread_entry[];
/* A thread body that needs no stack, TLS or ring client: cap_enter with a
 * 1 ms timeout, forever.  Safe to start in any process running this
 * binary, at the same address. */
extern const char fz_idle_entry[];
__asm__(".text\n"
        ".globl fz_idle_entry\n"
        "fz_idle_entry:\n"
        "1: xorl %eax, %eax\n"
        "   movl $128, %edi\n"
        "   movl $1000000, %esi\n"
        "   syscall\n"
        "   jmp 1b\n");

#define MS          (1000ULL * 1000)
#define MAX_WORKERS 16 /* worker records: the first workers and those they start */
#define RETIRE_AT   96 /* operations in flight at which a worker hands over to a new one */
#define INFLIGHT    128
#define SLOT_BYTES  512
#define POOL_MAX    160
#define DEAD_MAX    64
#define TOKENS_MAX  16
#define SEND_BYTES  (48 * 1024)
#define JUNK_BYTES  (72 * 1024)
#define ZONE        0x0000010000000000ULL /* 1 TiB: fixed-address regions */
#define REGIONS     16
#define REGION_SPAN (64ULL << 20) /* address space per region slot */
#define REGION_MAX  (16ULL << 20) /* largest mapping in a slot */
#define GC_LIFE_MAX 1000          /* ms: grandchildren end within this */
#define COOKIE_TAG  (1ULL << 63)
#define NONCANON    0x0000800000000000ULL

/* RFLAGS bits. */
#define RF_TF   (1ULL << 8)
#define RF_IF   (1ULL << 9)
#define RF_DF   (1ULL << 10)
#define RF_IOPL (3ULL << 12)
#define RF_NT   (1ULL << 14)
#define RF_RF   (1ULL << 16)
#define RF_AC   (1ULL << 18)
#define RF_ID   (1ULL << 21)
#define RF_VM   (1ULL << 17)

/* ---- process-wide state ---- */

static uint64_t seed;
static uint32_t classes, depth, child_index;
static uint64_t life_ms;
static uint32_t report_cap, clock_cap; /* never fuzzed: the books and the deadline */
static uint32_t own_threads, main_control, own_memory;
static bool scribbling; /* completions of this process cannot be trusted to match */
static uint32_t weight[FZ_NCLASSES];
static uint32_t weight_total;

static bool enabled(int c)
{
    return (classes & FZ_BIT(c)) != 0;
}

/* ---- capabilities the process knows about ---- */

enum kind {
    K_ANY, /* unknown: arrived without a trustworthy description */
    K_CONSOLE,
    K_TIMER,
    K_ENTROPY,
    K_BOOT,
    K_VM,
    K_EP_SERVER,
    K_EP_CLIENT, /* an arena's client facet */
    K_SERVICE,   /* the innocent's public service */
    K_SPAWNER,
    K_PROC,
    K_TSPAWNER,
    K_THANDLE,
    K_TCONTROL,
    K_POLICY,
    K_PARK,
    K_PIPEF,   /* PipeFactory */
    K_PREADER, /* a pipe's read end */
    K_PWRITER, /* a pipe's write end */
    K_NKINDS
};

static const uint64_t kind_iid[K_NKINDS] = {
    [K_CONSOLE] = capos_Console_INTERFACE_ID,
    [K_TIMER] = capos_Timer_INTERFACE_ID,
    [K_ENTROPY] = capos_EntropySource_INTERFACE_ID,
    [K_BOOT] = capos_BootPackage_INTERFACE_ID,
    [K_VM] = capos_VirtualMemory_INTERFACE_ID,
    [K_EP_SERVER] = capos_Endpoint_INTERFACE_ID,
    [K_EP_CLIENT] = 0x66757a7a6172656eULL, /* any: the arenas have no fixed protocol */
    [K_SERVICE] = FZ_SERVICE_IID,
    [K_SPAWNER] = capos_ProcessSpawner_INTERFACE_ID,
    [K_PROC] = capos_ProcessHandle_INTERFACE_ID,
    [K_TSPAWNER] = capos_ThreadSpawner_INTERFACE_ID,
    [K_THANDLE] = capos_ThreadHandle_INTERFACE_ID,
    [K_TCONTROL] = capos_ThreadControl_INTERFACE_ID,
    [K_POLICY] = capos_SchedulingPolicy_INTERFACE_ID,
    [K_PARK] = capos_ParkSpace_INTERFACE_ID,
    [K_PIPEF] = capos_PipeFactory_INTERFACE_ID,
    [K_PREADER] = capos_PipeReader_INTERFACE_ID,
    [K_PWRITER] = capos_PipeWriter_INTERFACE_ID,
};

/* Methods per interface (the kernel's; client facets take any). */
static const uint8_t kind_methods[K_NKINDS] = {
    [K_CONSOLE] = 2,   [K_TIMER] = 6,     [K_ENTROPY] = 1,  [K_BOOT] = 2,    [K_VM] = 5,
    [K_EP_SERVER] = 1, [K_EP_CLIENT] = 2, [K_SERVICE] = 1,  [K_SPAWNER] = 3, [K_PROC] = 2,
    [K_TSPAWNER] = 1,  [K_THANDLE] = 2,   [K_TCONTROL] = 7, [K_POLICY] = 3,  [K_PARK] = 2,
    [K_PIPEF] = 1,     [K_PREADER] = 3,   [K_PWRITER] = 3,
};

static enum kind kind_of_iid(uint64_t iid)
{
    for (int k = 1; k < K_NKINDS; k++) {
        if (kind_iid[k] == iid && k != K_EP_CLIENT)
            return (enum kind)k;
    }
    return iid == kind_iid[K_EP_CLIENT] ? K_EP_CLIENT : K_ANY;
}

#define F_OWN   1 /* this process's own ThreadSpawner or VirtualMemory */
#define F_NOBIG 2 /* calls on it stay within the innocent's receive buffer */
#define F_TRUST 4 /* its kind is known for sure (not a sender's claim) */

struct cap {
    uint32_t id;
    uint8_t kind;
    uint8_t flags;
};

/* A tiny spinlock: the sections it guards are a few instructions long. */
static uint32_t pool_lock;
static void lock(void)
{
    while (__atomic_exchange_n(&pool_lock, 1, __ATOMIC_ACQUIRE))
        __builtin_ia32_pause();
}
static void unlock(void)
{
    __atomic_store_n(&pool_lock, 0, __ATOMIC_RELEASE);
}

static struct cap pool[POOL_MAX];
static uint32_t npool;
static uint32_t dead[DEAD_MAX];
static uint32_t ndead;

static void pool_add(uint32_t id, enum kind k, uint8_t flags)
{
    /* Any capability whose kind is not known for sure may be the
     * innocent's service: calls on it stay small unless jamming is the
     * point. */
    if (!(flags & F_TRUST) || k == K_ANY || k == K_SERVICE)
        flags |= F_NOBIG;
    lock();
    if (npool < POOL_MAX)
        pool[npool++] = (struct cap){.id = id, .kind = (uint8_t)k, .flags = flags};
    unlock();
}

/* Takes `id` out of the pool; the caller holds the lock. */
static void pool_remove_locked(uint32_t id)
{
    for (uint32_t i = 0; i < npool; i++) {
        if (pool[i].id == id) {
            pool[i] = pool[--npool];
            break;
        }
    }
}

/* Takes `id` out of the pool (it was released or moved away) and remembers
 * it as dead. */
static void pool_kill(uint32_t id)
{
    lock();
    pool_remove_locked(id);
    dead[ndead++ % DEAD_MAX] = id;
    unlock();
}

/* Takes `id` out of the pool without calling it dead: an operation on it
 * said staleCap, which a server can also answer on purpose. */
static void pool_drop(uint32_t id)
{
    lock();
    pool_remove_locked(id);
    unlock();
}

static bool pool_pick(uint64_t *rng, int want, struct cap *out)
{
    bool found = false;
    lock();
    if (npool) {
        uint32_t start = (uint32_t)fz_below(rng, npool);
        for (uint32_t i = 0; i < npool; i++) {
            struct cap *c = &pool[(start + i) % npool];
            if (want < 0 || c->kind == want) {
                *out = *c;
                found = true;
                break;
            }
        }
    }
    unlock();
    return found;
}

static bool pool_find(uint32_t id, struct cap *out)
{
    bool found = false;
    lock();
    for (uint32_t i = 0; i < npool && !found; i++) {
        if (pool[i].id == id) {
            *out = pool[i];
            found = true;
        }
    }
    unlock();
    return found;
}

static bool dead_pick(uint64_t *rng, uint32_t *id)
{
    lock();
    uint32_t n = ndead < DEAD_MAX ? ndead : DEAD_MAX;
    if (n)
        *id = dead[fz_below(rng, n)];
    unlock();
    return n != 0;
}

/* An id that may or may not name something: never the report facet (the
 * supervisor's books) nor, unless jamming, the service. */
static uint32_t forge_id(uint64_t *rng)
{
    for (;;) {
        uint32_t id;
        switch (fz_below(rng, 4)) {
        case 0: id = (uint32_t)fz_next(rng); break;
        case 1: id = (uint32_t)(1 + fz_below(rng, 4)) << 16 | (uint32_t)fz_below(rng, 300); break;
        case 2: id = (uint32_t)fz_below(rng, 300); break; /* generation 0: never valid */
        default: id = 0xffff0000u | (uint32_t)fz_below(rng, 65536); break;
        }
        struct cap c;
        if (id == report_cap || id == clock_cap || (pool_find(id, &c) && (c.flags & F_NOBIG)))
            continue;
        return id;
    }
}

/* ---- failures and counts ---- */

struct counts {
    uint64_t submitted, completed, enters, threads, procs, transfers, stale_ok, flag_enters;
    uint64_t result[FZ_NCODES];
};

#define FAILS 4
static char fail_text[FAILS][192];
static uint32_t fail_ready[FAILS]; /* set once the text is written */
static uint32_t fail_posted, fail_sent;

static void child_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void child_fail(const char *fmt, ...)
{
    uint32_t n = __atomic_fetch_add(&fail_posted, 1, __ATOMIC_ACQ_REL);
    if (n >= FAILS)
        return;
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(fail_text[n], sizeof(fail_text[n]), fmt, ap);
    va_end(ap);
    __atomic_store_n(&fail_ready[n], 1, __ATOMIC_RELEASE);
}

/* ---- workers ---- */

enum what {
    W_PLAIN,   /* nothing to learn from the result but its code */
    W_RELEASE, /* RELEASE of aux: ok means the id is dead */
    W_STALE,   /* an operation on the dead id aux: must be staleCap */
    W_CAPS,    /* ok brings capabilities of kinds res[] into the slot buffer */
    W_MOVE,    /* a call that moved moved[]: ok means they are dead */
    W_RECV,    /* RECV on an arena: a token and capabilities */
    W_SERVICE, /* a well-formed request to the innocent: check the reply */
    W_MAP,     /* VirtualMemory.map of a region slot */
    W_REFUSE,  /* a call the kernel must refuse (aux: what, for the report) */
};

/* What an ok result of a kernel call must say, when the call's target and
 * parameters are known for sure (a check of the result's integrity: the
 * kernel builds results in per-CPU buffers, and its longer calls can now
 * be preempted). */
enum check {
    R_NONE,
    R_MAP_FIXED, /* VirtualMemory.map at an address: that address */
    R_MAP_AUTO,  /* VirtualMemory.map anywhere: a page in the user range */
    R_NOW,       /* Timer.now: not before this thread's previous reading */
    R_FILL,      /* EntropySource.fill: exactly the bytes asked for */
    R_BOOTSIZE,  /* BootPackage.size: the same every time */
    R_QUOTA,     /* VirtualMemory.quota of the process's own memory: same limit */
    R_CLOCK,     /* Timer.mapClock: CAPOS_USER_CLOCK_VA, every time */
    R_WALL,      /* Timer.wallClock: not before this thread's previous reading */
    R_CPU,       /* Timer.cpuTime: the thread's share within the process's */
    R_PIPE_N,    /* PipeReader.read, PipeWriter.write: at most the bytes asked for */
    R_READY,     /* a non-blocking pipe wait: only readiness bits of its end */
};

struct op {
    uint64_t cookie;
    uint8_t used, what, nres, nmoved, trust, check;
    uint64_t want; /* for the check */
    uint8_t res[2];
    uint32_t aux;
    uint32_t target; /* the cap id the SQE named */
    uint64_t expect; /* W_SERVICE: the checksum */
    uint32_t moved[4];
};

struct worker {
    bool is_main; /* the main thread working in a process without threads */
    uint64_t rng;
    uint32_t idx;
    uint32_t control;
    struct capos_thread *t;
    struct capos_ring_client *rc;
    uint32_t inflight, next_slot;
    uint64_t seq;
    uint32_t send_used;
    struct op *last_op; /* the op whose SQE is being built */
    struct capos_sqe *last_sqe;
    uint64_t last_now;  /* R_NOW */
    uint64_t last_wall; /* R_WALL */
    uint32_t ntokens;
    uint64_t tokens[TOKENS_MAX];
    uint32_t token_server[TOKENS_MAX];
    struct counts n;
    struct op ops[INFLIGHT];
    uint8_t slot[INFLIGHT][SLOT_BYTES] __attribute__((aligned(8)));
    uint8_t send[SEND_BYTES] __attribute__((aligned(8)));
};

/* Two records in .bss (a grandchild without memory of its own needs no
 * more), the rest from the heap: a process image this size would make
 * every spawn slow. */
#define STATIC_WORKERS 2
static struct worker static_workers[STATIC_WORKERS];
static struct worker *workers[MAX_WORKERS];
static uint32_t nworkers_used;
static uint8_t junk[JUNK_BYTES] __attribute__((aligned(4096)));
static const uint8_t ro_block[4096] __attribute__((aligned(4096))) = {1};
static uint32_t park_words[64];

/* The region slots' mapped lengths, as far as this process knows: only a
 * guide for choosing addresses; the kernel's answers are what count. */
static uint64_t region_len[REGIONS];

static uint64_t region_base(uint32_t i)
{
    return ZONE + (uint64_t)i * REGION_SPAN;
}

static int64_t raw_syscall(uint64_t nr, uint64_t a1, uint64_t a2)
{
    int64_t ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a1), "S"(a2) : "rcx", "r11", "memory");
    return ret;
}

/* ---- submission ---- */

static void handle(struct worker *w, const struct capos_cqe *c);

static void reap(struct worker *w)
{
    struct capos_cqe c;
    while (capos_ring_next(&c))
        handle(w, &c);
}

/* Notes the cap id of the SQE just built in its op (for pool hygiene);
 * called before the SQE can be consumed. */
static void seal(struct worker *w)
{
    if (w->last_op) {
        w->last_op->target = w->last_sqe->cap;
        w->last_op = 0;
    }
}

static int64_t enter(struct worker *w, uint32_t min, uint64_t timeout)
{
    seal(w);
    int64_t r = capos_ring_enter(min, timeout);
    w->n.enters++;
    reap(w);
    return r;
}

/* True once the kernel has consumed every SQE this thread prepared, so
 * buffers they point at may be reused. */
static bool consumed(struct worker *w)
{
    return __atomic_load_n(&w->rc->hdr->sq_head, __ATOMIC_ACQUIRE) == w->rc->sq_tail;
}

/* Room for a message the kernel will read; NULL when the send area is
 * used up.  It is recycled only at the start of a step (send_recycle),
 * never while an SQE is half built. */
static uint8_t *send_alloc(struct worker *w, uint32_t len)
{
    len = (len + 7) & ~7u;
    if (len > SEND_BYTES - w->send_used)
        return 0;
    uint8_t *p = w->send + w->send_used;
    w->send_used += len;
    return p;
}

/* Makes room in the send area once everything that points into it has
 * been consumed by the kernel. */
static void send_recycle(struct worker *w)
{
    if (w->send_used < SEND_BYTES / 2)
        return;
    for (int i = 0; i < 20 && !consumed(w); i++)
        enter(w, 1, 200 * 1000);
    if (consumed(w))
        w->send_used = 0;
}

/* A free op record and a zeroed SQE for it; NULL if the ring is clogged. */
static void worker_retire(struct worker *w);

static struct capos_sqe *prep(struct worker *w, enum what what, struct op **opp)
{
    /* Operations that never complete (sleeps and waits without end, joins
     * of threads that never end) pile up; a worker that has many starts a
     * successor and ends, which also ends a thread with work in flight. */
    seal(w);
    if (w->inflight >= RETIRE_AT && !w->is_main)
        worker_retire(w);
    if (w->inflight >= INFLIGHT - 8) {
        enter(w, 1, 500 * 1000);
        if (w->inflight >= INFLIGHT - 8)
            return 0;
    }
    struct capos_sqe *s = capos_ring_prep();
    if (!s) {
        enter(w, 0, 0);
        s = capos_ring_prep();
        if (!s)
            return 0;
    }
    uint32_t i = w->next_slot;
    while (w->ops[i].used)
        i = (i + 1) % INFLIGHT;
    w->next_slot = (i + 1) % INFLIGHT;
    struct op *op = &w->ops[i];
    memset(op, 0, sizeof(*op));
    op->used = 1;
    op->what = (uint8_t)what;
    op->cookie = COOKIE_TAG | (++w->seq << 8) | i;
    s->user_data = op->cookie;
    w->last_op = op;
    w->last_sqe = s;
    w->inflight++;
    w->n.submitted++;
    *opp = op;
    return s;
}

/* A capability of kind `want` (any if negative) from the pool in *c, and
 * prep()'s op and SQE for an operation on it; NULL if the pool has none or
 * the ring is clogged. */
static struct capos_sqe *prep_pick(struct worker *w, int want, enum what what, struct cap *c,
                                   struct op **opp)
{
    if (!pool_pick(&w->rng, want, c))
        return 0;
    return prep(w, what, opp);
}

static uint8_t *slot_of(struct worker *w, const struct op *op)
{
    return w->slot[op->cookie & (INFLIGHT - 1)];
}

/* ---- completions ---- */

static const uint32_t *result_caps(const uint8_t *buf, const struct capos_cqe *c)
{
    return (const uint32_t *)(const void *)(buf + CAPOS_CAPS_OFFSET(c->result_len));
}

struct fz_arena_msg {
    uint64_t magic;
    uint32_t n;
    uint32_t pad;
    uint8_t kinds[CAPOS_MAX_XFER];
};
#define FZ_ARENA_MAGIC 0x414e455241465a5aULL

/* The parts of a completion that do not depend on the operation: reserved
 * fields zero; a detail only with an error, of a kind the kernel sets, and
 * for a refused submission entry one that goes with the result code; a
 * field path with no level after an empty one. */
static void check_completion(const struct capos_cqe *c)
{
    uint32_t kind = c->detail >> 24, value = c->detail & 0xffffff;
    bool ok;
    switch (kind) {
    case CAPOS_DETAIL_NONE: ok = value == 0; break;
    case CAPOS_DETAIL_SUBMISSION:
        ok = (value == CAPOS_SQE_UNKNOWN_OPCODE || value == CAPOS_SQE_FLAGS ||
              value == CAPOS_SQE_UNUSED_FIELD)
                 ? c->result == CAPOS_ERR_INVALID_OPCODE
             : value == CAPOS_SQE_TOO_LONG      ? c->result == CAPOS_ERR_INVALID_ARGUMENT
             : value == CAPOS_SQE_TOO_MANY_CAPS ? c->result == CAPOS_ERR_TOO_MANY_CAPS
                                                : false;
        break;
    case CAPOS_DETAIL_PARAMS:
        ok = !((value & 0xff) == 0 && (value >> 8)) && !((value & 0xff00) == 0 && (value >> 16));
        break;
    default: ok = false; break;
    }
    if (c->result == CAPOS_OK && c->detail != 0)
        ok = false;
    if (!ok || c->reserved0 || c->reserved1)
        child_fail("a completion (result %s) carries detail %#x, reserved %#x %#lx",
                   capos_error_name(c->result), c->detail, c->reserved0,
                   (unsigned long)c->reserved1);
}

static uint64_t boot_size, quota_limit; /* first answers, for R_BOOTSIZE and R_QUOTA */

/* A clock `what` read `ns`: not before this thread's previous reading
 * (*last), which it becomes. */
static void check_forward(const char *what, uint64_t *last, uint64_t ns)
{
    if (ns < *last)
        child_fail("%s went back from %lu to %lu ns", what, (unsigned long)*last,
                   (unsigned long)ns);
    *last = ns;
}

static void check_result(struct worker *w, const struct op *op, const uint8_t *buf, uint32_t len)
{
    struct capnp_reader r;
    if (len > SLOT_BYTES || !capos_msg_read(&r, buf, len)) {
        child_fail("a kernel call's result (check %u) is no valid message (%u bytes)", op->check,
                   len);
        return;
    }
    switch ((enum check)op->check) {
    case R_MAP_FIXED:
    case R_MAP_AUTO: {
        uint64_t a =
            capos_VirtualMemory_map_Results_get_addr(capos_VirtualMemory_map_Results_read_root(&r));
        if (op->check == R_MAP_FIXED ? a != op->want
                                     : (a & 4095) || a < CAPOS_USER_MIN || a >= CAPOS_USER_MAX)
            child_fail("VirtualMemory.map at %#lx answered %#lx", (unsigned long)op->want,
                       (unsigned long)a);
        break;
    }
    case R_NOW: {
        check_forward("Timer.now", &w->last_now,
                      capos_Timer_now_Results_get_ns(capos_Timer_now_Results_read_root(&r)));
        break;
    }
    case R_FILL: {
        struct capnp_data d = capos_EntropySource_fill_Results_get_bytes(
            capos_EntropySource_fill_Results_read_root(&r));
        if (d.len != op->want)
            child_fail("EntropySource.fill(%lu) gave %u bytes", (unsigned long)op->want, d.len);
        break;
    }
    case R_BOOTSIZE: {
        uint64_t b =
            capos_BootPackage_size_Results_get_bytes(capos_BootPackage_size_Results_read_root(&r));
        uint64_t first = 0;
        if (!__atomic_compare_exchange_n(&boot_size, &first, b, false, __ATOMIC_RELAXED,
                                         __ATOMIC_RELAXED) &&
            first != b)
            child_fail("BootPackage.size said %lu, earlier %lu", (unsigned long)b,
                       (unsigned long)first);
        break;
    }
    case R_QUOTA: {
        capos_VirtualMemory_quota_Results_reader q =
            capos_VirtualMemory_quota_Results_read_root(&r);
        uint64_t lim = capos_VirtualMemory_quota_Results_get_limit(q);
        uint64_t used = capos_VirtualMemory_quota_Results_get_used(q);
        uint64_t first = 0;
        if ((!__atomic_compare_exchange_n(&quota_limit, &first, lim, false, __ATOMIC_RELAXED,
                                          __ATOMIC_RELAXED) &&
             first != lim) ||
            used > lim)
            child_fail("VirtualMemory.quota said limit %lu, used %lu (limit earlier %lu)",
                       (unsigned long)lim, (unsigned long)used, (unsigned long)first);
        break;
    }
    case R_CLOCK: {
        uint64_t a =
            capos_Timer_mapClock_Results_get_addr(capos_Timer_mapClock_Results_read_root(&r));
        if (a != CAPOS_USER_CLOCK_VA)
            child_fail("Timer.mapClock answered %#lx", (unsigned long)a);
        break;
    }
    case R_WALL: {
        check_forward(
            "Timer.wallClock", &w->last_wall,
            capos_Timer_wallClock_Results_get_ns(capos_Timer_wallClock_Results_read_root(&r)));
        break;
    }
    case R_CPU: {
        capos_Timer_cpuTime_Results_reader q = capos_Timer_cpuTime_Results_read_root(&r);
        uint64_t t = capos_Timer_cpuTime_Results_get_thread(q);
        uint64_t p = capos_Timer_cpuTime_Results_get_process(q);
        if (t > p)
            child_fail("Timer.cpuTime: thread %lu ns, more than its process's %lu ns",
                       (unsigned long)t, (unsigned long)p);
        break;
    }
    case R_PIPE_N: {
        /* read and write results share the layout (one UInt32 n). */
        uint32_t n =
            capos_PipeReader_read_Results_get_n(capos_PipeReader_read_Results_read_root(&r));
        if (n > op->want)
            child_fail("a pipe transfer of %lu bytes answered %u", (unsigned long)op->want, n);
        break;
    }
    case R_READY: {
        uint32_t rd =
            capos_PipeReader_wait_Results_get_ready(capos_PipeReader_wait_Results_read_root(&r));
        if (rd & ~(uint32_t)op->want)
            child_fail("a pipe wait answered ready %#x (possible %#x)", rd, (unsigned)op->want);
        break;
    }
    case R_NONE: break;
    }
    if (capnp_reader_error(&r) != CAPNP_OK)
        child_fail("a kernel call's result (check %u) did not decode", op->check);
}

static void handle(struct worker *w, const struct capos_cqe *c)
{
    w->n.completed++;
    if ((uint32_t)c->result < FZ_NCODES)
        w->n.result[c->result]++;
    else if (!scribbling) /* else its own ring may have been written over */
        child_fail("a completion carries result %d, which is no ErrorCode", c->result);
    if (!scribbling)
        check_completion(c);
    if (!(c->user_data & COOKIE_TAG)) {
        if (!scribbling)
            child_fail("a completion with cookie %#lx that no operation had",
                       (unsigned long)c->user_data);
        return;
    }
    struct op *op = &w->ops[c->user_data & (INFLIGHT - 1)];
    if (!op->used || op->cookie != c->user_data) {
        if (!scribbling)
            child_fail("a completion with cookie %#lx: %s", (unsigned long)c->user_data,
                       op->used ? "another operation owns the slot" : "completed twice");
        return;
    }
    op->used = 0;
    w->inflight--;
    const uint8_t *buf = slot_of(w, op);
    /* Pool hygiene: a released id, or one reserved by a move that may
     * commit, is rarely worth naming again. */
    if ((c->result == CAPOS_ERR_STALE_CAP || c->result == CAPOS_ERR_CAP_BUSY) &&
        op->what != W_STALE)
        pool_drop(op->target);
    if (op->check != R_NONE && c->result == CAPOS_OK && !scribbling)
        check_result(w, op, buf, c->result_len);
    switch ((enum what)op->what) {
    case W_PLAIN: break;
    case W_RELEASE:
        if (c->result == CAPOS_OK)
            pool_kill(op->aux);
        break;
    case W_STALE:
        if (c->result == CAPOS_ERR_STALE_CAP)
            w->n.stale_ok++;
        else if (!scribbling) /* else the SQE may have been rewritten */
            child_fail("cap id %#x, released or moved away earlier, gave %s", op->aux,
                       capos_error_name(c->result));
        break;
    case W_CAPS:
        if (c->result == CAPOS_OK && c->ncaps && c->ncaps <= op->nres &&
            CAPOS_CAPS_OFFSET(c->result_len) + 4ULL * c->ncaps <= SLOT_BYTES) {
            for (uint32_t i = 0; i < c->ncaps; i++)
                pool_add(result_caps(buf, c)[i], (enum kind)op->res[i], op->trust);
            w->n.transfers += c->ncaps;
        }
        break;
    case W_MOVE:
        if (c->result == CAPOS_OK) {
            for (uint32_t i = 0; i < op->nmoved; i++)
                pool_kill(op->moved[i]);
        }
        break;
    case W_RECV:
        if (c->result == CAPOS_OK) {
            if (w->ntokens < TOKENS_MAX) {
                w->token_server[w->ntokens] = op->aux;
                w->tokens[w->ntokens++] = c->token;
            }
            if (c->ncaps && CAPOS_CAPS_OFFSET(c->result_len) + 4ULL * c->ncaps <= SLOT_BYTES) {
                const struct fz_arena_msg *m = (const void *)buf;
                bool described =
                    c->result_len >= sizeof(*m) && m->magic == FZ_ARENA_MAGIC && m->n == c->ncaps;
                for (uint32_t i = 0; i < c->ncaps; i++) {
                    enum kind k =
                        described && m->kinds[i] < K_NKINDS ? (enum kind)m->kinds[i] : K_ANY;
                    pool_add(result_caps(buf, c)[i], k, 0);
                }
                w->n.transfers += c->ncaps;
            }
        }
        break;
    case W_SERVICE: {
        const struct fz_service_rep *r = (const void *)buf;
        if (scribbling)
            break; /* the request itself may have been rewritten */
        if (c->result == CAPOS_OK &&
            (c->result_len != sizeof(*r) || r->magic != FZ_SERVICE_MAGIC || r->seq != op->aux ||
             r->badge < FZ_BADGE_CHILD || r->sum != fz_service_sum(op->expect, r->badge)))
            child_fail("the innocent's service answered request %u wrongly (%u bytes, seq %u, "
                       "badge %lu)",
                       op->aux, c->result_len, r->seq, (unsigned long)r->badge);
        else if (c->result != CAPOS_OK && c->result != CAPOS_ERR_QUOTA_EXCEEDED &&
                 c->result != CAPOS_ERR_STALE_CAP && c->result != CAPOS_ERR_CAP_BUSY)
            /* A full queue, or the facet released or being moved by
             * another worker meanwhile, are the only excuses. */
            child_fail("the innocent's service refused a well-formed request: %s",
                       capos_error_name(c->result));
        break;
    }
    case W_REFUSE:
        if (c->result == CAPOS_OK && !scribbling)
            child_fail("VirtualMemory call %u on the clock page succeeded", op->aux);
        break;
    case W_MAP:
        if (c->result == CAPOS_OK && op->aux < REGIONS)
            __atomic_store_n(&region_len[op->aux], op->expect, __ATOMIC_RELAXED);
        break;
    }
}

/* ---- value pools ---- */

static const uint64_t u64_edges[] = {
    0,
    1,
    7,
    8,
    4095,
    4096,
    4097,
    65536,
    1ULL << 20,
    1ULL << 32,
    1ULL << 40,
    1ULL << 46,
    1ULL << 47,
    NONCANON,
    1ULL << 63,
    ~0ULL,
    ~0ULL - 4095,
    CAPOS_USER_MAX,
    CAPOS_USER_MIN,
    CAPOS_USER_MAX - 4096,
    0xffff800000000000ULL,
    0xffffffff80000000ULL,
};

static const uint32_t u32_edges[] = {0,     1,     2,          3,          4,    7,      8,
                                     255,   256,   4095,       4096,       4097, 32768,  65535,
                                     65536, 65537, 0x7fffffff, 0x80000000, ~0u,  ~0u - 1};

static uint64_t pick_u64(struct worker *w)
{
    switch (fz_below(&w->rng, 4)) {
    case 0: return u64_edges[fz_below(&w->rng, sizeof(u64_edges) / sizeof(u64_edges[0]))];
    case 1: return fz_below(&w->rng, 1 << 16);
    case 2: return fz_next(&w->rng) & ~4095ULL & (CAPOS_USER_MAX - 1);
    default: return fz_next(&w->rng);
    }
}

static uint32_t pick_u32(struct worker *w)
{
    switch (fz_below(&w->rng, 3)) {
    case 0: return u32_edges[fz_below(&w->rng, sizeof(u32_edges) / sizeof(u32_edges[0]))];
    case 1: return (uint32_t)fz_below(&w->rng, 300);
    default: return (uint32_t)fz_next(&w->rng);
    }
}

/* An address in a region slot (mapped or not, racing with other workers). */
static uint64_t region_addr(struct worker *w, uint32_t len)
{
    uint32_t i = (uint32_t)fz_below(&w->rng, REGIONS);
    uint64_t mapped = __atomic_load_n(&region_len[i], __ATOMIC_RELAXED);
    uint64_t base = region_base(i);
    switch (fz_below(&w->rng, 4)) {
    case 0: return base;
    case 1: return base + (mapped > len ? fz_below(&w->rng, mapped - len) & ~7ULL : 0);
    case 2: return base + mapped - (len / 2 & ~7ULL); /* straddles the end */
    default: return base + (fz_below(&w->rng, REGION_MAX / 4096) << 12);
    }
}

/* An address the kernel may only read: any kind, good or bad. */
static uint64_t pick_read_addr(struct worker *w, uint32_t len)
{
    switch (fz_below(&w->rng, 12)) {
    case 0: return 0;
    case 1: return (uint64_t)(uintptr_t)w->send;
    case 2: return (uint64_t)(uintptr_t)ro_block;
    case 3: return (uint64_t)(uintptr_t)capos_thread_entry; /* text */
    case 4: return CAPOS_USER_CAPSET_VA;
    case 5: return (uint64_t)(uintptr_t)w->rc->hdr;
    case 6: return region_addr(w, len);
    case 7: return 0x1000 + fz_below(&w->rng, 0xf000);
    case 8: return CAPOS_USER_MAX - fz_below(&w->rng, 2 * len + 1);
    case 9: return NONCANON - fz_below(&w->rng, 64);
    case 10: return 0xffff800000000000ULL + (fz_below(&w->rng, 1 << 20) << 12);
    default: return fz_next(&w->rng);
    }
}

/* A buffer the kernel may write `len` bytes into: ours only where nothing
 * of this program lives; otherwise memory the kernel must refuse. */
static uint64_t pick_write_addr(struct worker *w, const struct op *op, uint32_t *len)
{
    switch (fz_below(&w->rng, 12)) {
    case 0:
    case 1:
    case 2:
        if (*len > SLOT_BYTES)
            *len = SLOT_BYTES;
        return (uint64_t)(uintptr_t)slot_of(w, op);
    case 3:
        if (*len > JUNK_BYTES)
            *len = JUNK_BYTES;
        return (uint64_t)(uintptr_t)junk;
    case 4: return region_addr(w, *len);
    case 5: return (uint64_t)(uintptr_t)ro_block;
    case 6: return (uint64_t)(uintptr_t)capos_thread_entry;
    case 7: return CAPOS_USER_CAPSET_VA + fz_below(&w->rng, 4096);
    case 8: return 0x1000 + fz_below(&w->rng, 0xf000);
    case 9: return CAPOS_USER_MAX - fz_below(&w->rng, 64);
    case 10: return 0xffff800000000000ULL + (fz_below(&w->rng, 1 << 20) << 12);
    default: return NONCANON + fz_below(&w->rng, 64);
    }
}

/* A 32-bit word the kernel may store into later (setTid at spawn,
 * clear-tid at a thread's exit): a ParkSpace word other workers wait on,
 * the junk area, a region (mapped, unmapped or remapped by then), or
 * memory the kernel must refuse or leave alone: read-only data, text, the
 * clock page shared by every process, the CapSet, unaligned, kernel and
 * non-canonical addresses. */
static uint64_t pick_word_addr(struct worker *w)
{
    switch (fz_below(&w->rng, 12)) {
    case 0: return 0;
    case 1:
    case 2: return (uint64_t)(uintptr_t)&park_words[fz_below(&w->rng, 64)];
    case 3: return (uint64_t)(uintptr_t)junk + (fz_below(&w->rng, JUNK_BYTES / 4) << 2);
    case 4:
    case 5: return region_addr(w, 4) & ~3ULL;
    case 6: return (uint64_t)(uintptr_t)ro_block + (fz_below(&w->rng, 1024) << 2);
    case 7: return CAPOS_USER_CLOCK_VA + (fz_below(&w->rng, 1024) << 2);
    case 8:
        return fz_chance(&w->rng, 1, 2) ? (uint64_t)(uintptr_t)capos_thread_entry & ~3ULL
                                        : CAPOS_USER_CAPSET_VA;
    case 9:
        return (uint64_t)(uintptr_t)&park_words[fz_below(&w->rng, 64)] + 1 + fz_below(&w->rng, 3);
    case 10: return fz_chance(&w->rng, 1, 2) ? CAPOS_USER_MAX - 4 : CAPOS_USER_MAX;
    default: return pick_u64(w) & ~3ULL;
    }
}

/* A pipe transfer's length: around the atomic-write bound and the
 * capacity, or absurd. */
static uint32_t pick_pipe_len(struct worker *w)
{
    switch (fz_below(&w->rng, 6)) {
    case 0: return (uint32_t)fz_below(&w->rng, 64);
    case 1: return capos_pipeAtomicWrite - 1 + (uint32_t)fz_below(&w->rng, 3);
    case 2: return capos_pipeCapacity - 1 + (uint32_t)fz_below(&w->rng, 3);
    case 3: return pick_u32(w);
    default: return (uint32_t)fz_below(&w->rng, SLOT_BYTES + 1);
    }
}

static uint32_t pick_len(struct worker *w)
{
    switch (fz_below(&w->rng, 4)) {
    case 0: return u32_edges[fz_below(&w->rng, sizeof(u32_edges) / sizeof(u32_edges[0]))];
    case 1: return (uint32_t)fz_below(&w->rng, 600);
    case 2: return 0;
    default: return (uint32_t)fz_below(&w->rng, CAPOS_MAX_MSG_BYTES + 16);
    }
}

/* A cap id: mostly one the process holds, else dead, forged or absurd. */
static uint32_t pick_cap(struct worker *w, struct cap *c)
{
    c->kind = K_ANY;
    c->flags = 0;
    switch (fz_below(&w->rng, 8)) {
    case 0: {
        uint32_t id;
        if (dead_pick(&w->rng, &id))
            return c->id = id;
        break;
    }
    case 1: return c->id = forge_id(&w->rng);
    case 2: return c->id = 0;
    default: break;
    }
    if (pool_pick(&w->rng, -1, c))
        return c->id;
    return c->id = forge_id(&w->rng);
}

/* Interface id for a call on `c`: its own mostly, else any other. */
static uint64_t pick_iid(struct worker *w, const struct cap *c)
{
    switch (fz_below(&w->rng, 8)) {
    case 0: return kind_iid[1 + fz_below(&w->rng, K_NKINDS - 1)];
    case 1: return fz_next(&w->rng);
    case 2: return 0;
    default:
        return c->kind == K_ANY ? kind_iid[1 + fz_below(&w->rng, K_NKINDS - 1)] : kind_iid[c->kind];
    }
}

/* Keeps calls on the innocent's service within its receive buffer. */
static void clamp_for(const struct cap *c, struct capos_sqe *s)
{
    if ((c->flags & F_NOBIG) && !enabled(FZ_JAM) && s->send_len > FZ_SERVICE_MAX) {
        s->send_len = (uint32_t)(s->send_len % FZ_SERVICE_MAX);
        if (s->send_len == 0)
            s->send_addr = 0;
    }
}

/*
 * Two calls go with a class of their own, so that a run without the class
 * never makes them (each once faulted the kernel; its regression test is
 * named in docs/fuzzing.md):
 *  - ThreadControl.handle on a control this process did not get as its
 *    own: such an id may name the control of a thread whose creation is
 *    failing at that moment, its process stopping (spawnrace);
 *  - ThreadHandle.join, which may be cancelled as the joined thread ends
 *    and completes it (joinrace; user/fuzz/fuzz_regress.c, join-end).
 */
static bool handle_allowed(const struct worker *w, uint32_t cap)
{
    return enabled(FZ_SPAWNRACE) || cap == w->control || cap == main_control;
}

static void defuse(const struct worker *w, struct capos_sqe *s)
{
    if (s->opcode != CAPOS_OP_CALL)
        return;
    if (s->word0 == capos_ThreadControl_INTERFACE_ID &&
        s->method == capos_ThreadControl_method_handle && !handle_allowed(w, s->cap))
        s->method = capos_ThreadControl_method_yield;
    if (s->word0 == capos_ThreadHandle_INTERFACE_ID &&
        s->method == capos_ThreadHandle_method_join && !enabled(FZ_JOINRACE))
        s->method = capos_ThreadHandle_method_info;
}

/* ---- raw SQEs ---- */

static void act_raw(struct worker *w)
{
    struct op *op;
    struct capos_sqe *s = prep(w, W_PLAIN, &op);
    if (!s)
        return;
    uint64_t cookie = s->user_data;
    struct cap c;
    if (fz_chance(&w->rng, 1, 16)) {
        /* Entirely random bytes; the cookie stays ours. */
        uint64_t *q = (uint64_t *)(void *)s;
        for (int i = 0; i < 8; i++)
            q[i] = fz_next(&w->rng);
        s->user_data = cookie;
        if (s->cap == report_cap || s->cap == clock_cap ||
            (pool_find(s->cap, &c) && (c.flags & F_NOBIG)))
            s->cap = 0;
        defuse(w, s);
        return;
    }
    s->opcode = fz_chance(&w->rng, 1, 10) ? (uint8_t)fz_next(&w->rng)
                                          : (uint8_t)fz_below(&w->rng, CAPOS_OP_COUNT);
    s->flags = fz_chance(&w->rng, 1, 10) ? (uint8_t)fz_next(&w->rng) : 0;
    s->method =
        fz_chance(&w->rng, 1, 4) ? (uint16_t)fz_next(&w->rng) : (uint16_t)fz_below(&w->rng, 8);
    s->cap = pick_cap(w, &c);
    s->word0 = (s->opcode == CAPOS_OP_RETURN || s->opcode == CAPOS_OP_REPLY_RECV) && w->ntokens &&
                       fz_chance(&w->rng, 1, 2)
                   ? w->tokens[fz_below(&w->rng, w->ntokens)]
                   : pick_iid(w, &c);
    if (fz_chance(&w->rng, 1, 2)) {
        s->send_len = pick_len(w);
        s->send_addr = pick_read_addr(w, s->send_len);
    }
    if (fz_chance(&w->rng, 1, 2)) {
        uint32_t len = pick_len(w);
        s->recv_addr = pick_write_addr(w, op, &len);
        s->recv_len = len;
    }
    if (fz_chance(&w->rng, 1, 4)) {
        s->xfer_count =
            fz_chance(&w->rng, 1, 8) ? (uint16_t)fz_next(&w->rng) : (uint16_t)fz_below(&w->rng, 18);
        struct capos_xfer *x = (void *)send_alloc(w, 8u * CAPOS_MAX_XFER);
        if (x && fz_chance(&w->rng, 3, 4)) {
            for (int i = 0; i < CAPOS_MAX_XFER; i++) {
                struct cap xc;
                x[i].cap = pick_cap(w, &xc);
                x[i].mode = fz_chance(&w->rng, 1, 8) ? (uint32_t)fz_next(&w->rng)
                                                     : (uint32_t)fz_below(&w->rng, 2);
                /* A moved service facet would lose its size limit. */
                if ((xc.flags & F_NOBIG) && !enabled(FZ_JAM))
                    x[i].mode = CAPOS_XFER_COPY;
            }
            s->xfer_addr = (uint64_t)(uintptr_t)x;
        } else {
            s->xfer_addr = pick_read_addr(w, 8u * s->xfer_count);
        }
    }
    if (fz_chance(&w->rng, 1, 16))
        s->reserved = (uint16_t)fz_next(&w->rng);
    s->status =
        fz_chance(&w->rng, 1, 2) ? (int32_t)fz_below(&w->rng, 30) : (int32_t)fz_next(&w->rng);
    clamp_for(&c, s);
    defuse(w, s);
    if (s->opcode == CAPOS_OP_RELEASE) {
        op->what = W_RELEASE;
        op->aux = s->cap;
    }
}

/* ---- messages ---- */

/* Copies a built message into the send area, corrupting it when the
 * mutate class is drawn; returns its address and length. */
static bool msg_out(struct worker *w, struct capos_msg *m, bool mutate, uint64_t *addr,
                    uint32_t *len)
{
    const uint8_t *out;
    uint32_t n;
    if (capos_msg_finish(m, &out, &n) != CAPOS_OK)
        return false;
    uint32_t extra = mutate ? 64 : 0;
    uint8_t *p = send_alloc(w, n + extra);
    if (!p)
        return false;
    memcpy(p, out, n);
    if (mutate) {
        uint64_t *wd = (uint64_t *)(void *)p;
        uint32_t words = n / 8;
        for (uint32_t k = 1 + (uint32_t)fz_below(&w->rng, 3); k; k--) {
            uint32_t at = (uint32_t)fz_below(&w->rng, words);
            switch (fz_below(&w->rng, 9)) {
            case 0: n = (uint32_t)fz_below(&w->rng, n + 1); break; /* truncate */
            case 1:                                                /* extend with garbage */
                for (uint32_t i = 0; i < 8; i++)
                    wd[words + i] = fz_next(&w->rng);
                n += 8 * (1 + (uint32_t)fz_below(&w->rng, 8));
                break;
            case 2: wd[at] ^= 1ULL << fz_below(&w->rng, 64); break;
            case 3: /* segment count and size */
                wd[0] = fz_chance(&w->rng, 1, 2)
                            ? (uint64_t)pick_u32(w)
                            : (uint64_t)pick_u32(w) << 32 | fz_below(&w->rng, 3);
                break;
            case 4: /* struct pointer, far offset or huge sections */
                wd[at] = (uint64_t)pick_u32(w) << 32 | ((uint64_t)pick_u32(w) << 2 & 0xffffffffu);
                break;
            case 5: /* list pointer: any element size, huge count */
                wd[at] = (uint64_t)pick_u32(w) << 35 | (uint64_t)fz_below(&w->rng, 8) << 32 |
                         ((uint64_t)pick_u32(w) << 2 & 0xffffffffu) | 1;
                break;
            case 6: /* far pointer into a segment that may not exist */
                wd[at] = (uint64_t)fz_below(&w->rng, 4) << 32 |
                         ((uint64_t)pick_u32(w) << 3 & 0xffffffffu) | 2;
                break;
            case 7: /* capability pointer */ wd[at] = (uint64_t)pick_u32(w) << 32 | 3; break;
            default: /* a pointer to itself, or just before the segment */
                wd[at] = (uint64_t)(uint32_t)((-1 - (int32_t)fz_below(&w->rng, 3)) << 2);
                break;
            }
        }
        if (n > SEND_BYTES - 64)
            n = SEND_BYTES - 64;
    }
    *addr = (uint64_t)(uintptr_t)p;
    *len = n;
    return true;
}

/* Makes s a CALL of `method` of `iid` on `cap` whose result goes to op's
 * slot, with the message m (uncorrupted) as its parameters, or none if m is
 * NULL; an empty message goes without an address, as the kernel requires. */
static void call_slot(struct worker *w, struct capos_sqe *s, const struct op *op, uint32_t cap,
                      uint64_t iid, uint16_t method, struct capos_msg *m)
{
    capos_sqe_call(s, cap, iid, method, 0, 0, slot_of(w, op), SLOT_BYTES, 0, 0);
    if (m) {
        msg_out(w, m, false, &s->send_addr, &s->send_len);
        if (s->send_len == 0)
            s->send_addr = 0;
    }
}

/* Safe text for the console: lowercase letters and spaces only, so that
 * nothing written can look like a line the tests look for. */
static void safe_text(struct worker *w, char *buf, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++)
        buf[i] = fz_chance(&w->rng, 1, 8) ? ' ' : (char)('a' + fz_below(&w->rng, 26));
}

static uint64_t pick_vm_len(struct worker *w)
{
    if (enabled(FZ_VMHUGE) && fz_chance(&w->rng, 1, 8))
        return fz_chance(&w->rng, 1, 2) ? 1ULL << 40 : (fz_next(&w->rng) & ~4095ULL);
    switch (fz_below(&w->rng, 6)) {
    case 0: return 0;
    case 1: return 1 + fz_below(&w->rng, 8191); /* unaligned */
    case 2: return (64ULL << 20) + 4096;        /* above the quota */
    default: return (1 + fz_below(&w->rng, 64)) << 12;
    }
}

static uint64_t pick_vm_addr(struct worker *w)
{
    uint32_t i = (uint32_t)fz_below(&w->rng, REGIONS);
    switch (fz_below(&w->rng, 8)) {
    case 0: return 0;
    case 1: return region_base(i) + 1 + fz_below(&w->rng, 4095);
    case 2: { /* memory the kernel mapped, never through VirtualMemory */
        static const uint64_t fixed[] = {CAPOS_USER_CAPSET_VA, CAPOS_USER_RING_VA,
                                         CAPOS_USER_STACK_TOP - 4096, CAPOS_USER_MIN};
        return fz_chance(&w->rng, 1, 2) ? fixed[fz_below(&w->rng, 4)]
                                        : (uint64_t)(uintptr_t)ro_block;
    }
    case 3: return region_base(i) + (fz_below(&w->rng, 64) << 12);
    default: return region_base(i);
    }
}

static uint32_t pick_prot(struct worker *w)
{
    return fz_chance(&w->rng, 1, 6) ? pick_u32(w) : (uint32_t)fz_below(&w->rng, 8);
}

/* The thread capability for SchedulingPolicy.set: any cap, as a copy. */
static uint16_t one_xfer(struct worker *w, uint64_t *xaddr)
{
    struct capos_xfer *x = (void *)send_alloc(w, 8);
    if (!x)
        return 0;
    struct cap c;
    x->cap = pick_cap(w, &c);
    x->mode = CAPOS_XFER_COPY;
    *xaddr = (uint64_t)(uintptr_t)x;
    return 1;
}

/* The parameters of VirtualMemory.map, unmap or protect (`method`) of the
 * range [addr, addr + len); prot is for map and protect. */
static void vm_range_params(struct capos_msg *m, uint16_t method, uint64_t addr, uint64_t len,
                            uint32_t prot)
{
    if (method == capos_VirtualMemory_method_map)
        capos_VirtualMemory_map_encode_args(
            &m->b, &(capos_VirtualMemory_map_args){.addr = addr, .len = len, .prot = prot});
    else if (method == capos_VirtualMemory_method_unmap)
        capos_VirtualMemory_unmap_encode_args(
            &m->b, &(capos_VirtualMemory_unmap_args){.addr = addr, .len = len});
    else
        capos_VirtualMemory_protect_encode_args(
            &m->b, &(capos_VirtualMemory_protect_args){.addr = addr, .len = len, .prot = prot});
}

/* Builds the parameters of (kind, method) with boundary values; sets the
 * result kinds an ok completion brings. */
static void build_params(struct worker *w, enum kind k, uint16_t method, struct capos_msg *m,
                         struct op *op, uint64_t *xaddr, uint16_t *nx, bool *unsafe)
{
    char text[64];
    *unsafe = false;
    switch (k) {
    case K_CONSOLE: {
        uint32_t len = fz_chance(&w->rng, 1, 16) ? (fz_chance(&w->rng, 1, 2) ? 4096 : 4097)
                                                 : (uint32_t)fz_below(&w->rng, sizeof(text));
        char *big = len > sizeof(text) ? (char *)w->send : text;
        if (len > sizeof(text)) {
            /* Long writes come from the send area, all spaces. */
            uint8_t *p = send_alloc(w, len);
            if (!p)
                return;
            memset(p, ' ', len);
            big = (char *)p;
        } else {
            safe_text(w, text, len);
        }
        /* Whole lines only, so that nothing is glued to the next line of
         * the log. */
        if (len && method == capos_Console_method_write)
            big[len - 1] = '\n';
        if (method == capos_Console_method_write)
            capos_Console_write_Params_set_data(capos_Console_write_Params_init_root(&m->b), big,
                                                len);
        else
            capos_Console_writeLine_Params_set_text(capos_Console_writeLine_Params_init_root(&m->b),
                                                    big, len);
        break;
    }
    case K_TIMER:
        if (method == capos_Timer_method_now)
            op->check = R_NOW;
        if (method == capos_Timer_method_mapClock)
            op->check = R_CLOCK;
        if (method == capos_Timer_method_wallClock)
            op->check = R_WALL;
        if (method == capos_Timer_method_cpuTime)
            op->check = R_CPU;
        if (method == capos_Timer_method_sleepUntil) {
            /* Long past, just past, soon, or never (a sleep that outlives
             * its thread and is cancelled when the thread or process
             * ends). */
            uint64_t d;
            switch (fz_below(&w->rng, 6)) {
            case 0: d = fz_below(&w->rng, 2); break;
            case 1: d = w->last_now > MS ? w->last_now - fz_below(&w->rng, MS) : 0; break;
            case 2: d = fz_chance(&w->rng, 1, 2) ? ~0ULL : 1ULL << 63; break;
            case 3: d = pick_u64(w); break;
            default: d = w->last_now + fz_below(&w->rng, 3 * MS); break;
            }
            capos_Timer_sleepUntil_Params_set_deadline(
                capos_Timer_sleepUntil_Params_init_root(&m->b), d);
        }
        if (method == capos_Timer_method_sleep) {
            uint64_t ns = fz_chance(&w->rng, 1, 64) ? pick_u64(w) : fz_below(&w->rng, 3 * MS);
            capos_Timer_sleep_Params_set_ns(capos_Timer_sleep_Params_init_root(&m->b), ns);
        }
        break;
    case K_ENTROPY: {
        uint32_t len = pick_u32(w);
        capos_EntropySource_fill_Params_set_len(capos_EntropySource_fill_Params_init_root(&m->b),
                                                len);
        op->check = R_FILL;
        op->want = len;
        break;
    }
    case K_BOOT:
        if (method == capos_BootPackage_method_size)
            op->check = R_BOOTSIZE;
        if (method == capos_BootPackage_method_read) {
            capos_BootPackage_read_Params_builder p =
                capos_BootPackage_read_Params_init_root(&m->b);
            capos_BootPackage_read_Params_set_offset(p, pick_u64(w));
            capos_BootPackage_read_Params_set_len(p, pick_u32(w));
        }
        break;
    case K_VM:
        switch (method) {
        case capos_VirtualMemory_method_map: {
            uint64_t addr = pick_vm_addr(w), len = pick_vm_len(w);
            vm_range_params(m, method, addr, len, pick_prot(w));
            op->check = addr ? R_MAP_FIXED : R_MAP_AUTO;
            op->want = addr;
            /* Only maps in the fixed zone become regions: the kernel
             * picks addresses near the heap's chunks for the others. */
            if (addr >= ZONE && addr < ZONE + REGIONS * REGION_SPAN && len <= REGION_MAX) {
                op->what = W_MAP;
                op->aux = (uint32_t)((addr - ZONE) / REGION_SPAN);
                op->expect = (addr - region_base(op->aux)) + len;
            }
            break;
        }
        case capos_VirtualMemory_method_unmap:
        case capos_VirtualMemory_method_protect: {
            uint32_t i = (uint32_t)fz_below(&w->rng, REGIONS);
            uint64_t mapped = __atomic_load_n(&region_len[i], __ATOMIC_RELAXED);
            uint64_t addr = region_base(i), len = mapped;
            switch (fz_below(&w->rng, 6)) {
            case 0:
                addr += 4096;
                len = len > 8192 ? len - 8192 : 4096;
                break; /* the middle */
            case 1: len = 4096; break;
            case 2:
                addr += mapped > 4096 ? mapped - 4096 : 0;
                len = 4096;
                break;
            case 3: len += 4096; break; /* one page past the end */
            case 4:
                addr = pick_vm_addr(w);
                len = pick_vm_len(w);
                break;
            default: break;
            }
            vm_range_params(m, method, addr, len,
                            method == capos_VirtualMemory_method_protect ? pick_prot(w) : 0);
            break;
        }
        case capos_VirtualMemory_method_quota: op->check = R_QUOTA; break;
        case capos_VirtualMemory_method_limit: {
            uint64_t b = fz_chance(&w->rng, 1, 2) ? (fz_below(&w->rng, 4096) << 12) : pick_u64(w);
            capos_VirtualMemory_limit_Params_set_bytes(
                capos_VirtualMemory_limit_Params_init_root(&m->b), b);
            op->nres = 1;
            op->res[0] = K_VM;
            break;
        }
        default: break;
        }
        break;
    case K_EP_SERVER:
        capos_Endpoint_mintClient_Params_set_badge(
            capos_Endpoint_mintClient_Params_init_root(&m->b), pick_u64(w));
        op->nres = 1;
        op->res[0] = K_EP_CLIENT;
        break;
    case K_SPAWNER:
        if (method == capos_ProcessSpawner_method_createEndpoint) {
            op->nres = 2;
            op->res[0] = K_EP_SERVER;
            op->res[1] = K_EP_CLIENT;
        } else if (method == capos_ProcessSpawner_method_restrict) {
            static const char *const names[] = {
                "fuzz_child", "init",          "fuzz",        "",
                "fuzz child", "fuzz_innocent", "fuzz_childx", "\x01\x7f"};
            uint32_t n =
                fz_chance(&w->rng, 1, 8) ? pick_u32(w) % 100 : (uint32_t)fz_below(&w->rng, 4);
            struct capnp_list_builder l = capos_ProcessSpawner_restrict_Params_init_allowed(
                capos_ProcessSpawner_restrict_Params_init_root(&m->b), n);
            for (uint32_t i = 0; i < n; i++) {
                const char *s = names[fz_below(&w->rng, sizeof(names) / sizeof(names[0]))];
                capnp_lb_set_text(l, i, s, strlen(s));
            }
            op->nres = 1;
            op->res[0] = K_SPAWNER;
        } else {
            /* spawn with garbage: a grant list of random shapes. */
            capos_ProcessSpawner_spawn_Params_builder p =
                capos_ProcessSpawner_spawn_Params_init_root(&m->b);
            capos_ProcessSpawner_spawn_Params_set_binary(p, "fuzz_child", 10);
            capos_ProcessSpawner_spawn_Params_set_name(p, "fz-bad", 6);
            uint32_t ng = (uint32_t)fz_below(&w->rng, 4);
            capos_SpawnGrant_builder_list gl = capos_ProcessSpawner_spawn_Params_init_grants(p, ng);
            for (uint32_t i = 0; i < ng; i++) {
                capos_SpawnGrant_builder g = capos_SpawnGrant_list_at(gl, i);
                capos_SpawnGrant_set_name(g, i & 1 ? "thread" : "x", i & 1 ? 6 : 1);
                capos_SpawnGrant_set_cap(g, pick_u32(w));
            }
            /* argv of 0 words: the child would run with nothing to do, so
             * keep it refused (a bad grant above), or not built at all. */
            capos_ProcessSpawner_spawn_Params_init_argv(p, 1 + (uint32_t)fz_below(&w->rng, 2));
            *nx = one_xfer(w, xaddr);
            op->nres = 1;
            op->res[0] = K_PROC;
        }
        break;
    case K_TSPAWNER: {
        capos_ThreadSpawner_spawn_Params_builder p =
            capos_ThreadSpawner_spawn_Params_init_root(&m->b);
        /* In this binary's address space the idle entry runs anywhere. */
        uint64_t entry = (uint64_t)(uintptr_t)fz_idle_entry, stack = 0x20000000, tls = 0;
        switch (fz_below(&w->rng, 4)) {
        case 0: entry = pick_u64(w); break;
        case 1: stack = pick_u64(w); break;
        case 2: tls = pick_u64(w); break;
        default: break;
        }
        /* A bad entry or stack that passes the checks kills the process
         * it lands in; in our own only when that is the point. */
        bool user = entry >= CAPOS_USER_MIN && entry < CAPOS_USER_MAX && stack >= CAPOS_USER_MIN &&
                    stack < CAPOS_USER_MAX && tls < CAPOS_USER_MAX;
        if (user && entry != (uint64_t)(uintptr_t)fz_idle_entry)
            *unsafe = true;
        capos_ThreadSpawner_spawn_Params_set_entry(p, entry);
        capos_ThreadSpawner_spawn_Params_set_stack(p, stack);
        capos_ThreadSpawner_spawn_Params_set_tls(p, tls);
        capos_ThreadSpawner_spawn_Params_set_arg(p, pick_u64(w));
        capos_ThreadSpawner_spawn_Params_set_affinity(p,
                                                      fz_chance(&w->rng, 1, 2) ? 0 : pick_u64(w));
        if (fz_chance(&w->rng, 1, 2))
            capos_ThreadSpawner_spawn_Params_set_setTid(p, pick_word_addr(w));
        if (fz_chance(&w->rng, 1, 2))
            capos_ThreadSpawner_spawn_Params_set_clearTid(p, pick_word_addr(w));
        op->nres = 1;
        op->res[0] = K_THANDLE;
        break;
    }
    case K_THANDLE: break;
    case K_TCONTROL:
        switch (method) {
        case capos_ThreadControl_method_exit:
            capos_ThreadControl_exit_Params_set_code(
                capos_ThreadControl_exit_Params_init_root(&m->b), (int32_t)pick_u32(w));
            break;
        case capos_ThreadControl_method_setTls:
            /* Only bases the kernel must refuse: a good one would move
             * this thread's own TLS (that is not the kernel's problem). */
            capos_ThreadControl_setTls_Params_set_base(
                capos_ThreadControl_setTls_Params_init_root(&m->b),
                fz_chance(&w->rng, 1, 2) ? CAPOS_USER_MAX + pick_u32(w)
                                         : 0xffff800000000000ULL | pick_u64(w));
            break;
        case capos_ThreadControl_method_setAffinity:
            capos_ThreadControl_setAffinity_Params_set_mask(
                capos_ThreadControl_setAffinity_Params_init_root(&m->b),
                fz_chance(&w->rng, 1, 2) ? fz_below(&w->rng, 16) : pick_u64(w));
            break;
        case capos_ThreadControl_method_lowerWeight:
            capos_ThreadControl_lowerWeight_Params_set_weight(
                capos_ThreadControl_lowerWeight_Params_init_root(&m->b), pick_u32(w));
            break;
        case capos_ThreadControl_method_handle:
            op->nres = 1;
            op->res[0] = K_THANDLE;
            break;
        case capos_ThreadControl_method_setClearTid:
            /* The word is stored into when the thread exits: this
             * worker's when it retires (worker_retire), or a foreign
             * thread's (refused: notPermitted). */
            capos_ThreadControl_setClearTid_Params_set_addr(
                capos_ThreadControl_setClearTid_Params_init_root(&m->b), pick_word_addr(w));
            break;
        default: break;
        }
        break;
    case K_POLICY:
        if (method == capos_SchedulingPolicy_method_set) {
            capos_SchedulingPolicy_set_Params_builder p =
                capos_SchedulingPolicy_set_Params_init_root(&m->b);
            capos_SchedulingPolicy_set_Params_set_thread(p, fz_chance(&w->rng, 1, 4) ? pick_u32(w)
                                                                                     : 0);
            capos_SchedulingPolicy_set_Params_set_weight(p, pick_u32(w) % 70000);
            capos_SchedulingPolicy_set_Params_set_latencyClass(
                p, (enum capos_LatencyClass)fz_below(&w->rng, 3));
            *nx = one_xfer(w, xaddr);
        } else if (method == capos_SchedulingPolicy_method_restrict) {
            capos_SchedulingPolicy_restrict_Params_builder p =
                capos_SchedulingPolicy_restrict_Params_init_root(&m->b);
            capos_SchedulingPolicy_restrict_Params_set_maxWeight(p, pick_u32(w) % 70000);
            capos_SchedulingPolicy_restrict_Params_set_latency(p, fz_chance(&w->rng, 1, 2));
            op->nres = 1;
            op->res[0] = K_POLICY;
        }
        break;
    case K_PARK:
        if (method == capos_ParkSpace_method_wait) {
            capos_ParkSpace_wait_Params_builder p = capos_ParkSpace_wait_Params_init_root(&m->b);
            uint64_t addr;
            switch (fz_below(&w->rng, 4)) {
            case 0: addr = (uint64_t)(uintptr_t)&park_words[fz_below(&w->rng, 64)]; break;
            case 1: addr = region_addr(w, 4) & ~3ULL; break;
            case 2: addr = (uint64_t)(uintptr_t)&park_words[fz_below(&w->rng, 64)] + 1; break;
            default: addr = pick_read_addr(w, 4); break;
            }
            capos_ParkSpace_wait_Params_set_addr(p, addr);
            capos_ParkSpace_wait_Params_set_expected(p, fz_chance(&w->rng, 3, 4) ? 0 : pick_u32(w));
            /* Mostly short: a wait without a timeout holds its slot until
             * someone wakes the word. */
            capos_ParkSpace_wait_Params_set_timeoutNs(
                p, fz_chance(&w->rng, 1, 32) ? pick_u64(w) : 1 + fz_below(&w->rng, 2 * MS));
        } else {
            capos_ParkSpace_wake_Params_builder p = capos_ParkSpace_wake_Params_init_root(&m->b);
            uint64_t addr;
            switch (fz_below(&w->rng, 4)) {
            case 0: addr = region_addr(w, 4) & ~3ULL; break;
            case 1: /* where other programs keep their data: a wake must
                     * never reach a waiter of another process */
                addr = 0x400000 + (fz_below(&w->rng, 0x40000) << 2);
                break;
            default: addr = (uint64_t)(uintptr_t)&park_words[fz_below(&w->rng, 64)]; break;
            }
            capos_ParkSpace_wake_Params_set_addr(p, addr);
            capos_ParkSpace_wake_Params_set_count(p, pick_u32(w));
        }
        break;
    case K_PIPEF:
        op->nres = 2;
        op->res[0] = K_PREADER;
        op->res[1] = K_PWRITER;
        break;
    case K_PREADER:
    case K_PWRITER:
        if (method == 0) { /* read or write, on a buffer of any kind */
            uint32_t len = pick_pipe_len(w);
            uint64_t buf;
            if (k == K_PREADER) {
                buf = fz_chance(&w->rng, 1, 3) ? region_addr(w, len) : pick_write_addr(w, op, &len);
            } else {
                buf = fz_chance(&w->rng, 1, 3) ? region_addr(w, len) : pick_read_addr(w, len);
                if (fz_chance(&w->rng, 1, 3)) { /* the junk area, most of it */
                    buf = (uint64_t)(uintptr_t)junk;
                    len %= JUNK_BYTES + 1;
                }
            }
            bool nb = fz_chance(&w->rng, 1, 2);
            if (k == K_PREADER) {
                capos_PipeReader_read_Params_builder p =
                    capos_PipeReader_read_Params_init_root(&m->b);
                capos_PipeReader_read_Params_set_buf(p, buf);
                capos_PipeReader_read_Params_set_len(p, len);
                capos_PipeReader_read_Params_set_nonBlocking(p, nb);
            } else {
                capos_PipeWriter_write_Params_builder p =
                    capos_PipeWriter_write_Params_init_root(&m->b);
                capos_PipeWriter_write_Params_set_buf(p, buf);
                capos_PipeWriter_write_Params_set_len(p, len);
                capos_PipeWriter_write_Params_set_nonBlocking(p, nb);
            }
            op->check = R_PIPE_N;
            op->want = len;
        } else if (method == 1) { /* wait: the end's own events, the other's, or junk */
            uint32_t ev = fz_chance(&w->rng, 1, 8) ? pick_u32(w) : (uint32_t)fz_below(&w->rng, 4);
            bool nb = fz_chance(&w->rng, 1, 2);
            /* Same layout for both ends. */
            capos_PipeReader_wait_Params_builder p = capos_PipeReader_wait_Params_init_root(&m->b);
            capos_PipeReader_wait_Params_set_events(p, ev);
            capos_PipeReader_wait_Params_set_nonBlocking(p, nb);
            op->check = R_READY;
            op->want =
                capos_pipeHangup | (k == K_PREADER ? capos_pipeReadable : capos_pipeWritable);
        }
        break;
    case K_SERVICE:
    case K_EP_CLIENT:
    case K_PROC:
    case K_ANY:
    case K_NKINDS: break;
    }
}

/* Makes s a CALL of `method` of kind k's interface on `cap` with the
 * parameters build_params draws (and none of the capabilities it may
 * pick), its result into op's slot. */
static void typed_call(struct worker *w, struct capos_sqe *s, struct op *op, enum kind k,
                       uint32_t cap, uint16_t method)
{
    struct capos_msg m;
    capos_msg_init(&m);
    uint64_t xaddr = 0;
    uint16_t nx = 0;
    bool unsafe;
    build_params(w, k, method, &m, op, &xaddr, &nx, &unsafe);
    call_slot(w, s, op, cap, kind_iid[k], method, &m);
}

/* A call of a kernel method on a capability of (or said to be of) its
 * kind, with structured arguments. */
static void act_typed(struct worker *w, bool mutate, int force)
{
    static const uint8_t kernel_kinds[] = {
        K_CONSOLE,  K_TIMER,   K_ENTROPY,  K_BOOT,   K_VM,   K_EP_SERVER, K_SPAWNER, K_PROC,
        K_TSPAWNER, K_THANDLE, K_TCONTROL, K_POLICY, K_PARK, K_PIPEF,     K_PREADER, K_PWRITER};
    enum kind k = force >= 0 ? (enum kind)force
                             : (enum kind)kernel_kinds[fz_below(&w->rng, sizeof(kernel_kinds))];
    struct cap c;
    if (!pool_pick(&w->rng, (int)k, &c) && !pool_pick(&w->rng, -1, &c))
        return;
    /* The console prints what it gets: corrupt pointers could make it
     * print bytes that are not whole lines. */
    if (k == K_CONSOLE || c.kind == K_CONSOLE)
        mutate = false;
    uint16_t method = fz_chance(&w->rng, 1, 12) ? (uint16_t)(kind_methods[k] + fz_below(&w->rng, 4))
                                                : (uint16_t)fz_below(&w->rng, kind_methods[k]);
    /* This thread's own control: exit ends the worker, rarely. */
    if (k == K_TCONTROL && c.id == w->control && method == capos_ThreadControl_method_exit &&
        !fz_chance(&w->rng, 1, 50))
        method = capos_ThreadControl_method_yield;
    struct op *op;
    struct capos_sqe *s = prep(w, W_CAPS, &op);
    if (!s)
        return;
    struct capos_msg m;
    capos_msg_init(&m);
    uint64_t xaddr = 0;
    uint16_t nx = 0;
    bool unsafe = false;
    build_params(w, k, method, &m, op, &xaddr, &nx, &unsafe);
    /* What comes back is of the kinds expected only if the call went to
     * the object it was meant for. */
    op->trust = c.kind == k && (c.flags & F_TRUST) ? F_TRUST : 0;
    bool own_spawner = c.kind == K_TSPAWNER && (c.flags & F_OWN);
    if (unsafe && own_spawner && !enabled(FZ_SUICIDE)) {
        /* Turn it into one the kernel must refuse. */
        capos_msg_init(&m);
        build_params(w, K_TIMER, capos_Timer_method_now, &m, op, &xaddr, &nx, &unsafe);
        method = capos_ThreadSpawner_method_spawn + 7;
    }
    s->opcode = CAPOS_OP_CALL;
    s->cap = c.id;
    s->method = method;
    s->interface_id = fz_chance(&w->rng, 1, 10) ? pick_iid(w, &c) : kind_iid[k];
    msg_out(w, &m, mutate, &s->send_addr, &s->send_len);
    if (s->send_len == 0)
        s->send_addr = 0;
    uint32_t len = SLOT_BYTES;
    if (k == K_BOOT && fz_chance(&w->rng, 1, 2)) {
        s->recv_addr = (uint64_t)(uintptr_t)junk;
        len = JUNK_BYTES > CAPOS_MAX_MSG_BYTES ? CAPOS_MAX_MSG_BYTES : JUNK_BYTES;
        op->nres = 0;
    } else if (fz_chance(&w->rng, 1, 8)) {
        len = pick_len(w);
        s->recv_addr = pick_write_addr(w, op, &len);
        op->nres = 0; /* ids would land wherever */
    } else {
        s->recv_addr = (uint64_t)(uintptr_t)slot_of(w, op);
    }
    s->recv_len = len;
    if (op->what == W_MAP && s->recv_addr != (uint64_t)(uintptr_t)slot_of(w, op))
        op->what = W_PLAIN;
    /* A result is checked only for a call that surely went, as built, to
     * an object of the kind it was built for (the process's own memory,
     * for quota: limited facets have limits of their own). */
    if (mutate || c.kind != k || !(c.flags & F_TRUST) || s->interface_id != kind_iid[k] ||
        s->recv_addr != (uint64_t)(uintptr_t)slot_of(w, op) ||
        (op->check == R_QUOTA && !(c.flags & F_OWN)))
        op->check = R_NONE;
    s->xfer_addr = xaddr;
    s->xfer_count = nx;
    clamp_for(&c, s);
    defuse(w, s);
}

/* ---- transfers ---- */

static void act_xfer(struct worker *w)
{
    /* The target: an arena client mostly, the service, or a kernel spawner
     * or policy (which take capabilities too). */
    struct cap target;
    int want = fz_chance(&w->rng, 3, 4)   ? K_EP_CLIENT
               : fz_chance(&w->rng, 1, 2) ? K_SERVICE
                                          : K_SPAWNER;
    if (!pool_pick(&w->rng, want, &target) && !pool_pick(&w->rng, K_EP_CLIENT, &target))
        return;
    struct op *op;
    struct capos_sqe *s = prep(w, W_MOVE, &op);
    if (!s)
        return;
    uint32_t n = fz_chance(&w->rng, 1, 16) ? 17 : (uint32_t)fz_below(&w->rng, 6);
    struct capos_xfer *x = (void *)send_alloc(w, 8 * 17);
    struct fz_arena_msg *msg = (void *)send_alloc(w, sizeof(*msg));
    if (!x || !msg) {
        s->opcode = CAPOS_OP_NOP;
        op->what = W_PLAIN;
        return;
    }
    memset(msg, 0, sizeof(*msg));
    msg->magic = FZ_ARENA_MAGIC;
    for (uint32_t i = 0; i < n; i++) {
        struct cap c = {0};
        uint32_t mode = fz_chance(&w->rng, 1, 3) ? CAPOS_XFER_MOVE : CAPOS_XFER_COPY;
        switch (fz_below(&w->rng, 10)) {
        case 0: pick_cap(w, &c); break; /* dead, forged, zero or held */
        case 1: c = target; break;      /* the target itself */
        case 2:                         /* a duplicate of an earlier one */
            if (i > 0) {
                uint32_t d = (uint32_t)fz_below(&w->rng, i);
                c.id = x[d].cap;
                c.kind = d < CAPOS_MAX_XFER ? msg->kinds[d] : K_ANY;
            } else {
                pool_pick(&w->rng, -1, &c);
            }
            break;
        case 3: pool_pick(&w->rng, K_EP_SERVER, &c); break; /* maybe the arena's own server */
        case 4:
            mode = (uint32_t)fz_next(&w->rng);
            pool_pick(&w->rng, -1, &c);
            break;
        default: pool_pick(&w->rng, -1, &c); break;
        }
        if (c.id == report_cap)
            c.id = 0;
        /* The kinds travel as a claim: receivers trust none of them (calls
         * on what arrives stay small, in case it is the service). */
        x[i].cap = c.id;
        x[i].mode = mode;
        if (i < CAPOS_MAX_XFER)
            msg->kinds[i] = c.kind;
        if (mode == CAPOS_XFER_MOVE && op->nmoved < 4)
            op->moved[op->nmoved++] = c.id;
    }
    msg->n = n;
    op->aux = n;
    capos_sqe_call(s, target.id, kind_iid[target.kind], (uint16_t)fz_below(&w->rng, 3), msg,
                   sizeof(*msg), slot_of(w, op), SLOT_BYTES, 0, 0);
    s->xfer_addr = (uint64_t)(uintptr_t)x;
    s->xfer_count = (uint16_t)n;
    if (target.kind == K_SPAWNER) {
        /* ProcessSpawner.spawn with the capabilities unnamed: refused. */
        s->interface_id = capos_ProcessSpawner_INTERFACE_ID;
        s->method = capos_ProcessSpawner_method_spawn;
    }
}

/* ---- serving on the arenas ---- */

static void act_server(struct worker *w)
{
    struct cap srv;
    if (!pool_pick(&w->rng, K_EP_SERVER, &srv))
        return;
    struct op *op;
    if (w->ntokens == 0 || fz_chance(&w->rng, 1, 2)) {
        struct capos_sqe *s = prep(w, W_RECV, &op);
        if (!s)
            return;
        s->opcode = CAPOS_OP_RECV;
        s->cap = srv.id;
        op->aux = srv.id;
        uint32_t len = fz_chance(&w->rng, 1, 6) ? pick_len(w) : SLOT_BYTES;
        if (fz_chance(&w->rng, 1, 6)) {
            s->recv_addr = pick_write_addr(w, op, &len);
            if (s->recv_addr != (uint64_t)(uintptr_t)slot_of(w, op))
                op->what = W_PLAIN;
        } else {
            if (len > SLOT_BYTES)
                len = SLOT_BYTES;
            s->recv_addr = (uint64_t)(uintptr_t)slot_of(w, op);
        }
        s->recv_len = len;
        if (len == 0)
            s->recv_addr = 0;
        return;
    }
    /* RETURN: a real token (once, or again), a forged one, or one of
     * another server facet. */
    struct capos_sqe *s = prep(w, W_PLAIN, &op);
    if (!s)
        return;
    uint32_t t = (uint32_t)fz_below(&w->rng, w->ntokens);
    s->opcode = CAPOS_OP_RETURN;
    s->cap = fz_chance(&w->rng, 7, 8) ? w->token_server[t] : srv.id;
    switch (fz_below(&w->rng, 6)) {
    case 0: s->token = fz_next(&w->rng); break;
    case 1: s->token = w->tokens[t] + (1ULL << 32); break;
    case 2: s->token = w->tokens[t] ^ 1; break;
    default: s->token = w->tokens[t]; break;
    }
    s->status = fz_chance(&w->rng, 2, 3) ? 0 : (int32_t)pick_u32(w);
    if (fz_chance(&w->rng, 1, 2)) {
        s->send_len = fz_chance(&w->rng, 1, 8) ? pick_len(w) : (uint32_t)fz_below(&w->rng, 256);
        s->send_addr = pick_read_addr(w, s->send_len);
    }
    if (fz_chance(&w->rng, 1, 3)) {
        struct capos_xfer *x = (void *)send_alloc(w, 8 * 4);
        if (x) {
            uint16_t n = (uint16_t)(1 + fz_below(&w->rng, 4));
            for (uint16_t i = 0; i < n; i++) {
                struct cap c;
                x[i].cap = pick_cap(w, &c);
                x[i].mode = fz_chance(&w->rng, 1, 4) ? CAPOS_XFER_MOVE : CAPOS_XFER_COPY;
                if (x[i].cap == report_cap)
                    x[i].cap = 0;
            }
            s->xfer_addr = (uint64_t)(uintptr_t)x;
            s->xfer_count = n;
        }
    }
    /* Forget a token now and then (the call is answered by the process's
     * death instead). */
    if (fz_chance(&w->rng, 1, 2)) {
        w->tokens[t] = w->tokens[--w->ntokens];
        w->token_server[t] = w->token_server[w->ntokens];
    }
}

/* ---- the innocent's service ---- */

static void act_innocent(struct worker *w)
{
    struct cap svc;
    if (!pool_pick(&w->rng, K_SERVICE, &svc))
        return;
    struct op *op;
    /* Only a facet known to be the service can be held to its answers. */
    struct capos_sqe *s = prep(w, (svc.flags & F_TRUST) ? W_SERVICE : W_PLAIN, &op);
    if (!s)
        return;
    if (enabled(FZ_JAM) && fz_chance(&w->rng, 1, 8)) {
        /* Larger than any receive buffer of the innocent: garbage from
         * the junk area, only the result counts. */
        op->what = W_PLAIN;
        s->opcode = CAPOS_OP_CALL;
        s->cap = svc.id;
        s->interface_id = FZ_SERVICE_IID;
        s->send_addr = (uint64_t)(uintptr_t)junk;
        s->send_len = CAPOS_MAX_MSG_BYTES - (uint32_t)fz_below(&w->rng, 2048);
        return;
    }
    bool jam = false;
    uint32_t plen = (uint32_t)fz_below(&w->rng, FZ_SERVICE_MAX - 64);
    struct fz_service_req *q = (void *)send_alloc(w, sizeof(*q) + plen);
    if (!q) {
        s->opcode = CAPOS_OP_NOP;
        op->what = W_PLAIN;
        return;
    }
    q->magic = FZ_SERVICE_MAGIC;
    q->seq = (uint32_t)w->seq;
    q->len = plen;
    q->nonce = fz_next(&w->rng);
    for (uint32_t i = 0; i < plen; i++)
        q->payload[i] = (uint8_t)fz_next(&w->rng);
    capos_sqe_call(s, svc.id, FZ_SERVICE_IID, 0, q, (uint32_t)sizeof(*q) + plen, slot_of(w, op),
                   SLOT_BYTES, 0, 0);
    op->aux = q->seq;
    op->expect = fz_service_hash(q);
    if (jam || fz_chance(&w->rng, 1, 4)) {
        /* Garbage of the same size, or a wrong method or interface: only
         * the result code is counted. */
        op->what = W_PLAIN;
        switch (fz_below(&w->rng, 3)) {
        case 0: q->magic ^= 1; break;
        case 1: s->method = (uint16_t)(1 + fz_below(&w->rng, 100)); break;
        default: s->interface_id = fz_next(&w->rng); break;
        }
        if (fz_chance(&w->rng, 1, 3)) {
            struct capos_xfer *x = (void *)send_alloc(w, 8 * 2);
            struct cap c;
            if (x && pool_pick(&w->rng, -1, &c) && c.id != svc.id) {
                x[0].cap = c.id;
                x[0].mode = CAPOS_XFER_COPY;
                s->xfer_addr = (uint64_t)(uintptr_t)x;
                s->xfer_count = 1;
            }
        }
    }
}

/* ---- stale ids ---- */

static void act_stale(struct worker *w)
{
    uint32_t id;
    if (!dead_pick(&w->rng, &id))
        return;
    struct op *op;
    struct capos_sqe *s = prep(w, W_STALE, &op);
    if (!s)
        return;
    op->aux = id;
    s->cap = id;
    if (fz_chance(&w->rng, 1, 2)) {
        s->opcode = CAPOS_OP_RELEASE;
    } else {
        s->opcode = CAPOS_OP_CALL;
        s->interface_id = kind_iid[1 + fz_below(&w->rng, K_NKINDS - 1)];
    }
}

/* ---- deliberate releases ---- */

/* A RELEASE of `cap`, queued behind whatever this worker queued on it. */
static void release_op(struct worker *w, uint32_t cap)
{
    struct op *op;
    struct capos_sqe *s = prep(w, W_RELEASE, &op);
    if (!s)
        return;
    s->opcode = CAPOS_OP_RELEASE;
    s->cap = cap;
    op->aux = cap;
}

static void act_release(struct worker *w)
{
    struct cap c;
    if (pool_pick(&w->rng, -1, &c))
        release_op(w, c.id);
}

/* ---- threads ---- */

static int worker_main(void *arg);

static struct worker *worker_new(uint64_t stream)
{
    uint32_t i = __atomic_fetch_add(&nworkers_used, 1, __ATOMIC_ACQ_REL);
    if (i >= MAX_WORKERS)
        return 0;
    struct worker *w = i < STATIC_WORKERS ? &static_workers[i] : calloc(1, sizeof(*w));
    if (!w)
        return 0;
    w->idx = i;
    w->rng = fz_mix(seed ^ fz_mix(stream));
    __atomic_store_n(&workers[i], w, __ATOMIC_RELEASE);
    return w;
}

/* Makes the calling worker's clear-tid word a hostile one before it
 * exits: any word pick_word_addr gives, or a word of a region that is
 * unmapped (or made read-only) just before the exit, so that the kernel's
 * store at exit finds nothing, or a page it may not write.  Other workers
 * may be parked on the word (act_posix). */
static void hostile_clear_tid(struct worker *w)
{
    uint64_t word = pick_word_addr(w);
    if (own_memory && fz_chance(&w->rng, 1, 3)) {
        uint32_t i = (uint32_t)fz_below(&w->rng, REGIONS);
        uint64_t base = region_base(i);
        uint64_t got;
        if (capos_vm_map(own_memory, base, 4096, CAPOS_PROT_READ | CAPOS_PROT_WRITE, &got) ==
            CAPOS_OK)
            __atomic_store_n(&region_len[i], 4096, __ATOMIC_RELAXED);
        word = base + (fz_below(&w->rng, 1024) << 2);
    }
    struct capos_msg m;
    capos_msg_init(&m);
    capos_ThreadControl_setClearTid_Params_set_addr(
        capos_ThreadControl_setClearTid_Params_init_root(&m.b), word);
    capos_client_call(w->control, capos_ThreadControl_INTERFACE_ID,
                      capos_ThreadControl_method_setClearTid, &m, 0, 0, 0);
    if (own_memory && word >= ZONE && word < ZONE + REGIONS * REGION_SPAN) {
        uint64_t page = word & ~4095ULL;
        if (fz_chance(&w->rng, 1, 2))
            capos_vm_unmap(own_memory, page, 4096);
        else
            capos_vm_protect(own_memory, page, 4096, CAPOS_PROT_READ);
    }
    reap(w);
}

static void worker_retire(struct worker *w)
{
    if (enabled(FZ_POSIX) && fz_chance(&w->rng, 1, 2))
        hostile_clear_tid(w);
    struct worker *n = worker_new(fz_next(&w->rng));
    if (n &&
        capos_thread_create(&n->t, worker_main, n,
                            &(struct capos_thread_opts){.stack_size = 48 * 1024}) == CAPOS_OK) {
        w->n.threads++;
        pool_add(n->t->handle, K_THANDLE, F_TRUST);
    }
    struct capos_msg m;
    capos_msg_init(&m);
    capos_ThreadControl_exit_Params_set_code(capos_ThreadControl_exit_Params_init_root(&m.b), 0);
    capos_client_call(w->control, capos_ThreadControl_INTERFACE_ID, capos_ThreadControl_method_exit,
                      &m, 0, 0, 0);
    /* Refused (the control was released by a worker): idle instead. */
    for (;;)
        raw_syscall(CAPOS_SYS_CAP_ENTER, CAPOS_RING_CQ_ENTRIES, 100 * MS);
}

static void act_threads(struct worker *w)
{
    switch (fz_below(&w->rng, 6)) {
    case 0: { /* another worker, pinned or not */
        struct worker *n = worker_new(fz_next(&w->rng));
        if (!n)
            break;
        uint64_t aff = fz_chance(&w->rng, 1, 2) ? 0 : 1ULL << fz_below(&w->rng, 4);
        int r = capos_thread_create(
            &n->t, worker_main, n,
            &(struct capos_thread_opts){.stack_size = 48 * 1024, .affinity = aff});
        reap(w); /* the synchronous call may have stashed completions */
        if (r == CAPOS_OK) {
            w->n.threads++;
            pool_add(n->t->handle, K_THANDLE, F_TRUST);
        }
        break;
    }
    case 1: { /* an idle thread through any ThreadSpawner we hold */
        struct cap c;
        struct op *op;
        struct capos_sqe *s = prep_pick(w, K_TSPAWNER, W_CAPS, &c, &op);
        if (!s)
            break;
        struct capos_msg m;
        capos_msg_init(&m);
        capos_ThreadSpawner_spawn_Params_builder p =
            capos_ThreadSpawner_spawn_Params_init_root(&m.b);
        capos_ThreadSpawner_spawn_Params_set_entry(p, (uint64_t)(uintptr_t)fz_idle_entry);
        capos_ThreadSpawner_spawn_Params_set_stack(p, 0x20000000);
        capos_ThreadSpawner_spawn_Params_set_affinity(p, fz_below(&w->rng, 16));
        call_slot(w, s, op, c.id, capos_ThreadSpawner_INTERFACE_ID,
                  capos_ThreadSpawner_method_spawn, &m);
        op->nres = 1;
        op->res[0] = K_THANDLE;
        op->trust = c.flags & F_TRUST;
        w->n.threads++;
        break;
    }
    default: { /* join, info, or a control method, on whatever we hold */
        struct cap c;
        int want = fz_chance(&w->rng, 1, 2) ? K_THANDLE : K_TCONTROL;
        if (!pool_pick(&w->rng, want, &c))
            break;
        struct op *op;
        struct capos_sqe *s = prep(w, W_CAPS, &op);
        if (!s)
            break;
        uint16_t method = (uint16_t)fz_below(&w->rng, kind_methods[want]);
        if (want == K_TCONTROL && c.id == w->control && method == capos_ThreadControl_method_exit)
            method = capos_ThreadControl_method_yield;
        typed_call(w, s, op, (enum kind)want, c.id, method);
        defuse(w, s);
        break;
    }
    }
}

/* ---- pipes ---- */

/* Pipes this process made, by their two ends (either may be released,
 * moved away or handed to a grandchild by now: the kernel's answers are
 * what count). */
#define PIPES 16
static uint32_t pipe_r[PIPES], pipe_w[PIPES];
static uint32_t npipes;

/* One pipe operation on end `cap` (of kind k), queued on the ring. */
static void pipe_op(struct worker *w, enum kind k, uint32_t cap, uint16_t method)
{
    struct op *op;
    struct capos_sqe *s = prep(w, W_PLAIN, &op);
    if (s)
        typed_call(w, s, op, k, cap, method);
}

/*
 * Pipes under pressure: blocking reads, writes and waits queued on an end
 * (into buffers of every kind, regions that other workers unmap among
 * them) and then, in the same batch or by another worker or process, one
 * end or both released, moved over an arena, handed to a grandchild, or
 * left to the end of the process; waits cancelled by their own thread
 * and by others; the per-pipe queue limit reached by several threads at
 * once; and pipes made until the quota says no.  The ends are in the
 * capability pool, so every other class (xfer, procs, typed, raw) uses
 * them too.
 */
static void act_pipe(struct worker *w)
{
    struct cap f;
    uint32_t i;
    lock();
    uint32_t have = npipes < PIPES ? npipes : PIPES;
    unlock();
    if (have == 0 || fz_chance(&w->rng, 1, 6)) {
        if (!pool_pick(&w->rng, K_PIPEF, &f))
            return;
        uint8_t res[256] __attribute__((aligned(8)));
        uint32_t len = 0;
        int r = capos_client_call(f.id, capos_PipeFactory_INTERFACE_ID,
                                  capos_PipeFactory_method_create, 0, res, sizeof(res), &len);
        reap(w);
        w->n.submitted++;
        w->n.completed++;
        if (r != CAPOS_OK || CAPOS_CAPS_OFFSET(len) + 8 > sizeof(res)) {
            if ((uint32_t)r < FZ_NCODES)
                w->n.result[r]++;
            return;
        }
        w->n.result[CAPOS_OK]++;
        const uint32_t *ids = (const uint32_t *)(const void *)(res + CAPOS_CAPS_OFFSET(len));
        pool_add(ids[0], K_PREADER, F_TRUST);
        pool_add(ids[1], K_PWRITER, F_TRUST);
        lock();
        i = npipes++ % PIPES;
        pipe_r[i] = ids[0];
        pipe_w[i] = ids[1];
        have = npipes < PIPES ? npipes : PIPES;
        unlock();
    }
    lock();
    i = (uint32_t)fz_below(&w->rng, have);
    uint32_t rd = pipe_r[i], wr = pipe_w[i];
    unlock();
    switch (fz_below(&w->rng, 6)) {
    case 0:   /* blocked readers, then the writer (or the reader) goes */
    case 1: { /* blocked writers behind a full buffer, then the reader goes */
        bool reads = fz_chance(&w->rng, 1, 2);
        uint32_t n = 1 + (uint32_t)fz_below(&w->rng, 12);
        for (uint32_t k = 0; k < n; k++) {
            if (fz_chance(&w->rng, 1, 4))
                pipe_op(w, reads ? K_PREADER : K_PWRITER, reads ? rd : wr, 1); /* a wait */
            else
                pipe_op(w, reads ? K_PREADER : K_PWRITER, reads ? rd : wr, 0);
        }
        if (fz_chance(&w->rng, 1, 2))
            release_op(w, fz_chance(&w->rng, 2, 3) ? (reads ? wr : rd) : (reads ? rd : wr));
        break;
    }
    case 2: { /* waits, then cancelWaits from this thread (or not) */
        uint32_t n = 1 + (uint32_t)fz_below(&w->rng, 8);
        enum kind k = fz_chance(&w->rng, 1, 2) ? K_PREADER : K_PWRITER;
        for (uint32_t j = 0; j < n; j++)
            pipe_op(w, k, k == K_PREADER ? rd : wr, 1);
        if (fz_chance(&w->rng, 3, 4))
            pipe_op(w, k, k == K_PREADER ? rd : wr, 2);
        if (fz_chance(&w->rng, 1, 4))
            pipe_op(w, k, k == K_PREADER ? wr : rd, 2); /* the wrong end, or a stale id */
        break;
    }
    case 3: { /* toward the queue limit: many blocking reads or writes */
        uint32_t n = 20 + (uint32_t)fz_below(&w->rng, 30);
        for (uint32_t k = 0; k < n; k++)
            pipe_op(w, K_PREADER, rd, 0);
        break;
    }
    case 4: /* both ends gone at once, with work queued on them */
        pipe_op(w, K_PREADER, rd, (uint16_t)fz_below(&w->rng, 2));
        pipe_op(w, K_PWRITER, wr, (uint16_t)fz_below(&w->rng, 2));
        release_op(w, rd);
        release_op(w, wr);
        break;
    default: /* anything on any end of it */
        pipe_op(w, fz_chance(&w->rng, 1, 2) ? K_PREADER : K_PWRITER,
                fz_chance(&w->rng, 1, 2) ? rd : wr, (uint16_t)fz_below(&w->rng, 4));
        break;
    }
    enter(w, 0, 0);
}

/*
 * The rest of the POSIX interfaces: the clock page mapped and then
 * VirtualMemory aimed at it (every such call must be refused: the page is
 * outside what VirtualMemory manages), clock reads from the page racing
 * those calls, sleepUntil in the far past and the far future, cpuTime and
 * wallClock, waits on the words other workers will use as their clear-tid
 * words, and a worker retiring at once with a hostile clear-tid word.
 */
static void act_posix(struct worker *w)
{
    switch (fz_below(&w->rng, 5)) {
    case 0: { /* the clock page, then VirtualMemory over it */
        struct cap t;
        if (!pool_pick(&w->rng, K_TIMER, &t))
            break;
        uint8_t res[64] __attribute__((aligned(8)));
        uint32_t len = 0;
        int r = capos_client_call(t.id, capos_Timer_INTERFACE_ID, capos_Timer_method_mapClock, 0,
                                  res, sizeof(res), &len);
        reap(w);
        if (r != CAPOS_OK || !own_memory)
            break;
        /* Read it: seq, version and mode are the kernel's. */
        const volatile struct capos_clock_page *pg =
            (const volatile struct capos_clock_page *)(uintptr_t)CAPOS_USER_CLOCK_VA;
        if (pg->version != 1)
            child_fail("the clock page says version %u", pg->version);
        uint32_t n = 1 + (uint32_t)fz_below(&w->rng, 3);
        for (uint32_t k = 0; k < n; k++) {
            struct op *op;
            struct capos_sqe *s = prep(w, W_REFUSE, &op);
            if (!s)
                break;
            struct capos_msg m;
            capos_msg_init(&m);
            uint16_t method = (uint16_t)fz_below(&w->rng, 3);
            uint64_t addr = CAPOS_USER_CLOCK_VA - (fz_chance(&w->rng, 1, 3) ? 4096 : 0);
            uint64_t l = fz_chance(&w->rng, 1, 2) ? 4096 : 8192;
            vm_range_params(&m, method, addr, l, CAPOS_PROT_READ | CAPOS_PROT_WRITE);
            call_slot(w, s, op, own_memory, capos_VirtualMemory_INTERFACE_ID, method, &m);
            op->aux = method;
        }
        enter(w, 0, 0);
        if (pg->version != 1)
            child_fail("the clock page says version %u after VirtualMemory calls", pg->version);
        break;
    }
    case 1: /* sleepUntil, wallClock, cpuTime, mapClock */
        for (uint32_t k = 1 + (uint32_t)fz_below(&w->rng, 4); k; k--)
            act_typed(w, false, K_TIMER);
        break;
    case 2: { /* park on a word a retiring worker may take as its clear-tid */
        struct cap c;
        struct op *op;
        struct capos_sqe *s = prep_pick(w, K_PARK, W_PLAIN, &c, &op);
        if (!s)
            break;
        struct capos_msg m;
        capos_msg_init(&m);
        capos_ParkSpace_wait_Params_builder p = capos_ParkSpace_wait_Params_init_root(&m.b);
        uint32_t *word = &park_words[fz_below(&w->rng, 64)];
        capos_ParkSpace_wait_Params_set_addr(p, (uint64_t)(uintptr_t)word);
        capos_ParkSpace_wait_Params_set_expected(p, __atomic_load_n(word, __ATOMIC_RELAXED));
        capos_ParkSpace_wait_Params_set_timeoutNs(p, 1 + fz_below(&w->rng, 20 * MS));
        call_slot(w, s, op, c.id, capos_ParkSpace_INTERFACE_ID, capos_ParkSpace_method_wait, &m);
        /* Nonzero again, so that the next clear-tid store changes it. */
        if (fz_chance(&w->rng, 1, 2))
            __atomic_store_n(word, 1 + (uint32_t)fz_below(&w->rng, 1000), __ATOMIC_RELAXED);
        enter(w, 0, 0);
        break;
    }
    case 3: /* setClearTid, setTid and clearTid at spawn */
        act_typed(w, false, fz_chance(&w->rng, 1, 2) ? K_TCONTROL : K_TSPAWNER);
        break;
    default: /* end this worker now, with a hostile clear-tid word */
        if (!w->is_main && fz_chance(&w->rng, 1, 4))
            worker_retire(w);
        break;
    }
}

/* ---- grandchildren ---- */

static int spawn_grandchild(struct worker *w, const char *role, uint32_t *handle)
{
    struct cap launch;
    if (!pool_pick(&w->rng, K_SPAWNER, &launch))
        return CAPOS_ERR_NOT_FOUND;
    struct capos_grant g[8];
    char names[8][8];
    uint32_t ng = 0;
    g[ng++] = (struct capos_grant){.name = "report", .cap = report_cap, .mode = CAPOS_XFER_COPY};
    if (clock_cap)
        g[ng++] = (struct capos_grant){.name = "clock", .cap = clock_cap, .mode = CAPOS_XFER_COPY};
    if (role[0] == 'r') {
        g[ng++] =
            (struct capos_grant){.name = "victim", .cap = own_threads, .mode = CAPOS_XFER_COPY};
    } else {
        uint32_t want = (uint32_t)fz_below(&w->rng, 6);
        for (uint32_t i = 0; i < want && ng < 8; i++) {
            struct cap c;
            if (!pool_pick(&w->rng, -1, &c))
                break;
            bool dup = false;
            for (uint32_t k = 0; k < ng; k++)
                dup |= g[k].cap == c.id;
            if (dup)
                continue;
            fmt_snprintf(names[ng], sizeof(names[ng]), "g%u", ng);
            bool move = fz_chance(&w->rng, 1, 4) && !(c.flags & F_NOBIG);
            g[ng] =
                (struct capos_grant){.name = names[ng],
                                     .cap = c.id,
                                     .mode = move ? CAPOS_XFER_MOVE : CAPOS_XFER_COPY,
                                     .interface_id = (c.flags & F_TRUST) ? kind_iid[c.kind] : 0};
            ng++;
        }
    }
    char seed_s[24], classes_s[16], index_s[16], life_s[16];
    fmt_snprintf(seed_s, sizeof(seed_s), "%#lx", (unsigned long)fz_next(&w->rng));
    fmt_snprintf(classes_s, sizeof(classes_s), "%#x", classes);
    fmt_snprintf(index_s, sizeof(index_s), "%u", child_index);
    fmt_snprintf(life_s, sizeof(life_s), "%lu",
                 (unsigned long)(50 + fz_below(&w->rng, GC_LIFE_MAX - 50)));
    const char *argv[] = {"fuzz_child", seed_s, classes_s, index_s, life_s, "1", role};
    char name[24];
    fmt_snprintf(name, sizeof(name), "fz-%u-g", child_index);
    int r = capos_spawn(launch.id, "fuzz_child", name, g, ng, argv, sizeof(argv) / sizeof(argv[0]),
                        0, 0, handle);
    reap(w);
    if (r == CAPOS_OK) {
        w->n.procs++;
        for (uint32_t i = 0; i < ng; i++) {
            if (g[i].mode == CAPOS_XFER_MOVE)
                pool_kill(g[i].cap);
        }
    }
    return r;
}

static void act_procs(struct worker *w)
{
    if (depth > 0)
        return;
    switch (fz_below(&w->rng, 4)) {
    case 0:
    case 1: {
        uint32_t h;
        if (spawn_grandchild(w, "fuzz", &h) == CAPOS_OK)
            pool_add(h, K_PROC, F_TRUST);
        break;
    }
    default: { /* kill or wait one */
        struct cap c;
        struct op *op;
        struct capos_sqe *s = prep_pick(w, K_PROC, W_PLAIN, &c, &op);
        if (!s)
            break;
        call_slot(w, s, op, c.id, capos_ProcessHandle_INTERFACE_ID, (uint16_t)fz_below(&w->rng, 2),
                  0);
        break;
    }
    }
}

/* ---- RFLAGS ---- */

/* User mode always runs with interrupts on, IOPL 0 (no port I/O, no
 * cli) and outside virtual-8086 mode, whatever a process tried and
 * however the kernel returned to it (sysret, or iretq after an interrupt
 * or a block). */
static void check_user_flags(uint64_t f, const char *where)
{
    if (!(f & RF_IF) || (f & (RF_IOPL | RF_VM)))
        child_fail("RFLAGS %#lx in user mode after %s", (unsigned long)f, where);
}

/* The instructions around a piece of code run with RFLAGS |= %[bits] and
 * &= %[keep]: FLAGS_SET saves the flags and sets them, FLAGS_RESTORE puts
 * them as they were at the end in %[f] and restores the saved ones.  The
 * red zone below the stack pointer is stepped over. */
#define FLAGS_SET                                                                                  \
    "subq $128, %%rsp\n\t"                                                                         \
    "pushfq\n\t"                                                                                   \
    "pushfq\n\t"                                                                                   \
    "orq %[bits], (%%rsp)\n\t"                                                                     \
    "andq %[keep], (%%rsp)\n\t"                                                                    \
    "popfq\n\t"
#define FLAGS_RESTORE                                                                              \
    "pushfq\n\t"                                                                                   \
    "popq %[f]\n\t"                                                                                \
    "popfq\n\t"                                                                                    \
    "addq $128, %%rsp\n\t"

/* cap_enter with extra RFLAGS bits set (and `clear` cleared) from just
 * before the system call to just after it; the flags are restored before
 * any C code runs, and returned in *after as they were on return.  Bits
 * user mode cannot change (IOPL, IF) stay as they were.  The red zone
 * below the stack pointer is stepped over. */
static int64_t enter_with_flags(uint64_t bits, uint64_t clear, uint32_t min, uint64_t timeout,
                                uint64_t *after)
{
    int64_t ret;
    uint64_t f;
    __asm__ volatile(FLAGS_SET "syscall\n\t" FLAGS_RESTORE
                     : "=a"(ret), [f] "=&r"(f)
                     : "a"((uint64_t)CAPOS_SYS_CAP_ENTER), "D"((uint64_t)min),
                       "S"(timeout), [bits] "r"(bits), [keep] "r"(~clear)
                     : "rcx", "r11", "memory", "cc");
    *after = f;
    return ret;
}

/* Spins with the bits set (and `clear` cleared), so that timer interrupts
 * arrive with them; returns the flags as they were at the end. */
static uint64_t spin_with_flags(uint64_t bits, uint64_t clear, uint64_t loops)
{
    uint64_t f;
    __asm__ volatile(FLAGS_SET "1: decq %[n]\n\t"
                               "jnz 1b\n\t" FLAGS_RESTORE
                     : [n] "+r"(loops), [f] "=&r"(f)
                     : [bits] "r"(bits), [keep] "r"(~clear)
                     : "memory", "cc");
    return f;
}

static void act_flags(struct worker *w, bool nt)
{
    static const uint64_t choice[] = {
        RF_DF, RF_AC, RF_RF, RF_ID, RF_DF | RF_AC, RF_DF | RF_AC | RF_RF | RF_ID, RF_IOPL};
    uint64_t bits = choice[fz_below(&w->rng, sizeof(choice) / sizeof(choice[0]))];
    /* Attempts to turn interrupts off (ignored at IOPL 0, as IOPL is). */
    uint64_t clear = fz_chance(&w->rng, 1, 4) ? RF_IF : 0;
    if (nt)
        bits |= RF_NT;
    /* Odd FPU control state too, now and then: any defined MXCSR bits
     * (exceptions unmasked, other rounding, flush-to-zero) and any x87
     * control word.  This code does no floating point meanwhile. */
    bool fpu = fz_chance(&w->rng, 1, 3);
    uint32_t old_mxcsr = 0, mxcsr = (uint32_t)fz_next(&w->rng) & 0xffbf;
    uint16_t old_cw = 0, cw = (uint16_t)fz_next(&w->rng);
    if (fpu) {
        __asm__ volatile("stmxcsr %0\n\tfnstcw %1" : "=m"(old_mxcsr), "=m"(old_cw));
        __asm__ volatile("ldmxcsr %0\n\tfldcw %1" : : "m"(mxcsr), "m"(cw));
    }
    seal(w);
    /* Publish what is prepared, as capos_ring_enter would. */
    __atomic_store_n(&w->rc->hdr->sq_tail, w->rc->sq_tail, __ATOMIC_RELEASE);
    w->rc->published = w->rc->sq_tail;
    __atomic_store_n(&w->rc->hdr->cq_head, w->rc->cq_head, __ATOMIC_RELEASE);
    uint64_t after;
    if (fz_chance(&w->rng, 1, 4)) {
        after = spin_with_flags(bits, clear, 1000 + fz_below(&w->rng, 50000));
        check_user_flags(after, "a spin with hostile flags");
    } else {
        /* Block for a moment: another thread runs on this CPU meanwhile. */
        uint32_t min = fz_chance(&w->rng, 7, 8) ? 0 : 128;
        enter_with_flags(bits, clear, min, fz_below(&w->rng, 2 * MS), &after);
        check_user_flags(after, "cap_enter with hostile flags");
    }
    if (fpu) {
        uint32_t now_mxcsr = 0;
        uint16_t now_cw = 0;
        __asm__ volatile("stmxcsr %0\n\tfnstcw %1" : "=m"(now_mxcsr), "=m"(now_cw));
        if (now_mxcsr != mxcsr || now_cw != cw)
            child_fail("FPU control state changed across the kernel: MXCSR %#x -> %#x, x87 "
                       "control word %#x -> %#x",
                       mxcsr, now_mxcsr, cw, now_cw);
        __asm__ volatile("fnclex\n\tldmxcsr %0\n\tfldcw %1" : : "m"(old_mxcsr), "m"(old_cw));
    }
    w->n.flag_enters++;
    w->n.enters++;
    reap(w);
}

/* ---- raw system calls ---- */

static void act_syscall(struct worker *w)
{
    seal(w);
    switch (fz_below(&w->rng, 4)) {
    case 0: { /* an unknown number */
        uint64_t nr = fz_chance(&w->rng, 1, 2) ? 2 + fz_below(&w->rng, 64) : fz_next(&w->rng);
        if (nr == CAPOS_SYS_CAP_ENTER || nr == CAPOS_SYS_EXIT)
            nr = 2;
        int64_t r = raw_syscall(nr, fz_next(&w->rng), fz_next(&w->rng));
        if (r != -(int64_t)CAPOS_ERR_INVALID_OPCODE)
            child_fail("system call %#lx returned %ld, not -invalidOpcode", (unsigned long)nr,
                       (long)r);
        break;
    }
    case 1: { /* min_complete above the queue */
        int64_t r = capos_ring_enter(129 + (uint32_t)fz_below(&w->rng, 1u << 31), 0);
        if (r != -(int64_t)CAPOS_ERR_INVALID_ARGUMENT)
            child_fail("cap_enter with min_complete above 128 returned %ld", (long)r);
        break;
    }
    default: { /* waits that end: by completions or a short timeout */
        uint32_t min = (uint32_t)fz_below(&w->rng, 129);
        uint64_t t = fz_chance(&w->rng, 3, 4) ? 0 : fz_below(&w->rng, 1 * MS);
        if (fz_chance(&w->rng, 1, 8))
            t = ~0ULL - fz_below(&w->rng, 4); /* near the overflow: only with min 0 */
        if (t > 2 * MS)
            min = 0;
        int64_t r = capos_ring_enter(min, t);
        if (r < 0 || r > CAPOS_RING_CQ_ENTRIES)
            child_fail("cap_enter(%u, %lu) returned %ld", min, (unsigned long)t, (long)r);
        break;
    }
    }
    w->n.enters++;
    reap(w);
}

/* ---- vm racing ---- */

/* A pending operation whose result buffer is in a region that this or
 * another worker unmaps or write-protects before it completes. */
static void act_vm(struct worker *w)
{
    struct cap vm;
    if (!pool_pick(&w->rng, K_VM, &vm))
        return;
    if (fz_chance(&w->rng, 1, 2)) {
        struct op *op;
        struct capos_sqe *s = prep(w, W_PLAIN, &op);
        if (!s)
            return;
        uint32_t len = 64 + (uint32_t)fz_below(&w->rng, 256);
        s->recv_addr = region_addr(w, len);
        s->recv_len = len;
        struct cap c;
        switch (fz_below(&w->rng, 3)) {
        case 0:
            if (pool_pick(&w->rng, K_EP_SERVER, &c)) {
                s->opcode = CAPOS_OP_RECV;
                s->cap = c.id;
                break;
            }
            /* fall through */
        case 1:
            if (pool_pick(&w->rng, K_TIMER, &c)) {
                struct capos_msg m;
                capos_msg_init(&m);
                capos_Timer_sleep_Params_set_ns(capos_Timer_sleep_Params_init_root(&m.b),
                                                fz_below(&w->rng, 2 * MS));
                s->opcode = CAPOS_OP_CALL;
                s->cap = c.id;
                s->interface_id = capos_Timer_INTERFACE_ID;
                s->method = capos_Timer_method_sleep;
                msg_out(w, &m, false, &s->send_addr, &s->send_len);
                break;
            }
            /* fall through */
        default:
            s->opcode = CAPOS_OP_CALL;
            s->cap = vm.id;
            s->interface_id = capos_VirtualMemory_INTERFACE_ID;
            s->method = capos_VirtualMemory_method_quota;
            break;
        }
    }
    /* Then a map, unmap or protect through any VirtualMemory facet. */
    struct op *op;
    struct capos_sqe *s = prep(w, W_PLAIN, &op);
    if (!s)
        return;
    typed_call(w, s, op, K_VM, vm.id, (uint16_t)fz_below(&w->rng, 3));
    if (!(vm.flags & F_TRUST))
        op->check = R_NONE;
}

/* ---- known findings, behind their classes ---- */

/* A terabyte-sized map through a facet with a tiny budget: the kernel
 * must refuse it before doing work proportional to its length. */
static void act_vmhuge(struct worker *w)
{
    static const uint64_t lens[] = {1ULL << 40, 16ULL << 40, 100ULL << 40};
    struct cap vm;
    struct op *op;
    struct capos_sqe *s = prep_pick(w, K_VM, W_PLAIN, &vm, &op);
    if (!s)
        return;
    struct capos_msg m;
    capos_msg_init(&m);
    uint64_t addr = fz_chance(&w->rng, 1, 2) ? 0 : ZONE;
    uint64_t len = lens[fz_below(&w->rng, 3)];
    vm_range_params(&m, capos_VirtualMemory_method_map, addr, len,
                    CAPOS_PROT_READ | CAPOS_PROT_WRITE);
    call_slot(w, s, op, vm.id, capos_VirtualMemory_INTERFACE_ID, capos_VirtualMemory_method_map,
              &m);
}

/* Calls of 64 KiB queued on endpoints nobody receives on: each holds a
 * kernel copy of its message, which the process's quota must bound. */
static void act_flood(struct worker *w)
{
    struct cap ep;
    if (!pool_pick(&w->rng, K_EP_CLIENT, &ep) || !(ep.flags & F_TRUST) ||
        fz_chance(&w->rng, 1, 8)) {
        /* A fresh endpoint of our own (a launcher creates them too). */
        struct cap sp;
        struct op *op;
        struct capos_sqe *s = prep_pick(w, K_SPAWNER, W_CAPS, &sp, &op);
        if (!s)
            return;
        call_slot(w, s, op, sp.id, capos_ProcessSpawner_INTERFACE_ID,
                  capos_ProcessSpawner_method_createEndpoint, 0);
        op->nres = 2;
        op->res[0] = K_EP_SERVER;
        op->res[1] = K_EP_CLIENT;
        op->trust = sp.flags & F_TRUST;
        return;
    }
    for (int i = 0; i < 8; i++) {
        struct op *op;
        struct capos_sqe *s = prep(w, W_PLAIN, &op);
        if (!s)
            return;
        s->opcode = CAPOS_OP_CALL;
        s->cap = ep.id;
        s->interface_id = kind_iid[K_EP_CLIENT];
        s->send_addr = (uint64_t)(uintptr_t)junk;
        s->send_len = CAPOS_MAX_MSG_BYTES;
    }
}

/* ---- scribbling ---- */

/* Rewrites a word of another worker's submission queue (an entry it may
 * be preparing or the kernel may be copying). */
static void act_scribble(struct worker *w)
{
    uint32_t n = __atomic_load_n(&nworkers_used, __ATOMIC_ACQUIRE);
    if (n > MAX_WORKERS)
        n = MAX_WORKERS;
    struct worker *v = __atomic_load_n(&workers[fz_below(&w->rng, n)], __ATOMIC_ACQUIRE);
    struct capos_ring_client *rc = v ? __atomic_load_n(&v->rc, __ATOMIC_ACQUIRE) : 0;
    if (!rc || v == w)
        return;
    uint64_t *q = (uint64_t *)(void *)&rc->sq[fz_below(&w->rng, CAPOS_RING_SQ_ENTRIES)];
    uint32_t at = (uint32_t)fz_below(&w->rng, 8);
    switch (at) {
    case 0: q[0] = fz_next(&w->rng); break; /* opcode, flags, method, cap */
    case 1: q[1] = fz_next(&w->rng); break; /* the cookie */
    case 3: q[3] = pick_read_addr(w, 64); break;
    case 5: { /* the recv address: somewhere the kernel must refuse */
        uint32_t len = 64;
        struct op dummy = {0};
        uint64_t a = pick_write_addr(w, &dummy, &len);
        q[5] = a == (uint64_t)(uintptr_t)w->slot[0] ? (uint64_t)(uintptr_t)junk : a;
        break;
    }
    default: q[at] = pick_u64(w); break;
    }
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* ---- suicide ---- */

static void act_suicide(struct worker *w)
{
    struct capos_ring_header *h = w->rc->hdr;
    switch (fz_below(&w->rng, 8)) {
    case 0: /* the submission tail far ahead */
        h->sq_tail = h->sq_head + CAPOS_RING_SQ_ENTRIES + 1 + (uint32_t)fz_below(&w->rng, 1000);
        raw_syscall(CAPOS_SYS_CAP_ENTER, 0, 0);
        break;
    case 1: /* the completion head past the tail */
        h->cq_head = h->cq_tail + 1 + (uint32_t)fz_below(&w->rng, 1000);
        raw_syscall(CAPOS_SYS_CAP_ENTER, 1, MS);
        break;
    case 2: /* single-step trap after the system call */
    {
        uint64_t after;
        enter_with_flags(RF_TF, 0, 0, 0, &after);
        break;
    }
    case 3: /* a thread of our own at a wild entry */
    {
        struct cap c;
        if (!pool_pick(&w->rng, K_TSPAWNER, &c))
            break;
        struct capos_msg m;
        capos_msg_init(&m);
        capos_ThreadSpawner_spawn_Params_builder p =
            capos_ThreadSpawner_spawn_Params_init_root(&m.b);
        capos_ThreadSpawner_spawn_Params_set_entry(p, CAPOS_USER_MIN + fz_below(&w->rng, 1 << 20));
        capos_ThreadSpawner_spawn_Params_set_stack(p, (uint64_t)(uintptr_t)ro_block + 4096);
        uint64_t res[16];
        capos_client_call(c.id, capos_ThreadSpawner_INTERFACE_ID, capos_ThreadSpawner_method_spawn,
                          &m, res, sizeof(res), 0);
        reap(w);
        break;
    }
    case 4: /* results written over our own ring */
    {
        struct op *op;
        struct capos_sqe *s = prep(w, W_PLAIN, &op);
        struct cap c;
        if (!s || !pool_pick(&w->rng, K_ENTROPY, &c))
            break;
        struct capos_msg m;
        capos_msg_init(&m);
        capos_EntropySource_fill_Params_set_len(capos_EntropySource_fill_Params_init_root(&m.b),
                                                256);
        s->opcode = CAPOS_OP_CALL;
        s->cap = c.id;
        s->interface_id = capos_EntropySource_INTERFACE_ID;
        msg_out(w, &m, false, &s->send_addr, &s->send_len);
        s->recv_addr = (uint64_t)(uintptr_t)h + fz_below(&w->rng, CAPOS_RING_BYTES - 300);
        s->recv_len = 300;
        enter(w, 0, 0);
        break;
    }
    case 5: /* exit with any code */ raw_syscall(CAPOS_SYS_EXIT, fz_next(&w->rng), 0); break;
    case 6: /* a privileged instruction: each must be a #GP for the process */
        switch (fz_below(&w->rng, 6)) {
        case 0: __asm__ volatile("cli"); break;
        case 1: __asm__ volatile("hlt"); break;
        /* The port that ends the machine under QEMU (isa-debug-exit). */
        case 2: __asm__ volatile("outb %%al, $0xf4" : : "a"(0x55)); break;
        case 3: { /* the serial port's data register */
            uint8_t v;
            __asm__ volatile("inb %%dx, %%al" : "=a"(v) : "d"(0x3f8));
            break;
        }
        case 4: __asm__ volatile("movq %%cr3, %%rax" : : : "rax"); break;
        default: __asm__ volatile("wrmsr" : : "c"(0xc0000082), "a"(0), "d"(0)); break;
        }
        child_fail("a privileged instruction did not fault");
        break;
    default: /* a page fault with DF and AC set */
        __asm__ volatile("subq $128, %%rsp\n\t"
                         "pushfq\n\t"
                         "orq %[bits], (%%rsp)\n\t"
                         "popfq\n\t"
                         "movq (%[addr]), %%rax\n\t"
                         :
                         : [bits] "r"(RF_DF | RF_AC), [addr] "r"(0x18ULL)
                         : "rax", "memory", "cc");
        break;
    }
}

/* ---- the worker loop ---- */

static int pick_class(struct worker *w)
{
    uint32_t r = (uint32_t)fz_below(&w->rng, weight_total);
    for (int c = 0; c < FZ_NCLASSES; c++) {
        if (r < weight[c])
            return c;
        r -= weight[c];
    }
    return FZ_RAW;
}

static void step(struct worker *w)
{
    send_recycle(w);
    int c = pick_class(w);
    switch (c) {
    case FZ_RAW: act_raw(w); break;
    case FZ_TYPED: act_typed(w, false, -1); break;
    case FZ_MUTATE: act_typed(w, true, -1); break;
    case FZ_XFER: act_xfer(w); break;
    case FZ_SERVER: act_server(w); break;
    case FZ_VM: act_vm(w); break;
    case FZ_VMHUGE: act_vmhuge(w); break;
    case FZ_FLOOD: act_flood(w); break;
    case FZ_THREADS: act_threads(w); break;
    case FZ_PROCS: act_procs(w); break;
    case FZ_PARK: act_typed(w, false, K_PARK); break;
    case FZ_FLAGS: act_flags(w, false); break;
    case FZ_NT: act_flags(w, true); break;
    case FZ_SYSCALL: act_syscall(w); break;
    case FZ_INNOCENT:
    case FZ_JAM: act_innocent(w); break;
    case FZ_SCRIBBLE: act_scribble(w); break;
    case FZ_SUICIDE: act_suicide(w); break;
    case FZ_PIPE: act_pipe(w); break;
    case FZ_POSIX: act_posix(w); break;
    default: act_raw(w); break;
    }
    /* Housekeeping that every worker does: stale-id probes, releases. */
    if (fz_chance(&w->rng, 1, 12))
        act_stale(w);
    if (fz_chance(&w->rng, 1, 16))
        act_release(w);
    /* Submit in batches of a few, waiting for some of what is in flight. */
    if (capos_ring_unsubmitted() >= 1 + fz_below(&w->rng, 8) || fz_chance(&w->rng, 1, 4)) {
        /* Mostly without waiting: a timed wait lasts at least a tick. */
        if (w->inflight && fz_chance(&w->rng, 1, 32))
            enter(w, 1, fz_below(&w->rng, 300 * 1000));
        else
            enter(w, 0, 0);
    }
}

static int worker_main(void *arg)
{
    struct worker *w = arg;
    w->control = capos_thread_self()->control;
    __atomic_store_n(&w->rc, capos_ring_self(), __ATOMIC_RELEASE);
    for (;;)
        step(w);
    return 0;
}

/* ---- the spawnrace grandchild ---- */

/* Starts idle threads in the parent through its ThreadSpawner, and joins
 * or reads them, while the parent exits.  Every call must end with a
 * defined error; the kernel must not fault on a thread whose process went
 * away between its creation and the use of its handle. */
static void race_main(uint32_t victim)
{
    uint64_t res[16];
    for (uint32_t round = 0;; round++) {
        struct capos_msg m;
        uint32_t len = 0;
        capos_msg_init(&m);
        capos_ThreadSpawner_spawn_Params_builder p =
            capos_ThreadSpawner_spawn_Params_init_root(&m.b);
        capos_ThreadSpawner_spawn_Params_set_entry(p, (uint64_t)(uintptr_t)fz_idle_entry);
        capos_ThreadSpawner_spawn_Params_set_stack(p, 0x20000000);
        int r = capos_client_call(victim, capos_ThreadSpawner_INTERFACE_ID,
                                  capos_ThreadSpawner_method_spawn, &m, res, sizeof(res), &len);
        if (r == CAPOS_ERR_PEER_GONE)
            return;
        if (r != CAPOS_OK)
            continue;
        uint32_t h =
            ((const uint32_t *)(const void *)((const uint8_t *)res + CAPOS_CAPS_OFFSET(len)))[0];
        capos_client_call(h, capos_ThreadHandle_INTERFACE_ID, capos_ThreadHandle_method_info, 0,
                          res, sizeof(res), 0);
        if (round & 1)
            capos_client_call(h, capos_ThreadHandle_INTERFACE_ID, capos_ThreadHandle_method_join, 0,
                              res, sizeof(res), 0);
        capos_release(h);
    }
}

static void act_spawnrace(struct worker *w)
{
    uint32_t h;
    if (depth > 0 || !own_threads)
        return;
    if (spawn_grandchild(w, "race", &h) != CAPOS_OK)
        return;
    /* Exit while the grandchild is busy with our ThreadSpawner. */
    uint64_t loops = fz_below(&w->rng, 400000);
    for (volatile uint64_t i = 0; i < loops; i++)
        ;
    raw_syscall(CAPOS_SYS_EXIT, 0, 0);
}

/* ---- main ---- */

/* Every capability of the CapSet goes into the pool, described by the
 * interface id the kernel recorded for it. */
static void pool_from_capset(void)
{
    const struct capos_capset_header *h = capos_capset();
    const struct capos_capset_entry *e = (const void *)((const uint8_t *)h + h->entry_offset);
    for (uint32_t i = 0; i < h->count; i++) {
        if (strcmp(e[i].name, "report") == 0) {
            report_cap = e[i].cap;
            continue;
        }
        if (strcmp(e[i].name, "clock") == 0) {
            clock_cap = e[i].cap;
            continue;
        }
        /* The kernel records the interface of its own objects; a client
         * facet's is what the parent said, which it says only when sure. */
        enum kind k = kind_of_iid(e[i].interface_id);
        uint8_t flags = F_TRUST;
        if (strcmp(e[i].name, "threads") == 0) {
            own_threads = e[i].cap;
            flags |= F_OWN;
        }
        if (strcmp(e[i].name, "memory") == 0) {
            own_memory = e[i].cap;
            flags |= F_OWN;
        }
        if (strcmp(e[i].name, "thread") == 0)
            main_control = e[i].cap;
        if (strcmp(e[i].name, "public") == 0)
            k = K_SERVICE;
        if (strncmp(e[i].name, "arena", 5) == 0 && k == K_ANY)
            k = K_EP_CLIENT;
        pool_add(e[i].cap, k, flags);
    }
}

/* The class mix of this process: each enabled class gets a small weight,
 * two or three favoured ones a large one; the suicide class stays rare. */
static void draw_weights(uint64_t *rng)
{
    weight_total = 0;
    for (int c = 0; c < FZ_NCLASSES; c++) {
        weight[c] = enabled(c) ? 4 : 0;
        if (c == FZ_PROCS && depth > 0)
            weight[c] = 0;
    }
    for (int k = 0; k < 3; k++) {
        int c = (int)fz_below(rng, FZ_NCLASSES);
        if (weight[c] && c != FZ_SUICIDE)
            weight[c] = 40;
    }
    if (weight[FZ_SUICIDE])
        weight[FZ_SUICIDE] = fz_chance(rng, 1, 4) ? 1 : 0;
    if (weight[FZ_SCRIBBLE] && !fz_chance(rng, 1, 3))
        weight[FZ_SCRIBBLE] = 0;
    scribbling = weight[FZ_SCRIBBLE] != 0 || weight[FZ_SUICIDE] != 0;
    weight[FZ_SPAWNRACE] = 0; /* done once by main, not by workers */
    for (int c = 0; c < FZ_NCLASSES; c++)
        weight_total += weight[c];
    if (weight_total == 0) {
        weight[FZ_RAW] = 1;
        weight_total = 1;
    }
}

static void sum_counts(struct counts *out)
{
    memset(out, 0, sizeof(*out));
    uint32_t n = __atomic_load_n(&nworkers_used, __ATOMIC_ACQUIRE);
    if (n > MAX_WORKERS)
        n = MAX_WORKERS;
    for (uint32_t i = 0; i < n; i++) {
        const struct worker *w = __atomic_load_n(&workers[i], __ATOMIC_ACQUIRE);
        if (!w)
            continue;
        const struct counts *c = &w->n;
        out->submitted += c->submitted;
        out->completed += c->completed;
        out->enters += c->enters;
        out->threads += c->threads;
        out->procs += c->procs;
        out->transfers += c->transfers;
        out->stale_ok += c->stale_ok;
        out->flag_enters += c->flag_enters;
        for (int k = 0; k < FZ_NCODES; k++)
            out->result[k] += c->result[k];
    }
}

static struct counts sent;

static uint64_t clock_ns(void)
{
    uint64_t t = 0;
    if (clock_cap && capos_timer_now(clock_cap, &t) != CAPOS_OK)
        t = 0;
    return t;
}

static void report(void)
{
    if (!report_cap)
        return;
    uint32_t posted = __atomic_load_n(&fail_posted, __ATOMIC_ACQUIRE);
    while (fail_sent < posted && fail_sent < FAILS &&
           __atomic_load_n(&fail_ready[fail_sent], __ATOMIC_ACQUIRE)) {
        struct fz_fail f;
        memset(&f, 0, sizeof(f));
        f.magic = FZ_REPORT_MAGIC;
        f.child = child_index;
        memcpy(f.text, fail_text[fail_sent], sizeof(f.text));
        f.len = (uint32_t)strlen(f.text);
        capos_call(report_cap, FZ_REPORT_IID, FZR_FAIL, &f, sizeof(f), 0, 0, 0, 0, 0);
        fail_sent++;
    }
    struct counts now;
    sum_counts(&now);
    struct fz_counts c;
    memset(&c, 0, sizeof(c));
    c.magic = FZ_REPORT_MAGIC;
    c.child = child_index;
    c.depth = depth;
    c.submitted = now.submitted - sent.submitted;
    c.completed = now.completed - sent.completed;
    c.enters = now.enters - sent.enters;
    c.threads = now.threads - sent.threads;
    c.procs = now.procs - sent.procs;
    c.transfers = now.transfers - sent.transfers;
    c.stale_ok = now.stale_ok - sent.stale_ok;
    c.flag_enters = now.flag_enters - sent.flag_enters;
    for (int k = 0; k < FZ_NCODES; k++)
        c.result[k] = now.result[k] - sent.result[k];
    if (capos_call(report_cap, FZ_REPORT_IID, FZR_COUNTS, &c, sizeof(c), 0, 0, 0, 0, 0) == CAPOS_OK)
        sent = now;
}

int main(int argc, char **argv)
{
    if (argc < 6)
        return 2;
    seed = fz_parse(argv[1]);
    classes = (uint32_t)fz_parse(argv[2]);
    child_index = (uint32_t)fz_parse(argv[3]);
    life_ms = fz_parse(argv[4]);
    depth = (uint32_t)fz_parse(argv[5]);
    const char *role = argc > 6 ? argv[6] : "fuzz";
    pool_from_capset();
    /* CapSet version 2: the parent's id, never this process's own (the
     * supervisor's children and theirs are all started by a process). */
    const struct capos_capset_header *h = capos_capset();
    if (h->version >= 2 && (h->ppid == 0 || h->ppid == h->pid))
        child_fail("the CapSet says ppid %u (pid %u)", h->ppid, h->pid);

    if (strcmp(role, "race") == 0) {
        uint32_t victim;
        if (capos_capset_find("victim", capos_ThreadSpawner_INTERFACE_ID, &victim) == CAPOS_OK)
            race_main(victim);
        return 0;
    }

    uint64_t rng = fz_mix(seed);
    draw_weights(&rng);
    uint32_t nw = depth ? 1 + (uint32_t)fz_below(&rng, 2) : 2 + (uint32_t)fz_below(&rng, 4);
    uint32_t created = 0;
    for (uint32_t i = 0; i < nw; i++) {
        struct worker *w = worker_new(i + 1);
        if (!w)
            break;
        int r = capos_thread_create(&w->t, worker_main, w,
                                    &(struct capos_thread_opts){.stack_size = 48 * 1024});
        if (r != CAPOS_OK)
            break;
        w->n.threads++;
        created++;
        pool_add(w->t->handle, K_THANDLE, F_TRUST);
    }
    /* A process that cannot start threads (a grandchild given no
     * ThreadSpawner) fuzzes from its main thread, between deadline checks;
     * it needs the clock for that. */
    struct worker *self = 0;
    if (created == 0 && clock_cap && (self = worker_new(nw + 1)) != 0) {
        self->is_main = true;
        self->rc = capos_ring_self();
        capos_capset_find("thread", capos_ThreadControl_INTERFACE_ID, &self->control);
    }
    /* The spawnrace class: a grandchild starts threads in this process
     * through its ThreadSpawner while this process exits. */
    bool race = enabled(FZ_SPAWNRACE) && depth == 0 && fz_chance(&rng, 1, 2);
    uint64_t race_at = race ? fz_below(&rng, life_ms / 10 + 1) : ~0ULL;

    /* The clock is a Timer no worker touches; without one (a grandchild
     * that was not given it) the lifetime is counted in 10 ms waits.
     * Waits are cap_enter with nothing in flight, which needs no
     * capability. */
    uint64_t start = clock_ns(), next_report = 200;
    for (uint64_t t = 0, ms = 0; ms < life_ms; t++) {
        uint64_t step_ms = life_ms - ms < 10 ? life_ms - ms : 10;
        if (self) {
            for (int k = 0; k < 16; k++)
                step(self);
        } else {
            raw_syscall(CAPOS_SYS_CAP_ENTER, CAPOS_RING_CQ_ENTRIES, step_ms * MS);
        }
        ms = start ? (clock_ns() - start) / MS : ms + step_ms;
        if (t == race_at) {
            struct worker *w = worker_new(0x7261);
            if (w)
                act_spawnrace(w);
        }
        if (ms >= next_report || __atomic_load_n(&fail_posted, __ATOMIC_ACQUIRE) > fail_sent) {
            report();
            next_report = ms + 200;
        }
    }
    report();
    raw_syscall(CAPOS_SYS_EXIT, 0, 0);
    return 0;
}
