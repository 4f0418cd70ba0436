/* Mutexes: a contended counter, trylock, error-checking and recursive
 * types, and timedlock. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *add(void *arg)
{
    for (int i = 0; i < 20000; i++) {
        pthread_mutex_lock(&m);
        counter++;
        pthread_mutex_unlock(&m);
    }
    return NULL;
}

static void *try_other(void *arg)
{
    return (void *)(long)pthread_mutex_trylock((pthread_mutex_t *)arg);
}

int main(void)
{
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, add, NULL);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    printf("counter %ld\n", counter);

    pthread_mutex_lock(&m);
    void *r;
    pthread_create(&t[0], NULL, try_other, &m);
    pthread_join(t[0], &r);
    printf("trylock while held elsewhere: %s\n", (long)r == EBUSY ? "EBUSY" : "?");
    pthread_mutex_unlock(&m);

    pthread_mutexattr_t a;
    pthread_mutex_t ec, rec;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_init(&ec, &a);
    pthread_mutex_lock(&ec);
    printf("errorcheck relock: %s\n", pthread_mutex_lock(&ec) == EDEADLK ? "EDEADLK" : "?");
    pthread_mutex_unlock(&ec);
    printf("errorcheck unlock unowned: %s\n", pthread_mutex_unlock(&ec) == EPERM ? "EPERM" : "?");
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&rec, &a);
    int ok = 1;
    for (int i = 0; i < 5; i++)
        ok &= pthread_mutex_lock(&rec) == 0;
    for (int i = 0; i < 5; i++)
        ok &= pthread_mutex_unlock(&rec) == 0;
    printf("recursive 5 deep: %d\n", ok);
    pthread_mutexattr_destroy(&a);

    pthread_mutex_lock(&m);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 50000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    printf("timedlock on a held mutex: %s\n",
           pthread_mutex_timedlock(&m, &ts) == ETIMEDOUT ? "ETIMEDOUT" : "?");
    pthread_mutex_unlock(&m);
    printf("destroy: %d\n", pthread_mutex_destroy(&m));
    return 0;
}
