/*
 * Echo server: answers Echo.echo with the same text and the caller's badge,
 * so clients (and the smoke test) can see that badges tell them apart.
 * Echo takes no capabilities: any a call carries are released at once, so
 * that no client can fill its table.
 * Serves the endpoint it receives as its "echo" export; exits after
 * `argv[1]` calls if given (so a test system can end).  With `argv[2]` it
 * first sleeps that many milliseconds, so that early calls wait in the
 * endpoint's queue (the IPC slow path).
 */
#include "capos.h"

#include "base/mem.h"

static uint64_t reqbuf[8192];
static uint64_t repbuf[1024];

int main(int argc, char **argv)
{
    uint32_t server;
    struct capos_request req;
    long limit = -1, served = 0;
    if (capos_capset_find("echo", capos_Endpoint_INTERFACE_ID, &server) != CAPOS_OK)
        return 1;
    if (argc > 1) {
        limit = 0;
        for (const char *p = argv[1]; *p >= '0' && *p <= '9'; p++)
            limit = limit * 10 + (*p - '0');
    }
    if (argc > 2) {
        uint32_t timer;
        uint64_t ms = 0;
        for (const char *p = argv[2]; *p >= '0' && *p <= '9'; p++)
            ms = ms * 10 + (uint64_t)(*p - '0');
        if (capos_capset_find("timer", capos_Timer_INTERFACE_ID, &timer) == CAPOS_OK)
            capos_timer_sleep(timer, ms * 1000000ULL);
    }
    capos_printf("echo: serving\n");
    int err = capos_recv(server, reqbuf, sizeof(reqbuf), &req);
    while (err == CAPOS_OK) {
        struct capnp_reader r;
        for (uint32_t i = 0; i < req.ncaps; i++)
            capos_release(req.caps[i]);
        struct capos_msg *m = (struct capos_msg *)repbuf;
        const uint8_t *out = 0;
        uint32_t len = 0;
        int status = CAPOS_OK;
        if (req.interface_id != capos_Echo_INTERFACE_ID || req.method != capos_Echo_method_echo) {
            status = CAPOS_ERR_UNKNOWN_METHOD;
        } else if (!capos_msg_read(&r, req.msg, req.msg_len)) {
            status = CAPOS_ERR_INVALID_ARGUMENT;
        } else {
            struct capnp_text t =
                capos_Echo_echo_Params_get_text(capos_Echo_echo_Params_read_root(&r));
            capos_msg_init(m);
            capos_Echo_echo_Results_builder b = capos_Echo_echo_Results_init_root(&m->b);
            capos_Echo_echo_Results_set_text(b, t.str, t.len);
            capos_Echo_echo_Results_set_badge(b, req.badge);
            status = capos_msg_finish(m, &out, &len);
        }
        served++;
        if (limit >= 0 && served >= limit) {
            capos_return(server, req.token, status, out, len, 0, 0);
            break;
        }
        err = capos_reply_recv(server, req.token, status, out, len, reqbuf, sizeof(reqbuf), &req);
    }
    capos_printf("echo: served %ld calls\n", served);
    return 0;
}
