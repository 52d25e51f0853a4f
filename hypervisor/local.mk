# SPDX-License-Identifier: GPL-2.0-or-later
# hypervisor/local.mk: build rules for hypervisor/.
