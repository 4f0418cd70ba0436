/* The program the exec tests start: prints its arguments, EXEC_VAR, whether
 * its pid and parent's pid are the EXEC_PID and EXEC_PPID its caller set
 * (the caller's own), which fds of 3-9 are open and where a file's offset
 * is, what became of the caller's signal state (SIGUSR1 ignored, SIGUSR2
 * caught, SIGTERM blocked), and whether it runs in the directory "kids";
 * then exits with argv[1] as its status. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *same(const char *var, long v)
{
    const char *e = getenv(var);
    return !e ? "unset" : atol(e) == v ? "same" : "different";
}

static const char *action(int sig)
{
    struct sigaction sa;
    if (sigaction(sig, NULL, &sa) != 0)
        return "?";
    return sa.sa_handler == SIG_IGN ? "ignored" : sa.sa_handler == SIG_DFL ? "default" : "caught";
}

int main(int argc, char **argv)
{
    printf("kid_exec: argc %d:", argc);
    for (int i = 0; i < argc; i++)
        printf(" [%s]", i == 0 && strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[i]);
    printf("\n");
    const char *v = getenv("EXEC_VAR");
    printf("  EXEC_VAR %s, pid %s, ppid %s\n", v ? v : "unset", same("EXEC_PID", getpid()),
           same("EXEC_PPID", getppid()));
    printf("  fds:");
    for (int fd = 3; fd < 10; fd++) {
        if (fcntl(fd, F_GETFD) < 0)
            continue;
        off_t pos = lseek(fd, 0, SEEK_CUR);
        printf(" %d@%ld", fd, (long)pos);
    }
    printf("\n");
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    printf("  SIGUSR1 %s, SIGUSR2 %s, SIGTERM %s\n", action(SIGUSR1), action(SIGUSR2),
           sigismember(&cur, SIGTERM) ? "blocked" : "not blocked");
    char cwd[512];
    const char *base = "elsewhere";
    if (getcwd(cwd, sizeof(cwd))) {
        const char *b = strrchr(cwd, '/');
        if (b && strcmp(b, "/kids") == 0)
            base = "kids";
    }
    printf("  in %s\n", base);
    return argc > 1 ? atoi(argv[1]) : 0;
}
