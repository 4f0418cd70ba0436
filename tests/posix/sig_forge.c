/* A forged return from a signal handler hurts only the process that forges
 * it: asking for IOPL 3 with interrupts off lands in user mode with IOPL 0
 * and interrupts on (the flags user mode may set are kept), and a
 * non-canonical resume address ends the forger with SIGSEGV while its
 * parent goes on.
 * cwd: kids
 */
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void run(const char *how)
{
    int o[2];
    pipe(o);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, o[1], 1);
    posix_spawn_file_actions_addclose(&fa, o[0]);
    posix_spawn_file_actions_addclose(&fa, o[1]);
    char *argv[] = {"kid_sig", "forge", (char *)how, NULL};
    pid_t pid;
    fflush(stdout);
    int r = posix_spawn(&pid, "./kid_sig", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(o[1]);
    char buf[256];
    ssize_t n, len = 0;
    while ((n = read(o[0], buf + len, sizeof(buf) - 1 - len)) > 0)
        len += n;
    buf[len] = 0;
    close(o[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    printf("forge %s: spawn %d, said: %s", how, r, buf);
    if (WIFEXITED(st))
        printf("exited %d\n", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        printf("killed by signal %d\n", WTERMSIG(st));
}

int main(void)
{
    run("iopl");
    run("rip");
    printf("the parent goes on\n");
    return 0;
}
