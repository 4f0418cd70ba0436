"""Smokes of the serial console's input and the terminal (docs/terminal.md).

serial-input boots system/smoke-serial-input.capnp and types on the serial
console when user/tests/serialin.c says it is ready: a reader that faults
while it waits, a second reader refused, a read into kernel memory, bad
sizes, and the kernel's byte counts.
"""
from smokes import KERNEL, Smoke, system

SMOKES = [
    Smoke(name='serial-input', kernel=KERNEL, module=system('smoke-serial-input'), smp=2,
          timeout=30,
          keys=[(r'^serialin: ready for abc$', b'abc\r'),
                (r'^serialin: ready for x$', b'x'),
                (r'^serialin: ready for yz$', b'yz')],
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
                  r'^system: serialin \(pid 2\) exited with status 0$']),
]
