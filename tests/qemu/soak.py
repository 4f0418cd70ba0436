#!/usr/bin/env python3
"""The soak test behind `make soak`: one long boot of the SMP stress run.

Usage: soak.py --manifest M --seconds N [--kernel K] [--smp 4] [--log L]

The manifest is system/smoke-stress.capnp with the stress program's
duration set to N seconds (tests/soak.mk writes it).  The serial log goes
to L; stress progress lines are echoed as they appear.  The log must show
the same lines as the stress-smp4 smoke (tests/qemu/smokes_stress.py) and
no forbidden one, and the machine must end on its own within N seconds
plus a margin.  Exits 0 on success, 1 otherwise.
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
import smokes  # noqa: E402,F401  (loads smokes_stress as the runner does)
import smokes_stress  # noqa: E402

# Boot, warm-up and the last round's overrun; generous for a loaded host.
MARGIN_S = 300
# The stress program prints a progress line every few seconds; a machine
# that prints nothing for this long is hung (deadlock or lost wake-up), and
# waiting for the overall limit would only hide where it stopped.
SILENCE_S = 180
# Lines of the log's end shown when the soak fails.
TAIL_LINES = 25


def read_lines(path):
    try:
        with open(path, 'rb') as f:
            return f.read().decode('utf-8', 'replace').replace('\r', '').split('\n')
    except FileNotFoundError:
        return []


def check(lines):
    """'' if the log shows every expected line in order and no forbidden one."""
    i = 0
    for pat in smokes_stress.STRESS_EXPECT:
        rx = re.compile(pat)
        while i < len(lines) and not rx.search(lines[i]):
            i += 1
        if i == len(lines):
            return 'expected line not found (in order): %s' % pat
        i += 1
    for pat in smokes_stress.STRESS_FORBID:
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
    ap.add_argument('--manifest', required=True)
    ap.add_argument('--seconds', type=int, required=True)
    ap.add_argument('--kernel', default=os.path.join(os.environ.get('CAPOS_BUILD', 'build'),
                                                     'kernel', 'capos32.elf'))
    ap.add_argument('--smp', type=int, default=4)
    ap.add_argument('--log', default=os.path.join(os.environ.get('CAPOS_BUILD', 'build'),
                                                  'test-logs', 'soak.log'))
    args = ap.parse_args()
    os.makedirs(os.path.dirname(args.log), exist_ok=True)
    if os.path.exists(args.log):
        os.unlink(args.log)
    cmd = qemu.qemu_command(kernel=args.kernel, module=args.manifest, smp=args.smp,
                            serial='file:' + args.log)
    limit = args.seconds + MARGIN_S
    print('soak: %d s of stress on %d CPUs; serial log in %s' % (args.seconds, args.smp, args.log))
    sys.stdout.flush()
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    shown = 0
    rc = None
    heard = time.monotonic()
    size = 0
    hung = ''
    while rc is None:
        try:
            rc = proc.wait(timeout=1)
        except subprocess.TimeoutExpired:
            pass
        lines = read_lines(args.log)
        for line in lines[shown:len(lines) - 1]:
            if line.startswith('stress:') or 'KERNEL' in line:
                print('  ' + line)
        shown = max(shown, len(lines) - 1)
        sys.stdout.flush()
        now = time.monotonic()
        cur = os.path.getsize(args.log) if os.path.exists(args.log) else 0
        if cur != size:
            size, heard = cur, now
        if rc is None and now - heard > SILENCE_S:
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
        if line.startswith('stress:') or 'KERNEL' in line:
            print('  ' + line)
    took = time.monotonic() - start
    status = qemu.map_status(rc)
    reason = check(lines)
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
