/*
 * The CapSet region: a read-only block the kernel maps into every new
 * process at CAPOS_USER_CAPSET_VA.  It lists the process's bootstrap
 * capabilities by name (with cap id and interface id), and carries argv and
 * the environment.  Programs find their capabilities here instead of through
 * any global namespace.  Layout pinned by _Static_asserts.
 *
 *   header | entries[count] | string area (argv and env strings, NUL-ended)
 * argv and env are arrays of uint32 offsets (from the region start) to
 * strings, located at argv_offset / env_offset.
 */
#ifndef CAPOS_LIB_ABI_CAPSET_H
#define CAPOS_LIB_ABI_CAPSET_H

#include <stddef.h>
#include <stdint.h>

#define CAPOS_CAPSET_MAGIC 0x53504143u /* "CAPS" */
/* Version 2 added ppid (the header grew from 72 to 80 bytes). */
#define CAPOS_CAPSET_VERSION   2
#define CAPOS_CAPSET_NAME_MAX  32 /* bytes including the NUL */
#define CAPOS_CAPSET_MAX_BYTES 16384

struct capos_capset_entry {
    char name[CAPOS_CAPSET_NAME_MAX]; /* NUL-terminated, NUL-padded */
    uint32_t cap;                     /* cap id in this process's table */
    uint32_t reserved;
    uint64_t interface_id;
};

_Static_assert(sizeof(struct capos_capset_entry) == 48, "CapSet entry is 48 bytes");
_Static_assert(offsetof(struct capos_capset_entry, cap) == 32, "CapSet entry layout");
_Static_assert(offsetof(struct capos_capset_entry, interface_id) == 40, "CapSet entry layout");

struct capos_capset_header {
    uint32_t magic;
    uint32_t version;
    uint32_t total_bytes; /* size of the whole region */
    uint32_t count;       /* number of entries */
    uint32_t entry_offset;
    uint32_t argc;
    uint32_t argv_offset; /* uint32[argc] of string offsets */
    uint32_t envc;
    uint32_t env_offset;              /* uint32[envc] of string offsets */
    uint32_t pid;                     /* the process's id (getpid); never reused */
    char name[CAPOS_CAPSET_NAME_MAX]; /* the process's name */
    uint32_t ppid;                    /* the id of the process that spawned it (0: the kernel) */
    uint32_t reserved;                /* 0 */
};

_Static_assert(sizeof(struct capos_capset_header) == 80, "CapSet header size");
_Static_assert(offsetof(struct capos_capset_header, entry_offset) == 16, "CapSet header layout");
_Static_assert(offsetof(struct capos_capset_header, pid) == 36, "CapSet header layout");
_Static_assert(offsetof(struct capos_capset_header, name) == 40, "CapSet header layout");
_Static_assert(offsetof(struct capos_capset_header, ppid) == 72, "CapSet header layout");

#endif
