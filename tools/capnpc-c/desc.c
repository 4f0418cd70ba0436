/*
 * The schema descriptor tables of a file that declares interfaces
 * (<base>.schema.c, lib/capdesc/capdesc.h): every interface of the file
 * with its methods, and every struct, group, enum and type their
 * parameters and results reach, so that a program can call any method by
 * name and convert its messages without generated code per method.
 *
 * Entries are numbered in the order a depth-first walk from the
 * interfaces (in declaration order) first meets them, so the output depends
 * only on the schema.  Types are interned: equal (kind, ref) pairs share an
 * entry.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "capdesc/capdesc.h"
#include "capnpc-c.h"

struct tab {
    void **v;
    size_t n;
};

static void push(struct tab *t, void *x)
{
    t->v = realloc(t->v, (t->n + 1) * sizeof(*t->v));
    if (!t->v)
        die("out of memory");
    t->v[t->n++] = x;
}

static long index_of(const struct tab *t, const void *x)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i] == x)
            return (long)i;
    return -1;
}

struct dtype {
    unsigned kind, ref;
};

static struct tab structs, enums, ifaces;
static struct dtype *types;
static size_t ntypes;
static struct out fields_out;
static size_t nfields;

static const char *short_name(const struct node *n)
{
    const char *d = text(schema_Node_get_displayName(n->r));
    const char *c = strchr(d, ':');
    return c ? c + 1 : d;
}

static unsigned intern(unsigned kind, unsigned ref)
{
    for (size_t i = 0; i < ntypes; i++)
        if (types[i].kind == kind && types[i].ref == ref)
            return (unsigned)i;
    types = realloc(types, (ntypes + 1) * sizeof(*types));
    if (!types)
        die("out of memory");
    types[ntypes] = (struct dtype){kind, ref};
    if (ntypes >= 0xffff)
        die("too many types for a descriptor");
    return (unsigned)ntypes++;
}

static unsigned add_struct(struct node *n);

static unsigned add_enum(struct node *n)
{
    long i = index_of(&enums, n);
    if (i < 0) {
        push(&enums, n);
        i = (long)enums.n - 1;
    }
    return (unsigned)i;
}

static unsigned type_of(schema_Type_reader t)
{
    unsigned w = schema_Type_which(t);
    switch (w) {
    case schema_Type_which_list:
        return intern(w, type_of(schema_Type_list_get_elementType(schema_Type_get_list(t))));
    case schema_Type_which_enum: return intern(w, add_enum(type_node(t)));
    case schema_Type_which_struct: return intern(w, add_struct(type_node(t)));
    case schema_Type_which_interface: {
        long i = index_of(&ifaces, type_node(t));
        /* Interfaces are all listed before any struct is walked; one from
         * another file is a plain capability. */
        return intern(w, i < 0 ? 0xffff : (unsigned)i);
    }
    case schema_Type_which_anyPointer:
        if (pointer_kind(t) == P_CAP)
            return intern(schema_Type_which_interface, 0xffff);
        return intern(w, 0xffff);
    default: return intern(w, 0xffff);
    }
}

/* Struct entries are emitted after their fields are known: record them. */
struct sinfo {
    size_t first, n;
};
static struct sinfo *sinfo;

static unsigned add_struct(struct node *n)
{
    long i = index_of(&structs, n);
    if (i >= 0)
        return (unsigned)i;
    push(&structs, n);
    unsigned me = (unsigned)structs.n - 1;
    if (me >= 0xffff)
        die("too many structs for a descriptor");
    sinfo = realloc(sinfo, structs.n * sizeof(*sinfo));
    if (!sinfo)
        die("out of memory");
    /* Walk the field types first (they may add structs), then emit this
     * struct's fields contiguously. */
    schema_Field_reader_list fl = schema_Node_struct_get_fields(st(n));
    uint32_t nf = schema_Field_list_len(fl);
    unsigned *ft = xmalloc((nf + 1) * sizeof(*ft));
    for (uint32_t k = 0; k < nf; k++) {
        schema_Field_reader f = schema_Field_list_get(fl, k);
        if (schema_Field_which(f) == schema_Field_which_group)
            ft[k] =
                intern(CAPDESC_GROUP,
                       add_struct(need(schema_Field_group_get_typeId(schema_Field_get_group(f)))));
        else
            ft[k] = type_of(schema_Field_slot_get_type(schema_Field_get_slot(f)));
    }
    sinfo[me].first = nfields;
    sinfo[me].n = nf;
    for (uint32_t k = 0; k < nf; k++) {
        schema_Field_reader f = schema_Field_list_get(fl, k);
        uint32_t off = 0;
        uint64_t dflt = 0;
        if (schema_Field_which(f) == schema_Field_which_slot) {
            schema_Field_slot_reader sl = schema_Field_get_slot(f);
            off = schema_Field_slot_get_offset(sl);
            schema_Type_reader t = schema_Field_slot_get_type(sl);
            if (!is_pointer_type(t))
                dflt = value_bits(schema_Field_slot_get_defaultValue(sl));
            /* A pointer field's default is not carried: it reads as null
             * (docs/lua.md says so). */
        }
        emit(&fields_out, "    {\"%s\", %u, 0x%x, %" PRIu32 ", UINT64_C(0x%" PRIx64 ")},\n",
             text(schema_Field_get_name(f)), ft[k], schema_Field_get_discriminantValue(f), off,
             dflt);
        nfields++;
    }
    free(ft);
    return me;
}

/* The entries of one table, or a placeholder (C has no empty initialiser
 * lists); the table's count stays 0. */
static void body(struct out *o, const struct out *b)
{
    emit(o, "%.*s};\n\n", (int)b->len, b->len ? b->buf : "    {0},\n");
}

void generate_desc(struct node *file, struct out *o)
{
    for (size_t i = 0; i < nordered; i++) {
        struct node *n = ordered[i];
        if (n->file == file->id && schema_Node_which(n->r) == schema_Node_which_interface)
            push(&ifaces, n);
    }
    struct out methods = {0};
    size_t nmethods = 0;
    struct out ifc = {0};
    for (size_t i = 0; i < ifaces.n; i++) {
        struct node *n = ifaces.v[i];
        schema_Method_reader_list ms =
            schema_Node_interface_get_methods(schema_Node_get_interface(n->r));
        emit(&ifc, "    {\"%s\", UINT64_C(0x%016" PRIx64 "), %zu, %u},\n", short_name(n), n->id,
             nmethods, schema_Method_list_len(ms));
        for (uint32_t k = 0; k < schema_Method_list_len(ms); k++) {
            schema_Method_reader m = schema_Method_list_get(ms, k);
            unsigned p = add_struct(need(schema_Method_get_paramStructType(m)));
            uint64_t rid = schema_Method_get_resultStructType(m);
            unsigned r = rid == STREAM_RESULT_ID ? 0xffff : add_struct(need(rid));
            emit(&methods, "    {\"%s\", %u, %u, 0x%x},\n", text(schema_Method_get_name(m)), k, p,
                 r);
            nmethods++;
        }
    }
    /* Every struct and enum the file declares, reachable or not: a server
     * may name them, and a runner may print them. */
    for (size_t i = 0; i < nordered; i++) {
        struct node *n = ordered[i];
        if (n->file != file->id)
            continue;
        if (is_struct(n) && !schema_Node_struct_get_isGroup(st(n)))
            add_struct(n);
        else if (schema_Node_which(n->r) == schema_Node_which_enum)
            add_enum(n);
    }

    const char *b = file->base;
    emit(o, "#include \"capdesc/capdesc.h\"\n\n");
    emit(o, "static const struct capdesc_type %s_desc_types[] = {\n", b);
    for (size_t i = 0; i < ntypes; i++)
        emit(o, "    {%u, 0x%x},\n", types[i].kind, types[i].ref);
    emit(o, "};\n\nstatic const struct capdesc_field %s_desc_fields[] = {\n", b);
    body(o, &fields_out);
    emit(o, "static const struct capdesc_struct %s_desc_structs[] = {\n", b);
    for (size_t i = 0; i < structs.n; i++) {
        struct node *n = structs.v[i];
        schema_Node_struct_reader s = st(n);
        emit(o, "    {\"%s\", UINT64_C(0x%016" PRIx64 "), %u, %u, %u, %" PRIu32 ", %zu, %zu},\n",
             short_name(n), n->id, schema_Node_struct_get_dataWordCount(s),
             schema_Node_struct_get_pointerCount(s), schema_Node_struct_get_discriminantCount(s),
             schema_Node_struct_get_discriminantOffset(s), sinfo[i].first, sinfo[i].n);
    }
    emit(o, "};\n\nstatic const char *const %s_desc_enum_names[] = {\n", b);
    struct out en = {0};
    size_t nnames = 0;
    for (size_t i = 0; i < enums.n; i++) {
        struct node *n = enums.v[i];
        schema_Enumerant_reader_list es =
            schema_Node_enum_get_enumerants(schema_Node_get_enum(n->r));
        emit(&en, "    {\"%s\", UINT64_C(0x%016" PRIx64 "), %zu, %u},\n", short_name(n), n->id,
             nnames, schema_Enumerant_list_len(es));
        for (uint32_t k = 0; k < schema_Enumerant_list_len(es); k++, nnames++)
            emit(o, "    \"%s\",\n",
                 text(schema_Enumerant_get_name(schema_Enumerant_list_get(es, k))));
    }
    if (!nnames)
        emit(o, "    0,\n");
    emit(o, "};\n\nstatic const struct capdesc_enum %s_desc_enums[] = {\n", b);
    body(o, &en);
    emit(o, "static const struct capdesc_method %s_desc_methods[] = {\n", b);
    body(o, &methods);
    emit(o, "static const struct capdesc_iface %s_desc_ifaces[] = {\n", b);
    body(o, &ifc);
    emit(o,
         "const struct capdesc_schema %s = {\n"
         "    %s_desc_types, %s_desc_fields, %s_desc_structs, %s_desc_enums,\n"
         "    %s_desc_enum_names, %s_desc_methods, %s_desc_ifaces,\n"
         "    %zu, %zu, %zu, %zu, %zu, %zu, %zu,\n};\n",
         ident(fmtstr("%s_schema", b)), b, b, b, b, b, b, b, ntypes, nfields, structs.n, enums.n,
         nnames, nmethods, ifaces.n);
}
