/*
 * The formatter behind the kernel printf and the runtime's debug output.
 * It keeps no state between calls and never allocates; numbers are rendered
 * into a small stack buffer (enough for a 64-bit value in octal plus prefix).
 */
#include "fmt/fmt.h"

#include "base/mem.h"

enum {
    FMT_LEFT = 1 << 0,
    FMT_ZERO = 1 << 1,
    FMT_PLUS = 1 << 2,
    FMT_SPACE = 1 << 3,
    FMT_ALT = 1 << 4,
    FMT_UPPER = 1 << 5,
};

struct fmt_out {
    fmt_sink_fn sink;
    void *ctx;
    int count;
};

static void fmt_emit(struct fmt_out *o, const char *s, size_t n)
{
    if (n == 0)
        return;
    o->sink(o->ctx, s, n);
    o->count += (int)n;
}

static void fmt_pad(struct fmt_out *o, char c, int n)
{
    char buf[16];
    memset(buf, c, sizeof(buf));
    while (n > 0) {
        int k = n > (int)sizeof(buf) ? (int)sizeof(buf) : n;
        fmt_emit(o, buf, (size_t)k);
        n -= k;
    }
}

/* Renders an unsigned value in `base`; returns the digit count at buf end. */
static int fmt_digits(char *end, unsigned long long v, unsigned base, int upper)
{
    const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    int n = 0;
    do {
        *--end = dig[v % base];
        v /= base;
        n++;
    } while (v);
    return n;
}

static void fmt_number(struct fmt_out *o, unsigned long long v, int negative, unsigned base,
                       int flags, int width, int prec)
{
    char buf[24];
    char prefix[3];
    int plen = 0;
    int ndig;
    int zeros = 0;
    int total;

    if (prec == 0 && v == 0)
        ndig = 0;
    else
        ndig = fmt_digits(buf + sizeof(buf), v, base, flags & FMT_UPPER);

    if (negative)
        prefix[plen++] = '-';
    else if (flags & FMT_PLUS)
        prefix[plen++] = '+';
    else if (flags & FMT_SPACE)
        prefix[plen++] = ' ';
    if ((flags & FMT_ALT) && base == 16 && v != 0) {
        prefix[plen++] = '0';
        prefix[plen++] = (flags & FMT_UPPER) ? 'X' : 'x';
    }
    if ((flags & FMT_ALT) && base == 8 && (prec <= ndig) &&
        (ndig == 0 || buf[sizeof(buf) - ndig] != '0'))
        zeros = 1;

    if (prec > ndig)
        zeros = prec - ndig;
    total = plen + zeros + ndig;
    if (prec < 0 && (flags & FMT_ZERO) && !(flags & FMT_LEFT) && width > total) {
        zeros += width - total;
        total = width;
    }
    if (!(flags & FMT_LEFT))
        fmt_pad(o, ' ', width - total);
    fmt_emit(o, prefix, (size_t)plen);
    fmt_pad(o, '0', zeros);
    fmt_emit(o, buf + sizeof(buf) - ndig, (size_t)ndig);
    if (flags & FMT_LEFT)
        fmt_pad(o, ' ', width - total);
}

static void fmt_string(struct fmt_out *o, const char *s, int flags, int width, int prec)
{
    size_t len;
    if (!s)
        s = "(null)";
    len = prec >= 0 ? strnlen(s, (size_t)prec) : strlen(s);
    if (!(flags & FMT_LEFT) && width > (int)len)
        fmt_pad(o, ' ', width - (int)len);
    fmt_emit(o, s, len);
    if ((flags & FMT_LEFT) && width > (int)len)
        fmt_pad(o, ' ', width - (int)len);
}

enum fmt_len { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE, LEN_PTRDIFF, LEN_MAX };

/* Reads the decimal count at *fmt (0 if there is none), moving past its
 * digits; the value stops growing at 100000, so it cannot overflow. */
static int fmt_count(const char **fmt)
{
    int n = 0;
    for (; **fmt >= '0' && **fmt <= '9'; (*fmt)++) {
        if (n < 100000)
            n = n * 10 + (**fmt - '0');
    }
    return n;
}

int fmt_vformat(fmt_sink_fn sink, void *ctx, const char *fmt, va_list ap)
{
    struct fmt_out o = {sink, ctx, 0};
    va_list args;

    va_copy(args, ap);
    while (*fmt) {
        const char *start = fmt;
        int flags = 0, width = 0, prec = -1;
        enum fmt_len len = LEN_INT;

        while (*fmt && *fmt != '%')
            fmt++;
        fmt_emit(&o, start, (size_t)(fmt - start));
        if (!*fmt)
            break;
        start = fmt++; /* at '%' */

        for (;; fmt++) {
            if (*fmt == '-')
                flags |= FMT_LEFT;
            else if (*fmt == '0')
                flags |= FMT_ZERO;
            else if (*fmt == '+')
                flags |= FMT_PLUS;
            else if (*fmt == ' ')
                flags |= FMT_SPACE;
            else if (*fmt == '#')
                flags |= FMT_ALT;
            else
                break;
        }
        if (*fmt == '*') {
            width = va_arg(args, int);
            if (width < 0) {
                flags |= FMT_LEFT;
                width = width == -2147483647 - 1 ? 2147483647 : -width;
            }
            fmt++;
        } else {
            width = fmt_count(&fmt);
        }
        if (*fmt == '.') {
            fmt++;
            prec = 0;
            if (*fmt == '*') {
                prec = va_arg(args, int);
                if (prec < 0)
                    prec = -1;
                fmt++;
            } else {
                prec = fmt_count(&fmt);
            }
        }
        switch (*fmt) {
        case 'h':
        case 'l': {
            /* h, hh, l, ll: the letter once or twice. */
            char c = *fmt++;
            bool twice = *fmt == c;
            if (twice)
                fmt++;
            if (c == 'h')
                len = twice ? LEN_CHAR : LEN_SHORT;
            else
                len = twice ? LEN_LLONG : LEN_LONG;
            break;
        }
        case 'z': fmt++, len = LEN_SIZE; break;
        case 't': fmt++, len = LEN_PTRDIFF; break;
        case 'j': fmt++, len = LEN_MAX; break;
        default: break;
        }

        switch (*fmt) {
        case 'd':
        case 'i': {
            long long v;
            switch (len) {
            case LEN_CHAR: v = (signed char)va_arg(args, int); break;
            case LEN_SHORT: v = (short)va_arg(args, int); break;
            case LEN_LONG: v = va_arg(args, long); break;
            case LEN_LLONG: v = va_arg(args, long long); break;
            case LEN_SIZE: v = (long long)va_arg(args, size_t); break;
            case LEN_PTRDIFF: v = va_arg(args, ptrdiff_t); break;
            case LEN_MAX: v = va_arg(args, long long); break;
            default: v = va_arg(args, int); break;
            }
            unsigned long long mag = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
            fmt_number(&o, mag, v < 0, 10, flags, width, prec);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            unsigned long long v;
            unsigned base = *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16;
            switch (len) {
            case LEN_CHAR: v = (unsigned char)va_arg(args, unsigned); break;
            case LEN_SHORT: v = (unsigned short)va_arg(args, unsigned); break;
            case LEN_LONG: v = va_arg(args, unsigned long); break;
            case LEN_LLONG: v = va_arg(args, unsigned long long); break;
            case LEN_SIZE: v = va_arg(args, size_t); break;
            case LEN_PTRDIFF: v = (unsigned long long)va_arg(args, ptrdiff_t); break;
            case LEN_MAX: v = va_arg(args, unsigned long long); break;
            default: v = va_arg(args, unsigned); break;
            }
            if (*fmt == 'X')
                flags |= FMT_UPPER;
            fmt_number(&o, v, 0, base, flags & ~(FMT_PLUS | FMT_SPACE), width, prec);
            break;
        }
        case 'p': {
            uintptr_t v = (uintptr_t)va_arg(args, void *);
            fmt_number(&o, v, 0, 16, (flags | FMT_ALT) & ~(FMT_PLUS | FMT_SPACE), width, prec);
            break;
        }
        case 's': fmt_string(&o, va_arg(args, const char *), flags, width, prec); break;
        case 'c': {
            char c = (char)va_arg(args, int);
            if (!(flags & FMT_LEFT))
                fmt_pad(&o, ' ', width - 1);
            fmt_emit(&o, &c, 1);
            if (flags & FMT_LEFT)
                fmt_pad(&o, ' ', width - 1);
            break;
        }
        case '%': fmt_emit(&o, "%", 1); break;
        case '\0':
            /* A lone '%' at the end: print what we saw and stop. */
            fmt_emit(&o, start, (size_t)(fmt - start));
            va_end(args);
            return o.count;
        default:
            /* Unknown conversion: print it literally, consume no argument. */
            fmt_emit(&o, start, (size_t)(fmt - start + 1));
            break;
        }
        fmt++;
    }
    va_end(args);
    return o.count;
}

struct fmt_buf {
    char *buf;
    size_t size;
    size_t pos;
};

static void fmt_buf_sink(void *ctx, const char *s, size_t n)
{
    struct fmt_buf *b = ctx;
    if (b->size && b->pos < b->size - 1) {
        size_t room = b->size - 1 - b->pos;
        size_t k = n < room ? n : room;
        memcpy(b->buf + b->pos, s, k);
    }
    b->pos += n;
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct fmt_buf b = {buf, size, 0};
    int n = fmt_vformat(fmt_buf_sink, &b, fmt, ap);
    if (size)
        buf[b.pos < size - 1 ? b.pos : size - 1] = '\0';
    return n;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = fmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
