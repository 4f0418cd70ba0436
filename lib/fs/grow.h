/*
 * Growing the arrays of the file service's pure logic (a directory's
 * entries, the store's blobs, a namespace's bindings): each doubles when
 * full, through the caller's allocator, and stays as it was if that fails.
 */
#ifndef CAPOS_LIB_FS_GROW_H
#define CAPOS_LIB_FS_GROW_H

#include <stddef.h>
#include <stdint.h>

#include "fs/fs.h"

/*
 * An array of *cap elements of `elem` bytes in place of `old`, of which the
 * first n (n == *cap) are copied: twice as long, or `first` long if *cap
 * is 0.  Frees `old` and sets *cap on success; on NULL (no memory, or a
 * length past 2^32) nothing changed.
 */
void *fs_grow(const struct fs_mem *m, void *old, uint32_t n, uint32_t *cap, uint32_t first,
              size_t elem);

#endif
