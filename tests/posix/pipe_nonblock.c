/* Non-blocking pipe ends (pipe2 O_NONBLOCK, fcntl F_SETFL): EAGAIN on an
 * empty pipe and on a full one, the capacity (64 KiB on both systems), room
 * again after a read, and a blocking read of what is left. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    int p[2];
    static char page[4096];
    char buf[8];
    int r0 = pipe2(p, O_NONBLOCK | O_CLOEXEC);
    printf("pipe2: %d; O_NONBLOCK on both ends: %d %d\n", r0,
           (fcntl(p[0], F_GETFL) & O_NONBLOCK) != 0, (fcntl(p[1], F_GETFL) & O_NONBLOCK) != 0);
    printf("close-on-exec: %d %d\n", fcntl(p[0], F_GETFD), fcntl(p[1], F_GETFD));
    errno = 0;
    ssize_t got = read(p[0], buf, 1);
    printf("empty read: %zd %s\n", got, errno == EAGAIN ? "EAGAIN" : "?");
    int pages = 0;
    memset(page, 'p', sizeof(page));
    while (write(p[1], page, sizeof(page)) == (ssize_t)sizeof(page))
        pages++;
    printf("pages that fit: %d (%s)\n", pages, errno == EAGAIN ? "EAGAIN" : "?");
    errno = 0;
    ssize_t more = write(p[1], "x", 1);
    printf("one more byte: %zd %s\n", more, errno == EAGAIN ? "EAGAIN" : "?");
    printf("read a page: %zd\n", read(p[0], page, sizeof(page)));
    printf("a page fits again: %zd\n", write(p[1], page, sizeof(page)));
    fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) & ~O_NONBLOCK);
    close(p[1]);
    long total = 0;
    ssize_t r;
    while ((r = read(p[0], page, sizeof(page))) > 0)
        total += r;
    printf("blocking reads drained %ld bytes, then %zd\n", total, r);
    close(p[0]);
    return 0;
}
