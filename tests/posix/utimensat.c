/* utimensat and futimens: explicit times, UTIME_OMIT, UTIME_NOW (the wall
 * clock), times of a link itself; bad nanoseconds refused. */
#include <time.h>

#include "fstest.h"

int main(void)
{
    struct stat st;
    setup();
    put("f", "x");
    struct timespec t[2] = {{1000000000, 5}, {1234567890, 123456789}};
    SHOW(utimensat(AT_FDCWD, "f", t, 0));
    stat("f", &st);
    printf("atime %ld.%09ld mtime %ld.%09ld\n", (long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
           (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    struct timespec o[2] = {{0, UTIME_OMIT}, {2000000000, 0}};
    SHOW(utimensat(AT_FDCWD, "f", o, 0));
    stat("f", &st);
    printf("atime kept %ld, mtime %ld\n", (long)st.st_atim.tv_sec, (long)st.st_mtim.tv_sec);
    struct timespec before;
    clock_gettime(CLOCK_REALTIME, &before);
    SHOW(utimensat(AT_FDCWD, "f", NULL, 0));
    stat("f", &st);
    printf("now is not before the call: %d\n", st.st_mtim.tv_sec >= before.tv_sec);
    int fd = open("f", O_RDWR);
    SHOW(futimens(fd, t));
    fstat(fd, &st);
    printf("futimens mtime %ld\n", (long)st.st_mtim.tv_sec);
    symlink("f", "l");
    struct timespec lt[2] = {{1500000000, 0}, {1600000000, 0}};
    SHOW(utimensat(AT_FDCWD, "l", lt, AT_SYMLINK_NOFOLLOW));
    lstat("l", &st);
    printf("link mtime %ld\n", (long)st.st_mtim.tv_sec);
    stat("l", &st);
    printf("file mtime %ld\n", (long)st.st_mtim.tv_sec);
    struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
    SHOW(utimensat(AT_FDCWD, "f", bad, 0));
    SHOW(utimensat(AT_FDCWD, "missing", t, 0));
    SHOW(utimensat(AT_FDCWD, "f", t, 0x4000));
    return cleanup();
}
