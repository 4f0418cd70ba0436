/* Waiting for signals inside one process: alarm interrupting pause,
 * sigsuspend with SIGALRM blocked outside it, a signal that stays pending
 * while it is blocked and runs once unblocked, an ITIMER_REAL interval
 * timer, getitimer, SA_RESETHAND, SA_NODEFER and SIG_IGN.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t hits, depth, max_depth;

static void on_alrm(int sig)
{
    (void)sig;
    hits++;
}

static void on_usr1(int sig)
{
    depth++;
    if (depth > max_depth)
        max_depth = depth;
    if (hits++ == 0)
        raise(sig); /* nested at once with SA_NODEFER, after this one without */
    depth--;
}

static void handle(int sig, void (*fn)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    sigaction(sig, &sa, NULL);
}

static int blocked(int sig)
{
    sigset_t s;
    sigprocmask(SIG_BLOCK, NULL, &s);
    return sigismember(&s, sig);
}

int main(void)
{
    handle(SIGALRM, on_alrm, 0);

    /* alarm + pause */
    alarm(1);
    errno = 0;
    int r = pause();
    printf("pause: %d (%s), handler ran %d\n", r, strerror(errno), (int)hits);

    /* sigsuspend: SIGALRM blocked except while suspended */
    sigset_t block, empty;
    sigemptyset(&block);
    sigaddset(&block, SIGALRM);
    sigemptyset(&empty);
    sigprocmask(SIG_BLOCK, &block, NULL);
    hits = 0;
    alarm(1);
    errno = 0;
    r = sigsuspend(&empty);
    printf("sigsuspend: %d (%s), handler ran %d, SIGALRM blocked again %d\n", r, strerror(errno),
           (int)hits, blocked(SIGALRM));

    /* blocked: it stays pending through a sleep, then runs on unblock */
    hits = 0;
    alarm(1);
    struct timespec t = {1, 500000000L};
    r = nanosleep(&t, NULL);
    sigset_t pend;
    sigpending(&pend);
    printf("while blocked: nanosleep %d, handler ran %d, pending %d\n", r, (int)hits,
           sigismember(&pend, SIGALRM));
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    sigpending(&pend);
    printf("unblocked: handler ran %d, pending %d\n", (int)hits, sigismember(&pend, SIGALRM));

    /* an interval timer: three ticks of 100 ms */
    hits = 0;
    struct itimerval it = {{0, 100000}, {0, 100000}}, cur;
    setitimer(ITIMER_REAL, &it, NULL);
    getitimer(ITIMER_REAL, &cur);
    printf("getitimer: interval 100 ms %d, value at most 100 ms %d\n",
           cur.it_interval.tv_sec == 0 && cur.it_interval.tv_usec == 100000,
           cur.it_value.tv_sec == 0 && cur.it_value.tv_usec <= 100000);
    while (hits < 3)
        pause();
    memset(&it, 0, sizeof(it));
    setitimer(ITIMER_REAL, &it, NULL);
    getitimer(ITIMER_REAL, &cur);
    printf("interval timer ticked 3 times, disarmed %d\n",
           cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0);

    /* SA_NODEFER: a raise from the handler nests; without it, it waits */
    hits = max_depth = 0;
    handle(SIGUSR1, on_usr1, SA_NODEFER);
    raise(SIGUSR1);
    printf("SA_NODEFER: ran %d, deepest %d\n", (int)hits, (int)max_depth);
    hits = max_depth = 0;
    handle(SIGUSR1, on_usr1, 0);
    raise(SIGUSR1);
    printf("without: ran %d, deepest %d\n", (int)hits, (int)max_depth);

    /* SA_RESETHAND: the action is back to SIG_DFL after one delivery */
    hits = 0;
    handle(SIGUSR2, on_alrm, SA_RESETHAND);
    raise(SIGUSR2);
    struct sigaction now;
    sigaction(SIGUSR2, NULL, &now);
    printf("SA_RESETHAND: ran %d, now SIG_DFL %d\n", (int)hits, now.sa_handler == SIG_DFL);

    /* SIG_IGN: an ignored alarm does nothing; the sleep runs its course */
    handle(SIGALRM, SIG_IGN, 0);
    alarm(1);
    t = (struct timespec){1, 300000000L};
    r = nanosleep(&t, NULL);
    printf("ignored SIGALRM: nanosleep %d\n", r);
    return 0;
}
