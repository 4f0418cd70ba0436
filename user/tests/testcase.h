/*
 * testcase.h: the case harness of the test programs (user/tests/,
 * user/fuzz/).  A program defines TESTCASE_PREFIX, the name its lines start
 * with, and includes this header once.  Each case runs between begin(name)
 * and end(); end() prints "<prefix>: <case>: ok" when the case saw no
 * failure, and every fail() prints one "<prefix>: <case>: FAIL: <what>" line
 * (the smokes in tests/qemu/ match these lines).  fail() may be called from
 * any thread of the program: the count is atomic and each line is one
 * Console.write.  ncases and nfailed count the cases run and failed.
 *
 * `timer` is the program's Timer capability, which now_ns() and sleep_ms()
 * use; main looks it up.  The helpers that do not depend on this harness
 * are in testlib.h (describe(), report_cpu(), the leak probes,
 * call_deadline()) and rawcall.h (the raw calls), which this header
 * includes.
 */
#ifndef CAPOS_USER_TESTS_TESTCASE_H
#define CAPOS_USER_TESTS_TESTCASE_H

#include "capos.h"

#include "fmt/fmt.h"

#ifndef TESTCASE_PREFIX
#error "define TESTCASE_PREFIX before including testcase.h"
#endif

#define TESTCASE_MS (1000ULL * 1000)

static uint32_t timer __attribute__((unused));
static const char *case_name;
static unsigned case_failures, ncases, nfailed;

static inline void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void fail(const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    capos_printf(TESTCASE_PREFIX ": %s: FAIL: %s\n", case_name, line);
    __atomic_fetch_add(&case_failures, 1, __ATOMIC_RELAXED);
}

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fail(__VA_ARGS__);                                                                     \
    } while (0)

/* A call `what` gave the error code `got`; the case wanted `want`. */
static inline void expect(const char *what, int got, int want)
{
    if (got != want)
        fail("%s gave %s, expected %s", what, capos_error_name(got), capos_error_name(want));
}

#include "rawcall.h"
#include "testlib.h"

static inline void begin(const char *name)
{
    case_name = name;
    case_failures = 0;
    ncases++;
}

static inline void end(void)
{
    if (case_failures)
        nfailed++;
    else
        capos_printf(TESTCASE_PREFIX ": %s: ok\n", case_name);
}

static inline uint64_t now_ns(void)
{
    uint64_t t = 0;
    capos_timer_now(timer, &t);
    return t;
}

static inline void sleep_ms(uint64_t ms)
{
    capos_timer_sleep(timer, ms * TESTCASE_MS);
}

#endif
