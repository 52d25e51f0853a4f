#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# install_tree.sh: what `make install DESTDIR=...` puts in place, checked
# from the staged tree: every installed program has a man page, the
# host files are there with their paths substituted, a program builds and
# links against the installed libxmhv and libxmcfg through pkg-config alone,
# the shell scripts parse, and make uninstall leaves no file behind.
top_builddir=${top_builddir:-.}
make=${MAKE:-make}
stage=$(mktemp -d "${TMPDIR:-/tmp}/xm-install.XXXXXX")
trap 'rm -rf "$stage"' EXIT
n=0
ok() { # ok COND-STATUS DESCRIPTION [DIAG]
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		[ -z "${3:-}" ] || printf '%s\n' "$3" | tail -n 15 | sed 's/^/#   /'
	fi
}
echo "1..7"
out=$($make -s -C "$top_builddir" install DESTDIR="$stage" 2>&1)
ok $? "make install DESTDIR=..." "$out"
# The prefix as configured (one directory below the stage holds bin/).
bindir=$(dirname "$(find "$stage" -type f -name xm -path '*/bin/xm' | head -n 1)")
prefix=$(dirname "$bindir")
mandir=$(find "$stage" -type d -name man -path '*/share/man' | head -n 1)

missing=
progs=0
for p in "$prefix"/bin/* "$prefix"/sbin/* "$prefix"/libexec/* \
	"$prefix"/libexec/*/*; do
	[ -f "$p" ] && [ -x "$p" ] || continue
	name=${p##*/}
	progs=$((progs + 1))
	ls "$mandir"/man[18]/"$name".[18]* >/dev/null 2>&1 || missing="$missing $name"
done
[ -z "$missing" ] && [ "$progs" -ge 7 ]
ok $? "every installed program ($progs) has a man page (missing:${missing:- none})"

etc=$(find "$stage" -type d -name default -path '*/etc/default' | head -n 1)
etc=${etc%/default}
files="$etc/init.d/xmd $etc/init.d/xendomains $etc/default/xmd
$etc/default/xendomains $etc/logrotate.d/xmtools
$prefix/libexec/xmtools/xendomains"
absent=
for f in $files; do [ -f "$f" ] || absent="$absent $f"; done
units=$(find "$stage" -name 'xm*.service' -o -name 'xendomains.service' | wc -l)
left=$(grep -l '@[a-z]*dir@' $files $(find "$stage" -name '*.service') 2>/dev/null)
[ -z "$absent" ] && [ "$units" = 2 ] && [ -z "$left" ]
ok $? "units, SysV scripts, /etc/default, logrotate and xendomains in place, paths substituted" \
	"absent:$absent units:$units unsubstituted:$left"

for s in "$etc/init.d/xmd" "$etc/init.d/xendomains" \
	"$prefix/libexec/xmtools/xendomains"; do
	sh -n "$s" || break
done &&
	bash -n "$(find "$stage" -type f -path '*/completions/xm')"
ok $? "the scripts and the bash completion parse (sh -n, bash -n)"

pcdir=$(dirname "$(find "$stage" -name libxmhv.pc | head -n 1)")
cat >"$stage/use.c" <<'EOF'
#include <stdio.h>
#include <xmcfg.h>
#include <xmhv.h>
int
main(void)
{
	char err[256];
	int rc = xmhv_check_kvm(err, sizeof(err));

	xmcfg_domain_free(NULL);
	printf("%d %s\n", rc, xmhv_reason_name(0));
	return 0;
}
EOF
flags=$(PKG_CONFIG_SYSROOT_DIR="$stage" PKG_CONFIG_PATH="$pcdir" \
	pkg-config --cflags --libs --static libxmhv libxmcfg 2>&1)
# A sanitizer build installs instrumented archives: their users link with
# the same -fsanitize flags.
out=$(${CC:-cc} -Wall -Werror ${SANITIZER_CFLAGS:-} -o "$stage/use" \
	"$stage/use.c" $flags 2>&1)
ok $? "a program builds against the installed libxmhv and libxmcfg with pkg-config alone" \
	"$flags
$out"
out=$("$stage/use" 2>&1)
ok $? "... and runs ($out)"

rm -f "$stage/use" "$stage/use.c"
out=$($make -s -C "$top_builddir" uninstall DESTDIR="$stage" 2>&1)
left=$(find "$stage" -type f | head -n 5)
[ -z "$left" ]
ok $? "make uninstall leaves no file" "$out
$left"
