"""QEMU smoke of kernel memory accounting (system/smoke-ledger.capnp).

user/tests/ledger_driver.c starts user/tests/ledger_flood.c with a 16 MiB
quota.  The flood makes the kernel hold memory every way it can (client
facets, VirtualMemory facets, thread handles, endpoints, children through a
restricted launcher, 64 KiB calls queued from 62 threads, threads); each
flood must end with quotaExceeded within the quota, and the quota's use must
come back once its objects are released.  While the flood holds its whole
quota an innocent process maps 4 MiB of its own; after the flood exits, the
driver's quota use (which includes everything the flood and its children
were charged) must be back where it was.  One CPU, so that the kernel's
memory report at halt is exact: every frame is free or charged to a ledger,
and the sum is what it was when init started.

The kernel heap keeps detecting frees of blocks that are not live: a double
free and a pointer into the middle of a block must panic (test kernel).
"""
from smokes import KERNEL, Smoke, exited, fault, system

FLOODS = ['facets', 'vm-limits', 'handles', 'endpoints', 'children', 'messages']

SMOKES = [
    Smoke(name='ledger', kernel=KERNEL, module=system('smoke-ledger'), timeout=120,
          expect=[r'^ledger-flood: quota 16384 KiB',
                  r'^ledger-driver: the flood holds \d+ bytes of its quota',
                  r'^ledger-innocent: mapped and used 4 MiB of its own quota',
                  r'^ledger-flood: 7 floods, 0 failed',
                  r'^ledger-driver: the flood exited with status 0',
                  r'^ledger-driver: quota use back to \d+ KiB \(\d+ KiB before the flood\): ok',
                  r'^ledger-driver: 0 failures',
                  exited('ledger-driver'),
                  r'^memory: \d+ frames free \+ \d+ charged = (\d+) \(\1 when init started\)',
                  r'^system: all processes have exited; halting'],
          forbid=[r'KERNEL (PANIC|FAULT)', r'FAIL'],
          groups=dict({f: [r'^ledger-flood: %s: \d+ .* then quotaExceeded' % f,
                           r'^ledger-flood: %s: back to \d+ KiB: ok$' % f] for f in FLOODS},
                      threads=[r'^ledger-flood: threads: \d+ threads in \d+ frames of room, '
                               r'then quotaExceeded',
                               r'^ledger-flood: threads: left \d+ blocked for the exit: ok'])),
    fault('heap-double-free', 'double-free', [
        r'^\*\*\* KERNEL PANIC: kheap: kfree of 0x[0-9a-f]+ which is not a live heap block',
    ]),
    fault('heap-wild-free', 'wild-free', [
        r'^\*\*\* KERNEL PANIC: kheap: kfree of 0x[0-9a-f]+ which is not a live heap block',
    ]),
]
