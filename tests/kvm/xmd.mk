# SPDX-License-Identifier: GPL-2.0-or-later
# tests/kvm/xmd.mk: daemon-side integration tests (real xmd + xmhv + test
# guest; they skip without root, /dev/kvm or the built pieces).
# xmd_server.py needs only the built xmd (no root, no /dev/kvm);
# xmd_hostile.py needs root (clients of other uids), not /dev/kvm.
TESTS += tests/kvm/xmd_server.py tests/kvm/xmd_hostile.py
KVM_TESTS += tests/kvm/xmd_daemon.py tests/kvm/xmd_net.py tests/kvm/xmd_chaos.py
EXTRA_DIST += tests/kvm/xmd_server.py tests/kvm/xmd_daemon.py \
	tests/kvm/xmd_hostile.py tests/kvm/xmd_chaos.py \
	tests/kvm/xmd_net.py \
	tests/kvm/xmharness.py
