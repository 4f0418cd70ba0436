/* The *at calls against a directory descriptor: openat, mkdirat,
 * unlinkat (AT_REMOVEDIR), fstatat (AT_SYMLINK_NOFOLLOW), renameat,
 * symlinkat, readlinkat; absolute paths ignore the descriptor; a
 * descriptor that is not a directory is ENOTDIR, one not open EBADF. */
#include "fstest.h"

int main(void)
{
    struct stat st;
    char b[32] = {0};
    setup();
    mkdir("d", 0755);
    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    int fd = openat(dfd, "f", O_CREAT | O_WRONLY, 0644);
    write(fd, "at", 2);
    close(fd);
    SHOW(access("d/f", F_OK));
    SHOW(mkdirat(dfd, "sub", 0755));
    SHOW(symlinkat("f", dfd, "l"));
    printf("readlinkat: %zd %s\n", readlinkat(dfd, "l", b, sizeof(b) - 1), b);
    SHOW(fstatat(dfd, "l", &st, AT_SYMLINK_NOFOLLOW));
    printf("is a link: %d\n", S_ISLNK(st.st_mode));
    SHOW(fstatat(dfd, "l", &st, 0));
    printf("is a file of %ld bytes: %d\n", (long)st.st_size, S_ISREG(st.st_mode));
    SHOW(renameat(dfd, "f", dfd, "g"));
    SHOW(access("d/g", F_OK));
    SHOW(unlinkat(dfd, "sub", 0));
    SHOW(unlinkat(dfd, "sub", AT_REMOVEDIR));
    SHOW(unlinkat(dfd, "g", AT_REMOVEDIR));
    SHOW(unlinkat(dfd, "g", 0));
    SHOW(openat(dfd, "/tmp", O_RDONLY | O_DIRECTORY));
    int ffd = open("d/l", O_RDONLY);
    SHOW(openat(ffd, "x", O_RDONLY));
    SHOW(openat(99, "x", O_RDONLY));
    SHOW(mkdirat(ffd, "x", 0755));
    SHOW(unlinkat(dfd, "l", 0x1234));
    return cleanup();
}
