"""QEMU smokes of multiprocessor boots and of threads.

The default system boots on 2, 4 and 8 CPUs (every CPU the firmware lists
comes online), the IPC and transfer smokes run again on 4 CPUs, and the
thread/ParkSpace smoke (user/tests/threads.c, system/smoke-threads.capnp)
runs on 1 and 4 CPUs, each case a sub-check.  The thread smoke's program
ends with status 42 on purpose (its last thread's exit code), so init
reports it as a failed service and the machine ends with failure.
"""
from smokes import BOOT_REPORT, DEFAULT_GROUPS, INIT_FAILED, KERNEL, Smoke, exited, system
import smokes_xfer

THREAD_CASES = ['join-codes', 'mutex-counter', 'park-wrong-value', 'park-timeout',
                'park-wake', 'park-no-lost', 'affinity', 'control-foreign']


def boot_on(n):
    cpus = r'^smp: %d CPU%s online \(ACPI lists %d\)' % (n, '' if n == 1 else 's', n)
    return Smoke(name='boot-smp%d' % n, kernel=KERNEL, smp=n, timeout=60,
                 groups=DEFAULT_GROUPS,
                 expect=BOOT_REPORT[:1] + [r'^acpi: MADT lists %d CPU' % n, cpus] +
                 BOOT_REPORT[-6:])


def threads_on(n):
    return Smoke(name='threads-smp%d' % n, kernel=KERNEL, module=system('smoke-threads'), smp=n,
                 timeout=60,
                 expect=[r'^threads: main thread exits first',
                         r'^threads: last-exit: helper ends the process',
                         exited('threads', 42),
                         r'^init: 1 service failed: threads$',
                         r'^system: all processes have exited; halting',
                         INIT_FAILED],
                 exit='failure',
                 forbid=[r'KERNEL (PANIC|FAULT)', r'^threads: .*FAIL'],
                 groups={c: [r'^threads: %s: ok$' % c] for c in THREAD_CASES})


def again_on(smoke, n):
    return Smoke(name='%s-smp%d' % (smoke.name, n), kernel=smoke.kernel, module=smoke.module,
                 smp=n, timeout=smoke.timeout, expect=smoke.expect, forbid=smoke.forbid,
                 groups=smoke.groups)


SMOKES = [boot_on(2), boot_on(4), boot_on(8), threads_on(1), threads_on(4),
          Smoke(name='ipc-slow-path-smp4', kernel=KERNEL, module=system('smoke-ipc'), smp=4,
                expect=[r'^smp: 4 CPUs online', r'^echo: served 9 calls',
                        r'^system: all processes have exited; halting']),
          again_on(smokes_xfer.SMOKES[0], 4)]
