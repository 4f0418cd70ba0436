/* The smallest program: one line through stdio, status 0. */
#include <stdio.h>

int main(void)
{
    printf("Hello from a POSIX program\n");
    return 0;
}
