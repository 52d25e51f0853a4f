# SPDX-License-Identifier: GPL-2.0-or-later
# libxmcfg/local.mk: build rules for libxmcfg/.
