/*
 * The Lua rows of `make bench`: one source embedding the Lua 5.4 of the
 * port (the same Debian source, patches and flags: ports/lua5.4), built
 * with tools/capos-cc against the sysroot's liblua.a for capOS and with
 * musl-gcc -static against a liblua.a built from the same source with
 * musl-gcc for Linux (bench/posix/posix.mk), so both sides run the same
 * interpreter code and differ only in what is below it.
 *
 *   fib30      one recursive fib(30) in Lua (1,664,079 calls): the
 *              interpreter alone, no system call inside
 *   fib30      in a state of luaL_newstate with the whole standard library,
 *              as lua(1) makes it
 *   cap_call   (capOS, built with CAPLUA_BENCH_CAPS and capos-lua's
 *              objects) one caps.timer:now() from a Lua loop, in a state
 *              as capos-lua makes it (its allocator and environment): the
 *              method look-up, the CALL and the results table, against the
 *              C client's Timer.now (timer_now_call_insns)
 *
 * Each figure is a path length in guest instructions under QEMU icount
 * (docs/benchmarks.md): warm-up runs, then the median of the recorded
 * ones, less the counter's own cost.  Keys: lua_<figure>_insns on capOS,
 * linux_lua_<figure>_insns on Linux.
 */
#include <stdint.h>
#include <stdio.h>

#include "../measure.h"
#include "lauxlib.h"
#include "lua.h"
#include "lualib.h"

#ifdef CAPLUA_BENCH_CAPS
#include "caplua.h"
#endif

#ifdef __capos__
#define PREFIX "lua_"
#else
#define PREFIX "linux_lua_"
#endif

static lua_State *L;
static uint64_t overhead;
static int failures;

static void call_global(const char *fn, lua_Integer n)
{
    lua_getglobal(L, fn);
    lua_pushinteger(L, n);
    if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
        printf("INFO error " PREFIX "bench: %s\n", lua_tostring(L, -1));
        lua_pop(L, 1);
        failures++;
    }
}

static void run_fib(uint32_t n)
{
    call_global("fib30", n);
}

#ifdef CAPLUA_BENCH_CAPS
static void run_cap_call(uint32_t n)
{
    call_global("cap_calls", n);
}
#endif

static void report(const char *name, const uint64_t *v, int batches)
{
    printf("BENCH " PREFIX "%s_insns %llu\n", name, (unsigned long long)v[batches / 2]);
    printf("INFO spread " PREFIX "%s_insns min %llu median %llu max %llu\n", name,
           (unsigned long long)v[0], (unsigned long long)v[batches / 2],
           (unsigned long long)v[batches - 1]);
    fflush(stdout);
}

static const char setup[] = "local function fib(n)\n"
                            "  if n < 2 then return n end\n"
                            "  return fib(n - 1) + fib(n - 2)\n"
                            "end\n"
                            "function fib30() assert(fib(30) == 832040) end\n";

int main(void)
{
    overhead = bench_counter_overhead();
    L = luaL_newstate();
    if (!L)
        return 1;
    luaL_openlibs(L);
    if (luaL_dostring(L, setup) != LUA_OK) {
        printf("INFO error " PREFIX "bench: %s\n", lua_tostring(L, -1));
        return 1;
    }
    uint64_t v[5];
    bench_batches(run_fib, 1, 1, overhead, 1, 5, v);
    report("fib30", v, 5);
    lua_close(L);
#ifdef CAPLUA_BENCH_CAPS
    /* capos-lua's own state: its allocator and environment. */
    L = caplua_newstate();
    if (!L)
        return 1;
    caplua_open(L);
    if (luaL_dostring(L, "local t = caps.timer\n"
                         "function cap_calls(n) for i = 1, n do t:now() end end\n") != LUA_OK)
        failures++;
    uint64_t c[15];
    bench_batches(run_cap_call, 200, 200, overhead, 3, 15, c);
    report("cap_call", c, 15);
    lua_close(L);
#endif
    if (failures)
        printf("INFO error " PREFIX "bench: %d operations failed\n", failures);
#ifdef __capos__
    printf("BENCH_END\n");
#endif
    return failures != 0;
}
