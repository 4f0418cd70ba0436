/* A chain of 100 execs in one process: each generation reads a byte of
 * the one fd they all inherit, touches a megabyte and execs the next.  The
 * last reports the fd's offset (one byte per generation: the description
 * and its offset travel across every exec), and a leak of what an exec
 * replaces (address space, image, capability table) would run the process
 * out of memory long before the end.
 * cwd: kids
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    int fd = open("kid_exit", O_RDONLY);
    if (fd != 3)
        return 2;
    char *av[] = {"kid_chain", "100", NULL};
    printf("exec_chain: start\n");
    fflush(stdout);
    execv("./kid_chain", av);
    perror("execv");
    return 1;
}
