#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz_elf target.

Usage: mkcorpus.py OUTDIR [REAL.elf...]

Seeds are tiny hand-built executables: a few valid ones (plain, with TLS,
with ignored header types) and one malformed variant per family of checks,
so the fuzzer starts next to every decision elf_parse() makes.  Any REAL.elf
given (the linked fixtures from tests/elf/elf.mk) is copied in as well.  The
committed corpus was made with
    tests/elf/mkcorpus.py tests/fuzz/corpus/elf build/elf/plain_2m.elf build/elf/tls_nosep.elf
"""
import os
import shutil
import struct
import sys

PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_NOTE, PT_PHDR, PT_TLS = 1, 2, 3, 4, 6, 7
PT_GNU_STACK = 0x6474e551
R, W, X = 4, 2, 1


def image(phdrs, entry=0x400080, etype=2, machine=62, osabi=0, size=0x300, phnum=None):
    """An ELF64 file: header, program headers at 64, then 0xcc filler to `size`."""
    ident = b'\x7fELF' + bytes([2, 1, 1, osabi]) + bytes(8)
    n = len(phdrs) if phnum is None else phnum
    hdr = ident + struct.pack('<HHIQQQIHHHHHH', etype, machine, 1, entry, 64, 0, 0, 64, 56, n,
                              64, 0, 0)
    body = b''.join(struct.pack('<IIQQQQQQ', t, f, off, va, va, fsz, msz, al)
                    for t, f, off, va, fsz, msz, al in phdrs)
    data = hdr + body
    data += b'\xcc' * max(0, size - len(data))
    return data[:size]


TEXT = (PT_LOAD, R | X, 0, 0x400000, 0x200, 0x200, 0x1000)
DATA = (PT_LOAD, R | W, 0x200, 0x401200, 0x100, 0x3000, 0x1000)
STACK = (PT_GNU_STACK, R | W, 0, 0, 0, 0, 16)
TLS = (PT_TLS, R, 0x210, 0x401210, 0x20, 0x60, 16)

SEEDS = {
    'valid-base': image([TEXT, DATA, STACK]),
    'valid-tls': image([TEXT, DATA, TLS, STACK]),
    'valid-one-segment': image([TEXT], size=0x200),
    'valid-extra-headers': image([(PT_PHDR, R, 64, 0x400040, 0x118, 0x118, 8), TEXT,
                                  (PT_NOTE, R, 0x100, 0x400100, 0x20, 0x20, 4), DATA, STACK,
                                  (0x6474e553, R, 0, 0, 0, 0, 8)]),
    'bad-pie': image([TEXT, DATA], etype=3),
    'bad-osabi': image([TEXT, DATA], osabi=3),
    'bad-machine': image([TEXT, DATA], machine=3),
    'bad-interp': image([TEXT, (PT_INTERP, R, 0x100, 0x400100, 0x1c, 0x1c, 1), DATA]),
    'bad-dynamic': image([TEXT, DATA, (PT_DYNAMIC, R | W, 0x200, 0x401200, 0x40, 0x40, 8)]),
    'bad-execstack': image([TEXT, DATA, (PT_GNU_STACK, R | W | X, 0, 0, 0, 0, 16)]),
    'bad-wx': image([TEXT, (PT_LOAD, R | W | X, 0x200, 0x401200, 0x100, 0x3000, 0x1000)]),
    'bad-overlap': image([TEXT, (PT_LOAD, R | W, 0x200, 0x400200, 0x100, 0x100, 0x1000)]),
    'bad-order': image([DATA, TEXT]),
    'bad-filesz': image([TEXT, (PT_LOAD, R | W, 0x200, 0x401200, 0x4000, 0x3000, 0x1000)]),
    'bad-congruence': image([TEXT, (PT_LOAD, R | W, 0x200, 0x401210, 0x100, 0x100, 0x1000)]),
    'bad-huge-bss': image([TEXT, (PT_LOAD, R | W, 0x200, 0x401200, 0x100, 1 << 44, 0x1000)]),
    'bad-entry': image([TEXT, DATA], entry=0x401200),
    'bad-tls-outside': image([TEXT, DATA, (PT_TLS, R, 0x2e0, 0x402000, 0x10, 0x20, 8)]),
    'bad-phnum': image([TEXT, DATA], phnum=0xffff),
    'bad-truncated': image([TEXT, DATA])[:150],
}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, data in sorted(SEEDS.items()):
        with open(os.path.join(out, name + '.elf'), 'wb') as f:
            f.write(data)
    for path in sys.argv[2:]:
        shutil.copyfile(path, os.path.join(out, 'linked-' + os.path.basename(path)))


if __name__ == '__main__':
    main()
