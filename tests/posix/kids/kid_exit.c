/* A child of the spawn tests: prints its arguments and its working
 * directory's last name, then exits with argv[1] as its status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    char cwd[512];
    const char *base = "?";
    if (getcwd(cwd, sizeof(cwd))) {
        base = strrchr(cwd, '/');
        base = base && base[1] ? base + 1 : cwd;
    }
    printf("kid_exit: argc %d, in %s:", argc, base);
    for (int i = 1; i < argc; i++)
        printf(" [%s]", argv[i]);
    printf("\n");
    return argc > 1 ? atoi(argv[1]) : 0;
}
