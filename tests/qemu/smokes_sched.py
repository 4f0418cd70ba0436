"""QEMU smokes of the scheduler's policy, each case a sub-check.

sched-fair (user/tests/sched_fair.c): three CPU-bound threads on one CPU
with weights 1 : 2 : 4 get 1/7, 2/7 and 4/7 of it within 5%, with the main
thread on another CPU (2 CPUs) or asleep (1 CPU).  sched-latency
(user/tests/sched_latency.c): a latency-class thread runs ahead of a batch
thread woken by the same wake, and takes the CPU from a CPU-bound thread at
once when woken.  sched-policy (user/tests/sched_policy.c): who may raise or
lower weights and grant the latency class.
"""
from smokes import KERNEL, Smoke, exited, system

HALT = r'^system: all processes have exited; halting'


def fair_on(n):
    where = r'workers on CPU 1, main on CPU 0' if n > 1 else \
        r'workers on CPU 0, main asleep during the interval'
    return Smoke(name='sched-fair-smp%d' % n, kernel=KERNEL, module=system('smoke-sched-fair'),
                 smp=n, timeout=60,
                 expect=[r'^sched-fair: ' + where, exited('sched-fair'), HALT],
                 forbid=[r'KERNEL (PANIC|FAULT)', r'^sched-fair: .*FAIL'],
                 groups={'weights': [
                     r'^sched-fair: shares \d+\.\d% \d+\.\d% \d+\.\d% '
                     r'\(expected 14\.3 28\.6 57\.1\)$',
                     r'^sched-fair: largest deviation \d+\.\d% of the expected share',
                     r'^sched-fair: weights: ok$']})


LATENCY_CASES = ['first-after-wake', 'first-after-remote-wake', 'wake-delay']
POLICY_CASES = ['limits', 'set', 'lower-after-set', 'inherit', 'restrict', 'manifest-bounds']

SMOKES = [
    fair_on(2),
    fair_on(1),
    Smoke(name='sched-latency-smp2', kernel=KERNEL, module=system('smoke-sched-latency'), smp=2,
          timeout=60, expect=[exited('sched-latency'), HALT],
          forbid=[r'KERNEL (PANIC|FAULT)', r'^sched-latency: .*FAIL'],
          groups={c: [r'^sched-latency: %s: ok$' % c] for c in LATENCY_CASES}),
    Smoke(name='sched-policy', kernel=KERNEL, module=system('smoke-sched-policy'), smp=2,
          expect=[r'^manifest: "sched-policy": 2 binaries, 2 services', HALT],
          forbid=[r'KERNEL (PANIC|FAULT)', r'^sched-(no)?policy: .*FAIL'],
          groups=dict({c: [r'^sched-policy: %s: ok$' % c] for c in POLICY_CASES},
                      **{'no-policy': [r'^sched-nopolicy: lower-only: ok$',
                                       exited('sched-nopolicy')],
                         'exit': [exited('sched-policy')]})),
]
