/* A child started with posix_spawn that execs another program: the parent
 * still waits for it by the same pid and sees the new program's exit
 * status; the new program has the child's pid and parent.
 * cwd: kids
 */
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(void)
{
    for (int i = 0; i < 3; i++) {
        char code[8];
        snprintf(code, sizeof(code), "%d", 40 + i);
        char *argv[] = {"kid_reexec", code, "arg", NULL};
        pid_t pid = 0;
        fflush(stdout);
        int r = posix_spawn(&pid, "./kid_reexec", NULL, NULL, argv, environ);
        int st = 0;
        pid_t w = r == 0 ? waitpid(pid, &st, 0) : -1;
        printf("round %d: spawn %d, waited same pid %d, exited %d with %d\n", i, r, w == pid,
               WIFEXITED(st), WEXITSTATUS(st));
    }
    return 0;
}
