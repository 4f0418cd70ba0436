/* The clocks: MONOTONIC never goes back and advances over a sleep,
 * REALTIME is a date after 2024, gettimeofday and time agree with it,
 * the CPU-time clocks advance with work, and bad clocks are EINVAL.  Only
 * facts are printed, never times. */
#include <errno.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

static long long ns(struct timespec t)
{
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(void)
{
    struct timespec a, b, r, c0, c1, t0, t1, res;
    int mono_ok = 1;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < 1000; i++) {
        clock_gettime(CLOCK_MONOTONIC, &b);
        mono_ok &= ns(b) >= ns(a);
        a = b;
    }
    printf("monotonic never decreases: %d\n", mono_ok);
    clock_gettime(CLOCK_MONOTONIC, &a);
    struct timespec nap = {0, 20 * 1000 * 1000};
    nanosleep(&nap, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("a 20 ms sleep lasts at least 20 ms: %d\n", ns(b) - ns(a) >= 20000000LL);
    printf("and less than 5 s: %d\n", ns(b) - ns(a) < 5000000000LL);
    clock_gettime(CLOCK_REALTIME, &r);
    printf("realtime after 2024: %d\n", r.tv_sec > 1704067200);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    time_t now = time(NULL);
    printf("gettimeofday and time agree: %d %d\n", tv.tv_sec - r.tv_sec < 5,
           now - r.tv_sec < 5 && now >= r.tv_sec);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    volatile unsigned long x = 0;
    for (unsigned long i = 0; i < 2000000; i++)
        x += i;
    printf("work done: %d\n", x == 1999999000000UL);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
    printf("cpu clocks advance: %d %d\n", ns(c1) > ns(c0), ns(t1) > ns(t0));
    printf("clock() advances: %d\n", clock() > 0);
    printf("getres monotonic: %d\n",
           clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0 && res.tv_nsec > 0);
    errno = 0;
    int bad = clock_gettime((clockid_t)12345, &a);
    printf("bad clock: %d %s\n", bad, errno == EINVAL ? "EINVAL" : "other");
    return 0;
}
