"""QEMU smokes of the system-call fuzzer (user/fuzz/) and of the kernel
crashes it found.

fuzz-smp4 boots system/smoke-fuzz.capnp on 4 CPUs: the supervisor fuzzes
for 20 s with master seed 1 (fuzzing children on every CPU next to the
innocent bystander), then drains and checks.  It passes only if the kernel
neither faults nor hangs, every child ends when killed, the innocent saw no
wrong answer, error or stall, free physical memory, the supervisor's quota
and its capability table are where they were after the warm-up, and at
halt the kernel accounts for every frame it had when init started.
`make soak` runs the same system for as long as asked (tests/soak.mk,
tests/qemu/soak.py).

fuzz-regress-smp4 boots system/smoke-fuzz-regress.capnp on 4 CPUs:
user/fuzz/fuzz_regress.c repeats, as a small deterministic program, each
race through which the fuzzer crashed the kernel or broke one of its
oracles; each case is a sub-check (halt-teardown's is the kernel's memory
report at halt).

Fuzzing children write random lowercase text to the console, which can end
up in front of another line of the log, so no pattern here is anchored at
the start of a line.
"""
from smokes import KERNEL, Smoke, system

# What every fuzz run must show; tests/qemu/soak.py checks the same.
FUZZ_EXPECT = [
    r'fuzz: seed 0x[0-9a-f]+, \d+ s on 4 CPUs',
    r'fuzz-innocent: ping, public service, memory, timer and park running',
    r'fuzz: after \d+ s of warm-up: [1-9]\d* children',
    r'fuzz-innocent: [1-9]\d* pings .* 0 failures$',
    r'fuzz-innocent: ok$',
    r'fuzz: [1-9]\d* children \((\d+) exited, (\d+) killed, (\d+) faulted\)',
    r'fuzz: \d+ operations submitted, [1-9]\d* completed',
    r'fuzz: memory: ',
    r'fuzz: ok$',
    r'system: fuzz \(pid \d+\) exited with status 0$',
    # The kernel's report at halt: every frame is free or charged to a
    # ledger, as many as when init started (no frame was lost).
    r'memory: \d+ frames free \+ \d+ charged = (\d+) \(\1 when init started\)',
    r'system: all processes have exited; halting',
]
FUZZ_FORBID = [r'KERNEL (PANIC|FAULT)', r'FAIL']

REGRESS_CASES = ['join-end', 'halt-teardown']

SMOKES = [
    # 20 s of fuzzing; the drains and two free-memory probes add to it
    # (tens of seconds on a loaded host), hence the timeout.
    # A drain that takes long (a child that does not end, a driver that
    # does not move) gets the kernel's report of who waits on what.
    Smoke(name='fuzz-smp4', kernel=KERNEL, module=system('smoke-fuzz'), smp=4, timeout=300,
          keys=[(r'fuzz: still draining', b'\x14')], expect=FUZZ_EXPECT, forbid=FUZZ_FORBID),
    # 2000 children (about a minute of QEMU time; minutes on a loaded host).
    Smoke(name='fuzz-regress-smp4', kernel=KERNEL, module=system('smoke-fuzz-regress'), smp=4,
          timeout=480,
          expect=[r'^fuzz-regress: %d cases, 0 failed' % len(REGRESS_CASES),
                  r'^system: fuzz-regress \(pid \d+\) exited with status 0$',
                  # halt-teardown: every frame accounted for while the
                  # killed children's threads still free their memory.
                  r'^memory: \d+ frames free \+ \d+ charged = (\d+) \(\1 when init started\)',
                  r'^system: all processes have exited; halting'],
          forbid=[r'KERNEL (PANIC|FAULT)', r'FAIL'],
          groups={c: [r'^fuzz-regress: %s: ok$' % c] for c in REGRESS_CASES}),
]
