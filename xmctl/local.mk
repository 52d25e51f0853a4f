# SPDX-License-Identifier: GPL-2.0-or-later
# xmctl/local.mk: build rules for xmctl/.
