/*
 * The innocent bystander of the hostile-process smoke: does a fixed amount of
 * work split by timer sleeps and checks its own results, so it finishes
 * correctly only if the hostile processes around it could not disturb it.
 */
#include "capos.h"

int main(int argc, char **argv)
{
    uint32_t timer;
    uint64_t sum = 0;
    (void)argc, (void)argv;
    if (capos_capset_find("timer", capos_Timer_INTERFACE_ID, &timer) != CAPOS_OK)
        return 1;
    for (int round = 0; round < 20; round++) {
        uint64_t local = 0;
        for (uint64_t i = 0; i < 200000; i++)
            local += i ^ (uint64_t)round;
        sum += local;
        if (capos_timer_sleep(timer, 5 * 1000 * 1000) != CAPOS_OK)
            return 2;
    }
    /* Sum over rounds of sum_i (i ^ round): computed independently below. */
    uint64_t check = 0;
    for (int round = 0; round < 20; round++)
        for (uint64_t i = 0; i < 200000; i++)
            check += i ^ (uint64_t)round;
    if (check != sum)
        return 3;
    capos_printf("innocent: finished 20 rounds, checksum %lu\n", (unsigned long)sum);
    return 0;
}
