/* execve of a "#!" script: the interpreter its first line names runs with
 * its argument, the script's path as given and the script's arguments, in
 * this process (its exit status is the process's).
 * cwd: kids
 */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    char *argv[] = {"script", "one", "two", NULL};
    char *envp[] = {NULL};
    printf("exec_script: before\n");
    fflush(stdout);
    execve("./script", argv, envp);
    perror("execve");
    return 1;
}
