/* fork: the child's exit status through waitpid, getpid and getppid on
 * both sides, memory written after the fork seen by one side only (data,
 * .bss, stack, heap, a fresh mapping), atfork handlers in order, stdio
 * usable in the child, and ECHILD once the child is reaped; signal
 * dispositions and the mask copied; vfork; fork from a second thread
 * (the child has that thread alone).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static int data_word = 1;
static int bss_word;
static char trail[64];

static void prepare(void)
{
    strcat(trail, "p");
}
static void parent(void)
{
    strcat(trail, "P");
}
static void child(void)
{
    strcat(trail, "C");
}

static volatile sig_atomic_t got;

static void on_usr1(int sig)
{
    got = sig;
}

static void *seven(void *arg)
{
    return (void *)7L;
}

static void *forker(void *arg)
{
    pid_t pid = fork();
    if (pid == 0) {
        /* Only this thread is in the child; it may start another. */
        pthread_t t;
        void *r = NULL;
        if (pthread_create(&t, NULL, seven, NULL) || pthread_join(t, &r))
            _exit(1);
        _exit(20 + (int)(long)r);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    return (void *)(long)WEXITSTATUS(st);
}

int main(void)
{
    if (pthread_atfork(prepare, parent, child))
        return 1;
    int stack_word = 3;
    char *heap = malloc(100);
    char *map = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!heap || map == MAP_FAILED)
        return 2;
    strcpy(heap, "heap before");
    strcpy(map + 4096, "map before");
    bss_word = 2;
    pid_t me = getpid();
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        printf("fork: %s\n", strerror(errno));
        return 3;
    }
    if (pid == 0) {
        int ok = getppid() == me && getpid() != me;
        data_word = 10;
        bss_word = 20;
        stack_word = 30;
        strcpy(heap, "heap child");
        strcpy(map + 4096, "map child");
        printf("child: ids %s, trail %s, %d %d %d %s %s\n", ok ? "right" : "wrong", trail,
               data_word, bss_word, stack_word, heap, map + 4096);
        fflush(stdout);
        _exit(42);
    }
    int st;
    pid_t w = waitpid(pid, &st, 0);
    printf("parent: waited %s, exited %d status %d, trail %s\n", w == pid ? "the child" : "?",
           WIFEXITED(st), WEXITSTATUS(st), trail);
    printf("parent: %d %d %d %s %s\n", data_word, bss_word, stack_word, heap, map + 4096);
    strcpy(heap, "heap after");
    printf("parent: %s, getpid same %d\n", heap, getpid() == me);
    errno = 0;
    int again = (int)waitpid(-1, &st, 0);
    printf("again: %d %s\n", again, strerror(errno));

    signal(SIGUSR1, on_usr1);
    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    sigprocmask(SIG_BLOCK, &usr2, NULL);
    pid = fork();
    if (pid == 0) {
        raise(SIGUSR1);
        sigset_t now;
        sigprocmask(SIG_BLOCK, NULL, &now);
        _exit((got == SIGUSR1 ? 1 : 0) | (sigismember(&now, SIGUSR2) ? 2 : 0));
    }
    waitpid(pid, &st, 0);
    sigprocmask(SIG_UNBLOCK, &usr2, NULL);
    printf("signals in the child: %d, here %d\n", WEXITSTATUS(st), (int)got);

    pid = vfork();
    if (pid == 0)
        _exit(5);
    waitpid(pid, &st, 0);
    printf("vfork: %d\n", WEXITSTATUS(st));

    pthread_t t;
    void *res;
    if (pthread_create(&t, NULL, forker, NULL) == 0 && pthread_join(t, &res) == 0)
        printf("fork from a thread: %ld\n", (long)res);

    /* Exit statuses of several children, reaped in another order. */
    pid_t kids[5];
    for (int i = 0; i < 5; i++) {
        kids[i] = fork();
        if (kids[i] == 0)
            _exit(i * 3);
    }
    for (int i = 4; i >= 0; i--) {
        waitpid(kids[i], &st, 0);
        printf("kid %d: %d\n", i, WEXITSTATUS(st));
    }
    return 0;
}
