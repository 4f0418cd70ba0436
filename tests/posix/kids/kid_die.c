/* A child of the spawn tests that dies: "abort" by abort(), "segv" by a
 * write through a null pointer, "fpe" by an integer division by zero. */
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "abort") == 0)
        abort();
    if (argc > 1 && strcmp(argv[1], "segv") == 0)
        *(volatile int *)0 = 1;
    if (argc > 1 && strcmp(argv[1], "fpe") == 0) {
        volatile int zero = 0;
        return 10 / zero;
    }
    return 0;
}
