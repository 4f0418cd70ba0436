/* Timer demo: reads the monotonic clock around sleeps and checks that each
 * sleep lasted at least as long as asked and that time never went back. */
#include "capos.h"

int main(int argc, char **argv)
{
    uint32_t timer;
    uint64_t t0, t1, prev;
    (void)argc, (void)argv;
    if (capos_capset_find("timer", capos_Timer_INTERFACE_ID, &timer) != CAPOS_OK)
        return 1;
    if (capos_timer_now(timer, &t0) != CAPOS_OK)
        return 2;
    prev = t0;
    for (int i = 1; i <= 3; i++) {
        uint64_t want = (uint64_t)i * 20 * 1000 * 1000;
        uint64_t a, b;
        capos_timer_now(timer, &a);
        if (capos_timer_sleep(timer, want) != CAPOS_OK)
            return 3;
        capos_timer_now(timer, &b);
        if (a < prev || b < a + want) {
            capos_printf("timer: FAILED: sleep of %lu ns took %lu ns\n", (unsigned long)want,
                         (unsigned long)(b - a));
            return 4;
        }
        capos_printf("timer: slept %d ms, measured %lu us\n", i * 20,
                     (unsigned long)((b - a) / 1000));
        prev = b;
    }
    capos_timer_now(timer, &t1);
    capos_printf("timer: ok, %lu us in total\n", (unsigned long)((t1 - t0) / 1000));
    return 0;
}
