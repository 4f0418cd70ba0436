/* getrandom: full lengths, different bytes each time, flags, and large
 * requests. */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

int main(void)
{
    unsigned char a[64], b[64], big[5000];
    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    printf("64 bytes: %zd\n", getrandom(a, sizeof(a), 0));
    printf("nonblock: %zd\n", getrandom(b, sizeof(b), GRND_NONBLOCK));
    printf("differ: %d\n", memcmp(a, b, sizeof(a)) != 0);
    int zeros = 0;
    for (int i = 0; i < 64; i++)
        zeros += a[i] == 0;
    printf("not all zero: %d\n", zeros < 64);
    printf("5000 bytes: %zd\n", getrandom(big, sizeof(big), 0));
    unsigned hist[2] = {0, 0};
    for (unsigned i = 0; i < sizeof(big); i++)
        hist[big[i] >> 7]++;
    printf("roughly balanced: %d\n", hist[0] > 2000 && hist[1] > 2000);
    printf("zero length: %zd\n", getrandom(big, 0, 0));
    return 0;
}
