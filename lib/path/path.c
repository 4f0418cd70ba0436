/*
 * Path resolution (path.h).  The walk keeps two strings: the canonical
 * path resolved so far (r->path) and what is left of the path to resolve
 * (r->rest).  A link in the middle is spliced in front of what is left, so
 * every step consumes part of a string of at most PATH_MAX_LEN bytes and
 * at most PATH_LINKS_MAX links are spliced: the work is bounded.
 */
#include "path/path.h"

#include "base/mem.h"

bool path_name_valid(const char *s, uint32_t len)
{
    if (len == 0 || len > PATH_NAME_MAX)
        return false;
    if (s[0] == '.' && (len == 1 || (len == 2 && s[1] == '.')))
        return false;
    for (uint32_t i = 0; i < len; i++) {
        if (s[i] == '/' || s[i] == 0)
            return false;
    }
    return true;
}

/* Puts `front` (len bytes) before rest[at..end), a '/' between. */
static int splice(struct path_result *w, const char *front, uint32_t len)
{
    uint32_t tail = w->end - w->at;
    if (len + 1 + tail >= PATH_MAX_LEN)
        return PATH_ENAMETOOLONG;
    memmove(w->rest + len + 1, w->rest + w->at, tail);
    memcpy(w->rest, front, len);
    w->rest[len] = '/';
    w->at = 0;
    w->end = len + 1 + tail;
    return 0;
}

int path_resolve(path_lookup_fn *lookup, void *ctx, const char *cwd, uint32_t cwd_len,
                 const char *path, unsigned flags, struct path_result *r)
{
    uint32_t plen = (uint32_t)strnlen(path, PATH_MAX_LEN);
    unsigned links = 0;
    if (plen == PATH_MAX_LEN)
        return PATH_ENAMETOOLONG;
    if (plen == 0)
        return PATH_ENOENT;
    if (cwd_len >= PATH_MAX_LEN)
        return PATH_ENAMETOOLONG;
    memcpy(r->rest, path, plen);
    r->at = 0;
    r->end = plen;
    r->trailing_slash = path[plen - 1] == '/';
    r->len = 0;
    if (path[0] != '/') {
        memcpy(r->path, cwd, cwd_len);
        r->len = cwd_len;
    }
    r->kind = PATH_DIR;
    r->name_off = r->len;
    for (;;) {
        while (r->at < r->end && r->rest[r->at] == '/')
            r->at++;
        if (r->at == r->end)
            break;
        uint32_t s = r->at, e = s;
        while (e < r->end && r->rest[e] != '/')
            e++;
        uint32_t len = e - s;
        r->at = e;
        while (r->at < r->end && r->rest[r->at] == '/')
            r->at++;
        bool last = r->at == r->end;
        if (r->kind != PATH_DIR)
            return PATH_ENOTDIR;
        if (len > PATH_NAME_MAX)
            return PATH_ENAMETOOLONG;
        if (len == 1 && r->rest[s] == '.') {
            r->name_off = r->len;
            continue;
        }
        if (len == 2 && r->rest[s] == '.' && r->rest[s + 1] == '.') {
            while (r->len && r->path[r->len - 1] != '/')
                r->len--;
            if (r->len)
                r->len--; /* the '/' before the name */
            r->name_off = r->len;
            continue;
        }
        uint32_t tlen = 0;
        int k = lookup(ctx, r->path, r->len, r->rest + s, len, r->target, &tlen);
        if (k < 0)
            return k;
        if (k == PATH_NONE && !last)
            return PATH_ENOENT;
        if (k == PATH_LINK && (!last || (flags & PATH_FOLLOW) || r->trailing_slash)) {
            if (++links > PATH_LINKS_MAX)
                return PATH_ELOOP;
            if (tlen == 0 || tlen >= PATH_MAX_LEN)
                return PATH_ENOENT;
            int err = splice(r, r->target, tlen);
            if (err)
                return err;
            if (r->target[0] == '/')
                r->len = 0;
            r->name_off = r->len;
            continue;
        }
        if (r->len + 1 + len >= PATH_MAX_LEN)
            return PATH_ENAMETOOLONG;
        r->path[r->len] = '/';
        memcpy(r->path + r->len + 1, r->rest + s, len);
        r->name_off = r->len + 1;
        r->len += 1 + len;
        r->kind = (enum path_kind)k;
    }
    if (r->trailing_slash && r->kind == PATH_FILE)
        return PATH_ENOTDIR;
    r->path[r->len] = 0;
    return 0;
}
