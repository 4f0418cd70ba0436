/*
 * ErrorCode, the one error space of the kernel and userspace, under the C
 * names code has always used: CAPOS_OK, CAPOS_ERR_* and CAPOS_ERR_COUNT.
 * All of them are generated from schema/capos.capnp into gen/capos.capnp.h
 * (the enum's macroPrefix annotation); the name table is there too.
 */
#ifndef CAPOS_LIB_ABI_ERRORS_H
#define CAPOS_LIB_ABI_ERRORS_H

#include "capos.capnp.h"

/* A short name for each code ("invalidArgument"), for diagnostics. */
static inline const char *capos_error_name(int e)
{
    const char *n = e >= 0 ? capos_ErrorCode_name((uint32_t)e) : 0;
    return n ? n : "unknown";
}

#endif
