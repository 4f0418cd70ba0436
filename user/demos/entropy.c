/* Entropy demo: asks for random bytes twice and checks they look random
 * (not constant, not repeated) and that bad lengths are refused. */
#include "capos.h"

#include "base/mem.h"

int main(int argc, char **argv)
{
    uint32_t rng;
    uint8_t a[32], b[32];
    int ones = 0;
    (void)argc, (void)argv;
    if (capos_capset_find("entropy", capos_EntropySource_INTERFACE_ID, &rng) != CAPOS_OK)
        return 1;
    if (capos_entropy_fill(rng, a, sizeof(a)) != CAPOS_OK ||
        capos_entropy_fill(rng, b, sizeof(b)) != CAPOS_OK)
        return 2;
    if (memcmp(a, b, sizeof(a)) == 0)
        return 3;
    for (unsigned i = 0; i < sizeof(a); i++)
        for (uint8_t v = a[i]; v; v &= (uint8_t)(v - 1))
            ones++;
    /* 256 fair bits: anything outside 64..192 ones is astronomically unlikely. */
    if (ones < 64 || ones > 192)
        return 4;
    if (capos_entropy_fill(rng, a, 0) != CAPOS_ERR_INVALID_ARGUMENT)
        return 5;
    /* One line, one write: other processes print concurrently. */
    char hex[33];
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < 16; i++) {
        hex[2 * i] = digits[a[i] >> 4];
        hex[2 * i + 1] = digits[a[i] & 15];
    }
    hex[32] = '\0';
    capos_printf("entropy: %s ... (%d of 256 bits set)\n", hex, ones);
    capos_printf("entropy: ok\n");
    return 0;
}
