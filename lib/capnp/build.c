/*
 * Cap'n Proto builder: lays out a single-segment message in a fixed arena.
 *
 * Invariants: words [0, used) of the arena are in use, word 0 is reserved
 * for the stream framing header and word 1 (segment word 0) is the root
 * pointer.  Allocation only bumps `used` after checking it against the
 * capacity, and zeroes what it hands out, so every handle designates words
 * that exist and every field starts at its zero (default) value.  Handles
 * carry segment word indices, never raw pointers, and every write checks its
 * index against the handle's recorded size.  The capacity is capped so that
 * any two words of the segment are within reach of a 30-bit pointer offset.
 * After the first error the builder refuses further allocation; finishing
 * reports the error instead of producing a message.
 */
#include "capnp/capnp.h"

#include "base/checked.h"
#include "base/mem.h"
#include "capnp/wire.h"

/* Segment words are limited to 2^29 - 1, so offsets fit in 30 signed bits. */
#define BUILDER_MAX_WORDS (1u << 29)

static enum capnp_err blatch(struct capnp_builder *b, enum capnp_err e)
{
    if (b && e != CAPNP_OK && b->err == CAPNP_OK)
        b->err = e;
    return e;
}

static uint8_t *seg_at(const struct capnp_builder *b, uint32_t idx)
{
    return b->arena + ((size_t)idx + 1) * CAPNP_WORD_BYTES;
}

static void store_u64(uint8_t *p, uint64_t v)
{
    __builtin_memcpy(p, &v, sizeof(v));
}

enum capnp_err capnp_builder_init(struct capnp_builder *b, void *buf, size_t len)
{
    b->arena = buf;
    b->cap_words = 0;
    b->used = 0;
    b->err = CAPNP_OK;
    if (!buf)
        return blatch(b, CAPNP_ERR_INVALID_ARGUMENT);
    size_t words = len / CAPNP_WORD_BYTES;
    if (words > BUILDER_MAX_WORDS)
        words = BUILDER_MAX_WORDS;
    if (words < 2)
        return blatch(b, CAPNP_ERR_NO_SPACE);
    b->cap_words = (uint32_t)words;
    b->used = 2;
    memset(b->arena, 0, 2 * CAPNP_WORD_BYTES);
    return CAPNP_OK;
}

enum capnp_err capnp_builder_error(const struct capnp_builder *b)
{
    return b->err;
}

struct capnp_segment capnp_builder_segment(const struct capnp_builder *b)
{
    struct capnp_segment s = {0, 0};
    if (b->used >= 1) {
        s.data = b->arena + CAPNP_WORD_BYTES;
        s.words = b->used - 1;
    }
    return s;
}

enum capnp_err capnp_builder_finish(struct capnp_builder *b, const uint8_t **out, size_t *len)
{
    *out = 0;
    *len = 0;
    if (b->err)
        return b->err;
    if (b->used < 2)
        return blatch(b, CAPNP_ERR_INVALID_ARGUMENT);
    uint32_t hdr[2] = {0, b->used - 1}; /* one segment (count - 1 = 0), its size */
    __builtin_memcpy(b->arena, hdr, sizeof(hdr));
    *out = b->arena;
    *len = (size_t)b->used * CAPNP_WORD_BYTES;
    return CAPNP_OK;
}

/* Allocates `n` zeroed words; returns their segment index in *idx. */
static bool alloc(struct capnp_builder *b, uint64_t n, uint32_t *idx)
{
    if (b->err)
        return false;
    if (n > (uint64_t)(b->cap_words - b->used)) {
        blatch(b, CAPNP_ERR_NO_SPACE);
        return false;
    }
    *idx = b->used - 1;
    memset(b->arena + (size_t)b->used * CAPNP_WORD_BYTES, 0, (size_t)n * CAPNP_WORD_BYTES);
    b->used += (uint32_t)n;
    return true;
}

/* Offset from the end of the pointer at `from` to the object at `to`. */
static int32_t rel(uint32_t from, uint32_t to)
{
    return (int32_t)((int64_t)to - (int64_t)from - 1);
}

static bool pb_ok(struct capnp_ptr_builder p)
{
    return p.b && !p.b->err && p.idx < p.b->used - 1;
}

/* The error to report for a handle pb_ok() refused. */
static enum capnp_err pb_error(struct capnp_ptr_builder p)
{
    if (!p.b)
        return CAPNP_ERR_INVALID_ARGUMENT;
    if (p.b->err)
        return p.b->err;
    return blatch(p.b, CAPNP_ERR_INVALID_ARGUMENT);
}

struct capnp_ptr_builder capnp_builder_root_ptr(struct capnp_builder *b)
{
    struct capnp_ptr_builder p = {0, 0};
    if (b->used >= 2)
        p.b = b;
    return p;
}

struct capnp_struct_builder capnp_builder_init_root(struct capnp_builder *b, uint16_t data_words,
                                                    uint16_t nptrs)
{
    return capnp_pb_init_struct(capnp_builder_root_ptr(b), data_words, nptrs);
}

struct capnp_struct_builder capnp_pb_init_struct(struct capnp_ptr_builder p, uint16_t data_words,
                                                 uint16_t nptrs)
{
    struct capnp_struct_builder s = {0, 0, 0, 0};
    uint32_t at;
    if (!pb_ok(p) || !alloc(p.b, (uint64_t)data_words + nptrs, &at))
        return s;
    /*
     * A zero-sized struct placed right after its pointer would encode as
     * all-zero, i.e. null; point it at the pointer itself instead.
     */
    int32_t off = (data_words + nptrs) ? rel(p.idx, at) : -1;
    store_u64(seg_at(p.b, p.idx), capnp_wire_make_struct(off, data_words, nptrs));
    s.b = p.b;
    s.data_idx = at;
    s.data_words = data_words;
    s.nptrs = nptrs;
    return s;
}

struct capnp_list_builder capnp_pb_init_list(struct capnp_ptr_builder p, enum capnp_elem elem,
                                             uint32_t count)
{
    struct capnp_list_builder l = {0, 0, 0, 0, 0, 0, 0};
    uint32_t at;
    if (!pb_ok(p))
        return l;
    if ((unsigned)elem > CAPNP_ELEM_POINTER) {
        blatch(p.b, CAPNP_ERR_INVALID_ARGUMENT);
        return l;
    }
    if (count > CAPNP_MAX_LIST_ELEMENTS) {
        blatch(p.b, CAPNP_ERR_TOO_LARGE);
        return l;
    }
    uint32_t bits = capnp_wire_elem_bits(elem);
    uint32_t np = elem == CAPNP_ELEM_POINTER;
    uint32_t step = bits + 64 * np;
    if (!alloc(p.b, ((uint64_t)count * step + 63) / 64, &at))
        return l;
    store_u64(seg_at(p.b, p.idx), capnp_wire_make_list(rel(p.idx, at), elem, count));
    l.b = p.b;
    l.start = at;
    l.len = count;
    l.step_bits = step;
    l.data_bits = bits;
    l.nptrs = (uint16_t)np;
    l.elem = (uint8_t)elem;
    return l;
}

struct capnp_list_builder capnp_pb_init_struct_list(struct capnp_ptr_builder p, uint32_t count,
                                                    uint16_t data_words, uint16_t nptrs)
{
    struct capnp_list_builder l = {0, 0, 0, 0, 0, 0, 0};
    uint32_t at;
    if (!pb_ok(p))
        return l;
    uint64_t wpe = (uint64_t)data_words + nptrs;
    uint64_t words = wpe * count;
    if (count > CAPNP_MAX_LIST_ELEMENTS || words > CAPNP_MAX_LIST_ELEMENTS) {
        blatch(p.b, CAPNP_ERR_TOO_LARGE);
        return l;
    }
    if (!alloc(p.b, words + 1, &at))
        return l;
    store_u64(seg_at(p.b, at), capnp_wire_make_tag(count, data_words, nptrs));
    store_u64(seg_at(p.b, p.idx),
              capnp_wire_make_list(rel(p.idx, at), CAPNP_ELEM_COMPOSITE, (uint32_t)words));
    l.b = p.b;
    l.start = at + 1;
    l.len = count;
    l.step_bits = (uint32_t)wpe * 64;
    l.data_bits = (uint32_t)data_words * 64;
    l.nptrs = nptrs;
    l.elem = CAPNP_ELEM_COMPOSITE;
    return l;
}

static enum capnp_err set_bytes(struct capnp_ptr_builder p, const void *src, size_t len, bool nul)
{
    if (!pb_ok(p))
        return pb_error(p);
    if (!src && len)
        return blatch(p.b, CAPNP_ERR_INVALID_ARGUMENT);
    if (len > CAPNP_MAX_LIST_ELEMENTS - (nul ? 1 : 0))
        return blatch(p.b, CAPNP_ERR_TOO_LARGE);
    struct capnp_list_builder l = capnp_pb_init_list(p, CAPNP_ELEM_BYTE, (uint32_t)len + nul);
    if (!l.b)
        return p.b->err;
    if (len)
        memcpy(seg_at(p.b, l.start), src, len);
    return CAPNP_OK;
}

enum capnp_err capnp_pb_set_text(struct capnp_ptr_builder p, const char *s, size_t len)
{
    return set_bytes(p, s, len, true);
}

enum capnp_err capnp_pb_set_data(struct capnp_ptr_builder p, const void *d, size_t len)
{
    return set_bytes(p, d, len, false);
}

void capnp_pb_set_cap(struct capnp_ptr_builder p, uint32_t cap)
{
    if (pb_ok(p))
        store_u64(seg_at(p.b, p.idx), cap == CAPNP_NO_CAP ? 0 : capnp_wire_make_cap(cap));
}

void capnp_pb_clear(struct capnp_ptr_builder p)
{
    if (pb_ok(p))
        store_u64(seg_at(p.b, p.idx), 0);
}

/* ---- Struct and list fields ---- */

/* Address of `bits` bits at bit offset `off` of the struct's data, or NULL. */
static uint8_t *sb_field(struct capnp_struct_builder s, uint64_t off, uint32_t bits)
{
    if (!s.b)
        return 0;
    if (off * bits + bits > (uint64_t)s.data_words * 64) {
        blatch(s.b, CAPNP_ERR_INVALID_ARGUMENT);
        return 0;
    }
    return seg_at(s.b, s.data_idx) + (size_t)(off * bits / 8);
}

/*
 * Stores the low `bits` bits of v at p: for a bool, bit `bit` of *p; else
 * bits / 8 bytes, little-endian like the wire.  p is NULL where the handle
 * refused the access (the error is latched already).
 */
static void put_bits(uint8_t *p, uint32_t bit, uint32_t bits, uint64_t v)
{
    if (!p)
        return;
    if (bits == 1)
        *p = (uint8_t)((*p & ~(1u << bit)) | ((unsigned)(v & 1) << bit));
    else
        __builtin_memcpy(p, &v, bits / 8);
}

void capnp_sb_set_bool(struct capnp_struct_builder s, uint32_t off, bool v)
{
    put_bits(sb_field(s, off, 1), off % 8, 1, v);
}

void capnp_sb_set_u8(struct capnp_struct_builder s, uint32_t off, uint8_t v)
{
    put_bits(sb_field(s, off, 8), 0, 8, v);
}

void capnp_sb_set_u16(struct capnp_struct_builder s, uint32_t off, uint16_t v)
{
    put_bits(sb_field(s, off, 16), 0, 16, v);
}

void capnp_sb_set_u32(struct capnp_struct_builder s, uint32_t off, uint32_t v)
{
    put_bits(sb_field(s, off, 32), 0, 32, v);
}

void capnp_sb_set_u64(struct capnp_struct_builder s, uint32_t off, uint64_t v)
{
    put_bits(sb_field(s, off, 64), 0, 64, v);
}

uint64_t capnp_sb_get_bits(struct capnp_struct_builder s, uint32_t bit_off, uint32_t bits)
{
    uint64_t v = 0;
    if (!s.b || (bits != 1 && bits != 8 && bits != 16 && bits != 32 && bits != 64) ||
        bit_off % bits || (uint64_t)bit_off + bits > (uint64_t)s.data_words * 64)
        return 0;
    const uint8_t *p = seg_at(s.b, s.data_idx) + bit_off / 8;
    if (bits == 1)
        return (*p >> (bit_off % 8)) & 1;
    __builtin_memcpy(&v, p, bits / 8);
    return v;
}

struct capnp_ptr_builder capnp_sb_ptr(struct capnp_struct_builder s, uint32_t i)
{
    struct capnp_ptr_builder p = {0, 0};
    if (!s.b)
        return p;
    if (i >= s.nptrs) {
        blatch(s.b, CAPNP_ERR_INVALID_ARGUMENT);
        return p;
    }
    p.b = s.b;
    p.idx = s.data_idx + s.data_words + i;
    return p;
}

/* Address of element i's data (needing `bits` data bits), or NULL. */
static uint8_t *lb_elem(struct capnp_list_builder l, uint32_t i, uint32_t bits)
{
    if (!l.b)
        return 0;
    if (i >= l.len || l.data_bits < bits) {
        blatch(l.b, CAPNP_ERR_INVALID_ARGUMENT);
        return 0;
    }
    return seg_at(l.b, l.start) + (size_t)((uint64_t)i * l.step_bits / 8);
}

void capnp_lb_set_bool(struct capnp_list_builder l, uint32_t i, bool v)
{
    put_bits(lb_elem(l, i, 1), (uint32_t)(((uint64_t)i * l.step_bits) % 8), 1, v);
}

void capnp_lb_set_u8(struct capnp_list_builder l, uint32_t i, uint8_t v)
{
    put_bits(lb_elem(l, i, 8), 0, 8, v);
}

void capnp_lb_set_u16(struct capnp_list_builder l, uint32_t i, uint16_t v)
{
    put_bits(lb_elem(l, i, 16), 0, 16, v);
}

void capnp_lb_set_u32(struct capnp_list_builder l, uint32_t i, uint32_t v)
{
    put_bits(lb_elem(l, i, 32), 0, 32, v);
}

void capnp_lb_set_u64(struct capnp_list_builder l, uint32_t i, uint64_t v)
{
    put_bits(lb_elem(l, i, 64), 0, 64, v);
}

struct capnp_struct_builder capnp_lb_struct(struct capnp_list_builder l, uint32_t i)
{
    struct capnp_struct_builder s = {0, 0, 0, 0};
    if (!l.b)
        return s;
    if (i >= l.len || l.elem != CAPNP_ELEM_COMPOSITE) {
        blatch(l.b, CAPNP_ERR_INVALID_ARGUMENT);
        return s;
    }
    s.b = l.b;
    s.data_idx = l.start + (uint32_t)((uint64_t)i * l.step_bits / 64);
    s.data_words = (uint16_t)(l.data_bits / 64);
    s.nptrs = l.nptrs;
    return s;
}

struct capnp_ptr_builder capnp_lb_ptr(struct capnp_list_builder l, uint32_t i)
{
    struct capnp_ptr_builder p = {0, 0};
    if (!l.b)
        return p;
    if (i >= l.len || l.nptrs == 0) {
        blatch(l.b, CAPNP_ERR_INVALID_ARGUMENT);
        return p;
    }
    p.b = l.b;
    p.idx = l.start + (uint32_t)(((uint64_t)i * l.step_bits + l.data_bits) / 64);
    return p;
}

/* ---- Deep copy ---- */

static enum capnp_err copy_ptr(struct capnp_ptr_builder dst, struct capnp_ptr src);

static enum capnp_err copy_struct_body(struct capnp_struct_builder d, const struct capnp_struct *s)
{
    if (!d.b)
        return CAPNP_ERR_NO_SPACE;
    /*
     * Struct data is whole words, or 1..4 bytes for an element of a
     * primitive list read as a struct (bit lists never become structs).
     */
    if (s->data_bits)
        memcpy(seg_at(d.b, d.data_idx), s->data, s->data_bits / 8);
    for (uint32_t i = 0; i < s->nptrs; i++) {
        enum capnp_err e = copy_ptr(capnp_sb_ptr(d, i), capnp_struct_ptr(s, i));
        if (e)
            return e;
    }
    return CAPNP_OK;
}

static enum capnp_err copy_list(struct capnp_ptr_builder dst, const struct capnp_list *l)
{
    struct capnp_list_builder d;
    enum capnp_err e;
    if (l->elem == CAPNP_ELEM_COMPOSITE) {
        d = capnp_pb_init_struct_list(dst, l->len, (uint16_t)(l->data_bits / 64), l->nptrs);
        if (!d.b)
            return dst.b->err;
        for (uint32_t i = 0; i < l->len; i++) {
            struct capnp_struct s = capnp_list_get_struct(l, i);
            if ((e = copy_struct_body(capnp_lb_struct(d, i), &s)) != CAPNP_OK)
                return e;
        }
        return CAPNP_OK;
    }
    d = capnp_pb_init_list(dst, (enum capnp_elem)l->elem, l->len);
    if (!d.b)
        return dst.b->err;
    if (l->elem == CAPNP_ELEM_POINTER) {
        for (uint32_t i = 0; i < l->len; i++)
            if ((e = copy_ptr(capnp_lb_ptr(d, i), capnp_list_ptr(l, i))) != CAPNP_OK)
                return e;
        return CAPNP_OK;
    }
    size_t bytes = (size_t)(((uint64_t)l->len * l->step_bits + 7) / 8);
    if (bytes)
        memcpy(seg_at(d.b, d.start), l->seg->data + (size_t)l->start * CAPNP_WORD_BYTES, bytes);
    return CAPNP_OK;
}

static enum capnp_err copy_ptr(struct capnp_ptr_builder dst, struct capnp_ptr src)
{
    enum capnp_err e;
    enum capnp_kind kind;
    if (!pb_ok(dst))
        return pb_error(dst);
    if ((e = capnp_ptr_read_kind(src, &kind)) != CAPNP_OK)
        return e;
    switch (kind) {
    case CAPNP_KIND_NULL: capnp_pb_clear(dst); return CAPNP_OK;
    case CAPNP_KIND_STRUCT: {
        struct capnp_struct s;
        if ((e = capnp_ptr_read_struct(src, &s)) != CAPNP_OK)
            return e;
        return capnp_pb_copy_struct(dst, &s);
    }
    case CAPNP_KIND_LIST: {
        struct capnp_list l;
        if ((e = capnp_ptr_read_list(src, CAPNP_ELEM_ANY, &l)) != CAPNP_OK)
            return e;
        return copy_list(dst, &l);
    }
    case CAPNP_KIND_CAP: {
        uint32_t c;
        if ((e = capnp_ptr_read_cap(src, &c)) != CAPNP_OK)
            return e;
        capnp_pb_set_cap(dst, c);
        return CAPNP_OK;
    }
    default: return CAPNP_ERR_WRONG_KIND;
    }
}

enum capnp_err capnp_pb_copy(struct capnp_ptr_builder p, struct capnp_ptr src)
{
    enum capnp_err e = copy_ptr(p, src);
    if (e && p.b)
        blatch(p.b, e);
    return e;
}

enum capnp_err capnp_pb_copy_struct(struct capnp_ptr_builder p, const struct capnp_struct *src)
{
    enum capnp_err e;
    if (!pb_ok(p))
        return pb_error(p);
    if (!src->seg) {
        capnp_pb_clear(p);
        return CAPNP_OK;
    }
    uint16_t dw = (uint16_t)((src->data_bits + 63) / 64);
    e = copy_struct_body(capnp_pb_init_struct(p, dw, src->nptrs), src);
    return e ? blatch(p.b, e) : CAPNP_OK;
}

enum capnp_err capnp_pb_copy_list(struct capnp_ptr_builder p, const struct capnp_list *src)
{
    enum capnp_err e;
    if (!pb_ok(p))
        return pb_error(p);
    if (!src->seg) {
        capnp_pb_clear(p);
        return CAPNP_OK;
    }
    e = copy_list(p, src);
    return e ? blatch(p.b, e) : CAPNP_OK;
}
