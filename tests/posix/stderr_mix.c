/* stdout and stderr are separate streams: each arrives whole on its own,
 * whatever the interleaving; the status is the program's. */
#include <stdio.h>

int main(void)
{
    for (int i = 0; i < 50; i++) {
        printf("out %d\n", i);
        fprintf(stderr, "err %d\n", i);
    }
    fputs("unterminated", stdout);
    return 3;
}
