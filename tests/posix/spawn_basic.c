/* posix_spawn of a program from its file: its argv, its output on our
 * stdout, its exit status through waitpid, the pid posix_spawn gave; then
 * posix_spawnp finding the same program through PATH, and waitpid with no
 * child left (ECHILD).
 * cwd: kids
 */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void report(const char *what, pid_t pid, int r)
{
    int st = 0;
    pid_t w = waitpid(pid, &st, 0);
    printf("%s: spawn %d, waitpid %s, ", what, r, w == pid ? "that pid" : "other");
    if (WIFEXITED(st))
        printf("exited %d\n", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        printf("signal %d\n", WTERMSIG(st));
    else
        printf("status %#x\n", st);
}

int main(void)
{
    pid_t pid = 0;
    char *argv[] = {"kid_exit", "7", "hello world", NULL};
    fflush(stdout);
    int r = posix_spawn(&pid, "./kid_exit", NULL, NULL, argv, environ);
    report("posix_spawn ./kid_exit", pid, r);
    printf("pid is positive and not ours: %d\n", pid > 0 && pid != getpid());

    char cwd[512], path[600];
    if (!getcwd(cwd, sizeof(cwd)))
        return 1;
    snprintf(path, sizeof(path), "/no/such/dir:%s", cwd);
    setenv("PATH", path, 1);
    char *argv2[] = {"kid_exit", "0", NULL};
    fflush(stdout);
    r = posix_spawnp(&pid, "kid_exit", NULL, NULL, argv2, environ);
    report("posix_spawnp kid_exit", pid, r);

    char *argv3[] = {"kid_exit", "300", NULL};
    fflush(stdout);
    r = posix_spawn(&pid, "kid_exit", NULL, NULL, argv3, environ);
    report("posix_spawn kid_exit (relative)", pid, r);

    errno = 0;
    pid_t w = waitpid(-1, NULL, 0);
    printf("waitpid with no children: %d, %s\n", w, strerror(errno));
    w = waitpid(-1, NULL, WNOHANG);
    printf("waitpid WNOHANG with no children: %d, %s\n", w, strerror(errno));
    return 0;
}
