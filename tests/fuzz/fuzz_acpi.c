/*
 * libFuzzer target for lib/acpi: any byte string is a physical memory image
 * holding an RSDP and the tables it leads to.
 *
 * Input layout: byte 0 holds flags, bytes 1-2 the offset of the RSDP in the
 * image (little-endian, taken modulo the image size), and the rest is the
 * image, seen at physical address IMAGE_BASE.  Nothing else is mapped, so a
 * table address outside the image fails to map, as unbacked memory would.
 *
 * Checksums stop almost every random mutation at the first check, so with
 * flag REPAIR set the harness first rewrites the checksum bytes of whatever
 * the image's RSDP, root tables and their entries (and a table at offset 0)
 * claim to be, and the mutations reach the entry parsers.  The image is
 * copied to a buffer of exactly its size, so ASan reports any read past it.
 *
 * The image goes through every entry point: the 16-byte RSDP search, the
 * RSDP read and the whole discovery at two length limits, the MADT parser on
 * the image itself, and the SDT check.  When a call succeeds, every promise
 * acpi.h makes about its result is re-checked here; when it fails, the
 * result must be empty and the report must end with the fatal error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi/acpi.h"
#include "base/endian.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define IMAGE_BASE 0x1000u
#define REPAIR     0x01u

struct image {
    const uint8_t *bytes;
    size_t len;
};

static void fail(const char *why)
{
    fprintf(stderr, "fuzz_acpi: invariant violated: %s\n", why);
    abort();
}

static const void *image_map(void *ctx, uint64_t phys, uint64_t len)
{
    const struct image *im = ctx;

    if (len == 0 || phys + len < phys)
        fail("map asked for an empty or wrapping range");
    if (phys < IMAGE_BASE || phys - IMAGE_BASE > im->len || len > im->len - (phys - IMAGE_BASE))
        return NULL;
    return im->bytes + (phys - IMAGE_BASE);
}

/* Sets the byte at p[at] so that the n bytes at p sum to 0. */
static void fix_sum(uint8_t *p, size_t n, size_t at)
{
    uint8_t s = 0;

    if (at >= n)
        return;
    p[at] = 0;
    for (size_t i = 0; i < n; i++)
        s = (uint8_t)(s + p[i]);
    p[at] = (uint8_t)-s;
}

/* Fixes the checksum of the table the image holds at physical address phys, if any. */
static void repair_sdt(uint8_t *img, size_t n, uint64_t phys)
{
    uint64_t off = phys - IMAGE_BASE;
    uint32_t len;

    if (phys < IMAGE_BASE || off > n || n - off < 36)
        return;
    len = le32_get(img + off + 4);
    fix_sum(img + off, len < n - off ? len : n - off, 9);
}

static void repair_root(uint8_t *img, size_t n, uint64_t phys, unsigned esz)
{
    uint64_t off = phys - IMAGE_BASE;
    uint32_t len;

    if (phys < IMAGE_BASE || off > n || n - off < 36)
        return;
    len = le32_get(img + off + 4);
    if (len > n - off)
        len = (uint32_t)(n - off);
    for (uint32_t e = 36; len >= esz && e <= len - esz && e < 36 + 64 * esz; e += esz)
        repair_sdt(img, n, esz == 8 ? le64_get(img + off + e) : le32_get(img + off + e));
    repair_sdt(img, n, phys);
}

/* Innermost first, so that fixing a table does not break the checksum of what points to it. */
static void repair(uint8_t *img, size_t n, size_t rsdp)
{
    uint8_t *r = img + rsdp;

    repair_sdt(img, n, IMAGE_BASE);
    if (n - rsdp < 20)
        return;
    if (r[15] >= 2 && n - rsdp >= 36)
        repair_root(img, n, le64_get(r + 24), 8);
    repair_root(img, n, le32_get(r + 16), 4);
    fix_sum(r, 20, 8);
    if (r[15] >= 2 && n - rsdp >= 36) {
        uint32_t len = le32_get(r + 20);
        fix_sum(r, len < n - rsdp ? len : n - rsdp, 32);
    }
}

static void check_report(const struct acpi_report *rep, enum acpi_err err)
{
    uint32_t stored = rep->count < ACPI_MAX_ISSUES ? rep->count : ACPI_MAX_ISSUES;
    uint32_t fatal = 0;

    for (uint32_t i = 0; i < stored; i++) {
        if (rep->issues[i].err >= ACPI_ERR_COUNT || rep->issues[i].err == ACPI_OK)
            fail("issue with an unknown code");
        fatal += rep->issues[i].fatal;
    }
    if (err == ACPI_OK && fatal != 0)
        fail("fatal issue on success");
    if (err != ACPI_OK && rep->count <= ACPI_MAX_ISSUES) {
        if (rep->count == 0 || rep->issues[rep->count - 1].err != (uint32_t)err ||
            !rep->issues[rep->count - 1].fatal || fatal != 1)
            fail("failure not reported as the one fatal issue, last");
    }
    if ((unsigned)err >= ACPI_ERR_COUNT || strcmp(acpi_strerror(err), "unknown ACPI error") == 0)
        fail("error without a message");
}

static void check_madt(const struct acpi_madt *m, enum acpi_err err)
{
    static const struct acpi_madt zero;
    uint32_t enabled = 0;
    bool high = false;

    if (err != ACPI_OK) {
        if (memcmp(m, &zero, sizeof(zero)) != 0)
            fail("refused MADT left a result behind");
        return;
    }
    if (m->lapic_base == 0 || m->lapic_base % 4096 != 0)
        fail("local APIC base");
    if (m->ncpus > ACPI_MAX_CPUS || m->nioapics > ACPI_MAX_IOAPICS ||
        m->noverrides > ACPI_MAX_OVERRIDES)
        fail("count above capacity");
    if ((m->ncpus_dropped && m->ncpus != ACPI_MAX_CPUS) ||
        (m->nioapics_dropped && m->nioapics != ACPI_MAX_IOAPICS) ||
        (m->noverrides_dropped && m->noverrides != ACPI_MAX_OVERRIDES))
        fail("dropped entries while there was room");
    for (uint32_t i = 0; i < m->ncpus; i++) {
        const struct acpi_cpu *c = &m->cpus[i];
        if (c->x2apic ? c->apic_id == 0xFFFFFFFFu : c->apic_id >= 0xFF)
            fail("reserved or out-of-range APIC id");
        if (!c->enabled && m->revision < 5)
            fail("online-capable CPU in an old MADT");
        for (uint32_t j = 0; j < i; j++)
            if (m->cpus[j].apic_id == c->apic_id)
                fail("duplicate APIC id");
        enabled += c->enabled;
        high |= c->apic_id >= 0xFF;
    }
    if (enabled == 0 || enabled != m->nenabled)
        fail("enabled count");
    if (high != m->needs_x2apic)
        fail("needs_x2apic");
    for (uint32_t i = 0; i < m->nioapics; i++)
        for (uint32_t j = 0; j < i; j++)
            if (m->ioapics[j].id == m->ioapics[i].id)
                fail("duplicate I/O APIC id");
    for (uint32_t i = 0; i < m->noverrides; i++) {
        const struct acpi_override *o = &m->overrides[i];
        if (ACPI_ISO_POLARITY(o->flags) == 2 || ACPI_ISO_TRIGGER(o->flags) == 2)
            fail("reserved override flags");
        for (uint32_t j = 0; j < i; j++)
            if (m->overrides[j].source == o->source)
                fail("duplicate override");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t limits[] = {0x10000, 64};
    static struct acpi_madt madt;
    static struct acpi_report rep;
    struct acpi_mem mem = {image_map, NULL};
    struct image im;
    struct acpi_rsdp rsdp;
    enum acpi_err err;
    uint64_t found;
    size_t n, rsdp_off;
    uint8_t *img;

    if (size < 4)
        return 0;
    n = size - 3;
    rsdp_off = (size_t)(data[1] | (data[2] << 8)) % n;
    img = malloc(n);
    if (!img)
        return 0;
    memcpy(img, data + 3, n);
    if (data[0] & REPAIR)
        repair(img, n, rsdp_off);
    im = (struct image){img, n};
    mem.ctx = &im;

    err = acpi_rsdp_scan(img, n, IMAGE_BASE, &found);
    if (err == ACPI_OK) {
        if (found % 16 != 0 || found < IMAGE_BASE || found - IMAGE_BASE >= n)
            fail("RSDP found off the grid or outside the image");
        if (acpi_rsdp_check(img + (found - IMAGE_BASE), n - (found - IMAGE_BASE), &rsdp) != ACPI_OK)
            fail("RSDP found that does not check");
    } else if (err != ACPI_ERR_RSDP_NOT_FOUND || found != 0) {
        fail("scan result");
    }

    memset(&rep, 0, sizeof(rep));
    err = acpi_rsdp_read(&mem, IMAGE_BASE + rsdp_off, &rsdp, &rep);
    check_report(&rep, err);
    if (err == ACPI_OK) {
        if (rsdp.revision < 2 ? rsdp.length != 20 || rsdp.xsdt_addr != 0 : rsdp.length < 36)
            fail("RSDP length");
        for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
            memset(&rep, 0, sizeof(rep));
            err = acpi_discover(&mem, &rsdp, limits[i], &madt, &rep);
            check_report(&rep, err);
            check_madt(&madt, err);
        }
    } else if (rsdp.revision != 0 || rsdp.rsdt_addr != 0 || rsdp.xsdt_addr != 0) {
        fail("refused RSDP left a result behind");
    }

    for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
        uint32_t len;

        memset(&rep, 0, sizeof(rep));
        err = acpi_madt_parse(img, n, IMAGE_BASE, limits[i], &madt, &rep);
        check_report(&rep, err);
        check_madt(&madt, err);
        if (acpi_sdt_check(img, n, NULL, limits[i], &len) == ACPI_OK &&
            (len < 36 || len > n || len > limits[i]))
            fail("SDT length");
    }
    free(img);
    return 0;
}
