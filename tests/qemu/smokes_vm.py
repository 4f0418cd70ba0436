"""QEMU smokes of VirtualMemory under attack (docs/virtual-memory.md).

vm-hostile boots system/smoke-vm-hostile.capnp on 1 CPU and again on 4:
user/tests/vm_hostile.c asks for 1 TiB, the whole kernel-chosen area and
overflowing lengths (each must fail at once), fills a mapping while a
thread on the same CPU pokes at it (the filling must be preemptible, and
the range busy meanwhile), nests facets past the limit, races map, unmap
and protect from several threads, and kills processes, its own children
and one whose memory it is mapping, in the middle of all that; and starts
programs whose stack note declares their stack's size, a good one (all of
it is there, nothing below it) and a bad one (refused).  Each case is a
sub-check.
"""
from smokes import KERNEL, Smoke, exited, system

CASES = ['huge', 'preempt', 'busy', 'image', 'nesting', 'race', 'exit-race', 'foreign-kill',
         'stack-note']


def vm_hostile(name, smp):
    return Smoke(name=name, kernel=KERNEL, module=system('smoke-vm-hostile'), smp=smp,
                 timeout=60,
                 expect=[r'^vm-hostile: huge: 1 TiB through a 64 KiB facet refused in \d+ us',
                         r'^vm-hostile: %d cases, 0 failed' % len(CASES),
                         exited('vm-hostile', 0),
                         r'^system: all processes have exited; halting'],
                 forbid=[r'KERNEL (PANIC|FAULT)', r'FAIL'],
                 groups={c: [r'^vm-hostile: %s: ok$' % c] for c in CASES})


SMOKES = [vm_hostile('vm-hostile', 1), vm_hostile('vm-hostile-smp4', 4)]
