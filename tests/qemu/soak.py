#!/usr/bin/env python3
"""The soak test behind `make soak`: one long boot of the system-call
fuzzer or of the SMP stress run.

Usage: soak.py --program fuzz|stress --manifest M --seconds N [--kernel K]
               [--smp 4] [--log L]

The manifest is the program's smoke manifest (system/smoke-fuzz.capnp or
system/smoke-stress.capnp) with its duration set to N seconds (tests/soak.mk
writes it).  The serial log goes to L; the program's progress and summary
lines are echoed as they appear.  The log must show the same lines as the
program's smoke (tests/qemu/smokes_fuzz.py, smokes_stress.py) and no
forbidden one, and the machine must end on its own within N seconds plus a
margin, never going silent for long.  Exits 0 on success, 1 otherwise.
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
# and how long beyond N seconds the run may take.  The stress run's margin
# covers boot, warm-up and the last round's overrun; the fuzzer counts only
# fuzzing time in N, and its drains and memory probes (one per progress
# line, seconds each under emulation, more on a loaded host) come on top.
PROGRAMS = {
    'stress': dict(expect=smokes_stress.STRESS_EXPECT, forbid=smokes_stress.STRESS_FORBID,
                   echo=re.compile(r'^stress:|KERNEL'), margin=lambda n: 300),
    'fuzz': dict(expect=smokes_fuzz.FUZZ_EXPECT, forbid=smokes_fuzz.FUZZ_FORBID,
                 echo=re.compile(r'fuzz: (seed|classes|after|progress|still|\d+ s fuzzed|'
                                 r'\d+ children|\d+ operations|results|memory|ok$)|FAIL|'
                                 r'fuzz-innocent: (\d+ pings|ok$)|KERNEL'),
                 margin=lambda n: 600 + n // 2),
}
# Both programs print a line every few seconds; a machine that prints
# nothing for this long is hung (deadlock, lost wake-up, a CPU stuck in the
# kernel), and waiting for the overall limit would only hide where it
# stopped.
SILENCE_S = 180
# A forbidden line (a kernel fault, a failed oracle) ends the run this long
# after it appears: long enough for the rest of the report to be printed,
# without waiting for the overall limit if the machine keeps running.
LINGER_S = 30
# Lines of the log's end shown when the soak fails.
TAIL_LINES = 25


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


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--program', choices=sorted(PROGRAMS), default='stress')
    ap.add_argument('--manifest', required=True)
    ap.add_argument('--seconds', type=int, required=True)
    ap.add_argument('--kernel', default=os.path.join(os.environ.get('CAPOS_BUILD', 'build'),
                                                     'kernel', 'capos32.elf'))
    ap.add_argument('--smp', type=int, default=4)
    ap.add_argument('--log', default=os.path.join(os.environ.get('CAPOS_BUILD', 'build'),
                                                  'test-logs', 'soak.log'))
    args = ap.parse_args()
    prog = PROGRAMS[args.program]
    os.makedirs(os.path.dirname(args.log), exist_ok=True)
    if os.path.exists(args.log):
        os.unlink(args.log)
    cmd = qemu.qemu_command(kernel=args.kernel, module=args.manifest, smp=args.smp,
                            serial='file:' + args.log)
    limit = args.seconds + prog['margin'](args.seconds)
    print('soak: %d s of %s on %d CPUs; serial log in %s' % (args.seconds, args.program, args.smp,
                                                             args.log))
    sys.stdout.flush()
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    shown = 0
    rc = None
    heard = time.monotonic()
    size = 0
    hung = ''
    forbid = [re.compile(p) for p in prog['forbid']]
    bad_since = None
    while rc is None:
        try:
            rc = proc.wait(timeout=1)
        except subprocess.TimeoutExpired:
            pass
        lines = read_lines(args.log)
        for line in lines[shown:len(lines) - 1]:
            if prog['echo'].search(line):
                print('  ' + line)
            if bad_since is None and any(rx.search(line) for rx in forbid):
                bad_since = time.monotonic()
        shown = max(shown, len(lines) - 1)
        sys.stdout.flush()
        now = time.monotonic()
        cur = os.path.getsize(args.log) if os.path.exists(args.log) else 0
        if cur != size:
            size, heard = cur, now
        if rc is None and bad_since is not None and now - bad_since > LINGER_S:
            hung = 'a forbidden line appeared and the machine is still running %d s later' % (
                LINGER_S)
        elif rc is None and now - heard > SILENCE_S:
            hung = 'no output for %d s (hung)' % SILENCE_S
        elif rc is None and now - start > limit:
            hung = 'still running after %d s' % limit
        if hung:
            proc.kill()
            proc.wait()
            show_tail(read_lines(args.log))
            print('soak: FAILED: %s' % hung)
            return 1
    lines = read_lines(args.log)
    for line in lines[shown:]:
        if prog['echo'].search(line):
            print('  ' + line)
    took = time.monotonic() - start
    status = qemu.map_status(rc)
    reason = check(lines, prog)
    if status != 0:
        reason = 'machine ended with status %d%s' % (status, '; ' + reason if reason else '')
    if reason:
        show_tail(lines)
        print('soak: FAILED after %.0f s: %s' % (took, reason))
        return 1
    print('soak: passed (%.0f s wall time)' % took)
    return 0


if __name__ == '__main__':
    sys.exit(main())
