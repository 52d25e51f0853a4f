# SPDX-License-Identifier: GPL-2.0-or-later
"""cpio.py: a newc cpio archive (an initramfs) written from memory, so no
root is needed to put device nodes or root-owned files in it."""

import os
import re
import stat
import subprocess


class Cpio:
    """Entries by path; write() emits them sorted, parents first."""

    def __init__(self):
        self.entries = {}

    def _add(self, name, mode, data=b"", rdev=(0, 0)):
        name = name.strip("/")
        parts = name.split("/")
        for i in range(1, len(parts)):
            d = "/".join(parts[:i])
            if d not in self.entries:
                self.entries[d] = (stat.S_IFDIR | 0o755, b"", (0, 0))
        self.entries[name] = (mode, data, rdev)

    def add_dir(self, name):
        self._add(name, stat.S_IFDIR | 0o755)

    def add_file(self, name, src=None, data=None, mode=None):
        if data is None:
            with open(src, "rb") as f:
                data = f.read()
            if mode is None:
                mode = os.stat(src).st_mode & 0o777
        self._add(name, stat.S_IFREG | (mode if mode is not None else 0o644),
                  data)

    def add_symlink(self, name, target):
        self._add(name, stat.S_IFLNK | 0o777, target.encode())

    def add_chardev(self, name, major, minor):
        self._add(name, stat.S_IFCHR | 0o600, b"", (major, minor))

    def add_binary(self, src, name=None):
        """Add an ELF program and every shared library ldd names (with the
        loader) at the same paths."""
        self.add_file(name or src, src=src)
        out = subprocess.run(["ldd", src], capture_output=True,
                             text=True).stdout
        for line in out.splitlines():
            m = re.search(r"(?:=>\s*)?(/\S+)\s+\(0x", line)
            if m and os.path.exists(m.group(1)):
                lib = m.group(1)
                self.add_file(lib, src=os.path.realpath(lib), mode=0o755)

    def add_tree(self, top, skip=()):
        """Add a directory tree at the same path: regular files and
        symlinks, leaving out directories named in skip and optimised
        bytecode (.opt-1/.opt-2.pyc)."""
        for d, dirs, files in os.walk(top):
            dirs[:] = [x for x in dirs if x not in skip]
            for f in files:
                p = os.path.join(d, f)
                if ".opt-" in f:
                    continue
                if os.path.islink(p):
                    self.add_symlink(p, os.readlink(p))
                elif os.path.isfile(p):
                    self.add_file(p, src=p)

    def write(self, path):
        ino = 1
        with open(path, "wb") as f:
            def pad(n):
                f.write(b"\0" * ((4 - n % 4) % 4))
            for name in sorted(self.entries) + ["TRAILER!!!"]:
                mode, data, rdev = self.entries.get(name, (0, b"", (0, 0)))
                nb = name.encode() + b"\0"
                fields = (ino, mode, 0, 0, 1 if name != "TRAILER!!!" else 0,
                          0, len(data), 0, 0, rdev[0], rdev[1], len(nb), 0)
                f.write(b"070701" + b"".join(b"%08X" % v for v in fields))
                f.write(nb)
                pad(110 + len(nb))
                f.write(data)
                pad(len(data))
                ino += 1
