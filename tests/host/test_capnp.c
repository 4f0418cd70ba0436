/*
 * Wire-level host tests of lib/capnp: framing, pointer kinds, far pointers,
 * limits, blobs, capabilities and the builder, mostly on hand-crafted
 * messages (the malformed ones can only be made by hand).  The cross-checks
 * against the capnp tool live in test_capnp_interop.c.
 */
#include "test.h"

#include <stdlib.h>

#include "capnp/capnp.h"
#include "capnp/wire.h"
#include "test_capnp_util.h"

/* Frames `n` segments given as word arrays into `out`; returns the byte length. */
static size_t frame(uint8_t *out, uint32_t n, const uint64_t *const *segs, const uint32_t *words)
{
    uint32_t hdr[64] = {n - 1};
    size_t off = ((size_t)n / 2 + 1) * 8;
    for (uint32_t i = 0; i < n; i++)
        hdr[1 + i] = words[i];
    memcpy(out, hdr, off);
    for (uint32_t i = 0; i < n; i++) {
        memcpy(out + off, segs[i], (size_t)words[i] * 8);
        off += (size_t)words[i] * 8;
    }
    return off;
}

/* A reader over raw segments with the given cap table size. */
static void read_segs(struct capnp_reader *r, uint32_t n, const uint64_t *const *segs,
                      const uint32_t *words, const struct capnp_limits *lim)
{
    struct capnp_segment s[8];
    for (uint32_t i = 0; i < n; i++) {
        s[i].data = (const uint8_t *)segs[i];
        s[i].words = words[i];
    }
    capnp_reader_init_segments(r, s, n, lim);
}

TEST(strerror_covers_every_code)
{
    for (int e = 0; e < CAPNP_ERR_COUNT; e++) {
        const char *s = capnp_strerror((enum capnp_err)e);
        CHECK(s && *s);
        CHECK(strcmp(s, "unknown capnp error") != 0);
        for (int f = 0; f < e; f++)
            CHECK(strcmp(s, capnp_strerror((enum capnp_err)f)) != 0);
    }
    CHECK_STR(capnp_strerror(CAPNP_ERR_COUNT), "unknown capnp error");
    CHECK_STR(capnp_strerror((enum capnp_err) - 1), "unknown capnp error");
}

/* Builds root { u32 @0 = 0x12345678, text @ptr0 = "hi" } and frames it. */
static size_t small_message(uint64_t *arena, size_t arena_bytes, const uint8_t **msg)
{
    struct capnp_builder b;
    size_t len = 0;
    capnp_builder_init(&b, arena, arena_bytes);
    struct capnp_struct_builder root = capnp_builder_init_root(&b, 1, 1);
    capnp_sb_set_u32(root, 0, 0x12345678);
    capnp_pb_set_text(capnp_sb_ptr(root, 0), CAPNP_STR("hi"));
    if (capnp_builder_finish(&b, msg, &len))
        return 0;
    return len;
}

TEST(framing_round_trip)
{
    uint64_t arena[16];
    const uint8_t *msg;
    size_t len = small_message(arena, sizeof(arena), &msg);
    CHECK(len == 5 * 8); /* header, root pointer, 2 struct words, 1 text word */
    struct capnp_reader r;
    CHECK_EQ(capnp_reader_init(&r, msg, len, NULL), CAPNP_OK);
    CHECK_EQ(r.nsegs, 1);
    struct capnp_struct root = capnp_reader_root(&r);
    CHECK_EQ(capnp_struct_get_u32(&root, 0), 0x12345678);
    struct capnp_text t = capnp_ptr_get_text(capnp_struct_ptr(&root, 0), 0, 0);
    CHECK_EQ(t.len, 2);
    CHECK_STR(t.str, "hi");
    CHECK_EQ(capnp_reader_error(&r), CAPNP_OK);
}

TEST(framing_unaligned_buffer)
{
    uint64_t arena[16];
    const uint8_t *msg;
    size_t len = small_message(arena, sizeof(arena), &msg);
    for (size_t shift = 1; shift < 8; shift++) {
        uint8_t *buf = malloc(len + shift);
        memcpy(buf + shift, msg, len);
        struct capnp_reader r;
        CHECK_EQ(capnp_reader_init(&r, buf + shift, len, NULL), CAPNP_OK);
        struct capnp_struct root = capnp_reader_root(&r);
        CHECK_EQ(capnp_struct_get_u32(&root, 0), 0x12345678);
        CHECK_STR(capnp_ptr_get_text(capnp_struct_ptr(&root, 0), 0, 0).str, "hi");
        free(buf);
    }
}

TEST(framing_truncated_everywhere)
{
    uint64_t arena[16];
    const uint8_t *msg;
    size_t len = small_message(arena, sizeof(arena), &msg);
    /* Every strict prefix fails, from an exact-size heap copy (ASan-checked). */
    for (size_t n = 0; n < len; n++) {
        uint8_t *buf = malloc(n ? n : 1);
        memcpy(buf, msg, n);
        struct capnp_reader r;
        CHECK_EQ(capnp_reader_init(&r, buf, n, NULL), CAPNP_ERR_TRUNCATED);
        struct capnp_struct root = capnp_reader_root(&r);
        CHECK_EQ(capnp_struct_get_u32(&root, 0), 0);
        CHECK_EQ(capnp_reader_error(&r), CAPNP_ERR_TRUNCATED);
        free(buf);
    }
    /* A segment size so large that size * 8 would overflow 32 bits. */
    uint32_t hdr[2] = {0, 0xffffffff};
    struct capnp_reader r;
    CHECK_EQ(capnp_reader_init(&r, hdr, sizeof(hdr), NULL), CAPNP_ERR_TRUNCATED);
    /* Three segments declared, header cut before the sizes end. */
    uint32_t hdr3[2] = {2, 1};
    CHECK_EQ(capnp_reader_init(&r, hdr3, sizeof(hdr3), NULL), CAPNP_ERR_TRUNCATED);
}

TEST(framing_segment_count)
{
    uint32_t hdr[40] = {0};
    struct capnp_reader r;
    hdr[0] = 0xffffffff; /* count - 1 wraps to zero segments */
    CHECK_EQ(capnp_reader_init(&r, hdr, sizeof(hdr), NULL), CAPNP_ERR_SEGMENT_COUNT);
    hdr[0] = CAPNP_INLINE_SEGMENTS;
    CHECK_EQ(capnp_reader_init(&r, hdr, sizeof(hdr), NULL), CAPNP_ERR_SEGMENT_COUNT);
    /* The largest allowed count with all-empty segments frames fine. */
    hdr[0] = CAPNP_INLINE_SEGMENTS - 1;
    size_t hdr_bytes = ((size_t)CAPNP_INLINE_SEGMENTS / 2 + 1) * 8;
    CHECK_EQ(capnp_reader_init(&r, hdr, hdr_bytes, NULL), CAPNP_OK);
    CHECK_EQ(r.nsegs, CAPNP_INLINE_SEGMENTS);
    /* ...but an empty first segment has no root pointer. */
    struct capnp_struct root = capnp_reader_root(&r);
    CHECK(root.seg == NULL);
    CHECK_EQ(capnp_reader_error(&r), CAPNP_ERR_OUT_OF_BOUNDS);
    CHECK_EQ(capnp_reader_init_segments(&r, NULL, 0, NULL), CAPNP_ERR_SEGMENT_COUNT);

    /* A bigger table takes more, up to the reference limit of 511. */
    static uint32_t big[1 + 512];
    static struct capnp_segment table[600];
    big[0] = CAPNP_MAX_SEGMENTS - 1;
    hdr_bytes = ((size_t)CAPNP_MAX_SEGMENTS / 2 + 1) * 8;
    CHECK_EQ(capnp_reader_init_table(&r, big, hdr_bytes, NULL, NULL, table, 600), CAPNP_OK);
    CHECK_EQ(r.nsegs, CAPNP_MAX_SEGMENTS);
    big[0] = CAPNP_MAX_SEGMENTS;
    CHECK_EQ(capnp_reader_init_table(&r, big, sizeof(big), NULL, NULL, table, 600),
             CAPNP_ERR_SEGMENT_COUNT);
    big[0] = 40;
    CHECK_EQ(capnp_reader_init_table(&r, big, sizeof(big), NULL, NULL, table, 40),
             CAPNP_ERR_SEGMENT_COUNT);
    CHECK_EQ(capnp_reader_init_table(&r, big, sizeof(big), NULL, NULL, NULL, 40),
             CAPNP_ERR_INVALID_ARGUMENT);
}

TEST(framing_trailing_bytes)
{
    uint64_t arena[16];
    uint8_t buf[256];
    const uint8_t *msg;
    size_t len = small_message(arena, sizeof(arena), &msg), used = 0;
    memcpy(buf, msg, len);
    memset(buf + len, 0xaa, 16);
    struct capnp_reader r;
    CHECK_EQ(capnp_reader_init(&r, buf, len + 16, NULL), CAPNP_ERR_TRAILING_BYTES);
    CHECK_EQ(capnp_reader_init_prefix(&r, buf, len + 16, NULL, &used), CAPNP_OK);
    CHECK_EQ(used, len);
    struct capnp_struct root = capnp_reader_root(&r);
    CHECK_EQ(capnp_struct_get_u32(&root, 0), 0x12345678);
}

TEST(limits_argument_checks)
{
    struct capnp_reader r;
    struct capnp_limits bad = {0, -1};
    uint64_t seg[1] = {0};
    const uint64_t *segs[1] = {seg};
    uint32_t words[1] = {1};
    struct capnp_segment s = {(const uint8_t *)seg, 1};
    CHECK_EQ(capnp_reader_init_segments(&r, &s, 1, &bad), CAPNP_ERR_INVALID_ARGUMENT);
    CHECK_EQ(capnp_reader_init(&r, NULL, 8, NULL), CAPNP_ERR_INVALID_ARGUMENT);
    read_segs(&r, 1, segs, words, NULL);
    CHECK_EQ(r.traversal_left, CAPNP_DEFAULT_TRAVERSAL_WORDS);
    CHECK_EQ(r.nesting, CAPNP_DEFAULT_NESTING);
    CHECK(capnp_reader_root(&r).seg == NULL); /* null root: all defaults, no error */
    CHECK_EQ(capnp_reader_error(&r), CAPNP_OK);
}

TEST(struct_pointer_bounds)
{
    struct capnp_reader r;
    uint32_t words[1] = {3};
    uint64_t seg[3] = {0, 0, 0};
    const uint64_t *segs[1] = {seg};
    /* Offset 1, 2 data words: needs words 2..3, only 2 exists. */
    seg[0] = capnp_wire_make_struct(1, 2, 0);
    read_segs(&r, 1, segs, words, NULL);
    CHECK(capnp_reader_root(&r).seg == NULL);
    CHECK_EQ(capnp_reader_error(&r), CAPNP_ERR_OUT_OF_BOUNDS);
    /* Negative offset before the segment start. */
    seg[0] = capnp_wire_make_struct(-2, 0, 0);
    read_segs(&r, 1, segs, words, NULL);
    CHECK(capnp_reader_root(&r).seg == NULL);
    CHECK_EQ(capnp_reader_error(&r), CAPNP_ERR_OUT_OF_BOUNDS);
    /* Most negative and most positive offsets. */
    seg[0] = capnp_wire_make_struct(-(1 << 29), 1, 0);
    read_segs(&r, 1, segs, words, NULL);
    CHECK(capnp_reader_root(&r).seg == NULL);
    seg[0] = capnp_wire_make_struct((1 << 29) - 1, 0xffff, 0xffff);
    read_segs(&r, 1, segs, words, NULL);
    CHECK(capnp_reader_root(&r).seg == NULL);
    CHECK_EQ(capnp_reader_error(&r), CAPNP_ERR_OUT_OF_BOUNDS);
    /* Exactly fitting is fine; the zero-sized struct at offset -1 too. */
    seg[0] = capnp_wire_make_struct(0, 1, 1);
    seg[1] = 77;
    read_segs(&r, 1, segs, words, NULL);
    struct capnp_struct s = capnp_reader_root(&r);
    CHECK_EQ(capnp_struct_get_u64(&s, 0), 77);
    CHECK_EQ(capnp_struct_get_u64(&s, 1), 0); /* beyond the data section */
    CHECK(capnp_ptr_is_null(capnp_struct_ptr(&s, 0)));
    CHECK(capnp_ptr_is_null(capnp_struct_ptr(&s, 1))); /* beyond the pointers */
    seg[0] = capnp_wire_make_struct(-1, 0, 0);
    read_segs(&r, 1, segs, words, NULL);
    s = capnp_reader_root(&r);
    CHECK(s.seg != NULL);
    CHECK_EQ(capnp_reader_error(&r), CAPNP_OK);
}

TEST(wrong_pointer_kinds)
{
    struct capnp_reader r;
    uint32_t words[1] = {4};
    uint64_t seg[4] = {0};
    const uint64_t *segs[1] = {seg};
    /* Root is a list, not a struct. */
    seg[0] = capnp_wire_make_list(0, CAPNP_ELEM_BYTE, 8);
    read_segs(&r, 1, segs, words, NULL);
    CHECK(capnp_reader_root(&r).seg == NULL);
    CHECK_EQ(capnp_reader_error(&r), CAPNP_ERR_WRONG_KIND);
    /* A struct where a list is expected, a capability where text is. */
    seg[0] = capnp_wire_make_struct(0, 0, 2);
    seg[1] = capnp_wire_make_struct(0, 1, 0);
    seg[2] = capnp_wire_make_cap(0);
    read_segs(&r, 1, segs, words, NULL);
    capnp_reader_set_cap_count(&r, 1);
    struct capnp_struct root = capnp_reader_root(&r);
    struct capnp_list l;
    CHECK_EQ(capnp_ptr_read_list(capnp_struct_ptr(&root, 0), CAPNP_ELEM_ANY, &l),
             CAPNP_ERR_WRONG_KIND);
    CHECK(l.seg == NULL && l.len == 0);
    struct capnp_text t;
    CHECK_EQ(capnp_ptr_read_text(capnp_struct_ptr(&root, 1), &t), CAPNP_ERR_WRONG_KIND);
    CHECK_EQ(t.len, 0);
    CHECK_STR(t.str, "");
    CHECK_EQ(capnp_ptr_kind(capnp_struct_ptr(&root, 1)), CAPNP_KIND_CAP);
    CHECK_EQ(capnp_ptr_get_cap(capnp_struct_ptr(&root, 1)), 0);
    uint32_t c;
    CHECK_EQ(capnp_ptr_read_cap(capnp_struct_ptr(&root, 0), &c), CAPNP_ERR_WRONG_KIND);
    CHECK_EQ(c, CAPNP_NO_CAP);
    /* The first error stays latched. */
    CHECK_EQ(capnp_reader_error(&r), CAPNP_ERR_WRONG_KIND);
}

TEST(capability_pointers)
{
    struct capnp_reader r;
    uint32_t words[1] = {4};
    uint64_t seg[4] = {0};
    const uint64_t *segs[1] = {seg};
    seg[0] = capnp_wire_make_struct(0, 0, 3);
    seg[1] = capnp_wire_make_cap(2);
    seg[2] = capnp_wire_make_cap(5);
    seg[3] = capnp_wire_make_cap(0) | (1u << 2); /* "other" with a non-zero B field */
    read_segs(&r, 1, segs, words, NULL);
    struct capnp_struct root = capnp_reader_root(&r);
    uint32_t c;
    /* No cap table: every capability is out of range (fail closed). */
    CHECK_EQ(capnp_ptr_read_cap(capnp_struct_ptr(&root, 0), &c), CAPNP_ERR_CAP_INDEX);
    CHECK_EQ(c, CAPNP_NO_CAP);
    read_segs(&r, 1, segs, words, NULL);
    capnp_reader_set_cap_count(&r, 3);
    root = capnp_reader_root(&r);
    CHECK_EQ(capnp_ptr_get_cap(capnp_struct_ptr(&root, 0)), 2);
    CHECK_EQ(capnp_reader_error(&r), CAPNP_OK);
    CHECK_EQ(capnp_ptr_get_cap(capnp_struct_ptr(&root, 1)), CAPNP_NO_CAP);
    CHECK_EQ(capnp_reader_error(&r), CAPNP_ERR_CAP_INDEX);
    read_segs(&r, 1, segs, words, NULL);
    capnp_reader_set_cap_count(&r, 100);
    root = capnp_reader_root(&r);
    CHECK_EQ(capnp_ptr_kind(capnp_struct_ptr(&root, 2)), CAPNP_KIND_INVALID);
    CHECK_EQ(capnp_ptr_read_cap(capnp_struct_ptr(&root, 2), &c), CAPNP_ERR_RESERVED_POINTER);
    enum capnp_kind k;
    CHECK_EQ(capnp_ptr_read_kind(capnp_struct_ptr(&root, 2), &k), CAPNP_ERR_RESERVED_POINTER);
    CHECK_EQ(k, CAPNP_KIND_INVALID);
    /* A null capability pointer is simply "no capability". */
    CHECK_EQ(capnp_ptr_get_cap(capnp_ptr_null()), CAPNP_NO_CAP);
}

/*
 * Two segments: the root pointer in segment 0 is a single far pointer to a
 * landing pad in segment 1, which points at a struct there.
 */
TEST(far_pointer_single)
{
    uint64_t s0[1], s1[4];
    const uint64_t *segs[2] = {s0, s1};
    uint32_t words[2] = {1, 4};
    s0[0] = capnp_wire_make_far(false, 1, 1);
    s1[0] = 0xdead;
    s1[1] = capnp_wire_make_struct(0, 1, 1); /* landing pad */
    s1[2] = 4242;
    s1[3] = 0; /* null pointer */
    struct capnp_reader r;
    uint8_t buf[128];
    size_t len = frame(buf, 2, segs, words);
    CHECK_EQ(capnp_reader_init(&r, buf, len, NULL), CAPNP_OK);
    CHECK_EQ(capnp_ptr_kind(capnp_reader_root_ptr(&r)), CAPNP_KIND_STRUCT);
    struct capnp_struct root = capnp_reader_root(&r);
    CHECK_EQ(capnp_struct_get_u64(&root, 0), 4242);
    CHECK_EQ(capnp_reader_error(&r), CAPNP_OK);
    /* The official tool agrees (Old is { a :UInt32, t :Text }). */
    char *text = capnp_test_decode(CAPNP_WIRETEST_SCHEMA, "Old", buf, len);
    CHECK(text != NULL);
    CHECK(strstr(text, "a = 4242") != NULL);
    free(text);
}

/*
 * Three segments: a double far pointer whose two-word landing pad in
 * segment 1 names content in segment 2 and describes it with a tag.
 */
TEST(far_pointer_double)
{
    uint64_t s0[1], s1[2], s2[3];
    const uint64_t *segs[3] = {s0, s1, s2};
    uint32_t words[3] = {1, 2, 3};
    s0[0] = capnp_wire_make_far(true, 0, 1);
    s1[0] = capnp_wire_make_far(false, 1, 2);
    s1[1] = capnp_wire_make_struct(0, 1, 1); /* tag: offset must be zero */
    s2[0] = 0;
    s2[1] = 99;
    s2[2] = 0;
    uint8_t buf[128];
    size_t len = frame(buf, 3, segs, words);
    struct capnp_reader r;
    CHECK_EQ(capnp_reader_init(&r, buf, len, NULL), CAPNP_OK);
    struct capnp_struct root = capnp_reader_root(&r);
    CHECK_EQ(capnp_struct_get_u32(&root, 0), 99);
    CHECK_EQ(capnp_reader_error(&r), CAPNP_OK);
    char *text = capnp_test_decode(CAPNP_WIRETEST_SCHEMA, "Old", buf, len);
    CHECK(text != NULL);
    CHECK(strstr(text, "a = 99") != NULL);
    free(text);

    /* A double-far list: the text "far" at s2[1]. */
    s1[1] = capnp_wire_make_list(0, CAPNP_ELEM_BYTE, 4);
    memcpy(&s2[1], "far", 4);
    len = frame(buf, 3, segs, words);
    CHECK_EQ(capnp_reader_init(&r, buf, len, NULL), CAPNP_OK);
    struct capnp_text t = capnp_ptr_get_text(capnp_reader_root_ptr(&r), 0, 0);
    CHECK_EQ(capnp_reader_error(&r), CAPNP_OK);
    CHECK_EQ(t.len, 3);
    CHECK_STR(t.str, "far");
}

/* Each malformed far pointer is reported, never followed out of bounds. */
TEST(far_pointer_malformed)
{
    uint64_t s0[1], s1[3];
    const uint64_t *segs[2] = {s0, s1};
    uint32_t words[2] = {1, 3};
    struct capnp_reader r;
    struct {
        uint64_t root, pad0, pad1, pad2;
        enum capnp_err want;
    } cases[] = {
        /* Segment id beyond the message. */
        {capnp_wire_make_far(false, 0, 2), 0, 0, 0, CAPNP_ERR_FAR_SEGMENT},
        {capnp_wire_make_far(false, 0, 0xffffffff), 0, 0, 0, CAPNP_ERR_FAR_SEGMENT},
        /* Landing pad beyond the segment (and a two-word pad straddling its end). */
        {capnp_wire_make_far(false, 3, 1), 0, 0, 0, CAPNP_ERR_FAR_LANDING_PAD},
        {capnp_wire_make_far(true, 2, 1), 0, 0, 0, CAPNP_ERR_FAR_LANDING_PAD},
        {capnp_wire_make_far(false, (1u << 29) - 1, 1), 0, 0, 0, CAPNP_ERR_FAR_LANDING_PAD},
        /* Single pad that is itself a far pointer (here: to itself). */
        {capnp_wire_make_far(false, 0, 1), capnp_wire_make_far(false, 0, 1), 0, 0,
         CAPNP_ERR_FAR_LANDING_PAD},
        /* Double pad whose first word is not a far pointer, or a double one. */
        {capnp_wire_make_far(true, 0, 1), capnp_wire_make_struct(0, 1, 0),
         capnp_wire_make_struct(0, 1, 0), 0, CAPNP_ERR_FAR_LANDING_PAD},
        {capnp_wire_make_far(true, 0, 1), capnp_wire_make_far(true, 0, 1),
         capnp_wire_make_struct(0, 1, 0), 0, CAPNP_ERR_FAR_LANDING_PAD},
        /* Double pad with a tag that has an offset, is far, or is "other". */
        {capnp_wire_make_far(true, 0, 1), capnp_wire_make_far(false, 2, 1),
         capnp_wire_make_struct(1, 1, 0), 0, CAPNP_ERR_FAR_LANDING_PAD},
        {capnp_wire_make_far(true, 0, 1), capnp_wire_make_far(false, 2, 1),
         capnp_wire_make_far(false, 0, 0), 0, CAPNP_ERR_FAR_LANDING_PAD},
        {capnp_wire_make_far(true, 0, 1), capnp_wire_make_far(false, 2, 1), capnp_wire_make_cap(0),
         0, CAPNP_ERR_FAR_LANDING_PAD},
        /* Double pad naming a missing segment, or content past the end. */
        {capnp_wire_make_far(true, 0, 1), capnp_wire_make_far(false, 0, 7),
         capnp_wire_make_struct(0, 1, 0), 0, CAPNP_ERR_FAR_SEGMENT},
        {capnp_wire_make_far(true, 0, 1), capnp_wire_make_far(false, 3, 1),
         capnp_wire_make_struct(0, 1, 0), 0, CAPNP_ERR_OUT_OF_BOUNDS},
        {capnp_wire_make_far(true, 0, 1), capnp_wire_make_far(false, 2, 1),
         capnp_wire_make_struct(0, 2, 0), 0, CAPNP_ERR_OUT_OF_BOUNDS},
        /* Single pad whose target runs off its segment. */
        {capnp_wire_make_far(false, 2, 1), 0, 0, capnp_wire_make_struct(0, 1, 0),
         CAPNP_ERR_OUT_OF_BOUNDS},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        s0[0] = cases[i].root;
        s1[0] = cases[i].pad0;
        s1[1] = cases[i].pad1;
        s1[2] = cases[i].pad2;
        read_segs(&r, 2, segs, words, NULL);
        struct capnp_struct root = capnp_reader_root(&r);
        if (capnp_reader_error(&r) != cases[i].want)
            test_failf(__FILE__, __LINE__, "case %zu: %s", i,
                       capnp_strerror(capnp_reader_error(&r)));
        CHECK_EQ(capnp_reader_error(&r), cases[i].want);
        CHECK(root.seg == NULL);
        /* Resolution alone catches all but an object running off its segment. */
        if (cases[i].want != CAPNP_ERR_OUT_OF_BOUNDS)
            CHECK_EQ(capnp_ptr_kind(capnp_reader_root_ptr(&r)), CAPNP_KIND_INVALID);
    }
    /* Defaults are single-segment: a far pointer in one is rejected quietly. */
    uint64_t d[2] = {capnp_wire_make_far(false, 0, 0), 0};
    struct capnp_segment dseg = {(const uint8_t *)d, 2};
    struct capnp_struct s = capnp_ptr_get_struct(capnp_ptr_null(), &dseg);
    CHECK(s.seg == NULL);
}

/*
 * A cycle through far pointers: the struct in segment 1 has one pointer,
 * a far pointer back to its own landing pad.  Following it forever must stop
 * at the nesting limit; a generic walk must stop too.
 */
TEST(far_pointer_cycle)
{
    uint64_t s0[1], s1[3];
    const uint64_t *segs[2] = {s0, s1};
    uint32_t words[2] = {1, 3};
    s0[0] = capnp_wire_make_far(false, 0, 1);
    s1[0] = capnp_wire_make_struct(0, 1, 1); /* pad -> struct at s1[1] */
    s1[1] = 5;
    s1[2] = capnp_wire_make_far(false, 0, 1); /* back to the pad */
    struct capnp_reader r;
    read_segs(&r, 2, segs, words, NULL);
    struct capnp_struct s = capnp_reader_root(&r);
    int depth = 0;
    while (s.seg) {
        CHECK_EQ(capnp_struct_get_u64(&s, 0), 5);
        s = capnp_ptr_get_struct(capnp_struct_ptr(&s, 0), 0);
        depth++;
        CHECK(depth < 1000);
    }
    CHECK_EQ(depth, CAPNP_DEFAULT_NESTING);
    CHECK_EQ(capnp_reader_error(&r), CAPNP_ERR_NESTING_LIMIT);

    /* The same cycle inside one segment (a struct pointing at itself). */
    uint64_t one[3] = {capnp_wire_make_struct(0, 1, 1), 6, capnp_wire_make_struct(-2, 1, 1)};
    const uint64_t *segs1[1] = {one};
    uint32_t w1[1] = {3};
    struct capnp_limits lim = {0, 10};
    read_segs(&r, 1, segs1, w1, &lim);
    s = capnp_reader_root(&r);
    depth = 0;
    while (s.seg && depth < 1000) {
        s = capnp_ptr_get_struct(capnp_struct_ptr(&s, 0), 0);
        depth++;
    }
    CHECK_EQ(depth, 10);
    CHECK_EQ(capnp_reader_error(&r), CAPNP_ERR_NESTING_LIMIT);
}

/* Many pointers to one shared struct: each read is charged again. */
TEST(traversal_limit_shared_content)
{
    /* root -> {list of 64 pointers} -> each element -> one 8-word struct. */
    uint64_t seg[1 + 1 + 64 + 8];
    memset(seg, 0, sizeof(seg));
    seg[0] = capnp_wire_make_struct(0, 0, 1);
    seg[1] = capnp_wire_make_list(0, CAPNP_ELEM_POINTER, 64);
    for (int i = 0; i < 64; i++)
        seg[2 + i] = capnp_wire_make_struct(64 - i - 1, 8, 0);
    const uint64_t *segs[1] = {seg};
    uint32_t words[1] = {ARRAY_SIZE(seg)};
    struct capnp_limits lim = {100, 0};
    struct capnp_reader r;
    read_segs(&r, 1, segs, words, &lim);
    struct capnp_struct root = capnp_reader_root(&r);
    struct capnp_list l = capnp_ptr_get_list(capnp_struct_ptr(&root, 0), CAPNP_ELEM_ANY, 0);
    CHECK_EQ(l.len, 64);
    int ok = 0;
    for (uint32_t i = 0; i < l.len; i++)
        ok += capnp_list_get_struct(&l, i).seg != NULL &&
              capnp_ptr_get_struct(capnp_list_ptr(&l, i), 0).seg != NULL;
    /* 1 root + 64 list words = 65, then 8 words per struct: 4 fit in 100. */
    CHECK_EQ(ok, 4);
    CHECK_EQ(capnp_reader_error(&r), CAPNP_ERR_TRAVERSAL_LIMIT);
}

/* Lists whose elements take no space claim huge counts for free. */
TEST(traversal_limit_amplification)
{
    struct capnp_reader r;
    uint64_t seg[3] = {0};
    const uint64_t *segs[1] = {seg};
    uint32_t words[1] = {3};
    /* 2^29-1 voids in zero words. */
    seg[0] = capnp_wire_make_list(0, CAPNP_ELEM_VOID, CAPNP_MAX_LIST_ELEMENTS);
    read_segs(&r, 1, segs, words, NULL);
    struct capnp_list l;
    CHECK_EQ(capnp_ptr_read_list(capnp_reader_root_ptr(&r), CAPNP_ELEM_VOID, &l),
             CAPNP_ERR_TRAVERSAL_LIMIT);
    CHECK_EQ(l.len, 0);
    /* Within the limit it is fine (and charged per element). */
    seg[0] = capnp_wire_make_list(0, CAPNP_ELEM_VOID, 1000);
    read_segs(&r, 1, segs, words, NULL);
    CHECK_EQ(capnp_ptr_read_list(capnp_reader_root_ptr(&r), CAPNP_ELEM_VOID, &l), CAPNP_OK);
    CHECK_EQ(l.len, 1000);
    CHECK_EQ(r.traversal_left, CAPNP_DEFAULT_TRAVERSAL_WORDS - 1000);
    /* A composite list of 2^30-1 zero-sized structs in one tag word. */
    seg[0] = capnp_wire_make_list(0, CAPNP_ELEM_COMPOSITE, 0);
    seg[1] = capnp_wire_make_tag((1u << 30) - 1, 0, 0);
    read_segs(&r, 1, segs, words, NULL);
    CHECK_EQ(capnp_ptr_read_list(capnp_reader_root_ptr(&r), CAPNP_ELEM_COMPOSITE, &l),
             CAPNP_ERR_TRAVERSAL_LIMIT);
    /* Allowed with a big enough budget, and then every element reads as default. */
    struct capnp_limits big = {1ull << 31, 0};
    read_segs(&r, 1, segs, words, &big);
    CHECK_EQ(capnp_ptr_read_list(capnp_reader_root_ptr(&r), CAPNP_ELEM_COMPOSITE, &l), CAPNP_OK);
    CHECK_EQ(l.len, (1u << 30) - 1);
    struct capnp_struct s = capnp_list_get_struct(&l, l.len - 1);
    CHECK_EQ(capnp_struct_get_u64(&s, 0), 0);
    CHECK(capnp_ptr_is_null(capnp_struct_ptr(&s, 0)));
}

/* A chain of nested structs built with the builder, read with limits. */
TEST(nesting_limit)
{
    static uint64_t arena[4096];
    struct capnp_builder b;
    CHECK_EQ(capnp_builder_init(&b, arena, sizeof(arena)), CAPNP_OK);
    struct capnp_struct_builder s = capnp_builder_init_root(&b, 1, 1);
    for (int i = 0; i < 100; i++) {
        capnp_sb_set_u32(s, 0, (uint32_t)i);
        s = capnp_pb_init_struct(capnp_sb_ptr(s, 0), 1, 1);
    }
    capnp_sb_set_u32(s, 0, 100);
    const uint8_t *msg;
    size_t len;
    CHECK_EQ(capnp_builder_finish(&b, &msg, &len), CAPNP_OK);
    int limits[] = {1, 2, 5, 64, 99, 101, 200};
    for (size_t k = 0; k < ARRAY_SIZE(limits); k++) {
        struct capnp_limits lim = {0, limits[k]};
        struct capnp_reader r;
        CHECK_EQ(capnp_reader_init(&r, msg, len, &lim), CAPNP_OK);
        struct capnp_struct cur = capnp_reader_root(&r);
        int depth = 0;
        while (cur.seg) {
            CHECK_EQ(capnp_struct_get_u32(&cur, 0), (uint32_t)depth);
            cur = capnp_ptr_get_struct(capnp_struct_ptr(&cur, 0), 0);
            depth++;
        }
        /* The root uses one level; 101 structs exist in the chain. */
        CHECK_EQ(depth, MIN(limits[k], 101));
        CHECK_EQ(capnp_reader_error(&r), limits[k] < 101 ? CAPNP_ERR_NESTING_LIMIT : CAPNP_OK);
    }
}

TEST(text_and_data)
{
    struct capnp_reader r;
    uint64_t seg[8] = {0};
    const uint64_t *segs[1] = {seg};
    uint32_t words[1] = {8};
    seg[0] = capnp_wire_make_struct(0, 0, 5);
    seg[1] = capnp_wire_make_list(4, CAPNP_ELEM_BYTE, 4);      /* "abc\0" at seg[6] */
    seg[2] = capnp_wire_make_list(3, CAPNP_ELEM_BYTE, 3);      /* "abc" unterminated */
    seg[3] = capnp_wire_make_list(2, CAPNP_ELEM_BYTE, 0);      /* empty: no NUL */
    seg[4] = capnp_wire_make_list(1, CAPNP_ELEM_TWO_BYTES, 2); /* wrong element size */
    seg[5] = capnp_wire_make_list(0, CAPNP_ELEM_BYTE, 17);     /* runs off the segment */
    memcpy(&seg[6], "abc", 4);
    struct capnp_text t;
    struct capnp_data d;
    read_segs(&r, 1, segs, words, NULL);
    struct capnp_struct root = capnp_reader_root(&r);
    CHECK_EQ(capnp_ptr_read_text(capnp_struct_ptr(&root, 0), &t), CAPNP_OK);
    CHECK_EQ(t.len, 3);
    CHECK_STR(t.str, "abc");
    CHECK_EQ(capnp_ptr_read_data(capnp_struct_ptr(&root, 0), &d), CAPNP_OK);
    CHECK_EQ(d.len, 4);
    CHECK_EQ(capnp_ptr_read_text(capnp_struct_ptr(&root, 1), &t), CAPNP_ERR_TEXT_UNTERMINATED);
    CHECK_EQ(capnp_ptr_read_data(capnp_struct_ptr(&root, 1), &d), CAPNP_OK);
    CHECK_EQ(d.len, 3);
    CHECK_EQ(capnp_ptr_read_text(capnp_struct_ptr(&root, 2), &t), CAPNP_ERR_TEXT_UNTERMINATED);
    CHECK_EQ(capnp_ptr_read_data(capnp_struct_ptr(&root, 2), &d), CAPNP_OK);
    CHECK_EQ(d.len, 0);
    CHECK_EQ(capnp_ptr_read_text(capnp_struct_ptr(&root, 3), &t), CAPNP_ERR_ELEMENT_SIZE);
    CHECK_EQ(capnp_ptr_read_data(capnp_struct_ptr(&root, 3), &d), CAPNP_ERR_ELEMENT_SIZE);
    CHECK_EQ(capnp_ptr_read_text(capnp_struct_ptr(&root, 4), &t), CAPNP_ERR_OUT_OF_BOUNDS);
    /* Getters fall back to the default on error and on null. */
    t = capnp_ptr_get_text(capnp_struct_ptr(&root, 1), "dflt", 4);
    CHECK_STR(t.str, "dflt");
    t = capnp_ptr_get_text(capnp_struct_ptr(&root, 9), "dflt", 4);
    CHECK_STR(t.str, "dflt");
    t = capnp_ptr_get_text(capnp_struct_ptr(&root, 9), 0, 0);
    CHECK_STR(t.str, "");
    d = capnp_ptr_get_data(capnp_struct_ptr(&root, 3), (const uint8_t *)"xy", 2);
    CHECK_EQ(d.len, 2);
    CHECK(memcmp(d.ptr, "xy", 2) == 0);
    CHECK_EQ(capnp_reader_error(&r), CAPNP_ERR_TEXT_UNTERMINATED);
}

/* Every element size read back through the matching accessor. */
TEST(list_element_sizes)
{
    static uint64_t arena[256];
    struct capnp_builder b;
    capnp_builder_init(&b, arena, sizeof(arena));
    struct capnp_struct_builder root = capnp_builder_init_root(&b, 0, 8);
    struct capnp_list_builder lb;
    lb = capnp_pb_init_list(capnp_sb_ptr(root, 0), CAPNP_ELEM_BIT, 70);
    for (uint32_t i = 0; i < 70; i++)
        capnp_lb_set_bool(lb, i, i % 3 == 0);
    lb = capnp_pb_init_list(capnp_sb_ptr(root, 1), CAPNP_ELEM_BYTE, 5);
    for (uint32_t i = 0; i < 5; i++)
        capnp_lb_set_u8(lb, i, (uint8_t)(200 + i));
    lb = capnp_pb_init_list(capnp_sb_ptr(root, 2), CAPNP_ELEM_TWO_BYTES, 5);
    for (uint32_t i = 0; i < 5; i++)
        capnp_lb_set_u16(lb, i, (uint16_t)(60000 + i));
    lb = capnp_pb_init_list(capnp_sb_ptr(root, 3), CAPNP_ELEM_FOUR_BYTES, 5);
    for (uint32_t i = 0; i < 5; i++)
        capnp_lb_set_u32(lb, i, 4000000000u + i);
    lb = capnp_pb_init_list(capnp_sb_ptr(root, 4), CAPNP_ELEM_EIGHT_BYTES, 5);
    for (uint32_t i = 0; i < 5; i++)
        capnp_lb_set_u64(lb, i, 0x1122334455667788ull + i);
    lb = capnp_pb_init_list(capnp_sb_ptr(root, 5), CAPNP_ELEM_POINTER, 3);
    for (uint32_t i = 0; i < 3; i++)
        capnp_lb_set_text(lb, i, "t", 1);
    lb = capnp_pb_init_struct_list(capnp_sb_ptr(root, 6), 4, 1, 1);
    for (uint32_t i = 0; i < 4; i++) {
        struct capnp_struct_builder e = capnp_lb_struct(lb, i);
        capnp_sb_set_u32(e, 0, 10 + i);
        capnp_sb_set_u32(e, 1, 20 + i);
        capnp_pb_set_text(capnp_sb_ptr(e, 0), "e", 1);
    }
    lb = capnp_pb_init_list(capnp_sb_ptr(root, 7), CAPNP_ELEM_VOID, 9);
    CHECK_EQ(capnp_builder_error(&b), CAPNP_OK);
    struct capnp_segment seg = capnp_builder_segment(&b);
    struct capnp_reader r;
    CHECK_EQ(capnp_reader_init_segments(&r, &seg, 1, NULL), CAPNP_OK);
    struct capnp_struct rs = capnp_reader_root(&r);
    struct capnp_list l;

    l = capnp_ptr_get_list(capnp_struct_ptr(&rs, 0), CAPNP_ELEM_BIT, 0);
    CHECK_EQ(l.len, 70);
    for (uint32_t i = 0; i < 70; i++)
        CHECK_EQ(capnp_list_get_bool(&l, i), i % 3 == 0);
    CHECK_EQ(capnp_list_get_bool(&l, 70), false);
    CHECK_EQ(capnp_list_get_u8(&l, 0), 0); /* too narrow for a byte */
    l = capnp_ptr_get_list(capnp_struct_ptr(&rs, 1), CAPNP_ELEM_BYTE, 0);
    CHECK_EQ(capnp_list_get_u8(&l, 4), 204);
    CHECK_EQ(capnp_list_get_u16(&l, 0), 0);
    l = capnp_ptr_get_list(capnp_struct_ptr(&rs, 2), CAPNP_ELEM_TWO_BYTES, 0);
    CHECK_EQ(capnp_list_get_u16(&l, 4), 60004);
    l = capnp_ptr_get_list(capnp_struct_ptr(&rs, 3), CAPNP_ELEM_FOUR_BYTES, 0);
    CHECK_EQ(capnp_list_get_u32(&l, 4), 4000000004u);
    l = capnp_ptr_get_list(capnp_struct_ptr(&rs, 4), CAPNP_ELEM_EIGHT_BYTES, 0);
    CHECK_EQ(capnp_list_get_u64(&l, 4), 0x112233445566778cull);
    /* A wider list reads fine where a narrower one is expected (low bytes). */
    l = capnp_ptr_get_list(capnp_struct_ptr(&rs, 4), CAPNP_ELEM_TWO_BYTES, 0);
    CHECK_EQ(capnp_list_get_u16(&l, 1), 0x7789);
    l = capnp_ptr_get_list(capnp_struct_ptr(&rs, 5), CAPNP_ELEM_POINTER, 0);
    CHECK_EQ(l.len, 3);
    CHECK_STR(capnp_list_get_text(&l, 2).str, "t");
    l = capnp_ptr_get_list(capnp_struct_ptr(&rs, 6), CAPNP_ELEM_COMPOSITE, 0);
    CHECK_EQ(l.len, 4);
    for (uint32_t i = 0; i < 4; i++) {
        struct capnp_struct e = capnp_list_get_struct(&l, i);
        CHECK_EQ(capnp_struct_get_u32(&e, 1), 20 + i);
        CHECK_STR(capnp_ptr_get_text(capnp_struct_ptr(&e, 0), 0, 0).str, "e");
    }
    l = capnp_ptr_get_list(capnp_struct_ptr(&rs, 7), CAPNP_ELEM_VOID, 0);
    CHECK_EQ(l.len, 9);
    CHECK_EQ(capnp_reader_error(&r), CAPNP_OK);

    /* Upgrades: a primitive list read as a struct list, a struct list as primitives. */
    l = capnp_ptr_get_list(capnp_struct_ptr(&rs, 3), CAPNP_ELEM_COMPOSITE, 0);
    CHECK_EQ(l.len, 5);
    struct capnp_struct e = capnp_list_get_struct(&l, 2);
    CHECK_EQ(capnp_struct_get_u32(&e, 0), 4000000002u);
    CHECK_EQ(capnp_struct_get_u32(&e, 1), 0); /* beyond the 32-bit "struct" */
    l = capnp_ptr_get_list(capnp_struct_ptr(&rs, 5), CAPNP_ELEM_COMPOSITE, 0);
    e = capnp_list_get_struct(&l, 1);
    CHECK_STR(capnp_ptr_get_text(capnp_struct_ptr(&e, 0), 0, 0).str, "t");
    l = capnp_ptr_get_list(capnp_struct_ptr(&rs, 6), CAPNP_ELEM_FOUR_BYTES, 0);
    CHECK_EQ(capnp_list_get_u32(&l, 3), 13);
    l = capnp_ptr_get_list(capnp_struct_ptr(&rs, 6), CAPNP_ELEM_POINTER, 0);
    CHECK_STR(capnp_list_get_text(&l, 3).str, "e");
    CHECK_EQ(capnp_reader_error(&r), CAPNP_OK);

    /* Incompatible: bit lists never convert; pointers are not data. */
    struct capnp_list bad;
    CHECK_EQ(capnp_ptr_read_list(capnp_struct_ptr(&rs, 0), CAPNP_ELEM_COMPOSITE, &bad),
             CAPNP_ERR_ELEMENT_SIZE);
    CHECK_EQ(capnp_ptr_read_list(capnp_struct_ptr(&rs, 1), CAPNP_ELEM_BIT, &bad),
             CAPNP_ERR_ELEMENT_SIZE);
    CHECK_EQ(capnp_ptr_read_list(capnp_struct_ptr(&rs, 6), CAPNP_ELEM_BIT, &bad),
             CAPNP_ERR_ELEMENT_SIZE);
    CHECK_EQ(capnp_ptr_read_list(capnp_struct_ptr(&rs, 5), CAPNP_ELEM_FOUR_BYTES, &bad),
             CAPNP_ERR_ELEMENT_SIZE);
    CHECK_EQ(capnp_ptr_read_list(capnp_struct_ptr(&rs, 1), CAPNP_ELEM_FOUR_BYTES, &bad),
             CAPNP_ERR_ELEMENT_SIZE);
    CHECK_EQ(capnp_ptr_read_list(capnp_struct_ptr(&rs, 3), CAPNP_ELEM_POINTER, &bad),
             CAPNP_ERR_ELEMENT_SIZE);
    CHECK_EQ(capnp_ptr_read_list(capnp_struct_ptr(&rs, 7), CAPNP_ELEM_BYTE, &bad),
             CAPNP_ERR_ELEMENT_SIZE);
    CHECK(bad.seg == NULL);
    /* A bit list viewed generically has no struct elements. */
    l = capnp_ptr_get_list(capnp_struct_ptr(&rs, 0), CAPNP_ELEM_ANY, 0);
    CHECK(capnp_list_get_struct(&l, 0).seg == NULL);
    CHECK(capnp_ptr_is_null(capnp_list_ptr(&l, 0)));
}

TEST(composite_list_malformed)
{
    struct capnp_reader r;
    uint64_t seg[6] = {0};
    const uint64_t *segs[1] = {seg};
    uint32_t words[1] = {6};
    struct capnp_list l;
    /* Tag claims 3 elements of 2 words in a 4-word list. */
    seg[0] = capnp_wire_make_list(0, CAPNP_ELEM_COMPOSITE, 4);
    seg[1] = capnp_wire_make_tag(3, 1, 1);
    read_segs(&r, 1, segs, words, NULL);
    CHECK_EQ(capnp_ptr_read_list(capnp_reader_root_ptr(&r), CAPNP_ELEM_COMPOSITE, &l),
             CAPNP_ERR_COMPOSITE_TAG);
    /* Tag that is not a struct pointer. */
    seg[1] = capnp_wire_make_list(0, CAPNP_ELEM_BYTE, 1);
    read_segs(&r, 1, segs, words, NULL);
    CHECK_EQ(capnp_ptr_read_list(capnp_reader_root_ptr(&r), CAPNP_ELEM_COMPOSITE, &l),
             CAPNP_ERR_COMPOSITE_TAG);
    /* Word count past the segment end (the tag word counts too). */
    seg[0] = capnp_wire_make_list(0, CAPNP_ELEM_COMPOSITE, 5);
    seg[1] = capnp_wire_make_tag(5, 1, 0);
    read_segs(&r, 1, segs, words, NULL);
    CHECK_EQ(capnp_ptr_read_list(capnp_reader_root_ptr(&r), CAPNP_ELEM_COMPOSITE, &l),
             CAPNP_ERR_OUT_OF_BOUNDS);
    seg[0] = capnp_wire_make_list(0, CAPNP_ELEM_COMPOSITE, 4);
    seg[1] = capnp_wire_make_tag(4, 1, 0);
    read_segs(&r, 1, segs, words, NULL);
    CHECK_EQ(capnp_ptr_read_list(capnp_reader_root_ptr(&r), CAPNP_ELEM_COMPOSITE, &l), CAPNP_OK);
    CHECK_EQ(l.len, 4);
    /* Pointer-less structs cannot stand in for a pointer list, nor data-less for data. */
    seg[1] = capnp_wire_make_tag(4, 1, 0);
    read_segs(&r, 1, segs, words, NULL);
    CHECK_EQ(capnp_ptr_read_list(capnp_reader_root_ptr(&r), CAPNP_ELEM_POINTER, &l),
             CAPNP_ERR_ELEMENT_SIZE);
    seg[1] = capnp_wire_make_tag(4, 0, 1);
    read_segs(&r, 1, segs, words, NULL);
    CHECK_EQ(capnp_ptr_read_list(capnp_reader_root_ptr(&r), CAPNP_ELEM_BYTE, &l),
             CAPNP_ERR_ELEMENT_SIZE);
    /* Non-composite list running off the segment. */
    seg[0] = capnp_wire_make_list(0, CAPNP_ELEM_EIGHT_BYTES, 6);
    read_segs(&r, 1, segs, words, NULL);
    CHECK_EQ(capnp_ptr_read_list(capnp_reader_root_ptr(&r), CAPNP_ELEM_ANY, &l),
             CAPNP_ERR_OUT_OF_BOUNDS);
    seg[0] = capnp_wire_make_list(0, CAPNP_ELEM_BIT, 5 * 64 + 1);
    read_segs(&r, 1, segs, words, NULL);
    CHECK_EQ(capnp_ptr_read_list(capnp_reader_root_ptr(&r), CAPNP_ELEM_BIT, &l),
             CAPNP_ERR_OUT_OF_BOUNDS);
    seg[0] = capnp_wire_make_list(0, CAPNP_ELEM_BIT, 5 * 64);
    read_segs(&r, 1, segs, words, NULL);
    CHECK_EQ(capnp_ptr_read_list(capnp_reader_root_ptr(&r), CAPNP_ELEM_BIT, &l), CAPNP_OK);
}

/* An old (smaller) struct read with a newer layout reads as defaults beyond its end. */
TEST(schema_evolution_small_struct)
{
    struct capnp_reader r;
    uint64_t seg[3] = {capnp_wire_make_struct(0, 1, 1), 0xffffffffffffffffull, 0};
    const uint64_t *segs[1] = {seg};
    uint32_t words[1] = {3};
    read_segs(&r, 1, segs, words, NULL);
    struct capnp_struct s = capnp_reader_root(&r);
    CHECK_EQ(capnp_struct_get_bool(&s, 63), true);
    CHECK_EQ(capnp_struct_get_bool(&s, 64), false);
    CHECK_EQ(capnp_struct_get_u8(&s, 7), 0xff);
    CHECK_EQ(capnp_struct_get_u8(&s, 8), 0);
    CHECK_EQ(capnp_struct_get_u16(&s, 3), 0xffff);
    CHECK_EQ(capnp_struct_get_u16(&s, 4), 0);
    CHECK_EQ(capnp_struct_get_u32(&s, 1), 0xffffffffu);
    CHECK_EQ(capnp_struct_get_u32(&s, 2), 0);
    CHECK_EQ(capnp_struct_get_u64(&s, 1), 0);
    CHECK_EQ(capnp_struct_get_u64(&s, UINT32_MAX), 0);
    CHECK_EQ(capnp_struct_get_bool(&s, UINT32_MAX), false);
    CHECK(capnp_ptr_is_null(capnp_struct_ptr(&s, 1)));
    CHECK(capnp_ptr_is_null(capnp_struct_ptr(&s, UINT32_MAX)));
    /* A null struct reads as all zeros too. */
    struct capnp_struct n = capnp_struct_null();
    CHECK_EQ(capnp_struct_get_u64(&n, 0), 0);
    CHECK_EQ(capnp_reader_error(&r), CAPNP_OK);
}

TEST(builder_fields_and_zero_sized_struct)
{
    uint64_t arena[32];
    struct capnp_builder b;
    CHECK_EQ(capnp_builder_init(&b, arena, sizeof(arena)), CAPNP_OK);
    struct capnp_struct_builder root = capnp_builder_init_root(&b, 2, 2);
    capnp_sb_set_bool(root, 0, true);
    capnp_sb_set_bool(root, 5, true);
    capnp_sb_set_bool(root, 5, false);
    capnp_sb_set_u8(root, 1, 0xab);
    capnp_sb_set_u16(root, 1, 0xbeef);
    capnp_sb_set_u32(root, 1, 0xdeadbeef);
    capnp_sb_set_u64(root, 1, 0x0123456789abcdefull);
    CHECK_EQ(capnp_sb_get_bits(root, 0, 1), 1);
    CHECK_EQ(capnp_sb_get_bits(root, 5, 1), 0);
    CHECK_EQ(capnp_sb_get_bits(root, 8, 8), 0xab);
    CHECK_EQ(capnp_sb_get_bits(root, 32, 32), 0xdeadbeef);
    CHECK_EQ(capnp_sb_get_bits(root, 64, 64), 0x0123456789abcdefull);
    CHECK_EQ(capnp_sb_get_bits(root, 3, 8), 0); /* misaligned request */
    capnp_pb_init_struct(capnp_sb_ptr(root, 0), 0, 0);
    capnp_pb_set_cap(capnp_sb_ptr(root, 1), 7);
    CHECK_EQ(capnp_builder_error(&b), CAPNP_OK);
    struct capnp_segment seg = capnp_builder_segment(&b);
    struct capnp_reader r;
    capnp_reader_init_segments(&r, &seg, 1, NULL);
    capnp_reader_set_cap_count(&r, 8);
    struct capnp_struct s = capnp_reader_root(&r);
    CHECK_EQ(capnp_struct_get_u8(&s, 0), 1);
    CHECK_EQ(capnp_struct_get_u16(&s, 1), 0xbeef);
    CHECK_EQ(capnp_struct_get_u32(&s, 1), 0xdeadbeef);
    /* The empty struct is not null (its pointer has offset -1). */
    CHECK_EQ(capnp_ptr_kind(capnp_struct_ptr(&s, 0)), CAPNP_KIND_STRUCT);
    CHECK_EQ(capnp_ptr_get_cap(capnp_struct_ptr(&s, 1)), 7);
    /* Overwriting and clearing pointers. */
    capnp_pb_set_cap(capnp_sb_ptr(root, 1), CAPNP_NO_CAP);
    capnp_pb_clear(capnp_sb_ptr(root, 0));
    CHECK(capnp_ptr_is_null(capnp_struct_ptr(&s, 0)));
    CHECK(capnp_ptr_is_null(capnp_struct_ptr(&s, 1)));
    CHECK_EQ(capnp_reader_error(&r), CAPNP_OK);
}

TEST(builder_misuse_is_latched)
{
    uint64_t arena[32];
    struct capnp_builder b;
    const uint8_t *msg;
    size_t len;
    capnp_builder_init(&b, arena, sizeof(arena));
    struct capnp_struct_builder root = capnp_builder_init_root(&b, 1, 1);
    capnp_sb_set_u64(root, 1, 5); /* beyond the data section */
    CHECK_EQ(capnp_builder_error(&b), CAPNP_ERR_INVALID_ARGUMENT);
    CHECK_EQ(capnp_builder_finish(&b, &msg, &len), CAPNP_ERR_INVALID_ARGUMENT);
    CHECK(msg == NULL && len == 0);

    capnp_builder_init(&b, arena, sizeof(arena));
    root = capnp_builder_init_root(&b, 1, 1);
    struct capnp_ptr_builder none = capnp_sb_ptr(root, 1);
    CHECK(none.b == NULL);
    CHECK_EQ(capnp_builder_error(&b), CAPNP_ERR_INVALID_ARGUMENT);

    capnp_builder_init(&b, arena, sizeof(arena));
    root = capnp_builder_init_root(&b, 1, 1);
    struct capnp_list_builder l = capnp_pb_init_list(capnp_sb_ptr(root, 0), CAPNP_ELEM_BYTE, 3);
    capnp_lb_set_u8(l, 3, 1);
    CHECK_EQ(capnp_builder_error(&b), CAPNP_ERR_INVALID_ARGUMENT);

    capnp_builder_init(&b, arena, sizeof(arena));
    root = capnp_builder_init_root(&b, 1, 1);
    l = capnp_pb_init_list(capnp_sb_ptr(root, 0), CAPNP_ELEM_BYTE, 3);
    capnp_lb_set_u32(l, 0, 1); /* element too narrow */
    CHECK_EQ(capnp_builder_error(&b), CAPNP_ERR_INVALID_ARGUMENT);

    capnp_builder_init(&b, arena, sizeof(arena));
    root = capnp_builder_init_root(&b, 1, 1);
    capnp_pb_init_list(capnp_sb_ptr(root, 0), CAPNP_ELEM_COMPOSITE, 3);
    CHECK_EQ(capnp_builder_error(&b), CAPNP_ERR_INVALID_ARGUMENT);

    capnp_builder_init(&b, arena, sizeof(arena));
    root = capnp_builder_init_root(&b, 1, 1);
    capnp_pb_init_list(capnp_sb_ptr(root, 0), CAPNP_ELEM_BIT, CAPNP_MAX_LIST_ELEMENTS + 1);
    CHECK_EQ(capnp_builder_error(&b), CAPNP_ERR_TOO_LARGE);
    capnp_builder_init(&b, arena, sizeof(arena));
    root = capnp_builder_init_root(&b, 1, 1);
    capnp_pb_init_struct_list(capnp_sb_ptr(root, 0), 1u << 28, 2, 2);
    CHECK_EQ(capnp_builder_error(&b), CAPNP_ERR_TOO_LARGE);
    CHECK_EQ(capnp_pb_set_text(capnp_sb_ptr(root, 0), NULL, 3), CAPNP_ERR_TOO_LARGE);

    /* Too small an arena, and no arena at all. */
    CHECK_EQ(capnp_builder_init(&b, arena, 15), CAPNP_ERR_NO_SPACE);
    CHECK(capnp_builder_init_root(&b, 1, 0).b == NULL);
    CHECK_EQ(capnp_builder_init(&b, NULL, 100), CAPNP_ERR_INVALID_ARGUMENT);
    CHECK_EQ(capnp_builder_finish(&b, &msg, &len), CAPNP_ERR_INVALID_ARGUMENT);
    /* Invalid handles are inert. */
    struct capnp_struct_builder nil = {0, 0, 0, 0};
    capnp_sb_set_u32(nil, 0, 1);
    CHECK_EQ(capnp_pb_set_text(capnp_sb_ptr(nil, 0), "x", 1), CAPNP_ERR_INVALID_ARGUMENT);
}

/* Filling the arena never writes past it: the arena is an exact heap block. */
TEST(builder_out_of_space)
{
    for (size_t words = 2; words < 40; words++) {
        uint64_t *arena = malloc(words * 8);
        struct capnp_builder b;
        const uint8_t *msg;
        size_t len;
        CHECK_EQ(capnp_builder_init(&b, arena, words * 8), CAPNP_OK);
        struct capnp_struct_builder root = capnp_builder_init_root(&b, 1, 2);
        capnp_sb_set_u32(root, 0, 1);
        capnp_pb_set_text(capnp_sb_ptr(root, 0), CAPNP_STR("a text that takes some words"));
        struct capnp_list_builder l =
            capnp_pb_init_list(capnp_sb_ptr(root, 1), CAPNP_ELEM_EIGHT_BYTES, 20);
        for (uint32_t i = 0; i < 20; i++)
            capnp_lb_set_u64(l, i, i);
        enum capnp_err e = capnp_builder_finish(&b, &msg, &len);
        /* 1 header + 1 root + 3 struct + 4 text + 20 list = 29 words. */
        if (words < 29) {
            CHECK_EQ(e, CAPNP_ERR_NO_SPACE);
        } else {
            CHECK_EQ(e, CAPNP_OK);
            CHECK_EQ(len, 29 * 8);
        }
        free(arena);
    }
}

/* Deep copy between messages, including from a multi-segment source. */
TEST(deep_copy)
{
    uint64_t s0[1], s1[12];
    const uint64_t *segs[2] = {s0, s1};
    uint32_t words[2] = {1, 12};
    memset(s1, 0, sizeof(s1));
    s0[0] = capnp_wire_make_far(false, 0, 1);
    s1[0] = capnp_wire_make_struct(0, 1, 3);
    s1[1] = 0x55;
    s1[2] = capnp_wire_make_list(2, CAPNP_ELEM_BYTE, 3);      /* "ok\0" at s1[5] */
    s1[3] = capnp_wire_make_list(2, CAPNP_ELEM_COMPOSITE, 2); /* at s1[6] */
    s1[4] = capnp_wire_make_list(4, CAPNP_ELEM_BIT, 3);       /* at s1[9] */
    memcpy(&s1[5], "ok", 3);
    s1[6] = capnp_wire_make_tag(2, 1, 0);
    s1[7] = 1;
    s1[8] = 2;
    s1[9] = 5;
    struct capnp_reader r;
    read_segs(&r, 2, segs, words, NULL);

    uint64_t arena[64];
    struct capnp_builder b;
    capnp_builder_init(&b, arena, sizeof(arena));
    CHECK_EQ(capnp_pb_copy(capnp_builder_root_ptr(&b), capnp_reader_root_ptr(&r)), CAPNP_OK);
    struct capnp_segment seg = capnp_builder_segment(&b);
    struct capnp_reader c;
    capnp_reader_init_segments(&c, &seg, 1, NULL);
    struct capnp_struct root = capnp_reader_root(&c);
    CHECK_EQ(capnp_struct_get_u64(&root, 0), 0x55);
    CHECK_STR(capnp_ptr_get_text(capnp_struct_ptr(&root, 0), 0, 0).str, "ok");
    struct capnp_list l = capnp_ptr_get_list(capnp_struct_ptr(&root, 1), CAPNP_ELEM_COMPOSITE, 0);
    CHECK_EQ(l.len, 2);
    struct capnp_struct e = capnp_list_get_struct(&l, 1);
    CHECK_EQ(capnp_struct_get_u64(&e, 0), 2);
    l = capnp_ptr_get_list(capnp_struct_ptr(&root, 2), CAPNP_ELEM_BIT, 0);
    CHECK_EQ(l.len, 3);
    CHECK(capnp_list_get_bool(&l, 0) && !capnp_list_get_bool(&l, 1) && capnp_list_get_bool(&l, 2));
    CHECK_EQ(capnp_reader_error(&c), CAPNP_OK);
    CHECK_EQ(capnp_reader_error(&r), CAPNP_OK);

    /* Copying a malformed source fails and fails the builder. */
    s1[4] = capnp_wire_make_list(40, CAPNP_ELEM_BIT, 3);
    read_segs(&r, 2, segs, words, NULL);
    capnp_builder_init(&b, arena, sizeof(arena));
    CHECK_EQ(capnp_pb_copy(capnp_builder_root_ptr(&b), capnp_reader_root_ptr(&r)),
             CAPNP_ERR_OUT_OF_BOUNDS);
    CHECK_EQ(capnp_builder_error(&b), CAPNP_ERR_OUT_OF_BOUNDS);
    /* A copy that does not fit reports no space. */
    s1[4] = 0;
    read_segs(&r, 2, segs, words, NULL);
    capnp_builder_init(&b, arena, 6 * 8);
    CHECK_EQ(capnp_pb_copy(capnp_builder_root_ptr(&b), capnp_reader_root_ptr(&r)),
             CAPNP_ERR_NO_SPACE);
}
