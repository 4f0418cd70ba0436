/*
 * The Lua state's allocator: small blocks from size-class free lists.
 *
 * Every call from Lua makes at least one table (its results) that the
 * collector frees soon after, and musl's malloc is slow at exactly that:
 * under it a table of one field cost about 1,750 instructions to make and
 * collect, as much as the capability call itself.  Here a block of at most
 * SMALL_MAX bytes is one of SMALL_MAX / GRAIN classes: it is taken from
 * its class's free list, or carved from a CHUNK got from malloc, and a
 * freed one goes back on its list.  Larger blocks are malloc's.
 *
 * The price: memory freed in small blocks stays with its class (as pages
 * freed in libcapos-posix's arenas stay charged, docs/posix.md), so after
 * a script has held many small objects and dropped them, that memory
 * serves small objects only.  Chunks are never returned.  Lua gives the
 * old size of every block it frees or resizes (osize), which is what
 * finds its class; a failed allocation returns NULL with the old block
 * untouched, as Lua requires (it then collects and tries again).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caplua.h"

#define GRAIN     16u
#define SMALL_MAX 512u
#define CHUNK     (64u << 10)

struct free_block {
    struct free_block *next;
};

static struct free_block *lists[SMALL_MAX / GRAIN + 1];
static char *bump, *bump_end;

static size_t class_of(size_t n)
{
    return (n + GRAIN - 1) / GRAIN;
}

static void *small_alloc(size_t c)
{
    struct free_block *b = lists[c];
    if (b) {
        lists[c] = b->next;
        return b;
    }
    size_t size = c * GRAIN;
    if ((size_t)(bump_end - bump) < size) {
        /* The rest of the old chunk is left unused (under SMALL_MAX). */
        char *chunk = malloc(CHUNK);
        if (!chunk)
            return 0;
        bump = chunk;
        bump_end = chunk + CHUNK;
    }
    void *p = bump;
    bump += size;
    return p;
}

static void release(void *p, size_t size)
{
    if (size <= SMALL_MAX) {
        struct free_block *b = p;
        size_t c = class_of(size);
        b->next = lists[c];
        lists[c] = b;
    } else {
        free(p);
    }
}

void *caplua_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    (void)ud;
    if (nsize == 0) {
        if (ptr)
            release(ptr, osize);
        return 0;
    }
    if (!ptr) /* osize is then a type tag, not a size */
        return nsize <= SMALL_MAX ? small_alloc(class_of(nsize)) : malloc(nsize);
    bool osmall = osize <= SMALL_MAX, nsmall = nsize <= SMALL_MAX;
    if (osmall && nsmall && class_of(osize) == class_of(nsize))
        return ptr;
    if (!osmall && !nsmall)
        return realloc(ptr, nsize);
    void *n = nsmall ? small_alloc(class_of(nsize)) : malloc(nsize);
    if (!n)
        return 0;
    memcpy(n, ptr, osize < nsize ? osize : nsize);
    release(ptr, osize);
    return n;
}

static int panic(lua_State *L)
{
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "capos-lua: unprotected error: %s\n",
            msg ? msg : "(error object is not a string)");
    return 0; /* Lua then aborts */
}

lua_State *caplua_newstate(void)
{
    lua_State *L = lua_newstate(caplua_alloc, 0);
    if (L)
        lua_atpanic(L, panic);
    return L;
}
