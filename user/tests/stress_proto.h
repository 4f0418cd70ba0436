/*
 * The private protocol of the SMP stress test (user/tests/stress.c and its
 * helper process stress_child.c): what a client sends the stress test's
 * server threads over their endpoint, and what comes back.
 *
 * The messages are fixed C structs, as the kernel does not read endpoint
 * messages and both programs are built from this header.  Every reply
 * echoes the request's client id and sequence number, carries a value
 * derived from the whole request and the badge the call arrived with, so a
 * reply delivered to the wrong caller, or twice, or stale, is caught by the
 * client that receives it.
 */
#ifndef CAPOS_USER_TESTS_STRESS_PROTO_H
#define CAPOS_USER_TESTS_STRESS_PROTO_H

#include <stdbool.h>
#include <stdint.h>

/* Interface id of the protocol ("stressp1"); servers refuse others. */
#define STRESS_IID       0x7374726573737031ULL

#define STRESS_REQ_MAGIC 0x5245515354524553ULL /* "SERTSQER" */
#define STRESS_REP_MAGIC 0x5045525354524553ULL /* "SERTSREP" */

/* Badges of the client facets: the stress process's own client threads,
 * the peer process that runs to the end of a round, and the doomed peer
 * that is killed during the round. */
#define STRESS_BADGE_LOCAL  1
#define STRESS_BADGE_PEER   2
#define STRESS_BADGE_DOOMED 3

enum stress_method {
    SM_ECHO = 0, /* answer with a stress_rep */
    SM_QUIT = 1, /* answer, then the server thread that got it ends */
};

struct stress_req {
    uint64_t magic;
    uint32_t client; /* caller's id, unique within its process */
    uint32_t seq;    /* per-client call number */
    uint64_t nonce;  /* anything; the reply's value depends on it */
};

struct stress_rep {
    uint64_t magic;
    uint32_t client;
    uint32_t seq;
    uint64_t value; /* stress_value() of the request and badge */
    uint64_t badge; /* the badge the server saw */
    uint32_t stop;  /* 1 once the round is ending: callers stop */
    uint32_t pad;
};

static inline uint64_t stress_value(const struct stress_req *q, uint64_t badge)
{
    uint64_t x = q->nonce ^ ((uint64_t)q->client << 32 | q->seq) ^ (badge * 0x9E3779B97F4A7C15ULL);
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ULL;
    return x ^ (x >> 29);
}

/* True if rep is the right answer to q for a caller with `badge`. */
static inline bool stress_rep_ok(const struct stress_req *q, const struct stress_rep *r,
                                 uint64_t badge)
{
    return r->magic == STRESS_REP_MAGIC && r->client == q->client && r->seq == q->seq &&
           r->badge == badge && r->value == stress_value(q, badge);
}

#endif
