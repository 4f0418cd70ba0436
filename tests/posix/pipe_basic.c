/* pipe: bytes in order, a FIFO to fstat, ESPIPE on lseek, end of file once
 * every write end is closed (dups included), EPIPE once the read end is
 * gone and SIGPIPE is ignored, and a megabyte through a pipe between two
 * threads. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TOTAL (1L << 20)

static int fds[2];

static void *producer(void *arg)
{
    static unsigned char chunk[10000];
    long sent = 0;
    while (sent < TOTAL) {
        size_t n = TOTAL - sent < (long)sizeof(chunk) ? (size_t)(TOTAL - sent) : sizeof(chunk);
        for (size_t i = 0; i < n; i++)
            chunk[i] = (unsigned char)((sent + i) * 7);
        ssize_t w = write(fds[1], chunk, n);
        if (w != (ssize_t)n)
            return (void *)1;
        sent += w;
    }
    close(fds[1]);
    return NULL;
}

int main(void)
{
    int p[2];
    char buf[64];
    printf("pipe: %d\n", pipe(p));
    printf("write: %zd\n", write(p[1], "hello, pipe", 11));
    printf("read 5: %zd", read(p[0], buf, 5));
    printf(" [%.5s]\n", buf);
    printf("read the rest: %zd", read(p[0], buf, sizeof(buf)));
    printf(" [%.6s]\n", buf);
    struct stat st;
    fstat(p[0], &st);
    int fifo0 = S_ISFIFO(st.st_mode);
    printf("a FIFO: %d %d\n", fifo0, fstat(p[1], &st) == 0 && S_ISFIFO(st.st_mode));
    errno = 0;
    long off = (long)lseek(p[0], 0, SEEK_SET);
    printf("lseek: %ld %s\n", off, errno == ESPIPE ? "ESPIPE" : "?");
    int d = dup(p[1]);
    close(p[1]);
    write(d, "z", 1);
    close(d);
    ssize_t first = read(p[0], buf, 8);
    printf("after the last write end: %zd then %zd\n", first, read(p[0], buf, 8));
    close(p[0]);

    pipe(p);
    close(p[0]);
    signal(SIGPIPE, SIG_IGN);
    errno = 0;
    ssize_t orphan = write(p[1], "x", 1);
    printf("write without a reader: %zd %s\n", orphan, errno == EPIPE ? "EPIPE" : "?");
    close(p[1]);

    pipe(fds);
    pthread_t t;
    pthread_create(&t, NULL, producer, NULL);
    static unsigned char in[7000];
    long got = 0, bad = 0;
    ssize_t r;
    while ((r = read(fds[0], in, sizeof(in))) > 0) {
        for (ssize_t i = 0; i < r; i++)
            bad += in[i] != (unsigned char)((got + i) * 7);
        got += r;
    }
    void *res;
    pthread_join(t, &res);
    printf("through a pipe between threads: %ld bytes, %ld wrong, producer %s\n", got, bad,
           res ? "failed" : "ok");
    close(fds[0]);
    return 0;
}
