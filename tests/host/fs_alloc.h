/*
 * The allocator of the host tests of lib/fs and lib/store: fails after
 * `left` more allocations (-1: never) and counts live blocks, so a test
 * can make any allocation fail and check that everything was given back.
 */
#ifndef CAPOS_TESTS_HOST_FS_ALLOC_H
#define CAPOS_TESTS_HOST_FS_ALLOC_H

#include <stdlib.h>

#include "fs/fs.h"

struct counting {
    long left;
    long live;
};

static inline void *c_alloc(void *ctx, size_t n)
{
    struct counting *c = ctx;
    if (c->left == 0)
        return NULL;
    if (c->left > 0)
        c->left--;
    c->live++;
    return calloc(1, n);
}

static inline void c_free(void *ctx, void *p)
{
    struct counting *c = ctx;
    if (p)
        c->live--;
    free(p);
}

static inline struct fs_mem mem_of(struct counting *c)
{
    return (struct fs_mem){.alloc = c_alloc, .free = c_free, .ctx = c};
}

#endif
