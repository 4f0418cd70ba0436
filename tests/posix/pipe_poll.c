/* poll, ppoll and select on pipes: timeouts, POLLIN with data, POLLHUP once
 * the writers are gone, POLLOUT, POLLERR once the reader is gone, POLLNVAL,
 * a negative fd ignored, and a blocking poll woken by another thread. */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

static int wake[2];

static void *late_writer(void *arg)
{
    struct timespec t = {0, 30 * 1000 * 1000};
    nanosleep(&t, NULL);
    write(wake[1], "!", 1);
    return NULL;
}

static void show(const char *what, int r, short rev)
{
    printf("%-36s %d [%s%s%s%s%s]\n", what, r, rev & POLLIN ? " IN" : "",
           rev & POLLOUT ? " OUT" : "", rev & POLLHUP ? " HUP" : "", rev & POLLERR ? " ERR" : "",
           rev & POLLNVAL ? " NVAL" : "");
}

int main(void)
{
    int p[2];
    char c;
    int r;
    pipe(p);
    struct pollfd f = {p[0], POLLIN, 0};
    r = poll(&f, 1, 50);
    show("empty, 50 ms:", r, f.revents);
    struct pollfd w = {p[1], POLLOUT, 0};
    r = poll(&w, 1, 0);
    show("write end:", r, w.revents);
    write(p[1], "ab", 2);
    r = poll(&f, 1, -1);
    show("with data:", r, f.revents);
    close(p[1]);
    r = poll(&f, 1, 0);
    show("data and no writer:", r, f.revents);
    read(p[0], &c, 1);
    read(p[0], &c, 1);
    r = poll(&f, 1, 0);
    show("drained, no writer:", r, f.revents);
    close(p[0]);

    pipe(p);
    close(p[0]);
    w.fd = p[1];
    r = poll(&w, 1, 0);
    show("no reader:", r, w.revents);
    close(p[1]);

    struct pollfd bad[2] = {{-1, POLLIN, 0}, {99, POLLIN, 0}};
    r = poll(bad, 2, 0);
    show("fd -1 (ignored):", r, bad[0].revents);
    show("fd 99 (not open):", r, bad[1].revents);

    pipe(wake);
    pthread_t t;
    pthread_create(&t, NULL, late_writer, NULL);
    struct pollfd two[2] = {{wake[0], POLLIN, 0}, {1, 0, 0}};
    r = poll(two, 2, -1);
    show("woken by a thread:", r, two[0].revents);
    pthread_join(t, NULL);
    read(wake[0], &c, 1);

    struct timespec ts = {0, 20 * 1000 * 1000};
    struct pollfd g = {wake[0], POLLIN, 0};
    r = ppoll(&g, 1, &ts, NULL);
    show("ppoll, 20 ms:", r, g.revents);

    fd_set rd, wr;
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    FD_SET(wake[0], &rd);
    FD_SET(wake[1], &wr);
    struct timeval tv = {0, 10000};
    r = select(wake[1] + 1, &rd, &wr, NULL, &tv);
    printf("select, nothing to read: %d read %d write %d\n", r, FD_ISSET(wake[0], &rd) != 0,
           FD_ISSET(wake[1], &wr) != 0);
    write(wake[1], "?", 1);
    FD_ZERO(&rd);
    FD_SET(wake[0], &rd);
    r = select(wake[0] + 1, &rd, NULL, NULL, NULL);
    printf("select with data: %d read %d\n", r, FD_ISSET(wake[0], &rd) != 0);
    return 0;
}
