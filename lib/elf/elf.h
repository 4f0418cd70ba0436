/*
 * ELF64 loader core: validates a static x86_64 executable and describes what
 * to map, without touching memory outside the image it is given.
 *
 * elf_parse() is the decode half of loading a service binary.  It reads the
 * ELF header and the program header table of an untrusted image (a boot
 * manifest may carry any bytes), checks every property the loader relies on,
 * and only then fills in an elf_info: the entry point, the loadable segments
 * in ascending address order, the TLS template and the page-rounded span.  A
 * loader that maps exactly what elf_info describes cannot read outside the
 * image, map outside the caller's user range, map a page twice, create a
 * writable and executable page, or allocate more than the caller allowed, so
 * the act half (allocating frames, copying, zeroing) cannot fail on bad
 * input.
 *
 * Accepted: ELFCLASS64, little-endian, EV_CURRENT, OS ABI System V (0) with
 * ABI version 0, EM_X86_64, ET_EXEC (position-dependent, statically linked),
 * e_flags 0.  Rejected: ET_DYN (no PIE or shared objects yet), PT_INTERP and
 * PT_DYNAMIC (no dynamic linking), an executable PT_GNU_STACK.  Section
 * headers are never read.  Program header types other than PT_LOAD, PT_TLS,
 * PT_INTERP, PT_DYNAMIC and PT_GNU_STACK carry nothing the loader acts on and
 * are ignored.
 *
 * Trusts: that the image does not change while it is parsed and loaded (the
 * kernel holds the boot module in memory no user can write), and that the
 * limits are the caller's own.  Reads the image byte by byte, so it needs no
 * alignment and is independent of the host's byte order.
 */
#ifndef CAPOS_LIB_ELF_ELF_H
#define CAPOS_LIB_ELF_ELF_H

#include "base/compiler.h"

/* Page size the loader maps with; segment checks are made at this granularity. */
#define ELF_PAGE_SIZE 4096ULL
/* Most program headers accepted; also bounds the work done on one image. */
#define ELF_MAX_PHNUM 64
/* Most PT_LOAD segments accepted (elf_info holds them in a fixed array). */
#define ELF_MAX_SEGMENTS 16

/* Segment permission bits, the ELF PF_* values. */
#define ELF_PF_X 0x1u
#define ELF_PF_W 0x2u
#define ELF_PF_R 0x4u

/* elf_info.err_phdr when the error is not about one program header. */
#define ELF_PHDR_NONE (-1)

/*
 * What the caller allows.  va_min and va_max must be multiples of
 * ELF_PAGE_SIZE with va_min < va_max; every segment's page-rounded extent must
 * lie in [va_min, va_max).  max_total bounds the sum of the page-rounded sizes
 * of all loadable segments (the memory loading will allocate), and separately
 * the TLS template size (each thread gets a copy), so a tiny file cannot ask
 * for a huge amount of memory.
 */
struct elf_limits {
    uint64_t va_min;
    uint64_t va_max;
    uint64_t max_total;
};

/* One loadable segment: copy [offset, offset+filesz) of the image to vaddr, zero to vaddr+memsz. */
struct elf_segment {
    uint64_t vaddr;  /* as in the file, not page-rounded */
    uint64_t memsz;  /* > 0 */
    uint64_t offset; /* congruent with vaddr modulo ELF_PAGE_SIZE */
    uint64_t filesz; /* <= memsz */
    uint32_t flags;  /* ELF_PF_R / ELF_PF_W / ELF_PF_X, never both W and X */
    uint32_t phdr;   /* index of the program header it came from */
};

/*
 * The thread-local storage template: each thread's block is memsz bytes
 * aligned to align, starting with the filesz-byte initialisation image found
 * at [offset, offset+filesz) of the file (also mapped at vaddr by a loadable
 * segment); the rest is zero.  When filesz is 0 (only .tbss), vaddr and
 * offset are recorded as found but describe nothing the loader needs.
 */
struct elf_tls {
    uint64_t vaddr;
    uint64_t offset;
    uint64_t filesz;
    uint64_t memsz;
    uint64_t align; /* a power of two, at most ELF_PAGE_SIZE (0 in the file reads as 1) */
    uint32_t phdr;
};

struct elf_info {
    uint64_t entry;
    /* Page-rounded hull of the loadable segments: [span_start, span_end). */
    uint64_t span_start;
    uint64_t span_end;
    /* Sum of the page-rounded sizes of the loadable segments, in bytes. */
    uint64_t total_mem;
    uint32_t nsegs;
    bool has_tls;
    struct elf_tls tls;
    struct elf_segment segs[ELF_MAX_SEGMENTS]; /* ascending vaddr, no two share a page */
    /* After a failure: the offending program header's index, or ELF_PHDR_NONE. */
    int32_t err_phdr;
};

enum elf_err {
    ELF_OK = 0,
    ELF_ERR_ARG,               /* NULL argument, or limits not page-aligned / empty */
    ELF_ERR_TRUNCATED,         /* smaller than an ELF64 header */
    ELF_ERR_MAGIC,             /* not an ELF file */
    ELF_ERR_CLASS,             /* not ELFCLASS64 */
    ELF_ERR_DATA,              /* not little-endian */
    ELF_ERR_VERSION,           /* EI_VERSION or e_version is not EV_CURRENT */
    ELF_ERR_OSABI,             /* OS ABI not System V, or non-zero ABI version */
    ELF_ERR_MACHINE,           /* not x86_64 */
    ELF_ERR_TYPE_DYN,          /* ET_DYN: PIE or shared object, not supported yet */
    ELF_ERR_TYPE,              /* not an executable (relocatable, core, ...) */
    ELF_ERR_FLAGS,             /* e_flags not zero (x86_64 defines none) */
    ELF_ERR_EHSIZE,            /* e_ehsize is not the ELF64 header size */
    ELF_ERR_PHENTSIZE,         /* e_phentsize is not the ELF64 program header size */
    ELF_ERR_PHNUM,             /* no program headers, or more than ELF_MAX_PHNUM */
    ELF_ERR_PHDR_BOUNDS,       /* program header table not inside the file */
    ELF_ERR_INTERP,            /* PT_INTERP: needs a dynamic linker */
    ELF_ERR_DYNAMIC,           /* PT_DYNAMIC: dynamically linked */
    ELF_ERR_EXEC_STACK,        /* PT_GNU_STACK asks for an executable stack */
    ELF_ERR_SEG_FLAGS,         /* PT_LOAD flags outside R/W/X */
    ELF_ERR_SEG_WX,            /* PT_LOAD both writable and executable */
    ELF_ERR_SEG_EMPTY,         /* PT_LOAD with zero memory size */
    ELF_ERR_SEG_FILESZ,        /* p_filesz > p_memsz */
    ELF_ERR_SEG_FILE_BOUNDS,   /* file range of the segment not inside the file */
    ELF_ERR_SEG_VA_OVERFLOW,   /* p_vaddr + p_memsz overflows */
    ELF_ERR_SEG_VA_RANGE,      /* segment outside the allowed user range */
    ELF_ERR_SEG_ALIGN,         /* p_align neither 0, 1 nor a power of two */
    ELF_ERR_SEG_CONGRUENCE,    /* p_vaddr and p_offset differ modulo the page size or p_align */
    ELF_ERR_SEG_ORDER,         /* PT_LOAD entries not in ascending p_vaddr order */
    ELF_ERR_SEG_OVERLAP,       /* PT_LOAD shares a page with the previous one */
    ELF_ERR_TOO_MANY_SEGMENTS, /* more than ELF_MAX_SEGMENTS PT_LOAD entries */
    ELF_ERR_NO_LOAD,           /* no PT_LOAD at all */
    ELF_ERR_TOO_BIG,           /* total memory above limits.max_total */
    ELF_ERR_ENTRY,             /* entry point not inside an executable PT_LOAD */
    ELF_ERR_TLS_DUP,           /* more than one PT_TLS */
    ELF_ERR_TLS_ALIGN,         /* PT_TLS alignment above ELF_PAGE_SIZE */
    ELF_ERR_TLS_OUTSIDE,       /* TLS image not inside the file part of one PT_LOAD */
    ELF_ERR_COUNT
};

/*
 * Validates the `size`-byte image against `lim`.  On ELF_OK, *out describes
 * the executable.  On failure *out is zeroed (no segments, entry 0) except
 * err_phdr, so a caller that ignores the result still has nothing to map.
 */
enum elf_err elf_parse(const void *image, size_t size, const struct elf_limits *lim,
                       struct elf_info *out) WARN_UNUSED;

/* One line of text naming the reason; never NULL, also for unknown codes. */
const char *elf_strerror(enum elf_err err);

/* Most note entries elf_has_note() reads in one image (all PT_NOTE segments
 * together); a real executable has a handful. */
#define ELF_MAX_NOTES 256

/*
 * Whether a PT_NOTE segment of the `size`-byte image holds a note named
 * `owner` (its name is owner's bytes and a NUL) of type `type`.  Reads only
 * the ELF header, the program header table and the notes' file bytes, each
 * checked against the image first; a malformed header or note ends the
 * search with false.  Entries are padded to 4 bytes, or to 8 in a segment
 * aligned to 8 (as the gABI lays out 64-bit notes).  At most ELF_MAX_NOTES
 * entries are read.
 */
bool elf_has_note(const void *image, size_t size, const char *owner, uint32_t type) WARN_UNUSED;

/*
 * elf_has_note, also giving where the note's descriptor is: *desc points
 * into the image at its *descsz bytes (checked to lie inside the note
 * segment and the image).  The first matching note is the one found.
 */
bool elf_find_note(const void *image, size_t size, const char *owner, uint32_t type,
                   const uint8_t **desc, uint32_t *descsz) WARN_UNUSED;

#endif
