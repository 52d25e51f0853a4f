#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# config-update.sh: replace the "## config" section of bench/README.md with
# the latest bench-config table (other sections are left alone; record.py).
# Usage: config-update.sh TABLE_FILE README
table=$1 readme=$2
here=$(dirname "$0")
body=$readme.body.$$
{
	printf 'Configs evaluated per second (`make bench-config`, %s, %s, load average %s).\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(uname -r)" "$(cut -d' ' -f1-3 /proc/loadavg)"
	printf 'Wall times move with other work on this shared 2-CPU host (the TCG QEMU of the\n'
	printf 'linux test tier often runs beside it): read them with the load average.\n'
	printf 'Goals: one `xm create -n` under 20 ms wall; a batch within 10x of libxlutil per config.\n\n'
	cat "$table"
} >"$body"
"${PYTHON3:-python3}" "$here/record.py" "$readme" config "$body"
rc=$?
rm -f "$body"
exit $rc
