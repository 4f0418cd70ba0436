/*
 * The environment a capos-lua script runs in (docs/lua.md, "capos-lua"):
 * caplua_open sets up a fresh Lua state with
 *
 *   caps        every CapSet entry by name, as an object of its interface
 *               (object.c)
 *   capos       recv (request.c), spawn and interface_id (spawn.c)
 *   the standard library, curated: base (load only of text: bytecode can
 *   do anything in the process, forging objects included), coroutine,
 *   table, string, utf8, math, os without processes (time, clock, date,
 *   difftime, getenv, exit) and io on stdout, stderr and stdin.  With a
 *   Directory granted as "root" (the POSIX personality's "/", beneath which
 *   every path resolves and which no path leaves), also io.open, io.lines,
 *   io.input, io.output, io.tmpfile, os.remove, os.rename, os.tmpname,
 *   loadfile, dofile and require of Lua modules.  Never `debug` (it reaches
 *   the registry and every metatable), package.loadlib, io.popen or
 *   os.execute.
 *
 * The CapSet entries stay the runtime's (the personality runs on some of
 * them): their objects' release() only forgets them.
 */
#include <string.h>

#include "abi/capset.h"
#include "caplua.h"
#include "lauxlib.h"
#include "lualib.h"
#include "posix.h"

#define S CAPLUA_SCHEMA

static void open_lib(lua_State *L, const char *name, lua_CFunction f)
{
    luaL_requiref(L, name, f, 1);
    lua_pop(L, 1);
}

static void drop_fields(lua_State *L, const char *lib, const char *const *names)
{
    lua_getglobal(L, lib);
    for (; *names; names++) {
        lua_pushnil(L);
        lua_setfield(L, -2, *names);
    }
    lua_pop(L, 1);
}

/* load(chunk, name, mode, env) with mode forced to text. */
static int text_load(lua_State *L)
{
    lua_settop(L, 4);
    lua_pushliteral(L, "t");
    lua_replace(L, 3);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, 4, LUA_MULTRET);
    return lua_gettop(L);
}

static void open_curated(lua_State *L, bool files)
{
    open_lib(L, LUA_GNAME, luaopen_base);
    open_lib(L, LUA_COLIBNAME, luaopen_coroutine);
    open_lib(L, LUA_TABLIBNAME, luaopen_table);
    open_lib(L, LUA_STRLIBNAME, luaopen_string);
    open_lib(L, LUA_UTF8LIBNAME, luaopen_utf8);
    open_lib(L, LUA_MATHLIBNAME, luaopen_math);
    open_lib(L, LUA_IOLIBNAME, luaopen_io);
    open_lib(L, LUA_OSLIBNAME, luaopen_os);
    lua_getglobal(L, "load");
    lua_pushcclosure(L, text_load, 1);
    lua_setglobal(L, "load");
    static const char *const io_never[] = {"popen", 0};
    static const char *const os_never[] = {"execute", "setlocale", 0};
    drop_fields(L, LUA_IOLIBNAME, io_never);
    drop_fields(L, LUA_OSLIBNAME, os_never);
    if (files) {
        open_lib(L, LUA_LOADLIBNAME, luaopen_package);
        static const char *const pkg_never[] = {"loadlib", "cpath", 0};
        drop_fields(L, LUA_LOADLIBNAME, pkg_never);
        /* No C modules: only the Lua searchers (preload, path). */
        lua_getglobal(L, LUA_LOADLIBNAME);
        lua_getfield(L, -1, "searchers");
        lua_pushnil(L);
        lua_rawseti(L, -2, 4);
        lua_pushnil(L);
        lua_rawseti(L, -2, 3);
        lua_pop(L, 2);
        return;
    }
    static const char *const io_files[] = {"open", "lines", "input", "output", "tmpfile", 0};
    static const char *const os_files[] = {"remove", "rename", "tmpname", 0};
    static const char *const base_files[] = {"loadfile", "dofile", 0};
    drop_fields(L, LUA_IOLIBNAME, io_files);
    drop_fields(L, LUA_OSLIBNAME, os_files);
    drop_fields(L, LUA_GNAME, base_files);
}

/* caps: one object per CapSet entry. */
static void push_caps(lua_State *L)
{
    const struct capos_capset_header *h = posix_capset();
    const struct capos_capset_entry *e =
        (const struct capos_capset_entry *)(const void *)((const uint8_t *)h + h->entry_offset);
    lua_createtable(L, 0, (int)h->count);
    for (uint32_t i = 0; i < h->count; i++) {
        char name[CAPOS_CAPSET_NAME_MAX + 1];
        memcpy(name, e[i].name, CAPOS_CAPSET_NAME_MAX);
        name[CAPOS_CAPSET_NAME_MAX] = 0;
        if (!e[i].cap)
            continue;
        caplua_push_object(L, e[i].cap, capdesc_iface_by_id(S, e[i].interface_id), true);
        lua_setfield(L, -2, name);
    }
}

bool caplua_open(lua_State *L)
{
    bool files = posix_caps.root != 0;
    open_curated(L, files);
    caplua_object_init(L);
    push_caps(L);
    lua_setglobal(L, "caps");
    lua_newtable(L);
    lua_setglobal(L, "capos");
    caplua_request_init(L);
    caplua_spawn_init(L);
    return files;
}
