/*
 * The private protocol of the system-call fuzzer: the supervisor
 * (user/fuzz/fuzz.c), the fuzzing processes it starts (fuzz_child.c) and
 * the innocent bystander (fuzz_innocent.c).  Messages are fixed C structs
 * (the kernel does not read endpoint messages), each with a magic value,
 * and every receiver checks length and magic before it believes a word: a
 * fuzzing process sends garbage on purpose, also over these endpoints.
 *
 * Also here: the argument parser, the random number generator and the
 * seed derivation, which must be the same in every program so that a
 * child's seed printed by the supervisor replays the same run.
 */
#ifndef CAPOS_USER_FUZZ_FUZZ_PROTO_H
#define CAPOS_USER_FUZZ_FUZZ_PROTO_H

#include <stdbool.h>
#include <stdint.h>

/* ---- random numbers ---- */

/* splitmix64: small, fast, every 64-bit seed is good, and one step of it
 * is also the mixing function that derives seeds from seeds. */
static inline uint64_t fz_mix(uint64_t z)
{
    z += 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static inline uint64_t fz_next(uint64_t *s)
{
    *s += 0x9E3779B97F4A7C15ULL;
    uint64_t z = *s;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, n) (n > 0; the bias of the modulo is irrelevant here). */
static inline uint64_t fz_below(uint64_t *s, uint64_t n)
{
    return fz_next(s) % n;
}

/* True with probability num/den. */
static inline bool fz_chance(uint64_t *s, uint32_t num, uint32_t den)
{
    return fz_below(s, den) < num;
}

/* The seed of child number `index` of a run with master seed `master`. */
static inline uint64_t fz_child_seed(uint64_t master, uint64_t index)
{
    return fz_mix(master ^ fz_mix(index + 1));
}

/* ---- arguments ---- */

/* A number of an argument: hexadecimal after 0x or 0X, else decimal; it
 * ends at the first character that is not a digit (0 for NULL). */
static inline uint64_t fz_parse(const char *s)
{
    uint64_t v = 0;
    if (s && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        for (s += 2; *s; s++) {
            unsigned d = *s >= '0' && *s <= '9'   ? (unsigned)(*s - '0')
                         : *s >= 'a' && *s <= 'f' ? (unsigned)(*s - 'a' + 10)
                         : *s >= 'A' && *s <= 'F' ? (unsigned)(*s - 'A' + 10)
                                                  : 16;
            if (d == 16)
                break;
            v = v * 16 + d;
        }
        return v;
    }
    for (; s && *s >= '0' && *s <= '9'; s++)
        v = v * 10 + (uint64_t)(*s - '0');
    return v;
}

/* ---- attack classes ---- */

/* Each fuzzing process draws a mix of these from its seed; the supervisor
 * passes the set that is enabled.  The "suicide" classes end the process
 * that uses them (that is allowed: only the kernel must survive). */
enum fz_class {
    FZ_RAW,       /* random SQEs: every opcode, field and flag */
    FZ_TYPED,     /* every kernel method with random, structured arguments */
    FZ_MUTATE,    /* valid messages with corrupted framing and pointers */
    FZ_XFER,      /* capability transfer: copy/move, duplicates, self, stale */
    FZ_SERVER,    /* RECV/RETURN on shared endpoints, forged tokens, dying servers */
    FZ_VM,        /* map/unmap/protect races, buffers unmapped under pending ops */
    FZ_THREADS,   /* thread spawn/join/kill, foreign ThreadSpawners and controls */
    FZ_PROCS,     /* grandchildren through a restricted launcher, kill and wait */
    FZ_PARK,      /* ParkSpace waits and wakes on racing mappings */
    FZ_FLAGS,     /* DF, AC, RF, ID, IOPL and IF attempts, odd FPU state around system calls */
    FZ_SYSCALL,   /* raw system call numbers, cap_enter arguments */
    FZ_INNOCENT,  /* calls to the innocent's public service */
    FZ_SCRIBBLE,  /* rewriting other threads' SQEs while they submit */
    FZ_SUICIDE,   /* ring corruption, TF, privileged instructions, wild thread entries */
    FZ_NT,        /* RFLAGS.NT across a blocking cap_enter */
    FZ_JAM,       /* calls larger than the innocent's receive buffer */
    FZ_VMHUGE,    /* VirtualMemory calls with terabyte lengths */
    FZ_FLOOD,     /* queued calls that fill kernel memory */
    FZ_SPAWNRACE, /* threads spawned into a process while it exits */
    FZ_JOINRACE,  /* ThreadHandle.join on threads that end as the joiner does */
    FZ_PIPE,      /* pipes: blocked reads, writes and waits raced against ends going */
    FZ_POSIX,     /* clock page, sleepUntil, cpuTime, clear-tid words at thread exit */
    FZ_NCLASSES
};

#define FZ_BIT(c) (1u << (c))

/* Every class is on by default; `fuzz` takes a class list to turn some
 * off (to find which class a failure needs) or to run a few alone.  nt,
 * jam, vmhuge, flood, spawnrace and joinrace each once broke this kernel
 * (a machine reset, a jammed server, a frozen CPU, kernel memory
 * exhausted, kernel faults); docs/fuzzing.md names the regression test of
 * each. */
#define FZ_DEFAULT_CLASSES ((1u << FZ_NCLASSES) - 1)

static const char *const fz_class_names[] = {
    "raw",    "typed", "mutate",    "xfer",     "server",   "vm",      "threads", "procs",
    "park",   "flags", "syscall",   "innocent", "scribble", "suicide", "nt",      "jam",
    "vmhuge", "flood", "spawnrace", "joinrace", "pipe",     "posix",
};
_Static_assert(sizeof(fz_class_names) / sizeof(fz_class_names[0]) == FZ_NCLASSES,
               "a name for every class");

/* ---- the supervisor's report endpoint (children -> supervisor) ---- */

#define FZ_REPORT_IID   0x66757a7a72657031ULL /* "fuzzrep1" */
#define FZ_REPORT_MAGIC 0x5452504f5045525aULL

enum fz_report_method {
    FZR_COUNTS = 0, /* a struct fz_counts: what happened since the last report */
    FZR_FAIL = 1,   /* a struct fz_fail: an oracle broke; the supervisor prints it */
};

/* Results are counted by ErrorCode; anything outside the enum is a
 * failure of its own. */
#define FZ_NCODES 23

struct fz_counts {
    uint64_t magic;
    uint32_t child; /* the child's number in the run */
    uint32_t depth; /* 0 for the supervisor's children, 1 for theirs */
    uint64_t submitted;
    uint64_t completed;
    uint64_t result[FZ_NCODES];
    uint64_t enters;      /* cap_enter system calls */
    uint64_t threads;     /* threads started */
    uint64_t procs;       /* grandchildren started */
    uint64_t transfers;   /* capabilities sent in calls that succeeded */
    uint64_t stale_ok;    /* released or moved ids that stayed dead */
    uint64_t flag_enters; /* system calls made with hostile RFLAGS */
};

struct fz_fail {
    uint64_t magic;
    uint32_t child;
    uint32_t len;
    char text[192];
};

/* ---- the innocent's public service (children -> innocent) ---- */

#define FZ_SERVICE_IID     0x66757a7a73727631ULL /* "fuzzsrv1" */
#define FZ_SERVICE_MAGIC   0x5643565253465a5aULL
#define FZ_SERVICE_MAX     4096 /* payload bytes a request may carry */
#define FZ_SERVICE_RECV    8192 /* the innocent's receive buffers: message and caps fit */
#define FZ_BADGE_PRIVATE   1    /* the innocent's own calls, on its private endpoint */
#define FZ_BADGE_SUPERVISE 2    /* the supervisor's calls on the public endpoint */
#define FZ_BADGE_CHILD     1000 /* + child number: a fuzzing child */

struct fz_service_req {
    uint64_t magic;
    uint32_t seq;
    uint32_t len; /* payload bytes that follow */
    uint64_t nonce;
    uint8_t payload[];
};

struct fz_service_rep {
    uint64_t magic;
    uint32_t seq;
    uint32_t len;
    uint64_t sum; /* fz_service_sum() of the request and the caller's badge */
    uint64_t badge;
};

/* A checksum of the whole request, and the answer's sum, which also
 * depends on the badge the call arrived with: an answer that went to the
 * wrong caller, or was built from a corrupted request, is caught by the
 * one who asked (who knows the hash of its request, though not always the
 * badge of a facet it was handed). */
static inline uint64_t fz_service_hash(const struct fz_service_req *q)
{
    uint64_t h = fz_mix(q->nonce ^ ((uint64_t)q->seq << 32 | q->len));
    for (uint32_t i = 0; i < q->len; i++)
        h = (h ^ q->payload[i]) * 0x100000001B3ULL;
    return h;
}

static inline uint64_t fz_service_sum(uint64_t hash, uint64_t badge)
{
    return fz_mix(hash ^ fz_mix(badge));
}

/* Fills the reply to the well-formed request q of a caller with `badge`;
 * returns its length. */
static inline uint32_t fz_service_answer(struct fz_service_rep *rep, const struct fz_service_req *q,
                                         uint64_t badge)
{
    rep->magic = FZ_SERVICE_MAGIC;
    rep->seq = q->seq;
    rep->len = q->len;
    rep->sum = fz_service_sum(fz_service_hash(q), badge);
    rep->badge = badge;
    return sizeof(*rep);
}

/* ---- the innocent's status endpoint (supervisor -> innocent) ---- */

#define FZ_STATUS_IID   0x66757a7a73747331ULL /* "fuzzsts1" */
#define FZ_STATUS_MAGIC 0x5354415453465a5aULL

enum fz_status_method {
    FZS_STATUS = 0, /* reply with the counts */
    FZS_PAUSE = 1,  /* stop the memory work, unmap everything, then reply */
    FZS_RESUME = 2,
    FZS_STOP = 3, /* finish: check the books and exit */
};

struct fz_status {
    uint64_t magic;
    uint64_t pings;             /* private calls answered correctly */
    uint64_t served;            /* public requests answered */
    uint64_t rejected;          /* public requests refused as malformed */
    uint64_t caps_freed;        /* capabilities that arrived with public calls, released */
    uint64_t vm_rounds;         /* map, fill, protect, verify, unmap rounds */
    uint64_t sleeps;            /* timer sleeps that lasted long enough */
    uint64_t park_timeouts;     /* waits on a word nobody wakes that timed out */
    uint64_t failures;          /* any wrong answer, error or lost memory */
    uint64_t max_call_us;       /* longest private round trip */
    uint64_t max_sleep_over_us; /* longest overshoot of a 1 ms sleep */
};

#endif
