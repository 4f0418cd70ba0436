/* chdir and fchdir change where relative paths start; getcwd reports it
 * and says ERANGE for a short buffer; chdir to a file or nothing fails. */
#include "fstest.h"

int main(void)
{
    char cwd[PATH_MAX], small[4];
    setup();
    size_t n = strlen(getcwd(cwd, sizeof(cwd)));
    mkdir("d", 0755);
    mkdir("d/e", 0755);
    put("d/e/f", "x");
    SHOW(chdir("d"));
    printf("cwd: %s\n", getcwd(cwd, sizeof(cwd)) + n);
    SHOW(access("e/f", F_OK));
    int fd = open("e", O_RDONLY | O_DIRECTORY);
    SHOW(chdir(".."));
    printf("cwd: %s\n", getcwd(cwd, sizeof(cwd)) + n);
    SHOW(fchdir(fd));
    printf("cwd: %s\n", getcwd(cwd, sizeof(cwd)) + n);
    SHOW(access("f", F_OK));
    SHOW(chdir("f"));
    SHOW(chdir("nothing"));
    SHOW(chdir(""));
    int ffd = open("f", O_RDONLY);
    SHOW(fchdir(ffd));
    SHOW(fchdir(77));
    printf("getcwd small: %s\n", getcwd(small, sizeof(small)) ? "ok" : strerror(errno));
    SHOW(chdir("/"));
    printf("cwd: %s\n", getcwd(cwd, sizeof(cwd)));
    SHOW(chdir(".."));
    printf("cwd: %s\n", getcwd(cwd, sizeof(cwd)));
    return cleanup();
}
