# SPDX-License-Identifier: GPL-2.0-or-later
# tests/guest/local.mk: build rules for tests/guest/.
