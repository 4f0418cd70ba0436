/* Read-write locks: readers share, writers exclude, try variants. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static long data[4];
static int bad;

static void *writer(void *arg)
{
    for (int i = 0; i < 3000; i++) {
        pthread_rwlock_wrlock(&rw);
        for (int k = 0; k < 4; k++)
            data[k]++;
        pthread_rwlock_unlock(&rw);
    }
    return NULL;
}

static void *reader(void *arg)
{
    for (int i = 0; i < 3000; i++) {
        pthread_rwlock_rdlock(&rw);
        if (data[0] != data[1] || data[1] != data[2] || data[2] != data[3])
            __atomic_store_n(&bad, 1, __ATOMIC_RELAXED);
        pthread_rwlock_unlock(&rw);
    }
    return NULL;
}

static void *try_write(void *arg)
{
    return (void *)(long)pthread_rwlock_trywrlock(&rw);
}

static void *try_read(void *arg)
{
    long r = pthread_rwlock_tryrdlock(&rw);
    if (r == 0)
        pthread_rwlock_unlock(&rw);
    return (void *)r;
}

int main(void)
{
    pthread_t t[6];
    for (int i = 0; i < 6; i++)
        pthread_create(&t[i], NULL, i < 2 ? writer : reader, NULL);
    for (int i = 0; i < 6; i++)
        pthread_join(t[i], NULL);
    printf("data %ld %ld %ld %ld torn reads %d\n", data[0], data[1], data[2], data[3], bad);
    void *r;
    pthread_rwlock_rdlock(&rw);
    pthread_create(&t[0], NULL, try_write, NULL);
    pthread_join(t[0], &r);
    printf("trywrlock under a reader: %s\n", (long)r == EBUSY ? "EBUSY" : "?");
    pthread_create(&t[0], NULL, try_read, NULL);
    pthread_join(t[0], &r);
    printf("tryrdlock under a reader: %ld\n", (long)r);
    pthread_rwlock_unlock(&rw);
    pthread_rwlock_wrlock(&rw);
    pthread_create(&t[0], NULL, try_read, NULL);
    pthread_join(t[0], &r);
    printf("tryrdlock under a writer: %s\n", (long)r == EBUSY ? "EBUSY" : "?");
    pthread_rwlock_unlock(&rw);
    return 0;
}
