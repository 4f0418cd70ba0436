/* The children a program started stay the process's across execve: the
 * new program waits for them (one already ended, one still running when
 * the exec happens) and gets their statuses.
 * cwd: kids
 */
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    char list[64];
    pid_t a, b;
    char *av[] = {"kid_exit", "5", NULL};
    char *bv[] = {"kid_exit", "6", NULL};
    char *envp[] = {NULL};
    fflush(stdout);
    if (posix_spawn(&a, "./kid_exit", NULL, NULL, av, envp) != 0)
        return 2;
    siginfo_t si;
    waitid(P_PID, a, &si, WEXITED | WNOWAIT); /* a has ended, not reaped */
    if (posix_spawn(&b, "./kid_exit", NULL, NULL, bv, envp) != 0)
        return 3;
    snprintf(list, sizeof(list), "EXEC_CHILDREN=:%ld:%ld:", (long)a, (long)b);
    char *wv[] = {"kid_waiter", NULL};
    char *wenv[] = {list, NULL};
    execve("./kid_waiter", wv, wenv);
    perror("execve");
    return 1;
}
