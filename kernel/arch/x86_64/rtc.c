/*
 * CMOS RTC reading (ports 0x70/0x71).
 *
 * The RTC updates its registers once a second, and a read during the
 * update can see a mix of the old and the new time.  Status register A's
 * update-in-progress bit is set from 244 us before the update until it is
 * done, so: wait (a bounded number of polls) until it is clear, read every
 * register, and repeat until two readings in a row agree; at most
 * RTC_ATTEMPTS readings.  The values are decoded by lib/rtc (BCD or
 * binary, 12- or 24-hour, century).  Writing the index port also controls
 * NMI masking (bit 7); it is left clear, as the firmware leaves it.
 */
#include "arch/x86_64/rtc.h"

#include "arch/x86_64/cpu.h"
#include "rtc/rtc.h"

#define CMOS_INDEX   0x70
#define CMOS_DATA    0x71

#define RTC_SEC      0x00
#define RTC_MIN      0x02
#define RTC_HOUR     0x04
#define RTC_MDAY     0x07
#define RTC_MON      0x08
#define RTC_YEAR     0x09
#define RTC_STATUS_A 0x0A
#define RTC_STATUS_B 0x0B
#define RTC_CENTURY  0x32 /* where PC firmware (and QEMU) keeps the century */

#define RTC_A_UIP    0x80

/* Polls of status A for the end of an update: one port read is about a
 * microsecond on hardware, and an update takes at most about 2 ms. */
#define RTC_UIP_POLLS 100000
#define RTC_ATTEMPTS  8

static uint8_t cmos_read(uint8_t reg)
{
    outb(CMOS_INDEX, reg);
    return inb(CMOS_DATA);
}

static bool rtc_wait_update(void)
{
    for (unsigned i = 0; i < RTC_UIP_POLLS; i++) {
        if (!(cmos_read(RTC_STATUS_A) & RTC_A_UIP))
            return true;
    }
    return false;
}

static void rtc_snapshot(struct rtc_raw *r)
{
    r->sec = cmos_read(RTC_SEC);
    r->min = cmos_read(RTC_MIN);
    r->hour = cmos_read(RTC_HOUR);
    r->mday = cmos_read(RTC_MDAY);
    r->mon = cmos_read(RTC_MON);
    r->year = cmos_read(RTC_YEAR);
    r->century = cmos_read(RTC_CENTURY);
    r->status_b = cmos_read(RTC_STATUS_B);
}

static bool rtc_same(const struct rtc_raw *a, const struct rtc_raw *b)
{
    return a->sec == b->sec && a->min == b->min && a->hour == b->hour && a->mday == b->mday &&
           a->mon == b->mon && a->year == b->year && a->century == b->century &&
           a->status_b == b->status_b;
}

bool rtc_read_epoch(uint64_t *epoch_s)
{
    struct rtc_raw prev, cur;
    if (!rtc_wait_update())
        return false;
    rtc_snapshot(&prev);
    for (unsigned i = 0; i < RTC_ATTEMPTS; i++) {
        if (!rtc_wait_update())
            return false;
        rtc_snapshot(&cur);
        if (rtc_same(&prev, &cur)) {
            if (rtc_decode(&cur, epoch_s))
                return true;
            /* A century register that is not BCD/binary like the rest
             * (some firmware has none): infer the century instead. */
            cur.century = 0;
            return rtc_decode(&cur, epoch_s);
        }
        prev = cur;
    }
    return false;
}
