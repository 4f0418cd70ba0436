/* strtod, strtof, strtold and atof: decimal and hex forms, infinities and
 * NaN, subnormals, overflow and underflow (ERANGE), end pointers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static void d(const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    printf("strtod(\"%s\") = %.17g (%a) end+%ld %s\n", s, v, v, (long)(end - s),
           errno == ERANGE ? "ERANGE"
           : errno         ? "errno"
                           : "");
}

int main(void)
{
    const char *cases[] = {"0",
                           "-0",
                           "1",
                           "0.1",
                           "  3.14159265358979323846",
                           "1e308",
                           "1e309",
                           "-1e309",
                           "1e-308",
                           "4.9e-324",
                           "1e-400",
                           "2.2250738585072011e-308",
                           "0x1p-1074",
                           "0x1.fffffffffffffp1023",
                           "0x10",
                           "0x.8p1",
                           "inf",
                           "-Infinity",
                           "nan",
                           "NAN(123)",
                           "1.5e",
                           "1e+",
                           ".5",
                           "5.",
                           ".",
                           "e5",
                           "123abc",
                           "+-1",
                           "0.30000000000000004",
                           "9007199254740993",
                           "1.7976931348623157e308",
                           "2.4703282292062328e-324",
                           "123456789012345678901234567890"};
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        d(cases[i]);
    errno = 0;
    float f = strtof("3.4028236e38", NULL);
    printf("strtof overflow %g %s\n", f, errno == ERANGE ? "ERANGE" : "");
    printf("strtof %.9g %.9g\n", strtof("0.1", NULL), strtof("1e-45", NULL));
    printf("strtold %.21Lg\n", strtold("0.1", NULL));
    printf("atof %g\n", atof("  -2.5e3xyz"));
    return 0;
}
