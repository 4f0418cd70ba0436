/* pthread_create and pthread_join: return values, arguments, many threads
 * over time, attributes (stack size, detach state), pthread_self/equal. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static void *square(void *arg)
{
    long v = (long)arg;
    return (void *)(v * v);
}

static pthread_t seen_self;
static void *self(void *arg)
{
    seen_self = pthread_self();
    return NULL;
}

static void *deep(void *arg)
{
    char big[200000];
    memset(big, 1, sizeof(big));
    return (void *)(long)big[199999];
}

int main(void)
{
    long total = 0;
    for (int round = 0; round < 20; round++) {
        pthread_t t[5];
        for (long i = 0; i < 5; i++)
            if (pthread_create(&t[i], NULL, square, (void *)(i + round)) != 0) {
                printf("create failed\n");
                return 1;
            }
        for (int i = 0; i < 5; i++) {
            void *r;
            pthread_join(t[i], &r);
            total += (long)r;
        }
    }
    printf("sum of squares: %ld\n", total);
    pthread_t t;
    pthread_create(&t, NULL, self, NULL);
    pthread_join(t, NULL);
    printf("pthread_self matches: %d; differs from main: %d\n", pthread_equal(t, seen_self) != 0,
           pthread_equal(t, pthread_self()) == 0);
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setstacksize(&a, 1 << 20);
    void *r;
    printf("create with 1 MiB stack: %d", pthread_create(&t, &a, deep, NULL));
    pthread_join(t, &r);
    printf(" result %ld\n", (long)r);
    size_t ss;
    pthread_attr_getstacksize(&a, &ss);
    printf("attr stack size %zu\n", ss);
    pthread_attr_destroy(&a);
    return 0;
}
