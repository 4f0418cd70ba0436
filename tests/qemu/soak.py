#!/usr/bin/env python3
"""The soak test behind `make soak`: one long boot of the system-call
fuzzer or of the SMP stress run, watched while it runs.

Usage: soak.py --program fuzz|stress --manifest M --seconds N [--kernel K]
               [--append CMDLINE] [--smp 4] [--log L] [--hang S]

The manifest is the program's smoke manifest (system/smoke-fuzz.capnp or
system/smoke-stress.capnp) with its duration set to N seconds (tests/soak.mk
writes it).  The serial log goes to L; QEMU's serial input is this
script's, so it can type the kernel's debug key (Ctrl-T, docs/stall.md).
While the machine runs:

  progress  the program's progress lines are echoed, and for the fuzzer a
            "soak:" line with the kernel's memory at each quiet point;
  hangs     a program that prints none of its own lines for S seconds
            (--hang, default HANG_S) is hung: the kernel's report of who
            waits on what is typed for, and the run fails; a fuzzer's drain
            that takes long gets the same report (the fuzzer fails it after
            120 s);
  faults    a kernel fault or panic ends the run at once (FAULT_S for the
            backtrace to arrive), as does the kernel's stall report;
  memory    (fuzzer) at every quiet point -- after the warm-up, at each
            progress interval, at the end: every fuzzing process gone, the
            innocent paused -- the fuzzer holds still ("fuzz: holding") and
            this script types Ctrl-T: the report ends with the kernel's
            free frames, the frames charged to processes and to the kernel,
            and the kernel heap's blocks and frames.  Every sample must
            account for every frame (free + charged = the sum when init
            started); the first is the baseline, and no later one may be
            above it by more than MEM_TOLERANCE (free memory: below it), so
            memory that grows with the work done fails the run.

At the end the log must show the same lines as the program's smoke
(tests/qemu/smokes_fuzz.py, smokes_stress.py) and no forbidden one, and the
machine must end on its own within N seconds plus a margin.  A summary
gives the duration, what the fuzzer did, faults, hangs and memory from the
first sample to the last.  Exits 0 on success, 1 otherwise.
"""
import argparse
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
sys.path.insert(0, HERE)

import qemu  # noqa: E402
import smokes  # noqa: E402,F401  (loads smokes_* as the runner does)
import smokes_fuzz  # noqa: E402
import smokes_stress  # noqa: E402

# Per program: what the log must show and must not, which lines to echo,
# which lines are the program's own (progress for the hang detector), and
# how long beyond N seconds the run may take.  The stress run's margin
# covers boot, warm-up and the last round's overrun; the fuzzer counts only
# fuzzing time in N, and its drains, holds and memory probes (one set per
# progress line, seconds each under emulation, more on a loaded host) come
# on top.  Fuzzing children write random text to the console, so the
# fuzzer's patterns are not anchored at the start of a line.
PROGRAMS = {
    'stress': dict(expect=smokes_stress.STRESS_EXPECT, forbid=smokes_stress.STRESS_FORBID,
                   echo=re.compile(r'^stress:|KERNEL'), own=re.compile(r'^stress:'),
                   margin=lambda n: 300),
    'fuzz': dict(expect=smokes_fuzz.FUZZ_EXPECT, forbid=smokes_fuzz.FUZZ_FORBID,
                 echo=re.compile(r'fuzz: (seed|classes|after|progress|still|  driver|\d+ s fuzzed|'
                                 r'\d+ children|\d+ operations|results|memory|ok$)|FAIL|'
                                 r'fuzz-innocent: (\d+ pings|ok$)|KERNEL'),
                 own=re.compile(r'fuzz: '),
                 margin=lambda n: 600 + n // 2),
}
# The fuzzer's supervisor prints a line for every child it starts (about
# one a second) and several at each quiet point; a drain that takes long
# says so every 10 s.  The stress run prints a line per round.  Silence
# from the program this long is a hang (a deadlock, a lost wake-up, a CPU
# stuck in the kernel); waiting for the overall limit would only hide
# where it stopped.
HANG_S = 120
# After a kernel fault or panic: time for the backtrace, then the end.
FAULT_S = 5
FATAL = re.compile(r'KERNEL (PANIC|FAULT)|^system: stalled')
# An oracle's failure ends the fuzzer's run by itself (it drains and
# reports); the machine must then end within this.
FAIL_S = 300
# After a hang is detected: time for the typed report to be printed.
REPORT_S = 10
# Lines of the log's end shown when the soak fails.
TAIL_LINES = 40

DEBUG_KEY = b'\x14'
# The kernel's memory lines (kernel/system.c, system_report_memory).
MEM_TOTAL = re.compile(r'^memory: (\d+) frames free \+ (\d+) charged = (\d+) \((\d+) when init '
                       r'started\); kernel heap (\d+) blocks in (\d+) frames')
MEM_SPLIT = re.compile(r'^memory: (\d+) frames charged to processes, (\d+) to the kernel \((\d+) '
                       r'cached kernel stacks of (\d+) frames\)')
# How far a quiet point's sample may be from the baseline (the first), in
# frames or blocks.  At a quiet point only init, the supervisor and the
# paused innocent live; what may still move is the kernel's cache of free
# kernel stacks, which fills up to the peak the fuzzing drives it to (the
# kernel bounds it: at most 64 stacks of 4 frames), so free frames and the
# kernel's own frames are judged with the cache counted as free; beyond
# that, a spare slab frame per heap cache, a few blocks of objects whose
# last reference goes a moment later, a page table or two.  A leak of one
# frame or block per fuzzing process, over the thousands of them in a soak,
# exceeds these.
MEM_TOLERANCE = {
    'avail': 128,       # free frames plus cached stacks may fall this much
    'processes': 128,   # frames charged to processes may grow this much
    'own': 64,          # frames charged to the kernel, stack cache aside
    'heap_blocks': 256,
    'heap_frames': 32,
}
# (key, what it is, whether a fall rather than a rise is the bad direction)
MEM_NAMES = [('free', 'free frames', True),
             ('stack_frames', 'frames in cached kernel stacks', False),
             ('avail', 'free or in cached stacks', True),
             ('processes', 'frames charged to processes', False),
             ('kernel', 'frames charged to the kernel', False),
             ('own', 'the kernel\'s, stack cache aside', False),
             ('heap_blocks', 'kernel heap blocks', False),
             ('heap_frames', 'kernel heap frames', False)]


def read_lines(path):
    try:
        with open(path, 'rb') as f:
            return f.read().decode('utf-8', 'replace').replace('\r', '').split('\n')
    except FileNotFoundError:
        return []


def check(lines, prog):
    """'' if the log shows every expected line in order and no forbidden one."""
    i = 0
    for pat in prog['expect']:
        rx = re.compile(pat)
        while i < len(lines) and not rx.search(lines[i]):
            i += 1
        if i == len(lines):
            return 'expected line not found (in order): %s' % pat
        i += 1
    for pat in prog['forbid']:
        rx = re.compile(pat)
        for line in lines:
            if rx.search(line):
                return 'forbidden line: %s' % line.strip()
    return ''


def show_tail(lines):
    """Print the end of the serial log, where a failure shows its cause."""
    print('soak: the last %d lines of the log:' % TAIL_LINES)
    for line in lines[-TAIL_LINES:]:
        print('  | ' + line)


class Memory:
    """The kernel's memory at the fuzzer's quiet points, from the debug
    key's report typed between "fuzz: holding" and "fuzz: held"."""

    def __init__(self):
        self.samples = []  # (seconds since boot started, dict)
        self.missed = 0    # quiet points whose report came too late
        self.holding = False
        self.cur = None

    def line(self, line, now):
        """Feeds one log line; returns a new sample, if the line ended one."""
        if re.search(r'fuzz: holding \d+ ms', line):
            self.holding, self.cur = True, None
            return None
        if 'fuzz: held' in line:
            if self.holding and (self.cur is None or 'kernel' not in self.cur):
                self.missed += 1
            self.holding, self.cur = False, None
            return None
        if not self.holding:
            return None
        m = MEM_TOTAL.search(line)
        if m:
            self.cur = dict(free=int(m.group(1)), charged=int(m.group(2)), sum=int(m.group(3)),
                            base=int(m.group(4)), heap_blocks=int(m.group(5)),
                            heap_frames=int(m.group(6)))
            return None
        m = MEM_SPLIT.search(line)
        if m and self.cur is not None:
            stack_frames = int(m.group(3)) * int(m.group(4))
            self.cur.update(processes=int(m.group(1)), kernel=int(m.group(2)),
                            stacks=int(m.group(3)), stack_frames=stack_frames,
                            avail=self.cur['free'] + stack_frames,
                            own=int(m.group(2)) - stack_frames)
            self.samples.append((now, self.cur))
            return self.cur
        return None

    def growth(self):
        """'' if no sample is above the baseline by more than the tolerance."""
        if not self.samples:
            return ''
        base = self.samples[0][1]
        for i, (_, s) in enumerate(self.samples):
            if s['sum'] != s['base']:
                return ('sample %d: %d frames free + %d charged = %d, not the %d when init '
                        'started' % (i, s['free'], s['charged'], s['sum'], s['base']))
            for key, name, falls in MEM_NAMES:
                if key not in MEM_TOLERANCE:
                    continue
                moved = base[key] - s[key] if falls else s[key] - base[key]
                if moved > MEM_TOLERANCE[key]:
                    return 'sample %d: %s %s from %d to %d (tolerance %d)' % (
                        i, name, 'fell' if falls else 'grew', base[key], s[key],
                        MEM_TOLERANCE[key])
        return ''

    def report(self):
        if not self.samples:
            print('soak:   kernel memory: no sample taken')
            return
        first, last = self.samples[0][1], self.samples[-1][1]
        print('soak:   kernel memory at %d quiet points (%d missed), first -> last (min..max):' %
              (len(self.samples), self.missed))
        for key, name, falls in MEM_NAMES:
            vals = [s[key] for _, s in self.samples]
            tol = ('  tolerance: %s %d' % ('falls' if falls else 'grows', MEM_TOLERANCE[key])
                   if key in MEM_TOLERANCE else '')
            print('soak:     %-32s %7d -> %7d  (%d..%d)%s' % (name, first[key], last[key],
                                                            min(vals), max(vals), tol))


def fuzz_totals(lines):
    """What the fuzzer did, from its closing lines."""
    t = {}
    for line in lines:
        m = re.search(r'fuzz: (\d+) children \((\d+) exited, (\d+) killed, (\d+) faulted\) in '
                      r'(\d+) s of fuzzing; (\d+) grandchildren, (\d+) threads started', line)
        if m:
            t.update(zip(('children', 'exited', 'killed', 'faulted', 'seconds', 'grandchildren',
                          'threads'), map(int, m.groups())))
        m = re.search(r'fuzz: (\d+) operations submitted, (\d+) completed \((\d+) per second\), '
                      r'(\d+) cap_enter calls, (\d+) with hostile RFLAGS; (\d+) capabilities '
                      r'transferred; (\d+) dead ids', line)
        if m:
            t.update(zip(('submitted', 'completed', 'per_second', 'enters', 'flag_enters',
                          'transfers', 'stale_ok'), map(int, m.groups())))
        m = re.search(r'fuzz: (\d+) s fuzzed in (\d+) s', line)
        if m:
            t['elapsed'] = int(m.group(2))
        m = re.search(r'fuzz: memory: (\d+) KiB physical free or held after warm-up, (\d+) KiB at '
                      r'the end; (\d+) KiB in use after warm-up, (\d+) KiB at the end', line)
        if m:
            t.update(zip(('phys0', 'phys1', 'used0', 'used1'), map(int, m.groups())))
        m = re.search(r'fuzz: seed (0x[0-9a-f]+)', line)
        if m:
            t['seed'] = m.group(1)
    return t


def summary(prog_name, args, lines, took, memory, faults, hangs):
    print('soak: summary (%s, %d CPUs, %.0f s wall time):' % (prog_name, args.smp, took))
    if prog_name == 'fuzz':
        t = fuzz_totals(lines)
        if 'children' in t:
            print('soak:   %d s of fuzzing (%s s with the quiet points), seed %s' % (
                t['seconds'], t.get('elapsed', '?'), t.get('seed', '?')))
            print('soak:   %d fuzzing processes (%d exited, %d killed, %d faulted) and %d of '
                  'theirs; %d threads started' % (t['children'], t['exited'], t['killed'],
                                                  t['faulted'], t['grandchildren'], t['threads']))
        if 'submitted' in t:
            print('soak:   %d ring operations submitted, %d completed; %d cap_enter calls, %d '
                  'with hostile RFLAGS; %d capabilities transferred' % (
                      t['submitted'], t['completed'], t['enters'], t['flag_enters'],
                      t['transfers']))
        if 'phys0' in t:
            print('soak:   fuzzer\'s probe: %d KiB free or held after warm-up, %d KiB at the end; '
                  'its quota in use %d KiB -> %d KiB' % (t['phys0'], t['phys1'], t['used0'],
                                                         t['used1']))
        memory.report()
    halt = [line for line in lines if MEM_TOTAL.search(line)]
    if halt:
        print('soak:   at halt: ' + halt[-1])
    print('soak:   kernel faults or panics: %d; hangs: %d' % (faults, hangs))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--program', choices=sorted(PROGRAMS), default='stress')
    ap.add_argument('--manifest', required=True)
    ap.add_argument('--seconds', type=int, required=True)
    ap.add_argument('--kernel', default=os.path.join(os.environ.get('CAPOS_BUILD', 'build'),
                                                     'kernel', 'capos32.elf'))
    ap.add_argument('--append', default='', help='kernel command line (e.g. ipcfast=0)')
    ap.add_argument('--smp', type=int, default=4)
    ap.add_argument('--hang', type=int, default=HANG_S)
    ap.add_argument('--log', default=os.path.join(os.environ.get('CAPOS_BUILD', 'build'),
                                                  'test-logs', 'soak.log'))
    args = ap.parse_args()
    prog = PROGRAMS[args.program]
    os.makedirs(os.path.dirname(args.log), exist_ok=True)
    cmd = qemu.qemu_command(kernel=args.kernel, module=args.manifest, append=args.append or None,
                            smp=args.smp, serial='stdio')
    limit = args.seconds + prog['margin'](args.seconds)
    print('soak: %d s of %s on %d CPUs (a hang: %d s without progress; the limit: %d s); serial '
          'log in %s' % (args.seconds, args.program, args.smp, args.hang, limit, args.log))
    sys.stdout.flush()
    start = time.monotonic()
    out = open(args.log, 'wb')
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=out, stderr=subprocess.DEVNULL)
    memory = Memory()
    shown = 0
    rc = None
    heard = start           # the program's last own line
    last_own = '(none yet)'
    failed = ''
    end_by = None           # a fault or failure was seen: the machine must end by then
    faults = hangs = 0
    drain_report = False
    forbid = [re.compile(p) for p in prog['forbid']]

    def type_key():
        try:
            proc.stdin.write(DEBUG_KEY)
            proc.stdin.flush()
        except (BrokenPipeError, OSError):
            pass

    while rc is None:
        try:
            rc = proc.wait(timeout=0.25)
        except subprocess.TimeoutExpired:
            pass
        now = time.monotonic()
        lines = read_lines(args.log)
        for line in lines[shown:len(lines) - 1]:
            if prog['echo'].search(line):
                print('  ' + line)
            if prog['own'].search(line):
                heard, last_own = now, line.strip()
            if re.search(r'fuzz: holding \d+ ms', line):
                type_key()
            # A drain that takes long: where everything stands, once.
            if 'fuzz: still draining' in line and not drain_report:
                drain_report = True
                type_key()
            if 'fuzz: drained at' in line:
                drain_report = False
            sample = memory.line(line, now - start)
            if sample:
                print('soak: %.0f s: kernel memory: %d frames free, %d charged to processes, %d '
                      'to the kernel; kernel heap %d blocks in %d frames; %d cached stacks' % (
                          now - start, sample['free'], sample['processes'], sample['kernel'],
                          sample['heap_blocks'], sample['heap_frames'], sample['stacks']))
            if FATAL.search(line):
                if 'KERNEL' in line:
                    faults += 1
                if end_by is None or end_by > now + FAULT_S:
                    end_by = now + FAULT_S
                failed = failed or 'kernel: ' + line.strip()
            elif any(rx.search(line) for rx in forbid) and end_by is None:
                end_by = now + FAIL_S
        shown = max(shown, len(lines) - 1)
        sys.stdout.flush()
        if rc is not None:
            break
        stop = ''
        if end_by is not None and now > end_by:
            stop = failed or 'a failure was reported and the machine did not end in %d s' % FAIL_S
        elif now - heard > args.hang:
            hangs += 1
            print('soak: no progress for %d s (the last: %s); asking the kernel who waits on '
                  'what' % (args.hang, last_own))
            type_key()
            time.sleep(REPORT_S)
            stop = 'hang: no progress for %d s after "%s"' % (args.hang, last_own)
        elif now - start > limit:
            stop = 'still running after %d s' % limit
        if stop:
            proc.kill()
            proc.wait()
            out.close()
            lines = read_lines(args.log)
            show_tail(lines)
            summary(args.program, args, lines, time.monotonic() - start, memory, faults, hangs)
            print('soak: FAILED: %s' % stop)
            return 1
    out.close()
    lines = read_lines(args.log)
    for line in lines[shown:]:
        if prog['echo'].search(line):
            print('  ' + line)
        memory.line(line, time.monotonic() - start)
        if FATAL.search(line) and 'KERNEL' in line:
            faults += 1
    took = time.monotonic() - start
    status = qemu.map_status(rc)
    reason = check(lines, prog)
    if status != 0:
        reason = 'machine ended with status %d%s' % (status, '; ' + reason if reason else '')
    reason = reason or memory.growth()
    if not reason and args.program == 'fuzz' and len(memory.samples) < 2:
        reason = 'fewer than two kernel memory samples (%d missed)' % memory.missed
    summary(args.program, args, lines, took, memory, faults, hangs)
    if reason:
        show_tail(lines)
        print('soak: FAILED after %.0f s: %s' % (took, reason))
        return 1
    print('soak: passed (%.0f s wall time)' % took)
    return 0


if __name__ == '__main__':
    sys.exit(main())
