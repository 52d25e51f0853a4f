# SPDX-License-Identifier: GPL-2.0-or-later
# tests/kvm/local.mk: build rules for tests/kvm/.
