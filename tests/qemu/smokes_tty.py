"""Smokes of the serial console's input and the terminal (docs/terminal.md).

serial-input boots system/smoke-serial-input.capnp and types on the serial
console when user/tests/serialin.c says it is ready: a reader that faults
while it waits, a second reader refused, a read into kernel memory, bad
sizes, the kernel's byte counts, and a flood of 5000 bytes that nobody
reads: 4096 kept, 904 dropped and counted.

terminal boots system/smoke-terminal.capnp: the terminal service and
user/tests/ttyecho.c, whose child dies with a read waiting in the
service (the next line must not be lost with it), and types as a person
would: a line with a word
killed by ^U, a typo erased with DEL and a word with ^W; three keys in
non-canonical mode with echo off; ^C, which the program learns of through
nextSignal; a last line and ^D.  The echo on the screen is checked as well
as what the program read.

terminal-posix boots system/smoke-terminal-posix.capnp: a POSIX program
(tests/posix-tty/tty_posix.c) whose fds 0, 1 and 2 are the terminal:
isatty, TIOCGWINSZ/TIOCSWINSZ, tcsetpgrp, /dev/tty, read(0) of an edited
line, tcsetattr to non-canonical mode without echo and back, a timed read
(VMIN 0, VTIME 2) that returns nothing, ^D, and ^C reaching its SIGINT
handler (the POSIX personality listens to Terminal.nextSignal).
"""
import re

from smokes import KERNEL, Smoke, system

# What the terminal echoes for the first line: each erased character is
# taken back with backspace, space, backspace.
ERASE = '\b \b'
FIRST_ECHO = 'garbage' + ERASE * 7 + 'helo' + ERASE + 'lo wrold' + ERASE * 5 + 'world'

SMOKES = [
    Smoke(name='serial-input', kernel=KERNEL, module=system('smoke-serial-input'), smp=2,
          timeout=30,
          keys=[(r'^serialin: ready for abc$', b'abc\r'),
                (r'^serialin: ready for x$', b'x'),
                (r'^serialin: ready for yz$', b'yz'),
                (r'^serialin: ready for a flood$', b'f' * 5000)],
          expect=[r'^serialin: victim waits, then faults$',
                  r'^serialin: victim faulted$',
                  r'^serialin: a second reader: quotaExceeded$',
                  r'^serialin: the waiting read got "ab"$',
                  r'^serialin: the next read got "c\\x0d"$',
                  r'^serialin: a read into kernel memory: badAddress$',
                  r'^serialin: then "y?z"$',
                  r'^serialin: max 0: invalidArgument$',
                  r'^serialin: max 1025: invalidArgument$',
                  r'^serialin: 7 bytes received, 0 dropped$',
                  r'^serialin: flooded: 5007 bytes received, 904 dropped$',
                  r'^serialin: read back 4096 bytes, all of the flood$',
                  r'^system: serialin \(pid 2\) exited with status 0$']),
    Smoke(name='terminal', kernel=KERNEL, module=system('smoke-terminal'), smp=2,
          exit='running', timeout=30,
          keys=[(r'^ttyecho: ready$', b'garbage\x15helo\x7flo wrold\x17world\r'),
                (r'^ttyecho: raw mode$', b'xyz'),
                (r'^ttyecho: cooked, foreground 7$', b'\x03'),
                (r'ttyecho: signal 2 for group 7$', b'bye\r\x04')],
          groups={'service': [r'^terminal: serving the serial console$']},
          expect=[r'^ttyecho: the quitter waits to read, and faults$',
                  r'^system: quitter \(pid 4\) was stopped: #PF page fault at 0',
                  r'^ttyecho: feeding the terminal\'s input: notPermitted$',
                  r'^ttyecho: a read that may not wait: wouldBlock$',
                  r'^ttyecho: ready$',
                  '^' + re.escape(FIRST_ECHO) + '$',
                  r'^ttyecho: got "hello world\\n"$',
                  r'^ttyecho: raw mode$',
                  r'^ttyecho: key "x"$',
                  r'^ttyecho: key "y"$',
                  r'^ttyecho: key "z"$',
                  r'^ttyecho: cooked, foreground 7$',
                  r'^\^Cttyecho: signal 2 for group 7$',
                  r'^bye$',
                  r'^ttyecho: got "bye\\n"$',
                  r'^ttyecho: end of file$',
                  r'^system: ttyecho \(pid 3\) exited with status 0$'],
          forbid=[r'KERNEL (PANIC|FAULT)', r'^system: stalled', r'xyz']),
    Smoke(name='terminal-posix', kernel=KERNEL, module=system('smoke-terminal-posix'), smp=2,
          exit='running', timeout=30,
          keys=[(r'^tty_posix: ready$', b'caT\x7ft\x08t dgo\x17dog\r'),
                (r'^tty_posix: raw mode$', b'jk'),
                (r'^tty_posix: cooked mode$', b'one\r'),
                (r'^tty_posix: got "one', b'two\x04\x04'),
                (r'^tty_posix: waiting for \^C$', b'\x03')],
          expect=[r'^tty_posix: isatty 1 1 1$',
                  r'^tty_posix: 24 rows, 80 columns$',
                  r'^tty_posix: now 50 rows, 132 columns$',
                  r'^tty_posix: foreground group 42$',
                  r'^tty_posix: /dev/tty is a terminal$',
                  r'^tty_posix: ready$',
                  '^' + re.escape('caT' + ERASE + 't' + ERASE + 't dgo' + ERASE * 3 + 'dog') + '$',
                  r'^tty_posix: got "cat dog\\n"$',
                  r'^tty_posix: raw mode$',
                  r'^tty_posix: key "j"$',
                  r'^tty_posix: key "k"$',
                  r'^tty_posix: a timed read got 0 bytes$',
                  r'^tty_posix: cooked mode$',
                  r'^one$',
                  r'^tty_posix: got "one\\n"$',
                  r'^twotty_posix: got "two"$',
                  r'^tty_posix: end of file \(0\)$',
                  r'^tty_posix: waiting for \^C$',
                  r'^\^Ctty_posix: SIGINT$',
                  r'^system: tty_posix \(pid 3\) exited with status 0$'],
          forbid=[r'KERNEL (PANIC|FAULT)', r'^system: stalled', r'jk']),
]
