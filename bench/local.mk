# SPDX-License-Identifier: GPL-2.0-or-later
# bench/local.mk: build rules for bench/.
