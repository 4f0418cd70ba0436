/*
 * A program that needs a Timer named "timer" (capos_capset_require), for
 * the missing-capability smoke: its manifest entries grant it none, or one
 * of another kind, and the runtime must say so and end it.
 */
#include "capos.h"

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    uint64_t now;
    uint32_t timer = capos_capset_require("timer", capos_Timer_INTERFACE_ID);
    capos_timer_now(timer, &now);
    capos_printf("needcap: the timer says %lu ns\n", (unsigned long)now);
    return 0;
}
