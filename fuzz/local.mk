# SPDX-License-Identifier: GPL-2.0-or-later
# fuzz/local.mk: build rules for fuzz/.
