/*
 * The inheritance list's records (inherit.h): a parser that reads each
 * byte once, bounded by the string's end and every field's width, and the
 * writer of the same syntax.
 */
#include "inherit/inherit.h"

/* A number at *s (decimal, or hexadecimal after "x") up to max, moved
 * past; false if there is none or it is too large. */
static bool num(const char **s, uint64_t max, uint64_t *v)
{
    const char *c = *s;
    unsigned base = 10;
    if (*c == 'x') {
        base = 16;
        c++;
    }
    const char *start = c;
    uint64_t n = 0;
    for (;; c++) {
        unsigned d;
        if (*c >= '0' && *c <= '9')
            d = (unsigned)(*c - '0');
        else if (base == 16 && *c >= 'a' && *c <= 'f')
            d = (unsigned)(*c - 'a' + 10);
        else
            break;
        if (d > max || n > (max - d) / base)
            return false;
        n = n * base + d;
    }
    *s = c;
    *v = n;
    return c != start;
}

/* Moves *s past c if it is there (never past the end of the string). */
static bool take(const char **s, char c)
{
    if (**s != c)
        return false;
    (*s)++;
    return true;
}

static bool rec(const char **s, uint32_t max_fd, struct inherit_rec *r)
{
    uint64_t v;
    if (max_fd == 0 || !num(s, max_fd - 1, &v) || !take(s, ':'))
        return false;
    r->fd = (uint32_t)v;
    char k = **s;
    if (!((k >= 'a' && k <= 'z') || k == INHERIT_SAME))
        return false;
    (*s)++;
    r->kind = k;
    if (!take(s, ':'))
        return false;
    if (k == INHERIT_SAME) {
        if (!num(s, max_fd - 1, &v))
            return false;
        r->other = (uint32_t)v;
        r->flags = 0;
        r->pos = 0;
        return true;
    }
    if (**s != 'x' || !num(s, UINT32_MAX, &v) || !take(s, ':'))
        return false;
    r->flags = (uint32_t)v;
    if (!num(s, UINT64_MAX, &r->pos))
        return false;
    r->other = r->fd;
    if (take(s, '@')) {
        if (!num(s, max_fd - 1, &v))
            return false;
        r->other = (uint32_t)v;
    }
    return true;
}

bool inherit_next(const char **p, uint32_t max_fd, struct inherit_rec *r)
{
    const char *s = *p;
    if (!*s)
        return false;
    bool ok = rec(&s, max_fd, r) && (*s == ',' || *s == '\0');
    /* On to the next record, whatever this one was. */
    while (*s && *s != ',')
        s++;
    if (*s == ',')
        s++;
    *p = s;
    return ok;
}

/* Appends v in `base` at buf[*at] if it fits in cap. */
static bool put_num(char *buf, size_t cap, size_t *at, uint64_t v, unsigned base)
{
    char tmp[24];
    int n = 0;
    do {
        unsigned d = (unsigned)(v % base);
        tmp[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v);
    if ((size_t)n >= cap - *at)
        return false;
    while (n)
        buf[(*at)++] = tmp[--n];
    return true;
}

static bool put_char(char *buf, size_t cap, size_t *at, char c)
{
    if (*at + 1 >= cap)
        return false;
    buf[(*at)++] = c;
    return true;
}

int inherit_format(char *buf, size_t cap, const struct inherit_rec *r)
{
    size_t at = 0;
    if (cap == 0)
        return -1;
    bool ok = put_num(buf, cap, &at, r->fd, 10) && put_char(buf, cap, &at, ':') &&
              put_char(buf, cap, &at, r->kind) && put_char(buf, cap, &at, ':');
    if (ok && r->kind == INHERIT_SAME) {
        ok = put_num(buf, cap, &at, r->other, 10);
    } else if (ok) {
        ok = put_char(buf, cap, &at, 'x') && put_num(buf, cap, &at, r->flags, 16) &&
             put_char(buf, cap, &at, ':') && put_num(buf, cap, &at, r->pos, 10);
        if (ok && r->other != r->fd)
            ok = put_char(buf, cap, &at, '@') && put_num(buf, cap, &at, r->other, 10);
    }
    if (!ok || at >= cap)
        return -1;
    buf[at] = '\0';
    return (int)at;
}
