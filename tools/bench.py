#!/usr/bin/env python3
"""Runs the capOS and Linux benchmarks and prints them side by side.

Every figure is a path length: QEMU runs TCG with `-icount shift=0,sleep=off`
and one vCPU, where the guest's TSC advances by one per executed guest
instruction, so `BENCH key value` lines carry deterministic instruction
counts, not times.  docs/benchmarks.md explains the method.

Boots (each in its own QEMU, run concurrently, serial log in --out-dir):
  linux          Debian's bzImage + our initramfs: every linux_* figure
  linux-vmlinux  the same kernel uncompressed, booted through its PVH entry,
                 stopping right after /init starts: the boot figure without
                 the bzImage decompressor (capOS is booted uncompressed too)
  capos          capOS kernel + benchmark module, if the module exists
  capos-smp2     the same kernel, a second module, 2 vCPUs, if it exists

Contract for a boot: the guest prints lines `BENCH <key> <integer>` on its
first serial port and then a line `BENCH_END`, after which it should end
QEMU (capOS: isa-debug-exit; Linux: ACPI power-off).  A guest that halts
instead is stopped once BENCH_END is seen.  `INFO error ...` and
`INFO warning ...` lines are repeated in the report.

Output: the table on stdout and --out-dir/results.json, which holds
"accel": "tcg-icount", every key of every boot at the top level (keys of
the rows that were not measured are null), "meta" (kernel package, QEMU
version, date, capOS status) and "rows" (the table).

To compare a new capOS figure, add a Row to ROWS below; a key printed by a
boot but in no row is still recorded and listed under "also measured".
The exit status is non-zero when the Linux boot or a present capOS boot
fails to report.
"""
import argparse
import collections
import concurrent.futures
import datetime
import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tools'))

import qemu  # noqa: E402

BUILD = os.environ.get('CAPOS_BUILD', 'build')

# One line of the table: the capOS key, the Linux key (either may be None
# for a figure with no counterpart yet) and what the operation is.
Row = collections.namedtuple('Row', 'capos linux label')

ROWS = [
    Row('cap_enter_null_insns', 'linux_getpid_insns',
        'null syscall: cap_enter / getpid'),
    Row(None, 'linux_getppid_insns', 'getppid (reference)'),
    Row('timer_now_call_insns', 'linux_clock_gettime_syscall_insns',
        'read the clock: Timer.now CALL / clock_gettime syscall'),
    Row(None, 'linux_clock_gettime_vdso_insns', 'clock_gettime via vDSO (reference)'),
    Row('nop_batch1_insns_per_op', 'linux_uring_nop_batch1_insns_per_op',
        'ring NOP, batch 1, per op / io_uring NOP'),
    Row('nop_batch32_insns_per_op', 'linux_uring_nop_batch32_insns_per_op',
        'ring NOP, batch 32, per op / io_uring NOP'),
    Row('ipc_rt_insns', 'linux_pipe_rt_insns',
        'IPC round trip, 1 CPU / pipe ping-pong (1 B)'),
    Row('ipc_rt_insns', 'linux_futex_rt_insns',
        'IPC round trip, 1 CPU / futex ping-pong'),
    Row('ipc_rt_64b_insns', 'linux_pipe_rt_64b_insns',
        'IPC round trip, 64 B / pipe ping-pong (64 B)'),
    Row('ipc_oneway_insns', 'linux_pipe_rt_insns',
        'IPC one-way send / pipe ROUND TRIP'),
    Row(None, 'linux_pipe_rt_early_insns', 'pipe ping-pong, wakeup-preempting phase'),
    Row(None, 'linux_futex_rt_early_insns', 'futex ping-pong, wakeup-preempting phase'),
    Row('ipc_rt_cross_cpu_insns', None, 'IPC round trip across 2 CPUs'),
    Row('thread_create_join_insns', 'linux_thread_create_join_insns',
        'thread create + join'),
    # Proposed capOS names for figures Linux already has.
    Row('process_spawn_wait_insns', 'linux_spawn_wait_insns',
        'spawn + wait, no-libc child / posix_spawn'),
    Row(None, 'linux_spawn_wait_libc_insns', 'posix_spawn + wait, static glibc child'),
    Row('page_fault_insns', 'linux_page_fault_insns', '4 KiB anonymous write fault (mean)'),
    Row(None, 'linux_page_fault_p50_insns', '4 KiB write fault, median single fault'),
    Row('boot_to_init_insns', 'linux_vmlinux_boot_to_init_insns',
        'reset to first init instruction, uncompressed kernel'),
    Row(None, 'linux_boot_to_init_insns', 'reset to /init, Debian bzImage (xz inflate)'),
    Row(None, 'linux_kernel_to_init_ns', "bzImage: kernel's clock at /init (ns)"),
]

# Kernel command line for Linux: serial console, no boot chatter, and a
# reboot (which -no-reboot turns into QEMU exiting) should /init die.
# Mitigations stay at the kernel's defaults: the figures are Debian's kernel
# as shipped.
LINUX_APPEND = 'console=ttyS0 quiet panic=-1'

BENCH_RE = re.compile(r'^BENCH (\S+) (-?\d+)\s*$')


class Boot:
    """One QEMU run whose serial log carries BENCH lines."""

    def __init__(self, name, qemu_args, timeout, rename=None, keep=None):
        self.name = name
        self.qemu_args = qemu_args  # for qemu.qemu_command, less the serial port
        self.timeout = timeout
        self.rename = rename or {}
        self.keep = keep            # if set, only these keys (after renaming)
        self.log = None
        self.keys = {}
        self.notes = []             # INFO error/warning lines
        self.info = []              # all INFO lines
        self.ended = False
        self.status = None
        self.wall = 0.0
        self.error = None

    def run(self, out_dir):
        self.log = os.path.join(out_dir, self.name + '.log')
        if os.path.exists(self.log):
            os.unlink(self.log)
        cmd = qemu.qemu_command(serial='file:' + self.log, **self.qemu_args)
        t0 = time.monotonic()
        # QEMU's own messages go to a file, not a pipe nobody drains while
        # it runs.
        qemu_log = os.path.join(out_dir, self.name + '.qemu.txt')
        qf = open(qemu_log, 'wb')
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=qf, stderr=subprocess.STDOUT)
        seen_end = None
        while True:
            try:
                p.wait(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                pass
            now = time.monotonic()
            if seen_end is None and self._log_has_end():
                seen_end = now
            # A guest that halts after BENCH_END instead of ending QEMU.
            if seen_end is not None and now - seen_end > 5:
                p.kill()
                p.wait()
                break
            if now - t0 > self.timeout:
                p.kill()
                p.wait()
                self.error = 'timed out after %d s' % self.timeout
                break
        self.wall = time.monotonic() - t0
        self.status = p.returncode
        qf.close()
        with open(qemu_log, 'rb') as f:
            qemu_out = f.read().decode(errors='replace').strip()
        self.parse()
        if qemu_out and not self.ended:
            self.notes.append('qemu said: ' + qemu_out[-500:])
        errors = [n for n in self.notes if n.startswith('error')]
        if errors and not self.error:
            self.error = '%d benchmark error(s) reported' % len(errors)
        if not self.ended and not self.error:
            self.error = 'no BENCH_END in %s (QEMU status %s)' % (self.log, self.status)
        return self

    def _log_has_end(self):
        try:
            with open(self.log, 'rb') as f:
                return b'\nBENCH_END' in f.read()
        except OSError:
            return False

    def parse(self):
        try:
            with open(self.log, encoding='utf-8', errors='replace') as f:
                text = f.read()
        except OSError:
            return
        for line in text.splitlines():
            line = line.strip('\r')
            if line.strip() == 'BENCH_END':
                self.ended = True
                continue
            m = BENCH_RE.match(line)
            if m:
                key = self.rename.get(m.group(1), m.group(1))
                if self.keep is None or key in self.keep:
                    self.keys[key] = int(m.group(2))
            elif line.startswith('INFO '):
                self.info.append(line[5:])
                if line.startswith(('INFO error', 'INFO warning')):
                    self.notes.append(line[5:])


def linux_boots(args):
    boots = []
    if not os.path.exists(args.linux_kernel) or not os.path.exists(args.linux_initramfs):
        sys.exit('bench: Linux kernel or initramfs missing (%s, %s): run `make bench`' %
                 (args.linux_kernel, args.linux_initramfs))
    append = LINUX_APPEND + (' BENCH_DETAIL=1' if args.detail else '')
    if args.linux_append:
        append += ' ' + args.linux_append
    boots.append(Boot('linux', dict(
        kernel=args.linux_kernel, module=args.linux_initramfs, append=append,
        icount=True, smp=1), args.timeout))
    if args.linux_vmlinux and os.path.exists(args.linux_vmlinux):
        rename = {'linux_boot_to_init_insns': 'linux_vmlinux_boot_to_init_insns'}
        boots.append(Boot('linux-vmlinux', dict(
            kernel=args.linux_vmlinux, module=args.linux_initramfs,
            append=LINUX_APPEND + ' BENCH_ONLY=boot', icount=True, smp=1),
            args.timeout, rename=rename, keep=set(rename.values())))
    return boots


def capos_boots(args):
    """The capOS boots to run, and a note when there is none."""
    if args.linux_only:
        return [], 'skipped (--linux-only)'
    missing = [p for p in (args.capos_kernel, args.capos_module) if not os.path.exists(p)]
    if missing:
        return [], 'n/a: no capOS benchmark image (%s missing)' % ', '.join(missing)
    boots = [Boot('capos', dict(
        kernel=args.capos_kernel, module=args.capos_module, icount=True, smp=1),
        args.timeout)]
    # Cross-CPU figures need a second vCPU.  Under icount QEMU runs the vCPUs
    # round-robin on one host thread and the TSC is one virtual clock, so a
    # figure from this boot counts the instructions of both CPUs (spinning
    # included) between the two reads.
    if args.capos_smp2_module and os.path.exists(args.capos_smp2_module):
        boots.append(Boot('capos-smp2', dict(
            kernel=args.capos_kernel, module=args.capos_smp2_module, icount=True, smp=2),
            args.timeout))
    return boots, 'ok'


def fmt(v):
    if v is None:
        return 'n/a'
    return '{:,}'.format(v)


def ratio(c, lx):
    if c is None or lx is None or lx == 0:
        return None
    return c / lx


def table(keys):
    rows = []
    for r in ROWS:
        c = keys.get(r.capos) if r.capos else None
        lx = keys.get(r.linux) if r.linux else None
        rows.append({'label': r.label, 'capos_key': r.capos, 'capos': c,
                     'linux_key': r.linux, 'linux': lx, 'ratio': ratio(c, lx)})
    return rows


def print_table(rows):
    w = max(len(r['label']) for r in rows)
    head = '%-*s  %14s  %14s  %11s' % (w, 'operation', 'capOS', 'Linux', 'capOS/Linux')
    print(head)
    print('-' * len(head))
    for r in rows:
        if r['capos_key'] is None:
            c = '-'
        else:
            c = fmt(r['capos'])
        lx = '-' if r['linux_key'] is None else fmt(r['linux'])
        q = '%.3f' % r['ratio'] if r['ratio'] is not None else ('n/a' if c != '-' and
                                                                 lx != '-' else '')
        print('%-*s  %14s  %14s  %11s' % (w, r['label'], c, lx, q))


def qemu_version():
    try:
        out = subprocess.run(['qemu-system-x86_64', '--version'], capture_output=True,
                             text=True).stdout
        return out.splitlines()[0].strip()
    except (OSError, IndexError):
        return 'unknown'


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    lc = os.path.join('build', 'cache', 'linux')
    ap.add_argument('--out-dir', default=os.path.join(BUILD, 'bench'))
    ap.add_argument('--linux-kernel', default=os.path.join(lc, 'vmlinuz'))
    ap.add_argument('--linux-vmlinux', default=os.path.join(lc, 'vmlinux'),
                    help='uncompressed kernel for the PVH boot figure ("" to skip)')
    ap.add_argument('--linux-kernel-info', default=os.path.join(lc, 'kernel.txt'))
    ap.add_argument('--linux-initramfs',
                    default=os.path.join(BUILD, 'bench', 'linux', 'initramfs.cpio'))
    ap.add_argument('--capos-kernel', default=os.path.join(BUILD, 'kernel', 'capos32.elf'))
    ap.add_argument('--capos-module', default=os.path.join(BUILD, 'bench', 'capos-bench.bin'))
    ap.add_argument('--capos-smp2-module',
                    default=os.path.join(BUILD, 'bench', 'capos-bench-smp2.bin'),
                    help='optional module booted with 2 vCPUs (cross-CPU figures)')
    ap.add_argument('--linux-only', action='store_true', help='do not boot capOS')
    ap.add_argument('--capos-only', action='store_true',
                    help='do not boot Linux; take its figures from the last results.json')
    ap.add_argument('--detail', action='store_true',
                    help='Linux prints per-batch and per-iteration distributions')
    ap.add_argument('--linux-append', default='',
                    help='extra Linux kernel parameters, for experiments (e.g. mitigations=off)')
    ap.add_argument('--timeout', type=int, default=600, help='seconds per boot')
    ap.add_argument('-j', '--jobs', type=int, default=os.cpu_count() or 1,
                    help='QEMUs at once (icount figures do not depend on it)')
    args = ap.parse_args()

    os.makedirs(args.out_dir, exist_ok=True)
    out = os.path.join(args.out_dir, 'results.json')
    previous = {}
    if args.capos_only:
        try:
            with open(out) as f:
                previous = json.load(f)
        except (OSError, ValueError):
            sys.exit('bench: --capos-only needs a previous %s' % out)
        boots = []
    else:
        boots = linux_boots(args)
    cboots, capos_status = capos_boots(args)
    boots += cboots

    t0 = time.monotonic()
    print('bench: booting %s (QEMU TCG, -icount shift=0,sleep=off, 1 vCPU)...' %
          ', '.join(b.name for b in boots))
    sys.stdout.flush()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        list(ex.map(lambda b: b.run(args.out_dir), boots))

    keys = {}
    if previous:
        keys = {k: v for k, v in previous.items() if k.startswith('linux_') and
                isinstance(v, int) and not isinstance(v, bool)}
        print('bench: Linux figures from %s (run %s)' %
              (out, previous.get('meta', {}).get('date', '?')))
    failed = []
    for b in boots:
        for k, v in b.keys.items():
            if k in keys:
                b.notes.append('key %s printed by more than one boot; keeping the first' % k)
                continue
            keys[k] = v
        if b.error:
            failed.append(b)
            if b.name.startswith('capos'):
                capos_status = 'failed: ' + b.error
    if any(b.name.startswith('capos') and not b.error for b in boots):
        capos_status = 'ok'

    kernel = previous.get('meta', {}).get('linux_kernel', {})
    try:
        with open(args.linux_kernel_info) as f:
            pkg, ver, rel = f.read().split()[:3]
            kernel = {'package': pkg, 'version': ver, 'release': rel}
    except (OSError, ValueError):
        pass

    if boots and not previous:
        for r in ROWS:
            if r.linux and r.linux not in keys:
                print('bench: warning: Linux figure %s was not measured' % r.linux)
    rows = table(keys)
    print()
    print('Path lengths in guest instructions per operation (QEMU %s)' %
          qemu_version().replace('QEMU emulator version ', ''))
    if kernel:
        print('Linux: %s %s, stock Debian kernel, cmdline "%s"' %
              (kernel['package'], kernel['version'], LINUX_APPEND))
    print('capOS: %s' % capos_status)
    print()
    print_table(rows)
    in_rows = {r.capos for r in ROWS} | {r.linux for r in ROWS}
    extra = sorted(k for k in keys if k not in in_rows)
    if extra:
        print('\nalso measured: ' + ', '.join('%s %s' % (k, fmt(keys[k])) for k in extra))
    for b in boots:
        for n in b.notes:
            print('%s: %s' % (b.name, n))
        if b.error:
            print('%s: FAILED: %s' % (b.name, b.error))
        else:
            print('%s: %d figures in %.0f s wall, log %s' %
                  (b.name, len(b.keys), b.wall, b.log))

    # Figures are flat at the top level (null: in a row but not measured);
    # everything else is under "meta" and "rows".
    results = {
        'accel': 'tcg-icount',
        'meta': {
            'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
            'qemu': qemu_version(),
            'qemu_args': '-accel tcg -cpu max -icount shift=0,sleep=off -smp 1 -m 512M',
            'linux_kernel': kernel,
            'linux_append': (LINUX_APPEND + ' ' + args.linux_append).strip(),
            'linux_from_previous_run': bool(previous),
            'capos_status': capos_status,
        },
        'rows': rows,
    }
    for r in ROWS:
        for k in (r.capos, r.linux):
            if k and k not in keys:
                results.setdefault(k, None)
    results.update(keys)
    with open(out, 'w') as f:
        json.dump(results, f, indent=2, sort_keys=False)
        f.write('\n')
    print('wrote %s (%.0f s)' % (out, time.monotonic() - t0))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
