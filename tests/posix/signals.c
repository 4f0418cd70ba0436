/* Signals a process sends itself: handlers run (signal, sigaction with
 * SA_SIGINFO), SIG_IGN, a blocked signal stays pending and is delivered
 * when unblocked, SA_RESETHAND; and finally a default action ends the
 * process (SIGTERM: status 143). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t got, info_sig, info_code_ok;

static void handler(int sig)
{
    got = sig;
}

static void info_handler(int sig, siginfo_t *si, void *ctx)
{
    info_sig = si->si_signo;
    info_code_ok = si->si_code <= 0;
}

int main(void)
{
    signal(SIGUSR1, handler);
    raise(SIGUSR1);
    printf("handler saw %d (SIGUSR1 %d)\n", got, got == SIGUSR1);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = info_handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR2, &sa, NULL);
    kill(getpid(), SIGUSR2);
    printf("siginfo handler: signo %d user-sent %d\n", info_sig == SIGUSR2, info_code_ok);
    signal(SIGINT, SIG_IGN);
    raise(SIGINT);
    printf("ignored SIGINT: still here\n");
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    got = 0;
    sigprocmask(SIG_BLOCK, &set, &old);
    raise(SIGUSR1);
    sigset_t pend;
    sigpending(&pend);
    printf("blocked: handler not run %d, pending %d\n", got == 0, sigismember(&pend, SIGUSR1));
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("unblocked: delivered %d\n", got == SIGUSR1);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = handler;
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGUSR1, &sa, NULL);
    got = 0;
    raise(SIGUSR1);
    struct sigaction now;
    sigaction(SIGUSR1, NULL, &now);
    printf("reset after one delivery: %d %d\n", got == SIGUSR1, now.sa_handler == SIG_DFL);
    printf("kill 0 to self: %d\n", kill(getpid(), 0));
    fflush(stdout);
    raise(SIGTERM);
    printf("not reached\n");
    return 0;
}
