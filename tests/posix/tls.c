/* __thread variables: initial values from the TLS image, zero-initialised
 * ones, and independence between threads. */
#include <pthread.h>
#include <stdio.h>

static __thread int counter = 100;
static __thread char name[16] = "main";
static __thread long zeroed[64];
static _Thread_local double ratio = 0.5;

static void *worker(void *arg)
{
    long id = (long)arg;
    int ok = counter == 100 && ratio == 0.5 && name[0] == 'm';
    for (int i = 0; i < 64; i++)
        ok &= zeroed[i] == 0;
    for (int i = 0; i < 1000; i++)
        counter++;
    zeroed[id] = id;
    snprintf(name, sizeof(name), "thread%ld", id);
    ratio = id * 2.0;
    return (void *)(long)(ok && counter == 1100 && zeroed[id] == id);
}

int main(void)
{
    pthread_t t[8];
    counter = 5;
    for (long i = 0; i < 8; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    int all = 1;
    for (int i = 0; i < 8; i++) {
        void *r;
        pthread_join(t[i], &r);
        all &= r != NULL;
    }
    printf("threads saw fresh TLS: %d\n", all);
    printf("main unchanged: counter %d name %s ratio %g zeroed %ld\n", counter, name, ratio,
           zeroed[3]);
    return 0;
}
