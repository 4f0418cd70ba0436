/*
 * libcapos helpers for processes and endpoints: spawning with explicit
 * grants, waiting for and killing processes, creating endpoints and badged
 * client facets, and the server side of a call (RECV, RETURN).
 */
#ifndef CAPOS_USER_RT_IPC_H
#define CAPOS_USER_RT_IPC_H

#include <stdbool.h>
#include <stdint.h>

#include "abi/ring.h"
#include "capos.capnp.h"

/* One grant for a new process: either a capability of ours (copied or
 * moved) or a kernel object the spawner creates (kernel = true). */
struct capos_grant {
    const char *name;
    bool kernel;
    /* kernel = false */
    uint32_t cap;
    uint32_t mode;         /* CAPOS_XFER_COPY or CAPOS_XFER_MOVE */
    uint64_t interface_id; /* for endpoint clients: the protocol (may be 0) */
    /* kernel = true */
    enum capos_KernelCapKind kind;
    uint64_t memory_limit;      /* virtualMemory */
    const char *const *allowed; /* processSpawner: restricted to these */
    uint32_t nallowed;
    uint32_t max_weight;         /* schedulingPolicy: 0 = no bound */
    bool latency;                /* schedulingPolicy: may grant the latency class */
    enum capos_ConsolePort port; /* console: the serial line (0: com1) */
};

/* Starts `binary` named `name` with exactly `grants`.  On success *handle is
 * a ProcessHandle.  Returns an ErrorCode. */
int capos_spawn(uint32_t spawner, const char *binary, const char *name,
                const struct capos_grant *grants, uint32_t ngrants, const char *const *argv,
                uint32_t argc, const char *const *env, uint32_t envc, uint32_t *handle);

/* The decoded ExitStatus of a process. */
struct capos_exit {
    enum capos_ExitStatus_which kind; /* exited, killed or faulted */
    int32_t code;                     /* exited */
    uint8_t vector;                   /* faulted */
    uint64_t address;                 /* faulted */
    char reason[64];                  /* faulted */
};

int capos_process_wait(uint32_t handle, struct capos_exit *st);
/* Decodes a ProcessHandle.wait result message. */
bool capos_exit_decode(const void *msg, uint32_t len, struct capos_exit *st);
int capos_process_kill(uint32_t handle);

int capos_create_endpoint(uint32_t spawner, uint32_t *server, uint32_t *client);
int capos_endpoint_mint(uint32_t server, uint64_t badge, uint32_t *client);
/* The badge of `client` if it is a client facet of the endpoint whose
 * server facet is `server` (sent as a copy: the caller keeps it);
 * crossService if it is anything else. */
int capos_endpoint_identify(uint32_t server, uint32_t client, uint64_t *badge);
int capos_restrict(uint32_t spawner, const char *const *allowed, uint32_t n, uint32_t *launcher);

/* ---- the server side ---- */

/* A received call: what the client invoked and where its message is. */
struct capos_request {
    uint64_t token;
    uint64_t badge;
    uint64_t interface_id;
    uint16_t method;
    const uint8_t *msg; /* inside the buffer given to capos_recv */
    uint32_t msg_len;
    uint32_t ncaps;
    const uint32_t *caps; /* received cap ids, inside the same buffer */
};

/* Waits for one call on the server facet `server` into buf (8-aligned). */
int capos_recv(uint32_t server, void *buf, uint32_t buf_len, struct capos_request *req);

/* Answers `req` with `status` (an ErrorCode) and, if ok, the result message
 * and capabilities; does not wait for anything else. */
int capos_return(uint32_t server, uint64_t token, int status, const void *msg, uint32_t len,
                 const struct capos_xfer *xfer, uint16_t nxfer);

/* RETURN and the next RECV in one cap_enter, as one REPLY_RECV entry: the
 * server loop's step.  A RETURN the kernel refuses (the client's call then
 * stays unanswered) does not stop the server: it receives on. */
int capos_reply_recv(uint32_t server, uint64_t token, int status, const void *msg, uint32_t len,
                     void *buf, uint32_t buf_len, struct capos_request *req);

/* The same, refusing the call with `detail` for the caller's completion
 * alongside an error status: CAPOS_RPC_DETAIL(CAPOS_DETAIL_PARAMS, field)
 * names the parameter that was wrong (the kernel refuses any other kind,
 * and any detail with status ok, with invalidArgument).  With a detail the
 * step is a RETURN and a RECV (REPLY_RECV has no room for one). */
int capos_return_detail(uint32_t server, uint64_t token, int status, uint32_t detail,
                        const void *msg, uint32_t len, const struct capos_xfer *xfer,
                        uint16_t nxfer);
int capos_reply_recv_detail(uint32_t server, uint64_t token, int status, uint32_t detail,
                            const void *msg, uint32_t len, void *buf, uint32_t buf_len,
                            struct capos_request *req);

#endif
