/* printf's integer conversions, flags, widths and precisions. */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>

int main(void)
{
    int vals[] = {0, 1, -1, 42, -42, 1000000, INT_MAX, INT_MIN};
    for (unsigned i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        int v = vals[i];
        printf("[%d] [%i] [%5d] [%-5d] [%05d] [%+d] [% d] [%.3d] [%x] [%X] [%#x] [%o] [%#o] [%u]\n",
               v, v, v, v, v, v, v, v, (unsigned)v, (unsigned)v, (unsigned)v, (unsigned)v,
               (unsigned)v, (unsigned)v);
    }
    printf("[%ld] [%lu] [%lld] [%llx]\n", LONG_MIN, ULONG_MAX, LLONG_MAX, 0xdeadbeefcafeULL);
    printf("[%hhd] [%hhu] [%hd] [%hu]\n", (signed char)-3, (unsigned char)250, (short)-30000,
           (unsigned short)65535);
    printf("[%zu] [%zd] [%jd] [%" PRId64 "] [%" PRIx32 "]\n", (size_t)123, (ssize_t)-5,
           (intmax_t)-99, (int64_t)1 << 40, (uint32_t)0xabcdef);
    printf("[%*d] [%-*d] [%.*d]\n", 6, 12, 6, 12, 4, 7);
    printf("[%c%c%c] [%5c] [%-3c|]\n", 'a', 'b', 'c', 'x', 'y');
    printf("[%s] [%10s] [%-10s|] [%.3s] [%%]\n", "str", "right", "left", "truncate");
    int n = 0;
    printf("count%n\n", &n);
    printf("n=%d\n", n);
    char buf[8];
    const char *volatile longer = "a long string"; /* hidden from the truncation warning */
    int w = snprintf(buf, sizeof(buf), "%s", longer);
    printf("snprintf wrote [%s] wanted %d\n", buf, w);
    return 0;
}
