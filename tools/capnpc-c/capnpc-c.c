/*
 * capnpc-c: a `capnp compile` plugin that writes C bindings for lib/capnp.
 *
 * capnp hands us a CodeGeneratorRequest on stdin; we read it with lib/capnp
 * itself (through schema.capnp.h, our own output for capnp/schema.capnp) and
 * write, for each requested file F.capnp, F.capnp.h (types and static inline
 * accessors) and F.capnp.c (default values, data constants and enumerant
 * names) into the current directory, and for a file with interfaces its RPC
 * layer (rpc.c: F.rpc.h, F.server.c, F.client.c).  Naming and the generated
 * API are documented in docs/capnp.md; in short every identifier is
 * <prefix>_<Type_Path>_<verb>..., where the prefix comes from the file name.
 *
 * Output is a pure function of the request and CAPNPC_C_SCHEMA_SHA256 (the
 * schema file's hash, which the make rule computes): nodes are emitted in
 * declaration order, nothing depends on addresses, time or the environment
 * otherwise, so `make check-gen` can compare regenerated output byte for byte.
 * Identifiers are checked for collisions and the run fails rather than
 * writing code that would not compile.  This is a host tool: it uses libc and
 * exits on the first problem.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capnpc-c.h"

const char *sha256_hex;

void die(const char *fmt, ...)
{
    va_list ap;
    fputs("capnpc-c: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

void *xmalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p)
        die("out of memory");
    return p;
}

char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

char *fmtstr(const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        die("formatting failed");
    char *s = xmalloc((size_t)n + 1);
    if ((size_t)n < sizeof(small))
        return memcpy(s, small, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

char *text(struct capnp_text t)
{
    char *s = xmalloc((size_t)t.len + 1);
    memcpy(s, t.str, t.len);
    return s;
}

/* ---- Output buffers ---- */

void emit(struct out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(0, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        die("formatting failed");
    if (o->len + (size_t)n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 4096;
        while (o->len + (size_t)n + 1 > cap)
            cap *= 2;
        o->buf = realloc(o->buf, cap);
        if (!o->buf)
            die("out of memory");
        o->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(o->buf + o->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    o->len += (size_t)n;
}

void write_file(const char *path, const struct out *o)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        die("cannot create %s: %s", path, strerror(errno));
    if (o->len && fwrite(o->buf, 1, o->len, f) != o->len)
        die("cannot write %s", path);
    if (fclose(f))
        die("cannot write %s: %s", path, strerror(errno));
}

/* A C comment holding `s`, each line prefixed; "*" "/" cannot end it early. */
void emit_comment(struct out *o, const char *indent, const char *s)
{
    if (!s || !*s)
        return;
    emit(o, "%s/*\n", indent);
    const char *p = s;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        emit(o, "%s *%s", indent, n ? " " : "");
        for (size_t i = 0; i < n; i++) {
            if (p[i] == '*' && i + 1 < n && p[i + 1] == '/')
                emit(o, "* ");
            else if (p[i] == '/' && i + 1 < n && p[i + 1] == '*')
                emit(o, "/ ");
            else
                emit(o, "%c", p[i]);
        }
        emit(o, "\n");
        p += n;
        if (*p == '\n')
            p++;
    }
    emit(o, "%s */\n", indent);
}

/* A C string literal for `len` bytes of `s`. */
void emit_cstring(struct out *o, const char *s, size_t len)
{
    emit(o, "\"");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': emit(o, "\\\""); break;
        case '\\': emit(o, "\\\\"); break;
        case '\n': emit(o, "\\n"); break;
        case '\t': emit(o, "\\t"); break;
        default:
            /* Octal escapes are always three digits, so no digit can join them. */
            if (c < 0x20 || c >= 0x7f || c == '?')
                emit(o, "\\%03o", c);
            else
                emit(o, "%c", c);
        }
    }
    emit(o, "\"");
}

/* ---- Identifier registry (collision check) ---- */

static char **idents;
static size_t nidents, capidents;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Records a generated identifier; duplicates are reported at the end. */
const char *ident(const char *s)
{
    if (nidents == capidents) {
        capidents = capidents ? capidents * 2 : 1024;
        idents = realloc(idents, capidents * sizeof(*idents));
        if (!idents)
            die("out of memory");
    }
    idents[nidents++] = xstrdup(s);
    return s;
}

void check_idents(void)
{
    qsort(idents, nidents, sizeof(*idents), cmp_str);
    for (size_t i = 1; i < nidents; i++)
        if (!strcmp(idents[i - 1], idents[i]))
            die("generated identifier %s would be defined twice; rename a field or type",
                idents[i]);
}

/* ---- Nodes ---- */

struct node *nodes;
size_t nnodes;
struct node **ordered;
size_t nordered;

static int cmp_node(const void *a, const void *b)
{
    uint64_t x = ((const struct node *)a)->id, y = ((const struct node *)b)->id;
    return x < y ? -1 : x > y;
}

struct node *find(uint64_t id)
{
    struct node key = {.id = id};
    return bsearch(&key, nodes, nnodes, sizeof(*nodes), cmp_node);
}

struct node *need(uint64_t id)
{
    struct node *n = find(id);
    if (!n)
        die("request lacks node %016" PRIx64, id);
    return n;
}

bool is_struct(const struct node *n)
{
    return schema_Node_which(n->r) == schema_Node_which_struct;
}

schema_Node_struct_reader st(const struct node *n)
{
    return schema_Node_get_struct(n->r);
}

/* Lower-cases nothing: a file "foo-bar.capnp" gets the prefix "foo_bar". */
static char *file_base(const char *display)
{
    const char *slash = strrchr(display, '/');
    char *b = xstrdup(slash ? slash + 1 : display);
    size_t n = strlen(b);
    if (n > 6 && !strcmp(b + n - 6, ".capnp"))
        b[n - 6] = 0;
    for (char *p = b; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            *p = '_';
    if (b[0] >= '0' && b[0] <= '9')
        die("file name %s does not start with a letter", display);
    return b;
}

static void name_node(struct node *n, const char *name, struct node *file);

static void name_children(struct node *n, struct node *file)
{
    schema_Node_NestedNode_reader_list nested = schema_Node_get_nestedNodes(n->r);
    for (uint32_t i = 0; i < schema_Node_NestedNode_list_len(nested); i++) {
        schema_Node_NestedNode_reader nn = schema_Node_NestedNode_list_get(nested, i);
        struct node *c = find(schema_Node_NestedNode_get_id(nn));
        if (c) {
            char *nm = text(schema_Node_NestedNode_get_name(nn));
            name_node(c, n->name ? fmtstr("%s_%s", n->name, nm) : fmtstr("%s_%s", file->base, nm),
                      file);
        }
    }
    if (is_struct(n)) {
        schema_Field_reader_list fields = schema_Node_struct_get_fields(st(n));
        for (uint32_t i = 0; i < schema_Field_list_len(fields); i++) {
            schema_Field_reader f = schema_Field_list_get(fields, i);
            if (schema_Field_which(f) != schema_Field_which_group)
                continue;
            struct node *g = need(schema_Field_group_get_typeId(schema_Field_get_group(f)));
            name_node(g, fmtstr("%s_%s", n->name, text(schema_Field_get_name(f))), file);
        }
    }
    if (schema_Node_which(n->r) == schema_Node_which_interface) {
        schema_Method_reader_list ms =
            schema_Node_interface_get_methods(schema_Node_get_interface(n->r));
        for (uint32_t i = 0; i < schema_Method_list_len(ms); i++) {
            schema_Method_reader m = schema_Method_list_get(ms, i);
            char *mn = text(schema_Method_get_name(m));
            struct node *p = find(schema_Method_get_paramStructType(m));
            struct node *r = find(schema_Method_get_resultStructType(m));
            /* Implicit parameter/result structs have no scope of their own. */
            if (p && !p->name && schema_Node_get_scopeId(p->r) == 0)
                name_node(p, fmtstr("%s_%s_Params", n->name, mn), file);
            if (r && !r->name && schema_Node_get_scopeId(r->r) == 0)
                name_node(r, fmtstr("%s_%s_Results", n->name, mn), file);
        }
    }
}

static void name_node(struct node *n, const char *name, struct node *file)
{
    if (n->name)
        return;
    n->name = xstrdup(name);
    n->file = file->id;
    n->base = file->base;
    n->order = nordered;
    ordered[nordered++] = n;
    name_children(n, file);
}

/* ---- Types ---- */

const struct prim prims[] = {
    [schema_Type_which_void] = {"void", 0, 0, 0, CAPNP_ELEM_VOID},
    [schema_Type_which_bool] = {"bool", "bool", "bool", 1, CAPNP_ELEM_BIT},
    [schema_Type_which_int8] = {"int8_t", "u8", "uint8_t", 8, CAPNP_ELEM_BYTE},
    [schema_Type_which_int16] = {"int16_t", "u16", "uint16_t", 16, CAPNP_ELEM_TWO_BYTES},
    [schema_Type_which_int32] = {"int32_t", "u32", "uint32_t", 32, CAPNP_ELEM_FOUR_BYTES},
    [schema_Type_which_int64] = {"int64_t", "u64", "uint64_t", 64, CAPNP_ELEM_EIGHT_BYTES},
    [schema_Type_which_uint8] = {"uint8_t", "u8", "uint8_t", 8, CAPNP_ELEM_BYTE},
    [schema_Type_which_uint16] = {"uint16_t", "u16", "uint16_t", 16, CAPNP_ELEM_TWO_BYTES},
    [schema_Type_which_uint32] = {"uint32_t", "u32", "uint32_t", 32, CAPNP_ELEM_FOUR_BYTES},
    [schema_Type_which_uint64] = {"uint64_t", "u64", "uint64_t", 64, CAPNP_ELEM_EIGHT_BYTES},
    [schema_Type_which_float32] = {"float", "u32", "uint32_t", 32, CAPNP_ELEM_FOUR_BYTES},
    [schema_Type_which_float64] = {"double", "u64", "uint64_t", 64, CAPNP_ELEM_EIGHT_BYTES},
    [schema_Type_which_enum] = {0, "u16", "uint16_t", 16, CAPNP_ELEM_TWO_BYTES},
};

const char *const elem_names[] = {
    "CAPNP_ELEM_VOID",       "CAPNP_ELEM_BIT",         "CAPNP_ELEM_BYTE",    "CAPNP_ELEM_TWO_BYTES",
    "CAPNP_ELEM_FOUR_BYTES", "CAPNP_ELEM_EIGHT_BYTES", "CAPNP_ELEM_POINTER", "CAPNP_ELEM_COMPOSITE",
};

enum pkind pointer_kind(schema_Type_reader t)
{
    switch (schema_Type_which(t)) {
    case schema_Type_which_text: return P_TEXT;
    case schema_Type_which_data: return P_DATA;
    case schema_Type_which_struct: return P_STRUCT;
    case schema_Type_which_interface: return P_CAP;
    case schema_Type_which_list: {
        schema_Type_reader e = schema_Type_list_get_elementType(schema_Type_get_list(t));
        return schema_Type_which(e) == schema_Type_which_struct ? P_STRUCT_LIST : P_LIST;
    }
    case schema_Type_which_anyPointer: {
        schema_Type_anyPointer_reader a = schema_Type_get_anyPointer(t);
        if (schema_Type_anyPointer_which(a) != schema_Type_anyPointer_which_unconstrained)
            return P_ANY; /* generic parameters */
        switch (schema_Type_anyPointer_unconstrained_which(
            schema_Type_anyPointer_get_unconstrained(a))) {
        case schema_Type_anyPointer_unconstrained_which_struct: return P_ANY_STRUCT;
        case schema_Type_anyPointer_unconstrained_which_list: return P_ANY_LIST;
        case schema_Type_anyPointer_unconstrained_which_capability: return P_CAP;
        default: return P_ANY;
        }
    }
    default: die("type %u is not a pointer type", (unsigned)schema_Type_which(t));
    }
}

bool is_pointer_type(schema_Type_reader t)
{
    return schema_Type_which(t) >= schema_Type_which_text &&
           schema_Type_which(t) != schema_Type_which_enum;
}

/* List element size for a list whose elements have type `e`. */
enum capnp_elem elem_of(schema_Type_reader e)
{
    unsigned w = schema_Type_which(e);
    if (w == schema_Type_which_struct)
        return CAPNP_ELEM_COMPOSITE;
    if (w <= schema_Type_which_float64 || w == schema_Type_which_enum)
        return prims[w].elem;
    return CAPNP_ELEM_POINTER;
}

struct node *type_node(schema_Type_reader t)
{
    switch (schema_Type_which(t)) {
    case schema_Type_which_struct:
        return need(schema_Type_struct_get_typeId(schema_Type_get_struct(t)));
    case schema_Type_which_enum: return need(schema_Type_enum_get_typeId(schema_Type_get_enum(t)));
    case schema_Type_which_interface:
        return need(schema_Type_interface_get_typeId(schema_Type_get_interface(t)));
    default: return 0;
    }
}

const char *type_name(const struct node *n)
{
    if (!n->name)
        die("type %016" PRIx64 " has no name (not declared in any file)", n->id);
    return n->name;
}

/* ---- Per-file state ---- */

struct file_ctx {
    struct node *file;
    struct out h, c;
    char **includes; /* other generated headers this one needs */
    size_t nincludes;
};

/* Notes that `n`, used by the current file, is declared in another header. */
static void use_type(struct file_ctx *fc, const struct node *n)
{
    if (!n || n->file == fc->file->id)
        return;
    char *inc = fmtstr("%s.capnp.h", n->base);
    for (size_t i = 0; i < fc->nincludes; i++)
        if (!strcmp(fc->includes[i], inc))
            return;
    fc->includes = realloc(fc->includes, (fc->nincludes + 1) * sizeof(char *));
    if (!fc->includes)
        die("out of memory");
    fc->includes[fc->nincludes++] = inc;
}

static void use_type_deep(struct file_ctx *fc, schema_Type_reader t)
{
    while (schema_Type_which(t) == schema_Type_which_list)
        t = schema_Type_list_get_elementType(schema_Type_get_list(t));
    use_type(fc, type_node(t));
}

/* ---- Values ---- */

/* Raw bits of a primitive default value (what the field is XORed with). */
uint64_t value_bits(schema_Value_reader v)
{
    switch (schema_Value_which(v)) {
    case schema_Value_which_bool: return schema_Value_get_bool(v);
    case schema_Value_which_int8: return (uint8_t)schema_Value_get_int8(v);
    case schema_Value_which_int16: return (uint16_t)schema_Value_get_int16(v);
    case schema_Value_which_int32: return (uint32_t)schema_Value_get_int32(v);
    case schema_Value_which_int64: return (uint64_t)schema_Value_get_int64(v);
    case schema_Value_which_uint8: return schema_Value_get_uint8(v);
    case schema_Value_which_uint16: return schema_Value_get_uint16(v);
    case schema_Value_which_uint32: return schema_Value_get_uint32(v);
    case schema_Value_which_uint64: return schema_Value_get_uint64(v);
    case schema_Value_which_float32: return schema_Value_get_float32_bits(v);
    case schema_Value_which_float64: return schema_Value_get_float64_bits(v);
    case schema_Value_which_enum: return schema_Value_get_enum(v);
    default: return 0;
    }
}

/* A literal of the unsigned carrier type for `bits` of a `width`-bit field. */
char *ulit(unsigned width, uint64_t bits)
{
    switch (width) {
    case 1: return xstrdup(bits ? "true" : "false");
    case 8: return fmtstr("UINT8_C(0x%" PRIx64 ")", bits & 0xff);
    case 16: return fmtstr("UINT16_C(0x%" PRIx64 ")", bits & 0xffff);
    case 32: return fmtstr("UINT32_C(0x%" PRIx64 ")", bits & 0xffffffff);
    default: return fmtstr("UINT64_C(0x%" PRIx64 ")", bits);
    }
}

/* Shortest decimal that reads back as the same float/double.  A float is
 * widened to double exactly, so one path prints both; only the read-back
 * test and the suffix differ. */
static char *float_lit(uint64_t bits, bool is32)
{
    char buf[64];
    const char *sfx = is32 ? "f" : "";
    double d;
    if (is32) {
        uint32_t b = (uint32_t)bits;
        float f;
        memcpy(&f, &b, 4);
        d = f;
    } else {
        memcpy(&d, &bits, 8);
    }
    if (d != d)
        return fmtstr("__builtin_nan%s(\"\")", sfx);
    if (d == __builtin_inf() || d == -__builtin_inf())
        return fmtstr(d > 0 ? "__builtin_inf%s()" : "(-__builtin_inf%s())", sfx);
    for (int p = 1; p <= (is32 ? 9 : 17); p++) {
        snprintf(buf, sizeof(buf), "%.*g", p, d);
        if (is32 ? strtof(buf, 0) == (float)d : strtod(buf, 0) == d)
            break;
    }
    if (!strpbrk(buf, ".eEn"))
        strcat(buf, ".0");
    return fmtstr("%s%s", buf, sfx);
}

/*
 * Copies the object a default/constant value points to into a fresh
 * single-segment message and emits its words as `sym` in the .c file, with
 * an extern declaration in the header.  Returns false for a null value.
 */
static bool emit_segment(struct file_ctx *fc, const char *sym, struct capnp_ptr src)
{
    if (capnp_ptr_is_null(src))
        return false;
    size_t size = 1 << 16;
    for (;;) {
        void *arena = xmalloc(size);
        struct capnp_builder b;
        capnp_builder_init(&b, arena, size);
        enum capnp_err e = capnp_pb_copy(capnp_builder_root_ptr(&b), src);
        if (e == CAPNP_ERR_NO_SPACE && size < (1u << 30)) {
            free(arena);
            size *= 4;
            continue;
        }
        if (e)
            die("cannot copy the default value for %s: %s", sym, capnp_strerror(e));
        struct capnp_segment seg = capnp_builder_segment(&b);
        ident(sym);
        emit(&fc->h, "extern const struct capnp_segment %s;\n", sym);
        emit(&fc->c, "static const uint64_t %s_words[%u] = {\n", sym, seg.words);
        for (uint32_t i = 0; i < seg.words; i++)
            emit(&fc->c, "%s0x%016" PRIx64 "u,%s", i % 3 ? " " : "    ",
                 capnp_load_u64(seg.data + (size_t)i * 8),
                 i % 3 == 2 || i + 1 == seg.words ? "\n" : "");
        emit(&fc->c, "};\nconst struct capnp_segment %s = {(const uint8_t *)%s_words, %u};\n\n",
             sym, sym, seg.words);
        free(arena);
        return true;
    }
}

static void emit_bytes(struct out *o, const uint8_t *p, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++)
        emit(o, "%s0x%02x,%s", i % 12 ? " " : "    ", p[i],
             i % 12 == 11 || i + 1 == len ? "\n" : "");
}

/* ---- Doc comments ---- */

const char *node_doc(const struct node *n)
{
    if (!n->has_doc)
        return 0;
    return text(schema_Node_SourceInfo_get_docComment(n->doc));
}

const char *member_doc(const struct node *n, uint32_t i)
{
    if (!n->has_doc)
        return 0;
    schema_Node_SourceInfo_Member_reader_list ms = schema_Node_SourceInfo_get_members(n->doc);
    if (i >= schema_Node_SourceInfo_Member_list_len(ms))
        return 0;
    return text(schema_Node_SourceInfo_Member_get_docComment(
        schema_Node_SourceInfo_Member_list_get(ms, i)));
}

/* ---- Annotations ---- */

bool find_annotation(schema_Annotation_reader_list list, uint64_t id, schema_Value_reader *value)
{
    for (uint32_t i = 0; i < schema_Annotation_list_len(list); i++) {
        schema_Annotation_reader a = schema_Annotation_list_get(list, i);
        if (schema_Annotation_get_id(a) == id) {
            if (value)
                *value = schema_Annotation_get_value(a);
            return true;
        }
    }
    return false;
}

/* A C macro name given by an annotation: upper case, digits and '_'. */
static char *macro_name(schema_Value_reader v)
{
    char *m = text(schema_Value_get_text(v));
    if (!*m || (*m >= '0' && *m <= '9') ||
        strspn(m, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != strlen(m))
        die("macro name \"%s\" is not an upper-case C identifier", m);
    return m;
}

/* camelCase as UPPER_SNAKE: a word starts at each upper-case letter. */
static char *upper_snake(const char *s)
{
    char *u = xmalloc(2 * strlen(s) + 1), *p = u;
    for (const char *q = s; *q; q++) {
        if (*q >= 'A' && *q <= 'Z' && q != s)
            *p++ = '_';
        *p++ = (char)(*q >= 'a' && *q <= 'z' ? *q - 'a' + 'A' : *q);
    }
    return u;
}

/* The C macros an enum's annotations ask for (macroPrefix, macro). */
static void emit_enum_macros(struct out *h, struct node *n, schema_Enumerant_reader_list es)
{
    schema_Value_reader v;
    const char *prefix = 0;
    if (find_annotation(schema_Node_get_annotations(n->r), ANN_MACRO_PREFIX, &v))
        prefix = macro_name(v);
    for (uint32_t i = 0; i < schema_Enumerant_list_len(es); i++) {
        schema_Enumerant_reader e = schema_Enumerant_list_get(es, i);
        const char *m = 0;
        if (find_annotation(schema_Enumerant_get_annotations(e), ANN_MACRO, &v))
            m = macro_name(v);
        else if (prefix)
            m = fmtstr("%s%s", prefix, upper_snake(text(schema_Enumerant_get_name(e))));
        if (m)
            emit(h, "#define %s %u\n", ident(m), i);
    }
    if (prefix)
        emit(h, "#define %s %u\n", ident(fmtstr("%sCOUNT", prefix)), schema_Enumerant_list_len(es));
}

/* ---- Type declarations ---- */

static void emit_enum(struct file_ctx *fc, struct node *n)
{
    struct out *h = &fc->h;
    schema_Enumerant_reader_list es = schema_Node_enum_get_enumerants(schema_Node_get_enum(n->r));
    emit(h, "\n");
    emit_comment(h, "", node_doc(n));
    emit(h, "enum %s {\n", n->name);
    for (uint32_t i = 0; i < schema_Enumerant_list_len(es); i++) {
        const char *doc = member_doc(n, i);
        char *en = fmtstr("%s_%s", n->name,
                          text(schema_Enumerant_get_name(schema_Enumerant_list_get(es, i))));
        ident(en);
        emit_comment(h, "    ", doc);
        emit(h, "    %s = %u,\n", en, i);
    }
    uint32_t count = schema_Enumerant_list_len(es);
    emit(h, "};\n#define %s UINT64_C(0x%016" PRIx64 ")\n", ident(fmtstr("%s_TYPE_ID", n->name)),
         n->id);
    emit(h, "#define %s %u\n", ident(fmtstr("%s_COUNT", n->name)), count);
    /* The name table lives in the .c file, so that only users link it. */
    emit(h, "/* The enumerant's name as in the schema; NULL for an unknown value. */\n");
    emit(h, "const char *%s(uint32_t v);\n", ident(fmtstr("%s_name", n->name)));
    emit(&fc->c, "const char *%s_name(uint32_t v)\n{\n", n->name);
    if (count) {
        emit(&fc->c, "    static const char *const names[%u] = {\n", count);
        for (uint32_t i = 0; i < count; i++)
            emit(&fc->c, "        \"%s\",\n",
                 text(schema_Enumerant_get_name(schema_Enumerant_list_get(es, i))));
        emit(&fc->c, "    };\n    return v < %u ? names[v] : 0;\n}\n\n", count);
    } else {
        emit(&fc->c, "    (void)v;\n    return 0;\n}\n\n");
    }
    emit_enum_macros(h, n, es);
}

/* Discriminant constants of a struct or group with a union. */
static void emit_which_enum(struct file_ctx *fc, struct node *n)
{
    schema_Node_struct_reader s = st(n);
    if (!schema_Node_struct_get_discriminantCount(s))
        return;
    schema_Field_reader_list fields = schema_Node_struct_get_fields(s);
    emit(&fc->h, "enum %s_which {\n", n->name);
    for (uint32_t i = 0; i < schema_Field_list_len(fields); i++) {
        schema_Field_reader f = schema_Field_list_get(fields, i);
        uint16_t d = schema_Field_get_discriminantValue(f);
        if (d != 0xffff)
            emit(&fc->h, "    %s = %u,\n",
                 ident(fmtstr("%s_which_%s", n->name, text(schema_Field_get_name(f)))), d);
    }
    emit(&fc->h, "};\n");
}

static void emit_struct_types(struct file_ctx *fc, struct node *n)
{
    struct out *h = &fc->h;
    schema_Node_struct_reader s = st(n);
    bool group = schema_Node_struct_get_isGroup(s);
    emit(h, "\n");
    if (!group)
        emit_comment(h, "", node_doc(n));
    emit(h, "typedef struct %s {\n    struct capnp_struct s;\n} %s;\n",
         ident(fmtstr("%s_reader", n->name)), fmtstr("%s_reader", n->name));
    emit(h, "typedef struct %s {\n    struct capnp_struct_builder s;\n} %s;\n",
         ident(fmtstr("%s_builder", n->name)), fmtstr("%s_builder", n->name));
    if (!group) {
        emit(h, "typedef struct %s {\n    struct capnp_list l;\n} %s;\n",
             ident(fmtstr("%s_reader_list", n->name)), fmtstr("%s_reader_list", n->name));
        emit(h, "typedef struct %s {\n    struct capnp_list_builder l;\n} %s;\n",
             ident(fmtstr("%s_builder_list", n->name)), fmtstr("%s_builder_list", n->name));
        emit(h, "#define %s UINT64_C(0x%016" PRIx64 ")\n", ident(fmtstr("%s_TYPE_ID", n->name)),
             n->id);
        emit(h, "#define %s %u\n", ident(fmtstr("%s_DATA_WORDS", n->name)),
             schema_Node_struct_get_dataWordCount(s));
        emit(h, "#define %s %u\n", ident(fmtstr("%s_PTR_COUNT", n->name)),
             schema_Node_struct_get_pointerCount(s));
    }
    emit_which_enum(fc, n);
}

/* A method's parameter or result type name: its own struct, or an alias. */
static void emit_method_alias(struct file_ctx *fc, struct node *iface, const char *method,
                              const char *suffix, uint64_t id)
{
    struct node *t = need(id);
    if (t->name && !strcmp(t->name, fmtstr("%s_%s_%s", iface->name, method, suffix)))
        return; /* implicit struct, declared under this very name */
    if (id == STREAM_RESULT_ID) {
        emit(&fc->h, "/* %s.%s: %s is a streaming result (no result struct). */\n", iface->name,
             method, suffix);
        return;
    }
    use_type(fc, t);
    emit(&fc->h, "typedef %s_reader %s;\n", t->name,
         ident(fmtstr("%s_%s_%s_reader", iface->name, method, suffix)));
    emit(&fc->h, "typedef %s_builder %s;\n", t->name,
         ident(fmtstr("%s_%s_%s_builder", iface->name, method, suffix)));
}

static void emit_interface(struct file_ctx *fc, struct node *n)
{
    struct out *h = &fc->h;
    schema_Node_interface_reader in = schema_Node_get_interface(n->r);
    schema_Method_reader_list ms = schema_Node_interface_get_methods(in);
    schema_Superclass_reader_list sup = schema_Node_interface_get_superclasses(in);
    emit(h, "\n");
    emit_comment(h, "", node_doc(n));
    emit(h, "#define %s UINT64_C(0x%016" PRIx64 ")\n", ident(fmtstr("%s_INTERFACE_ID", n->name)),
         n->id);
    for (uint32_t i = 0; i < schema_Superclass_list_len(sup); i++) {
        struct node *s = need(schema_Superclass_get_id(schema_Superclass_list_get(sup, i)));
        use_type(fc, s);
        emit(h, "/* %s extends %s (interface id %s_INTERFACE_ID). */\n", n->name, type_name(s),
             type_name(s));
    }
    if (schema_Method_list_len(ms)) {
        emit(h, "enum %s_method {\n", n->name);
        for (uint32_t i = 0; i < schema_Method_list_len(ms); i++) {
            schema_Method_reader m = schema_Method_list_get(ms, i);
            emit_comment(h, "    ", member_doc(n, i));
            emit(h, "    %s = %u,\n",
                 ident(fmtstr("%s_method_%s", n->name, text(schema_Method_get_name(m)))), i);
        }
        emit(h, "};\n");
    }
    for (uint32_t i = 0; i < schema_Method_list_len(ms); i++) {
        schema_Method_reader m = schema_Method_list_get(ms, i);
        char *mn = text(schema_Method_get_name(m));
        emit_method_alias(fc, n, mn, "Params", schema_Method_get_paramStructType(m));
        emit_method_alias(fc, n, mn, "Results", schema_Method_get_resultStructType(m));
    }
}

static void emit_const_value(struct file_ctx *fc, struct node *n)
{
    struct out *h = &fc->h;
    schema_Node_const_reader cr = schema_Node_get_const(n->r);
    schema_Type_reader t = schema_Node_const_get_type(cr);
    schema_Value_reader v = schema_Node_const_get_value(cr);
    unsigned w = schema_Type_which(t);
    emit(h, "\n");
    emit_comment(h, "", node_doc(n));
    ident(n->name);
    switch (w) {
    case schema_Type_which_void: emit(h, "/* %s is a Void constant. */\n", n->name); return;
    case schema_Type_which_bool:
        emit(h, "#define %s %s\n", n->name, schema_Value_get_bool(v) ? "true" : "false");
        return;
    case schema_Type_which_int8:
    case schema_Type_which_int16:
    case schema_Type_which_int32:
    case schema_Type_which_int64: {
        unsigned bits = prims[w].bits;
        uint64_t raw = value_bits(v);
        int64_t x = bits == 64 ? (int64_t)raw
                               : (int64_t)(raw << (64 - bits)) >> (64 - bits); /* sign-extend */
        if (x == INT64_MIN)
            emit(h, "#define %s ((int64_t)(-INT64_C(9223372036854775807) - 1))\n", n->name);
        else
            emit(h, "#define %s ((%s)INT64_C(%" PRId64 "))\n", n->name, prims[w].ctype, x);
        return;
    }
    case schema_Type_which_uint8:
    case schema_Type_which_uint16:
    case schema_Type_which_uint32:
    case schema_Type_which_uint64:
        emit(h, "#define %s ((%s)UINT64_C(%" PRIu64 "))\n", n->name, prims[w].ctype, value_bits(v));
        return;
    case schema_Type_which_float32:
    case schema_Type_which_float64:
        emit(h, "#define %s %s\n", ident(fmtstr("%s_BITS", n->name)),
             ulit(prims[w].bits, value_bits(v)));
        emit(h, "#if CAPNP_HAVE_FLOAT\n#define %s %s\n#endif\n", n->name,
             float_lit(value_bits(v), w == schema_Type_which_float32));
        return;
    case schema_Type_which_enum: {
        struct node *e = type_node(t);
        use_type(fc, e);
        schema_Enumerant_reader_list es =
            schema_Node_enum_get_enumerants(schema_Node_get_enum(e->r));
        uint16_t x = schema_Value_get_enum(v);
        if (x < schema_Enumerant_list_len(es))
            emit(h, "#define %s %s_%s\n", n->name, type_name(e),
                 text(schema_Enumerant_get_name(schema_Enumerant_list_get(es, x))));
        else
            emit(h, "#define %s ((enum %s)%u)\n", n->name, type_name(e), x);
        return;
    }
    case schema_Type_which_text: {
        struct capnp_text s = schema_Value_get_text(v);
        emit(h, "#define %s ", n->name);
        emit_cstring(h, s.str, s.len);
        emit(h, "\n");
        return;
    }
    case schema_Type_which_data: {
        struct capnp_data d = schema_Value_get_data(v);
        emit(h, "extern const uint8_t %s[%u];\n", n->name, d.len ? d.len : 1);
        emit(&fc->c, "const uint8_t %s[%u] = {\n", n->name, d.len ? d.len : 1);
        if (d.len)
            emit_bytes(&fc->c, d.ptr, d.len);
        else
            emit(&fc->c, "    0,\n");
        emit(&fc->c, "};\n\n");
        return;
    }
    default:
        /* Struct, list and pointer constants are left to the schema. */
        emit(h, "/* %s: constant of a pointer type, not emitted. */\n", n->name);
        return;
    }
}

static void emit_const(struct file_ctx *fc, struct node *n)
{
    schema_Value_reader v;
    emit_const_value(fc, n);
    if (!find_annotation(schema_Node_get_annotations(n->r), ANN_MACRO, &v))
        return;
    schema_Type_reader t = schema_Node_const_get_type(schema_Node_get_const(n->r));
    unsigned w = schema_Type_which(t);
    bool named = w == schema_Type_which_text ||
                 (w != schema_Type_which_void && w != schema_Type_which_float32 &&
                  w != schema_Type_which_float64 && !is_pointer_type(t));
    if (!named)
        die("%s: a macro can name only a bool, integer, enum or text constant", n->name);
    emit(&fc->h, "#define %s %s\n", ident(macro_name(v)), n->name);
}

/* ---- Accessors ---- */

struct field_ctx {
    struct file_ctx *fc;
    struct node *owner; /* struct or group holding the field */
    const char *N;      /* owner's C name */
    const char *fname;
    bool in_union;
    uint16_t disc;
    uint32_t disc_off;
};

/* Sets the union discriminant first thing in a setter, if the field is a member. */
static void emit_set_disc(struct field_ctx *f)
{
    if (f->in_union)
        emit(&f->fc->h, "    capnp_sb_set_u16(b.s, %u, %u);\n", f->disc_off, f->disc);
}

/* Guard in a reader: an inactive union member reads as `dflt`. */
static void emit_guard(struct field_ctx *f, const char *dflt)
{
    if (f->in_union)
        emit(&f->fc->h, "    if (%s_which(r) != %s_which_%s)\n        return %s;\n", f->N, f->N,
             f->fname, dflt);
}

/* Reader-side pointer fetch: inactive union members see a null pointer. */
static void emit_ptr_fetch(struct field_ctx *f, uint32_t off)
{
    struct out *h = &f->fc->h;
    emit(h, "    struct capnp_ptr p = capnp_struct_ptr(&r.s, %u);\n", off);
    if (f->in_union)
        emit(h, "    if (%s_which(r) != %s_which_%s)\n        p = capnp_ptr_null();\n", f->N, f->N,
             f->fname);
}

static char *fn(struct field_ctx *f, const char *verb)
{
    return (char *)ident(fmtstr("%s_%s_%s", f->N, verb, f->fname));
}

static void emit_primitive(struct field_ctx *f, unsigned w, uint32_t off, uint64_t dbits,
                           const char *enum_name)
{
    struct out *h = &f->fc->h;
    const struct prim *p = &prims[w];
    char *d = ulit(p->bits, dbits);
    char * xor = dbits ? fmtstr(" ^ %s", d) : xstrdup("");
    bool is_float = w == schema_Type_which_float32 || w == schema_Type_which_float64;
    const char *ctype = enum_name ? fmtstr("enum %s", enum_name) : p->ctype;
    const char *rtype = is_float ? p->utype : ctype;
    const char *get = is_float ? fmtstr("get_%s_bits", f->fname) : 0;
    const char *set = is_float ? fmtstr("set_%s_bits", f->fname) : 0;

    /* Reader. */
    char *gname = is_float ? (char *)ident(fmtstr("%s_%s", f->N, get)) : fn(f, "get");
    emit(h, "static inline %s %s(%s_reader r)\n{\n", rtype, gname, f->N);
    if (w == schema_Type_which_bool) {
        emit_guard(f, d);
        emit(h, "    return capnp_struct_get_bool(&r.s, %u)%s;\n", off, dbits ? " != true" : "");
    } else {
        bool plain = !strcmp(rtype, p->utype);
        emit_guard(f, plain ? d : fmtstr("(%s)%s", rtype, d));
        if (plain && !dbits)
            emit(h, "    return capnp_struct_get_%s(&r.s, %u);\n", p->acc, off);
        else
            emit(h, "    return (%s)(capnp_struct_get_%s(&r.s, %u)%s);\n", rtype, p->acc, off, xor);
    }
    emit(h, "}\n");

    /* Builder. */
    char *sname = is_float ? (char *)ident(fmtstr("%s_%s", f->N, set)) : fn(f, "set");
    emit(h, "static inline void %s(%s_builder b, %s v)\n{\n", sname, f->N, rtype);
    emit_set_disc(f);
    if (w == schema_Type_which_bool)
        emit(h, "    capnp_sb_set_bool(b.s, %u, v%s);\n", off, dbits ? " != true" : "");
    else if (!strcmp(rtype, p->utype) && !dbits)
        emit(h, "    capnp_sb_set_%s(b.s, %u, v);\n", p->acc, off);
    else
        emit(h, "    capnp_sb_set_%s(b.s, %u, (%s)((%s)v%s));\n", p->acc, off, p->utype, p->utype,
             xor);
    emit(h, "}\n");

    if (is_float) {
        const char *ft = p->ctype;
        unsigned bytes = p->bits / 8;
        emit(h, "#if CAPNP_HAVE_FLOAT\n");
        emit(h, "static inline %s %s(%s_reader r)\n{\n    %s x = %s(r);\n    %s v;\n", ft,
             fn(f, "get"), f->N, p->utype, gname, ft);
        emit(h, "    __builtin_memcpy(&v, &x, %u);\n    return v;\n}\n", bytes);
        emit(h, "static inline void %s(%s_builder b, %s v)\n{\n    %s x;\n", fn(f, "set"), f->N, ft,
             p->utype);
        emit(h, "    __builtin_memcpy(&x, &v, %u);\n    %s(b, x);\n}\n#endif\n", bytes, sname);
    }
}

/* The getter of a pointer field: it returns `expr` (of type rtype), an
 * expression of the field's pointer p. */
static void emit_ptr_getter(struct field_ctx *f, uint32_t off, const char *rtype, const char *expr)
{
    struct out *h = &f->fc->h;
    emit(h, "static inline %s %s(%s_reader r)\n{\n", rtype, fn(f, "get"), f->N);
    emit_ptr_fetch(f, off);
    emit(h, "    return %s;\n}\n", expr);
}

static void emit_has(struct field_ctx *f, uint32_t off)
{
    struct out *h = &f->fc->h;
    emit(h, "static inline bool %s(%s_reader r)\n{\n", fn(f, "has"), f->N);
    emit_guard(f, "false");
    emit(h, "    return !capnp_ptr_is_null(capnp_struct_ptr(&r.s, %u));\n}\n", off);
}

/* The has and set functions of a text or data field: set takes `param`
 * (named `arg`) and a length, and stores them with `setter` into the
 * pointer `ptr`. */
static void emit_has_set_blob(struct field_ctx *f, uint32_t off, const char *param,
                              const char *setter, const char *ptr, const char *arg)
{
    struct out *h = &f->fc->h;
    emit_has(f, off);
    emit(h, "static inline enum capnp_err %s(%s_builder b, %s, size_t len)\n{\n", fn(f, "set"),
         f->N, param);
    emit_set_disc(f);
    emit(h, "    return %s(%s, %s, len);\n}\n", setter, ptr, arg);
}

static void emit_pointer(struct field_ctx *f, schema_Type_reader t, uint32_t off,
                         schema_Value_reader dv, bool had_default)
{
    struct file_ctx *fc = f->fc;
    struct out *h = &fc->h;
    enum pkind k = pointer_kind(t);
    char *dsym = fmtstr("%s_%s_default", f->N, f->fname);
    char *ptr = fmtstr("capnp_sb_ptr(b.s, %u)", off);
    use_type_deep(fc, t);

    switch (k) {
    case P_TEXT: {
        struct capnp_text d = {"", 0};
        if (had_default)
            d = schema_Value_get_text(dv);
        emit(h, "static inline struct capnp_text %s(%s_reader r)\n{\n", fn(f, "get"), f->N);
        emit_ptr_fetch(f, off);
        emit(h, "    return capnp_ptr_get_text(p, ");
        if (had_default) {
            emit_cstring(h, d.str, d.len);
            emit(h, ", %u);\n}\n", d.len);
        } else {
            emit(h, "0, 0);\n}\n");
        }
        emit_has_set_blob(f, off, "const char *s", "capnp_pb_set_text", ptr, "s");
        return;
    }
    case P_DATA: {
        bool dflt = false;
        if (had_default) {
            struct capnp_data d = schema_Value_get_data(dv);
            ident(dsym);
            emit(h, "extern const uint8_t %s[%u];\n", dsym, d.len ? d.len : 1);
            emit(&fc->c, "const uint8_t %s[%u] = {\n", dsym, d.len ? d.len : 1);
            if (d.len)
                emit_bytes(&fc->c, d.ptr, d.len);
            else
                emit(&fc->c, "    0,\n");
            emit(&fc->c, "};\n\n");
            dflt = true;
            emit_ptr_getter(f, off, "struct capnp_data",
                            fmtstr("capnp_ptr_get_data(p, %s, %u)", dsym, d.len));
        }
        if (!dflt) {
            emit_ptr_getter(f, off, "struct capnp_data", "capnp_ptr_get_data(p, 0, 0)");
        }
        emit_has_set_blob(f, off, "const void *d", "capnp_pb_set_data", ptr, "d");
        return;
    }
    case P_STRUCT: {
        struct node *sn = type_node(t);
        const char *T = type_name(sn);
        bool dflt = had_default && emit_segment(fc, dsym, schema_Value_get_struct(dv));
        emit_ptr_getter(f, off, fmtstr("%s_reader", T),
                        fmtstr("(%s_reader){capnp_ptr_get_struct(p, %s%s)}", T, dflt ? "&" : "",
                               dflt ? dsym : "0"));
        emit_has(f, off);
        emit(h, "static inline %s_builder %s(%s_builder b)\n{\n", T, fn(f, "init"), f->N);
        emit_set_disc(f);
        emit(h, "    return (%s_builder){capnp_pb_init_struct(%s, %u, %u)};\n}\n", T, ptr,
             schema_Node_struct_get_dataWordCount(st(sn)),
             schema_Node_struct_get_pointerCount(st(sn)));
        emit(h, "static inline enum capnp_err %s(%s_builder b, %s_reader v)\n{\n", fn(f, "set"),
             f->N, T);
        emit_set_disc(f);
        emit(h, "    return capnp_pb_copy_struct(%s, &v.s);\n}\n", ptr);
        return;
    }
    case P_STRUCT_LIST:
    case P_LIST: {
        schema_Type_reader e = schema_Type_list_get_elementType(schema_Type_get_list(t));
        bool dflt = had_default && emit_segment(fc, dsym, schema_Value_get_list(dv));
        const char *dexpr = dflt ? fmtstr("&%s", dsym) : "0";
        if (k == P_STRUCT_LIST) {
            struct node *sn = type_node(e);
            const char *T = type_name(sn);
            emit_ptr_getter(
                f, off, fmtstr("%s_reader_list", T),
                fmtstr("(%s_reader_list){capnp_ptr_get_list(p, CAPNP_ELEM_COMPOSITE, %s)}", T,
                       dexpr));
            emit_has(f, off);
            emit(h, "static inline %s_builder_list %s(%s_builder b, uint32_t n)\n{\n", T,
                 fn(f, "init"), f->N);
            emit_set_disc(f);
            emit(h, "    return (%s_builder_list){capnp_pb_init_struct_list(%s, n, %u, %u)};\n}\n",
                 T, ptr, schema_Node_struct_get_dataWordCount(st(sn)),
                 schema_Node_struct_get_pointerCount(st(sn)));
            emit(h, "static inline enum capnp_err %s(%s_builder b, %s_reader_list v)\n{\n",
                 fn(f, "set"), f->N, T);
        } else {
            const char *en = elem_names[elem_of(e)];
            emit_ptr_getter(f, off, "struct capnp_list",
                            fmtstr("capnp_ptr_get_list(p, %s, %s)", en, dexpr));
            emit_has(f, off);
            emit(h, "static inline struct capnp_list_builder %s(%s_builder b, uint32_t n)\n{\n",
                 fn(f, "init"), f->N);
            emit_set_disc(f);
            emit(h, "    return capnp_pb_init_list(%s, %s, n);\n}\n", ptr, en);
            emit(h, "static inline enum capnp_err %s(%s_builder b, struct capnp_list v)\n{\n",
                 fn(f, "set"), f->N);
        }
        emit_set_disc(f);
        emit(h, "    return capnp_pb_copy_list(%s, &v%s);\n}\n", ptr,
             k == P_STRUCT_LIST ? ".l" : "");
        return;
    }
    case P_CAP:
        emit_ptr_getter(f, off, "uint32_t", "capnp_ptr_get_cap(p)");
        emit_has(f, off);
        emit(h, "static inline void %s(%s_builder b, uint32_t cap)\n{\n", fn(f, "set"), f->N);
        emit_set_disc(f);
        emit(h, "    capnp_pb_set_cap(%s, cap);\n}\n", ptr);
        return;
    case P_ANY:
    case P_ANY_STRUCT:
    case P_ANY_LIST:
        if (k == P_ANY_STRUCT)
            emit_ptr_getter(f, off, "struct capnp_struct", "capnp_ptr_get_struct(p, 0)");
        else if (k == P_ANY_LIST)
            emit_ptr_getter(f, off, "struct capnp_list",
                            "capnp_ptr_get_list(p, CAPNP_ELEM_ANY, 0)");
        else
            emit_ptr_getter(f, off, "struct capnp_ptr", "p");
        emit_has(f, off);
        emit(h, "static inline struct capnp_ptr_builder %s(%s_builder b)\n{\n", fn(f, "ptr"), f->N);
        emit_set_disc(f);
        emit(h, "    return %s;\n}\n", ptr);
        return;
    }
}

/* Statements that reset every field of group `g` to its default. */
static void emit_clear_group(struct out *h, struct node *g)
{
    schema_Node_struct_reader s = st(g);
    if (schema_Node_struct_get_discriminantCount(s))
        emit(h, "    capnp_sb_set_u16(b.s, %u, 0);\n",
             schema_Node_struct_get_discriminantOffset(s));
    schema_Field_reader_list fields = schema_Node_struct_get_fields(s);
    for (uint32_t i = 0; i < schema_Field_list_len(fields); i++) {
        schema_Field_reader f = schema_Field_list_get(fields, i);
        if (schema_Field_which(f) == schema_Field_which_group) {
            emit_clear_group(h, need(schema_Field_group_get_typeId(schema_Field_get_group(f))));
            continue;
        }
        schema_Field_slot_reader sl = schema_Field_get_slot(f);
        schema_Type_reader t = schema_Field_slot_get_type(sl);
        unsigned w = schema_Type_which(t);
        uint32_t off = schema_Field_slot_get_offset(sl);
        if (w == schema_Type_which_void)
            continue;
        if (is_pointer_type(t))
            emit(h, "    capnp_pb_clear(capnp_sb_ptr(b.s, %u));\n", off);
        else if (w == schema_Type_which_bool)
            emit(h, "    capnp_sb_set_bool(b.s, %u, false);\n", off);
        else
            emit(h, "    capnp_sb_set_%s(b.s, %u, 0);\n", prims[w].acc, off);
    }
}

static void emit_field(struct file_ctx *fc, struct node *owner, schema_Field_reader fr,
                       uint32_t idx)
{
    struct out *h = &fc->h;
    struct field_ctx f = {
        .fc = fc,
        .owner = owner,
        .N = owner->name,
        .fname = text(schema_Field_get_name(fr)),
        .disc = schema_Field_get_discriminantValue(fr),
    };
    f.in_union = f.disc != 0xffff;
    f.disc_off = schema_Node_struct_get_discriminantOffset(st(owner));

    emit(h, "\n");
    const char *doc = member_doc(owner, idx);
    emit_comment(h, "", doc && *doc ? fmtstr("%s: %s", f.fname, doc) : 0);

    if (schema_Field_which(fr) == schema_Field_which_group) {
        struct node *g = need(schema_Field_group_get_typeId(schema_Field_get_group(fr)));
        emit(h, "static inline %s_reader %s(%s_reader r)\n{\n", g->name, fn(&f, "get"), f.N);
        emit_guard(&f, fmtstr("(%s_reader){capnp_struct_null()}", g->name));
        emit(h, "    return (%s_reader){r.s};\n}\n", g->name);
        emit(h, "static inline %s_builder %s(%s_builder b)\n{\n", g->name, fn(&f, "init"), f.N);
        emit_set_disc(&f);
        emit_clear_group(h, g);
        emit(h, "    return (%s_builder){b.s};\n}\n", g->name);
        return;
    }

    schema_Field_slot_reader sl = schema_Field_get_slot(fr);
    schema_Type_reader t = schema_Field_slot_get_type(sl);
    schema_Value_reader dv = schema_Field_slot_get_defaultValue(sl);
    uint32_t off = schema_Field_slot_get_offset(sl);
    unsigned w = schema_Type_which(t);

    if (w == schema_Type_which_void) {
        if (f.in_union) {
            emit(h, "static inline void %s(%s_builder b)\n{\n", fn(&f, "set"), f.N);
            emit_set_disc(&f);
            emit(h, "}\n");
        }
        return;
    }
    if (w == schema_Type_which_enum) {
        struct node *e = type_node(t);
        use_type(fc, e);
        emit_primitive(&f, w, off, value_bits(dv), type_name(e));
        return;
    }
    if (!is_pointer_type(t)) {
        emit_primitive(&f, w, off, value_bits(dv), 0);
        return;
    }
    emit_pointer(&f, t, off, dv, schema_Field_slot_get_hadExplicitDefault(sl));
}

static void emit_struct_accessors(struct file_ctx *fc, struct node *n)
{
    struct out *h = &fc->h;
    schema_Node_struct_reader s = st(n);
    bool group = schema_Node_struct_get_isGroup(s);
    const char *N = n->name;
    uint16_t dw = schema_Node_struct_get_dataWordCount(s);
    uint16_t pc = schema_Node_struct_get_pointerCount(s);

    emit(h, "\n/* ---- %s%s ---- */\n", N, group ? " (group)" : "");
    if (!group) {
        emit(h, "\nstatic inline %s_reader %s(struct capnp_ptr p)\n{\n", N,
             ident(fmtstr("%s_read", N)));
        emit(h, "    return (%s_reader){capnp_ptr_get_struct(p, 0)};\n}\n", N);
        emit(h, "static inline %s_reader %s(struct capnp_reader *m)\n{\n", N,
             ident(fmtstr("%s_read_root", N)));
        emit(h, "    return (%s_reader){capnp_reader_root(m)};\n}\n", N);
        emit(h, "static inline %s_builder %s(struct capnp_ptr_builder p)\n{\n", N,
             ident(fmtstr("%s_init", N)));
        emit(h, "    return (%s_builder){capnp_pb_init_struct(p, %u, %u)};\n}\n", N, dw, pc);
        emit(h, "static inline %s_builder %s(struct capnp_builder *b)\n{\n", N,
             ident(fmtstr("%s_init_root", N)));
        emit(h, "    return (%s_builder){capnp_builder_init_root(b, %u, %u)};\n}\n", N, dw, pc);
        emit(h, "static inline %s_reader_list %s(struct capnp_ptr p)\n{\n", N,
             ident(fmtstr("%s_list_read", N)));
        emit(h, "    return (%s_reader_list){capnp_ptr_get_list(p, CAPNP_ELEM_COMPOSITE, 0)};\n}\n",
             N);
        emit(h, "static inline %s_builder_list %s(struct capnp_ptr_builder p, uint32_t n)\n{\n", N,
             ident(fmtstr("%s_list_init", N)));
        emit(h, "    return (%s_builder_list){capnp_pb_init_struct_list(p, n, %u, %u)};\n}\n", N,
             dw, pc);
        emit(h, "static inline uint32_t %s(%s_reader_list l)\n{\n    return l.l.len;\n}\n",
             ident(fmtstr("%s_list_len", N)), N);
        emit(h, "static inline %s_reader %s(%s_reader_list l, uint32_t i)\n{\n", N,
             ident(fmtstr("%s_list_get", N)), N);
        emit(h, "    return (%s_reader){capnp_list_get_struct(&l.l, i)};\n}\n", N);
        emit(h, "static inline %s_builder %s(%s_builder_list l, uint32_t i)\n{\n", N,
             ident(fmtstr("%s_list_at", N)), N);
        emit(h, "    return (%s_builder){capnp_lb_struct(l.l, i)};\n}\n", N);
    }
    if (schema_Node_struct_get_discriminantCount(s)) {
        emit(h, "static inline enum %s_which %s(%s_reader r)\n{\n", N, ident(fmtstr("%s_which", N)),
             N);
        emit(h, "    return (enum %s_which)capnp_struct_get_u16(&r.s, %u);\n}\n", N,
             schema_Node_struct_get_discriminantOffset(s));
    }
    schema_Field_reader_list fields = schema_Node_struct_get_fields(s);
    for (uint32_t i = 0; i < schema_Field_list_len(fields); i++)
        emit_field(fc, n, schema_Field_list_get(fields, i), i);
}

/* ---- Files ---- */

/* The first lines of every output file: what made it, from what, and why. */
static void emit_stamp(struct out *o, const char *filename, const char *what)
{
    emit(o, "/*\n * Generated by tools/capnpc-c from %s — do not edit.\n * Schema SHA-256: %s\n",
         filename, sha256_hex);
    emit(o, " *\n * %s\n */\n", what);
}

static void generate(struct node *file, const char *filename)
{
    struct file_ctx fc = {.file = file};
    struct file_ctx *f = &fc;
    struct out body = {0};
    char *guard = fmtstr("CAPOS_GEN_%s_CAPNP_H", file->base);
    for (char *p = guard; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');

    /* Declarations first (types, constants), then accessors: C needs that order. */
    for (size_t i = 0; i < nordered; i++) {
        struct node *n = ordered[i];
        if (n->file != file->id)
            continue;
        switch (schema_Node_which(n->r)) {
        case schema_Node_which_enum: emit_enum(f, n); break;
        case schema_Node_which_struct: emit_struct_types(f, n); break;
        case schema_Node_which_interface: emit_interface(f, n); break;
        default: break;
        }
    }
    emit(&f->h, "\n/* ---- Constants ---- */\n");
    for (size_t i = 0; i < nordered; i++) {
        struct node *n = ordered[i];
        if (n->file == file->id && schema_Node_which(n->r) == schema_Node_which_const)
            emit_const(f, n);
    }
    emit(&f->h, "\n/* ---- Accessors ---- */\n");
    for (size_t i = 0; i < nordered; i++) {
        struct node *n = ordered[i];
        if (n->file == file->id && is_struct(n))
            emit_struct_accessors(f, n);
    }
    body = f->h;

    struct out h = {0}, c = {0};
    emit_stamp(&h, filename,
               "Typed accessors over lib/capnp; see docs/capnp.md for the naming scheme.");
    emit(&h, "#ifndef %s\n#define %s\n\n#include \"capnp/capnp.h\"\n", guard, guard);
    for (size_t i = 0; i < f->nincludes; i++)
        emit(&h, "#include \"%s\"\n", f->includes[i]);
    emit(&h, "%.*s\n#endif\n", (int)body.len, body.buf);

    emit_stamp(&c, filename,
               fmtstr("Default values, data constants and enumerant names declared in %s.capnp.h.",
                      file->base));
    emit(&c, "#include \"%s.capnp.h\"\n\n", file->base);
    if (f->c.len)
        emit(&c, "%.*s", (int)f->c.len - 1, f->c.buf);
    else
        emit(&c, "/* This schema has no default values, data constants or enums. */\n");

    /* The RPC layer, for files that declare interfaces. */
    struct out rh = {0}, rs = {0}, rc = {0}, rd = {0};
    bool rpc = has_interfaces(file);
    if (rpc) {
        struct out body_h = {0}, body_s = {0}, body_c = {0};
        generate_rpc(file, &body_h, &body_s, &body_c);
        emit_stamp(&rh, filename,
                   "The RPC layer: argument and result structs, decoders that validate a whole\n"
                   " * request, encoders, server dispatch and client stubs; see docs/capnp.md.");
        emit(&rh, "%.*s", (int)body_h.len, body_h.buf);
        emit_stamp(&rs, filename,
                   fmtstr("Server side of %s.rpc.h: decoders of parameters, encoders of results.",
                          file->base));
        emit(&rs, "%.*s", (int)body_s.len, body_s.buf);
        emit_stamp(&rc, filename,
                   fmtstr("Client side of %s.rpc.h: encoders of parameters, decoders of results,\n"
                          " * stubs and field names.",
                          file->base));
        emit(&rc, "%.*s", (int)body_c.len, body_c.buf);
        struct out body_d = {0};
        generate_desc(file, &body_d);
        emit_stamp(&rd, filename,
                   "Schema descriptors: the interfaces, structs and enums as tables, for calling\n"
                   " * any method by name (lib/capdesc/capdesc.h).");
        emit(&rd, "%.*s", (int)body_d.len, body_d.buf);
    }

    check_idents();
    write_file(fmtstr("%s.capnp.h", file->base), &h);
    write_file(fmtstr("%s.capnp.c", file->base), &c);
    if (rpc) {
        write_file(fmtstr("%s.rpc.h", file->base), &rh);
        write_file(fmtstr("%s.server.c", file->base), &rs);
        write_file(fmtstr("%s.client.c", file->base), &rc);
        write_file(fmtstr("%s.schema.c", file->base), &rd);
    }
}

static uint8_t *read_all(FILE *f, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = xmalloc(cap);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            if (!buf)
                die("out of memory");
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f))
                die("cannot read the request: %s", strerror(errno));
            break;
        }
    }
    *len = n;
    return buf;
}

int main(void)
{
    sha256_hex = getenv("CAPNPC_C_SCHEMA_SHA256");
    if (!sha256_hex || strlen(sha256_hex) != 64 || strspn(sha256_hex, "0123456789abcdef") != 64)
        die("set CAPNPC_C_SCHEMA_SHA256 to the schema file's SHA-256 (64 lower-case hex digits)");

    size_t len;
    uint8_t *buf = read_all(stdin, &len);
    static struct capnp_reader msg;
    struct capnp_limits lim = {.traversal_words = 1ull << 32, .nesting = 0};
    enum capnp_err e = capnp_reader_init(&msg, buf, len, &lim);
    if (e)
        die("malformed request: %s", capnp_strerror(e));
    schema_CodeGeneratorRequest_reader req = schema_CodeGeneratorRequest_read_root(&msg);

    schema_Node_reader_list ns = schema_CodeGeneratorRequest_get_nodes(req);
    nnodes = schema_Node_list_len(ns);
    nodes = xmalloc(nnodes * sizeof(*nodes));
    ordered = xmalloc(nnodes * sizeof(*ordered));
    for (uint32_t i = 0; i < nnodes; i++) {
        nodes[i].r = schema_Node_list_get(ns, i);
        nodes[i].id = schema_Node_get_id(nodes[i].r);
    }
    qsort(nodes, nnodes, sizeof(*nodes), cmp_node);

    schema_Node_SourceInfo_reader_list si = schema_CodeGeneratorRequest_get_sourceInfo(req);
    for (uint32_t i = 0; i < schema_Node_SourceInfo_list_len(si); i++) {
        schema_Node_SourceInfo_reader s = schema_Node_SourceInfo_list_get(si, i);
        struct node *n = find(schema_Node_SourceInfo_get_id(s));
        if (n) {
            n->has_doc = true;
            n->doc = s;
        }
    }

    /* Name every file's declarations (requested ones and their imports). */
    schema_CodeGeneratorRequest_RequestedFile_reader_list rf =
        schema_CodeGeneratorRequest_get_requestedFiles(req);
    for (size_t i = 0; i < nnodes; i++) {
        struct node *n = &nodes[i];
        if (schema_Node_which(n->r) != schema_Node_which_file)
            continue;
        n->base = file_base(text(schema_Node_get_displayName(n->r)));
        n->file = n->id;
    }
    for (uint32_t i = 0; i < schema_CodeGeneratorRequest_RequestedFile_list_len(rf); i++) {
        struct node *file = need(schema_CodeGeneratorRequest_RequestedFile_get_id(
            schema_CodeGeneratorRequest_RequestedFile_list_get(rf, i)));
        name_children(file, file);
    }
    for (size_t i = 0; i < nnodes; i++)
        if (schema_Node_which(nodes[i].r) == schema_Node_which_file)
            name_children(&nodes[i], &nodes[i]);

    if (schema_CodeGeneratorRequest_RequestedFile_list_len(rf) != 1)
        die("compile one schema file at a time (CAPNPC_C_SCHEMA_SHA256 names one file)");
    schema_CodeGeneratorRequest_RequestedFile_reader f =
        schema_CodeGeneratorRequest_RequestedFile_list_get(rf, 0);
    generate(need(schema_CodeGeneratorRequest_RequestedFile_get_id(f)),
             text(schema_CodeGeneratorRequest_RequestedFile_get_filename(f)));
    if (capnp_reader_error(&msg))
        die("malformed request: %s", capnp_strerror(capnp_reader_error(&msg)));
    return 0;
}
