/* Unnamed semaphores: post and wait across threads, trywait, timedwait,
 * getvalue. */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <time.h>

static sem_t items, slots;
static int buf[4], in, out;

static void *produce(void *arg)
{
    for (int i = 1; i <= 1000; i++) {
        sem_wait(&slots);
        buf[in++ % 4] = i;
        sem_post(&items);
    }
    return NULL;
}

int main(void)
{
    sem_init(&items, 0, 0);
    sem_init(&slots, 0, 4);
    pthread_t t;
    pthread_create(&t, NULL, produce, NULL);
    long sum = 0;
    for (int i = 0; i < 1000; i++) {
        sem_wait(&items);
        sum += buf[out++ % 4];
        sem_post(&slots);
    }
    pthread_join(t, NULL);
    printf("sum %ld\n", sum);
    int v;
    sem_getvalue(&slots, &v);
    printf("slots value %d\n", v);
    errno = 0;
    int empty = sem_trywait(&items);
    printf("trywait empty: %d %s\n", empty, errno == EAGAIN ? "EAGAIN" : "?");
    sem_post(&items);
    printf("trywait after post: %d\n", sem_trywait(&items));
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 20000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    errno = 0;
    int timed = sem_timedwait(&items, &ts);
    printf("timedwait: %d %s\n", timed, errno == ETIMEDOUT ? "ETIMEDOUT" : "?");
    sem_destroy(&items);
    sem_destroy(&slots);
    return 0;
}
