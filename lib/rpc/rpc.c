/*
 * The schema-independent half of the generated RPC layer (see rpc.h):
 * opening and closing a decode, the strictness and capability checks, and
 * the naming of details.  Nothing here trusts the message: every check is
 * made against the reader's bounds-checked handles.  The client stubs'
 * plumbing, which needs a transport, is in user/rt/rpc.c.
 */
#include "rpc/rpc.h"

#include "base/mem.h"

int capos_rpc_refuse(struct capos_rpc_call *rc, uint32_t field)
{
    rc->detail = CAPOS_RPC_DETAIL(CAPOS_DETAIL_PARAMS, field);
    return CAPOS_ERR_INVALID_ARGUMENT;
}

/* An empty message: one segment of one word holding a null root pointer. */
static const uint64_t rpc_empty[2] = {0x0000000100000000ULL, 0};

bool capos_rpc_open(struct capos_rpc_dec *d, struct capnp_reader *r, const void *msg, uint32_t len,
                    uint32_t ncaps, bool strict, struct capnp_struct *root)
{
    /* Four words of reading per word sent: enough to read every object of
     * a message once even in the worst framing, and a bound on the work a
     * list of zero-sized elements (charged a word each) can cause. */
    struct capnp_limits lim = {.traversal_words = (uint64_t)len / 2 + 64, .nesting = 0};
    d->r = r;
    d->caps_seen = 0;
    d->ncaps = ncaps;
    d->fail = 0;
    d->strict = strict;
    /* More capabilities than the bitmap tracks cannot all be named. */
    if (ncaps > 64)
        return false;
    if (len == 0) {
        /* No message: every field at its default, nothing to read (the
         * reader exists for the views, which all read as null). */
        capnp_reader_init(r, rpc_empty, sizeof(rpc_empty), &lim);
        capnp_reader_set_cap_count(r, ncaps);
        *root = capnp_struct_null();
        return true;
    }
    if (capnp_reader_init(r, msg, len, &lim) != CAPNP_OK)
        return false;
    capnp_reader_set_cap_count(r, ncaps);
    *root = capnp_reader_root(r);
    return capos_rpc_ok(d);
}

bool capos_rpc_known(const struct capos_rpc_dec *d, const struct capnp_struct *s,
                     const uint64_t *known, uint32_t words, uint32_t ptrs)
{
    if (!d->strict)
        return true;
    /* data_bits is a multiple of 8 (a whole struct section, or one
     * upgraded list element); compare byte by byte past the last word. */
    uint32_t bytes = s->data_bits / 8;
    for (uint32_t i = 0; i < bytes; i += 8) {
        uint64_t w = 0;
        memcpy(&w, s->data + i, bytes - i < 8 ? bytes - i : 8);
        if (w & ~(i / 8 < words ? known[i / 8] : 0))
            return false;
    }
    for (uint32_t i = ptrs; i < s->nptrs; i++) {
        if (!capnp_ptr_is_null(capnp_struct_ptr(s, i)))
            return false;
    }
    return true;
}

bool capos_rpc_cap(struct capos_rpc_dec *d, uint32_t index, bool required)
{
    if (index == CAPNP_NO_CAP)
        return !required;
    /* The reader refused indices at or beyond ncaps (latched). */
    if (index >= d->ncaps || (d->caps_seen >> index) & 1)
        return false;
    d->caps_seen |= 1ULL << index;
    return true;
}

bool capos_rpc_close(struct capos_rpc_dec *d)
{
    uint64_t all = d->ncaps == 64 ? ~0ULL : (1ULL << d->ncaps) - 1;
    if (d->caps_seen != all)
        return capos_rpc_fail(d, 0);
    d->r->traversal_left = CAPNP_DEFAULT_TRAVERSAL_WORDS;
    return true;
}

/* ---- names ---- */

/* Appends s to buf[*at..len), keeping room for the NUL. */
static void put(char *buf, size_t len, size_t *at, const char *s)
{
    while (*s && *at + 1 < len)
        buf[(*at)++] = *s++;
}

static const char *field_name(const struct capos_rpc_field *f, uint16_t n, uint32_t path)
{
    for (uint16_t i = 0; i < n; i++) {
        if (f[i].path == path)
            return f[i].name;
    }
    return 0;
}

const char *capos_rpc_detail_format(char *buf, size_t len, uint32_t detail, uint64_t interface_id,
                                    uint16_t method, const struct capos_rpc_method_names *tab,
                                    size_t ntab)
{
    static const char *const kinds[] = {"none", "submission", "params", "results"};
    uint32_t kind = CAPOS_RPC_DETAIL_KIND(detail), value = CAPOS_RPC_DETAIL_VALUE(detail);
    size_t at = 0;
    if (!len)
        return buf;
    put(buf, len, &at, kind < sizeof(kinds) / sizeof(kinds[0]) ? kinds[kind] : "?");
    if (kind == CAPOS_DETAIL_SUBMISSION) {
        const char *n = capos_SubmissionError_name(value);
        put(buf, len, &at, ".");
        put(buf, len, &at, n ? n : "?");
    } else if (kind == CAPOS_DETAIL_PARAMS || kind == CAPOS_DETAIL_RESULTS) {
        const struct capos_rpc_method_names *m = 0;
        for (size_t i = 0; i < ntab && !m; i++) {
            if (tab[i].interface_id == interface_id && tab[i].method == method)
                m = &tab[i];
        }
        const struct capos_rpc_field *f = !m                            ? 0
                                          : kind == CAPOS_DETAIL_PARAMS ? m->params
                                                                        : m->results;
        uint16_t n = !m ? 0 : kind == CAPOS_DETAIL_PARAMS ? m->nparams : m->nresults;
        /* The known prefix of the path, then an unknown field if any. */
        unsigned level = 0;
        while (level < CAPOS_RPC_PATH_LEVELS && ((value >> (8 * level)) & 0xff) != 0 &&
               ((value >> (8 * level)) & 0xff) != CAPOS_RPC_UNKNOWN_FIELD)
            level++;
        uint32_t prefix = level ? value & (0xffffffu >> (8 * (CAPOS_RPC_PATH_LEVELS - level))) : 0;
        bool unknown = level < CAPOS_RPC_PATH_LEVELS &&
                       ((value >> (8 * level)) & 0xff) == CAPOS_RPC_UNKNOWN_FIELD;
        put(buf, len, &at, ".");
        if (value == 0) {
            put(buf, len, &at, "(message)");
        } else if (prefix && !field_name(f, n, prefix)) {
            put(buf, len, &at, "?");
        } else {
            if (prefix)
                put(buf, len, &at, field_name(f, n, prefix));
            if (unknown)
                put(buf, len, &at, prefix ? ".(unknown field)" : "(unknown field)");
        }
    }
    buf[at] = 0;
    return buf;
}
