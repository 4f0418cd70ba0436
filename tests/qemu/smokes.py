"""QEMU smoke tests: what to boot and what the serial log must show.

Each Smoke boots one image and passes if every `expect` pattern matches the
serial log in order, no `forbid` pattern matches anywhere, and the machine
ends with the expected exit ('success' = the kernel's orderly exit,
'failure' = a panic or fault report) within the timeout.  With exit
'running' the smoke passes as soon as the expected lines have appeared while
the machine still runs (a deliberately endless process keeps it alive); the
runner then stops QEMU.  With `icount` the guest runs under QEMU's
`-icount shift=0`, where one TSC cycle is one guest instruction.  `groups`
are named sub-checks on the same log, each reported as its own result
(smoke/<name>/<group>).  `keys` types on the
serial console: each (pattern, bytes) sends its bytes once a line matches the
pattern, in order.  Patterns are Python regular expressions matched line by
line.  A smoke with `same_as` is also compared with that other smoke's log:
the lines matching `compare` must be the same in both, in the same order
(smoke/<name>/same-as-<other>).
"""
import os
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

B = os.environ.get('CAPOS_BUILD', 'build')
KERNEL = B + '/kernel/capos32.elf'
KERNEL_TEST = B + '/kernel-test/capos32.elf'
ISO = B + '/capos.iso'
# Boots that need no module of their own run the demos (system/demos.capnp):
# the default system is an interactive shell (SHELL_SESSION below).
MODULE = B + '/system/demos.bin'


def system(name):
    return B + '/system/%s.bin' % name


@dataclass
class Smoke:
    name: str
    expect: List[str]
    kernel: Optional[str] = None
    module: Optional[str] = MODULE
    append: Optional[str] = None
    iso: Optional[str] = None
    uefi: bool = False
    smp: int = 1
    icount: bool = False
    exit: str = 'success'
    timeout: float = 30.0
    forbid: List[str] = field(default_factory=lambda: [r'KERNEL (PANIC|FAULT)'])
    groups: Dict[str, List[str]] = field(default_factory=dict)
    keys: List[Tuple[str, bytes]] = field(default_factory=list)
    same_as: Optional[str] = None
    compare: Optional[str] = None


BOOT_REPORT = [
    r'^capOS \S+ \(x86_64\) booting',
    r'^cpu: .*nx=1 smep=1 smap=1',
    r'^memory map \(\d+ regions',
    r'\] usable ',
    r'^memory: \d+ MiB usable, \d+ frames free',
    r'^paging: kernel address space live',
    r'^heap: self-test passed',
    r'^timer: 250 Hz tick; 2 ticks in \d+ us',
    r'^module: "[^"]*" at phys 0x[0-9a-f]+-0x[0-9a-f]+, \d+ bytes',
    r'^capOS: boot self-report complete',
    r'^manifest: "capOS demos": 8 binaries, 8 services',
    r'^system: started init \(binary init, pid 1\)',
    r'^init: 8 services to start',
    r'^init: no service left to run',
    r'^system: init \(pid 1\) exited with status 0',
    r'^system: all processes have exited; halting',
]

# The default system (`make run`): dash on the terminal, typed at as a
# person would once the message of the day is out (its `cat` has exited):
# a pipeline, a command substitution, then `exit`, which ends the session
# and halts the machine with success.
SHELL_SESSION = [
    r'^manifest: "capOS default system": 4 binaries, 3 services',
    r'^init: started sh \(pid \d+\)',
    r'^Welcome to capOS\.',
    r'^system: cat \(pid \d+\) exited with status 0',
    r'^capos:/home/user\$ ',
    r'^shell says 42 and /bin holds 7\d entries$',
    r'^init: sh ended \(status 0\)',
    r'^init: sh ended the session; stopping 2 services',
    r'^system: init \(pid 1\) exited with status 0',
    r'^system: all processes have exited; halting',
]
SHELL_KEYS = [(r'^system: cat \(pid \d+\) exited with status 0',
               b'echo "shell says $((6 * 7)) and /bin holds $(ls /bin | wc -l) entries"\n'),
              (r'^shell says 42', b'exit\n')]

# What the default system's services print (checked as sub-checks of boots).
DEFAULT_GROUPS = {
    'hello': [r'^Hello from capOS userspace!', r'^init: hello ended \(status 0\)'],
    'echo-badges': [r'^alice: echo replied "alice says hello #0" to badge 1',
                    r'^alice: echo replied "alice says hello #2" to badge 1'],
    'echo-badge-2': [r'^bob: echo replied "bob says hello #0" to badge 2',
                     r'^bob: echo replied "bob says hello #2" to badge 2'],
    'echo-server': [r'^echo: served 6 calls', r'^init: echo ended \(status 0\)'],
    'root-tree': [r'^filesrv: root tree: 5 directories, 10 files, \d+ bytes, 72 links$',
                  r'^roottree: /bin/hello file 0755 \d+$', r'^roottree: /bin/lua file 0755 \d+$',
                  r'^roottree: /etc/motd file 0644 \d+$',
                  r'^roottree: /tmp dir 1777 0$', r'^roottree: /etc/motd: Welcome to capOS\.',
                  r'^roottree: /tmp/note written and read back$',
                  r'^init: roottree ended \(status 0\)'],
    # The service ends through roottree's stop call, before or after it.
    'root-tree-stop': [r'^init: filesrv ended \(status 0\)'],
    'transfer': [r'^printer-client: print before attach: notFound',
                 r'^printer-client: attach with a copy of my console: ok',
                 r'^printer: printed through the console the client handed over',
                 r'^printer-client: print after attach: ok'],
}

FAULT_HEAD = [r'^ktest: running']
FAULT_TAIL = [r'^    backtrace:', r'^      #0 0x[0-9a-f]+ <', r'<kmain\+0x[0-9a-f]+>',
              r'^\*\*\* system halted \(failure\)']


def fault(name, test, head, tail=FAULT_TAIL):
    return Smoke(name=name, kernel=KERNEL_TEST, append='ktest=' + test,
                 expect=FAULT_HEAD + head + tail, exit='failure', forbid=[])


# The kernel's last line when init reported failed services.
INIT_FAILED = r'^system: init did not exit with status 0 \(see above\); halting with failure$'


def exited(name, status=0):
    return r'^system: %s \(pid \d+\) exited with status %d$' % (name, status)


SMOKES = [
    Smoke(name='boot-kernel', kernel=KERNEL, groups=DEFAULT_GROUPS,
          expect=BOOT_REPORT[:1] + [r'^boot: multiboot1 from "qemu"'] + BOOT_REPORT[1:]),
    Smoke(name='boot-iso-bios', iso=ISO, keys=SHELL_KEYS,
          expect=BOOT_REPORT[:1] + [r'^boot: multiboot2 from "GRUB'] + BOOT_REPORT[1:-6] +
          SHELL_SESSION),
    Smoke(name='shell-session', kernel=KERNEL, module=system('default'), keys=SHELL_KEYS,
          expect=SHELL_SESSION),
    # GRUB under UEFI writes to the serial console too: a good boot shows no
    # warning, no error and no menu (whose drawing clears the screen).
    Smoke(name='boot-iso-uefi', iso=ISO, uefi=True, timeout=90, keys=SHELL_KEYS,
          expect=BOOT_REPORT[:1] + [r'^boot: multiboot2 from "GRUB'] + BOOT_REPORT[1:-6] +
          SHELL_SESSION,
          forbid=[r'KERNEL (PANIC|FAULT)', r'WARNING', r'error:', r'video mode',
                  r"Booting `capOS'"]),
    Smoke(name='ktest-cow', kernel=KERNEL_TEST, append='ktest=cow',
          expect=[r'^ktest: running "cow"', r'^ktest: cow: ok$'], forbid=[r'FAIL']),
    fault('fault-page-fault', 'pf', [
        r'^\*\*\* KERNEL FAULT: #PF page fault \(vector 14\) on cpu 0',
        r'error code: 0x2 \[not present, write, kernel\]',
        r'faulting address \(cr2\): 0xffff9000deadb000',
        r'^    rip: 0xffffffff[0-9a-f]+ <ktest_run\+0x[0-9a-f]+>',
        r'^    rax ffff9000deadb000 ',
    ]),
    fault('fault-invalid-opcode', 'ud', [
        r'^\*\*\* KERNEL FAULT: #UD invalid opcode \(vector 6\)',
        r'^    rip: 0xffffffff[0-9a-f]+ <arch_ktest_run\+',
    ]),
    fault('fault-general-protection', 'gp', [
        r'^\*\*\* KERNEL FAULT: #GP general protection \(vector 13\)',
        r'^    rax 8000000000000000 ',
    ]),
    fault('fault-stack-overflow', 'stack', [
        r'^\*\*\* KERNEL FAULT: #DF double fault \(vector 8\)',
        r'^    rip: 0xffffffff[0-9a-f]+ <ktest_recurse',
    ]),
    fault('fault-panic', 'panic', [
        r'^\*\*\* KERNEL PANIC: ktest: deliberate panic with value 42',
    ], [r'^    backtrace:', r'^      #0 0x[0-9a-f]+ <ktest_run\+', r'^      #1 0x[0-9a-f]+ <kmain\+',
        r'^\*\*\* system halted \(failure\)']),
    Smoke(name='demos', kernel=KERNEL, module=system('smoke-demos'), expect=[
        r'^manifest: "demos": 6 binaries, 5 services',
        r'^system: all processes have exited; halting',
    ], groups={
        'hello': [r'^Hello from capOS userspace!', r'^hello: argc=2 argv\[0\]=hello',
                  exited('hello')],
        'timer': [r'^timer: slept 20 ms', r'^timer: slept 40 ms', r'^timer: slept 60 ms',
                  r'^timer: ok', exited('timer')],
        'entropy': [r'^entropy: [0-9a-f]{32} \.\.\. \(\d+ of 256 bits set\)', r'^entropy: ok',
                    exited('entropy')],
        'vm': [r'^vm: mapped 2 MiB at 0x[0-9a-f]+; quota 16384 KiB',
               r'^vm: limited facet: 1 MiB budget enforced and refunded', r'^vm: ok',
               exited('vm')],
        'batch': [r'^batch: 48 operations in one cap_enter, all 48 completions matched',
                  exited('batch')],
    }),
    # IPC where a call meets a waiting receiver and the kernel switches
    # straight to it (ipc-fast-path: in the default system the synchronous
    # fast path of docs/ipc.md carries calls and returns too), and where the
    # call waits in the endpoint's queue (ipc-slow-path), must both be
    # exercised.  smokes_ipcfast.py boots both again without the fast path.
    Smoke(name='ipc-fast-path', kernel=KERNEL, expect=[
        r'^ipc: fast path on$',
        r'^ipc: [1-9]\d* calls met a waiting receiver, \d+ were queued first; [1-9]\d* direct',
        r'^ipc: fast path: [1-9]\d* calls, [1-9]\d* returns$',
    ]),
    Smoke(name='ipc-slow-path', kernel=KERNEL, module=system('smoke-ipc'), expect=[
        r'^echo: serving',
        r'^echo: served 9 calls',
        r'^ipc: \d+ calls met a waiting receiver, [1-9]\d* were queued first',
        r'^system: all processes have exited; halting',
    ], groups={
        c: [r'^%s: echo replied "%s says hello #%d" to badge %d' % (c, c, i, b) for i in range(3)]
        for c, b in (('one', 11), ('two', 22), ('three', 33))
    }),
    # crasher and faulter end their last runs failed: init names them and
    # the run fails.
    Smoke(name='supervisor', kernel=KERNEL, module=system('smoke-supervisor'), exit='failure',
          expect=[
        r'^init: 4 services to start',
        r'^init: no service left to run',
        r'^init: 2 services failed: crasher, faulter$',
        r'^system: init \(pid 1\) exited with status 1$',
        r'^system: all processes have exited; halting',
        INIT_FAILED,
    ], groups={
        'restart-limit': [r'^init: crasher ended \(status 3\)',
                          r'^init: restarting crasher in 10 ms \(restart 1 of 3\)',
                          r'^init: restarting crasher in 20 ms \(restart 2 of 3\)',
                          r'^init: restarting crasher in 40 ms \(restart 3 of 3\)',
                          r'^init: crasher reached its restart limit \(3\); not restarting'],
        'fault-restart': [r'^init: faulter ended \(fault: #PF page fault at 0\)',
                          r'^init: restarting faulter in 5 ms \(restart 1 of 1\)',
                          r'^init: faulter reached its restart limit \(1\)'],
        'no-restart-on-success': [r'^init: steady ended \(status 0\)'],
        'always': [r'^init: twice ended \(status 0\)', r'^init: restarting twice in 5 ms',
                   r'^init: twice reached its restart limit \(1\)'],
    }, forbid=[r'KERNEL (PANIC|FAULT)', r'restarting steady', r'crasher in 80 ms']),
    # A capability the manifest does not grant: the runtime says which and
    # what was granted, init names the failed services, the run fails.
    Smoke(name='missing-cap', kernel=KERNEL, module=system('smoke-missing-cap'), exit='failure',
          expect=[r'^manifest: "missing-cap"', r'^init: no service left to run',
                  r'^init: 2 services failed: missing, wrongkind$', INIT_FAILED],
          groups={
              'not-granted': [r'^missing: no capability "timer" \(Timer\): its manifest entry '
                              r'does not grant it; granted: console thread$',
                              r'^init: missing ended \(status 125: a capability it requires is '
                              r'not granted\)$'],
              'wrong-kind': [r'^wrongkind: capability "timer" has interface EntropySource, but '
                             r'this program needs Timer; grant one under that name',
                             exited('wrongkind', 125)],
              'granted': [r'^needcap: the timer says \d+ ns$', exited('granted')],
          }),
    # A service and its client both from the generated RPC layer
    # (docs/writing-a-service.md), and the details of refused calls.
    Smoke(name='tally', kernel=KERNEL, module=system('smoke-tally'), expect=[
        r'^manifest: "tally": 3 binaries, 2 services',
        r'^system: all processes have exited; halting',
    ], groups={
        'calls': [r'^tally-client: add apples 3: total 3$', r'^tally-client: add apples 4: total 7$',
                  r'^tally-client: add pears 1: total 1$', r'^tally-client: get apples: total 7$',
                  r'^tally-client: get plums: notFound$'],
        'refused': [r'^tally-client: add \(no name\) 1: invalidArgument: params\.name$',
                    r'^tally-client: add pears 0: invalidArgument: params\.amount$',
                    r'^tally-client: add a name of twenty bytes 1: invalidArgument: '
                    r'params\.name$'],
        'server-detail': [r'^tally: refused a call: params\.name$',
                          r'^tally: refused a call: params\.amount$',
                          r'^tally: refused a call: params\.name$',
                          r'^tally: served 8 calls, refused 3$', exited('tally')],
        'kernel-detail': [r'^tally-client: EntropySource\.fill\(len 0\): invalidArgument: '
                          r'params\.len$',
                          r'^tally-client: opcode 9: invalidOpcode: submission\.unknownOpcode$',
                          r'^tally-client: a flag bit: invalidOpcode: submission\.flags$',
                          r'^tally-client: NOP with a reserved field: invalidOpcode: '
                          r'submission\.unusedField$',
                          r'^tally-client: CALL of 64 KiB \+ 8: invalidArgument: '
                          r'submission\.tooLong$',
                          r'^tally-client: CALL with 17 capabilities: tooManyCaps: '
                          r'submission\.tooManyCaps$', exited('tally-client')],
    }),
    Smoke(name='files', kernel=KERNEL, module=system('smoke-files'), expect=[
        r'^manifest: "files": 5 binaries, 3 services',
        r'^system: all processes have exited; halting',
    ], forbid=[r'KERNEL (PANIC|FAULT)', r'^files: .*: FAIL'], groups={
        'cases': [r'^files: files: ok$', r'^files: listed 150 entries in 3 pages$',
                  r'^files: list: ok$', r'^files: mkdir-remove-rename: ok$', r'^files: sub: ok$',
                  r'^files: read-only: ok$',
                  r'^files: quota refused at 8256 bytes and 2 entries, tree intact$',
                  r'^files: quota: ok$',
                  r'^files: move between directories, refusals left the tree intact$',
                  r'^files: move: ok$', r'^files: rename to x/y: invalidArgument: params\.to$',
                  r'^files: names: ok$', r'^files: store: ok$', r'^files: namespace: ok$',
                  r'^files: quitter: ok$', r'^files: two-writers: ok$',
                  r'^files: 12 cases, 0 failed$',
                  exited('files')],
        'quitter': [r'^files-quitter: leaving with 4 writes in flight$', exited('files-quitter')],
        'service': [r'^filesrv: serving, 4194304 bytes and 1024 entries$',
                    r'^filesrv: served \d+ calls, refused 17; \d+ entries and \d+ bytes held$',
                    exited('filesrv')],
    }),
    Smoke(name='files-restart', kernel=KERNEL, module=system('smoke-files-restart'), expect=[
        r'^manifest: "files-restart": 3 binaries, 2 services',
        r'^system: all processes have exited; halting',
    ], forbid=[r'KERNEL (PANIC|FAULT)', r'^files-restart: .*: FAIL'], groups={
        'cases': [r'^files-restart: before: ok$', r'^files-restart: the crashing call: peerGone$',
                  r'^files-restart: File\.stat of the old run: notFound$',
                  r'^files-restart: crash: ok$',
                  r'^files-restart: File\.stat of the old run, after: notFound$',
                  r'^files-restart: after: ok$', r'^files-restart: 3 cases, 0 failed$',
                  exited('files-restart')],
        'service': [r'^filesrv: crashing, as the crash badge asks$',
                    r'^init: restarting filesrv in 10 ms \(restart 1 of 1\)$',
                    r'^filesrv: served \d+ calls, refused 0; \d+ entries and \d+ bytes held$',
                    exited('filesrv')],
    }),
    Smoke(name='hostile', kernel=KERNEL, module=system('smoke-hostile'), exit='running',
          timeout=60, expect=[r'^manifest: "hostile"'], groups={
              'garbage': [r'^hostile garbage: \d+ bad requests all rejected with defined '
                          r'errors; 0 unexpected', exited('garbage')],
              'quota': [r'^hostile quota: mapped \d+ MiB, then quotaExceeded', exited('quota')],
              'corrupt-sq': [r'^system: ring-sq \(pid \d+\) was stopped: ring: submission '
                             r'queue tail is corrupt'],
              'corrupt-cq': [r'^system: ring-cq \(pid \d+\) was stopped: ring: completion '
                             r'queue head is corrupt'],
              'kernel-access': [r'^system: fault \(pid \d+\) was stopped: #PF page fault at '
                                r'0xffff800000001000'],
              'spin': [r'^hostile spin: starting'],
              'image': [r'^hostile image: 18 cases; 0 unexpected', exited('image')],
              'exec': [r'^hostile exec: 10 cases; 0 unexpected', exited('exec', 42)],
              'innocent': [r'^innocent: finished 20 rounds, checksum 399998000000',
                           exited('innocent')],
          }),
]


# Further smokes live in tests/qemu/smokes_<topic>.py, each defining SMOKES.
def _more():
    import glob
    import importlib
    here = os.path.dirname(os.path.abspath(__file__))
    for path in sorted(glob.glob(os.path.join(here, 'smokes_*.py'))):
        mod = importlib.import_module(os.path.splitext(os.path.basename(path))[0])
        SMOKES.extend(mod.SMOKES)


_more()
