/* execve in place: the new program gets exactly the argv and environment
 * given, keeps the pid, the parent, the working directory, the signal mask
 * and the ignored signals, and a caught signal reverts to its default; its
 * exit status is the process's.
 * cwd: kids
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void on_usr2(int sig)
{
    (void)sig;
}

int main(void)
{
    char pid[32], ppid[32];
    snprintf(pid, sizeof(pid), "EXEC_PID=%ld", (long)getpid());
    snprintf(ppid, sizeof(ppid), "EXEC_PPID=%ld", (long)getppid());
    char *argv[] = {"kid_exec", "7", "two words", "", "last", NULL};
    char *envp[] = {"EXEC_VAR=a=b c", pid, ppid, NULL};
    signal(SIGUSR1, SIG_IGN);
    signal(SIGUSR2, on_usr2);
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGTERM);
    sigprocmask(SIG_BLOCK, &m, NULL);
    printf("exec_basic: before\n");
    fflush(stdout);
    execve("./kid_exec", argv, envp);
    perror("execve");
    return 1;
}
