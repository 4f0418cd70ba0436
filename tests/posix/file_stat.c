/* stat, fstat, lstat, fstatat: the type bits, sizes, link counts and
 * modes as created under a umask; inodes distinct and stable. */
#include "fstest.h"

static void show(const char *what, const struct stat *st)
{
    printf("%s: %s mode %04o", what,
           S_ISREG(st->st_mode)   ? "file"
           : S_ISDIR(st->st_mode) ? "dir"
           : S_ISLNK(st->st_mode) ? "link"
                                  : "other",
           (unsigned)(st->st_mode & 07777));
    if (!S_ISDIR(st->st_mode))
        printf(" size %ld", (long)st->st_size);
    if (!S_ISLNK(st->st_mode))
        printf(" links %lu", (unsigned long)st->st_nlink);
    printf("\n");
}

int main(void)
{
    struct stat a, b;
    setup();
    umask(022);
    put("f", "twelve bytes");
    mkdir("d", 0777);
    mkdir("d/sub", 0700);
    symlink("f", "l");
    stat("f", &a);
    show("f", &a);
    stat("d", &a);
    show("d", &a);
    lstat("l", &a);
    show("lstat l", &a);
    stat("l", &b);
    show("stat l", &b);
    stat("f", &a);
    printf("stat through the link is the file: %d\n", a.st_ino == b.st_ino);
    int fd = open("f", O_RDONLY);
    fstat(fd, &b);
    printf("fstat is stat: %d\n", a.st_ino == b.st_ino && a.st_size == b.st_size);
    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    fstatat(dfd, "sub", &b, 0);
    show("fstatat d sub", &b);
    fstat(dfd, &b);
    show("fstat of a directory fd", &b);
    SHOW(fstatat(dfd, "", &b, AT_EMPTY_PATH));
    SHOW(stat("nope", &a));
    SHOW(stat("", &a));
    printf("f and d differ: %d\n", (stat("f", &a), stat("d", &b), a.st_ino != b.st_ino));
    return cleanup();
}
