/* exit(): atexit handlers in reverse order, stdio flushed, and the status
 * reduced to 8 bits (exit(300) is 44). */
#include <stdio.h>
#include <stdlib.h>

static void first(void)
{
    printf("registered first, runs last\n");
}

static void second(void)
{
    printf("registered second, runs first\n");
}

int main(int argc, char **argv)
{
    atexit(first);
    atexit(second);
    printf("buffered, flushed by exit");
    exit(300);
}
