# SPDX-License-Identifier: GPL-2.0-or-later
# doc/local.mk: build rules for doc/.
