#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# xenstore_shim.sh: the xenstore-* commands a vif script runs with
# (xmd/xmd-xenstore, called by those names) answer from the store file in
# $XMD_XENSTORE as Xen's tools answered from XenStore: read, exists, write
# (several pairs), rm, list, a missing key is exit 1, chmod is accepted.
top_builddir=${top_builddir:-.}
shim="$top_builddir/xmd/xmd-xenstore"
echo "1..9"
if [ ! -x "$shim" ]; then
	for i in 1 2 3 4 5 6 7 8 9; do
		echo "not ok $i - $shim is not built"
	done
	exit 0
fi
shim=$(cd "$(dirname "$shim")" && pwd)/xmd-xenstore
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for c in read write exists rm list chmod; do
	ln -s "$shim" "$tmp/xenstore-$c"
done
printf 'backend/vif/3/0/bridge=xenbr0\nbackend/vif/3/0/mac=00:16:3e:01:02:03\n/local/domain/3/name=web1\n' >"$tmp/store"
export XMD_XENSTORE="$tmp/store"
PATH="$tmp:$PATH"
n=0
check() { # description, then the test as arguments
	n=$((n + 1))
	d=$1
	shift
	if "$@"; then echo "ok $n - $d"; else echo "not ok $n - $d"; fi
}
check "xenstore-read of a key" [ "$(xenstore-read backend/vif/3/0/bridge)" = xenbr0 ]
check "xenstore-read of two keys, one per line" \
	[ "$(xenstore-read backend/vif/3/0/bridge /local/domain/3/name | tr '\n' ' ')" = "xenbr0 web1 " ]
check "a missing key: exit 1 (xenstore_read_default's fallback)" \
	sh -c '! xenstore-read backend/vif/3/0/vifname 2>/dev/null'
check "xenstore-exists" xenstore-exists /local/domain/3/name
check "xenstore-write of two pairs, read back" \
	sh -c 'xenstore-write backend/vif/3/0/hotplug-error "no uplink" backend/vif/3/0/hotplug-status error &&
	[ "$(xenstore-read backend/vif/3/0/hotplug-status)" = error ] &&
	[ "$(xenstore-read backend/vif/3/0/hotplug-error)" = "no uplink" ]'
check "a value with a newline survives" \
	sh -c 'xenstore-write k "two
lines" && [ "$(xenstore-read k)" = "two
lines" ]'
check "xenstore-rm" sh -c 'xenstore-rm k && ! xenstore-read k 2>/dev/null'
check "xenstore-list of a directory" \
	[ "$(xenstore-list backend/vif/3/0 | sort | tr '\n' ' ')" = "bridge hotplug-error hotplug-status mac " ]
check "xenstore-chmod is accepted; no store: exit 1 with a reason" \
	sh -c 'xenstore-chmod backend/vif/3/0 b0 && ! env -u XMD_XENSTORE xenstore-read a 2>/dev/null'
