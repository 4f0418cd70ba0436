/*
 * A POSIX program on the terminal (smoke terminal-posix): fds 0, 1 and 2
 * are the Terminal it is granted.  It checks isatty, the window size,
 * the foreground group and /dev/tty, reads a line with read(0), switches
 * to non-canonical mode with echo off through tcsetattr and reads single
 * keys, makes a timed read (VMIN 0, VTIME 2) that returns nothing, goes
 * back to canonical mode and reads lines until end of file (^D); then
 * waits in pause for ^C to reach its SIGINT handler.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static volatile sig_atomic_t interrupted;

static void on_int(int sig)
{
    interrupted = sig == SIGINT;
}

static void show(const char *what, const char *p, long n)
{
    printf("tty_posix: %s \"", what);
    for (long i = 0; i < n; i++) {
        if (p[i] == '\n')
            printf("\\n");
        else if (p[i] >= 0x20 && p[i] < 0x7f)
            putchar(p[i]);
        else
            putchar('?');
    }
    printf("\"\n");
}

int main(void)
{
    struct winsize ws;
    struct termios cooked, raw;
    char buf[256];
    long n;

    printf("tty_posix: isatty %d %d %d\n", isatty(0), isatty(1), isatty(2));
    if (ioctl(0, TIOCGWINSZ, &ws) != 0)
        return 1;
    printf("tty_posix: %u rows, %u columns\n", ws.ws_row, ws.ws_col);
    ws.ws_row = 50;
    ws.ws_col = 132;
    if (ioctl(1, TIOCSWINSZ, &ws) != 0 || ioctl(2, TIOCGWINSZ, &ws) != 0)
        return 1;
    printf("tty_posix: now %u rows, %u columns\n", ws.ws_row, ws.ws_col);
    if (tcsetpgrp(0, 42) != 0)
        return 1;
    printf("tty_posix: foreground group %d\n", (int)tcgetpgrp(2));
    int fd = open("/dev/tty", O_RDWR);
    printf("tty_posix: /dev/tty %s\n", fd >= 0 && isatty(fd) ? "is a terminal" : "is not");

    printf("tty_posix: ready\n");
    fflush(stdout);
    if ((n = read(0, buf, sizeof(buf))) < 0)
        return 1;
    show("got", buf, n);

    if (tcgetattr(0, &cooked) != 0)
        return 1;
    raw = cooked;
    raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr(0, TCSAFLUSH, &raw) != 0)
        return 1;
    printf("tty_posix: raw mode\n");
    fflush(stdout);
    /* The second read may take 4096 bytes: one Terminal.read's most. */
    static char big[4096];
    for (int i = 0; i < 2; i++) {
        if (read(0, big, i ? sizeof(big) : 1) != 1)
            return 1;
        show("key", big, 1);
    }
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 2;
    if (tcsetattr(0, TCSANOW, &raw) != 0)
        return 1;
    printf("tty_posix: a timed read got %ld bytes\n", (long)read(0, buf, 1));

    if (tcsetattr(0, TCSANOW, &cooked) != 0)
        return 1;
    printf("tty_posix: cooked mode\n");
    fflush(stdout);
    while ((n = read(0, buf, sizeof(buf))) > 0)
        show("got", buf, n);
    printf("tty_posix: end of file (%ld)\n", n);

    /* ^C: SIGINT from the terminal, to a handler, ending a pause. */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_int;
    sigaction(SIGINT, &sa, NULL);
    printf("tty_posix: waiting for ^C\n");
    fflush(stdout);
    while (!interrupted)
        pause();
    printf("tty_posix: SIGINT\n");
    return 0;
}
