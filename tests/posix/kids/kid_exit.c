/* A child of the spawn tests: prints its arguments and whether it runs
 * in the directory "kids", then exits with argv[1] as its status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    char cwd[512];
    const char *base = "elsewhere";
    if (getcwd(cwd, sizeof(cwd))) {
        const char *b = strrchr(cwd, '/');
        if (b && strcmp(b, "/kids") == 0)
            base = "kids";
    }
    printf("kid_exit: argc %d, in %s:", argc, base);
    for (int i = 1; i < argc; i++)
        printf(" [%s]", argv[i]);
    printf("\n");
    return argc > 1 ? atoi(argv[1]) : 0;
}
