/*
 * Minimal host unit-test framework for lib/.
 *
 * Each TEST() registers itself at start-up through a constructor, so adding a
 * test file to tests/host/ is enough to have it run.  A failed CHECK marks the
 * current test failed and returns from it; the runner prints one line per test
 * and a summary the top-level test runner parses.  Tests run under ASan and
 * UBSan, so an out-of-bounds access aborts the whole binary, which the runner
 * reports as a failure too.
 */
#ifndef CAPOS_TESTS_HOST_TEST_H
#define CAPOS_TESTS_HOST_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct test_case {
    const char *file;
    const char *name;
    void (*fn)(void);
    struct test_case *next;
};

void test_register(struct test_case *tc);
void test_fail(const char *file, int line, const char *expr);
void test_failf(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define TEST(name)                                                                                 \
    static void test_fn_##name(void);                                                              \
    static struct test_case test_case_##name = {__FILE__, #name, test_fn_##name, 0};               \
    __attribute__((constructor)) static void test_reg_##name(void)                                 \
    {                                                                                              \
        test_register(&test_case_##name);                                                          \
    }                                                                                              \
    static void test_fn_##name(void)

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            test_fail(__FILE__, __LINE__, #cond);                                                  \
            return;                                                                                \
        }                                                                                          \
    } while (0)

/* Integer equality with both values in the message. */
#define CHECK_EQ(a, b)                                                                             \
    do {                                                                                           \
        long long check_a_ = (long long)(a), check_b_ = (long long)(b);                            \
        if (check_a_ != check_b_) {                                                                \
            test_failf(__FILE__, __LINE__, "%s == %s (%lld != %lld)", #a, #b, check_a_, check_b_); \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *check_a_ = (a), *check_b_ = (b);                                               \
        if (strcmp(check_a_, check_b_) != 0) {                                                     \
            test_failf(__FILE__, __LINE__, "%s == %s (\"%s\" != \"%s\")", #a, #b, check_a_,        \
                       check_b_);                                                                  \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#endif
