/*
 * SQE validation (see ring.h).  The table below lists, per opcode, which
 * fields it uses; every other field must be zero, so that giving a field a
 * meaning later cannot change what an existing program's entries do.
 */
#include "ring/ring.h"

enum {
    F_CAP = 1 << 0,
    F_METHOD = 1 << 1,
    F_WORD0 = 1 << 2,
    F_SEND = 1 << 3,
    F_RECV = 1 << 4,
    F_XFER = 1 << 5,
    F_STATUS = 1 << 6,
};

static const uint8_t ring_fields[CAPOS_OP_COUNT] = {
    [CAPOS_OP_NOP] = 0,
    [CAPOS_OP_CALL] = F_CAP | F_METHOD | F_WORD0 | F_SEND | F_RECV | F_XFER,
    [CAPOS_OP_RECV] = F_CAP | F_RECV,
    [CAPOS_OP_RETURN] = F_CAP | F_WORD0 | F_SEND | F_XFER | F_STATUS,
    [CAPOS_OP_RELEASE] = F_CAP,
};

/* A received message plus its cap ids must fit in the largest buffer. */
#define RING_MAX_RECV (CAPOS_MAX_MSG_BYTES + CAPOS_MAX_XFER * 4 + 8)

enum ring_sqe_check ring_sqe_validate(const struct capos_sqe *sqe)
{
    uint8_t f;

    if (sqe->opcode >= CAPOS_OP_COUNT)
        return RING_SQE_BAD_OPCODE;
    if (sqe->flags != 0)
        return RING_SQE_BAD_FLAGS;
    f = ring_fields[sqe->opcode];
    if (sqe->reserved != 0 || (!(f & F_CAP) && sqe->cap != 0) ||
        (!(f & F_METHOD) && sqe->method != 0) || (!(f & F_WORD0) && sqe->word0 != 0) ||
        (!(f & F_SEND) && (sqe->send_addr != 0 || sqe->send_len != 0)) ||
        (!(f & F_RECV) && (sqe->recv_addr != 0 || sqe->recv_len != 0)) ||
        (!(f & F_XFER) && (sqe->xfer_addr != 0 || sqe->xfer_count != 0)) ||
        (!(f & F_STATUS) && sqe->status != 0))
        return RING_SQE_NONZERO;
    /* An empty buffer has no address: a stray pointer is a bug worth reporting. */
    if ((sqe->send_len == 0 && sqe->send_addr != 0) ||
        (sqe->recv_len == 0 && sqe->recv_addr != 0) ||
        (sqe->xfer_count == 0 && sqe->xfer_addr != 0))
        return RING_SQE_NONZERO;
    if (sqe->send_len > CAPOS_MAX_MSG_BYTES || sqe->recv_len > RING_MAX_RECV)
        return RING_SQE_TOO_LONG;
    if (sqe->xfer_count > CAPOS_MAX_XFER)
        return RING_SQE_TOO_MANY_CAPS;
    return RING_SQE_OK;
}

const char *ring_sqe_check_str(enum ring_sqe_check c)
{
    switch (c) {
    case RING_SQE_OK: return "ok";
    case RING_SQE_BAD_OPCODE: return "unknown opcode";
    case RING_SQE_BAD_FLAGS: return "unknown flag bits";
    case RING_SQE_NONZERO: return "unused or reserved field is non-zero";
    case RING_SQE_TOO_LONG: return "buffer length above the limit";
    case RING_SQE_TOO_MANY_CAPS: return "too many capabilities";
    }
    return "?";
}
