/*
 * Parameter and result messages of kernel-object calls.  call_params opens
 * the kernel copy of the parameters with the reader's safety limits (an
 * empty message reads as the default struct); call_result_begin/end build
 * the result in the CPU's result scratch buffer.
 */
#ifndef CAPOS_KERNEL_MSG_H
#define CAPOS_KERNEL_MSG_H

#include "cap.h"
#include "capnp/capnp.h"

/* Opens the parameters; false if the message is malformed. */
bool call_params(struct call *c, struct capnp_reader *r);

/* Starts a result message in c->result. */
void call_result_begin(struct call *c, struct capnp_builder *b);

/* Finishes it; returns CAPOS_OK, or resultTooLarge if it did not fit the
 * scratch buffer (a kernel limit, not the caller's buffer). */
int call_result_end(struct call *c, struct capnp_builder *b);

/* True if the reader saw no malformation while the fields were read. */
static inline bool call_params_ok(const struct capnp_reader *r)
{
    return capnp_reader_error(r) == CAPNP_OK;
}

#endif
