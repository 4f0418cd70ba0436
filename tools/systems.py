#!/usr/bin/env python3
"""Lists the systems `make run SYSTEM=NAME` can boot: one line per
system/NAME.capnp with its description, the first sentence of the comment
block at the top of the file (before the `@0x...;` file id).

    systems.py DIR          (make systems runs it on system/)
    systems.py --check DIR  exit 1 naming every file without a description
"""
import os
import re
import sys


def description(path):
    """The first sentence of the file's leading comment, on one line."""
    words = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            s = line.strip()
            if not s.startswith('#'):
                break
            words.extend(s.lstrip('#').split())
    text = ' '.join(words)
    m = re.match(r'(.+?[.!?])(\s|$)', text)
    return m.group(1) if m else text


def main():
    args = sys.argv[1:]
    check = args[:1] == ['--check']
    if check:
        args = args[1:]
    if len(args) != 1:
        sys.exit('usage: systems.py [--check] DIR')
    d = args[0]
    names = sorted(f[:-len('.capnp')] for f in os.listdir(d) if f.endswith('.capnp'))
    if check:
        bad = [n for n in names if not description(os.path.join(d, n + '.capnp'))]
        for n in bad:
            print('%s/%s.capnp: no description (a leading comment)' % (d, n))
        sys.exit(1 if bad or not names else 0)
    width = max(len(n) for n in names) if names else 0
    for n in names:
        desc = description(os.path.join(d, n + '.capnp')) or '(no description)'
        print('%-*s  %s' % (width, n, desc))
    print('\nboot one with: make run SYSTEM=NAME')


if __name__ == '__main__':
    main()
