/*
 * Host tests of lib/console: console_segment cuts data into segments of 1 to
 * max bytes that cover it exactly, never cuts a line of at most max bytes,
 * and cuts longer lines only at multiples of max from their start.  Checked
 * on hand-picked cases and exhaustively against the definition on random
 * data with few or many newlines.
 */
#include "test.h"

#include <stdlib.h>

#include "console/segment.h"

TEST(segment_simple_cases)
{
    CHECK_EQ(console_segment("", 0, 8), 0);
    CHECK_EQ(console_segment("abc", 3, 8), 3);
    CHECK_EQ(console_segment("abcdefgh", 8, 8), 8);
    /* Too long: cut after the last newline within max... */
    CHECK_EQ(console_segment("ab\ncd\nefgh", 10, 8), 6);
    /* ...or, for a line longer than max, at max. */
    CHECK_EQ(console_segment("abcdefghij\n", 11, 8), 8);
    /* A newline exactly at max ends the segment there. */
    CHECK_EQ(console_segment("abcdefg\nij", 10, 8), 8);
    /* A newline just past max does not count. */
    CHECK_EQ(console_segment("abcdefgh\nj", 10, 8), 8);
    CHECK_EQ(console_segment("\n\n\n", 3, 1), 1);
    CHECK_EQ(console_segment("ab", 2, 1), 1);
}

/* Cuts data into segments and checks every property against the data. */
static bool check_cuts(const char *s, size_t n, size_t max)
{
    bool cut_after[600] = {false}; /* cut_after[i]: a segment ends after byte i */
    size_t at = 0;
    while (at < n) {
        size_t k = console_segment(s + at, n - at, max);
        if (k < 1 || k > max || k > n - at)
            return false;
        at += k;
        cut_after[at - 1] = true;
    }
    /* Walk the lines: a short line has no cut inside it, a long one only at
     * multiples of max from its start. */
    for (size_t start = 0; start < n;) {
        size_t end = start;
        while (end < n && s[end] != '\n')
            end++;
        size_t len = (end < n ? end + 1 : end) - start; /* newline included */
        for (size_t i = start; i + 1 < start + len; i++) {
            if (!cut_after[i])
                continue;
            if (len <= max || (i + 1 - start) % max != 0)
                return false;
        }
        start += len;
    }
    return true;
}

TEST(segment_keeps_short_lines_whole)
{
    static char buf[600];
    srand(4242);
    for (int round = 0; round < 20000; round++) {
        size_t n = (size_t)(rand() % 600);
        size_t max = 1 + (size_t)(rand() % 80);
        int nl_every = 1 + rand() % 100; /* newline density */
        for (size_t i = 0; i < n; i++)
            buf[i] = rand() % nl_every == 0 ? '\n' : (char)('a' + rand() % 26);
        if (!check_cuts(buf, n, max)) {
            test_failf(__FILE__, __LINE__, "round %d: n %zu max %zu", round, n, max);
            return;
        }
    }
}
