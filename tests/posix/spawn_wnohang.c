/* WNOHANG: 0 while the child runs (it reads a pipe we hold open), its
 * pid and status once it has ended (we close the pipe and look again
 * until it has), then ECHILD; waitid with WNOWAIT leaves it to be reaped.
 * cwd: kids
 */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int main(void)
{
    int p[2];
    if (pipe(p))
        return 1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[0], 0);
    posix_spawn_file_actions_addclose(&fa, p[0]);
    posix_spawn_file_actions_addclose(&fa, p[1]);
    char *argv[] = {"kid_wait", NULL};
    pid_t pid;
    fflush(stdout);
    int r = posix_spawn(&pid, "./kid_wait", &fa, NULL, argv, environ);
    close(p[0]);
    int st = -1;
    pid_t w = waitpid(pid, &st, WNOHANG);
    printf("spawn %d; while it runs: waitpid WNOHANG %d, status untouched %d\n", r, w, st == -1);
    w = waitpid(-1, &st, WNOHANG);
    printf("any child, WNOHANG: %d\n", w);
    if (write(p[1], "12345", 5) != 5)
        return 1;
    close(p[1]);

    siginfo_t si;
    int tries = 0;
    memset(&si, 0, sizeof(si));
    while (waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == 0 &&
           tries++ < 10000) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    printf("waitid WNOWAIT: pid matches %d, signo %d, code %d, status %d\n", si.si_pid == pid,
           si.si_signo == SIGCHLD, si.si_code == CLD_EXITED, si.si_status);
    w = waitpid(pid, &st, WNOHANG);
    printf("after it ended: waitpid WNOHANG gives its pid %d, exited %d with %d\n", w == pid,
           WIFEXITED(st), WEXITSTATUS(st));
    errno = 0;
    w = waitpid(pid, &st, WNOHANG);
    printf("again: %d, %s\n", w, strerror(errno));
    errno = 0;
    w = waitpid(-1, &st, 0x4000000);
    printf("waitpid with a bad option: %d, %s\n", w, strerror(errno));
    posix_spawn_file_actions_destroy(&fa);
    return 0;
}
