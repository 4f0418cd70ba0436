/*
 * Text for the SQE validation results (the validation itself is inline in
 * ring.h, since it runs once per submitted entry).
 */
#include "ring/ring.h"

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
