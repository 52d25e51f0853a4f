#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-golden.sh: golden tests of config evaluation: tests/cfg/pass/NAME.cfg
# must print NAME.expected (stdout of `xm create -n NAME.cfg [ARGS]`, ARGS
# one per line in NAME.args) and, when NAME.warnings or NAME.notes exist,
# exactly those "Warning:" or "Note:" lines; tests/cfg/fail/NAME.cfg must
# exit non-zero with the "Error: ..." line of NAME.expected (or one of its
# lines: a busy loop on a badly overloaded host meets the wall-clock limit
# before the CPU limit); tests/cfg/refuse/NAME.cfg is a config a dry run
# shows and `xm create` refuses before it asks any daemon: the "Error: ..."
# line of NAME.expected. Uses $top_builddir/xmctl/xm when built, else
# tests/cfg/cfg-dump (which prints the same; --create for a create).
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=$(cd "${top_builddir:-.}" && pwd)
XM="$top_builddir/tests/cfg/cfg-dump -n"
CREATE="$top_builddir/tests/cfg/cfg-dump --create"
# xm when it is built and works (it may need helpers built beside it)
if [ -x "$top_builddir/xmctl/xm" ] &&
	(cd "$top_srcdir/tests/cfg/pass" &&
		"$top_builddir/xmctl/xm" create -n minimal.cfg) >/dev/null 2>&1; then
	XM="$top_builddir/xmctl/xm create -n"
	CREATE="$top_builddir/xmctl/xm create"
fi
case $XM in /*) ;; *) XM="$(pwd)/$XM" ;; esac
case $CREATE in /*) ;; *) CREATE="$(pwd)/$CREATE" ;; esac
dir="$top_srcdir/tests/cfg"
n=$(ls "$dir"/pass/*.cfg "$dir"/fail/*.cfg "$dir"/refuse/*.cfg | wc -l)
echo "1..$n"
echo "# using $XM"
i=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() { # dir name -> $tmp/out $tmp/err, exit status in $tmp/rc
	(
		cd "$1" || exit 99
		cfg="$2.cfg"
		if [ -f "$2.args" ]; then
			# one argument per line; no word splitting inside a line
			set -f
			IFS='
'
			# shellcheck disable=SC2046
			set -- $(cat "$2.args")
			unset IFS
			exec $XM "$cfg" "$@"
		fi
		exec $XM "$cfg"
	) >"$tmp/out" 2>"$tmp/err"
	echo $? >"$tmp/rc"
}
for f in "$dir"/pass/*.cfg; do
	i=$((i + 1))
	name=$(basename "$f" .cfg)
	run "$dir/pass" "$name"
	ok=yes
	[ "$(cat "$tmp/rc")" = 0 ] || ok=no
	diff -u "$dir/pass/$name.expected" "$tmp/out" >"$tmp/diff" || ok=no
	if [ -f "$dir/pass/$name.warnings" ]; then
		grep '^Warning: ' "$tmp/err" >"$tmp/warn"
		diff -u "$dir/pass/$name.warnings" "$tmp/warn" >>"$tmp/diff" || ok=no
	fi
	if [ -f "$dir/pass/$name.notes" ]; then
		grep '^Note: ' "$tmp/err" >"$tmp/notes"
		diff -u "$dir/pass/$name.notes" "$tmp/notes" >>"$tmp/diff" || ok=no
	fi
	if [ $ok = yes ]; then
		echo "ok $i - pass/$name"
	else
		echo "not ok $i - pass/$name (rc=$(cat "$tmp/rc"))"
		sed 's/^/# /' "$tmp/diff" "$tmp/err"
	fi
done
for f in "$dir"/fail/*.cfg; do
	i=$((i + 1))
	name=$(basename "$f" .cfg)
	run "$dir/fail" "$name"
	grep '^Error: ' "$tmp/err" | head -1 >"$tmp/got"
	diff -u "$dir/fail/$name.expected" "$tmp/got" >"$tmp/diff"
	if [ "$(cat "$tmp/rc")" != 0 ] && [ -s "$tmp/got" ] &&
		grep -qxF -f "$tmp/got" "$dir/fail/$name.expected"; then
		echo "ok $i - fail/$name"
	else
		echo "not ok $i - fail/$name (rc=$(cat "$tmp/rc"))"
		sed 's/^/# /' "$tmp/diff" "$tmp/err"
	fi
done
# a create must not reach a daemon: point xm at an empty root
mkdir -p "$tmp/root"
XMD_ROOT="$tmp/root"
export XMD_ROOT
XM=$CREATE
for f in "$dir"/refuse/*.cfg; do
	i=$((i + 1))
	name=$(basename "$f" .cfg)
	run "$dir/refuse" "$name"
	grep '^Error: ' "$tmp/err" | head -1 >"$tmp/got"
	if [ "$(cat "$tmp/rc")" != 0 ] &&
		diff -u "$dir/refuse/$name.expected" "$tmp/got" >"$tmp/diff"; then
		echo "ok $i - refuse/$name"
	else
		echo "not ok $i - refuse/$name (rc=$(cat "$tmp/rc"))"
		sed 's/^/# /' "$tmp/diff" "$tmp/err"
	fi
done
