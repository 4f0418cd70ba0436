#!/usr/bin/env python3
"""mktree: writes a tree image (lib/fs/image.h) from a tree list.

    tools/mktree.py [-I DIR]... LIST OUT

A tree list says, one entry a line, what the file service starts with
(docs/storage.md, "The boot tree"):

    dir   PATH MODE
    file  PATH MODE SOURCE
    link  PATH TARGET

PATH is absolute in the tree (`/etc/motd`), MODE octal (at most 07777).
SOURCE is a file of the repository (relative to its top), or `@NAME`, a
file NAME in one of the -I directories (the build's programs).  A
directory a path needs and the list does not name is made with mode 0755.
A link is a symbolic link holding TARGET (1 to 4095 bytes), mode 0777.
`#` starts a comment.  capos-run builds on the same code (Tree).
"""
import os
import struct
import sys

MAGIC, VERSION = b'capOStre', 1
KIND_FILE, KIND_DIR, KIND_LINK = 0, 1, 2
MAX_ENTRIES, MAX_BYTES, MAX_DEPTH, MAX_PATH, MAX_NAME = 4096, 16 << 20, 32, 4095, 255
ROOT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))


class TreeError(Exception):
    pass


def split(path):
    """The names of an absolute guest path, checked as the service checks them."""
    if not path.startswith('/'):
        raise TreeError('%s: not an absolute path' % path)
    names = [n for n in path.split('/') if n]
    raw = path.encode('utf-8', 'surrogateescape')
    if not names or len(raw) - 1 > MAX_PATH or len(names) > MAX_DEPTH:
        raise TreeError('%s: a path of 1 to %d names and at most %d bytes is needed'
                        % (path, MAX_DEPTH, MAX_PATH))
    for n in names:
        b = n.encode('utf-8', 'surrogateescape')
        if n in ('.', '..') or len(b) > MAX_NAME or '\0' in n:
            raise TreeError('%s: %r is not a file name' % (path, n))
    return tuple(names)


class Tree:
    """Entries by their names' tuple: ('dir', mode), ('file', mode, bytes) or
    ('link', 0o777, target bytes)."""

    def __init__(self):
        self.entries = {}

    def _parents(self, names):
        for i in range(1, len(names)):
            e = self.entries.get(names[:i])
            if e is None:
                self.entries[names[:i]] = ('dir', 0o755)
            elif e[0] != 'dir':
                raise TreeError('/%s is a file, not a directory' % '/'.join(names[:i]))

    def add_dir(self, path, mode):
        names = split(path)
        self._parents(names)
        e = self.entries.get(names)
        if e is not None and e[0] != 'dir':
            raise TreeError('%s is a file, not a directory' % path)
        self.entries[names] = ('dir', mode & 0o7777)

    def add_file(self, path, mode, data):
        names = split(path)
        self._parents(names)
        e = self.entries.get(names)
        if e is not None and e[0] == 'dir':
            raise TreeError('%s is a directory' % path)
        self.entries[names] = ('file', mode & 0o7777, data)

    def add_link(self, path, target):
        names = split(path)
        self._parents(names)
        t = target.encode('utf-8', 'surrogateescape')
        if not 1 <= len(t) <= MAX_PATH or b'\0' in t:
            raise TreeError('%s: a link target is 1 to %d bytes without NUL' % (path, MAX_PATH))
        e = self.entries.get(names)
        if e is not None and e[0] == 'dir':
            raise TreeError('%s is a directory' % path)
        self.entries[names] = ('link', 0o777, t)

    def add_host_dir(self, host, path):
        """HOST's files and directories below PATH, modes kept (symbolic
        links followed, a loop ending at the depth limit; anything but
        files and directories refused)."""
        if not os.path.isdir(host):
            raise TreeError('%s: not a directory' % host)
        self.add_dir(path, os.stat(host).st_mode)
        base = path.rstrip('/')
        for dirpath, dirs, files in os.walk(host, followlinks=True):
            rel = os.path.relpath(dirpath, host)
            at = base if rel == '.' else base + '/' + rel.replace(os.sep, '/')
            for d in dirs:
                self.add_dir(at + '/' + d, os.stat(os.path.join(dirpath, d)).st_mode)
            for f in files:
                hp = os.path.join(dirpath, f)
                st = os.stat(hp)
                if not os.path.isfile(hp):
                    raise TreeError('%s: not a regular file' % hp)
                with open(hp, 'rb') as fh:
                    self.add_file(at + '/' + f, st.st_mode, fh.read())

    def image(self):
        """The image: entries in pre-order, siblings by byte order of their names."""
        keys = sorted(self.entries, key=lambda k: [n.encode('utf-8', 'surrogateescape')
                                                   for n in k])
        if len(keys) > MAX_ENTRIES:
            raise TreeError('%d entries (limit %d)' % (len(keys), MAX_ENTRIES))
        out = [MAGIC, struct.pack('<II', VERSION, len(keys))]
        total = 0
        for k in keys:
            e = self.entries[k]
            p = '/'.join(k).encode('utf-8', 'surrogateescape')
            data = e[2] if e[0] != 'dir' else b''
            if e[0] == 'file':
                total += len(data)
            kind = {'file': KIND_FILE, 'dir': KIND_DIR, 'link': KIND_LINK}[e[0]]
            out.append(struct.pack('<BBHIQ', kind, 0, len(p), e[1], len(data)))
            out.append(p)
            out.append(data)
        if total > MAX_BYTES:
            raise TreeError('%d bytes of contents (limit %d)' % (total, MAX_BYTES))
        return b''.join(out)


def read_list(tree, path, search):
    with open(path) as f:
        lines = f.read().splitlines()
    for no, line in enumerate(lines, 1):
        words = line.split('#', 1)[0].split()
        if not words:
            continue
        where = '%s:%d: ' % (path, no)
        if words[0] == 'link':
            try:
                if len(words) != 3:
                    raise TreeError('expected "link PATH TARGET"')
                tree.add_link(words[1], words[2])
            except TreeError as e:
                raise TreeError(where + str(e))
            continue
        try:
            mode = int(words[2], 8) if len(words) > 2 else -1
        except ValueError:
            raise TreeError(where + 'mode %r is not octal' % words[2])
        if not 0 <= mode <= 0o7777:
            raise TreeError(where + 'expected KIND PATH MODE with a mode of at most 07777')
        try:
            if words[0] == 'dir' and len(words) == 3:
                tree.add_dir(words[1], mode)
            elif words[0] == 'file' and len(words) == 4:
                src = words[3]
                if src.startswith('@'):
                    found = [os.path.join(d, src[1:]) for d in search
                             if os.path.isfile(os.path.join(d, src[1:]))]
                    if not found:
                        raise TreeError('%s is not in %s' % (src[1:], ', '.join(search)))
                    src = found[0]
                else:
                    src = os.path.join(ROOT, src)
                with open(src, 'rb') as fh:
                    tree.add_file(words[1], mode, fh.read())
            else:
                raise TreeError('expected "dir PATH MODE", "file PATH MODE SOURCE" or '
                                '"link PATH TARGET"')
        except (TreeError, OSError) as e:
            raise TreeError(where + str(e))


def main(argv):
    search, args = [], []
    it = iter(argv)
    for a in it:
        if a == '-I':
            search.append(next(it, ''))
        else:
            args.append(a)
    if len(args) != 2:
        sys.stderr.write(__doc__.split('\n')[2].strip() + '\n')
        return 2
    tree = Tree()
    try:
        read_list(tree, args[0], search)
        img = tree.image()
    except TreeError as e:
        sys.stderr.write('mktree: %s\n' % e)
        return 1
    tmp = args[1] + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(img)
    os.replace(tmp, args[1])
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
