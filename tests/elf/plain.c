/*
 * ELF loader fixture without thread-local storage: code spread over a few
 * functions, a table of constants, initialised data and a large .bss.  It is
 * never run; tests parse it.
 */
static const unsigned fixture_table[16] = {1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377};
unsigned fixture_state[4] = {0x1234, 0x5678, 0x9abc, 0xdef0};
unsigned char fixture_zeroes[3 * 4096 + 17];

void _start(void);
unsigned fixture_step(unsigned x);

unsigned fixture_step(unsigned x)
{
    return fixture_table[x & 15] + fixture_state[x & 3];
}

void _start(void)
{
    unsigned x = 0;
    for (;;) {
        x = fixture_step(x);
        fixture_zeroes[x % sizeof(fixture_zeroes)]++;
    }
}
