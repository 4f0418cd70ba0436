/* Calendar arithmetic on fixed times (UTC): gmtime, mktime/timegm,
 * strftime, asctime. */
#define _GNU_SOURCE
#include <stdio.h>
#include <time.h>

int main(void)
{
    time_t ts[] = {0, 951782400, 1234567890, 2147483647, 4102444800, -86400};
    char buf[128];
    for (unsigned i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
        struct tm tm;
        gmtime_r(&ts[i], &tm);
        strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S %a %b %j %U %W %u %w %y %C %e %D %T %%", &tm);
        printf("%lld: %s yday %d wday %d back %lld\n", (long long)ts[i], buf, tm.tm_yday,
               tm.tm_wday, (long long)timegm(&tm));
    }
    struct tm t = {.tm_year = 124, .tm_mon = 1, .tm_mday = 30, .tm_hour = 25};
    time_t n = timegm(&t);
    printf("normalised: %d-%02d-%02d %02d h, %lld\n", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday,
           t.tm_hour, (long long)n);
    struct tm a;
    time_t z = 1000000000;
    gmtime_r(&z, &a);
    printf("asctime %s", asctime(&a));
    printf("difftime %g\n", difftime(100, 40));
    return 0;
}
