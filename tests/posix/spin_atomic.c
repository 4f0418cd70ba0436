/* Spin locks and C11 atomics under contention. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

static pthread_spinlock_t s;
static long plain;
static atomic_long at;
static atomic_int flag = 0;

static void *run(void *arg)
{
    for (int i = 0; i < 20000; i++) {
        pthread_spin_lock(&s);
        plain++;
        pthread_spin_unlock(&s);
        atomic_fetch_add(&at, 2);
    }
    int expected = 0;
    if (atomic_compare_exchange_strong(&flag, &expected, (int)(long)arg))
        return (void *)1;
    return NULL;
}

int main(void)
{
    pthread_spin_init(&s, PTHREAD_PROCESS_PRIVATE);
    pthread_t t[4];
    for (long i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, run, (void *)(i + 1));
    long winners = 0;
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        winners += (long)r;
    }
    printf("plain %ld atomic %ld cas winners %ld\n", plain, atomic_load(&at), winners);
    printf("trylock free: %d\n", pthread_spin_trylock(&s));
    pthread_spin_unlock(&s);
    pthread_spin_destroy(&s);
    return 0;
}
