/*
 * Process and endpoint helpers (see ipc.h).  The clients are wrappers of
 * the generated stubs (capos.rpc.h); spawn and restrict, whose parameters
 * hold lists the argument structs cannot, build those in place and send
 * the message with the stubs' _call_built form.  The server side (RECV, RETURN)
 * is ring plumbing.
 */
#include "capos.h"

#include "base/mem.h"
#include "ipc.h"

/* The spawn message is large (kept off thread stacks, which may be small)
 * and shared: spawns of one process's threads take turns. */
static struct capos_msg spawn_msg;
static struct capos_mutex spawn_lock = CAPOS_MUTEX_INIT;

static int capos_spawn_locked(uint32_t spawner, const char *binary, const char *name,
                              const struct capos_grant *grants, uint32_t ngrants,
                              const char *const *argv, uint32_t argc, const char *const *env,
                              uint32_t envc, uint32_t *handle)
{
    struct capos_xfer xfer[CAPOS_MAX_XFER];
    struct capos_rpc_opts o = {.xfer = xfer};
    capos_ProcessSpawner_spawn_results r;
    uint16_t nx = 0;

    /* The texts through the argument struct, the lists in place. */
    capos_msg_init(&spawn_msg);
    capos_ProcessSpawner_spawn_args a = {.binary = {binary, (uint32_t)strlen(binary)},
                                         .name = {name, (uint32_t)strlen(name)}};
    capos_ProcessSpawner_spawn_Params_builder p =
        capos_ProcessSpawner_spawn_encode_args(&spawn_msg.b, &a);
    capos_SpawnGrant_builder_list gl = capos_ProcessSpawner_spawn_Params_init_grants(p, ngrants);
    for (uint32_t i = 0; i < ngrants; i++) {
        const struct capos_grant *g = &grants[i];
        capos_SpawnGrant_builder gb = capos_SpawnGrant_list_at(gl, i);
        capos_SpawnGrant_set_name(gb, g->name, strlen(g->name));
        if (g->kernel) {
            capos_KernelCap_builder k = capos_SpawnGrant_init_kernel(gb);
            capos_KernelCap_set_kind(k, g->kind);
            capos_KernelCap_set_memoryLimit(k, g->memory_limit);
            capos_KernelCap_set_maxWeight(k, g->max_weight);
            capos_KernelCap_set_latency(k, g->latency);
            capos_KernelCap_set_port(k, g->port);
            if (g->nallowed) {
                struct capnp_list_builder al = capos_KernelCap_init_allowedBinaries(k, g->nallowed);
                for (uint32_t n = 0; n < g->nallowed; n++)
                    capnp_lb_set_text(al, n, g->allowed[n], strlen(g->allowed[n]));
            }
        } else {
            if (nx == CAPOS_MAX_XFER)
                return CAPOS_ERR_TOO_MANY_CAPS;
            xfer[nx].cap = g->cap;
            xfer[nx].mode = g->mode;
            capos_SpawnGrant_set_cap(gb, nx++);
            capos_SpawnGrant_set_interfaceId(gb, g->interface_id);
        }
    }
    struct capnp_list_builder al = capos_ProcessSpawner_spawn_Params_init_argv(p, argc);
    for (uint32_t i = 0; i < argc; i++)
        capnp_lb_set_text(al, i, argv[i], strlen(argv[i]));
    struct capnp_list_builder el = capos_ProcessSpawner_spawn_Params_init_env(p, envc);
    for (uint32_t i = 0; i < envc; i++)
        capnp_lb_set_text(el, i, env[i], strlen(env[i]));
    o.nxfer = nx;
    int err = capos_ProcessSpawner_spawn_call_built(spawner, &spawn_msg.b, &r, &o);
    if (err == CAPOS_OK)
        *handle = r.handle;
    return err;
}

int capos_spawn(uint32_t spawner, const char *binary, const char *name,
                const struct capos_grant *grants, uint32_t ngrants, const char *const *argv,
                uint32_t argc, const char *const *env, uint32_t envc, uint32_t *handle)
{
    capos_mutex_lock(&spawn_lock);
    int err =
        capos_spawn_locked(spawner, binary, name, grants, ngrants, argv, argc, env, envc, handle);
    capos_mutex_unlock(&spawn_lock);
    return err;
}

/* An ExitStatus the decoder has checked, as a struct capos_exit. */
static void ipc_exit_status(capos_ExitStatus_reader es, struct capos_exit *st)
{
    memset(st, 0, sizeof(*st));
    st->kind = capos_ExitStatus_which(es);
    switch (st->kind) {
    case capos_ExitStatus_which_exited: st->code = capos_ExitStatus_get_exited(es); break;
    case capos_ExitStatus_which_killed: break;
    case capos_ExitStatus_which_faulted: {
        capos_Fault_reader f = capos_ExitStatus_get_faulted(es);
        struct capnp_text t = capos_Fault_get_reason(f);
        st->vector = capos_Fault_get_vector(f);
        st->address = capos_Fault_get_address(f);
        memcpy(st->reason, t.str, t.len < sizeof(st->reason) ? t.len : sizeof(st->reason) - 1);
        break;
    }
    }
}

bool capos_exit_decode(const void *msg, uint32_t len, struct capos_exit *st)
{
    struct capnp_reader r;
    capos_ProcessHandle_wait_results res;
    uint32_t detail;
    if (!capos_ProcessHandle_wait_decode_results(&r, msg, len, 0, &res, &detail))
        return false;
    ipc_exit_status(res.status, st);
    return true;
}

int capos_process_wait(uint32_t handle, struct capos_exit *st)
{
    uint64_t res[64]; /* an ExitStatus with a reason of some length */
    struct capos_rpc_opts o = {.buf = res, .buf_len = sizeof(res)};
    capos_ProcessHandle_wait_results r;
    int err = capos_ProcessHandle_wait_call(handle, 0, &r, &o);
    if (err == CAPOS_OK)
        ipc_exit_status(r.status, st);
    return err;
}

int capos_process_kill(uint32_t handle)
{
    return capos_ProcessHandle_kill_call(handle, 0, 0, 0);
}

int capos_create_endpoint(uint32_t spawner, uint32_t *server, uint32_t *client)
{
    capos_ProcessSpawner_createEndpoint_results r;
    int err = capos_ProcessSpawner_createEndpoint_call(spawner, 0, &r, 0);
    if (err == CAPOS_OK) {
        *server = r.server;
        *client = r.client;
    }
    return err;
}

int capos_endpoint_mint(uint32_t server, uint64_t badge, uint32_t *client)
{
    capos_Endpoint_mintClient_args a = {.badge = badge};
    capos_Endpoint_mintClient_results r;
    int err = capos_Endpoint_mintClient_call(server, &a, &r, 0);
    if (err == CAPOS_OK)
        *client = r.client;
    return err;
}

int capos_endpoint_identify(uint32_t server, uint32_t client, uint64_t *badge)
{
    struct capos_xfer x = {.cap = client, .mode = CAPOS_XFER_COPY};
    struct capos_rpc_opts o = {.xfer = &x, .nxfer = 1};
    capos_Endpoint_identify_results r;
    int err =
        capos_Endpoint_identify_call(server, &(capos_Endpoint_identify_args){.client = 0}, &r, &o);
    if (err == CAPOS_OK)
        *badge = r.badge;
    return err;
}

int capos_restrict(uint32_t spawner, const char *const *allowed, uint32_t n, uint32_t *launcher)
{
    struct capos_msg m;
    capos_ProcessSpawner_restrict_results r;
    capos_msg_init(&m);
    struct capnp_list_builder l = capos_ProcessSpawner_restrict_Params_init_allowed(
        capos_ProcessSpawner_restrict_encode_args(&m.b, 0), n);
    for (uint32_t i = 0; i < n; i++)
        capnp_lb_set_text(l, i, allowed[i], strlen(allowed[i]));
    int err = capos_ProcessSpawner_restrict_call_built(spawner, &m.b, &r, 0);
    if (err == CAPOS_OK)
        *launcher = r.launcher;
    return err;
}

static void ipc_fill_request(const struct capos_cqe *c, const void *buf, struct capos_request *req)
{
    req->token = c->token;
    req->badge = c->badge;
    req->interface_id = c->interface_id;
    req->method = c->method;
    req->msg = buf;
    req->msg_len = c->result_len;
    req->ncaps = c->ncaps;
    req->caps = (const uint32_t *)((const uint8_t *)buf + CAPOS_CAPS_OFFSET(c->result_len));
}

static struct capos_sqe *ipc_prep(void)
{
    struct capos_sqe *s = capos_ring_prep();
    if (!s) {
        capos_ring_enter(0, 0);
        s = capos_ring_prep();
    }
    return s;
}

int capos_recv(uint32_t server, void *buf, uint32_t buf_len, struct capos_request *req)
{
    struct capos_cqe c;
    struct capos_sqe *s = ipc_prep();
    if (!s)
        return CAPOS_ERR_EXHAUSTED;
    capos_sqe_recv(s, server, buf, buf_len);
    s->user_data = capos_ring_cookie();
    int r = capos_ring_wait(s->user_data, &c);
    if (r)
        return -r;
    if (c.result == CAPOS_OK)
        ipc_fill_request(&c, buf, req);
    return c.result;
}

int capos_return(uint32_t server, uint64_t token, int status, const void *msg, uint32_t len,
                 const struct capos_xfer *xfer, uint16_t nxfer)
{
    return capos_return_detail(server, token, status, 0, msg, len, xfer, nxfer);
}

int capos_return_detail(uint32_t server, uint64_t token, int status, uint32_t detail,
                        const void *msg, uint32_t len, const struct capos_xfer *xfer,
                        uint16_t nxfer)
{
    struct capos_cqe c;
    struct capos_sqe *s = ipc_prep();
    if (!s)
        return CAPOS_ERR_EXHAUSTED;
    capos_sqe_return(s, server, token, status, detail, msg, len, xfer, nxfer);
    s->user_data = capos_ring_cookie();
    int r = capos_ring_wait(s->user_data, &c);
    return r ? -r : c.result;
}

int capos_reply_recv(uint32_t server, uint64_t token, int status, const void *msg, uint32_t len,
                     void *buf, uint32_t buf_len, struct capos_request *req)
{
    return capos_reply_recv_detail(server, token, status, 0, msg, len, buf, buf_len, req);
}

int capos_reply_recv_detail(uint32_t server, uint64_t token, int status, uint32_t detail,
                            const void *msg, uint32_t len, void *buf, uint32_t buf_len,
                            struct capos_request *req)
{
    struct capos_cqe c;
    if (detail != 0) {
        /* REPLY_RECV carries no detail: RETURN and RECV, submitted together. */
        struct capos_sqe *s1 = ipc_prep();
        if (!s1)
            return CAPOS_ERR_EXHAUSTED;
        capos_sqe_return(s1, server, token, status, detail, msg, len, 0, 0);
        uint64_t c1 = s1->user_data = capos_ring_cookie();
        struct capos_sqe *s2 = ipc_prep();
        if (!s2)
            return CAPOS_ERR_EXHAUSTED;
        capos_sqe_recv(s2, server, buf, buf_len);
        uint64_t c2 = s2->user_data = capos_ring_cookie();
        /* The RETURN's result matters less than the next call: a client
         * that went away (peerGone) must not stop the server. */
        int r = capos_ring_wait(c2, &c);
        if (r)
            return -r;
        struct capos_cqe ret;
        capos_ring_wait(c1, &ret);
    } else {
        struct capos_sqe *s = ipc_prep();
        if (!s)
            return CAPOS_ERR_EXHAUSTED;
        capos_sqe_reply_recv(s, server, token, status, msg, len, buf, buf_len);
        s->user_data = capos_ring_cookie();
        int r = capos_ring_wait(s->user_data, &c);
        if (r)
            return -r;
        /* A refused RETURN posted no RECV; as above, it does not stop the
         * server, which receives on. */
        if (c.flags & CAPOS_CQE_REPLY_REFUSED)
            return capos_recv(server, buf, buf_len, req);
    }
    if (c.result == CAPOS_OK)
        ipc_fill_request(&c, buf, req);
    return c.result;
}
