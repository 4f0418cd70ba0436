/*
 * capos-lua's conversion of untrusted messages (user/caplua/object.c,
 * convert.c): a method of any interface of schema/capos.capnp is called
 * from Lua through the real object path, and a transport of this file's
 * answers it with the input as the result message and capabilities.  The
 * results table is then encoded back as the method's results (the
 * encoder meets whatever shapes the decoder made).
 *
 * Input: [interface] [method] [ncaps] [status] then the result message.
 * Invariants checked: the call either returns a table or raises a Lua
 * error (never a crash, an ASan report or a UBSan one in this code); a
 * message is read only within the bytes given; and when the state is
 * closed every capability the call received, and the object called, has
 * been released exactly once (no leak, no double release), the object's
 * own id included.
 *
 * The Lua interpreter is the port's source (ports/lua5.4), built for the
 * host with AddressSanitizer (fuzz.mk); its own code is not the target.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caplua.h"
#include "capos.capnp.h"
#include "lauxlib.h"
#include "lualib.h"
#include "rpc/rpc.h"

#define OBJ_CAP   7u
#define CAP_FIRST 100u

static const uint8_t *msg;
static size_t msg_len;
static uint32_t ncaps;
static int status;
static int released[CAP_FIRST + CAPOS_MAX_XFER];
static int calls;

__attribute__((noreturn)) static void violated(const char *why)
{
    fprintf(stderr, "fuzz_caplua: invariant violated: %s\n", why);
    abort();
}

int capos_rpc_submit(uint32_t cap, uint64_t interface_id, uint16_t method, const void *m,
                     uint32_t len, void *buf, uint32_t buf_len, const struct capos_xfer *xfer,
                     uint16_t nxfer, uint64_t *cookie)
{
    (void)interface_id, (void)method, (void)m, (void)xfer;
    if (cap != OBJ_CAP || len > CAPOS_MAX_MSG_BYTES || nxfer > CAPOS_MAX_XFER)
        violated("a call the runner should not have sent");
    /* The kernel writes the result and the cap ids after it. */
    uint32_t n = msg_len < CAPOS_MAX_MSG_BYTES ? (uint32_t)msg_len : CAPOS_MAX_MSG_BYTES;
    if (CAPOS_CAPS_OFFSET(n) + 4u * ncaps > buf_len)
        violated("result buffer too small");
    memcpy(buf, msg, n);
    uint32_t *ids = (uint32_t *)(void *)((uint8_t *)buf + CAPOS_CAPS_OFFSET(n));
    for (uint32_t i = 0; i < ncaps; i++)
        ids[i] = CAP_FIRST + i;
    *cookie = (uint64_t)n;
    calls++;
    return CAPOS_OK;
}

int capos_rpc_wait(uint64_t cookie, struct capos_cqe *cqe)
{
    memset(cqe, 0, sizeof(*cqe));
    cqe->result = status;
    cqe->result_len = (uint32_t)cookie;
    cqe->ncaps = (uint16_t)ncaps;
    return CAPOS_OK;
}

void capos_rpc_release(uint32_t cap)
{
    if (cap != OBJ_CAP && (cap < CAP_FIRST || cap >= CAP_FIRST + ncaps))
        violated("released a cap id it was never given");
    if (++released[cap] > 1)
        violated("released a capability twice");
}

/* Encodes the results table at 1 as method `m`'s results. */
static int reencode(lua_State *L)
{
    const struct capdesc_method *m = lua_touserdata(L, 2);
    static uint64_t arena[CAPLUA_MSG_WORDS];
    struct capos_xfer xfer[CAPOS_MAX_XFER];
    struct caplua_conv c = {.iface = "fuzz", .method = "reencode", .xfer = xfer};
    struct capnp_builder b;
    capnp_builder_init(&b, arena, sizeof(arena));
    caplua_encode(L, 1, &CAPLUA_SCHEMA->structs[m->results], &b, &c);
    const uint8_t *out;
    size_t len;
    (void)capnp_builder_finish(&b, &out, &len);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    const struct capdesc_schema *s = CAPLUA_SCHEMA;
    const struct capdesc_iface *ifc = &s->ifaces[data[0] % s->nifaces];
    if (!ifc->nmethods)
        return 0;
    const struct capdesc_method *m = &s->methods[ifc->first_method + data[1] % ifc->nmethods];
    ncaps = data[2] % (CAPOS_MAX_XFER + 1);
    status = data[3] & 0x80 ? data[3] & 0x1f : CAPOS_OK;
    msg = data + 4;
    msg_len = size - 4;
    memset(released, 0, sizeof(released));
    calls = 0;

    lua_State *L = luaL_newstate();
    if (!L)
        return 0;
    caplua_object_init(L);
    caplua_push_object(L, OBJ_CAP, ifc, false);
    lua_getfield(L, -1, m->name);
    lua_pushvalue(L, -2);
    if (lua_pcall(L, 1, 1, 0) == LUA_OK) {
        if (!lua_istable(L, -1))
            violated("a call returned no table");
        if (m->results != CAPDESC_NONE) {
            lua_pushcfunction(L, reencode);
            lua_insert(L, -2);
            lua_pushlightuserdata(L, (void *)(uintptr_t)m);
            (void)lua_pcall(L, 2, 0, 0);
        }
    }
    lua_close(L);
    if (calls != 1)
        violated("the call was not sent exactly once");
    if (released[OBJ_CAP] != 1)
        violated("the object was not released at the end");
    for (uint32_t i = 0; i < ncaps; i++)
        if (released[CAP_FIRST + i] != 1)
            violated("a received capability leaked");
    return 0;
}
