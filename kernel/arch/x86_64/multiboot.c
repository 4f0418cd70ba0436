/*
 * Multiboot1 and Multiboot2 information parsing.
 *
 * Runs once on the boot CPU, before the kernel's own page tables exist, while
 * the low 4 GiB are identity-mapped by boot.S; the loader's structures are read
 * through that identity map and copied into boot_info.  The loader is trusted
 * but a malformed structure still must not send us off into memory: every
 * tag walk is bounded by the structure's own size and a hard cap.
 */
#include "boot_info.h"
#include "arch.h"

#include "base/mem.h"
#include "printk.h"

#define MB1_BOOT_MAGIC 0x2BADB002
#define MB2_BOOT_MAGIC 0x36d76289

struct boot_info boot_info;

const char *boot_mem_type_name(enum boot_mem_type t)
{
    switch (t) {
    case BOOT_MEM_USABLE: return "usable";
    case BOOT_MEM_RESERVED: return "reserved";
    case BOOT_MEM_ACPI_RECLAIM: return "acpi-reclaim";
    case BOOT_MEM_ACPI_NVS: return "acpi-nvs";
    case BOOT_MEM_BAD: return "bad";
    }
    return "?";
}

static enum boot_mem_type mb_mem_type(uint32_t t)
{
    switch (t) {
    case 1: return BOOT_MEM_USABLE;
    case 3: return BOOT_MEM_ACPI_RECLAIM;
    case 4: return BOOT_MEM_ACPI_NVS;
    case 5: return BOOT_MEM_BAD;
    default: return BOOT_MEM_RESERVED;
    }
}

/* Copies a NUL-terminated string found at physical `pa` (identity-mapped). */
static void mb_copy_str(char *dst, size_t cap, uint64_t pa, size_t max_src)
{
    const char *src = (const char *)(uintptr_t)pa;
    size_t n = 0;
    if (pa == 0 || pa >= (1ULL << 32)) {
        dst[0] = '\0';
        return;
    }
    while (n + 1 < cap && n < max_src && src[n])
        n++;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void mb_add_region(uint64_t base, uint64_t len, uint32_t type)
{
    if (len == 0)
        return;
    if (boot_info.mem_count == BOOT_MAX_MEM_REGIONS) {
        boot_info.mem_truncated = true;
        return;
    }
    boot_info.mem[boot_info.mem_count++] = (struct boot_mem_region){base, len, mb_mem_type(type)};
}

static void mb_add_module(uint64_t start, uint64_t end, uint64_t name_pa, size_t name_max)
{
    unsigned i = boot_info.module_count++;
    if (i >= BOOT_MAX_MODULES)
        return;
    boot_info.modules[i].start = start;
    boot_info.modules[i].end = end;
    mb_copy_str(boot_info.modules[i].name, BOOT_NAME_MAX, name_pa, name_max);
}

struct mb1_info {
    uint32_t flags;
    uint32_t mem_lower, mem_upper;
    uint32_t boot_device;
    uint32_t cmdline;
    uint32_t mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
    uint32_t drives_length, drives_addr;
    uint32_t config_table;
    uint32_t boot_loader_name;
} PACKED;

struct mb1_module {
    uint32_t start, end, string, reserved;
} PACKED;

struct mb1_mmap {
    uint32_t size;
    uint64_t base, len;
    uint32_t type;
} PACKED;

static void mb1_parse(uint64_t pa)
{
    const struct mb1_info *mi = (const void *)(uintptr_t)pa;

    boot_info.protocol = "multiboot1";
    boot_info.info_start = pa;
    boot_info.info_end = pa + sizeof(*mi);
    if (mi->flags & (1 << 2))
        mb_copy_str(boot_info.cmdline, BOOT_CMDLINE_MAX, mi->cmdline, 4096);
    if (mi->flags & (1 << 9))
        mb_copy_str(boot_info.loader, BOOT_NAME_MAX, mi->boot_loader_name, 4096);
    if (mi->flags & (1 << 3)) {
        const struct mb1_module *m = (const void *)(uintptr_t)mi->mods_addr;
        for (uint32_t i = 0; i < mi->mods_count && i < 64; i++)
            mb_add_module(m[i].start, m[i].end, m[i].string, 4096);
    }
    if (mi->flags & (1 << 6)) {
        uint64_t p = mi->mmap_addr, end = (uint64_t)mi->mmap_addr + mi->mmap_length;
        unsigned guard = 0;
        while (p + sizeof(struct mb1_mmap) <= end && guard++ < 1024) {
            const struct mb1_mmap *e = (const void *)(uintptr_t)p;
            mb_add_region(e->base, e->len, e->type);
            p += (uint64_t)e->size + 4;
        }
    } else if (mi->flags & (1 << 0)) {
        /* No map: fall back to the two basic ranges. */
        mb_add_region(0, (uint64_t)mi->mem_lower * 1024, 1);
        mb_add_region(0x100000, (uint64_t)mi->mem_upper * 1024, 1);
    }
}

struct mb2_tag {
    uint32_t type, size;
};

static void mb2_parse(uint64_t pa)
{
    const uint8_t *base = (const void *)(uintptr_t)pa;
    uint32_t total = *(const uint32_t *)base;
    uint32_t off = 8;
    unsigned guard = 0;

    boot_info.protocol = "multiboot2";
    boot_info.info_start = pa;
    boot_info.info_end = pa + total;
    if (total > (1u << 20))
        total = 1u << 20; /* far more than any real loader produces */

    while (off + sizeof(struct mb2_tag) <= total && guard++ < 4096) {
        const struct mb2_tag *t = (const void *)(base + off);
        const uint8_t *payload = base + off + 8;
        uint32_t plen;
        if (t->size < 8 || t->size > total - off)
            break;
        plen = t->size - 8;
        switch (t->type) {
        case 0: return; /* end tag */
        case 1: mb_copy_str(boot_info.cmdline, BOOT_CMDLINE_MAX, (uintptr_t)payload, plen); break;
        case 2: mb_copy_str(boot_info.loader, BOOT_NAME_MAX, (uintptr_t)payload, plen); break;
        case 3:
            if (plen >= 8) {
                const uint32_t *m = (const void *)payload;
                mb_add_module(m[0], m[1], (uintptr_t)(payload + 8), plen - 8);
            }
            break;
        case 6:
            if (plen >= 8) {
                uint32_t esize = ((const uint32_t *)payload)[0];
                if (esize < 24)
                    break;
                for (uint32_t e = 8; e + 24 <= plen; e += esize) {
                    const uint8_t *ent = payload + e;
                    uint64_t b, l;
                    uint32_t ty;
                    memcpy(&b, ent, 8);
                    memcpy(&l, ent + 8, 8);
                    memcpy(&ty, ent + 16, 4);
                    mb_add_region(b, l, ty);
                }
            }
            break;
        case 14:
        case 15:
            /* ACPI RSDP copy: keep the newest (v2 tag wins if both appear). */
            if (plen > 0 && (boot_info.rsdp_len == 0 || t->type == 15)) {
                uint32_t n = plen < sizeof(boot_info.rsdp) ? plen : sizeof(boot_info.rsdp);
                memcpy(boot_info.rsdp, payload, n);
                boot_info.rsdp_len = n;
            }
            break;
        default: break;
        }
        off += (t->size + 7) & ~7u;
    }
}

/* kernel/arch.h: false if `magic` names no protocol we know. */
bool arch_boot_info(uint32_t magic, uint64_t info_pa)
{
    if (info_pa == 0 || info_pa >= (1ULL << 32))
        return false;
    if (magic == MB1_BOOT_MAGIC)
        mb1_parse(info_pa);
    else if (magic == MB2_BOOT_MAGIC)
        mb2_parse(info_pa);
    else
        return false;
    return true;
}

bool boot_cmdline_has(const char *key, const char **value)
{
    const char *s = boot_info.cmdline;
    size_t klen = strlen(key);

    while (*s) {
        while (*s == ' ')
            s++;
        const char *w = s;
        while (*s && *s != ' ')
            s++;
        if ((size_t)(s - w) >= klen && memcmp(w, key, klen) == 0) {
            if ((size_t)(s - w) == klen) {
                if (value)
                    *value = NULL;
                return true;
            }
            if (w[klen] == '=') {
                if (value)
                    *value = w + klen + 1;
                return true;
            }
        }
    }
    return false;
}
