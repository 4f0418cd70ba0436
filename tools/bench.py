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
  capos-posix    the POSIX benchmark (bench/posix/posix_bench.c) alone
  capos-posix-hello  the POSIX hello world of the memory row alone
  capos-posix-files  the file rows (bench/posix/posix_files.c) with the file service
  capos-fs-calls     the file service's own calls (user/bench/fscalls.c)
  capos-lua          the Lua rows (bench/posix/lua_bench.c)

The Linux boot runs the same POSIX programs, built with musl, as /init's
last work.  One figure is not a path length: capos_run_true_wall_ms, the
median wall time of 5 runs of `tools/capos-run` on a program that returns
0, measured on the host after the boots (it depends on the host and its
load).

Then, one at a time and alone on the host, the IPC throughput boots: the
capOS kernel with each scale module (--capos-scale-module, "{}" replaced by
procs1, procs2, procs4, threads1, threads2, threads4) on 4 vCPUs with
multi-threaded TCG and WITHOUT icount.  Their figures are calls per second
of guest time, which runs with the host's clock: they depend on the host and
its load, are not deterministic and are reported in a section of their own
("scaling" in results.json, "accel": "tcg-mttcg"), with the kernel's
per-CPU lock-contention counters from the lines it prints at halt
("cpuN: ... lock spins").

Contract for a boot: the guest prints lines `BENCH <key> <integer>` on its
first serial port and then a line `BENCH_END`, after which it should end
QEMU (capOS: isa-debug-exit; Linux: ACPI power-off).  A guest that halts
instead is stopped once BENCH_END is seen.  `INFO error ...` and
`INFO warning ...` lines are repeated in the report.

Output: the table on stdout and --out-dir/results.json, which holds
"accel": "tcg-icount", every key of every boot at the top level (keys of
the rows that were not measured are null), "meta" (kernel package, QEMU
version, date, capOS status), "rows" (the table) and "scaling" (the
throughput section; its keys are also at the top level).

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
    Row('ipc_rt_cross_cpu_insns', None, 'IPC round trip, client CPU 0, server CPU 1 (2 vCPUs)'),
    Row('ipc_rt_smp2_same_cpu_insns', None, 'IPC round trip, both on CPU 0 (2 vCPUs)'),
    Row('ipc_rt_64b_insns', 'linux_pipe_rt_64b_insns',
        'IPC round trip, 64 B / pipe ping-pong (64 B)'),
    Row('ipc_oneway_insns', 'linux_pipe_rt_insns',
        'IPC one-way send / pipe ROUND TRIP'),
    Row(None, 'linux_pipe_rt_early_insns', 'pipe ping-pong, wakeup-preempting phase'),
    Row(None, 'linux_futex_rt_early_insns', 'futex ping-pong, wakeup-preempting phase'),
    Row('thread_create_join_insns', 'linux_thread_create_join_insns',
        'thread create + join'),
    Row('thread_memory_bytes', None, 'kernel memory per thread (bytes)'),
    Row('spawn_wait_insns', 'linux_spawn_wait_insns',
        'spawn + wait, child without runtime / without libc'),
    Row('spawn_wait_rt_insns', 'linux_spawn_wait_libc_insns',
        'spawn + wait, child with runtime / static glibc'),
    Row('page_fault_insns', 'linux_page_fault_insns',
        'fresh 4 KiB page: map + first write / write fault (mean)'),
    Row(None, 'linux_page_fault_p50_insns', '4 KiB write fault, median single fault'),
    Row('boot_to_init_insns', 'linux_vmlinux_boot_to_init_insns',
        'reset to first init instruction, uncompressed kernel'),
    Row(None, 'linux_boot_to_init_insns', 'reset to /init, Debian bzImage (xz inflate)'),
    Row(None, 'linux_kernel_to_init_ns', "bzImage: kernel's clock at /init (ns)"),
    Row('posix_getpid_insns', 'linux_posix_getpid_insns', 'POSIX (musl): getpid'),
    Row('posix_clock_gettime_insns', 'linux_posix_clock_gettime_insns',
        'POSIX (musl): clock_gettime MONOTONIC / vDSO'),
    Row('posix_pipe_rt_insns', 'linux_posix_pipe_rt_insns',
        'POSIX (musl): pipe ping-pong (1 B) between threads'),
    Row('posix_thread_create_join_insns', 'linux_posix_thread_create_join_insns',
        'POSIX (musl): pthread_create + pthread_join'),
    Row('posix_mutex_uncontended_insns', 'linux_posix_mutex_uncontended_insns',
        'POSIX (musl): mutex lock + unlock, uncontended'),
    Row('posix_hello_kib', 'linux_posix_hello_kib',
        'POSIX hello world: memory charged (KiB) / Rss (smaps_rollup)'),
    Row('capos_run_true_wall_ms', None, 'capos-run of a program that returns 0 (ms, host wall)'),
    Row('file_open_close_insns', 'linux_file_open_close_insns',
        'files (file service / tmpfs): open + close'),
    Row('file_stat_insns', 'linux_file_stat_insns', 'files: stat'),
    Row('file_read_4k_insns', 'linux_file_read_4k_insns', 'files: pread 4 KiB'),
    Row('file_seq_read_64k_insns_per_kib', 'linux_file_seq_read_64k_insns_per_kib',
        'files: read 64 KiB in one call, per KiB'),
    Row('file_seq_write_64k_insns_per_kib', 'linux_file_seq_write_64k_insns_per_kib',
        'files: write 64 KiB in one call, per KiB'),
    Row('file_create_unlink_insns', 'linux_file_create_unlink_insns',
        'files: create + close + unlink'),
    Row('dir_list_1000_insns', 'linux_dir_list_1000_insns',
        'files: opendir + readdir of 1000 entries + closedir'),
    Row('posix_spawn_wait_insns', 'linux_posix_spawn_wait_insns',
        'POSIX (musl): posix_spawn of a static program from its file + waitpid'),
    Row('fork_wait_insns', 'linux_fork_wait_insns',
        'POSIX (musl): fork + _exit in the child + waitpid'),
    Row('fs_open_release_call_insns', None, 'file service: Directory.open + release'),
    Row('fs_stat_call_insns', None, 'file service: File.stat'),
    Row('fs_read_4k_call_insns', None, 'file service: File.read 4 KiB'),
    Row('fs_read_64k_calls_insns_per_kib', None, 'file service: 2 File.read of 32 KiB, per KiB'),
    Row('fs_write_64k_calls_insns_per_kib', None, 'file service: 2 File.write of 32 KiB, per KiB'),
    Row('fs_create_remove_calls_insns', None, 'file service: open (create) + release + remove'),
    Row('fs_list_1000_calls_insns', None, 'file service: 8 Directory.list pages (1000 entries)'),
    Row('lua_fib30_insns', 'linux_lua_fib30_insns',
        'Lua 5.4, the same build: recursive fib(30)'),
    Row('lua_cap_call_insns', None,
        'capos-lua: caps.timer:now() from Lua (cf. timer_now_call_insns)'),
]

# Kernel command line for Linux: serial console, no boot chatter, and a
# reboot (which -no-reboot turns into QEMU exiting) should /init die.
# Mitigations stay at the kernel's defaults: the figures are Debian's kernel
# as shipped.
LINUX_APPEND = 'console=ttyS0 quiet panic=-1'

BENCH_RE = re.compile(r'^BENCH (\S+) (-?\d+)\s*$')
# What the capOS kernel prints at halt: per-CPU scheduler and lock
# contention counters, and the IPC path counters.
CPU_RE = re.compile(r'^cpu(\d+): (\d+) switches, (\d+) steals, (\d+) ticks, idle (\d+) ms, '
                    r'(\d+) lock spins')
IPC_RE = re.compile(r'^ipc: (\d+) calls met a waiting receiver, (\d+) were queued first; '
                    r'(\d+) direct switches')
# What the capOS kernel prints when init first enters user mode: under
# icount, the instructions executed since reset (boot_to_init_insns).
INIT_RE = re.compile(r"^boot: init's first instruction at TSC (\d+)$")

# The IPC throughput systems (bench/capos/bench-scale.capnp): variant, pairs.
SCALE_SYSTEMS = [('procs', 1), ('procs', 2), ('procs', 4),
                 ('threads', 1), ('threads', 2), ('threads', 4)]
SCALE_CPUS = 4
SCALE_CAVEAT = ('Multi-threaded TCG without icount: calls per second of guest time, which follows '
                'the host clock. Not deterministic; depends on the host and its load. %d vCPUs '
                'run on %d host CPUs, so the best possible ratio for 4 pairs is about %d.')


# Fewer idle host CPUs than this before a throughput boot marks the run as
# taken on a busy host.
HOST_BUSY_IDLE = 1.5


def scale_prefix(variant):
    """Key prefix of a throughput variant's figures."""
    return 'ipc_throughput_' if variant == 'procs' else 'ipc_throughput_threads_'


class Boot:
    """One QEMU run whose serial log carries BENCH lines."""

    def __init__(self, name, qemu_args, timeout, rename=None, keep=None, mttcg=False,
                 boot_key=None):
        self.name = name
        self.boot_key = boot_key    # key for the kernel's "init's first instruction" line
        self.qemu_args = qemu_args  # for qemu.qemu_command, less the serial port
        self.mttcg = mttcg          # multi-threaded TCG (qemu_args without icount)
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
        self.host_cpu = None        # QEMU's user + system CPU seconds
        self.cpus = []              # the kernel's per-CPU lines at halt
        self.ipc = None             # its IPC counters at halt
        self.error = None

    def run(self, out_dir):
        self.log = os.path.join(out_dir, self.name + '.log')
        if os.path.exists(self.log):
            os.unlink(self.log)
        cmd = qemu.qemu_command(serial='file:' + self.log, **self.qemu_args)
        if self.mttcg:
            cmd[cmd.index('-accel') + 1] = 'tcg,thread=multi'
        t0 = time.monotonic()
        # QEMU's own messages go to a file, not a pipe nobody drains while
        # it runs.
        qemu_log = os.path.join(out_dir, self.name + '.qemu.txt')
        qf = open(qemu_log, 'wb')
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=qf, stderr=subprocess.STDOUT)
        seen_end = None
        while True:
            if self._reap(p, 0.5):
                break
            now = time.monotonic()
            if seen_end is None and self._log_has_end():
                seen_end = now
            # A guest that halts after BENCH_END instead of ending QEMU.
            if seen_end is not None and now - seen_end > 5:
                p.kill()
                self._reap(p, None)
                break
            if now - t0 > self.timeout:
                p.kill()
                self._reap(p, None)
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

    def _reap(self, p, timeout):
        """Waits up to `timeout` s (None: for good) for QEMU to end; records
        its status and the CPU time it used.  True once it has ended."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG if timeout is not None else 0)
            if pid:
                p.returncode = os.waitstatus_to_exitcode(status)
                self.host_cpu = ru.ru_utime + ru.ru_stime
                return True
            if deadline is None or time.monotonic() >= deadline:
                return False
            time.sleep(0.05)

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
            m = CPU_RE.match(line)
            if m:
                v = [int(x) for x in m.groups()]
                self.cpus.append({'cpu': v[0], 'switches': v[1], 'steals': v[2], 'ticks': v[3],
                                  'idle_ms': v[4], 'lock_spins': v[5]})
                continue
            m = IPC_RE.match(line)
            if m:
                v = [int(x) for x in m.groups()]
                self.ipc = {'direct': v[0], 'queued': v[1], 'direct_switches': v[2]}
                continue
            m = INIT_RE.match(line)
            if m:
                if self.boot_key:
                    self.keys[self.boot_key] = int(m.group(1))
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
        args.timeout, boot_key='boot_to_init_insns')]
    # Cross-CPU figures need a second vCPU.  Under icount QEMU runs the vCPUs
    # round-robin on one host thread and the TSC is one virtual clock, so a
    # figure from this boot counts the instructions of both CPUs (spinning
    # included) between the two reads.
    if args.capos_smp2_module and os.path.exists(args.capos_smp2_module):
        boots.append(Boot('capos-smp2', dict(
            kernel=args.capos_kernel, module=args.capos_smp2_module, icount=True, smp=2),
            args.timeout))
    for name, mod in (('capos-posix', args.capos_posix_module),
                      ('capos-posix-hello', args.capos_posix_hello_module),
                      ('capos-posix-files', args.capos_posix_files_module),
                      ('capos-fs-calls', args.capos_fs_calls_module),
                      ('capos-lua', args.capos_lua_module)):
        if mod and os.path.exists(mod):
            boots.append(Boot(name, dict(kernel=args.capos_kernel, module=mod, icount=True,
                                         smp=1), args.timeout))
    return boots, 'ok'


def scale_boots(args):
    """The IPC throughput boots (multi-threaded TCG, no icount), if wanted
    and their modules exist, as (variant, pairs, Boot): --scale-runs of
    each, interleaved so that a burst of host load does not hit one system
    only."""
    if args.linux_only or args.no_scale or not os.path.exists(args.capos_kernel):
        return []
    boots = []
    for run in range(max(1, args.scale_runs)):
        for variant, n in SCALE_SYSTEMS:
            mod = args.capos_scale_module.replace('{}', '%s%d' % (variant, n))
            if not os.path.exists(mod):
                continue
            name = 'capos-scale-%s%d' % (variant, n) + ('-%d' % (run + 1) if run else '')
            boots.append((variant, n, Boot(
                name, dict(kernel=args.capos_kernel, module=mod, icount=False, smp=SCALE_CPUS),
                min(args.timeout, 120), keep={'ipc_scale_calls_per_s'}, mttcg=True)))
    return boots


def capos_run_wall_ms(program, runs=5):
    """Median wall time in ms of `tools/capos-run PROGRAM`, or None if a run
    fails."""
    times = []
    for _ in range(runs):
        t0 = time.monotonic()
        p = subprocess.run([os.path.join(ROOT, 'tools', 'capos-run'), program],
                           capture_output=True)
        if p.returncode != 0:
            return None
        times.append((time.monotonic() - t0) * 1000)
    times.sort()
    return int(round(times[len(times) // 2]))


def wait_for_idle_host(limit):
    """Waits up to `limit` seconds for HOST_BUSY_IDLE idle host CPUs;
    returns the last sample."""
    deadline = time.monotonic() + limit
    while True:
        idle = host_idle_cpus()
        if idle is None or idle >= HOST_BUSY_IDLE or time.monotonic() >= deadline:
            return idle


def host_idle_cpus(seconds=0.5):
    """How many host CPUs were idle over the next `seconds` (/proc/stat)."""
    def sample():
        with open('/proc/stat') as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return v[3] + v[4], sum(v[:8])
    try:
        i0, t0 = sample()
        time.sleep(seconds)
        i1, t1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    return round((i1 - i0) / max(1, t1 - t0) * (os.cpu_count() or 1), 2)


def scaling_results(sboots, keys, idle):
    """Adds the throughput figures (the best run of each system), ratios and
    lock-spin totals to keys; returns the section of results.json that
    describes them."""
    rows, boots = [], {}
    best = {}
    for variant, n, b in sboots:
        rate = b.keys.get('ipc_scale_calls_per_s')
        spins = sum(c['lock_spins'] for c in b.cpus) if b.cpus else None
        boots[b.name] = {
            'variant': variant, 'pairs': n, 'calls_per_s': rate,
            'wall_s': round(b.wall, 2),
            'qemu_host_cpus': round(b.host_cpu / b.wall, 2) if b.host_cpu and b.wall else None,
            'host_idle_cpus_before': idle.get(b.name), 'lock_spins': spins, 'cpus': b.cpus,
            'ipc': b.ipc, 'error': b.error,
        }
        # The best run, among those that started on an idle host if any did.
        quiet = idle.get(b.name) is None or idle[b.name] >= HOST_BUSY_IDLE
        rank = (quiet, rate if rate is not None else -1)
        if rate is not None and rank > best.get((variant, n), ((False, -1),))[0]:
            best[(variant, n)] = (rank, rate, spins, b)
    for variant in ('procs', 'threads'):
        pre = scale_prefix(variant)
        for n in (1, 2, 4):
            if (variant, n) in best:
                _, rate, spins, b = best[(variant, n)]
                keys['%s%dpair_calls_per_s' % (pre, n)] = rate
                if spins is not None:
                    keys['%s%dpair_lock_spins' % (pre, n)] = spins
        base = keys.get('%s1pair_calls_per_s' % pre)
        for n in (2, 4):
            rate = keys.get('%s%dpair_calls_per_s' % (pre, n))
            if base and rate:
                keys['%sscaling_%dcpu' % (pre, n)] = round(rate / base, 3)
        for n in (1, 2, 4):
            if (variant, n) not in best:
                continue
            _, rate, spins, b = best[(variant, n)]
            rows.append({'variant': variant, 'pairs': n, 'calls_per_s': rate,
                         'ratio_to_1pair': 1.0 if n == 1 else
                         keys.get('%sscaling_%dcpu' % (pre, n)),
                         'lock_spins': spins,
                         'lock_spins_per_cpu': [c['lock_spins'] for c in b.cpus],
                         'runs': [v['calls_per_s'] for v in boots.values()
                                  if v['variant'] == variant and v['pairs'] == n],
                         'boot': b.name})
    host = os.cpu_count() or 1
    return {
        'accel': 'tcg-mttcg',
        'qemu_args': '-accel tcg,thread=multi -cpu max -smp %d -m 512M (no icount)' % SCALE_CPUS,
        'host_cpus': host,
        'caveat': SCALE_CAVEAT % (SCALE_CPUS, host, min(host, SCALE_CPUS)),
        'figure': 'the best run of each system, among those started on an idle host if any',
        'host_busy': any(boots[r['boot']]['host_idle_cpus_before'] is not None and
                         boots[r['boot']]['host_idle_cpus_before'] < HOST_BUSY_IDLE
                         for r in rows),
        'rows': rows,
        'boots': boots,
    }


def print_scaling(section):
    if not section['rows']:
        return
    print()
    print('IPC throughput, N client/server pairs, pair i on CPU i (%s)' % section['qemu_args'])
    print('NOT deterministic: ' + section['caveat'])
    head = '%-32s  %5s  %10s  %9s  %10s  %-18s  %s' % (
        'variant', 'pairs', 'calls/s', 'vs 1 pair', 'lock spins', 'spins per CPU', 'runs')
    print(head)
    print('-' * len(head))
    names = {'procs': 'separate processes per pair',
             'threads': 'one client + one server process'}
    for r in section['rows']:
        ratio = '%.3f' % r['ratio_to_1pair'] if r['ratio_to_1pair'] is not None else 'n/a'
        print('%-32s  %5d  %10s  %9s  %10s  %-18s  %s' % (
            names[r['variant']], r['pairs'], fmt(r['calls_per_s']), ratio, fmt(r['lock_spins']),
            '/'.join(str(x) for x in r['lock_spins_per_cpu']) or 'n/a',
            ' '.join(fmt(x) for x in r['runs'])))
    b = section['boots']
    idle = [v['host_idle_cpus_before'] for v in b.values() if v['host_idle_cpus_before'] is not None]
    used = [v['qemu_host_cpus'] for v in b.values() if v['qemu_host_cpus'] is not None]
    if idle:
        print('host CPUs idle just before each boot: %s; host CPUs QEMU used per boot: %s' %
              (' '.join('%.1f' % x for x in idle), ' '.join('%.1f' % x for x in used)))
    if section.get('host_busy'):
        print('warning: the host was busy (fewer than %.1f CPUs idle before a reported boot): '
              'these figures say more about the host than about capOS; try --scale-wait' %
              HOST_BUSY_IDLE)


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
    ap.add_argument('--capos-scale-module',
                    default=os.path.join(BUILD, 'bench', 'capos-bench-scale-{}.bin'),
                    help='IPC throughput modules, {} = procs1 ... threads4 (4 vCPUs, no icount)')
    ap.add_argument('--capos-posix-module',
                    default=os.path.join(BUILD, 'bench', 'capos-bench-posix.bin'))
    ap.add_argument('--capos-posix-hello-module',
                    default=os.path.join(BUILD, 'bench', 'capos-bench-posix-hello.bin'))
    ap.add_argument('--capos-posix-files-module',
                    default=os.path.join(BUILD, 'bench', 'capos-bench-posix-files.bin'))
    ap.add_argument('--capos-fs-calls-module',
                    default=os.path.join(BUILD, 'bench', 'capos-bench-fs-calls.bin'))
    ap.add_argument('--capos-lua-module',
                    default=os.path.join(BUILD, 'bench', 'capos-bench-lua.bin'))
    ap.add_argument('--capos-posix-true',
                    default=os.path.join(BUILD, 'bench', 'posix', 'capos', 'posix_true'),
                    help='the program capos_run_true_wall_ms runs')
    ap.add_argument('--no-scale', action='store_true',
                    help='skip the IPC throughput boots (multi-threaded TCG)')
    ap.add_argument('--scale-runs', type=int, default=1,
                    help='boots of each throughput system; the best run is reported')
    ap.add_argument('--scale-wait', type=int, default=0,
                    help='seconds to wait, before each throughput boot, for an idle host')
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
    print('bench: booting %s (QEMU TCG, -icount shift=0,sleep=off)...' %
          ', '.join(b.name for b in boots))
    sys.stdout.flush()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        list(ex.map(lambda b: b.run(args.out_dir), boots))
    # The throughput boots measure time, not instructions: one at a time,
    # with nothing else of ours running.
    sboots = scale_boots(args)
    idle = {}
    if sboots:
        print('bench: booting %s (QEMU multi-threaded TCG, no icount, %d vCPUs), one at a time...' %
              (', '.join(b.name for _, _, b in sboots), SCALE_CPUS))
        sys.stdout.flush()
    for _, _, b in sboots:
        idle[b.name] = wait_for_idle_host(args.scale_wait)
        b.run(args.out_dir)

    wall = None
    if not args.linux_only and os.path.exists(args.capos_posix_true):
        wall = capos_run_wall_ms(args.capos_posix_true)

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

    if wall is not None:
        keys['capos_run_true_wall_ms'] = wall
    for _, _, b in sboots:
        if b.error:
            failed.append(b)
            capos_status = 'failed: %s: %s' % (b.name, b.error)
    scaling = scaling_results(sboots, keys, idle)

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
    extra = sorted(k for k in keys if k not in in_rows and not k.startswith('ipc_throughput_'))
    if extra:
        print('\nalso measured: ' + ', '.join('%s %s' % (k, fmt(keys[k])) for k in extra))
    for b in boots + [b for _, _, b in sboots]:
        for n in b.notes:
            print('%s: %s' % (b.name, n))
        if b.error:
            print('%s: FAILED: %s' % (b.name, b.error))
        else:
            print('%s: %d figures in %.0f s wall, log %s' %
                  (b.name, len(b.keys), b.wall, b.log))
    print_scaling(scaling)

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
        'scaling': scaling,
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
