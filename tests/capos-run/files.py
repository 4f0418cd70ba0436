#!/usr/bin/env python3
"""The file options of tools/capos-run: --file, --dir, --export and a
program named by its guest path, --sh, and the refusals of bad arguments.

    python3 tests/capos-run/files.py [BUILD]

The guest programs are user/tests/tree_user.c (cat, put, mkdir, stat through
the "root" Directory) and tests/capos-run/copy.c (a POSIX program, built
here with tools/capos-cc).  Prints one line per failed case and exits 1 if any
failed; each case boots capOS once (a second or two under TCG), the
refusals boot nothing.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, 'build')
RUN = os.path.join(ROOT, 'tools', 'capos-run')
TU = os.path.join(BUILD, 'user', 'bin', 'tree_user')
failed = []


def run(args, timeout=120):
    env = dict(os.environ, CAPOS_BUILD=os.path.abspath(BUILD))
    p = subprocess.run([RUN] + args, capture_output=True, timeout=timeout, env=env)
    return p.returncode, p.stdout, p.stderr


def expect(name, got, want):
    if got != want:
        failed.append('%s: got %r, expected %r' % (name, got, want))


def main():
    w = tempfile.mkdtemp(prefix='capos-run-files-')
    try:
        cases(w)
    finally:
        shutil.rmtree(w, ignore_errors=True)
    for f in failed:
        print('FAIL ' + f)
    print('%d failed' % len(failed))
    return 1 if failed else 0


def cases(w):
    host = os.path.join(w, 'host')
    os.makedirs(os.path.join(host, 'sub', 'deeper'))
    with open(os.path.join(host, 'a.txt'), 'wb') as f:
        f.write(b'alpha\n')
    # Bytes that look like the start of posixrun's end marker must pass.
    tricky = b'one\x1ecapos-batch:x\n\x1e\x00two\n' + bytes(range(256))
    with open(os.path.join(host, 'sub', 'tricky'), 'wb') as f:
        f.write(tricky)
    big = os.urandom(70000)
    with open(os.path.join(host, 'sub', 'deeper', 'big'), 'wb') as f:
        f.write(big)
    os.chmod(os.path.join(host, 'sub', 'deeper', 'big'), 0o640)
    os.chmod(os.path.join(host, 'sub', 'deeper'), 0o750)
    tu = ['--file', TU + ':/bin/tu']

    # --file, a guest program, the default tree, byte-exact output.
    st, out, err = run(tu + ['--file', os.path.join(host, 'a.txt') + ':/home/user/a.txt',
                             '--', '/bin/tu', 'cat', '/home/user/a.txt', '/etc/motd'])
    expect('file: status', st, 0)
    with open(os.path.join(ROOT, 'system', 'tree', 'etc', 'motd'), 'rb') as f:
        expect('file: stdout', out, b'alpha\n' + f.read())

    # --dir keeps contents and modes, recursively.
    st, out, err = run(tu + ['--dir', host + ':/data', '--', '/bin/tu', 'cat', '/data/sub/tricky'])
    expect('dir: status', (st, err), (0, b''))
    expect('dir: stdout', out, tricky)
    st, out, err = run(tu + ['--dir', host + ':/data', '--', '/bin/tu', 'stat',
                             '/data/sub/deeper/big'])
    expect('dir: stat', (st, out), (0, b'file 640 70000\n'))

    # The program's status and stderr pass through.
    st, out, err = run(tu + ['--', '/bin/tu', 'cat', '/nope'])
    expect('status', (st, out, err), (1, b'', b'tree_user: cat /nope: notFound\n'))

    # --export brings a directory back, nested, with modes and new files.
    back = os.path.join(w, 'back')
    st, out, err = run(tu + ['--dir', host + ':/tmp/in', '--export', '/tmp/in:' + back,
                             '--', '/bin/tu', 'put', '/tmp/in/sub/new', 'made in the guest'])
    expect('export: status', (st, err), (0, b''))
    for rel, data in (('a.txt', b'alpha\n'), ('sub/tricky', tricky), ('sub/deeper/big', big),
                      ('sub/new', b'made in the guest')):
        try:
            with open(os.path.join(back, rel), 'rb') as f:
                expect('export: ' + rel, f.read(), data)
        except OSError as e:
            failed.append('export: %s: %s' % (rel, e))
    if os.path.isdir(os.path.join(back, 'sub', 'deeper')):
        expect('export: modes',
               (os.stat(os.path.join(back, 'sub', 'deeper')).st_mode & 0o7777,
                os.stat(os.path.join(back, 'sub', 'deeper', 'big')).st_mode & 0o7777),
               (0o750, 0o640))

    # A POSIX program named by its guest path, on files of --dir, writing
    # what --export brings back.
    copy = os.path.join(w, 'copy')
    env = dict(os.environ, CAPOS_BUILD=os.path.abspath(BUILD))
    p = subprocess.run([os.path.join(ROOT, 'tools', 'capos-cc'), '-O2', '-o', copy,
                        os.path.join(ROOT, 'tests', 'capos-run', 'copy.c')],
                       capture_output=True, env=env)
    if p.returncode != 0:
        failed.append('posix: capos-cc: %r' % p.stderr[-300:])
    else:
        out_dir = os.path.join(w, 'copied')
        st, out, err = run(['--file', copy + ':/bin/copy', '--dir', host + ':/data',
                            '--export', '/tmp:' + out_dir, '--',
                            '/bin/copy', '/data/sub/deeper/big', '/tmp/big'])
        expect('posix: status', (st, out, err), (0, b'copied 70000 bytes, mode 640\n', b''))
        try:
            with open(os.path.join(out_dir, 'big'), 'rb') as f:
                expect('posix: exported copy', f.read() == big, True)
        except OSError as e:
            failed.append('posix: %s' % e)

    # Without file options the program sees the default tree all the same.
    with open(os.path.join(ROOT, 'system', 'tree', 'etc', 'motd'), 'rb') as f:
        motd = f.read()
    st, out, err = run(['--', TU, 'cat', '/etc/motd'])
    expect('default tree: status', (st, err), (0, b''))
    expect('default tree: stdout', out, motd)

    # --sh: a command for the tree's dash, its $0 and $1, stdout, stderr
    # and status as `sh -c` gives them on Linux.
    st, out, err = run(['--sh', 'echo "$0:$1"; ls /bin | grep -c busybox; echo oops >&2; exit 7',
                        'name', 'one'])
    expect('--sh', (st, out, err), (7, b'name:one\n1\n', b'oops\n'))
    # A script from a host directory, run by the guest's shell.
    sdir = os.path.join(w, 'script')
    os.makedirs(sdir)
    with open(os.path.join(sdir, 'run.sh'), 'w') as f:
        f.write('for x in a b; do echo "$x"; done | tr a-z A-Z\nexit 2\n')
    st, out, err = run(['--dir', sdir + ':/t', '--', '/bin/sh', '/t/run.sh'])
    expect('sh script', (st, out, err), (2, b'A\nB\n', b''))

    # A batch without them: each program has a copy of the tree of its own,
    # so the second does not see what the first wrote.
    spec0 = os.path.join(w, 'spec0.json')
    with open(spec0, 'w') as f:
        json.dump([{'program': TU, 'args': ['put', '/tmp/b', 'x']},
                   {'program': TU, 'args': ['cat', '/tmp/b']},
                   {'program': TU, 'args': ['cat', '/etc/motd']}], f)
    bout0 = os.path.join(w, 'batch0')
    st, out, err = run(['--batch', spec0, '--batch-out', bout0])
    expect('own trees: status', st, 0)
    try:
        with open(os.path.join(bout0, 'results.json')) as f:
            expect('own trees: results', [r['status'] for r in json.load(f)], [0, 1, 0])
        with open(os.path.join(bout0, '2.stdout'), 'rb') as f:
            expect('own trees: motd', f.read(), motd)
    except (OSError, ValueError, KeyError, TypeError) as e:
        failed.append('own trees: %s' % e)

    # An export of a directory the guest does not have.
    st, out, err = run(tu + ['--export', '/nothere:' + os.path.join(w, 'nb'), '--',
                             '/bin/tu', 'stat', '/tmp'])
    expect('export missing: status', st, 249)
    expect('export missing: stdout', out, b'dir 1777 0\n')

    # Batch mode with a tree: a guest program, and a host one.
    spec = os.path.join(w, 'spec.json')
    with open(spec, 'w') as f:
        json.dump([{'program': '/bin/tu', 'args': ['put', '/tmp/b', 'x']},
                   {'program': '/bin/tu', 'args': ['cat', '/tmp/b']},
                   {'program': TU, 'args': ['stat', '/tmp/b']}], f)
    bout = os.path.join(w, 'batch')
    st, out, err = run(tu + ['--batch', spec, '--batch-out', bout])
    expect('batch: status', st, 0)
    try:
        with open(os.path.join(bout, 'results.json')) as f:
            expect('batch: results', json.load(f), [{'how': 'exited', 'status': 0}] * 3)
        with open(os.path.join(bout, '1.stdout'), 'rb') as f:
            expect('batch: shared tree', f.read(), b'x')
        with open(os.path.join(bout, '2.stdout'), 'rb') as f:
            expect('batch: host program', f.read(), b'file 644 1\n')
    except OSError as e:
        failed.append('batch: %s' % e)

    # Refusals: status 250 and a line naming the option, no boot.
    afile = os.path.join(host, 'a.txt')
    for args, says in (
            (['--file', afile, '/bin/x'], b'--file'),
            (['--file', os.path.join(w, 'missing') + ':/x', TU], b'not a regular file'),
            (['--file', afile + ':relative', TU], b'not an absolute path'),
            (['--file', afile + ':/a/../b', TU], b'is not a file name'),
            (['--file', afile + ':/etc/motd/x', TU], b'is a file, not a directory'),
            (['--file', afile + ':/tmp', TU], b'is a directory'),
            (['--dir', afile + ':/d', TU], b'not a directory'),
            (['--dir', host, TU], b'expected HOSTDIR:GUESTDIR'),
            (['--export', 'tmp:' + w, TU], b'GUESTDIR absolute'),
            (['--export', '/tmp:' + afile, TU], b'is not a directory'),
            (['--file', afile + ':/bin/x', '/bin/x'], b'not a static x86_64 executable'),
            (tu + ['/bin/nothere'], b'No such file'),
    ):
        st, out, err = run(args)
        if st != 250 or says not in err or out:
            failed.append('refuse %r: status %d, stderr %r' % (args, st, err[-300:]))


if __name__ == '__main__':
    sys.exit(main())
