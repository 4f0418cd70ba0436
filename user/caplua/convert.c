/*
 * Lua values <-> Cap'n Proto messages, driven by the schema descriptors
 * (lib/capdesc): no code per interface.
 *
 *   Bool            boolean
 *   integers        integer (a float with an integral value is accepted);
 *                   UInt64 values of 2^63 and above are negative integers,
 *                   as Lua has no unsigned type; other widths are range
 *                   checked
 *   Float32/64      number
 *   enum            its enumerant's name (an integer is accepted when
 *                   encoding; a value the schema does not know decodes as
 *                   an integer)
 *   Text, Data      string
 *   struct, group   table keyed by field name
 *   List(T)         sequence 1..n
 *   interface       capability object (a null one is nil)
 *   union           only the active member is in the table; encoding sets
 *                   the member given, and giving two is an error
 *   Void            true
 *
 * Encoding reads tables with raw access only (no metamethod runs inside a
 * conversion), refuses unknown field names, and stops at the first error
 * with a Lua error naming the method and the field path.  Nesting is
 * bounded by CONV_DEPTH when encoding and by the reader's nesting limit
 * when decoding, so a self-referencing table or message cannot recurse
 * without end.  A pointer field's schema default is not carried (it reads
 * as null: no field of schema/capos.capnp has one).
 */
#include <string.h>

#include "caplua.h"
#include "lauxlib.h"

#define CONV_DEPTH 64

#define S          CAPLUA_SCHEMA

static const struct capdesc_type *type_at(uint16_t t)
{
    return &S->types[t];
}

/* ---- encoding ---- */

struct enc {
    lua_State *L;
    struct caplua_conv *c;
    struct capnp_builder *b;
    const char *path[CONV_DEPTH + 1];
    int depth;
};

__attribute__((noreturn)) static void enc_fail(struct enc *e, const char *why)
{
    lua_State *L = e->L;
    luaL_Buffer buf;
    luaL_buffinit(L, &buf);
    luaL_addstring(&buf, e->c->iface);
    luaL_addchar(&buf, '.');
    luaL_addstring(&buf, e->c->method);
    luaL_addstring(&buf, ": ");
    for (int i = 0; i < e->depth; i++) {
        if (i)
            luaL_addchar(&buf, '.');
        luaL_addstring(&buf, e->path[i]);
    }
    if (e->depth)
        luaL_addstring(&buf, ": ");
    luaL_addstring(&buf, why);
    luaL_pushresult(&buf);
    lua_error(L);
    __builtin_unreachable();
}

static void enc_room(struct enc *e)
{
    enum capnp_err err = capnp_builder_error(e->b);
    if (err == CAPNP_ERR_NO_SPACE || err == CAPNP_ERR_TOO_LARGE)
        enc_fail(e, "the message does not fit (at most 64 KiB)");
    if (err != CAPNP_OK)
        enc_fail(e, capnp_strerror(err));
}

static int64_t enc_integer(struct enc *e, int idx)
{
    int ok;
    lua_Integer v = lua_tointegerx(e->L, idx, &ok);
    if (!ok || lua_type(e->L, idx) != LUA_TNUMBER)
        enc_fail(e, lua_type(e->L, idx) == LUA_TNUMBER ? "an integral number expected"
                                                       : "an integer expected");
    return v;
}

/* The wire bits of a primitive value at idx, range checked. */
static uint64_t enc_bits(struct enc *e, int idx, const struct capdesc_type *t)
{
    lua_State *L = e->L;
    int64_t v;
    switch (t->kind) {
    case CAPDESC_VOID: return 0;
    case CAPDESC_BOOL:
        if (lua_type(L, idx) != LUA_TBOOLEAN)
            enc_fail(e, "a boolean expected");
        return (uint64_t)lua_toboolean(L, idx);
    case CAPDESC_INT8:
    case CAPDESC_INT16:
    case CAPDESC_INT32: {
        unsigned bits = capdesc_bits(t->kind);
        v = enc_integer(e, idx);
        int64_t lim = (int64_t)1 << (bits - 1);
        if (v < -lim || v >= lim)
            enc_fail(e, "integer out of range");
        return (uint64_t)v & ((UINT64_C(1) << bits) - 1);
    }
    case CAPDESC_UINT8:
    case CAPDESC_UINT16:
    case CAPDESC_UINT32: {
        unsigned bits = capdesc_bits(t->kind);
        v = enc_integer(e, idx);
        if (v < 0 || (uint64_t)v >= (UINT64_C(1) << bits))
            enc_fail(e, "integer out of range");
        return (uint64_t)v;
    }
    case CAPDESC_INT64:
    case CAPDESC_UINT64: return (uint64_t)enc_integer(e, idx);
    case CAPDESC_FLOAT32: {
        if (lua_type(L, idx) != LUA_TNUMBER)
            enc_fail(e, "a number expected");
        float f = (float)lua_tonumber(L, idx);
        uint32_t u;
        memcpy(&u, &f, sizeof(u));
        return u;
    }
    case CAPDESC_FLOAT64: {
        if (lua_type(L, idx) != LUA_TNUMBER)
            enc_fail(e, "a number expected");
        double d = lua_tonumber(L, idx);
        uint64_t u;
        memcpy(&u, &d, sizeof(u));
        return u;
    }
    case CAPDESC_ENUM: {
        const struct capdesc_enum *en = &S->enums[t->ref];
        if (lua_type(L, idx) == LUA_TSTRING) {
            size_t len;
            const char *s = lua_tolstring(L, idx, &len);
            int32_t k = capdesc_enum_value(S, en, s, len);
            if (k < 0)
                enc_fail(e, lua_pushfstring(L, "not a %s: '%s'", en->name, s));
            return (uint64_t)k;
        }
        if (lua_type(L, idx) != LUA_TNUMBER)
            enc_fail(e, "an enumerant name expected");
        v = enc_integer(e, idx);
        if (v < 0 || v > 0xffff)
            enc_fail(e, "enum value out of range");
        return (uint64_t)v;
    }
    default: enc_fail(e, "not a value type");
    }
}

static void enc_struct(struct enc *e, int idx, const struct capdesc_struct *sd,
                       struct capnp_struct_builder sb);
static void enc_list(struct enc *e, int idx, uint16_t elem_type, struct capnp_ptr_builder p);

static uint32_t enc_cap(struct enc *e, int idx)
{
    struct caplua_obj *o = caplua_to_object(e->L, idx);
    if (!o)
        enc_fail(e, "a capability object expected");
    if (!o->cap)
        enc_fail(e, "the object was released");
    struct caplua_conv *c = e->c;
    if (c->nxfer == CAPOS_MAX_XFER)
        enc_fail(e, "more than 16 capabilities in one call");
    c->xfer[c->nxfer].cap = o->cap;
    c->xfer[c->nxfer].mode = CAPOS_XFER_COPY;
    return c->nxfer++;
}

/* A pointer-typed value at idx into p. */
static void enc_ptr(struct enc *e, int idx, uint16_t type, struct capnp_ptr_builder p)
{
    lua_State *L = e->L;
    const struct capdesc_type *t = type_at(type);
    size_t len;
    switch (t->kind) {
    case CAPDESC_TEXT:
    case CAPDESC_DATA: {
        if (lua_type(L, idx) != LUA_TSTRING)
            enc_fail(e, "a string expected");
        const char *s = lua_tolstring(L, idx, &len);
        if (len > CAPOS_MAX_MSG_BYTES)
            enc_fail(e, "the message does not fit (at most 64 KiB)");
        if (t->kind == CAPDESC_TEXT)
            capnp_pb_set_text(p, s, len);
        else
            capnp_pb_set_data(p, s, len);
        break;
    }
    case CAPDESC_STRUCT: {
        const struct capdesc_struct *sd = &S->structs[t->ref];
        if (lua_type(L, idx) != LUA_TTABLE)
            enc_fail(e, "a table expected");
        enc_struct(e, idx, sd, capnp_pb_init_struct(p, sd->data_words, sd->ptr_count));
        break;
    }
    case CAPDESC_LIST: enc_list(e, idx, t->ref, p); break;
    case CAPDESC_INTERFACE: capnp_pb_set_cap(p, enc_cap(e, idx)); break;
    default: enc_fail(e, "AnyPointer fields cannot be given from Lua");
    }
    enc_room(e);
}

static bool is_pointer(uint8_t kind)
{
    return kind >= CAPDESC_TEXT && kind != CAPDESC_ENUM && kind != CAPDESC_GROUP;
}

static enum capnp_elem elem_for(const struct capdesc_type *t)
{
    switch (t->kind) {
    case CAPDESC_VOID: return CAPNP_ELEM_VOID;
    case CAPDESC_BOOL: return CAPNP_ELEM_BIT;
    case CAPDESC_STRUCT: return CAPNP_ELEM_COMPOSITE;
    default:
        if (is_pointer(t->kind))
            return CAPNP_ELEM_POINTER;
        switch (capdesc_bits(t->kind)) {
        case 8: return CAPNP_ELEM_BYTE;
        case 16: return CAPNP_ELEM_TWO_BYTES;
        case 32: return CAPNP_ELEM_FOUR_BYTES;
        default: return CAPNP_ELEM_EIGHT_BYTES;
        }
    }
}

static void enc_list(struct enc *e, int idx, uint16_t et, struct capnp_ptr_builder p)
{
    lua_State *L = e->L;
    if (lua_type(L, idx) != LUA_TTABLE)
        enc_fail(e, "a sequence (table) expected");
    lua_Unsigned n = lua_rawlen(L, idx);
    /* Keys 1..n and nothing else: a table with other keys is not a list
     * (its border alone would silently drop them). */
    lua_Unsigned keys = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        keys++;
    }
    if (keys != n)
        enc_fail(e, "a sequence (table) expected");
    /* Even a list of Void or Bool takes room; a count the message cannot
     * hold is refused before anything is built. */
    if (n > CAPOS_MAX_MSG_BYTES * 8u)
        enc_fail(e, "the message does not fit (at most 64 KiB)");
    const struct capdesc_type *t = type_at(et);
    struct capnp_list_builder l;
    if (t->kind == CAPDESC_STRUCT) {
        const struct capdesc_struct *sd = &S->structs[t->ref];
        l = capnp_pb_init_struct_list(p, (uint32_t)n, sd->data_words, sd->ptr_count);
    } else {
        l = capnp_pb_init_list(p, elem_for(t), (uint32_t)n);
    }
    enc_room(e);
    if (e->depth >= CONV_DEPTH)
        enc_fail(e, "nested too deeply");
    luaL_checkstack(L, 4, "nested too deeply");
    e->path[e->depth++] = "[]";
    for (uint32_t i = 0; i < (uint32_t)n; i++) {
        lua_rawgeti(L, idx, (lua_Integer)i + 1);
        int v = lua_gettop(L);
        if (t->kind == CAPDESC_STRUCT) {
            if (lua_type(L, v) != LUA_TTABLE)
                enc_fail(e, "a table expected");
            enc_struct(e, v, &S->structs[t->ref], capnp_lb_struct(l, i));
        } else if (is_pointer(t->kind)) {
            enc_ptr(e, v, et, capnp_lb_ptr(l, i));
        } else {
            uint64_t bits = enc_bits(e, v, t);
            switch (capdesc_bits(t->kind)) {
            case 0: break;
            case 1: capnp_lb_set_bool(l, i, bits & 1); break;
            case 8: capnp_lb_set_u8(l, i, (uint8_t)bits); break;
            case 16: capnp_lb_set_u16(l, i, (uint16_t)bits); break;
            case 32: capnp_lb_set_u32(l, i, (uint32_t)bits); break;
            default: capnp_lb_set_u64(l, i, bits); break;
            }
        }
        lua_pop(L, 1);
    }
    e->depth--;
}

static void enc_struct(struct enc *e, int idx, const struct capdesc_struct *sd,
                       struct capnp_struct_builder sb)
{
    lua_State *L = e->L;
    if (e->depth >= CONV_DEPTH)
        enc_fail(e, "nested too deeply");
    luaL_checkstack(L, 4, "nested too deeply");
    const struct capdesc_field *member = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        int v = lua_gettop(L);
        if (lua_type(L, v - 1) != LUA_TSTRING)
            enc_fail(e, lua_pushfstring(L, "%s: field names must be strings", sd->name));
        size_t len;
        const char *name = lua_tolstring(L, v - 1, &len);
        const struct capdesc_field *f = capdesc_field_by_name(S, sd, name, len);
        if (!f)
            enc_fail(e, lua_pushfstring(L, "%s has no field '%s'", sd->name, name));
        if (f->disc != CAPDESC_NO_DISC) {
            if (member)
                enc_fail(e, lua_pushfstring(L, "'%s' and '%s' are members of one union",
                                            member->name, f->name));
            member = f;
            capnp_sb_set_u16(sb, sd->disc_offset, f->disc);
        }
        e->path[e->depth++] = f->name;
        const struct capdesc_type *t = type_at(f->type);
        if (t->kind == CAPDESC_GROUP) {
            if (lua_type(L, v) != LUA_TTABLE)
                enc_fail(e, "a table expected");
            enc_struct(e, v, &S->structs[t->ref], sb);
        } else if (is_pointer(t->kind)) {
            enc_ptr(e, v, f->type, capnp_sb_ptr(sb, f->offset));
        } else {
            uint64_t bits = enc_bits(e, v, t) ^ f->dflt;
            switch (capdesc_bits(t->kind)) {
            case 0: break;
            case 1: capnp_sb_set_bool(sb, f->offset, bits & 1); break;
            case 8: capnp_sb_set_u8(sb, f->offset, (uint8_t)bits); break;
            case 16: capnp_sb_set_u16(sb, f->offset, (uint16_t)bits); break;
            case 32: capnp_sb_set_u32(sb, f->offset, (uint32_t)bits); break;
            default: capnp_sb_set_u64(sb, f->offset, bits); break;
            }
        }
        e->depth--;
        lua_pop(L, 1);
    }
    enc_room(e);
}

void caplua_encode(lua_State *L, int idx, const struct capdesc_struct *sd, struct capnp_builder *b,
                   struct caplua_conv *c)
{
    struct enc e = {.L = L, .c = c, .b = b};
    struct capnp_struct_builder sb = capnp_builder_init_root(b, sd->data_words, sd->ptr_count);
    enc_room(&e);
    if (lua_isnoneornil(L, idx))
        return;
    if (lua_type(L, idx) != LUA_TTABLE)
        enc_fail(&e, "the arguments must be a table");
    enc_struct(&e, lua_absindex(L, idx), sd, sb);
}

/* ---- decoding ---- */

static void dec_value(lua_State *L, uint16_t type, uint64_t bits)
{
    const struct capdesc_type *t = type_at(type);
    switch (t->kind) {
    case CAPDESC_VOID: lua_pushboolean(L, 1); break;
    case CAPDESC_BOOL: lua_pushboolean(L, (int)(bits & 1)); break;
    case CAPDESC_INT8: lua_pushinteger(L, (int8_t)bits); break;
    case CAPDESC_INT16: lua_pushinteger(L, (int16_t)bits); break;
    case CAPDESC_INT32: lua_pushinteger(L, (int32_t)bits); break;
    case CAPDESC_FLOAT32: {
        float f;
        uint32_t u = (uint32_t)bits;
        memcpy(&f, &u, sizeof(f));
        lua_pushnumber(L, f);
        break;
    }
    case CAPDESC_FLOAT64: {
        double d;
        memcpy(&d, &bits, sizeof(d));
        lua_pushnumber(L, d);
        break;
    }
    case CAPDESC_ENUM: {
        const char *n = capdesc_enum_name(S, &S->enums[t->ref], (uint32_t)bits);
        if (n)
            lua_pushstring(L, n);
        else
            lua_pushinteger(L, (lua_Integer)bits);
        break;
    }
    default: lua_pushinteger(L, (lua_Integer)bits); break; /* unsigned, Int64 */
    }
}

static void dec_struct(lua_State *L, const struct capdesc_struct *sd, const struct capnp_struct *s,
                       struct caplua_conv *c, int depth);

static void dec_cap(lua_State *L, uint32_t index, const struct capdesc_type *t,
                    struct caplua_conv *c)
{
    if (index == CAPNP_NO_CAP || !c->caps_idx || index >= c->ncaps) {
        lua_pushnil(L);
        return;
    }
    lua_rawgeti(L, c->caps_idx, (lua_Integer)index + 1);
    struct caplua_obj *o = caplua_to_object(L, -1);
    /* The field's type names the interface the capability has. */
    if (o && !o->ifc && t->ref != CAPDESC_NONE)
        caplua_set_iface(L, -1, &S->ifaces[t->ref]);
}

static void dec_list(lua_State *L, uint16_t et, struct capnp_list *l, struct caplua_conv *c,
                     int depth);

static void dec_ptr(lua_State *L, uint16_t type, struct capnp_ptr p, struct caplua_conv *c,
                    int depth)
{
    const struct capdesc_type *t = type_at(type);
    switch (t->kind) {
    case CAPDESC_TEXT: {
        struct capnp_text x = capnp_ptr_get_text(p, "", 0);
        lua_pushlstring(L, x.str, x.len);
        break;
    }
    case CAPDESC_DATA: {
        struct capnp_data x = capnp_ptr_get_data(p, (const uint8_t *)"", 0);
        lua_pushlstring(L, (const char *)x.ptr, x.len);
        break;
    }
    case CAPDESC_STRUCT: {
        struct capnp_struct s = capnp_ptr_get_struct(p, 0);
        dec_struct(L, &S->structs[t->ref], &s, c, depth + 1);
        break;
    }
    case CAPDESC_LIST: {
        struct capnp_list l = capnp_ptr_get_list(p, elem_for(type_at(t->ref)), 0);
        dec_list(L, t->ref, &l, c, depth + 1);
        break;
    }
    case CAPDESC_INTERFACE: dec_cap(L, capnp_ptr_get_cap(p), t, c); break;
    default: lua_pushnil(L); break;
    }
}

static void dec_list(lua_State *L, uint16_t et, struct capnp_list *l, struct caplua_conv *c,
                     int depth)
{
    luaL_checkstack(L, 4, "nested too deeply");
    uint32_t n = capnp_list_len(l);
    const struct capdesc_type *t = type_at(et);
    lua_createtable(L, n < 1024 ? (int)n : 1024, 0);
    for (uint32_t i = 0; i < n; i++) {
        if (t->kind == CAPDESC_STRUCT) {
            struct capnp_struct s = capnp_list_get_struct(l, i);
            dec_struct(L, &S->structs[t->ref], &s, c, depth + 1);
        } else if (is_pointer(t->kind)) {
            dec_ptr(L, et, capnp_list_ptr(l, i), c, depth);
        } else {
            uint64_t bits;
            switch (capdesc_bits(t->kind)) {
            case 0: bits = 0; break;
            case 1: bits = capnp_list_get_bool(l, i); break;
            case 8: bits = capnp_list_get_u8(l, i); break;
            case 16: bits = capnp_list_get_u16(l, i); break;
            case 32: bits = capnp_list_get_u32(l, i); break;
            default: bits = capnp_list_get_u64(l, i); break;
            }
            dec_value(L, et, bits);
        }
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
}

static void dec_fields(lua_State *L, const struct capdesc_struct *sd, const struct capnp_struct *s,
                       struct caplua_conv *c, int depth)
{
    uint16_t disc = sd->disc_count ? capnp_struct_get_u16(s, sd->disc_offset) : 0;
    for (uint32_t i = 0; i < sd->nfields; i++) {
        const struct capdesc_field *f = &S->fields[sd->first_field + i];
        if (f->disc != CAPDESC_NO_DISC && f->disc != disc)
            continue;
        const struct capdesc_type *t = type_at(f->type);
        if (t->kind == CAPDESC_GROUP) {
            luaL_checkstack(L, 4, "nested too deeply");
            lua_createtable(L, 0, 4);
            dec_fields(L, &S->structs[t->ref], s, c, depth);
        } else if (is_pointer(t->kind)) {
            dec_ptr(L, f->type, capnp_struct_ptr(s, f->offset), c, depth);
        } else {
            uint64_t bits;
            switch (capdesc_bits(t->kind)) {
            case 0: bits = 0; break;
            case 1: bits = capnp_struct_get_bool(s, f->offset); break;
            case 8: bits = capnp_struct_get_u8(s, f->offset); break;
            case 16: bits = capnp_struct_get_u16(s, f->offset); break;
            case 32: bits = capnp_struct_get_u32(s, f->offset); break;
            default: bits = capnp_struct_get_u64(s, f->offset); break;
            }
            dec_value(L, f->type, bits ^ f->dflt);
        }
        lua_setfield(L, -2, f->name);
    }
}

static void dec_struct(lua_State *L, const struct capdesc_struct *sd, const struct capnp_struct *s,
                       struct caplua_conv *c, int depth)
{
    luaL_checkstack(L, 4, "nested too deeply");
    lua_createtable(L, 0, sd->nfields);
    dec_fields(L, sd, s, c, depth);
}

void caplua_decode(lua_State *L, const struct capdesc_struct *sd, const struct capnp_struct *s,
                   struct caplua_conv *c)
{
    dec_struct(L, sd, s, c, 0);
}
