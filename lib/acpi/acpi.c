/*
 * ACPI RSDP, root table and MADT parser (see acpi.h for the contract).
 *
 * Every structure is reached the same way: map the fixed-size part, check
 * what it says about itself (signature, length against its minimum and the
 * caller's limit), then map exactly the length it claims and verify the
 * checksum over that mapping.  All later reads are bounded by the length
 * that was checked against the mapping in hand, so memory that changes
 * underneath can give a wrong answer but never an out-of-bounds read.
 *
 * MADT entries are walked with one rule that guarantees termination: each
 * step advances by the entry's own length, which must be at least 2 and must
 * end inside the table; otherwise the walk stops with an error.  An entry
 * whose framing is sound but whose contents are wrong (too short for its
 * type, a duplicate, a reserved value) is reported and skipped, because the
 * entries after it can still be read with confidence.
 *
 * Offsets and values follow the ACPI specification (RSDP, system description
 * table header, RSDT/XSDT, MADT and its interrupt controller structures).
 */
#include "acpi/acpi.h"

#include "base/checked.h"
#include "base/endian.h"
#include "base/mem.h"

/* MADT interrupt controller structure types parsed here, and their sizes. */
#define MADT_LAPIC              0
#define MADT_IOAPIC             1
#define MADT_ISO                2
#define MADT_LAPIC_OVERRIDE     5
#define MADT_X2APIC             9

#define MADT_LAPIC_LEN          8u
#define MADT_IOAPIC_LEN         12u
#define MADT_ISO_LEN            10u
#define MADT_LAPIC_OVERRIDE_LEN 12u
#define MADT_X2APIC_LEN         16u

/* Local APIC flags (types 0 and 9). */
#define LAPIC_ENABLED        0x1u
#define LAPIC_ONLINE_CAPABLE 0x2u
/* The MADT revision (ACPI 6.3) from which the online-capable bit has a meaning. */
#define MADT_REV_ONLINE_CAPABLE 5u

/* APIC ids that name no processor: the xAPIC broadcast id, and the x2APIC one. */
#define XAPIC_ID_INVALID  0xFFu
#define X2APIC_ID_INVALID 0xFFFFFFFFu

#define LAPIC_ALIGN       0x1000u

/* ACPI checksums: all bytes of the structure, checksum byte included, sum to 0 mod 256. */
static uint8_t sum8(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    for (size_t i = 0; i < n; i++)
        s = (uint8_t)(s + p[i]);
    return s;
}

/* Appends one issue to the report (if any); past the capacity it is only counted. */
static void note(struct acpi_report *rep, enum acpi_err err, bool fatal, uint32_t index,
                 uint64_t phys, uint64_t value)
{
    if (!rep)
        return;
    if (rep->count < ACPI_MAX_ISSUES) {
        rep->issues[rep->count] = (struct acpi_issue){
            .err = (uint32_t)err,
            .fatal = fatal,
            .index = index,
            .phys = phys,
            .value = value,
        };
    }
    if (rep->count != UINT32_MAX)
        rep->count++;
}

/* Asks the caller for [phys, phys+len); ranges that are empty or wrap are refused here. */
static const uint8_t *map_range(const struct acpi_mem *mem, uint64_t phys, uint64_t len)
{
    uint64_t end;

    if (len == 0 || !checked_add_u64(phys, len, &end))
        return NULL;
    return mem->map(mem->ctx, phys, len);
}

/* ---- RSDP ---- */

/*
 * Checks the RSDP at p with len bytes available.  ACPI_ERR_RSDP_TRUNCATED
 * sets *value to the number of bytes needed, which is always more than len,
 * so a caller that maps that much and retries makes progress.
 */
static enum acpi_err rsdp_decode(const uint8_t *p, size_t len, struct acpi_rsdp *out,
                                 uint64_t *value)
{
    uint32_t length = ACPI_RSDP_V1_LEN;

    *value = 0;
    if (len < ACPI_RSDP_V1_LEN) {
        *value = ACPI_RSDP_V1_LEN;
        return ACPI_ERR_RSDP_TRUNCATED;
    }
    if (memcmp(p, "RSD PTR ", 8) != 0)
        return ACPI_ERR_RSDP_SIGNATURE;
    if (sum8(p, ACPI_RSDP_V1_LEN) != 0)
        return ACPI_ERR_RSDP_CHECKSUM;
    /* Revision 1 was never defined; everything below 2 is the 20-byte ACPI 1.0 form. */
    if (p[15] >= 2) {
        if (len < ACPI_RSDP_V2_LEN) {
            *value = ACPI_RSDP_V2_LEN;
            return ACPI_ERR_RSDP_TRUNCATED;
        }
        length = le32_get(p + 20);
        if (length < ACPI_RSDP_V2_LEN || length > ACPI_RSDP_MAX_LEN) {
            *value = length;
            return ACPI_ERR_RSDP_LENGTH;
        }
        if (length > len) {
            *value = length;
            return ACPI_ERR_RSDP_TRUNCATED;
        }
        if (sum8(p, length) != 0)
            return ACPI_ERR_RSDP_XCHECKSUM;
        out->xsdt_addr = le64_get(p + 24);
    }
    out->revision = p[15];
    memcpy(out->oem_id, p + 9, sizeof(out->oem_id));
    out->length = length;
    out->rsdt_addr = le32_get(p + 16);
    return ACPI_OK;
}

enum acpi_err acpi_rsdp_check(const void *buf, size_t len, struct acpi_rsdp *out)
{
    enum acpi_err err;
    uint64_t value;

    if (!out)
        return ACPI_ERR_ARG;
    memset(out, 0, sizeof(*out));
    if (!buf)
        return ACPI_ERR_ARG;
    err = rsdp_decode(buf, len, out, &value);
    if (err != ACPI_OK)
        memset(out, 0, sizeof(*out));
    return err;
}

enum acpi_err acpi_rsdp_read(const struct acpi_mem *mem, uint64_t phys, struct acpi_rsdp *out,
                             struct acpi_report *rep)
{
    enum acpi_err err = ACPI_ERR_RSDP_TRUNCATED;
    uint64_t want = ACPI_RSDP_V1_LEN, value = 0;

    if (!out || !mem || !mem->map) {
        note(rep, ACPI_ERR_ARG, true, ACPI_NO_INDEX, phys, 0);
        return ACPI_ERR_ARG;
    }
    memset(out, 0, sizeof(*out));
    /*
     * At most three mappings: the 20-byte part (which holds the revision),
     * the 36-byte part (which holds the length), and `length` bytes.  Each
     * retry asks for strictly more, bounded by ACPI_RSDP_MAX_LEN.
     */
    for (int tries = 0; tries < 3; tries++) {
        const uint8_t *p = map_range(mem, phys, want);
        if (!p) {
            err = ACPI_ERR_MAP;
            value = want;
            break;
        }
        err = rsdp_decode(p, want, out, &value);
        if (err != ACPI_ERR_RSDP_TRUNCATED || value <= want)
            break;
        want = value;
    }
    if (err != ACPI_OK) {
        memset(out, 0, sizeof(*out));
        note(rep, err, true, ACPI_NO_INDEX, phys, value);
    }
    return err;
}

enum acpi_err acpi_rsdp_scan(const void *buf, size_t len, uint64_t phys, uint64_t *found)
{
    const uint8_t *p = buf;
    uint64_t end;
    size_t off;

    if (!found)
        return ACPI_ERR_ARG;
    *found = 0;
    if (!buf || !checked_add_u64(phys, len, &end))
        return ACPI_ERR_ARG;
    /* The specification's 16-byte boundaries are physical ones, not buffer offsets. */
    off = (size_t)((16 - (phys & 15)) & 15);
    /* off + 16 cannot overflow: the condition keeps at least 20 bytes after off. */
    for (; off <= len && len - off >= ACPI_RSDP_V1_LEN; off += 16) {
        struct acpi_rsdp r;
        uint64_t value;

        if (p[off] != 'R')
            continue;
        memset(&r, 0, sizeof(r));
        if (rsdp_decode(p + off, len - off, &r, &value) == ACPI_OK) {
            *found = phys + off;
            return ACPI_OK;
        }
    }
    return ACPI_ERR_RSDP_NOT_FOUND;
}

enum acpi_err acpi_rsdp_find_bios(const struct acpi_mem *mem, uint64_t *found)
{
    const uint8_t *p;

    if (!found)
        return ACPI_ERR_ARG;
    *found = 0;
    if (!mem || !mem->map)
        return ACPI_ERR_ARG;
    p = map_range(mem, ACPI_EBDA_PTR_PHYS, 2);
    if (p) {
        uint64_t ebda = (uint64_t)le16_get(p) << 4;
        /*
         * A sane EBDA lies above the BIOS data area and ends below 640 KiB;
         * anything else is an uninitialised word, not a pointer to follow.
         */
        if (ebda >= 0x500 && ebda + ACPI_EBDA_SCAN_LEN <= 0xA0000) {
            p = map_range(mem, ebda, ACPI_EBDA_SCAN_LEN);
            if (p && acpi_rsdp_scan(p, ACPI_EBDA_SCAN_LEN, ebda, found) == ACPI_OK)
                return ACPI_OK;
        }
    }
    p = map_range(mem, ACPI_BIOS_AREA_START, ACPI_BIOS_AREA_END - ACPI_BIOS_AREA_START);
    if (p && acpi_rsdp_scan(p, ACPI_BIOS_AREA_END - ACPI_BIOS_AREA_START, ACPI_BIOS_AREA_START,
                            found) == ACPI_OK)
        return ACPI_OK;
    return ACPI_ERR_RSDP_NOT_FOUND;
}

/* ---- System description tables ---- */

/*
 * Checks the table at p with len bytes available.  Sets *value to what the
 * matching error reports.  ACPI_ERR_SDT_TRUNCATED is returned only after the
 * length passed the minimum and the limit, so mapping *value bytes and
 * retrying is bounded by max_len.
 */
static enum acpi_err sdt_check(const uint8_t *p, size_t len, const char *sig, uint32_t min_len,
                               uint32_t max_len, uint32_t *length, uint64_t *value)
{
    uint32_t l;

    *value = 0;
    if (len < ACPI_SDT_HDR_LEN) {
        *value = ACPI_SDT_HDR_LEN;
        return ACPI_ERR_SDT_TRUNCATED;
    }
    if (sig && memcmp(p, sig, 4) != 0) {
        *value = le32_get(p);
        return ACPI_ERR_SDT_SIGNATURE;
    }
    l = le32_get(p + 4);
    *value = l;
    if (l < min_len)
        return ACPI_ERR_SDT_TOO_SHORT;
    if (l > max_len)
        return ACPI_ERR_SDT_TOO_LONG;
    if (l > len)
        return ACPI_ERR_SDT_TRUNCATED;
    if (sum8(p, l) != 0) {
        *value = 0;
        return ACPI_ERR_SDT_CHECKSUM;
    }
    *length = l;
    return ACPI_OK;
}

enum acpi_err acpi_sdt_check(const void *buf, size_t len, const char *sig, uint32_t max_len,
                             uint32_t *length)
{
    uint64_t value;
    uint32_t l = 0;
    enum acpi_err err;

    if (!length)
        return ACPI_ERR_ARG;
    *length = 0;
    if (!buf || max_len < ACPI_SDT_HDR_LEN)
        return ACPI_ERR_ARG;
    err = sdt_check(buf, len, sig, ACPI_SDT_HDR_LEN, max_len, &l, &value);
    if (err == ACPI_OK)
        *length = l;
    return err;
}

/*
 * Maps and checks the table at phys: the header first, then the length it
 * claims (once that passed the limit).  On success *bytes covers *length
 * bytes with a valid checksum.
 */
static enum acpi_err sdt_map(const struct acpi_mem *mem, uint64_t phys, const char *sig,
                             uint32_t min_len, uint32_t max_len, const uint8_t **bytes,
                             uint32_t *length, uint64_t *value)
{
    uint64_t want = ACPI_SDT_HDR_LEN;
    enum acpi_err err = ACPI_ERR_SDT_TRUNCATED;

    for (int tries = 0; tries < 2; tries++) {
        const uint8_t *p = map_range(mem, phys, want);
        if (!p) {
            *value = want;
            return ACPI_ERR_MAP;
        }
        err = sdt_check(p, want, sig, min_len, max_len, length, value);
        if (err == ACPI_OK) {
            *bytes = p;
            return ACPI_OK;
        }
        if (err != ACPI_ERR_SDT_TRUNCATED || *value <= want)
            break;
        want = *value;
    }
    return err;
}

/* ---- Root table ---- */

static enum acpi_err root_try(const struct acpi_mem *mem, uint64_t phys, bool xsdt,
                              uint32_t max_len, struct acpi_root *out, struct acpi_report *rep,
                              uint64_t *value)
{
    uint32_t esz = xsdt ? 8 : 4, length = 0, n;
    const uint8_t *p = NULL;
    enum acpi_err err;

    err = sdt_map(mem, phys, xsdt ? "XSDT" : "RSDT", ACPI_SDT_HDR_LEN, max_len, &p, &length, value);
    if (err != ACPI_OK)
        return err;
    /* A partial entry at the end means the length or the table is wrong; trust neither. */
    if ((length - ACPI_SDT_HDR_LEN) % esz != 0) {
        *value = length;
        return ACPI_ERR_ROOT_LENGTH;
    }
    n = (length - ACPI_SDT_HDR_LEN) / esz;
    if (n > ACPI_MAX_ROOT_ENTRIES) {
        note(rep, ACPI_ERR_ROOT_TOO_MANY, false, ACPI_NO_INDEX, phys, n);
        n = ACPI_MAX_ROOT_ENTRIES;
    }
    *out = (struct acpi_root){
        .phys = phys,
        .bytes = p,
        .length = length,
        .entries = n,
        .entry_size = esz,
        .xsdt = xsdt,
    };
    return ACPI_OK;
}

enum acpi_err acpi_root_open(const struct acpi_mem *mem, const struct acpi_rsdp *rsdp,
                             uint32_t max_len, struct acpi_root *out, struct acpi_report *rep)
{
    enum acpi_err err;
    uint64_t value = 0;

    if (!out || !mem || !mem->map || !rsdp || max_len < ACPI_SDT_HDR_LEN) {
        if (out)
            memset(out, 0, sizeof(*out));
        note(rep, ACPI_ERR_ARG, true, ACPI_NO_INDEX, 0, 0);
        return ACPI_ERR_ARG;
    }
    memset(out, 0, sizeof(*out));
    /* The XSDT address is only part of the checksummed RSDP from revision 2 on. */
    if (rsdp->revision >= 2 && rsdp->xsdt_addr != 0) {
        err = root_try(mem, rsdp->xsdt_addr, true, max_len, out, rep, &value);
        if (err == ACPI_OK)
            return ACPI_OK;
        /* Not fatal while the RSDT may still serve; the log says why it was not used. */
        note(rep, err, false, ACPI_NO_INDEX, rsdp->xsdt_addr, value);
        memset(out, 0, sizeof(*out));
    }
    if (rsdp->rsdt_addr == 0) {
        note(rep, ACPI_ERR_RSDP_NO_ROOT, true, ACPI_NO_INDEX, 0, 0);
        return ACPI_ERR_RSDP_NO_ROOT;
    }
    err = root_try(mem, rsdp->rsdt_addr, false, max_len, out, rep, &value);
    if (err != ACPI_OK) {
        memset(out, 0, sizeof(*out));
        note(rep, err, true, ACPI_NO_INDEX, rsdp->rsdt_addr, value);
    }
    return err;
}

/* True iff the root description is one acpi_root_open() could have produced. */
static bool root_sane(const struct acpi_root *root)
{
    if (!root->bytes || (root->entry_size != 4 && root->entry_size != 8))
        return false;
    if (root->length < ACPI_SDT_HDR_LEN || root->entries > ACPI_MAX_ROOT_ENTRIES)
        return false;
    /* entries <= 1024 and entry_size <= 8, so the product cannot overflow. */
    return root->entries * root->entry_size <= root->length - ACPI_SDT_HDR_LEN;
}

enum acpi_err acpi_table_find(const struct acpi_mem *mem, const struct acpi_root *root,
                              const char *sig, uint32_t max_len, struct acpi_table *out,
                              struct acpi_report *rep)
{
    if (out)
        memset(out, 0, sizeof(*out));
    if (!out || !mem || !mem->map || !root || !sig || max_len < ACPI_SDT_HDR_LEN ||
        !root_sane(root)) {
        note(rep, ACPI_ERR_ARG, true, ACPI_NO_INDEX, 0, 0);
        return ACPI_ERR_ARG;
    }
    for (uint32_t i = 0; i < root->entries; i++) {
        const uint8_t *e = root->bytes + ACPI_SDT_HDR_LEN + (size_t)i * root->entry_size;
        uint64_t addr = root->entry_size == 8 ? le64_get(e) : le32_get(e);
        const uint8_t *hdr, *bytes = NULL;
        uint32_t length = 0;
        uint64_t value = 0;
        enum acpi_err err;

        if (addr == 0) {
            note(rep, ACPI_ERR_ROOT_NULL_ENTRY, false, i, root->phys, 0);
            continue;
        }
        /* Only the signature is needed to pass over a table; only a match is validated. */
        hdr = map_range(mem, addr, 4);
        if (!hdr) {
            note(rep, ACPI_ERR_MAP, false, i, addr, 4);
            continue;
        }
        if (memcmp(hdr, sig, 4) != 0)
            continue;
        err = sdt_map(mem, addr, sig, ACPI_SDT_HDR_LEN, max_len, &bytes, &length, &value);
        if (err != ACPI_OK) {
            note(rep, err, false, i, addr, value);
            continue;
        }
        *out = (struct acpi_table){
            .phys = addr,
            .bytes = bytes,
            .length = length,
            .index = i,
            .revision = bytes[8],
        };
        return ACPI_OK;
    }
    note(rep, ACPI_ERR_TABLE_NOT_FOUND, true, ACPI_NO_INDEX, root->phys,
         le32_get((const uint8_t *)sig));
    return ACPI_ERR_TABLE_NOT_FOUND;
}

/* ---- MADT ---- */

/* Where the entry being decoded is, for reports. */
struct madt_pos {
    struct acpi_report *rep;
    uint32_t index;
    uint64_t phys;
};

static void skip(const struct madt_pos *at, enum acpi_err err, uint64_t value)
{
    note(at->rep, err, false, at->index, at->phys, value);
}

/* Whether a list holding n of max has room for the entry at `at`.  An entry
 * that finds it full is counted in *dropped; only the first is reported,
 * the count says how many more there were. */
static bool room(const struct madt_pos *at, uint32_t n, uint32_t max, uint32_t *dropped,
                 enum acpi_err err, uint64_t value)
{
    if (n < max)
        return true;
    if ((*dropped)++ == 0)
        skip(at, err, value);
    return false;
}

/* Adds a processor from a type 0 or type 9 entry, or says why it is left out. */
static void madt_cpu(struct acpi_madt *m, const struct madt_pos *at, uint32_t apic_id, uint32_t uid,
                     uint32_t flags, bool x2apic)
{
    bool enabled = (flags & LAPIC_ENABLED) != 0;
    /*
     * Before MADT revision 5 the bit was reserved, and firmware of that age
     * sets it for sockets that can never hold a processor; only newer tables
     * are believed.  When enabled is set the bit is reserved and ignored.
     */
    bool online =
        !enabled && (flags & LAPIC_ONLINE_CAPABLE) != 0 && m->revision >= MADT_REV_ONLINE_CAPABLE;

    /* Neither usable nor hot-pluggable: the specification says to ignore the entry. */
    if (!enabled && !online) {
        m->ncpus_ignored++;
        return;
    }
    if (apic_id == (x2apic ? X2APIC_ID_INVALID : XAPIC_ID_INVALID)) {
        skip(at, ACPI_ERR_CPU_APIC_ID, apic_id);
        return;
    }
    /* A local APIC and a local x2APIC entry with the same id are the same processor. */
    for (uint32_t i = 0; i < m->ncpus; i++) {
        if (m->cpus[i].apic_id == apic_id) {
            skip(at, ACPI_ERR_CPU_DUPLICATE, apic_id);
            return;
        }
    }
    if (!room(at, m->ncpus, ACPI_MAX_CPUS, &m->ncpus_dropped, ACPI_ERR_CPU_TOO_MANY, apic_id))
        return;
    m->cpus[m->ncpus++] = (struct acpi_cpu){
        .apic_id = apic_id,
        .uid = uid,
        .x2apic = x2apic,
        .enabled = enabled,
    };
    if (enabled)
        m->nenabled++;
    /* 0xFF is the xAPIC broadcast id, so such a processor is reachable only in x2APIC mode. */
    if (apic_id >= XAPIC_ID_INVALID)
        m->needs_x2apic = true;
}

static void madt_ioapic(struct acpi_madt *m, const struct madt_pos *at, const uint8_t *e)
{
    uint8_t id = e[2];

    /* e[3] is reserved. */
    for (uint32_t i = 0; i < m->nioapics; i++) {
        if (m->ioapics[i].id == id) {
            skip(at, ACPI_ERR_IOAPIC_DUPLICATE, id);
            return;
        }
    }
    if (!room(at, m->nioapics, ACPI_MAX_IOAPICS, &m->nioapics_dropped, ACPI_ERR_IOAPIC_TOO_MANY,
              id))
        return;
    m->ioapics[m->nioapics++] = (struct acpi_ioapic){
        .id = id,
        .addr = le32_get(e + 4),
        .gsi_base = le32_get(e + 8),
    };
}

static void madt_iso(struct acpi_madt *m, const struct madt_pos *at, const uint8_t *e)
{
    uint8_t bus = e[2], source = e[3];
    uint32_t gsi = le32_get(e + 4);
    uint16_t flags = le16_get(e + 8);

    /* The specification fixes the bus at 0, ISA; another value is not something we can route. */
    if (bus != 0) {
        skip(at, ACPI_ERR_ISO_BUS, bus);
        return;
    }
    /* Value 2 of either 2-bit field is reserved: programming it would be a guess. */
    if (ACPI_ISO_POLARITY(flags) == 2 || ACPI_ISO_TRIGGER(flags) == 2) {
        skip(at, ACPI_ERR_ISO_FLAGS, flags);
        return;
    }
    /* Two routes for one IRQ contradict each other; the first one stands. */
    for (uint32_t i = 0; i < m->noverrides; i++) {
        if (m->overrides[i].source == source) {
            skip(at, ACPI_ERR_ISO_DUPLICATE, source);
            return;
        }
    }
    if (!room(at, m->noverrides, ACPI_MAX_OVERRIDES, &m->noverrides_dropped, ACPI_ERR_ISO_TOO_MANY,
              source))
        return;
    m->overrides[m->noverrides++] = (struct acpi_override){
        .source = source,
        .gsi = gsi,
        .flags = flags,
    };
}

static void madt_lapic_override(struct acpi_madt *m, const struct madt_pos *at, const uint8_t *e)
{
    uint64_t addr = le64_get(e + 4);

    /* e[2..3] are reserved. */
    if (addr == 0 || addr % LAPIC_ALIGN != 0) {
        skip(at, ACPI_ERR_MADT_OVERRIDE_ADDR, addr);
        return;
    }
    /* The specification allows one; a second could only be a contradiction. */
    if (m->lapic_overridden) {
        skip(at, ACPI_ERR_MADT_OVERRIDE_DUP, addr);
        return;
    }
    m->lapic_base = addr;
    m->lapic_overridden = true;
}

/* Minimum length of the entry types parsed here; 0 for types passed over. */
static uint32_t madt_min_len(uint8_t type)
{
    switch (type) {
    case MADT_LAPIC: return MADT_LAPIC_LEN;
    case MADT_IOAPIC: return MADT_IOAPIC_LEN;
    case MADT_ISO: return MADT_ISO_LEN;
    case MADT_LAPIC_OVERRIDE: return MADT_LAPIC_OVERRIDE_LEN;
    case MADT_X2APIC: return MADT_X2APIC_LEN;
    default: return 0;
    }
}

/* Does the work of acpi_madt_parse() into *m, which the caller has zeroed. */
static enum acpi_err madt_parse(const uint8_t *p, size_t len, uint64_t phys, uint32_t max_len,
                                struct acpi_madt *m, struct acpi_report *rep)
{
    uint32_t length = 0, off, index = 0;
    uint64_t value = 0;
    enum acpi_err err;

    err = sdt_check(p, len, "APIC", ACPI_MADT_HDR_LEN, max_len, &length, &value);
    if (err != ACPI_OK) {
        note(rep, err, true, ACPI_NO_INDEX, phys, value);
        return err;
    }
    m->revision = p[8];
    m->lapic_base = le32_get(p + 36);
    m->flags = le32_get(p + 40);

    /* Every step moves off forward by at least 2 and keeps it <= length, so the walk ends. */
    for (off = ACPI_MADT_HDR_LEN; off < length; index++) {
        struct madt_pos at = {rep, index, phys + off};
        uint32_t rem = length - off, elen, min;
        const uint8_t *e = p + off;
        uint8_t type;

        if (rem < 2) {
            note(rep, ACPI_ERR_MADT_ENTRY_TRUNCATED, true, index, at.phys, rem);
            return ACPI_ERR_MADT_ENTRY_TRUNCATED;
        }
        type = e[0];
        elen = e[1];
        if (elen < 2) {
            note(rep, ACPI_ERR_MADT_ENTRY_LENGTH, true, index, at.phys, elen);
            return ACPI_ERR_MADT_ENTRY_LENGTH;
        }
        if (elen > rem) {
            note(rep, ACPI_ERR_MADT_ENTRY_TRUNCATED, true, index, at.phys, elen);
            return ACPI_ERR_MADT_ENTRY_TRUNCATED;
        }
        off += elen;

        min = madt_min_len(type);
        if (min == 0) {
            m->nentries_unknown++;
            continue;
        }
        /* Longer entries are accepted: later revisions may append fields we do not read. */
        if (elen < min) {
            skip(&at, ACPI_ERR_MADT_ENTRY_SHORT, elen);
            continue;
        }
        switch (type) {
        case MADT_LAPIC: madt_cpu(m, &at, e[3], e[2], le32_get(e + 4), false); break;
        case MADT_X2APIC:
            /* e[2..3] are reserved. */
            madt_cpu(m, &at, le32_get(e + 4), le32_get(e + 12), le32_get(e + 8), true);
            break;
        case MADT_IOAPIC: madt_ioapic(m, &at, e); break;
        case MADT_ISO: madt_iso(m, &at, e); break;
        case MADT_LAPIC_OVERRIDE: madt_lapic_override(m, &at, e); break;
        default: break;
        }
    }

    /* The local APIC's registers are a 4 KiB page; any other address is not one. */
    if (m->lapic_base == 0 || m->lapic_base % LAPIC_ALIGN != 0) {
        note(rep, ACPI_ERR_MADT_LAPIC_ADDR, true, ACPI_NO_INDEX, phys, m->lapic_base);
        return ACPI_ERR_MADT_LAPIC_ADDR;
    }
    /* The processor running this code is in the table if the table is any good. */
    if (m->nenabled == 0) {
        note(rep, ACPI_ERR_MADT_NO_CPU, true, ACPI_NO_INDEX, phys, 0);
        return ACPI_ERR_MADT_NO_CPU;
    }
    return ACPI_OK;
}

enum acpi_err acpi_madt_parse(const void *buf, size_t len, uint64_t phys, uint32_t max_len,
                              struct acpi_madt *out, struct acpi_report *rep)
{
    enum acpi_err err;

    if (!out || !buf || max_len < ACPI_MADT_HDR_LEN) {
        if (out)
            memset(out, 0, sizeof(*out));
        note(rep, ACPI_ERR_ARG, true, ACPI_NO_INDEX, phys, 0);
        return ACPI_ERR_ARG;
    }
    memset(out, 0, sizeof(*out));
    err = madt_parse(buf, len, phys, max_len, out, rep);
    if (err != ACPI_OK) {
        /* Fail closed: no CPU list from a table that did not parse to the end. */
        memset(out, 0, sizeof(*out));
    }
    return err;
}

enum acpi_err acpi_discover(const struct acpi_mem *mem, const struct acpi_rsdp *rsdp,
                            uint32_t max_len, struct acpi_madt *out, struct acpi_report *rep)
{
    struct acpi_root root;
    struct acpi_table madt;
    enum acpi_err err;

    if (!out) {
        note(rep, ACPI_ERR_ARG, true, ACPI_NO_INDEX, 0, 0);
        return ACPI_ERR_ARG;
    }
    memset(out, 0, sizeof(*out));
    err = acpi_root_open(mem, rsdp, max_len, &root, rep);
    if (err != ACPI_OK)
        return err;
    err = acpi_table_find(mem, &root, "APIC", max_len, &madt, rep);
    if (err != ACPI_OK)
        return err;
    return acpi_madt_parse(madt.bytes, madt.length, madt.phys, max_len, out, rep);
}

static const char *const acpi_messages[ACPI_ERR_COUNT] = {
    [ACPI_OK] = "tables valid",
    [ACPI_ERR_ARG] = "bad arguments: missing pointer, or a length limit below the smallest table",
    [ACPI_ERR_MAP] = "physical memory for the structure could not be mapped",
    [ACPI_ERR_RSDP_NOT_FOUND] = "no valid RSDP found in the searched memory",
    [ACPI_ERR_RSDP_TRUNCATED] = "RSDP extends past the bytes provided",
    [ACPI_ERR_RSDP_SIGNATURE] = "RSDP signature is not \"RSD PTR \"",
    [ACPI_ERR_RSDP_CHECKSUM] = "RSDP checksum over its first 20 bytes is wrong",
    [ACPI_ERR_RSDP_LENGTH] = "RSDP length is below 36 or implausibly large",
    [ACPI_ERR_RSDP_XCHECKSUM] = "RSDP extended checksum is wrong",
    [ACPI_ERR_RSDP_NO_ROOT] = "RSDP gives no RSDT address and no usable XSDT",
    [ACPI_ERR_SDT_SIGNATURE] = "table signature is not the expected one",
    [ACPI_ERR_SDT_TOO_SHORT] = "table length is shorter than its fixed header",
    [ACPI_ERR_SDT_TOO_LONG] = "table length exceeds the allowed maximum",
    [ACPI_ERR_SDT_TRUNCATED] = "table extends past the bytes provided",
    [ACPI_ERR_SDT_CHECKSUM] = "table checksum is wrong",
    [ACPI_ERR_ROOT_LENGTH] = "root table length is not a whole number of entries",
    [ACPI_ERR_ROOT_TOO_MANY] = "root table has too many entries; the rest are ignored",
    [ACPI_ERR_ROOT_NULL_ENTRY] = "root table entry is a null address",
    [ACPI_ERR_TABLE_NOT_FOUND] = "no valid table with that signature",
    [ACPI_ERR_MADT_ENTRY_LENGTH] = "MADT entry length is below 2; parsing cannot continue",
    [ACPI_ERR_MADT_ENTRY_TRUNCATED] = "MADT entry runs past the end of the table",
    [ACPI_ERR_MADT_ENTRY_SHORT] = "MADT entry is shorter than its type requires; skipped",
    [ACPI_ERR_MADT_LAPIC_ADDR] = "local APIC address is 0 or not 4 KiB aligned",
    [ACPI_ERR_MADT_OVERRIDE_ADDR] =
        "local APIC address override is 0 or not 4 KiB aligned; skipped",
    [ACPI_ERR_MADT_OVERRIDE_DUP] = "more than one local APIC address override; extra skipped",
    [ACPI_ERR_MADT_NO_CPU] = "MADT lists no enabled processor",
    [ACPI_ERR_CPU_APIC_ID] = "processor entry has the reserved APIC id; skipped",
    [ACPI_ERR_CPU_DUPLICATE] = "processor APIC id listed twice; duplicate skipped",
    [ACPI_ERR_CPU_TOO_MANY] = "more processors than the CPU list holds; extra dropped",
    [ACPI_ERR_IOAPIC_DUPLICATE] = "I/O APIC id listed twice; duplicate skipped",
    [ACPI_ERR_IOAPIC_TOO_MANY] = "more I/O APICs than the list holds; extra dropped",
    [ACPI_ERR_ISO_BUS] = "interrupt source override for a bus other than ISA; skipped",
    [ACPI_ERR_ISO_FLAGS] = "interrupt source override with reserved polarity or trigger; skipped",
    [ACPI_ERR_ISO_DUPLICATE] = "second interrupt source override for one IRQ; skipped",
    [ACPI_ERR_ISO_TOO_MANY] = "more interrupt source overrides than the list holds; extra dropped",
};

const char *acpi_strerror(enum acpi_err err)
{
    return checked_name(acpi_messages, ARRAY_SIZE(acpi_messages), (unsigned)err,
                        "unknown ACPI error");
}
