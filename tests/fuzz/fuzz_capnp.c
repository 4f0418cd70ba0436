/*
 * libFuzzer target for lib/capnp and the generated accessors.
 *
 * Each input is read as a framed message and then (1) walked generically,
 * every pointer followed and every element read with every accessor, (2)
 * read as the test schema's AllTypes and Shape and as the system schema's
 * SystemManifest through the generated accessors, and (3) deep-copied into a
 * builder; copying a successful copy must succeed and reproduce it byte for
 * byte.  Sanitizers catch any
 * out-of-bounds access; the invariants trap.
 *
 * The reader's traversal budget is lowered so that one input costs little;
 * the nesting limit stays at its default, which bounds the recursion here.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "capnp/capnp.h"
#include "capos.capnp.h"
#include "wiretest.capnp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_TRAVERSAL_WORDS (1u << 16)
#define FUZZ_ELEMENTS_MAX    4096u
#define FUZZ_CAPS            16u

static volatile uint64_t sink;

static void walk_ptr(struct capnp_ptr p);

static void walk_struct(const struct capnp_struct *s)
{
    for (uint32_t bit = 0; bit < s->data_bits && bit < 256; bit++)
        sink += capnp_struct_get_bool(s, bit);
    for (uint32_t i = 0; i < 8; i++)
        sink += capnp_struct_get_u8(s, i) + capnp_struct_get_u16(s, i) +
                capnp_struct_get_u32(s, i) + capnp_struct_get_u64(s, i);
    for (uint32_t i = 0; i <= s->nptrs && i < 64; i++)
        walk_ptr(capnp_struct_ptr(s, i));
}

static void walk_list(const struct capnp_list *l)
{
    uint32_t n = MIN(l->len, FUZZ_ELEMENTS_MAX);
    for (uint32_t i = 0; i <= n; i++) {
        sink += capnp_list_get_bool(l, i) + capnp_list_get_u8(l, i) + capnp_list_get_u16(l, i) +
                capnp_list_get_u32(l, i) + capnp_list_get_u64(l, i);
        if (l->elem == CAPNP_ELEM_COMPOSITE) {
            struct capnp_struct s = capnp_list_get_struct(l, i);
            walk_struct(&s);
        } else if (l->elem == CAPNP_ELEM_POINTER) {
            walk_ptr(capnp_list_ptr(l, i));
        }
    }
}

static void walk_ptr(struct capnp_ptr p)
{
    switch (capnp_ptr_kind(p)) {
    case CAPNP_KIND_STRUCT: {
        struct capnp_struct s = capnp_ptr_get_struct(p, 0);
        walk_struct(&s);
        break;
    }
    case CAPNP_KIND_LIST: {
        struct capnp_text t = capnp_ptr_get_text(p, 0, 0);
        struct capnp_data d = capnp_ptr_get_data(p, 0, 0);
        sink += t.len + (uint8_t)t.str[t.len] + d.len + (d.len ? d.ptr[d.len - 1] : 0);
        static const enum capnp_elem expect[] = {
            CAPNP_ELEM_ANY,         CAPNP_ELEM_VOID,      CAPNP_ELEM_BIT,
            CAPNP_ELEM_BYTE,        CAPNP_ELEM_TWO_BYTES, CAPNP_ELEM_FOUR_BYTES,
            CAPNP_ELEM_EIGHT_BYTES, CAPNP_ELEM_POINTER,   CAPNP_ELEM_COMPOSITE,
        };
        for (size_t i = 0; i < ARRAY_SIZE(expect); i++) {
            struct capnp_list l = capnp_ptr_get_list(p, expect[i], 0);
            if (i == 0)
                walk_list(&l);
            else
                sink += capnp_list_get_u64(&l, 0) + capnp_list_get_struct(&l, 0).nptrs;
        }
        break;
    }
    case CAPNP_KIND_CAP: sink += capnp_ptr_get_cap(p); break;
    default: {
        enum capnp_kind k;
        sink += capnp_ptr_read_kind(p, &k);
        break;
    }
    }
}

static void read_text(struct capnp_text t)
{
    sink += t.len + (uint8_t)t.str[t.len];
}

static void read_inner(wiretest_Inner_reader in)
{
    sink += wiretest_Inner_get_a(in);
    read_text(wiretest_Inner_get_name(in));
    struct capnp_list tags = wiretest_Inner_get_tags(in);
    for (uint32_t i = 0; i < MIN(capnp_list_len(&tags), 64u); i++)
        read_text(capnp_list_get_text(&tags, i));
}

static void read_all_types(wiretest_AllTypes_reader r, int depth)
{
    sink += wiretest_AllTypes_get_boolField(r) + (uint64_t)wiretest_AllTypes_get_int64Field(r) +
            wiretest_AllTypes_get_uint16Field(r) + wiretest_AllTypes_get_float64Field_bits(r) +
            wiretest_AllTypes_get_enumField(r) + wiretest_AllTypes_get_interfaceField(r);
    read_text(wiretest_AllTypes_get_textField(r));
    sink += wiretest_AllTypes_get_dataField(r).len;
    walk_ptr(wiretest_AllTypes_get_anyField(r));
    wiretest_Inner_reader_list il = wiretest_AllTypes_get_structList(r);
    for (uint32_t i = 0; i < MIN(wiretest_Inner_list_len(il), 64u); i++)
        read_inner(wiretest_Inner_list_get(il, i));
    struct capnp_list l = wiretest_AllTypes_get_nestedList(r);
    for (uint32_t i = 0; i < MIN(capnp_list_len(&l), 64u); i++) {
        struct capnp_list in = capnp_list_get_list(&l, i, CAPNP_ELEM_FOUR_BYTES);
        sink += capnp_list_get_u32(&in, 0);
    }
    l = wiretest_AllTypes_get_boolList(r);
    sink += capnp_list_get_bool(&l, 0);
    l = wiretest_AllTypes_get_textList(r);
    sink += capnp_list_get_text(&l, 0).len;
    if (depth < 8)
        read_all_types(wiretest_AllTypes_get_structField(r), depth + 1);
}

static void read_shape(wiretest_Shape_reader s)
{
    sink += wiretest_Shape_which(s) + wiretest_Shape_get_circle_bits(s);
    read_text(wiretest_Shape_get_name(s));
    read_text(wiretest_Shape_get_label(s));
    wiretest_Shape_rect_reader rect = wiretest_Shape_get_rect(s);
    sink += wiretest_Shape_rect_get_w(rect) + wiretest_Shape_rect_get_h(rect);
    wiretest_Shape_Point_reader_list pts = wiretest_Shape_get_poly(s);
    for (uint32_t i = 0; i < MIN(wiretest_Shape_Point_list_len(pts), 64u); i++)
        sink += (uint32_t)wiretest_Shape_Point_get_x(wiretest_Shape_Point_list_get(pts, i));
    wiretest_Shape_style_border_reader b =
        wiretest_Shape_style_get_border(wiretest_Shape_get_style(s));
    sink += wiretest_Shape_style_border_which(b) + wiretest_Shape_style_border_get_dashed(b);
    read_text(wiretest_Shape_style_border_get_pattern(b));
}

static void read_manifest(capos_SystemManifest_reader m)
{
    sink += capos_SystemManifest_get_formatVersion(m);
    read_text(capos_SystemManifest_get_name(m));
    capos_Binary_reader_list bins = capos_SystemManifest_get_binaries(m);
    for (uint32_t i = 0; i < MIN(capos_Binary_list_len(bins), 64u); i++)
        sink += capos_Binary_get_elf(capos_Binary_list_get(bins, i)).len;
    capos_Service_reader_list svcs = capos_SystemManifest_get_services(m);
    for (uint32_t i = 0; i < MIN(capos_Service_list_len(svcs), 64u); i++) {
        capos_Service_reader svc = capos_Service_list_get(svcs, i);
        read_text(capos_Service_get_binary(svc));
        capos_Grant_reader_list gs = capos_Service_get_grants(svc);
        for (uint32_t j = 0; j < MIN(capos_Grant_list_len(gs), 64u); j++) {
            capos_Grant_source_reader src = capos_Grant_get_source(capos_Grant_list_get(gs, j));
            sink += capos_Grant_source_which(src) +
                    capos_KernelCap_get_kind(capos_Grant_source_get_kernel(src)) +
                    capos_ExportRef_get_badge(capos_Grant_source_get_export(src));
            read_text(capos_EndpointRef_get_name(capos_Grant_source_get_endpoint(src)));
        }
        sink += capos_RestartPolicy_get_mode(capos_Service_get_restart(svc));
    }
}

static uint64_t arena1[1 << 17], arena2[1 << 17];

/*
 * A successful copy is a well-formed single-segment message: copying it again
 * (a full, strict traversal) must succeed and give the same words, since the
 * copy's layout depends only on the content.  Its budget is generous because
 * the first copy already paid for any amplification in the input.
 */
static void check_copy(struct capnp_reader *m)
{
    struct capnp_builder b1, b2;
    capnp_builder_init(&b1, arena1, sizeof(arena1));
    if (capnp_pb_copy(capnp_builder_root_ptr(&b1), capnp_reader_root_ptr(m)) != CAPNP_OK)
        return;
    struct capnp_segment s1 = capnp_builder_segment(&b1);
    struct capnp_reader c;
    if (capnp_reader_init_segments(&c, &s1, 1, NULL) != CAPNP_OK)
        __builtin_trap();
    capnp_reader_set_cap_count(&c, FUZZ_CAPS);
    capnp_builder_init(&b2, arena2, sizeof(arena2));
    if (capnp_pb_copy(capnp_builder_root_ptr(&b2), capnp_reader_root_ptr(&c)) != CAPNP_OK)
        __builtin_trap();
    struct capnp_segment s2 = capnp_builder_segment(&b2);
    if (s2.words != s1.words || memcmp(s1.data, s2.data, (size_t)s1.words * 8) != 0)
        __builtin_trap();
    /* Generic reads of the copy, for coverage of what the builder wrote. */
    capnp_reader_init_segments(&c, &s1, 1, NULL);
    capnp_reader_set_cap_count(&c, FUZZ_CAPS);
    walk_ptr(capnp_reader_root_ptr(&c));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct capnp_segment table[CAPNP_MAX_SEGMENTS];
    static struct capnp_reader m;
    struct capnp_limits lim = {FUZZ_TRAVERSAL_WORDS, 0};

    if (capnp_reader_init_table(&m, data, size, &lim, NULL, table, CAPNP_MAX_SEGMENTS) !=
        CAPNP_OK) {
        /* A failed reader must still be safe to use: everything is default. */
        read_all_types(wiretest_AllTypes_read_root(&m), 0);
        return 0;
    }
    capnp_reader_set_cap_count(&m, FUZZ_CAPS);
    walk_ptr(capnp_reader_root_ptr(&m));

    capnp_reader_init_table(&m, data, size, &lim, NULL, table, CAPNP_MAX_SEGMENTS);
    capnp_reader_set_cap_count(&m, FUZZ_CAPS);
    read_all_types(wiretest_AllTypes_read_root(&m), 0);
    read_shape(wiretest_Shape_read_root(&m));
    read_manifest(capos_SystemManifest_read_root(&m));

    capnp_reader_init_table(&m, data, size, &lim, NULL, table, CAPNP_MAX_SEGMENTS);
    capnp_reader_set_cap_count(&m, FUZZ_CAPS);
    check_copy(&m);
    return 0;
}
