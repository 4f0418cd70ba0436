/*
 * Result messages of kernel-object calls.  The parameters reach an object
 * already decoded and checked by its interface's generated dispatch
 * (capos.rpc.h, docs/capnp.md); call_result_begin/end build the result in
 * the CPU's result scratch buffer, usually through the method's generated
 * <Iface>_<method>_encode_results.
 */
#ifndef CAPOS_KERNEL_MSG_H
#define CAPOS_KERNEL_MSG_H

#include "cap.h"
#include "capnp/capnp.h"
#include "capos.rpc.h"

/* Starts a result message in c->result. */
void call_result_begin(struct call *c, struct capnp_builder *b);

/* Finishes it; returns CAPOS_OK, or resultTooLarge if it did not fit the
 * scratch buffer (a kernel limit, not the caller's buffer). */
int call_result_end(struct call *c, struct capnp_builder *b);

#endif
