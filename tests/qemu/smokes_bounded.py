"""QEMU smokes of bounded work: no kernel entry keeps interrupts off for long,
whatever user programs ask of it (docs/capabilities.md, "Bounded work").

Each boots the test kernel, whose interrupts-off watch (kernel/offwatch.c)
times every stretch of kernel work with interrupts off, under QEMU's
`-icount shift=0`, so the TSC counts guest instructions and the lengths do
not depend on the load of the host.  At the halt the kernel prints the
longest stretch of each kind of work and checks the longest of all against
`offbound` (guest instructions).  On one CPU, so that a stretch counts only
its own CPU's instructions (under -icount, CPUs take turns on one clock).

The loads are existing hostile programs that halt: ledger floods its quota
with queued calls, mappings and threads and is torn down; xfer runs the
capability-transfer failure matrix (calls carrying capabilities, killed
peers, full tables); entry-hostile starts hundreds of short-lived attackers
of the kernel-entry paths.  Each must still pass its own checks.

OFFBOUND is about 2.4 times the longest stretch measured on these loads
(about 170,000 instructions, a reaper step that ends a stopped process):
room for the loads to vary, small enough that an unbounded loop shows.
"""
from smokes import KERNEL_TEST, Smoke, exited, system

OFFBOUND = 400000

LOADS = [
    ('ledger', 'smoke-ledger', [r'^ledger-driver: 0 failures', exited('ledger-driver')]),
    ('xfer', 'smoke-xfer', [r'^xfer: all \d+ cases passed$', exited('xfer')]),
    ('entry-hostile', 'smoke-entry-hostile',
     [r'^entry-hostile: \d+ cases, 0 failed', exited('entry-hostile')]),
]


def bounded(name, manifest, expect):
    return Smoke(name='bounded-' + name, kernel=KERNEL_TEST, module=system(manifest),
                 icount=True, append='offbound=%d' % OFFBOUND, timeout=90,
                 expect=expect + [r'^offwatch: the longest stretch with interrupts off',
                                  r'^offwatch: longest \d+, bound %d held$' % OFFBOUND],
                 forbid=[r'KERNEL (PANIC|FAULT)', r'FAIL', r'BROKEN'])


SMOKES = [bounded(*load) for load in LOADS]
