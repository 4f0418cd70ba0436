/* O_CREAT|O_EXCL: fails with EEXIST on a file, a directory or a link
 * (even a dangling one); O_CREAT alone opens what is there. */
#include "fstest.h"

int main(void)
{
    setup();
    SHOW(open("f", O_CREAT | O_EXCL | O_WRONLY, 0644));
    SHOW(open("f", O_CREAT | O_EXCL | O_WRONLY, 0644));
    SHOW(open("f", O_CREAT | O_WRONLY, 0644));
    mkdir("d", 0755);
    SHOW(open("d", O_CREAT | O_EXCL | O_RDONLY, 0644));
    SHOW(open("d", O_CREAT | O_RDONLY, 0644));
    symlink("nowhere", "dangling");
    SHOW(open("dangling", O_CREAT | O_EXCL | O_WRONLY, 0644));
    SHOW(open("dangling", O_CREAT | O_WRONLY, 0644));
    struct stat st;
    printf("the link's target was made: %d\n", stat("nowhere", &st) == 0);
    SHOW(open("newdir/", O_CREAT | O_WRONLY, 0644));
    return cleanup();
}
