/*
 * The capability ring's index arithmetic and entry validation, shared by the
 * kernel (consumer of SQEs, producer of CQEs) and the user runtime, and
 * tested on the host.  Everything here is pure: callers pass in the values
 * they read from shared memory exactly once.
 */
#ifndef CAPOS_LIB_RING_RING_H
#define CAPOS_LIB_RING_RING_H

#include "abi/ring.h"
#include "base/compiler.h"

/* Why an SQE was refused before any capability was looked at. */
enum ring_sqe_check {
    RING_SQE_OK = 0,
    RING_SQE_BAD_OPCODE,   /* unknown opcode */
    RING_SQE_BAD_FLAGS,    /* a flag bit is set (none are defined) */
    RING_SQE_NONZERO,      /* a field the opcode does not use, or `reserved`, is non-zero */
    RING_SQE_TOO_LONG,     /* a message or buffer length above CAPOS_MAX_MSG_BYTES + caps */
    RING_SQE_TOO_MANY_CAPS /* xfer_count above CAPOS_MAX_XFER */
};

/*
 * Submitted-but-unconsumed SQE count from the kernel's head and the
 * process's tail.  Returns false if the tail is impossible (more than
 * `entries` ahead of head, which includes a tail behind head).
 */
static inline bool ring_sq_pending(uint32_t head, uint32_t tail, uint32_t entries,
                                   uint32_t *pending)
{
    uint32_t n = tail - head; /* free-running counters: wraps correctly */
    if (n > entries)
        return false;
    *pending = n;
    return true;
}

/*
 * Completion slots available for new work: entries minus completions posted
 * but not yet consumed (kernel tail - process head) minus slots already
 * promised to operations in flight.  Returns false if the process's head is
 * impossible (ahead of the tail, or more than `entries` behind it).
 */
static inline bool ring_cq_space(uint32_t tail, uint32_t head, uint32_t entries, uint32_t reserved,
                                 uint32_t *space)
{
    uint32_t posted = tail - head;
    if (posted > entries)
        return false;
    *space = posted + reserved >= entries ? 0 : entries - posted - reserved;
    return true;
}

/* ---- SQE validation ----
 * Validates the fields of an SQE that do not depend on capabilities.  The
 * tables below list, per opcode, which fields it uses; every other field
 * must be zero, so that giving a field a meaning later cannot change what an
 * existing program's entries do.  Inline: it runs once per submitted entry. */
enum {
    RING_F_CAP = 1 << 0,
    RING_F_METHOD = 1 << 1,
    RING_F_WORD0 = 1 << 2,
    RING_F_SEND = 1 << 3,
    RING_F_RECV = 1 << 4,
    RING_F_XFER = 1 << 5,
    RING_F_STATUS = 1 << 6,
    RING_F_DETAIL = 1 << 7, /* RETURN's detail, in recv_len's place */
};

/*
 * For each opcode, the bits of the SQE's eight 64-bit words that must be
 * zero: every field the opcode does not use, plus `reserved` always.  The
 * check is then eight AND/ORs, the same cost for every opcode.  Word layout:
 *   0: opcode, flags, method, cap   1: user_data   2: word0   3: send_addr
 *   4: send_len, recv_len/detail    5: recv_addr   6: xfer_addr
 *   7: xfer_count, reserved, status
 */
#define RING_M0(f)                                                                                 \
    (((f)&RING_F_CAP ? 0 : 0xffffffff00000000ULL) | ((f)&RING_F_METHOD ? 0 : 0xffff0000ULL))
#define RING_M2(f) ((f)&RING_F_WORD0 ? 0 : ~0ULL)
#define RING_M3(f) ((f)&RING_F_SEND ? 0 : ~0ULL)
#define RING_M4(f)                                                                                 \
    (((f)&RING_F_SEND ? 0 : 0xffffffffULL) |                                                       \
     ((f) & (RING_F_RECV | RING_F_DETAIL) ? 0 : 0xffffffff00000000ULL))
#define RING_M5(f) ((f)&RING_F_RECV ? 0 : ~0ULL)
#define RING_M6(f) ((f)&RING_F_XFER ? 0 : ~0ULL)
#define RING_M7(f)                                                                                 \
    (((f)&RING_F_XFER ? 0 : 0xffffULL) | 0xffff0000ULL |                                           \
     ((f)&RING_F_STATUS ? 0 : 0xffffffff00000000ULL))
#define RING_MASKS(f)                                                                              \
    {                                                                                              \
        RING_M0(f), 0, RING_M2(f), RING_M3(f), RING_M4(f), RING_M5(f), RING_M6(f), RING_M7(f)      \
    }

static const uint8_t ring_fields[CAPOS_OP_COUNT] = {
    [CAPOS_OP_NOP] = 0,
    [CAPOS_OP_CALL] =
        RING_F_CAP | RING_F_METHOD | RING_F_WORD0 | RING_F_SEND | RING_F_RECV | RING_F_XFER,
    [CAPOS_OP_RECV] = RING_F_CAP | RING_F_RECV,
    [CAPOS_OP_RETURN] =
        RING_F_CAP | RING_F_WORD0 | RING_F_SEND | RING_F_XFER | RING_F_STATUS | RING_F_DETAIL,
    [CAPOS_OP_RELEASE] = RING_F_CAP,
    [CAPOS_OP_REPLY_RECV] =
        RING_F_CAP | RING_F_WORD0 | RING_F_SEND | RING_F_RECV | RING_F_XFER | RING_F_STATUS,
};

static const uint64_t ring_zero_masks[CAPOS_OP_COUNT][8] = {
    [CAPOS_OP_NOP] = RING_MASKS(0),
    [CAPOS_OP_CALL] = RING_MASKS(RING_F_CAP | RING_F_METHOD | RING_F_WORD0 | RING_F_SEND |
                                 RING_F_RECV | RING_F_XFER),
    [CAPOS_OP_RECV] = RING_MASKS(RING_F_CAP | RING_F_RECV),
    [CAPOS_OP_RETURN] = RING_MASKS(RING_F_CAP | RING_F_WORD0 | RING_F_SEND | RING_F_XFER |
                                   RING_F_STATUS | RING_F_DETAIL),
    [CAPOS_OP_RELEASE] = RING_MASKS(RING_F_CAP),
    [CAPOS_OP_REPLY_RECV] = RING_MASKS(RING_F_CAP | RING_F_WORD0 | RING_F_SEND | RING_F_RECV |
                                       RING_F_XFER | RING_F_STATUS),
};

/* A received message plus its cap ids must fit in the largest buffer. */
#define RING_MAX_RECV (CAPOS_MAX_MSG_BYTES + CAPOS_MAX_XFER * 4 + 8)

/* OR of the words masked by the opcode's must-be-zero bits.  Called with a
 * constant opcode row so that the masks fold into immediate operands. */
static inline uint64_t ring_forbidden_bits(const uint64_t *w, const uint64_t *m)
{
    return (w[0] & m[0]) | (w[2] & m[2]) | (w[3] & m[3]) | (w[4] & m[4]) | (w[5] & m[5]) |
           (w[6] & m[6]) | (w[7] & m[7]);
}

/* The checks of one opcode, `op` a constant: the compiler folds its masks
 * and field set, so each opcode pays only for the fields it has. */
static inline enum ring_sqe_check ring_sqe_validate_op(const struct capos_sqe *sqe, unsigned op)
{
    /* The SQE is 8 words (pinned in abi/ring.h); word 1 (user_data) is free. */
    const uint64_t *w = (const uint64_t *)(const void *)sqe;
    const uint8_t f = ring_fields[op];

    if (ring_forbidden_bits(w, ring_zero_masks[op]))
        return RING_SQE_NONZERO;
    /* An empty buffer has no address: a stray pointer is a bug worth
     * reporting.  (A field the opcode does not use is zero already.) */
    if (((f & RING_F_SEND) && sqe->send_len == 0 && sqe->send_addr != 0) ||
        ((f & RING_F_RECV) && sqe->recv_len == 0 && sqe->recv_addr != 0) ||
        ((f & RING_F_XFER) && sqe->xfer_count == 0 && sqe->xfer_addr != 0))
        return RING_SQE_NONZERO;
    if (((f & RING_F_SEND) && sqe->send_len > CAPOS_MAX_MSG_BYTES) ||
        ((f & RING_F_RECV) && sqe->recv_len > RING_MAX_RECV))
        return RING_SQE_TOO_LONG;
    if ((f & RING_F_XFER) && sqe->xfer_count > CAPOS_MAX_XFER)
        return RING_SQE_TOO_MANY_CAPS;
    return RING_SQE_OK;
}

static inline enum ring_sqe_check ring_sqe_validate(const struct capos_sqe *sqe)
{
    if (sqe->flags != 0)
        return sqe->opcode >= CAPOS_OP_COUNT ? RING_SQE_BAD_OPCODE : RING_SQE_BAD_FLAGS;
    switch (sqe->opcode) {
    case CAPOS_OP_NOP: return ring_sqe_validate_op(sqe, CAPOS_OP_NOP);
    case CAPOS_OP_CALL: return ring_sqe_validate_op(sqe, CAPOS_OP_CALL);
    case CAPOS_OP_RECV: return ring_sqe_validate_op(sqe, CAPOS_OP_RECV);
    case CAPOS_OP_RETURN: return ring_sqe_validate_op(sqe, CAPOS_OP_RETURN);
    case CAPOS_OP_RELEASE: return ring_sqe_validate_op(sqe, CAPOS_OP_RELEASE);
    case CAPOS_OP_REPLY_RECV: return ring_sqe_validate_op(sqe, CAPOS_OP_REPLY_RECV);
    default: return RING_SQE_BAD_OPCODE;
    }
}

#endif
