/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hv.h: the macros every part of xmhv's machine shares. Each part has its
 * own header (mem.h, kvm.h, vcpu.h, bus.h, device.h, boot/boot.h,
 * arch/x86/x86.h, devices/NAME.h, check.h). Not used outside hypervisor/. */
#ifndef XMHV_HV_H
#define XMHV_HV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xmhv.h"
#include "xmhv_platform.h"

#define HV_WUR __attribute__((warn_unused_result))
#define HV_GIB (1ULL << 30)
#define HV_MIB (1ULL << 20)
#define ARRAY_SIZE_HV(a) (sizeof(a) / sizeof((a)[0]))

#endif
