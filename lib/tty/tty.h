/*
 * The line discipline of the terminal (docs/terminal.md): pure logic, fed
 * one received byte at a time, with no I/O, clock or allocation of its
 * own.  The terminal service (user/services/terminal.c) owns one, feeds it
 * what SerialInput delivers, sends what it says to echo, and answers reads
 * from it; the host tests and a fuzz target drive it directly.
 *
 * termios values and their meaning are Linux's (the flags and c_cc slots
 * below), for the subset this discipline acts on: input ICRNL, INLCR,
 * IGNCR; output OPOST, ONLCR; local ISIG, ICANON, ECHO, ECHOE, ECHOK,
 * ECHONL, ECHOCTL, ECHOKE, NOFLSH, IEXTEN; control characters VINTR, VQUIT,
 * VSUSP, VERASE, VKILL, VWERASE, VEOF, VEOL, VEOL2, VMIN, VTIME.  Other
 * bits are kept as set and read back, and not acted on.
 *
 * Invariants: the line being edited holds at most TTY_LINE_MAX bytes;
 * input waiting to be read at most TTY_READY_MAX bytes, in canonical mode
 * as at most TTY_RECORDS records (a line, or an empty record for end of
 * file); the echo buffer at most TTY_ECHO_MAX bytes.  Input that does not
 * fit is dropped and counted, never waited for: the caller must never
 * block on the discipline.
 */
#ifndef CAPOS_LIB_TTY_TTY_H
#define CAPOS_LIB_TTY_TTY_H

#include "base/compiler.h"

#define TTY_NCCS 32

/* c_iflag */
#define TTY_INLCR 0000100u
#define TTY_IGNCR 0000200u
#define TTY_ICRNL 0000400u
#define TTY_IXON  0002000u
/* c_oflag */
#define TTY_OPOST 0000001u
#define TTY_ONLCR 0000004u
/* c_lflag */
#define TTY_ISIG    0000001u
#define TTY_ICANON  0000002u
#define TTY_ECHO    0000010u
#define TTY_ECHOE   0000020u
#define TTY_ECHOK   0000040u
#define TTY_ECHONL  0000100u
#define TTY_NOFLSH  0000200u
#define TTY_ECHOCTL 0001000u
#define TTY_ECHOKE  0004000u
#define TTY_IEXTEN  0100000u
/* c_cc slots */
#define TTY_VINTR   0
#define TTY_VQUIT   1
#define TTY_VERASE  2
#define TTY_VKILL   3
#define TTY_VEOF    4
#define TTY_VTIME   5
#define TTY_VMIN    6
#define TTY_VSUSP   10
#define TTY_VEOL    11
#define TTY_VWERASE 14
#define TTY_VEOL2   16
/* Signal numbers tty_input reports (Linux's). */
#define TTY_SIGINT    2
#define TTY_SIGQUIT   3
#define TTY_SIGTSTP   20

#define TTY_LINE_MAX  4095 /* bytes of one line, its end included (Linux: 4095) */
#define TTY_READY_MAX 8192
#define TTY_RECORDS   256
#define TTY_ECHO_MAX  8192

struct tty_termios {
    uint32_t iflag, oflag, cflag, lflag;
    uint8_t cc[TTY_NCCS];
};

struct tty_winsize {
    uint16_t rows, cols, xpixel, ypixel;
};

struct tty {
    struct tty_termios t;
    struct tty_winsize ws;
    /* The line being edited (canonical mode). */
    uint8_t line[TTY_LINE_MAX];
    uint32_t line_len;
    /* Readable input: ready[head .. head+len), wrapping; in canonical mode
     * cut into records, rec[rec_head .. rec_head+rec_n) the bytes left of
     * each (0: end of file). */
    uint8_t ready[TTY_READY_MAX];
    uint32_t head, len;
    uint16_t rec[TTY_RECORDS];
    uint32_t rec_head, rec_n;
    /* Echo to send, before output processing. */
    uint8_t echo[TTY_ECHO_MAX];
    uint32_t echo_len;
    uint64_t last_input_ns; /* when the last byte came (VTIME between bytes) */
    bool last_ended;        /* the last tty_read ended a canonical record */
    uint64_t dropped;       /* input bytes that found no room */
};

/* Linux's defaults of a serial console: canonical, echo, ISIG, CR to NL,
 * NL to CR NL; ^C ^\ ^Z, DEL erase, ^U kill, ^W word erase, ^D end of
 * file; 24 rows of 80 columns. */
void tty_init(struct tty *t);

/* Takes one received byte at time now_ns; returns the signal it raised
 * (TTY_SIGINT, TTY_SIGQUIT, TTY_SIGTSTP; input already flushed unless
 * NOFLSH) or 0. */
int tty_input(struct tty *t, uint8_t c, uint64_t now_ns);

/* Moves up to cap bytes of pending echo into out; returns how many. */
uint32_t tty_echo_take(struct tty *t, uint8_t *out, uint32_t cap);

/* Whether a read of up to max bytes (max > 0), started at started_ns,
 * completes at now_ns: in canonical mode once a record is there;
 * otherwise as VMIN and VTIME say.  If not, *deadline_ns is when to ask
 * again if no input comes first (UINT64_MAX: only input can change it). */
bool tty_read_ready(const struct tty *t, uint32_t max, uint64_t started_ns, uint64_t now_ns,
                    uint64_t *deadline_ns);

/* Takes up to max bytes of readable input (at most one record in
 * canonical mode; 0 bytes for end of file) into out; returns how many. */
uint32_t tty_read(struct tty *t, uint8_t *out, uint32_t max);

/* Undoes the last tty_read, which returned p[0..n): its reader was gone
 * by the time the bytes could be handed over.  Valid only before anything
 * else changes the discipline. */
void tty_unread(struct tty *t, const uint8_t *p, uint32_t n);

/* Output processing of in[0..n) into out (cap bytes): OPOST with ONLCR
 * turns "\n" into "\r\n".  Returns the bytes written; *used the bytes of
 * `in` taken (all of them unless out filled up). */
uint32_t tty_output(const struct tty_termios *tm, const uint8_t *in, uint32_t n, uint8_t *out,
                    uint32_t cap, uint32_t *used);

/* New attributes; `flush` discards input not yet read (TCSAFLUSH).
 * Leaving canonical mode makes the line being edited readable; entering
 * it makes what is readable one record. */
void tty_set_attr(struct tty *t, const struct tty_termios *tm, bool flush);

/* Discards the line being edited and everything readable. */
void tty_flush_input(struct tty *t);

#endif
