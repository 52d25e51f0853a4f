# SPDX-License-Identifier: GPL-2.0-or-later
# tests/cfg/local.mk: build rules for tests/cfg/.
