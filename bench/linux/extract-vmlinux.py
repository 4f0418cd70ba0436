#!/usr/bin/env python3
"""Extracts the uncompressed kernel (vmlinux, an ELF) from a bzImage.

    extract-vmlinux.py BZIMAGE OUT

Why: QEMU's -kernel boots an ELF vmlinux through its PVH entry point (Debian
builds with CONFIG_PVH), which skips the bzImage's own decompressor.  Under
TCG that decompressor is most of the boot: inflating Debian's 66 MB xz
payload takes ~4.5 billion guest instructions, against ~1.6 billion for
firmware plus the whole kernel boot.  capOS is booted uncompressed, so the
like-for-like boot figure is Linux's vmlinux; the bzImage figure is kept
next to it.

The payload is located through the boot protocol header rather than by
searching for a magic number: setup_sects (offset 0x1f1) gives the size of
the real-mode part, and payload_offset/payload_length (0x248/0x24c) locate
the compressed kernel inside the protected-mode part.
"""
import gzip
import lzma
import os
import struct
import sys


def extract(data):
    if data[0x202:0x206] != b'HdrS':
        raise ValueError('not a bzImage (no HdrS boot protocol header)')
    setup_sects = data[0x1f1] or 4
    pm_start = (setup_sects + 1) * 512
    off, length = struct.unpack_from('<II', data, 0x248)
    payload = data[pm_start + off:pm_start + off + length]
    if payload.startswith(b'\xfd7zXZ\x00'):
        out = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(payload)
    elif payload.startswith(b'\x1f\x8b'):
        out = gzip.decompress(payload)
    else:
        raise ValueError('unsupported payload compression (magic %s)' % payload[:6].hex())
    if not out.startswith(b'\x7fELF'):
        raise ValueError('payload is not an ELF image')
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[2].strip())
    with open(sys.argv[1], 'rb') as f:
        data = f.read()
    try:
        out = extract(data)
    except ValueError as e:
        sys.exit('extract-vmlinux: %s: %s' % (sys.argv[1], e))
    tmp = sys.argv[2] + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(out)
    os.replace(tmp, sys.argv[2])


if __name__ == '__main__':
    main()
