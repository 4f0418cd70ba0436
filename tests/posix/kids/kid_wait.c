/* A child of the spawn tests: reads its stdin to the end, says how many
 * bytes it got, and exits with 5. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    char buf[256];
    long total = 0, n;
    while ((n = read(0, buf, sizeof(buf))) > 0)
        total += n;
    printf("kid_wait: read %ld bytes, last read %ld\n", total, n);
    return 5;
}
