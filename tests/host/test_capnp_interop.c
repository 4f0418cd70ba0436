/*
 * lib/capnp and the generated accessors against the capnp tool.
 *
 * Read direction: messages the tool encoded at build time (tests/capnp/
 * capnp.mk) are read through gen/wiretest.capnp.h and gen/capos.capnp.h and
 * every value is checked, from the tool's single-segment output and from its
 * 2-word-segment output, which is full of far pointers.
 * Write direction: the same messages built with the generated builders (and
 * deep copies of the fixtures) must decode, with `capnp convert
 * binary:text`, to exactly the text the tool prints for its own encoding.
 */
#include "test.h"

#include <math.h>
#include <stdlib.h>

#include "capnp/capnp.h"
#include "capnp/wire.h"
#include "capos.capnp.h"
#include "test_capnp_util.h"
#include "wiretest.capnp.h"

static uint64_t test_arena[CAPNP_TEST_ARENA_WORDS];

static uint32_t f32_bits(float f)
{
    uint32_t b;
    memcpy(&b, &f, 4);
    return b;
}

static uint64_t f64_bits(double d)
{
    uint64_t b;
    memcpy(&b, &d, 8);
    return b;
}

static float bits_f32(uint32_t b)
{
    float f;
    memcpy(&f, &b, 4);
    return f;
}

static double bits_f64(uint64_t b)
{
    double d;
    memcpy(&d, &b, 8);
    return d;
}

/* Room for every segment the reference implementation allows. */
static struct capnp_segment seg_table[CAPNP_MAX_SEGMENTS];

/* Opens fixture `name` in `r`; the caller frees *buf. */
static bool open_fixture(struct capnp_reader *r, const char *name, uint8_t **buf)
{
    size_t len;
    *buf = capnp_test_fixture(name, &len);
    if (!*buf)
        return false;
    return capnp_reader_init_table(r, *buf, len, NULL, NULL, seg_table, CAPNP_MAX_SEGMENTS) ==
           CAPNP_OK;
}

static bool text_is(struct capnp_text t, const char *s)
{
    return t.len == strlen(s) && memcmp(t.str, s, t.len) == 0 && t.str[t.len] == 0;
}

static bool data_is(struct capnp_data d, const char *s)
{
    return d.len == strlen(s) && memcmp(d.ptr, s, d.len) == 0;
}

/*
 * Counts far pointers of each kind met while walking everything reachable
 * from `p` (the tool's segmented output must really exercise them).
 */
struct far_count {
    int single, dbl, objects;
};

static void walk(struct capnp_ptr p, struct far_count *fc)
{
    if (!p.seg || capnp_ptr_is_null(p))
        return;
    uint64_t w = capnp_load_u64(p.seg->data + (size_t)p.idx * 8);
    if (capnp_wire_kind(w) == CAPNP_WIRE_FAR) {
        if (capnp_wire_far_double(w))
            fc->dbl++;
        else
            fc->single++;
    }
    fc->objects++;
    switch (capnp_ptr_kind(p)) {
    case CAPNP_KIND_STRUCT: {
        struct capnp_struct s = capnp_ptr_get_struct(p, 0);
        for (uint32_t i = 0; i < s.nptrs; i++)
            walk(capnp_struct_ptr(&s, i), fc);
        break;
    }
    case CAPNP_KIND_LIST: {
        struct capnp_list l = capnp_ptr_get_list(p, CAPNP_ELEM_ANY, 0);
        if (l.nptrs)
            for (uint32_t i = 0; i < l.len; i++) {
                struct capnp_struct s = capnp_list_get_struct(&l, i);
                for (uint32_t j = 0; j < s.nptrs; j++)
                    walk(capnp_struct_ptr(&s, j), fc);
            }
        break;
    }
    default: break;
    }
}

/* ---- Read direction ---- */

static void check_all_types_full(struct capnp_reader *m)
{
    wiretest_AllTypes_reader r = wiretest_AllTypes_read_root(m);
    CHECK_EQ(wiretest_AllTypes_get_boolField(r), true);
    CHECK_EQ(wiretest_AllTypes_get_int8Field(r), -123);
    CHECK_EQ(wiretest_AllTypes_get_int16Field(r), -12345);
    CHECK_EQ(wiretest_AllTypes_get_int32Field(r), -12345678);
    CHECK_EQ(wiretest_AllTypes_get_int64Field(r), -123456789012345ll);
    CHECK_EQ(wiretest_AllTypes_get_uint8Field(r), 234);
    CHECK_EQ(wiretest_AllTypes_get_uint16Field(r), 45678);
    CHECK_EQ(wiretest_AllTypes_get_uint32Field(r), 3456789012u);
    CHECK(wiretest_AllTypes_get_uint64Field(r) == 12345678901234567890ull);
    CHECK(wiretest_AllTypes_get_float32Field(r) == 1234.5f);
    CHECK(wiretest_AllTypes_get_float64Field(r) == -1.25e-10);
    CHECK_EQ(wiretest_AllTypes_get_float32Field_bits(r), f32_bits(1234.5f));
    CHECK(text_is(wiretest_AllTypes_get_textField(r), "foo"));
    CHECK(data_is(wiretest_AllTypes_get_dataField(r), "bar"));
    CHECK_EQ(wiretest_AllTypes_get_enumField(r), wiretest_Color_blue);
    CHECK_EQ(wiretest_AllTypes_get_interfaceField(r), CAPNP_NO_CAP);
    CHECK(!wiretest_AllTypes_has_anyField(r));

    wiretest_AllTypes_reader s = wiretest_AllTypes_get_structField(r);
    CHECK(wiretest_AllTypes_has_structField(r));
    CHECK_EQ(wiretest_AllTypes_get_int8Field(s), -12);
    CHECK_EQ(wiretest_AllTypes_get_uint64Field(s), 345678901234567890ull);
    CHECK(wiretest_AllTypes_get_float32Field(s) == -1.25e-10f);
    CHECK(wiretest_AllTypes_get_float64Field(s) == 345);
    CHECK(text_is(wiretest_AllTypes_get_textField(s), "baz"));
    CHECK(data_is(wiretest_AllTypes_get_dataField(s), "qux"));
    CHECK_EQ(wiretest_AllTypes_get_enumField(s), wiretest_Color_green);
    wiretest_AllTypes_reader ss = wiretest_AllTypes_get_structField(s);
    CHECK(text_is(wiretest_AllTypes_get_textField(ss), "nested"));
    CHECK(text_is(wiretest_AllTypes_get_textField(wiretest_AllTypes_get_structField(ss)),
                  "really nested"));
    struct capnp_list l = wiretest_AllTypes_get_int64List(s);
    CHECK_EQ(capnp_list_len(&l), 4);
    CHECK_EQ((int64_t)capnp_list_get_u64(&l, 2), INT64_MIN);
    CHECK_EQ((int64_t)capnp_list_get_u64(&l, 3), INT64_MAX);
    l = wiretest_AllTypes_get_int8List(s);
    CHECK_EQ((int8_t)capnp_list_get_u8(&l, 2), -128);
    l = wiretest_AllTypes_get_uint16List(s);
    CHECK_EQ(capnp_list_get_u16(&l, 3), 65535);
    l = wiretest_AllTypes_get_float32List(s);
    CHECK_EQ(capnp_list_len(&l), 6);
    CHECK(bits_f32(capnp_list_get_u32(&l, 2)) == 1e37f);
    l = wiretest_AllTypes_get_float64List(s);
    CHECK(bits_f64(capnp_list_get_u64(&l, 5)) == -1e-306);
    wiretest_Inner_reader_list il = wiretest_AllTypes_get_structList(s);
    CHECK_EQ(wiretest_Inner_list_len(il), 3);
    CHECK(text_is(wiretest_Inner_get_name(wiretest_Inner_list_get(il, 2)), "x structlist 3"));
    l = wiretest_AllTypes_get_enumList(s);
    CHECK_EQ(capnp_list_get_u16(&l, 0), wiretest_Color_blue);

    l = wiretest_AllTypes_get_voidList(r);
    CHECK_EQ(capnp_list_len(&l), 6);
    l = wiretest_AllTypes_get_boolList(r);
    CHECK_EQ(capnp_list_len(&l), 11);
    static const bool bools[] = {1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0};
    for (uint32_t i = 0; i < 11; i++)
        CHECK_EQ(capnp_list_get_bool(&l, i), bools[i]);
    l = wiretest_AllTypes_get_int16List(r);
    CHECK_EQ((int16_t)capnp_list_get_u16(&l, 1), -11111);
    l = wiretest_AllTypes_get_int32List(r);
    CHECK_EQ((int32_t)capnp_list_get_u32(&l, 1), -111111111);
    l = wiretest_AllTypes_get_uint32List(r);
    CHECK_EQ(capnp_list_get_u32(&l, 0), 3333333333u);
    l = wiretest_AllTypes_get_uint64List(r);
    CHECK(capnp_list_get_u64(&l, 0) == 11111111111111111111ull);
    l = wiretest_AllTypes_get_float32List(r);
    CHECK(isinf(bits_f32(capnp_list_get_u32(&l, 1))));
    CHECK(isnan(bits_f32(capnp_list_get_u32(&l, 3))));
    l = wiretest_AllTypes_get_float64List(r);
    CHECK(bits_f64(capnp_list_get_u64(&l, 0)) == 7777.75);
    CHECK(isnan(bits_f64(capnp_list_get_u64(&l, 3))));
    l = wiretest_AllTypes_get_textList(r);
    CHECK_EQ(capnp_list_len(&l), 3);
    CHECK(text_is(capnp_list_get_text(&l, 2), "thud"));
    l = wiretest_AllTypes_get_dataList(r);
    CHECK(data_is(capnp_list_get_data(&l, 2), "rfc3092"));
    il = wiretest_AllTypes_get_structList(r);
    CHECK_EQ(wiretest_Inner_list_len(il), 3);
    wiretest_Inner_reader in = wiretest_Inner_list_get(il, 0);
    CHECK_EQ(wiretest_Inner_get_a(in), 10);
    l = wiretest_Inner_get_tags(in);
    CHECK(text_is(capnp_list_get_text(&l, 1), "t2"));
    CHECK_EQ(wiretest_Inner_get_a(wiretest_Inner_list_get(il, 2)), 30);
    CHECK(!wiretest_Inner_has_name(wiretest_Inner_list_get(il, 2)));
    CHECK_EQ(wiretest_Inner_get_a(wiretest_Inner_list_get(il, 3)), 0); /* out of range */
    l = wiretest_AllTypes_get_enumList(r);
    CHECK_EQ(capnp_list_get_u16(&l, 3), wiretest_Color_green);

    /* Nested lists go through the generic list API. */
    l = wiretest_AllTypes_get_nestedList(r);
    CHECK_EQ(capnp_list_len(&l), 4);
    struct capnp_list inner = capnp_list_get_list(&l, 0, CAPNP_ELEM_FOUR_BYTES);
    CHECK_EQ(capnp_list_len(&inner), 3);
    CHECK_EQ(capnp_list_get_u32(&inner, 2), 3);
    inner = capnp_list_get_list(&l, 1, CAPNP_ELEM_FOUR_BYTES);
    CHECK_EQ(capnp_list_len(&inner), 0);
    inner = capnp_list_get_list(&l, 2, CAPNP_ELEM_FOUR_BYTES);
    CHECK_EQ((int32_t)capnp_list_get_u32(&inner, 0), -4);
    l = wiretest_AllTypes_get_textListList(r);
    inner = capnp_list_get_list(&l, 0, CAPNP_ELEM_POINTER);
    CHECK(text_is(capnp_list_get_text(&inner, 1), "b"));
    l = wiretest_AllTypes_get_structListList(r);
    il = wiretest_Inner_list_read(capnp_list_ptr(&l, 1));
    CHECK(text_is(wiretest_Inner_get_name(wiretest_Inner_list_get(il, 0)), "three"));
    CHECK_EQ(capnp_reader_error(m), CAPNP_OK);
}

TEST(read_all_types_full)
{
    const char *names[] = {"AllTypes-full.bin", "AllTypes-full.far.bin"};
    for (size_t i = 0; i < 2; i++) {
        struct capnp_reader m;
        uint8_t *buf;
        CHECK(open_fixture(&m, names[i], &buf));
        check_all_types_full(&m);
        free(buf);
    }
}

/* The segmented fixtures really contain far pointers, and every one reads. */
TEST(read_far_fixtures)
{
    const char *names[] = {"AllTypes-full.far.bin", "Tree-deep.far.bin", "Shape-poly.far.bin",
                           "Defaults-set.far.bin"};
    struct far_count total = {0, 0, 0};
    /* The 75-segment fixture needs a bigger table than the reader's own. */
    size_t len;
    uint8_t *big = capnp_test_fixture(names[0], &len);
    struct capnp_reader small;
    CHECK(big);
    CHECK_EQ(capnp_reader_init(&small, big, len, NULL), CAPNP_ERR_SEGMENT_COUNT);
    free(big);
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        struct capnp_reader m;
        uint8_t *buf;
        CHECK(open_fixture(&m, names[i], &buf));
        CHECK(m.nsegs > 1);
        struct far_count fc = {0, 0, 0};
        walk(capnp_reader_root_ptr(&m), &fc);
        CHECK(fc.single > 0);
        CHECK_EQ(capnp_reader_error(&m), CAPNP_OK);
        total.single += fc.single;
        total.dbl += fc.dbl;
        free(buf);
    }
    CHECK(total.single > 10);
}

TEST(read_empty_and_defaults)
{
    struct capnp_reader m;
    uint8_t *buf;
    CHECK(open_fixture(&m, "AllTypes-empty.bin", &buf));
    wiretest_AllTypes_reader r = wiretest_AllTypes_read_root(&m);
    CHECK_EQ(wiretest_AllTypes_get_int64Field(r), 0);
    CHECK(!wiretest_AllTypes_has_textField(r));
    CHECK(text_is(wiretest_AllTypes_get_textField(r), ""));
    CHECK_EQ(wiretest_AllTypes_get_dataField(r).len, 0);
    CHECK(wiretest_AllTypes_get_structField(r).s.seg == NULL);
    struct capnp_list l = wiretest_AllTypes_get_int32List(r);
    CHECK_EQ(capnp_list_len(&l), 0);
    free(buf);

    const char *names[] = {"Defaults-empty.bin", "Defaults-empty.far.bin"};
    for (size_t i = 0; i < 2; i++) {
        CHECK(open_fixture(&m, names[i], &buf));
        wiretest_Defaults_reader d = wiretest_Defaults_read_root(&m);
        CHECK_EQ(wiretest_Defaults_get_boolField(d), true);
        CHECK_EQ(wiretest_Defaults_get_int8Field(d), -123);
        CHECK_EQ(wiretest_Defaults_get_int16Field(d), -12345);
        CHECK_EQ(wiretest_Defaults_get_int32Field(d), -12345678);
        CHECK_EQ(wiretest_Defaults_get_int64Field(d), -123456789012345ll);
        CHECK_EQ(wiretest_Defaults_get_uint8Field(d), 234);
        CHECK_EQ(wiretest_Defaults_get_uint16Field(d), 45678);
        CHECK_EQ(wiretest_Defaults_get_uint32Field(d), 3456789012u);
        CHECK(wiretest_Defaults_get_uint64Field(d) == 12345678901234567890ull);
        CHECK(wiretest_Defaults_get_float32Field(d) == 1234.5f);
        CHECK(wiretest_Defaults_get_float64Field(d) == -1.25e-10);
        CHECK(text_is(wiretest_Defaults_get_textField(d), "foo"));
        CHECK(!wiretest_Defaults_has_textField(d));
        CHECK(data_is(wiretest_Defaults_get_dataField(d), "bar"));
        wiretest_Inner_reader in = wiretest_Defaults_get_structField(d);
        CHECK_EQ(wiretest_Inner_get_a(in), 7);
        CHECK(text_is(wiretest_Inner_get_name(in), "dflt"));
        l = wiretest_Inner_get_tags(in);
        CHECK(text_is(capnp_list_get_text(&l, 1), "y"));
        CHECK_EQ(wiretest_Defaults_get_enumField(d), wiretest_Color_blue);
        l = wiretest_Defaults_get_int32List(d);
        CHECK_EQ(capnp_list_len(&l), 3);
        CHECK_EQ((int32_t)capnp_list_get_u32(&l, 1), -2);
        l = wiretest_Defaults_get_textList(d);
        CHECK(text_is(capnp_list_get_text(&l, 0), "plugh"));
        wiretest_Inner_reader_list il = wiretest_Defaults_get_structList(d);
        CHECK_EQ(wiretest_Inner_list_len(il), 2);
        CHECK(text_is(wiretest_Inner_get_name(wiretest_Inner_list_get(il, 1)), "two"));
        l = wiretest_Defaults_get_boolList(d);
        CHECK_EQ(capnp_list_len(&l), 3);
        CHECK(capnp_list_get_bool(&l, 0) && !capnp_list_get_bool(&l, 1));
        l = wiretest_Defaults_get_nestedList(d);
        struct capnp_list n = capnp_list_get_list(&l, 2, CAPNP_ELEM_BYTE);
        CHECK_EQ(capnp_list_get_u8(&n, 0), 3);
        CHECK_EQ(wiretest_Defaults_get_falseBool(d), false);
        CHECK_EQ(capnp_reader_error(&m), CAPNP_OK);
        free(buf);
    }

    CHECK(open_fixture(&m, "Defaults-set.bin", &buf));
    wiretest_Defaults_reader d = wiretest_Defaults_read_root(&m);
    CHECK_EQ(wiretest_Defaults_get_boolField(d), false);
    CHECK_EQ(wiretest_Defaults_get_int8Field(d), 0);
    CHECK_EQ(wiretest_Defaults_get_int16Field(d), 1);
    CHECK_EQ(wiretest_Defaults_get_uint16Field(d), 1);
    CHECK(wiretest_Defaults_get_uint64Field(d) == 0);
    CHECK(wiretest_Defaults_get_float32Field(d) == 0);
    CHECK(wiretest_Defaults_get_float64Field(d) == 2.5);
    CHECK(wiretest_Defaults_has_textField(d));
    CHECK(text_is(wiretest_Defaults_get_textField(d), ""));
    CHECK_EQ(wiretest_Defaults_get_dataField(d).len, 0);
    wiretest_Inner_reader in = wiretest_Defaults_get_structField(d);
    CHECK_EQ(wiretest_Inner_get_a(in), 0);
    CHECK(!wiretest_Inner_has_name(in));
    CHECK_EQ(wiretest_Defaults_get_enumField(d), wiretest_Color_red);
    l = wiretest_Defaults_get_int32List(d);
    CHECK_EQ(capnp_list_len(&l), 0);
    l = wiretest_Defaults_get_textList(d);
    CHECK(text_is(capnp_list_get_text(&l, 0), "only"));
    CHECK_EQ(wiretest_Inner_get_a(wiretest_Inner_list_get(wiretest_Defaults_get_structList(d), 0)),
             99);
    CHECK_EQ(wiretest_Defaults_get_falseBool(d), true);
    CHECK_EQ(capnp_reader_error(&m), CAPNP_OK);
    free(buf);
}

TEST(read_unions_and_groups)
{
    struct capnp_reader m;
    uint8_t *buf;
    CHECK(open_fixture(&m, "Shape-circle.far.bin", &buf));
    wiretest_Shape_reader s = wiretest_Shape_read_root(&m);
    CHECK_EQ(wiretest_Shape_which(s), wiretest_Shape_which_circle);
    CHECK(wiretest_Shape_get_circle(s) == 2.5);
    /* Inactive members read as their defaults. */
    CHECK_EQ(wiretest_Shape_rect_get_w(wiretest_Shape_get_rect(s)), 0);
    CHECK_EQ(wiretest_Shape_rect_get_h(wiretest_Shape_get_rect(s)), 10);
    CHECK(!wiretest_Shape_has_label(s));
    CHECK(text_is(wiretest_Shape_get_label(s), ""));
    /* Groups with defaults, and a named union with defaults. */
    wiretest_Shape_style_reader st = wiretest_Shape_get_style(s);
    CHECK_EQ(wiretest_Shape_style_get_color(st), wiretest_Color_green);
    wiretest_Shape_style_border_reader bd = wiretest_Shape_style_get_border(st);
    CHECK_EQ(wiretest_Shape_style_border_which(bd), wiretest_Shape_style_border_which_solid);
    CHECK_EQ(wiretest_Shape_style_border_get_dashed(bd), 3);
    free(buf);

    CHECK(open_fixture(&m, "Shape-rect.bin", &buf));
    s = wiretest_Shape_read_root(&m);
    CHECK(text_is(wiretest_Shape_get_name(s), "r"));
    CHECK_EQ(wiretest_Shape_which(s), wiretest_Shape_which_rect);
    CHECK_EQ(wiretest_Shape_rect_get_w(wiretest_Shape_get_rect(s)), 3);
    CHECK_EQ(wiretest_Shape_rect_get_h(wiretest_Shape_get_rect(s)), 4);
    CHECK(wiretest_Shape_get_circle(s) == 0);
    st = wiretest_Shape_get_style(s);
    CHECK_EQ(wiretest_Shape_style_get_color(st), wiretest_Color_blue);
    bd = wiretest_Shape_style_get_border(st);
    CHECK_EQ(wiretest_Shape_style_border_which(bd), wiretest_Shape_style_border_which_dashed);
    CHECK_EQ(wiretest_Shape_style_border_get_dashed(bd), 7);
    free(buf);

    CHECK(open_fixture(&m, "Shape-recth.bin", &buf));
    s = wiretest_Shape_read_root(&m);
    CHECK_EQ(wiretest_Shape_rect_get_h(wiretest_Shape_get_rect(s)), 10);
    bd = wiretest_Shape_style_get_border(wiretest_Shape_get_style(s));
    CHECK(text_is(wiretest_Shape_style_border_get_pattern(bd), "zigzag"));
    CHECK_EQ(wiretest_Shape_style_border_get_dashed(bd), 3); /* inactive: default */
    free(buf);

    CHECK(open_fixture(&m, "Shape-poly.far.bin", &buf));
    s = wiretest_Shape_read_root(&m);
    CHECK_EQ(wiretest_Shape_which(s), wiretest_Shape_which_poly);
    wiretest_Shape_Point_reader_list pts = wiretest_Shape_get_poly(s);
    CHECK_EQ(wiretest_Shape_Point_list_len(pts), 3);
    CHECK_EQ(wiretest_Shape_Point_get_x(wiretest_Shape_Point_list_get(pts, 2)), INT32_MIN);
    CHECK_EQ(wiretest_Shape_Point_get_y(wiretest_Shape_Point_list_get(pts, 2)), INT32_MAX);
    CHECK(!wiretest_Shape_has_label(s));
    CHECK_EQ(wiretest_Shape_rect_get_w(wiretest_Shape_get_rect(s)), 0);
    free(buf);

    CHECK(open_fixture(&m, "Shape-label.bin", &buf));
    s = wiretest_Shape_read_root(&m);
    CHECK(text_is(wiretest_Shape_get_label(s), "just a label"));
    CHECK_EQ(wiretest_Shape_Point_list_len(wiretest_Shape_get_poly(s)), 0);
    free(buf);

    CHECK(open_fixture(&m, "Shape-none.bin", &buf));
    s = wiretest_Shape_read_root(&m);
    CHECK_EQ(wiretest_Shape_which(s), wiretest_Shape_which_none);
    CHECK_EQ(wiretest_Shape_style_get_color(wiretest_Shape_get_style(s)), wiretest_Color_red);
    CHECK_EQ(capnp_reader_error(&m), CAPNP_OK);
    free(buf);
}

TEST(read_schema_evolution)
{
    struct capnp_reader m;
    uint8_t *buf;
    /* An old message read with the new schema: appended fields are defaults. */
    CHECK(open_fixture(&m, "Old-v1.bin", &buf));
    wiretest_New_reader n = wiretest_New_read_root(&m);
    CHECK_EQ(wiretest_New_get_a(n), 7);
    CHECK(text_is(wiretest_New_get_t(n), "old"));
    CHECK_EQ(wiretest_New_get_b(n), 42);
    CHECK(text_is(wiretest_New_get_u(n), "new"));
    CHECK(!wiretest_New_has_child(n));
    CHECK_EQ(wiretest_Inner_get_a(wiretest_New_get_child(n)), 0);
    CHECK_EQ(wiretest_New_get_flag(n), true);
    free(buf);
    /* A new message read with the old schema: the extra fields are ignored. */
    CHECK(open_fixture(&m, "New-v2.bin", &buf));
    wiretest_Old_reader o = wiretest_Old_read_root(&m);
    CHECK_EQ(wiretest_Old_get_a(o), 8);
    CHECK(text_is(wiretest_Old_get_t(o), "new"));
    n = wiretest_New_read_root(&m);
    CHECK_EQ(wiretest_New_get_b(n), 9);
    CHECK(text_is(wiretest_Inner_get_name(wiretest_New_get_child(n)), "kid"));
    CHECK_EQ(wiretest_New_get_flag(n), false);
    CHECK_EQ(capnp_reader_error(&m), CAPNP_OK);
    free(buf);
}

TEST(read_tree_and_generics)
{
    struct capnp_reader m;
    uint8_t *buf;
    CHECK(open_fixture(&m, "Tree-deep.far.bin", &buf));
    wiretest_Tree_reader t = wiretest_Tree_read_root(&m);
    int depth = 0;
    while (wiretest_Tree_has_next(t)) {
        t = wiretest_Tree_get_next(t);
        depth++;
    }
    CHECK_EQ(depth, 10);
    CHECK_EQ(wiretest_Tree_get_value(t), 19);
    t = wiretest_Tree_read_root(&m);
    wiretest_Tree_reader_list kids = wiretest_Tree_get_children(t);
    CHECK_EQ(wiretest_Tree_list_len(kids), 2);
    wiretest_Tree_reader k = wiretest_Tree_list_get(kids, 1);
    CHECK_EQ(wiretest_Tree_get_value(wiretest_Tree_list_get(wiretest_Tree_get_children(k), 0)), 4);
    CHECK_EQ(capnp_reader_error(&m), CAPNP_OK);
    free(buf);

    /* The same tree under a nesting limit of 5 stops, and says why. */
    size_t len;
    buf = capnp_test_fixture("Tree-deep.bin", &len);
    CHECK(buf);
    struct capnp_limits lim = {0, 5};
    CHECK_EQ(capnp_reader_init(&m, buf, len, &lim), CAPNP_OK);
    t = wiretest_Tree_read_root(&m);
    depth = 0;
    while (wiretest_Tree_has_next(t) && depth < 20) {
        t = wiretest_Tree_get_next(t);
        depth++;
    }
    CHECK_EQ(depth, 5); /* four levels below the root, then the refused fifth */
    CHECK(t.s.seg == NULL);
    CHECK_EQ(capnp_reader_error(&m), CAPNP_ERR_NESTING_LIMIT);
    free(buf);

    CHECK(open_fixture(&m, "Generic-boxed.bin", &buf));
    wiretest_Generic_reader g = wiretest_Generic_read_root(&m);
    struct capnp_ptr v = wiretest_Box_get_value(wiretest_Generic_get_boxed(g));
    CHECK(text_is(capnp_ptr_get_text(v, 0, 0), "in a box"));
    wiretest_Inner_reader in =
        wiretest_Inner_read(wiretest_Box_get_value(wiretest_Generic_get_inner(g)));
    CHECK_EQ(wiretest_Inner_get_a(in), 5);
    CHECK(text_is(wiretest_Inner_get_name(in), "boxed inner"));
    CHECK_EQ(capnp_reader_error(&m), CAPNP_OK);
    free(buf);
}

/* capnp eval -b output, including the system schema's bindings. */
TEST(read_eval_constants)
{
    struct capnp_reader m;
    uint8_t *buf;
    CHECK(open_fixture(&m, "const-shapeFromConsts.bin", &buf));
    wiretest_Shape_reader s = wiretest_Shape_read_root(&m);
    CHECK(text_is(wiretest_Shape_get_name(s), wiretest_greeting));
    CHECK(text_is(wiretest_Shape_get_label(s), "hello \"world\"\n"));
    free(buf);

    CHECK(open_fixture(&m, "const-manifest.bin", &buf));
    capos_SystemManifest_reader man = capos_SystemManifest_read_root(&m);
    CHECK_EQ(capos_SystemManifest_get_formatVersion(man), 1);
    CHECK(text_is(capos_SystemManifest_get_name(man), "fixture"));
    CHECK(text_is(capos_SystemManifest_get_init(man), "init"));
    capos_Binary_reader bin = capos_Binary_list_get(capos_SystemManifest_get_binaries(man), 0);
    CHECK_EQ(capos_Binary_get_elf(bin).len, 8);
    CHECK(memcmp(capos_Binary_get_elf(bin).ptr,
                 "\x7f"
                 "ELF",
                 4) == 0);
    capos_Service_reader svc = capos_Service_list_get(capos_SystemManifest_get_services(man), 0);
    CHECK(text_is(capos_Service_get_name(svc), "echo"));
    capos_Grant_reader_list grants = capos_Service_get_grants(svc);
    CHECK_EQ(capos_Grant_list_len(grants), 3);
    capos_Grant_source_reader src = capos_Grant_get_source(capos_Grant_list_get(grants, 0));
    CHECK_EQ(capos_Grant_source_which(src), capos_Grant_source_which_kernel);
    capos_KernelCap_reader kc = capos_Grant_source_get_kernel(src);
    CHECK_EQ(capos_KernelCap_get_kind(kc), capos_KernelCapKind_console);
    CHECK_EQ(capos_KernelCap_get_writeOnly(kc), true);
    src = capos_Grant_get_source(capos_Grant_list_get(grants, 1));
    CHECK_EQ(capos_Grant_source_which(src), capos_Grant_source_which_endpoint);
    CHECK_EQ(capos_EndpointRef_get_role(capos_Grant_source_get_endpoint(src)),
             capos_EndpointRole_server);
    CHECK(capos_Grant_source_get_kernel(src).s.seg == NULL); /* inactive member */
    src = capos_Grant_get_source(capos_Grant_list_get(grants, 2));
    CHECK_EQ(capos_ExportRef_get_badge(capos_Grant_source_get_export(src)), 42);
    capos_RestartPolicy_reader rp = capos_Service_get_restart(svc);
    CHECK_EQ(capos_RestartPolicy_get_mode(rp), capos_RestartMode_onFailure);
    CHECK_EQ(capos_RestartPolicy_get_backoffMs(rp), 100);
    struct capnp_list argv = capos_Service_get_argv(svc);
    CHECK(text_is(capnp_list_get_text(&argv, 1), "-v"));
    CHECK_EQ(capnp_reader_error(&m), CAPNP_OK);
    free(buf);
}

TEST(generated_constants_and_ids)
{
    CHECK_EQ(wiretest_magic, 0xcafe);
    CHECK_EQ(wiretest_negative, -5);
    CHECK_EQ(wiretest_flag, true);
    CHECK(wiretest_pi == 3.14159);
    CHECK(wiretest_ratio == 0.5f);
    CHECK_EQ(wiretest_pi_BITS, f64_bits(3.14159));
    CHECK_STR(wiretest_greeting, "hello \"world\"\n");
    CHECK_EQ(sizeof(wiretest_someData), 3);
    CHECK_EQ(wiretest_someData[2], 0xff);
    CHECK_EQ(wiretest_favourite, wiretest_Color_blue);
    CHECK_EQ(wiretest_Echo_method_echo, 0);
    CHECK_EQ(wiretest_Echo_method_direct, 3);
    CHECK_EQ(wiretest_Sub_method_stream, 1);
    CHECK(wiretest_Echo_INTERFACE_ID != wiretest_Sub_INTERFACE_ID);
    CHECK(wiretest_Echo_INTERFACE_ID >> 63); /* capnp ids have the top bit set */
    CHECK_EQ(wiretest_Echo_Mode_loud, 1);
    CHECK_EQ(wiretest_AllTypes_DATA_WORDS, 6);
    CHECK_EQ(wiretest_AllTypes_PTR_COUNT, 25);
    /* A method with a named parameter type gets aliases of that type. */
    wiretest_Echo_direct_Params_reader p = {capnp_struct_null()};
    wiretest_Inner_reader same = p;
    CHECK_EQ(wiretest_Inner_get_a(same), 0);
    CHECK_EQ(capos_ErrorCode_exhausted, 21);
}

/* ---- Write direction ---- */

/* Finishes `b` and compares the tool's decoding with the fixture's text. */
static void expect_decodes_to(struct capnp_builder *b, const char *schema, const char *type,
                              const char *want)
{
    const uint8_t *msg;
    size_t len;
    CHECK_EQ(capnp_builder_finish(b, &msg, &len), CAPNP_OK);
    char *got = capnp_test_decode(schema, type, msg, len);
    CHECK(got != NULL);
    CHECK(want != NULL);
    if (strcmp(got, want) != 0)
        test_failf(__FILE__, __LINE__, "capnp decodes our %s as\n%s\nbut expected\n%s", type, got,
                   want);
    free(got);
}

static void expect_fixture(struct capnp_builder *b, const char *type, const char *fixture)
{
    char *want = capnp_test_fixture_text(fixture);
    expect_decodes_to(b, CAPNP_WIRETEST_SCHEMA, type, want);
    free(want);
}

static void set_texts(struct capnp_list_builder l, const char *const *s, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        capnp_lb_set_text(l, i, s[i], strlen(s[i]));
}

static void build_inner(wiretest_Inner_builder in, uint32_t a, const char *name)
{
    wiretest_Inner_set_a(in, a);
    if (name)
        wiretest_Inner_set_name(in, name, strlen(name));
}

TEST(build_all_types_full)
{
    struct capnp_builder b;
    CHECK_EQ(capnp_builder_init(&b, test_arena, sizeof(test_arena)), CAPNP_OK);
    wiretest_AllTypes_builder r = wiretest_AllTypes_init_root(&b);
    wiretest_AllTypes_set_boolField(r, true);
    wiretest_AllTypes_set_int8Field(r, -123);
    wiretest_AllTypes_set_int16Field(r, -12345);
    wiretest_AllTypes_set_int32Field(r, -12345678);
    wiretest_AllTypes_set_int64Field(r, -123456789012345ll);
    wiretest_AllTypes_set_uint8Field(r, 234);
    wiretest_AllTypes_set_uint16Field(r, 45678);
    wiretest_AllTypes_set_uint32Field(r, 3456789012u);
    wiretest_AllTypes_set_uint64Field(r, 12345678901234567890ull);
    wiretest_AllTypes_set_float32Field(r, 1234.5f);
    wiretest_AllTypes_set_float64Field(r, -1.25e-10);
    wiretest_AllTypes_set_textField(r, CAPNP_STR("foo"));
    wiretest_AllTypes_set_dataField(r, "bar", 3);

    wiretest_AllTypes_builder s = wiretest_AllTypes_init_structField(r);
    wiretest_AllTypes_set_boolField(s, true);
    wiretest_AllTypes_set_int8Field(s, -12);
    wiretest_AllTypes_set_int16Field(s, 3456);
    wiretest_AllTypes_set_int32Field(s, -78901234);
    wiretest_AllTypes_set_int64Field(s, 56789012345678ll);
    wiretest_AllTypes_set_uint8Field(s, 90);
    wiretest_AllTypes_set_uint16Field(s, 1234);
    wiretest_AllTypes_set_uint32Field(s, 56789012);
    wiretest_AllTypes_set_uint64Field(s, 345678901234567890ull);
    wiretest_AllTypes_set_float32Field_bits(s, f32_bits(-1.25e-10f));
    wiretest_AllTypes_set_float64Field_bits(s, f64_bits(345));
    wiretest_AllTypes_set_textField(s, CAPNP_STR("baz"));
    wiretest_AllTypes_set_dataField(s, "qux", 3);
    wiretest_AllTypes_builder ss = wiretest_AllTypes_init_structField(s);
    wiretest_AllTypes_set_textField(ss, CAPNP_STR("nested"));
    wiretest_AllTypes_set_textField(wiretest_AllTypes_init_structField(ss),
                                    CAPNP_STR("really nested"));
    wiretest_AllTypes_set_enumField(s, wiretest_Color_green);
    wiretest_AllTypes_init_voidList(s, 3);
    struct capnp_list_builder l = wiretest_AllTypes_init_boolList(s, 5);
    for (uint32_t i = 0; i < 5; i++)
        capnp_lb_set_bool(l, i, i == 1 || i >= 3);
    static const int8_t i8[] = {12, -34, -128, 127};
    static const int16_t i16[] = {1234, -5678, -32768, 32767};
    static const int32_t i32[] = {12345678, -90123456, INT32_MIN, INT32_MAX};
    static const int64_t i64[] = {123456789012345ll, -678901234567890ll, INT64_MIN, INT64_MAX};
    static const uint8_t u8[] = {12, 34, 0, 255};
    static const uint16_t u16[] = {1234, 5678, 0, 65535};
    static const uint32_t u32[] = {12345678, 90123456, 0, UINT32_MAX};
    static const uint64_t u64[] = {123456789012345ull, 678901234567890ull, 0, UINT64_MAX};
    static const float f32[] = {0, 1234567, 1e37f, -1e37f, 1e-37f, -1e-37f};
    static const double f64[] = {0, 123456789012345, 1e306, -1e306, 1e-306, -1e-306};
    l = wiretest_AllTypes_init_int8List(s, 4);
    for (uint32_t i = 0; i < 4; i++)
        capnp_lb_set_u8(l, i, (uint8_t)i8[i]);
    l = wiretest_AllTypes_init_int16List(s, 4);
    for (uint32_t i = 0; i < 4; i++)
        capnp_lb_set_u16(l, i, (uint16_t)i16[i]);
    l = wiretest_AllTypes_init_int32List(s, 4);
    for (uint32_t i = 0; i < 4; i++)
        capnp_lb_set_u32(l, i, (uint32_t)i32[i]);
    l = wiretest_AllTypes_init_int64List(s, 4);
    for (uint32_t i = 0; i < 4; i++)
        capnp_lb_set_u64(l, i, (uint64_t)i64[i]);
    l = wiretest_AllTypes_init_uint8List(s, 4);
    for (uint32_t i = 0; i < 4; i++)
        capnp_lb_set_u8(l, i, u8[i]);
    l = wiretest_AllTypes_init_uint16List(s, 4);
    for (uint32_t i = 0; i < 4; i++)
        capnp_lb_set_u16(l, i, u16[i]);
    l = wiretest_AllTypes_init_uint32List(s, 4);
    for (uint32_t i = 0; i < 4; i++)
        capnp_lb_set_u32(l, i, u32[i]);
    l = wiretest_AllTypes_init_uint64List(s, 4);
    for (uint32_t i = 0; i < 4; i++)
        capnp_lb_set_u64(l, i, u64[i]);
    l = wiretest_AllTypes_init_float32List(s, 6);
    for (uint32_t i = 0; i < 6; i++)
        capnp_lb_set_u32(l, i, f32_bits(f32[i]));
    l = wiretest_AllTypes_init_float64List(s, 6);
    for (uint32_t i = 0; i < 6; i++)
        capnp_lb_set_u64(l, i, f64_bits(f64[i]));
    static const char *const t3[] = {"quux", "corge", "grault"};
    set_texts(wiretest_AllTypes_init_textList(s, 3), t3, 3);
    static const char *const d3[] = {"garply", "waldo", "fred"};
    l = wiretest_AllTypes_init_dataList(s, 3);
    for (uint32_t i = 0; i < 3; i++)
        capnp_lb_set_data(l, i, d3[i], strlen(d3[i]));
    wiretest_Inner_builder_list il = wiretest_AllTypes_init_structList(s, 3);
    build_inner(wiretest_Inner_list_at(il, 0), 1, "x structlist 1");
    build_inner(wiretest_Inner_list_at(il, 1), 2, "x structlist 2");
    build_inner(wiretest_Inner_list_at(il, 2), 3, "x structlist 3");
    l = wiretest_AllTypes_init_enumList(s, 2);
    capnp_lb_set_u16(l, 0, wiretest_Color_blue);
    capnp_lb_set_u16(l, 1, wiretest_Color_red);

    wiretest_AllTypes_set_enumField(r, wiretest_Color_blue);
    wiretest_AllTypes_init_voidList(r, 6);
    static const bool bools[] = {1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0};
    l = wiretest_AllTypes_init_boolList(r, 11);
    for (uint32_t i = 0; i < 11; i++)
        capnp_lb_set_bool(l, i, bools[i]);
    l = wiretest_AllTypes_init_int8List(r, 2);
    capnp_lb_set_u8(l, 0, 111);
    capnp_lb_set_u8(l, 1, (uint8_t)-111);
    l = wiretest_AllTypes_init_int16List(r, 2);
    capnp_lb_set_u16(l, 0, 11111);
    capnp_lb_set_u16(l, 1, (uint16_t)-11111);
    l = wiretest_AllTypes_init_int32List(r, 2);
    capnp_lb_set_u32(l, 0, 111111111);
    capnp_lb_set_u32(l, 1, (uint32_t)-111111111);
    l = wiretest_AllTypes_init_int64List(r, 2);
    capnp_lb_set_u64(l, 0, 1111111111111111111ull);
    capnp_lb_set_u64(l, 1, (uint64_t)-1111111111111111111ll);
    l = wiretest_AllTypes_init_uint8List(r, 2);
    capnp_lb_set_u8(l, 0, 111);
    capnp_lb_set_u8(l, 1, 222);
    l = wiretest_AllTypes_init_uint16List(r, 2);
    capnp_lb_set_u16(l, 0, 33333);
    capnp_lb_set_u16(l, 1, 44444);
    l = wiretest_AllTypes_init_uint32List(r, 1);
    capnp_lb_set_u32(l, 0, 3333333333u);
    l = wiretest_AllTypes_init_uint64List(r, 1);
    capnp_lb_set_u64(l, 0, 11111111111111111111ull);
    l = wiretest_AllTypes_init_float32List(r, 4);
    capnp_lb_set_u32(l, 0, f32_bits(5555.5f));
    capnp_lb_set_u32(l, 1, f32_bits(INFINITY));
    capnp_lb_set_u32(l, 2, f32_bits(-INFINITY));
    capnp_lb_set_u32(l, 3, f32_bits(NAN));
    l = wiretest_AllTypes_init_float64List(r, 4);
    capnp_lb_set_u64(l, 0, f64_bits(7777.75));
    capnp_lb_set_u64(l, 1, f64_bits(INFINITY));
    capnp_lb_set_u64(l, 2, f64_bits(-INFINITY));
    capnp_lb_set_u64(l, 3, f64_bits(NAN));
    static const char *const tl[] = {"plugh", "xyzzy", "thud"};
    set_texts(wiretest_AllTypes_init_textList(r, 3), tl, 3);
    static const char *const dl[] = {"oops", "exhausted", "rfc3092"};
    l = wiretest_AllTypes_init_dataList(r, 3);
    for (uint32_t i = 0; i < 3; i++)
        capnp_lb_set_data(l, i, dl[i], strlen(dl[i]));
    il = wiretest_AllTypes_init_structList(r, 3);
    build_inner(wiretest_Inner_list_at(il, 0), 10, "structlist 1");
    static const char *const tags[] = {"t1", "t2"};
    set_texts(wiretest_Inner_init_tags(wiretest_Inner_list_at(il, 0), 2), tags, 2);
    build_inner(wiretest_Inner_list_at(il, 1), 20, "structlist 2");
    build_inner(wiretest_Inner_list_at(il, 2), 30, NULL);
    l = wiretest_AllTypes_init_enumList(r, 4);
    static const uint16_t en[] = {wiretest_Color_red, wiretest_Color_green, wiretest_Color_blue,
                                  wiretest_Color_green};
    for (uint32_t i = 0; i < 4; i++)
        capnp_lb_set_u16(l, i, en[i]);
    /* Nested lists through pointer builders. */
    l = wiretest_AllTypes_init_nestedList(r, 4);
    static const int32_t nest[4][3] = {{1, 2, 3}, {0}, {-4}, {5, 6}};
    static const uint32_t nlen[4] = {3, 0, 1, 2};
    for (uint32_t i = 0; i < 4; i++) {
        struct capnp_list_builder in =
            capnp_pb_init_list(capnp_lb_ptr(l, i), CAPNP_ELEM_FOUR_BYTES, nlen[i]);
        for (uint32_t j = 0; j < nlen[i]; j++)
            capnp_lb_set_u32(in, j, (uint32_t)nest[i][j]);
    }
    l = wiretest_AllTypes_init_textListList(r, 3);
    static const char *const ab[] = {"a", "b"}, *const c[] = {"c"};
    set_texts(capnp_pb_init_list(capnp_lb_ptr(l, 0), CAPNP_ELEM_POINTER, 2), ab, 2);
    set_texts(capnp_pb_init_list(capnp_lb_ptr(l, 1), CAPNP_ELEM_POINTER, 1), c, 1);
    capnp_pb_init_list(capnp_lb_ptr(l, 2), CAPNP_ELEM_POINTER, 0);
    l = wiretest_AllTypes_init_structListList(r, 2);
    il = wiretest_Inner_list_init(capnp_lb_ptr(l, 0), 2);
    build_inner(wiretest_Inner_list_at(il, 0), 1, NULL);
    build_inner(wiretest_Inner_list_at(il, 1), 2, NULL);
    il = wiretest_Inner_list_init(capnp_lb_ptr(l, 1), 1);
    build_inner(wiretest_Inner_list_at(il, 0), 3, "three");
    CHECK_EQ(capnp_builder_error(&b), CAPNP_OK);
    expect_fixture(&b, "AllTypes", "AllTypes-full.txt");

    /* ...and our own reader agrees with itself on what we built. */
    struct capnp_reader m;
    struct capnp_segment seg = capnp_builder_segment(&b);
    capnp_reader_init_segments(&m, &seg, 1, NULL);
    check_all_types_full(&m);
}

TEST(build_defaults)
{
    struct capnp_builder b;
    capnp_builder_init(&b, test_arena, sizeof(test_arena));
    wiretest_Defaults_init_root(&b);
    expect_fixture(&b, "Defaults", "Defaults-empty.txt");

    /* Setting a field to its default stores zero bits: XOR with the default. */
    capnp_builder_init(&b, test_arena, sizeof(test_arena));
    wiretest_Defaults_builder d = wiretest_Defaults_init_root(&b);
    wiretest_Defaults_set_int32Field(d, -12345678);
    wiretest_Defaults_set_boolField(d, true);
    CHECK_EQ(capnp_sb_get_bits(d.s, 0, 64), 0);
    CHECK_EQ(capnp_sb_get_bits(d.s, 64, 64), 0);

    capnp_builder_init(&b, test_arena, sizeof(test_arena));
    d = wiretest_Defaults_init_root(&b);
    wiretest_Defaults_set_boolField(d, false);
    wiretest_Defaults_set_int8Field(d, 0);
    wiretest_Defaults_set_int16Field(d, 1);
    wiretest_Defaults_set_int32Field(d, 0);
    wiretest_Defaults_set_int64Field(d, 0);
    wiretest_Defaults_set_uint8Field(d, 0);
    wiretest_Defaults_set_uint16Field(d, 1);
    wiretest_Defaults_set_uint32Field(d, 0);
    wiretest_Defaults_set_uint64Field(d, 0);
    wiretest_Defaults_set_float32Field(d, 0);
    wiretest_Defaults_set_float64Field(d, 2.5);
    wiretest_Defaults_set_textField(d, "", 0);
    wiretest_Defaults_set_dataField(d, NULL, 0);
    wiretest_Defaults_init_structField(d);
    wiretest_Defaults_set_enumField(d, wiretest_Color_red);
    wiretest_Defaults_init_int32List(d, 0);
    static const char *const only[] = {"only"};
    set_texts(wiretest_Defaults_init_textList(d, 1), only, 1);
    build_inner(wiretest_Inner_list_at(wiretest_Defaults_init_structList(d, 1), 0), 99, NULL);
    wiretest_Defaults_init_boolList(d, 0);
    struct capnp_list_builder nl = wiretest_Defaults_init_nestedList(d, 1);
    capnp_lb_set_u8(capnp_pb_init_list(capnp_lb_ptr(nl, 0), CAPNP_ELEM_BYTE, 1), 0, 9);
    wiretest_Defaults_set_falseBool(d, true);
    expect_fixture(&b, "Defaults", "Defaults-set.txt");
}

TEST(build_unions_and_groups)
{
    struct capnp_builder b;
    capnp_builder_init(&b, test_arena, sizeof(test_arena));
    wiretest_Shape_builder s = wiretest_Shape_init_root(&b);
    wiretest_Shape_set_name(s, CAPNP_STR("c"));
    wiretest_Shape_set_circle(s, 2.5);
    expect_fixture(&b, "Shape", "Shape-circle.txt");

    /* Switching members: init of a group clears what the old member left. */
    capnp_builder_init(&b, test_arena, sizeof(test_arena));
    s = wiretest_Shape_init_root(&b);
    wiretest_Shape_set_circle(s, 123.0);
    wiretest_Shape_set_name(s, CAPNP_STR("r"));
    wiretest_Shape_rect_builder rect = wiretest_Shape_init_rect(s);
    wiretest_Shape_rect_set_w(rect, 3);
    wiretest_Shape_rect_set_h(rect, 4);
    wiretest_Shape_style_builder st = wiretest_Shape_init_style(s);
    wiretest_Shape_style_set_color(st, wiretest_Color_blue);
    wiretest_Shape_style_border_builder bd = wiretest_Shape_style_init_border(st);
    wiretest_Shape_style_border_set_pattern(bd, CAPNP_STR("will be replaced"));
    wiretest_Shape_style_border_set_dashed(bd, 7);
    expect_fixture(&b, "Shape", "Shape-rect.txt");

    capnp_builder_init(&b, test_arena, sizeof(test_arena));
    s = wiretest_Shape_init_root(&b);
    wiretest_Shape_rect_set_w(wiretest_Shape_init_rect(s), 3);
    bd = wiretest_Shape_style_init_border(wiretest_Shape_init_style(s));
    wiretest_Shape_style_border_set_pattern(bd, CAPNP_STR("zigzag"));
    expect_fixture(&b, "Shape", "Shape-recth.txt");

    capnp_builder_init(&b, test_arena, sizeof(test_arena));
    s = wiretest_Shape_init_root(&b);
    wiretest_Shape_set_name(s, CAPNP_STR("p"));
    wiretest_Shape_Point_builder_list pts = wiretest_Shape_init_poly(s, 3);
    wiretest_Shape_Point_set_x(wiretest_Shape_Point_list_at(pts, 1), 1);
    wiretest_Shape_Point_set_y(wiretest_Shape_Point_list_at(pts, 1), -1);
    wiretest_Shape_Point_set_x(wiretest_Shape_Point_list_at(pts, 2), INT32_MIN);
    wiretest_Shape_Point_set_y(wiretest_Shape_Point_list_at(pts, 2), INT32_MAX);
    wiretest_Shape_style_border_set_solid(
        wiretest_Shape_style_init_border(wiretest_Shape_init_style(s)));
    expect_fixture(&b, "Shape", "Shape-poly.txt");

    capnp_builder_init(&b, test_arena, sizeof(test_arena));
    s = wiretest_Shape_init_root(&b);
    wiretest_Shape_set_label(s, CAPNP_STR("just a label"));
    expect_fixture(&b, "Shape", "Shape-label.txt");

    capnp_builder_init(&b, test_arena, sizeof(test_arena));
    s = wiretest_Shape_init_root(&b);
    wiretest_Shape_set_name(s, CAPNP_STR("n"));
    wiretest_Shape_set_none(s);
    wiretest_Shape_style_set_color(wiretest_Shape_init_style(s), wiretest_Color_red);
    expect_fixture(&b, "Shape", "Shape-none.txt");
}

TEST(build_evolution_tree_generic)
{
    struct capnp_builder b;
    capnp_builder_init(&b, test_arena, sizeof(test_arena));
    wiretest_Old_builder o = wiretest_Old_init_root(&b);
    wiretest_Old_set_a(o, 7);
    wiretest_Old_set_t(o, CAPNP_STR("old"));
    expect_fixture(&b, "Old", "Old-v1.txt");

    capnp_builder_init(&b, test_arena, sizeof(test_arena));
    wiretest_New_builder n = wiretest_New_init_root(&b);
    wiretest_New_set_a(n, 8);
    wiretest_New_set_t(n, CAPNP_STR("new"));
    wiretest_New_set_b(n, 9);
    wiretest_New_set_u(n, CAPNP_STR("newer"));
    build_inner(wiretest_New_init_child(n), 1, "kid");
    wiretest_New_set_flag(n, false);
    expect_fixture(&b, "New", "New-v2.txt");

    capnp_builder_init(&b, test_arena, sizeof(test_arena));
    wiretest_Tree_builder t = wiretest_Tree_init_root(&b);
    wiretest_Tree_set_value(t, 1);
    wiretest_Tree_builder_list kids = wiretest_Tree_init_children(t, 2);
    wiretest_Tree_set_value(wiretest_Tree_list_at(kids, 0), 2);
    wiretest_Tree_set_value(wiretest_Tree_list_at(kids, 1), 3);
    kids = wiretest_Tree_init_children(wiretest_Tree_list_at(kids, 1), 1);
    wiretest_Tree_set_value(wiretest_Tree_list_at(kids, 0), 4);
    for (int v = 10; v <= 19; v++) {
        t = wiretest_Tree_init_next(t);
        wiretest_Tree_set_value(t, v);
    }
    expect_fixture(&b, "Tree", "Tree-deep.txt");

    capnp_builder_init(&b, test_arena, sizeof(test_arena));
    wiretest_Generic_builder g = wiretest_Generic_init_root(&b);
    capnp_pb_set_text(wiretest_Box_ptr_value(wiretest_Generic_init_boxed(g)),
                      CAPNP_STR("in a box"));
    wiretest_Inner_builder in =
        wiretest_Inner_init(wiretest_Box_ptr_value(wiretest_Generic_init_inner(g)));
    build_inner(in, 5, "boxed inner");
    expect_fixture(&b, "Generic", "Generic-boxed.txt");
}

TEST(build_manifest)
{
    struct capnp_builder b;
    capnp_builder_init(&b, test_arena, sizeof(test_arena));
    capos_SystemManifest_builder m = capos_SystemManifest_init_root(&b);
    capos_SystemManifest_set_formatVersion(m, 1);
    capos_SystemManifest_set_name(m, CAPNP_STR("fixture"));
    capos_Binary_builder bin = capos_Binary_list_at(capos_SystemManifest_init_binaries(m, 1), 0);
    capos_Binary_set_name(bin, CAPNP_STR("init"));
    capos_Binary_set_elf(bin,
                         "\x7f"
                         "ELF\x02\x01\x01\x00",
                         8);
    capos_SystemManifest_set_init(m, CAPNP_STR("init"));
    capos_Service_builder svc = capos_Service_list_at(capos_SystemManifest_init_services(m, 1), 0);
    capos_Service_set_name(svc, CAPNP_STR("echo"));
    capos_Service_set_binary(svc, CAPNP_STR("init"));
    capos_Grant_builder_list gl = capos_Service_init_grants(svc, 3);
    capos_Grant_builder g = capos_Grant_list_at(gl, 0);
    capos_Grant_set_name(g, CAPNP_STR("console"));
    capos_KernelCap_builder kc = capos_Grant_source_init_kernel(capos_Grant_init_source(g));
    capos_KernelCap_set_kind(kc, capos_KernelCapKind_console);
    capos_KernelCap_set_writeOnly(kc, true);
    g = capos_Grant_list_at(gl, 1);
    capos_Grant_set_name(g, CAPNP_STR("peer"));
    capos_EndpointRef_builder ep = capos_Grant_source_init_endpoint(capos_Grant_init_source(g));
    capos_EndpointRef_set_name(ep, CAPNP_STR("bus"));
    capos_EndpointRef_set_role(ep, capos_EndpointRole_server);
    g = capos_Grant_list_at(gl, 2);
    capos_Grant_set_name(g, CAPNP_STR("log"));
    capos_ExportRef_builder ex = capos_Grant_source_init_export(capos_Grant_init_source(g));
    capos_ExportRef_set_service(ex, CAPNP_STR("logger"));
    capos_ExportRef_set_export(ex, CAPNP_STR("log"));
    capos_ExportRef_set_badge(ex, 42);
    capos_RestartPolicy_builder rp = capos_Service_init_restart(svc);
    capos_RestartPolicy_set_mode(rp, capos_RestartMode_onFailure);
    capos_RestartPolicy_set_maxRestarts(rp, 3);
    capos_RestartPolicy_set_backoffMs(rp, 100);
    static const char *const argv[] = {"echo", "-v"}, *const env[] = {"A=1"},
                             *const eps[] = {"bus"};
    set_texts(capos_Service_init_argv(svc, 2), argv, 2);
    set_texts(capos_Service_init_env(svc, 1), env, 1);
    set_texts(capos_SystemManifest_init_endpoints(m, 1), eps, 1);
    size_t len;
    uint8_t *fix = capnp_test_fixture("const-manifest.bin", &len);
    CHECK(fix);
    char *want = capnp_test_decode(CAPNP_CAPOS_SCHEMA, "SystemManifest", fix, len);
    expect_decodes_to(&b, CAPNP_CAPOS_SCHEMA, "SystemManifest", want);
    free(want);
    free(fix);
}

/* Deep copies of every fixture (single-segment and far) decode identically. */
TEST(copy_fixtures)
{
    static const struct {
        const char *name, *type;
    } fx[] = {
        {"AllTypes-full", "AllTypes"},
        {"AllTypes-empty", "AllTypes"},
        {"Defaults-set", "Defaults"},
        {"Shape-poly", "Shape"},
        {"Shape-rect", "Shape"},
        {"Tree-deep", "Tree"},
        {"New-v2", "New"},
        {"Generic-boxed", "Generic"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(fx); i++) {
        for (int far = 0; far < 2; far++) {
            char name[128], txt[128];
            snprintf(name, sizeof(name), "%s%s", fx[i].name, far ? ".far.bin" : ".bin");
            snprintf(txt, sizeof(txt), "%s.txt", fx[i].name);
            struct capnp_reader m;
            uint8_t *buf;
            CHECK(open_fixture(&m, name, &buf));
            struct capnp_builder b;
            capnp_builder_init(&b, test_arena, sizeof(test_arena));
            CHECK_EQ(capnp_pb_copy(capnp_builder_root_ptr(&b), capnp_reader_root_ptr(&m)),
                     CAPNP_OK);
            expect_fixture(&b, fx[i].type, txt);
            free(buf);
        }
    }
}

/* Struct and list setters copy from readers (here: from another message). */
TEST(set_from_readers)
{
    struct capnp_reader m;
    uint8_t *buf;
    CHECK(open_fixture(&m, "AllTypes-full.far.bin", &buf));
    wiretest_AllTypes_reader src = wiretest_AllTypes_read_root(&m);
    struct capnp_builder b;
    capnp_builder_init(&b, test_arena, sizeof(test_arena));
    wiretest_AllTypes_builder r = wiretest_AllTypes_init_root(&b);
    CHECK_EQ(wiretest_AllTypes_set_structField(r, wiretest_AllTypes_get_structField(src)),
             CAPNP_OK);
    CHECK_EQ(wiretest_AllTypes_set_structList(r, wiretest_AllTypes_get_structList(src)), CAPNP_OK);
    CHECK_EQ(wiretest_AllTypes_set_nestedList(r, wiretest_AllTypes_get_nestedList(src)), CAPNP_OK);
    CHECK_EQ(wiretest_AllTypes_set_textList(r, wiretest_AllTypes_get_textList(src)), CAPNP_OK);
    /* AnyPointer and interface fields. */
    capnp_pb_set_text(wiretest_AllTypes_ptr_anyField(r), CAPNP_STR("anything"));
    wiretest_AllTypes_set_interfaceField(r, 3);
    struct capnp_list_builder caps = wiretest_AllTypes_init_interfaceList(r, 2);
    capnp_lb_set_cap(caps, 0, 1);
    capnp_lb_set_cap(caps, 1, CAPNP_NO_CAP);
    CHECK_EQ(capnp_builder_error(&b), CAPNP_OK);

    struct capnp_reader c;
    struct capnp_segment seg = capnp_builder_segment(&b);
    capnp_reader_init_segments(&c, &seg, 1, NULL);
    capnp_reader_set_cap_count(&c, 4);
    wiretest_AllTypes_reader got = wiretest_AllTypes_read_root(&c);
    wiretest_AllTypes_reader s = wiretest_AllTypes_get_structField(got);
    CHECK_EQ(wiretest_AllTypes_get_int32Field(s), -78901234);
    CHECK(text_is(wiretest_AllTypes_get_textField(wiretest_AllTypes_get_structField(s)), "nested"));
    CHECK_EQ(wiretest_Inner_list_len(wiretest_AllTypes_get_structList(got)), 3);
    struct capnp_list nl = wiretest_AllTypes_get_nestedList(got);
    struct capnp_list n3 = capnp_list_get_list(&nl, 3, CAPNP_ELEM_FOUR_BYTES);
    CHECK_EQ(capnp_list_get_u32(&n3, 1), 6);
    CHECK(text_is(capnp_ptr_get_text(wiretest_AllTypes_get_anyField(got), 0, 0), "anything"));
    CHECK_EQ(wiretest_AllTypes_get_interfaceField(got), 3);
    struct capnp_list cl = wiretest_AllTypes_get_interfaceList(got);
    CHECK_EQ(capnp_list_get_cap(&cl, 0), 1);
    CHECK_EQ(capnp_list_get_cap(&cl, 1), CAPNP_NO_CAP);
    CHECK_EQ(capnp_reader_error(&c), CAPNP_OK);
    free(buf);
}
