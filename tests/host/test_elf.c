/*
 * Host tests of lib/elf.
 *
 * Two kinds of input.  Hand-built images start from one small valid
 * executable (two segments, a non-executable stack) and change exactly one
 * thing, so each test proves one rejection with its exact error code and
 * program header index.  Real executables are linked at build time from
 * the sources in tests/elf/ (see tests/elf/elf.mk); the generated elf_fixtures.h carries
 * their bytes and what readelf reports, and the parse result must agree with
 * readelf.  Prefix and byte-corruption sweeps over the real files check that
 * damaged input is refused cleanly (ASan would catch any read past the end).
 */
#include "test.h"

#include <stdlib.h>

#include "elf/elf.h"

/* ---- Fixtures generated from readelf (see tests/elf/mkfixtures.py) ---- */

struct fixture_phdr {
    uint32_t type;
    const char *name;
    uint32_t flags;
    uint64_t offset, vaddr, filesz, memsz, align;
};

struct fixture {
    const char *name;
    const unsigned char *bytes;
    size_t size;
    int is_exec;
    uint64_t entry;
    unsigned nphdr;
    struct fixture_phdr phdr[16];
};

#include "elf_fixtures.h"

#define T_PT_LOAD      1u
#define T_PT_DYNAMIC   2u
#define T_PT_INTERP    3u
#define T_PT_NOTE      4u
#define T_PT_PHDR      6u
#define T_PT_TLS       7u
#define T_PT_GNU_STACK 0x6474e551u
#define T_PT_GNU_PROP  0x6474e553u

#define PAGE           ELF_PAGE_SIZE
#define RX             (ELF_PF_R | ELF_PF_X)
#define RW             (ELF_PF_R | ELF_PF_W)

static const struct elf_limits default_limits = {
    .va_min = 0x10000,
    .va_max = 0x800000000000ULL,
    .max_total = 64ULL << 20,
};

/* ---- Builder for hand-made images ---- */

struct tphdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, filesz, memsz, align;
};

/* A whole image description; build() serialises it little-endian. */
struct timage {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum;
    unsigned nph; /* entries of ph[] written at phoff (phnum may differ) */
    struct tphdr ph[72];
    size_t size; /* file size; bytes past the headers are filler */
};

static uint8_t image_buf[0x8000];

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

/* The base image: R+X text at 0x400000 and R+W data+bss at 0x401000, file 0x1100 bytes. */
static struct timage base(void)
{
    struct timage t;
    memset(&t, 0, sizeof(t));
    memcpy(t.ident,
           "\x7f"
           "ELF\x02\x01\x01\x00\x00",
           9);
    t.type = 2;
    t.machine = 62;
    t.version = 1;
    t.entry = 0x400100;
    t.phoff = 64;
    t.ehsize = 64;
    t.phentsize = 56;
    t.nph = 3;
    t.phnum = 3;
    t.ph[0] = (struct tphdr){T_PT_LOAD, RX, 0, 0x400000, 0x800, 0x800, 0x1000};
    t.ph[1] = (struct tphdr){T_PT_LOAD, RW, 0x1000, 0x401000, 0x100, 0x3000, 0x1000};
    t.ph[2] = (struct tphdr){T_PT_GNU_STACK, RW, 0, 0, 0, 0, 16};
    t.size = 0x1100;
    return t;
}

/* Appends a program header (and counts it in e_phnum). */
static void add(struct timage *t, struct tphdr ph)
{
    t->ph[t->nph++] = ph;
    t->phnum = (uint16_t)t->nph;
}

static const uint8_t *build(const struct timage *t)
{
    uint8_t *b = image_buf;
    memset(b, 0xcc, sizeof(image_buf));
    memcpy(b, t->ident, 16);
    put16(b + 16, t->type);
    put16(b + 18, t->machine);
    put32(b + 20, t->version);
    put64(b + 24, t->entry);
    put64(b + 32, t->phoff);
    put64(b + 40, 0); /* e_shoff */
    put32(b + 48, t->flags);
    put16(b + 52, t->ehsize);
    put16(b + 54, t->phentsize);
    put16(b + 56, t->phnum);
    put16(b + 58, 64); /* e_shentsize */
    put16(b + 60, 0);  /* e_shnum */
    put16(b + 62, 0);  /* e_shstrndx */
    for (unsigned i = 0; i < t->nph; i++) {
        /* Headers that would not fit the buffer are not written (the file is smaller anyway). */
        if (t->phoff > sizeof(image_buf) || 56ULL * (i + 1) > sizeof(image_buf) - t->phoff)
            break;
        uint8_t *p = b + t->phoff + 56ULL * i;
        put32(p, t->ph[i].type);
        put32(p + 4, t->ph[i].flags);
        put64(p + 8, t->ph[i].offset);
        put64(p + 16, t->ph[i].vaddr);
        put64(p + 24, t->ph[i].vaddr);
        put64(p + 32, t->ph[i].filesz);
        put64(p + 40, t->ph[i].memsz);
        put64(p + 48, t->ph[i].align);
    }
    return b;
}

static struct elf_info info_out;

static enum elf_err parse_lim(const struct timage *t, const struct elf_limits *lim)
{
    const uint8_t *b = build(t);
    return elf_parse(b, t->size, lim, &info_out);
}

static enum elf_err parse(const struct timage *t)
{
    return parse_lim(t, &default_limits);
}

/* The result must be the expected error about the expected program header. */
#define CHECK_REJECT(t, err, idx)                                                                  \
    do {                                                                                           \
        CHECK_EQ(parse(&(t)), (err));                                                              \
        CHECK_EQ(info_out.err_phdr, (idx));                                                        \
        CHECK_EQ(info_out.nsegs, 0);                                                               \
    } while (0)

#define NONE ELF_PHDR_NONE

/* ---- Output invariants, checked on every accepted image ---- */

static int info_sane(const struct elf_info *in, size_t size, const struct elf_limits *lim)
{
    uint64_t total = 0;
    int entry_ok = 0;

    if (in->nsegs == 0 || in->nsegs > ELF_MAX_SEGMENTS || in->err_phdr != ELF_PHDR_NONE)
        return 0;
    for (uint32_t i = 0; i < in->nsegs; i++) {
        const struct elf_segment *s = &in->segs[i];
        uint64_t lo = s->vaddr & ~(PAGE - 1), hi = (s->vaddr + s->memsz + PAGE - 1) & ~(PAGE - 1);
        if (s->memsz == 0 || s->filesz > s->memsz || s->offset > size ||
            s->filesz > size - s->offset)
            return 0;
        if (s->vaddr + s->memsz < s->vaddr || lo < lim->va_min || hi > lim->va_max)
            return 0;
        if ((s->vaddr - s->offset) % PAGE != 0 || (s->flags & ~7u) ||
            ((s->flags & ELF_PF_W) && (s->flags & ELF_PF_X)))
            return 0;
        if (i > 0) {
            const struct elf_segment *p = &in->segs[i - 1];
            if (lo < ((p->vaddr + p->memsz + PAGE - 1) & ~(PAGE - 1)))
                return 0;
        }
        if ((s->flags & ELF_PF_X) && in->entry >= s->vaddr && in->entry < s->vaddr + s->memsz)
            entry_ok = 1;
        total += hi - lo;
    }
    if (!entry_ok || total != in->total_mem || total > lim->max_total)
        return 0;
    if (in->span_start != (in->segs[0].vaddr & ~(PAGE - 1)))
        return 0;
    if (in->has_tls && (in->tls.filesz > in->tls.memsz || in->tls.align == 0 ||
                        (in->tls.align & (in->tls.align - 1)) || in->tls.align > PAGE))
        return 0;
    return 1;
}

/* ---- Acceptance of hand-made images ---- */

TEST(accepts_base_image)
{
    struct timage t = base();
    CHECK_EQ(parse(&t), ELF_OK);
    CHECK_EQ(info_out.entry, 0x400100);
    CHECK_EQ(info_out.nsegs, 2);
    CHECK_EQ(info_out.segs[0].vaddr, 0x400000);
    CHECK_EQ(info_out.segs[0].memsz, 0x800);
    CHECK_EQ(info_out.segs[0].offset, 0);
    CHECK_EQ(info_out.segs[0].filesz, 0x800);
    CHECK_EQ(info_out.segs[0].flags, RX);
    CHECK_EQ(info_out.segs[0].phdr, 0);
    CHECK_EQ(info_out.segs[1].vaddr, 0x401000);
    CHECK_EQ(info_out.segs[1].memsz, 0x3000);
    CHECK_EQ(info_out.segs[1].offset, 0x1000);
    CHECK_EQ(info_out.segs[1].filesz, 0x100);
    CHECK_EQ(info_out.segs[1].flags, RW);
    CHECK_EQ(info_out.segs[1].phdr, 1);
    CHECK_EQ(info_out.span_start, 0x400000);
    CHECK_EQ(info_out.span_end, 0x404000);
    CHECK_EQ(info_out.total_mem, 0x4000);
    CHECK(!info_out.has_tls);
    CHECK_EQ(info_out.err_phdr, NONE);
    CHECK(info_sane(&info_out, t.size, &default_limits));
}

TEST(ignores_unknown_and_informational_headers)
{
    struct timage t = base();
    add(&t, (struct tphdr){0, 0, 0, 0, 0, 0, 0}); /* PT_NULL */
    add(&t, (struct tphdr){T_PT_NOTE, 4, 0x200, 0x400200, 0x20, 0x20, 4});
    add(&t, (struct tphdr){T_PT_PHDR, 4, 64, 0x400040, 0xa8, 0xa8, 8});
    add(&t, (struct tphdr){T_PT_GNU_PROP, 4, 0x7fffff, 0, ~0ULL, 0, 3}); /* nonsense, but ignored */
    add(&t, (struct tphdr){0x12345678, 0xffffffff, ~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL});
    CHECK_EQ(parse(&t), ELF_OK);
    CHECK_EQ(info_out.nsegs, 2);
}

TEST(accepts_align_zero_and_one)
{
    struct timage t = base();
    t.ph[0].align = 0;
    t.ph[1].align = 1;
    CHECK_EQ(parse(&t), ELF_OK);
}

TEST(accepts_segment_ending_at_va_max)
{
    struct timage t = base();
    struct elf_limits lim = default_limits;
    lim.va_max = 0x404000; /* data+bss ends exactly here */
    CHECK_EQ(parse_lim(&t, &lim), ELF_OK);
    lim.va_min = 0x400000;
    CHECK_EQ(parse_lim(&t, &lim), ELF_OK);
}

TEST(accepts_adjacent_pages)
{
    /* Text ends exactly on a page boundary and data starts on the next: no sharing. */
    struct timage t = base();
    t.ph[0].filesz = t.ph[0].memsz = 0x1000;
    CHECK_EQ(parse(&t), ELF_OK);
}

TEST(accepts_tls_and_records_it)
{
    struct timage t = base();
    add(&t, (struct tphdr){T_PT_TLS, 4, 0x1010, 0x401010, 0x20, 0x48, 16});
    CHECK_EQ(parse(&t), ELF_OK);
    CHECK(info_out.has_tls);
    CHECK_EQ(info_out.tls.vaddr, 0x401010);
    CHECK_EQ(info_out.tls.offset, 0x1010);
    CHECK_EQ(info_out.tls.filesz, 0x20);
    CHECK_EQ(info_out.tls.memsz, 0x48);
    CHECK_EQ(info_out.tls.align, 16);
    CHECK_EQ(info_out.tls.phdr, 3);
}

TEST(accepts_tbss_only_tls)
{
    /* A template with no initialised part needs no file data at all. */
    struct timage t = base();
    add(&t, (struct tphdr){T_PT_TLS, 4, 0x1100, 0x401100, 0, 0x40, 0});
    CHECK_EQ(parse(&t), ELF_OK);
    CHECK(info_out.has_tls);
    CHECK_EQ(info_out.tls.filesz, 0);
    CHECK_EQ(info_out.tls.memsz, 0x40);
    CHECK_EQ(info_out.tls.align, 1);
}

/* ---- Argument and ELF header rejections ---- */

TEST(rejects_null_arguments_and_bad_limits)
{
    struct timage t = base();
    const uint8_t *b = build(&t);
    struct elf_limits lim = default_limits;
    CHECK_EQ(elf_parse(NULL, t.size, &lim, &info_out), ELF_ERR_ARG);
    CHECK_EQ(elf_parse(b, t.size, NULL, &info_out), ELF_ERR_ARG);
    CHECK_EQ(elf_parse(b, t.size, &lim, NULL), ELF_ERR_ARG);
    lim.va_min = 0x10001;
    CHECK_EQ(elf_parse(b, t.size, &lim, &info_out), ELF_ERR_ARG);
    lim = default_limits;
    lim.va_max = 0x800000000001ULL;
    CHECK_EQ(elf_parse(b, t.size, &lim, &info_out), ELF_ERR_ARG);
    lim = default_limits;
    lim.va_max = lim.va_min;
    CHECK_EQ(elf_parse(b, t.size, &lim, &info_out), ELF_ERR_ARG);
}

TEST(rejects_truncated_header)
{
    struct timage t = base();
    const uint8_t *b = build(&t);
    CHECK_EQ(elf_parse(b, 0, &default_limits, &info_out), ELF_ERR_TRUNCATED);
    CHECK_EQ(elf_parse(b, 63, &default_limits, &info_out), ELF_ERR_TRUNCATED);
}

TEST(rejects_bad_magic)
{
    struct timage t = base();
    t.ident[3] = 'G';
    CHECK_REJECT(t, ELF_ERR_MAGIC, NONE);
    t = base();
    t.ident[0] = 0x7e;
    CHECK_REJECT(t, ELF_ERR_MAGIC, NONE);
}

TEST(rejects_32bit_class)
{
    struct timage t = base();
    t.ident[4] = 1;
    CHECK_REJECT(t, ELF_ERR_CLASS, NONE);
}

TEST(rejects_big_endian)
{
    struct timage t = base();
    t.ident[5] = 2;
    CHECK_REJECT(t, ELF_ERR_DATA, NONE);
}

TEST(rejects_bad_ident_version)
{
    struct timage t = base();
    t.ident[6] = 0;
    CHECK_REJECT(t, ELF_ERR_VERSION, NONE);
}

TEST(rejects_bad_e_version)
{
    struct timage t = base();
    t.version = 2;
    CHECK_REJECT(t, ELF_ERR_VERSION, NONE);
}

TEST(rejects_foreign_osabi)
{
    struct timage t = base();
    t.ident[7] = 3; /* GNU/Linux */
    CHECK_REJECT(t, ELF_ERR_OSABI, NONE);
    t = base();
    t.ident[8] = 1; /* ABI version */
    CHECK_REJECT(t, ELF_ERR_OSABI, NONE);
}

TEST(rejects_foreign_machine)
{
    struct timage t = base();
    t.machine = 3; /* i386 */
    CHECK_REJECT(t, ELF_ERR_MACHINE, NONE);
    t.machine = 183; /* aarch64 */
    CHECK_REJECT(t, ELF_ERR_MACHINE, NONE);
}

TEST(rejects_pie_saying_so)
{
    struct timage t = base();
    t.type = 3;
    CHECK_REJECT(t, ELF_ERR_TYPE_DYN, NONE);
    CHECK(strstr(elf_strerror(ELF_ERR_TYPE_DYN), "not supported") != NULL);
}

TEST(rejects_non_executable_types)
{
    struct timage t = base();
    t.type = 1; /* ET_REL */
    CHECK_REJECT(t, ELF_ERR_TYPE, NONE);
    t.type = 4; /* ET_CORE */
    CHECK_REJECT(t, ELF_ERR_TYPE, NONE);
    t.type = 0;
    CHECK_REJECT(t, ELF_ERR_TYPE, NONE);
}

TEST(rejects_header_flags)
{
    struct timage t = base();
    t.flags = 1;
    CHECK_REJECT(t, ELF_ERR_FLAGS, NONE);
}

TEST(rejects_bad_ehsize)
{
    struct timage t = base();
    t.ehsize = 52;
    CHECK_REJECT(t, ELF_ERR_EHSIZE, NONE);
    t.ehsize = 0xffff;
    CHECK_REJECT(t, ELF_ERR_EHSIZE, NONE);
}

TEST(rejects_bad_phentsize)
{
    struct timage t = base();
    t.phentsize = 32;
    CHECK_REJECT(t, ELF_ERR_PHENTSIZE, NONE);
    t.phentsize = 64;
    CHECK_REJECT(t, ELF_ERR_PHENTSIZE, NONE);
}

TEST(rejects_bad_phnum)
{
    struct timage t = base();
    t.phnum = 0;
    CHECK_REJECT(t, ELF_ERR_PHNUM, NONE);
    t.phnum = ELF_MAX_PHNUM + 1;
    CHECK_REJECT(t, ELF_ERR_PHNUM, NONE);
    t.phnum = 0xffff; /* PN_XNUM */
    CHECK_REJECT(t, ELF_ERR_PHNUM, NONE);
}

TEST(accepts_max_phnum)
{
    struct timage t = base();
    while (t.nph < ELF_MAX_PHNUM)
        add(&t, (struct tphdr){T_PT_NOTE, 4, 0, 0, 0, 0, 4});
    /* The table (0x40..0xe40) overlaps the text segment's file bytes, which is allowed. */
    CHECK_EQ(parse(&t), ELF_OK);
}

TEST(rejects_phdr_table_outside_file)
{
    struct timage t = base();
    t.phoff = t.size; /* starts at the end */
    CHECK_REJECT(t, ELF_ERR_PHDR_BOUNDS, NONE);
    t = base();
    t.size = 64 + 3 * 56 - 1; /* last entry one byte short */
    CHECK_REJECT(t, ELF_ERR_PHDR_BOUNDS, NONE);
    t = base();
    t.phoff = ~0ULL - 55; /* phoff + size wraps */
    CHECK_REJECT(t, ELF_ERR_PHDR_BOUNDS, NONE);
    /* A table overlapping the ELF header (patched after building, so the header stays intact). */
    t = base();
    build(&t);
    put64(image_buf + 32, 0);
    CHECK_EQ(elf_parse(image_buf, t.size, &default_limits, &info_out), ELF_ERR_PHDR_BOUNDS);
    put64(image_buf + 32, 63);
    CHECK_EQ(elf_parse(image_buf, t.size, &default_limits, &info_out), ELF_ERR_PHDR_BOUNDS);
}

/* ---- Program header rejections ---- */

TEST(rejects_interp)
{
    struct timage t = base();
    add(&t, (struct tphdr){T_PT_INTERP, 4, 0x200, 0x400200, 0x1c, 0x1c, 1});
    CHECK_REJECT(t, ELF_ERR_INTERP, 3);
}

TEST(rejects_dynamic)
{
    struct timage t = base();
    add(&t, (struct tphdr){T_PT_DYNAMIC, RW, 0x1000, 0x401000, 0x100, 0x100, 8});
    CHECK_REJECT(t, ELF_ERR_DYNAMIC, 3);
}

TEST(rejects_executable_stack)
{
    struct timage t = base();
    t.ph[2].flags = RW | ELF_PF_X;
    CHECK_REJECT(t, ELF_ERR_EXEC_STACK, 2);
    t.ph[2].flags = ELF_PF_X;
    CHECK_REJECT(t, ELF_ERR_EXEC_STACK, 2);
}

TEST(rejects_unknown_segment_flags)
{
    struct timage t = base();
    t.ph[1].flags |= 0x8;
    CHECK_REJECT(t, ELF_ERR_SEG_FLAGS, 1);
    t.ph[1].flags = RW | 0x00100000; /* a PF_MASKOS bit */
    CHECK_REJECT(t, ELF_ERR_SEG_FLAGS, 1);
}

TEST(rejects_writable_executable_segment)
{
    struct timage t = base();
    t.ph[0].flags = ELF_PF_R | ELF_PF_W | ELF_PF_X;
    CHECK_REJECT(t, ELF_ERR_SEG_WX, 0);
    t.ph[0].flags = ELF_PF_W | ELF_PF_X;
    CHECK_REJECT(t, ELF_ERR_SEG_WX, 0);
}

TEST(rejects_empty_load)
{
    struct timage t = base();
    t.ph[1].memsz = 0;
    t.ph[1].filesz = 0;
    CHECK_REJECT(t, ELF_ERR_SEG_EMPTY, 1);
}

TEST(rejects_filesz_above_memsz)
{
    struct timage t = base();
    t.ph[1].filesz = 0x3001;
    CHECK_REJECT(t, ELF_ERR_SEG_FILESZ, 1);
}

TEST(rejects_segment_outside_file)
{
    struct timage t = base();
    t.ph[1].filesz = 0x101; /* one byte past the end of the file */
    CHECK_REJECT(t, ELF_ERR_SEG_FILE_BOUNDS, 1);
    t = base();
    t.ph[1].offset = 0xfffffffffffff000ULL; /* offset + filesz wraps */
    t.ph[1].vaddr = 0x401000;
    CHECK_REJECT(t, ELF_ERR_SEG_FILE_BOUNDS, 1);
    t = base();
    t.ph[1].offset = 0x2000; /* starts past the end */
    t.ph[1].vaddr = 0x402000;
    CHECK_REJECT(t, ELF_ERR_SEG_FILE_BOUNDS, 1);
}

TEST(rejects_vaddr_overflow)
{
    struct timage t = base();
    t.ph[1].vaddr = 0xfffffffffffff000ULL;
    t.ph[1].offset = 0x1000;
    t.ph[1].memsz = 0x2000;
    CHECK_REJECT(t, ELF_ERR_SEG_VA_OVERFLOW, 1);
}

TEST(rejects_segment_outside_user_range)
{
    struct timage t = base();
    struct elf_limits lim = default_limits;
    lim.va_max = 0x403000; /* data+bss ends at 0x404000 */
    CHECK_EQ(parse_lim(&t, &lim), ELF_ERR_SEG_VA_RANGE);
    CHECK_EQ(info_out.err_phdr, 1);
    lim = default_limits;
    lim.va_min = 0x401000; /* text starts at 0x400000 */
    CHECK_EQ(parse_lim(&t, &lim), ELF_ERR_SEG_VA_RANGE);
    CHECK_EQ(info_out.err_phdr, 0);
    /* Kernel half of the address space. */
    t.ph[1].vaddr = 0xffff800000001000ULL;
    t.ph[0].vaddr = 0xffff800000000000ULL;
    t.entry = t.ph[0].vaddr + 0x100;
    CHECK_REJECT(t, ELF_ERR_SEG_VA_RANGE, 0);
}

TEST(rejects_non_power_of_two_align)
{
    struct timage t = base();
    t.ph[0].align = 0x1800;
    CHECK_REJECT(t, ELF_ERR_SEG_ALIGN, 0);
    t.ph[0].align = 3;
    CHECK_REJECT(t, ELF_ERR_SEG_ALIGN, 0);
}

TEST(rejects_vaddr_offset_incongruent)
{
    struct timage t = base();
    t.ph[1].vaddr = 0x401010; /* offset 0x1000: differ within the page */
    CHECK_REJECT(t, ELF_ERR_SEG_CONGRUENCE, 1);
    /* Page-congruent but not modulo a 2 MiB p_align. */
    t = base();
    t.ph[1].vaddr = 0x402000;
    t.ph[1].align = 0x200000;
    CHECK_REJECT(t, ELF_ERR_SEG_CONGRUENCE, 1);
}

TEST(rejects_unsorted_loads)
{
    struct timage t = base();
    struct tphdr tmp = t.ph[0];
    t.ph[0] = t.ph[1];
    t.ph[1] = tmp;
    t.entry = 0x400100;
    CHECK_REJECT(t, ELF_ERR_SEG_ORDER, 1);
}

TEST(rejects_loads_sharing_a_page)
{
    /* Byte ranges are disjoint, but both segments touch page 0x400000. */
    struct timage t = base();
    t.ph[1].vaddr = 0x400800;
    t.ph[1].offset = 0x800;
    CHECK_REJECT(t, ELF_ERR_SEG_OVERLAP, 1);
    /* Outright overlap of the same addresses. */
    t = base();
    t.ph[1].vaddr = 0x400000;
    t.ph[1].offset = 0;
    CHECK_REJECT(t, ELF_ERR_SEG_OVERLAP, 1);
}

TEST(rejects_too_many_loads)
{
    struct timage t = base();
    t.nph = 0;
    for (unsigned i = 0; i <= ELF_MAX_SEGMENTS; i++)
        add(&t, (struct tphdr){T_PT_LOAD, RX, 0, 0x400000 + i * 0x1000, 0x10, 0x1000, 0x1000});
    CHECK_REJECT(t, ELF_ERR_TOO_MANY_SEGMENTS, ELF_MAX_SEGMENTS);
    t.nph--;
    t.phnum--;
    CHECK_EQ(parse(&t), ELF_OK);
    CHECK_EQ(info_out.nsegs, ELF_MAX_SEGMENTS);
}

TEST(rejects_no_load)
{
    struct timage t = base();
    t.ph[0].type = T_PT_NOTE;
    t.ph[1].type = T_PT_NOTE;
    CHECK_REJECT(t, ELF_ERR_NO_LOAD, NONE);
}

TEST(rejects_total_above_limit)
{
    struct timage t = base();
    struct elf_limits lim = default_limits;
    lim.max_total = 0x3fff; /* the image needs 0x4000 */
    CHECK_EQ(parse_lim(&t, &lim), ELF_ERR_TOO_BIG);
    CHECK_EQ(info_out.err_phdr, 1);
    lim.max_total = 0x4000;
    CHECK_EQ(parse_lim(&t, &lim), ELF_OK);
    /* A tiny file asking for a terabyte of bss. */
    t = base();
    t.ph[1].memsz = 1ULL << 40;
    CHECK_REJECT(t, ELF_ERR_TOO_BIG, 1);
}

TEST(rejects_entry_outside_executable_segment)
{
    struct timage t = base();
    t.entry = 0x401000; /* in the data segment */
    CHECK_REJECT(t, ELF_ERR_ENTRY, NONE);
    t.entry = 0x400800; /* one past the end of text */
    CHECK_REJECT(t, ELF_ERR_ENTRY, NONE);
    t.entry = 0;
    CHECK_REJECT(t, ELF_ERR_ENTRY, NONE);
    t.entry = 0x3fffff;
    CHECK_REJECT(t, ELF_ERR_ENTRY, NONE);
    t.entry = 0x4007ff; /* last byte of text is fine */
    CHECK_EQ(parse(&t), ELF_OK);
}

TEST(rejects_second_tls)
{
    struct timage t = base();
    add(&t, (struct tphdr){T_PT_TLS, 4, 0x1000, 0x401000, 0x10, 0x20, 8});
    add(&t, (struct tphdr){T_PT_TLS, 4, 0x1000, 0x401000, 0x10, 0x20, 8});
    CHECK_REJECT(t, ELF_ERR_TLS_DUP, 4);
}

TEST(rejects_tls_alignment)
{
    struct timage t = base();
    add(&t, (struct tphdr){T_PT_TLS, 4, 0x1000, 0x401000, 0x10, 0x20, 0x2000});
    CHECK_REJECT(t, ELF_ERR_TLS_ALIGN, 3);
    t.ph[3].align = 24;
    CHECK_REJECT(t, ELF_ERR_SEG_ALIGN, 3);
}

TEST(rejects_tls_filesz_above_memsz)
{
    struct timage t = base();
    add(&t, (struct tphdr){T_PT_TLS, 4, 0x1000, 0x401000, 0x30, 0x20, 8});
    CHECK_REJECT(t, ELF_ERR_SEG_FILESZ, 3);
}

TEST(rejects_tls_outside_file)
{
    struct timage t = base();
    add(&t, (struct tphdr){T_PT_TLS, 4, 0x10f0, 0x4010f0, 0x20, 0x20, 8});
    CHECK_REJECT(t, ELF_ERR_SEG_FILE_BOUNDS, 3);
}

TEST(rejects_tls_too_big)
{
    struct timage t = base();
    add(&t, (struct tphdr){T_PT_TLS, 4, 0x1000, 0x401000, 0x10, 1ULL << 40, 8});
    CHECK_REJECT(t, ELF_ERR_TOO_BIG, 3);
}

TEST(rejects_tls_not_inside_a_load)
{
    /* Image in the bss part of the data segment: the file bytes are not what is mapped. */
    struct timage t = base();
    add(&t, (struct tphdr){T_PT_TLS, 4, 0x10e0, 0x401200, 0x10, 0x20, 8});
    CHECK_REJECT(t, ELF_ERR_TLS_OUTSIDE, 3);
    /* Straddles the end of the file-backed part. */
    t.ph[3] = (struct tphdr){T_PT_TLS, 4, 0x10f0, 0x4010f0, 0x20, 0x20, 8};
    t.size = 0x1200;
    CHECK_REJECT(t, ELF_ERR_TLS_OUTSIDE, 3);
    /* Inside the segment's addresses, but the file offset does not match. */
    t = base();
    add(&t, (struct tphdr){T_PT_TLS, 4, 0x1020, 0x401010, 0x10, 0x20, 8});
    CHECK_REJECT(t, ELF_ERR_TLS_OUTSIDE, 3);
    /* Not near any segment. */
    t.ph[3] = (struct tphdr){T_PT_TLS, 4, 0x1000, 0x500000, 0x10, 0x20, 8};
    CHECK_REJECT(t, ELF_ERR_TLS_OUTSIDE, 3);
}

/* ---- Error reporting ---- */

TEST(failure_wipes_output)
{
    struct timage t = base();
    t.ph[1].flags = RW | ELF_PF_X;
    memset(&info_out, 0xaa, sizeof(info_out));
    CHECK_EQ(parse(&t), ELF_ERR_SEG_WX);
    CHECK_EQ(info_out.nsegs, 0);
    CHECK_EQ(info_out.entry, 0);
    CHECK_EQ(info_out.total_mem, 0);
    CHECK(!info_out.has_tls);
    CHECK_EQ(info_out.segs[0].memsz, 0);
    CHECK_EQ(info_out.err_phdr, 1);
}

TEST(every_error_has_its_own_message)
{
    for (int a = 0; a < ELF_ERR_COUNT; a++) {
        const char *m = elf_strerror((enum elf_err)a);
        CHECK(m != NULL && strlen(m) > 8);
        CHECK(strcmp(m, "unknown ELF error") != 0);
        CHECK(strchr(m, '\n') == NULL);
        for (int b = 0; b < a; b++)
            CHECK(strcmp(m, elf_strerror((enum elf_err)b)) != 0);
    }
    CHECK_STR(elf_strerror(ELF_ERR_COUNT), "unknown ELF error");
    CHECK_STR(elf_strerror((enum elf_err) - 1), "unknown ELF error");
}

/* ---- Real executables built by tests/elf/elf.mk ---- */

static uint64_t fix_phoff(const struct fixture *f)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | f->bytes[32 + i];
    return v;
}

/* Smallest prefix of the file that still holds every byte the parser must read. */
static uint64_t fix_needed(const struct fixture *f)
{
    uint64_t need = fix_phoff(f) + 56ULL * f->nphdr;
    for (unsigned i = 0; i < f->nphdr; i++) {
        const struct fixture_phdr *p = &f->phdr[i];
        if ((p->type == T_PT_LOAD || p->type == T_PT_TLS) && p->offset + p->filesz > need)
            need = p->offset + p->filesz;
    }
    return need;
}

/* Index of a GNU_STACK entry asking for an executable stack, or -1. */
static int fix_exec_stack(const struct fixture *f)
{
    for (unsigned i = 0; i < f->nphdr; i++) {
        if (f->phdr[i].type == T_PT_GNU_STACK && (f->phdr[i].flags & ELF_PF_X))
            return (int)i;
    }
    return -1;
}

TEST(fixtures_were_built)
{
    CHECK_EQ(ARRAY_SIZE(fixtures), 4);
    for (size_t k = 0; k < ARRAY_SIZE(fixtures); k++)
        CHECK(fixtures[k].is_exec);
}

TEST(fixtures_match_readelf)
{
    for (size_t k = 0; k < ARRAY_SIZE(fixtures); k++) {
        const struct fixture *f = &fixtures[k];
        enum elf_err e = elf_parse(f->bytes, f->size, &default_limits, &info_out);
        int xs = fix_exec_stack(f);
        unsigned nload = 0, ntls = 0;
        uint64_t total = 0;

        if (xs >= 0) {
            CHECK_EQ(e, ELF_ERR_EXEC_STACK);
            CHECK_EQ(info_out.err_phdr, xs);
            continue;
        }
        if (e != ELF_OK)
            printf("    %s: %s (phdr %d)\n", f->name, elf_strerror(e), info_out.err_phdr);
        CHECK_EQ(e, ELF_OK);
        CHECK(info_sane(&info_out, f->size, &default_limits));
        CHECK_EQ(info_out.entry, f->entry);
        for (unsigned i = 0; i < f->nphdr; i++) {
            const struct fixture_phdr *p = &f->phdr[i];
            if (p->type == T_PT_LOAD) {
                const struct elf_segment *s = &info_out.segs[nload++];
                CHECK(nload <= info_out.nsegs);
                CHECK_EQ(s->vaddr, p->vaddr);
                CHECK_EQ(s->memsz, p->memsz);
                CHECK_EQ(s->offset, p->offset);
                CHECK_EQ(s->filesz, p->filesz);
                CHECK_EQ(s->flags, p->flags);
                CHECK_EQ(s->phdr, i);
                total +=
                    ((p->vaddr + p->memsz + PAGE - 1) & ~(PAGE - 1)) - (p->vaddr & ~(PAGE - 1));
            } else if (p->type == T_PT_TLS) {
                ntls++;
                CHECK_EQ(info_out.tls.vaddr, p->vaddr);
                CHECK_EQ(info_out.tls.offset, p->offset);
                CHECK_EQ(info_out.tls.filesz, p->filesz);
                CHECK_EQ(info_out.tls.memsz, p->memsz);
                CHECK_EQ(info_out.tls.align, p->align);
                CHECK_EQ(info_out.tls.phdr, i);
                /* The initialisation image holds fixture_tls_init = 7. */
                CHECK(p->filesz >= 4);
                CHECK_EQ(f->bytes[p->offset], 7);
            }
        }
        CHECK_EQ(nload, info_out.nsegs);
        CHECK_EQ(ntls, 1 * info_out.has_tls);
        CHECK_EQ(total, info_out.total_mem);
        CHECK_EQ(info_out.span_end,
                 (info_out.segs[nload - 1].vaddr + info_out.segs[nload - 1].memsz + PAGE - 1) &
                     ~(PAGE - 1));
    }
}

TEST(fixtures_have_expected_shape)
{
    /* The fixture sources promise TLS in tls_* and a 2 MiB alignment in plain_2m. */
    for (size_t k = 0; k < ARRAY_SIZE(fixtures); k++) {
        const struct fixture *f = &fixtures[k];
        enum elf_err e = elf_parse(f->bytes, f->size, &default_limits, &info_out);
        if (strncmp(f->name, "tls_", 4) == 0) {
            CHECK_EQ(e, ELF_OK);
            CHECK(info_out.has_tls);
            CHECK(info_out.tls.memsz > info_out.tls.filesz); /* .tbss present */
            CHECK(info_out.nsegs >= 2);
            /* Some segment has bss beyond its file data. */
            int bss = 0;
            for (uint32_t i = 0; i < info_out.nsegs; i++)
                bss |= info_out.segs[i].memsz > info_out.segs[i].filesz;
            CHECK(bss);
        } else if (strcmp(f->name, "plain_2m") == 0) {
            CHECK_EQ(e, ELF_OK);
            CHECK(!info_out.has_tls);
            CHECK_EQ(f->phdr[0].align, 0x200000);
        }
    }
}

TEST(fixtures_respect_limits)
{
    for (size_t k = 0; k < ARRAY_SIZE(fixtures); k++) {
        const struct fixture *f = &fixtures[k];
        struct elf_limits lim = default_limits;
        if (fix_exec_stack(f) >= 0)
            continue;
        CHECK_EQ(elf_parse(f->bytes, f->size, &lim, &info_out), ELF_OK);
        uint64_t need = info_out.total_mem, end = info_out.span_end;
        lim.max_total = need - 1;
        CHECK_EQ(elf_parse(f->bytes, f->size, &lim, &info_out), ELF_ERR_TOO_BIG);
        lim = default_limits;
        lim.va_max = end - PAGE;
        CHECK_EQ(elf_parse(f->bytes, f->size, &lim, &info_out), ELF_ERR_SEG_VA_RANGE);
        lim.va_max = end;
        CHECK_EQ(elf_parse(f->bytes, f->size, &lim, &info_out), ELF_OK);
    }
}

TEST(fixture_prefixes)
{
    /* Every prefix shorter than what the headers reference is refused, every longer one accepted.
     */
    for (size_t k = 0; k < ARRAY_SIZE(fixtures); k++) {
        const struct fixture *f = &fixtures[k];
        uint64_t need = fix_needed(f);
        int want_ok = fix_exec_stack(f) < 0;
        CHECK(need <= f->size);
        for (size_t n = 0; n <= f->size; n++) {
            /* A copy of exactly n bytes, so ASan catches any read past the prefix. */
            unsigned char *copy = malloc(n ? n : 1);
            CHECK(copy != NULL);
            memcpy(copy, f->bytes, n);
            enum elf_err e = elf_parse(copy, n, &default_limits, &info_out);
            free(copy);
            if (n < need || !want_ok) {
                CHECK(e != ELF_OK);
            } else {
                CHECK_EQ(e, ELF_OK);
            }
        }
    }
}

TEST(fixture_header_corruption)
{
    /* Overwrite each header byte with a few values; whatever is accepted must be sane. */
    static const uint8_t vals[] = {0x00, 0x01, 0x07, 0x40, 0x7f, 0x80, 0xfe, 0xff};
    unsigned accepted = 0, rejected = 0;
    for (size_t k = 0; k < ARRAY_SIZE(fixtures); k++) {
        const struct fixture *f = &fixtures[k];
        size_t hdr = (size_t)(fix_phoff(f) + 56ULL * f->nphdr);
        unsigned char *copy = malloc(f->size);
        CHECK(copy != NULL);
        for (size_t pos = 0; pos < hdr; pos++) {
            for (size_t v = 0; v < ARRAY_SIZE(vals); v++) {
                memcpy(copy, f->bytes, f->size);
                copy[pos] = vals[v];
                enum elf_err e = elf_parse(copy, f->size, &default_limits, &info_out);
                if (e == ELF_OK) {
                    accepted++;
                    if (!info_sane(&info_out, f->size, &default_limits)) {
                        printf("    %s: byte %zu = 0x%02x accepted with bad output\n", f->name, pos,
                               vals[v]);
                        free(copy);
                        CHECK(0);
                    }
                } else {
                    rejected++;
                    CHECK(info_out.nsegs == 0);
                    CHECK(info_out.err_phdr >= ELF_PHDR_NONE &&
                          info_out.err_phdr < (int32_t)f->nphdr);
                }
            }
        }
        free(copy);
    }
    CHECK(accepted > 0 && rejected > 0);
}

/* ---- elf_has_note ---- */

/* Writes one note entry at b (owner with its NUL, no descriptor, padded to
 * `pad`); returns its size. */
static size_t put_note(uint8_t *b, const char *owner, uint32_t type, uint32_t descsz, size_t pad)
{
    uint32_t namesz = (uint32_t)strlen(owner) + 1;
    size_t name_len = (namesz + pad - 1) & ~(pad - 1), desc_len = (descsz + pad - 1) & ~(pad - 1);
    put32(b, namesz);
    put32(b + 4, descsz);
    put32(b + 8, type);
    memset(b + 12, 0, name_len + desc_len);
    memcpy(b + 12, owner, namesz);
    return 12 + name_len + desc_len;
}

/* The base image with a PT_NOTE at file offset 0x900 over `len` bytes of
 * notes written there by the caller (after build()). */
static struct timage note_image(uint64_t len, uint64_t align)
{
    struct timage t = base();
    add(&t, (struct tphdr){T_PT_NOTE, ELF_PF_R, 0x900, 0x400900, len, len, align});
    return t;
}

TEST(note_found_among_others)
{
    uint8_t notes[128];
    size_t n = put_note(notes, "GNU", 3, 20, 4);
    n += put_note(notes + n, "capOS", 2, 0, 4);
    n += put_note(notes + n, "capO", 1, 0, 4);
    n += put_note(notes + n, "capOS", 1, 4, 4);
    struct timage t = note_image(n, 4);
    uint8_t *b = (uint8_t *)build(&t);
    memcpy(b + 0x900, notes, n);
    CHECK_EQ(elf_parse(b, t.size, &default_limits, &info_out), ELF_OK);
    CHECK(elf_has_note(b, t.size, "capOS", 1));
    CHECK(elf_has_note(b, t.size, "capOS", 2));
    CHECK(elf_has_note(b, t.size, "GNU", 3));
    CHECK(!elf_has_note(b, t.size, "capOS", 3));
    CHECK(!elf_has_note(b, t.size, "cap", 1));
    CHECK(!elf_has_note(b, t.size, "capOSX", 1));
}

TEST(note_descriptor_found)
{
    uint8_t notes[128];
    size_t n = put_note(notes, "GNU", 2, 20, 4);
    size_t at = n;
    n += put_note(notes + n, "capOS", 2, 6, 4);
    n += put_note(notes + n, "capOS", 2, 4, 4); /* a second one is not the one found */
    /* The first capOS note's descriptor: 6 bytes after its padded name. */
    memcpy(notes + at + 12 + 8, "\x01\x02\x03\x04\x05\x06", 6);
    struct timage t = note_image(n, 4);
    uint8_t *b = (uint8_t *)build(&t);
    memcpy(b + 0x900, notes, n);
    const uint8_t *desc = NULL;
    uint32_t descsz = 0;
    CHECK(elf_find_note(b, t.size, "capOS", 2, &desc, &descsz));
    CHECK_EQ(descsz, 6);
    CHECK(desc == b + 0x900 + at + 12 + 8);
    CHECK_EQ(desc[0], 1);
    CHECK_EQ(desc[5], 6);
    CHECK(!elf_find_note(b, t.size, "capOS", 7, &desc, &descsz));
    /* A descriptor that runs past the segment is not found. */
    put32(b + 0x900 + at + 4, (uint32_t)(n - at));
    CHECK(!elf_find_note(b, t.size, "capOS", 2, &desc, &descsz));
}

TEST(note_eight_byte_alignment)
{
    uint8_t notes[64];
    size_t n = put_note(notes, "GNU", 5, 12, 8);
    n += put_note(notes + n, "capOS", 1, 0, 8);
    struct timage t = note_image(n, 8);
    uint8_t *b = (uint8_t *)build(&t);
    memcpy(b + 0x900, notes, n);
    CHECK(elf_has_note(b, t.size, "capOS", 1));
    /* The same bytes read with 4-byte padding are misparsed, never found. */
    t = note_image(n, 4);
    b = (uint8_t *)build(&t);
    memcpy(b + 0x900, notes, n);
    CHECK(!elf_has_note(b, t.size, "capOS", 1));
}

TEST(note_absent_or_malformed)
{
    struct timage t = base();
    const uint8_t *b = build(&t);
    CHECK(!elf_has_note(b, t.size, "capOS", 1));
    CHECK(!elf_has_note(NULL, t.size, "capOS", 1));
    CHECK(!elf_has_note(b, 10, "capOS", 1));

    uint8_t notes[32];
    size_t n = put_note(notes, "capOS", 1, 0, 4);
    /* The segment runs past the end of the file. */
    t = note_image(n, 4);
    t.ph[t.nph - 1].offset = t.size - 8;
    uint8_t *w = (uint8_t *)build(&t);
    CHECK(!elf_has_note(w, t.size, "capOS", 1));
    /* A name size that runs past the segment. */
    t = note_image(n, 4);
    w = (uint8_t *)build(&t);
    memcpy(w + 0x900, notes, n);
    put32(w + 0x900, 0xffffffffu);
    CHECK(!elf_has_note(w, t.size, "capOS", 1));
    /* A descriptor size that runs past the segment. */
    memcpy(w + 0x900, notes, n);
    put32(w + 0x904, 0xfffffff0u);
    CHECK(!elf_has_note(w, t.size, "capOS", 1));
    /* The name without its NUL. */
    memcpy(w + 0x900, notes, n);
    w[0x900 + 12 + 5] = 'X';
    CHECK(!elf_has_note(w, t.size, "capOS", 1));
    /* A segment cut inside the entry's header. */
    t = note_image(8, 4);
    w = (uint8_t *)build(&t);
    memcpy(w + 0x900, notes, n);
    CHECK(!elf_has_note(w, t.size, "capOS", 1));
}

TEST(note_search_is_bounded)
{
    /* ELF_MAX_NOTES empty-named notes, then the one searched for: not read. */
    size_t n = 0;
    static uint8_t notes[(ELF_MAX_NOTES + 1) * 20];
    for (unsigned i = 0; i < ELF_MAX_NOTES; i++)
        n += put_note(notes + n, "x", 9, 0, 4);
    n += put_note(notes + n, "capOS", 1, 0, 4);
    CHECK(0x900 + n <= sizeof(image_buf));
    struct timage t = note_image(n, 4);
    t.size = 0x900 + n;
    uint8_t *b = (uint8_t *)build(&t);
    memcpy(b + 0x900, notes, n);
    CHECK(!elf_has_note(b, t.size, "capOS", 1));
    /* One fewer filler note and it is found. */
    n = 0;
    for (unsigned i = 0; i + 1 < ELF_MAX_NOTES; i++)
        n += put_note(notes + n, "x", 9, 0, 4);
    n += put_note(notes + n, "capOS", 1, 0, 4);
    t = note_image(n, 4);
    t.size = 0x900 + n;
    b = (uint8_t *)build(&t);
    memcpy(b + 0x900, notes, n);
    CHECK(elf_has_note(b, t.size, "capOS", 1));
}
