#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""record.py: replace one "## NAME" section of bench/README.md with a
benchmark's latest table, leaving the other sections alone. Imported by the
bench runners; from make: record.py README NAME BODY_FILE."""
import os
import re
import sys

HEADER = "# Benchmarks\n\nLatest results of the bench/ runners (`make bench-*`).\n"


def record_section(readme, name, body):
    """Write body (text without the heading) as section "## name"."""
    old = open(readme).read() if os.path.exists(readme) else HEADER
    section = "## %s\n\n%s" % (name, body.strip("\n") + "\n")
    rx = re.compile(r"^## %s[ \t]*\n.*?(?=^## |\Z)" % re.escape(name),
                    re.S | re.M)
    if rx.search(old):
        new = rx.sub(lambda m: section + "\n", old, count=1)
    else:
        new = old.rstrip("\n") + "\n\n" + section
    with open(readme, "w") as f:
        f.write(new.rstrip("\n") + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: record.py README NAME BODY_FILE")
    record_section(sys.argv[1], sys.argv[2], open(sys.argv[3]).read())
