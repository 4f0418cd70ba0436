/* What posix_spawn reports for programs it cannot start (ENOENT, ENOEXEC
 * for an ELF of another machine and for text without "#!", EACCES for a
 * file without an execute bit and for a directory), with nothing left
 * to wait for; and how children that die are reported: abort as SIGABRT,
 * a null write as SIGSEGV, a division by zero as SIGFPE.
 * cwd: kids
 */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

static void try(const char *path, int p)
{
    char *argv[] = {(char *)path, NULL};
    pid_t pid = -1;
    int r = p ? posix_spawnp(&pid, path, NULL, NULL, argv, environ)
              : posix_spawn(&pid, path, NULL, NULL, argv, environ);
    printf("%s %s: %s\n", p ? "posix_spawnp" : "posix_spawn", path, r ? strerror(r) : "started");
}

static void die(const char *how)
{
    char *argv[] = {"kid_die", (char *)how, NULL};
    pid_t pid;
    int st = 0;
    fflush(stdout);
    int r = posix_spawn(&pid, "./kid_die", NULL, NULL, argv, environ);
    waitpid(pid, &st, 0);
    printf("kid_die %s: spawn %d, exited %d, signalled %d, signal %s\n", how, r, WIFEXITED(st),
           WIFSIGNALED(st), WIFSIGNALED(st) ? strsignal(WTERMSIG(st)) : "-");
}

int main(void)
{
    try("./missing", 0);
    try("/no/such/dir/prog", 0);
    try("./corrupt", 0);
    try("./garbage", 0);
    try("./noperm", 0);
    try(".", 0);
    try("", 0);
    try("no_such_program_anywhere", 1);
    errno = 0;
    pid_t w = waitpid(-1, NULL, 0);
    printf("nothing to wait for: %d, %s\n", w, strerror(errno));
    die("abort");
    die("segv");
    die("fpe");
    return 0;
}
