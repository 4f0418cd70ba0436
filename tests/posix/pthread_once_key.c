/* pthread_once runs its routine exactly once among racing threads;
 * thread-specific keys hold per-thread values and run destructors at
 * thread exit. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int init_runs;
static pthread_key_t key;
static int destructed;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

static void init(void)
{
    init_runs++;
    pthread_key_create(&key, NULL);
}

static void dtor(void *p)
{
    pthread_mutex_lock(&m);
    destructed += *(int *)p;
    pthread_mutex_unlock(&m);
    free(p);
}

static pthread_key_t dkey;

static void *run(void *arg)
{
    pthread_once(&once, init);
    pthread_setspecific(key, arg);
    int *v = malloc(sizeof(int));
    *v = (int)(long)arg;
    pthread_setspecific(dkey, v);
    sched_yield();
    return (void *)(long)(pthread_getspecific(key) == arg);
}

int main(void)
{
    pthread_key_create(&dkey, dtor);
    pthread_t t[8];
    for (long i = 0; i < 8; i++)
        pthread_create(&t[i], NULL, run, (void *)(i + 1));
    int ok = 1;
    for (int i = 0; i < 8; i++) {
        void *r;
        pthread_join(t[i], &r);
        ok &= r != NULL;
    }
    printf("once ran %d time(s); keys per thread ok %d\n", init_runs, ok);
    printf("destructors summed %d\n", destructed);
    printf("main's value unset: %d\n", pthread_getspecific(key) == NULL);
    pthread_key_delete(key);
    pthread_key_delete(dkey);
    return 0;
}
