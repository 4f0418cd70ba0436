/*
 * Message helpers for kernel objects (see msg.h).
 */
#include "msg.h"

#include "abi/errors.h"

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
