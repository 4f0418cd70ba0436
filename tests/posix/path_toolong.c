/* Names of 255 bytes work, 256 are ENAMETOOLONG; a path of PATH_MAX
 * bytes is ENAMETOOLONG; a long path of short names resolves. */
#include "fstest.h"

int main(void)
{
    static char name[300], path[PATH_MAX + 16];
    struct stat st;
    setup();
    memset(name, 'n', 255);
    SHOW(open(name, O_CREAT | O_WRONLY, 0644));
    SHOW(stat(name, &st));
    SHOW(unlink(name));
    name[255] = 'n';
    SHOW(open(name, O_CREAT | O_WRONLY, 0644));
    SHOW(mkdir(name, 0755));
    SHOW(stat(name, &st));
    memset(path, 'a', sizeof(path) - 1);
    for (int i = 1; i < (int)sizeof(path) - 1; i += 2)
        path[i] = '/';
    path[PATH_MAX] = 0;
    SHOW(stat(path, &st));
    SHOW(open(path, O_RDONLY));
    /* a/a/a/... 40 deep is a short path that resolves. */
    char deep[200] = "a";
    mkdir("a", 0755);
    for (int i = 1; i < 40; i++) {
        strcat(deep, "/a");
        mkdir(deep, 0755);
    }
    SHOW(stat(deep, &st));
    strcat(deep, "/f");
    put(deep, "deep");
    SHOW(access(deep, R_OK));
    memset(path, 0, sizeof(path));
    for (int i = 0; i < 1000; i++)
        strcat(path, "./");
    strcat(path, "a");
    SHOW(stat(path, &st));
    return cleanup();
}
