#!/usr/bin/env python3
"""docs/posix.md's system-call table against the dispatch table.

    tests/posix/check_doc.py BUILD_DIR

user/posix/systab.h lists every call libcapos-posix carries out, as
X(name, function, full|partial).  docs/posix.md must list exactly those in
its table of implemented calls (a row "| `name` | implemented | ... |" for
full, "partial" with how it differs for partial), and every other system
call of musl's x86_64 list (BUILD_DIR/posix/sysroot/include/bits/syscall.h)
in the table under its ENOSYS heading, each name once.  Exit status 0 if they agree.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENOSYS_HEADING = '### Not implemented: ENOSYS'


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else 'build'
    if not os.path.isabs(build):
        build = os.path.join(ROOT, build)
    with open(os.path.join(ROOT, 'user', 'posix', 'systab.h')) as f:
        tab = re.findall(r'^X\((\w+), \w+, (full|partial)\)$', f.read(), re.M)
    with open(os.path.join(build, 'posix', 'sysroot', 'include', 'bits', 'syscall.h')) as f:
        musl = set(re.findall(r'^#define SYS_(\w+)\s', f.read(), re.M))
    with open(os.path.join(ROOT, 'docs', 'posix.md')) as f:
        doc = f.read()
    problems = []
    if ENOSYS_HEADING not in doc:
        print('docs/posix.md has no "%s" section' % ENOSYS_HEADING)
        sys.exit(1)
    table, rest = doc.split(ENOSYS_HEADING, 1)
    rows = re.findall(r'^\| `(\w+)` \| (implemented|partial) \|(.*)\|$', table, re.M)
    documented = {}
    for name, support, how in rows:
        if name in documented:
            problems.append('%s: listed twice in the table' % name)
        documented[name] = 'full' if support == 'implemented' else 'partial'
        if support == 'partial' and not how.strip():
            problems.append('%s: partial, but the table does not say how' % name)
    dispatched = {}
    for name, support in tab:
        if name in dispatched:
            problems.append('%s: twice in systab.h' % name)
        dispatched[name] = support
        if name not in musl:
            problems.append('%s: in systab.h but not a system call of musl' % name)
    for name, support in sorted(dispatched.items()):
        if name not in documented:
            problems.append('%s: dispatched (%s) but not in the table' % (name, support))
        elif documented[name] != support:
            problems.append('%s: %s in systab.h, %s in docs/posix.md' %
                            (name, support, 'implemented' if documented[name] == 'full' else
                             'partial'))
    for name in sorted(set(documented) - set(dispatched)):
        problems.append('%s: in the table but not dispatched (it returns ENOSYS)' % name)
    section = rest.split('\n## ', 1)[0]
    enosys = [n for line in section.splitlines() if line.startswith('|')
              for n in re.findall(r'`(\w+)`', line)]
    seen = set()
    for name in enosys:
        if name in seen:
            problems.append('%s: listed twice under ENOSYS' % name)
        seen.add(name)
        if name in dispatched:
            problems.append('%s: listed under ENOSYS but dispatched' % name)
        elif name not in musl:
            problems.append('%s: listed under ENOSYS but not a system call of musl' % name)
    for name in sorted(musl - set(dispatched) - seen):
        problems.append('%s: returns ENOSYS but is not listed under ENOSYS' % name)
    for p in problems:
        print('docs/posix.md: ' + p)
    print('check_doc: %d dispatched, %d ENOSYS, %d problems' % (len(dispatched), len(seen),
                                                              len(problems)))
    sys.exit(1 if problems else 0)


if __name__ == '__main__':
    main()
