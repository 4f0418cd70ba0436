/* Writes of PIPE_BUF bytes are atomic: four threads each write 100 blocks
 * of PIPE_BUF bytes of their own letter into one pipe, and the reader finds
 * every block whole.  writev of several pieces totalling PIPE_BUF is one
 * block too. */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#define WRITERS 4
#define BLOCKS  100

static int fds[2];

static void *writer(void *arg)
{
    char block[PIPE_BUF];
    long id = (long)arg;
    memset(block, 'A' + (int)id, sizeof(block));
    for (int i = 0; i < BLOCKS; i++) {
        if (id == 0 && i % 2) {
            struct iovec v[3] = {
                {block, 1000}, {block + 1000, 96}, {block + 1096, PIPE_BUF - 1096}};
            if (writev(fds[1], v, 3) != PIPE_BUF)
                return (void *)1;
        } else if (write(fds[1], block, sizeof(block)) != PIPE_BUF) {
            return (void *)1;
        }
    }
    return NULL;
}

int main(void)
{
    pthread_t t[WRITERS];
    pipe(fds);
    printf("PIPE_BUF %d\n", PIPE_BUF);
    for (long i = 0; i < WRITERS; i++)
        pthread_create(&t[i], NULL, writer, (void *)i);
    int counts[WRITERS] = {0}, torn = 0;
    for (int b = 0; b < WRITERS * BLOCKS; b++) {
        static char block[PIPE_BUF];
        size_t have = 0;
        while (have < sizeof(block)) {
            ssize_t r = read(fds[0], block + have, sizeof(block) - have);
            if (r <= 0)
                break;
            have += (size_t)r;
        }
        int c = block[0] - 'A';
        for (size_t i = 1; i < have; i++)
            torn += block[i] != block[0];
        if (have == sizeof(block) && c >= 0 && c < WRITERS)
            counts[c]++;
    }
    int failed = 0;
    for (int i = 0; i < WRITERS; i++) {
        void *r;
        pthread_join(t[i], &r);
        failed += r != NULL;
    }
    printf("blocks per writer: %d %d %d %d; torn bytes %d; failed writers %d\n", counts[0],
           counts[1], counts[2], counts[3], torn, failed);
    return 0;
}
