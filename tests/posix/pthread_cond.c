/* Condition variables: a bounded queue with producers and consumers
 * (signal), a start gate (broadcast), and a timed wait that times out. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#define CAP 8
static int q[CAP], head, tail, count;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER, not_empty = PTHREAD_COND_INITIALIZER;

static void *producer(void *arg)
{
    for (int i = 1; i <= 2000; i++) {
        pthread_mutex_lock(&m);
        while (count == CAP)
            pthread_cond_wait(&not_full, &m);
        q[tail] = i;
        tail = (tail + 1) % CAP;
        count++;
        pthread_cond_signal(&not_empty);
        pthread_mutex_unlock(&m);
    }
    return NULL;
}

static void *consumer(void *arg)
{
    long sum = 0;
    for (int i = 0; i < 2000; i++) {
        pthread_mutex_lock(&m);
        while (count == 0)
            pthread_cond_wait(&not_empty, &m);
        sum += q[head];
        head = (head + 1) % CAP;
        count--;
        pthread_cond_signal(&not_full);
        pthread_mutex_unlock(&m);
    }
    return (void *)sum;
}

static pthread_cond_t gate = PTHREAD_COND_INITIALIZER;
static int open_, waiting;
static void *waiter(void *arg)
{
    pthread_mutex_lock(&m);
    waiting++;
    while (!open_)
        pthread_cond_wait(&gate, &m);
    pthread_mutex_unlock(&m);
    return NULL;
}

int main(void)
{
    pthread_t p[2], c[2];
    for (int i = 0; i < 2; i++) {
        pthread_create(&p[i], NULL, producer, NULL);
        pthread_create(&c[i], NULL, consumer, NULL);
    }
    long total = 0;
    for (int i = 0; i < 2; i++) {
        void *r;
        pthread_join(p[i], NULL);
        pthread_join(c[i], &r);
        total += (long)r;
    }
    printf("consumed sum %ld (expected %ld)\n", total, 2L * 2000 * 2001 / 2);

    pthread_t w[5];
    for (int i = 0; i < 5; i++)
        pthread_create(&w[i], NULL, waiter, NULL);
    for (;;) {
        pthread_mutex_lock(&m);
        int n = waiting;
        pthread_mutex_unlock(&m);
        if (n == 5)
            break;
        sched_yield();
    }
    pthread_mutex_lock(&m);
    open_ = 1;
    pthread_cond_broadcast(&gate);
    pthread_mutex_unlock(&m);
    for (int i = 0; i < 5; i++)
        pthread_join(w[i], NULL);
    printf("broadcast released 5 waiters\n");

    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 30000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&m);
    int r = pthread_cond_timedwait(&gate, &m, &ts);
    pthread_mutex_unlock(&m);
    printf("timedwait: %s\n", r == ETIMEDOUT ? "ETIMEDOUT" : "?");
    pthread_condattr_t ca;
    pthread_cond_t mc;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&mc, &ca);
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_nsec += 20000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&m);
    r = pthread_cond_timedwait(&mc, &m, &ts);
    pthread_mutex_unlock(&m);
    printf("monotonic timedwait: %s\n", r == ETIMEDOUT ? "ETIMEDOUT" : "?");
    return 0;
}
