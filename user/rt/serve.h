/*
 * Serving an interface from userspace with the generated RPC layer
 * (docs/writing-a-service.md).  A service declares its acting functions
 * with the interface's generated <Iface>_SERVER(prefix, OBJ, struct
 * capos_serve_call) and loops:
 *
 *     int status = CAPOS_OK;
 *     while (capos_server_next(&server, status))
 *         status = prefix_dispatch(&state, &server.call);
 *
 * capos_server_next answers the call just served and waits for the next;
 * the dispatch checks the call and runs one acting function, which builds
 * its result in call->result with the method's <Iface>_<method>_encode_results.
 */
#ifndef CAPOS_USER_RT_SERVE_H
#define CAPOS_USER_RT_SERVE_H

#include <stdbool.h>
#include <stdint.h>

#include "abi/ring.h"
#include "ipc.h"
#include "rpc/rpc.h"

/* The result message an acting function can build (larger ones fail the
 * call with resultTooLarge). */
#define CAPOS_SERVER_RESULT_BYTES 4096

/* One received call as the dispatch and the acting functions see it. */
struct capos_serve_call {
    struct capos_rpc_call rpc; /* what was called, with what (rpc.detail: why it was refused) */
    uint64_t badge;            /* of the client facet the caller used */
    /* The cap ids of the capabilities that came with the call (rpc.ncaps);
     * Capability fields of the arguments index this.  They are the
     * server's now: keep them or release them. */
    const uint32_t *caps;
    /* The result: built by the acting function with <method>_encode_results
     * (left empty by methods without results), and the capabilities it
     * hands back, which Capability fields of the result index. */
    struct capnp_builder result;
    struct capos_xfer xfer[CAPOS_MAX_XFER];
    uint16_t nxfer;
};

/* A server loop on one endpoint (large: keep it static). */
struct capos_server {
    uint32_t endpoint;
    bool serving; /* a received call awaits its answer */
    struct capos_request req;
    struct capos_serve_call call;
    uint64_t recv[(CAPOS_MAX_MSG_BYTES + 4 * CAPOS_MAX_XFER) / 8 + 1];
    uint64_t arena[CAPOS_SERVER_RESULT_BYTES / 8];
    /* Where results are built: `arena` unless capos_server_result_arena
     * gave a larger one. */
    uint64_t *result;
    size_t result_bytes;
};

/* Starts serving the endpoint's server facet `endpoint`. */
void capos_server_init(struct capos_server *s, uint32_t endpoint);

/* Builds results in `arena` (`bytes`, at most CAPOS_MAX_MSG_BYTES) instead
 * of the server's own CAPOS_SERVER_RESULT_BYTES: for a service whose
 * results carry bulk data.  Call it after capos_server_init, before the
 * first capos_server_next; the arena must outlive the loop. */
void capos_server_result_arena(struct capos_server *s, uint64_t *arena, size_t bytes);

/*
 * Answers the call being served, if any, with `status` (with the result
 * and capabilities in s->call when it is ok), then waits for the next call
 * and prepares s->call for it.  False when receiving fails: the loop ends.
 */
bool capos_server_next(struct capos_server *s, int status);

/* Leaves the call being served unanswered for now: returns its token,
 * which a later capos_return (or capos_return_detail) on the same endpoint
 * answers; the next capos_server_next only receives.  The call's
 * parameters live in the receive buffer, which the next call overwrites:
 * keep what the answer needs. */
uint64_t capos_server_defer(struct capos_server *s);

/* Answers the call being served without waiting for another (a server's
 * last call).  Capabilities of call.xfer to move that do not reach the
 * caller (an error status, or the RETURN failed) are released. */
void capos_server_reply(struct capos_server *s, int status);

#endif
