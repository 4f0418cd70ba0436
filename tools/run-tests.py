#!/usr/bin/env python3
"""Runs every capOS test and prints one summary line: "N passed, N failed".

Kinds of test, in order:
  host    lib/ unit tests (build/host/run-tests, ASan+UBSan); one result per test
  check   whole-tree checks: CHECKS below (e.g. generated code is current,
          the sources follow .clang-format), the build's rejection of broken
          manifests, and switching systems with `make run SYSTEM=...`
  fuzz    a short libFuzzer run of each tests/fuzz target from its seed corpus
  smoke   QEMU boots from tests/qemu/smokes.py; one result per boot
  posix   the differential suite (tests/posix/*.c): each program built for
          Linux with musl-gcc and run here, and built with tools/capos-cc and
          run on capOS (tools/capos-run --batch: a few boots run them all);
          stdout, stderr and the exit status must be the same; and the
          programs of tests/posix-grants, on capOS only, once per grant
          their " * without: NAME" lines name, each with that grant left out;
          and the programs of tests/posix-hostile, on capOS only, which
          must exit with status 0
  lua     the Lua suite (tests/lua/*.lua): each script run by the host's
          lua5.4 and by /bin/lua on capOS (tools/capos-run --batch, the
          scripts given as /lua); stdout, stderr and the exit status must be
          the same; tests/lua-capos/*.lua, on capOS only, which must exit
          with status 0; and tests/caplua/*.lua, run by /bin/capos-lua on
          capOS, which must end with the status (and stderr) their leading
          comments ask for
Each result prints as "PASS name" or "FAIL name: reason".  The exit status is
non-zero if anything failed or timed out.

Options: -k SUBSTR runs only tests whose name contains SUBSTR; -j N boots N
QEMUs at once (default: number of CPUs); --keep-logs prints failing logs;
--only KIND runs one kind; --fuzz-seconds N sets the fuzz run length.
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

import glob  # noqa: E402
import shutil  # noqa: E402

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


SIGN_OF_TROUBLE = re.compile(r'fail|panic|fault|timed? ?out|refused|error', re.I)


# Whole-tree checks: (name, command).  Each passes if the command exits 0.
CHECKS = [
    ('check-gen', ['make', '-s', 'check-gen']),
    ('fmt-check', ['make', '-s', 'fmt-check']),
    ('system-descriptions', ['python3', 'tools/systems.py', '--check', 'system']),
    ('no-syscall', ['python3', 'tests/posix/scan_syscalls.py', BUILD]),
    ('posix-doc', ['python3', 'tests/posix/check_doc.py', BUILD]),
    ('capos-run-files', ['python3', 'tests/capos-run/files.py', BUILD]),
]


# What the build must say about the fixtures that break the rules a
# newcomer most often breaks (the message after "FILE: error: ").
MANIFEST_BUILD_EXPECT = {
    'bad_service_binary': r'^service "\S+": binary "\S+" does not exist$',
    'bad_dup_service': r'^service "\S+" is defined twice',
    'bad_cycle': r'^dependency cycle: \S+ -> ',
    'bad_export_missing': r'^service "\S+": grant "\S+": export "\S+" of service "\S+" does not '
                          r'exist$',
    'bad_init_not_init': r'^init "\S+" is not an init program',
}


def check_manifest_build(results):
    """Every manifest fixture through the build's own rule (compile, then the
    host validator): each valid_* builds; each bad_* stops the build with
    exactly one line "tests/manifest/NAME.capnp: error: ..." and leaves no
    output behind."""
    names = sorted(os.path.basename(f)[:-len('.capnp')]
                   for f in glob.glob('tests/manifest/valid_*.capnp') +
                   glob.glob('tests/manifest/bad_*.capnp'))
    outdir = os.path.join(BUILD, 'manifest', 'built')
    shutil.rmtree(outdir, ignore_errors=True)
    p = subprocess.run(['make', '-k', '-s', '--no-print-directory'] +
                       [os.path.join(outdir, n + '.bin') for n in names],
                       capture_output=True, text=True, timeout=600)
    errors = {}
    for line in p.stderr.splitlines():
        m = re.match(r'^tests/manifest/([\w-]+)\.capnp: error: (.*)$', line)
        if m:
            errors.setdefault(m.group(1), []).append(m.group(2))
    problems = []
    for n in names:
        built = os.path.exists(os.path.join(outdir, n + '.bin'))
        got = errors.get(n, [])
        if n.startswith('valid_'):
            if got or not built:
                problems.append('%s: not built (%s)' % (n, '; '.join(got) or 'no message'))
        elif len(got) != 1 or built:
            problems.append('%s: expected one error line naming the file and no output, got %r%s'
                            % (n, got, ' and an output' if built else ''))
        elif n in MANIFEST_BUILD_EXPECT and not re.search(MANIFEST_BUILD_EXPECT[n], got[0]):
            problems.append('%s: unexpected message: %s' % (n, got[0]))
    if not errors and p.returncode != 0:
        problems.append('make failed without a manifest error: ' + p.stderr[-800:])
    results.add('check/manifest-build', not problems, '; '.join(problems)[:2000])


def check_system_switch(results):
    """`make run SYSTEM=...` boots the chosen system, and switching back to
    a system whose module is older than the ISO rebuilds the ISO; asking for
    the same system again does not.  Uses an ISO of its own, so the smokes'
    build/capos.iso is untouched."""
    iso = os.path.join(BUILD, 'test-switch', 'capos.iso')
    base = ['make', '--no-print-directory', 'ISO=' + iso, 'SMP=1']
    problems = []
    for system, name in (('smoke-demos', 'demos'), (None, 'capOS default system')):
        cmd = base + ['run'] + (['SYSTEM=' + system] if system else [])
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                               stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            problems.append('%s: timed out' % ' '.join(cmd))
            break
        out = p.stdout.replace('\r', '')
        with open(os.path.join(LOG_DIR, 'system-switch-%s.log' % (system or 'default')), 'w') as f:
            f.write(out + p.stderr)
        if not re.search(r'^  ISO     ', out, re.M):
            problems.append('%s: the ISO was not rebuilt' % (system or 'default'))
        if not re.search(r'^manifest: "%s"' % re.escape(name), out, re.M):
            problems.append('%s: booted something else (no manifest line for "%s")' %
                            (system or 'default', name))
        if p.returncode != 0:
            problems.append('%s: make run exited with %d' % (system or 'default', p.returncode))
    p = subprocess.run(base + ['iso'], capture_output=True, text=True, timeout=300)
    if re.search(r'^  ISO     ', p.stdout, re.M):
        problems.append('the ISO was rebuilt although the system did not change')
    results.add('check/system-switch', not problems, '; '.join(problems))


def run_checks(results, args):
    for name, cmd in CHECKS:
        if args.k and args.k not in 'check/' + name:
            continue
        p = subprocess.run(cmd, capture_output=True, text=True)
        results.add('check/' + name, p.returncode == 0,
                    (p.stdout + p.stderr).strip()[-1500:])
    for name, fn in (('manifest-build', check_manifest_build),
                     ('system-switch', check_system_switch)):
        if not args.k or args.k in 'check/' + name:
            fn(results)


def run_fuzz_one(exe, seconds):
    name = os.path.basename(exe)[len('fuzz_'):]
    seeds = os.path.join('tests', 'fuzz', 'corpus', name)
    work = os.path.join(BUILD, 'fuzz', 'work', name)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    log = os.path.join(LOG_DIR, 'fuzz-%s.log' % name)
    cmd = [exe, '-max_total_time=%d' % seconds, '-print_final_stats=1',
           '-artifact_prefix=%s/' % work, work]
    if os.path.isdir(seeds):
        cmd.append(seeds)
    with open(log, 'w') as f:
        try:
            rc = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT,
                                timeout=seconds + 120).returncode
        except subprocess.TimeoutExpired:
            return name, False, 'did not finish', log
    if rc != 0:
        return name, False, 'crash or sanitizer report (exit %d); reproducer in %s' % (rc, work), log
    return name, True, '', log


def run_fuzz(results, args):
    os.makedirs(LOG_DIR, exist_ok=True)
    exes = sorted(glob.glob(os.path.join(BUILD, 'fuzz', 'fuzz_*')))
    exes = [e for e in exes if os.access(e, os.X_OK) and (not args.k or args.k in 'fuzz/' + e)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.j) as pool:
        for name, ok, reason, log in pool.map(lambda e: run_fuzz_one(e, args.fuzz_seconds), exes):
            results.add('fuzz/' + name, ok, reason, log)


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


def read_log(path):
    try:
        with open(path, 'rb') as f:
            return f.read().decode('utf-8', 'replace').replace('\r', '').split('\n')
    except FileNotFoundError:
        return []


def groups_ok(smoke, lines):
    for patterns in smoke.groups.values():
        if check_log(smokes.Smoke(name='', expect=patterns, forbid=[]), lines):
            return False
    return True


def kernel_symbols(elf):
    """(address, name) of the kernel's functions, sorted, or []."""
    try:
        p = subprocess.run(['nm', '-n', elf], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return []
    syms = []
    for line in p.stdout.splitlines():
        w = line.split()
        if len(w) == 3 and w[1] in 'tTwW':
            syms.append((int(w[0], 16), w[2]))
    return syms


def dump_cpus(smoke, monitor, log):
    """A smoke that timed out: where every CPU is, from QEMU's monitor,
    appended to its log (kernel addresses with their function), so that a
    machine that stopped printing still says what it was doing."""
    states = qemu.cpu_states(monitor)
    if not states:
        return
    import bisect
    syms = kernel_symbols(os.path.join(BUILD, 'kernel', 'capos.elf'))
    addrs = [a for a, _ in syms]
    with open(log, 'a') as f:
        f.write('\nharness: timed out; every CPU from QEMU\'s monitor:\n')
        for cpu, rip, cpl in states:
            where = 'user mode' if cpl == 3 else ''
            i = bisect.bisect_right(addrs, rip) - 1
            if cpl == 0 and i >= 0:
                where = '<%s+0x%x>' % (syms[i][1], rip - syms[i][0])
            f.write('harness: cpu %d rip 0x%x %s\n' % (cpu, rip, where))


def run_smoke(smoke):
    """Boots one smoke; returns (ok, reason, log).  Sub-checks (smoke.groups)
    are evaluated by the caller from the same log."""
    log = os.path.join(LOG_DIR, smoke.name + '.log')
    for path in (smoke.kernel, smoke.iso, smoke.module if smoke.kernel else None):
        if path and not os.path.exists(path):
            return False, '%s is missing (build first)' % path, None
    if os.path.exists(log):
        os.unlink(log)
    monitor = os.path.join(LOG_DIR, smoke.name + '.monitor')
    if os.path.exists(monitor):
        os.unlink(monitor)
    keys = list(smoke.keys)
    if keys:
        # Typing needs the serial port on QEMU's stdin; its stdout is the log.
        cmd = qemu.qemu_command(iso=smoke.iso, kernel=smoke.kernel, module=smoke.module,
                                append=smoke.append, uefi=smoke.uefi, smp=smoke.smp,
                                icount=smoke.icount, monitor=monitor,
                                serial='stdio')
        with open(log, 'wb') as out:
            proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=out,
                                    stderr=subprocess.DEVNULL)
    else:
        cmd = qemu.qemu_command(iso=smoke.iso, kernel=smoke.kernel, module=smoke.module,
                                append=smoke.append, uefi=smoke.uefi, smp=smoke.smp,
                                icount=smoke.icount, monitor=monitor,
                                serial='file:' + log)
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    start = time.monotonic()
    rc = None
    while True:
        try:
            rc = proc.wait(timeout=0.2)
            break
        except subprocess.TimeoutExpired:
            pass
        if keys and any(re.search(keys[0][0], line) for line in read_log(log)):
            proc.stdin.write(keys.pop(0)[1])
            proc.stdin.flush()
        lines = read_log(log) if smoke.exit == 'running' else []
        if smoke.exit == 'running' and not check_log(smoke, lines) and groups_ok(smoke, lines):
            # Everything expected has happened while the system keeps running
            # (e.g. a process that spins forever): stop it here.
            proc.terminate()
            proc.wait()
            return True, '%.1f s' % (time.monotonic() - start), log
        if time.monotonic() - start > smoke.timeout:
            dump_cpus(smoke, monitor, log)
            proc.kill()
            proc.wait()
            reason = check_log(smoke, read_log(log))
            return False, 'timed out after %.0f s%s' % (
                smoke.timeout, ' (%s)' % reason if reason else ''), log
    took = time.monotonic() - start
    lines = read_log(log)
    status = qemu.map_status(rc)
    if smoke.exit == 'running':
        return False, 'machine ended (status %d) while it should still be running' % status, log
    want = 0 if smoke.exit == 'success' else 1
    if status != want:
        return False, 'machine ended with status %d (QEMU %d), expected %s; %s' % (
            status, rc, smoke.exit, check_log(smoke, lines) or 'log as expected'), log
    reason = check_log(smoke, lines)
    if reason:
        return False, reason, log
    return True, '%.1f s' % took, log


def compare_logs(smoke, lines, other_lines):
    """'' if the lines matching smoke.compare are the same in both logs."""
    rx = re.compile(smoke.compare)
    mine = [l for l in lines if rx.search(l)]
    theirs = [l for l in other_lines if rx.search(l)]
    if not mine:
        return 'no line matches %s' % smoke.compare
    for i, (a, b) in enumerate(zip(mine, theirs)):
        if a != b:
            return 'line %d differs: "%s" here, "%s" in %s' % (i + 1, a, b, smoke.same_as)
    if len(mine) != len(theirs):
        return '%d lines here, %d in %s' % (len(mine), len(theirs), smoke.same_as)
    return ''


def run_smokes(results, args):
    os.makedirs(LOG_DIR, exist_ok=True)
    todo = [s for s in smokes.SMOKES if not args.k or args.k in 'smoke/' + s.name]
    # A comparison needs the other boot too.
    names = {s.name for s in todo}
    todo += [o for o in smokes.SMOKES if o.name not in names and
             any(s.same_as == o.name for s in todo)]
    logs = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.j) as pool:
        futures = [(s, pool.submit(run_smoke, s)) for s in todo]
        for s, fut in futures:
            ok, reason, log = fut.result()
            results.add('smoke/' + s.name, ok, reason if not ok else '', log)
            # Sub-checks: separate results judged on the same serial log.
            lines = read_log(log) if log else []
            logs[s.name] = lines
            for gname, patterns in s.groups.items():
                sub = smokes.Smoke(name=gname, expect=patterns, forbid=[])
                why = check_log(sub, lines) if lines else 'no log'
                results.add('smoke/%s/%s' % (s.name, gname), not why, why, log)
    for s in todo:
        if s.same_as:
            lines, other = logs.get(s.name), logs.get(s.same_as)
            why = compare_logs(s, lines, other) if lines and other else 'a log is missing'
            results.add('smoke/%s/same-as-%s' % (s.name, s.same_as), not why, why,
                        os.path.join(LOG_DIR, s.name + '.log'))


POSIX_DIR = os.path.join('tests', 'posix')
POSIX_PROGRAM_TIMEOUT = 60


def posix_directives(src):
    """The arguments, environment and working directory a test program's
    header asks for: lines ' * args: ...' (split as a shell would),
    ' * env: K=V ...' and ' * cwd: kids' (run in the directory of the
    programs of tests/posix/kids, which the spawn tests start: the build's
    posix-tests/linux/kids on Linux, /kids on capOS, where the run's file
    tree holds posix-tests/capos/kids)."""
    import shlex
    args, env, cwd = [], [], None
    with open(src) as f:
        for line in f:
            if line.startswith(' * args: '):
                args = shlex.split(line[len(' * args: '):])
            elif line.startswith(' * env: '):
                env = line[len(' * env: '):].split()
            elif line.startswith(' * cwd: '):
                cwd = line[len(' * cwd: '):].strip()
            elif line.startswith(' */'):
                break
    return args, env, cwd


def run_posix_linux(t):
    """Runs the Linux build as the runner of a shell would: only the
    program's environment, stdin from /dev/null, stdout and stderr pipes."""
    exe = t['linux']
    env = dict(e.split('=', 1) for e in t['env'])
    try:
        # stdin read-only, like capOS's fd 0 (subprocess.DEVNULL is O_RDWR).
        with open(os.devnull, 'rb') as null:
            p = subprocess.run([os.path.abspath(exe)] + t['args'], env=env, stdin=null,
                               capture_output=True, timeout=POSIX_PROGRAM_TIMEOUT,
                               cwd=t.get('linux_cwd'))
    except subprocess.TimeoutExpired:
        return None, b'', b''
    rc = p.returncode
    return (128 - rc if rc < 0 else rc), p.stdout, p.stderr


def tree_options(tests):
    """The capos-run options that put the directories the tests run in
    (' * cwd: kids') into the guest tree."""
    opts = []
    for d in sorted({t['tree'] for t in tests if t.get('tree')}):
        opts += ['--dir', '%s:/%s' % (os.path.join(BUILD, 'posix-tests', 'capos', d), d)]
    return opts


def run_posix_batch(tests, n, kind='posix', extra=()):
    """Runs tests on capOS in one boot; returns {name: (status, out, err)}.
    `extra` are capos-run options (a tree for the programs); a test's
    'cwd' is its working directory."""
    import json
    import tempfile
    work = tempfile.mkdtemp(prefix=kind + '-batch-', dir=os.path.join(BUILD, 'test-logs'))
    spec = [dict({'program': t['capos'], 'args': t['args'], 'env': t['env'],
                  'without': t.get('without', [])}, **({'cwd': t['cwd']} if 'cwd' in t else {}))
            for t in tests]
    with open(os.path.join(work, 'spec.json'), 'w') as f:
        json.dump(spec, f)
    log = os.path.join(LOG_DIR, '%s-batch-%d.log' % (kind, n))
    cmd = ['tools/capos-run'] + list(extra) + ['--batch', os.path.join(work, 'spec.json'),
           '--batch-out', work,
           '--program-timeout', str(POSIX_PROGRAM_TIMEOUT), '--timeout',
           str(POSIX_PROGRAM_TIMEOUT * len(tests)), '--log', log]
    p = subprocess.run(cmd, capture_output=True, timeout=POSIX_PROGRAM_TIMEOUT * len(tests) + 60)
    out = {}
    try:
        with open(os.path.join(work, 'results.json')) as f:
            results = json.load(f)
    except (OSError, ValueError):
        results = [{'how': None, 'status': None}] * len(tests)
    for i, t in enumerate(tests):
        def read(ext):
            try:
                with open(os.path.join(work, '%d.%s' % (i, ext)), 'rb') as f:
                    return f.read()
            except OSError:
                return b''
        out[t['name']] = (results[i], read('stdout'), read('stderr'))
    shutil.rmtree(work, ignore_errors=True)
    return out, p.returncode, p.stderr.decode(errors='replace'), log


def first_difference(a, b, first='linux'):
    """Where two outputs first differ (a from `first`, b from capOS), for
    the failure message."""
    la, lb = a.split(b'\n'), b.split(b'\n')
    for i, (x, y) in enumerate(zip(la, lb)):
        if x != y:
            return 'line %d: %s %r, capOS %r' % (i + 1, first, x[:80], y[:80])
    return '%d lines on %s, %d on capOS' % (len(la), first, len(lb))


def run_batches(pool, groups, kind, extra):
    """One capos-run --batch per group of tests, with extra(group) as its
    further options; returns every test's result by name and each boot's
    (status, stderr, log)."""
    futs = [pool.submit(run_posix_batch, g, i, kind, extra(g)) for i, g in enumerate(groups)]
    got, machines = {}, []
    for fut in futs:
        out, rc, err, log = fut.result()
        got.update(out)
        machines.append((rc, err, log))
    return got, machines


def differential_why(ref, got, base, side, ref_failed):
    """Why one differential test failed ('' if it passed): the reference
    run `ref` (status, stdout, stderr; status None if it did not finish,
    ref_failed(stderr) saying why) on `side` ('linux', 'the host') against
    capOS's result `got`.  Both outputs are kept under `base`."""
    rstatus, rout, rerr = ref
    res, cout, cerr = got
    tag = side.split()[-1]
    for suffix, data in ((tag + '.stdout', rout), (tag + '.stderr', rerr),
                         ('capos.stdout', cout), ('capos.stderr', cerr)):
        with open('%s.%s' % (base, suffix), 'wb') as f:
            f.write(data)
    if rstatus is None:
        return ref_failed(rerr)
    if res['how'] in (None, 'timeout', 'failed'):
        return 'on capOS: %s' % {None: 'no result (the machine stopped early)',
                                 'timeout': 'killed after %d s' % POSIX_PROGRAM_TIMEOUT,
                                 'failed': 'could not be started'}[res['how']]
    shown = 'Linux' if side == 'linux' else side
    if res['status'] != rstatus:
        return 'exit status %d on %s, %d on capOS' % (rstatus, shown, res['status'])
    if cout != rout:
        return 'stdout differs: ' + first_difference(rout, cout, side)
    if cerr != rerr:
        return 'stderr differs: ' + first_difference(rerr, cerr, side)
    return ''


def own_why(got, base):
    """Why a capOS-only test failed ('' if it exited with 0); its output
    is kept in base.log."""
    res, cout, cerr = got
    with open(base + '.log', 'wb') as f:
        f.write(cout + cerr)
    if res['status'] == 0:
        return ''
    return 'status %s (%s): %s' % (res['status'], res['how'],
                                   (cout + cerr).decode(errors='replace').strip()[-300:])


def add_machines(results, prefix, machines):
    for i, (rc, err, log) in enumerate(machines):
        results.add('%s/machine-%d' % (prefix, i), rc == 0,
                    'capos-run --batch exited with %d: %s' % (rc, err.strip()[-600:]), log)


def run_posix(results, args):
    names = sorted(os.path.basename(f)[:-2] for f in glob.glob(os.path.join(POSIX_DIR, '*.c')))
    tests = []
    for n in names:
        if args.k and args.k not in 'posix/' + n:
            continue
        a, e, cwd = posix_directives(os.path.join(POSIX_DIR, n + '.c'))
        t = {'name': n, 'args': a, 'env': e,
             'capos': os.path.join(BUILD, 'posix-tests', 'capos', n),
             'linux': os.path.join(BUILD, 'posix-tests', 'linux', n)}
        if cwd:
            # The directory, in the guest tree and on the host.
            t.update({'cwd': '/' + cwd, 'tree': cwd,
                      'linux_cwd': os.path.join(BUILD, 'posix-tests', 'linux', cwd)})
        tests.append(t)
    grant_tests = []
    for src in sorted(glob.glob(os.path.join('tests', 'posix-grants', '*.c'))):
        n = os.path.basename(src)[:-2]
        with open(src) as f:
            lines = f.read().split(' */', 1)[0].splitlines()
        for w in [l[len(' * without: '):].strip() for l in lines
                  if l.startswith(' * without: ')]:
            name = '%s-%s' % (n, w)
            if not args.k or args.k in 'posix-grants/' + name:
                grant_tests.append({'name': name, 'args': [w], 'env': [], 'without': [w],
                                    'capos': os.path.join(BUILD, 'posix-tests', 'grants', n)})
    for src in sorted(glob.glob(os.path.join('tests', 'posix-hostile', '*.c'))):
        n = os.path.basename(src)[:-2]
        if not args.k or args.k in 'posix-hostile/' + n:
            grant_tests.append({'name': n, 'args': [], 'env': [], 'without': [],
                                'kind': 'posix-hostile',
                                'capos': os.path.join(BUILD, 'posix-tests', 'hostile', n)})
    if not tests and not grant_tests:
        return
    for t in tests + grant_tests:
        for kind in ('capos', 'linux'):
            if kind in t and not os.path.exists(t[kind]):
                results.add('posix/' + t['name'], False, 'the %s build is missing (make '
                            'posix-tests)' % kind)
                return
    os.makedirs(os.path.join(LOG_DIR, 'posix'), exist_ok=True)
    # As many boots as CPUs, each taking every j-th program (a boot runs at
    # most 60).
    every = [t for t in tests + grant_tests if not t.get('tree')]
    per = max(1, args.j)
    per = max(per, (len(every) + 59) // 60)
    groups = [every[i::per] for i in range(per) if every[i::per]]
    in_dir = [t for t in tests if t.get('tree')]
    groups += [in_dir[i:i + 60] for i in range(0, len(in_dir), 60)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.j + 1) as pool:
        linux = {t['name']: pool.submit(run_posix_linux, t) for t in tests}
        got, machines = run_batches(pool, groups, 'posix', tree_options)
        for t in tests:
            n = t['name']
            base = os.path.join(LOG_DIR, 'posix', n)
            why = differential_why(linux[n].result(), got[n], base, 'linux',
                                   lambda err: 'the Linux build timed out')
            results.add('posix/' + n, not why, why, base + '.capos.stdout')
        for t in grant_tests:
            base = os.path.join(LOG_DIR, 'posix', 'grants-' + t['name'])
            why = own_why(got[t['name']], base)
            results.add('%s/%s' % (t.get('kind', 'posix-grants'), t['name']), not why, why,
                        base + '.log')
    add_machines(results, 'posix', machines)

LUA_DIR = os.path.join('tests', 'lua')
LUA_CAPOS_DIR = os.path.join('tests', 'lua-capos')
CAPLUA_DIR = os.path.join('tests', 'caplua')
# The ports' programs in the default root tree, and the host's Debian
# interpreter and compiler they are compared with.
LUA_GUEST = {'lua': '/bin/lua', 'luac': '/bin/luac'}
LUA_HOST = {'lua': 'lua5.4', 'luac': 'luac5.4'}


def lua_directives(src):
    """What a script's leading comment lines ask for: '-- args: ...' (the
    script's arguments, split as a shell would), '-- env: K=V ...', and a
    whole command line instead of the script and its arguments: '-- lua:
    ARGS' (lua's options) or '-- luac: ARGS' (luac instead of lua).
    Returns (tool, argv after argv[0], env)."""
    import shlex
    name = os.path.basename(src)
    tool, argv, env = 'lua', [name], []
    with open(src) as f:
        for line in f:
            if not line.startswith('--'):
                break
            if line.startswith('-- args: '):
                argv = [name] + shlex.split(line[len('-- args: '):])
            elif line.startswith('-- env: '):
                env = line[len('-- env: '):].split()
            elif line.startswith('-- lua: ') or line.startswith('-- luac: '):
                tool = line.split(':')[0][3:]
                argv = shlex.split(line[len('-- %s: ' % tool):])
    return tool, argv, env


def caplua_directives(src):
    """A tests/caplua script's leading comment lines: '-- args: ...' (its
    arguments), '-- without: NAME...' (grants left out; without `root` the
    script cannot be read from a file, so it is given as `-e SOURCE`),
    '-- status: N' (the exit status expected, default 0) and '-- stderr:
    TEXT' (text stderr must contain).  Returns the test's fields."""
    import shlex
    name = os.path.basename(src)
    args, without, status, stderr = [], [], 0, None
    with open(src) as f:
        text = f.read()
    for line in text.splitlines():
        if not line.startswith('--'):
            break
        if line.startswith('-- args: '):
            args = shlex.split(line[len('-- args: '):])
        elif line.startswith('-- without: '):
            without = line[len('-- without: '):].split()
        elif line.startswith('-- status: '):
            status = int(line[len('-- status: '):])
        elif line.startswith('-- stderr: '):
            stderr = line[len('-- stderr: '):].encode()
    argv = (['-e', text] if 'root' in without else [name]) + args
    return {'args': argv, 'without': without, 'status': status, 'stderr': stderr}


def caplua_why(t, got, base):
    """Why a tests/caplua script failed ('' if it ended as it says)."""
    res, cout, cerr = got
    with open(base + '.log', 'wb') as f:
        f.write(cout + cerr)
    tail = (cout + cerr).decode(errors='replace').strip()[-300:]
    if res['status'] != t['status']:
        return 'status %s (%s), expected %d: %s' % (res['status'], res['how'], t['status'], tail)
    if t['stderr'] is not None and t['stderr'] not in cerr:
        return 'stderr lacks %r: %s' % (t['stderr'].decode(), tail)
    return ''


def run_lua_host(t):
    """The script under the host's lua5.4 (or luac5.4), named as on capOS
    (argv[0] `lua`, the script's directory as the working directory)."""
    exe = shutil.which(LUA_HOST[t['tool']])
    if not exe:
        return None, b'', b'%s is not installed (tools/bootstrap)' % LUA_HOST[t['tool']].encode()
    env = dict(e.split('=', 1) for e in t['env'])
    try:
        with open(os.devnull, 'rb') as null:
            p = subprocess.run([t['tool']] + t['args'], executable=exe, cwd=LUA_DIR, env=env,
                               stdin=null, capture_output=True, timeout=POSIX_PROGRAM_TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, b'', b'timed out'
    rc = p.returncode
    return (128 - rc if rc < 0 else rc), p.stdout, p.stderr


def run_lua(results, args):
    """tests/lua/*.lua under the host's lua5.4 and capOS's /bin/lua (the
    scripts' directory given to capOS as /lua): stdout, stderr and the exit
    status must be the same.  tests/lua-capos/*.lua run on capOS only and
    must exit with status 0 (what capOS does differently on purpose)."""
    tests = []
    for src in sorted(glob.glob(os.path.join(LUA_DIR, '*.lua'))):
        n = os.path.basename(src)[:-len('.lua')]
        if args.k and args.k not in 'lua/' + n:
            continue
        tool, argv, env = lua_directives(src)
        tests.append({'name': n, 'tool': tool, 'args': argv, 'env': env, 'cwd': '/lua',
                      'capos': LUA_GUEST[tool]})
    own = []
    for src in sorted(glob.glob(os.path.join(LUA_CAPOS_DIR, '*.lua'))):
        n = os.path.basename(src)[:-len('.lua')]
        if not args.k or args.k in 'lua-capos/' + n:
            tool, argv, env = lua_directives(src)
            own.append({'name': 'capos-' + n, 'args': argv, 'env': env,
                        'cwd': '/lua-capos', 'capos': LUA_GUEST[tool]})
    cap = []
    for src in sorted(glob.glob(os.path.join(CAPLUA_DIR, '*.lua'))):
        n = os.path.basename(src)[:-len('.lua')]
        if not args.k or args.k in 'caplua/' + n:
            cap.append(dict(caplua_directives(src), name='caplua-' + n, env=[], cwd='/caplua',
                            capos='/bin/capos-lua'))
    if not tests and not own and not cap:
        return
    for tool in list(LUA_GUEST) + ['capos-lua']:
        if not os.path.exists(os.path.join(BUILD, 'user', 'bin', tool)):
            results.add('lua/build', False, '%s is missing (make lua)' % tool)
            return
    os.makedirs(os.path.join(LOG_DIR, 'lua'), exist_ok=True)
    extra = ['--dir', LUA_DIR + ':/lua', '--dir', LUA_CAPOS_DIR + ':/lua-capos',
             '--dir', CAPLUA_DIR + ':/caplua']
    every = tests + own + cap
    per = max(1, min(args.j, len(every)))
    per = max(per, (len(every) + 59) // 60)
    groups = [every[i::per] for i in range(per) if every[i::per]]
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.j + 1) as pool:
        host = {t['name']: pool.submit(run_lua_host, t) for t in tests}
        got, machines = run_batches(pool, groups, 'lua', lambda g: extra)
        for t in tests:
            n = t['name']
            base = os.path.join(LOG_DIR, 'lua', n)
            why = differential_why(host[n].result(), got[n], base, 'the host',
                                   lambda err: 'on the host: %s' % err.decode(errors='replace'))
            results.add('lua/' + n, not why, why, base + '.capos.stdout')
        for t in own:
            base = os.path.join(LOG_DIR, 'lua', t['name'])
            why = own_why(got[t['name']], base)
            results.add('lua-capos/' + t['name'][len('capos-'):], not why, why, base + '.log')
        for t in cap:
            base = os.path.join(LOG_DIR, 'lua', t['name'])
            why = caplua_why(t, got[t['name']], base)
            results.add('caplua/' + t['name'][len('caplua-'):], not why, why, base + '.log')
    add_machines(results, 'lua', machines)

# The shell suite: dash and BusyBox's applets on capOS against the host's
# Debian dash and Debian's static BusyBox of the same version
# (tools/bootstrap installs both), whose applets alone make the host PATH.
SHELL_DIR = os.path.join('tests', 'shell')
SHELL_HOST_DASH = '/bin/dash'
SHELL_HOST_BUSYBOX = '/bin/busybox'


def shell_applets():
    """The applets of ports/busybox/busybox.config, as system/default.tree
    links them: every `link /bin/NAME busybox` line."""
    names = []
    with open(os.path.join('system', 'default.tree')) as f:
        for line in f:
            w = line.split('#', 1)[0].split()
            if len(w) == 3 and w[0] == 'link' and w[2] == 'busybox':
                names.append(w[1][len('/bin/'):])
    return names


def shell_host_path():
    """A directory of links to the host's BusyBox, one per applet of the
    capOS tree, and sh to its dash: the host run's only PATH, so that it
    meets the same tools."""
    d = os.path.join(BUILD, 'shell-host-bin')
    os.makedirs(d, exist_ok=True)
    for n, target in [(n, SHELL_HOST_BUSYBOX) for n in shell_applets()] + [('sh', SHELL_HOST_DASH)]:
        link = os.path.join(d, n)
        if not os.path.lexists(link):
            os.symlink(target, link)
    return os.path.abspath(d)


def run_shell_host(t, path):
    """The script under the host's dash, named and placed as on capOS."""
    for exe in (SHELL_HOST_DASH, SHELL_HOST_BUSYBOX):
        if not os.path.exists(exe):
            return None, b'', b'%s is not installed (tools/bootstrap)' % exe.encode()
    env = {'PATH': path, 'HOME': '/home/user', 'TMPDIR': '/tmp'}
    try:
        with open(os.devnull, 'rb') as null:
            p = subprocess.run(['sh'] + t['args'], executable=SHELL_HOST_DASH, cwd=SHELL_DIR,
                               env=env, stdin=null, capture_output=True,
                               timeout=POSIX_PROGRAM_TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, b'', b'timed out'
    rc = p.returncode
    return (128 - rc if rc < 0 else rc), p.stdout, p.stderr


def run_shell(results, args):
    """tests/shell/*.sh under dash with BusyBox on capOS (the scripts'
    directory given as /shell) and on the host: stdout, stderr and the
    exit status must be the same."""
    tests = []
    for src in sorted(glob.glob(os.path.join(SHELL_DIR, '*.sh'))):
        n = os.path.basename(src)[:-len('.sh')]
        if args.k and args.k not in 'shell/' + n:
            continue
        tests.append({'name': n, 'args': [n + '.sh'], 'env': ['HOME=/home/user'],
                      'cwd': '/shell', 'capos': '/bin/sh'})
    if not tests:
        return
    for tool in ('dash', 'busybox'):
        if not os.path.exists(os.path.join(BUILD, 'user', 'bin', tool)):
            results.add('shell/build', False, '%s is missing (make)' % tool)
            return
    path = shell_host_path()
    os.makedirs(os.path.join(LOG_DIR, 'shell'), exist_ok=True)
    extra = ['--dir', SHELL_DIR + ':/shell']
    per = max(1, min(args.j, len(tests)))
    groups = [tests[i::per] for i in range(per) if tests[i::per]]
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.j + 1) as pool:
        host = {t['name']: pool.submit(run_shell_host, t, path) for t in tests}
        got, machines = run_batches(pool, groups, 'shell', lambda g: extra)
        for t in tests:
            n = t['name']
            base = os.path.join(LOG_DIR, 'shell', n)
            why = differential_why(host[n].result(), got[n], base, 'the host',
                                   lambda err: 'on the host: %s' % err.decode(errors='replace'))
            results.add('shell/' + n, not why, why, base + '.capos.stdout')
    add_machines(results, 'shell', machines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('-k', help='only tests whose name contains this')
    ap.add_argument('-j', type=int, default=os.cpu_count() or 1)
    ap.add_argument('--keep-logs', action='store_true')
    ap.add_argument('--only', choices=['host', 'check', 'fuzz', 'smoke', 'posix', 'lua', 'shell'])
    ap.add_argument('--fuzz-seconds', type=int, default=10)
    args = ap.parse_args()
    os.chdir(ROOT)
    os.makedirs(LOG_DIR, exist_ok=True)
    results = Results()
    for kind, fn in (('host', run_host), ('check', run_checks), ('fuzz', run_fuzz),
                     ('smoke', run_smokes), ('posix', run_posix), ('lua', run_lua),
                     ('shell', run_shell)):
        if not args.only or args.only == kind:
            fn(results, args)
    if results.failures:
        print('\nfailures:')
        shown = set()
        for name, reason, log in results.failures:
            print('  %s: %s%s' % (name, reason, ' (log: %s)' % log if log else ''))
            if not log or log in shown or not os.path.exists(log):
                continue
            shown.add(log)
            with open(log, errors='replace') as f:
                lines = f.readlines()
            if args.keep_logs:
                print(''.join('    | ' + l for l in lines[-40:]))
            else:
                # A CI log keeps only the summary: quote the lines that say
                # what went wrong, and how the machine ended.
                bad = [l for l in lines if SIGN_OF_TROUBLE.search(l)][-8:]
                print(''.join('    | ' + l for l in bad + lines[-3:]), end='')
    print('%d passed, %d failed' % (results.passed, results.failed))
    sys.exit(1 if results.failed else 0)


if __name__ == '__main__':
    main()
