/*
 * The RPC layer capnpc-c writes for a schema file that declares interfaces
 * (docs/capnp.md, "The RPC layer"):
 *
 *   <base>.rpc.h     per method: argument and result structs, field ids,
 *                    size bounds and prototypes; per interface: the server
 *                    dispatch macro <Iface>_SERVER
 *   <base>.server.c  what servers (the kernel among them) link: a validator
 *                    per struct type a method can carry, the argument
 *                    decoders and the result encoders
 *   <base>.client.c  what clients link: argument encoders, result decoders,
 *                    the stubs and the field names
 *
 * The validators are the one place where a message is checked against the
 * schema; decoders of both directions and every server share them.  Each
 * check that fails names its field by a path of ordinals (rpc/rpc.h), which
 * the generator also lists with names, so that a completion's detail can be
 * read by a person.  What the generated code cannot support is refused here
 * with a message, never emitted half-working: AnyPointer (and generic
 * parameters) in a method's messages, a struct type that contains itself,
 * unions or groups at the top level of a parameter or result struct.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "abi/ring.h"
#include "capnpc-c.h"
#include "rpc/limits.h"

/* ---- Schema facts ---- */

static schema_Field_reader_list fields_of(const struct node *s)
{
    return schema_Node_struct_get_fields(st(s));
}

static bool in_union(schema_Field_reader f)
{
    return schema_Field_get_discriminantValue(f) != 0xffff;
}

static bool is_group(schema_Field_reader f)
{
    return schema_Field_which(f) == schema_Field_which_group;
}

static struct node *group_node(schema_Field_reader f)
{
    return need(schema_Field_group_get_typeId(schema_Field_get_group(f)));
}

static bool is_unsigned(unsigned w)
{
    return w >= schema_Type_which_uint8 && w <= schema_Type_which_uint64;
}

/* One data or pointer field, with what its annotations ask for. */
struct fld {
    struct node *owner; /* struct or group holding it */
    const char *name;
    schema_Type_reader t;
    unsigned w;    /* Type.which */
    uint32_t ord1; /* ordinal + 1: its byte in a field path */
    bool required;
    bool has_max_len, has_min, has_max;
    uint32_t max_len;
    uint64_t min, max;
};

static struct fld slot(struct node *owner, schema_Field_reader f)
{
    struct fld x = {.owner = owner, .name = text(schema_Field_get_name(f))};
    schema_Field_slot_reader sl = schema_Field_get_slot(f);
    schema_Field_ordinal_reader o = schema_Field_get_ordinal(f);
    schema_Annotation_reader_list an = schema_Field_get_annotations(f);
    schema_Value_reader v;
    x.t = schema_Field_slot_get_type(sl);
    x.w = schema_Type_which(x.t);
    if (schema_Field_ordinal_which(o) != schema_Field_ordinal_which_explicit)
        die("%s.%s has no ordinal", owner->name, x.name);
    x.ord1 = (uint32_t)schema_Field_ordinal_get_explicit(o) + 1;
    if (x.ord1 >= CAPOS_RPC_UNKNOWN_FIELD)
        die("%s.%s: ordinals above %u cannot be named in a field path", owner->name, x.name,
            CAPOS_RPC_UNKNOWN_FIELD - 2);
    x.required = find_annotation(an, ANN_REQUIRED, 0);
    if ((x.has_max_len = find_annotation(an, ANN_MAX_LEN, &v)))
        x.max_len = schema_Value_get_uint32(v);
    if ((x.has_min = find_annotation(an, ANN_MIN, &v)))
        x.min = schema_Value_get_uint64(v);
    if ((x.has_max = find_annotation(an, ANN_MAX, &v)))
        x.max = schema_Value_get_uint64(v);
    if (x.required && !is_pointer_type(x.t))
        die("%s.%s: `required` needs a pointer field (Text, Data, struct, list, capability)",
            owner->name, x.name);
    if (x.has_max_len && x.w != schema_Type_which_text && x.w != schema_Type_which_data &&
        x.w != schema_Type_which_list)
        die("%s.%s: `maxLen` needs a Text, Data or List field", owner->name, x.name);
    if ((x.has_min || x.has_max) && !is_unsigned(x.w))
        die("%s.%s: `min` and `max` need an unsigned integer field", owner->name, x.name);
    if (x.has_min && x.has_max && x.min > x.max)
        die("%s.%s: `min` is above `max`", owner->name, x.name);
    if (x.has_max && x.max >= (prims[x.w].bits == 64 ? UINT64_MAX : (1ULL << prims[x.w].bits) - 1))
        die("%s.%s: `max` does not bound the field", owner->name, x.name);
    return x;
}

/* A type whose values the generated code cannot check. */
static void refuse_any(const struct node *owner, const char *name, schema_Type_reader t)
{
    while (schema_Type_which(t) == schema_Type_which_list)
        t = schema_Type_list_get_elementType(schema_Type_get_list(t));
    if (schema_Type_which(t) == schema_Type_which_anyPointer && pointer_kind(t) != P_CAP)
        die("%s.%s: AnyPointer and generic parameters cannot travel in a method's messages "
            "(the decoder could not check them)",
            owner->name, name);
}

/* The struct a (possibly nested) list of structs holds, or NULL. */
static struct node *struct_of(schema_Type_reader t)
{
    while (schema_Type_which(t) == schema_Type_which_list)
        t = schema_Type_list_get_elementType(schema_Type_get_list(t));
    return schema_Type_which(t) == schema_Type_which_struct ? type_node(t) : 0;
}

/* ---- Methods ---- */

struct method {
    struct node *iface;
    const char *name;
    uint16_t ordinal;
    struct node *params;
    struct node *results; /* NULL for a streaming method */
    char *N;              /* <Iface>_<method> */
    bool no_args, no_results;
};

static struct method *methods;
static size_t nmethods;

static bool struct_empty(const struct node *s)
{
    schema_Field_reader_list fl = fields_of(s);
    for (uint32_t i = 0; i < schema_Field_list_len(fl); i++) {
        schema_Field_reader f = schema_Field_list_get(fl, i);
        if (is_group(f) || schema_Type_which(schema_Field_slot_get_type(
                               schema_Field_get_slot(f))) != schema_Type_which_void)
            return false;
    }
    return true;
}

/* The top level of an argument or result struct becomes a plain C struct. */
static void check_top(const struct node *s, const char *what)
{
    if (schema_Node_struct_get_discriminantCount(st(s)))
        die("%s: a union at the top level of a %s struct is not supported (wrap it in a struct)",
            s->name, what);
    schema_Field_reader_list fl = fields_of(s);
    for (uint32_t i = 0; i < schema_Field_list_len(fl); i++) {
        if (is_group(schema_Field_list_get(fl, i)))
            die("%s: a group at the top level of a %s struct is not supported", s->name, what);
    }
}

bool has_interfaces(const struct node *file)
{
    for (size_t i = 0; i < nordered; i++) {
        if (ordered[i]->file == file->id &&
            schema_Node_which(ordered[i]->r) == schema_Node_which_interface)
            return true;
    }
    return false;
}

static void collect_methods(struct node *file)
{
    for (size_t i = 0; i < nordered; i++) {
        struct node *n = ordered[i];
        if (n->file != file->id || schema_Node_which(n->r) != schema_Node_which_interface)
            continue;
        schema_Method_reader_list ms =
            schema_Node_interface_get_methods(schema_Node_get_interface(n->r));
        for (uint32_t k = 0; k < schema_Method_list_len(ms); k++) {
            schema_Method_reader m = schema_Method_list_get(ms, k);
            methods = realloc(methods, (nmethods + 1) * sizeof(*methods));
            if (!methods)
                die("out of memory");
            struct method *x = &methods[nmethods++];
            uint64_t rid = schema_Method_get_resultStructType(m);
            *x = (struct method){
                .iface = n,
                .name = text(schema_Method_get_name(m)),
                .ordinal = (uint16_t)k,
                .params = need(schema_Method_get_paramStructType(m)),
                .results = rid == STREAM_RESULT_ID ? 0 : need(rid),
            };
            x->N = fmtstr("%s_%s", n->name, x->name);
            type_name(x->params);
            check_top(x->params, "parameter");
            x->no_args = struct_empty(x->params);
            if (x->results) {
                type_name(x->results);
                check_top(x->results, "result");
            }
            x->no_results = !x->results || struct_empty(x->results);
        }
    }
}

/* ---- Struct types the methods carry ---- */

static struct node **carried;
static size_t ncarried;
static struct node **visiting;
static size_t nvisiting;

static void carry(struct node *s);

static void carry_fields(struct node *owner)
{
    schema_Field_reader_list fl = fields_of(owner);
    for (uint32_t i = 0; i < schema_Field_list_len(fl); i++) {
        schema_Field_reader f = schema_Field_list_get(fl, i);
        if (is_group(f)) {
            carry_fields(group_node(f));
            continue;
        }
        schema_Type_reader t = schema_Field_slot_get_type(schema_Field_get_slot(f));
        refuse_any(owner, text(schema_Field_get_name(f)), t);
        struct node *s = struct_of(t);
        if (s)
            carry(s);
    }
}

/* Adds s and the structs it contains, refusing a struct that contains itself. */
static void carry(struct node *s)
{
    for (size_t i = 0; i < nvisiting; i++) {
        if (visiting[i] == s)
            die("%s contains itself; a recursive type cannot be carried by a method (its checks "
                "would recurse as deep as a message nests)",
                s->name);
    }
    for (size_t i = 0; i < ncarried; i++) {
        if (carried[i] == s)
            return;
    }
    type_name(s);
    visiting = realloc(visiting, (nvisiting + 1) * sizeof(*visiting));
    carried = realloc(carried, (ncarried + 1) * sizeof(*carried));
    if (!visiting || !carried)
        die("out of memory");
    visiting[nvisiting++] = s;
    carried[ncarried++] = s;
    carry_fields(s);
    nvisiting--;
}

/* ---- Bits a struct's fields occupy (for the strict check) ---- */

static void mark(uint64_t *m, uint32_t words, uint64_t bit, uint32_t bits)
{
    for (uint32_t i = 0; i < bits; i++, bit++) {
        if (bit / 64 < words)
            m[bit / 64] |= 1ULL << (bit % 64);
    }
}

static void known_bits(struct node *owner, uint64_t *m, uint32_t words)
{
    schema_Node_struct_reader s = st(owner);
    if (schema_Node_struct_get_discriminantCount(s))
        mark(m, words, (uint64_t)schema_Node_struct_get_discriminantOffset(s) * 16, 16);
    schema_Field_reader_list fl = fields_of(owner);
    for (uint32_t i = 0; i < schema_Field_list_len(fl); i++) {
        schema_Field_reader f = schema_Field_list_get(fl, i);
        if (is_group(f)) {
            known_bits(group_node(f), m, words);
            continue;
        }
        schema_Field_slot_reader sl = schema_Field_get_slot(f);
        schema_Type_reader t = schema_Field_slot_get_type(sl);
        unsigned w = schema_Type_which(t);
        if (w == schema_Type_which_void || is_pointer_type(t))
            continue;
        uint32_t bits = prims[w].bits;
        mark(m, words, (uint64_t)schema_Field_slot_get_offset(sl) * bits, bits);
    }
}

/* ---- Size bounds (words), for stub buffers ---- */

#define UNBOUNDED UINT64_MAX

static uint64_t add(uint64_t a, uint64_t b)
{
    return a == UNBOUNDED || b == UNBOUNDED || a > UNBOUNDED - b ? UNBOUNDED : a + b;
}

static uint64_t mul(uint64_t a, uint64_t b)
{
    return a == UNBOUNDED || b == UNBOUNDED || (b && a > UNBOUNDED / b) ? UNBOUNDED : a * b;
}

static uint64_t struct_words(struct node *s);

/* Words a pointer of type t can point to (itself excluded), the list
 * holding at most `n` elements (UNBOUNDED: the schema does not say). */
static uint64_t pointee_words(schema_Type_reader t, uint64_t n)
{
    switch (schema_Type_which(t)) {
    case schema_Type_which_text: return n == UNBOUNDED ? UNBOUNDED : (n + 1 + 7) / 8;
    case schema_Type_which_data: return n == UNBOUNDED ? UNBOUNDED : (n + 7) / 8;
    case schema_Type_which_struct: return struct_words(type_node(t));
    case schema_Type_which_list: {
        if (n == UNBOUNDED)
            return UNBOUNDED;
        schema_Type_reader e = schema_Type_list_get_elementType(schema_Type_get_list(t));
        unsigned w = schema_Type_which(e);
        if (w == schema_Type_which_struct)
            return add(1, mul(n, struct_words(type_node(e)))); /* the tag, then the elements */
        if (!is_pointer_type(e))
            return (mul(n, prims[w].bits) + 63) / 64;
        return add(n, mul(n, pointer_kind(e) == P_CAP ? 0 : pointee_words(e, UNBOUNDED)));
    }
    default: return 0; /* a capability */
    }
}

static uint64_t fields_words(struct node *owner)
{
    uint64_t words = 0;
    schema_Field_reader_list fl = fields_of(owner);
    for (uint32_t i = 0; i < schema_Field_list_len(fl); i++) {
        schema_Field_reader f = schema_Field_list_get(fl, i);
        if (is_group(f)) {
            words = add(words, fields_words(group_node(f)));
            continue;
        }
        struct fld x = slot(owner, f);
        if (is_pointer_type(x.t))
            words = add(words, pointee_words(x.t, x.has_max_len ? x.max_len : UNBOUNDED));
    }
    return words;
}

static uint64_t struct_words(struct node *s)
{
    schema_Node_struct_reader r = st(s);
    return add((uint64_t)schema_Node_struct_get_dataWordCount(r) +
                   schema_Node_struct_get_pointerCount(r),
               fields_words(s));
}

/* Whether a capability can travel in a struct s message. */
static bool carries_caps(struct node *s)
{
    schema_Field_reader_list fl = fields_of(s);
    for (uint32_t i = 0; i < schema_Field_list_len(fl); i++) {
        schema_Field_reader f = schema_Field_list_get(fl, i);
        if (is_group(f)) {
            if (carries_caps(group_node(f)))
                return true;
            continue;
        }
        schema_Type_reader t = schema_Field_slot_get_type(schema_Field_get_slot(f));
        while (schema_Type_which(t) == schema_Type_which_list)
            t = schema_Type_list_get_elementType(schema_Type_get_list(t));
        if (is_pointer_type(t) && pointer_kind(t) == P_CAP)
            return true;
        if (schema_Type_which(t) == schema_Type_which_struct && carries_caps(type_node(t)))
            return true;
    }
    return false;
}

/* Bytes of a whole message of struct s (framing, root pointer, content);
 * for a result, with room for the ids of the capabilities that may follow
 * it (at most CAPOS_MAX_XFER). */
static char *bound(struct node *s, bool result)
{
    uint64_t w = add(2, struct_words(s));
    if (w == UNBOUNDED || w > CAPOS_MAX_MSG_BYTES / 8)
        return xstrdup("CAPOS_RPC_UNBOUNDED");
    if (result && carries_caps(s))
        w += CAPOS_MAX_XFER * 4 / 8;
    return fmtstr("%" PRIu64 "u", w * 8);
}

/* ---- Field names and paths ---- */

struct name {
    uint32_t path;
    char *name;  /* "grants.kernel.kind" */
    char *ident; /* "grants_kernel_kind" */
};

struct names {
    struct name *v;
    size_t n;
};

static void add_name(struct names *ns, uint32_t path, char *name)
{
    ns->v = realloc(ns->v, (ns->n + 1) * sizeof(*ns->v));
    if (!ns->v)
        die("out of memory");
    char *id = xstrdup(name);
    for (char *p = id; *p; p++)
        if (*p == '.')
            *p = '_';
    ns->v[ns->n++] = (struct name){path, name, id};
}

/* Every field reachable from `owner`, whose own path is `base` at `level`;
 * group members are named through their group but numbered by their own
 * ordinals, and fields deeper than a path can say are not named. */
static void collect_names(struct names *ns, struct node *owner, uint32_t base, unsigned level,
                          const char *prefix)
{
    schema_Field_reader_list fl = fields_of(owner);
    for (uint32_t i = 0; i < schema_Field_list_len(fl); i++) {
        schema_Field_reader f = schema_Field_list_get(fl, i);
        char *nm = text(schema_Field_get_name(f));
        char *full = prefix ? fmtstr("%s.%s", prefix, nm) : nm;
        if (is_group(f)) {
            collect_names(ns, group_node(f), base, level, full);
            continue;
        }
        struct fld x = slot(owner, f);
        if (level >= CAPOS_RPC_PATH_LEVELS || x.w == schema_Type_which_void)
            continue;
        uint32_t path = base | (x.ord1 << (8 * level));
        add_name(ns, path, full);
        struct node *s = struct_of(x.t);
        if (s)
            collect_names(ns, s, path, level + 1, full);
    }
}

/* ---- C types of argument and result members ---- */

static const char *member_type(const struct fld *x)
{
    switch (x->w) {
    case schema_Type_which_bool:
    case schema_Type_which_int8:
    case schema_Type_which_int16:
    case schema_Type_which_int32:
    case schema_Type_which_int64:
    case schema_Type_which_uint8:
    case schema_Type_which_uint16:
    case schema_Type_which_uint32:
    case schema_Type_which_uint64: return prims[x->w].ctype;
    case schema_Type_which_float32:
    case schema_Type_which_float64:
        return prims[x->w].utype; /* the bits (no float in the kernel) */
    case schema_Type_which_enum: return fmtstr("enum %s", type_name(type_node(x->t)));
    default: break;
    }
    switch (pointer_kind(x->t)) {
    case P_TEXT: return "struct capnp_text";
    case P_DATA: return "struct capnp_data";
    case P_STRUCT: return fmtstr("%s_reader", type_name(type_node(x->t)));
    case P_STRUCT_LIST: return fmtstr("%s_reader_list", type_name(struct_of(x->t)));
    case P_LIST: return "struct capnp_list";
    case P_CAP: return "uint32_t";
    default: die("%s.%s: unsupported type", x->owner->name, x->name);
    }
}

static const char *member_comment(const struct fld *x)
{
    switch (x->w) {
    case schema_Type_which_float32:
    case schema_Type_which_float64: return " /* IEEE-754 bits */";
    case schema_Type_which_text:
    case schema_Type_which_data: return " /* into the message */";
    case schema_Type_which_list:
    case schema_Type_which_struct: return " /* a view of the message */";
    default: return is_pointer_type(x->t) ? " /* capability index */" : "";
    }
}

/* The plain struct of a method's arguments or results (`what`). */
static void emit_plain_struct(struct out *h, struct node *s, const char *tname)
{
    schema_Field_reader_list fl = fields_of(s);
    if (struct_empty(s)) {
        emit(h, "typedef struct capos_rpc_none %s;\n", ident(tname));
        return;
    }
    emit(h, "typedef struct %s {\n", ident(tname));
    for (uint32_t i = 0; i < schema_Field_list_len(fl); i++) {
        struct fld x = slot(s, schema_Field_list_get(fl, i));
        if (x.w != schema_Type_which_void)
            emit(h, "    %s %s;%s\n", member_type(&x), x.name, member_comment(&x));
    }
    emit(h, "} %s;\n", tname);
}

/* ---- Validators ---- */

/* Emits the checks of the elements of list `l` (a struct capnp_list
 * lvalue) of element type e; `depth` numbers nested loop variables. */
static void emit_elements(struct out *o, const char *ind, schema_Type_reader e, const char *l,
                          int depth)
{
    unsigned w = schema_Type_which(e);
    const char *fail = "return capos_rpc_fail(d, p);";
    if (w == schema_Type_which_enum) {
        emit(o, "%sfor (uint32_t i%d = 0; i%d < %s.len; i%d++)\n", ind, depth, depth, l, depth);
        emit(o, "%s    if (capnp_list_get_u16(&%s, i%d) >= %s_COUNT)\n%s        %s\n", ind, l,
             depth, type_name(type_node(e)), ind, fail);
        return;
    }
    if (!is_pointer_type(e))
        return;
    emit(o, "%sfor (uint32_t i%d = 0; i%d < %s.len; i%d++) {\n", ind, depth, depth, l, depth);
    char *in = fmtstr("%s    ", ind);
    switch (pointer_kind(e)) {
    case P_TEXT:
    case P_DATA:
        emit(o, "%s(void)capnp_list_get_%s(&%s, i%d);\n", in,
             pointer_kind(e) == P_TEXT ? "text" : "data", l, depth);
        emit(o, "%sif (!capos_rpc_ok(d))\n%s    %s\n", in, in, fail);
        break;
    case P_CAP:
        emit(o,
             "%sif (!capos_rpc_cap(d, capnp_list_get_cap(&%s, i%d), false) || !capos_rpc_ok(d))\n",
             in, l, depth);
        emit(o, "%s    %s\n", in, fail);
        break;
    case P_STRUCT: {
        emit(o, "%sstruct capnp_struct e%d = capnp_list_get_struct(&%s, i%d);\n", in, depth, l,
             depth);
        emit(o, "%sif (!capos_rpc_ok(d))\n%s    %s\n", in, in, fail);
        emit(o, "%sif (!%s_rpc_check(d, e%d, p, capos_rpc_down(level)))\n%s    return false;\n", in,
             type_name(type_node(e)), depth, in);
        break;
    }
    case P_STRUCT_LIST:
    case P_LIST: {
        schema_Type_reader e2 = schema_Type_list_get_elementType(schema_Type_get_list(e));
        char *l2 = fmtstr("l%d", depth + 1);
        emit(o, "%sstruct capnp_list %s = capnp_list_get_list(&%s, i%d, %s);\n", in, l2, l, depth,
             elem_names[elem_of(e2)]);
        emit(o, "%sif (!capos_rpc_ok(d))\n%s    %s\n", in, in, fail);
        emit_elements(o, in, e2, l2, depth + 1);
        break;
    }
    default: die("unsupported list element");
    }
    emit(o, "%s}\n", ind);
}

/* Emits the checks of one data or pointer field of the struct or group
 * read by `rv`.  Inside, `p` is the field's path. */
static void emit_field_check(struct out *o, const char *ind, const struct fld *x, const char *rv)
{
    const char *O = x->owner->name;
    const char *fail = "return capos_rpc_fail(d, p);";
    bool checked =
        x->w == schema_Type_which_enum || x->has_min || x->has_max || is_pointer_type(x->t);
    if (!checked)
        return;
    emit(o, "%s{\n", ind);
    char *in = fmtstr("%s    ", ind);
    emit(o, "%suint32_t p = capos_rpc_path(base, level, %u);\n", in, x->ord1);
    char *get = fmtstr("%s_get_%s(%s)", O, x->name, rv);
    char *req = x->required ? fmtstr(" || !%s_has_%s(%s)", O, x->name, rv) : xstrdup("");
    if (x->w == schema_Type_which_enum) {
        emit(o, "%sif ((uint32_t)%s >= %s_COUNT)\n%s    %s\n", in, get, type_name(type_node(x->t)),
             in, fail);
    } else if (!is_pointer_type(x->t)) {
        emit(o, "%suint64_t x = %s;\n", in, get);
        char *cond = x->has_min && x->min > 0 ? fmtstr("x < UINT64_C(%" PRIu64 ")", x->min) : 0;
        if (x->has_max)
            cond = fmtstr("%s%sx > UINT64_C(%" PRIu64 ")", cond ? cond : "", cond ? " || " : "",
                          x->max);
        if (cond)
            emit(o, "%sif (%s)\n%s    %s\n", in, cond, in, fail);
        else
            emit(o, "%s(void)x;\n", in);
    } else {
        switch (pointer_kind(x->t)) {
        case P_TEXT:
        case P_DATA: {
            const char *ty = pointer_kind(x->t) == P_TEXT ? "text" : "data";
            if (x->has_max_len) {
                emit(o, "%sstruct capnp_%s x = %s;\n", in, ty, get);
                emit(o, "%sif (!capos_rpc_ok(d)%s || x.len > %uu)\n%s    %s\n", in, req, x->max_len,
                     in, fail);
            } else {
                emit(o, "%s(void)%s;\n", in, get);
                emit(o, "%sif (!capos_rpc_ok(d)%s)\n%s    %s\n", in, req, in, fail);
            }
            break;
        }
        case P_CAP:
            emit(o, "%suint32_t x = %s;\n", in, get);
            emit(o, "%sif (!capos_rpc_ok(d) || !capos_rpc_cap(d, x, %s))\n%s    %s\n", in,
                 x->required ? "true" : "false", in, fail);
            break;
        case P_STRUCT: {
            const char *T = type_name(type_node(x->t));
            emit(o, "%s%s_reader x = %s;\n", in, T, get);
            emit(o, "%sif (!capos_rpc_ok(d)%s)\n%s    %s\n", in, req, in, fail);
            emit(o, "%sif (!%s_rpc_check(d, x.s, p, capos_rpc_down(level)))\n%s    return false;\n",
                 in, T, in);
            break;
        }
        case P_STRUCT_LIST:
        case P_LIST: {
            bool sl = pointer_kind(x->t) == P_STRUCT_LIST;
            emit(o, "%s%s x = %s;\n", in,
                 sl ? fmtstr("%s_reader_list", type_name(struct_of(x->t))) : "struct capnp_list",
                 get);
            const char *l = sl ? "x.l" : "x";
            char *len = x->has_max_len ? fmtstr(" || %s.len > %uu", l, x->max_len) : xstrdup("");
            emit(o, "%sif (!capos_rpc_ok(d)%s%s)\n%s    %s\n", in, req, len, in, fail);
            emit_elements(o, in, schema_Type_list_get_elementType(schema_Type_get_list(x->t)), l,
                          0);
            break;
        }
        default: die("%s.%s: unsupported type", O, x->name);
        }
    }
    emit(o, "%s}\n", ind);
}

static bool needs_reader(struct node *owner);

/* Whether checking field f of owner emits anything (so that unused
 * group readers are not declared). */
static bool field_checked(struct node *owner, schema_Field_reader f)
{
    if (is_group(f))
        return needs_reader(group_node(f)) ||
               schema_Node_struct_get_discriminantCount(st(group_node(f)));
    struct fld x = slot(owner, f);
    return x.w == schema_Type_which_enum || x.has_min || x.has_max || is_pointer_type(x.t);
}

static bool needs_reader(struct node *owner)
{
    if (schema_Node_struct_get_discriminantCount(st(owner)))
        return true;
    schema_Field_reader_list fl = fields_of(owner);
    for (uint32_t i = 0; i < schema_Field_list_len(fl); i++) {
        if (field_checked(owner, schema_Field_list_get(fl, i)))
            return true;
    }
    return false;
}

static void emit_owner_checks(struct out *o, const char *ind, struct node *owner, const char *rv,
                              int *groups);

static void emit_one(struct out *o, const char *ind, struct node *owner, schema_Field_reader f,
                     const char *rv, int *groups)
{
    if (!field_checked(owner, f))
        return;
    if (is_group(f)) {
        struct node *g = group_node(f);
        char *gv = fmtstr("g%d", (*groups)++);
        emit(o, "%s{\n%s    %s_reader %s = %s_get_%s(%s);\n", ind, ind, g->name, gv, owner->name,
             text(schema_Field_get_name(f)), rv);
        emit_owner_checks(o, fmtstr("%s    ", ind), g, gv, groups);
        emit(o, "%s}\n", ind);
        return;
    }
    struct fld x = slot(owner, f);
    emit_field_check(o, ind, &x, rv);
}

/* Checks of every field of a struct or group: the plain ones, then the
 * active member of its union (an unknown member is refused). */
static void emit_owner_checks(struct out *o, const char *ind, struct node *owner, const char *rv,
                              int *groups)
{
    schema_Field_reader_list fl = fields_of(owner);
    for (uint32_t i = 0; i < schema_Field_list_len(fl); i++) {
        schema_Field_reader f = schema_Field_list_get(fl, i);
        if (!in_union(f))
            emit_one(o, ind, owner, f, rv, groups);
    }
    if (!schema_Node_struct_get_discriminantCount(st(owner)))
        return;
    emit(o, "%sswitch (%s_which(%s)) {\n", ind, owner->name, rv);
    for (uint32_t i = 0; i < schema_Field_list_len(fl); i++) {
        schema_Field_reader f = schema_Field_list_get(fl, i);
        if (!in_union(f))
            continue;
        emit(o, "%scase %s_which_%s:\n", ind, owner->name, text(schema_Field_get_name(f)));
        emit_one(o, fmtstr("%s    ", ind), owner, f, rv, groups);
        emit(o, "%s    break;\n", ind);
    }
    emit(o,
         "%sdefault:\n%s    return capos_rpc_fail(d, capos_rpc_path(base, level, "
         "CAPOS_RPC_UNKNOWN_FIELD));\n%s}\n",
         ind, ind, ind);
}

static void emit_validator(struct out *h, struct out *c, struct node *s)
{
    const char *S = s->name;
    schema_Node_struct_reader r = st(s);
    uint32_t words = schema_Node_struct_get_dataWordCount(r);
    uint32_t ptrs = schema_Node_struct_get_pointerCount(r);
    char *fn = (char *)ident(fmtstr("%s_rpc_check", S));
    emit(
        h,
        "bool %s(struct capos_rpc_dec *d, struct capnp_struct s, uint32_t base, unsigned level);\n",
        fn);

    emit(c,
         "\n/* %s: everything its fields can hold; failures name the field by its path below\n"
         " * `base` (the struct's own path, `level` levels deep). */\n",
         S);
    emit(c,
         "bool %s(struct capos_rpc_dec *d, struct capnp_struct s, uint32_t base, unsigned "
         "level)\n{\n",
         fn);
    if (words) {
        uint64_t *m = xmalloc(words * sizeof(uint64_t));
        known_bits(s, m, words);
        emit(c, "    static const uint64_t known[%u] = {", words);
        for (uint32_t i = 0; i < words; i++)
            emit(c, "%sUINT64_C(0x%016" PRIx64 ")", i ? ", " : "", m[i]);
        emit(c, "};\n");
    }
    emit(c, "    if (d->strict && !capos_rpc_known(d, &s, %s, %u, %u))\n", words ? "known" : "0",
         words, ptrs);
    emit(c, "        return capos_rpc_fail(d, capos_rpc_path(base, level, "
            "CAPOS_RPC_UNKNOWN_FIELD));\n");
    if (needs_reader(s)) {
        int groups = 0;
        emit(c, "    %s_reader v = {s};\n", S);
        emit_owner_checks(c, "    ", s, "v", &groups);
    }
    emit(c, "    return true;\n}\n");
}

/* ---- Decoders and encoders of a method's two structs ---- */

/* Statements reading every member of struct s (reader `rv`) into `dst`. */
static void emit_extract(struct out *o, struct node *s, const char *rv, const char *dst)
{
    schema_Field_reader_list fl = fields_of(s);
    for (uint32_t i = 0; i < schema_Field_list_len(fl); i++) {
        struct fld x = slot(s, schema_Field_list_get(fl, i));
        if (x.w == schema_Type_which_void)
            continue;
        bool fl_ = x.w == schema_Type_which_float32 || x.w == schema_Type_which_float64;
        emit(o, "    %s->%s = %s_get_%s%s(%s);\n", dst, x.name, s->name, x.name, fl_ ? "_bits" : "",
             rv);
    }
}

static void emit_encode_body(struct out *o, struct node *s, const char *src)
{
    schema_Field_reader_list fl = fields_of(s);
    for (uint32_t i = 0; i < schema_Field_list_len(fl); i++) {
        struct fld x = slot(s, schema_Field_list_get(fl, i));
        if (x.w == schema_Type_which_void)
            continue;
        const char *S = s->name;
        if (!is_pointer_type(x.t)) {
            bool fl_ = x.w == schema_Type_which_float32 || x.w == schema_Type_which_float64;
            emit(o, "        %s_set_%s%s(b_, %s->%s);\n", S, x.name, fl_ ? "_bits" : "", src,
                 x.name);
            continue;
        }
        switch (pointer_kind(x.t)) {
        case P_TEXT:
            emit(o, "        if (%s->%s.str)\n            %s_set_%s(b_, %s->%s.str, %s->%s.len);\n",
                 src, x.name, S, x.name, src, x.name, src, x.name);
            break;
        case P_DATA:
            emit(o, "        if (%s->%s.ptr)\n            %s_set_%s(b_, %s->%s.ptr, %s->%s.len);\n",
                 src, x.name, S, x.name, src, x.name, src, x.name);
            break;
        default: /* capability index, or a copy of a view */
            emit(o, "        %s_set_%s(b_, %s->%s);\n", S, x.name, src, x.name);
            break;
        }
    }
}

/* `decode`: <M>_decode_args (strict, from a call) or <M>_decode_results. */
static void emit_decoder(struct out *h, struct out *c, struct method *m, bool args)
{
    struct node *s = args ? m->params : m->results;
    const char *what = args ? "args" : "results";
    char *fn = (char *)ident(fmtstr("%s_decode_%s", m->N, what));
    char *ty = fmtstr("%s_%s", m->N, what);
    if (args) {
        emit(h, "bool %s(struct capnp_reader *r, struct capos_rpc_call *rc, %s *a);\n", fn, ty);
        emit(c, "\nbool %s(struct capnp_reader *r, struct capos_rpc_call *rc, %s *a)\n{\n", fn, ty);
        emit(c, "    struct capos_rpc_dec d;\n    struct capnp_struct s;\n");
        emit(
            c,
            "    if (!capos_rpc_open(&d, r, rc->params, rc->params_len, rc->ncaps, true, &s) ||\n");
        emit(c, "        !%s_rpc_check(&d, s, 0, 0) || !capos_rpc_close(&d)) {\n", s->name);
        emit(c, "        rc->detail = CAPOS_RPC_DETAIL(CAPOS_DETAIL_PARAMS, d.fail);\n");
    } else {
        emit(
            h,
            "bool %s(struct capnp_reader *r, const void *msg, uint32_t len, uint32_t ncaps, %s *a, "
            "uint32_t *detail);\n",
            fn, ty);
        emit(c,
             "\nbool %s(struct capnp_reader *r, const void *msg, uint32_t len, uint32_t ncaps, %s "
             "*a,\n"
             "    uint32_t *detail)\n{\n",
             fn, ty);
        emit(c, "    struct capos_rpc_dec d;\n    struct capnp_struct s;\n");
        emit(c, "    if (!capos_rpc_open(&d, r, msg, len, ncaps, false, &s) ||\n");
        emit(c, "        !%s_rpc_check(&d, s, 0, 0) || !capos_rpc_close(&d)) {\n", s->name);
        emit(c, "        *detail = CAPOS_RPC_DETAIL(CAPOS_DETAIL_RESULTS, d.fail);\n");
    }
    emit(c, "        return false;\n    }\n");
    if (struct_empty(s)) {
        emit(c, "    (void)a;\n");
    } else {
        emit(c, "    %s_reader v = {s};\n", s->name);
        emit_extract(c, s, "v", "a");
    }
    emit(c, "    return true;\n}\n");
}

static void emit_encoder(struct out *h, struct out *c, struct method *m, bool args)
{
    struct node *s = args ? m->params : m->results;
    const char *what = args ? "args" : "results";
    char *fn = (char *)ident(fmtstr("%s_encode_%s", m->N, what));
    emit(h, "%s_builder %s(struct capnp_builder *b, const %s_%s *a);\n", s->name, fn, m->N, what);
    emit(c, "\n%s_builder %s(struct capnp_builder *b, const %s_%s *a)\n{\n", s->name, fn, m->N,
         what);
    emit(c, "    %s_builder b_ = %s_init_root(b);\n", s->name, s->name);
    if (struct_empty(s)) {
        emit(c, "    (void)a;\n");
    } else {
        emit(c, "    if (a) {\n");
        emit_encode_body(c, s, "a");
        emit(c, "    }\n");
    }
    emit(c, "    return b_;\n}\n");
}

/* Whether a method's results point into the result buffer. */
static bool results_need_buf(struct method *m)
{
    if (m->no_results)
        return false;
    schema_Field_reader_list fl = fields_of(m->results);
    for (uint32_t i = 0; i < schema_Field_list_len(fl); i++) {
        struct fld x = slot(m->results, schema_Field_list_get(fl, i));
        if (is_pointer_type(x.t) && pointer_kind(x.t) != P_CAP)
            return true;
    }
    return false;
}

/* Whether some parameters are lists or structs, which the argument struct
 * holds only as views: a caller builds those in place (N_call_built). */
static bool params_hold_views(struct method *m)
{
    schema_Field_reader_list fl = fields_of(m->params);
    for (uint32_t i = 0; i < schema_Field_list_len(fl); i++) {
        struct fld x = slot(m->params, schema_Field_list_get(fl, i));
        if (x.w == schema_Type_which_list || x.w == schema_Type_which_struct)
            return true;
    }
    return false;
}

static void emit_stubs(struct out *h, struct out *c, struct method *m)
{
    const char *N = m->N, *I = m->iface->name;
    const char *A = fmtstr("%s_args", N), *R = fmtstr("%s_results", N);
    bool need_buf = results_need_buf(m);

    /* submit */
    emit(h,
         "int %s(uint32_t cap, const %s *in, struct capnp_builder *b, struct capos_rpc_opts *o, "
         "uint64_t *cookie);\n",
         ident(fmtstr("%s_submit", N)), A);
    emit(c,
         "\nint %s_submit(uint32_t cap, const %s *in, struct capnp_builder *b, struct "
         "capos_rpc_opts *o,\n"
         "    uint64_t *cookie)\n{\n",
         N, A);
    if (m->no_args) {
        /* Nothing to say: no message at all (the decoder reads it as the
         * empty struct), so neither side spends anything on one. */
        emit(c, "    (void)in, (void)b;\n");
        emit(c, "    return capos_rpc_send(cap, %s_INTERFACE_ID, %s_method_%s, 0, o, cookie);\n}\n",
             I, I, m->name);
    } else {
        emit(c, "    %s_encode_args(b, in);\n", N);
        emit(c, "    return capos_rpc_send(cap, %s_INTERFACE_ID, %s_method_%s, b, o, cookie);\n}\n",
             I, I, m->name);
    }

    /* complete */
    emit(h, "int %s(const struct capos_cqe *c, %s *out, struct capos_rpc_opts *o);\n",
         ident(fmtstr("%s_complete", N)), R);
    emit(c, "\nint %s_complete(const struct capos_cqe *c, %s *out, struct capos_rpc_opts *o)\n{\n",
         N, R);
    emit(c, "    int err = capos_rpc_recv(c, o);\n");
    if (m->no_results) {
        emit(c, "    (void)out;\n    return err;\n}\n");
    } else {
        emit(c, "    if (err != CAPOS_OK || !out)\n        return err;\n");
        emit(c, "    if (!o)\n        return CAPOS_ERR_INVALID_ARGUMENT; /* the result went "
                "nowhere */\n");
        emit(c,
             "    if (!%s_decode_results(&o->msg, o->buf, c->result_len, c->ncaps, out, "
             "&o->detail))\n",
             N);
        emit(c, "        return capos_rpc_bad_result(o);\n");
        schema_Field_reader_list fl = fields_of(m->results);
        for (uint32_t i = 0; i < schema_Field_list_len(fl); i++) {
            struct fld x = slot(m->results, schema_Field_list_get(fl, i));
            if (is_pointer_type(x.t) && pointer_kind(x.t) == P_CAP)
                emit(c, "    out->%s = capos_rpc_cap_id(o, out->%s);\n", x.name, x.name);
        }
        emit(c, "    return CAPOS_OK;\n}\n");
    }

    /* call */
    emit(h, "int %s(uint32_t cap, const %s *in, %s *out, struct capos_rpc_opts *o);\n",
         ident(fmtstr("%s_call", N)), A, R);
    emit(c, "\nint %s_call(uint32_t cap, const %s *in, %s *out, struct capos_rpc_opts *o)\n{\n", N,
         A, R);
    if (!m->no_args)
        emit(c, "    uint64_t arena[%s_ARENA_WORDS];\n", N);
    emit(c, "    uint64_t res[%s];\n", need_buf ? "1" : fmtstr("%s_RESULT_BYTES / 8", N));
    emit(c, "    struct capos_rpc_sync s;\n    struct capos_cqe c;\n    uint64_t cookie;\n");
    emit(c, "    int err = capos_rpc_sync_begin(&s, o, %s, res, sizeof(res), %s);\n",
         m->no_args ? "0, 0" : "arena, sizeof(arena)", need_buf ? "true" : "false");
    emit(c, "    if (err == CAPOS_OK)\n        err = %s_submit(cap, in, &s.b, s.o, &cookie);\n", N);
    emit(c, "    if (err == CAPOS_OK)\n        err = capos_rpc_wait(cookie, &c);\n");
    emit(c, "    if (err == CAPOS_OK)\n        err = %s_complete(&c, out, s.o);\n", N);
    emit(c, "    capos_rpc_sync_end(&s, o);\n    return err;\n}\n");

    /* call_built: parameters with lists or structs, built in place */
    if (!params_hold_views(m))
        return;
    emit(h, "int %s(uint32_t cap, struct capnp_builder *b, %s *out, struct capos_rpc_opts *o);\n",
         ident(fmtstr("%s_call_built", N)), R);
    emit(
        c,
        "\nint %s_call_built(uint32_t cap, struct capnp_builder *b, %s *out, struct capos_rpc_opts "
        "*o)\n{\n",
        N, R);
    emit(c, "    uint64_t res[%s];\n", need_buf ? "1" : fmtstr("%s_RESULT_BYTES / 8", N));
    emit(c, "    struct capos_rpc_sync s;\n    struct capos_cqe c;\n    uint64_t cookie;\n");
    emit(c, "    int err = capos_rpc_sync_begin(&s, o, 0, 0, res, sizeof(res), %s);\n",
         need_buf ? "true" : "false");
    emit(c, "    if (err == CAPOS_OK)\n");
    emit(c, "        err = capos_rpc_send(cap, %s_INTERFACE_ID, %s_method_%s, b, s.o, &cookie);\n",
         I, I, m->name);
    emit(c, "    if (err == CAPOS_OK)\n        err = capos_rpc_wait(cookie, &c);\n");
    emit(c, "    if (err == CAPOS_OK)\n        err = %s_complete(&c, out, s.o);\n", N);
    emit(c, "    capos_rpc_sync_end(&s, o);\n    return err;\n}\n");
}

/* ---- Server dispatch ---- */

/* The interface and its superclasses, each once, nearest first. */
static size_t family(struct node *n, struct node **out, size_t k)
{
    for (size_t i = 0; i < k; i++) {
        if (out[i] == n)
            return k;
    }
    out[k++] = n;
    schema_Superclass_reader_list sup =
        schema_Node_interface_get_superclasses(schema_Node_get_interface(n->r));
    for (uint32_t i = 0; i < schema_Superclass_list_len(sup); i++) {
        if (k == 64)
            die("%s: too many superclasses", n->name);
        struct node *s = need(schema_Superclass_get_id(schema_Superclass_list_get(sup, i)));
        if (s->file != n->file)
            die("%s extends %s of another file; its dispatch cannot include that file's methods",
                n->name, type_name(s));
        k = family(s, out, k);
    }
    return k;
}

/* A line of a macro body: padded, with its continuation. */
static void mline(struct out *o, const char *s)
{
    emit(o, "%-111s\\\n", s);
}

static void emit_dispatch(struct out *h, struct node *iface)
{
    struct node *fam[64];
    size_t nf = family(iface, fam, 0);
    const char *I = iface->name;
    char **acts = 0;
    size_t nacts = 0;

    emit(h, "\n/*\n * %s_SERVER(P, OBJ, CALL) declares the acting functions of a server of %s\n", I,
         I);
    emit(h, " * (and of its superclasses) and defines its dispatch:\n *\n");
    for (size_t f = 0; f < nf; f++) {
        for (size_t i = 0; i < nmethods; i++) {
            if (methods[i].iface == fam[f])
                emit(h, " *   static int P_%s(OBJ *obj, CALL *call, const %s_args *args);\n",
                     methods[i].name, methods[i].N);
        }
    }
    emit(h, " *   static int P_dispatch(OBJ *obj, CALL *call);\n *\n");
    emit(h, " * Use it at file scope, followed by `;`.  CALL has a member `struct\n"
            " * capos_rpc_call rpc` describing the call.  The dispatch refuses other\n"
            " * interfaces (wrongInterface) and unknown methods (unknownMethod), decodes\n"
            " * and checks the parameters (invalidArgument, with call->rpc.detail naming\n"
            " * the field) and returns what the acting function returns.  A missing\n"
            " * acting function is a compile-time error.\n */\n");
    mline(h, fmtstr("#define %s(P, OBJ, CALL)", ident(fmtstr("%s_SERVER", I))));
    for (size_t f = 0; f < nf; f++) {
        for (size_t i = 0; i < nmethods; i++) {
            struct method *m = &methods[i];
            if (m->iface != fam[f])
                continue;
            for (size_t k = 0; k < nacts; k++) {
                if (!strcmp(acts[k], m->name))
                    die("%s: two methods named %s (in its superclasses); their acting functions "
                        "would clash",
                        I, m->name);
            }
            acts = realloc(acts, (nacts + 1) * sizeof(*acts));
            if (!acts)
                die("out of memory");
            acts[nacts++] = (char *)m->name;
            mline(h, fmtstr("    static int P##_%s(OBJ *obj, CALL *call, const %s_args *args);",
                            m->name, m->N));
        }
    }
    mline(h, "    static int P##_dispatch(OBJ *obj, CALL *call)");
    mline(h, "    {");
    if (nacts)
        mline(h, "        struct capnp_reader r;");
    mline(h, "        switch (call->rpc.interface_id) {");
    for (size_t f = 0; f < nf; f++) {
        mline(h, fmtstr("        case %s_INTERFACE_ID:", fam[f]->name));
        mline(h, "            switch (call->rpc.method) {");
        for (size_t i = 0; i < nmethods; i++) {
            struct method *m = &methods[i];
            if (m->iface != fam[f])
                continue;
            mline(h, fmtstr("            case %s_method_%s: {", m->iface->name, m->name));
            mline(h, fmtstr("                %s_args a;", m->N));
            mline(h, fmtstr("                if (!%s_decode_args(&r, &call->rpc, &a))", m->N));
            mline(h, "                    return CAPOS_ERR_INVALID_ARGUMENT;");
            mline(h, fmtstr("                return P##_%s(obj, call, &a);", m->name));
            mline(h, "            }");
        }
        mline(h, "            default:");
        mline(h, "                return CAPOS_ERR_UNKNOWN_METHOD;");
        mline(h, "            }");
    }
    mline(h, "        default:");
    mline(h, "            return CAPOS_ERR_WRONG_INTERFACE;");
    mline(h, "        }");
    mline(h, "    }");
    /* Ends the expansion in a declaration, so that a use ends in `;`. */
    mline(h, "    _Static_assert(sizeof(((CALL *)0)->rpc) == sizeof(struct capos_rpc_call),");
    emit(h, "                   \"CALL has a member `struct capos_rpc_call rpc`\")\n");
}

/* ---- The file ---- */

static void emit_names(struct out *c, struct method *m, struct names *pn, struct names *rn)
{
    for (int k = 0; k < 2; k++) {
        struct names *ns = k ? rn : pn;
        if (!ns->n)
            continue;
        emit(c, "static const struct capos_rpc_field %s[%zu] = {\n",
             ident(fmtstr("%s_%s_names", m->N, k ? "result" : "param")), ns->n);
        for (size_t i = 0; i < ns->n; i++)
            emit(c, "    {0x%" PRIx32 "u, \"%s\"},\n", ns->v[i].path, ns->v[i].name);
        emit(c, "};\n");
    }
}

static void emit_thunks(struct out *c, struct method *m)
{
    const char *N = m->N;
    emit(c, "\nstatic bool %s(struct capnp_reader *r, struct capos_rpc_call *rc, void *a)\n{\n",
         ident(fmtstr("%s_decode_args_any", N)));
    emit(c, "    return %s_decode_args(r, rc, a);\n}\n", N);
    emit(c, "static void %s(struct capnp_builder *b, const void *a)\n{\n",
         ident(fmtstr("%s_encode_args_any", N)));
    emit(c, "    %s_encode_args(b, a);\n}\n", N);
    if (m->no_results)
        return;
    emit(c,
         "static bool %s(struct capnp_reader *r, const void *msg, uint32_t len, uint32_t ncaps,\n"
         "    void *res, uint32_t *detail)\n{\n",
         ident(fmtstr("%s_decode_results_any", N)));
    emit(c, "    return %s_decode_results(r, msg, len, ncaps, res, detail);\n}\n", N);
    emit(c, "static void %s(struct capnp_builder *b, const void *res)\n{\n",
         ident(fmtstr("%s_encode_results_any", N)));
    emit(c, "    %s_encode_results(b, res);\n}\n", N);
}

void generate_rpc(struct node *file, struct out *h, struct out *server, struct out *client)
{
    const char *base = file->base;
    collect_methods(file);
    /* Parameters first: the structs found then are what servers check;
     * those only results carry are for clients alone. */
    for (size_t i = 0; i < nmethods; i++)
        carry(methods[i].params);
    size_t nparams_carried = ncarried;
    for (size_t i = 0; i < nmethods; i++) {
        if (methods[i].results)
            carry(methods[i].results);
    }

    char *guard = fmtstr("CAPOS_GEN_%s_RPC_H", base);
    for (char *p = guard; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    emit(h, "#ifndef %s\n#define %s\n\n#include \"%s.capnp.h\"\n#include \"rpc/rpc.h\"\n", guard,
         guard, base);

    emit(server, "#include \"%s.rpc.h\"\n", base);
    emit(client, "#include \"%s.rpc.h\"\n", base);

    /* Per method: types, field ids, bounds, prototypes. */
    struct names *pnames = xmalloc((nmethods ? nmethods : 1) * sizeof(*pnames));
    struct names *rnames = xmalloc((nmethods ? nmethods : 1) * sizeof(*rnames));
    for (size_t i = 0; i < nmethods; i++) {
        struct method *m = &methods[i];
        emit(h, "\n/* ---- %s.%s (method %u) ---- */\n\n", m->iface->name + strlen(base) + 1,
             m->name, m->ordinal);
        emit_plain_struct(h, m->params, fmtstr("%s_args", m->N));
        if (m->results)
            emit_plain_struct(h, m->results, fmtstr("%s_results", m->N));
        else
            emit(h, "typedef struct capos_rpc_none %s;\n", ident(fmtstr("%s_results", m->N)));
        collect_names(&pnames[i], m->params, 0, 0, 0);
        if (m->results)
            collect_names(&rnames[i], m->results, 0, 0, 0);
        if (pnames[i].n) {
            emit(h, "/* Field ids of the parameters (what a detail names). */\n");
            for (size_t k = 0; k < pnames[i].n; k++)
                emit(h, "#define %s 0x%" PRIx32 "u\n",
                     ident(fmtstr("%s_field_%s", m->N, pnames[i].v[k].ident)), pnames[i].v[k].path);
        }
        char *pb = bound(m->params, false);
        char *rb = m->no_results ? xstrdup("16u") : bound(m->results, true);
        emit(
            h,
            "/* Largest parameter message and result buffer (CAPOS_RPC_UNBOUNDED: no bound). */\n");
        emit(h, "#define %s %s\n", ident(fmtstr("%s_PARAMS_BYTES", m->N)), pb);
        emit(h, "#define %s %s\n", ident(fmtstr("%s_RESULT_BYTES", m->N)), rb);
        /* The sync stub's own arena: the bound if it is small enough. */
        uint32_t aw = CAPOS_RPC_ARENA_BYTES / 8;
        if (strcmp(pb, "CAPOS_RPC_UNBOUNDED")) {
            uint32_t b = (uint32_t)strtoul(pb, 0, 10);
            if (b <= CAPOS_RPC_STUB_MAX_BYTES)
                aw = b / 8;
        }
        emit(h, "#define %s %uu\n", ident(fmtstr("%s_ARENA_WORDS", m->N)), aw);
        /* server */
        emit_decoder(h, server, m, true);
        if (!m->no_results)
            emit_encoder(h, server, m, false);
        /* client */
        emit_encoder(h, client, m, true);
        if (!m->no_results)
            emit_decoder(h, client, m, false);
        emit_stubs(h, client, m);
    }

    /* Validators of every struct a method carries: a server links those
     * of parameters, a client all. */
    emit(h, "\n/* ---- Validators (shared by decoders of both directions) ---- */\n\n");
    for (size_t i = 0; i < ncarried; i++)
        emit_validator(h, i < nparams_carried ? server : client, carried[i]);

    /* Dispatch per interface. */
    for (size_t i = 0; i < nordered; i++) {
        struct node *n = ordered[i];
        if (n->file == file->id && schema_Node_which(n->r) == schema_Node_which_interface)
            emit_dispatch(h, n);
    }

    /* Names. */
    emit(client, "\n/* ---- Field names ---- */\n\n");
    for (size_t i = 0; i < nmethods; i++)
        emit_names(client, &methods[i], &pnames[i], &rnames[i]);
    char *tab = (char *)ident(fmtstr("%s_rpc_names", base));
    emit(h, "\n/* The field names of every method here, for capos_rpc_detail_format. */\n");
    emit(h, "extern const struct capos_rpc_method_names %s[%zu];\n", tab, nmethods ? nmethods : 1);
    emit(client, "\nconst struct capos_rpc_method_names %s[%zu] = {\n", tab,
         nmethods ? nmethods : 1);
    for (size_t i = 0; i < nmethods; i++) {
        struct method *m = &methods[i];
        emit(client, "    {%s_INTERFACE_ID, %s_method_%s, %zu, %zu, %s, %s},\n", m->iface->name,
             m->iface->name, m->name, pnames[i].n, rnames[i].n,
             pnames[i].n ? fmtstr("%s_param_names", m->N) : "0",
             rnames[i].n ? fmtstr("%s_result_names", m->N) : "0");
    }
    emit(client, "};\n");

    /* The method table: every method's message layer behind one signature. */
    emit(client,
         "\n/* ---- Every method's message layer, for generic code (tests, fuzzing) ---- */\n");
    for (size_t i = 0; i < nmethods; i++)
        emit_thunks(client, &methods[i]);
    char *mt = (char *)ident(fmtstr("%s_rpc_methods", base));
    emit(h, "/* Every method's message layer behind one signature (for tests and fuzzing). */\n");
    emit(h, "extern const struct capos_rpc_method %s[%zu];\n", mt, nmethods ? nmethods : 1);
    emit(client, "\nconst struct capos_rpc_method %s[%zu] = {\n", mt, nmethods ? nmethods : 1);
    for (size_t i = 0; i < nmethods; i++) {
        struct method *m = &methods[i];
        bool res = !m->no_results;
        emit(
            client,
            "    {%s_INTERFACE_ID, %s_method_%s, \"%s.%s\", sizeof(%s_args), sizeof(%s_results),\n",
            m->iface->name, m->iface->name, m->name, m->iface->name + strlen(base) + 1, m->name,
            m->N, m->N);
        emit(client, "     %s, %s_decode_args_any, %s_encode_args_any, %s%s, %s%s},\n",
             m->no_args ? "true" : "false", m->N, m->N, res ? m->N : "0",
             res ? "_decode_results_any" : "", res ? m->N : "0", res ? "_encode_results_any" : "");
    }
    emit(client, "};\n");
    emit(h, "\n#endif\n");
}
