/*
 * Cap'n Proto reader: stream framing, pointer resolution and list/struct
 * handles.
 *
 * Trust boundary: everything in the message is hostile.  Each handle is
 * created only after its whole extent has been checked against the segment
 * it lives in (overflow-safe, in 64-bit arithmetic) and charged against the
 * traversal budget; element and field accessors then only check indices
 * against the sizes recorded in the handle.  Far pointers are followed at
 * most two hops (pointer -> landing pad -> content) and a landing pad may not
 * be another single far pointer, so resolution itself cannot loop; cycles
 * between objects are cut by the nesting budget that every handle carries.
 */
#include "capnp/capnp.h"

#include "base/checked.h"
#include "capnp/wire.h"

static const char *const capnp_err_text[CAPNP_ERR_COUNT] = {
    [CAPNP_OK] = "ok",
    [CAPNP_ERR_TRUNCATED] = "message truncated",
    [CAPNP_ERR_SEGMENT_COUNT] = "too many segments",
    [CAPNP_ERR_TRAILING_BYTES] = "bytes after the last segment",
    [CAPNP_ERR_OUT_OF_BOUNDS] = "pointer target out of bounds",
    [CAPNP_ERR_FAR_SEGMENT] = "far pointer to a missing segment",
    [CAPNP_ERR_FAR_LANDING_PAD] = "bad far-pointer landing pad",
    [CAPNP_ERR_WRONG_KIND] = "pointer of the wrong kind",
    [CAPNP_ERR_ELEMENT_SIZE] = "list element size incompatible with its type",
    [CAPNP_ERR_COMPOSITE_TAG] = "bad inline-composite list tag",
    [CAPNP_ERR_RESERVED_POINTER] = "reserved pointer encoding",
    [CAPNP_ERR_CAP_INDEX] = "capability index out of range",
    [CAPNP_ERR_TEXT_UNTERMINATED] = "text not NUL-terminated",
    [CAPNP_ERR_TRAVERSAL_LIMIT] = "traversal limit exceeded",
    [CAPNP_ERR_NESTING_LIMIT] = "nesting limit exceeded",
    [CAPNP_ERR_NO_SPACE] = "builder arena full",
    [CAPNP_ERR_TOO_LARGE] = "size not representable in the wire format",
    [CAPNP_ERR_INVALID_ARGUMENT] = "invalid argument",
};

const char *capnp_strerror(enum capnp_err e)
{
    return checked_name(capnp_err_text, ARRAY_SIZE(capnp_err_text), (unsigned)e,
                        "unknown capnp error");
}

/* Records the first error of a message (defaults have no message). */
static enum capnp_err latch(struct capnp_reader *m, enum capnp_err e)
{
    if (m && e != CAPNP_OK && m->err == CAPNP_OK)
        m->err = e;
    return e;
}

/* Charges `words` against the traversal budget. */
static enum capnp_err charge(struct capnp_reader *m, uint64_t words)
{
    if (!m)
        return CAPNP_OK;
    if (words > m->traversal_left) {
        m->traversal_left = 0;
        return CAPNP_ERR_TRAVERSAL_LIMIT;
    }
    m->traversal_left -= words;
    return CAPNP_OK;
}

static uint64_t seg_word(const struct capnp_segment *s, uint32_t idx)
{
    return capnp_load_u64(s->data + (size_t)idx * CAPNP_WORD_BYTES);
}

/* ---- Messages ---- */

static const uint8_t empty_segment[CAPNP_WORD_BYTES];

static enum capnp_err reader_reset(struct capnp_reader *r, const struct capnp_limits *lim)
{
    r->segs = r->inline_segs;
    r->nsegs = 0;
    r->cap_count = 0;
    r->traversal_left = CAPNP_DEFAULT_TRAVERSAL_WORDS;
    r->nesting = CAPNP_DEFAULT_NESTING;
    r->err = CAPNP_OK;
    if (lim) {
        if (lim->nesting < 0)
            return latch(r, CAPNP_ERR_INVALID_ARGUMENT);
        if (lim->traversal_words)
            r->traversal_left = lim->traversal_words;
        if (lim->nesting)
            r->nesting = lim->nesting;
    }
    return CAPNP_OK;
}

enum capnp_err capnp_reader_init_table(struct capnp_reader *r, const void *buf, size_t len,
                                       const struct capnp_limits *lim, size_t *used,
                                       struct capnp_segment *table, uint32_t table_len)
{
    const uint8_t *p = buf;
    enum capnp_err e = reader_reset(r, lim);
    if (e)
        return e;
    if ((!p && len) || !table)
        return latch(r, CAPNP_ERR_INVALID_ARGUMENT);
    r->segs = table;
    /* The shortest header is the segment count plus one size. */
    if (len < 8)
        return latch(r, CAPNP_ERR_TRUNCATED);
    uint32_t count_minus_one = capnp_load_u32(p);
    if (count_minus_one >= MIN(table_len, CAPNP_MAX_SEGMENTS))
        return latch(r, CAPNP_ERR_SEGMENT_COUNT);
    uint32_t nsegs = count_minus_one + 1;
    /* 4 bytes of count, 4 per size, padded to a word: nsegs <= 511, no overflow. */
    uint64_t off = ((uint64_t)nsegs / 2 + 1) * CAPNP_WORD_BYTES;
    if (off > len)
        return latch(r, CAPNP_ERR_TRUNCATED);
    for (uint32_t i = 0; i < nsegs; i++) {
        uint32_t words = capnp_load_u32(p + 4 + 4 * (size_t)i);
        uint64_t bytes = (uint64_t)words * CAPNP_WORD_BYTES;
        if (!range_within(off, bytes, len))
            return latch(r, CAPNP_ERR_TRUNCATED);
        r->segs[i].data = p + off;
        r->segs[i].words = words;
        off += bytes;
    }
    if (used)
        *used = (size_t)off;
    else if (off != len)
        return latch(r, CAPNP_ERR_TRAILING_BYTES);
    r->nsegs = nsegs;
    return CAPNP_OK;
}

enum capnp_err capnp_reader_init_prefix(struct capnp_reader *r, const void *buf, size_t len,
                                        const struct capnp_limits *lim, size_t *used)
{
    return capnp_reader_init_table(r, buf, len, lim, used, r->inline_segs, CAPNP_INLINE_SEGMENTS);
}

enum capnp_err capnp_reader_init(struct capnp_reader *r, const void *buf, size_t len,
                                 const struct capnp_limits *lim)
{
    return capnp_reader_init_prefix(r, buf, len, lim, 0);
}

enum capnp_err capnp_reader_init_segments(struct capnp_reader *r, const struct capnp_segment *segs,
                                          uint32_t nsegs, const struct capnp_limits *lim)
{
    enum capnp_err e = reader_reset(r, lim);
    if (e)
        return e;
    if (nsegs == 0 || nsegs > CAPNP_INLINE_SEGMENTS)
        return latch(r, CAPNP_ERR_SEGMENT_COUNT);
    for (uint32_t i = 0; i < nsegs; i++) {
        if (!segs[i].data && segs[i].words)
            return latch(r, CAPNP_ERR_INVALID_ARGUMENT);
        r->segs[i] = segs[i];
        /* Even an empty segment gets a real address: handles do arithmetic on it. */
        if (!r->segs[i].data)
            r->segs[i].data = empty_segment;
    }
    r->nsegs = nsegs;
    return CAPNP_OK;
}

void capnp_reader_set_cap_count(struct capnp_reader *r, uint32_t n)
{
    r->cap_count = n;
}

enum capnp_err capnp_reader_error(const struct capnp_reader *r)
{
    return r->err;
}

struct capnp_ptr capnp_reader_root_ptr(struct capnp_reader *r)
{
    struct capnp_ptr p = {r, 0, 0, r->nesting};
    if (r->nsegs == 0)
        return p;
    if (r->segs[0].words == 0) {
        latch(r, CAPNP_ERR_OUT_OF_BOUNDS);
        return p;
    }
    p.seg = &r->segs[0];
    return p;
}

struct capnp_struct capnp_reader_root(struct capnp_reader *r)
{
    return capnp_ptr_get_struct(capnp_reader_root_ptr(r), 0);
}

/* ---- Pointer resolution ---- */

/* What a pointer designates once far pointers are followed. */
struct target {
    uint64_t word;                   /* struct, list or other pointer (or a double-far tag) */
    const struct capnp_segment *seg; /* segment holding the object */
    uint32_t at;                     /* word index of the object (struct and list only) */
};

/*
 * Reads the pointer word a handle designates; 0 (null) for an absent
 * pointer.  The index was checked when the handle was made, except for
 * handles built directly from a default segment, hence the check.
 */
static enum capnp_err ptr_word(struct capnp_ptr p, uint64_t *w)
{
    *w = 0;
    if (!p.seg)
        return CAPNP_OK;
    if (p.idx >= p.seg->words)
        return CAPNP_ERR_OUT_OF_BOUNDS;
    *w = seg_word(p.seg, p.idx);
    return CAPNP_OK;
}

/* Start of the object a near pointer at word `idx` of `s` points to. */
static enum capnp_err near_target(const struct capnp_segment *s, uint32_t idx, uint64_t w,
                                  uint32_t *at)
{
    int64_t t = (int64_t)idx + 1 + capnp_wire_offset(w);
    if (t < 0 || t > (int64_t)s->words)
        return CAPNP_ERR_OUT_OF_BOUNDS;
    *at = (uint32_t)t;
    return CAPNP_OK;
}

static enum capnp_err resolve(struct capnp_ptr p, uint64_t w, struct target *t)
{
    t->word = w;
    t->seg = p.seg;
    t->at = 0;
    if (capnp_wire_kind(w) == CAPNP_WIRE_OTHER)
        return CAPNP_OK;
    if (capnp_wire_kind(w) != CAPNP_WIRE_FAR)
        return near_target(p.seg, p.idx, w, &t->at);

    /* Default values are single-segment; a far pointer there is corrupt. */
    if (!p.msg || capnp_wire_far_segment(w) >= p.msg->nsegs)
        return CAPNP_ERR_FAR_SEGMENT;
    const struct capnp_segment *ps = &p.msg->segs[capnp_wire_far_segment(w)];
    uint32_t pad = capnp_wire_far_pad(w);
    bool dbl = capnp_wire_far_double(w);
    if (!range_within(pad, dbl ? 2 : 1, ps->words))
        return CAPNP_ERR_FAR_LANDING_PAD;
    uint64_t pw = seg_word(ps, pad);

    if (!dbl) {
        /* The pad is an ordinary pointer, relative to its own position. */
        if (capnp_wire_kind(pw) == CAPNP_WIRE_FAR)
            return CAPNP_ERR_FAR_LANDING_PAD;
        t->word = pw;
        t->seg = ps;
        if (capnp_wire_kind(pw) == CAPNP_WIRE_OTHER)
            return CAPNP_OK;
        return near_target(ps, pad, pw, &t->at);
    }

    /*
     * Double far: the pad is a single far pointer to the content and the
     * word after it a tag describing the object with a zero offset.
     */
    uint64_t tag = seg_word(ps, pad + 1);
    if (capnp_wire_kind(pw) != CAPNP_WIRE_FAR || capnp_wire_far_double(pw))
        return CAPNP_ERR_FAR_LANDING_PAD;
    if (capnp_wire_kind(tag) != CAPNP_WIRE_STRUCT && capnp_wire_kind(tag) != CAPNP_WIRE_LIST)
        return CAPNP_ERR_FAR_LANDING_PAD;
    if (capnp_wire_offset(tag) != 0)
        return CAPNP_ERR_FAR_LANDING_PAD;
    if (capnp_wire_far_segment(pw) >= p.msg->nsegs)
        return CAPNP_ERR_FAR_SEGMENT;
    t->seg = &p.msg->segs[capnp_wire_far_segment(pw)];
    t->word = tag;
    t->at = capnp_wire_far_pad(pw);
    if (t->at > t->seg->words)
        return CAPNP_ERR_OUT_OF_BOUNDS;
    return CAPNP_OK;
}

static enum capnp_err classify(struct capnp_ptr p, enum capnp_kind *kind)
{
    uint64_t w;
    struct target t;
    enum capnp_err e;
    *kind = CAPNP_KIND_INVALID;
    if ((e = ptr_word(p, &w)) != CAPNP_OK)
        return e;
    if (w == 0) {
        *kind = CAPNP_KIND_NULL;
        return CAPNP_OK;
    }
    if ((e = resolve(p, w, &t)) != CAPNP_OK)
        return e;
    switch (capnp_wire_kind(t.word)) {
    case CAPNP_WIRE_STRUCT: *kind = CAPNP_KIND_STRUCT; return CAPNP_OK;
    case CAPNP_WIRE_LIST: *kind = CAPNP_KIND_LIST; return CAPNP_OK;
    default:
        /* Only an "other" pointer whose B field is zero is a capability. */
        if ((uint32_t)t.word >> 2)
            return CAPNP_ERR_RESERVED_POINTER;
        *kind = CAPNP_KIND_CAP;
        return CAPNP_OK;
    }
}

enum capnp_kind capnp_ptr_kind(struct capnp_ptr p)
{
    enum capnp_kind k;
    classify(p, &k);
    return k;
}

enum capnp_err capnp_ptr_read_kind(struct capnp_ptr p, enum capnp_kind *kind)
{
    return latch(p.msg, classify(p, kind));
}

bool capnp_ptr_is_null(struct capnp_ptr p)
{
    uint64_t w;
    return ptr_word(p, &w) == CAPNP_OK && w == 0;
}

/* ---- Structs ---- */

/*
 * Resolves the pointer at p to a struct or list (`kind`): t->seg is NULL for
 * a null pointer, else the object's place (its extent is not checked yet).
 * Following it spends one level of p's nesting budget.
 */
static enum capnp_err resolve_object(struct capnp_ptr p, uint32_t kind, struct target *t)
{
    uint64_t w;
    enum capnp_err e;

    t->seg = 0;
    if ((e = ptr_word(p, &w)) != CAPNP_OK || w == 0)
        return e;
    if (p.nesting <= 0)
        return CAPNP_ERR_NESTING_LIMIT;
    if ((e = resolve(p, w, t)) != CAPNP_OK)
        return e;
    if (capnp_wire_kind(t->word) != kind)
        return CAPNP_ERR_WRONG_KIND;
    return CAPNP_OK;
}

static struct capnp_struct null_struct(struct capnp_reader *m)
{
    struct capnp_struct s = {m, 0, 0, 0, 0, 0, 0};
    return s;
}

static enum capnp_err read_struct(struct capnp_ptr p, struct capnp_struct *out)
{
    struct target t;
    enum capnp_err e;

    *out = null_struct(p.msg);
    if ((e = resolve_object(p, CAPNP_WIRE_STRUCT, &t)) != CAPNP_OK || !t.seg)
        return e;
    uint32_t dw = capnp_wire_struct_data(t.word);
    uint32_t np = capnp_wire_struct_ptrs(t.word);
    if (!range_within(t.at, (uint64_t)dw + np, t.seg->words))
        return CAPNP_ERR_OUT_OF_BOUNDS;
    if ((e = charge(p.msg, (uint64_t)dw + np)) != CAPNP_OK)
        return e;
    out->seg = t.seg;
    out->data = t.seg->data + (size_t)t.at * CAPNP_WORD_BYTES;
    out->data_bits = dw * 64;
    out->ptr_idx = t.at + dw;
    out->nptrs = (uint16_t)np;
    out->nesting = p.nesting - 1;
    return CAPNP_OK;
}

enum capnp_err capnp_ptr_read_struct(struct capnp_ptr p, struct capnp_struct *out)
{
    enum capnp_err e = read_struct(p, out);
    if (e)
        *out = null_struct(p.msg);
    return latch(p.msg, e);
}

/* A handle on a generated default value: word 0 of `d` is its pointer. */
static struct capnp_ptr default_ptr(const struct capnp_segment *d)
{
    struct capnp_ptr p = {0, d, 0, CAPNP_DEFAULT_NESTING};
    return p;
}

struct capnp_struct capnp_ptr_get_struct(struct capnp_ptr p, const struct capnp_segment *dflt)
{
    struct capnp_struct s;
    if (capnp_ptr_read_struct(p, &s) == CAPNP_OK && s.seg)
        return s;
    if (dflt && read_struct(default_ptr(dflt), &s) == CAPNP_OK && s.seg)
        return s;
    return null_struct(p.msg);
}

/* ---- Lists ---- */

static struct capnp_list null_list(struct capnp_reader *m)
{
    struct capnp_list l = {m, 0, 0, 0, 0, 0, 0, CAPNP_ELEM_VOID, 0};
    return l;
}

/* Whether a list of `have` data bits and pointers can be read as `expected`. */
static enum capnp_err check_elem(enum capnp_elem expected, uint32_t elem, uint32_t data_bits,
                                 uint32_t nptrs)
{
    switch (expected) {
    case CAPNP_ELEM_ANY:
    case CAPNP_ELEM_VOID: return CAPNP_OK;
    case CAPNP_ELEM_BIT:
        /* Bit lists are neither upgraded nor downgraded (reference behaviour). */
        return elem == CAPNP_ELEM_BIT ? CAPNP_OK : CAPNP_ERR_ELEMENT_SIZE;
    case CAPNP_ELEM_COMPOSITE: return elem == CAPNP_ELEM_BIT ? CAPNP_ERR_ELEMENT_SIZE : CAPNP_OK;
    case CAPNP_ELEM_POINTER: return nptrs ? CAPNP_OK : CAPNP_ERR_ELEMENT_SIZE;
    case CAPNP_ELEM_BYTE:
    case CAPNP_ELEM_TWO_BYTES:
    case CAPNP_ELEM_FOUR_BYTES:
    case CAPNP_ELEM_EIGHT_BYTES:
        if (elem == CAPNP_ELEM_BIT || data_bits < capnp_wire_elem_bits(expected))
            return CAPNP_ERR_ELEMENT_SIZE;
        return CAPNP_OK;
    }
    return CAPNP_ERR_INVALID_ARGUMENT;
}

static enum capnp_err read_list(struct capnp_ptr p, enum capnp_elem expected,
                                struct capnp_list *out)
{
    struct target t;
    enum capnp_err e;

    *out = null_list(p.msg);
    if ((unsigned)expected > CAPNP_ELEM_ANY)
        return CAPNP_ERR_INVALID_ARGUMENT;
    if ((e = resolve_object(p, CAPNP_WIRE_LIST, &t)) != CAPNP_OK || !t.seg)
        return e;

    uint32_t elem = capnp_wire_list_elem(t.word);
    uint32_t count = capnp_wire_list_count(t.word);
    struct capnp_list l = null_list(p.msg);
    l.seg = t.seg;
    l.elem = (uint8_t)elem;
    l.nesting = p.nesting - 1;

    if (elem == CAPNP_ELEM_COMPOSITE) {
        /* `count` is the word count of the elements; a tag word precedes them. */
        if (!range_within(t.at, (uint64_t)count + 1, t.seg->words))
            return CAPNP_ERR_OUT_OF_BOUNDS;
        uint64_t tag = seg_word(t.seg, t.at);
        if (capnp_wire_kind(tag) != CAPNP_WIRE_STRUCT)
            return CAPNP_ERR_COMPOSITE_TAG;
        uint32_t n = capnp_wire_tag_count(tag);
        uint32_t dw = capnp_wire_struct_data(tag);
        uint32_t np = capnp_wire_struct_ptrs(tag);
        uint64_t wpe = (uint64_t)dw + np;
        if (wpe * n > count)
            return CAPNP_ERR_COMPOSITE_TAG;
        /* Zero-sized elements cost nothing to send: charge one word each. */
        if ((e = charge(p.msg, (uint64_t)count + 1 + (wpe == 0 ? n : 0))) != CAPNP_OK)
            return e;
        if ((e = check_elem(expected, elem, dw * 64, np)) != CAPNP_OK)
            return e;
        l.start = t.at + 1;
        l.len = n;
        l.step_bits = (uint32_t)wpe * 64;
        l.data_bits = dw * 64;
        l.nptrs = (uint16_t)np;
    } else {
        uint32_t bits = capnp_wire_elem_bits(elem);
        uint32_t np = elem == CAPNP_ELEM_POINTER;
        uint64_t step = bits + 64 * np;
        uint64_t words = ((uint64_t)count * step + 63) / 64;
        if (!range_within(t.at, words, t.seg->words))
            return CAPNP_ERR_OUT_OF_BOUNDS;
        if ((e = charge(p.msg, step == 0 ? count : words)) != CAPNP_OK)
            return e;
        if ((e = check_elem(expected, elem, bits, np)) != CAPNP_OK)
            return e;
        l.start = t.at;
        l.len = count;
        l.step_bits = (uint32_t)step;
        l.data_bits = bits;
        l.nptrs = (uint16_t)np;
    }
    *out = l;
    return CAPNP_OK;
}

enum capnp_err capnp_ptr_read_list(struct capnp_ptr p, enum capnp_elem expected,
                                   struct capnp_list *out)
{
    enum capnp_err e = read_list(p, expected, out);
    if (e)
        *out = null_list(p.msg);
    return latch(p.msg, e);
}

struct capnp_list capnp_ptr_get_list(struct capnp_ptr p, enum capnp_elem expected,
                                     const struct capnp_segment *dflt)
{
    struct capnp_list l;
    if (capnp_ptr_read_list(p, expected, &l) == CAPNP_OK && l.seg)
        return l;
    if (dflt && read_list(default_ptr(dflt), expected, &l) == CAPNP_OK && l.seg)
        return l;
    return null_list(p.msg);
}

static const uint8_t *elem_addr(const struct capnp_list *l, uint32_t i)
{
    uint64_t bit = (uint64_t)i * l->step_bits;
    return l->seg->data + (size_t)l->start * CAPNP_WORD_BYTES + (size_t)(bit / 8);
}

bool capnp_list_get_bool(const struct capnp_list *l, uint32_t i)
{
    if (i >= l->len || l->data_bits < 1)
        return false;
    uint64_t bit = (uint64_t)i * l->step_bits;
    return (l->seg->data[(size_t)l->start * CAPNP_WORD_BYTES + bit / 8] >> (bit % 8)) & 1;
}

uint8_t capnp_list_get_u8(const struct capnp_list *l, uint32_t i)
{
    if (i >= l->len || l->data_bits < 8)
        return 0;
    return *elem_addr(l, i);
}

uint16_t capnp_list_get_u16(const struct capnp_list *l, uint32_t i)
{
    if (i >= l->len || l->data_bits < 16)
        return 0;
    return capnp_load_u16(elem_addr(l, i));
}

uint32_t capnp_list_get_u32(const struct capnp_list *l, uint32_t i)
{
    if (i >= l->len || l->data_bits < 32)
        return 0;
    return capnp_load_u32(elem_addr(l, i));
}

uint64_t capnp_list_get_u64(const struct capnp_list *l, uint32_t i)
{
    if (i >= l->len || l->data_bits < 64)
        return 0;
    return capnp_load_u64(elem_addr(l, i));
}

struct capnp_struct capnp_list_get_struct(const struct capnp_list *l, uint32_t i)
{
    struct capnp_struct s = null_struct(l->msg);
    if (i >= l->len)
        return s;
    /* Elements of a bit list do not start on a byte: they are not structs. */
    if (l->step_bits % 8) {
        latch(l->msg, CAPNP_ERR_ELEMENT_SIZE);
        return s;
    }
    uint64_t bit = (uint64_t)i * l->step_bits;
    s.seg = l->seg;
    s.data = elem_addr(l, i);
    s.data_bits = l->data_bits;
    s.ptr_idx = l->start + (uint32_t)((bit + l->data_bits) / 64);
    s.nptrs = l->nptrs;
    s.nesting = l->nesting;
    return s;
}

struct capnp_ptr capnp_list_ptr(const struct capnp_list *l, uint32_t i)
{
    struct capnp_ptr p = {l->msg, 0, 0, l->nesting};
    if (i >= l->len || l->nptrs == 0)
        return p;
    uint64_t bit = (uint64_t)i * l->step_bits;
    p.seg = l->seg;
    p.idx = l->start + (uint32_t)((bit + l->data_bits) / 64);
    return p;
}

/* ---- Blobs and capabilities ---- */

static enum capnp_err read_bytes(struct capnp_ptr p, struct capnp_list *l)
{
    enum capnp_err e = read_list(p, CAPNP_ELEM_ANY, l);
    if (e)
        return e;
    if (l->seg && l->elem != CAPNP_ELEM_BYTE)
        return CAPNP_ERR_ELEMENT_SIZE;
    return CAPNP_OK;
}

/*
 * Reads a Text (`text`: NUL-terminated, the NUL not counted) or Data blob.
 * A null or refused pointer gives "" of length 0; an error is latched and
 * returned.
 */
static enum capnp_err read_blob(struct capnp_ptr p, bool text, const uint8_t **data, uint32_t *len)
{
    struct capnp_list l;
    enum capnp_err e = read_bytes(p, &l);
    *data = (const uint8_t *)"";
    *len = 0;
    if (e)
        return latch(p.msg, e);
    if (!l.seg)
        return CAPNP_OK;
    const uint8_t *s = elem_addr(&l, 0);
    if (text && (l.len == 0 || s[l.len - 1] != '\0'))
        return latch(p.msg, CAPNP_ERR_TEXT_UNTERMINATED);
    *data = s;
    *len = l.len - (text ? 1 : 0);
    return CAPNP_OK;
}

/* read_blob, then the default where the pointer is null or refused. */
static void get_blob(struct capnp_ptr p, bool text, const uint8_t *dflt, uint32_t dflt_len,
                     const uint8_t **data, uint32_t *len)
{
    if (read_blob(p, text, data, len) == CAPNP_OK && !capnp_ptr_is_null(p))
        return;
    if (dflt) {
        *data = dflt;
        *len = dflt_len;
    }
}

enum capnp_err capnp_ptr_read_text(struct capnp_ptr p, struct capnp_text *out)
{
    const uint8_t *s;
    enum capnp_err e = read_blob(p, true, &s, &out->len);
    out->str = (const char *)s;
    return e;
}

struct capnp_text capnp_ptr_get_text(struct capnp_ptr p, const char *dflt, uint32_t dflt_len)
{
    struct capnp_text t;
    const uint8_t *s;
    get_blob(p, true, (const uint8_t *)dflt, dflt_len, &s, &t.len);
    t.str = (const char *)s;
    return t;
}

enum capnp_err capnp_ptr_read_data(struct capnp_ptr p, struct capnp_data *out)
{
    return read_blob(p, false, &out->ptr, &out->len);
}

struct capnp_data capnp_ptr_get_data(struct capnp_ptr p, const uint8_t *dflt, uint32_t dflt_len)
{
    struct capnp_data d;
    get_blob(p, false, dflt, dflt_len, &d.ptr, &d.len);
    return d;
}

static enum capnp_err read_cap(struct capnp_ptr p, uint32_t *out)
{
    uint64_t w;
    enum capnp_err e = ptr_word(p, &w);
    *out = CAPNP_NO_CAP;
    if (e || w == 0)
        return e;
    if (capnp_wire_kind(w) != CAPNP_WIRE_OTHER)
        return CAPNP_ERR_WRONG_KIND;
    if ((uint32_t)w >> 2)
        return CAPNP_ERR_RESERVED_POINTER;
    uint32_t idx = (uint32_t)(w >> 32);
    if (!p.msg || idx >= p.msg->cap_count)
        return CAPNP_ERR_CAP_INDEX;
    *out = idx;
    return CAPNP_OK;
}

enum capnp_err capnp_ptr_read_cap(struct capnp_ptr p, uint32_t *out)
{
    enum capnp_err e = read_cap(p, out);
    if (e)
        *out = CAPNP_NO_CAP;
    return latch(p.msg, e);
}

uint32_t capnp_ptr_get_cap(struct capnp_ptr p)
{
    uint32_t c;
    capnp_ptr_read_cap(p, &c);
    return c;
}
