/* fork in a loop: 50 children one after another, each exiting with its
 * own status; then 20 alive at once, reaped with waitpid(-1); then a
 * forked child that forks a grandchild of its own; then a forked child
 * that starts a program with posix_spawn and waits for it.
 * cwd: kids
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(void)
{
    int sum = 0, st;
    for (int i = 0; i < 50; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            printf("fork %d failed\n", i);
            return 1;
        }
        if (pid == 0)
            _exit(i + 1);
        if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
            return 2;
        sum += WEXITSTATUS(st);
    }
    printf("50 in turn: sum %d\n", sum);

    sum = 0;
    for (int i = 0; i < 20; i++) {
        pid_t pid = fork();
        if (pid == 0)
            _exit(i);
        if (pid < 0)
            return 3;
    }
    int n = 0;
    pid_t w;
    while ((w = waitpid(-1, &st, 0)) > 0) {
        sum += WEXITSTATUS(st);
        n++;
    }
    printf("20 at once: %d reaped, sum %d\n", n, sum);

    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        pid_t me = getpid();
        pid_t g = fork();
        if (g == 0)
            _exit(getppid() == me ? 5 : 6);
        waitpid(g, &st, 0);
        _exit(WEXITSTATUS(st) + 10);
    }
    waitpid(pid, &st, 0);
    printf("grandchild: %d\n", WEXITSTATUS(st));

    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        char *argv[] = {"kid_exit", "23", "from the child", NULL};
        pid_t k;
        if (posix_spawn(&k, "./kid_exit", NULL, NULL, argv, environ))
            _exit(99);
        waitpid(k, &st, 0);
        _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 98);
    }
    waitpid(pid, &st, 0);
    printf("spawn in child: %d\n", WEXITSTATUS(st));
    return 0;
}
