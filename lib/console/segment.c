/*
 * Console output segments (see segment.h).  One backward scan of at most
 * `max` bytes per segment, so cutting a write costs O(its length).
 */
#include "console/segment.h"

size_t console_segment(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    for (size_t i = max; i > 0; i--)
        if (s[i - 1] == '\n')
            return i;
    return max;
}
