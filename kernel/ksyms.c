/*
 * Lookup in the generated symbol table (see ksyms.h): binary search for the
 * last symbol at or below the address.  The table is read-only data produced
 * by the build, so it is trusted; lookups still bound every index.
 */
#include "ksyms.h"

extern const uint64_t ksyms_count;
extern const uint64_t ksyms_addrs[];
extern const uint32_t ksyms_name_offsets[];
extern const char ksyms_names[];
extern const char __text_start[], __text_end[];

const char *ksyms_lookup(uintptr_t addr, uintptr_t *offset)
{
    uint64_t lo = 0, hi = ksyms_count;

    if (addr < (uintptr_t)__text_start || addr >= (uintptr_t)__text_end || hi == 0)
        return NULL;
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (ksyms_addrs[mid] <= addr)
            lo = mid;
        else
            hi = mid;
    }
    if (ksyms_addrs[lo] > addr)
        return NULL;
    *offset = addr - ksyms_addrs[lo];
    return ksyms_names + ksyms_name_offsets[lo];
}
