/* posix_spawn and the signals the parent ignores: they stay ignored in the
 * child, unless POSIX_SPAWN_SETSIGDEF names them; a caught one starts at
 * its default.
 * cwd: kids
 */
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_usr2(int sig)
{
    (void)sig;
}

static void run(const char *what, const posix_spawnattr_t *attr)
{
    char *argv[] = {"kid_exec", "0", NULL};
    char *envp[] = {NULL};
    pid_t pid;
    int st = 0;
    printf("%s:\n", what);
    fflush(stdout);
    if (posix_spawn(&pid, "./kid_exec", NULL, attr, argv, envp) == 0)
        waitpid(pid, &st, 0);
}

int main(void)
{
    signal(SIGUSR1, SIG_IGN);
    signal(SIGUSR2, on_usr2);
    run("plain", NULL);
    posix_spawnattr_t a;
    sigset_t def;
    posix_spawnattr_init(&a);
    sigemptyset(&def);
    sigaddset(&def, SIGUSR1);
    posix_spawnattr_setsigdefault(&a, &def);
    posix_spawnattr_setflags(&a, POSIX_SPAWN_SETSIGDEF);
    run("SETSIGDEF SIGUSR1", &a);
    posix_spawnattr_destroy(&a);
    return 0;
}
