/*
 * Decoding the CMOS real-time clock's registers into seconds since
 * 1970-01-01 00:00:00 UTC.  Pure: the arch code reads the registers
 * (kernel/arch/x86_64/rtc.c), this turns them into a time, so the
 * arithmetic is tested on the host.
 *
 * The RTC keeps date and time either in BCD or in binary, and hours in 24-
 * or 12-hour form (bit 7 of the hour then meaning PM), as status register B
 * says.  Its year has two digits; the century comes from the century
 * register where the firmware names one, else years 70-99 are 19xx and
 * 00-69 20xx.  The RTC is taken to run in UTC, as on every PC firmware
 * QEMU emulates by default.  Every field is checked: a value that is not
 * valid BCD, or out of its range (month 13, day 32, February 30, hour 24,
 * ...) makes the whole reading invalid.
 */
#ifndef CAPOS_LIB_RTC_RTC_H
#define CAPOS_LIB_RTC_RTC_H

#include <stdbool.h>
#include <stdint.h>

/* Status register B bits. */
#define RTC_B_24H    0x02 /* hours 0-23 (else 1-12 with bit 7 = PM) */
#define RTC_B_BINARY 0x04 /* binary values (else BCD) */

#define RTC_HOUR_PM  0x80

/* The registers as read (CMOS indices 0x00, 0x02, 0x04, 0x07, 0x08, 0x09,
 * 0x0B and the century register). */
struct rtc_raw {
    uint8_t sec, min, hour, mday, mon, year;
    uint8_t status_b;
    uint8_t century; /* 0: none (inferred from the year) */
};

/* Days from 1970-01-01 to the given date of the proleptic Gregorian
 * calendar (negative before it); the date must be valid. */
int64_t rtc_days_from_civil(int64_t y, unsigned m, unsigned d);

/* True if the date exists (1 <= m <= 12, 1 <= d <= days in that month). */
bool rtc_date_valid(int64_t y, unsigned m, unsigned d);

/* Seconds since 1970 for a reading; false if any field is invalid. */
bool rtc_decode(const struct rtc_raw *r, uint64_t *epoch_s);

#endif
