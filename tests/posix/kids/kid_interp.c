/* The interpreter of the spawn tests' "#!" script: prints what it was
 * given (the interpreter's name, its argument, the script, the script's
 * arguments; the working directory shown as $PWD) and exits with 3. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    const char *b = strrchr(argv[0], '/');
    printf("kid_interp: argc %d, argv[0] %s\n", argc, b ? b + 1 : argv[0]);
    char cwd[512];
    size_t n = getcwd(cwd, sizeof(cwd)) ? strlen(cwd) : 0;
    for (int i = 1; i < argc; i++) {
        if (n && strncmp(argv[i], cwd, n) == 0 && argv[i][n] == '/')
            printf("  argv[%d] = $PWD%s\n", i, argv[i] + n);
        else
            printf("  argv[%d] = %s\n", i, argv[i]);
    }
    return 3;
}
