/* Host tests of lib/ring: index arithmetic across wrap-around, corrupt
 * indices, and SQE field validation for every opcode. */
#include "test.h"

#include "ring/ring.h"

TEST(sq_pending_wraps)
{
    uint32_t n;
    CHECK(ring_sq_pending(10, 10, 64, &n));
    CHECK_EQ(n, 0);
    CHECK(ring_sq_pending(10, 74, 64, &n));
    CHECK_EQ(n, 64);
    CHECK(!ring_sq_pending(10, 75, 64, &n)); /* more than the ring holds */
    CHECK(!ring_sq_pending(10, 9, 64, &n));  /* tail behind head */
    CHECK(ring_sq_pending(UINT32_MAX - 2, 5, 64, &n));
    CHECK_EQ(n, 8);
}

TEST(cq_space)
{
    uint32_t s;
    CHECK(ring_cq_space(0, 0, 128, 0, &s));
    CHECK_EQ(s, 128);
    CHECK(ring_cq_space(100, 50, 128, 10, &s));
    CHECK_EQ(s, 68);
    CHECK(ring_cq_space(100, 0, 128, 40, &s));
    CHECK_EQ(s, 0);                              /* never negative */
    CHECK(!ring_cq_space(100, 101, 128, 0, &s)); /* head ahead of tail */
    CHECK(!ring_cq_space(300, 100, 128, 0, &s)); /* head too far behind */
    CHECK(ring_cq_space(3, UINT32_MAX - 4, 128, 0, &s));
    CHECK_EQ(s, 120);
}

static struct capos_sqe sqe_call(void)
{
    struct capos_sqe s;
    memset(&s, 0, sizeof(s));
    s.opcode = CAPOS_OP_CALL;
    s.cap = 0x10001;
    s.interface_id = 0x1234;
    s.method = 1;
    s.send_addr = 0x10000;
    s.send_len = 16;
    s.recv_addr = 0x20000;
    s.recv_len = 64;
    return s;
}

TEST(valid_entries)
{
    struct capos_sqe s;
    memset(&s, 0, sizeof(s));
    CHECK_EQ(ring_sqe_validate(&s), RING_SQE_OK); /* NOP */
    s = sqe_call();
    CHECK_EQ(ring_sqe_validate(&s), RING_SQE_OK);
    s.xfer_addr = 0x30000;
    s.xfer_count = CAPOS_MAX_XFER;
    CHECK_EQ(ring_sqe_validate(&s), RING_SQE_OK);
    memset(&s, 0, sizeof(s));
    s.opcode = CAPOS_OP_RECV;
    s.cap = 5;
    s.recv_addr = 0x1000;
    s.recv_len = 4096;
    CHECK_EQ(ring_sqe_validate(&s), RING_SQE_OK);
    memset(&s, 0, sizeof(s));
    s.opcode = CAPOS_OP_RETURN;
    s.cap = 5;
    s.token = 99;
    s.status = 6;
    CHECK_EQ(ring_sqe_validate(&s), RING_SQE_OK);
    s.detail = 0xffffffffu; /* RETURN's detail is no length: any value passes here */
    CHECK_EQ(ring_sqe_validate(&s), RING_SQE_OK);
    memset(&s, 0, sizeof(s));
    s.opcode = CAPOS_OP_RELEASE;
    s.cap = 7;
    CHECK_EQ(ring_sqe_validate(&s), RING_SQE_OK);
    memset(&s, 0, sizeof(s));
    s.opcode = CAPOS_OP_REPLY_RECV;
    s.cap = 5;
    s.token = 99;
    s.status = 6;
    s.send_addr = 0x2000;
    s.send_len = 16;
    s.recv_addr = 0x1000;
    s.recv_len = 4096;
    s.xfer_addr = 0x30000;
    s.xfer_count = CAPOS_MAX_XFER;
    CHECK_EQ(ring_sqe_validate(&s), RING_SQE_OK);
}

/* REPLY_RECV's recv_len is a length (no detail), checked as RECV's is. */
TEST(reply_recv_checks_its_buffer)
{
    struct capos_sqe s;
    memset(&s, 0, sizeof(s));
    s.opcode = CAPOS_OP_REPLY_RECV;
    s.cap = 5;
    s.recv_addr = 0x1000; /* address without a length */
    CHECK_EQ(ring_sqe_validate(&s), RING_SQE_NONZERO);
    s.recv_len = 0xffffffffu;
    CHECK_EQ(ring_sqe_validate(&s), RING_SQE_TOO_LONG);
    s.recv_len = 64;
    s.method = 1; /* REPLY_RECV names no method */
    CHECK_EQ(ring_sqe_validate(&s), RING_SQE_NONZERO);
    s.method = 0;
    s.xfer_count = CAPOS_MAX_XFER + 1;
    s.xfer_addr = 0x30000;
    CHECK_EQ(ring_sqe_validate(&s), RING_SQE_TOO_MANY_CAPS);
}

TEST(rejects_unknown_opcode_and_flags)
{
    struct capos_sqe s = sqe_call();
    s.opcode = CAPOS_OP_COUNT;
    CHECK_EQ(ring_sqe_validate(&s), RING_SQE_BAD_OPCODE);
    s.opcode = 0xff;
    CHECK_EQ(ring_sqe_validate(&s), RING_SQE_BAD_OPCODE);
    s = sqe_call();
    s.flags = 0x80;
    CHECK_EQ(ring_sqe_validate(&s), RING_SQE_BAD_FLAGS);
    s = sqe_call();
    s.reserved = 1;
    CHECK_EQ(ring_sqe_validate(&s), RING_SQE_NONZERO);
}

TEST(rejects_fields_the_opcode_does_not_use)
{
    struct capos_sqe s;
    memset(&s, 0, sizeof(s));
    s.cap = 1; /* NOP takes no cap */
    CHECK_EQ(ring_sqe_validate(&s), RING_SQE_NONZERO);
    s = sqe_call();
    s.status = 3; /* only RETURN carries a status */
    CHECK_EQ(ring_sqe_validate(&s), RING_SQE_NONZERO);
    memset(&s, 0, sizeof(s));
    s.opcode = CAPOS_OP_RECV;
    s.cap = 1;
    s.send_len = 4;
    s.send_addr = 8;
    CHECK_EQ(ring_sqe_validate(&s), RING_SQE_NONZERO);
    memset(&s, 0, sizeof(s));
    s.opcode = CAPOS_OP_RELEASE;
    s.cap = 1;
    s.method = 2;
    CHECK_EQ(ring_sqe_validate(&s), RING_SQE_NONZERO);
    memset(&s, 0, sizeof(s));
    s.opcode = CAPOS_OP_RELEASE;
    s.cap = 1;
    s.detail = 1; /* only RETURN carries a detail */
    CHECK_EQ(ring_sqe_validate(&s), RING_SQE_NONZERO);
    s = sqe_call();
    s.send_len = 0; /* address without a length */
    CHECK_EQ(ring_sqe_validate(&s), RING_SQE_NONZERO);
}

TEST(rejects_oversized)
{
    struct capos_sqe s = sqe_call();
    s.send_len = CAPOS_MAX_MSG_BYTES + 1;
    CHECK_EQ(ring_sqe_validate(&s), RING_SQE_TOO_LONG);
    s = sqe_call();
    s.recv_len = UINT32_MAX;
    CHECK_EQ(ring_sqe_validate(&s), RING_SQE_TOO_LONG);
    s = sqe_call();
    s.xfer_addr = 0x1000;
    s.xfer_count = CAPOS_MAX_XFER + 1;
    CHECK_EQ(ring_sqe_validate(&s), RING_SQE_TOO_MANY_CAPS);
}
