/*
 * Tests of the generated RPC layer (gen/<base>.rpc.h, lib/rpc, user/rt/rpc.c):
 * the decoders accept what the schema allows and refuse the rest with the
 * right field in the detail; the dispatch macro routes interfaces, methods
 * and refusals; the client stubs, driven through a transport that hands the
 * call to a generated server in this process, encode, decode, translate
 * capabilities and refuse malformed results.  Messages are built with the
 * generated encoders, or by hand where they must be wrong.
 */
#include "test.h"

#include "capnp/wire.h"
#include "capos.rpc.h"
#include "rpc/flat.h"
#include "wiretest.rpc.h"

/* ---- building messages ---- */

struct msg {
    uint64_t arena[2048];
    struct capnp_builder b;
    const uint8_t *bytes;
    uint32_t len;
};

static void msg_begin(struct msg *m)
{
    capnp_builder_init(&m->b, m->arena, sizeof(m->arena));
}

static bool msg_end(struct msg *m)
{
    size_t len;
    if (capnp_builder_finish(&m->b, &m->bytes, &len) != CAPNP_OK)
        return false;
    m->len = (uint32_t)len;
    return true;
}

static struct capos_rpc_call rpc_of(uint64_t iid, uint16_t method, const struct msg *m,
                                    uint32_t ncaps)
{
    return (struct capos_rpc_call){.interface_id = iid,
                                   .params = m ? m->bytes : 0,
                                   .params_len = m ? m->len : 0,
                                   .ncaps = ncaps,
                                   .method = method};
}

#define PARAMS(path) CAPOS_RPC_DETAIL(CAPOS_DETAIL_PARAMS, (path))

static const char *detail_str(uint32_t detail, uint64_t iid, uint16_t method)
{
    static char buf[128];
    return capos_rpc_detail_format(buf, sizeof(buf), detail, iid, method, capos_rpc_names,
                                   sizeof(capos_rpc_names) / sizeof(capos_rpc_names[0]));
}

/* ---- decoders ---- */

TEST(decode_vm_map_round_trip)
{
    static struct msg m;
    struct capnp_reader r;
    msg_begin(&m);
    capos_VirtualMemory_map_args in = {.addr = 0x10000, .len = 8192, .prot = 3};
    capos_VirtualMemory_map_encode_args(&m.b, &in);
    CHECK(msg_end(&m));
    struct capos_rpc_call rc = rpc_of(capos_VirtualMemory_INTERFACE_ID, 0, &m, 0);
    capos_VirtualMemory_map_args out;
    CHECK(capos_VirtualMemory_map_decode_args(&r, &rc, &out));
    CHECK_EQ(out.addr, 0x10000);
    CHECK_EQ(out.len, 8192);
    CHECK_EQ(out.prot, 3);
    CHECK_EQ(rc.detail, 0);
}

TEST(decode_empty_message_is_defaults)
{
    struct capnp_reader r;
    struct capos_rpc_call rc = rpc_of(capos_Timer_INTERFACE_ID, 1, 0, 0);
    capos_Timer_sleep_args out = {.ns = 99};
    CHECK(capos_Timer_sleep_decode_args(&r, &rc, &out));
    CHECK_EQ(out.ns, 0);
}

/* EntropySource.fill's len must be 1..maxEntropyFill (annotations). */
TEST(decode_entropy_len_bounds)
{
    static const uint32_t lens[] = {0, 1, 256, 257, 0xffffffffu};
    static const bool good[] = {false, true, true, false, false};
    for (unsigned i = 0; i < 5; i++) {
        static struct msg m;
        struct capnp_reader r;
        msg_begin(&m);
        capos_EntropySource_fill_encode_args(&m.b,
                                             &(capos_EntropySource_fill_args){.len = lens[i]});
        CHECK(msg_end(&m));
        struct capos_rpc_call rc = rpc_of(capos_EntropySource_INTERFACE_ID, 0, &m, 0);
        capos_EntropySource_fill_args out;
        CHECK_EQ(capos_EntropySource_fill_decode_args(&r, &rc, &out), good[i]);
        CHECK_EQ(rc.detail, good[i] ? 0 : PARAMS(capos_EntropySource_fill_field_len));
        if (!good[i])
            CHECK_STR(detail_str(rc.detail, capos_EntropySource_INTERFACE_ID, 0), "params.len");
    }
}

TEST(decode_refuses_bad_framing)
{
    static const uint8_t junk[24] = {0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4};
    struct capnp_reader r;
    struct capos_rpc_call rc = {.interface_id = capos_Timer_INTERFACE_ID,
                                .params = junk,
                                .params_len = sizeof(junk),
                                .method = 1};
    capos_Timer_sleep_args out;
    CHECK(!capos_Timer_sleep_decode_args(&r, &rc, &out));
    CHECK_EQ(rc.detail, PARAMS(0));
    CHECK_STR(detail_str(rc.detail, capos_Timer_INTERFACE_ID, 1), "params.(message)");
}

/* Parameters set beyond what the schema knows are refused, naming the
 * struct that holds them; zero bits there are accepted (older readers of
 * newer, default-valued messages). */
TEST(decode_strict_about_unknown_fields)
{
    struct capnp_reader r;
    for (int k = 0; k < 3; k++) {
        static struct msg m;
        msg_begin(&m);
        struct capnp_struct_builder s = capnp_builder_init_root(&m.b, 2, 1);
        capnp_sb_set_u64(s, 0, 5); /* ns */
        if (k == 1)
            capnp_sb_set_u64(s, 1, 1);
        if (k == 2)
            capnp_pb_set_text(capnp_sb_ptr(s, 0), "x", 1);
        CHECK(msg_end(&m));
        struct capos_rpc_call rc = rpc_of(capos_Timer_INTERFACE_ID, 1, &m, 0);
        capos_Timer_sleep_args out;
        bool ok = capos_Timer_sleep_decode_args(&r, &rc, &out);
        CHECK_EQ(ok, k == 0);
        if (ok) {
            CHECK_EQ(out.ns, 5);
        } else {
            CHECK_EQ(rc.detail, PARAMS(CAPOS_RPC_UNKNOWN_FIELD));
            CHECK_STR(detail_str(rc.detail, capos_Timer_INTERFACE_ID, 1), "params.(unknown field)");
        }
    }
}

/* Results are read leniently: a server may add fields. */
TEST(decode_results_lenient_about_unknown_fields)
{
    static struct msg m;
    struct capnp_reader r;
    uint32_t detail = 0;
    msg_begin(&m);
    struct capnp_struct_builder s = capnp_builder_init_root(&m.b, 2, 0);
    capnp_sb_set_u64(s, 0, 1234);
    capnp_sb_set_u64(s, 1, 77);
    CHECK(msg_end(&m));
    capos_Timer_now_results out;
    CHECK(capos_Timer_now_decode_results(&r, m.bytes, m.len, 0, &out, &detail));
    CHECK_EQ(out.ns, 1234);
}

/* ---- flat forms (rpc/flat.h) against the generated code ---- */

static const struct {
    uint64_t buf;
    uint32_t len;
    bool nb;
} flat_io_cases[] = {
    {0, 0, false}, {0x1000, 1, false}, {0x7fffffffe000, 4096, true}, {~0ULL, ~0u, true}};

/* A read's and a write's parameters: the flat encoding is the generated
 * one, and whatever the flat reader accepts, even one bit away from it,
 * the generated decoder accepts with the same values. */
TEST(flat_pipe_io_matches_generated)
{
    for (unsigned i = 0; i < sizeof(flat_io_cases) / sizeof(flat_io_cases[0]); i++) {
        for (int writer = 0; writer < 2; writer++) {
            static struct msg m;
            msg_begin(&m);
            if (writer)
                capos_PipeWriter_write_encode_args(
                    &m.b, &(capos_PipeWriter_write_args){.buf = flat_io_cases[i].buf,
                                                         .len = flat_io_cases[i].len,
                                                         .nonBlocking = flat_io_cases[i].nb});
            else
                capos_PipeReader_read_encode_args(
                    &m.b, &(capos_PipeReader_read_args){.buf = flat_io_cases[i].buf,
                                                        .len = flat_io_cases[i].len,
                                                        .nonBlocking = flat_io_cases[i].nb});
            CHECK(msg_end(&m));
            uint64_t flat[CAPOS_PIPE_IO_BYTES / 8];
            capos_pipe_io_encode(flat, flat_io_cases[i].buf, flat_io_cases[i].len,
                                 flat_io_cases[i].nb);
            CHECK_EQ(m.len, sizeof(flat));
            CHECK(memcmp(m.bytes, flat, sizeof(flat)) == 0);
            for (unsigned bit = 0; bit <= sizeof(flat) * 8; bit++) {
                uint64_t v[CAPOS_PIPE_IO_BYTES / 8];
                memcpy(v, flat, sizeof(v));
                if (bit < sizeof(flat) * 8)
                    v[bit / 64] ^= 1ULL << (bit % 64);
                uint64_t buf;
                uint32_t len;
                bool nb;
                if (!capos_pipe_io_decode(v, sizeof(v), &buf, &len, &nb))
                    continue;
                struct capnp_reader r;
                struct capos_rpc_call rc = {.params = (const uint8_t *)v, .params_len = sizeof(v)};
                if (writer) {
                    capos_PipeWriter_write_args a;
                    CHECK(capos_PipeWriter_write_decode_args(&r, &rc, &a));
                    CHECK(a.buf == buf && a.len == len && a.nonBlocking == nb);
                } else {
                    capos_PipeReader_read_args a;
                    CHECK(capos_PipeReader_read_decode_args(&r, &rc, &a));
                    CHECK(a.buf == buf && a.len == len && a.nonBlocking == nb);
                }
            }
            uint64_t buf;
            uint32_t len;
            bool nb;
            CHECK(!capos_pipe_io_decode(flat, sizeof(flat) - 8, &buf, &len, &nb));
        }
    }
}

/* The results of a read, write, wait and cancelWaits: the same. */
TEST(flat_pipe_result_matches_generated)
{
    static const uint32_t vals[] = {0, 1, 4096, 0xffffffffu};
    for (unsigned i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        uint64_t flat[CAPOS_PIPE_RESULT_BYTES / 8];
        capos_pipe_result_encode(flat, vals[i]);
        for (int k = 0; k < 4; k++) {
            static struct msg m;
            msg_begin(&m);
            switch (k) {
            case 0:
                capos_PipeReader_read_encode_results(&m.b,
                                                     &(capos_PipeReader_read_results){vals[i]});
                break;
            case 1:
                capos_PipeWriter_write_encode_results(&m.b,
                                                      &(capos_PipeWriter_write_results){vals[i]});
                break;
            case 2:
                capos_PipeReader_wait_encode_results(&m.b,
                                                     &(capos_PipeReader_wait_results){vals[i]});
                break;
            default:
                capos_PipeReader_cancelWaits_encode_results(
                    &m.b, &(capos_PipeReader_cancelWaits_results){vals[i]});
                break;
            }
            CHECK(msg_end(&m));
            CHECK_EQ(m.len, sizeof(flat));
            CHECK(memcmp(m.bytes, flat, sizeof(flat)) == 0);
        }
        for (unsigned bit = 0; bit <= sizeof(flat) * 8; bit++) {
            uint64_t v[CAPOS_PIPE_RESULT_BYTES / 8];
            memcpy(v, flat, sizeof(v));
            if (bit < sizeof(flat) * 8)
                v[bit / 64] ^= 1ULL << (bit % 64);
            uint32_t n;
            if (!capos_pipe_result_decode(v, sizeof(v), &n))
                continue;
            struct capnp_reader r;
            uint32_t detail = 0;
            capos_PipeReader_read_results rr;
            capos_PipeWriter_write_results wr;
            CHECK(capos_PipeReader_read_decode_results(&r, v, sizeof(v), 0, &rr, &detail));
            CHECK(capos_PipeWriter_write_decode_results(&r, v, sizeof(v), 0, &wr, &detail));
            CHECK(rr.n == n && wr.n == n);
        }
    }
}

TEST(decode_text_unterminated)
{
    static struct msg m;
    struct capnp_reader r;
    msg_begin(&m);
    capos_Console_writeLine_encode_args(&m.b,
                                        &(capos_Console_writeLine_args){.text = {"hello", 5}});
    CHECK(msg_end(&m));
    /* The NUL ends the text's list: overwrite it (the message is our copy). */
    uint8_t *bytes = (uint8_t *)m.arena;
    CHECK(bytes[m.len - 3] == 0 && bytes[m.len - 4] == 'o');
    bytes[m.len - 3] = '!';
    struct capos_rpc_call rc = rpc_of(capos_Console_INTERFACE_ID, 1, &m, 0);
    capos_Console_writeLine_args out;
    CHECK(!capos_Console_writeLine_decode_args(&r, &rc, &out));
    CHECK_EQ(rc.detail, PARAMS(capos_Console_writeLine_field_text));
}

TEST(decode_console_write_max_len)
{
    static uint8_t data[4097];
    for (uint32_t n = 4095; n <= 4097; n++) {
        static struct msg m;
        struct capnp_reader r;
        msg_begin(&m);
        capos_Console_write_encode_args(&m.b, &(capos_Console_write_args){.data = {data, n}});
        CHECK(msg_end(&m));
        struct capos_rpc_call rc = rpc_of(capos_Console_INTERFACE_ID, 0, &m, 0);
        capos_Console_write_args out;
        CHECK_EQ(capos_Console_write_decode_args(&r, &rc, &out), n <= capos_maxConsoleWrite);
        if (n <= capos_maxConsoleWrite)
            CHECK_EQ(out.data.len, n);
        else
            CHECK_EQ(rc.detail, PARAMS(capos_Console_write_field_data));
    }
}

/* SchedulingPolicy.set: a required capability that must be the only one
 * sent, a bounded weight, an enum. */
static bool policy_set(uint32_t thread, uint32_t ncaps, uint32_t weight, uint16_t cls,
                       uint32_t *detail, capos_SchedulingPolicy_set_args *out)
{
    static struct msg m;
    struct capnp_reader r;
    msg_begin(&m);
    capos_SchedulingPolicy_set_encode_args(
        &m.b, &(capos_SchedulingPolicy_set_args){.thread = thread,
                                                 .weight = weight,
                                                 .latencyClass = (enum capos_LatencyClass)cls});
    if (!msg_end(&m))
        return false;
    struct capos_rpc_call rc = rpc_of(capos_SchedulingPolicy_INTERFACE_ID, 0, &m, ncaps);
    bool ok = capos_SchedulingPolicy_set_decode_args(&r, &rc, out);
    *detail = rc.detail;
    return ok;
}

TEST(decode_policy_set)
{
    capos_SchedulingPolicy_set_args a;
    uint32_t d;
    CHECK(policy_set(0, 1, 1024, 1, &d, &a));
    CHECK_EQ(a.thread, 0);
    CHECK_EQ(a.weight, 1024);
    CHECK_EQ(a.latencyClass, capos_LatencyClass_latency);
    CHECK(policy_set(0, 1, capos_maxThreadWeight, 0, &d, &a));
    /* no capability sent, or none named */
    CHECK(!policy_set(0, 0, 1024, 0, &d, &a));
    CHECK_EQ(d, PARAMS(capos_SchedulingPolicy_set_field_thread));
    CHECK(!policy_set(CAPNP_NO_CAP, 0, 1024, 0, &d, &a));
    CHECK_EQ(d, PARAMS(capos_SchedulingPolicy_set_field_thread));
    /* a second capability that no field names */
    CHECK(!policy_set(0, 2, 1024, 0, &d, &a));
    CHECK_EQ(d, PARAMS(0));
    CHECK(!policy_set(1, 1, 1024, 0, &d, &a));
    CHECK_EQ(d, PARAMS(capos_SchedulingPolicy_set_field_thread));
    CHECK(!policy_set(0, 1, 0, 0, &d, &a));
    CHECK_EQ(d, PARAMS(capos_SchedulingPolicy_set_field_weight));
    CHECK(!policy_set(0, 1, capos_maxThreadWeight + 1, 0, &d, &a));
    CHECK_EQ(d, PARAMS(capos_SchedulingPolicy_set_field_weight));
    CHECK(!policy_set(0, 1, 1024, 7, &d, &a));
    CHECK_EQ(d, PARAMS(capos_SchedulingPolicy_set_field_latencyClass));
    CHECK_STR(detail_str(d, capos_SchedulingPolicy_INTERFACE_ID, 0), "params.latencyClass");
}

/* ProcessSpawner.spawn: failures inside list elements and their unions
 * name the nested field. */
enum spawn_case {
    SPAWN_OK,
    SPAWN_BAD_KIND,
    SPAWN_BAD_UNION,
    SPAWN_CAP_TWICE,
    SPAWN_BAD_ARGV,
    SPAWN_TOO_MANY,
    SPAWN_EXTRA_BITS
};

static bool spawn_decode(enum spawn_case c, uint32_t *detail, capos_ProcessSpawner_spawn_args *out)
{
    static struct msg m;
    struct capnp_reader r;
    msg_begin(&m);
    capos_ProcessSpawner_spawn_Params_builder p = capos_ProcessSpawner_spawn_encode_args(
        &m.b, &(capos_ProcessSpawner_spawn_args){.binary = {"hello", 5}, .name = {"h", 1}});
    uint32_t n = c == SPAWN_TOO_MANY ? 65 : 3;
    capos_SpawnGrant_builder_list gl = capos_ProcessSpawner_spawn_Params_init_grants(p, n);
    for (uint32_t i = 0; i < n; i++) {
        capos_SpawnGrant_builder g = capos_SpawnGrant_list_at(gl, i);
        capos_SpawnGrant_set_name(g, "g", 1);
        if (i == 1 || (i == 2 && c == SPAWN_CAP_TWICE)) {
            capos_SpawnGrant_set_cap(g, 0);
        } else {
            capos_KernelCap_builder k = capos_SpawnGrant_init_kernel(g);
            capos_KernelCap_set_kind(k, c == SPAWN_BAD_KIND && i == 2 ? (enum capos_KernelCapKind)42
                                                                      : capos_KernelCapKind_timer);
        }
        if (i == 2 && c == SPAWN_BAD_UNION)
            capnp_sb_set_u16(g.s, 2, 9); /* the discriminant (offset in 16-bit units) */
        if (i == 0 && c == SPAWN_EXTRA_BITS)
            capnp_sb_set_u16(g.s, 3, 1); /* beside the discriminant, no field's */
    }
    struct capnp_list_builder al = capos_ProcessSpawner_spawn_Params_init_argv(p, 2);
    capnp_lb_set_text(al, 0, "hello", 5);
    if (c == SPAWN_BAD_ARGV)
        capnp_pb_set_data(capnp_lb_ptr(al, 1), "abc", 3); /* no NUL: not a Text */
    else
        capnp_lb_set_text(al, 1, "-v", 2);
    if (!msg_end(&m))
        return false;
    struct capos_rpc_call rc = rpc_of(capos_ProcessSpawner_INTERFACE_ID, 0, &m, 1);
    bool ok = capos_ProcessSpawner_spawn_decode_args(&r, &rc, out);
    *detail = rc.detail;
    if (ok) {
        /* The views read what was checked. */
        if (capos_SpawnGrant_list_len(out->grants) != 3 || out->argv.len != 2 ||
            capos_SpawnGrant_get_cap(capos_SpawnGrant_list_get(out->grants, 1)) != 0 ||
            capnp_reader_error(&r) != CAPNP_OK)
            return false;
    }
    return ok;
}

TEST(decode_spawn_nested)
{
    capos_ProcessSpawner_spawn_args a;
    uint32_t d;
    const uint64_t iid = capos_ProcessSpawner_INTERFACE_ID;
    CHECK(spawn_decode(SPAWN_OK, &d, &a));
    CHECK(!spawn_decode(SPAWN_BAD_KIND, &d, &a));
    CHECK_EQ(d, PARAMS(capos_ProcessSpawner_spawn_field_grants_kernel_kind));
    CHECK_STR(detail_str(d, iid, 0), "params.grants.kernel.kind");
    CHECK(!spawn_decode(SPAWN_BAD_UNION, &d, &a));
    CHECK_EQ(d, PARAMS(capos_ProcessSpawner_spawn_field_grants | (CAPOS_RPC_UNKNOWN_FIELD << 8)));
    CHECK_STR(detail_str(d, iid, 0), "params.grants.(unknown field)");
    CHECK(!spawn_decode(SPAWN_EXTRA_BITS, &d, &a));
    CHECK_STR(detail_str(d, iid, 0), "params.grants.(unknown field)");
    CHECK(!spawn_decode(SPAWN_CAP_TWICE, &d, &a));
    CHECK_EQ(d, PARAMS(capos_ProcessSpawner_spawn_field_grants_cap));
    CHECK_STR(detail_str(d, iid, 0), "params.grants.cap");
    CHECK(!spawn_decode(SPAWN_BAD_ARGV, &d, &a));
    CHECK_EQ(d, PARAMS(capos_ProcessSpawner_spawn_field_argv));
    CHECK(!spawn_decode(SPAWN_TOO_MANY, &d, &a));
    CHECK_EQ(d, PARAMS(capos_ProcessSpawner_spawn_field_grants));
}

/* Canvas.draw (test schema): unions, groups, a named union inside a group,
 * a list of structs in a union member, an enum with a default. */
enum draw_case {
    DRAW_RECT,
    DRAW_POLY,
    DRAW_NO_SHAPE,
    DRAW_BAD_COLOR,
    DRAW_BAD_BORDER,
    DRAW_BAD_PATTERN,
    DRAW_BAD_UNION,
    DRAW_LAYER,
    DRAW_COLORS,
    DRAW_BAD_LIST_COLOR
};

static bool draw_decode(enum draw_case c, uint32_t *detail, char *name, size_t name_len)
{
    static struct msg m;
    struct capnp_reader r;
    msg_begin(&m);
    wiretest_Canvas_draw_Params_builder p = wiretest_Canvas_draw_encode_args(
        &m.b, &(wiretest_Canvas_draw_args){.layer = c == DRAW_LAYER ? 10 : 3});
    uint32_t ncolors = c == DRAW_COLORS ? 5 : 2;
    struct capnp_list_builder cl = wiretest_Canvas_draw_Params_init_colors(p, ncolors);
    for (uint32_t i = 0; i < ncolors; i++)
        capnp_lb_set_u16(cl, i, c == DRAW_BAD_LIST_COLOR && i == 1 ? 3 : wiretest_Color_red);
    if (c != DRAW_NO_SHAPE) {
        wiretest_Shape_builder sh = wiretest_Canvas_draw_Params_init_shape(p);
        wiretest_Shape_set_name(sh, "s", 1);
        if (c == DRAW_POLY) {
            wiretest_Shape_Point_builder_list pl = wiretest_Shape_init_poly(sh, 3);
            wiretest_Shape_Point_set_x(wiretest_Shape_Point_list_at(pl, 2), -4);
        } else {
            wiretest_Shape_rect_set_w(wiretest_Shape_init_rect(sh), 5);
        }
        wiretest_Shape_style_builder st = wiretest_Shape_init_style(sh);
        if (c == DRAW_BAD_COLOR)
            wiretest_Shape_style_set_color(st, (enum wiretest_Color)7);
        wiretest_Shape_style_border_builder bd = wiretest_Shape_style_init_border(st);
        wiretest_Shape_style_border_set_pattern(bd, "--", 2);
        if (c == DRAW_BAD_BORDER)
            capnp_sb_set_u16(sh.s, 6, 3); /* the border's discriminant */
        if (c == DRAW_BAD_UNION)
            capnp_sb_set_u16(sh.s, 4, 5); /* the shape's */
        if (c == DRAW_BAD_PATTERN)        /* data where the pattern's text should be */
            capnp_pb_set_data(capnp_sb_ptr(sh.s, 2), "abc", 3);
    }
    if (!msg_end(&m))
        return false;
    struct capos_rpc_call rc = rpc_of(wiretest_Canvas_INTERFACE_ID, 0, &m, 0);
    wiretest_Canvas_draw_args a;
    bool ok = wiretest_Canvas_draw_decode_args(&r, &rc, &a);
    *detail = rc.detail;
    capos_rpc_detail_format(name, name_len, rc.detail, wiretest_Canvas_INTERFACE_ID, 0,
                            wiretest_rpc_names,
                            sizeof(wiretest_rpc_names) / sizeof(wiretest_rpc_names[0]));
    if (ok &&
        (a.layer != 3 || a.colors.len != 2 || wiretest_Shape_get_name(a.shape).len != 1 ||
         wiretest_Shape_style_border_which(wiretest_Shape_style_get_border(
             wiretest_Shape_get_style(a.shape))) != wiretest_Shape_style_border_which_pattern))
        return false;
    return ok;
}

TEST(decode_unions_and_groups)
{
    uint32_t d;
    char name[64];
    CHECK(draw_decode(DRAW_RECT, &d, name, sizeof(name)));
    CHECK(draw_decode(DRAW_POLY, &d, name, sizeof(name)));
    CHECK(!draw_decode(DRAW_NO_SHAPE, &d, name, sizeof(name)));
    CHECK_EQ(d, PARAMS(wiretest_Canvas_draw_field_shape));
    CHECK(!draw_decode(DRAW_BAD_COLOR, &d, name, sizeof(name)));
    CHECK_EQ(d, PARAMS(wiretest_Canvas_draw_field_shape_style_color));
    CHECK_STR(name, "params.shape.style.color");
    CHECK(!draw_decode(DRAW_BAD_PATTERN, &d, name, sizeof(name)));
    CHECK_EQ(d, PARAMS(wiretest_Canvas_draw_field_shape_style_border_pattern));
    CHECK_STR(name, "params.shape.style.border.pattern");
    CHECK(!draw_decode(DRAW_BAD_BORDER, &d, name, sizeof(name)));
    CHECK_STR(name, "params.shape.(unknown field)");
    CHECK(!draw_decode(DRAW_BAD_UNION, &d, name, sizeof(name)));
    CHECK_STR(name, "params.shape.(unknown field)");
    CHECK(!draw_decode(DRAW_LAYER, &d, name, sizeof(name)));
    CHECK_EQ(d, PARAMS(wiretest_Canvas_draw_field_layer));
    CHECK(!draw_decode(DRAW_COLORS, &d, name, sizeof(name)));
    CHECK_EQ(d, PARAMS(wiretest_Canvas_draw_field_colors));
    CHECK(!draw_decode(DRAW_BAD_LIST_COLOR, &d, name, sizeof(name)));
    CHECK_STR(name, "params.colors");
}

TEST(detail_names)
{
    CHECK_STR(detail_str(0, 0, 0), "none");
    CHECK_STR(
        detail_str(CAPOS_RPC_DETAIL(CAPOS_DETAIL_SUBMISSION, capos_SubmissionError_unusedField), 0,
                   0),
        "submission.unusedField");
    /* a path of a method the tables do not know */
    CHECK_STR(detail_str(PARAMS(1), 0x1234, 0), "params.?");
    char small[8];
    capos_rpc_detail_format(small, sizeof(small),
                            PARAMS(capos_ProcessSpawner_spawn_field_grants_cap),
                            capos_ProcessSpawner_INTERFACE_ID, 0, capos_rpc_names,
                            sizeof(capos_rpc_names) / sizeof(capos_rpc_names[0]));
    CHECK_STR(small, "params.");
}

/* ---- a server and clients of it, in this process ---- */

struct tsub {
    int echoes, pings;
    uint32_t last_mode;
};

/* The CALL type of the test servers: the call, a result message and the
 * capabilities it hands back. */
struct tcall {
    struct capos_rpc_call rpc;
    struct capnp_builder out;
    uint64_t arena[512];
    uint32_t ncaps_out;
    bool built;
};

wiretest_Sub_SERVER(tsub, struct tsub, struct tcall);

static int tsub_echo(struct tsub *s, struct tcall *c, const wiretest_Echo_echo_args *a)
{
    s->echoes++;
    wiretest_Echo_echo_encode_results(&c->out, &(wiretest_Echo_echo_results){.reply = a->msg});
    c->built = true;
    return CAPOS_OK;
}

static int tsub_ping(struct tsub *s, struct tcall *c, const wiretest_Echo_ping_args *a)
{
    s->pings++;
    return CAPOS_OK;
}

static int tsub_call(struct tsub *s, struct tcall *c, const wiretest_Echo_call_args *a)
{
    /* Hands back n capabilities in a list, and an Inner. */
    wiretest_Echo_call_Results_builder r = wiretest_Echo_call_encode_results(&c->out, 0);
    wiretest_Inner_set_a(wiretest_Echo_call_Results_init_value(r), a->n);
    struct capnp_list_builder l = wiretest_Echo_call_Results_init_caps(r, a->n);
    for (uint32_t i = 0; i < a->n; i++)
        capnp_lb_set_cap(l, i, i);
    c->ncaps_out = a->n;
    c->built = true;
    return CAPOS_OK;
}

static int tsub_direct(struct tsub *s, struct tcall *c, const wiretest_Echo_direct_args *a)
{
    wiretest_Echo_direct_encode_results(
        &c->out, &(wiretest_Echo_direct_results){.a = a->a + 1, .name = a->name, .tags = a->tags});
    c->built = true;
    return CAPOS_OK;
}

static int tsub_extra(struct tsub *s, struct tcall *c, const wiretest_Sub_extra_args *a)
{
    s->last_mode = a->mode;
    return CAPOS_OK;
}

static int tsub_stream(struct tsub *s, struct tcall *c, const wiretest_Sub_stream_args *a)
{
    return CAPOS_OK;
}

/* A ProcessSpawner whose createEndpoint answers with two capabilities; in
 * `broken` mode its result names only one of them. */
struct tspawner {
    bool broken;
};

capos_ProcessSpawner_SERVER(tsp, struct tspawner, struct tcall);

static int tsp_spawn(struct tspawner *s, struct tcall *c, const capos_ProcessSpawner_spawn_args *a)
{
    return CAPOS_ERR_UNSUPPORTED;
}

static int tsp_spawnImage(struct tspawner *s, struct tcall *c,
                          const capos_ProcessSpawner_spawnImage_args *a)
{
    return CAPOS_ERR_UNSUPPORTED;
}

static int tsp_fork(struct tspawner *s, struct tcall *c, const capos_ProcessSpawner_fork_args *a)
{
    return CAPOS_ERR_UNSUPPORTED;
}

static int tsp_exec(struct tspawner *s, struct tcall *c, const capos_ProcessSpawner_exec_args *a)
{
    return CAPOS_ERR_UNSUPPORTED;
}

static int tsp_restrict(struct tspawner *s, struct tcall *c,
                        const capos_ProcessSpawner_restrict_args *a)
{
    return CAPOS_ERR_UNSUPPORTED;
}

static int tsp_createEndpoint(struct tspawner *s, struct tcall *c,
                              const capos_ProcessSpawner_createEndpoint_args *a)
{
    capos_ProcessSpawner_createEndpoint_encode_results(
        &c->out, &(capos_ProcessSpawner_createEndpoint_results){
                     .server = 0, .client = s->broken ? CAPNP_NO_CAP : 1});
    c->ncaps_out = 2;
    c->built = true;
    return CAPOS_OK;
}

static struct tsub the_sub;
static struct tspawner the_spawner;

/* The transport: calls wait in a queue until waited for, then run. */
#define CAP_SUB     7
#define CAP_SPAWNER 8

static struct pending {
    uint64_t cookie;
    uint32_t cap;
    uint64_t iid;
    uint16_t method;
    uint8_t msg[8192];
    uint32_t len, nxfer, buf_len;
    void *buf;
} queue[8];
static unsigned nqueue;
static uint64_t next_cookie = 1;
static uint32_t released[16];
static unsigned nreleased;

int capos_rpc_submit(uint32_t cap, uint64_t interface_id, uint16_t method, const void *msg,
                     uint32_t len, void *buf, uint32_t buf_len, const struct capos_xfer *xfer,
                     uint16_t nxfer, uint64_t *cookie)
{
    (void)xfer;
    if (nqueue == 8 || len > sizeof(queue[0].msg))
        return CAPOS_ERR_EXHAUSTED;
    struct pending *p = &queue[nqueue++];
    *p = (struct pending){.cookie = next_cookie++,
                          .cap = cap,
                          .iid = interface_id,
                          .method = method,
                          .len = len,
                          .nxfer = nxfer,
                          .buf = buf,
                          .buf_len = buf_len};
    if (len)
        memcpy(p->msg, msg, len);
    *cookie = p->cookie;
    return CAPOS_OK;
}

/* Runs the call the way the kernel and a server loop would: the result
 * message and the new cap ids (1000, 1001, ...) go to the buffer. */
static void run(const struct pending *p, struct capos_cqe *cqe)
{
    static struct tcall c;
    memset(&c, 0, sizeof(c));
    c.rpc = (struct capos_rpc_call){.interface_id = p->iid,
                                    .params = p->msg,
                                    .params_len = p->len,
                                    .ncaps = p->nxfer,
                                    .method = p->method};
    capnp_builder_init(&c.out, c.arena, sizeof(c.arena));
    int err = p->cap == CAP_SUB       ? tsub_dispatch(&the_sub, &c)
              : p->cap == CAP_SPAWNER ? tsp_dispatch(&the_spawner, &c)
                                      : CAPOS_ERR_INVALID_CAP;
    memset(cqe, 0, sizeof(*cqe));
    cqe->user_data = p->cookie;
    cqe->detail = err != CAPOS_OK ? c.rpc.detail : 0;
    if (err == CAPOS_OK && c.built) {
        const uint8_t *out;
        size_t len;
        if (capnp_builder_finish(&c.out, &out, &len) != CAPNP_OK) {
            err = CAPOS_ERR_RESULT_TOO_LARGE;
        } else if (CAPOS_CAPS_OFFSET(len) + 4 * c.ncaps_out > p->buf_len) {
            err = CAPOS_ERR_RESULT_TOO_LARGE;
            cqe->result_len = (uint32_t)(CAPOS_CAPS_OFFSET(len) + 4 * c.ncaps_out);
        } else {
            memcpy(p->buf, out, len);
            for (uint32_t i = 0; i < c.ncaps_out; i++) {
                uint32_t id = 1000 + i;
                memcpy((uint8_t *)p->buf + CAPOS_CAPS_OFFSET(len) + 4 * i, &id, 4);
            }
            cqe->result_len = (uint32_t)len;
            cqe->ncaps = (uint16_t)c.ncaps_out;
        }
    }
    cqe->result = err;
}

int capos_rpc_wait(uint64_t cookie, struct capos_cqe *cqe)
{
    for (unsigned i = 0; i < nqueue; i++) {
        if (queue[i].cookie == cookie) {
            run(&queue[i], cqe);
            queue[i] = queue[--nqueue];
            return CAPOS_OK;
        }
    }
    return CAPOS_ERR_INVALID_ARGUMENT;
}

void capos_rpc_release(uint32_t cap)
{
    if (nreleased < 16)
        released[nreleased++] = cap;
}

TEST(dispatch_routes_and_refuses)
{
    static struct tcall c;
    static struct msg m;
    memset(&c, 0, sizeof(c));
    capnp_builder_init(&c.out, c.arena, sizeof(c.arena));
    /* a superclass's method through the subclass's dispatch */
    c.rpc = rpc_of(wiretest_Echo_INTERFACE_ID, wiretest_Echo_method_ping, 0, 0);
    int pings = the_sub.pings;
    CHECK_EQ(tsub_dispatch(&the_sub, &c), CAPOS_OK);
    CHECK_EQ(the_sub.pings, pings + 1);
    /* its own method, with an enum out of range */
    msg_begin(&m);
    wiretest_Sub_extra_encode_args(&m.b,
                                   &(wiretest_Sub_extra_args){.mode = wiretest_Echo_Mode_loud});
    CHECK(msg_end(&m));
    c.rpc = rpc_of(wiretest_Sub_INTERFACE_ID, wiretest_Sub_method_extra, &m, 0);
    CHECK_EQ(tsub_dispatch(&the_sub, &c), CAPOS_OK);
    CHECK_EQ(the_sub.last_mode, wiretest_Echo_Mode_loud);
    msg_begin(&m);
    wiretest_Sub_extra_encode_args(&m.b,
                                   &(wiretest_Sub_extra_args){.mode = (enum wiretest_Echo_Mode)5});
    CHECK(msg_end(&m));
    c.rpc = rpc_of(wiretest_Sub_INTERFACE_ID, wiretest_Sub_method_extra, &m, 0);
    CHECK_EQ(tsub_dispatch(&the_sub, &c), CAPOS_ERR_INVALID_ARGUMENT);
    CHECK_EQ(c.rpc.detail, PARAMS(wiretest_Sub_extra_field_mode));
    /* unknown method, other interface, capabilities nobody names */
    c.rpc = rpc_of(wiretest_Sub_INTERFACE_ID, 9, 0, 0);
    CHECK_EQ(tsub_dispatch(&the_sub, &c), CAPOS_ERR_UNKNOWN_METHOD);
    c.rpc = rpc_of(wiretest_Echo_INTERFACE_ID, 4, 0, 0);
    CHECK_EQ(tsub_dispatch(&the_sub, &c), CAPOS_ERR_UNKNOWN_METHOD);
    c.rpc = rpc_of(capos_Timer_INTERFACE_ID, 0, 0, 0);
    CHECK_EQ(tsub_dispatch(&the_sub, &c), CAPOS_ERR_WRONG_INTERFACE);
    c.rpc = rpc_of(wiretest_Echo_INTERFACE_ID, wiretest_Echo_method_ping, 0, 1);
    CHECK_EQ(tsub_dispatch(&the_sub, &c), CAPOS_ERR_INVALID_ARGUMENT);
    CHECK_EQ(c.rpc.detail, PARAMS(0));
}

TEST(stubs_round_trip)
{
    uint64_t buf[64];
    struct capos_rpc_opts o = {.buf = buf, .buf_len = sizeof(buf)};
    wiretest_Echo_echo_results er;
    CHECK_EQ(wiretest_Echo_echo_call(CAP_SUB, &(wiretest_Echo_echo_args){.msg = {"hi there", 8}},
                                     &er, &o),
             CAPOS_OK);
    CHECK_STR(er.reply.str, "hi there");
    CHECK((const uint8_t *)er.reply.str >= (const uint8_t *)buf &&
          (const uint8_t *)er.reply.str < (const uint8_t *)buf + sizeof(buf));
    /* Text results need a buffer of the caller's. */
    CHECK_EQ(wiretest_Echo_echo_call(CAP_SUB, 0, &er, 0), CAPOS_ERR_INVALID_ARGUMENT);

    /* a named struct as parameters and results, with a list of text */
    static struct msg tags;
    struct capnp_reader tr;
    msg_begin(&tags);
    struct capnp_list_builder tl =
        capnp_pb_init_list(capnp_builder_root_ptr(&tags.b), CAPNP_ELEM_POINTER, 2);
    capnp_lb_set_text(tl, 0, "a", 1);
    capnp_lb_set_text(tl, 1, "bc", 2);
    CHECK(msg_end(&tags));
    CHECK(capnp_reader_init(&tr, tags.bytes, tags.len, 0) == CAPNP_OK);
    wiretest_Echo_direct_args da = {
        .a = 41,
        .name = {"n", 1},
        .tags = capnp_ptr_get_list(capnp_reader_root_ptr(&tr), CAPNP_ELEM_POINTER, 0)};
    wiretest_Echo_direct_results dr;
    CHECK_EQ(wiretest_Echo_direct_call(CAP_SUB, &da, &dr, &o), CAPOS_OK);
    CHECK_EQ(dr.a, 42);
    CHECK_STR(dr.name.str, "n");
    CHECK_EQ(dr.tags.len, 2);
    CHECK_STR(capnp_list_get_text(&dr.tags, 1).str, "bc");
    CHECK(capnp_reader_error(&o.msg) == CAPNP_OK);
    /* the same with the list built in place */
    static struct msg built;
    msg_begin(&built);
    wiretest_Inner_builder p = wiretest_Echo_direct_encode_args(
        &built.b, &(wiretest_Echo_direct_args){.a = 7, .name = {"m", 1}});
    capnp_lb_set_text(wiretest_Inner_init_tags(p, 1), 0, "z", 1);
    CHECK_EQ(wiretest_Echo_direct_call_built(CAP_SUB, &built.b, &dr, &o), CAPOS_OK);
    CHECK_EQ(dr.a, 8);
    CHECK_EQ(dr.tags.len, 1);
    CHECK_STR(capnp_list_get_text(&dr.tags, 0).str, "z");

    /* capabilities come back as cap ids */
    capos_ProcessSpawner_createEndpoint_results cr;
    CHECK_EQ(capos_ProcessSpawner_createEndpoint_call(CAP_SPAWNER, 0, &cr, 0), CAPOS_OK);
    CHECK_EQ(cr.server, 1000);
    CHECK_EQ(cr.client, 1001);
    /* a refusal carries its detail to the caller */
    struct capos_rpc_opts eo = {.buf = buf, .buf_len = sizeof(buf)};
    CHECK_EQ(wiretest_Sub_extra_call(
                 CAP_SUB, &(wiretest_Sub_extra_args){.mode = (enum wiretest_Echo_Mode)3}, 0, &eo),
             CAPOS_ERR_INVALID_ARGUMENT);
    CHECK_EQ(eo.detail, PARAMS(wiretest_Sub_extra_field_mode));
}

TEST(stubs_refuse_bad_results)
{
    /* A result that does not name a capability it brings: refused, and the
     * capabilities are given back. */
    capos_ProcessSpawner_createEndpoint_results cr;
    struct capos_rpc_opts o = {0};
    nreleased = 0;
    the_spawner.broken = true;
    int err = capos_ProcessSpawner_createEndpoint_call(CAP_SPAWNER, 0, &cr, &o);
    the_spawner.broken = false;
    CHECK_EQ(err, CAPOS_ERR_INVALID_ARGUMENT);
    CHECK_EQ(o.detail, CAPOS_RPC_DETAIL(CAPOS_DETAIL_RESULTS, 0));
    CHECK_EQ(nreleased, 2);
    CHECK_EQ(released[0], 1000);
    CHECK_EQ(released[1], 1001);
}

TEST(stubs_batch)
{
    /* three calls prepared, then completed in the other order */
    static uint64_t arenas[3][64];
    static uint64_t bufs[3][64];
    struct capnp_builder b[3];
    struct capos_rpc_opts o[3];
    uint64_t cookie[3];
    static const char *const words[3] = {"one", "two", "three"};
    for (int i = 0; i < 3; i++) {
        capnp_builder_init(&b[i], arenas[i], sizeof(arenas[i]));
        o[i] = (struct capos_rpc_opts){.buf = bufs[i], .buf_len = sizeof(bufs[i])};
        wiretest_Echo_echo_args a = {.msg = {words[i], (uint32_t)strlen(words[i])}};
        CHECK_EQ(wiretest_Echo_echo_submit(CAP_SUB, &a, &b[i], &o[i], &cookie[i]), CAPOS_OK);
    }
    for (int i = 2; i >= 0; i--) {
        struct capos_cqe c;
        wiretest_Echo_echo_results r;
        CHECK_EQ(capos_rpc_wait(cookie[i], &c), CAPOS_OK);
        CHECK_EQ(c.user_data, cookie[i]);
        CHECK_EQ(wiretest_Echo_echo_complete(&c, &r, &o[i]), CAPOS_OK);
        CHECK_STR(r.reply.str, words[i]);
    }
    /* a list of capabilities in a result arrives as indices into o.caps */
    uint64_t buf[64];
    struct capos_rpc_opts co = {.buf = buf, .buf_len = sizeof(buf)};
    wiretest_Echo_call_results cr;
    CHECK_EQ(wiretest_Echo_call_call(
                 CAP_SUB, &(wiretest_Echo_call_args){.cb = CAPNP_NO_CAP, .n = 3}, &cr, &co),
             CAPOS_OK);
    CHECK_EQ(co.ncaps, 3);
    CHECK_EQ(wiretest_Inner_get_a(cr.value), 3);
    CHECK_EQ(co.caps[capnp_list_get_cap(&cr.caps, 2)], 1002);
}
