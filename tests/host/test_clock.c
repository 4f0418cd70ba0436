/* Host tests of lib/clock: reading the clock page with a fake counter. */
#include "test.h"

#include "clock/clock.h"

struct fake {
    struct capos_clock_page *pg;
    uint64_t tsc;
    unsigned calls, bump_until; /* make the page look updated for this many reads */
};

static uint64_t fake_tsc(void *ctx)
{
    struct fake *f = ctx;
    if (f->calls++ < f->bump_until)
        f->pg->seq += 2; /* the kernel changed the page during the read */
    return f->tsc;
}

static struct capos_clock_page page(void)
{
    return (struct capos_clock_page){.seq = 2,
                                     .version = CAPOS_CLOCK_VERSION,
                                     .mode = CAPOS_CLOCK_MODE_TSC,
                                     .tsc_shift = 32,
                                     .tsc_base = 1000,
                                     .tsc_mult = 1ULL << 31, /* 0.5 ns per tick */
                                     .realtime_offset = 1700000000ULL * 1000000000ULL};
}

TEST(reads_scaled_time)
{
    struct capos_clock_page pg = page();
    struct fake f = {.pg = &pg, .tsc = 1000 + 2000000};
    uint64_t mono = 0, real = 0;
    CHECK(capos_clock_read(&pg, fake_tsc, &f, &mono, &real));
    CHECK_EQ(mono, 1000000);
    CHECK_EQ(real, 1700000000ULL * 1000000000ULL + 1000000);
    CHECK(capos_clock_read(&pg, fake_tsc, &f, &mono, NULL));
}

TEST(product_in_128_bits)
{
    /* 2^40 ticks at 4.5 ns each overflows 64 bits before the shift. */
    CHECK_EQ(capos_clock_scale((1ULL << 40) + 7, 7, 9ULL << 31, 32), (9ULL << 40) / 2);
}

TEST(retries_a_torn_read)
{
    struct capos_clock_page pg = page();
    struct fake f = {.pg = &pg, .tsc = 1000 + 20, .bump_until = 3};
    uint64_t mono = 0;
    CHECK(capos_clock_read(&pg, fake_tsc, &f, &mono, NULL));
    CHECK_EQ(mono, 10);
    CHECK_EQ(f.calls, 4);
}

TEST(gives_up_when_always_torn)
{
    struct capos_clock_page pg = page();
    struct fake f = {.pg = &pg, .tsc = 5000, .bump_until = 1000};
    uint64_t mono = 77;
    CHECK(!capos_clock_read(&pg, fake_tsc, &f, &mono, NULL));
    CHECK_EQ(mono, 77);
    CHECK_EQ(f.calls, CAPOS_CLOCK_RETRIES);
}

TEST(odd_sequence_is_an_update_in_progress)
{
    struct capos_clock_page pg = page();
    pg.seq = 3;
    struct fake f = {.pg = &pg, .tsc = 5000};
    uint64_t mono = 0;
    CHECK(!capos_clock_read(&pg, fake_tsc, &f, &mono, NULL));
    CHECK_EQ(f.calls, 0);
}

TEST(refuses_what_it_cannot_read)
{
    struct capos_clock_page pg = page();
    struct fake f = {.pg = &pg, .tsc = 5000};
    uint64_t mono = 0;
    pg.mode = CAPOS_CLOCK_MODE_NONE;
    CHECK(!capos_clock_read(&pg, fake_tsc, &f, &mono, NULL));
    pg = page();
    pg.version = CAPOS_CLOCK_VERSION + 1;
    CHECK(!capos_clock_read(&pg, fake_tsc, &f, &mono, NULL));
    pg = page();
    pg.tsc_shift = 64;
    CHECK(!capos_clock_read(&pg, fake_tsc, &f, &mono, NULL));
}
