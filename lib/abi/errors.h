/*
 * ErrorCode values as C constants, for code that needs them without the
 * generated schema bindings (the ring ABI, the runtime's lowest layer).
 * schema/capos.capnp is the source of truth; kernel/errors_check.c asserts
 * at build time that every value here equals the generated one.
 */
#ifndef CAPOS_LIB_ABI_ERRORS_H
#define CAPOS_LIB_ABI_ERRORS_H

enum capos_error {
    CAPOS_OK = 0,
    CAPOS_ERR_INVALID_CAP = 1,
    CAPOS_ERR_STALE_CAP = 2,
    CAPOS_ERR_CAP_BUSY = 3,
    CAPOS_ERR_WRONG_INTERFACE = 4,
    CAPOS_ERR_UNKNOWN_METHOD = 5,
    CAPOS_ERR_INVALID_ARGUMENT = 6,
    CAPOS_ERR_BAD_ADDRESS = 7,
    CAPOS_ERR_NO_MEMORY = 8,
    CAPOS_ERR_QUOTA_EXCEEDED = 9,
    CAPOS_ERR_TABLE_FULL = 10,
    CAPOS_ERR_RESULT_TOO_LARGE = 11,
    CAPOS_ERR_UNSUPPORTED = 12,
    CAPOS_ERR_NOT_FOUND = 13,
    CAPOS_ERR_PEER_GONE = 14,
    CAPOS_ERR_TIMED_OUT = 15,
    CAPOS_ERR_CANCELLED = 16,
    CAPOS_ERR_TOO_MANY_CAPS = 17,
    CAPOS_ERR_NOT_PERMITTED = 18,
    CAPOS_ERR_INVALID_OPCODE = 19,
    CAPOS_ERR_ALREADY_EXISTS = 20,
    CAPOS_ERR_EXHAUSTED = 21,
    CAPOS_ERR_WOULD_BLOCK = 22,
    CAPOS_ERR_COUNT
};

/* A short name for each code, for diagnostics. */
static inline const char *capos_error_name(int e)
{
    static const char *const names[CAPOS_ERR_COUNT] = {
        "ok",
        "invalidCap",
        "staleCap",
        "capBusy",
        "wrongInterface",
        "unknownMethod",
        "invalidArgument",
        "badAddress",
        "noMemory",
        "quotaExceeded",
        "tableFull",
        "resultTooLarge",
        "unsupported",
        "notFound",
        "peerGone",
        "timedOut",
        "cancelled",
        "tooManyCaps",
        "notPermitted",
        "invalidOpcode",
        "alreadyExists",
        "exhausted",
        "wouldBlock",
    };
    return e >= 0 && e < CAPOS_ERR_COUNT ? names[e] : "unknown";
}

#endif
