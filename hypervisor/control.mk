# SPDX-License-Identifier: GPL-2.0-or-later
# hypervisor/control.mk: build rules (see the owner directory).
