/* File actions: the child's stdout opened onto a file (addopen at fd 5,
 * adddup2 5 -> 1, addclose 5), which the parent then reads; stdin closed
 * (addclose 0); a file the parent opened without FD_CLOEXEC inherited
 * with its offset, one with FD_CLOEXEC not; addchdir.
 * cwd: kids
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int wait_one(pid_t pid)
{
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int main(void)
{
    const char *out = "spawn_redirect.out";
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 5, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 5, 1);
    posix_spawn_file_actions_addclose(&fa, 5);
    posix_spawn_file_actions_addclose(&fa, 0);
    char *argv[] = {"kid_exit", "9", "into a file", NULL};
    pid_t pid;
    fflush(stdout);
    int r = posix_spawn(&pid, "./kid_exit", &fa, NULL, argv, environ);
    printf("spawn %d, exit %d\n", r, wait_one(pid));
    posix_spawn_file_actions_destroy(&fa);

    char buf[256];
    int fd = open(out, O_RDONLY);
    long n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    printf("the file holds: %s", buf);

    /* fd 3 inherited (offset 4), fd 4 close-on-exec; the child's view. */
    int a = open(out, O_RDONLY);
    int b = open(out, O_RDONLY | O_CLOEXEC);
    lseek(a, 4, SEEK_SET);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addclose(&fa, 0);
    char *argv2[] = {"kid_fds", NULL};
    fflush(stdout);
    r = posix_spawn(&pid, "./kid_fds", &fa, NULL, argv2, environ);
    printf("spawn %d (fds %d and %d), exit %d\n", r, a, b, wait_one(pid));
    printf("parent's offset still %ld\n", (long)lseek(a, 0, SEEK_CUR));
    posix_spawn_file_actions_destroy(&fa);

    /* dup2 onto itself keeps a close-on-exec fd open in the child. */
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, b, b);
    posix_spawn_file_actions_addclose(&fa, a);
    fflush(stdout);
    r = posix_spawn(&pid, "./kid_fds", &fa, NULL, argv2, environ);
    printf("spawn %d, exit %d\n", r, wait_one(pid));
    posix_spawn_file_actions_destroy(&fa);

    /* addchdir: the child runs in /, and finds its program relative to it. */
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addchdir_np(&fa, "..");
    char *argv3[] = {"kid_exit", "0", NULL};
    fflush(stdout);
    r = posix_spawn(&pid, "kids/kid_exit", &fa, NULL, argv3, environ);
    printf("spawn %d, exit %d\n", r, wait_one(pid));
    posix_spawn_file_actions_destroy(&fa);
    unlink(out);
    return 0;
}
