/*
 * CMOS RTC decoding (see rtc.h).  Checks every field before using it, so
 * any byte pattern gives either a valid time or false.
 */
#include "rtc/rtc.h"

/* A BCD byte's value, or -1 if a digit is above 9. */
static int rtc_bcd(uint8_t v)
{
    if ((v & 0x0F) > 9 || (v >> 4) > 9)
        return -1;
    return (v >> 4) * 10 + (v & 0x0F);
}

static int rtc_field(uint8_t v, bool binary)
{
    return binary ? v : rtc_bcd(v);
}

static bool rtc_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool rtc_date_valid(int64_t y, unsigned m, unsigned d)
{
    static const uint8_t mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1)
        return false;
    unsigned max = mdays[m - 1] + (m == 2 && rtc_leap(y) ? 1 : 0);
    return d <= max;
}

/* The civil-from-days inverse of the usual era arithmetic: eras of 400
 * years (146097 days), years starting in March so that the leap day is
 * the last of the year. */
int64_t rtc_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                          /* year of the era, [0, 399] */
    int64_t mp = m > 2 ? (int64_t)m - 3 : (int64_t)m + 9; /* months from March, [0, 11] */
    int64_t doy = (153 * mp + 2) / 5 + d - 1;             /* day of that year, [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  /* day of the era, [0, 146096] */
    return era * 146097 + doe - 719468;                   /* 1970-03-01 minus 60 days */
}

bool rtc_decode(const struct rtc_raw *r, uint64_t *epoch_s)
{
    bool binary = (r->status_b & RTC_B_BINARY) != 0;
    bool h24 = (r->status_b & RTC_B_24H) != 0;
    int sec = rtc_field(r->sec, binary);
    int min = rtc_field(r->min, binary);
    bool pm = !h24 && (r->hour & RTC_HOUR_PM);
    int hour = rtc_field(h24 ? r->hour : (uint8_t)(r->hour & ~RTC_HOUR_PM), binary);
    int mday = rtc_field(r->mday, binary);
    int mon = rtc_field(r->mon, binary);
    int year = rtc_field(r->year, binary);
    int century = r->century ? rtc_field(r->century, binary) : 0;
    /* Seconds up to 59: the RTC has no leap second. */
    if (sec < 0 || sec > 59 || min < 0 || min > 59 || hour < 0 || mday < 0 || mon < 0 || year < 0 ||
        year > 99 || century < 0 || century > 99)
        return false;
    if (h24) {
        if (hour > 23)
            return false;
    } else {
        if (hour < 1 || hour > 12)
            return false;
        hour = hour % 12 + (pm ? 12 : 0); /* 12 AM is 0, 12 PM is 12 */
    }
    int64_t full = r->century ? century * 100 + year : (year >= 70 ? 1900 + year : 2000 + year);
    if (full < 1970 || !rtc_date_valid(full, (unsigned)mon, (unsigned)mday))
        return false;
    int64_t days = rtc_days_from_civil(full, (unsigned)mon, (unsigned)mday);
    *epoch_s = (uint64_t)days * 86400 + (uint64_t)hour * 3600 + (uint64_t)min * 60 + (uint64_t)sec;
    return true;
}
