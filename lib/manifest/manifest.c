/*
 * Boot manifest validator and lookups (see manifest.h for the contract and
 * docs/manifest.md for every rule and message).
 *
 * Shape of the validation.  manifest_validate() reads the message in a fixed
 * series of passes, each of which may rely on what the earlier ones proved:
 *   1. framing, root, formatVersion, and the lengths of the three global lists;
 *   2. binaries: names, uniqueness, ELF images; endpoints: names, uniqueness;
 *      init names a binary that carries the init note;
 *   3. services: names and uniqueness; then every service's exports (count,
 *      names, uniqueness), because grants in pass 4 refer to other services'
 *      exports by name;
 *   4. every service: its binary, its grants (count, names, uniqueness against
 *      each other and against its exports, source and parameters), restart
 *      policy, argv and env, recording which services it imports from;
 *   5. the import graph has no cycle.
 * A name is compared with others only after it has been checked (at most 31
 * printable bytes), so every comparison is short.
 *
 * Malformed input.  A capnp read never faults: a bad pointer reads as a
 * default (empty text, empty list) and latches the first error in the reader.
 * Such a default could look like a semantic error ("name is empty") or, for a
 * list, like valid emptiness.  So fail() reports the latched capnp error in
 * place of any semantic one, and every pass ends by checking the reader,
 * which turns any latched error into "malformed message: ...".
 *
 * Bounded work.  Every loop runs over a list whose length was checked against
 * its limit before the loop.  The three global scopes (binaries, services,
 * endpoints; at most 64 each) get a sorted index of their names, built once by
 * insertion sort, so a reference costs a binary search.  Per-service scopes
 * (grants, exports) are small and compared pairwise.  The worst case is about
 * services * grants * binaries lookups for allowedBinaries, which is the size
 * of the data itself times a logarithm.  capnp's traversal budget (which
 * counts words read, including repeats) is set high enough that no manifest
 * within the limits runs out of it: the largest manifest the default limits
 * allow reads about 2.3M words of the 64M allowed, and at the hard caps 6.5M.
 * It remains a backstop; the real bound comes from the limits.
 */
#include "manifest/manifest.h"

#include <stdarg.h>

#include "abi/note.h"
#include "abi/capset.h"
#include "abi/layout.h"
#include "base/checked.h"
#include "base/mem.h"
#include "fmt/fmt.h"

/*
 * Words the reader may visit: a fixed allowance that covers the repeated name
 * reads of the largest manifest the hard caps permit (measured: 6.5M words), plus
 * twice the message for the one-off reads of large objects (ELF images,
 * argument strings).
 */
#define MANIFEST_TRAVERSAL_BASE (64ull * 1024 * 1024)

/*
 * The passes are kept out of line so that their locals do not pile up in
 * manifest_validate()'s frame next to struct mv (kernel stacks are small).
 */
#define PASS __attribute__((noinline))

/* Characters of untrusted text shown in a message before it is cut with "...". */
#define SHOW_CHARS 48
#define SHOW_SLOTS 3

static const char *const manifest_err_text[MANIFEST_ERR_COUNT] = {
    [MANIFEST_OK] = "ok",
    [MANIFEST_ERR_ARG] = "invalid argument",
    [MANIFEST_ERR_MALFORMED] = "malformed message",
    [MANIFEST_ERR_VERSION] = "unsupported format version",
    [MANIFEST_ERR_TOO_MANY] = "list longer than its limit",
    [MANIFEST_ERR_NAME] = "invalid name",
    [MANIFEST_ERR_DUPLICATE] = "duplicate name",
    [MANIFEST_ERR_ELF] = "invalid ELF image",
    [MANIFEST_ERR_NOT_FOUND] = "reference to something that does not exist",
    [MANIFEST_ERR_GRANT] = "invalid grant",
    [MANIFEST_ERR_RESTART] = "invalid restart policy",
    [MANIFEST_ERR_ARGS] = "invalid argv or env entry",
    [MANIFEST_ERR_CYCLE] = "dependency cycle",
    [MANIFEST_ERR_NOT_INIT] = "init is not an init program",
};

const char *manifest_strerror(enum manifest_err e)
{
    return checked_name(manifest_err_text, ARRAY_SIZE(manifest_err_text), (unsigned)e,
                        "unknown manifest error");
}

struct manifest_limits manifest_default_limits(void)
{
    struct manifest_limits l = {
        .max_binaries = 64,
        .max_services = 64,
        .max_endpoints = 64,
        .max_grants = 32,
        .max_exports = 16,
        .max_argv = 64,
        .max_env = 64,
        .max_arg_len = 1024,
        .max_name_len = MANIFEST_NAME_MAX,
        .max_restarts = 1000,
        .max_backoff_ms = 60000,
        .max_memory_limit = 1ull << 30,
        .elf = {.va_min = CAPOS_USER_MIN, .va_max = CAPOS_USER_MAX, .max_total = 1ull << 30},
    };
    return l;
}

struct manifest_limits manifest_boot_limits(void)
{
    struct manifest_limits l = manifest_default_limits();
    l.elf.va_min = CAPOS_USER_MIN;
    l.elf.va_max = CAPOS_USER_MAP_MAX;
    l.elf.max_total = MANIFEST_BOOT_IMAGE_BYTES;
    return l;
}

/* ---- Text ---- */

static bool text_eq(struct capnp_text a, const char *b, size_t blen)
{
    return a.len == blen && memcmp(a.str, b, blen) == 0;
}

/* A total order on byte strings: bytewise, then shorter first. */
static int text_cmp(struct capnp_text a, const char *b, size_t blen)
{
    size_t n = a.len < blen ? a.len : blen;
    int c = n ? memcmp(a.str, b, n) : 0;
    if (c)
        return c;
    return a.len < blen ? -1 : a.len > blen ? 1 : 0;
}

/* ---- The global name scopes ---- */

/* The three global lists, read once; lengths as found on the wire. */
struct view {
    capos_Binary_reader_list bins;
    capos_Service_reader_list svcs;
    struct capnp_list eps;
    uint32_t nbins;
    uint32_t nsvcs;
    uint32_t neps;
};

enum scope { SCOPE_BINARY, SCOPE_SERVICE, SCOPE_ENDPOINT };

static void view_read(struct view *w, capos_SystemManifest_reader root)
{
    w->bins = capos_SystemManifest_get_binaries(root);
    w->svcs = capos_SystemManifest_get_services(root);
    w->eps = capos_SystemManifest_get_endpoints(root);
    w->nbins = capos_Binary_list_len(w->bins);
    w->nsvcs = capos_Service_list_len(w->svcs);
    w->neps = capnp_list_len(&w->eps);
}

static struct capnp_text scope_name(const struct view *w, enum scope sc, uint32_t i)
{
    switch (sc) {
    case SCOPE_BINARY: return capos_Binary_get_name(capos_Binary_list_get(w->bins, i));
    case SCOPE_SERVICE: return capos_Service_get_name(capos_Service_list_get(w->svcs, i));
    case SCOPE_ENDPOINT: break;
    }
    return capnp_list_get_text(&w->eps, i);
}

/*
 * Entry indices of one global scope sorted by name (stable, so equal names
 * end up adjacent with the lower index first).  The caps keep n <= 64.
 */
struct name_index {
    uint8_t at[MANIFEST_MAX_SERVICES];
    uint32_t n;
    enum scope sc;
};

_Static_assert(MANIFEST_MAX_BINARIES <= MANIFEST_MAX_SERVICES &&
                   MANIFEST_MAX_ENDPOINTS <= MANIFEST_MAX_SERVICES && MANIFEST_MAX_SERVICES <= 64,
               "name_index and the 64-bit masks hold at most 64 entries per scope");

/* Insertion sort: n <= 64, so at most ~2k comparisons, each of short names. */
static void index_build(struct name_index *x, const struct view *w, enum scope sc, uint32_t n)
{
    x->n = n;
    x->sc = sc;
    for (uint32_t i = 0; i < n; i++) {
        struct capnp_text key = scope_name(w, sc, i);
        uint32_t j = i;
        while (j > 0 && text_cmp(scope_name(w, sc, x->at[j - 1]), key.str, key.len) > 0) {
            x->at[j] = x->at[j - 1];
            j--;
        }
        x->at[j] = (uint8_t)i;
    }
}

/* The entry named (s, len), or -1. */
static int32_t index_find(const struct name_index *x, const struct view *w, const char *s,
                          size_t len)
{
    uint32_t lo = 0, hi = x->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = text_cmp(scope_name(w, x->sc, x->at[mid]), s, len);
        if (c == 0)
            return x->at[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/*
 * The first pair of entries with equal names, in sorted order: true with
 * *a < *b if there is one.
 */
static bool index_duplicate(const struct name_index *x, const struct view *w, uint32_t *a,
                            uint32_t *b)
{
    for (uint32_t k = 1; k < x->n; k++) {
        struct capnp_text t = scope_name(w, x->sc, x->at[k]);
        if (text_eq(scope_name(w, x->sc, x->at[k - 1]), t.str, t.len)) {
            *a = x->at[k - 1];
            *b = x->at[k];
            return true;
        }
    }
    return false;
}

/* ---- Reader set-up ---- */

static enum capnp_err open_reader(struct capnp_reader *rd, const void *buf, size_t len)
{
    struct capnp_limits cl = {0, 0};
    uint64_t twice = ((uint64_t)len / CAPNP_WORD_BYTES) * 2; /* len / 8 * 2 cannot overflow */
    if (!checked_add_u64(MANIFEST_TRAVERSAL_BASE, twice, &cl.traversal_words))
        cl.traversal_words = UINT64_MAX;
    return capnp_reader_init(rd, buf, len, &cl);
}

/* ---- Validation state and error reporting ---- */

struct mv {
    struct capnp_reader rd;
    const struct manifest_limits *lim;
    char *why;
    size_t why_len;
    capos_SystemManifest_reader root;
    struct view w;
    struct name_index bin_ix, svc_ix, ep_ix;
    /* deps[i] bit j: service i imports an export of service j. */
    uint64_t deps[MANIFEST_MAX_SERVICES];
    struct manifest_summary sum;
    char svc_where[SHOW_CHARS + 16]; /* service "NAME" */
    char where[2 * SHOW_CHARS + 32]; /* service "NAME": grant "NAME", or a list label */
    char shown[SHOW_SLOTS][SHOW_CHARS + 4];
    struct elf_info elf;
};

/*
 * Renders untrusted text for a message in slot `slot`: printable ASCII other
 * than '"' and '\' as is, anything else as \xNN, cut with "..." after
 * SHOW_CHARS characters.  The result is always printable and single-line.
 */
static const char *show(struct mv *v, unsigned slot, struct capnp_text t)
{
    static const char hex[] = "0123456789abcdef";
    char *out = v->shown[slot];
    size_t o = 0;
    for (uint32_t i = 0; i < t.len; i++) {
        unsigned char c = (unsigned char)t.str[i];
        bool plain = c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
        size_t need = plain ? 1 : 4;
        if (o + need > SHOW_CHARS) {
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        if (plain) {
            out[o++] = (char)c;
        } else {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
    return out;
}

static enum manifest_err say(struct mv *v, enum manifest_err e, const char *fmt, va_list ap)
{
    if (v->why_len)
        fmt_vsnprintf(v->why, v->why_len, fmt, ap);
    return e;
}

static enum manifest_err sayf(struct mv *v, enum manifest_err e, const char *fmt, ...)
    PRINTF_LIKE(3, 4);
static enum manifest_err sayf(struct mv *v, enum manifest_err e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(v, e, fmt, ap);
    va_end(ap);
    return e;
}

static enum manifest_err malformed(struct mv *v, enum capnp_err ce)
{
    return sayf(v, MANIFEST_ERR_MALFORMED, "malformed message: %s", capnp_strerror(ce));
}

/* The reader's latched error as a manifest error, or MANIFEST_OK. */
static enum manifest_err reader_ok(struct mv *v)
{
    enum capnp_err ce = capnp_reader_error(&v->rd);
    return ce == CAPNP_OK ? MANIFEST_OK : malformed(v, ce);
}

/*
 * Reports a semantic error, unless a capnp error is latched: then the values
 * that led here may be defaults standing in for unreadable data, and the
 * malformed message is the true reason.
 */
static enum manifest_err fail(struct mv *v, enum manifest_err e, const char *fmt, ...)
    PRINTF_LIKE(3, 4);
static enum manifest_err fail(struct mv *v, enum manifest_err e, const char *fmt, ...)
{
    va_list ap;
    if (capnp_reader_error(&v->rd) != CAPNP_OK)
        return reader_ok(v);
    va_start(ap, fmt);
    say(v, e, fmt, ap);
    va_end(ap);
    return e;
}

/* ---- Checks shared by every scope ---- */

/*
 * A name: 1..max_name_len bytes of printable ASCII other than space and '/'
 * (names become CapSet keys and fixed-size fields, and '/' is kept free for
 * paths).  `label` says which entry, e.g. "binary #2".
 */
static enum manifest_err check_name(struct mv *v, const char *label, struct capnp_text t)
{
    if (t.len == 0)
        return fail(v, MANIFEST_ERR_NAME, "%s: name is empty", label);
    if (t.len > v->lim->max_name_len)
        return fail(v, MANIFEST_ERR_NAME, "%s: name \"%s\" is %u bytes (limit %u)", label,
                    show(v, 0, t), t.len, v->lim->max_name_len);
    for (uint32_t i = 0; i < t.len; i++) {
        unsigned char c = (unsigned char)t.str[i];
        if (c == ' ')
            return fail(v, MANIFEST_ERR_NAME, "%s: name \"%s\" contains a space at offset %u",
                        label, show(v, 0, t), i);
        if (c == '/')
            return fail(v, MANIFEST_ERR_NAME, "%s: name \"%s\" contains '/' at offset %u", label,
                        show(v, 0, t), i);
        if (c < 0x21 || c > 0x7e)
            return fail(v, MANIFEST_ERR_NAME, "%s: name \"%s\" contains byte 0x%02x at offset %u",
                        label, show(v, 0, t), c, i);
    }
    return MANIFEST_OK;
}

static enum manifest_err check_count(struct mv *v, const char *what, uint32_t n, uint32_t limit)
{
    if (n > limit)
        return fail(v, MANIFEST_ERR_TOO_MANY, "%stoo many %s: %u (limit %u)", v->where, what, n,
                    limit);
    return MANIFEST_OK;
}

/* Names of one global scope, then their uniqueness. */
PASS static enum manifest_err check_scope(struct mv *v, struct name_index *x, enum scope sc,
                                          uint32_t n)
{
    static const char *const kind[] = {"binary", "service", "endpoint"};
    static const char *const twice[] = {"is defined twice", "is defined twice", "is listed twice"};
    enum manifest_err e;
    uint32_t a, b;
    char label[32];

    for (uint32_t i = 0; i < n; i++) {
        fmt_snprintf(label, sizeof(label), "%s #%u", kind[sc], i);
        if ((e = check_name(v, label, scope_name(&v->w, sc, i))) != MANIFEST_OK)
            return e;
    }
    index_build(x, &v->w, sc, n);
    if (index_duplicate(x, &v->w, &a, &b))
        return fail(v, MANIFEST_ERR_DUPLICATE, "%s \"%s\" %s (#%u and #%u)", kind[sc],
                    show(v, 0, scope_name(&v->w, sc, a)), twice[sc], a, b);
    return reader_ok(v);
}

/* ---- Binaries and init ---- */

PASS static enum manifest_err check_binaries(struct mv *v)
{
    enum manifest_err e;
    if ((e = check_scope(v, &v->bin_ix, SCOPE_BINARY, v->w.nbins)) != MANIFEST_OK)
        return e;
    for (uint32_t i = 0; i < v->w.nbins; i++) {
        capos_Binary_reader b = capos_Binary_list_get(v->w.bins, i);
        struct capnp_data d = capos_Binary_get_elf(b);
        const char *name = show(v, 0, capos_Binary_get_name(b));
        if ((e = reader_ok(v)) != MANIFEST_OK)
            return e;
        if (d.len == 0)
            return fail(v, MANIFEST_ERR_ELF, "binary \"%s\": elf is empty", name);
        enum elf_err ee = elf_parse(d.ptr, d.len, &v->lim->elf, &v->elf);
        if (ee != ELF_OK && v->elf.err_phdr != ELF_PHDR_NONE)
            return fail(v, MANIFEST_ERR_ELF, "binary \"%s\": bad ELF: %s (program header %d)", name,
                        elf_strerror(ee), (int)v->elf.err_phdr);
        if (ee != ELF_OK)
            return fail(v, MANIFEST_ERR_ELF, "binary \"%s\": bad ELF: %s", name, elf_strerror(ee));
        v->sum.elf_bytes += d.len;
        for (uint32_t s = 0; s < v->elf.nsegs; s++) {
            const struct elf_segment *g = &v->elf.segs[s];
            if (!(g->flags & ELF_PF_W))
                v->sum.ro_pages += (ALIGN_UP(g->vaddr + g->memsz, ELF_PAGE_SIZE) -
                                    ALIGN_DOWN(g->vaddr, ELF_PAGE_SIZE)) /
                                   ELF_PAGE_SIZE;
        }
    }
    return MANIFEST_OK;
}

/* init names a binary, and that binary declares itself an init program with
 * the capOS init note (lib/abi/note.h): any other program started as init
 * would be the system's only process. */
PASS static enum manifest_err check_init(struct mv *v)
{
    struct capnp_text t = capos_SystemManifest_get_init(v->root);
    int32_t i = index_find(&v->bin_ix, &v->w, t.str, t.len);
    enum manifest_err e;
    if (i < 0)
        return fail(v, MANIFEST_ERR_NOT_FOUND, "init \"%s\" is not a binary", show(v, 0, t));
    struct capnp_data d = capos_Binary_get_elf(capos_Binary_list_get(v->w.bins, (uint32_t)i));
    if ((e = reader_ok(v)) != MANIFEST_OK)
        return e;
    if (!elf_has_note(d.ptr, d.len, CAPOS_NOTE_OWNER, CAPOS_NOTE_INIT))
        return fail(v, MANIFEST_ERR_NOT_INIT,
                    "init \"%s\" is not an init program (its ELF has no capOS init note)",
                    show(v, 0, t));
    return reader_ok(v);
}

/* ---- Services, pass 1: names and exports ---- */

static void set_svc_where(struct mv *v, capos_Service_reader s)
{
    fmt_snprintf(v->svc_where, sizeof(v->svc_where), "service \"%s\"",
                 show(v, 2, capos_Service_get_name(s)));
}

/*
 * The name of CapSet entry #k of the current service (`kind`: "grant" or
 * "export"): a valid name, and not one the kernel adds itself
 * (CAPOS_CAPSET_THREAD, the first thread's ThreadControl).
 */
static enum manifest_err check_capset_name(struct mv *v, const char *kind, uint32_t k,
                                           struct capnp_text t)
{
    char label[sizeof(v->svc_where) + 24];
    enum manifest_err e;

    fmt_snprintf(label, sizeof(label), "%s: %s #%u", v->svc_where, kind, k);
    if ((e = check_name(v, label, t)) != MANIFEST_OK)
        return e;
    if (text_eq(t, CAPOS_CAPSET_THREAD, sizeof(CAPOS_CAPSET_THREAD) - 1))
        return fail(v, MANIFEST_ERR_NAME,
                    "%s: the name \"thread\" is reserved (the kernel adds the first thread's "
                    "ThreadControl under it)",
                    label);
    return MANIFEST_OK;
}

static enum manifest_err check_exports(struct mv *v, capos_Service_reader s)
{
    capos_Export_reader_list xs = capos_Service_get_exports(s);
    uint32_t n = capos_Export_list_len(xs);
    enum manifest_err e;

    fmt_snprintf(v->where, sizeof(v->where), "%s: ", v->svc_where);
    if ((e = check_count(v, "exports", n, v->lim->max_exports)) != MANIFEST_OK)
        return e;
    for (uint32_t k = 0; k < n; k++) {
        struct capnp_text t = capos_Export_get_name(capos_Export_list_get(xs, k));
        if ((e = check_capset_name(v, "export", k, t)) != MANIFEST_OK)
            return e;
        /* At most 16 exports by default: pairwise comparison is cheap. */
        for (uint32_t j = 0; j < k; j++) {
            if (text_eq(capos_Export_get_name(capos_Export_list_get(xs, j)), t.str, t.len))
                return fail(v, MANIFEST_ERR_DUPLICATE,
                            "%s: export \"%s\" is defined twice (#%u and #%u)", v->svc_where,
                            show(v, 0, t), j, k);
        }
    }
    v->sum.exports += n;
    return reader_ok(v);
}

PASS static enum manifest_err check_services_pass1(struct mv *v)
{
    enum manifest_err e;
    if ((e = check_scope(v, &v->svc_ix, SCOPE_SERVICE, v->w.nsvcs)) != MANIFEST_OK)
        return e;
    for (uint32_t i = 0; i < v->w.nsvcs; i++) {
        capos_Service_reader s = capos_Service_list_get(v->w.svcs, i);
        set_svc_where(v, s);
        if ((e = check_exports(v, s)) != MANIFEST_OK)
            return e;
    }
    return MANIFEST_OK;
}

/* ---- Services, pass 2: grants ---- */

static enum manifest_err check_allowed(struct mv *v, struct capnp_list ab)
{
    uint32_t n = capnp_list_len(&ab);
    uint64_t seen = 0; /* binary indices already listed; nbins <= 64 */
    enum manifest_err e;

    if ((e = check_count(v, "allowedBinaries", n, v->lim->max_binaries)) != MANIFEST_OK)
        return e;
    for (uint32_t k = 0; k < n; k++) {
        struct capnp_text t = capnp_list_get_text(&ab, k);
        int32_t j = index_find(&v->bin_ix, &v->w, t.str, t.len);
        if (j < 0)
            return fail(v, MANIFEST_ERR_NOT_FOUND, "%sallowedBinaries #%u \"%s\" is not a binary",
                        v->where, k, show(v, 0, t));
        if (seen & (1ull << j))
            return fail(v, MANIFEST_ERR_DUPLICATE, "%sallowedBinaries lists \"%s\" twice", v->where,
                        show(v, 0, t));
        seen |= 1ull << j;
    }
    return MANIFEST_OK;
}

static enum manifest_err check_kernel_cap(struct mv *v, capos_KernelCap_reader kc)
{
    uint32_t kind = (uint32_t)capos_KernelCap_get_kind(kc);
    uint64_t mem = capos_KernelCap_get_memoryLimit(kc);
    struct capnp_list ab = capos_KernelCap_get_allowedBinaries(kc);
    const struct manifest_limits *l = v->lim;

    /* An enumerant from a newer schema: we cannot know what it grants. */
    if (kind >= capos_KernelCapKind_COUNT)
        return fail(v, MANIFEST_ERR_GRANT, "%sunknown kernel capability kind %u", v->where, kind);
    uint32_t port = (uint32_t)capos_KernelCap_get_port(kc);
    if (port >= capos_ConsolePort_COUNT)
        return fail(v, MANIFEST_ERR_GRANT, "%sunknown console port %u", v->where, port);
    if (port != capos_ConsolePort_com1 && kind != capos_KernelCapKind_console)
        return fail(v, MANIFEST_ERR_GRANT, "%sport is only valid for kind console", v->where);
    if (mem != 0 && kind != capos_KernelCapKind_virtualMemory)
        return fail(v, MANIFEST_ERR_GRANT, "%smemoryLimit is only valid for kind virtualMemory",
                    v->where);
    if (mem > l->max_memory_limit)
        return fail(v, MANIFEST_ERR_GRANT, "%smemoryLimit %llu exceeds the ceiling %llu", v->where,
                    (unsigned long long)mem, (unsigned long long)l->max_memory_limit);
    if (mem % MANIFEST_PAGE_SIZE)
        return fail(v, MANIFEST_ERR_GRANT, "%smemoryLimit %llu is not a multiple of %u", v->where,
                    (unsigned long long)mem, MANIFEST_PAGE_SIZE);
    if (capos_KernelCap_get_writeOnly(kc) && kind != capos_KernelCapKind_console)
        return fail(v, MANIFEST_ERR_GRANT, "%swriteOnly is only valid for kind console", v->where);
    if ((capos_KernelCap_get_maxWeight(kc) != 0 || capos_KernelCap_get_latency(kc)) &&
        kind != capos_KernelCapKind_schedulingPolicy)
        return fail(v, MANIFEST_ERR_GRANT,
                    "%smaxWeight and latency are only valid for kind schedulingPolicy", v->where);
    if (capos_KernelCap_get_maxWeight(kc) > MANIFEST_MAX_WEIGHT)
        return fail(v, MANIFEST_ERR_GRANT, "%smaxWeight %u exceeds %u", v->where,
                    (unsigned)capos_KernelCap_get_maxWeight(kc), MANIFEST_MAX_WEIGHT);
    /* An empty list means "no restriction" and is as good as no list at all. */
    if (capnp_list_len(&ab) == 0)
        return reader_ok(v);
    if (kind != capos_KernelCapKind_processSpawner)
        return fail(v, MANIFEST_ERR_GRANT,
                    "%sallowedBinaries is only valid for kind "
                    "processSpawner",
                    v->where);
    return check_allowed(v, ab);
}

static enum manifest_err check_export_ref(struct mv *v, uint32_t self, capos_ExportRef_reader er)
{
    struct capnp_text st = capos_ExportRef_get_service(er);
    struct capnp_text xt = capos_ExportRef_get_export(er);
    int32_t j = index_find(&v->svc_ix, &v->w, st.str, st.len);

    if (j < 0)
        return fail(v, MANIFEST_ERR_NOT_FOUND, "%sservice \"%s\" does not exist", v->where,
                    show(v, 0, st));
    /* A service cannot be started after itself. */
    if ((uint32_t)j == self)
        return fail(v, MANIFEST_ERR_GRANT, "%simports export \"%s\" of its own service", v->where,
                    show(v, 0, xt));
    /* Pass 1 checked this list's length and names. */
    capos_Export_reader_list xs = capos_Service_get_exports(capos_Service_list_get(v->w.svcs, j));
    uint32_t n = capos_Export_list_len(xs);
    for (uint32_t k = 0; k < n; k++) {
        if (text_eq(capos_Export_get_name(capos_Export_list_get(xs, k)), xt.str, xt.len)) {
            v->deps[self] |= 1ull << j;
            return reader_ok(v);
        }
    }
    return fail(v, MANIFEST_ERR_NOT_FOUND, "%sexport \"%s\" of service \"%s\" does not exist",
                v->where, show(v, 0, xt), show(v, 1, st));
}

static enum manifest_err check_endpoint_ref(struct mv *v, capos_EndpointRef_reader ep)
{
    struct capnp_text t = capos_EndpointRef_get_name(ep);
    uint32_t role = (uint32_t)capos_EndpointRef_get_role(ep);
    uint64_t badge = capos_EndpointRef_get_badge(ep);

    if (index_find(&v->ep_ix, &v->w, t.str, t.len) < 0)
        return fail(v, MANIFEST_ERR_NOT_FOUND, "%sendpoint \"%s\" is not in the endpoints list",
                    v->where, show(v, 0, t));
    if (role > capos_EndpointRole_server)
        return fail(v, MANIFEST_ERR_GRANT, "%sunknown endpoint role %u", v->where, role);
    /* The server facet receives every client's badge; it has none of its own. */
    if (role == capos_EndpointRole_server && badge != 0)
        return fail(v, MANIFEST_ERR_GRANT,
                    "%sserver role with badge %llu (only client grants carry a badge)", v->where,
                    (unsigned long long)badge);
    return reader_ok(v);
}

static enum manifest_err check_grant(struct mv *v, uint32_t self, capos_Grant_reader g)
{
    capos_Grant_source_reader src = capos_Grant_get_source(g);
    uint32_t which = (uint32_t)capos_Grant_source_which(src);

    fmt_snprintf(v->where, sizeof(v->where), "%s: grant \"%s\": ", v->svc_where,
                 show(v, 0, capos_Grant_get_name(g)));
    /*
     * Exactly one member of a union is active (the tag says which), but an
     * unset union reads as its first member with a null pointer: a grant
     * written without a source must not become a console.
     */
    switch (which) {
    case capos_Grant_source_which_kernel:
        if (!capos_Grant_source_has_kernel(src))
            break;
        return check_kernel_cap(v, capos_Grant_source_get_kernel(src));
    case capos_Grant_source_which_export:
        if (!capos_Grant_source_has_export(src))
            break;
        return check_export_ref(v, self, capos_Grant_source_get_export(src));
    case capos_Grant_source_which_endpoint:
        if (!capos_Grant_source_has_endpoint(src))
            break;
        return check_endpoint_ref(v, capos_Grant_source_get_endpoint(src));
    default: return fail(v, MANIFEST_ERR_GRANT, "%sunknown source (union tag %u)", v->where, which);
    }
    return fail(v, MANIFEST_ERR_GRANT, "%ssource is not set", v->where);
}

static enum manifest_err check_grants(struct mv *v, uint32_t self, capos_Service_reader s)
{
    capos_Grant_reader_list gs = capos_Service_get_grants(s);
    capos_Export_reader_list xs = capos_Service_get_exports(s);
    uint32_t n = capos_Grant_list_len(gs), nx = capos_Export_list_len(xs);
    enum manifest_err e;

    fmt_snprintf(v->where, sizeof(v->where), "%s: ", v->svc_where);
    if ((e = check_count(v, "grants", n, v->lim->max_grants)) != MANIFEST_OK)
        return e;
    /*
     * Grants and exports share the service's CapSet, so their names must be
     * unique together.  At most 32 grants and 16 exports by default.
     */
    for (uint32_t k = 0; k < n; k++) {
        struct capnp_text t = capos_Grant_get_name(capos_Grant_list_get(gs, k));
        if ((e = check_capset_name(v, "grant", k, t)) != MANIFEST_OK)
            return e;
        for (uint32_t j = 0; j < k; j++) {
            if (text_eq(capos_Grant_get_name(capos_Grant_list_get(gs, j)), t.str, t.len))
                return fail(v, MANIFEST_ERR_DUPLICATE,
                            "%s: grant \"%s\" is defined twice (#%u and #%u)", v->svc_where,
                            show(v, 0, t), j, k);
        }
        for (uint32_t j = 0; j < nx; j++) {
            if (text_eq(capos_Export_get_name(capos_Export_list_get(xs, j)), t.str, t.len))
                return fail(v, MANIFEST_ERR_DUPLICATE,
                            "%s: name \"%s\" is both grant #%u and export #%u", v->svc_where,
                            show(v, 0, t), k, j);
        }
    }
    for (uint32_t k = 0; k < n; k++) {
        if ((e = check_grant(v, self, capos_Grant_list_get(gs, k))) != MANIFEST_OK)
            return e;
    }
    v->sum.grants += n;
    return reader_ok(v);
}

/* ---- Services, pass 2: restart policy, argv, env ---- */

static enum manifest_err check_restart(struct mv *v, capos_RestartPolicy_reader rp)
{
    uint32_t mode = (uint32_t)capos_RestartPolicy_get_mode(rp);
    uint32_t maxr = capos_RestartPolicy_get_maxRestarts(rp);
    uint32_t backoff = capos_RestartPolicy_get_backoffMs(rp);
    const struct manifest_limits *l = v->lim;
    const char *w = v->svc_where;

    if (mode > capos_RestartMode_always)
        return fail(v, MANIFEST_ERR_RESTART, "%s: restart: unknown mode %u", w, mode);
    if (maxr > l->max_restarts)
        return fail(v, MANIFEST_ERR_RESTART, "%s: restart: maxRestarts %u exceeds the ceiling %u",
                    w, maxr, l->max_restarts);
    if (backoff > l->max_backoff_ms)
        return fail(v, MANIFEST_ERR_RESTART, "%s: restart: backoffMs %u exceeds the ceiling %u", w,
                    backoff, l->max_backoff_ms);
    /* Numbers that could never take effect are a mistake in the manifest. */
    if (mode == capos_RestartMode_never && maxr != 0)
        return fail(v, MANIFEST_ERR_RESTART, "%s: restart: mode never with maxRestarts %u", w,
                    maxr);
    if (mode == capos_RestartMode_never && backoff != 0)
        return fail(v, MANIFEST_ERR_RESTART, "%s: restart: mode never with backoffMs %u", w,
                    backoff);
    return reader_ok(v);
}

/*
 * argv or env (`is_env`): a bounded number of bounded strings without NUL
 * bytes (they become C strings in the new process); env entries are KEY=value
 * with a non-empty KEY.
 */
static enum manifest_err check_strings(struct mv *v, struct capnp_list l, bool is_env)
{
    const char *what = is_env ? "env" : "argv";
    uint32_t n = capnp_list_len(&l);
    uint32_t limit = is_env ? v->lim->max_env : v->lim->max_argv;
    enum manifest_err e;

    fmt_snprintf(v->where, sizeof(v->where), "%s: ", v->svc_where);
    if ((e = check_count(v, is_env ? "env entries" : "argv entries", n, limit)) != MANIFEST_OK)
        return e;
    for (uint32_t k = 0; k < n; k++) {
        struct capnp_text t = capnp_list_get_text(&l, k);
        uint32_t eq = t.len;
        if (t.len > v->lim->max_arg_len)
            return fail(v, MANIFEST_ERR_ARGS, "%s: %s #%u is %u bytes (limit %u)", v->svc_where,
                        what, k, t.len, v->lim->max_arg_len);
        for (uint32_t i = 0; i < t.len; i++) {
            if (t.str[i] == '\0')
                return fail(v, MANIFEST_ERR_ARGS, "%s: %s #%u contains a NUL byte at offset %u",
                            v->svc_where, what, k, i);
            if (t.str[i] == '=' && eq == t.len)
                eq = i;
        }
        if (is_env && eq == t.len)
            return fail(v, MANIFEST_ERR_ARGS, "%s: env #%u \"%s\" has no '='", v->svc_where, k,
                        show(v, 0, t));
        if (is_env && eq == 0)
            return fail(v, MANIFEST_ERR_ARGS, "%s: env #%u \"%s\" has an empty key", v->svc_where,
                        k, show(v, 0, t));
    }
    return reader_ok(v);
}

PASS static enum manifest_err check_services_pass2(struct mv *v)
{
    enum manifest_err e;
    for (uint32_t i = 0; i < v->w.nsvcs; i++) {
        capos_Service_reader s = capos_Service_list_get(v->w.svcs, i);
        struct capnp_text bt = capos_Service_get_binary(s);
        set_svc_where(v, s);
        if (index_find(&v->bin_ix, &v->w, bt.str, bt.len) < 0)
            return fail(v, MANIFEST_ERR_NOT_FOUND, "%s: binary \"%s\" does not exist", v->svc_where,
                        show(v, 0, bt));
        if ((e = check_grants(v, i, s)) != MANIFEST_OK)
            return e;
        if ((e = check_restart(v, capos_Service_get_restart(s))) != MANIFEST_OK)
            return e;
        if ((e = check_strings(v, capos_Service_get_argv(s), false)) != MANIFEST_OK)
            return e;
        if ((e = check_strings(v, capos_Service_get_env(s), true)) != MANIFEST_OK)
            return e;
    }
    return MANIFEST_OK;
}

/* ---- The import graph ---- */

/* Appends to `why` after *pos, keeping it NUL-terminated and within why_len. */
static void append(struct mv *v, size_t *pos, const char *fmt, ...) PRINTF_LIKE(3, 4);
static void append(struct mv *v, size_t *pos, const char *fmt, ...)
{
    va_list ap;
    if (*pos + 1 >= v->why_len)
        return;
    va_start(ap, fmt);
    int n = fmt_vsnprintf(v->why + *pos, v->why_len - *pos, fmt, ap);
    va_end(ap);
    if (n > 0)
        *pos += (size_t)n < v->why_len - *pos - 1 ? (size_t)n : v->why_len - *pos - 1;
}

/* "dependency cycle: a -> b -> a" for path[0] imports path[1] ... imports path[0]. */
static enum manifest_err report_cycle(struct mv *v, const uint8_t *path, uint32_t len)
{
    enum manifest_err e;
    size_t pos = 0;
    if ((e = reader_ok(v)) != MANIFEST_OK)
        return e;
    append(v, &pos, "dependency cycle: ");
    for (uint32_t k = 0; k < len; k++)
        append(v, &pos, "%s -> ", show(v, 0, scope_name(&v->w, SCOPE_SERVICE, path[k])));
    append(v, &pos, "%s", show(v, 0, scope_name(&v->w, SCOPE_SERVICE, path[0])));
    return MANIFEST_ERR_CYCLE;
}

/*
 * Depth-first search with an explicit stack (depth <= number of services).
 * A service is white (unvisited), grey (on the stack) or black (done); an
 * edge to a grey service closes a cycle, which is the stack from that
 * service upwards.  next[u] is the first dependency of u not yet followed,
 * so each edge is taken once: the work is services^2 bit tests.
 */
PASS static enum manifest_err check_cycles(struct mv *v)
{
    enum { WHITE, GREY, BLACK };
    uint8_t color[MANIFEST_MAX_SERVICES] = {0};
    uint8_t next[MANIFEST_MAX_SERVICES] = {0};
    uint8_t stack[MANIFEST_MAX_SERVICES];
    uint32_t n = v->w.nsvcs;

    for (uint32_t root = 0; root < n; root++) {
        uint32_t sp = 0;
        if (color[root] != WHITE)
            continue;
        color[root] = GREY;
        stack[sp++] = (uint8_t)root;
        while (sp > 0) {
            uint32_t u = stack[sp - 1];
            uint64_t rest = next[u] < 64 ? v->deps[u] >> next[u] : 0;
            if (rest == 0) {
                color[u] = BLACK;
                sp--;
                continue;
            }
            uint32_t t = next[u] + (uint32_t)__builtin_ctzll(rest);
            next[u] = (uint8_t)(t + 1);
            if (color[t] == WHITE) {
                color[t] = GREY;
                stack[sp++] = (uint8_t)t;
            } else if (color[t] == GREY) {
                uint32_t from = 0;
                while (stack[from] != t)
                    from++;
                return report_cycle(v, stack + from, sp - from);
            }
        }
    }
    return MANIFEST_OK;
}

/* ---- Entry points ---- */

static enum manifest_err check_limits(struct mv *v)
{
    const struct manifest_limits *l = v->lim;
    if (l->max_binaries > MANIFEST_MAX_BINARIES || l->max_services > MANIFEST_MAX_SERVICES ||
        l->max_endpoints > MANIFEST_MAX_ENDPOINTS || l->max_grants > MANIFEST_MAX_GRANTS ||
        l->max_exports > MANIFEST_MAX_EXPORTS)
        return sayf(v, MANIFEST_ERR_ARG, "invalid limits: a count above its hard cap");
    if (l->max_name_len == 0 || l->max_name_len > MANIFEST_NAME_MAX)
        return sayf(v, MANIFEST_ERR_ARG, "invalid limits: max_name_len must be 1..%u",
                    MANIFEST_NAME_MAX);
    /* elf_parse() would refuse these too, but blame the binary instead of the caller. */
    if (!IS_ALIGNED(l->elf.va_min, ELF_PAGE_SIZE) || !IS_ALIGNED(l->elf.va_max, ELF_PAGE_SIZE) ||
        l->elf.va_min >= l->elf.va_max)
        return sayf(v, MANIFEST_ERR_ARG, "invalid limits: bad ELF address range");
    return MANIFEST_OK;
}

enum manifest_err manifest_validate(const void *buf, size_t len, const struct manifest_limits *lim,
                                    struct manifest_summary *sum, char *why, size_t why_len)
{
    struct mv v;
    struct manifest_limits dflt;
    enum manifest_err e;
    enum capnp_err ce;

    memset(&v, 0, sizeof(v));
    v.why = why;
    v.why_len = why ? why_len : 0;
    if (v.why_len)
        why[0] = '\0';
    if (!lim) {
        dflt = manifest_default_limits();
        lim = &dflt;
    }
    v.lim = lim;
    if ((e = check_limits(&v)) != MANIFEST_OK)
        return e;

    if ((ce = open_reader(&v.rd, buf, len)) != CAPNP_OK)
        return malformed(&v, ce);
    v.root = capos_SystemManifest_read_root(&v.rd);
    /* Read only so that a bad pointer there is caught like any other. */
    (void)capos_SystemManifest_get_name(v.root);
    if ((e = reader_ok(&v)) != MANIFEST_OK)
        return e;
    uint32_t version = capos_SystemManifest_get_formatVersion(v.root);
    if (version != MANIFEST_FORMAT_VERSION)
        return fail(&v, MANIFEST_ERR_VERSION, "formatVersion is %u, expected %u", version,
                    MANIFEST_FORMAT_VERSION);

    /* Every later loop is bounded by these three checks. */
    view_read(&v.w, v.root);
    if ((e = reader_ok(&v)) != MANIFEST_OK)
        return e;
    if ((e = check_count(&v, "binaries", v.w.nbins, lim->max_binaries)) != MANIFEST_OK ||
        (e = check_count(&v, "services", v.w.nsvcs, lim->max_services)) != MANIFEST_OK ||
        (e = check_count(&v, "endpoints", v.w.neps, lim->max_endpoints)) != MANIFEST_OK)
        return e;

    if ((e = check_binaries(&v)) != MANIFEST_OK ||
        (e = check_scope(&v, &v.ep_ix, SCOPE_ENDPOINT, v.w.neps)) != MANIFEST_OK ||
        (e = check_init(&v)) != MANIFEST_OK || (e = check_services_pass1(&v)) != MANIFEST_OK ||
        (e = check_services_pass2(&v)) != MANIFEST_OK || (e = check_cycles(&v)) != MANIFEST_OK ||
        (e = reader_ok(&v)) != MANIFEST_OK)
        return e;

    v.sum.binaries = v.w.nbins;
    v.sum.services = v.w.nsvcs;
    v.sum.endpoints = v.w.neps;
    if (sum)
        *sum = v.sum;
    return MANIFEST_OK;
}

/* ---- Queries ---- */

/* A fresh reader over the same bytes: full budget, no latched error. */
static enum manifest_err reopen(struct manifest *m)
{
    enum capnp_err ce = open_reader(&m->rd, m->buf, m->len);
    if (ce == CAPNP_OK) {
        m->root = capos_SystemManifest_read_root(&m->rd);
        ce = capnp_reader_error(&m->rd);
    }
    if (ce != CAPNP_OK) {
        m->root.s = capnp_struct_null();
        return MANIFEST_ERR_MALFORMED;
    }
    return MANIFEST_OK;
}

enum manifest_err manifest_open(struct manifest *m, const void *buf, size_t len)
{
    if (!m)
        return MANIFEST_ERR_ARG;
    m->buf = buf;
    m->len = len;
    return reopen(m);
}

bool manifest_find_binary(struct manifest *m, const char *name, size_t len, const uint8_t **elf,
                          size_t *elf_len)
{
    struct view w;
    if (!m || !name || len == 0 || reopen(m) != MANIFEST_OK)
        return false;
    view_read(&w, m->root);
    if (w.nbins > MANIFEST_MAX_BINARIES)
        return false;
    for (uint32_t i = 0; i < w.nbins; i++) {
        capos_Binary_reader b = capos_Binary_list_get(w.bins, i);
        if (!text_eq(capos_Binary_get_name(b), name, len))
            continue;
        struct capnp_data d = capos_Binary_get_elf(b);
        if (capnp_reader_error(&m->rd) != CAPNP_OK)
            return false;
        *elf = d.ptr;
        *elf_len = d.len;
        return true;
    }
    return false;
}

bool manifest_find_service(struct manifest *m, const char *name, size_t len, uint32_t *index)
{
    struct view w;
    if (!m || !name || len == 0 || reopen(m) != MANIFEST_OK)
        return false;
    view_read(&w, m->root);
    if (w.nsvcs > MANIFEST_MAX_SERVICES)
        return false;
    for (uint32_t i = 0; i < w.nsvcs; i++) {
        if (text_eq(scope_name(&w, SCOPE_SERVICE, i), name, len)) {
            if (capnp_reader_error(&m->rd) != CAPNP_OK)
                return false;
            *index = i;
            return true;
        }
    }
    return false;
}

enum manifest_err manifest_start_order(struct manifest *m, uint32_t *order, uint32_t max,
                                       uint32_t *count)
{
    struct view w;
    struct name_index ix;
    uint64_t deps[MANIFEST_MAX_SERVICES] = {0};
    uint64_t placed = 0;

    if (!m || !count)
        return MANIFEST_ERR_ARG;
    *count = 0;
    if (reopen(m) != MANIFEST_OK)
        return MANIFEST_ERR_MALFORMED;
    view_read(&w, m->root);
    uint32_t n = w.nsvcs;
    if (n > MANIFEST_MAX_SERVICES)
        return MANIFEST_ERR_TOO_MANY;
    if (n > max || (n && !order))
        return MANIFEST_ERR_ARG;

    /* The same edges validation recorded: service i imports from service j. */
    index_build(&ix, &w, SCOPE_SERVICE, n);
    for (uint32_t i = 0; i < n; i++) {
        capos_Grant_reader_list gs = capos_Service_get_grants(capos_Service_list_get(w.svcs, i));
        uint32_t ng = capos_Grant_list_len(gs);
        if (ng > MANIFEST_MAX_GRANTS)
            return MANIFEST_ERR_TOO_MANY;
        for (uint32_t k = 0; k < ng; k++) {
            capos_Grant_source_reader src = capos_Grant_get_source(capos_Grant_list_get(gs, k));
            if (!capos_Grant_source_has_export(src))
                continue;
            struct capnp_text st = capos_ExportRef_get_service(capos_Grant_source_get_export(src));
            int32_t j = index_find(&ix, &w, st.str, st.len);
            if (j >= 0 && (uint32_t)j != i)
                deps[i] |= 1ull << j;
        }
    }
    if (capnp_reader_error(&m->rd) != CAPNP_OK)
        return MANIFEST_ERR_MALFORMED;

    /* Kahn's algorithm, lowest ready index first: n rounds of at most n probes. */
    for (uint32_t c = 0; c < n; c++) {
        uint32_t i = 0;
        while (i < n && (((placed >> i) & 1) || (deps[i] & ~placed) != 0))
            i++;
        if (i == n)
            return MANIFEST_ERR_CYCLE;
        order[c] = i;
        placed |= 1ull << i;
    }
    *count = n;
    return MANIFEST_OK;
}
