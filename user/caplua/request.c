/*
 * Serving an endpoint from Lua: capos.recv(server) waits for one call on a
 * server facet and returns it as a request object; the script answers it
 * with req:reply{results} or req:fail("errorName").
 *
 *   req.interface, req.method   the names of what the client called
 *   req.params                  the parameters as a table (convert.c),
 *                               capabilities that came with them as objects
 *   req.badge                   the client facet's badge
 *
 * The token that names the call stays in C.  A call of an interface or
 * method the schema does not have is refused here (wrongInterface,
 * unknownMethod) and the next one is received, so the script only sees
 * calls it can read; one whose parameters do not decode is refused with
 * invalidArgument.  A request is answered at most once; one the script
 * drops unanswered is refused with `cancelled` when it is collected (at
 * the latest when the script ends), so no client waits for ever.  The
 * request keeps its server object alive until it is answered.
 */
#include <string.h>

#include "capos.h"
#include "caplua.h"
#include "lauxlib.h"
#include "ring.h"

#define S CAPLUA_SCHEMA

struct request {
    uint32_t server; /* 0 once answered */
    uint64_t token;
    uint64_t badge;
    const struct capdesc_iface *ifc;
    const struct capdesc_method *m;
};

static const char req_key = 0; /* registry: the requests' metatable */

static struct request *to_request(lua_State *L, int idx)
{
    struct request *q = lua_touserdata(L, idx);
    if (!q || lua_type(L, idx) != LUA_TUSERDATA || !lua_getmetatable(L, idx))
        return 0;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &req_key);
    bool ours = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    return ours ? q : 0;
}

static int answer(uint32_t server, uint64_t token, int status, const void *msg, uint32_t len,
                  const struct capos_xfer *xfer, uint16_t nxfer)
{
    struct capos_sqe *s = capos_ring_prep();
    if (!s) {
        capos_ring_enter(0, 0);
        s = capos_ring_prep();
        if (!s)
            return CAPOS_ERR_EXHAUSTED;
    }
    capos_sqe_return(s, server, token, status, 0, len ? msg : 0, len, nxfer ? xfer : 0, nxfer);
    s->user_data = capos_ring_cookie();
    struct capos_cqe c;
    int r = capos_ring_wait(s->user_data, &c);
    return r ? -r : c.result;
}

static int recv_one(uint32_t server, struct capos_cqe *c)
{
    struct capos_sqe *s = capos_ring_prep();
    if (!s) {
        capos_ring_enter(0, 0);
        s = capos_ring_prep();
        if (!s)
            return CAPOS_ERR_EXHAUSTED;
    }
    capos_sqe_recv(s, server, caplua_result, CAPLUA_RESULT_BYTES);
    s->user_data = capos_ring_cookie();
    int r = capos_ring_wait(s->user_data, c);
    return r ? -r : c->result;
}

static int req_recv(lua_State *L)
{
    struct caplua_obj *srv = caplua_to_object(L, 1);
    if (!srv)
        return luaL_error(L, "capos.recv: a capability object (an endpoint's server) expected");
    if (!srv->cap)
        return luaL_error(L, "capos.recv: the object was released");
    for (;;) {
        struct capos_cqe c;
        int err = recv_one(srv->cap, &c);
        if (err != CAPOS_OK)
            return luaL_error(L, "capos.recv: %s", caplua_errname(err));
        uint32_t ncaps = c.ncaps < CAPOS_MAX_XFER ? c.ncaps : CAPOS_MAX_XFER;
        const uint32_t *ids = (const uint32_t *)(const void *)((const uint8_t *)caplua_result +
                                                               CAPOS_CAPS_OFFSET(c.result_len));
        /* The capabilities first, so that none leaks (see object.c). */
        lua_settop(L, 1);
        lua_createtable(L, (int)ncaps, 0);
        for (uint32_t i = 0; i < ncaps; i++) {
            caplua_push_object(L, ids[i], 0, false);
            lua_rawseti(L, 2, (lua_Integer)i + 1);
        }
        const struct capdesc_iface *ifc = capdesc_iface_by_id(S, c.interface_id);
        const struct capdesc_method *m = ifc ? capdesc_method_at(S, ifc, c.method) : 0;
        if (!m) {
            answer(srv->cap, c.token, ifc ? CAPOS_ERR_UNKNOWN_METHOD : CAPOS_ERR_WRONG_INTERFACE, 0,
                   0, 0, 0);
            continue;
        }
        struct capnp_reader r;
        struct capnp_struct root = capnp_struct_null();
        bool ok = true;
        if (c.result_len) {
            ok = capnp_reader_init(&r, caplua_result, c.result_len, caplua_limits(c.result_len)) ==
                 CAPNP_OK;
            if (ok) {
                capnp_reader_set_cap_count(&r, ncaps);
                root = capnp_reader_root(&r);
            }
        }
        if (!ok) {
            answer(srv->cap, c.token, CAPOS_ERR_INVALID_ARGUMENT, 0, 0, 0, 0);
            continue;
        }
        /* The request first: should the conversion below raise (out of
         * memory), the collector refuses the call with `cancelled`
         * instead of leaving its client waiting. */
        struct request *q = lua_newuserdatauv(L, sizeof(*q), 2); /* 3 */
        *q = (struct request){srv->cap, c.token, c.badge, ifc, m};
        lua_rawgetp(L, LUA_REGISTRYINDEX, &req_key);
        lua_setmetatable(L, 3);
        lua_pushvalue(L, 1); /* the server object, kept alive */
        lua_setiuservalue(L, 3, 2);
        struct caplua_conv cv = {
            .iface = ifc->name, .method = m->name, .caps_idx = 2, .ncaps = ncaps};
        caplua_decode(L, &S->structs[m->params], &root, &cv);
        if (c.result_len && capnp_reader_error(&r) != CAPNP_OK) {
            q->server = 0;
            answer(srv->cap, c.token, CAPOS_ERR_INVALID_ARGUMENT, 0, 0, 0, 0);
            continue;
        }
        lua_setiuservalue(L, 3, 1); /* params */
        return 1;
    }
}

static struct request *check_open(lua_State *L, const char *fn)
{
    struct request *q = to_request(L, 1);
    if (!q)
        luaL_error(L, "%s: a request expected", fn);
    if (!q->server)
        luaL_error(L, "%s: the request was already answered", fn);
    return q;
}

static int req_reply(lua_State *L)
{
    struct request *q = check_open(L, "reply");
    struct capos_xfer xfer[CAPOS_MAX_XFER];
    struct caplua_conv c = {.iface = q->ifc->name, .method = q->m->name, .xfer = xfer};
    const uint8_t *msg = 0;
    size_t len = 0;
    if (q->m->results != CAPDESC_NONE) {
        struct capnp_builder b;
        capnp_builder_init(&b, caplua_arena, sizeof(uint64_t) * CAPLUA_MSG_WORDS);
        caplua_encode(L, 2, &S->structs[q->m->results], &b, &c);
        if (capnp_builder_finish(&b, &msg, &len) != CAPNP_OK || len > CAPOS_MAX_MSG_BYTES)
            return luaL_error(L, "%s.%s: the results do not fit (at most 64 KiB)", q->ifc->name,
                              q->m->name);
    }
    uint32_t server = q->server;
    q->server = 0;
    int err = answer(server, q->token, CAPOS_OK, msg, (uint32_t)len, xfer, c.nxfer);
    /* peerGone: the client left; that is the client's business. */
    if (err != CAPOS_OK && err != CAPOS_ERR_PEER_GONE)
        return luaL_error(L, "%s.%s: reply: %s", q->ifc->name, q->m->name, caplua_errname(err));
    lua_pushboolean(L, err == CAPOS_OK);
    return 1;
}

static int req_fail(lua_State *L)
{
    struct request *q = check_open(L, "fail");
    size_t len;
    const char *name = luaL_checklstring(L, 2, &len);
    int code = -1;
    for (uint32_t i = 1; i < 64; i++) {
        const char *n = capos_ErrorCode_name(i);
        if (n && strlen(n) == len && memcmp(n, name, len) == 0)
            code = (int)i;
    }
    if (code < 0)
        return luaL_error(L, "fail: '%s' is not an ErrorCode", name);
    uint32_t server = q->server;
    q->server = 0;
    int err = answer(server, q->token, code, 0, 0, 0, 0);
    if (err != CAPOS_OK && err != CAPOS_ERR_PEER_GONE)
        return luaL_error(L, "fail: %s", caplua_errname(err));
    return 0;
}

static int req_gc(lua_State *L)
{
    struct request *q = to_request(L, 1);
    if (q && q->server) {
        answer(q->server, q->token, CAPOS_ERR_CANCELLED, 0, 0, 0, 0);
        q->server = 0;
    }
    return 0;
}

static int req_index(lua_State *L)
{
    struct request *q = to_request(L, 1);
    const char *k = luaL_checkstring(L, 2);
    if (strcmp(k, "interface") == 0)
        lua_pushstring(L, q->ifc->name);
    else if (strcmp(k, "method") == 0)
        lua_pushstring(L, q->m->name);
    else if (strcmp(k, "badge") == 0)
        lua_pushinteger(L, (lua_Integer)q->badge);
    else if (strcmp(k, "params") == 0)
        lua_getiuservalue(L, 1, 1);
    else if (strcmp(k, "reply") == 0)
        lua_pushcfunction(L, req_reply);
    else if (strcmp(k, "fail") == 0)
        lua_pushcfunction(L, req_fail);
    else
        lua_pushnil(L);
    return 1;
}

void caplua_request_init(lua_State *L)
{
    lua_createtable(L, 0, 4);
    lua_pushcfunction(L, req_index);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, req_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushliteral(L, "request");
    lua_setfield(L, -2, "__metatable");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &req_key);
    /* capos.recv */
    lua_getglobal(L, "capos");
    lua_pushcfunction(L, req_recv);
    lua_setfield(L, -2, "recv");
    lua_pop(L, 1);
}
