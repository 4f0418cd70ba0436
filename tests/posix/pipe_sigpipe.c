/* Writing to a pipe whose read end is gone raises SIGPIPE, whose default
 * action ends the process (status 141, as a shell shows it). */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    int p[2];
    pipe(p);
    close(p[0]);
    printf("writing to a pipe with no reader\n");
    fflush(stdout);
    write(p[1], "x", 1);
    printf("not reached\n");
    return 0;
}
