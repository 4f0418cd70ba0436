#!/usr/bin/env python3
"""Runs capOS in QEMU: the one place that knows the QEMU command line.

Used by `make run`, `make debug`, the smoke-test runner and the benchmarks.
As a command:
    qemu.py --iso build/capos.iso [--uefi] [--accel kvm] [--gdb --symbols ELF]
    qemu.py --kernel build/kernel/capos32.elf --module M [--append "..."]
The exit status is 0 when the kernel ended the machine with success, 1 when
it reported a failure (a panic or kernel fault, a refused manifest, a failed
service, a stall), and QEMU's own status otherwise.
"""
import argparse
import os
import subprocess
import sys

OVMF = '/usr/share/ovmf/OVMF.fd'

# isa-debug-exit turns the kernel's exit value v into QEMU status (v << 1) | 1.
QEMU_STATUS_SUCCESS = 1
QEMU_STATUS_FAILURE = 3


def qemu_command(iso=None, kernel=None, module=None, append=None, uefi=False, accel='tcg',
                 smp=1, mem='512M', serial='stdio', gdb=False, icount=False, extra=(),
                 monitor=None):
    cmd = ['qemu-system-x86_64', '-machine', 'q35', '-m', mem, '-smp', str(smp),
           '-display', 'none', '-no-reboot',
           '-monitor', 'unix:%s,server=on,wait=off' % monitor if monitor else 'none',
           '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04', '-serial', serial]
    if accel == 'kvm':
        cmd += ['-accel', 'kvm', '-cpu', 'host']
    else:
        cmd += ['-accel', 'tcg', '-cpu', 'max']
    if icount:
        cmd += ['-icount', 'shift=0,sleep=off']
    if uefi:
        cmd += ['-bios', OVMF]
    if iso:
        cmd += ['-cdrom', iso, '-boot', 'd']
    else:
        cmd += ['-kernel', kernel]
        if module:
            cmd += ['-initrd', module]
        if append:
            cmd += ['-append', append]
    if gdb:
        cmd += ['-s', '-S']
    cmd += list(extra)
    return cmd


def cpu_states(monitor, timeout=5.0):
    """Every CPU's registers from QEMU's monitor at the unix socket
    `monitor` (qemu_command's): a list of (cpu, rip, cs), or [] if the
    monitor does not answer.  For a machine that stopped printing: where
    each CPU is, without the guest's help."""
    import re
    import socket
    import time
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect(monitor)
        s.sendall(b'info registers -a\n')
        data, end = b'', time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            data += chunk
            if data.count(b'RIP=') and data.rstrip().endswith(b'(qemu)'):
                break
        s.close()
    except OSError:
        return []
    text = data.decode(errors='replace')
    out = []
    for i, m in enumerate(re.finditer(r'RIP=([0-9a-f]+) RFL=[0-9a-f]+ \[[^\]]*\] CPL=(\d)', text)):
        out.append((i, int(m.group(1), 16), int(m.group(2))))
    return out


def map_status(rc):
    if rc == QEMU_STATUS_SUCCESS:
        return 0
    if rc == QEMU_STATUS_FAILURE:
        return 1
    return rc


# The kernel line after which bytes typed on the serial line are kept:
# the console's receive interrupt is on (earlier ones may be lost when it
# sets the UART up).
INPUT_READY = b'capOS: boot self-report complete'


def run_fed(cmd):
    """QEMU with our stdin (not a terminal: a pipe, a file, /dev/null)
    typed on the serial line once the kernel takes input, then ^D, which
    the terminal's line discipline turns into end of file for the program
    reading it: the default system's shell then ends, and the machine with
    it.  The serial line takes bytes as the guest's UART has room, so
    nothing is lost after that point."""
    import threading
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    ready = threading.Event()

    def pump():
        seen = b''
        out = sys.stdout.buffer
        while True:
            data = proc.stdout.read1(4096)
            if not data:
                break
            out.write(data)
            out.flush()
            if not ready.is_set():
                seen = (seen + data)[-4096:]
                if INPUT_READY in seen:
                    ready.set()
        ready.set()

    def feed():
        ready.wait()
        try:
            while True:
                data = os.read(sys.stdin.fileno(), 4096)
                if not data:
                    break
                proc.stdin.write(data)
                proc.stdin.flush()
            proc.stdin.write(b'\x04')
            proc.stdin.flush()
        except (BrokenPipeError, OSError):
            pass

    threading.Thread(target=pump, daemon=True).start()
    threading.Thread(target=feed, daemon=True).start()
    try:
        rc = proc.wait()
    except KeyboardInterrupt:
        proc.kill()
        rc = proc.wait()
    return rc


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--iso')
    ap.add_argument('--kernel')
    ap.add_argument('--module')
    ap.add_argument('--append')
    ap.add_argument('--uefi', action='store_true')
    ap.add_argument('--accel', default='tcg', choices=['tcg', 'kvm'])
    ap.add_argument('--smp', type=int, default=int(os.environ.get('SMP', '1')))
    ap.add_argument('--mem', default='512M')
    ap.add_argument('--gdb', action='store_true')
    ap.add_argument('--symbols')
    args = ap.parse_args()
    if not args.iso and not args.kernel:
        ap.error('give --iso or --kernel')
    cmd = qemu_command(iso=args.iso, kernel=args.kernel, module=args.module, append=args.append,
                       uefi=args.uefi, accel=args.accel, smp=args.smp, mem=args.mem,
                       gdb=args.gdb)
    if args.gdb:
        gdbinit = os.path.join(os.path.dirname(args.symbols or '.'), 'gdbinit')
        with open(gdbinit, 'w') as f:
            f.write('set architecture i386:x86-64\n')
            f.write('symbol-file %s\n' % os.path.abspath(args.symbols))
            f.write('target remote localhost:1234\n')
            f.write('hbreak kmain\n')
        print('QEMU is halted with its gdb stub on localhost:1234. In another terminal run:')
        print('    gdb -x %s' % gdbinit)
        print('then "continue" to boot to kmain.')
        sys.stdout.flush()
    if args.gdb or sys.stdin.isatty():
        rc = subprocess.call(cmd)
    else:
        rc = run_fed(cmd)
    sys.exit(map_status(rc))


if __name__ == '__main__':
    main()
