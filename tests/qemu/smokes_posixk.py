"""QEMU smoke of the kernel interfaces the POSIX personality stands on.

posix-kernel-smp2 boots system/smoke-posix-kernel.capnp on 2 CPUs:
user/tests/posix_kernel.c exercises pipes (data, end of file, peerGone,
atomic writes, bad addresses, blocking on both sides, waits and
cancelWaits, the queue limit, an end handed to a child, no leak), the clock
page and wall clock, sleepUntil, cpuTime, clear-tid and setTid, the parent
pid and a Console on a port the machine lacks (COM2: the smoke boots with
COM1 only; capos-run and the POSIX suite use COM2 and COM3 where they
exist).  Each case is a sub-check.
"""
from smokes import KERNEL, Smoke, exited, system

POSIXK_CASES = ['pipe-basic', 'pipe-eof', 'pipe-peer-gone', 'pipe-atomic', 'pipe-bad-address',
                'pipe-blocking', 'pipe-wait', 'pipe-queue-limit', 'pipe-transfer',
                'pipe-no-leak', 'clock-page', 'clock-read-only', 'sleep-until', 'cpu-time',
                'clear-tid', 'ppid', 'port-absent']

SMOKES = [
    Smoke(name='posix-kernel-smp2', kernel=KERNEL, module=system('smoke-posix-kernel'), smp=2,
          timeout=90,
          expect=[r'^serial: output lines COM2 absent, COM3 absent',
                  r'^clock: rtc \d+ s since 1970 at boot',
                  r'^system: clockwrite \(pid \d+\) was stopped: #PF page fault',
                  r'^posix-kernel: %d cases, 0 failed' % len(POSIXK_CASES),
                  exited('posix-kernel', 0),
                  r'^system: all processes have exited; halting'],
          forbid=[r'KERNEL (PANIC|FAULT)', r'FAIL'],
          groups={c: [r'^posix-kernel: %s: ok$' % c] for c in POSIXK_CASES}),
]
