/*
 * What the bootloader told us, in a loader-independent form.
 *
 * The architecture's boot code parses the loader's structures (Multiboot1 or
 * Multiboot2 on x86_64) into this struct while the loader's memory is still
 * identity-mapped, copying everything it needs; afterwards nothing refers to
 * the loader's structures again.  Module contents stay where the loader put
 * them and are reached through the direct map; the physical memory manager
 * reserves them.
 */
#ifndef CAPOS_KERNEL_BOOT_INFO_H
#define CAPOS_KERNEL_BOOT_INFO_H

#include "base/compiler.h"

#define BOOT_MAX_MEM_REGIONS 128
#define BOOT_MAX_MODULES     8
#define BOOT_CMDLINE_MAX     256
#define BOOT_NAME_MAX        64

enum boot_mem_type {
    BOOT_MEM_USABLE = 1,
    BOOT_MEM_RESERVED,
    BOOT_MEM_ACPI_RECLAIM,
    BOOT_MEM_ACPI_NVS,
    BOOT_MEM_BAD,
};

struct boot_mem_region {
    uint64_t base;
    uint64_t len;
    enum boot_mem_type type;
};

struct boot_module {
    uint64_t start; /* physical, inclusive */
    uint64_t end;   /* physical, exclusive */
    char name[BOOT_NAME_MAX];
};

struct boot_info {
    const char *protocol; /* "multiboot1" or "multiboot2" */
    char loader[BOOT_NAME_MAX];
    char cmdline[BOOT_CMDLINE_MAX];
    struct boot_mem_region mem[BOOT_MAX_MEM_REGIONS];
    unsigned mem_count;
    bool mem_truncated; /* more regions than we keep */
    struct boot_module modules[BOOT_MAX_MODULES];
    unsigned module_count;         /* as reported; may exceed BOOT_MAX_MODULES */
    uint8_t rsdp[36];              /* copy of the ACPI RSDP the loader gave, if any */
    unsigned rsdp_len;             /* 0 if the loader gave none */
    uint64_t info_start, info_end; /* loader structure, for reservation */
};

extern struct boot_info boot_info;

/* Returns true if `word` occurs as a whitespace-separated word in the cmdline,
 * or as the key of a key=value word (value then points at the value). */
bool boot_cmdline_has(const char *key, const char **value);

const char *boot_mem_type_name(enum boot_mem_type t);

#endif
