# SPDX-License-Identifier: GPL-2.0-or-later
# tests/unit/libxmhv.mk: build rules (see the owner directory).
