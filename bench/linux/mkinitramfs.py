#!/usr/bin/env python3
"""Writes the Linux benchmark's initramfs: an uncompressed newc cpio archive.

    mkinitramfs.py OUT.cpio --init BENCH --file /bench-child=CHILD

Written here rather than with cpio(1), which a fresh machine may lack.  The
archive is uncompressed so the kernel spends no boot time inflating it, and
byte-for-byte reproducible (fixed inode numbers, owners and mtimes).

It holds /init, the extra files, the directories /dev, /proc, /sys and the
device node /dev/console (5,1): the kernel opens /dev/console as /init's
stdin/stdout/stderr before running it, and without the node /init would
start with no output at all.

newc format (see the kernel's Documentation/driver-api/early-userspace/
buffer-format.rst): each entry is the magic "070701", thirteen 8-digit hex
fields, the NUL-terminated name padded to a 4-byte boundary (counting from
the start of the header), then the data padded to a 4-byte boundary.  The
archive ends with an entry named "TRAILER!!!".
"""
import argparse
import os
import stat
import sys

S_IFDIR = stat.S_IFDIR
S_IFREG = stat.S_IFREG
S_IFCHR = stat.S_IFCHR


def pad4(n):
    return (4 - n % 4) % 4


def entry(ino, name, mode, data=b'', rdev=(0, 0), nlink=1):
    name_b = name.encode() + b'\0'
    fields = [ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_b), 0]
    hdr = b'070701' + b''.join(b'%08X' % f for f in fields)
    out = hdr + name_b + b'\0' * pad4(len(hdr) + len(name_b))
    out += data + b'\0' * pad4(len(data))
    return out


def build(init_path, files):
    ents = [('dev', S_IFDIR | 0o755, b'', (0, 0), 2),
            ('dev/console', S_IFCHR | 0o600, b'', (5, 1), 1),
            ('proc', S_IFDIR | 0o555, b'', (0, 0), 2),
            ('sys', S_IFDIR | 0o555, b'', (0, 0), 2)]
    with open(init_path, 'rb') as f:
        ents.append(('init', S_IFREG | 0o755, f.read(), (0, 0), 1))
    for dest, src in files:
        with open(src, 'rb') as f:
            ents.append((dest.lstrip('/'), S_IFREG | 0o755, f.read(), (0, 0), 1))
    blob = b''
    for ino, (name, mode, data, rdev, nlink) in enumerate(ents, start=1):
        blob += entry(ino, name, mode, data, rdev, nlink)
    blob += entry(0, 'TRAILER!!!', 0)
    # The kernel needs no more, but padding to 512 bytes matches what cpio(1)
    # writes and keeps concatenation with another archive well-formed.
    blob += b'\0' * ((512 - len(blob) % 512) % 512)
    return blob


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('out')
    ap.add_argument('--init', required=True, help='the program to run as /init')
    ap.add_argument('--file', action='append', default=[], metavar='/DEST=SRC',
                    help='an extra executable file')
    args = ap.parse_args()
    files = []
    for spec in args.file:
        dest, sep, src = spec.partition('=')
        if not sep or not dest.startswith('/') or '/' in dest[1:]:
            ap.error('--file wants /NAME=SRC (top-level names only): %r' % spec)
        files.append((dest, src))
    blob = build(args.init, files)
    tmp = args.out + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(blob)

    os.replace(tmp, args.out)
    return 0


if __name__ == '__main__':
    sys.exit(main())
