#!/usr/bin/env python3
"""No Linux system call left: scans every capOS user ELF the build made.

    tests/posix/scan_syscalls.py BUILD_DIR

Every program in BUILD_DIR/user/bin (the native ones) and BUILD_DIR/
posix-tests/capos (built with tools/capos-cc against musl) is disassembled
with objdump; a `syscall`, `sysenter` or `int $0x80` instruction anywhere
but in capos_cap_enter and capos_sys_exit (user/rt/syscall.S, the two capOS
system calls) fails the check.  Each program must contain capos_sys_exit
with its one `syscall` (and capos_cap_enter, if linked in, with its one):
what the scan cannot see, it cannot vouch for.  entry_hostile, and the
system-call fuzzer's child and regression programs, are exempt: they
execute raw system call instructions on purpose (hostile registers, a
thread that ends itself mid-call), to test the kernel's entry against them.  Exit status 0 if every program passes.
"""
import concurrent.futures
import glob
import os
import re
import subprocess
import sys

ALLOWED = {'capos_cap_enter', 'capos_sys_exit'}
EXEMPT = {'entry_hostile', 'fuzz_child', 'fuzz_regress'}
FORBIDDEN = re.compile(r'^\s*[0-9a-f]+:\s+(syscall|sysenter|int\s+\$0x80)\b')
FUNCTION = re.compile(r'^[0-9a-f]+ <([^>]+)>:$')


def scan(path):
    """Problems found in one ELF (empty if it passes)."""
    p = subprocess.run(['objdump', '-d', '--no-show-raw-insn', path], capture_output=True,
                       text=True)
    if p.returncode != 0:
        return ['objdump failed: ' + p.stderr.strip()]
    problems, func, seen = [], None, {}
    for line in p.stdout.splitlines():
        m = FUNCTION.match(line)
        if m:
            func = m.group(1)
            continue
        m = FORBIDDEN.match(line)
        if not m:
            continue
        if func in ALLOWED and m.group(1) == 'syscall':
            seen[func] = seen.get(func, 0) + 1
        else:
            problems.append('%s in %s: %s' % (m.group(1), func, line.strip()))
    for f in sorted(ALLOWED):
        if seen.get(f, 1 if f == 'capos_cap_enter' else 0) != 1:
            problems.append('%s has %d syscall instructions, expected 1' % (f, seen.get(f, 0)))
    return problems


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else 'build'
    groups = {'native': sorted(f for f in glob.glob(os.path.join(build, 'user', 'bin', '*'))
                               if os.path.basename(f) not in EXEMPT),
              'POSIX': sorted(f for f in glob.glob(os.path.join(build, 'posix-tests', 'capos', '*'))
                              if os.path.isfile(f)) +
              # The spawn tests' child programs (not the files made not to run).
              sorted(glob.glob(os.path.join(build, 'posix-tests', 'capos', 'kids', 'kid_*')))}
    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        for kind, files in groups.items():
            if not files:
                print('no %s programs in %s: build first' % (kind, build))
                failed += 1
            for f, problems in zip(files, pool.map(scan, files)):
                for problem in problems:
                    print('%s: %s' % (f, problem))
                    failed += 1
    total = sum(len(f) for f in groups.values())
    print('scan-syscalls: %d programs, %d problems' % (total, failed))
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
