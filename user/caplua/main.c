/*
 * capos-lua: runs a Lua script with its process's capabilities as objects.
 *
 *   capos-lua SCRIPT [ARG...]     the script, a file of the root Directory
 *   capos-lua -e CODE [ARG...]    the code given
 *
 * The script runs in the environment runner.c sets up: `caps`, `capos`
 * and the curated standard library; `arg` is set as lua(1) sets it.
 * The CapSet entries stay the runtime's (the personality runs on some of
 * them): their objects' release() only forgets them.  Everything else the
 * script holds is released when it ends, by lua_close's finalizers.  Exit
 * status: the script's os.exit, else 0, or 1 after an uncaught error
 * (its message and traceback on stderr).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caplua.h"
#include "lauxlib.h"

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
    bool files = caplua_open(L);

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
    lua_State *L = caplua_newstate();
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
