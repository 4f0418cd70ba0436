"""QEMU smoke of races between a process ending and threads being created
in it, and of calls that do not fit a server's receive buffer.

races-smp4 boots system/smoke-races.capnp on 4 CPUs: user/tests/races.c
copies ThreadControls out of processes that end while threads are being
started in them and uses them, ends processes while threads are being
started in them and checks that each one ends and its memory comes back,
and sends calls that do not fit a retrying server's buffer, and the echo
service's, next to calls that do; each case is a sub-check.
"""
from smokes import KERNEL, Smoke, exited, system

RACES_CASES = ['control-after-exit', 'spawn-exit-release', 'oversized-call', 'echo-server']

SMOKES = [
    Smoke(name='races-smp4', kernel=KERNEL, module=system('smoke-races'), smp=4, timeout=120,
          expect=[r'^races: %d cases, 0 failed' % len(RACES_CASES),
                  exited('races', 0),
                  r'^system: all processes have exited; halting'],
          forbid=[r'KERNEL (PANIC|FAULT)', r'FAIL'],
          groups={c: [r'^races: %s: ok$' % c] for c in RACES_CASES}),
]
