/* nanosleep, usleep, sleep and clock_nanosleep (relative and absolute),
 * and their EINVAL cases. */
#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static long long now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(void)
{
    long long t = now();
    usleep(15000);
    printf("usleep 15 ms: %d\n", now() - t >= 15000000LL);
    t = now();
    struct timespec d = {0, 10000000};
    printf("clock_nanosleep relative: %d", clock_nanosleep(CLOCK_MONOTONIC, 0, &d, NULL));
    printf(" %d\n", now() - t >= 10000000LL);
    struct timespec abs;
    clock_gettime(CLOCK_MONOTONIC, &abs);
    abs.tv_nsec += 30000000;
    if (abs.tv_nsec >= 1000000000) {
        abs.tv_sec++;
        abs.tv_nsec -= 1000000000;
    }
    t = now();
    printf("clock_nanosleep absolute: %d",
           clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, 0));
    printf(" %d\n", now() - t >= 25000000LL);
    struct timespec past = {0, 1};
    printf("absolute in the past returns at once: %d\n",
           clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, 0));
    struct timespec bad = {0, 1000000000};
    errno = 0;
    int r = nanosleep(&bad, NULL);
    printf("nanosleep bad nsec: %d %s\n", r, errno == EINVAL ? "EINVAL" : "?");
    struct timespec neg = {-1, 0};
    errno = 0;
    r = nanosleep(&neg, NULL);
    printf("nanosleep negative: %d %s\n", r, errno == EINVAL ? "EINVAL" : "?");
    printf("clock_nanosleep bad: %d\n", clock_nanosleep(CLOCK_MONOTONIC, 0, &bad, NULL) == EINVAL);
    printf("sleep(0) = %u\n", sleep(0));
    return 0;
}
