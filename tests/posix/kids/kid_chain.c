/* A program of the exec tests that execs itself: `kid_chain N` reads one
 * byte of fd 3 (which every generation inherits, with its offset), maps
 * and touches a megabyte, and execs `kid_chain N-1`; generation 0 says
 * where fd 3 is and exits 0.  A generation whose exec fails exits 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 0;
    char c;
    if (read(3, &c, 1) != 1) {
        printf("kid_chain: %d: fd 3 is not readable\n", n);
        return 1;
    }
    char *m = malloc(1 << 20);
    if (!m)
        return 1;
    memset(m, n, 1 << 20);
    if (n == 0) {
        printf("kid_chain: done, fd 3 at %ld\n", (long)lseek(3, 0, SEEK_CUR));
        return 0;
    }
    char next[16];
    snprintf(next, sizeof(next), "%d", n - 1);
    char *av[] = {"kid_chain", next, NULL};
    execv("./kid_chain", av);
    printf("kid_chain: %d: execv failed\n", n);
    return 1;
}
