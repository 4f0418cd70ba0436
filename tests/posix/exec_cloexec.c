/* execve and the fds: those without FD_CLOEXEC reach the new program with
 * their descriptions (the offset where the caller left it), those with it
 * (O_CLOEXEC, or set with fcntl) do not.
 * cwd: kids
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    int a = open("kid_exit", O_RDONLY);             /* kept */
    int b = open("kid_exit", O_RDONLY | O_CLOEXEC); /* closed */
    int c = open("script", O_RDONLY);               /* closed by fcntl */
    int d = dup(a);                                 /* kept, shares a's offset */
    if (a < 0 || b < 0 || c < 0 || d < 0)
        return 2;
    lseek(a, 123, SEEK_SET);
    lseek(b, 45, SEEK_SET);
    fcntl(c, F_SETFD, FD_CLOEXEC);
    printf("exec_cloexec: a %d b %d c %d d %d\n", a, b, c, d);
    fflush(stdout);
    char *argv[] = {"kid_exec", "0", NULL};
    char *envp[] = {NULL};
    execve("./kid_exec", argv, envp);
    perror("execve");
    return 1;
}
