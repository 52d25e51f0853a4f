# SPDX-License-Identifier: GPL-2.0-or-later
# bench/config.mk: build rules (see the owner directory).
