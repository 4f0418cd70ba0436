/* dup, dup2, dup3, fcntl(F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD,
 * F_GETFL, F_SETFL): descriptors that share a description write to the
 * same place, and flags behave. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    int a = dup(1);
    printf("dup gives the lowest free fd: %d\n", a);
    fflush(stdout);
    write(a, "through the dup\n", 16);
    int b = dup2(1, 10);
    write(b, "through fd 10\n", 14);
    printf("dup2 to itself: %d\n", dup2(1, 1));
    int c = dup3(1, 11, O_CLOEXEC);
    printf("dup3 cloexec: %d flags %d\n", c, fcntl(c, F_GETFD));
    int d = fcntl(1, F_DUPFD, 20);
    int e = fcntl(1, F_DUPFD_CLOEXEC, 20);
    printf("F_DUPFD from 20: %d, again cloexec: %d %d\n", d, e, fcntl(e, F_GETFD));
    int set = fcntl(d, F_SETFD, FD_CLOEXEC);
    printf("F_SETFD: %d then %d\n", set, fcntl(d, F_GETFD));
    printf("F_GETFL access mode of stdout: %d\n", fcntl(1, F_GETFL) & O_ACCMODE);
    printf("F_GETFL access mode of stdin: %d\n", fcntl(0, F_GETFL) & O_ACCMODE);
    int fl = fcntl(d, F_GETFL);
    fcntl(d, F_SETFL, fl | O_NONBLOCK);
    printf("O_NONBLOCK shared by the dup: %d %d\n", (fcntl(1, F_GETFL) & O_NONBLOCK) != 0,
           (fcntl(d, F_GETFL) & O_NONBLOCK) != 0);
    fcntl(d, F_SETFL, fl);
    printf("cleared: %d\n", (fcntl(1, F_GETFL) & O_NONBLOCK) != 0);
    close(a);
    close(b);
    ssize_t wrote = write(a, "x", 1);
    printf("closed fds fail: %zd %d\n", wrote, fcntl(b, F_GETFD));
    printf("stdout still works after closing its dups\n");
    char buf[4];
    printf("stdin reads end of file: %zd\n", read(0, buf, sizeof(buf)));
    return 0;
}
