/* Signals between a parent and the children it spawned: kill of a child
 * spinning in a loop (SIGTERM's default action, a SIGTERM handler, SIGKILL),
 * a child's own alarm ending it, a child blocked in a pipe read
 * (SA_RESTART: the read goes on; without: EINTR) or in nanosleep (EINTR), SA_SIGINFO in the child
 * (who sent it), a handler on the alternate stack, the parent's SIGCHLD handler with its siginfo,
 * kill of a reaped child (ESRCH) and of one that has ended and is not reaped (it succeeds and
 * changes nothing), and a blocked waitpid across a SIGCHLD handler (it reports the child) and a
 * SIGALRM handler without SA_RESTART (EINTR). cwd: kids
 */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static volatile sig_atomic_t chld_hits;
static volatile pid_t chld_pid;
static volatile int chld_code, chld_status;

static void on_chld(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)ctx;
    chld_hits++;
    chld_pid = si->si_pid;
    chld_code = si->si_code;
    chld_status = si->si_status;
}

static volatile sig_atomic_t alarm_hits;

static void on_alarm(int sig)
{
    (void)sig;
    alarm_hits++;
}

struct kid {
    pid_t pid;
    int out; /* its stdout */
    int in;  /* its stdin, or -1 */
};

/* Starts kid_sig with `mode` (and `arg`), waits for its "ready". */
static struct kid start(const char *mode, const char *arg, int with_stdin)
{
    struct kid k = {0, -1, -1};
    int o[2], i[2];
    pipe(o);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, o[1], 1);
    posix_spawn_file_actions_addclose(&fa, o[0]);
    posix_spawn_file_actions_addclose(&fa, o[1]);
    if (with_stdin) {
        pipe(i);
        posix_spawn_file_actions_adddup2(&fa, i[0], 0);
        posix_spawn_file_actions_addclose(&fa, i[0]);
        posix_spawn_file_actions_addclose(&fa, i[1]);
    }
    char *argv[] = {"kid_sig", (char *)mode, (char *)arg, NULL};
    fflush(stdout);
    if (posix_spawn(&k.pid, "./kid_sig", &fa, NULL, argv, environ) != 0) {
        printf("spawn %s failed\n", mode);
        exit(1);
    }
    posix_spawn_file_actions_destroy(&fa);
    close(o[1]);
    k.out = o[0];
    if (with_stdin) {
        close(i[0]);
        k.in = i[1];
    }
    char buf[16];
    ssize_t n = read(k.out, buf, 6);
    printf("%s: %s", mode, n == 6 && memcmp(buf, "ready\n", 6) == 0 ? "ready, " : "no ready, ");
    return k;
}

/* Its remaining output and how it ended. */
static void finish(struct kid *k)
{
    char buf[256];
    ssize_t n, len = 0;
    if (k->in >= 0)
        close(k->in); /* a read still waiting sees end of file */
    while ((n = read(k->out, buf + len, sizeof(buf) - 1 - len)) > 0)
        len += n;
    buf[len] = 0;
    close(k->out);
    int st = 0;
    pid_t w = waitpid(k->pid, &st, 0);
    printf("said \"%.*s\", ", (int)(len && buf[len - 1] == '\n' ? len - 1 : len), buf);
    if (w != k->pid)
        printf("waitpid %d (%s)\n", (int)w, strerror(errno));
    else if (WIFEXITED(st))
        printf("exited %d\n", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        printf("killed by signal %d\n", WTERMSIG(st));
    else
        printf("status %#x\n", st);
}

static void pause_ms(int ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0 && errno == EINTR)
        ;
}

int main(void)
{
    struct kid k = start("spin", NULL, 0);
    printf("kill SIGTERM %d, ", kill(k.pid, SIGTERM));
    finish(&k);

    k = start("term3", NULL, 0);
    printf("kill SIGTERM %d, ", kill(k.pid, SIGTERM));
    finish(&k);

    k = start("spin", NULL, 0);
    printf("kill SIGKILL %d, ", kill(k.pid, SIGKILL));
    finish(&k);

    k = start("alarm", NULL, 0);
    finish(&k);

    k = start("read", "restart", 1);
    pause_ms(300);
    printf("kill SIGUSR1 %d, ", kill(k.pid, SIGUSR1));
    pause_ms(300);
    write(k.in, "hello\n", 6);
    finish(&k);

    k = start("read", "eintr", 1);
    pause_ms(300);
    printf("kill SIGUSR1 %d, ", kill(k.pid, SIGUSR1));
    pause_ms(300); /* before the end of file finish() makes */
    finish(&k);

    k = start("sleep", NULL, 0);
    pause_ms(300);
    printf("kill SIGUSR1 %d, ", kill(k.pid, SIGUSR1));
    finish(&k);

    k = start("info", NULL, 0);
    printf("kill SIGUSR1 %d, ", kill(k.pid, SIGUSR1));
    finish(&k);

    k = start("altstack", NULL, 0);
    printf("kill SIGUSR1 %d, ", kill(k.pid, SIGUSR1));
    finish(&k);

    /* SIGCHLD: the handler runs by the time the child is reaped. */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_chld;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(SIGCHLD, &sa, NULL);
    k = start("spin", NULL, 0);
    pid_t kid = k.pid;
    printf("kill SIGTERM %d, ", kill(k.pid, SIGTERM));
    finish(&k);
    for (int i = 0; i < 100 && !chld_hits; i++)
        pause_ms(10);
    printf("SIGCHLD handler ran: %d, si_pid is the child: %d, CLD_KILLED: %d, si_status %d\n",
           chld_hits > 0, chld_pid == kid, chld_code == CLD_KILLED, (int)chld_status);

    errno = 0;
    int r = kill(kid, SIGTERM);
    printf("kill of a reaped child: %d (%s)\n", r, strerror(errno));

    /* A child that has ended and is not reaped (a zombie) takes a signal
     * and ignores it. */
    chld_hits = 0;
    char *zargv[] = {"kid_exit", "5", NULL};
    pid_t z;
    fflush(stdout);
    posix_spawn(&z, "./kid_exit", NULL, NULL, zargv, environ);
    for (int i = 0; i < 500 && !chld_hits; i++)
        pause_ms(10);
    r = kill(z, SIGTERM);
    int st = 0;
    waitpid(z, &st, 0);
    printf("kill of a zombie: %d, then it exited %d\n", r, WIFEXITED(st) ? WEXITSTATUS(st) : -1);

    /* A blocked waitpid: SIGCHLD's handler without SA_RESTART runs and the
     * wait still reports the child; SIGALRM's makes it return EINTR. */
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGCHLD, &sa, NULL);
    chld_hits = 0;
    char *eargv[] = {"kid_exit", "4", NULL};
    fflush(stdout);
    posix_spawn(&z, "./kid_exit", NULL, NULL, eargv, environ);
    st = 0;
    pid_t w = waitpid(z, &st, 0);
    printf("waitpid across SIGCHLD: the child %d, exited %d, handler ran %d\n", w == z,
           WIFEXITED(st) ? WEXITSTATUS(st) : -1, chld_hits > 0);
    struct sigaction al;
    memset(&al, 0, sizeof(al));
    al.sa_handler = on_alarm;
    sigaction(SIGALRM, &al, NULL);
    k = start("spin", NULL, 0);
    alarm(1);
    errno = 0;
    w = waitpid(k.pid, &st, 0);
    printf("waitpid across SIGALRM: %d (%s), alarm handler ran %d, ", (int)w, strerror(errno),
           (int)alarm_hits);
    printf("kill SIGKILL %d, ", kill(k.pid, SIGKILL));
    finish(&k);
    return 0;
}
