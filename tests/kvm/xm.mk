# SPDX-License-Identifier: GPL-2.0-or-later
# tests/kvm/xm.mk: integration tests of xm against a real xmd booting the
# test guest (kvm tier: root and /dev/kvm, else SKIP with the reason), and
# of the real clients of xm's command line (Ganeti, ocf:heartbeat:Xen).
KVM_TESTS += tests/kvm/xm_lifecycle.py tests/kvm/xm_clients.py tests/kvm/xm_blk.py \
	tests/kvm/xm_net.py tests/kvm/xm_lock.py tests/kvm/xm_backend.py \
	tests/kvm/xm_bootdisk.py tests/kvm/xm_vhost.py
EXTRA_DIST += tests/kvm/xm_lifecycle.py tests/kvm/xm_clients.py tests/kvm/xm_blk.py \
	tests/kvm/xm_net.py tests/kvm/xm_lock.py tests/kvm/xm_backend.py \
	tests/kvm/xm_bootdisk.py tests/kvm/xm_vhost.py
