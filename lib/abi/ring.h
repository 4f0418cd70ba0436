/*
 * The capability ring ABI: the memory layout a process shares with the
 * kernel, and the two system calls.  docs/ring-abi.md describes the protocol
 * in prose; this header is its definition.  Every size and offset is pinned
 * by a _Static_assert, so any change to the ABI fails the build until it is
 * made deliberately here.
 *
 * Ownership of the shared indices (both free-running 32-bit counters, masked
 * by entries-1 to find a slot):
 *   sq_tail  written by the process (producer), read by the kernel
 *   sq_head  written by the kernel  (consumer), read by the process
 *   cq_tail  written by the kernel  (producer), read by the process
 *   cq_head  written by the process (consumer), read by the kernel
 * The kernel keeps its own copies of sq_head and cq_tail and never reads
 * them back from shared memory; it reads sq_tail and cq_head once per use
 * and treats them as claims to validate.
 */
#ifndef CAPOS_LIB_ABI_RING_H
#define CAPOS_LIB_ABI_RING_H

#include <stddef.h>
#include <stdint.h>

/* System call numbers (rax); arguments in rdi, rsi; result in rax. */
enum capos_syscall {
    CAPOS_SYS_CAP_ENTER = 0, /* cap_enter(min_complete, timeout_ns) */
    CAPOS_SYS_EXIT = 1,      /* exit(code): does not return */
};

/* cap_enter timeout meaning "wait as long as it takes". */
#define CAPOS_WAIT_FOREVER UINT64_MAX

/* Ring opcodes.  Values are ABI. */
enum capos_opcode {
    CAPOS_OP_NOP = 0,        /* completes at once with ok */
    CAPOS_OP_CALL = 1,       /* invoke a method on a capability */
    CAPOS_OP_RECV = 2,       /* server: wait for a call on an endpoint */
    CAPOS_OP_RETURN = 3,     /* server: complete a received call */
    CAPOS_OP_RELEASE = 4,    /* drop a capability from the table */
    CAPOS_OP_REPLY_RECV = 5, /* server: RETURN, then RECV on the same endpoint, one completion */
    CAPOS_OP_COUNT
};

/* Transfer modes of a capability passed with CALL or RETURN. */
enum capos_xfer_mode {
    CAPOS_XFER_COPY = 0, /* the sender keeps its capability */
    CAPOS_XFER_MOVE = 1, /* the sender's slot is released when the transfer commits */
};

/* One capability to transfer (an array of these is named by an SQE). */
struct capos_xfer {
    uint32_t cap;  /* sender's cap id */
    uint32_t mode; /* enum capos_xfer_mode */
};

_Static_assert(sizeof(struct capos_xfer) == 8, "xfer descriptor is 8 bytes");

/* Limits on one message. */
#define CAPOS_MAX_XFER      16    /* capabilities per CALL or RETURN */
#define CAPOS_PARK_WAKE_MAX 64    /* waiters one ParkSpace.wake completes at most */
#define CAPOS_MAX_MSG_BYTES 65536 /* parameter or result message size */

/*
 * Submission queue entry: 64 bytes.  Fields not used by an opcode must be
 * zero, as must `flags` and `reserved` (for now); otherwise the entry
 * completes with ErrorCode.invalidOpcode.
 *
 *            cap              word0            send              recv          xfer
 *  NOP       0                0                -                 -             -
 *  CALL      target cap       interface id     params message    result buffer transferred caps
 *  RECV      endpoint server  0                -                 params buffer -
 *  RETURN    endpoint server  call token       result message    -             transferred caps
 *  RELEASE   cap to drop      0                -                 -             -
 *  REPLY_RECV endpoint server call token       result message    params buffer transferred caps
 *
 * For CALL, `method` is the method ordinal.  For RETURN and REPLY_RECV,
 * `status` is the ErrorCode delivered to the caller (0 = ok, with the
 * result message).  RETURN's `detail` (which shares its place with
 * recv_len, a field RETURN does not use) is the detail of the caller's
 * completion: with an error status, the field of the call's parameters
 * that was wrong (a DetailKind params detail, docs/ring-abi.md), else 0.
 * REPLY_RECV is RETURN (without a detail) followed by a RECV on the same
 * endpoint into the recv buffer, with one completion: the RECV's; the
 * RETURN's own completion is not posted unless the RETURN was refused, in
 * which case the entry completes with the RETURN's error, the CQE flag
 * CAPOS_CQE_REPLY_REFUSED set, and no RECV posted.
 */
struct capos_sqe {
    uint8_t opcode;
    uint8_t flags;
    uint16_t method;
    uint32_t cap;
    uint64_t user_data; /* returned unchanged in the completion */
    union {
        uint64_t interface_id; /* CALL */
        uint64_t token;        /* RETURN, REPLY_RECV: from the RECV completion */
        uint64_t word0;
    };
    uint64_t send_addr;
    uint32_t send_len;
    union {
        uint32_t recv_len; /* CALL, RECV, REPLY_RECV */
        uint32_t detail;   /* RETURN */
    };
    uint64_t recv_addr;
    uint64_t xfer_addr;
    uint16_t xfer_count;
    uint16_t reserved;
    int32_t status;
};

_Static_assert(sizeof(struct capos_sqe) == 64, "SQE is 64 bytes");
_Static_assert(offsetof(struct capos_sqe, opcode) == 0, "SQE layout");
_Static_assert(offsetof(struct capos_sqe, flags) == 1, "SQE layout");
_Static_assert(offsetof(struct capos_sqe, method) == 2, "SQE layout");
_Static_assert(offsetof(struct capos_sqe, cap) == 4, "SQE layout");
_Static_assert(offsetof(struct capos_sqe, user_data) == 8, "SQE layout");
_Static_assert(offsetof(struct capos_sqe, interface_id) == 16, "SQE layout");
_Static_assert(offsetof(struct capos_sqe, token) == 16, "SQE layout");
_Static_assert(offsetof(struct capos_sqe, send_addr) == 24, "SQE layout");
_Static_assert(offsetof(struct capos_sqe, send_len) == 32, "SQE layout");
_Static_assert(offsetof(struct capos_sqe, recv_len) == 36, "SQE layout");
_Static_assert(offsetof(struct capos_sqe, detail) == 36, "SQE layout");
_Static_assert(offsetof(struct capos_sqe, recv_addr) == 40, "SQE layout");
_Static_assert(offsetof(struct capos_sqe, xfer_addr) == 48, "SQE layout");
_Static_assert(offsetof(struct capos_sqe, xfer_count) == 56, "SQE layout");
_Static_assert(offsetof(struct capos_sqe, reserved) == 58, "SQE layout");
_Static_assert(offsetof(struct capos_sqe, status) == 60, "SQE layout");

/*
 * Completion queue entry: 64 bytes.
 *
 * `result` is an ErrorCode.  `result_len` is the length of the message the
 * kernel wrote to the entry's recv buffer (CALL: result message; RECV:
 * parameter message); with resultTooLarge it is the size that was needed.
 * Capabilities received with the message are inserted into the table and
 * their new cap ids are written, as `ncaps` uint32 values, at recv_addr +
 * CAPOS_CAPS_OFFSET(result_len) in the same buffer.
 * For RECV completions, `interface_id`, `method`, `badge` (of the client
 * facet the caller used) and `token` (to name this call in RETURN) are set.
 * `detail` says more about an error result, when there is more to say: its
 * top byte is a DetailKind of the schema (a refused submission entry, or
 * the parameter that was wrong), the low 24 bits its value
 * (docs/ring-abi.md); 0 otherwise.  `flags` is 0 but for a REPLY_RECV whose
 * RETURN was refused (CAPOS_CQE_REPLY_REFUSED).
 */
struct capos_cqe {
    uint64_t user_data;
    int32_t result;
    uint32_t result_len;
    uint16_t ncaps;
    uint16_t method;
    uint32_t flags;
    uint64_t interface_id;
    uint64_t badge;
    uint64_t token;
    uint32_t detail;
    uint32_t reserved0;
    uint64_t reserved1;
};

_Static_assert(sizeof(struct capos_cqe) == 64, "CQE is 64 bytes");
_Static_assert(offsetof(struct capos_cqe, user_data) == 0, "CQE layout");
_Static_assert(offsetof(struct capos_cqe, result) == 8, "CQE layout");
_Static_assert(offsetof(struct capos_cqe, result_len) == 12, "CQE layout");
_Static_assert(offsetof(struct capos_cqe, ncaps) == 16, "CQE layout");
_Static_assert(offsetof(struct capos_cqe, method) == 18, "CQE layout");
_Static_assert(offsetof(struct capos_cqe, flags) == 20, "CQE layout");
_Static_assert(offsetof(struct capos_cqe, interface_id) == 24, "CQE layout");
_Static_assert(offsetof(struct capos_cqe, badge) == 32, "CQE layout");
_Static_assert(offsetof(struct capos_cqe, token) == 40, "CQE layout");
_Static_assert(offsetof(struct capos_cqe, detail) == 48, "CQE layout");
_Static_assert(offsetof(struct capos_cqe, reserved0) == 52, "CQE layout");
_Static_assert(offsetof(struct capos_cqe, reserved1) == 56, "CQE layout");

/* CQE flags. */
enum capos_cqe_flag {
    /* REPLY_RECV: its RETURN was refused (the result is why); nothing was
     * received and no RECV is posted. */
    CAPOS_CQE_REPLY_REFUSED = 1,
};

/* Where received cap ids start in a recv buffer: after the message, 8-aligned. */
#define CAPOS_CAPS_OFFSET(msg_len) ((((uint64_t)(msg_len)) + 7) & ~7ULL)

/*
 * The ring header at the start of the shared region.  The SQE and CQE arrays
 * follow at the offsets given here (fixed for this ABI version, but programs
 * should use the fields).  Indices sit on separate cache lines so producer
 * and consumer do not share one.
 */
struct capos_ring_header {
    uint32_t sq_head; /* kernel-owned */
    uint32_t pad0[15];
    uint32_t sq_tail; /* process-owned */
    uint32_t pad1[15];
    uint32_t cq_head; /* process-owned */
    uint32_t pad2[15];
    uint32_t cq_tail; /* kernel-owned */
    uint32_t pad3[15];
    /* Read-only description, written once by the kernel. */
    uint32_t abi_version;
    uint32_t sq_entries; /* power of two */
    uint32_t cq_entries; /* power of two, >= sq_entries */
    uint32_t sq_offset;  /* byte offset of the SQE array from the header */
    uint32_t cq_offset;  /* byte offset of the CQE array */
    uint32_t pad4[11];
};

_Static_assert(sizeof(struct capos_ring_header) == 320, "ring header size");
_Static_assert(offsetof(struct capos_ring_header, sq_head) == 0, "ring header layout");
_Static_assert(offsetof(struct capos_ring_header, sq_tail) == 64, "ring header layout");
_Static_assert(offsetof(struct capos_ring_header, cq_head) == 128, "ring header layout");
_Static_assert(offsetof(struct capos_ring_header, cq_tail) == 192, "ring header layout");
_Static_assert(offsetof(struct capos_ring_header, abi_version) == 256, "ring header layout");
_Static_assert(offsetof(struct capos_ring_header, sq_entries) == 260, "ring header layout");
_Static_assert(offsetof(struct capos_ring_header, cq_entries) == 264, "ring header layout");
_Static_assert(offsetof(struct capos_ring_header, sq_offset) == 268, "ring header layout");
_Static_assert(offsetof(struct capos_ring_header, cq_offset) == 272, "ring header layout");

#define CAPOS_RING_ABI_VERSION 1
#define CAPOS_RING_SQ_ENTRIES  64
#define CAPOS_RING_CQ_ENTRIES  128
#define CAPOS_RING_SQ_OFFSET   512
#define CAPOS_RING_CQ_OFFSET   (CAPOS_RING_SQ_OFFSET + CAPOS_RING_SQ_ENTRIES * 64)
#define CAPOS_RING_BYTES       (CAPOS_RING_CQ_OFFSET + CAPOS_RING_CQ_ENTRIES * 64)
#define CAPOS_RING_PAGES       ((CAPOS_RING_BYTES + 4095) / 4096)

_Static_assert(CAPOS_RING_SQ_OFFSET >= sizeof(struct capos_ring_header), "SQ after header");
_Static_assert(CAPOS_RING_BYTES == 12800, "ring region size");

#endif
