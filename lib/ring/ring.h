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

/* Validates the fields of an SQE that do not depend on capabilities. */
enum ring_sqe_check ring_sqe_validate(const struct capos_sqe *sqe);

const char *ring_sqe_check_str(enum ring_sqe_check c);

#endif
