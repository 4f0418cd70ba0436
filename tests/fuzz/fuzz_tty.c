/*
 * Fuzz target of lib/tty, the line discipline, which decodes bytes typed
 * by anyone at the console: the input is a program of operations (a byte
 * typed, a read of some size at some time, new attributes, echo taken).
 * After each, the discipline's bounds must hold, a read must return at
 * most what it asked for; a read that tty_read_ready allows
 * must not be refused; and every byte read must have been typed (or be a
 * line end the discipline mapped), so input is never invented; bytes put
 * back (tty_unread) are all readable again.  In
 * canonical mode the records must cover exactly the readable bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "tty/tty.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct tty t;
static uint8_t buf[TTY_READY_MAX];
static bool typed[256];

static void check_bounds(void)
{
    if (t.line_len >= TTY_LINE_MAX || t.len > TTY_READY_MAX || t.head >= TTY_READY_MAX ||
        t.rec_n > TTY_RECORDS || t.echo_len > TTY_ECHO_MAX)
        abort();
    if (t.t.lflag & TTY_ICANON) {
        uint64_t sum = 0;
        for (uint32_t i = 0; i < t.rec_n; i++)
            sum += t.rec[(t.rec_head + i) % TTY_RECORDS];
        if (sum != t.len)
            abort(); /* records cover exactly the readable bytes */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input(data, size);
    tty_init(&t);
    memset(typed, 0, sizeof(typed));
    typed['\n'] = typed['\r'] = true; /* ICRNL, INLCR */
    uint64_t now = 0;
    while (in_left) {
        uint8_t op = byte();
        now += (op >> 4) * 50000000ull;
        switch (op & 3) {
        case 0:
        case 1: {
            uint8_t c = byte();
            typed[c] = true;
            int sig = tty_input(&t, c, now);
            if (sig != 0 && sig != TTY_SIGINT && sig != TTY_SIGQUIT && sig != TTY_SIGTSTP)
                abort();
            break;
        }
        case 2: {
            uint32_t max = 1 + byte() * 17u;
            uint64_t deadline;
            bool ready = tty_read_ready(&t, max, now - (op >> 4), now, &deadline);
            if (!ready && deadline != UINT64_MAX && deadline < now - (op >> 4))
                abort();
            if (!ready)
                break;
            uint32_t n = tty_read(&t, buf, max);
            if (n > max)
                abort();
            if (op & 0x80) {
                /* Its reader was gone: the bytes go back, and come again. */
                uint32_t len = t.len;
                tty_unread(&t, buf, n);
                if (t.len != len + n)
                    abort();
                break;
            }
            for (uint32_t i = 0; i < n; i++) {
                if (!typed[buf[i]])
                    abort();
            }
            break;
        }
        case 3: {
            if (byte() & 1) {
                uint8_t tmp[64];
                tty_echo_take(&t, tmp, byte() % sizeof(tmp));
                break;
            }
            struct tty_termios tm = t.t;
            tm.iflag = byte() | (uint32_t)byte() << 8;
            tm.lflag = byte() | (uint32_t)byte() << 8 | (uint32_t)(byte() & 1) << 15;
            tm.oflag = byte() & 7;
            uint8_t slot = byte() % TTY_NCCS;
            tm.cc[slot] = byte();
            tty_set_attr(&t, &tm, byte() & 1);
            break;
        }
        }
        check_bounds();
    }
    uint8_t out[64];
    uint32_t used;
    tty_output(&t.t, data, (uint32_t)(size < 32 ? size : 32), out, sizeof(out), &used);
    return 0;
}
