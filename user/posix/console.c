/*
 * Descriptors on a Console capability: fds 1 and 2 write to the Console
 * granted as "stdout" and "stderr" (or both to "console"), byte for byte,
 * in Console.write calls of at most maxConsoleWrite bytes.  The console is
 * not a terminal (isatty() is 0), so stdio buffers it as Linux buffers a
 * pipe; reading fd 0 gives end of file.
 *
 * Descriptors on a Terminal (docs/terminal.md): when the process is granted
 * one ("terminal" or "tty"), fds 0, 1 and 2 and /dev/tty are it.  A read is
 * Terminal.read (the service's line discipline decides what it returns),
 * a write Terminal.write, and the terminal ioctls become getAttr/setAttr
 * (TCGETS, TCSETS, TCSETSW, TCSETSF: musl's tcgetattr and tcsetattr), the
 * window size and the foreground process group, as the service records
 * them.  isatty() is 1 (musl asks TIOCGWINSZ).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "abi/errors.h"
#include "capos.rpc.h"
#include "fd.h"
#include "posix.h"

#define CHUNK 4096 /* maxConsoleWrite */

static int console_put(uint32_t cap, const void *p, size_t n)
{
    capos_Console_write_args a = {.data = {p, (uint32_t)n}};
    return capos_Console_write_call(cap, &a, 0, 0);
}

long console_write(struct ofd *o, const struct iovec *iov, int iovcnt)
{
    /* Gathers small pieces into one call; large ones go out in place. */
    char buf[512];
    size_t used = 0, total = 0;
    for (int i = 0; i < iovcnt; i++) {
        const char *p = iov[i].iov_base;
        size_t n = iov[i].iov_len;
        while (n) {
            int err = CAPOS_OK;
            size_t k;
            if (used == 0 && n >= sizeof(buf)) {
                k = n < CHUNK ? n : CHUNK;
                err = console_put(o->cap, p, k);
            } else {
                k = n < sizeof(buf) - used ? n : sizeof(buf) - used;
                __builtin_memcpy(buf + used, p, k);
                used += k;
                if (used == sizeof(buf)) {
                    err = console_put(o->cap, buf, used);
                    used = 0;
                }
            }
            if (err != CAPOS_OK)
                return total ? (long)total : posix_errno(err);
            p += k;
            n -= k;
            total += k;
        }
    }
    if (used) {
        int err = console_put(o->cap, buf, used);
        if (err != CAPOS_OK)
            return total - used ? (long)(total - used) : posix_errno(err);
    }
    return (long)total;
}

/* ---- the terminal ---- */

#define TTY_IO 4096 /* maxTerminalIo */

long tty_read(struct ofd *o, const struct iovec *iov, int iovcnt)
{
    /* One Terminal.read into the first non-empty buffer: a canonical read
     * returns at most a line anyway. */
    int i = 0;
    while (i < iovcnt && iov[i].iov_len == 0)
        i++;
    if (i == iovcnt)
        return 0;
    uint64_t res[(TTY_IO + 256) / 8]; /* on the stack: musl's built-in TLS is small */
    size_t want = iov[i].iov_len < TTY_IO ? iov[i].iov_len : TTY_IO;
    struct capos_rpc_opts opts = {.buf = res, .buf_len = sizeof(res)};
    capos_Terminal_read_results r;
    capos_Terminal_read_args a = {.max = (uint32_t)want,
                                  .nonBlocking = (o->flags & O_NONBLOCK) != 0};
    int err = capos_Terminal_read_call(o->cap, &a, &r, &opts);
    if (err != CAPOS_OK)
        return posix_errno(err);
    if (r.data.len > want)
        return -EIO; /* the service broke its promise */
    __builtin_memcpy(iov[i].iov_base, r.data.ptr, r.data.len);
    return (long)r.data.len;
}

long tty_write(struct ofd *o, const struct iovec *iov, int iovcnt)
{
    long total = 0;
    for (int i = 0; i < iovcnt; i++) {
        const char *p = iov[i].iov_base;
        size_t n = iov[i].iov_len;
        while (n) {
            uint32_t k = n < TTY_IO ? (uint32_t)n : TTY_IO;
            capos_Terminal_write_args a = {.data = {(const uint8_t *)p, k}};
            capos_Terminal_write_results r;
            int err = capos_Terminal_write_call(o->cap, &a, &r, 0);
            if (err != CAPOS_OK)
                return total ? total : posix_errno(err);
            p += k;
            n -= k;
            total += k;
        }
    }
    return total;
}

static long tty_getattr(struct ofd *o, struct termios *t)
{
    uint64_t res[16];
    struct capos_rpc_opts opts = {.buf = res, .buf_len = sizeof(res)};
    capos_Terminal_getAttr_results r;
    int err = capos_Terminal_getAttr_call(o->cap, 0, &r, &opts);
    if (err != CAPOS_OK)
        return posix_errno(err);
    __builtin_memset(t, 0, sizeof(*t));
    t->c_iflag = r.iflag;
    t->c_oflag = r.oflag;
    t->c_cflag = r.cflag;
    t->c_lflag = r.lflag;
    __builtin_memcpy(t->c_cc, r.cc.ptr, r.cc.len < NCCS ? r.cc.len : NCCS);
    return 0;
}

static long tty_setattr(struct ofd *o, const struct termios *t, enum capos_TerminalSetWhen when)
{
    capos_Terminal_setAttr_args a = {.iflag = t->c_iflag,
                                     .oflag = t->c_oflag,
                                     .cflag = t->c_cflag,
                                     .lflag = t->c_lflag,
                                     .cc = {t->c_cc, NCCS},
                                     .when = when};
    int err = capos_Terminal_setAttr_call(o->cap, &a, 0, 0);
    return err == CAPOS_OK ? 0 : posix_errno(err);
}

long tty_ioctl(struct ofd *o, unsigned long req, void *arg)
{
    int err;
    switch (req) {
    case TCGETS: return tty_getattr(o, arg);
    case TCSETS: return tty_setattr(o, arg, capos_TerminalSetWhen_now);
    case TCSETSW: return tty_setattr(o, arg, capos_TerminalSetWhen_drain);
    case TCSETSF: return tty_setattr(o, arg, capos_TerminalSetWhen_flush);
    case TIOCGWINSZ: {
        capos_Terminal_getWinSize_results r;
        if ((err = capos_Terminal_getWinSize_call(o->cap, 0, &r, 0)) != CAPOS_OK)
            return posix_errno(err);
        *(struct winsize *)arg = (struct winsize){r.rows, r.cols, r.xpixel, r.ypixel};
        return 0;
    }
    case TIOCSWINSZ: {
        const struct winsize *w = arg;
        capos_Terminal_setWinSize_args a = {w->ws_row, w->ws_col, w->ws_xpixel, w->ws_ypixel};
        err = capos_Terminal_setWinSize_call(o->cap, &a, 0, 0);
        return err == CAPOS_OK ? 0 : posix_errno(err);
    }
    case TIOCGPGRP: {
        capos_Terminal_getForeground_results r;
        if ((err = capos_Terminal_getForeground_call(o->cap, 0, &r, 0)) != CAPOS_OK)
            return posix_errno(err);
        /* No group set yet: the asking process's own is taken for the
         * foreground (the session's first group, as a login shell's). */
        *(pid_t *)arg = r.pgid ? (pid_t)r.pgid : (pid_t)posix_getpgrp();
        return 0;
    }
    case TIOCSPGRP: {
        pid_t pg = *(const pid_t *)arg;
        if (pg <= 0)
            return -EINVAL;
        capos_Terminal_setForeground_args a = {.pgid = (uint32_t)pg};
        err = capos_Terminal_setForeground_call(o->cap, &a, 0, 0);
        return err == CAPOS_OK ? 0 : posix_errno(err);
    }
    default: return -ENOTTY;
    }
}
