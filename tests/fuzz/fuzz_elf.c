/*
 * libFuzzer target for lib/elf: any byte string is a candidate executable.
 *
 * elf_parse() runs under two sets of limits.  When it accepts, every promise
 * elf.h makes about the result is re-checked here independently, and every
 * byte a loader would copy is read (ASan reports it if it lies outside the
 * input).  When it refuses, the output must hold nothing to map and the
 * error must be a known one.  elf_has_note() and elf_find_note() read the
 * same bytes as notes (ASan watches their reads; their answers need no
 * parse), and a descriptor found must lie inside the input.  Any violation
 * aborts, which libFuzzer reports.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf/elf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PAGE ELF_PAGE_SIZE

static void fail(const char *why)
{
    fprintf(stderr, "fuzz_elf: invariant violated: %s\n", why);
    abort();
}

static uint64_t pdown(uint64_t x)
{
    return x & ~(PAGE - 1);
}

static uint64_t pup(uint64_t x)
{
    return (x + PAGE - 1) & ~(PAGE - 1);
}

/* Reads every byte the loader would copy, so ASan sees any out-of-bounds range. */
static unsigned touch(const uint8_t *data, uint64_t off, uint64_t len)
{
    unsigned sum = 0;
    for (uint64_t i = 0; i < len; i++)
        sum += data[off + i];
    return sum;
}

static void check_accepted(const uint8_t *data, size_t size, const struct elf_limits *lim,
                           const struct elf_info *in)
{
    uint64_t total = 0;
    int entry_ok = 0;
    volatile unsigned sink = 0;

    if (in->nsegs == 0 || in->nsegs > ELF_MAX_SEGMENTS)
        fail("segment count");
    if (in->err_phdr != ELF_PHDR_NONE)
        fail("err_phdr set on success");
    for (uint32_t i = 0; i < in->nsegs; i++) {
        const struct elf_segment *s = &in->segs[i];
        if (s->memsz == 0 || s->filesz > s->memsz)
            fail("segment sizes");
        if (s->offset > size || s->filesz > size - s->offset)
            fail("segment outside the file");
        if (s->vaddr + s->memsz < s->vaddr)
            fail("segment wraps");
        if (pdown(s->vaddr) < lim->va_min || pup(s->vaddr + s->memsz) > lim->va_max)
            fail("segment outside the user range");
        if ((s->vaddr - s->offset) % PAGE != 0)
            fail("vaddr and offset not congruent");
        if ((s->flags & ~(ELF_PF_R | ELF_PF_W | ELF_PF_X)) ||
            ((s->flags & ELF_PF_W) && (s->flags & ELF_PF_X)))
            fail("segment flags");
        if (i > 0) {
            const struct elf_segment *p = &in->segs[i - 1];
            if (pdown(s->vaddr) < pup(p->vaddr + p->memsz))
                fail("segments share a page or are unsorted");
            if (s->phdr <= p->phdr)
                fail("program header indexes not increasing");
        }
        if ((s->flags & ELF_PF_X) && in->entry >= s->vaddr && in->entry - s->vaddr < s->memsz)
            entry_ok = 1;
        total += pup(s->vaddr + s->memsz) - pdown(s->vaddr);
        sink += touch(data, s->offset, s->filesz);
    }
    if (!entry_ok)
        fail("entry not in an executable segment");
    if (total != in->total_mem || total > lim->max_total)
        fail("total memory");
    if (in->span_start != pdown(in->segs[0].vaddr) ||
        in->span_end != pup(in->segs[in->nsegs - 1].vaddr + in->segs[in->nsegs - 1].memsz))
        fail("span");
    if (in->has_tls) {
        const struct elf_tls *t = &in->tls;
        if (t->filesz > t->memsz || t->memsz > lim->max_total)
            fail("TLS sizes");
        if (t->align == 0 || (t->align & (t->align - 1)) || t->align > PAGE)
            fail("TLS alignment");
        if (t->offset > size || t->filesz > size - t->offset)
            fail("TLS outside the file");
        if (t->filesz) {
            /* The image must be what some segment maps at t->vaddr. */
            int inside = 0;
            for (uint32_t i = 0; i < in->nsegs; i++) {
                const struct elf_segment *s = &in->segs[i];
                if (t->vaddr >= s->vaddr && t->vaddr - s->vaddr <= s->filesz &&
                    t->filesz <= s->filesz - (t->vaddr - s->vaddr) &&
                    t->offset == s->offset + (t->vaddr - s->vaddr))
                    inside = 1;
            }
            if (!inside)
                fail("TLS image not inside a segment");
        }
        sink += touch(data, t->offset, t->filesz);
    }
    (void)sink;
}

static void check_refused(enum elf_err e, const struct elf_info *in)
{
    if ((unsigned)e >= ELF_ERR_COUNT)
        fail("unknown error code");
    if (strcmp(elf_strerror(e), "unknown ELF error") == 0)
        fail("error without a message");
    if (in->nsegs != 0 || in->entry != 0 || in->has_tls || in->total_mem != 0)
        fail("refused image left a description behind");
    if (in->err_phdr < ELF_PHDR_NONE || in->err_phdr >= ELF_MAX_PHNUM)
        fail("err_phdr out of range");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct elf_limits limits[] = {
        {.va_min = 0x10000, .va_max = 0x800000000000ULL, .max_total = 64ULL << 20},
        {.va_min = 0x400000, .va_max = 0x600000, .max_total = 0x8000},
    };
    static struct elf_info info;

    for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
        enum elf_err e = elf_parse(data, size, &limits[i], &info);
        if (e == ELF_OK)
            check_accepted(data, size, &limits[i], &info);
        else
            check_refused(e, &info);
    }
    volatile bool found = elf_has_note(data, size, "capOS", 1);
    (void)found;
    const uint8_t *desc;
    uint32_t descsz;
    if (elf_find_note(data, size, "capOS", 2, &desc, &descsz) &&
        (desc < data || descsz > size || (size_t)(desc - data) > size - descsz))
        __builtin_trap(); /* a descriptor outside the image */
    return 0;
}
