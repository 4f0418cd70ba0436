/*
 * libFuzzer target for lib/manifest: any byte string is a candidate boot
 * manifest.  The seeds (tests/fuzz/corpus/manifest, from `make
 * manifest-corpus`) are compiled fixtures, so mutations start from real
 * capnp messages with embedded ELF images.
 *
 * manifest_validate() runs under the default limits and under tight ones.
 * Whatever the verdict, the reason must be one NUL-terminated line of
 * printable ASCII inside its buffer, and the same input must give the same
 * verdict and reason again.  When a manifest is accepted, every promise the
 * query helpers rely on is re-checked independently: each binary can be found
 * and its image, inside the input, passes elf_parse(); each service can be
 * found at its own index; and the start order is a permutation in which
 * every service comes after each service it imports from.  Any violation
 * aborts, which libFuzzer reports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf/elf.h"
#include "manifest/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *why)
{
    fprintf(stderr, "fuzz_manifest: invariant violated: %s\n", why);
    abort();
}

static void check_reason(const char *why, size_t why_len, enum manifest_err e)
{
    size_t n = strnlen(why, why_len);
    if (n == why_len)
        fail("reason not NUL-terminated inside its buffer");
    for (size_t i = 0; i < n; i++) {
        if (why[i] < 0x20 || why[i] > 0x7e)
            fail("reason is not one line of printable ASCII");
    }
    if ((unsigned)e >= MANIFEST_ERR_COUNT)
        fail("unknown error code");
    if ((e == MANIFEST_OK) != (n == 0) && why_len > 1)
        fail("a reason on success, or none on failure");
}

static void check_accepted(const uint8_t *data, size_t size, const struct manifest_limits *lim,
                           const struct manifest_summary *sum)
{
    static struct elf_info info;
    struct manifest m;
    uint32_t order[MANIFEST_MAX_SERVICES], pos[MANIFEST_MAX_SERVICES], n, idx;
    const uint8_t *elf;
    size_t elf_len;

    if (sum->binaries > lim->max_binaries || sum->services > lim->max_services ||
        sum->endpoints > lim->max_endpoints ||
        sum->grants > (uint64_t)lim->max_grants * sum->services ||
        sum->exports > (uint64_t)lim->max_exports * sum->services || sum->binaries == 0)
        fail("summary outside the limits");
    if (manifest_open(&m, data, size) != MANIFEST_OK)
        fail("accepted manifest does not open");

    capos_Binary_reader_list bins = capos_SystemManifest_get_binaries(m.root);
    for (uint32_t i = 0; i < sum->binaries; i++) {
        struct capnp_text t = capos_Binary_get_name(capos_Binary_list_get(bins, i));
        if (!manifest_find_binary(&m, t.str, t.len, &elf, &elf_len))
            fail("binary not found by its own name");
        if (elf < data || elf_len > size || (size_t)(elf - data) > size - elf_len)
            fail("binary image outside the input");
        if (elf_parse(elf, elf_len, &lim->elf, &info) != ELF_OK)
            fail("accepted binary fails elf_parse");
    }

    capos_Service_reader_list svcs = capos_SystemManifest_get_services(m.root);
    for (uint32_t i = 0; i < sum->services; i++) {
        struct capnp_text t = capos_Service_get_name(capos_Service_list_get(svcs, i));
        if (!manifest_find_service(&m, t.str, t.len, &idx) || idx != i)
            fail("service not found at its own index");
    }

    if (manifest_start_order(&m, order, MANIFEST_MAX_SERVICES, &n) != MANIFEST_OK ||
        n != sum->services)
        fail("no start order for an accepted manifest");
    memset(pos, 0xff, sizeof(pos));
    for (uint32_t i = 0; i < n; i++) {
        if (order[i] >= n || pos[order[i]] != UINT32_MAX)
            fail("start order is not a permutation");
        pos[order[i]] = i;
    }
    for (uint32_t i = 0; i < n; i++) {
        capos_Grant_reader_list gs = capos_Service_get_grants(capos_Service_list_get(svcs, i));
        for (uint32_t k = 0; k < capos_Grant_list_len(gs); k++) {
            capos_Grant_source_reader src = capos_Grant_get_source(capos_Grant_list_get(gs, k));
            if (!capos_Grant_source_has_export(src))
                continue;
            struct capnp_text t = capos_ExportRef_get_service(capos_Grant_source_get_export(src));
            if (!manifest_find_service(&m, t.str, t.len, &idx) || idx == i)
                fail("accepted import of a missing or own service");
            if (pos[idx] > pos[i])
                fail("service starts before a service it imports from");
        }
    }
    if (capnp_reader_error(&m.rd) != CAPNP_OK)
        fail("reading an accepted manifest latched an error");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct manifest_limits lims[2];
    struct manifest_summary sum;
    char why[160], again[160], tiny[7];

    lims[0] = manifest_default_limits();
    lims[1] = manifest_default_limits();
    lims[1].max_binaries = 3;
    lims[1].max_services = 3;
    lims[1].max_endpoints = 2;
    lims[1].max_grants = 4;
    lims[1].max_exports = 2;
    lims[1].max_argv = 2;
    lims[1].max_env = 2;
    lims[1].max_arg_len = 8;
    lims[1].max_name_len = 6;
    lims[1].max_restarts = 3;
    lims[1].max_backoff_ms = 100;
    lims[1].max_memory_limit = 1u << 20;
    lims[1].elf.va_min = 0x400000;
    lims[1].elf.va_max = 0x600000;
    lims[1].elf.max_total = 0x10000;

    for (size_t i = 0; i < sizeof(lims) / sizeof(lims[0]); i++) {
        enum manifest_err e = manifest_validate(data, size, &lims[i], &sum, why, sizeof(why));
        check_reason(why, sizeof(why), e);
        enum manifest_err e2 = manifest_validate(data, size, &lims[i], NULL, again, sizeof(again));
        if (e2 != e || strcmp(why, again) != 0)
            fail("validation is not deterministic");
        if (e == MANIFEST_OK)
            check_accepted(data, size, &lims[i], &sum);
    }

    /* A reason buffer too small for any message is cut, never overrun. */
    memset(tiny, 'X', sizeof(tiny));
    enum manifest_err e = manifest_validate(data, size, NULL, NULL, tiny, sizeof(tiny) - 1);
    if (tiny[sizeof(tiny) - 1] != 'X')
        fail("reason written past why_len");
    check_reason(tiny, sizeof(tiny) - 1, e);
    return 0;
}
