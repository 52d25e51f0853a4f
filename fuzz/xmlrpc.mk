# SPDX-License-Identifier: GPL-2.0-or-later
# fuzz/xmlrpc.mk: build rules (see the owner directory).
