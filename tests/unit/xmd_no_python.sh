#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# xmd_no_python.sh: Python never runs inside xmd's address space. xmd
# evaluates configs by running xm-config, so it neither links libpython nor
# contains the embedding code (libxmcfg's load.c and py.c).
top_builddir=${top_builddir:-.}
xmd="$top_builddir/xmd/xmd"
echo "1..2"
if [ ! -x "$xmd" ]; then
	echo "not ok 1 - $xmd is not built"
	echo "not ok 2 - $xmd is not built"
	exit 0
fi
libs=$(ldd "$xmd" 2>&1 | grep -i python)
if [ -z "$libs" ]; then
	echo "ok 1 - ldd xmd/xmd: no libpython"
else
	echo "not ok 1 - ldd xmd/xmd: $libs"
fi
if ! command -v nm >/dev/null 2>&1; then
	echo "ok 2 # SKIP nm is not installed"
	exit 0
fi
syms=$(nm "$xmd" 2>/dev/null | grep -E ' (U|T|t) (Py|_Py|xmpy_run|xmcfg_load)' | head -3)
if [ -z "$syms" ]; then
	echo "ok 2 - no Python API and no in-process config evaluation in xmd"
else
	echo "not ok 2 - xmd has:" $syms
fi
