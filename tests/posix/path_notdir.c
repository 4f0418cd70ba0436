/* A file in the middle of a path, or before a trailing slash: ENOTDIR
 * from every kind of call. */
#include "fstest.h"

int main(void)
{
    struct stat st;
    setup();
    put("f", "x");
    SHOW(open("f/x", O_RDONLY));
    SHOW(open("f/", O_RDONLY));
    SHOW(open("f/x", O_CREAT | O_WRONLY, 0644));
    SHOW(stat("f/", &st));
    SHOW(stat("f/..", &st));
    SHOW(mkdir("f/d", 0755));
    SHOW(unlink("f/x"));
    SHOW(chdir("f"));
    SHOW(open("f", O_RDONLY | O_DIRECTORY));
    SHOW(opendir("f") ? 0 : -1);
    symlink("f", "l");
    SHOW(open("l/", O_RDONLY));
    SHOW(stat("l/x", &st));
    return cleanup();
}
