/*
 * ELF64 parser and validator (see elf.h for the contract).
 *
 * The order of work is fixed: the ELF header is checked field by field, then
 * every program header is decoded and checked in table order (so the error
 * names the first offending entry), then the checks that need all of them
 * (TLS containment, entry point) run.  The result is built in the caller's
 * elf_info (it is large for a kernel stack) and wiped again on any failure,
 * so a rejected image never leaves a partial description behind.
 *
 * Field offsets and constants follow the ELF-64 object file format and the
 * System V AMD64 psABI.  The image is read with explicit little-endian loads
 * from bounds-checked offsets; each such read is preceded by a range check
 * written with lib/base/checked.h.
 */
#include "elf/elf.h"

#include "base/checked.h"
#include "base/endian.h"
#include "base/mem.h"

/* e_ident indices and the values we accept. */
#define EI_CLASS      4
#define EI_DATA       5
#define EI_VERSION    6
#define EI_OSABI      7
#define EI_ABIVERSION 8
#define ELFCLASS64    2
#define ELFDATA2LSB   1
#define EV_CURRENT    1
#define ELFOSABI_SYSV 0

#define ET_EXEC       2
#define ET_DYN        3
#define EM_X86_64     62

/* Sizes of the ELF64 file header and of one program header. */
#define EHDR_SIZE 64
#define PHDR_SIZE 56
/* e_phnum value that defers the real count to section header 0. */
#define PN_XNUM      0xffff

#define PT_LOAD      1
#define PT_DYNAMIC   2
#define PT_INTERP    3
#define PT_NOTE      4
#define PT_TLS       7
#define PT_GNU_STACK 0x6474e551u

#define PF_ALL       (ELF_PF_R | ELF_PF_W | ELF_PF_X)

/* Program header, decoded from the file into host integers. */
struct phdr {
    uint32_t type;
    uint32_t flags;
    uint64_t offset;
    uint64_t vaddr;
    uint64_t filesz;
    uint64_t memsz;
    uint64_t align;
};

static bool is_pow2(uint64_t x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

static uint64_t page_down(uint64_t x)
{
    return x & ~(ELF_PAGE_SIZE - 1);
}

/* The caller has checked that x is at most a page-aligned limit, so this cannot wrap. */
static uint64_t page_up(uint64_t x)
{
    return page_down(x + ELF_PAGE_SIZE - 1);
}

/* Caller guarantees the PHDR_SIZE bytes at p are inside the image. */
static void decode_phdr(const uint8_t *p, struct phdr *ph)
{
    ph->type = le32_get(p + 0);
    ph->flags = le32_get(p + 4);
    ph->offset = le64_get(p + 8);
    ph->vaddr = le64_get(p + 16);
    /* p_paddr (p + 24) has no meaning for a user process and is not read. */
    ph->filesz = le64_get(p + 32);
    ph->memsz = le64_get(p + 40);
    ph->align = le64_get(p + 48);
}

static enum elf_err check_limits(const struct elf_limits *lim)
{
    if (lim->va_min >= lim->va_max)
        return ELF_ERR_ARG;
    if (lim->va_min % ELF_PAGE_SIZE != 0 || lim->va_max % ELF_PAGE_SIZE != 0)
        return ELF_ERR_ARG;
    return ELF_OK;
}

/* Checks the ELF file header; on success stores the fields the rest needs. */
static enum elf_err check_ehdr(const uint8_t *img, size_t size, uint64_t *entry, uint64_t *phoff,
                               uint16_t *phnum)
{
    if (size < EHDR_SIZE)
        return ELF_ERR_TRUNCATED;
    if (img[0] != 0x7f || img[1] != 'E' || img[2] != 'L' || img[3] != 'F')
        return ELF_ERR_MAGIC;
    if (img[EI_CLASS] != ELFCLASS64)
        return ELF_ERR_CLASS;
    if (img[EI_DATA] != ELFDATA2LSB)
        return ELF_ERR_DATA;
    if (img[EI_VERSION] != EV_CURRENT)
        return ELF_ERR_VERSION;
    if (img[EI_OSABI] != ELFOSABI_SYSV || img[EI_ABIVERSION] != 0)
        return ELF_ERR_OSABI;
    /* e_ident[9..15] is padding; the gABI says readers should ignore it. */

    uint16_t type = le16_get(img + 16);
    uint16_t machine = le16_get(img + 18);
    uint32_t version = le32_get(img + 20);
    uint32_t flags = le32_get(img + 48);
    uint16_t ehsize = le16_get(img + 52);
    uint16_t phentsize = le16_get(img + 54);

    if (machine != EM_X86_64)
        return ELF_ERR_MACHINE;
    if (type == ET_DYN)
        return ELF_ERR_TYPE_DYN;
    if (type != ET_EXEC)
        return ELF_ERR_TYPE;
    if (version != EV_CURRENT)
        return ELF_ERR_VERSION;
    if (flags != 0)
        return ELF_ERR_FLAGS;
    if (ehsize != EHDR_SIZE)
        return ELF_ERR_EHSIZE;
    if (phentsize != PHDR_SIZE)
        return ELF_ERR_PHENTSIZE;

    *entry = le64_get(img + 24);
    *phoff = le64_get(img + 32);
    *phnum = le16_get(img + 56);

    /* PN_XNUM (0xffff) would move the count into a section header; it is above the limit anyway. */
    if (*phnum == 0 || *phnum > ELF_MAX_PHNUM)
        return ELF_ERR_PHNUM;
    /*
     * The table must lie inside the file and after the ELF header (a table
     * overlapping the header would reinterpret header bytes as segments).
     * phnum <= 64, so phnum * PHDR_SIZE cannot overflow.
     */
    if (*phoff < EHDR_SIZE || !range_within(*phoff, (uint64_t)*phnum * PHDR_SIZE, size))
        return ELF_ERR_PHDR_BOUNDS;
    return ELF_OK;
}

/*
 * Checks one PT_LOAD on its own and against the previous one (ordering and
 * page overlap).  `prev` is NULL for the first.
 */
static enum elf_err check_load(const struct phdr *ph, size_t size, const struct elf_limits *lim,
                               const struct elf_segment *prev)
{
    uint64_t end;

    if (ph->flags & ~PF_ALL)
        return ELF_ERR_SEG_FLAGS;
    if ((ph->flags & ELF_PF_W) && (ph->flags & ELF_PF_X))
        return ELF_ERR_SEG_WX;
    if (ph->memsz == 0)
        return ELF_ERR_SEG_EMPTY;
    if (ph->filesz > ph->memsz)
        return ELF_ERR_SEG_FILESZ;
    if (!range_within(ph->offset, ph->filesz, size))
        return ELF_ERR_SEG_FILE_BOUNDS;
    if (!checked_add_u64(ph->vaddr, ph->memsz, &end))
        return ELF_ERR_SEG_VA_OVERFLOW;
    /*
     * With page-aligned limits, vaddr >= va_min and end <= va_max also hold
     * for the page-rounded extent, which is what actually gets mapped.
     */
    if (ph->vaddr < lim->va_min || end > lim->va_max)
        return ELF_ERR_SEG_VA_RANGE;
    if (ph->align > 1 && !is_pow2(ph->align))
        return ELF_ERR_SEG_ALIGN;
    /*
     * Mapping file pages at virtual pages needs vaddr and offset to agree
     * within a page; the gABI further requires agreement modulo p_align.
     * Both are powers of two, so the larger modulus implies the smaller.
     */
    uint64_t modulus = MAX(ph->align, ELF_PAGE_SIZE);
    if ((ph->vaddr & (modulus - 1)) != (ph->offset & (modulus - 1)))
        return ELF_ERR_SEG_CONGRUENCE;
    if (prev) {
        /* The gABI requires PT_LOAD entries sorted by p_vaddr; that makes one comparison enough. */
        if (ph->vaddr < prev->vaddr)
            return ELF_ERR_SEG_ORDER;
        if (page_down(ph->vaddr) < page_up(prev->vaddr + prev->memsz))
            return ELF_ERR_SEG_OVERLAP;
    }
    return ELF_OK;
}

/* Checks a PT_TLS on its own; containment in a PT_LOAD is checked once all are known. */
static enum elf_err check_tls(const struct phdr *ph, size_t size, const struct elf_limits *lim)
{
    if (ph->filesz > ph->memsz)
        return ELF_ERR_SEG_FILESZ;
    if (!range_within(ph->offset, ph->filesz, size))
        return ELF_ERR_SEG_FILE_BOUNDS;
    if (ph->align > 1 && !is_pow2(ph->align))
        return ELF_ERR_SEG_ALIGN;
    /* A thread pointer aligned beyond a page would need special allocation; no toolchain asks. */
    if (ph->align > ELF_PAGE_SIZE)
        return ELF_ERR_TLS_ALIGN;
    /* Every thread gets a copy of the template, so it is bounded like the segments. */
    if (ph->memsz > lim->max_total)
        return ELF_ERR_TOO_BIG;
    return ELF_OK;
}

/*
 * True iff the TLS initialisation image is file-backed data of one loadable
 * segment: inside its [vaddr, vaddr+filesz) and at the matching file offset,
 * so the bytes at tls.offset are the bytes mapped at tls.vaddr.
 */
static bool tls_inside(const struct elf_tls *tls, const struct elf_segment *segs, uint32_t nsegs)
{
    for (uint32_t i = 0; i < nsegs; i++) {
        const struct elf_segment *s = &segs[i];
        if (tls->vaddr < s->vaddr)
            continue;
        uint64_t rel = tls->vaddr - s->vaddr;
        if (!range_within(rel, tls->filesz, s->filesz))
            continue;
        /* rel <= s->filesz and s->offset + s->filesz fits (checked), so this cannot wrap. */
        if (tls->offset == s->offset + rel)
            return true;
    }
    return false;
}

/*
 * Does the work of elf_parse() into *info, which the caller has zeroed.  On
 * failure *bad is the offending program header's index or ELF_PHDR_NONE and
 * *info holds a partial result the caller discards.
 */
static enum elf_err parse(const uint8_t *img, size_t size, const struct elf_limits *lim,
                          struct elf_info *info, int32_t *bad)
{
    uint64_t entry, phoff;
    uint16_t phnum;
    enum elf_err err;
    uint32_t i;

    *bad = ELF_PHDR_NONE;
    err = check_limits(lim);
    if (err != ELF_OK)
        return err;
    err = check_ehdr(img, size, &entry, &phoff, &phnum);
    if (err != ELF_OK)
        return err;

    info->entry = entry;
    for (i = 0; i < phnum; i++) {
        struct phdr ph;
        /* check_ehdr proved [phoff, phoff + phnum * PHDR_SIZE) is inside the image. */
        decode_phdr(img + phoff + (uint64_t)i * PHDR_SIZE, &ph);

        switch (ph.type) {
        case PT_INTERP: err = ELF_ERR_INTERP; break;
        case PT_DYNAMIC: err = ELF_ERR_DYNAMIC; break;
        case PT_GNU_STACK: err = (ph.flags & ELF_PF_X) ? ELF_ERR_EXEC_STACK : ELF_OK; break;
        case PT_TLS:
            if (info->has_tls) {
                err = ELF_ERR_TLS_DUP;
                break;
            }
            err = check_tls(&ph, size, lim);
            if (err != ELF_OK)
                break;
            info->has_tls = true;
            info->tls = (struct elf_tls){
                .vaddr = ph.vaddr,
                .offset = ph.offset,
                .filesz = ph.filesz,
                .memsz = ph.memsz,
                .align = ph.align ? ph.align : 1,
                .phdr = i,
            };
            break;
        case PT_LOAD: {
            const struct elf_segment *prev = info->nsegs ? &info->segs[info->nsegs - 1] : NULL;
            uint64_t pages, total;

            err = check_load(&ph, size, lim, prev);
            if (err != ELF_OK)
                break;
            if (info->nsegs == ELF_MAX_SEGMENTS) {
                err = ELF_ERR_TOO_MANY_SEGMENTS;
                break;
            }
            /* check_load bounded vaddr + memsz by the page-aligned va_max. */
            pages = page_up(ph.vaddr + ph.memsz) - page_down(ph.vaddr);
            if (!checked_add_u64(info->total_mem, pages, &total) || total > lim->max_total) {
                err = ELF_ERR_TOO_BIG;
                break;
            }
            info->total_mem = total;
            info->segs[info->nsegs++] = (struct elf_segment){
                .vaddr = ph.vaddr,
                .memsz = ph.memsz,
                .offset = ph.offset,
                .filesz = ph.filesz,
                .flags = ph.flags,
                .phdr = i,
            };
            break;
        }
        default:
            /* PT_NULL, PT_NOTE, PT_PHDR, PT_GNU_RELRO, PT_GNU_PROPERTY, ...: nothing to load. */
            err = ELF_OK;
            break;
        }
        if (err != ELF_OK) {
            *bad = (int32_t)i;
            return err;
        }
    }

    if (info->nsegs == 0)
        return ELF_ERR_NO_LOAD;
    if (info->has_tls && info->tls.filesz != 0 &&
        !tls_inside(&info->tls, info->segs, info->nsegs)) {
        *bad = (int32_t)info->tls.phdr;
        return ELF_ERR_TLS_OUTSIDE;
    }
    for (i = 0; i < info->nsegs; i++) {
        const struct elf_segment *s = &info->segs[i];
        if ((s->flags & ELF_PF_X) && entry >= s->vaddr && entry - s->vaddr < s->memsz)
            break;
    }
    if (i == info->nsegs)
        return ELF_ERR_ENTRY;

    info->span_start = page_down(info->segs[0].vaddr);
    info->span_end = page_up(info->segs[info->nsegs - 1].vaddr + info->segs[info->nsegs - 1].memsz);
    return ELF_OK;
}

enum elf_err elf_parse(const void *image, size_t size, const struct elf_limits *lim,
                       struct elf_info *out)
{
    enum elf_err err;
    int32_t bad;

    if (!out)
        return ELF_ERR_ARG;
    memset(out, 0, sizeof(*out));
    out->err_phdr = ELF_PHDR_NONE;
    if (!image || !lim)
        return ELF_ERR_ARG;
    err = parse(image, size, lim, out, &bad);
    if (err != ELF_OK) {
        /* Fail closed: no partial description of a rejected image survives. */
        memset(out, 0, sizeof(*out));
        out->err_phdr = bad;
    }
    return err;
}

static const char *const elf_messages[ELF_ERR_COUNT] = {
    [ELF_OK] = "valid executable",
    [ELF_ERR_ARG] = "bad arguments: missing image or output, or limits not page-aligned",
    [ELF_ERR_TRUNCATED] = "file too small for an ELF64 header",
    [ELF_ERR_MAGIC] = "not an ELF file (bad magic)",
    [ELF_ERR_CLASS] = "not a 64-bit ELF file",
    [ELF_ERR_DATA] = "not a little-endian ELF file",
    [ELF_ERR_VERSION] = "unknown ELF version",
    [ELF_ERR_OSABI] = "OS ABI is not System V (or ABI version is not 0)",
    [ELF_ERR_MACHINE] = "not an x86_64 executable",
    [ELF_ERR_TYPE_DYN] = "position-independent executable or shared object (ET_DYN) is not "
                         "supported yet; link with -static -no-pie",
    [ELF_ERR_TYPE] = "not an executable (ELF type is not ET_EXEC)",
    [ELF_ERR_FLAGS] = "unknown ELF header flags",
    [ELF_ERR_EHSIZE] = "ELF header size is not 64",
    [ELF_ERR_PHENTSIZE] = "program header entry size is not 56",
    [ELF_ERR_PHNUM] = "no program headers, or too many",
    [ELF_ERR_PHDR_BOUNDS] = "program header table lies outside the file",
    [ELF_ERR_INTERP] = "requests an interpreter (PT_INTERP); only static executables are "
                       "supported",
    [ELF_ERR_DYNAMIC] = "dynamically linked (PT_DYNAMIC); only static executables are supported",
    [ELF_ERR_EXEC_STACK] = "requests an executable stack (PT_GNU_STACK with X)",
    [ELF_ERR_SEG_FLAGS] = "loadable segment has flags other than R, W and X",
    [ELF_ERR_SEG_WX] = "loadable segment is both writable and executable",
    [ELF_ERR_SEG_EMPTY] = "loadable segment has zero memory size",
    [ELF_ERR_SEG_FILESZ] = "segment file size exceeds its memory size",
    [ELF_ERR_SEG_FILE_BOUNDS] = "segment data lies outside the file",
    [ELF_ERR_SEG_VA_OVERFLOW] = "segment address plus size overflows",
    [ELF_ERR_SEG_VA_RANGE] = "segment lies outside the allowed user address range",
    [ELF_ERR_SEG_ALIGN] = "segment alignment is not a power of two",
    [ELF_ERR_SEG_CONGRUENCE] = "segment address and file offset differ modulo the page size or "
                               "alignment",
    [ELF_ERR_SEG_ORDER] = "loadable segments are not in ascending address order",
    [ELF_ERR_SEG_OVERLAP] = "loadable segment shares a page with the previous one",
    [ELF_ERR_TOO_MANY_SEGMENTS] = "too many loadable segments",
    [ELF_ERR_NO_LOAD] = "no loadable segments",
    [ELF_ERR_TOO_BIG] = "needs more memory than the limit allows",
    [ELF_ERR_ENTRY] = "entry point is not inside an executable segment",
    [ELF_ERR_TLS_DUP] = "more than one TLS segment",
    [ELF_ERR_TLS_ALIGN] = "TLS alignment is larger than a page",
    [ELF_ERR_TLS_OUTSIDE] = "TLS initialisation image is not inside the file data of a loadable "
                            "segment",
};

const char *elf_strerror(enum elf_err err)
{
    return checked_name(elf_messages, ARRAY_SIZE(elf_messages), (unsigned)err, "unknown ELF error");
}

/* Note entries: a 12-byte header (namesz, descsz, type), then the name and
 * the descriptor, each padded to the entry alignment. */
#define NOTE_HDR_SIZE 12

bool elf_has_note(const void *image, size_t size, const char *owner, uint32_t type)
{
    const uint8_t *desc;
    uint32_t descsz;
    return elf_find_note(image, size, owner, type, &desc, &descsz);
}

bool elf_find_note(const void *image, size_t size, const char *owner, uint32_t type,
                   const uint8_t **desc, uint32_t *descsz)
{
    const uint8_t *img = image;
    uint64_t entry, phoff;
    uint16_t phnum;
    uint32_t seen = 0;

    if (!img || !owner || check_ehdr(img, size, &entry, &phoff, &phnum) != ELF_OK)
        return false;
    size_t olen = strlen(owner);
    for (uint32_t i = 0; i < phnum; i++) {
        struct phdr ph;
        /* check_ehdr proved the program header table is inside the image. */
        decode_phdr(img + phoff + (uint64_t)i * PHDR_SIZE, &ph);
        if (ph.type != PT_NOTE)
            continue;
        if (!range_within(ph.offset, ph.filesz, size))
            return false;
        const uint64_t pad = ph.align == 8 ? 8 : 4;
        const uint8_t *n = img + ph.offset;
        uint64_t pos = 0;
        /* Every entry takes at least NOTE_HDR_SIZE bytes, and at most
         * ELF_MAX_NOTES are read, so the walk ends. */
        while (ph.filesz - pos >= NOTE_HDR_SIZE) {
            if (++seen > ELF_MAX_NOTES)
                return false;
            uint64_t namesz = le32_get(n + pos), dsz = le32_get(n + pos + 4);
            uint32_t ntype = le32_get(n + pos + 8);
            /* 32-bit sizes padded in 64 bits cannot wrap. */
            uint64_t name_len = (namesz + pad - 1) & ~(pad - 1);
            uint64_t desc_len = (dsz + pad - 1) & ~(pad - 1);
            pos += NOTE_HDR_SIZE;
            if (!range_within(pos, name_len, ph.filesz) ||
                !range_within(pos + name_len, desc_len, ph.filesz))
                return false;
            if (ntype == type && namesz == olen + 1 && memcmp(n + pos, owner, olen) == 0 &&
                n[pos + olen] == 0) {
                /* The padded descriptor lies in the segment (checked
                 * above), so its unpadded bytes do too. */
                *desc = n + pos + name_len;
                *descsz = (uint32_t)dsz;
                return true;
            }
            pos += name_len + desc_len;
        }
    }
    return false;
}
