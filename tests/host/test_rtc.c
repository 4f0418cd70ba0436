/* Host tests of lib/rtc: CMOS register decoding and the calendar. */
#include "test.h"

#include "rtc/rtc.h"

TEST(days_from_civil_known)
{
    CHECK_EQ(rtc_days_from_civil(1970, 1, 1), 0);
    CHECK_EQ(rtc_days_from_civil(1969, 12, 31), -1);
    CHECK_EQ(rtc_days_from_civil(2000, 3, 1), 11017);
    CHECK_EQ(rtc_days_from_civil(2000, 2, 29), 11016);
}

/* Against a day-by-day count over 1970-2200. */
TEST(days_from_civil_counts)
{
    int64_t n = 0;
    for (int64_t y = 1970; y <= 2200; y++) {
        for (unsigned m = 1; m <= 12; m++) {
            for (unsigned d = 1; d <= 31; d++) {
                if (!rtc_date_valid(y, m, d))
                    continue;
                if (rtc_days_from_civil(y, m, d) != n) {
                    test_failf(__FILE__, __LINE__, "%lld-%u-%u: %lld, counted %lld", (long long)y,
                               m, d, (long long)rtc_days_from_civil(y, m, d), (long long)n);
                    return;
                }
                n++;
            }
        }
    }
}

TEST(date_valid)
{
    CHECK(rtc_date_valid(2024, 2, 29));
    CHECK(!rtc_date_valid(2023, 2, 29));
    CHECK(!rtc_date_valid(1900, 2, 29));
    CHECK(rtc_date_valid(2000, 2, 29));
    CHECK(!rtc_date_valid(2024, 4, 31));
    CHECK(!rtc_date_valid(2024, 13, 1));
    CHECK(!rtc_date_valid(2024, 0, 1));
    CHECK(!rtc_date_valid(2024, 1, 0));
}

TEST(decode_bcd_24h)
{
    struct rtc_raw r = {.sec = 0x00,
                        .min = 0x17,
                        .hour = 0x05,
                        .mday = 0x07,
                        .mon = 0x12,
                        .year = 0x26,
                        .status_b = RTC_B_24H};
    uint64_t s = 0;
    CHECK(rtc_decode(&r, &s));
    CHECK_EQ(s, 1796620620); /* 2026-12-07 05:17:00 UTC */
}

TEST(decode_binary_12h)
{
    /* 1999-12-31 12:00:00: noon is 12 PM, with the century register. */
    struct rtc_raw r = {.sec = 0,
                        .min = 0,
                        .hour = 12 | RTC_HOUR_PM,
                        .mday = 31,
                        .mon = 12,
                        .year = 99,
                        .status_b = RTC_B_BINARY,
                        .century = 19};
    uint64_t s = 0;
    CHECK(rtc_decode(&r, &s));
    CHECK_EQ(s, 946641600);
    /* 12 AM is midnight. */
    r.hour = 12;
    CHECK(rtc_decode(&r, &s));
    CHECK_EQ(s, 946641600 - 12 * 3600);
    r.hour = 0; /* no hour 0 on a 12-hour clock */
    CHECK(!rtc_decode(&r, &s));
}

TEST(decode_leap_day_and_century_guess)
{
    struct rtc_raw r = {.sec = 0x59,
                        .min = 0x59,
                        .hour = 0x23,
                        .mday = 0x29,
                        .mon = 0x02,
                        .year = 0x24,
                        .status_b = RTC_B_24H};
    uint64_t s = 0;
    CHECK(rtc_decode(&r, &s));
    CHECK_EQ(s, 1709251199); /* 2024-02-29 23:59:59 */
    r.year = 0x23;
    CHECK(!rtc_decode(&r, &s)); /* 2023 has no February 29 */
}

TEST(decode_refuses_bad_fields)
{
    const struct rtc_raw good = {.sec = 0x30,
                                 .min = 0x30,
                                 .hour = 0x12,
                                 .mday = 0x15,
                                 .mon = 0x06,
                                 .year = 0x25,
                                 .status_b = RTC_B_24H};
    uint64_t s = 0;
    struct rtc_raw r = good;
    CHECK(rtc_decode(&r, &s));
    r = good, r.sec = 0x1A; /* not BCD */
    CHECK(!rtc_decode(&r, &s));
    r = good, r.sec = 0x60;
    CHECK(!rtc_decode(&r, &s));
    r = good, r.min = 0x60;
    CHECK(!rtc_decode(&r, &s));
    r = good, r.hour = 0x24;
    CHECK(!rtc_decode(&r, &s));
    r = good, r.mon = 0x13;
    CHECK(!rtc_decode(&r, &s));
    r = good, r.mday = 0x32;
    CHECK(!rtc_decode(&r, &s));
    r = good, r.century = 0x19; /* 1925: before 1970 */
    CHECK(!rtc_decode(&r, &s));
    r = good, r.year = 0xA0;
    CHECK(!rtc_decode(&r, &s));
}

/* Every byte pattern in one field decodes or is refused, never anything
 * else (UBSan watches the arithmetic). */
TEST(decode_any_byte)
{
    const struct rtc_raw good = {.sec = 1,
                                 .min = 2,
                                 .hour = 3,
                                 .mday = 4,
                                 .mon = 5,
                                 .year = 6,
                                 .status_b = RTC_B_24H | RTC_B_BINARY};
    for (unsigned field = 0; field < 8; field++) {
        for (unsigned v = 0; v < 256; v++) {
            struct rtc_raw r = good;
            uint8_t *f[] = {&r.sec, &r.min,  &r.hour,     &r.mday,
                            &r.mon, &r.year, &r.status_b, &r.century};
            *f[field] = (uint8_t)v;
            uint64_t s = 0;
            if (rtc_decode(&r, &s))
                CHECK(s < 253402300800ULL); /* before the year 10000: century 99, year 99 */
        }
    }
}
