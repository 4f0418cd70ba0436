"""QEMU smoke of the capability-transfer failure matrix (system/smoke-xfer.capnp).

user/tests/xfer.c runs every case against its peer (user/tests/xfer_peer.c)
and prints "xfer: <case>: ok" only if the case behaved as specified and both
capability tables were exactly as the case left them (every id either side
holds or held probed); each case is one sub-check here.  Any FAIL or
UNEXPECTED line fails the whole smoke.
"""
from smokes import KERNEL, Smoke, exited, system

# Case names, in the order the client runs them (see xfer.c).
CASES = [
    'bad-id-in-middle',
    'duplicate-id',
    'move-in-use',
    'recv-buffer-too-small',
    'receiver-killed-before-recv',
    'receiver-exits-before-recv',
    'server-dies-before-return',
    'server-killed-before-return',
    'caller-killed-with-queued-move',
    'return-to-dead-client',
    'spawn-refused',
    'endpoint-over-itself',
    'too-many-caps',
    'oversized-message',
    'return-too-many-caps',
    'return-refused',
    'return-result-too-large',
    'return-error-status',
    'return-bad-buffer',
    'copy',
    'move',
    'received-ids',
    'return-table-full',
    'receiver-table-full',
]

# The short-lived receivers the client starts, and how each must end.
RECEIVERS = {
    'receiver-killed-before-recv': [r'^system: xfer-idle \(pid \d+\) was killed$'],
    'receiver-exits-before-recv': [exited('xfer-exit')],
    'server-dies-before-return': [exited('xfer-die')],
    'server-killed-before-return': [r'^system: xfer-hang \(pid \d+\) was killed$'],
    'caller-killed-with-queued-move': [r'^system: xfer-orphan \(pid \d+\) was killed$'],
}

SMOKES = [
    Smoke(name='xfer', kernel=KERNEL, module=system('smoke-xfer'), timeout=90,
          expect=[r'^manifest: "xfer": 3 binaries, 2 services',
                  r'^xfer: all %d cases passed$' % len(CASES),
                  exited('xfer'),
                  r'^system: all processes have exited; halting'],
          forbid=[r'KERNEL (PANIC|FAULT)', r'^xfer.*: FAIL', r'UNEXPECTED'],
          groups=dict({case: RECEIVERS.get(case, []) + [r'^xfer: %s: ok$' % case]
                       for case in CASES},
                      # The peer ends when the client does; either may report first.
                      **{'peer-exits': [exited('xfer-peer')]})),
]
