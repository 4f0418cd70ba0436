/* Host tests of lib/fmt: output must match the host libc's snprintf. */
#include "test.h"

#include <limits.h>
#include <stdarg.h>

#include "fmt/fmt.h"

/* Formats with both implementations and compares text and return value. */
static int fmt_same(const char *fmt, ...)
{
    char ours[256], theirs[256];
    va_list a, b;
    int n1, n2;

    va_start(a, fmt);
    va_copy(b, a);
    n1 = fmt_vsnprintf(ours, sizeof(ours), fmt, a);
    n2 = vsnprintf(theirs, sizeof(theirs), fmt, b);
    va_end(b);
    va_end(a);
    if (n1 != n2 || strcmp(ours, theirs) != 0) {
        printf("    fmt \"%s\": ours \"%s\" (%d), libc \"%s\" (%d)\n", fmt, ours, n1, theirs, n2);
        return 0;
    }
    return 1;
}

TEST(integers)
{
    CHECK(fmt_same("%d %i %u", 42, -42, 42u));
    CHECK(fmt_same("%d", INT_MIN));
    CHECK(fmt_same("%ld", LONG_MIN));
    CHECK(fmt_same("%lld %llu", LLONG_MIN, ULLONG_MAX));
    CHECK(fmt_same("%zu %zd", (size_t)123, (ssize_t)-5));
    CHECK(fmt_same("%hhd %hhu %hd %hu", 300, 300, 70000, 70000));
    CHECK(fmt_same("%x %X %o", 0xdeadbeefu, 0xdeadbeefu, 0755u));
    CHECK(fmt_same("%#x %#X %#o %#x %#o", 255u, 255u, 8u, 0u, 0u));
    CHECK(fmt_same("%lx", 0xffffffff80000000ul));
}

TEST(width_precision_flags)
{
    CHECK(fmt_same("[%5d][%-5d][%05d][%+d][% d]", 42, 42, 42, 42, 42));
    CHECK(fmt_same("[%08x][%-8x][%#010x]", 0xabcu, 0xabcu, 0xabcu));
    CHECK(fmt_same("[%.3d][%8.3d][%-8.3d][%08.3d]", 7, 7, 7, 7));
    CHECK(fmt_same("[%.0d][%.0x][%5.0d]", 0, 0u, 0));
    CHECK(fmt_same("[%*d][%-*d][%.*d]", 6, 1, 6, 1, 4, 1));
    CHECK(fmt_same("[%*d]", -6, 1));
    CHECK(fmt_same("[%+05d][% 05d][%-+5d]", -3, 3, 3));
    CHECK(fmt_same("[%016lx]", 0x1234ul));
}

TEST(strings_and_chars)
{
    CHECK(fmt_same("[%s][%10s][%-10s][%.2s][%.*s]", "abc", "abc", "abc", "abc", 1, "abc"));
    CHECK(fmt_same("[%c][%3c][%-3c]", 'x', 'y', 'z'));
    CHECK(fmt_same("100%% sure"));
    CHECK(fmt_same("%s", ""));
}

TEST(pointer)
{
    char ours[64], theirs[64];
    void *p = (void *)0xffff800012345678ul;
    fmt_snprintf(ours, sizeof(ours), "%p", p);
    snprintf(theirs, sizeof(theirs), "%p", p);
    CHECK_STR(ours, theirs);
}

TEST(truncation)
{
    char buf[8];
    int n = fmt_snprintf(buf, sizeof(buf), "%s", "0123456789");
    CHECK_EQ(n, 10);
    CHECK_STR(buf, "0123456");
    n = fmt_snprintf(buf, 1, "%d", 12345);
    CHECK_EQ(n, 5);
    CHECK_EQ(buf[0], '\0');
    n = fmt_snprintf(NULL, 0, "%d", 12345);
    CHECK_EQ(n, 5);
}

/* Called through a pointer so the compiler's format checks do not reject
 * the deliberately odd formats below. */
static int (*const volatile fmt_unchecked)(char *, size_t, const char *, ...) = fmt_snprintf;

TEST(odd_formats)
{
    char buf[32];
    const char *null_str = NULL;
    /* Unknown conversions are printed literally and consume nothing. */
    fmt_unchecked(buf, sizeof(buf), "a%qb%d", 5);
    CHECK_STR(buf, "a%qb5");
    /* A trailing lone '%' is printed as is. */
    fmt_unchecked(buf, sizeof(buf), "x%");
    CHECK_STR(buf, "x%");
    fmt_unchecked(buf, sizeof(buf), "%s", null_str);
    CHECK_STR(buf, "(null)");
}
