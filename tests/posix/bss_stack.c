/* Memory the program never asked for: a large .bss and a deep stack.  On
 * capOS both are demand-zero (filled and charged as first touched, past the
 * stack's committed top), so this reads untouched pages (zero), writes a
 * scattered pattern, recurses through about 160 KiB of stack, and reads
 * everything back. */
#include <stdio.h>
#include <string.h>

#define BSS_BYTES (1u << 20)

static unsigned char big[BSS_BYTES];

/* About 2 KiB of frame per level; the buffer is read after the call, so
 * the compiler cannot drop it or turn the recursion into a loop. */
static unsigned long deep(unsigned level)
{
    volatile unsigned char frame[2000];
    for (unsigned i = 0; i < sizeof(frame); i += 97)
        frame[i] = (unsigned char)(level + i);
    unsigned long below = level ? deep(level - 1) : 0;
    unsigned long sum = below;
    for (unsigned i = 0; i < sizeof(frame); i += 97)
        sum += frame[i];
    return sum;
}

int main(void)
{
    unsigned long nonzero = 0;
    for (unsigned i = 0; i < BSS_BYTES; i += 4096)
        nonzero += big[i] != 0;
    printf("untouched .bss pages that are not zero: %lu\n", nonzero);
    for (unsigned i = 0; i < BSS_BYTES; i += 3 * 4096 + 5)
        big[i] = (unsigned char)(i >> 12);
    unsigned long sum = 0;
    for (unsigned i = 0; i < BSS_BYTES; i++)
        sum += big[i];
    printf(".bss pattern sum: %lu\n", sum);
    printf("recursion sum: %lu\n", deep(80));
    memset(big, 0, sizeof(big));
    printf("cleared: %d\n", big[BSS_BYTES - 1] == 0 && big[0] == 0);
    return 0;
}
