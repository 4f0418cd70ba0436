/* Barriers: phases in lock step, one serial thread per phase. */
#include <pthread.h>
#include <stdio.h>

#define N 4
static pthread_barrier_t b;
static int phase_count[10];
static int serial[10];

static void *run(void *arg)
{
    for (int p = 0; p < 10; p++) {
        __atomic_add_fetch(&phase_count[p], 1, __ATOMIC_RELAXED);
        int r = pthread_barrier_wait(&b);
        if (r == PTHREAD_BARRIER_SERIAL_THREAD)
            __atomic_add_fetch(&serial[p], 1, __ATOMIC_RELAXED);
        if (__atomic_load_n(&phase_count[p], __ATOMIC_RELAXED) != N)
            return (void *)1;
        pthread_barrier_wait(&b);
    }
    return NULL;
}

int main(void)
{
    pthread_t t[N];
    pthread_barrier_init(&b, NULL, N);
    for (int i = 0; i < N; i++)
        pthread_create(&t[i], NULL, run, NULL);
    long errors = 0;
    for (int i = 0; i < N; i++) {
        void *r;
        pthread_join(t[i], &r);
        errors += (long)r;
    }
    for (int p = 0; p < 10; p++)
        printf("phase %d: %d arrived, %d serial\n", p, phase_count[p], serial[p]);
    printf("early leavers: %ld\n", errors);
    pthread_barrier_destroy(&b);
    return 0;
}
