/* A child of the exec tests that execs: sets EXEC_PID and EXEC_PPID to its
 * own pid and parent's, then replaces itself with ./kid_exec, passing on
 * its arguments after its own name. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    char pid[32], ppid[32];
    snprintf(pid, sizeof(pid), "%ld", (long)getpid());
    snprintf(ppid, sizeof(ppid), "%ld", (long)getppid());
    setenv("EXEC_PID", pid, 1);
    setenv("EXEC_PPID", ppid, 1);
    argv[0] = "kid_exec";
    fflush(stdout);
    execv("./kid_exec", argv);
    perror("kid_reexec: execv");
    return 99;
}
