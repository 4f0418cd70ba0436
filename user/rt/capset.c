/*
 * CapSet parsing.  The region comes from the kernel, but the runtime still
 * checks its header and offsets before using them, so that a corrupted
 * region produces an error at start-up rather than wild reads later.
 */
#include "capset.h"

#include "abi/errors.h"
#include "base/checked.h"
#include "base/mem.h"

#define CAPSET_MAX_ARGS 128

static const struct capos_capset_header *cs;
static const struct capos_capset_entry *cs_entries;
static char *cs_argv[CAPSET_MAX_ARGS + 1];
static char *cs_env[CAPSET_MAX_ARGS + 1];
static int cs_argc;

static int capset_strings(const uint8_t *base, uint32_t table, uint32_t n, char **out)
{
    if (n > CAPSET_MAX_ARGS || !range_within(table, 4ULL * n, cs->total_bytes))
        return -1;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t off;
        memcpy(&off, base + table + 4 * i, 4);
        if (off >= cs->total_bytes ||
            strnlen((const char *)base + off, cs->total_bytes - off) == cs->total_bytes - off)
            return -1;
        out[i] = (char *)base + off;
    }
    out[n] = 0;
    return 0;
}

int capos_capset_init(const void *region)
{
    const uint8_t *base = region;
    cs = region;
    if (cs->magic != CAPOS_CAPSET_MAGIC || cs->version != CAPOS_CAPSET_VERSION ||
        cs->total_bytes > CAPOS_CAPSET_MAX_BYTES ||
        !range_within(cs->entry_offset, (uint64_t)cs->count * sizeof(struct capos_capset_entry),
                      cs->total_bytes))
        return -1;
    cs_entries = (const struct capos_capset_entry *)(base + cs->entry_offset);
    if (capset_strings(base, cs->argv_offset, cs->argc, cs_argv) != 0 ||
        capset_strings(base, cs->env_offset, cs->envc, cs_env) != 0)
        return -1;
    cs_argc = (int)cs->argc;
    return 0;
}

const struct capos_capset_header *capos_capset(void)
{
    return cs;
}

int capos_capset_find(const char *name, uint64_t interface_id, uint32_t *cap)
{
    for (uint32_t i = 0; cs && i < cs->count; i++) {
        const struct capos_capset_entry *e = &cs_entries[i];
        if (strncmp(e->name, name, CAPOS_CAPSET_NAME_MAX) != 0)
            continue;
        if (interface_id && e->interface_id != interface_id)
            return CAPOS_ERR_WRONG_INTERFACE;
        *cap = e->cap;
        return CAPOS_OK;
    }
    return CAPOS_ERR_NOT_FOUND;
}

int capos_argc(void)
{
    return cs_argc;
}

char **capos_argv(void)
{
    return cs_argv;
}

char **capos_environ(void)
{
    return cs_env;
}
