/* fexecve: the program open as an fd replaces this one; the fd it was
 * started from, opened with O_CLOEXEC, is not inherited.
 * cwd: kids
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    int fd = open("kid_exec", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 2;
    char *argv[] = {"kid_exec", "4", "by fd", NULL};
    char *envp[] = {"EXEC_VAR=fd", NULL};
    printf("exec_fexecve: before\n");
    fflush(stdout);
    fexecve(fd, argv, envp);
    perror("fexecve");
    return 1;
}
