# SPDX-License-Identifier: GPL-2.0-or-later
# xmd/local.mk: build rules for xmd/.
