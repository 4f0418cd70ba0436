/*
 * The numbers the RPC layer's generator and its runtime must agree on:
 * how a field path is encoded in a completion's detail, and the message
 * room generated client stubs keep on their own stack.  No dependencies,
 * so that tools/capnpc-c (which writes the schema bindings) can include it
 * without including them.
 */
#ifndef CAPOS_LIB_RPC_LIMITS_H
#define CAPOS_LIB_RPC_LIMITS_H

/* Field paths: one byte per level (ordinal + 1), at most this many levels;
 * this byte stands for a field the decoder does not know. */
#define CAPOS_RPC_PATH_LEVELS   3u
#define CAPOS_RPC_UNKNOWN_FIELD 255u

/* The parameter arena of a stub whose parameters the schema does not
 * bound, and the largest bounded arena a stub keeps on its stack (above
 * it, the default; capos_rpc_opts.arena gives more). */
#define CAPOS_RPC_ARENA_BYTES    4096u
#define CAPOS_RPC_STUB_MAX_BYTES 8192u

#endif
