/*
 * capos.spawn(spawner, path, params): starts a program file of the granted
 * Directory with ProcessSpawner.spawnImage.
 *
 * spawnImage takes the image as an address and a size in the caller's
 * memory, which a script never has: this reads the file (through the
 * POSIX personality, so only beneath the "root" Directory; without one
 * there is nothing to read) into a buffer of its own, and calls the method
 * through the ordinary object path with a copy of `params` (name, grants,
 * argv, env as the schema has them) completed with the buffer's address and
 * size.  The copy is made here and never reaches the script; everything
 * else about the call (conversion, errors, the results table with the
 * ProcessHandle as an object) is obj:spawnImage's.
 */
#include <stdio.h>
#include <string.h>

#include "caplua.h"
#include "lauxlib.h"

#define MAX_IMAGE (16u << 20) /* ProcessSpawner's maxSpawnImage */

static int l_spawn(lua_State *L)
{
    struct caplua_obj *sp = caplua_to_object(L, 1);
    const char *path = luaL_checkstring(L, 2);
    if (!sp)
        return luaL_error(L, "capos.spawn: a ProcessSpawner object expected");
    if (!lua_isnoneornil(L, 3))
        luaL_checktype(L, 3, LUA_TTABLE);
    lua_settop(L, 3);

    /* The image lives in a userdata, so that the collector frees it
     * whatever happens below. */
    FILE *f = fopen(path, "rb");
    if (!f)
        return luaL_error(L, "capos.spawn: cannot open %s", path);
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (size <= 0 || (unsigned long)size > MAX_IMAGE || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return luaL_error(L, "capos.spawn: %s: %s", path,
                          size == 0  ? "empty"
                          : size < 0 ? "not a file"
                                     : "larger than 16 MiB");
    }
    void *img = lua_newuserdatauv(L, (size_t)size, 0); /* 4 */
    size_t got = fread(img, 1, (size_t)size, f);
    fclose(f);
    if (got != (size_t)size)
        return luaL_error(L, "capos.spawn: %s: read error", path);

    /* sp:spawnImage(copy of params with image and size) */
    lua_getfield(L, 1, "spawnImage"); /* 5; raises unless sp is a ProcessSpawner */
    lua_pushvalue(L, 1);
    lua_createtable(L, 0, 8);
    if (lua_istable(L, 3)) {
        lua_pushnil(L);
        while (lua_next(L, 3)) {
            lua_pushvalue(L, -2);
            lua_insert(L, -2);
            lua_rawset(L, -4);
        }
    }
    lua_pushinteger(L, (lua_Integer)(uintptr_t)img);
    lua_setfield(L, -2, "image");
    lua_pushinteger(L, (lua_Integer)size);
    lua_setfield(L, -2, "size");
    if (lua_getfield(L, -1, "name") == LUA_TNIL) {
        const char *base = strrchr(path, '/');
        lua_pushstring(L, base ? base + 1 : path);
        lua_setfield(L, -3, "name");
    }
    lua_pop(L, 1);
    lua_call(L, 2, 1);
    return 1;
}

/* capos.interface_id(name): the id of a schema interface, for a grant's
 * interfaceId (ids are names, not authority). */
static int l_interface_id(lua_State *L)
{
    const struct capdesc_iface *ifc = capdesc_iface_by_name(CAPLUA_SCHEMA, luaL_checkstring(L, 1));
    if (!ifc)
        return luaL_error(L, "capos.interface_id: no interface '%s'", lua_tostring(L, 1));
    lua_pushinteger(L, (lua_Integer)ifc->id);
    return 1;
}

void caplua_spawn_init(lua_State *L)
{
    lua_getglobal(L, "capos");
    lua_pushcfunction(L, l_spawn);
    lua_setfield(L, -2, "spawn");
    lua_pushcfunction(L, l_interface_id);
    lua_setfield(L, -2, "interface_id");
    lua_pop(L, 1);
}
