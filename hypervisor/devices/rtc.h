/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtc.h: the CMOS RTC at ports 0x70/0x71. */
#ifndef XMHV_RTC_H
#define XMHV_RTC_H

#include "device.h"
#include "hv.h"

struct rtc;
/* An RTC with the guest's memory size in CMOS; host time as UTC, or local
 * time with localtime. NULL on allocation failure. */
struct rtc *rtc_new(uint64_t mem_bytes, bool localtime);
struct device *rtc_device(struct rtc *rtc);
/* Ports 0x70 and 0x71 (vCPU threads). */
void rtc_io(void *opaque, uint64_t port, uint8_t *data, uint32_t size,
	    bool write);
/* CMOS register value at unix time t (pure; for tests). */
uint8_t rtc_read_reg(struct rtc *rtc, uint8_t index, int64_t t);

#endif
