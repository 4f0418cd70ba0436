#!/usr/bin/env python3
"""Where the instructions of a capOS benchmark operation go.

Boots a profiling system (bench/capos/bench.capnp: profileThread,
profileIpc, profileIpc64, profileNull, profileNop1, profileNop32, profileSpawn;
bench-smp2.capnp:
profileXcpu, profileSame2; bench-posix.capnp: profilePipe,
profileFsOpen, profileFsList;
`make bench-profile-images`
builds them) under the same QEMU icount settings as `make bench`, with
QEMU's gdb stub.  The benchmark first takes its usual measurements, so the
kernel is in the state the figure was taken in, then sleeps 1 us (the cue:
a breakpoint on the kernel's timerq_arm that stops in the benchmark's
address space) and runs the operation a few times between two calls of a
marker function (bench_profile_mark in user/bench/bench.c, or in
bench/posix/posix_bench.c for the POSIX profiles).  At
the first call this script switches QEMU to one instruction per
translation block and turns on its `exec` log through monitor commands sent
over the stub; at the second it turns them off.  Every logged line is then
one executed instruction with its vCPU and address, which are attributed to
kernel and user functions (nm) and cut into segments at every change of
vCPU or privilege mode.

    python3 bench/capos/profile.py thread            # capOS create + join
    python3 bench/capos/profile.py ipc               # same-CPU IPC round trip
    python3 bench/capos/profile.py ipc64             # the same with 64 bytes each way
    python3 bench/capos/profile.py null              # cap_enter with nothing to do
    python3 bench/capos/profile.py nop1              # one NOP through the ring
    python3 bench/capos/profile.py nop32             # 32 NOPs per cap_enter
    python3 bench/capos/profile.py spawn             # spawn + wait, child without runtime
    python3 bench/capos/profile.py xcpu              # round trip across 2 vCPUs
    python3 bench/capos/profile.py ipc-smp2          # both on CPU 0 of 2 vCPUs
    python3 bench/capos/profile.py posix-pipe        # POSIX pipe ping-pong, 2 threads
    python3 bench/capos/profile.py fs-open           # Directory.open + release
    python3 bench/capos/profile.py fs-list           # 1000 entries in 8 Directory.list

Output: instructions per iteration (kernel / user, per vCPU), the functions
that execute them (self counts, per iteration) and the sequence of segments
of the first iteration.  The counts agree with the benchmark's figure
exactly on one vCPU and to a few instructions per iteration where vCPUs
switch (a block entered and left at once for a pending interrupt is logged
twice; so is an instruction that faults).
"""
import argparse
import bisect
import collections
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'tools'))

import qemu  # noqa: E402

BUILD = os.environ.get('CAPOS_BUILD', 'build')
KERNEL_BASE = 0xffff800000000000

# What each profile boots: module, vCPUs, the user programs whose code may
# run in the window (ELFs with symbols, under the build directory; the
# first holds the marker), and the iterations the benchmark runs between
# markers.
BENCH = 'user/dbg/bench'
IPCSRV = 'user/dbg/ipcsrv'
POSIX_BENCH = 'bench/posix/capos/posix_bench.dbg'
FSCALLS = 'user/dbg/fscalls'
FILESRV = 'user/dbg/filesrv'
PROFILES = {
    'thread': ('capos-profile-Thread.bin', 1, [BENCH], 4),
    'ipc': ('capos-profile-Ipc.bin', 1, [BENCH, IPCSRV], 4),
    'ipc64': ('capos-profile-Ipc64.bin', 1, [BENCH, IPCSRV], 4),
    'null': ('capos-profile-Null.bin', 1, [BENCH], 4),
    'nop1': ('capos-profile-Nop1.bin', 1, [BENCH], 4),
    'nop32': ('capos-profile-Nop32.bin', 1, [BENCH], 4),
    'spawn': ('capos-profile-Spawn.bin', 1, [BENCH, 'user/dbg/spawnee_bare'], 4),
    'xcpu': ('capos-profile-Xcpu.bin', 2, [BENCH, IPCSRV], 4),
    'ipc-smp2': ('capos-profile-Same2.bin', 2, [BENCH, IPCSRV], 4),
    'posix-pipe': ('capos-profile-PosixPipe.bin', 1, [POSIX_BENCH], 4),
    'fs-open': ('capos-profile-FsOpen.bin', 1, [FSCALLS, FILESRV], 4),
    'fs-list': ('capos-profile-FsList.bin', 1, [FSCALLS, FILESRV], 4),
}


class Stub:
    """The least of the gdb remote protocol: packets, breakpoints, monitor."""

    def __init__(self, port):
        for _ in range(100):
            try:
                self.s = socket.create_connection(('127.0.0.1', port))
                break
            except OSError:
                time.sleep(0.1)
        else:
            sys.exit('profile: no gdb stub on port %d' % port)
        self.buf = b''

    def _read(self):
        while True:
            i = self.buf.find(b'$')
            if i >= 0:
                j = self.buf.find(b'#', i)
                if j >= 0 and len(self.buf) >= j + 3:
                    data = self.buf[i + 1:j]
                    self.buf = self.buf[j + 3:]
                    self.s.sendall(b'+')
                    return data.decode()
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError('gdb stub closed')
            self.buf += chunk

    def send(self, data):
        pkt = '$%s#%02x' % (data, sum(data.encode()) & 0xff)
        self.s.sendall(pkt.encode())

    def cmd(self, data):
        self.send(data)
        while True:
            r = self._read()
            if not r.startswith('O') or r == 'OK':
                return r

    def monitor(self, text):
        return self.cmd('qRcmd,' + text.encode().hex())

    def wait_stop(self):
        return self._read()

    def read_mem(self, addr, n):
        r = self.cmd('m%x,%x' % (addr, n))
        return bytes.fromhex(r) if not r.startswith('E') else b''


def symbols(elf):
    """Sorted (address, name) of the functions in elf."""
    out = subprocess.run(['nm', '-n', '--defined-only', elf], capture_output=True,
                         text=True).stdout
    syms = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in 'tTwW':
            syms.append((int(parts[0], 16), parts[2]))
    return syms


def insn_starts(elf):
    """Addresses where an instruction of elf's code starts."""
    out = subprocess.run(['objdump', '-d', '--no-show-raw-insn', elf], capture_output=True,
                         text=True).stdout
    starts = set()
    for line in out.splitlines():
        m = re.match(r'^\s+([0-9a-f]+):', line)
        if m:
            starts.add(int(m.group(1), 16))
    return starts


class Symtab:
    def __init__(self, elf, tag):
        self.tag = tag
        self.syms = symbols(elf)
        self.addrs = [a for a, _ in self.syms]

    def name(self, pc):
        i = bisect.bisect_right(self.addrs, pc) - 1
        return self.syms[i][1] if i >= 0 else '?'


def elf_bytes(elf, addr, n):
    """n bytes of elf's loaded image at virtual address addr (ELF64)."""
    with open(elf, 'rb') as f:
        data = f.read()
    phoff, = struct.unpack_from('<Q', data, 0x20)
    phentsize, phnum = struct.unpack_from('<HH', data, 0x36)
    for i in range(phnum):
        ptype, _, off, vaddr, _, filesz, _, _ = struct.unpack_from('<IIQQQQQQ', data,
                                                                  phoff + i * phentsize)
        if ptype == 1 and vaddr <= addr and addr + n <= vaddr + filesz:
            return data[off + addr - vaddr:off + addr - vaddr + n]
    return b''


def run_profile(args, mod, smp, prog, log):
    bench_elf = os.path.join(BUILD, prog)
    tab = dict((n, a) for a, n in symbols(bench_elf))
    mark = tab['bench_profile_mark']
    # The marker code as the bench ELF has it: every program is linked at
    # the same address, so a stop at the marker's address is checked to be
    # in the benchmark's address space.
    probe = elf_bytes(bench_elf, mark, 64)
    cue = dict((n, a) for a, n in symbols(os.path.join(BUILD, 'kernel', 'capos.elf')))[
        'timerq_arm']
    port = args.port
    cmd = qemu.qemu_command(kernel=args.kernel, module=mod, smp=smp, icount=True,
                            serial='file:' + log + '.serial',
                            extra=['-gdb', 'tcp:127.0.0.1:%d' % port, '-S', '-D', log])
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)
    try:
        trace_window(p, port, cue, mark, probe, args.timeout)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def trace_window(p, port, cue, mark, probe, timeout):
    """Turns the trace on at the first call of the marker and off at the
    second, then lets QEMU finish."""
    stub = Stub(port)
    stub.cmd('?')

    def in_bench():
        return stub.read_mem(mark, 64) == probe

    def stop_at(addr):
        # Other code at the same address (every program is linked at the
        # same address; the kernel function serves every process) stops us
        # too: step over it without the breakpoint (QEMU would hit it again)
        # and go on.
        stub.cmd('Z0,%x,1' % addr)
        while True:
            stub.send('c')
            stub.wait_stop()
            if in_bench():
                break
            stub.cmd('z0,%x,1' % addr)
            stub.send('s')
            stub.wait_stop()
            stub.cmd('Z0,%x,1' % addr)
        stub.cmd('z0,%x,1' % addr)

    # The benchmark's Timer.sleep just before the window is the cue; only
    # then the marker's breakpoint goes in, so the IPC server (whose code
    # may sit at the marker's address) is not stopped on every call before.
    stop_at(cue)
    stop_at(mark)
    stub.monitor('singlestep on')
    stub.monitor('log exec,nochain')
    # Off the marker first: the breakpoint would stop us here again.
    stub.send('s')
    stub.wait_stop()
    stop_at(mark)
    stub.monitor('log none')
    stub.monitor('singlestep off')
    stub.send('D')
    try:
        p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        sys.exit('profile: QEMU did not end')


TRACE_RE = re.compile(r'^Trace (\d+): \S+ \[[0-9a-f]+/([0-9a-f]+)/')


def analyse(log, progs, iterations, top):
    ktab = Symtab(os.path.join(BUILD, 'kernel', 'capos.elf'), 'kernel')
    utabs = [Symtab(os.path.join(BUILD, n), os.path.basename(n)) for n in progs]
    ustarts = [insn_starts(os.path.join(BUILD, n)) for n in progs]
    trace = []
    with open(log, errors='replace') as f:
        for line in f:
            m = TRACE_RE.match(line)
            if m:
                trace.append((int(m.group(1)), int(m.group(2), 16)))
    if not trace:
        sys.exit('profile: empty trace (did the markers run?)')

    # Segments: runs of one vCPU in one mode.
    segs = []
    for cpu, pc in trace:
        kern = pc >= KERNEL_BASE
        if not segs or segs[-1][0] != cpu or segs[-1][1] != kern:
            segs.append([cpu, kern, []])
        segs[-1][2].append(pc)

    def user_tab(pcs):
        # The program whose instruction boundaries fit the segment best.
        best = max(range(len(utabs)), key=lambda i: sum(pc in ustarts[i] for pc in pcs))
        return utabs[best]

    # Who runs the hot functions: a run of a function that starts at its
    # first instruction was entered by a call (or tail jump) from the
    # function before it; later runs of it (returns from its callees) are
    # charged to the same caller.  Exact for leaf functions.
    callers = collections.defaultdict(collections.Counter)
    for cpu, kern, pcs in segs:
        tab = ktab if kern else user_tab(pcs)
        prev, entered = None, {}
        for pc in pcs:
            i = bisect.bisect_right(tab.addrs, pc) - 1
            name = tab.syms[i][1] if i >= 0 else '?'
            if name != prev and i >= 0 and tab.syms[i][0] == pc:
                entered[name] = prev or '(segment start)'
            callers[(cpu, tab.tag, name)][entered.get(name, '?')] += 1
            prev = name

    self_count = collections.Counter()
    per_cpu = collections.Counter()
    seg_desc = []
    for cpu, kern, pcs in segs:
        tab = ktab if kern else user_tab(pcs)
        c = collections.Counter(tab.name(pc) for pc in pcs)
        for name, n in c.items():
            self_count[(cpu, tab.tag, name)] += n
        per_cpu[(cpu, 'kernel' if kern else 'user')] += len(pcs)
        seg_desc.append((cpu, tab.tag, len(pcs), c.most_common(6)))

    total = len(trace)
    print('%d instructions in %d iterations: %.0f per iteration' %
          (total, iterations, total / iterations))
    for (cpu, mode), n in sorted(per_cpu.items()):
        print('  cpu%d %-6s %10.0f per iteration' % (cpu, mode, n / iterations))
    print('\nfunctions (self instructions per iteration):')
    for key, n in self_count.most_common(top):
        cpu, tag, name = key
        by = callers[key].most_common(3)
        print('  %9.1f  cpu%d %-7s %-28s from %s' %
              (n / iterations, cpu, tag, name,
               ', '.join('%s %.0f' % (c, k / iterations) for c, k in by)))
    print('\nsegments of the first iteration (vCPU, code, instructions, main functions):')
    shown = 0
    for cpu, tag, n, funcs in seg_desc:
        print('  cpu%d %-7s %7d  %s' % (cpu, tag, n, ', '.join('%s %d' % f for f in funcs)))
        shown += n
        if shown >= total / iterations:
            break


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('what', choices=sorted(PROFILES))
    ap.add_argument('--kernel', default=os.path.join(BUILD, 'kernel', 'capos32.elf'))
    ap.add_argument('--port', type=int, default=12345 + os.getpid() % 1000)
    ap.add_argument('--top', type=int, default=40, help='functions listed')
    ap.add_argument('--log', help='keep the trace here (default: a temporary file)')
    ap.add_argument('--timeout', type=int, default=300)
    args = ap.parse_args()
    mod, smp, progs, iterations = PROFILES[args.what]
    mod = os.path.join(BUILD, 'bench', mod)
    if not os.path.exists(mod):
        sys.exit('profile: %s missing: run `make bench-profile-images`' % mod)
    with tempfile.TemporaryDirectory() as tmp:
        log = args.log or os.path.join(tmp, 'trace.log')
        run_profile(args, mod, smp, progs[0], log)
        analyse(log, progs, iterations, args.top)


if __name__ == '__main__':
    main()
