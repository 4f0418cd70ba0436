/*
 * capos-lua: a Lua 5.4 interpreter whose script holds its process's
 * capabilities as objects (docs/lua.md, "capos-lua").
 *
 *   object.c    capability objects: the userdata, method calls, release
 *   convert.c   Lua values <-> Cap'n Proto through the schema descriptors
 *   request.c   received calls of an endpoint the script serves
 *   spawn.c     starting a program file with capabilities granted
 *   alloc.c     the state's allocator: size-class free lists for small blocks
 *   runner.c    the script's environment: `caps`, `capos`, the curated library
 *   main.c      the command line
 *
 * A cap id lives only in C, inside an object's userdata; the script can
 * neither read it nor make an object from a number or a string.  The
 * runner is single-threaded (one Lua state, one ring), so the message
 * buffers below are shared by every call.
 */
#ifndef CAPOS_CAPLUA_H
#define CAPOS_CAPLUA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capdesc/capdesc.h"
#include "abi/ring.h"
#include "capnp/capnp.h"
#include "lua.h"

extern const struct capdesc_schema capos_schema;
#define CAPLUA_SCHEMA (&capos_schema)

/* One capability held by the script.  `ifc` is NULL for a capability whose
 * interface the schema does not say (a `Capability` field): cast() gives
 * it one.  cap is 0 once released. */
struct caplua_obj {
    uint32_t cap;
    bool shared; /* also held by the runtime: release() only forgets it */
    const struct capdesc_iface *ifc;
};

/* ---- alloc.c ---- */
/* A new Lua state over caplua_alloc, or NULL. */
lua_State *caplua_newstate(void);
void *caplua_alloc(void *ud, void *ptr, size_t osize, size_t nsize);

/* ---- runner.c ---- */
/* Sets up L for a script; true if a Directory was granted (files). */
bool caplua_open(lua_State *L);

/* ---- object.c ---- */
void caplua_object_init(lua_State *L);
/* Pushes a new object owning cap (ifc may be NULL). */
struct caplua_obj *caplua_push_object(lua_State *L, uint32_t cap, const struct capdesc_iface *ifc,
                                      bool shared);
/* The object at idx, or NULL if the value is not one. */
struct caplua_obj *caplua_to_object(lua_State *L, int idx);
/* Gives the object at idx the interface ifc (its methods, its metatable). */
void caplua_set_iface(lua_State *L, int idx, const struct capdesc_iface *ifc);

/* ---- convert.c ---- */
/* What a conversion carries: the method context for messages, the
 * capabilities to send (encode) or received (decode: a Lua table of
 * objects at caps_idx). */
struct caplua_conv {
    const char *iface, *method; /* for messages: "Timer.now: ..." */
    struct capos_xfer *xfer;
    uint16_t nxfer;
    int caps_idx;   /* decode: absolute index of the objects table, 0: none */
    uint32_t ncaps; /* decode: received capabilities */
};
struct capos_xfer;
/* Encodes the table at idx (or nil: all defaults) as the root struct sd
 * into b; raises a Lua error naming the field on a bad value. */
void caplua_encode(lua_State *L, int idx, const struct capdesc_struct *sd, struct capnp_builder *b,
                   struct caplua_conv *c);
/* Pushes the struct s (of type sd) as a table. */
void caplua_decode(lua_State *L, const struct capdesc_struct *sd, const struct capnp_struct *s,
                   struct caplua_conv *c);

/* ---- request.c ---- */
void caplua_request_init(lua_State *L);

/* ---- spawn.c: capos.spawn, capos.interface_id ---- */
void caplua_spawn_init(lua_State *L);

/* ---- message buffers (object.c), shared by calls and replies ---- */
#define CAPLUA_MSG_WORDS (CAPOS_MAX_MSG_BYTES / 8 + 1)
extern uint64_t caplua_arena[];
extern uint64_t caplua_result[];
/* A received message and its cap ids (the kernel's largest RECV buffer). */
#define CAPLUA_RESULT_BYTES (CAPOS_MAX_MSG_BYTES + 4 * CAPOS_MAX_XFER + 8)

/* The reader limits for a received message of len bytes. */
const struct capnp_limits *caplua_limits(uint32_t len);

/* The name of an ErrorCode. */
const char *caplua_errname(int err);

#endif
