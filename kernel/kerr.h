/*
 * Internal kernel result codes.  Functions that can fail return 0 (KERR_OK)
 * or a negative code; the capability layer translates these into the
 * schema-defined error codes that processes see.
 */
#ifndef CAPOS_KERNEL_KERR_H
#define CAPOS_KERNEL_KERR_H

enum kerr {
    KERR_OK = 0,
    KERR_NOMEM = -1,   /* out of memory (frames, heap, or quota) */
    KERR_EXISTS = -2,  /* already mapped / already present */
    KERR_INVALID = -3, /* malformed argument */
    KERR_NOENT = -4,   /* nothing there */
    KERR_RANGE = -5,   /* outside the allowed range */
};

#endif
