/*
 * The CPU's random number instructions for the EntropySource object
 * (kernel/object/entropy.c, which owns the retry policy): RDSEED reads the
 * conditioned entropy source, RDRAND the generator seeded from it.  Either
 * may fail transiently (carry clear); a failed attempt is reported, never
 * replaced by weaker data.
 */
#include "arch.h"
#include "arch/x86_64/cpu.h"

int arch_entropy_sources(void)
{
    static int probed = -1;
    if (probed < 0) {
        bool rdrand = cpuid(1, 0).ecx & CPUID_1_ECX_RDRAND;
        bool rdseed = cpuid(0, 0).eax >= 7 && (cpuid(7, 0).ebx & CPUID_7_EBX_RDSEED);
        probed = rdseed ? 2 : rdrand ? 1 : 0;
    }
    return probed;
}

bool arch_entropy_word(int source, uint64_t *v)
{
    uint8_t ok;
    if (source == 2)
        __asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
    else
        __asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
    return ok;
}
