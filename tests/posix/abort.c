/* abort() ends the program with the status a shell shows for SIGABRT
 * (134), after what was flushed; atexit handlers do not run. */
#include <stdio.h>
#include <stdlib.h>

static void never(void)
{
    printf("atexit handler ran\n");
}

int main(void)
{
    atexit(never);
    printf("about to abort\n");
    fflush(stdout);
    printf("unflushed text is lost");
    abort();
}
