"""QEMU smokes of the SMP stress run, of hostile use of the thread APIs, and
regression tests of threads and spawning.

stress-smp4 boots system/smoke-stress.capnp on 4 CPUs: user/tests/stress.c
runs IPC, parking, and thread and process creation concurrently for a few
seconds and prints "stress: ok" only if every count balances and neither
its capability table nor its memory grew (`make soak` runs the same for
minutes: tests/soak.mk, tests/qemu/soak.py).

threads-hostile-smp4 boots system/smoke-threads-hostile.capnp:
user/tests/threads_hostile.c feeds the thread, ParkSpace and
SchedulingPolicy interfaces bad input and kills processes at awkward
moments; each case is a sub-check.

threads-regress-smp4 boots system/smoke-threads-regress.capnp:
user/tests/threads_regress.c creates, joins, spawns and kills threads and
processes at their limits and from several CPUs at once, each case checking
one guarantee (a join frees everything the thread held, a failed spawn
starts nothing, a kill never meets an operation half set up, ...); each
case is a sub-check.
"""
from smokes import KERNEL, Smoke, exited, system

# What every stress run must show; tests/qemu/soak.py checks the same.
STRESS_EXPECT = [
    r'^stress: \d+ s on 4 CPUs',
    r'^stress: after 2 warm-up rounds: ',
    r'^stress: \d+ rounds in \d+ ms on 4 CPUs',
    r'^stress: ipc: (\d+) local calls made, \1 served; (\d+) peer calls answered, \2 served',
    r'^stress: threads: (\d+) created, \1 joined',
    r'^stress: processes: (\d+) spawned, \1 waited',
    r'^stress: ok$',
    exited('stress', 0),
    r'^system: all processes have exited; halting',
]
STRESS_FORBID = [r'KERNEL (PANIC|FAULT)', r'FAIL']

HOSTILE_CASES = ['spawn-bad-address', 'spawn-bad-affinity', 'thread-limit', 'bad-stack',
                 'join-self', 'join-twice', 'join-many', 'park-bad-address', 'park-wake-count',
                 'park-unmapped', 'kill-blocked', 'control-foreign', 'join-foreign-killed',
                 'spawn-into-child', 'park-foreign', 'control-args', 'policy', 'unknown-methods',
                 'last-exit', 'no-leaks']

REGRESS_CASES = ['limit-after-join', 'ring-slot-reuse', 'slots-after-join', 'spawn-table-full',
                 'spawn-result-small', 'process-result-small', 'spawn-concurrent',
                 'vm-page-tables', 'spawn-lookup', 'spawn-exit-race', 'kill-while-spawning',
                 'cancel-race']

SMOKES = [
    Smoke(name='stress-smp4', kernel=KERNEL, module=system('smoke-stress'), smp=4, timeout=60,
          expect=STRESS_EXPECT, forbid=STRESS_FORBID),
    Smoke(name='threads-hostile-smp4', kernel=KERNEL, module=system('smoke-threads-hostile'),
          smp=4, timeout=60,
          expect=[r'^threads-hostile: 4 CPUs',
                  r'^system: badstack-unmapped \(pid \d+\) was stopped: #PF page fault at '
                  r'0xffffff8',
                  r'^threads-hostile: %d cases, 0 failed' % len(HOSTILE_CASES),
                  exited('threads-hostile', 0),
                  r'^system: all processes have exited; halting'],
          forbid=[r'KERNEL (PANIC|FAULT)', r'FAIL'],
          groups={c: [r'^threads-hostile: %s: ok$' % c] for c in HOSTILE_CASES}),
    # About 3,000 short-lived processes (two cases kill 1,000 each): a
    # minute and a half of QEMU on an idle two-core host, several minutes on
    # a loaded one; the timeout only catches a hang.
    Smoke(name='threads-regress-smp4', kernel=KERNEL, module=system('smoke-threads-regress'),
          smp=4, timeout=360,
          expect=[r'^threads-regress: %d cases, 0 failed' % len(REGRESS_CASES),
                  exited('threads-regress', 0),
                  r'^system: all processes have exited; halting'],
          forbid=[r'KERNEL (PANIC|FAULT)', r'FAIL'],
          groups={c: [r'^threads-regress: %s: ok$' % c] for c in REGRESS_CASES}),
]
