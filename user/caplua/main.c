/*
 * capos-lua: runs a Lua script with its process's capabilities as objects.
 *
 *   capos-lua SCRIPT [ARG...]     the script, a file of the root Directory
 *   capos-lua -e CODE [ARG...]    the code given
 *
 * The script sees:
 *   caps        every CapSet entry by name, as an object of its interface
 *               (object.c); `arg` as the standalone interpreter sets it
 *   capos.recv  serving an endpoint (request.c)
 *   capos.spawn starting a program file with grants (spawn.c)
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
 * them): their objects' release() only forgets them.  Everything else the
 * script holds is released when it ends, by lua_close's finalizers.  Exit
 * status: the script's os.exit, else 0, or 1 after an uncaught error
 * (its message and traceback on stderr).
 */
#include <stdio.h>
#include <stdlib.h>
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

static int traceback(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (!msg)
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    luaL_traceback(L, L, msg, 1);
    return 1;
}

struct run {
    int argc;
    char **argv;
    int script; /* argv index of the script or of -e's code */
    bool inline_code;
};

static int run(lua_State *L)
{
    struct run *r = lua_touserdata(L, 1);
    bool files = posix_caps.root != 0;
    open_curated(L, files);
    caplua_object_init(L);
    push_caps(L);
    lua_setglobal(L, "caps");
    lua_newtable(L);
    lua_setglobal(L, "capos");
    caplua_request_init(L);
    caplua_spawn_init(L);

    /* arg, as lua(1) sets it: the script at 0, its arguments from 1. */
    lua_createtable(L, r->argc, 2);
    for (int i = 0; i < r->argc; i++) {
        lua_pushstring(L, r->argv[i]);
        lua_rawseti(L, -2, i - r->script);
    }
    lua_setglobal(L, "arg");

    int st;
    if (r->inline_code) {
        st = luaL_loadbufferx(L, r->argv[r->script], strlen(r->argv[r->script]), "=(command line)",
                              "t");
    } else if (files) {
        st = luaL_loadfilex(L, r->argv[r->script], "t");
    } else {
        return luaL_error(L, "cannot read %s: no Directory granted (use -e CODE)",
                          r->argv[r->script]);
    }
    if (st != LUA_OK)
        return lua_error(L);
    int nargs = r->argc - r->script - 1;
    luaL_checkstack(L, nargs + 2, "too many arguments");
    for (int i = r->script + 1; i < r->argc; i++)
        lua_pushstring(L, r->argv[i]);
    lua_pushcfunction(L, traceback);
    lua_insert(L, -(nargs + 2));
    if (lua_pcall(L, nargs, 0, -(nargs + 2)) != LUA_OK)
        return lua_error(L);
    return 0;
}

int main(int argc, char **argv)
{
    struct run r = {.argc = argc, .argv = argv, .script = 1};
    if (argc >= 3 && strcmp(argv[1], "-e") == 0) {
        r.script = 2;
        r.inline_code = true;
    } else if (argc < 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: capos-lua SCRIPT [ARG...] | capos-lua -e CODE [ARG...]\n");
        return 2;
    }
    lua_State *L = luaL_newstate();
    if (!L) {
        fprintf(stderr, "capos-lua: not enough memory\n");
        return 1;
    }
    lua_pushcfunction(L, run);
    lua_pushlightuserdata(L, &r);
    int st = lua_pcall(L, 1, 0, 0);
    if (st != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        fprintf(stderr, "capos-lua: %s\n", msg ? msg : "(error object is not a string)");
    }
    lua_close(L);
    fflush(stdout);
    return st == LUA_OK ? 0 : 1;
}
