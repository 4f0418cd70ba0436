#!/usr/bin/env python3
"""Runs every capOS test and prints one summary line: "N passed, N failed".

Kinds of test, in order:
  host    lib/ unit tests (build/host/run-tests, ASan+UBSan); one result per test
  smoke   QEMU boots from tests/qemu/smokes.py; one result per boot
Each result prints as "PASS name" or "FAIL name: reason".  The exit status is
non-zero if anything failed or timed out.

Options: -k SUBSTR runs only tests whose name contains SUBSTR; -j N boots N
QEMUs at once (default: number of CPUs); --keep-logs prints failing logs.
"""
import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'qemu'))

import qemu  # noqa: E402
import smokes  # noqa: E402

BUILD = os.environ.get('CAPOS_BUILD', 'build')
LOG_DIR = os.path.join(BUILD, 'test-logs')


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.failures = []

    def add(self, name, ok, reason='', log=None):
        if ok:
            self.passed += 1
            print('PASS %s' % name)
        else:
            self.failed += 1
            self.failures.append((name, reason, log))
            print('FAIL %s: %s' % (name, reason))
        sys.stdout.flush()


def run_host(results, args):
    exe = os.path.join(BUILD, 'host', 'run-tests')
    if not os.path.exists(exe):
        results.add('host', False, exe + ' is missing')
        return
    p = subprocess.run([exe], capture_output=True, text=True, timeout=600)
    seen = 0
    current = []
    for line in p.stdout.splitlines():
        m = re.match(r'^(ok  |FAIL) (\S+)$', line)
        if m:
            name = 'host/' + m.group(2)
            seen += 1
            if not args.k or args.k in name:
                results.add(name, m.group(1) == 'ok  ', '; '.join(x.strip() for x in current))
            current = []
        elif line.startswith('    '):
            current.append(line)
    if p.returncode != 0 and not any(n.startswith('host/') for n, _, _ in results.failures):
        # The binary died (sanitizer report, crash) rather than a check failing.
        results.add('host/run-tests', False, 'exit status %d after %d tests: %s' %
                    (p.returncode, seen, (p.stderr or '')[-2000:]))


def check_log(smoke, lines):
    """Returns '' if the log satisfies the smoke's patterns, else the reason."""
    i = 0
    for pat in smoke.expect:
        rx = re.compile(pat)
        while i < len(lines) and not rx.search(lines[i]):
            i += 1
        if i == len(lines):
            return 'expected line not found (in order): %s' % pat
        i += 1
    for pat in smoke.forbid:
        rx = re.compile(pat)
        for line in lines:
            if rx.search(line):
                return 'forbidden line present: %s' % line.strip()
    return ''


def run_smoke(smoke):
    log = os.path.join(LOG_DIR, smoke.name + '.log')
    for path in (smoke.kernel, smoke.iso, smoke.module if smoke.kernel else None):
        if path and not os.path.exists(path):
            return False, '%s is missing (build first)' % path, None
    cmd = qemu.qemu_command(iso=smoke.iso, kernel=smoke.kernel, module=smoke.module,
                            append=smoke.append, uefi=smoke.uefi, smp=smoke.smp,
                            serial='file:' + log)
    start = time.monotonic()
    try:
        rc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                            timeout=smoke.timeout).returncode
    except subprocess.TimeoutExpired:
        return False, 'timed out after %.0f s' % smoke.timeout, log
    took = time.monotonic() - start
    with open(log, 'rb') as f:
        lines = f.read().decode('utf-8', 'replace').replace('\r', '').split('\n')
    status = qemu.map_status(rc)
    want = 0 if smoke.exit == 'success' else 1
    if status != want:
        return False, 'machine ended with status %d (QEMU %d), expected %s' % (
            status, rc, smoke.exit), log
    reason = check_log(smoke, lines)
    if reason:
        return False, reason, log
    return True, '%.1f s' % took, log


def run_smokes(results, args):
    os.makedirs(LOG_DIR, exist_ok=True)
    todo = [s for s in smokes.SMOKES if not args.k or args.k in 'smoke/' + s.name]
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.j) as pool:
        futures = [(s, pool.submit(run_smoke, s)) for s in todo]
        for s, fut in futures:
            ok, reason, log = fut.result()
            results.add('smoke/' + s.name, ok, reason if not ok else '', log)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('-k', help='only tests whose name contains this')
    ap.add_argument('-j', type=int, default=os.cpu_count() or 1)
    ap.add_argument('--keep-logs', action='store_true')
    args = ap.parse_args()
    os.chdir(ROOT)
    results = Results()
    run_host(results, args)
    run_smokes(results, args)
    if results.failures:
        print('\nfailures:')
        for name, reason, log in results.failures:
            print('  %s: %s%s' % (name, reason, ' (log: %s)' % log if log else ''))
            if args.keep_logs and log and os.path.exists(log):
                with open(log, errors='replace') as f:
                    print(''.join('    | ' + l for l in f.readlines()[-40:]))
    print('%d passed, %d failed' % (results.passed, results.failed))
    sys.exit(1 if results.failed else 0)


if __name__ == '__main__':
    main()
