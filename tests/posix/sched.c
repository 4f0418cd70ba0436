/* sched_yield, sched_getaffinity (at least one CPU, the calling thread's),
 * sysconf's processor counts agree with it, gettid is the pid in the first
 * thread. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

static void *tid_of(void *arg)
{
    return (void *)(long)gettid();
}

int main(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    printf("sched_yield: %d\n", sched_yield());
    printf("getaffinity: %d\n", sched_getaffinity(0, sizeof(set), &set));
    int n = CPU_COUNT(&set);
    printf("at least one CPU: %d\n", n >= 1);
    printf("sysconf agrees: %d\n", sysconf(_SC_NPROCESSORS_ONLN) >= 1);
    printf("gettid == getpid in main: %d\n", gettid() == getpid());
    pthread_t t;
    void *r;
    pthread_create(&t, NULL, tid_of, NULL);
    pthread_join(t, &r);
    printf("other thread's tid differs: %d\n", (long)r != getpid() && (long)r > 0);
    printf("setaffinity to what it has: %d\n", sched_setaffinity(0, sizeof(set), &set));
    return 0;
}
