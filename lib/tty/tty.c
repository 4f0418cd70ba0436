/*
 * The line discipline (see tty.h).  Every byte in is decided on at once:
 * no function here waits, and every buffer is bounded, so a flood of
 * input costs dropped bytes, never a stuck caller.
 *
 * Echo: a byte is echoed as itself, or with ECHOCTL a control byte (other
 * than tab and newline) as "^X", two columns; erasing a byte takes back
 * as many columns with "\b \b" each (ECHOE), and a UTF-8 character is
 * erased whole.
 */
#include "tty/tty.h"

#include "base/mem.h"

#define VDISABLE          0 /* a c_cc slot set to 0 is off (Linux's _POSIX_VDISABLE) */
#define NS_PER_DECISECOND 100000000ull

void tty_init(struct tty *t)
{
    memset(t, 0, sizeof(*t));
    t->t.iflag = TTY_ICRNL | TTY_IXON;
    t->t.oflag = TTY_OPOST | TTY_ONLCR;
    t->t.cflag = 0000277u; /* B38400 CS8 CREAD */
    t->t.lflag = TTY_ISIG | TTY_ICANON | TTY_ECHO | TTY_ECHOE | TTY_ECHOK | TTY_ECHOCTL |
                 TTY_ECHOKE | TTY_IEXTEN;
    t->t.cc[TTY_VINTR] = 0x03;
    t->t.cc[TTY_VQUIT] = 0x1c;
    t->t.cc[TTY_VERASE] = 0x7f;
    t->t.cc[TTY_VKILL] = 0x15;
    t->t.cc[TTY_VEOF] = 0x04;
    t->t.cc[TTY_VTIME] = 0;
    t->t.cc[TTY_VMIN] = 1;
    t->t.cc[TTY_VSUSP] = 0x1a;
    t->t.cc[TTY_VWERASE] = 0x17;
    t->ws = (struct tty_winsize){.rows = 24, .cols = 80};
}

/* ---- echo ---- */

static void echo_byte(struct tty *t, uint8_t c)
{
    if (t->echo_len < TTY_ECHO_MAX)
        t->echo[t->echo_len++] = c;
}

static bool echo_is_ctl(const struct tty *t, uint8_t c)
{
    return (t->t.lflag & TTY_ECHOCTL) && (c < 0x20 || c == 0x7f) && c != '\t' && c != '\n';
}

/* Echoes c as it appears on the line (ECHOCTL: "^X"). */
static void echo_char(struct tty *t, uint8_t c)
{
    if (echo_is_ctl(t, c)) {
        echo_byte(t, '^');
        echo_byte(t, c ^ 0x40);
    } else {
        echo_byte(t, c);
    }
}

uint32_t tty_echo_take(struct tty *t, uint8_t *out, uint32_t cap)
{
    uint32_t n = MIN(cap, t->echo_len);
    memcpy(out, t->echo, n);
    memmove(t->echo, t->echo + n, t->echo_len - n);
    t->echo_len -= n;
    return n;
}

/* ---- readable input ---- */

static void ready_put(struct tty *t, const uint8_t *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        t->ready[(t->head + t->len + i) % TTY_READY_MAX] = p[i];
    t->len += n;
}

/* Ends a canonical record of the n bytes at p (0: end of file); drops it
 * (counting its bytes) if the record or its bytes find no room. */
static void record_push(struct tty *t, const uint8_t *p, uint32_t n)
{
    if (t->rec_n == TTY_RECORDS || n > TTY_READY_MAX - t->len) {
        t->dropped += n;
        return;
    }
    ready_put(t, p, n);
    t->rec[(t->rec_head + t->rec_n) % TTY_RECORDS] = (uint16_t)n;
    t->rec_n++;
}

void tty_flush_input(struct tty *t)
{
    t->line_len = 0;
    t->head = t->len = 0;
    t->rec_head = t->rec_n = 0;
}

/* ---- canonical editing ---- */

/* Erases the last character of the line (a UTF-8 sequence whole); with
 * `visual`, takes back its columns. */
static bool erase_one(struct tty *t, bool visual)
{
    if (t->line_len == 0)
        return false;
    /* Continuation bytes belong to the lead byte before them. */
    while (t->line_len > 1 && (t->line[t->line_len - 1] & 0xc0) == 0x80)
        t->line_len--;
    t->line_len--;
    if (visual && (t->t.lflag & TTY_ECHO)) {
        uint8_t c = t->line[t->line_len];
        unsigned cols = echo_is_ctl(t, c) ? 2 : 1;
        for (unsigned i = 0; i < cols; i++) {
            echo_byte(t, '\b');
            echo_byte(t, ' ');
            echo_byte(t, '\b');
        }
    }
    return true;
}

static bool is_space(uint8_t c)
{
    return c == ' ' || c == '\t';
}

static void canon_erase(struct tty *t, uint8_t c)
{
    if (t->line_len == 0)
        return;
    if (t->t.lflag & TTY_ECHOE) {
        erase_one(t, true);
    } else {
        erase_one(t, false);
        if (t->t.lflag & TTY_ECHO)
            echo_char(t, c);
    }
}

static void canon_kill(struct tty *t, uint8_t c)
{
    if ((t->t.lflag & TTY_ECHOKE) && (t->t.lflag & TTY_ECHOE)) {
        while (erase_one(t, true))
            ;
        return;
    }
    t->line_len = 0;
    if (t->t.lflag & TTY_ECHO) {
        echo_char(t, c);
        if (t->t.lflag & TTY_ECHOK)
            echo_byte(t, '\n');
    }
}

static void canon_werase(struct tty *t, uint8_t c)
{
    bool visual = (t->t.lflag & TTY_ECHOE) != 0;
    while (t->line_len && is_space(t->line[t->line_len - 1]))
        erase_one(t, visual);
    while (t->line_len && !is_space(t->line[t->line_len - 1]))
        erase_one(t, visual);
    if (!visual && (t->t.lflag & TTY_ECHO))
        echo_char(t, c);
}

/* A line ends with c (a newline or VEOL, kept; VEOF, not kept). */
static void canon_end_line(struct tty *t, uint8_t c, bool keep)
{
    if (keep)
        t->line[t->line_len++] = c; /* room: a line keeps one byte for its end */
    record_push(t, t->line, t->line_len);
    t->line_len = 0;
}

static void canon_input(struct tty *t, uint8_t c)
{
    const uint8_t *cc = t->t.cc;
    uint32_t lflag = t->t.lflag;
    if (c != VDISABLE && (c == cc[TTY_VERASE] || c == '\b')) {
        canon_erase(t, c);
    } else if (c != VDISABLE && c == cc[TTY_VKILL]) {
        canon_kill(t, c);
    } else if (c != VDISABLE && c == cc[TTY_VWERASE] && (lflag & TTY_IEXTEN)) {
        canon_werase(t, c);
    } else if (c != VDISABLE && c == cc[TTY_VEOF]) {
        canon_end_line(t, c, false);
    } else if (c == '\n' || (c != VDISABLE && (c == cc[TTY_VEOL] || c == cc[TTY_VEOL2]))) {
        if ((lflag & TTY_ECHO) || (c == '\n' && (lflag & TTY_ECHONL)))
            echo_char(t, c);
        canon_end_line(t, c, true);
    } else if (t->line_len < TTY_LINE_MAX - 1) {
        t->line[t->line_len++] = c;
        if (lflag & TTY_ECHO)
            echo_char(t, c);
    } else {
        t->dropped++; /* the line is full: only its end still fits */
    }
}

/* ---- input ---- */

int tty_input(struct tty *t, uint8_t c, uint64_t now_ns)
{
    const uint8_t *cc = t->t.cc;
    t->last_input_ns = now_ns;
    if (c == '\r') {
        if (t->t.iflag & TTY_IGNCR)
            return 0;
        if (t->t.iflag & TTY_ICRNL)
            c = '\n';
    } else if (c == '\n' && (t->t.iflag & TTY_INLCR)) {
        c = '\r';
    }
    if ((t->t.lflag & TTY_ISIG) && c != VDISABLE) {
        int sig = c == cc[TTY_VINTR]   ? TTY_SIGINT
                  : c == cc[TTY_VQUIT] ? TTY_SIGQUIT
                  : c == cc[TTY_VSUSP] ? TTY_SIGTSTP
                                       : 0;
        if (sig) {
            if (!(t->t.lflag & TTY_NOFLSH))
                tty_flush_input(t);
            if (t->t.lflag & TTY_ECHO)
                echo_char(t, c);
            return sig;
        }
    }
    if (t->t.lflag & TTY_ICANON) {
        canon_input(t, c);
        return 0;
    }
    if (t->len == TTY_READY_MAX) {
        t->dropped++;
        return 0;
    }
    ready_put(t, &c, 1);
    if ((t->t.lflag & TTY_ECHO) || (c == '\n' && (t->t.lflag & TTY_ECHONL)))
        echo_char(t, c);
    return 0;
}

/* ---- reading ---- */

bool tty_read_ready(const struct tty *t, uint32_t max, uint64_t started_ns, uint64_t now_ns,
                    uint64_t *deadline_ns)
{
    *deadline_ns = UINT64_MAX;
    if (t->t.lflag & TTY_ICANON)
        return t->rec_n > 0;
    uint32_t vmin = t->t.cc[TTY_VMIN];
    uint64_t vtime = (uint64_t)t->t.cc[TTY_VTIME] * NS_PER_DECISECOND;
    if (vmin > max)
        vmin = max; /* a read never waits for more than it takes */
    if (vmin == 0) {
        /* A timed read: any byte, or nothing once VTIME has passed since
         * the read began (at once with VTIME 0). */
        if (t->len > 0 || vtime == 0 || (now_ns >= started_ns && now_ns - started_ns >= vtime))
            return true;
        *deadline_ns = started_ns + vtime;
        return false;
    }
    if (t->len >= vmin)
        return true;
    if (vtime == 0 || t->len == 0)
        return false; /* the timer between bytes starts with the first one */
    if (now_ns >= t->last_input_ns && now_ns - t->last_input_ns >= vtime)
        return true;
    *deadline_ns = t->last_input_ns + vtime;
    return false;
}

uint32_t tty_read(struct tty *t, uint8_t *out, uint32_t max)
{
    uint32_t n = MIN(max, t->len);
    t->last_ended = false;
    if (t->t.lflag & TTY_ICANON) {
        if (t->rec_n == 0)
            return 0;
        n = MIN(max, t->rec[t->rec_head]);
        t->rec[t->rec_head] -= (uint16_t)n;
        if (t->rec[t->rec_head] == 0) {
            t->last_ended = true;
            t->rec_head = (t->rec_head + 1) % TTY_RECORDS;
            t->rec_n--;
        }
    }
    for (uint32_t i = 0; i < n; i++)
        out[i] = t->ready[(t->head + i) % TTY_READY_MAX];
    t->head = (t->head + n) % TTY_READY_MAX;
    t->len -= n;
    return n;
}

void tty_unread(struct tty *t, const uint8_t *p, uint32_t n)
{
    /* The bytes were just taken: their room is still free. */
    t->head = (t->head + TTY_READY_MAX - n) % TTY_READY_MAX;
    for (uint32_t i = 0; i < n; i++)
        t->ready[(t->head + i) % TTY_READY_MAX] = p[i];
    t->len += n;
    if (!(t->t.lflag & TTY_ICANON))
        return;
    if (t->last_ended) {
        t->rec_head = (t->rec_head + TTY_RECORDS - 1) % TTY_RECORDS;
        t->rec[t->rec_head] = (uint16_t)n;
        t->rec_n++;
    } else {
        t->rec[t->rec_head] += (uint16_t)n;
    }
    t->last_ended = false;
}

/* ---- output and attributes ---- */

uint32_t tty_output(const struct tty_termios *tm, const uint8_t *in, uint32_t n, uint8_t *out,
                    uint32_t cap, uint32_t *used)
{
    bool onlcr = (tm->oflag & TTY_OPOST) && (tm->oflag & TTY_ONLCR);
    uint32_t i = 0, k = 0;
    for (; i < n; i++) {
        if (onlcr && in[i] == '\n') {
            if (cap - k < 2)
                break;
            out[k++] = '\r';
        } else if (k == cap) {
            break;
        }
        out[k++] = in[i];
    }
    *used = i;
    return k;
}

void tty_set_attr(struct tty *t, const struct tty_termios *tm, bool flush)
{
    bool was = (t->t.lflag & TTY_ICANON) != 0, is = (tm->lflag & TTY_ICANON) != 0;
    t->t = *tm;
    if (flush) {
        tty_flush_input(t);
        return;
    }
    if (was && !is) {
        /* The line being edited becomes readable, records become bytes. */
        uint32_t n = MIN(t->line_len, TTY_READY_MAX - t->len);
        t->dropped += t->line_len - n;
        ready_put(t, t->line, n);
        t->line_len = 0;
        t->rec_head = t->rec_n = 0;
    } else if (!was && is) {
        t->rec_head = 0;
        t->rec_n = 0;
        /* Records hold at most a line; more than that is read in pieces. */
        for (uint32_t left = t->len; left > 0 && t->rec_n < TTY_RECORDS;) {
            uint32_t k = MIN(left, TTY_LINE_MAX);
            t->rec[t->rec_n++] = (uint16_t)k;
            left -= k;
        }
    }
}
