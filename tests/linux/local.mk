# SPDX-License-Identifier: GPL-2.0-or-later
# tests/linux/local.mk: build rules for tests/linux/.
