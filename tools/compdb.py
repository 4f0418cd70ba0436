#!/usr/bin/env python3
"""Turns "compiler flags... -c FILE" lines into compile_commands.json.

`make compile_commands.json` writes one line per C file with the exact flags
its build uses; editors and clangd read the result.
"""
import json
import os
import shlex
import sys


def main():
    root = os.getcwd()
    entries = []
    with open(sys.argv[1]) as f:
        for line in f:
            args = shlex.split(line)
            if not args:
                continue
            entries.append({'directory': root, 'arguments': args, 'file': args[-1]})
    json.dump(entries, sys.stdout, indent=1)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
