/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xml_int.h: what the domain XML writer (xml_write.c) and reader
 * (xml_read.c) agree on: our metadata's namespace and the names of its
 * cpuid registers and setting kinds. */
#ifndef XMCFG_XML_INT_H
#define XMCFG_XML_INT_H

#include "internal.h"

#define XML_NS "https://xmtools.invalid/xmcfg/1"

static const char *const xml_regs[] = {"eax", "ebx", "ecx", "edx"};
static const char *const xml_kinds[] = {
	[XMCFG_SETTING_HVM] = "hvm",
	[XMCFG_SETTING_XEN] = "xen",
	[XMCFG_SETTING_DEVICE] = "device",
};

#endif
