# SPDX-License-Identifier: GPL-2.0-or-later
# bench/lifecycle.mk: build rules (see the owner directory).
