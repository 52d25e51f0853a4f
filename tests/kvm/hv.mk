# SPDX-License-Identifier: GPL-2.0-or-later
# tests/kvm/hv.mk: build rules (see the owner directory).
