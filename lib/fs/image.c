/*
 * Tree images (image.h): one checking pass over untrusted bytes, then a
 * loading pass that trusts only what the check established.
 *
 * The check keeps, for every level of the path being listed, the ancestor
 * directory's path and the last name listed at that level.  An entry must
 * then have as parent the innermost ancestor its path starts with (so a
 * parent missing, a file as parent, or a subtree split in two are all
 * refused) and a name greater than the last one at its level (so no path
 * comes twice).  All of it is bounded by FS_IMAGE_MAX_DEPTH and fits on
 * the stack; nothing is allocated.
 *
 * The load relies on that order: an entry at depth d goes into the last
 * directory made at depth d - 1, so no path is looked up.  Only the
 * account and the allocator can still fail, and then the target is
 * emptied again.
 */
#include "fs/image.h"

#include "base/endian.h"
#include "base/mem.h"
#include "fmt/fmt.h"
#include "fs/name.h"

struct fs_image_limits fs_image_default_limits(void)
{
    return (struct fs_image_limits){
        .max_entries = 4096, .max_file_bytes = 16u << 20, .max_bytes = 16u << 20};
}

const char *fs_image_strerror(enum fs_image_err e)
{
    switch (e) {
    case FS_IMAGE_OK: return "ok";
    case FS_IMAGE_TRUNCATED: return "truncated";
    case FS_IMAGE_MAGIC_BAD: return "not a tree image";
    case FS_IMAGE_TOO_MANY: return "too many entries";
    case FS_IMAGE_TOO_BIG: return "too big";
    case FS_IMAGE_BAD_ENTRY: return "bad entry";
    case FS_IMAGE_BAD_PATH: return "bad path";
    case FS_IMAGE_ORDER: return "out of order";
    case FS_IMAGE_TRAILING: return "trailing bytes";
    case FS_IMAGE_NOT_EMPTY: return "target not empty";
    case FS_IMAGE_QUOTA: return "quota exceeded";
    case FS_IMAGE_NO_MEMORY: return "out of memory";
    }
    return "unknown error";
}

/* One entry's header and where its path and contents are. */
struct entry {
    uint8_t kind, reserved;
    uint16_t path_len;
    uint32_t mode;
    uint64_t size;
    const char *path;
    const uint8_t *data;
};

/* Reads the entry at *off; the caller has checked the header. */
static enum fs_image_err read_entry(const uint8_t *img, size_t len, size_t *off, struct entry *e)
{
    if (len - *off < FS_IMAGE_ENTRY_HEAD)
        return FS_IMAGE_TRUNCATED;
    const uint8_t *h = img + *off;
    e->kind = h[0];
    e->reserved = h[1];
    e->path_len = le16_get(h + 2);
    e->mode = le32_get(h + 4);
    e->size = le64_get(h + 8);
    *off += FS_IMAGE_ENTRY_HEAD;
    if (e->path_len > len - *off)
        return FS_IMAGE_TRUNCATED;
    e->path = (const char *)img + *off;
    *off += e->path_len;
    if (e->size > len - *off)
        return FS_IMAGE_TRUNCATED;
    e->data = img + *off;
    *off += (size_t)e->size;
    return FS_IMAGE_OK;
}

/* Writes `path`, escaped and cut to 64 bytes, after `prefix`. */
static void say(char *why, size_t why_len, uint32_t idx, const char *path, uint32_t plen,
                const char *msg)
{
    if (!why || !why_len)
        return;
    char p[64 * 4 + 4];
    size_t n = 0;
    for (uint32_t i = 0; i < plen && i < 64; i++) {
        uint8_t c = (uint8_t)path[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
            p[n++] = (char)c;
        else
            n += (size_t)fmt_snprintf(p + n, sizeof(p) - n, "\\x%02x", c);
    }
    if (plen > 64)
        p[n++] = '.', p[n++] = '.', p[n++] = '.';
    p[n] = 0;
    if (path)
        fmt_snprintf(why, why_len, "entry #%u \"%s\": %s", (unsigned)idx, p, msg);
    else
        fmt_snprintf(why, why_len, "entry #%u: %s", (unsigned)idx, msg);
}

/* Splits `path` into names; returns their count, or 0 if it is not a
 * path of at most FS_IMAGE_MAX_DEPTH valid names.  ends[i] is the end of
 * name i. */
static uint32_t split_path(const char *path, uint32_t len, uint32_t ends[FS_IMAGE_MAX_DEPTH])
{
    uint32_t n = 0, start = 0;
    if (len == 0 || len > FS_IMAGE_MAX_PATH)
        return 0;
    for (uint32_t i = 0; i <= len; i++) {
        if (i < len && path[i] != '/')
            continue;
        if (n == FS_IMAGE_MAX_DEPTH || !fs_name_valid(path + start, i - start))
            return 0;
        ends[n++] = i;
        start = i + 1;
    }
    return n;
}

/* Byte order of names, a proper prefix first. */
static int name_cmp(const char *a, uint32_t alen, const char *b, uint32_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    if (c)
        return c;
    return alen < blen ? -1 : alen > blen;
}

enum fs_image_err fs_image_check(const uint8_t *img, size_t len, const struct fs_image_limits *lim,
                                 struct fs_image_summary *sum, char *why, size_t why_len)
{
    /* open[d]: the path of the directory open at depth d + 1 (its length;
     * the bytes are the current entry's prefix once it matched).  last[d]:
     * the last name listed at depth d, as a pointer into the image. */
    const char *open_path[FS_IMAGE_MAX_DEPTH];
    uint32_t open_len[FS_IMAGE_MAX_DEPTH];
    const char *last[FS_IMAGE_MAX_DEPTH + 1];
    uint32_t last_len[FS_IMAGE_MAX_DEPTH + 1];
    uint32_t nopen = 0, ends[FS_IMAGE_MAX_DEPTH];
    struct fs_image_summary s = {0};
    if (why && why_len)
        why[0] = 0;
    if (len < FS_IMAGE_HEADER) {
        if (why)
            fmt_snprintf(why, why_len, "%zu bytes, shorter than the header", len);
        return FS_IMAGE_TRUNCATED;
    }
    if (memcmp(img, FS_IMAGE_MAGIC, 8) != 0 || le32_get(img + 8) != FS_IMAGE_VERSION) {
        if (why)
            fmt_snprintf(why, why_len, "no tree image of version %u", FS_IMAGE_VERSION);
        return FS_IMAGE_MAGIC_BAD;
    }
    uint32_t count = le32_get(img + 12);
    if (count > lim->max_entries) {
        if (why)
            fmt_snprintf(why, why_len, "%u entries (limit %u)", (unsigned)count,
                         (unsigned)lim->max_entries);
        return FS_IMAGE_TOO_MANY;
    }
    last[0] = NULL;
    last_len[0] = 0;
    size_t off = FS_IMAGE_HEADER;
    for (uint32_t i = 0; i < count; i++) {
        struct entry e;
        if (read_entry(img, len, &off, &e) != FS_IMAGE_OK) {
            say(why, why_len, i, NULL, 0, "the image ends inside it");
            return FS_IMAGE_TRUNCATED;
        }
        uint32_t depth = split_path(e.path, e.path_len, ends);
        if (!depth) {
            say(why, why_len, i, e.path, e.path_len,
                "not a path of at most 32 names and 4095 bytes");
            return FS_IMAGE_BAD_PATH;
        }
        if (e.kind > FS_IMAGE_KIND_LINK || e.reserved || e.mode > FS_IMAGE_MAX_MODE ||
            (e.kind == FS_IMAGE_KIND_DIR && e.size)) {
            say(why, why_len, i, e.path, e.path_len,
                "unknown kind, reserved byte set, mode above 07777 or a directory with contents");
            return FS_IMAGE_BAD_ENTRY;
        }
        if (e.kind == FS_IMAGE_KIND_LINK &&
            (e.mode != 0777 || e.size == 0 || e.size > FS_LINK_MAX ||
             strnlen((const char *)e.data, (size_t)e.size) != e.size)) {
            say(why, why_len, i, e.path, e.path_len,
                "a link whose mode is not 0777 or whose target is empty, longer than 4095 "
                "bytes or holds a NUL");
            return FS_IMAGE_BAD_ENTRY;
        }
        if (e.kind != FS_IMAGE_KIND_LINK &&
            (e.size > lim->max_file_bytes || e.size > lim->max_bytes - s.bytes)) {
            say(why, why_len, i, e.path, e.path_len, "over the size limit");
            return FS_IMAGE_TOO_BIG;
        }
        /* Close the directories this path is not below. */
        uint32_t plen = depth > 1 ? ends[depth - 2] : 0; /* the parent's path */
        while (nopen > 0 &&
               !(open_len[nopen - 1] < e.path_len && e.path[open_len[nopen - 1]] == '/' &&
                 memcmp(open_path[nopen - 1], e.path, open_len[nopen - 1]) == 0))
            nopen--;
        if (nopen != depth - 1 || (nopen && open_len[nopen - 1] != plen)) {
            say(why, why_len, i, e.path, e.path_len,
                "its parent is not the directory listed last before it");
            return FS_IMAGE_ORDER;
        }
        const char *name = e.path + (depth > 1 ? plen + 1 : 0);
        uint32_t nlen = e.path_len - (uint32_t)(name - e.path);
        if (last[nopen] && name_cmp(last[nopen], last_len[nopen], name, nlen) >= 0) {
            say(why, why_len, i, e.path, e.path_len, "not after its previous sibling");
            return FS_IMAGE_ORDER;
        }
        last[nopen] = name;
        last_len[nopen] = nlen;
        if (e.kind == FS_IMAGE_KIND_DIR) {
            /* depth <= FS_IMAGE_MAX_DEPTH, so nopen < FS_IMAGE_MAX_DEPTH */
            open_path[nopen] = e.path;
            open_len[nopen] = e.path_len;
            nopen++;
            last[nopen] = NULL;
            last_len[nopen] = 0;
            s.dirs++;
        } else if (e.kind == FS_IMAGE_KIND_LINK) {
            s.links++;
        } else {
            s.files++;
            s.bytes += e.size;
        }
    }
    if (off != len) {
        if (why)
            fmt_snprintf(why, why_len, "%zu bytes after the last entry", len - off);
        return FS_IMAGE_TRAILING;
    }
    if (sum)
        *sum = s;
    return FS_IMAGE_OK;
}

/* Writes a file's contents in pieces (fs_data_write takes 32-bit lengths). */
static enum fs_err write_all(struct fs_tree *t, struct fs_node *n, const uint8_t *p, uint64_t size)
{
    for (uint64_t done = 0; done < size;) {
        uint32_t piece = size - done > (1u << 20) ? (1u << 20) : (uint32_t)(size - done);
        enum fs_err e = fs_data_write(&n->data, &t->mem, n->acct, done, p + done, piece);
        if (e != FS_OK)
            return e;
        done += piece;
    }
    return FS_OK;
}

enum fs_image_err fs_image_load(struct fs_tree *t, struct fs_node *dir, struct fs_account *acct,
                                const uint8_t *img, size_t len, const struct fs_image_limits *lim,
                                bool borrow, uint64_t now_ns, struct fs_image_summary *sum,
                                char *why, size_t why_len)
{
    enum fs_image_err r = fs_image_check(img, len, lim, sum, why, why_len);
    if (r != FS_IMAGE_OK)
        return r;
    if (dir->kind != FS_DIR || dir->dir.n) {
        if (why)
            fmt_snprintf(why, why_len, "the directory to load into is not empty");
        return FS_IMAGE_NOT_EMPTY;
    }
    /* parent[d]: the last directory made at depth d (parent[0] = dir). */
    struct fs_node *parent[FS_IMAGE_MAX_DEPTH + 1];
    uint32_t ends[FS_IMAGE_MAX_DEPTH];
    parent[0] = dir;
    uint32_t count = le32_get(img + 12);
    size_t off = FS_IMAGE_HEADER;
    for (uint32_t i = 0; i < count; i++) {
        struct entry e;
        read_entry(img, len, &off, &e); /* checked above */
        uint32_t depth = split_path(e.path, e.path_len, ends);
        uint32_t start = depth > 1 ? ends[depth - 2] + 1 : 0;
        struct fs_node *n;
        enum fs_err fe;
        if (e.kind == FS_IMAGE_KIND_LINK) {
            fe = fs_dir_symlink(t, parent[depth - 1], e.path + start, e.path_len - start,
                                (const char *)e.data, (uint32_t)e.size, acct, now_ns);
        } else {
            fe = fs_dir_create(t, parent[depth - 1], e.path + start, e.path_len - start,
                               e.kind == FS_IMAGE_KIND_DIR ? FS_DIR : FS_FILE, e.mode, acct, now_ns,
                               &n);
            if (fe == FS_OK && e.kind == FS_IMAGE_KIND_FILE)
                fe = borrow ? fs_data_borrow(&n->data, e.data, e.size)
                            : write_all(t, n, e.data, e.size);
        }
        if (fe != FS_OK) {
            say(why, why_len, i, e.path, e.path_len,
                fe == FS_QUOTA ? "no room in the account" : "out of memory");
            fs_dir_clear(t, dir);
            return fe == FS_QUOTA ? FS_IMAGE_QUOTA : FS_IMAGE_NO_MEMORY;
        }
        if (e.kind == FS_IMAGE_KIND_DIR)
            parent[depth] = n;
    }
    return FS_IMAGE_OK;
}
