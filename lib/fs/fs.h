/*
 * Shared definitions of the file service's pure logic (lib/fs/): errors and
 * the allocator the tree draws on.  The tree, file data, quota accounts,
 * names and the badge table each live in their own file; none allocates
 * except through a struct fs_mem, so the same code runs in the service
 * (its heap) and in the host tests (malloc, under ASan).
 */
#ifndef CAPOS_LIB_FS_FS_H
#define CAPOS_LIB_FS_FS_H

#include <stddef.h>
#include <stdint.h>

enum fs_err {
    FS_OK = 0,
    FS_NOT_FOUND,   /* no such entry, or the node was removed */
    FS_EXISTS,      /* the entry to create exists */
    FS_NOT_DIR,     /* a directory was required */
    FS_IS_DIR,      /* a file was required */
    FS_NOT_EMPTY,   /* a directory to remove or replace has entries */
    FS_QUOTA,       /* an account (or one above it) has no room */
    FS_NO_MEMORY,   /* the allocator failed; nothing changed */
    FS_TOO_BIG,     /* an offset or size past FS_MAX_FILE_SIZE */
    FS_BAD_NAME,    /* not a name (name.h), or not a link target */
    FS_INTO_ITSELF, /* a directory to move into itself or below it */
};

/* Largest file size (and end of a write): 2^48 bytes. */
#define FS_MAX_FILE_SIZE (1ull << 48)

/* The allocator: zeroed memory or NULL; free takes NULL. */
struct fs_mem {
    void *(*alloc)(void *ctx, size_t bytes);
    void (*free)(void *ctx, void *p);
    void *ctx;
};

#endif
