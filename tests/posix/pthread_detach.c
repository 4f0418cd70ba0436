/* Detached threads run to completion without a join; the process waits
 * for them through a counter and a condition variable. */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int done;
static long sum;

static void *work(void *arg)
{
    volatile long x = 0;
    for (long i = 0; i < 10000 * (long)arg; i++)
        x += i;
    pthread_mutex_lock(&m);
    done++;
    sum += x;
    pthread_cond_signal(&c);
    pthread_mutex_unlock(&m);
    return NULL;
}

int main(void)
{
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    for (long i = 0; i < 6; i++) {
        pthread_t t;
        pthread_create(&t, i % 2 ? &a : NULL, work, (void *)(i + 1));
        if (i % 2 == 0)
            pthread_detach(t);
    }
    pthread_mutex_lock(&m);
    while (done < 6)
        pthread_cond_wait(&c, &m);
    pthread_mutex_unlock(&m);
    printf("6 detached threads finished, sum %ld\n", sum);
    return 0;
}
