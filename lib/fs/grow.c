/*
 * Array growth (grow.h).  The new length is computed before anything is
 * taken, and the old array is freed only once the new one holds its
 * elements, so a failure leaves the caller's array whole.
 */
#include "fs/grow.h"

#include "base/mem.h"

void *fs_grow(const struct fs_mem *m, void *old, uint32_t n, uint32_t *cap, uint32_t first,
              size_t elem)
{
    if (*cap > UINT32_MAX / 2)
        return NULL;
    uint32_t len = *cap ? *cap * 2 : first;
    void *p = m->alloc(m->ctx, (size_t)len * elem);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, old, (size_t)n * elem);
    m->free(m->ctx, old);
    *cap = len;
    return p;
}
