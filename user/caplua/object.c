/*
 * Capability objects: full userdata holding a cap id, with a metatable
 * that only this file can reach (the registry, under the address of a
 * private variable; the curated library has no `debug` to get at the
 * registry, and __metatable hides the metatable from getmetatable).  So a
 * value is an object exactly when its metatable is that one, and a script
 * can neither make one from a number or a string nor read the cap id.
 *
 *   obj:method{field = value, ...}   calls `method` of the object's
 *                                    interface; returns the results table
 *   obj:release()                    drops the capability (idempotent)
 *   obj:cast("Iface")                gives an untyped object (a result of
 *                                    type Capability) its interface
 *   obj.interface                    the interface's name, or nil
 *
 * A call refuses a released object, a method of another interface than the
 * object's, and arguments that do not convert (convert.c), before anything
 * is sent; a call the system refuses raises "Iface.method: errorName
 * (detail)".  An object the collector frees, or that is still held when the
 * script ends (lua_close runs every finalizer), releases its capability,
 * except one the runtime holds as well (the POSIX personality's memory,
 * timer, consoles, root...): that is only forgotten, or the runner would
 * lose what it runs on.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "capos.h"
#include "capos.rpc.h"
#include "caplua.h"
#include "lauxlib.h"
#include "ring.h"

#define S CAPLUA_SCHEMA

uint64_t caplua_arena[CAPLUA_MSG_WORDS];
uint64_t caplua_result[CAPLUA_RESULT_BYTES / 8];

static const char meta_key = 0;    /* registry: the objects' metatable */
static const char methods_key = 0; /* registry: iface -> {name = closure} */

const char *caplua_errname(int err)
{
    const char *n = err >= 0 ? capos_ErrorCode_name((uint32_t)err) : 0;
    return n ? n : "unknownError";
}

int caplua_error(lua_State *L, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lua_pushvfstring(L, fmt, ap);
    va_end(ap);
    return lua_error(L);
}

struct caplua_obj *caplua_to_object(lua_State *L, int idx)
{
    struct caplua_obj *o = lua_touserdata(L, idx);
    if (!o || lua_type(L, idx) != LUA_TUSERDATA || !lua_getmetatable(L, idx))
        return 0;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &meta_key);
    bool ours = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    return ours ? o : 0;
}

struct caplua_obj *caplua_push_object(lua_State *L, uint32_t cap, const struct capdesc_iface *ifc,
                                      bool shared)
{
    struct caplua_obj *o = lua_newuserdatauv(L, sizeof(*o), 0);
    o->cap = cap;
    o->shared = shared;
    o->ifc = ifc;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &meta_key);
    lua_setmetatable(L, -2);
    return o;
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
    o->ifc = ifc;
    lua_settop(L, 1);
    return 1;
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

    char what[96];
    snprintf(what, sizeof(what), "%s.%s", ifc->name, m->name);
    struct capos_xfer xfer[CAPOS_MAX_XFER];
    struct caplua_conv c = {.what = what, .xfer = xfer};
    struct capnp_builder b;
    capnp_builder_init(&b, caplua_arena, sizeof(uint64_t) * CAPLUA_MSG_WORDS);
    caplua_encode(L, 2, &S->structs[m->params], &b, &c);
    const uint8_t *msg;
    size_t len;
    if (capnp_builder_finish(&b, &msg, &len) != CAPNP_OK || len > CAPOS_MAX_MSG_BYTES)
        return luaL_error(L, "%s: the message does not fit (at most 64 KiB)", what);

    uint64_t cookie;
    struct capos_cqe cqe;
    int err = capos_rpc_submit(o->cap, ifc->id, m->ordinal, msg, (uint32_t)len, caplua_result,
                               CAPLUA_RESULT_BYTES, c.nxfer ? xfer : 0, c.nxfer, &cookie);
    if (err == CAPOS_OK)
        err = capos_rpc_wait(cookie, &cqe);
    if (err != CAPOS_OK)
        return luaL_error(L, "%s: %s", what, caplua_errname(err));

    /* Every received capability becomes an object first, so none leaks
     * whatever happens below; the ones no field names are collected. */
    uint32_t ncaps = cqe.result == CAPOS_OK ? cqe.ncaps : 0;
    const uint32_t *ids = (const uint32_t *)(const void *)((const uint8_t *)caplua_result +
                                                           CAPOS_CAPS_OFFSET(cqe.result_len));
    lua_createtable(L, (int)ncaps, 0);
    int caps_idx = lua_gettop(L);
    for (uint32_t i = 0; i < ncaps && i < CAPOS_MAX_XFER; i++) {
        caplua_push_object(L, ids[i], 0, false);
        lua_rawseti(L, caps_idx, (lua_Integer)i + 1);
    }
    if (cqe.result != CAPOS_OK) {
        char detail[96] = "";
        if (cqe.detail)
            capos_detail_name(detail, sizeof(detail), cqe.detail, ifc->id, m->ordinal);
        return luaL_error(L, "%s: %s%s%s%s", what, caplua_errname(cqe.result),
                          detail[0] ? " (" : "", detail, detail[0] ? ")" : "");
    }
    if (m->results == CAPDESC_NONE) {
        lua_newtable(L);
        return 1;
    }
    struct capnp_reader r;
    struct capnp_struct root = capnp_struct_null();
    if (cqe.result_len) {
        if (capnp_reader_init(&r, caplua_result, cqe.result_len, 0) != CAPNP_OK)
            return luaL_error(L, "%s: a malformed result", what);
        capnp_reader_set_cap_count(&r, ncaps);
        root = capnp_reader_root(&r);
    }
    c.caps_idx = caps_idx;
    c.ncaps = ncaps;
    caplua_decode(L, &S->structs[m->results], &root, &c);
    if (cqe.result_len && capnp_reader_error(&r) != CAPNP_OK)
        return luaL_error(L, "%s: a malformed result (%s)", what,
                          capnp_strerror(capnp_reader_error(&r)));
    return 1;
}

/* The method table of ifc, made once: {name = closure}. */
static void push_methods(lua_State *L, const struct capdesc_iface *ifc)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, &methods_key);
    if (lua_rawgetp(L, -1, ifc) == LUA_TTABLE) {
        lua_remove(L, -2);
        return;
    }
    lua_pop(L, 1);
    lua_createtable(L, 0, ifc->nmethods);
    for (uint32_t i = 0; i < ifc->nmethods; i++) {
        const struct capdesc_method *m = &S->methods[ifc->first_method + i];
        lua_pushlightuserdata(L, (void *)(uintptr_t)ifc);
        lua_pushlightuserdata(L, (void *)(uintptr_t)m);
        lua_pushcclosure(L, obj_call, 2);
        lua_setfield(L, -2, m->name);
    }
    lua_pushvalue(L, -1);
    lua_rawsetp(L, -3, ifc);
    lua_remove(L, -2);
}

static int obj_index(lua_State *L)
{
    struct caplua_obj *o = caplua_to_object(L, 1);
    const char *k = luaL_checkstring(L, 2);
    if (strcmp(k, "release") == 0) {
        lua_pushcfunction(L, obj_release);
        return 1;
    }
    if (strcmp(k, "cast") == 0) {
        lua_pushcfunction(L, obj_cast);
        return 1;
    }
    if (strcmp(k, "interface") == 0) {
        if (o->ifc)
            lua_pushstring(L, o->ifc->name);
        else
            lua_pushnil(L);
        return 1;
    }
    if (!o->ifc)
        return luaL_error(L, "'%s': the object's interface is not known (cast it)", k);
    push_methods(L, o->ifc);
    if (lua_getfield(L, -1, k) == LUA_TNIL)
        return luaL_error(L, "%s has no method '%s'", o->ifc->name, k);
    return 1;
}

static int obj_newindex(lua_State *L)
{
    return luaL_error(L, "capability objects cannot be changed");
}

void caplua_object_init(lua_State *L)
{
    lua_newtable(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &methods_key);
    lua_createtable(L, 0, 6);
    lua_pushcfunction(L, obj_index);
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
    lua_rawsetp(L, LUA_REGISTRYINDEX, &meta_key);
}
