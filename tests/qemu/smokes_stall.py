"""QEMU smokes of the stall detector and the debug key (kernel/stall.c).

stall (1 and 4 CPUs) boots system/smoke-stall.capnp: once its echo client
has exited, the echo server waits for calls and "parker" for a ParkSpace
word, with no timer pending.  The kernel must say so within seconds, list
who waits on what, and halt with a failure status.

debug-key boots system/smoke-debug-key.capnp, where a ten-minute sleep
keeps the system from being a stall: it must keep running, and Ctrl-T on
the serial console must print the same kind of list, then the kernel's
memory.
"""
from smokes import KERNEL, Smoke, system

STALL_REPORT = [
    r'^system: stalled: every thread is blocked, no timer is pending, and nothing else can wake '
    r'one$',
    r'^system: who waits on what:$',
    r'^  init \(pid 1\) thread 1: blocked in cap_enter until 1 completion arrives$',
    r'^      ProcessHandle\.wait for echo \(pid 2\)$',
    r'^  echo \(pid 2\) thread 2: blocked in cap_enter until 1 completion arrives$',
    r'^      RECV on endpoint #1$',
    r'^  parker \(pid 4\) thread 4: blocked in cap_enter until 1 completion arrives$',
    r'^      ParkSpace\.wait on the word at 0x[0-9a-f]+$',
    r'^system: halting with failure$',
]


def stall_on(n):
    return Smoke(name='stall-smp%d' % n, kernel=KERNEL, module=system('smoke-stall'), smp=n,
                 exit='failure', timeout=30,
                 expect=[r'^client: echo replied "client says hello #2"',
                         r'^system: client \(pid 3\) exited with status 0$'] + STALL_REPORT)


SMOKES = [
    stall_on(1),
    stall_on(4),
    Smoke(name='debug-key', kernel=KERNEL, module=system('smoke-debug-key'), smp=4,
          exit='running', timeout=60,
          # Ctrl-T once all three services have said they are about to
          # wait (each key is typed on a later poll than the one before,
          # so the last of them has had a fifth of a second to block).
          keys=[(r'^echo: serving', b''), (r'^parker: waiting', b''),
                (r'^sleeper: sleeping 600 s', b'\x14')],
          expect=[r'^console: Ctrl-T on the serial console prints who waits on what$',
                  r'^debug: who waits on what \(Ctrl-T\):$',
                  # The kernel's memory ends the report (make soak samples it).
                  r'^memory: \d+ frames free \+ \d+ charged = \d+ \(\d+ when init started\); '
                  r'kernel heap \d+ blocks in \d+ frames$',
                  r'^memory: \d+ frames charged to processes, \d+ to the kernel',
                  r'^debug: end of report$'],
          forbid=[r'KERNEL (PANIC|FAULT)', r'^system: stalled'],
          groups={
              'init': [r'^debug: who waits', r'^  init \(pid 1\) thread 1: blocked in cap_enter',
                       r'^      ProcessHandle\.wait for sleeper \(pid 4\)$'],
              'echo': [r'^debug: who waits', r'^  echo \(pid 2\) thread 2: blocked in cap_enter',
                       r'^      RECV on endpoint #1$'],
              'parker': [r'^debug: who waits', r'^  parker \(pid 3\) thread 3: blocked',
                         r'^      ParkSpace\.wait on the word at 0x[0-9a-f]+$'],
              'sleeper': [r'^debug: who waits', r'^  sleeper \(pid 4\) thread 4: blocked',
                          r'^      Timer\.sleep, due in \d+ ms$'],
          }),
]
