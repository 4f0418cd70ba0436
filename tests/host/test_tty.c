/*
 * Host tests of lib/tty, the line discipline: canonical editing and its
 * echo (erase with DEL and ^H, ^U, ^W, UTF-8), end of file, ISIG with its
 * flush, input and output CR/NL mapping, non-canonical reads with each
 * VMIN/VTIME case, mode switches, and the bounds (a full line, a flood
 * of input).
 */
#include "test.h"

#include <stdlib.h>

#include "tty/tty.h"

static struct tty T;

static int type(struct tty *t, const char *s, uint64_t now)
{
    int sig = 0;
    for (; *s; s++) {
        int r = tty_input(t, (uint8_t)*s, now);
        if (r)
            sig = r;
    }
    return sig;
}

/* The pending echo as a C string (static). */
static const char *echo(struct tty *t)
{
    static char buf[TTY_ECHO_MAX + 1];
    uint32_t n = tty_echo_take(t, (uint8_t *)buf, TTY_ECHO_MAX);
    buf[n] = 0;
    return buf;
}

/* One read of up to max bytes as a C string (static); NULL if it would
 * not complete now. */
static const char *rd(struct tty *t, uint32_t max)
{
    static char buf[TTY_READY_MAX + 1];
    uint64_t d;
    if (!tty_read_ready(t, max, 0, 0, &d))
        return NULL;
    uint32_t n = tty_read(t, (uint8_t *)buf, max);
    buf[n] = 0;
    return buf;
}

static bool str_is(const char *a, const char *b)
{
    return a && strcmp(a, b) == 0;
}

static void raw_mode(struct tty *t, uint8_t vmin, uint8_t vtime)
{
    struct tty_termios tm = t->t;
    tm.lflag &= ~(TTY_ICANON | TTY_ECHO);
    tm.cc[TTY_VMIN] = vmin;
    tm.cc[TTY_VTIME] = vtime;
    tty_set_attr(t, &tm, false);
}

TEST(tty_canonical_line_and_echo)
{
    tty_init(&T);
    CHECK(rd(&T, 100) == NULL);
    type(&T, "hello", 0);
    CHECK(str_is(echo(&T), "hello"));
    CHECK(rd(&T, 100) == NULL); /* no line yet */
    type(&T, "\r", 0);          /* ICRNL */
    CHECK(str_is(echo(&T), "\n"));
    CHECK(str_is(rd(&T, 100), "hello\n"));
    CHECK(rd(&T, 100) == NULL);
    /* A short read takes the line in pieces, never past its end. */
    type(&T, "ab\ncd\n", 0);
    CHECK(str_is(rd(&T, 1), "a"));
    CHECK(str_is(rd(&T, 100), "b\n"));
    CHECK(str_is(rd(&T, 100), "cd\n"));
}

TEST(tty_erase_kill_werase)
{
    tty_init(&T);
    type(&T, "helo\x7fo", 0);
    CHECK(str_is(echo(&T), "helo\b \bo"));
    type(&T, "x\b", 0); /* ^H erases too */
    CHECK(str_is(echo(&T), "x\b \b"));
    type(&T, " wrold\x17world", 0);
    CHECK(str_is(echo(&T), " wrold\b \b\b \b\b \b\b \b\b \bworld"));
    type(&T, "\n", 0);
    CHECK(str_is(rd(&T, 100), "helo world\n"));
    CHECK(str_is(echo(&T), "\n"));
    /* ^U erases the line visually (ECHOKE). */
    type(&T, "junk\x15ok\n", 0);
    CHECK(str_is(echo(&T), "junk\b \b\b \b\b \b\b \bok\n"));
    CHECK(str_is(rd(&T, 100), "ok\n"));
    /* Erase at the start of a line does nothing. */
    type(&T, "\x7f\x7f\n", 0);
    CHECK(str_is(echo(&T), "\n"));
    CHECK(str_is(rd(&T, 100), "\n"));
    /* ^W erases the trailing blanks and the word before them. */
    type(&T, "one two  \x17\n", 0);
    CHECK(str_is(rd(&T, 100), "one \n"));
}

TEST(tty_erase_utf8_and_control)
{
    tty_init(&T);
    type(&T, "a\xc3\xa9\x7f", 0); /* é is one character */
    CHECK(str_is(echo(&T), "a\xc3\xa9\b \b"));
    type(&T, "\x01\x7f\n", 0); /* ^A echoed as two columns, erased as two */
    CHECK(str_is(echo(&T), "^A\b \b\b \b\n"));
    CHECK(str_is(rd(&T, 100), "a\n"));
    /* Without ECHOE the erase character is echoed instead; without ECHOKE
     * the kill character and a newline (ECHOK). */
    T.t.lflag &= ~(TTY_ECHOE | TTY_ECHOKE);
    type(&T, "ab\x7f\x15", 0);
    CHECK(str_is(echo(&T), "ab^?^U\n"));
}

TEST(tty_end_of_file)
{
    tty_init(&T);
    type(&T, "\x04", 0);
    CHECK(str_is(rd(&T, 100), "")); /* ^D at the start of a line: end of file */
    CHECK(rd(&T, 100) == NULL);
    type(&T, "abc\x04", 0); /* elsewhere: the line so far, without the ^D */
    CHECK(str_is(echo(&T), "abc"));
    CHECK(str_is(rd(&T, 100), "abc"));
    type(&T, "\x04\x04", 0);
    CHECK(str_is(rd(&T, 100), ""));
    CHECK(str_is(rd(&T, 100), ""));
}

TEST(tty_unread)
{
    uint8_t b[8];
    tty_init(&T);
    type(&T, "abc\n\x04xy\n", 0);
    /* A whole line, a piece of one, and end of file go back as they were. */
    CHECK_EQ(tty_read(&T, b, 8), 4);
    tty_unread(&T, b, 4);
    CHECK(str_is(rd(&T, 100), "abc\n"));
    CHECK_EQ(tty_read(&T, b, 8), 0);
    tty_unread(&T, b, 0);
    CHECK(str_is(rd(&T, 100), ""));
    CHECK_EQ(tty_read(&T, b, 1), 1);
    tty_unread(&T, b, 1);
    CHECK(str_is(rd(&T, 100), "xy\n"));
    CHECK(rd(&T, 100) == NULL);
    /* Non-canonical: the bytes are first again. */
    raw_mode(&T, 1, 0);
    type(&T, "pq", 0);
    CHECK_EQ(tty_read(&T, b, 1), 1);
    tty_unread(&T, b, 1);
    CHECK(str_is(rd(&T, 8), "pq"));
}

TEST(tty_isig)
{
    tty_init(&T);
    type(&T, "ready\n", 0);
    type(&T, "half", 0);
    echo(&T);
    CHECK_EQ(tty_input(&T, 0x03, 0), TTY_SIGINT);
    CHECK(str_is(echo(&T), "^C"));
    CHECK(rd(&T, 100) == NULL); /* input flushed, as Linux does */
    CHECK_EQ(tty_input(&T, 0x1c, 0), TTY_SIGQUIT);
    CHECK_EQ(tty_input(&T, 0x1a, 0), TTY_SIGTSTP);
    /* NOFLSH keeps the input. */
    T.t.lflag |= TTY_NOFLSH;
    type(&T, "kept\n", 0);
    CHECK_EQ(tty_input(&T, 0x03, 0), TTY_SIGINT);
    CHECK(str_is(rd(&T, 100), "kept\n"));
    /* Without ISIG ^C is a character like another. */
    T.t.lflag &= ~TTY_ISIG;
    CHECK_EQ(type(&T, "\x03\n", 0), 0);
    CHECK(str_is(rd(&T, 100), "\x03\n"));
    /* A disabled slot (0) matches nothing, not NUL. */
    T.t.lflag |= TTY_ISIG;
    T.t.cc[TTY_VINTR] = 0;
    CHECK_EQ(tty_input(&T, 0, 0), 0);
}

TEST(tty_input_mapping)
{
    tty_init(&T);
    T.t.iflag = TTY_IGNCR;
    type(&T, "a\rb\n", 0);
    CHECK(str_is(rd(&T, 100), "ab\n"));
    T.t.iflag = 0;
    T.t.lflag &= ~TTY_ICANON;
    type(&T, "\r\n", 0);
    CHECK(str_is(rd(&T, 100), "\r\n"));
    T.t.iflag = TTY_INLCR;
    type(&T, "\n", 0);
    CHECK(str_is(rd(&T, 100), "\r"));
}

TEST(tty_output_onlcr)
{
    uint8_t out[16];
    uint32_t used, n;
    tty_init(&T);
    n = tty_output(&T.t, (const uint8_t *)"a\nb\n", 4, out, sizeof(out), &used);
    CHECK_EQ(n, 6);
    CHECK_EQ(used, 4);
    CHECK(memcmp(out, "a\r\nb\r\n", 6) == 0);
    /* A full buffer never splits "\r\n". */
    n = tty_output(&T.t, (const uint8_t *)"ab\n", 3, out, 3, &used);
    CHECK_EQ(n, 2);
    CHECK_EQ(used, 2);
    T.t.oflag &= ~TTY_OPOST;
    n = tty_output(&T.t, (const uint8_t *)"a\n", 2, out, sizeof(out), &used);
    CHECK_EQ(n, 2);
    CHECK(memcmp(out, "a\n", 2) == 0);
}

TEST(tty_noncanonical_vmin_vtime)
{
    const uint64_t ds = 100000000ull; /* a decisecond */
    uint64_t d;
    uint8_t buf[8];
    tty_init(&T);
    /* VMIN 1, VTIME 0: a byte at a time, no echo. */
    raw_mode(&T, 1, 0);
    CHECK(!tty_read_ready(&T, 8, 0, 0, &d));
    CHECK_EQ(d, UINT64_MAX);
    type(&T, "q", 0);
    CHECK(str_is(echo(&T), ""));
    CHECK(str_is(rd(&T, 8), "q"));
    /* VMIN 3: three bytes, or fewer if the read takes fewer. */
    raw_mode(&T, 3, 0);
    type(&T, "ab", 0);
    CHECK(!tty_read_ready(&T, 8, 0, 0, &d));
    CHECK(tty_read_ready(&T, 2, 0, 0, &d));
    type(&T, "c", 0);
    CHECK(str_is(rd(&T, 8), "abc"));
    /* VMIN 0, VTIME 0: at once, possibly nothing. */
    raw_mode(&T, 0, 0);
    CHECK(str_is(rd(&T, 8), ""));
    /* VMIN 0, VTIME 5: a byte, or nothing after half a second from the
     * start of the read. */
    raw_mode(&T, 0, 5);
    CHECK(!tty_read_ready(&T, 8, 10 * ds, 12 * ds, &d));
    CHECK_EQ(d, 15 * ds);
    CHECK(tty_read_ready(&T, 8, 10 * ds, 15 * ds, &d));
    CHECK_EQ(tty_read(&T, buf, 8), 0);
    /* VMIN 2, VTIME 1: two bytes, or what came once 0.1 s passes after
     * the last byte; before the first byte, no timer. */
    raw_mode(&T, 2, 1);
    CHECK(!tty_read_ready(&T, 8, 0, 50 * ds, &d));
    CHECK_EQ(d, UINT64_MAX);
    tty_input(&T, 'x', 60 * ds);
    CHECK(!tty_read_ready(&T, 8, 0, 60 * ds, &d));
    CHECK_EQ(d, 61 * ds);
    CHECK(tty_read_ready(&T, 8, 0, 61 * ds, &d));
    CHECK_EQ(tty_read(&T, buf, 8), 1);
    CHECK_EQ(buf[0], 'x');
    /* ISIG still works without ICANON. */
    CHECK_EQ(tty_input(&T, 0x03, 0), TTY_SIGINT);
}

TEST(tty_mode_switches)
{
    tty_init(&T);
    type(&T, "part", 0);
    raw_mode(&T, 1, 0); /* the line being edited becomes readable */
    CHECK(str_is(rd(&T, 100), "part"));
    type(&T, "xyz", 0);
    struct tty_termios tm = T.t;
    tm.lflag |= TTY_ICANON;
    tty_set_attr(&T, &tm, false); /* and back: what is readable is a record */
    CHECK(str_is(rd(&T, 100), "xyz"));
    type(&T, "gone\n", 0);
    tty_set_attr(&T, &tm, true); /* TCSAFLUSH */
    CHECK(rd(&T, 100) == NULL);
}

TEST(tty_bounds)
{
    tty_init(&T);
    /* A line takes TTY_LINE_MAX - 1 bytes; its newline still fits. */
    for (unsigned i = 0; i < TTY_LINE_MAX + 10; i++)
        tty_input(&T, 'a', 0);
    tty_input(&T, '\n', 0);
    CHECK_EQ(T.dropped, 11);
    const char *l = rd(&T, TTY_READY_MAX);
    CHECK(l && strlen(l) == TTY_LINE_MAX && l[TTY_LINE_MAX - 1] == '\n');
    /* A flood of lines: what does not fit is dropped, never more. */
    tty_init(&T);
    for (unsigned i = 0; i < 100000; i++)
        tty_input(&T, i % 7 == 6 ? '\n' : 'b', 0);
    CHECK(T.len <= TTY_READY_MAX && T.rec_n <= TTY_RECORDS && T.echo_len <= TTY_ECHO_MAX);
    CHECK(T.dropped > 0);
    unsigned lines = 0;
    while (rd(&T, 100))
        lines++;
    CHECK_EQ(lines, TTY_RECORDS);
}
