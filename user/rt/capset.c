/*
 * CapSet parsing.  The region comes from the kernel, but the runtime still
 * checks its header and offsets before using them, so that a corrupted
 * region produces an error at start-up rather than wild reads later.
 */
#include "capset.h"

#include "abi/errors.h"
#include "base/checked.h"
#include "base/mem.h"
#include "capos.h"
#include "fmt/fmt.h"

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

/* Names of the kernel's interfaces, for messages; others print as ids. */
static const struct {
    uint64_t id;
    const char *name;
} capset_ifaces[] = {
    {capos_Console_INTERFACE_ID, "Console"},
    {capos_Timer_INTERFACE_ID, "Timer"},
    {capos_EntropySource_INTERFACE_ID, "EntropySource"},
    {capos_VirtualMemory_INTERFACE_ID, "VirtualMemory"},
    {capos_BootPackage_INTERFACE_ID, "BootPackage"},
    {capos_ProcessSpawner_INTERFACE_ID, "ProcessSpawner"},
    {capos_ProcessHandle_INTERFACE_ID, "ProcessHandle"},
    {capos_ThreadSpawner_INTERFACE_ID, "ThreadSpawner"},
    {capos_ThreadHandle_INTERFACE_ID, "ThreadHandle"},
    {capos_ThreadControl_INTERFACE_ID, "ThreadControl"},
    {capos_SchedulingPolicy_INTERFACE_ID, "SchedulingPolicy"},
    {capos_ParkSpace_INTERFACE_ID, "ParkSpace"},
    {capos_Endpoint_INTERFACE_ID, "Endpoint"},
};

static const char *capset_iface_name(uint64_t id, char *buf, size_t len)
{
    for (size_t i = 0; i < sizeof(capset_ifaces) / sizeof(capset_ifaces[0]); i++) {
        if (capset_ifaces[i].id == id)
            return capset_ifaces[i].name;
    }
    fmt_snprintf(buf, len, "interface %#lx", (unsigned long)id);
    return buf;
}

uint32_t capos_capset_require(const char *name, uint64_t interface_id)
{
    uint32_t cap;
    int err = capos_capset_find(name, interface_id, &cap);
    if (err == CAPOS_OK)
        return cap;
    /* One buffer, one write: the line is not interleaved with others. */
    char line[768], want[40], have[40];
    size_t n = 0;
    const char *prog = cs_argc > 0 ? cs_argv[0] : "program";
    const char *wname = capset_iface_name(interface_id, want, sizeof(want));
    if (err == CAPOS_ERR_WRONG_INTERFACE) {
        uint64_t got = 0;
        for (uint32_t i = 0; i < cs->count; i++) {
            if (strncmp(cs_entries[i].name, name, CAPOS_CAPSET_NAME_MAX) == 0)
                got = cs_entries[i].interface_id;
        }
        fmt_snprintf(line, sizeof(line),
                     "%s: capability \"%s\" has interface %s, but this program needs %s; grant "
                     "one under that name in its manifest entry",
                     prog, name, capset_iface_name(got, have, sizeof(have)), wname);
    } else {
        n = (size_t)fmt_snprintf(line, sizeof(line),
                                 "%s: no capability \"%s\" (%s): its manifest entry does not grant "
                                 "it; granted:",
                                 prog, name, interface_id ? wname : "any interface");
        for (uint32_t i = 0; cs && i < cs->count && n < sizeof(line); i++)
            n += (size_t)fmt_snprintf(line + n, sizeof(line) - n, " %.*s",
                                      (int)CAPOS_CAPSET_NAME_MAX, cs_entries[i].name);
    }
    capos_printf("%s\n", line);
    capos_exit(CAPOS_EXIT_MISSING_CAP);
}
