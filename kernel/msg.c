/*
 * Message helpers for kernel objects (see msg.h).
 */
#include "msg.h"

#include "abi/errors.h"

/* An empty message: one segment of one word holding a null root pointer. */
static const uint64_t msg_empty[2] = {0x0000000100000000ULL, 0};

bool call_params(struct call *c, struct capnp_reader *r)
{
    const void *buf = c->params_len ? (const void *)c->params : (const void *)msg_empty;
    size_t len = c->params_len ? c->params_len : sizeof(msg_empty);
    return capnp_reader_init(r, buf, len, NULL) == CAPNP_OK;
}

void call_result_begin(struct call *c, struct capnp_builder *b)
{
    capnp_builder_init(b, c->result, CALL_MAX_RESULT);
}

int call_result_end(struct call *c, struct capnp_builder *b)
{
    const uint8_t *out;
    size_t len;
    if (capnp_builder_finish(b, &out, &len) != CAPNP_OK)
        return CAPOS_ERR_RESULT_TOO_LARGE;
    c->result_len = (uint32_t)len;
    return CAPOS_OK;
}
