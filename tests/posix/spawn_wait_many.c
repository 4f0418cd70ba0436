/* waitpid(-1) over 20 children at once: each exits with its own status,
 * every one is reaped exactly once, whatever order they end in, and then
 * there is none left (ECHILD).  A WNOHANG look first leaves a wait in
 * flight for every child, whose ends arrive while this process sleeps and
 * writes (other calls), and must all still be there.
 * cwd: kids
 */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>

extern char **environ;

#define N 20

int main(void)
{
    pid_t pids[N];
    int fd_null_out[1];
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    /* Their greetings would interleave: send them nowhere. */
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", 1, 0);
    (void)fd_null_out;
    for (int i = 0; i < N; i++) {
        char code[8];
        snprintf(code, sizeof(code), "%d", 100 + i);
        char *argv[] = {"kid_exit", code, NULL};
        int r = posix_spawn(&pids[i], "./kid_exit", &fa, NULL, argv, environ);
        if (r) {
            printf("spawn %d: %s\n", i, strerror(r));
            return 1;
        }
    }
    int seen[N] = {0}, reaped = 0, wrong = 0, early = 0;
    int st0;
    pid_t w0 = waitpid(-1, &st0, WNOHANG);
    if (w0 > 0) {
        int i = 0;
        while (i < N && pids[i] != w0)
            i++;
        if (i == N || seen[i]++ || !WIFEXITED(st0) || WEXITSTATUS(st0) != 100 + i)
            wrong++;
        reaped++;
        early++;
    }
    struct timespec ts = {0, 200000000};
    nanosleep(&ts, NULL);
    fflush(stdout);
    for (;;) {
        int st;
        pid_t w = waitpid(-1, &st, 0);
        if (w < 0) {
            printf("then waitpid: %s\n", strerror(errno));
            break;
        }
        int i = 0;
        while (i < N && pids[i] != w)
            i++;
        if (i == N || seen[i]++ || !WIFEXITED(st) || WEXITSTATUS(st) != 100 + i)
            wrong++;
        reaped++;
    }
    printf("reaped %d children, %d wrong, at most one early: %d\n", reaped, wrong, early <= 1);
    posix_spawn_file_actions_destroy(&fa);
    return 0;
}
