/* A service that dies of a CPU fault, for the supervisor smoke: init must
 * see a faulted exit status and restart it like any other failure. */
#include "capos.h"

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    capos_printf("faulter: dereferencing a null pointer\n");
    *(volatile int *)0 = 1;
    return 0;
}
