# SPDX-License-Identifier: GPL-2.0-or-later
# examples/local.mk: build rules for examples/.
