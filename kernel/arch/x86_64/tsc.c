/*
 * TSC calibration against PIT channel 2.
 *
 * Channel 2's gate is controlled through port 0x61 and its output can be
 * polled there, so no interrupt is needed: with the gate high, program a
 * mode-0 count of a known duration (it starts when the count's high byte is
 * written), read the TSC on either side of the terminal count, and
 * repeat a few times keeping the shortest (least disturbed) measurement.
 * Nanosecond conversion uses a 32.32 fixed-point multiplier.
 */
#include "arch/x86_64/tsc.h"

#include "arch/x86_64/cpu.h"
#include "panic.h"

#define PIT_HZ 1193182ULL
/* Each measurement: 5 ms, over 5,900 PIT periods, so the terminal count is
 * seen to within one part in several thousand of the window; the boot
 * waits for three of them. */
#define CALIB_MS 5ULL

static uint64_t tsc_rate;
uint64_t tsc_base;
uint64_t tsc_mult; /* ns per tick, 32.32 fixed point */

static uint64_t tsc_measure_once(void)
{
    uint64_t latch = PIT_HZ * CALIB_MS / 1000;
    uint64_t t0, t1;
    uint32_t spins = 0;
    uint8_t gate = inb(0x61);

    outb(0x61, (uint8_t)((gate & ~0x02) | 0x01)); /* gate on, speaker off */
    outb(0x43, 0xB0);                             /* ch2, lo/hi, mode 0 */
    outb(0x42, (uint8_t)(latch & 0xFF));
    outb(0x42, (uint8_t)(latch >> 8));
    t0 = rdtsc();
    while (!(inb(0x61) & 0x20)) {
        if (++spins > 100000000u)
            return 0;
    }
    t1 = rdtsc();
    return (t1 - t0) * 1000 / CALIB_MS;
}

void tsc_calibrate(void)
{
    uint64_t best = 0;
    for (int i = 0; i < 3; i++) {
        uint64_t hz = tsc_measure_once();
        if (hz && (best == 0 || hz < best))
            best = hz;
    }
    if (best == 0)
        panic("tsc: PIT channel 2 never reached terminal count; cannot calibrate");
    tsc_rate = best;
    /* 1e9 << 32 is below 2^62, so the 64-bit division cannot overflow. */
    tsc_mult = (1000000000ULL << 32) / best;
    tsc_base = rdtsc();
}

uint64_t tsc_hz(void)
{
    return tsc_rate;
}

bool tsc_invariant(void)
{
    struct cpuid_regs r = cpuid(0x80000000, 0);
    if (r.eax < 0x80000007)
        return false;
    return cpuid(0x80000007, 0).edx & (1u << 8);
}

struct tsc_params tsc_params(void)
{
    return (struct tsc_params){.base = tsc_base, .mult = tsc_mult, .shift = 32};
}
