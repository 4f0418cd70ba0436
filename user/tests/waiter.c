/*
 * A program that only waits, for the stall and debug-key smokes:
 *   waiter park      waits on a ParkSpace word nobody will change (forever)
 *   waiter sleep N   sleeps N seconds on its timer
 * It says what it is about to wait for, then waits.
 */
#include "capos.h"

#include "base/mem.h"

static uint32_t word;

int main(int argc, char **argv)
{
    const char *role = argc > 1 ? argv[1] : "";
    if (strcmp(role, "park") == 0) {
        uint32_t park = capos_capset_require("park", capos_ParkSpace_INTERFACE_ID);
        capos_printf("%s: waiting on the word at %p, which nobody will change\n", argv[0],
                     (void *)&word);
        int err = capos_park_wait(park, &word, 0, 0);
        capos_printf("%s: woken: %s\n", argv[0], capos_error_name(err));
        return 1;
    }
    if (strcmp(role, "sleep") == 0 && argc > 2) {
        uint32_t timer = capos_capset_require("timer", capos_Timer_INTERFACE_ID);
        uint64_t s = 0;
        for (const char *p = argv[2]; *p >= '0' && *p <= '9'; p++)
            s = s * 10 + (uint64_t)(*p - '0');
        capos_printf("%s: sleeping %lu s\n", argv[0], (unsigned long)s);
        int err = capos_timer_sleep(timer, s * 1000000000ULL);
        capos_printf("%s: slept: %s\n", argv[0], capos_error_name(err));
        return err == CAPOS_OK ? 0 : 1;
    }
    capos_printf("%s: usage: waiter park | waiter sleep SECONDS\n", argv[0]);
    return 2;
}
