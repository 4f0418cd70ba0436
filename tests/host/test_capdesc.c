/*
 * Schema descriptors (lib/capdesc, gen/wiretest.schema.c): the tables the
 * generator writes must say what the generated accessors do.  Messages are
 * built with the typed builders, then read back generically through the
 * descriptors (offsets, defaults, union discriminants, groups) and the two
 * readings compared; look-ups by name and id are checked against the
 * generated constants.
 */
#include "capdesc/capdesc.h"
#include "test.h"
#include "wiretest.capnp.h"
#include "wiretest.rpc.h"

extern const struct capdesc_schema wiretest_schema;
#define W (&wiretest_schema)

static const struct capdesc_struct *struct_by_id(uint64_t id)
{
    for (uint32_t i = 0; i < W->nstructs; i++)
        if (W->structs[i].id == id)
            return &W->structs[i];
    return 0;
}

static const struct capdesc_field *field(const struct capdesc_struct *s, const char *name)
{
    return capdesc_field_by_name(W, s, name, strlen(name));
}

/* A primitive field's value as the descriptor says to read it. */
static uint64_t read_bits(const struct capnp_struct *s, const struct capdesc_field *f)
{
    uint64_t bits;
    switch (capdesc_bits((enum capdesc_kind)W->types[f->type].kind)) {
    case 1: bits = capnp_struct_get_bool(s, f->offset); break;
    case 8: bits = capnp_struct_get_u8(s, f->offset); break;
    case 16: bits = capnp_struct_get_u16(s, f->offset); break;
    case 32: bits = capnp_struct_get_u32(s, f->offset); break;
    default: bits = capnp_struct_get_u64(s, f->offset); break;
    }
    return bits ^ f->dflt;
}

TEST(capdesc_lookups)
{
    const struct capdesc_iface *echo = capdesc_iface_by_name(W, "Echo");
    CHECK(echo);
    CHECK(capdesc_iface_by_id(W, wiretest_Echo_INTERFACE_ID) == echo);
    CHECK(!capdesc_iface_by_name(W, "Ech"));
    CHECK(!capdesc_iface_by_id(W, 1));
    CHECK_EQ(echo->nmethods, 4);
    const struct capdesc_method *m = capdesc_method_by_name(W, echo, "call", 4);
    CHECK(m && m->ordinal == wiretest_Echo_method_call);
    CHECK(capdesc_method_at(W, echo, wiretest_Echo_method_call) == m);
    CHECK(!capdesc_method_at(W, echo, 4));
    CHECK(!capdesc_method_by_name(W, echo, "cal", 3));
    CHECK(!capdesc_method_by_name(W, echo, "calls", 5));
    /* call (cb :Echo, n :UInt32) -> (value :Inner, caps :List(Echo)) */
    const struct capdesc_struct *p = &W->structs[m->params];
    CHECK_EQ(p->data_words, wiretest_Echo_call_Params_DATA_WORDS);
    CHECK_EQ(p->ptr_count, wiretest_Echo_call_Params_PTR_COUNT);
    const struct capdesc_field *cb = field(p, "cb");
    CHECK(cb && W->types[cb->type].kind == CAPDESC_INTERFACE);
    CHECK(&W->ifaces[W->types[cb->type].ref] == echo);
    const struct capdesc_struct *r = &W->structs[m->results];
    const struct capdesc_field *caps = field(r, "caps");
    CHECK(caps && W->types[caps->type].kind == CAPDESC_LIST);
    CHECK_EQ(W->types[W->types[caps->type].ref].kind, CAPDESC_INTERFACE);
    /* direct @3 Inner -> Inner: the named struct itself. */
    const struct capdesc_method *d = capdesc_method_at(W, echo, 3);
    CHECK(d && d->params == d->results);
    CHECK_EQ(W->structs[d->params].id, wiretest_Inner_TYPE_ID);
    /* Enums. */
    const struct capdesc_field *ef = field(struct_by_id(wiretest_AllTypes_TYPE_ID), "enumField");
    CHECK(ef && W->types[ef->type].kind == CAPDESC_ENUM);
    const struct capdesc_enum *color = &W->enums[W->types[ef->type].ref];
    CHECK_EQ(color->id, wiretest_Color_TYPE_ID);
    CHECK_EQ(color->count, wiretest_Color_COUNT);
    for (uint32_t i = 0; i < color->count; i++)
        CHECK_STR(capdesc_enum_name(W, color, i), wiretest_Color_name(i));
    CHECK(!capdesc_enum_name(W, color, color->count));
    CHECK_EQ(capdesc_enum_value(W, color, "blue", 4), wiretest_Color_blue);
    CHECK_EQ(capdesc_enum_value(W, color, "blu", 3), -1);
}

/* Every struct's layout is the generated one, and every reference in the
 * tables is in range. */
TEST(capdesc_tables_consistent)
{
    CHECK(W->nstructs > 0 && W->ntypes > 0 && W->nfields > 0);
    for (uint32_t i = 0; i < W->ntypes; i++) {
        const struct capdesc_type *t = &W->types[i];
        switch (t->kind) {
        case CAPDESC_LIST: CHECK(t->ref < W->ntypes); break;
        case CAPDESC_ENUM: CHECK(t->ref < W->nenums); break;
        case CAPDESC_STRUCT:
        case CAPDESC_GROUP: CHECK(t->ref < W->nstructs); break;
        case CAPDESC_INTERFACE: CHECK(t->ref == CAPDESC_NONE || t->ref < W->nifaces); break;
        default: CHECK(t->kind <= CAPDESC_GROUP);
        }
    }
    for (uint32_t i = 0; i < W->nstructs; i++) {
        const struct capdesc_struct *s = &W->structs[i];
        CHECK((uint64_t)s->first_field + s->nfields <= W->nfields);
        for (uint32_t k = 0; k < s->nfields; k++)
            CHECK(W->fields[s->first_field + k].type < W->ntypes);
    }
    for (uint32_t i = 0; i < W->nifaces; i++)
        CHECK((uint64_t)W->ifaces[i].first_method + W->ifaces[i].nmethods <= W->nmethods);
    const struct capdesc_struct *d = struct_by_id(wiretest_Defaults_TYPE_ID);
    CHECK(d && d->data_words == wiretest_Defaults_DATA_WORDS &&
          d->ptr_count == wiretest_Defaults_PTR_COUNT);
    const struct capdesc_struct *a = struct_by_id(wiretest_AllTypes_TYPE_ID);
    CHECK(a && a->data_words == wiretest_AllTypes_DATA_WORDS &&
          a->ptr_count == wiretest_AllTypes_PTR_COUNT);
}

/* Primitive fields with defaults: an empty struct reads every default, a
 * written one what was written, through the descriptor alone. */
TEST(capdesc_defaults_and_offsets)
{
    static uint64_t arena[256];
    struct capnp_builder b;
    capnp_builder_init(&b, arena, sizeof(arena));
    wiretest_Defaults_builder db = wiretest_Defaults_init_root(&b);
    wiretest_Defaults_set_int16Field(db, 77);
    wiretest_Defaults_set_uint64Field(db, 5);
    wiretest_Defaults_set_boolField(db, false);
    const uint8_t *msg;
    size_t len;
    CHECK_EQ(capnp_builder_finish(&b, &msg, &len), CAPNP_OK);
    struct capnp_reader r;
    CHECK_EQ(capnp_reader_init(&r, msg, len, 0), CAPNP_OK);
    wiretest_Defaults_reader dr = wiretest_Defaults_read_root(&r);
    const struct capdesc_struct *d = struct_by_id(wiretest_Defaults_TYPE_ID);
    CHECK_EQ((int16_t)read_bits(&dr.s, field(d, "int16Field")), 77);
    CHECK_EQ(read_bits(&dr.s, field(d, "uint64Field")), 5);
    CHECK_EQ(read_bits(&dr.s, field(d, "boolField")), 0);
    CHECK_EQ((int32_t)read_bits(&dr.s, field(d, "int32Field")), -12345678);
    CHECK_EQ((int64_t)read_bits(&dr.s, field(d, "int64Field")),
             wiretest_Defaults_get_int64Field(dr));
    CHECK_EQ(read_bits(&dr.s, field(d, "uint32Field")), 3456789012u);
    CHECK_EQ(read_bits(&dr.s, field(d, "float64Field")),
             wiretest_Defaults_get_float64Field_bits(dr));
    CHECK_EQ(read_bits(&dr.s, field(d, "enumField")), wiretest_Color_blue);
    CHECK_EQ(read_bits(&dr.s, field(d, "falseBool")), 0);
}

/* Unions and groups: the discriminant offset and values, a group sharing
 * its parent's sections, a named union inside a group. */
TEST(capdesc_unions_and_groups)
{
    static uint64_t arena[256];
    struct capnp_builder b;
    capnp_builder_init(&b, arena, sizeof(arena));
    wiretest_Shape_builder sb = wiretest_Shape_init_root(&b);
    wiretest_Shape_rect_builder rb = wiretest_Shape_init_rect(sb);
    wiretest_Shape_rect_set_w(rb, 640);
    wiretest_Shape_style_builder st = wiretest_Shape_init_style(sb);
    wiretest_Shape_style_set_color(st, wiretest_Color_red);
    wiretest_Shape_style_border_set_pattern(wiretest_Shape_style_init_border(st), CAPNP_STR("--"));
    const uint8_t *msg;
    size_t len;
    CHECK_EQ(capnp_builder_finish(&b, &msg, &len), CAPNP_OK);
    struct capnp_reader r;
    CHECK_EQ(capnp_reader_init(&r, msg, len, 0), CAPNP_OK);
    wiretest_Shape_reader sr = wiretest_Shape_read_root(&r);

    const struct capdesc_struct *s = struct_by_id(wiretest_Shape_TYPE_ID);
    CHECK(s && s->disc_count == 5);
    uint16_t disc = capnp_struct_get_u16(&sr.s, s->disc_offset);
    const struct capdesc_field *rect = field(s, "rect");
    CHECK(rect && rect->disc == disc && disc == wiretest_Shape_which_rect);
    CHECK(field(s, "circle")->disc != disc);
    CHECK_EQ(field(s, "name")->disc, CAPDESC_NO_DISC);
    CHECK_EQ(W->types[rect->type].kind, CAPDESC_GROUP);
    const struct capdesc_struct *g = &W->structs[W->types[rect->type].ref];
    CHECK_EQ(read_bits(&sr.s, field(g, "w")), 640);
    CHECK_EQ(read_bits(&sr.s, field(g, "h")), 10); /* its default */
    CHECK_EQ(read_bits(&sr.s, field(g, "h")),
             wiretest_Shape_rect_get_h(wiretest_Shape_get_rect(sr)));

    const struct capdesc_field *style = field(s, "style");
    const struct capdesc_struct *sg = &W->structs[W->types[style->type].ref];
    CHECK_EQ(read_bits(&sr.s, field(sg, "color")), wiretest_Color_red);
    const struct capdesc_field *border = field(sg, "border");
    CHECK(border && W->types[border->type].kind == CAPDESC_GROUP);
    const struct capdesc_struct *bg = &W->structs[W->types[border->type].ref];
    CHECK_EQ(bg->disc_count, 3);
    uint16_t bd = capnp_struct_get_u16(&sr.s, bg->disc_offset);
    const struct capdesc_field *pat = field(bg, "pattern");
    CHECK(pat && pat->disc == bd);
    struct capnp_text t = capnp_ptr_get_text(capnp_struct_ptr(&sr.s, pat->offset), "", 0);
    CHECK(t.len == 2 && memcmp(t.str, "--", 2) == 0);
    CHECK_EQ(capnp_reader_error(&r), CAPNP_OK);
}
