/*
 * Capability objects: full userdata holding a cap id, with a metatable
 * only this file makes.  Each metatable carries a private mark (a registry
 * light-userdata key, the address of a variable here); the curated library
 * has no `debug` to reach the registry or set metatables, and __metatable
 * hides the metatable from getmetatable/setmetatable.  So a value is an
 * object exactly when its metatable has the mark, and a script can neither
 * make one from a number or a string nor read the cap id.
 *
 *   obj:method{field = value, ...}   calls `method` of the object's
 *                                    interface; returns the results table
 *   obj:release()                    drops the capability (idempotent)
 *   obj:cast("Iface")                gives an untyped object (a result of
 *                                    type Capability) its interface
 *   obj.interface                    the interface's name, or nil
 *
 * One metatable per interface, made on first use, whose __index is a plain
 * table of the interface's methods (closures over the method descriptor),
 * so that looking a method up runs no C; untyped objects share one whose
 * __index only knows release, cast and interface.
 *
 * A call refuses a released object, a method of another interface than the
 * object's, and arguments that do not convert (convert.c), before anything
 * is sent; a call the system refuses raises "Iface.method: errorName
 * (detail)".  An object the collector frees, or that is still held when the
 * script ends (lua_close runs every finalizer), releases its capability,
 * except one the runtime holds as well (a CapSet entry): that is only
 * forgotten, or the runner could lose what it runs on.
 *
 * Calls go through lib/rpc's transport (capos_rpc_submit, _wait, _release),
 * so this file and convert.c also build on the host, where the fuzz target
 * tests/fuzz/fuzz_caplua.c provides a transport of its own.
 */
#include <string.h>

#include "capos.capnp.h"
#include "capos.rpc.h"
#include "caplua.h"
#include "lauxlib.h"
#include "rpc/flat.h"
#include "rpc/rpc.h"

#define S CAPLUA_SCHEMA

uint64_t caplua_arena[CAPLUA_MSG_WORDS];
uint64_t caplua_result[CAPLUA_RESULT_BYTES / 8];

static const char mark_key = 0;    /* in every object metatable: true */
static const char metas_key = 0;   /* registry: iface -> metatable */
static const char untyped_key = 0; /* the key of the untyped metatable in it */

const struct capnp_limits *caplua_limits(uint32_t len)
{
    /* As lib/rpc's decoders open a message: about four words visited per
     * word sent, so that a small message (a list of a million Voids in
     * sixteen bytes) cannot make the conversion build a huge table. */
    static struct capnp_limits lim;
    lim.traversal_words = 4ull * (len / 8) + 64;
    lim.nesting = 0;
    return &lim;
}

const char *caplua_errname(int err)
{
    const char *n = err >= 0 ? capos_ErrorCode_name((uint32_t)err) : 0;
    return n ? n : "unknownError";
}

struct caplua_obj *caplua_to_object(lua_State *L, int idx)
{
    if (lua_type(L, idx) != LUA_TUSERDATA || !lua_getmetatable(L, idx))
        return 0;
    bool ours = lua_rawgetp(L, -1, &mark_key) == LUA_TBOOLEAN;
    lua_pop(L, 2);
    return ours ? lua_touserdata(L, idx) : 0;
}

static void push_meta(lua_State *L, const struct capdesc_iface *ifc);

struct caplua_obj *caplua_push_object(lua_State *L, uint32_t cap, const struct capdesc_iface *ifc,
                                      bool shared)
{
    struct caplua_obj *o = lua_newuserdatauv(L, sizeof(*o), 0);
    o->cap = cap;
    o->shared = shared;
    o->ifc = ifc;
    push_meta(L, ifc);
    lua_setmetatable(L, -2);
    return o;
}

void caplua_set_iface(lua_State *L, int idx, const struct capdesc_iface *ifc)
{
    struct caplua_obj *o = caplua_to_object(L, idx);
    idx = lua_absindex(L, idx);
    o->ifc = ifc;
    push_meta(L, ifc);
    lua_setmetatable(L, idx);
}

static void drop(struct caplua_obj *o)
{
    if (o->cap && !o->shared)
        capos_rpc_release(o->cap);
    o->cap = 0;
}

static int obj_release(lua_State *L)
{
    struct caplua_obj *o = caplua_to_object(L, 1);
    if (!o)
        return luaL_error(L, "release: a capability object expected");
    drop(o);
    return 0;
}

static int obj_gc(lua_State *L)
{
    struct caplua_obj *o = caplua_to_object(L, 1);
    if (o)
        drop(o);
    return 0;
}

static int obj_tostring(lua_State *L)
{
    struct caplua_obj *o = caplua_to_object(L, 1);
    lua_pushfstring(L, "%s%s", o && o->ifc ? o->ifc->name : "Capability",
                    o && !o->cap ? " (released)" : "");
    return 1;
}

static int obj_cast(lua_State *L)
{
    struct caplua_obj *o = caplua_to_object(L, 1);
    const char *name = luaL_checkstring(L, 2);
    if (!o)
        return luaL_error(L, "cast: a capability object expected");
    const struct capdesc_iface *ifc = capdesc_iface_by_name(S, name);
    if (!ifc)
        return luaL_error(L, "cast: no interface '%s' in the schema", name);
    if (o->ifc && o->ifc != ifc)
        return luaL_error(L, "cast: the object is a %s, not a %s", o->ifc->name, name);
    caplua_set_iface(L, 1, ifc);
    lua_settop(L, 1);
    return 1;
}

/* The call's message: none for a method without parameter fields called
 * without arguments (decoders read an empty message as all defaults, as
 * the generated stubs send it), else the table converted. */
static int encode_params(lua_State *L, const struct capdesc_struct *sd, struct caplua_conv *c,
                         const uint8_t **msg, size_t *len)
{
    *msg = 0;
    *len = 0;
    if (!sd->nfields && lua_isnoneornil(L, 2))
        return 0;
    struct capnp_builder b;
    capnp_builder_init(&b, caplua_arena, sizeof(uint64_t) * CAPLUA_MSG_WORDS);
    caplua_encode(L, 2, sd, &b, c);
    if (capnp_builder_finish(&b, msg, len) != CAPNP_OK || *len > CAPOS_MAX_MSG_BYTES)
        return luaL_error(L, "%s.%s: the message does not fit (at most 64 KiB)", c->iface,
                          c->method);
    return 0;
}

/* Upvalues: the interface and the method descriptors (light userdata). */
static int obj_call(lua_State *L)
{
    const struct capdesc_iface *ifc = lua_touserdata(L, lua_upvalueindex(1));
    const struct capdesc_method *m = lua_touserdata(L, lua_upvalueindex(2));
    struct caplua_obj *o = caplua_to_object(L, 1);
    if (!o)
        return luaL_error(L, "%s.%s: called on %s, not a capability object", ifc->name, m->name,
                          luaL_typename(L, 1));
    if (!o->cap)
        return luaL_error(L, "%s.%s: the object was released", ifc->name, m->name);
    if (o->ifc != ifc)
        return luaL_error(L, "%s.%s: the object is a %s", ifc->name, m->name,
                          o->ifc ? o->ifc->name : "Capability of no known interface (cast it)");
    if (lua_gettop(L) > 2)
        return luaL_error(L, "%s.%s: takes one table of arguments", ifc->name, m->name);

    struct capos_xfer xfer[CAPOS_MAX_XFER];
    struct caplua_conv c = {.iface = ifc->name, .method = m->name, .xfer = xfer};
    const uint8_t *msg;
    size_t len;
    encode_params(L, &S->structs[m->params], &c, &msg, &len);

    uint64_t cookie;
    struct capos_cqe cqe;
    int err = capos_rpc_submit(o->cap, ifc->id, m->ordinal, msg, (uint32_t)len, caplua_result,
                               CAPLUA_RESULT_BYTES, c.nxfer ? xfer : 0, c.nxfer, &cookie);
    if (err == CAPOS_OK)
        err = capos_rpc_wait(cookie, &cqe);
    if (err != CAPOS_OK)
        return luaL_error(L, "%s.%s: %s", ifc->name, m->name, caplua_errname(err));

    /* Every received capability becomes an object first, so none leaks
     * whatever happens below; the ones no field names are collected. */
    uint32_t ncaps = cqe.ncaps < CAPOS_MAX_XFER ? cqe.ncaps : CAPOS_MAX_XFER;
    if (ncaps) {
        const uint32_t *ids = (const uint32_t *)(const void *)((const uint8_t *)caplua_result +
                                                               CAPOS_CAPS_OFFSET(cqe.result_len));
        lua_createtable(L, (int)ncaps, 0);
        for (uint32_t i = 0; i < ncaps; i++) {
            caplua_push_object(L, ids[i], 0, false);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        c.caps_idx = lua_gettop(L);
        c.ncaps = ncaps;
    }
    if (cqe.result != CAPOS_OK) {
        char detail[96] = "";
        if (cqe.detail)
            capos_rpc_detail_format(detail, sizeof(detail), cqe.detail, ifc->id, m->ordinal,
                                    capos_rpc_names,
                                    sizeof(capos_rpc_names) / sizeof(capos_rpc_names[0]));
        return luaL_error(L, "%s.%s: %s%s%s%s", ifc->name, m->name, caplua_errname(cqe.result),
                          detail[0] ? " (" : "", detail, detail[0] ? ")" : "");
    }
    if (m->results == CAPDESC_NONE) {
        lua_newtable(L);
        return 1;
    }
    const struct capdesc_struct *rs = &S->structs[m->results];
    if (!rs->ptr_count && capos_flat_is(caplua_result, cqe.result_len, rs->data_words)) {
        /* A struct of data fields only, laid out as lib/rpc/flat.h says
         * (exact length, one segment, the root right after its pointer):
         * its data section is read in place, without a reader. */
        struct capnp_struct flat = capnp_struct_null();
        flat.data = (const uint8_t *)&caplua_result[2];
        flat.data_bits = rs->data_words * 64u;
        caplua_decode(L, rs, &flat, &c);
        return 1;
    }
    struct capnp_reader r;
    struct capnp_struct root = capnp_struct_null();
    if (cqe.result_len) {
        if (capnp_reader_init(&r, caplua_result, cqe.result_len, caplua_limits(cqe.result_len)) !=
            CAPNP_OK)
            return luaL_error(L, "%s.%s: a malformed result", ifc->name, m->name);
        capnp_reader_set_cap_count(&r, ncaps);
        root = capnp_reader_root(&r);
    }
    caplua_decode(L, rs, &root, &c);
    if (cqe.result_len && capnp_reader_error(&r) != CAPNP_OK)
        return luaL_error(L, "%s.%s: a malformed result (%s)", ifc->name, m->name,
                          capnp_strerror(capnp_reader_error(&r)));
    return 1;
}

/* __index of a methods table: a name it does not hold.  Upvalue: the
 * interface. */
static int no_method(lua_State *L)
{
    const struct capdesc_iface *ifc = lua_touserdata(L, lua_upvalueindex(1));
    return luaL_error(L, "%s has no method '%s'", ifc->name, luaL_checkstring(L, 2));
}

/* __index of an untyped object. */
static int untyped_index(lua_State *L)
{
    const char *k = luaL_checkstring(L, 2);
    if (strcmp(k, "release") == 0)
        lua_pushcfunction(L, obj_release);
    else if (strcmp(k, "cast") == 0)
        lua_pushcfunction(L, obj_cast);
    else if (strcmp(k, "interface") == 0)
        lua_pushnil(L);
    else
        return luaL_error(L, "'%s': the object's interface is not known (cast it)", k);
    return 1;
}

static int obj_newindex(lua_State *L)
{
    return luaL_error(L, "capability objects cannot be changed");
}

/* Pushes the metatable of objects of ifc (NULL: untyped), made once. */
static void push_meta(lua_State *L, const struct capdesc_iface *ifc)
{
    const void *key = ifc ? (const void *)ifc : (const void *)&untyped_key;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &metas_key);
    if (lua_rawgetp(L, -1, key) == LUA_TTABLE) {
        lua_remove(L, -2);
        return;
    }
    lua_pop(L, 1);
    lua_createtable(L, 0, 8);
    lua_pushboolean(L, 1);
    lua_rawsetp(L, -2, &mark_key);
    if (ifc) {
        lua_createtable(L, 0, ifc->nmethods + 3);
        for (uint32_t i = 0; i < ifc->nmethods; i++) {
            const struct capdesc_method *m = &S->methods[ifc->first_method + i];
            lua_pushlightuserdata(L, (void *)(uintptr_t)ifc);
            lua_pushlightuserdata(L, (void *)(uintptr_t)m);
            lua_pushcclosure(L, obj_call, 2);
            lua_setfield(L, -2, m->name);
        }
        lua_pushcfunction(L, obj_release);
        lua_setfield(L, -2, "release");
        lua_pushcfunction(L, obj_cast);
        lua_setfield(L, -2, "cast");
        lua_pushstring(L, ifc->name);
        lua_setfield(L, -2, "interface");
        lua_createtable(L, 0, 2);
        lua_pushlightuserdata(L, (void *)(uintptr_t)ifc);
        lua_pushcclosure(L, no_method, 1);
        lua_setfield(L, -2, "__index");
        lua_pushliteral(L, "methods");
        lua_setfield(L, -2, "__metatable");
        lua_setmetatable(L, -2);
    } else {
        lua_pushcfunction(L, untyped_index);
    }
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, obj_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushcfunction(L, obj_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, obj_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushliteral(L, "capability");
    lua_setfield(L, -2, "__metatable");
    lua_pushliteral(L, "capability");
    lua_setfield(L, -2, "__name");
    lua_pushvalue(L, -1);
    lua_rawsetp(L, -3, key);
    lua_remove(L, -2);
}

void caplua_object_init(lua_State *L)
{
    lua_newtable(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &metas_key);
}
