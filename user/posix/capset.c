/*
 * The CapSet as the POSIX personality reads it: validated once at start-up
 * (the region is read-only, so it cannot change afterwards), then searched
 * by name.  argv and the environment are read from it in place.
 */
#include <string.h>

#include "posix.h"

static const struct capos_capset_header *cs;
static const struct capos_capset_entry *cs_entries;
static const uint32_t *cs_argv, *cs_env;

const struct capos_capset_header *posix_capset(void)
{
    return cs;
}

/* An offset table of n entries at `off`, every string NUL-terminated
 * inside the region. */
static bool strings_ok(const uint8_t *base, uint32_t total, uint32_t off, uint32_t n)
{
    if (off > total || n > (total - off) / 4)
        return false;
    const uint32_t *t = (const uint32_t *)(const void *)(base + off);
    for (uint32_t i = 0; i < n; i++) {
        if (t[i] >= total || !memchr(base + t[i], 0, total - t[i]))
            return false;
    }
    return true;
}

bool posix_capset_init(const void *region)
{
    const struct capos_capset_header *h = region;
    const uint8_t *base = region;
    if (h->magic != CAPOS_CAPSET_MAGIC || h->version != CAPOS_CAPSET_VERSION ||
        h->total_bytes < sizeof(*h) || h->total_bytes > CAPOS_CAPSET_MAX_BYTES ||
        h->entry_offset > h->total_bytes ||
        h->count > (h->total_bytes - h->entry_offset) / sizeof(struct capos_capset_entry) ||
        (h->entry_offset & 7) || (h->argv_offset & 3) || (h->env_offset & 3) ||
        !strings_ok(base, h->total_bytes, h->argv_offset, h->argc) ||
        !strings_ok(base, h->total_bytes, h->env_offset, h->envc))
        return false;
    cs = h;
    cs_entries = (const struct capos_capset_entry *)(const void *)(base + h->entry_offset);
    cs_argv = (const uint32_t *)(const void *)(base + h->argv_offset);
    cs_env = (const uint32_t *)(const void *)(base + h->env_offset);
    return true;
}

uint32_t posix_capset_find(const char *name, uint64_t iid)
{
    for (uint32_t i = 0; i < cs->count; i++) {
        const struct capos_capset_entry *e = &cs_entries[i];
        if (strncmp(e->name, name, CAPOS_CAPSET_NAME_MAX) == 0)
            return !iid || e->interface_id == iid ? e->cap : 0;
    }
    return 0;
}

const char *posix_capset_arg(uint32_t i)
{
    return (const char *)cs + cs_argv[i];
}

const char *posix_capset_env(uint32_t i)
{
    return (const char *)cs + cs_env[i];
}
