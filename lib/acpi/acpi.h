/*
 * ACPI table discovery: from the RSDP to the list of CPUs and interrupt
 * controllers in the MADT, without reading a byte outside what is given.
 *
 * Firmware tables are semi-trusted.  They come from the platform, not from a
 * process, but they are written by firmware authors and are known to carry
 * wrong lengths, stale checksums, duplicate entries and padding that runs past
 * the end of a table.  Every structure is therefore checked before use:
 * signatures, checksums, a length at least the structure's fixed part and at
 * most a caller's limit, and, for each MADT entry, a length that neither
 * stops the walk (0 or 1) nor runs past the table.  docs/acpi.md lists every
 * rule.
 *
 * Memory comes from the caller through struct acpi_mem: the library asks for
 * "the `len` bytes at physical address `phys`" and reads only what it gets.
 * The kernel maps firmware memory on demand; host tests and the fuzzer serve
 * the bytes from buffers.  The library never asks for a range that wraps
 * around the address space and never releases a mapping; pointers it stores
 * in results (acpi_root.bytes, acpi_table.bytes) point into mappings the map
 * callback returned and stay usable as long as the caller keeps those.
 *
 * Problems are reported two ways.  A function's return value is the error that
 * stopped it (ACPI_OK if none).  Problems that the library steps around (a
 * table with a bad checksum that is skipped, a duplicate APIC id, more CPUs
 * than the output holds, an XSDT that is broken while the RSDT is fine) do
 * not stop it but are appended to an optional struct acpi_report, each with
 * its error code, the physical address and index of the offending table or
 * entry, and the offending value, so that the kernel can log exactly what
 * firmware got wrong.  A stopping error is appended too, marked fatal.
 *
 * Reads are byte by byte (little-endian, any alignment: QEMU's SeaBIOS puts
 * tables at odd addresses).  Trusts: that firmware memory does not change
 * while it is parsed (every length is read once and bounds every later read,
 * so a change cannot cause an out-of-bounds read, only a wrong answer), that
 * the map callback returns either NULL or `len` readable bytes, and that the
 * limits are the caller's own.  Nothing allocates; work is bounded by the
 * table lengths, which are bounded by the caller's limit.
 */
#ifndef CAPOS_LIB_ACPI_ACPI_H
#define CAPOS_LIB_ACPI_ACPI_H

#include "base/compiler.h"

/* Sizes of fixed structures, in bytes. */
#define ACPI_RSDP_V1_LEN  20u /* revision 0 (ACPI 1.0) RSDP; the first checksum covers it */
#define ACPI_RSDP_V2_LEN  36u /* revision 2 RSDP; its own length field says how much is summed */
#define ACPI_SDT_HDR_LEN  36u /* the header every system description table starts with */
#define ACPI_MADT_HDR_LEN 44u /* SDT header, local APIC address and MADT flags */

/* Largest RSDP `length` accepted; real ones are 36 bytes. */
#define ACPI_RSDP_MAX_LEN 4096u

/* Where BIOS firmware may put the RSDP (the EBDA is found through the BIOS data area). */
#define ACPI_BIOS_AREA_START 0xE0000u
#define ACPI_BIOS_AREA_END   0x100000u /* exclusive */
#define ACPI_EBDA_PTR_PHYS   0x40Eu    /* 16-bit real-mode segment of the EBDA */
#define ACPI_EBDA_SCAN_LEN   1024u     /* only the first KiB of the EBDA is searched */

/* Most root-table entries examined; the rest are reported and ignored. */
#define ACPI_MAX_ROOT_ENTRIES 1024u

/* Capacity of struct acpi_madt; entries beyond it are counted and reported, never stored. */
#define ACPI_MAX_CPUS      256u
#define ACPI_MAX_IOAPICS   16u
#define ACPI_MAX_OVERRIDES 32u

/* Capacity of struct acpi_report; later issues are only counted. */
#define ACPI_MAX_ISSUES 32u

/* acpi_issue.index when the issue is not about one entry of a table. */
#define ACPI_NO_INDEX 0xFFFFFFFFu

/* MADT flags: PC-AT compatible dual 8259 PICs are present (and must be masked). */
#define ACPI_MADT_PCAT_COMPAT 0x1u

/* Fields of an interrupt source override's flags (the MPS INTI flags). */
#define ACPI_ISO_POLARITY(f) ((f)&0x3u)
#define ACPI_ISO_TRIGGER(f)  (((f) >> 2) & 0x3u)
#define ACPI_ISO_CONFORMS    0u /* polarity or trigger as the bus specifies (ISA: high, edge) */
#define ACPI_ISO_ACTIVE_HIGH 1u
#define ACPI_ISO_ACTIVE_LOW  3u
#define ACPI_ISO_EDGE        1u
#define ACPI_ISO_LEVEL       3u

/*
 * How the library reaches physical memory.  map() returns a pointer to `len`
 * readable bytes that are the contents of [phys, phys+len), or NULL if it
 * cannot (not firmware memory, not mappable, out of window space).  It is
 * never called with len 0 or with a range that wraps.  The library never
 * releases what it maps; see the file comment for how long pointers are used.
 */
struct acpi_mem {
    const void *(*map)(void *ctx, uint64_t phys, uint64_t len);
    void *ctx;
};

enum acpi_err {
    ACPI_OK = 0,
    /* A NULL argument, or a length limit below the smallest table. */
    ACPI_ERR_ARG,
    /* The map callback gave no memory for the range (value: its length). */
    ACPI_ERR_MAP,
    /* No valid RSDP on a 16-byte boundary of the memory searched. */
    ACPI_ERR_RSDP_NOT_FOUND,
    /* The buffer is shorter than the RSDP says it is (value: the length needed). */
    ACPI_ERR_RSDP_TRUNCATED,
    /* The RSDP does not start with "RSD PTR ". */
    ACPI_ERR_RSDP_SIGNATURE,
    /* The first 20 bytes of the RSDP do not sum to 0. */
    ACPI_ERR_RSDP_CHECKSUM,
    /* Revision >= 2 with a length below 36 or above ACPI_RSDP_MAX_LEN (value: length). */
    ACPI_ERR_RSDP_LENGTH,
    /* Revision >= 2 and the RSDP's `length` bytes do not sum to 0. */
    ACPI_ERR_RSDP_XCHECKSUM,
    /* No RSDT address, and no usable XSDT. */
    ACPI_ERR_RSDP_NO_ROOT,
    /* A table is not what the pointer to it promised (value: its signature, little-endian). */
    ACPI_ERR_SDT_SIGNATURE,
    /* Table length below its fixed part (value: length). */
    ACPI_ERR_SDT_TOO_SHORT,
    /* Table length above the caller's limit (value: length). */
    ACPI_ERR_SDT_TOO_LONG,
    /* Table length beyond the buffer it was given in (value: length). */
    ACPI_ERR_SDT_TRUNCATED,
    /* The table's bytes do not sum to 0. */
    ACPI_ERR_SDT_CHECKSUM,
    /* Root table length is not the header plus whole entries (value: length). */
    ACPI_ERR_ROOT_LENGTH,
    /* More than ACPI_MAX_ROOT_ENTRIES entries; the rest are ignored (value: count). */
    ACPI_ERR_ROOT_TOO_MANY,
    /* A root table entry is physical address 0; skipped. */
    ACPI_ERR_ROOT_NULL_ENTRY,
    /* No valid table with the signature (value: the signature, little-endian). */
    ACPI_ERR_TABLE_NOT_FOUND,
    /* MADT entry length below 2, so the walk cannot go on (value: length). */
    ACPI_ERR_MADT_ENTRY_LENGTH,
    /* MADT entry runs past the end of the table (value: its length, or the bytes left). */
    ACPI_ERR_MADT_ENTRY_TRUNCATED,
    /* A MADT entry type parsed here, shorter than its structure; skipped (value: length). */
    ACPI_ERR_MADT_ENTRY_SHORT,
    /* Local APIC address, after any override, is 0 or not 4 KiB aligned (value: address). */
    ACPI_ERR_MADT_LAPIC_ADDR,
    /* Local APIC address override to 0 or an unaligned address; skipped (value: address). */
    ACPI_ERR_MADT_OVERRIDE_ADDR,
    /* A second local APIC address override; skipped (value: address). */
    ACPI_ERR_MADT_OVERRIDE_DUP,
    /* The MADT lists no enabled processor. */
    ACPI_ERR_MADT_NO_CPU,
    /* A usable processor with the reserved id 0xFF (xAPIC) or 0xFFFFFFFF (x2APIC); skipped. */
    ACPI_ERR_CPU_APIC_ID,
    /* A processor whose APIC id is already listed; skipped (value: APIC id). */
    ACPI_ERR_CPU_DUPLICATE,
    /* More usable processors than ACPI_MAX_CPUS; reported once, all counted (value: APIC id). */
    ACPI_ERR_CPU_TOO_MANY,
    /* An I/O APIC whose id is already listed; skipped (value: id). */
    ACPI_ERR_IOAPIC_DUPLICATE,
    /* More I/O APICs than ACPI_MAX_IOAPICS; reported once, all counted (value: id). */
    ACPI_ERR_IOAPIC_TOO_MANY,
    /* An interrupt source override for a bus other than 0 (ISA); skipped (value: bus). */
    ACPI_ERR_ISO_BUS,
    /* An override with the reserved polarity or trigger value 2; skipped (value: flags). */
    ACPI_ERR_ISO_FLAGS,
    /* A second override for the same ISA IRQ; skipped (value: IRQ). */
    ACPI_ERR_ISO_DUPLICATE,
    /* More overrides than ACPI_MAX_OVERRIDES; reported once, all counted (value: IRQ). */
    ACPI_ERR_ISO_TOO_MANY,
    ACPI_ERR_COUNT
};

/* One problem found in the tables. */
struct acpi_issue {
    uint32_t err;   /* enum acpi_err */
    bool fatal;     /* true for the error the function returned, false if it was stepped around */
    uint32_t index; /* root-table entry or MADT entry number, or ACPI_NO_INDEX */
    uint64_t phys;  /* physical address of the table or MADT entry concerned (0 if none) */
    uint64_t value; /* the offending value, as the error's comment says; else 0 */
};

/*
 * Problems found by one or more calls.  Zero it before the first call; later
 * calls append, so one report can cover a whole discovery.  `count` counts
 * every issue, also those beyond ACPI_MAX_ISSUES that are not stored.
 */
struct acpi_report {
    uint32_t count;
    struct acpi_issue issues[ACPI_MAX_ISSUES];
};

/* A validated RSDP, decoded. */
struct acpi_rsdp {
    uint8_t revision;   /* 0 for ACPI 1.0, 2 or more for ACPI 2.0 and later */
    uint8_t oem_id[6];  /* as found, not NUL-terminated */
    uint32_t length;    /* 20 for revision < 2, else the checked `length` */
    uint32_t rsdt_addr; /* 0 if absent */
    uint64_t xsdt_addr; /* 0 for revision < 2 or if absent */
};

/* The root table chosen: the XSDT if present and valid, else the RSDT. */
struct acpi_root {
    uint64_t phys;
    const uint8_t *bytes; /* the whole table, `length` bytes */
    uint32_t length;
    uint32_t entries;    /* entries that will be examined, at most ACPI_MAX_ROOT_ENTRIES */
    uint32_t entry_size; /* 8 for the XSDT, 4 for the RSDT */
    bool xsdt;
};

/* A validated system description table. */
struct acpi_table {
    uint64_t phys;
    const uint8_t *bytes; /* the whole table, `length` bytes, checksum verified */
    uint32_t length;
    uint32_t index; /* its entry in the root table */
    uint8_t revision;
};

/* A processor the kernel may start (enabled) or that may be brought online later. */
struct acpi_cpu {
    uint32_t apic_id; /* local APIC id (x2APIC id for x2APIC entries) */
    uint32_t uid;     /* ACPI processor UID (the 8-bit processor id for local APIC entries) */
    bool x2apic;      /* came from a local x2APIC entry (type 9) */
    bool enabled;     /* usable now; false means online-capable only (hot-add) */
};

struct acpi_ioapic {
    uint8_t id;
    uint32_t addr;     /* physical address of its registers */
    uint32_t gsi_base; /* first global system interrupt it handles */
};

/* ISA IRQ `source` arrives at global system interrupt `gsi`, with `flags` (ACPI_ISO_*). */
struct acpi_override {
    uint8_t source;
    uint32_t gsi;
    uint16_t flags;
};

/* What the MADT says, checked; see acpi_madt_parse(). */
struct acpi_madt {
    uint64_t lapic_base;    /* after any address override; nonzero, 4 KiB aligned */
    bool lapic_overridden;  /* a type 5 entry replaced the 32-bit address */
    uint32_t flags;         /* MADT flags (ACPI_MADT_PCAT_COMPAT) */
    uint8_t revision;       /* MADT revision; online-capable is honoured from 5 on */
    bool needs_x2apic;      /* some listed CPU has an APIC id above 254 */
    uint32_t ncpus;         /* entries used in cpus[] */
    uint32_t nenabled;      /* of which enabled; at least 1 */
    uint32_t ncpus_dropped; /* usable CPUs beyond ACPI_MAX_CPUS */
    uint32_t ncpus_ignored; /* entries neither enabled nor online-capable */
    uint32_t nioapics;
    uint32_t nioapics_dropped;
    uint32_t noverrides;
    uint32_t noverrides_dropped;
    uint32_t nentries_unknown; /* entries of types not parsed here (NMI, SAPIC, GIC, OEM ...) */
    struct acpi_cpu cpus[ACPI_MAX_CPUS];          /* in table order (the BSP is usually first) */
    struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS]; /* in table order */
    struct acpi_override overrides[ACPI_MAX_OVERRIDES];
};

/*
 * Validates the RSDP at the start of `buf` (for the copy a Multiboot2 loader
 * passes): signature, checksum of the first 20 bytes, and for revision >= 2 a
 * length in [36, ACPI_RSDP_MAX_LEN] that fits in `len` and an extended
 * checksum over it.  On failure *out is zeroed.
 */
enum acpi_err acpi_rsdp_check(const void *buf, size_t len, struct acpi_rsdp *out) WARN_UNUSED;

/*
 * Maps and validates the RSDP at physical address `phys` (any alignment),
 * as acpi_rsdp_check().  Failures are also appended to `rep` (may be NULL).
 */
enum acpi_err acpi_rsdp_read(const struct acpi_mem *mem, uint64_t phys, struct acpi_rsdp *out,
                             struct acpi_report *rep) WARN_UNUSED;

/*
 * Searches `len` bytes of memory at `buf`, whose first byte is at physical
 * address `phys`, for the first RSDP on a 16-byte physical boundary that
 * passes acpi_rsdp_check() within the buffer.  Stores its physical address
 * in *found.  ACPI_ERR_RSDP_NOT_FOUND if there is none.
 */
enum acpi_err acpi_rsdp_scan(const void *buf, size_t len, uint64_t phys,
                             uint64_t *found) WARN_UNUSED;

/*
 * The legacy BIOS search: the first KiB of the EBDA (whose segment is the
 * 16-bit word at 0x40E, used only if it points below 640 KiB), then
 * 0xE0000-0xFFFFF.  Memory that cannot be mapped is skipped.  UEFI systems
 * pass the RSDP through the loader instead (Multiboot2 ACPI tags).
 */
enum acpi_err acpi_rsdp_find_bios(const struct acpi_mem *mem, uint64_t *found) WARN_UNUSED;

/*
 * Validates a system description table at the start of `buf`: signature
 * `sig` (4 bytes; NULL accepts any), ACPI_SDT_HDR_LEN <= length <= max_len,
 * length <= len, and a checksum over length bytes.  Stores the length.
 */
enum acpi_err acpi_sdt_check(const void *buf, size_t len, const char *sig, uint32_t max_len,
                             uint32_t *length) WARN_UNUSED;

/*
 * Chooses and validates the root table.  With a revision >= 2 RSDP and a
 * nonzero XSDT address the XSDT is tried first; if it is unusable that is
 * reported (not fatal) and the RSDT is tried.  Tables are at most max_len
 * bytes.  A root table with more than ACPI_MAX_ROOT_ENTRIES entries is
 * reported and only the first ones are examined.
 */
enum acpi_err acpi_root_open(const struct acpi_mem *mem, const struct acpi_rsdp *rsdp,
                             uint32_t max_len, struct acpi_root *out,
                             struct acpi_report *rep) WARN_UNUSED;

/*
 * Finds the first valid table with signature `sig` (4 bytes) listed in the
 * root table, at most max_len bytes long.  Null entries, entries that cannot
 * be mapped and tables with the signature that fail validation are reported
 * and skipped.  ACPI_ERR_TABLE_NOT_FOUND if none is left.
 */
enum acpi_err acpi_table_find(const struct acpi_mem *mem, const struct acpi_root *root,
                              const char *sig, uint32_t max_len, struct acpi_table *out,
                              struct acpi_report *rep) WARN_UNUSED;

/*
 * Parses the MADT in `buf` (`len` bytes available, table at physical address
 * `phys`, used only in reports) after validating it as an "APIC" table of at
 * least ACPI_MADT_HDR_LEN and at most max_len bytes.  See docs/acpi.md for
 * what each entry type contributes and which problems stop the parse.  On a
 * fatal error *out is zeroed, so a caller that ignores the result starts no
 * CPU from a broken table.
 */
enum acpi_err acpi_madt_parse(const void *buf, size_t len, uint64_t phys, uint32_t max_len,
                              struct acpi_madt *out, struct acpi_report *rep) WARN_UNUSED;

/*
 * The whole way from a validated RSDP to the MADT: acpi_root_open(),
 * acpi_table_find("APIC"), acpi_madt_parse().  On failure *out is zeroed.
 */
enum acpi_err acpi_discover(const struct acpi_mem *mem, const struct acpi_rsdp *rsdp,
                            uint32_t max_len, struct acpi_madt *out,
                            struct acpi_report *rep) WARN_UNUSED;

/* One line naming the problem; never NULL, also for unknown codes. */
const char *acpi_strerror(enum acpi_err err);

#endif
