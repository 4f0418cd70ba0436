/*
 * Tally service: named counters behind the Tally interface, an example of a
 * service written with the generated RPC layer (docs/writing-a-service.md).
 * Serves its "tally" export; with argv[1] it ends after that many calls, so
 * that a test system can end.
 */
#include "capos.h"

#include "base/mem.h"

#define TALLY_COUNTERS 8

struct counter {
    char name[capos_maxTallyName];
    uint32_t len;
    uint64_t total;
};

struct tally {
    struct counter c[TALLY_COUNTERS];
    unsigned n;
};

capos_Tally_SERVER(tally, struct tally, struct capos_serve_call);

static struct tally counters;
static struct capos_server server;

/* The counter called `name`; a new one if `create` and there is room. */
static struct counter *tally_find(struct tally *t, struct capnp_text name, bool create)
{
    for (unsigned i = 0; i < t->n; i++) {
        if (t->c[i].len == name.len && memcmp(t->c[i].name, name.str, name.len) == 0)
            return &t->c[i];
    }
    if (!create || t->n == TALLY_COUNTERS)
        return NULL;
    struct counter *c = &t->c[t->n++];
    memcpy(c->name, name.str, name.len); /* at most capos_maxTallyName: checked */
    c->len = name.len;
    c->total = 0;
    return c;
}

static int tally_add(struct tally *t, struct capos_serve_call *call, const capos_Tally_add_args *a)
{
    struct counter *c = tally_find(t, a->name, true);
    if (!c)
        return CAPOS_ERR_QUOTA_EXCEEDED;
    c->total += a->amount;
    capos_Tally_add_encode_results(&call->result, &(capos_Tally_add_results){.total = c->total});
    return CAPOS_OK;
}

static int tally_get(struct tally *t, struct capos_serve_call *call, const capos_Tally_get_args *a)
{
    struct counter *c = tally_find(t, a->name, false);
    if (!c)
        return CAPOS_ERR_NOT_FOUND;
    capos_Tally_get_encode_results(&call->result, &(capos_Tally_get_results){.total = c->total});
    return CAPOS_OK;
}

int main(int argc, char **argv)
{
    uint32_t endpoint;
    long calls = 0, served = 0, refused = 0;
    char why[64];
    if (capos_capset_find("tally", capos_Endpoint_INTERFACE_ID, &endpoint) != CAPOS_OK)
        return 1;
    for (const char *p = argc > 1 ? argv[1] : ""; *p >= '0' && *p <= '9'; p++)
        calls = calls * 10 + (*p - '0');
    capos_server_init(&server, endpoint);
    int status = CAPOS_OK;
    while (capos_server_next(&server, status)) {
        status = tally_dispatch(&counters, &server.call);
        if (server.call.rpc.detail) {
            refused++;
            capos_printf("tally: refused a call: %s\n",
                         capos_detail_name(why, sizeof(why), server.call.rpc.detail,
                                           server.call.rpc.interface_id, server.call.rpc.method));
        }
        if (++served == calls) {
            capos_server_reply(&server, status);
            break;
        }
    }
    capos_printf("tally: served %ld calls, refused %ld\n", served, refused);
    return 0;
}
