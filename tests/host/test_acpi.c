/*
 * Host tests of lib/acpi.
 *
 * Two kinds of input.  Hand-built tables are assembled here byte by byte
 * with correct checksums (tbl_* and madt_* below), then one thing is broken
 * per test, so each test proves one rejection with its exact error code and
 * the report entry that names it.  Real tables were captured from QEMU 7.2
 * (q35, -smp 4, 128 MiB) under SeaBIOS and under OVMF by dumping guest memory
 * with the monitor's pmemsave; their bytes are at the end of this file and
 * must parse to what QEMU builds: four CPUs, one I/O APIC, five overrides.
 *
 * Physical memory is simulated by fake_map(): every table is copied into its
 * own heap buffer of exactly its length, so ASan reports any read past what
 * the library asked for, and the callback itself checks that it is never
 * asked for an empty or wrapping range.
 */
#include "test.h"

#include <stdlib.h>

#include "acpi/acpi.h"
#include "base/endian.h"

/* ---- Simulated physical memory ---- */

struct region {
    uint64_t phys;
    uint8_t *bytes;
    size_t len;
};

static struct {
    struct region r[16];
    unsigned n;
    unsigned calls;
    int bad_request; /* set if map() was asked for len 0 or a wrapping range */
} fm;

static const void *fake_map(void *ctx, uint64_t phys, uint64_t len)
{
    (void)ctx;
    fm.calls++;
    if (len == 0 || phys + len < phys)
        fm.bad_request = 1;
    for (unsigned i = 0; i < fm.n; i++) {
        const struct region *r = &fm.r[i];
        if (phys >= r->phys && phys - r->phys <= r->len && len <= r->len - (phys - r->phys))
            return r->bytes + (phys - r->phys);
    }
    return NULL;
}

static const struct acpi_mem mem = {fake_map, NULL};

static void mem_reset(void)
{
    for (unsigned i = 0; i < fm.n; i++)
        free(fm.r[i].bytes);
    memset(&fm, 0, sizeof(fm));
}

/* Copies len bytes to a buffer of exactly that size, seen at physical address phys. */
static uint8_t *mem_add(uint64_t phys, const void *bytes, size_t len)
{
    uint8_t *b = malloc(len);
    if (!b || fm.n == sizeof(fm.r) / sizeof(fm.r[0]))
        abort();
    memcpy(b, bytes, len);
    fm.r[fm.n++] = (struct region){phys, b, len};
    return b;
}

/* ---- Table builders ---- */

struct tbl {
    uint8_t b[16384];
    size_t len;
};

static void app8(struct tbl *t, uint8_t v)
{
    if (t->len >= sizeof(t->b))
        abort();
    t->b[t->len++] = v;
}

static void app16(struct tbl *t, uint16_t v)
{
    app8(t, (uint8_t)v);
    app8(t, (uint8_t)(v >> 8));
}

static void app32(struct tbl *t, uint32_t v)
{
    app16(t, (uint16_t)v);
    app16(t, (uint16_t)(v >> 16));
}

static void app64(struct tbl *t, uint64_t v)
{
    app32(t, (uint32_t)v);
    app32(t, (uint32_t)(v >> 32));
}

/* The byte that makes n bytes at p sum to 0, given that it is itself 0 now. */
static uint8_t fix_sum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    for (size_t i = 0; i < n; i++)
        s = (uint8_t)(s + p[i]);
    return (uint8_t)-s;
}

/* Starts a table: the 36-byte header with length and checksum filled in by tbl_finish(). */
static void tbl_begin(struct tbl *t, const char *sig, uint8_t rev)
{
    memset(t, 0, sizeof(*t));
    memcpy(t->b, sig, 4);
    t->b[8] = rev;
    memcpy(t->b + 10, "CAPOS ", 6);
    memcpy(t->b + 16, "TESTTBL ", 8);
    le32_put(t->b + 24, 1);
    memcpy(t->b + 28, "CAPS", 4);
    le32_put(t->b + 32, 1);
    t->len = 36;
}

static void tbl_finish(struct tbl *t)
{
    le32_put(t->b + 4, (uint32_t)t->len);
    t->b[9] = 0;
    t->b[9] = fix_sum(t->b, t->len);
}

/* Root table (XSDT with 8-byte entries or RSDT with 4-byte ones). */
static void root_build(struct tbl *t, bool xsdt, const uint64_t *addrs, unsigned n)
{
    tbl_begin(t, xsdt ? "XSDT" : "RSDT", 1);
    for (unsigned i = 0; i < n; i++) {
        if (xsdt)
            app64(t, addrs[i]);
        else
            app32(t, (uint32_t)addrs[i]);
    }
    tbl_finish(t);
}

/* A 36-byte RSDP; revision 0 leaves bytes 20..35 zero (only 20 are used). */
static void rsdp_build(uint8_t *b, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
    memset(b, 0, 36);
    memcpy(b, "RSD PTR ", 8);
    memcpy(b + 9, "CAPOS ", 6);
    b[15] = rev;
    le32_put(b + 16, rsdt);
    b[8] = fix_sum(b, 20);
    if (rev >= 2) {
        le32_put(b + 20, 36);
        le64_put(b + 24, xsdt);
        b[32] = fix_sum(b, 36);
    }
}

static void madt_begin(struct tbl *t, uint8_t rev, uint32_t lapic, uint32_t flags)
{
    tbl_begin(t, "APIC", rev);
    app32(t, lapic);
    app32(t, flags);
}

static void madt_lapic(struct tbl *t, uint8_t uid, uint8_t apic_id, uint32_t flags)
{
    app8(t, 0);
    app8(t, 8);
    app8(t, uid);
    app8(t, apic_id);
    app32(t, flags);
}

static void madt_x2apic(struct tbl *t, uint32_t x2apic_id, uint32_t flags, uint32_t uid)
{
    app8(t, 9);
    app8(t, 16);
    app16(t, 0);
    app32(t, x2apic_id);
    app32(t, flags);
    app32(t, uid);
}

static void madt_ioapic(struct tbl *t, uint8_t id, uint32_t addr, uint32_t gsi_base)
{
    app8(t, 1);
    app8(t, 12);
    app8(t, id);
    app8(t, 0);
    app32(t, addr);
    app32(t, gsi_base);
}

static void madt_iso(struct tbl *t, uint8_t bus, uint8_t source, uint32_t gsi, uint16_t flags)
{
    app8(t, 2);
    app8(t, 10);
    app8(t, bus);
    app8(t, source);
    app32(t, gsi);
    app16(t, flags);
}

static void madt_lapic_override(struct tbl *t, uint64_t addr)
{
    app8(t, 5);
    app8(t, 12);
    app16(t, 0);
    app64(t, addr);
}

/* A local APIC NMI entry (type 4): a type the parser passes over. */
static void madt_lapic_nmi(struct tbl *t)
{
    app8(t, 4);
    app8(t, 6);
    app8(t, 0xff);
    app16(t, 0);
    app8(t, 1);
}

/* ---- Running the parser ---- */

#define MAX_LEN   0x10000u
#define LAPIC     0xFEE00000u
#define IOAPIC    0xFEC00000u

#define P_RSDP    0xF0010u
#define P_XSDT    0x7FE0000u
#define P_RSDT    0x7FE1000u
#define P_MADT    0x7FE2003u /* deliberately odd: SeaBIOS does this too */
#define P_FACP    0x7FE3000u
#define P_MADT2   0x7FE4000u
#define P_NOWHERE 0x50000000u /* never backed by a region */

static struct tbl madt, root_x, root_r, other;
static struct acpi_madt out;
static struct acpi_report rep;
static uint8_t rsdp_bytes[36];

/* The MADT every system test starts from: the BSP, one more CPU, an I/O APIC, IRQ0 -> GSI 2. */
static void madt_default(void)
{
    madt_begin(&madt, 5, LAPIC, ACPI_MADT_PCAT_COMPAT);
    madt_lapic(&madt, 0, 0, 1);
    madt_lapic(&madt, 1, 1, 1);
    madt_ioapic(&madt, 0, IOAPIC, 0);
    madt_iso(&madt, 0, 0, 2, 0);
    tbl_finish(&madt);
}

/* A dummy FACP, so the MADT is never the first root entry. */
static void facp_build(struct tbl *t)
{
    tbl_begin(t, "FACP", 6);
    for (int i = 0; i < 40; i++)
        app8(t, 0);
    tbl_finish(t);
}

/*
 * Installs a whole system in fake memory: a FACP, the MADT in `madt`, an
 * XSDT and an RSDT that both list FACP then MADT, and an RSDP of revision
 * rev (which points at the XSDT only if rev >= 2).  The regions are fm.r[0]
 * to fm.r[4] in that order; tests break one thing through those indices.
 */
static void install(uint8_t rev)
{
    static const uint64_t entries[] = {P_FACP, P_MADT};

    mem_reset();
    memset(&rep, 0, sizeof(rep));
    memset(&out, 0xa5, sizeof(out)); /* results must not depend on what was there */
    facp_build(&other);
    mem_add(P_FACP, other.b, other.len);
    mem_add(P_MADT, madt.b, madt.len);
    root_build(&root_x, true, entries, 2);
    mem_add(P_XSDT, root_x.b, root_x.len);
    root_build(&root_r, false, entries, 2);
    mem_add(P_RSDT, root_r.b, root_r.len);
    rsdp_build(rsdp_bytes, rev, P_RSDT, rev >= 2 ? P_XSDT : 0);
    mem_add(P_RSDP, rsdp_bytes, rev >= 2 ? 36 : 20);
}

/* Replaces the installed RSDP (keeping the size install() gave it). */
static void set_rsdp(uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
    rsdp_build(rsdp_bytes, rev, rsdt, xsdt);
    memcpy(fm.r[4].bytes, rsdp_bytes, fm.r[4].len);
}

/* From the RSDP's physical address to the MADT, as the kernel does it. */
static enum acpi_err run_at(uint64_t rsdp_phys)
{
    struct acpi_rsdp r;
    enum acpi_err err = acpi_rsdp_read(&mem, rsdp_phys, &r, &rep);
    if (err != ACPI_OK) {
        memset(&out, 0, sizeof(out));
        return err;
    }
    return acpi_discover(&mem, &r, MAX_LEN, &out, &rep);
}

static enum acpi_err run(void)
{
    return run_at(P_RSDP);
}

/* Parses `madt` alone, from an exact-size copy. */
static enum acpi_err parse_madt(void)
{
    mem_reset();
    memset(&rep, 0, sizeof(rep));
    memset(&out, 0xa5, sizeof(out));
    const uint8_t *p = mem_add(P_MADT, madt.b, madt.len);
    return acpi_madt_parse(p, madt.len, P_MADT, MAX_LEN, &out, &rep);
}

static const struct acpi_issue *issue(enum acpi_err err)
{
    for (uint32_t i = 0; i < rep.count && i < ACPI_MAX_ISSUES; i++)
        if (rep.issues[i].err == (uint32_t)err)
            return &rep.issues[i];
    return NULL;
}

static unsigned issues_of(enum acpi_err err)
{
    unsigned n = 0;
    for (uint32_t i = 0; i < rep.count && i < ACPI_MAX_ISSUES; i++)
        n += rep.issues[i].err == (uint32_t)err;
    return n;
}

/* After a fatal error: the last issue is it, and the output holds nothing. */
#define CHECK_FATAL(call, e)                                                                       \
    do {                                                                                           \
        CHECK_EQ((call), (e));                                                                     \
        CHECK(rep.count >= 1);                                                                     \
        CHECK_EQ(rep.issues[rep.count - 1].err, (e));                                              \
        CHECK(rep.issues[rep.count - 1].fatal);                                                    \
        CHECK_EQ(out.ncpus, 0);                                                                    \
        CHECK_EQ(out.nenabled, 0);                                                                 \
        CHECK_EQ(out.lapic_base, 0);                                                               \
        CHECK_EQ(out.nioapics, 0);                                                                 \
        CHECK(!fm.bad_request);                                                                    \
    } while (0)

/* ---- RSDP ---- */

TEST(acpi_rsdp_v1_accepted)
{
    struct acpi_rsdp r;
    rsdp_build(rsdp_bytes, 0, 0x1234567, 0);
    CHECK_EQ(acpi_rsdp_check(rsdp_bytes, 20, &r), ACPI_OK);
    CHECK_EQ(r.revision, 0);
    CHECK_EQ(r.length, 20);
    CHECK_EQ(r.rsdt_addr, 0x1234567);
    CHECK_EQ(r.xsdt_addr, 0);
    CHECK(memcmp(r.oem_id, "CAPOS ", 6) == 0);
}

TEST(acpi_rsdp_v2_accepted)
{
    struct acpi_rsdp r;
    rsdp_build(rsdp_bytes, 2, 0x1000, 0x123456789000ULL);
    CHECK_EQ(acpi_rsdp_check(rsdp_bytes, 36, &r), ACPI_OK);
    CHECK_EQ(r.revision, 2);
    CHECK_EQ(r.length, 36);
    CHECK_EQ(r.rsdt_addr, 0x1000);
    CHECK_EQ(r.xsdt_addr, 0x123456789000ULL);
}

TEST(acpi_rsdp_bad_signature)
{
    struct acpi_rsdp r;
    rsdp_build(rsdp_bytes, 0, 0x1000, 0);
    rsdp_bytes[3] = 'X';
    rsdp_bytes[8] = 0;
    rsdp_bytes[8] = fix_sum(rsdp_bytes, 20); /* checksum right, signature wrong */
    CHECK_EQ(acpi_rsdp_check(rsdp_bytes, 20, &r), ACPI_ERR_RSDP_SIGNATURE);
    CHECK_EQ(r.rsdt_addr, 0);
}

TEST(acpi_rsdp_bad_checksum)
{
    struct acpi_rsdp r;
    rsdp_build(rsdp_bytes, 2, 0x1000, 0x2000);
    rsdp_bytes[16] ^= 0x40; /* the RSDT address, covered by both checksums */
    CHECK_EQ(acpi_rsdp_check(rsdp_bytes, 36, &r), ACPI_ERR_RSDP_CHECKSUM);
    CHECK_EQ(r.rsdt_addr, 0);
    CHECK_EQ(r.revision, 0);
}

TEST(acpi_rsdp_bad_extended_checksum)
{
    struct acpi_rsdp r;
    rsdp_build(rsdp_bytes, 2, 0x1000, 0x2000);
    rsdp_bytes[24] ^= 0x01; /* the XSDT address: only the extended checksum covers it */
    CHECK_EQ(acpi_rsdp_check(rsdp_bytes, 36, &r), ACPI_ERR_RSDP_XCHECKSUM);
    CHECK_EQ(r.xsdt_addr, 0);
}

TEST(acpi_rsdp_length_out_of_range)
{
    struct acpi_rsdp r;
    uint32_t bad[] = {0, 20, 35, ACPI_RSDP_MAX_LEN + 1, 0xFFFFFFFFu};
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        rsdp_build(rsdp_bytes, 2, 0x1000, 0x2000);
        le32_put(rsdp_bytes + 20, bad[i]);
        rsdp_bytes[32] = 0;
        rsdp_bytes[32] = fix_sum(rsdp_bytes, 36);
        CHECK_EQ(acpi_rsdp_check(rsdp_bytes, 36, &r), ACPI_ERR_RSDP_LENGTH);
    }
}

TEST(acpi_rsdp_truncated_buffer)
{
    struct acpi_rsdp r;
    uint8_t big[40];

    rsdp_build(rsdp_bytes, 0, 0x1000, 0);
    CHECK_EQ(acpi_rsdp_check(rsdp_bytes, 19, &r), ACPI_ERR_RSDP_TRUNCATED);
    rsdp_build(rsdp_bytes, 2, 0x1000, 0x2000);
    CHECK_EQ(acpi_rsdp_check(rsdp_bytes, 20, &r), ACPI_ERR_RSDP_TRUNCATED);
    CHECK_EQ(acpi_rsdp_check(rsdp_bytes, 35, &r), ACPI_ERR_RSDP_TRUNCATED);
    /* A 40-byte RSDP (length says so) in a 36-byte buffer. */
    memcpy(big, rsdp_bytes, 36);
    memset(big + 36, 0, 4);
    le32_put(big + 20, 40);
    big[32] = 0;
    big[32] = fix_sum(big, 40);
    CHECK_EQ(acpi_rsdp_check(big, 36, &r), ACPI_ERR_RSDP_TRUNCATED);
    CHECK_EQ(acpi_rsdp_check(big, 40, &r), ACPI_OK);
    CHECK_EQ(r.length, 40);
    CHECK_EQ(acpi_rsdp_check(NULL, 40, &r), ACPI_ERR_ARG);
    CHECK_EQ(acpi_rsdp_check(big, 40, NULL), ACPI_ERR_ARG);
}

TEST(acpi_rsdp_read_maps_what_it_needs)
{
    struct acpi_rsdp r;
    uint8_t big[44];

    /* Revision 0: 20 bytes are all there is; asking for 36 would fail here. */
    mem_reset();
    memset(&rep, 0, sizeof(rep));
    rsdp_build(rsdp_bytes, 0, 0x1000, 0);
    mem_add(0x9FC07, rsdp_bytes, 20);
    CHECK_EQ(acpi_rsdp_read(&mem, 0x9FC07, &r, &rep), ACPI_OK);
    CHECK_EQ(r.rsdt_addr, 0x1000);

    /* A longer revision 2 RSDP takes a third, longer mapping. */
    rsdp_build(big, 2, 0x1000, 0x2000);
    memset(big + 36, 0x11, 8);
    le32_put(big + 20, 44);
    big[32] = 0;
    big[32] = fix_sum(big, 44);
    mem_add(0x80000, big, 44);
    CHECK_EQ(acpi_rsdp_read(&mem, 0x80000, &r, &rep), ACPI_OK);
    CHECK_EQ(r.length, 44);
    CHECK_EQ(r.xsdt_addr, 0x2000);
    CHECK_EQ(rep.count, 0);

    /* The same, cut at 40 bytes: the third mapping fails. */
    mem_add(0x90000, big, 40);
    CHECK_EQ(acpi_rsdp_read(&mem, 0x90000, &r, &rep), ACPI_ERR_MAP);
    CHECK_EQ(rep.count, 1);
    CHECK(rep.issues[0].fatal);
    CHECK_EQ(rep.issues[0].phys, 0x90000);
    CHECK_EQ(rep.issues[0].value, 44);
    CHECK_EQ(r.xsdt_addr, 0);

    CHECK_EQ(acpi_rsdp_read(&mem, P_NOWHERE, &r, &rep), ACPI_ERR_MAP);
    /* The last bytes of the address space: the range would wrap and is never requested. */
    CHECK_EQ(acpi_rsdp_read(&mem, UINT64_MAX - 10, &r, &rep), ACPI_ERR_MAP);
    CHECK(!fm.bad_request);
}

/* ---- RSDP search ---- */

static uint8_t bios_area[0x20000];

TEST(acpi_rsdp_scan_finds_16_byte_aligned)
{
    uint64_t found = 1;

    memset(bios_area, 0, sizeof(bios_area));
    rsdp_build(rsdp_bytes, 0, 0x1000, 0);
    /* A valid RSDP off the 16-byte grid is not an RSDP for the search. */
    memcpy(bios_area + 0x108, rsdp_bytes, 20);
    CHECK_EQ(acpi_rsdp_scan(bios_area, sizeof(bios_area), 0xE0000, &found),
             ACPI_ERR_RSDP_NOT_FOUND);
    CHECK_EQ(found, 0);
    memcpy(bios_area + 0x5a0, rsdp_bytes, 20);
    CHECK_EQ(acpi_rsdp_scan(bios_area, sizeof(bios_area), 0xE0000, &found), ACPI_OK);
    CHECK_EQ(found, 0xE05a0);
}

TEST(acpi_rsdp_scan_skips_invalid_candidates)
{
    uint64_t found = 0;

    memset(bios_area, 0, sizeof(bios_area));
    /* Signature only; bad v1 checksum; good v1 but bad extended checksum; then a good one. */
    memcpy(bios_area + 0x100, "RSD PTR ", 8);
    rsdp_build(rsdp_bytes, 0, 0x1000, 0);
    rsdp_bytes[8] ^= 1;
    memcpy(bios_area + 0x200, rsdp_bytes, 20);
    rsdp_build(rsdp_bytes, 2, 0x1000, 0x2000);
    rsdp_bytes[32] ^= 1;
    memcpy(bios_area + 0x300, rsdp_bytes, 36);
    rsdp_build(rsdp_bytes, 2, 0x1000, 0x2000);
    memcpy(bios_area + 0x400, rsdp_bytes, 36);
    CHECK_EQ(acpi_rsdp_scan(bios_area, sizeof(bios_area), 0xE0000, &found), ACPI_OK);
    CHECK_EQ(found, 0xE0400);
}

TEST(acpi_rsdp_scan_grid_is_physical)
{
    uint64_t found = 0;
    uint8_t *buf = malloc(0x100);

    /* The buffer starts at a physical address 8 bytes past a boundary. */
    memset(buf, 0, 0x100);
    rsdp_build(rsdp_bytes, 0, 0x1000, 0);
    memcpy(buf + 0x10, rsdp_bytes, 20); /* physical 0x...18: off the grid */
    memcpy(buf + 0x38, rsdp_bytes, 20); /* physical 0x...40: on it */
    CHECK_EQ(acpi_rsdp_scan(buf, 0x100, 0x9FC08, &found), ACPI_OK);
    CHECK_EQ(found, 0x9FC40);
    free(buf);
}

TEST(acpi_rsdp_scan_stays_inside_the_buffer)
{
    uint64_t found = 0;
    uint8_t *buf = malloc(0x40);

    /* Exact-size buffers: a candidate cut by the end must not be read past it. */
    memset(buf, 0, 0x40);
    rsdp_build(rsdp_bytes, 0, 0x1000, 0);
    memcpy(buf + 0x30, rsdp_bytes, 16);
    CHECK_EQ(acpi_rsdp_scan(buf, 0x40, 0x1000, &found), ACPI_ERR_RSDP_NOT_FOUND);
    /* A revision 2 RSDP whose 36 bytes do not fit is not accepted on its first 20. */
    rsdp_build(rsdp_bytes, 2, 0x1000, 0x2000);
    memcpy(buf + 0x20, rsdp_bytes, 32);
    CHECK_EQ(acpi_rsdp_scan(buf, 0x40, 0x1000, &found), ACPI_ERR_RSDP_NOT_FOUND);
    CHECK_EQ(acpi_rsdp_scan(buf, 0, 0x1000, &found), ACPI_ERR_RSDP_NOT_FOUND);
    CHECK_EQ(acpi_rsdp_scan(buf, 0x40, UINT64_MAX - 0x20, &found), ACPI_ERR_ARG);
    free(buf);
}

TEST(acpi_rsdp_find_bios_ebda_then_bios_area)
{
    uint8_t bda[2], ebda[1024];
    uint64_t found = 0;

    mem_reset();
    memset(bios_area, 0, sizeof(bios_area));
    memset(ebda, 0, sizeof(ebda));
    rsdp_build(rsdp_bytes, 0, 0x1000, 0);
    memcpy(bios_area + 0x159e0, rsdp_bytes, 20);
    le16_put(bda, 0x9FC0);
    mem_add(0x40E, bda, 2);
    mem_add(0x9FC00, ebda, sizeof(ebda));
    mem_add(0xE0000, bios_area, sizeof(bios_area));
    CHECK_EQ(acpi_rsdp_find_bios(&mem, &found), ACPI_OK);
    CHECK_EQ(found, 0xF59e0);

    /* The EBDA comes first. */
    mem_reset();
    memcpy(ebda + 0x20, rsdp_bytes, 20);
    mem_add(0x40E, bda, 2);
    mem_add(0x9FC00, ebda, sizeof(ebda));
    mem_add(0xE0000, bios_area, sizeof(bios_area));
    CHECK_EQ(acpi_rsdp_find_bios(&mem, &found), ACPI_OK);
    CHECK_EQ(found, 0x9FC20);

    /* An EBDA pointer into the BIOS data area or past 640 KiB is not followed. */
    mem_reset();
    le16_put(bda, 0x0040);
    mem_add(0x40E, bda, 2);
    mem_add(0x400, ebda, sizeof(ebda));
    CHECK_EQ(acpi_rsdp_find_bios(&mem, &found), ACPI_ERR_RSDP_NOT_FOUND);
    le16_put(fm.r[0].bytes, 0x9FF0);
    CHECK_EQ(acpi_rsdp_find_bios(&mem, &found), ACPI_ERR_RSDP_NOT_FOUND);
    CHECK_EQ(found, 0);
    CHECK(!fm.bad_request);
}

/* ---- SDT header ---- */

TEST(acpi_sdt_check_rejections)
{
    uint32_t len = 7;
    uint8_t *p;

    mem_reset();
    facp_build(&other);
    p = mem_add(0, other.b, other.len);
    CHECK_EQ(acpi_sdt_check(p, other.len, "FACP", MAX_LEN, &len), ACPI_OK);
    CHECK_EQ(len, other.len);
    CHECK_EQ(acpi_sdt_check(p, other.len, NULL, MAX_LEN, &len), ACPI_OK);
    CHECK_EQ(acpi_sdt_check(p, other.len, "APIC", MAX_LEN, &len), ACPI_ERR_SDT_SIGNATURE);
    CHECK_EQ(len, 0);
    /* The limit is inclusive. */
    CHECK_EQ(acpi_sdt_check(p, other.len, "FACP", (uint32_t)other.len, &len), ACPI_OK);
    CHECK_EQ(acpi_sdt_check(p, other.len, "FACP", (uint32_t)other.len - 1, &len),
             ACPI_ERR_SDT_TOO_LONG);
    CHECK_EQ(acpi_sdt_check(p, other.len - 1, "FACP", MAX_LEN, &len), ACPI_ERR_SDT_TRUNCATED);
    CHECK_EQ(acpi_sdt_check(p, 35, "FACP", MAX_LEN, &len), ACPI_ERR_SDT_TRUNCATED);
    CHECK_EQ(acpi_sdt_check(p, other.len, "FACP", 35, &len), ACPI_ERR_ARG);
    p[20] ^= 0x80;
    CHECK_EQ(acpi_sdt_check(p, other.len, "FACP", MAX_LEN, &len), ACPI_ERR_SDT_CHECKSUM);
    p[20] ^= 0x80;
    /* Length fields below the header, with the checksum made right. */
    for (uint32_t bad = 0; bad < 36; bad += 7) {
        le32_put(p + 4, bad);
        p[9] = 0;
        p[9] = fix_sum(p, other.len);
        CHECK_EQ(acpi_sdt_check(p, other.len, "FACP", MAX_LEN, &len), ACPI_ERR_SDT_TOO_SHORT);
    }
}

/* ---- Root table ---- */

TEST(acpi_root_prefers_xsdt)
{
    struct acpi_rsdp r;
    struct acpi_root root;

    madt_default();
    install(2);
    CHECK_EQ(acpi_rsdp_read(&mem, P_RSDP, &r, &rep), ACPI_OK);
    CHECK_EQ(acpi_root_open(&mem, &r, MAX_LEN, &root, &rep), ACPI_OK);
    CHECK(root.xsdt);
    CHECK_EQ(root.phys, P_XSDT);
    CHECK_EQ(root.entries, 2);
    CHECK_EQ(root.entry_size, 8);
    CHECK_EQ(rep.count, 0);
    CHECK_EQ(run(), ACPI_OK);
    CHECK_EQ(out.ncpus, 2);
}

TEST(acpi_root_rsdt_for_revision_0)
{
    struct acpi_rsdp r;
    struct acpi_root root;

    madt_default();
    install(0);
    CHECK_EQ(acpi_rsdp_read(&mem, P_RSDP, &r, &rep), ACPI_OK);
    CHECK_EQ(acpi_root_open(&mem, &r, MAX_LEN, &root, &rep), ACPI_OK);
    CHECK(!root.xsdt);
    CHECK_EQ(root.phys, P_RSDT);
    CHECK_EQ(root.entry_size, 4);
    CHECK_EQ(run(), ACPI_OK);
    CHECK_EQ(out.ncpus, 2);
}

TEST(acpi_root_falls_back_to_rsdt)
{
    struct acpi_rsdp r;
    struct acpi_root root;

    /* A broken XSDT checksum: reported, not fatal, and the RSDT is used. */
    madt_default();
    install(2);
    fm.r[2].bytes[40] ^= 1;
    CHECK_EQ(acpi_rsdp_read(&mem, P_RSDP, &r, &rep), ACPI_OK);
    CHECK_EQ(acpi_root_open(&mem, &r, MAX_LEN, &root, &rep), ACPI_OK);
    CHECK(!root.xsdt);
    CHECK_EQ(rep.count, 1);
    CHECK_EQ(rep.issues[0].err, ACPI_ERR_SDT_CHECKSUM);
    CHECK(!rep.issues[0].fatal);
    CHECK_EQ(rep.issues[0].phys, P_XSDT);
    CHECK_EQ(run(), ACPI_OK);
    CHECK_EQ(out.ncpus, 2);

    /* An XSDT address nothing backs. */
    install(2);
    set_rsdp(2, P_RSDT, P_NOWHERE);
    CHECK_EQ(run(), ACPI_OK);
    CHECK(issue(ACPI_ERR_MAP) != NULL);
    CHECK(!issue(ACPI_ERR_MAP)->fatal);
    CHECK_EQ(issue(ACPI_ERR_MAP)->phys, P_NOWHERE);

    /* An XSDT pointer that points at the RSDT: wrong signature. */
    install(2);
    set_rsdp(2, P_RSDT, P_RSDT);
    CHECK_EQ(run(), ACPI_OK);
    CHECK_EQ(issue(ACPI_ERR_SDT_SIGNATURE)->value, 0x54445352u); /* "RSDT" */
}

TEST(acpi_root_no_usable_root)
{
    madt_default();
    /* Revision 2 with a broken XSDT and no RSDT address. */
    install(2);
    set_rsdp(2, 0, P_XSDT);
    fm.r[2].bytes[0] = 'Y';
    CHECK_FATAL(run(), ACPI_ERR_RSDP_NO_ROOT);
    CHECK_EQ(rep.count, 2); /* the XSDT's problem, then the fatal one */
    CHECK_EQ(rep.issues[0].err, ACPI_ERR_SDT_SIGNATURE);

    /* Revision 0 with RSDT address 0. */
    install(0);
    set_rsdp(0, 0, 0);
    CHECK_FATAL(run(), ACPI_ERR_RSDP_NO_ROOT);

    /* The RSDT itself is broken: its error is the fatal one. */
    install(0);
    fm.r[3].bytes[9] ^= 0xff;
    CHECK_FATAL(run(), ACPI_ERR_SDT_CHECKSUM);
    CHECK_EQ(rep.issues[0].phys, P_RSDT);
}

TEST(acpi_root_length_not_whole_entries)
{
    static const uint64_t entries[] = {P_FACP, P_MADT};

    madt_default();
    install(0);
    /* An RSDT of 36 + 8 + 2 bytes: the last entry is cut. */
    root_build(&root_r, false, entries, 2);
    app16(&root_r, 0);
    tbl_finish(&root_r);
    mem_reset();
    mem_add(P_MADT, madt.b, madt.len);
    mem_add(P_RSDT, root_r.b, root_r.len);
    mem_add(P_RSDP, rsdp_bytes, 20);
    CHECK_FATAL(run(), ACPI_ERR_ROOT_LENGTH);
    CHECK_EQ(rep.issues[0].value, 46);
}

TEST(acpi_root_too_many_entries)
{
    static uint64_t entries[1100];
    struct acpi_rsdp r;
    struct acpi_root root;
    struct acpi_table t;

    for (unsigned i = 0; i < 1100; i++)
        entries[i] = P_FACP;
    entries[1099] = P_MADT; /* beyond the first 1024: never examined */
    madt_default();
    install(0);
    root_build(&root_r, false, entries, 1100);
    free(fm.r[3].bytes);
    fm.r[3].bytes = malloc(root_r.len);
    memcpy(fm.r[3].bytes, root_r.b, root_r.len);
    fm.r[3].len = root_r.len;
    CHECK_EQ(acpi_rsdp_read(&mem, P_RSDP, &r, &rep), ACPI_OK);
    CHECK_EQ(acpi_root_open(&mem, &r, MAX_LEN, &root, &rep), ACPI_OK);
    CHECK_EQ(root.entries, ACPI_MAX_ROOT_ENTRIES);
    CHECK_EQ(rep.count, 1);
    CHECK_EQ(rep.issues[0].err, ACPI_ERR_ROOT_TOO_MANY);
    CHECK_EQ(rep.issues[0].value, 1100);
    CHECK(!rep.issues[0].fatal);
    CHECK_EQ(acpi_table_find(&mem, &root, "APIC", MAX_LEN, &t, &rep), ACPI_ERR_TABLE_NOT_FOUND);
    CHECK_EQ(acpi_table_find(&mem, &root, "FACP", MAX_LEN, &t, &rep), ACPI_OK);
    CHECK_EQ(t.index, 0);
}

/* ---- Finding a table ---- */

TEST(acpi_table_find_skips_bad_entries)
{
    static const uint64_t entries[] = {0, P_NOWHERE, P_FACP, P_MADT, P_MADT2};
    struct acpi_rsdp r;
    struct acpi_root root;
    struct acpi_table t;

    /*
     * Null entry, unbacked entry, FACP, an APIC table with a bad checksum,
     * then a good one: the good one is found and the three problems are
     * reported with their root-table index.
     */
    madt_default();
    install(2);
    fm.r[1].bytes[50] ^= 1;
    madt_begin(&other, 5, LAPIC, 0);
    madt_lapic(&other, 7, 7, 1);
    tbl_finish(&other);
    mem_add(P_MADT2, other.b, other.len);
    root_build(&root_x, true, entries, 5);
    free(fm.r[2].bytes);
    fm.r[2].bytes = malloc(root_x.len);
    memcpy(fm.r[2].bytes, root_x.b, root_x.len);
    fm.r[2].len = root_x.len;

    CHECK_EQ(acpi_rsdp_read(&mem, P_RSDP, &r, &rep), ACPI_OK);
    CHECK_EQ(acpi_root_open(&mem, &r, MAX_LEN, &root, &rep), ACPI_OK);
    CHECK(root.xsdt);
    CHECK_EQ(acpi_table_find(&mem, &root, "APIC", MAX_LEN, &t, &rep), ACPI_OK);
    CHECK_EQ(t.phys, P_MADT2);
    CHECK_EQ(t.index, 4);
    CHECK_EQ(t.length, other.len);
    CHECK_EQ(t.revision, 5);
    CHECK_EQ(rep.count, 3);
    CHECK_EQ(rep.issues[0].err, ACPI_ERR_ROOT_NULL_ENTRY);
    CHECK_EQ(rep.issues[0].index, 0);
    CHECK_EQ(rep.issues[1].err, ACPI_ERR_MAP);
    CHECK_EQ(rep.issues[1].index, 1);
    CHECK_EQ(rep.issues[1].phys, P_NOWHERE);
    CHECK_EQ(rep.issues[2].err, ACPI_ERR_SDT_CHECKSUM);
    CHECK_EQ(rep.issues[2].index, 3);
    CHECK_EQ(rep.issues[2].phys, P_MADT);
    for (unsigned i = 0; i < 3; i++)
        CHECK(!rep.issues[i].fatal);

    memset(&rep, 0, sizeof(rep));
    CHECK_EQ(acpi_discover(&mem, &r, MAX_LEN, &out, &rep), ACPI_OK);
    CHECK_EQ(out.ncpus, 1);
    CHECK_EQ(out.cpus[0].apic_id, 7);
}

TEST(acpi_table_find_first_valid_wins)
{
    static const uint64_t entries[] = {P_MADT, P_MADT2};
    struct acpi_rsdp r;
    struct acpi_root root;
    struct acpi_table t;

    madt_default();
    install(0);
    madt_begin(&other, 5, LAPIC, 0);
    madt_lapic(&other, 7, 7, 1);
    tbl_finish(&other);
    mem_add(P_MADT2, other.b, other.len);
    root_build(&root_r, false, entries, 2);
    memcpy(fm.r[3].bytes, root_r.b, root_r.len);
    CHECK_EQ(acpi_rsdp_read(&mem, P_RSDP, &r, &rep), ACPI_OK);
    CHECK_EQ(acpi_root_open(&mem, &r, MAX_LEN, &root, &rep), ACPI_OK);
    CHECK_EQ(acpi_table_find(&mem, &root, "APIC", MAX_LEN, &t, &rep), ACPI_OK);
    CHECK_EQ(t.phys, P_MADT);
    CHECK_EQ(t.index, 0);
    /* A limit below the first MADT's length skips it as too long. */
    CHECK_EQ(acpi_table_find(&mem, &root, "APIC", (uint32_t)madt.len - 1, &t, &rep), ACPI_OK);
    CHECK_EQ(t.phys, P_MADT2);
    CHECK_EQ(issue(ACPI_ERR_SDT_TOO_LONG)->value, madt.len);
    CHECK_EQ(issue(ACPI_ERR_SDT_TOO_LONG)->index, 0);
}

TEST(acpi_table_not_found)
{
    madt_default();
    install(2);
    fm.r[1].bytes[0] = 'X'; /* "XPIC" */
    CHECK_FATAL(run(), ACPI_ERR_TABLE_NOT_FOUND);
    CHECK_EQ(rep.count, 1); /* a table that is not an APIC table is not a problem */
    CHECK_EQ(rep.issues[0].value, 0x43495041u); /* "APIC" */
    CHECK_EQ(rep.issues[0].phys, P_XSDT);
}

TEST(acpi_table_find_rejects_inconsistent_root)
{
    struct acpi_root root;
    struct acpi_table t;
    uint8_t bytes[40] = {0};

    root =
        (struct acpi_root){.phys = 1, .bytes = bytes, .length = 40, .entries = 1, .entry_size = 8};
    CHECK_EQ(acpi_table_find(&mem, &root, "APIC", MAX_LEN, &t, NULL), ACPI_ERR_ARG);
    root.entry_size = 3;
    CHECK_EQ(acpi_table_find(&mem, &root, "APIC", MAX_LEN, &t, NULL), ACPI_ERR_ARG);
    root.entry_size = 4;
    CHECK_EQ(acpi_table_find(&mem, &root, "APIC", MAX_LEN, &t, NULL), ACPI_ERR_TABLE_NOT_FOUND);
}

/* ---- MADT: acceptance ---- */

TEST(acpi_madt_basic)
{
    madt_default();
    install(2);
    CHECK_EQ(run(), ACPI_OK);
    CHECK_EQ(rep.count, 0);
    CHECK_EQ(out.lapic_base, LAPIC);
    CHECK(!out.lapic_overridden);
    CHECK_EQ(out.flags, ACPI_MADT_PCAT_COMPAT);
    CHECK_EQ(out.revision, 5);
    CHECK(!out.needs_x2apic);
    CHECK_EQ(out.ncpus, 2);
    CHECK_EQ(out.nenabled, 2);
    CHECK_EQ(out.cpus[1].apic_id, 1);
    CHECK_EQ(out.cpus[1].uid, 1);
    CHECK(out.cpus[1].enabled);
    CHECK(!out.cpus[1].x2apic);
    CHECK_EQ(out.nioapics, 1);
    CHECK_EQ(out.ioapics[0].addr, IOAPIC);
    CHECK_EQ(out.noverrides, 1);
    CHECK_EQ(out.overrides[0].source, 0);
    CHECK_EQ(out.overrides[0].gsi, 2);
    CHECK_EQ(out.ncpus_dropped + out.ncpus_ignored + out.nentries_unknown, 0);
    CHECK(!fm.bad_request);
}

TEST(acpi_madt_x2apic_entries)
{
    madt_begin(&madt, 4, LAPIC, 0);
    madt_x2apic(&madt, 0, 1, 100);
    madt_x2apic(&madt, 0x100, 1, 101);
    madt_lapic(&madt, 2, 5, 1);
    tbl_finish(&madt);
    CHECK_EQ(parse_madt(), ACPI_OK);
    CHECK_EQ(out.ncpus, 3);
    CHECK(out.cpus[0].x2apic);
    CHECK_EQ(out.cpus[0].uid, 100);
    CHECK_EQ(out.cpus[1].apic_id, 0x100);
    CHECK_EQ(out.cpus[1].uid, 101);
    CHECK(!out.cpus[2].x2apic);
    CHECK(out.needs_x2apic);

    /* An x2APIC entry with id 0xFF is fine (it is only reserved for xAPIC). */
    madt_begin(&madt, 4, LAPIC, 0);
    madt_x2apic(&madt, 0xFF, 1, 1);
    tbl_finish(&madt);
    CHECK_EQ(parse_madt(), ACPI_OK);
    CHECK_EQ(out.cpus[0].apic_id, 0xFF);
    CHECK(out.needs_x2apic);
}

TEST(acpi_madt_online_capable)
{
    /* Revision 5: flags 2 is a hot-pluggable CPU, listed but not enabled. */
    madt_begin(&madt, 5, LAPIC, 0);
    madt_lapic(&madt, 0, 0, 1);
    madt_lapic(&madt, 1, 1, 2);
    madt_x2apic(&madt, 2, 2, 2);
    madt_lapic(&madt, 3, 3, 0); /* neither: ignored */
    madt_lapic(&madt, 4, 4, 3); /* enabled; the reserved bit is ignored */
    tbl_finish(&madt);
    CHECK_EQ(parse_madt(), ACPI_OK);
    CHECK_EQ(rep.count, 0);
    CHECK_EQ(out.ncpus, 4);
    CHECK_EQ(out.nenabled, 2);
    CHECK(!out.cpus[1].enabled);
    CHECK(!out.cpus[2].enabled);
    CHECK(out.cpus[2].x2apic);
    CHECK(out.cpus[3].enabled);
    CHECK_EQ(out.cpus[3].apic_id, 4);
    CHECK_EQ(out.ncpus_ignored, 1);

    /* Revision 4: the bit is reserved, so those CPUs are ignored. */
    madt.b[8] = 4;
    tbl_finish(&madt);
    CHECK_EQ(parse_madt(), ACPI_OK);
    CHECK_EQ(out.ncpus, 2);
    CHECK_EQ(out.nenabled, 2);
    CHECK_EQ(out.ncpus_ignored, 3);
}

TEST(acpi_madt_disabled_reserved_ids_are_ignored)
{
    /* Firmware lists empty sockets with id 0xFF and flags 0: silently ignored. */
    madt_begin(&madt, 3, LAPIC, 0);
    madt_lapic(&madt, 0, 0, 1);
    madt_lapic(&madt, 1, 0xFF, 0);
    madt_x2apic(&madt, 0xFFFFFFFFu, 0, 2);
    tbl_finish(&madt);
    CHECK_EQ(parse_madt(), ACPI_OK);
    CHECK_EQ(rep.count, 0);
    CHECK_EQ(out.ncpus, 1);
    CHECK_EQ(out.ncpus_ignored, 2);
}

TEST(acpi_madt_reserved_apic_id_reported)
{
    madt_begin(&madt, 3, LAPIC, 0);
    madt_lapic(&madt, 0, 0, 1);
    madt_lapic(&madt, 1, 0xFF, 1);
    madt_x2apic(&madt, 0xFFFFFFFFu, 1, 2);
    tbl_finish(&madt);
    CHECK_EQ(parse_madt(), ACPI_OK);
    CHECK_EQ(out.ncpus, 1);
    CHECK_EQ(issues_of(ACPI_ERR_CPU_APIC_ID), 2);
    CHECK_EQ(rep.issues[0].index, 1);
    CHECK_EQ(rep.issues[0].phys, P_MADT + 44 + 8);
    CHECK_EQ(rep.issues[0].value, 0xFF);
    CHECK_EQ(rep.issues[1].index, 2);
    CHECK_EQ(rep.issues[1].value, 0xFFFFFFFFu);
}

TEST(acpi_madt_duplicate_apic_ids)
{
    madt_begin(&madt, 3, LAPIC, 0);
    madt_lapic(&madt, 0, 0, 1);
    madt_lapic(&madt, 1, 1, 1);
    madt_lapic(&madt, 2, 1, 1);  /* same APIC id */
    madt_x2apic(&madt, 0, 1, 3); /* same processor as the first, as x2APIC */
    madt_x2apic(&madt, 9, 1, 4);
    tbl_finish(&madt);
    CHECK_EQ(parse_madt(), ACPI_OK);
    CHECK_EQ(out.ncpus, 3);
    CHECK_EQ(out.cpus[1].uid, 1); /* the first one stands */
    CHECK_EQ(out.cpus[2].apic_id, 9);
    CHECK_EQ(rep.count, 2);
    CHECK_EQ(rep.issues[0].err, ACPI_ERR_CPU_DUPLICATE);
    CHECK_EQ(rep.issues[0].index, 2);
    CHECK_EQ(rep.issues[0].value, 1);
    CHECK_EQ(rep.issues[1].err, ACPI_ERR_CPU_DUPLICATE);
    CHECK_EQ(rep.issues[1].index, 3);
    CHECK_EQ(rep.issues[1].value, 0);
}

TEST(acpi_madt_too_many_cpus)
{
    madt_begin(&madt, 5, LAPIC, 0);
    for (uint32_t i = 0; i < 300; i++)
        madt_x2apic(&madt, i, 1, i);
    tbl_finish(&madt);
    CHECK_EQ(parse_madt(), ACPI_OK);
    CHECK_EQ(out.ncpus, ACPI_MAX_CPUS);
    CHECK_EQ(out.nenabled, ACPI_MAX_CPUS);
    CHECK_EQ(out.ncpus_dropped, 300 - ACPI_MAX_CPUS);
    CHECK_EQ(out.cpus[ACPI_MAX_CPUS - 1].apic_id, ACPI_MAX_CPUS - 1);
    /* Reported once, at the first CPU that did not fit. */
    CHECK_EQ(rep.count, 1);
    CHECK_EQ(rep.issues[0].err, ACPI_ERR_CPU_TOO_MANY);
    CHECK_EQ(rep.issues[0].index, ACPI_MAX_CPUS);
    CHECK_EQ(rep.issues[0].value, ACPI_MAX_CPUS);
    CHECK(!rep.issues[0].fatal);
}

TEST(acpi_madt_lapic_address_override)
{
    madt_begin(&madt, 3, LAPIC, 0);
    madt_lapic(&madt, 0, 0, 1);
    madt_lapic_override(&madt, 0x12345678000ULL);
    tbl_finish(&madt);
    CHECK_EQ(parse_madt(), ACPI_OK);
    CHECK_EQ(out.lapic_base, 0x12345678000ULL);
    CHECK(out.lapic_overridden);
    CHECK_EQ(rep.count, 0);

    /* A bad override is skipped; a second good one then stands, a third is a duplicate. */
    madt_begin(&madt, 3, LAPIC, 0);
    madt_lapic(&madt, 0, 0, 1);
    madt_lapic_override(&madt, 0xFEE00800ULL);
    madt_lapic_override(&madt, 0);
    madt_lapic_override(&madt, 0xFED00000ULL);
    madt_lapic_override(&madt, 0xFEC00000ULL);
    tbl_finish(&madt);
    CHECK_EQ(parse_madt(), ACPI_OK);
    CHECK_EQ(out.lapic_base, 0xFED00000ULL);
    CHECK_EQ(rep.count, 3);
    CHECK_EQ(rep.issues[0].err, ACPI_ERR_MADT_OVERRIDE_ADDR);
    CHECK_EQ(rep.issues[0].value, 0xFEE00800ULL);
    CHECK_EQ(rep.issues[1].err, ACPI_ERR_MADT_OVERRIDE_ADDR);
    CHECK_EQ(rep.issues[2].err, ACPI_ERR_MADT_OVERRIDE_DUP);
    CHECK_EQ(rep.issues[2].index, 4);

    /* A zero 32-bit address is fine when an override supplies one. */
    madt_begin(&madt, 3, 0, 0);
    madt_lapic(&madt, 0, 0, 1);
    madt_lapic_override(&madt, LAPIC);
    tbl_finish(&madt);
    CHECK_EQ(parse_madt(), ACPI_OK);
    CHECK_EQ(out.lapic_base, LAPIC);
}

TEST(acpi_madt_ioapics)
{
    madt_begin(&madt, 3, LAPIC, 0);
    madt_lapic(&madt, 0, 0, 1);
    for (uint8_t i = 0; i < 18; i++)
        madt_ioapic(&madt, i, IOAPIC + i * 0x1000u, i * 24u);
    madt_ioapic(&madt, 3, 0xFEC80000u, 500); /* duplicate id */
    tbl_finish(&madt);
    CHECK_EQ(parse_madt(), ACPI_OK);
    CHECK_EQ(out.nioapics, ACPI_MAX_IOAPICS);
    CHECK_EQ(out.nioapics_dropped, 2);
    CHECK_EQ(out.ioapics[15].id, 15);
    CHECK_EQ(out.ioapics[15].addr, IOAPIC + 15 * 0x1000u);
    CHECK_EQ(out.ioapics[15].gsi_base, 15 * 24);
    CHECK_EQ(rep.count, 2);
    CHECK_EQ(rep.issues[0].err, ACPI_ERR_IOAPIC_TOO_MANY);
    CHECK_EQ(rep.issues[0].value, 16);
    CHECK_EQ(rep.issues[1].err, ACPI_ERR_IOAPIC_DUPLICATE);
    CHECK_EQ(rep.issues[1].value, 3);
}

TEST(acpi_madt_interrupt_source_overrides)
{
    madt_begin(&madt, 3, LAPIC, 0);
    madt_lapic(&madt, 0, 0, 1);
    madt_iso(&madt, 0, 0, 2, 0);
    madt_iso(&madt, 0, 9, 9, 0xd); /* level, active high */
    madt_iso(&madt, 1, 5, 5, 0);   /* not ISA */
    madt_iso(&madt, 0, 6, 6, 0x2); /* reserved polarity */
    madt_iso(&madt, 0, 7, 7, 0x8); /* reserved trigger */
    madt_iso(&madt, 0, 0, 20, 0);  /* IRQ 0 again */
    tbl_finish(&madt);
    CHECK_EQ(parse_madt(), ACPI_OK);
    CHECK_EQ(out.noverrides, 2);
    CHECK_EQ(out.overrides[0].gsi, 2);
    CHECK_EQ(out.overrides[1].source, 9);
    CHECK_EQ(ACPI_ISO_POLARITY(out.overrides[1].flags), ACPI_ISO_ACTIVE_HIGH);
    CHECK_EQ(ACPI_ISO_TRIGGER(out.overrides[1].flags), ACPI_ISO_LEVEL);
    CHECK_EQ(rep.count, 4);
    CHECK_EQ(rep.issues[0].err, ACPI_ERR_ISO_BUS);
    CHECK_EQ(rep.issues[0].value, 1);
    CHECK_EQ(rep.issues[1].err, ACPI_ERR_ISO_FLAGS);
    CHECK_EQ(rep.issues[2].err, ACPI_ERR_ISO_FLAGS);
    CHECK_EQ(rep.issues[2].value, 0x8);
    CHECK_EQ(rep.issues[3].err, ACPI_ERR_ISO_DUPLICATE);
    CHECK_EQ(rep.issues[3].value, 0);

    madt_begin(&madt, 3, LAPIC, 0);
    madt_lapic(&madt, 0, 0, 1);
    for (unsigned i = 0; i < 40; i++)
        madt_iso(&madt, 0, (uint8_t)i, i, 0);
    tbl_finish(&madt);
    CHECK_EQ(parse_madt(), ACPI_OK);
    CHECK_EQ(out.noverrides, ACPI_MAX_OVERRIDES);
    CHECK_EQ(out.noverrides_dropped, 40 - ACPI_MAX_OVERRIDES);
    CHECK_EQ(issues_of(ACPI_ERR_ISO_TOO_MANY), 1);
}

TEST(acpi_madt_unknown_and_longer_entries)
{
    madt_begin(&madt, 3, LAPIC, 0);
    madt_lapic_nmi(&madt);
    /* A local APIC entry with 4 extra bytes a later revision might define. */
    app8(&madt, 0);
    app8(&madt, 12);
    app8(&madt, 0);
    app8(&madt, 0);
    app32(&madt, 1);
    app32(&madt, 0xdeadbeef);
    /* An OEM-reserved type, 2 bytes long: the shortest entry there can be. */
    app8(&madt, 0x80);
    app8(&madt, 2);
    tbl_finish(&madt);
    CHECK_EQ(parse_madt(), ACPI_OK);
    CHECK_EQ(rep.count, 0);
    CHECK_EQ(out.ncpus, 1);
    CHECK_EQ(out.nentries_unknown, 2);
}

/* ---- MADT: rejection ---- */

TEST(acpi_madt_table_rejections)
{
    madt_default();
    madt.b[0] = 'B';
    tbl_finish(&madt);
    CHECK_FATAL(parse_madt(), ACPI_ERR_SDT_SIGNATURE);

    /* 40 bytes: a valid SDT, but no room for the local APIC address and flags. */
    tbl_begin(&madt, "APIC", 3);
    app32(&madt, LAPIC);
    tbl_finish(&madt);
    CHECK_FATAL(parse_madt(), ACPI_ERR_SDT_TOO_SHORT);
    CHECK_EQ(rep.issues[0].value, 40);

    madt_default();
    madt.b[50] ^= 4;
    CHECK_FATAL(parse_madt(), ACPI_ERR_SDT_CHECKSUM);

    /* The buffer holds fewer bytes than the table's length. */
    madt_default();
    mem_reset();
    memset(&rep, 0, sizeof(rep));
    const uint8_t *p = mem_add(P_MADT, madt.b, madt.len);
    CHECK_FATAL(acpi_madt_parse(p, madt.len - 1, P_MADT, MAX_LEN, &out, &rep),
                ACPI_ERR_SDT_TRUNCATED);
    CHECK_FATAL(acpi_madt_parse(p, madt.len, P_MADT, (uint32_t)madt.len - 1, &out, &rep),
                ACPI_ERR_SDT_TOO_LONG);
    CHECK_FATAL(acpi_madt_parse(p, madt.len, P_MADT, 43, &out, &rep), ACPI_ERR_ARG);
}

TEST(acpi_madt_zero_length_entry)
{
    madt_begin(&madt, 3, LAPIC, 0);
    madt_lapic(&madt, 0, 0, 1);
    app8(&madt, 0);
    app8(&madt, 0); /* would loop forever if the walk believed it */
    madt_lapic(&madt, 1, 1, 1);
    tbl_finish(&madt);
    CHECK_FATAL(parse_madt(), ACPI_ERR_MADT_ENTRY_LENGTH);
    CHECK_EQ(rep.count, 1);
    CHECK_EQ(rep.issues[0].index, 1);
    CHECK_EQ(rep.issues[0].phys, P_MADT + 52);
    CHECK_EQ(rep.issues[0].value, 0);

    madt_begin(&madt, 3, LAPIC, 0);
    madt_lapic(&madt, 0, 0, 1);
    app8(&madt, 9);
    app8(&madt, 1);
    app16(&madt, 0);
    tbl_finish(&madt);
    CHECK_FATAL(parse_madt(), ACPI_ERR_MADT_ENTRY_LENGTH);
    CHECK_EQ(rep.count, 1);
    CHECK_EQ(rep.issues[0].index, 1);
    CHECK_EQ(rep.issues[0].value, 1);
}

TEST(acpi_madt_entry_past_the_end)
{
    /* The last entry claims 16 bytes; only 8 are left in the table. */
    madt_begin(&madt, 3, LAPIC, 0);
    madt_lapic(&madt, 0, 0, 1);
    madt_x2apic(&madt, 1, 1, 1);
    madt.len -= 8;
    tbl_finish(&madt);
    CHECK_FATAL(parse_madt(), ACPI_ERR_MADT_ENTRY_TRUNCATED);
    CHECK_EQ(rep.issues[0].index, 1);
    CHECK_EQ(rep.issues[0].value, 16);

    /* One stray byte after the last entry: not even an entry header. */
    madt_begin(&madt, 3, LAPIC, 0);
    madt_lapic(&madt, 0, 0, 1);
    app8(&madt, 0);
    tbl_finish(&madt);
    CHECK_FATAL(parse_madt(), ACPI_ERR_MADT_ENTRY_TRUNCATED);
    CHECK_EQ(rep.issues[0].value, 1);
}

TEST(acpi_madt_short_entries_skipped)
{
    /* Each parsed type, one byte short; the framing is intact, so parsing goes on. */
    static const uint8_t types[] = {0, 1, 2, 5, 9};
    static const uint8_t lens[] = {8, 12, 10, 12, 16};

    madt_begin(&madt, 3, LAPIC, 0);
    for (unsigned i = 0; i < sizeof(types); i++) {
        app8(&madt, types[i]);
        app8(&madt, (uint8_t)(lens[i] - 1));
        for (unsigned j = 2; j < lens[i] - 1u; j++)
            app8(&madt, 1);
    }
    madt_lapic(&madt, 0, 0, 1);
    tbl_finish(&madt);
    CHECK_EQ(parse_madt(), ACPI_OK);
    CHECK_EQ(out.ncpus, 1);
    CHECK_EQ(out.cpus[0].apic_id, 0);
    CHECK_EQ(out.nioapics + out.noverrides, 0);
    CHECK(!out.lapic_overridden);
    CHECK_EQ(issues_of(ACPI_ERR_MADT_ENTRY_SHORT), 5);
    CHECK_EQ(rep.issues[4].index, 4);
    CHECK_EQ(rep.issues[4].value, 15);
}

TEST(acpi_madt_bad_lapic_address)
{
    madt_begin(&madt, 3, 0, 0);
    madt_lapic(&madt, 0, 0, 1);
    tbl_finish(&madt);
    CHECK_FATAL(parse_madt(), ACPI_ERR_MADT_LAPIC_ADDR);

    madt_begin(&madt, 3, LAPIC + 0x10, 0);
    madt_lapic(&madt, 0, 0, 1);
    tbl_finish(&madt);
    CHECK_FATAL(parse_madt(), ACPI_ERR_MADT_LAPIC_ADDR);
    CHECK_EQ(rep.issues[0].value, LAPIC + 0x10);
}

TEST(acpi_madt_no_enabled_cpu)
{
    madt_begin(&madt, 5, LAPIC, 0);
    madt_lapic(&madt, 0, 0, 2); /* online-capable only */
    madt_lapic(&madt, 1, 1, 0);
    madt_ioapic(&madt, 0, IOAPIC, 0);
    tbl_finish(&madt);
    CHECK_FATAL(parse_madt(), ACPI_ERR_MADT_NO_CPU);

    tbl_begin(&madt, "APIC", 3);
    app32(&madt, LAPIC);
    app32(&madt, 0);
    tbl_finish(&madt);
    CHECK_FATAL(parse_madt(), ACPI_ERR_MADT_NO_CPU);
}

TEST(acpi_report_overflow_is_counted)
{
    madt_begin(&madt, 3, LAPIC, 0);
    madt_lapic(&madt, 0, 0, 1);
    for (unsigned i = 0; i < 50; i++)
        madt_lapic(&madt, 1, 0, 1);
    tbl_finish(&madt);
    CHECK_EQ(parse_madt(), ACPI_OK);
    CHECK_EQ(rep.count, 50);
    CHECK_EQ(issues_of(ACPI_ERR_CPU_DUPLICATE), ACPI_MAX_ISSUES);
    /* A NULL report is allowed. */
    CHECK_EQ(acpi_madt_parse(fm.r[0].bytes, madt.len, P_MADT, MAX_LEN, &out, NULL), ACPI_OK);
}

TEST(acpi_strerror_covers_every_code)
{
    for (int e = 0; e < ACPI_ERR_COUNT; e++) {
        const char *s = acpi_strerror((enum acpi_err)e);
        CHECK(s != NULL);
        CHECK(strcmp(s, "unknown ACPI error") != 0);
        for (int f = 0; f < e; f++)
            CHECK(strcmp(s, acpi_strerror((enum acpi_err)f)) != 0);
    }
    CHECK_STR(acpi_strerror(ACPI_ERR_COUNT), "unknown ACPI error");
    CHECK_STR(acpi_strerror((enum acpi_err) - 1), "unknown ACPI error");
}

/* ---- Real tables from QEMU 7.2, q35, -smp 4 ---- */

/* SeaBIOS: the RSDP at 0xF59E0 (revision 0). */
static const uint8_t seabios_rsdp[20] = {
    0x52, 0x53, 0x44, 0x20, 0x50, 0x54, 0x52, 0x20, 0x77, 0x42,
    0x4f, 0x43, 0x48, 0x53, 0x20, 0x00, 0xb3, 0x23, 0xfe, 0x07,
};
/* SeaBIOS: FACP, APIC, HPET, MCFG, WAET and the RSDT, back to back from 0x7FE2193. */
static const uint8_t seabios_tables[600] = {
    0x46, 0x41, 0x43, 0x50, 0xf4, 0x00, 0x00, 0x00, 0x03, 0x28, 0x42, 0x4f, 0x43, 0x48, 0x53, 0x20,
    0x42, 0x58, 0x50, 0x43, 0x20, 0x20, 0x20, 0x20, 0x01, 0x00, 0x00, 0x00, 0x42, 0x58, 0x50, 0x43,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x07, 0x40, 0x00, 0xfe, 0x07, 0x01, 0x00, 0x09, 0x00,
    0xb2, 0x00, 0x00, 0x00, 0x02, 0x03, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x04, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x06, 0x00, 0x00,
    0x20, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x02, 0x00, 0x04, 0x10, 0x00, 0x00, 0x00,
    0xff, 0x0f, 0xff, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x32, 0x02, 0x00, 0x00,
    0xa5, 0x84, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0xf9, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0xfe, 0x07,
    0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x10, 0x00, 0x00,
    0x04, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x20, 0x00, 0x00, 0x08, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x80, 0x00, 0x00,
    0x20, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x41, 0x50, 0x49, 0x43, 0x90, 0x00, 0x00, 0x00, 0x01, 0x4b, 0x42, 0x4f,
    0x43, 0x48, 0x53, 0x20, 0x42, 0x58, 0x50, 0x43, 0x20, 0x20, 0x20, 0x20, 0x01, 0x00, 0x00, 0x00,
    0x42, 0x58, 0x50, 0x43, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0xe0, 0xfe, 0x01, 0x00, 0x00, 0x00,
    0x00, 0x08, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x08, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00,
    0x00, 0x08, 0x02, 0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x08, 0x03, 0x03, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x0c, 0x00, 0x00, 0x00, 0x00, 0xc0, 0xfe, 0x00, 0x00, 0x00, 0x00, 0x02, 0x0a, 0x00, 0x00,
    0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x0a, 0x00, 0x05, 0x05, 0x00, 0x00, 0x00, 0x0d, 0x00,
    0x02, 0x0a, 0x00, 0x09, 0x09, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x02, 0x0a, 0x00, 0x0a, 0x0a, 0x00,
    0x00, 0x00, 0x0d, 0x00, 0x02, 0x0a, 0x00, 0x0b, 0x0b, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x04, 0x06,
    0xff, 0x00, 0x00, 0x01, 0x48, 0x50, 0x45, 0x54, 0x38, 0x00, 0x00, 0x00, 0x01, 0xb4, 0x42, 0x4f,
    0x43, 0x48, 0x53, 0x20, 0x42, 0x58, 0x50, 0x43, 0x20, 0x20, 0x20, 0x20, 0x01, 0x00, 0x00, 0x00,
    0x42, 0x58, 0x50, 0x43, 0x01, 0x00, 0x00, 0x00, 0x01, 0xa2, 0x86, 0x80, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0xd0, 0xfe, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x4d, 0x43, 0x46, 0x47,
    0x3c, 0x00, 0x00, 0x00, 0x01, 0x8c, 0x42, 0x4f, 0x43, 0x48, 0x53, 0x20, 0x42, 0x58, 0x50, 0x43,
    0x20, 0x20, 0x20, 0x20, 0x01, 0x00, 0x00, 0x00, 0x42, 0x58, 0x50, 0x43, 0x01, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xb0, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0xff, 0x00, 0x00, 0x00, 0x00, 0x57, 0x41, 0x45, 0x54, 0x28, 0x00, 0x00, 0x00,
    0x01, 0x39, 0x42, 0x4f, 0x43, 0x48, 0x53, 0x20, 0x42, 0x58, 0x50, 0x43, 0x20, 0x20, 0x20, 0x20,
    0x01, 0x00, 0x00, 0x00, 0x42, 0x58, 0x50, 0x43, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
    0x52, 0x53, 0x44, 0x54, 0x38, 0x00, 0x00, 0x00, 0x01, 0x4f, 0x42, 0x4f, 0x43, 0x48, 0x53, 0x20,
    0x42, 0x58, 0x50, 0x43, 0x20, 0x20, 0x20, 0x20, 0x01, 0x00, 0x00, 0x00, 0x42, 0x58, 0x50, 0x43,
    0x01, 0x00, 0x00, 0x00, 0x93, 0x21, 0xfe, 0x07, 0x87, 0x22, 0xfe, 0x07, 0x17, 0x23, 0xfe, 0x07,
    0x4f, 0x23, 0xfe, 0x07, 0x8b, 0x23, 0xfe, 0x07,
};
/* OVMF: the RSDP at 0x777E014 (revision 2). */
static const uint8_t ovmf_rsdp[36] = {
    0x52, 0x53, 0x44, 0x20, 0x50, 0x54, 0x52, 0x20, 0x8e, 0x42, 0x4f, 0x43,
    0x48, 0x53, 0x20, 0x02, 0x74, 0xd0, 0x77, 0x07, 0x24, 0x00, 0x00, 0x00,
    0xe8, 0xd0, 0x77, 0x07, 0x00, 0x00, 0x00, 0x00, 0xa6, 0x00, 0x00, 0x00,
};
/* OVMF: the RSDT at 0x777D074 and the XSDT at 0x777D0E8, with what lies between. */
static const uint8_t ovmf_roots[200] = {
    0x52, 0x53, 0x44, 0x54, 0x3c, 0x00, 0x00, 0x00, 0x01, 0x51, 0x42, 0x4f, 0x43, 0x48, 0x53, 0x20,
    0x42, 0x58, 0x50, 0x43, 0x20, 0x20, 0x20, 0x20, 0x01, 0x00, 0x00, 0x00, 0x20, 0x20, 0x20, 0x20,
    0x13, 0x00, 0x00, 0x01, 0x00, 0x90, 0x77, 0x07, 0x00, 0x80, 0x77, 0x07, 0x00, 0x70, 0x77, 0x07,
    0x00, 0x60, 0x77, 0x07, 0x00, 0x50, 0x77, 0x07, 0x00, 0x40, 0x77, 0x07, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x58, 0x53, 0x44, 0x54, 0x54, 0x00, 0x00, 0x00, 0x01, 0x33, 0x42, 0x4f,
    0x43, 0x48, 0x53, 0x20, 0x42, 0x58, 0x50, 0x43, 0x20, 0x20, 0x20, 0x20, 0x01, 0x00, 0x00, 0x00,
    0x20, 0x20, 0x20, 0x20, 0x13, 0x00, 0x00, 0x01, 0x00, 0x90, 0x77, 0x07, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x80, 0x77, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x70, 0x77, 0x07, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x60, 0x77, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x50, 0x77, 0x07, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x40, 0x77, 0x07, 0x00, 0x00, 0x00, 0x00,
};
/* OVMF: FACP at 0x7779000. */
static const uint8_t ovmf_facp[244] = {
    0x46, 0x41, 0x43, 0x50, 0xf4, 0x00, 0x00, 0x00, 0x03, 0x27, 0x42, 0x4f, 0x43, 0x48, 0x53, 0x20,
    0x42, 0x58, 0x50, 0x43, 0x20, 0x20, 0x20, 0x20, 0x01, 0x00, 0x00, 0x00, 0x42, 0x58, 0x50, 0x43,
    0x01, 0x00, 0x00, 0x00, 0x00, 0xd0, 0x7d, 0x07, 0x00, 0xa0, 0x77, 0x07, 0x01, 0x00, 0x09, 0x00,
    0xb2, 0x00, 0x00, 0x00, 0x02, 0x03, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x04, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x06, 0x00, 0x00,
    0x20, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x02, 0x00, 0x04, 0x10, 0x00, 0x00, 0x00,
    0xff, 0x0f, 0xff, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x32, 0x02, 0x00, 0x00,
    0xa5, 0x84, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0xf9, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x77, 0x07,
    0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x10, 0x00, 0x00,
    0x04, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x20, 0x00, 0x00, 0x08, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x80, 0x00, 0x00,
    0x20, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00,
};
/* OVMF: APIC at 0x7778000. */
static const uint8_t ovmf_apic[144] = {
    0x41, 0x50, 0x49, 0x43, 0x90, 0x00, 0x00, 0x00, 0x01, 0x4b, 0x42, 0x4f, 0x43, 0x48, 0x53, 0x20,
    0x42, 0x58, 0x50, 0x43, 0x20, 0x20, 0x20, 0x20, 0x01, 0x00, 0x00, 0x00, 0x42, 0x58, 0x50, 0x43,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0xe0, 0xfe, 0x01, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x08, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x08, 0x02, 0x02,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x08, 0x03, 0x03, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0c, 0x00, 0x00,
    0x00, 0x00, 0xc0, 0xfe, 0x00, 0x00, 0x00, 0x00, 0x02, 0x0a, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x02, 0x0a, 0x00, 0x05, 0x05, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x02, 0x0a, 0x00, 0x09,
    0x09, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x02, 0x0a, 0x00, 0x0a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x00,
    0x02, 0x0a, 0x00, 0x0b, 0x0b, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x04, 0x06, 0xff, 0x00, 0x00, 0x01,
};
/* OVMF: HPET at 0x7777000. */
static const uint8_t ovmf_hpet[56] = {
    0x48, 0x50, 0x45, 0x54, 0x38, 0x00, 0x00, 0x00, 0x01, 0xb4, 0x42, 0x4f, 0x43, 0x48,
    0x53, 0x20, 0x42, 0x58, 0x50, 0x43, 0x20, 0x20, 0x20, 0x20, 0x01, 0x00, 0x00, 0x00,
    0x42, 0x58, 0x50, 0x43, 0x01, 0x00, 0x00, 0x00, 0x01, 0xa2, 0x86, 0x80, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0xd0, 0xfe, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
/* OVMF: MCFG at 0x7776000. */
static const uint8_t ovmf_mcfg[60] = {
    0x4d, 0x43, 0x46, 0x47, 0x3c, 0x00, 0x00, 0x00, 0x01, 0x8c, 0x42, 0x4f, 0x43, 0x48, 0x53,
    0x20, 0x42, 0x58, 0x50, 0x43, 0x20, 0x20, 0x20, 0x20, 0x01, 0x00, 0x00, 0x00, 0x42, 0x58,
    0x50, 0x43, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0xb0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00, 0x00, 0x00,
};
/* OVMF: WAET at 0x7775000. */
static const uint8_t ovmf_waet[40] = {
    0x57, 0x41, 0x45, 0x54, 0x28, 0x00, 0x00, 0x00, 0x01, 0x39, 0x42, 0x4f, 0x43, 0x48,
    0x53, 0x20, 0x42, 0x58, 0x50, 0x43, 0x20, 0x20, 0x20, 0x20, 0x01, 0x00, 0x00, 0x00,
    0x42, 0x58, 0x50, 0x43, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
};
/* OVMF: BGRT at 0x7774000. */
static const uint8_t ovmf_bgrt[56] = {
    0x42, 0x47, 0x52, 0x54, 0x38, 0x00, 0x00, 0x00, 0x01, 0x3e, 0x49, 0x4e, 0x54, 0x45,
    0x4c, 0x20, 0x45, 0x44, 0x4b, 0x32, 0x20, 0x20, 0x20, 0x20, 0x02, 0x00, 0x00, 0x00,
    0x20, 0x20, 0x20, 0x20, 0x13, 0x00, 0x00, 0x01, 0x01, 0x00, 0x01, 0x00, 0x18, 0x90,
    0x5d, 0x06, 0x00, 0x00, 0x00, 0x00, 0x1f, 0x02, 0x00, 0x00, 0x73, 0x01, 0x00, 0x00,
};

/* What QEMU's q35 MADT says for 4 CPUs, whichever firmware passes it on. */
static int check_qemu_q35_madt(const struct acpi_madt *m)
{
    static const uint8_t iso_src[] = {0, 5, 9, 10, 11};
    static const uint8_t iso_gsi[] = {2, 5, 9, 10, 11};
    static const uint16_t iso_flags[] = {0, 0xd, 0xd, 0xd, 0xd};

    if (m->lapic_base != 0xFEE00000u || m->lapic_overridden || m->revision != 1)
        return 0;
    if (m->flags != ACPI_MADT_PCAT_COMPAT || m->needs_x2apic)
        return 0;
    if (m->ncpus != 4 || m->nenabled != 4 || m->ncpus_ignored != 0 || m->ncpus_dropped != 0)
        return 0;
    for (uint32_t i = 0; i < 4; i++)
        if (m->cpus[i].apic_id != i || m->cpus[i].uid != i || !m->cpus[i].enabled ||
            m->cpus[i].x2apic)
            return 0;
    if (m->nioapics != 1 || m->ioapics[0].id != 0 || m->ioapics[0].addr != 0xFEC00000u ||
        m->ioapics[0].gsi_base != 0)
        return 0;
    if (m->noverrides != 5)
        return 0;
    for (uint32_t i = 0; i < 5; i++)
        if (m->overrides[i].source != iso_src[i] || m->overrides[i].gsi != iso_gsi[i] ||
            m->overrides[i].flags != iso_flags[i])
            return 0;
    /* The local APIC NMI entry (LINT1 of all processors). */
    return m->nentries_unknown == 1;
}

TEST(acpi_qemu_seabios_tables)
{
    struct acpi_rsdp r;
    struct acpi_root root;
    struct acpi_table t;
    uint64_t found = 0;

    mem_reset();
    memset(&rep, 0, sizeof(rep));
    mem_add(0xF59E0, seabios_rsdp, sizeof(seabios_rsdp));
    mem_add(0x7FE2193, seabios_tables, sizeof(seabios_tables));
    CHECK_EQ(acpi_rsdp_read(&mem, 0xF59E0, &r, &rep), ACPI_OK);
    CHECK_EQ(r.revision, 0);
    CHECK(memcmp(r.oem_id, "BOCHS ", 6) == 0);
    CHECK_EQ(r.rsdt_addr, 0x7FE23B3);
    CHECK_EQ(acpi_root_open(&mem, &r, MAX_LEN, &root, &rep), ACPI_OK);
    CHECK(!root.xsdt);
    CHECK_EQ(root.entries, 5);
    CHECK_EQ(acpi_table_find(&mem, &root, "FACP", MAX_LEN, &t, &rep), ACPI_OK);
    CHECK_EQ(t.phys, 0x7FE2193);
    CHECK_EQ(t.length, 244);
    CHECK_EQ(acpi_table_find(&mem, &root, "HPET", MAX_LEN, &t, &rep), ACPI_OK);
    CHECK_EQ(t.index, 2);
    CHECK_EQ(acpi_table_find(&mem, &root, "MCFG", MAX_LEN, &t, &rep), ACPI_OK);
    CHECK_EQ(acpi_table_find(&mem, &root, "APIC", MAX_LEN, &t, &rep), ACPI_OK);
    CHECK_EQ(t.phys, 0x7FE2287);
    CHECK_EQ(t.length, 144);
    CHECK_EQ(acpi_discover(&mem, &r, MAX_LEN, &out, &rep), ACPI_OK);
    CHECK(check_qemu_q35_madt(&out));
    CHECK_EQ(rep.count, 0);
    CHECK(!fm.bad_request);

    /* The BIOS area search finds the same RSDP. */
    memset(bios_area, 0, sizeof(bios_area));
    memcpy(bios_area + 0x159e0, seabios_rsdp, sizeof(seabios_rsdp));
    CHECK_EQ(acpi_rsdp_scan(bios_area, sizeof(bios_area), 0xE0000, &found), ACPI_OK);
    CHECK_EQ(found, 0xF59E0);
}

TEST(acpi_qemu_ovmf_tables)
{
    struct acpi_rsdp r;
    struct acpi_root root;
    struct acpi_table t;
    unsigned calls;

    mem_reset();
    memset(&rep, 0, sizeof(rep));
    mem_add(0x777E014, ovmf_rsdp, sizeof(ovmf_rsdp));
    mem_add(0x777D074, ovmf_roots, sizeof(ovmf_roots));
    mem_add(0x7779000, ovmf_facp, sizeof(ovmf_facp));
    mem_add(0x7778000, ovmf_apic, sizeof(ovmf_apic));
    mem_add(0x7777000, ovmf_hpet, sizeof(ovmf_hpet));
    mem_add(0x7776000, ovmf_mcfg, sizeof(ovmf_mcfg));
    mem_add(0x7775000, ovmf_waet, sizeof(ovmf_waet));
    mem_add(0x7774000, ovmf_bgrt, sizeof(ovmf_bgrt));
    /* The RSDP is not 16-byte aligned: UEFI hands it over by address, no search needed. */
    CHECK_EQ(acpi_rsdp_read(&mem, 0x777E014, &r, &rep), ACPI_OK);
    CHECK_EQ(r.revision, 2);
    CHECK_EQ(r.xsdt_addr, 0x777D0E8);
    CHECK_EQ(r.rsdt_addr, 0x777D074);
    /* The kernel's path: the RSDP copy from the Multiboot2 tag. */
    CHECK_EQ(acpi_rsdp_check(ovmf_rsdp, sizeof(ovmf_rsdp), &r), ACPI_OK);
    CHECK_EQ(acpi_root_open(&mem, &r, MAX_LEN, &root, &rep), ACPI_OK);
    CHECK(root.xsdt);
    CHECK_EQ(root.entries, 6);
    CHECK_EQ(acpi_table_find(&mem, &root, "BGRT", MAX_LEN, &t, &rep), ACPI_OK);
    CHECK_EQ(t.index, 5);
    fm.calls = 0;
    CHECK_EQ(acpi_discover(&mem, &r, MAX_LEN, &out, &rep), ACPI_OK);
    calls = fm.calls;
    CHECK(check_qemu_q35_madt(&out));
    CHECK_EQ(rep.count, 0);
    /* XSDT header and body, FACP signature, MADT signature, header and body. */
    CHECK_EQ(calls, 6);

    /* Both roots list the same tables: forced onto the RSDT, the answer is the same. */
    r.xsdt_addr = 0;
    CHECK_EQ(acpi_discover(&mem, &r, MAX_LEN, &out, &rep), ACPI_OK);
    CHECK(check_qemu_q35_madt(&out));
    CHECK(!fm.bad_request);
}

/* Every byte of the real tables, corrupted in turn: refused or parsed, never read out of bounds. */
TEST(acpi_qemu_madt_byte_flips)
{
    /* Bytes from the MADT to the end of the captured block. */
    const uint32_t avail = (uint32_t)sizeof(seabios_tables) - (0x7FE2287 - 0x7FE2193);
    struct acpi_rsdp r;
    uint8_t *apic, sum;

    mem_reset();
    mem_add(0xF59E0, seabios_rsdp, sizeof(seabios_rsdp));
    apic = mem_add(0x7FE2193, seabios_tables, sizeof(seabios_tables)) + (0x7FE2287 - 0x7FE2193);
    CHECK_EQ(acpi_rsdp_read(&mem, 0xF59E0, &r, NULL), ACPI_OK);
    sum = apic[9];
    for (unsigned i = 0; i < 144; i++) {
        for (unsigned bit = 0; bit < 8; bit++) {
            apic[i] ^= (uint8_t)(1u << bit);
            /*
             * Keep the checksum right (over the length the flip may have
             * changed, as far as memory goes), so the flip reaches the entry
             * parser; flips of the checksum byte itself test the checksum.
             */
            if (i != 9) {
                uint32_t l = (uint32_t)apic[4] | (uint32_t)apic[5] << 8 | (uint32_t)apic[6] << 16 |
                             (uint32_t)apic[7] << 24;
                apic[9] = 0;
                apic[9] = fix_sum(apic, l < avail ? l : avail);
            }
            memset(&rep, 0, sizeof(rep));
            enum acpi_err e = acpi_discover(&mem, &r, MAX_LEN, &out, &rep);
            CHECK(e < ACPI_ERR_COUNT);
            if (e != ACPI_OK)
                CHECK_EQ(out.ncpus, 0);
            apic[i] ^= (uint8_t)(1u << bit);
            apic[9] = sum;
        }
    }
    CHECK_EQ(acpi_discover(&mem, &r, MAX_LEN, &out, &rep), ACPI_OK);
    CHECK(check_qemu_q35_madt(&out));
    CHECK(!fm.bad_request);
}
