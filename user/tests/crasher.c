/*
 * A service that fails on purpose, for the supervisor smoke: it announces
 * itself and exits with status 3, so init restarts it until its limit.
 */
#include "capos.h"

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    capos_printf("crasher: starting, then failing with status 3\n");
    return 3;
}
