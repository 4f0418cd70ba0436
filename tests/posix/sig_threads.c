/* A process-directed signal goes to a thread that does not block it: a
 * worker that blocks SIGALRM spins while the first thread waits in pause,
 * and the alarm ends the pause with the handler run on the first thread.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t hits, ready, stop;
static pthread_t main_thread, handled_on;

static void on_alrm(int sig)
{
    (void)sig;
    handled_on = pthread_self();
    hits++;
}

static void *worker(void *arg)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGALRM);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    ready = 1;
    while (!stop)
        ;
    return arg;
}

int main(void)
{
    main_thread = pthread_self();
    signal(SIGALRM, on_alrm);
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    while (!ready)
        ;
    alarm(1);
    int r = pause();
    printf("pause returned %d, handler ran %d, on the first thread %d\n", r, (int)hits,
           pthread_equal(handled_on, main_thread) != 0);
    stop = 1;
    pthread_join(t, NULL);
    return 0;
}
