/* strtol, strtoul, strtoll, strtoull and atoi: bases, signs, end pointers,
 * overflow (ERANGE) and invalid input. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

static void l(const char *s, int base)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, base);
    printf("strtol(\"%s\", %d) = %ld end+%ld errno %s\n", s, base, v, (long)(end - s),
           errno == ERANGE   ? "ERANGE"
           : errno == EINVAL ? "EINVAL"
           : errno           ? "other"
                             : "0");
}

static void ul(const char *s, int base)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, base);
    printf("strtoul(\"%s\", %d) = %lu end+%ld errno %s\n", s, base, v, (long)(end - s),
           errno == ERANGE ? "ERANGE"
           : errno         ? "other"
                           : "0");
}

int main(void)
{
    const char *cases[] = {"0",
                           "42",
                           "-42",
                           "+7",
                           "  \t 12abc",
                           "0x1F",
                           "0X1f",
                           "077",
                           "08",
                           "9223372036854775807",
                           "9223372036854775808",
                           "-9223372036854775808",
                           "-9223372036854775809",
                           "",
                           "   ",
                           "abc",
                           "-",
                           "0x",
                           "1e5"};
    int bases[] = {0, 10, 16, 8};
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        for (unsigned j = 0; j < 4; j++)
            l(cases[i], bases[j]);
    l("zz", 36);
    l("ZZ", 36);
    l("101", 2);
    l("12", 1);
    l("12", 37);
    ul("18446744073709551615", 10);
    ul("18446744073709551616", 10);
    ul("-1", 10);
    ul("0xffffffffffffffff", 0);
    errno = 0;
    long long ll = strtoll("-123456789012345", NULL, 10);
    unsigned long long ull = strtoull("123456789012345678", NULL, 10);
    printf("ll %lld ull %llu\n", ll, ull);
    printf("atoi %d %d %d atol %ld\n", atoi("123"), atoi("-9x"), atoi("q"), atol("2147483648"));
    return 0;
}
