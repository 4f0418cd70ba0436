/* A "#!" script: posix_spawn of ./script, whose first line names
 * ./kid_interp with one argument, runs the interpreter with that
 * argument, the script's path as given and the script's arguments; and
 * the same through posix_spawnp and PATH.
 * cwd: kids
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void run(const char *what, int r, pid_t pid)
{
    int st = 0;
    if (r == 0)
        waitpid(pid, &st, 0);
    printf("%s: spawn %d, exited %d with %d\n", what, r, WIFEXITED(st), WEXITSTATUS(st));
}

int main(void)
{
    pid_t pid = 0;
    char *argv[] = {"script", "one", "two", NULL};
    fflush(stdout);
    int r = posix_spawn(&pid, "./script", NULL, NULL, argv, environ);
    run("posix_spawn ./script", r, pid);

    char cwd[512];
    if (!getcwd(cwd, sizeof(cwd)))
        return 1;
    setenv("PATH", cwd, 1);
    char *argv2[] = {"script", NULL};
    fflush(stdout);
    r = posix_spawnp(&pid, "script", NULL, NULL, argv2, environ);
    /* The interpreter gets the path PATH made, which is this directory's. */
    run("posix_spawnp script", r, pid);
    return 0;
}
