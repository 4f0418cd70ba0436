"""QEMU smokes of the IPC fast path (docs/ipc.md, "The fast path").

The kernel takes the fast path unless its command line says "ipcfast=0".
Every smoke of IPC, capability transfer, hostile processes and threads runs
a second time with "ipcfast=0" (the same name with "-ipcfast0"): the
general path alone must pass the same checks, and the kernel must report
that no call or return took the fast path.

ipcdiff and ipcdiff-ipcfast0 boot system/smoke-ipcdiff.capnp
(user/tests/ipcdiff.c, a seeded random mix of IPC operations) with and
without the fast path; the digests of every completion the program
received, and the kernel's counts of calls that met a waiting receiver,
were queued first and switched directly, must be the same in both boots.
"""
import smokes
import smokes_smp
import smokes_stress
import smokes_xfer
from smokes import KERNEL, Smoke, exited, system

FAST_ON = r'^ipc: fast path on$'
FAST_OFF = r'^ipc: fast path off \(ipcfast=0\)$'
FAST_USED = r'^ipc: fast path: [1-9]\d* calls, [1-9]\d* returns$'
FAST_UNUSED = r'^ipc: fast path: 0 calls, 0 returns$'


def without_fast_path(smoke):
    """The same smoke booted with "ipcfast=0"."""
    append = 'ipcfast=0' if not smoke.append else smoke.append + ' ipcfast=0'
    halts = smoke.exit == 'success'
    groups = dict(smoke.groups)
    if halts:
        groups['no-fast-path'] = [FAST_UNUSED]
    return Smoke(name=smoke.name + '-ipcfast0', kernel=smoke.kernel, module=smoke.module,
                 append=append, smp=smoke.smp, exit=smoke.exit, timeout=smoke.timeout,
                 expect=[FAST_OFF] + [e for e in smoke.expect if e not in (FAST_ON, FAST_USED)],
                 forbid=smoke.forbid + [FAST_ON], groups=groups, keys=smoke.keys)


def by_name(name):
    # smokes.py loads its topic files in name order, so the later ones are
    # looked at in their own modules.
    for group in (smokes.SMOKES, smokes_smp.SMOKES, smokes_stress.SMOKES, smokes_xfer.SMOKES):
        for s in group:
            if s.name == name:
                return s
    raise KeyError(name)


SUITES = ['ipc-fast-path', 'ipc-slow-path', 'ipc-slow-path-smp4', 'xfer', 'xfer-smp4', 'hostile',
          'threads-smp1', 'threads-smp4', 'threads-hostile-smp4', 'threads-regress-smp4']

DIFF_EXPECT = [r'^ipcdiff: phase A: \d+ completions', r'^ipcdiff: phase B client: ',
               r'^ipcdiff: phase C client: ', r'^ipcdiff: done$', exited('ipcdiff', 0)]
DIFF_COMPARE = r'^ipcdiff: |^ipc: \d+ calls met a waiting receiver'
DIFF_FORBID = [r'KERNEL (PANIC|FAULT)', r'FAIL']

SMOKES = [
    Smoke(name='ipcdiff', kernel=KERNEL, module=system('smoke-ipcdiff'), timeout=120,
          expect=[FAST_ON] + DIFF_EXPECT + [FAST_USED], forbid=DIFF_FORBID),
    Smoke(name='ipcdiff-ipcfast0', kernel=KERNEL, module=system('smoke-ipcdiff'), timeout=120,
          append='ipcfast=0', expect=[FAST_OFF] + DIFF_EXPECT + [FAST_UNUSED],
          forbid=DIFF_FORBID, same_as='ipcdiff', compare=DIFF_COMPARE),
] + [without_fast_path(by_name(n)) for n in SUITES]
