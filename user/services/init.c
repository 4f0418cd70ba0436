/*
 * init: turns the boot manifest into running services.
 *
 * The kernel starts init alone, with the boot package (to read the
 * manifest), the unrestricted process spawner, a console, a timer and its
 * own VirtualMemory.  init
 *   1. reads and validates the manifest (the same validator the kernel ran);
 *   2. creates one endpoint per export and per named manifest endpoint,
 *      keeping each server facet so it can mint badged clients and restart
 *      exporters without invalidating their clients;
 *   3. starts the services in dependency order (an exporter before its
 *      importers), each with exactly its grants: kernel objects created by
 *      the spawner, badged client facets of exports, endpoint facets, and
 *      the server facets of its own exports;
 *   4. waits for all of them at once (one ProcessHandle.wait each, in the
 *      ring) and applies each service's restart policy, with exponential
 *      back-off on a Timer.sleep;
 *   5. exits once no service runs and none will be restarted: with status 0
 *      if every service's last run ended with status 0, else with status 1
 *      after naming the services that failed (the kernel then ends the
 *      machine with a failure status, see docs/init.md).
 * A service marked endsSystem is a session: when it ends and is not
 * restarted, init kills every other service (their ends are then not
 * failures) and cancels pending restarts, so the machine halts with the
 * session's outcome (the default system's shell: `exit` halts it).
 */
#include "capos.h"

#include "abi/note.h"
#include "base/mem.h"
#include "fmt/fmt.h"
#include "manifest/manifest.h"

#define INIT_MAX_SERVICES  64
#define INIT_MAX_ENDPOINTS 64
#define INIT_MAX_EXPORTS   16
#define INIT_MAX_GRANTS    64
#define INIT_MAX_ARGS      64

/* Declares this program an init program: the manifest validator accepts
 * only a binary carrying this note as a manifest's `init`. */
CAPOS_NOTE(CAPOS_NOTE_INIT, init_note);

struct init_service {
    capos_Service_reader s;
    const char *name;
    uint32_t handle;
    bool running;
    bool restart_pending;
    bool failed;  /* its last run did not end with status 0, or it could not start */
    bool stopped; /* killed by init when a session ended: its end is no failure */
    uint32_t restarts;
    uint32_t export_server[INIT_MAX_EXPORTS]; /* server facets of its exports */
    uint32_t nexports;
};

static uint32_t boot, spawner, timer;
static struct manifest man;
static struct init_service svc[INIT_MAX_SERVICES];
static uint32_t nsvc;
static uint32_t ep_server[INIT_MAX_ENDPOINTS]; /* SystemManifest.endpoints */

static bool text_eq(struct capnp_text t, const char *s)
{
    return t.len == strlen(s) && memcmp(t.str, s, t.len) == 0;
}

/* Reads the whole manifest through BootPackage into the heap. */
static uint8_t *init_read_manifest(uint64_t *size)
{
    if (capos_boot_size(boot, size) != CAPOS_OK || *size == 0 || *size > (64u << 20))
        return NULL;
    uint8_t *buf = malloc(*size + 8);
    if (!buf)
        return NULL;
    for (uint64_t off = 0; off < *size;) {
        uint32_t got;
        if (capos_boot_read(boot, off, buf + off, 32768, &got) != CAPOS_OK || got == 0)
            return NULL;
        off += got;
    }
    return buf;
}

static struct init_service *init_find(struct capnp_text name)
{
    for (uint32_t i = 0; i < nsvc; i++) {
        if (text_eq(name, svc[i].name))
            return &svc[i];
    }
    return NULL;
}

/* The server facet of export `exp` of service `owner`. */
static bool init_export_server(struct init_service *owner, struct capnp_text exp, uint32_t *cap,
                               uint64_t *iid)
{
    capos_Export_reader_list el = capos_Service_get_exports(owner->s);
    for (uint32_t i = 0; i < capos_Export_list_len(el) && i < owner->nexports; i++) {
        capos_Export_reader e = capos_Export_list_get(el, i);
        if (capos_Export_get_name(e).len == exp.len &&
            memcmp(capos_Export_get_name(e).str, exp.str, exp.len) == 0) {
            *cap = owner->export_server[i];
            *iid = capos_Export_get_interfaceId(e);
            return true;
        }
    }
    return false;
}

static bool init_endpoint_server(struct capnp_text name, uint32_t *cap)
{
    struct capnp_list l = capos_SystemManifest_get_endpoints(man.root);
    for (uint32_t i = 0; i < l.len && i < INIT_MAX_ENDPOINTS; i++) {
        struct capnp_text t = capnp_list_get_text(&l, i);
        if (t.len == name.len && memcmp(t.str, name.str, t.len) == 0) {
            *cap = ep_server[i];
            return true;
        }
    }
    return false;
}

/* Builds the grants of one service and spawns it. */
static int init_spawn(struct init_service *sv)
{
    struct capos_grant g[INIT_MAX_GRANTS];
    const char *allowed[INIT_MAX_GRANTS][INIT_MAX_ARGS];
    const char *argv[INIT_MAX_ARGS], *env[INIT_MAX_ARGS];
    uint32_t minted[INIT_MAX_GRANTS], nminted = 0, ng = 0;
    capos_Grant_reader_list gl = capos_Service_get_grants(sv->s);
    int err = CAPOS_OK;

    memset(g, 0, sizeof(g));
    for (uint32_t i = 0; i < capos_Grant_list_len(gl) && ng < INIT_MAX_GRANTS && !err; i++) {
        capos_Grant_reader gr = capos_Grant_list_get(gl, i);
        capos_Grant_source_reader src = capos_Grant_get_source(gr);
        struct capos_grant *x = &g[ng++];
        x->name = capos_Grant_get_name(gr).str;
        switch (capos_Grant_source_which(src)) {
        case capos_Grant_source_which_kernel: {
            capos_KernelCap_reader k = capos_Grant_source_get_kernel(src);
            struct capnp_list al = capos_KernelCap_get_allowedBinaries(k);
            x->kernel = true;
            x->kind = capos_KernelCap_get_kind(k);
            x->memory_limit = capos_KernelCap_get_memoryLimit(k);
            x->max_weight = capos_KernelCap_get_maxWeight(k);
            x->latency = capos_KernelCap_get_latency(k);
            x->port = capos_KernelCap_get_port(k);
            for (uint32_t a = 0; a < al.len && a < INIT_MAX_ARGS; a++)
                allowed[i][a] = capnp_list_get_text(&al, a).str;
            x->allowed = allowed[i];
            x->nallowed = al.len < INIT_MAX_ARGS ? al.len : INIT_MAX_ARGS;
            break;
        }
        case capos_Grant_source_which_export: {
            capos_ExportRef_reader e = capos_Grant_source_get_export(src);
            struct init_service *owner = init_find(capos_ExportRef_get_service(e));
            uint32_t server;
            if (!owner || !init_export_server(owner, capos_ExportRef_get_export(e), &server,
                                              &x->interface_id)) {
                err = CAPOS_ERR_NOT_FOUND;
                break;
            }
            err = capos_endpoint_mint(server, capos_ExportRef_get_badge(e), &x->cap);
            x->mode = CAPOS_XFER_MOVE;
            minted[nminted++] = x->cap;
            break;
        }
        case capos_Grant_source_which_endpoint: {
            capos_EndpointRef_reader e = capos_Grant_source_get_endpoint(src);
            uint32_t server;
            if (!init_endpoint_server(capos_EndpointRef_get_name(e), &server)) {
                err = CAPOS_ERR_NOT_FOUND;
                break;
            }
            if (capos_EndpointRef_get_role(e) == capos_EndpointRole_server) {
                x->cap = server;
                x->mode = CAPOS_XFER_COPY;
            } else {
                err = capos_endpoint_mint(server, capos_EndpointRef_get_badge(e), &x->cap);
                x->mode = CAPOS_XFER_MOVE;
                minted[nminted++] = x->cap;
            }
            break;
        }
        }
    }
    /* Its own exports: a copy of each server facet, under the export's name. */
    capos_Export_reader_list el = capos_Service_get_exports(sv->s);
    for (uint32_t i = 0; i < sv->nexports && ng < INIT_MAX_GRANTS && !err; i++) {
        struct capos_grant *x = &g[ng++];
        x->name = capos_Export_get_name(capos_Export_list_get(el, i)).str;
        x->cap = sv->export_server[i];
        x->mode = CAPOS_XFER_COPY;
    }
    struct capnp_list al = capos_Service_get_argv(sv->s), envl = capos_Service_get_env(sv->s);
    uint32_t argc = al.len < INIT_MAX_ARGS ? al.len : INIT_MAX_ARGS;
    uint32_t envc = envl.len < INIT_MAX_ARGS ? envl.len : INIT_MAX_ARGS;
    for (uint32_t i = 0; i < argc; i++)
        argv[i] = capnp_list_get_text(&al, i).str;
    for (uint32_t i = 0; i < envc; i++)
        env[i] = capnp_list_get_text(&envl, i).str;
    if (!err)
        err = capos_spawn(spawner, capos_Service_get_binary(sv->s).str, sv->name, g, ng, argv, argc,
                          env, envc, &sv->handle);
    if (err) {
        /* Moves that did not happen leave the minted clients with us. */
        for (uint32_t i = 0; i < nminted; i++)
            capos_release(minted[i]);
        return err;
    }
    sv->running = true;
    return CAPOS_OK;
}

/* Starts the ring wait for a service's exit (cookie = its index + 1). */
static void init_post_wait(uint32_t i, uint64_t *results)
{
    struct capos_sqe *s = capos_ring_prep();
    s->opcode = CAPOS_OP_CALL;
    s->cap = svc[i].handle;
    s->interface_id = capos_ProcessHandle_INTERFACE_ID;
    s->method = capos_ProcessHandle_method_wait;
    s->recv_addr = (uint64_t)(uintptr_t)&results[i * 32];
    s->recv_len = 32 * 8;
    s->user_data = i + 1;
}

/* A restart timer (cookie = 0x10000 + index). */
static void init_post_backoff(uint32_t i, uint64_t ms)
{
    static struct capos_msg m;
    const uint8_t *out;
    uint32_t len;
    capos_msg_init(&m);
    capos_Timer_sleep_Params_set_ns(capos_Timer_sleep_Params_init_root(&m.b), ms * 1000000ULL);
    capos_msg_finish(&m, &out, &len);
    /* The timer keeps no pointer to the message after the call is
     * consumed, which happens in the next cap_enter below. */
    static uint8_t params[INIT_MAX_SERVICES][64];
    memcpy(params[i], out, len);
    struct capos_sqe *s = capos_ring_prep();
    s->opcode = CAPOS_OP_CALL;
    s->cap = timer;
    s->interface_id = capos_Timer_INTERFACE_ID;
    s->method = capos_Timer_method_sleep;
    s->send_addr = (uint64_t)(uintptr_t)params[i];
    s->send_len = len;
    s->user_data = 0x10000 + i;
}

static const char *init_status_text(const struct capos_exit *st, char *buf, size_t n)
{
    switch (st->kind) {
    case capos_ExitStatus_which_exited:
        /* The runtime's status for a capability the program requires but
         * was not granted (it said which before it ended). */
        if (st->code == CAPOS_EXIT_MISSING_CAP)
            fmt_snprintf(buf, n, "status %d: a capability it requires is not granted", st->code);
        else
            fmt_snprintf(buf, n, "status %d", st->code);
        break;
    case capos_ExitStatus_which_killed: fmt_snprintf(buf, n, "killed"); break;
    case capos_ExitStatus_which_faulted:
        if (st->vector == 255) /* detected by the kernel, not a CPU exception */
            fmt_snprintf(buf, n, "stopped: %s", st->reason);
        else
            fmt_snprintf(buf, n, "fault: %s at %#lx", st->reason, (unsigned long)st->address);
        break;
    }
    return buf;
}

/* A session (endsSystem) ended: every other service is killed, and none
 * restarts. */
static void init_end_session(struct init_service *session)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < nsvc; i++) {
        struct init_service *sv = &svc[i];
        if (sv == session)
            continue;
        sv->restart_pending = false; /* its back-off timer is ignored */
        if (sv->running) {
            sv->stopped = true;
            capos_process_kill(sv->handle);
            n++;
        }
    }
    capos_printf("init: %s ended the session; stopping %u service%s\n", session->name, n,
                 n == 1 ? "" : "s");
}

/* Names the services whose last run failed (or that could not start);
 * returns init's exit status: 1 if there is any, else 0. */
static int init_report_failed(void)
{
    char line[512];
    size_t len = 0;
    uint32_t n = 0;
    for (uint32_t i = 0; i < nsvc; i++) {
        if (!svc[i].failed)
            continue;
        n++;
        if (len < sizeof(line))
            len += fmt_snprintf(line + len, sizeof(line) - len, "%s%s", n > 1 ? ", " : "",
                                svc[i].name);
    }
    if (n == 0)
        return 0;
    capos_printf("init: %u service%s failed: %s\n", n, n == 1 ? "" : "s", line);
    return 1;
}

int main(int argc, char **argv)
{
    static uint64_t results[INIT_MAX_SERVICES * 32];
    struct manifest_limits lim = manifest_default_limits();
    struct manifest_summary sum;
    uint32_t order[INIT_MAX_SERVICES];
    char why[192];
    uint64_t size;
    (void)argc, (void)argv;

    if (capos_capset_find(CAPOS_CAPSET_BOOT, capos_BootPackage_INTERFACE_ID, &boot) != CAPOS_OK ||
        capos_capset_find(CAPOS_CAPSET_SPAWNER, capos_ProcessSpawner_INTERFACE_ID, &spawner) !=
            CAPOS_OK ||
        capos_capset_find(CAPOS_CAPSET_TIMER, capos_Timer_INTERFACE_ID, &timer) != CAPOS_OK) {
        capos_printf("init: missing a bootstrap capability\n");
        return 1;
    }
    uint8_t *buf = init_read_manifest(&size);
    if (!buf) {
        capos_printf("init: cannot read the boot manifest\n");
        return 1;
    }
    if (manifest_validate(buf, size, &lim, &sum, why, sizeof(why)) != MANIFEST_OK ||
        manifest_open(&man, buf, size) != MANIFEST_OK) {
        capos_printf("init: manifest rejected: %s\n", why);
        return 1;
    }
    capos_Service_reader_list sl = capos_SystemManifest_get_services(man.root);
    nsvc = capos_Service_list_len(sl);
    if (nsvc > INIT_MAX_SERVICES)
        nsvc = INIT_MAX_SERVICES;
    capos_printf("init: %u services to start\n", nsvc);

    /* Endpoints first, so every grant can be made whatever the order. */
    struct capnp_list eps = capos_SystemManifest_get_endpoints(man.root);
    for (uint32_t i = 0; i < eps.len && i < INIT_MAX_ENDPOINTS; i++) {
        uint32_t client;
        if (capos_create_endpoint(spawner, &ep_server[i], &client) != CAPOS_OK) {
            capos_printf("init: cannot create endpoint %s\n", capnp_list_get_text(&eps, i).str);
            return 1;
        }
        capos_release(client);
    }
    for (uint32_t i = 0; i < nsvc; i++) {
        svc[i].s = capos_Service_list_get(sl, i);
        svc[i].name = capos_Service_get_name(svc[i].s).str;
        capos_Export_reader_list el = capos_Service_get_exports(svc[i].s);
        for (uint32_t e = 0; e < capos_Export_list_len(el) && e < INIT_MAX_EXPORTS; e++) {
            uint32_t client;
            if (capos_create_endpoint(spawner, &svc[i].export_server[e], &client) != CAPOS_OK) {
                capos_printf("init: cannot create the endpoint of %s\n", svc[i].name);
                return 1;
            }
            capos_release(client);
            svc[i].nexports++;
        }
    }

    uint32_t n = 0;
    if (manifest_start_order(&man, order, INIT_MAX_SERVICES, &n) != MANIFEST_OK) {
        capos_printf("init: no valid start order\n");
        return 1;
    }
    for (uint32_t k = 0; k < n; k++) {
        struct init_service *sv = &svc[order[k]];
        int err = init_spawn(sv);
        if (err) {
            capos_printf("init: cannot start %s: %s\n", sv->name, capos_error_name(err));
            sv->failed = true;
            continue;
        }
        /* With its pid: a service may fork, and its copies share its
         * name in the system's reports (tools/capos-run tells them apart
         * by this). */
        capos_ProcessHandle_pid_results pr = {0};
        if (capos_ProcessHandle_pid_call(sv->handle, 0, &pr, 0) == CAPOS_OK)
            capos_printf("init: started %s (pid %u)\n", sv->name, (unsigned)pr.pid);
        else
            capos_printf("init: started %s\n", sv->name);
        init_post_wait(order[k], results);
    }

    for (;;) {
        uint32_t active = 0;
        for (uint32_t i = 0; i < nsvc; i++)
            active += svc[i].running || svc[i].restart_pending;
        if (active == 0)
            break;
        capos_ring_enter(1, CAPOS_WAIT_FOREVER);
        struct capos_cqe c;
        while (capos_ring_next(&c)) {
            if (c.user_data >= 1 && c.user_data <= nsvc) {
                uint32_t i = (uint32_t)c.user_data - 1;
                struct init_service *sv = &svc[i];
                struct capos_exit st;
                char text[96];
                sv->running = false;
                capos_release(sv->handle);
                if (c.result != CAPOS_OK ||
                    !capos_exit_decode(&results[i * 32], c.result_len, &st)) {
                    capos_printf("init: lost track of %s (%s)\n", sv->name,
                                 capos_error_name(c.result));
                    sv->failed = true;
                    continue;
                }
                capos_printf("init: %s ended (%s)\n", sv->name,
                             init_status_text(&st, text, sizeof(text)));
                if (sv->stopped)
                    continue; /* init ended it: not a failure, not restarted */
                capos_RestartPolicy_reader rp = capos_Service_get_restart(sv->s);
                enum capos_RestartMode mode = capos_RestartPolicy_get_mode(rp);
                bool failed = !(st.kind == capos_ExitStatus_which_exited && st.code == 0);
                sv->failed = failed;
                bool want = mode == capos_RestartMode_always ||
                            (mode == capos_RestartMode_onFailure && failed);
                if (!want && capos_Service_get_endsSystem(sv->s))
                    init_end_session(sv);
                if (!want)
                    continue;
                if (sv->restarts >= capos_RestartPolicy_get_maxRestarts(rp)) {
                    capos_printf("init: %s reached its restart limit (%u); not restarting\n",
                                 sv->name, sv->restarts);
                    if (capos_Service_get_endsSystem(sv->s))
                        init_end_session(sv);
                    continue;
                }
                uint64_t ms = (uint64_t)capos_RestartPolicy_get_backoffMs(rp) << sv->restarts;
                sv->restarts++;
                sv->restart_pending = true;
                capos_printf("init: restarting %s in %lu ms (restart %u of %u)\n", sv->name,
                             (unsigned long)ms, sv->restarts,
                             capos_RestartPolicy_get_maxRestarts(rp));
                init_post_backoff(i, ms);
            } else if (c.user_data >= 0x10000 && c.user_data < 0x10000 + nsvc) {
                uint32_t i = (uint32_t)(c.user_data - 0x10000);
                struct init_service *sv = &svc[i];
                if (!sv->restart_pending)
                    continue; /* cancelled: a session ended meanwhile */
                sv->restart_pending = false;
                int err = init_spawn(sv);
                if (err) {
                    capos_printf("init: cannot restart %s: %s\n", sv->name, capos_error_name(err));
                    sv->failed = true;
                    continue;
                }
                init_post_wait(i, results);
            }
        }
    }
    capos_printf("init: no service left to run\n");
    return init_report_failed();
}
