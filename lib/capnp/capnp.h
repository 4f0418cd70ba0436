/*
 * Cap'n Proto wire format: a reader and a builder that never allocate.
 *
 * This is the C side of the system ABI.  Every capability interface and the
 * boot manifest are Cap'n Proto types; the kernel, userspace and host tools
 * all decode and encode them through this one library, usually through the
 * typed accessors that tools/capnpc-c generates on top of it (docs/capnp.md).
 *
 * Reader model.  A `struct capnp_reader` describes one received message: its
 * segments (borrowed, never copied), its limits and its first error.  Handles
 * into the message (`capnp_struct`, `capnp_list`, `capnp_ptr`) are small
 * values that are bounds-checked when they are created, so reading a field or
 * an element afterwards only needs an index check.  A malformed pointer never
 * faults: the read returns the default value (a null struct or list, an empty
 * text) and the first such error is latched in the reader.  Callers decode
 * what they need and then check capnp_reader_error() once before acting on it,
 * which keeps "decode everything, then act" code free of per-field checks.
 * Functions named *_read_* return the error directly as well.
 *
 * The input buffer needs no particular alignment: every load goes through a
 * fixed-size byte copy, which compiles to a plain load on x86_64.  The wire
 * format is little-endian, as is every target we build for.
 *
 * Limits (as in the reference implementation): every object a reader follows
 * is charged against a traversal budget in words (default 8 Mi words), so a
 * message whose pointers share or repeat content, or a list of zero-sized
 * elements, cannot make a reader do unbounded work; and pointers may be
 * followed at most `nesting` levels deep (default 64), which bounds recursion
 * in generic walkers and defeats pointer cycles.
 *
 * Builder model.  A `struct capnp_builder` lays a single-segment message out
 * in a caller-provided arena.  The first arena word is reserved for the stream
 * framing header, so finishing a message writes eight bytes and hands back
 * the arena itself: no copy.  Running out of space (or any other misuse)
 * latches an error: later allocations fail, writes through the invalid
 * handles they return do nothing, and capnp_builder_finish() fails.  The
 * builder never writes outside the arena.  Objects
 * replaced by re-initialising a pointer stay in the arena as unused words.
 *
 * Nothing here uses floating point: the kernel is built without SSE.  Float
 * fields are carried as their IEEE-754 bit patterns; generated code offers
 * float-typed accessors only where the compiler allows floating point.
 */
#ifndef CAPOS_LIB_CAPNP_CAPNP_H
#define CAPOS_LIB_CAPNP_CAPNP_H

#include "base/compiler.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "capnp: little-endian targets only");

#define CAPNP_WORD_BYTES 8u
/* The reference implementation's defaults. */
#define CAPNP_DEFAULT_TRAVERSAL_WORDS (8ull * 1024 * 1024)
#define CAPNP_DEFAULT_NESTING         64
/*
 * Segments a reader holds in its own table.  The table lives inside struct
 * capnp_reader (16 bytes per entry), so it is kept small enough for a kernel
 * stack; our builder always produces one segment.  Messages with more
 * segments need a caller-provided table (capnp_reader_init_table), up to the
 * reference implementation's limit of CAPNP_MAX_SEGMENTS.
 */
#define CAPNP_INLINE_SEGMENTS 32u
#define CAPNP_MAX_SEGMENTS    511u
/* Largest list element count / word count a list pointer can express. */
#define CAPNP_MAX_LIST_ELEMENTS ((1u << 29) - 1)
/* Cap index meaning "no capability" (a null interface pointer). */
#define CAPNP_NO_CAP UINT32_MAX

/*
 * Whether generated code may offer float/double accessors.  The kernel is
 * compiled without SSE, where gcc rejects any floating-point value; it gets
 * only the *_bits accessors.
 */
#ifndef CAPNP_HAVE_FLOAT
#if defined(__x86_64__) && !defined(__SSE2__)
#define CAPNP_HAVE_FLOAT 0
#else
#define CAPNP_HAVE_FLOAT 1
#endif
#endif

/* Expands a string literal to the (pointer, length) pair the text setters take. */
#define CAPNP_STR(lit) (lit), (sizeof(lit) - 1)

enum capnp_err {
    CAPNP_OK = 0,
    CAPNP_ERR_TRUNCATED,         /* framing or a segment ends before its declared size */
    CAPNP_ERR_SEGMENT_COUNT,     /* no segments, or more than the segment table holds */
    CAPNP_ERR_TRAILING_BYTES,    /* bytes left after the last segment */
    CAPNP_ERR_OUT_OF_BOUNDS,     /* a pointer's target lies outside its segment */
    CAPNP_ERR_FAR_SEGMENT,       /* a far pointer names a segment that does not exist */
    CAPNP_ERR_FAR_LANDING_PAD,   /* a far pointer's landing pad is out of bounds or malformed */
    CAPNP_ERR_WRONG_KIND,        /* e.g. a list pointer where a struct was expected */
    CAPNP_ERR_ELEMENT_SIZE,      /* list element size incompatible with the expected type */
    CAPNP_ERR_COMPOSITE_TAG,     /* inline-composite tag malformed or overrunning its list */
    CAPNP_ERR_RESERVED_POINTER,  /* an "other" pointer that is not a capability */
    CAPNP_ERR_CAP_INDEX,         /* capability index beyond the message's cap table */
    CAPNP_ERR_TEXT_UNTERMINATED, /* text without its NUL terminator */
    CAPNP_ERR_TRAVERSAL_LIMIT,   /* the message made the reader visit too many words */
    CAPNP_ERR_NESTING_LIMIT,     /* pointers nested deeper than the nesting limit */
    CAPNP_ERR_NO_SPACE,          /* builder arena exhausted */
    CAPNP_ERR_TOO_LARGE,         /* a size the wire format cannot express */
    CAPNP_ERR_INVALID_ARGUMENT,  /* misuse: bad buffer, index out of range, null handle */
    CAPNP_ERR_COUNT
};

/* A fixed English description of `e`; never NULL, even for unknown values. */
const char *capnp_strerror(enum capnp_err e);

/* List element sizes as encoded in list pointers (C field of the pointer). */
enum capnp_elem {
    CAPNP_ELEM_VOID = 0,
    CAPNP_ELEM_BIT = 1,
    CAPNP_ELEM_BYTE = 2,
    CAPNP_ELEM_TWO_BYTES = 3,
    CAPNP_ELEM_FOUR_BYTES = 4,
    CAPNP_ELEM_EIGHT_BYTES = 5,
    CAPNP_ELEM_POINTER = 6,
    CAPNP_ELEM_COMPOSITE = 7, /* as an expectation: "a list of structs" */
    CAPNP_ELEM_ANY = 8,       /* expectation only: accept any list */
};

/* What a pointer refers to (capnp_ptr_kind). */
enum capnp_kind {
    CAPNP_KIND_NULL = 0,
    CAPNP_KIND_STRUCT,
    CAPNP_KIND_LIST,
    CAPNP_KIND_CAP,
    CAPNP_KIND_INVALID, /* malformed; reading it latches the reason */
};

/* One segment: `words` 8-byte words at `data` (no alignment needed). */
struct capnp_segment {
    const uint8_t *data;
    uint32_t words;
};

struct capnp_limits {
    uint64_t traversal_words; /* 0 means CAPNP_DEFAULT_TRAVERSAL_WORDS */
    int32_t nesting;          /* 0 means CAPNP_DEFAULT_NESTING */
};

/*
 * A received message.  Fill it with one of the capnp_reader_init* functions;
 * handles point into it, so it must stay where it is (never copy it).
 */
struct capnp_reader {
    struct capnp_segment *segs; /* the segment table: inline_segs or the caller's */
    uint32_t nsegs;
    uint32_t cap_count;      /* capability pointers must index below this */
    uint64_t traversal_left; /* words the reader may still visit */
    int32_t nesting;         /* nesting limit for the root */
    enum capnp_err err;      /* first error seen; sticky */
    struct capnp_segment inline_segs[CAPNP_INLINE_SEGMENTS];
};

/*
 * Handles into a message.  `msg` is NULL for values that come from a
 * generated default (trusted, single-segment, not charged to any budget);
 * `seg` is NULL for a null object, which reads as all defaults.
 */
struct capnp_ptr {
    struct capnp_reader *msg;
    const struct capnp_segment *seg;
    uint32_t idx;    /* word index of the pointer within seg */
    int32_t nesting; /* depth budget of the object holding the pointer */
};

struct capnp_struct {
    struct capnp_reader *msg;
    const struct capnp_segment *seg;
    const uint8_t *data; /* data section; valid for data_bits bits */
    uint32_t data_bits;
    uint32_t ptr_idx; /* word index in seg of the first pointer */
    uint16_t nptrs;
    int32_t nesting;
};

struct capnp_list {
    struct capnp_reader *msg;
    const struct capnp_segment *seg;
    uint32_t start;     /* word index in seg of the first element */
    uint32_t len;       /* element count */
    uint32_t step_bits; /* distance between elements */
    uint32_t data_bits; /* data bits per element (struct data section for composites) */
    uint16_t nptrs;     /* pointers per element, after the data */
    uint8_t elem;       /* enum capnp_elem as found on the wire */
    int32_t nesting;
};

/* Text is always NUL-terminated at str[len]; it may contain earlier NULs. */
struct capnp_text {
    const char *str;
    uint32_t len;
};

struct capnp_data {
    const uint8_t *ptr;
    uint32_t len;
};

/* The Text of a NUL-terminated C string, for building a message. */
static inline struct capnp_text capnp_text_of(const char *s)
{
    return (struct capnp_text){s, (uint32_t)__builtin_strlen(s)};
}

/* ---- Reader: messages ---- */

/*
 * Parses stream framing (segment count, sizes, padding, segments) that must
 * fill exactly `len` bytes of `buf`.  The reader borrows `buf`; it must stay
 * unchanged while the reader is used (copy untrusted memory in first).
 * `lim` may be NULL for the defaults.  The cap table is empty: call
 * capnp_reader_set_cap_count() when capabilities travel with the message.
 */
enum capnp_err capnp_reader_init(struct capnp_reader *r, const void *buf, size_t len,
                                 const struct capnp_limits *lim);
/* Same, for a message at the start of `buf`; *used receives its length. */
enum capnp_err capnp_reader_init_prefix(struct capnp_reader *r, const void *buf, size_t len,
                                        const struct capnp_limits *lim, size_t *used);
/*
 * Same, with `table` (room for `table_len` segments, at most
 * CAPNP_MAX_SEGMENTS are used) as the segment table, for messages with more
 * than CAPNP_INLINE_SEGMENTS segments.  The table must outlive the reader.
 */
enum capnp_err capnp_reader_init_table(struct capnp_reader *r, const void *buf, size_t len,
                                       const struct capnp_limits *lim, size_t *used,
                                       struct capnp_segment *table, uint32_t table_len);
/* A message whose segments the caller already has (no framing); they are copied. */
enum capnp_err capnp_reader_init_segments(struct capnp_reader *r, const struct capnp_segment *segs,
                                          uint32_t nsegs, const struct capnp_limits *lim);
void capnp_reader_set_cap_count(struct capnp_reader *r, uint32_t n);
/* The first error any read on this message hit, or CAPNP_OK. */
enum capnp_err capnp_reader_error(const struct capnp_reader *r);

/* The root struct (a null struct, and a latched error, if it is malformed). */
struct capnp_struct capnp_reader_root(struct capnp_reader *r);
/* The root pointer itself, for messages whose root is read generically. */
struct capnp_ptr capnp_reader_root_ptr(struct capnp_reader *r);

/* ---- Reader: pointers ---- */

/* Handles that read as all defaults (for inactive union members, etc.). */
static inline struct capnp_ptr capnp_ptr_null(void)
{
    struct capnp_ptr p = {0, 0, 0, 0};
    return p;
}

static inline struct capnp_struct capnp_struct_null(void)
{
    struct capnp_struct s = {0, 0, 0, 0, 0, 0, 0};
    return s;
}

static inline struct capnp_list capnp_list_null(void)
{
    struct capnp_list l = {0, 0, 0, 0, 0, 0, 0, CAPNP_ELEM_VOID, 0};
    return l;
}

/* What `p` designates, following far pointers; nothing is latched. */
enum capnp_kind capnp_ptr_kind(struct capnp_ptr p);
/* The same, reporting (and latching) why an invalid pointer is invalid. */
enum capnp_err capnp_ptr_read_kind(struct capnp_ptr p, enum capnp_kind *kind);
bool capnp_ptr_is_null(struct capnp_ptr p);

/*
 * The *_read_* forms return the error (also latched in the message); the
 * *_get_* forms return the default value on error.  `dflt` is a generated
 * default value (a segment whose word 0 is the root pointer) or NULL.
 */
enum capnp_err capnp_ptr_read_struct(struct capnp_ptr p, struct capnp_struct *out);
enum capnp_err capnp_ptr_read_list(struct capnp_ptr p, enum capnp_elem expected,
                                   struct capnp_list *out);
enum capnp_err capnp_ptr_read_text(struct capnp_ptr p, struct capnp_text *out);
enum capnp_err capnp_ptr_read_data(struct capnp_ptr p, struct capnp_data *out);
/* *out is CAPNP_NO_CAP for a null pointer. */
enum capnp_err capnp_ptr_read_cap(struct capnp_ptr p, uint32_t *out);

struct capnp_struct capnp_ptr_get_struct(struct capnp_ptr p, const struct capnp_segment *dflt);
struct capnp_list capnp_ptr_get_list(struct capnp_ptr p, enum capnp_elem expected,
                                     const struct capnp_segment *dflt);
struct capnp_text capnp_ptr_get_text(struct capnp_ptr p, const char *dflt, uint32_t dflt_len);
struct capnp_data capnp_ptr_get_data(struct capnp_ptr p, const uint8_t *dflt, uint32_t dflt_len);
uint32_t capnp_ptr_get_cap(struct capnp_ptr p);

/* ---- Reader: struct fields ---- */

static inline uint64_t capnp_load_u64(const uint8_t *p)
{
    uint64_t v;
    __builtin_memcpy(&v, p, sizeof(v));
    return v;
}

static inline uint32_t capnp_load_u32(const uint8_t *p)
{
    uint32_t v;
    __builtin_memcpy(&v, p, sizeof(v));
    return v;
}

static inline uint16_t capnp_load_u16(const uint8_t *p)
{
    uint16_t v;
    __builtin_memcpy(&v, p, sizeof(v));
    return v;
}

/*
 * Field offsets are in units of the field's own size, as the schema gives
 * them.  A field beyond the data section the sender wrote (an older, smaller
 * struct) reads as zero, which generated code then XORs with the default.
 */
static inline bool capnp_struct_get_bool(const struct capnp_struct *s, uint32_t off)
{
    if (off >= s->data_bits)
        return false;
    return (s->data[off / 8] >> (off % 8)) & 1;
}

static inline uint8_t capnp_struct_get_u8(const struct capnp_struct *s, uint32_t off)
{
    if ((uint64_t)off * 8 + 8 > s->data_bits)
        return 0;
    return s->data[off];
}

static inline uint16_t capnp_struct_get_u16(const struct capnp_struct *s, uint32_t off)
{
    if ((uint64_t)off * 16 + 16 > s->data_bits)
        return 0;
    return capnp_load_u16(s->data + (size_t)off * 2);
}

static inline uint32_t capnp_struct_get_u32(const struct capnp_struct *s, uint32_t off)
{
    if ((uint64_t)off * 32 + 32 > s->data_bits)
        return 0;
    return capnp_load_u32(s->data + (size_t)off * 4);
}

static inline uint64_t capnp_struct_get_u64(const struct capnp_struct *s, uint32_t off)
{
    if ((uint64_t)off * 64 + 64 > s->data_bits)
        return 0;
    return capnp_load_u64(s->data + (size_t)off * 8);
}

/* Pointer `i` of the struct; a null pointer if the struct has fewer. */
static inline struct capnp_ptr capnp_struct_ptr(const struct capnp_struct *s, uint32_t i)
{
    struct capnp_ptr p = {s->msg, 0, 0, s->nesting};
    if (i < s->nptrs) {
        p.seg = s->seg;
        p.idx = s->ptr_idx + i;
    }
    return p;
}

/* ---- Reader: list elements ---- */

/* An index at or beyond the length reads as the zero/null value. */
static inline uint32_t capnp_list_len(const struct capnp_list *l)
{
    return l->len;
}

bool capnp_list_get_bool(const struct capnp_list *l, uint32_t i);
uint8_t capnp_list_get_u8(const struct capnp_list *l, uint32_t i);
uint16_t capnp_list_get_u16(const struct capnp_list *l, uint32_t i);
uint32_t capnp_list_get_u32(const struct capnp_list *l, uint32_t i);
uint64_t capnp_list_get_u64(const struct capnp_list *l, uint32_t i);
/* Element i viewed as a struct (composite lists, or upgraded primitive lists). */
struct capnp_struct capnp_list_get_struct(const struct capnp_list *l, uint32_t i);
/* Pointer element i (pointer lists, or the first pointer of each struct). */
struct capnp_ptr capnp_list_ptr(const struct capnp_list *l, uint32_t i);

static inline struct capnp_list capnp_list_get_list(const struct capnp_list *l, uint32_t i,
                                                    enum capnp_elem expected)
{
    return capnp_ptr_get_list(capnp_list_ptr(l, i), expected, 0);
}

static inline struct capnp_text capnp_list_get_text(const struct capnp_list *l, uint32_t i)
{
    return capnp_ptr_get_text(capnp_list_ptr(l, i), 0, 0);
}

static inline struct capnp_data capnp_list_get_data(const struct capnp_list *l, uint32_t i)
{
    return capnp_ptr_get_data(capnp_list_ptr(l, i), 0, 0);
}

static inline uint32_t capnp_list_get_cap(const struct capnp_list *l, uint32_t i)
{
    return capnp_ptr_get_cap(capnp_list_ptr(l, i));
}

/* ---- Builder ---- */

struct capnp_builder {
    uint8_t *arena;     /* word 0: framing header; words 1..: the segment */
    uint32_t cap_words; /* arena capacity in words, header included */
    uint32_t used;      /* words in use, header included */
    enum capnp_err err; /* first error; sticky */
};

/* Handles into a message being built.  `b` is NULL for an invalid handle. */
struct capnp_ptr_builder {
    struct capnp_builder *b;
    uint32_t idx; /* word index of the pointer within the segment */
};

struct capnp_struct_builder {
    struct capnp_builder *b;
    uint32_t data_idx; /* word index of the data section within the segment */
    uint16_t data_words;
    uint16_t nptrs;
};

struct capnp_list_builder {
    struct capnp_builder *b;
    uint32_t start; /* word index of the first element within the segment */
    uint32_t len;
    uint32_t step_bits;
    uint32_t data_bits;
    uint16_t nptrs;
    uint8_t elem;
};

/*
 * Prepares `buf` (`len` bytes) as the arena.  The arena needs no alignment,
 * but an 8-byte aligned one hands back an aligned message.  Capacity is
 * capped at what a 30-bit pointer offset can reach.  The root pointer is
 * allocated here, so the arena must hold at least two words.
 */
enum capnp_err capnp_builder_init(struct capnp_builder *b, void *buf, size_t len);
enum capnp_err capnp_builder_error(const struct capnp_builder *b);
/* The segment built so far, for reading it back in-process. */
struct capnp_segment capnp_builder_segment(const struct capnp_builder *b);
/*
 * Writes the framing header and returns the serialised message, which is the
 * arena's first *len bytes.  Fails (and returns nothing) if any error was
 * latched while building.
 */
enum capnp_err capnp_builder_finish(struct capnp_builder *b, const uint8_t **out, size_t *len);

struct capnp_ptr_builder capnp_builder_root_ptr(struct capnp_builder *b);
struct capnp_struct_builder capnp_builder_init_root(struct capnp_builder *b, uint16_t data_words,
                                                    uint16_t nptrs);

/* Pointer builders: each (re)initialises the pointer it is given. */
struct capnp_struct_builder capnp_pb_init_struct(struct capnp_ptr_builder p, uint16_t data_words,
                                                 uint16_t nptrs);
/* A list of non-struct elements (CAPNP_ELEM_VOID .. CAPNP_ELEM_POINTER). */
struct capnp_list_builder capnp_pb_init_list(struct capnp_ptr_builder p, enum capnp_elem elem,
                                             uint32_t count);
/* A list of structs (inline-composite encoding). */
struct capnp_list_builder capnp_pb_init_struct_list(struct capnp_ptr_builder p, uint32_t count,
                                                    uint16_t data_words, uint16_t nptrs);
/* Text of `len` bytes (a NUL is appended); `s` may be NULL when len is 0. */
enum capnp_err capnp_pb_set_text(struct capnp_ptr_builder p, const char *s, size_t len);
enum capnp_err capnp_pb_set_data(struct capnp_ptr_builder p, const void *d, size_t len);
/* A capability pointer to cap-table entry `cap`; CAPNP_NO_CAP writes null. */
void capnp_pb_set_cap(struct capnp_ptr_builder p, uint32_t cap);
void capnp_pb_clear(struct capnp_ptr_builder p);
/*
 * Deep-copies what `src` points to (from any reader, defaults included) into
 * the builder.  Capability indices are copied as they are.  The copy is
 * charged to the source message's traversal budget like any read.
 */
enum capnp_err capnp_pb_copy(struct capnp_ptr_builder p, struct capnp_ptr src);
/* The same for an object the caller already holds a handle on. */
enum capnp_err capnp_pb_copy_struct(struct capnp_ptr_builder p, const struct capnp_struct *src);
enum capnp_err capnp_pb_copy_list(struct capnp_ptr_builder p, const struct capnp_list *src);

/* Struct builder fields; offsets as for the reader. */
void capnp_sb_set_bool(struct capnp_struct_builder s, uint32_t off, bool v);
void capnp_sb_set_u8(struct capnp_struct_builder s, uint32_t off, uint8_t v);
void capnp_sb_set_u16(struct capnp_struct_builder s, uint32_t off, uint16_t v);
void capnp_sb_set_u32(struct capnp_struct_builder s, uint32_t off, uint32_t v);
void capnp_sb_set_u64(struct capnp_struct_builder s, uint32_t off, uint64_t v);
/* Reads back a field of a struct being built (0 if out of range). */
uint64_t capnp_sb_get_bits(struct capnp_struct_builder s, uint32_t bit_off, uint32_t bits);
struct capnp_ptr_builder capnp_sb_ptr(struct capnp_struct_builder s, uint32_t i);

/* List builder elements. */
void capnp_lb_set_bool(struct capnp_list_builder l, uint32_t i, bool v);
void capnp_lb_set_u8(struct capnp_list_builder l, uint32_t i, uint8_t v);
void capnp_lb_set_u16(struct capnp_list_builder l, uint32_t i, uint16_t v);
void capnp_lb_set_u32(struct capnp_list_builder l, uint32_t i, uint32_t v);
void capnp_lb_set_u64(struct capnp_list_builder l, uint32_t i, uint64_t v);
struct capnp_struct_builder capnp_lb_struct(struct capnp_list_builder l, uint32_t i);
struct capnp_ptr_builder capnp_lb_ptr(struct capnp_list_builder l, uint32_t i);

static inline uint32_t capnp_lb_len(struct capnp_list_builder l)
{
    return l.len;
}

static inline enum capnp_err capnp_lb_set_text(struct capnp_list_builder l, uint32_t i,
                                               const char *s, size_t len)
{
    return capnp_pb_set_text(capnp_lb_ptr(l, i), s, len);
}

static inline enum capnp_err capnp_lb_set_data(struct capnp_list_builder l, uint32_t i,
                                               const void *d, size_t len)
{
    return capnp_pb_set_data(capnp_lb_ptr(l, i), d, len);
}

static inline void capnp_lb_set_cap(struct capnp_list_builder l, uint32_t i, uint32_t cap)
{
    capnp_pb_set_cap(capnp_lb_ptr(l, i), cap);
}

#endif
