/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtc.c: the CMOS RTC at ports 0x70/0x71: host time (UTC, or local time
 * with localtime=1) in BCD or binary per status B, and the CMOS memory
 * size bytes PC firmware leaves there. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arch/x86/x86.h"
#include "rtc.h"

#define RTC_REG_A 0x0a
#define RTC_REG_B 0x0b
#define RTC_REG_C 0x0c
#define RTC_REG_D 0x0d
#define RTC_B_24H 0x02
#define RTC_B_BINARY 0x04
#define RTC_CENTURY 0x32

struct rtc {
	struct device dev;
	pthread_mutex_t lock;
	bool localtime;
	uint8_t index;
	uint8_t cmos[128];
};

static uint8_t
rtc_bcd(struct rtc *rtc, int v)
{
	if (rtc->cmos[RTC_REG_B] & RTC_B_BINARY)
		return (uint8_t)v;
	return (uint8_t)(((v / 10) << 4) | (v % 10));
}

/* Pure given t: the value of CMOS register index. */
uint8_t
rtc_read_reg(struct rtc *rtc, uint8_t index, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	int hour;

	index &= 0x7f;
	if (index > 9 && index != RTC_CENTURY)
		return index == RTC_REG_C ? 0 : rtc->cmos[index];
	if (rtc->localtime)
		localtime_r(&tt, &tm);
	else
		gmtime_r(&tt, &tm);
	switch (index) {
	case 0:
		return rtc_bcd(rtc, tm.tm_sec);
	case 2:
		return rtc_bcd(rtc, tm.tm_min);
	case 4:
		hour = tm.tm_hour;
		if (rtc->cmos[RTC_REG_B] & RTC_B_24H)
			return rtc_bcd(rtc, hour);
		/* 12-hour mode: 1..12 with bit 7 for PM. */
		return (uint8_t)(rtc_bcd(rtc, hour % 12 ? hour % 12 : 12) |
				 (hour >= 12 ? 0x80 : 0));
	case 6:
		return rtc_bcd(rtc, tm.tm_wday + 1);
	case 7:
		return rtc_bcd(rtc, tm.tm_mday);
	case 8:
		return rtc_bcd(rtc, tm.tm_mon + 1);
	case 9:
		return rtc_bcd(rtc, tm.tm_year % 100);
	case RTC_CENTURY:
		return rtc_bcd(rtc, (tm.tm_year + 1900) / 100);
	default: /* alarm registers */
		return rtc->cmos[index];
	}
}

/* Ports 0x70 (index, bit 7 is the NMI mask) and 0x71 (data). */
void
rtc_io(void *opaque, uint64_t port, uint8_t *data, uint32_t size, bool write)
{
	struct rtc *rtc = opaque;

	pthread_mutex_lock(&rtc->lock);
	if (port == XMHV_RTC_PORT) {
		if (write)
			rtc->index = data[0] & 0x7f;
		else
			data[0] = 0xff;
	} else if (!write) {
		data[0] = rtc_read_reg(rtc, rtc->index, (int64_t)time(NULL));
	} else if (rtc->index == RTC_REG_B) {
		rtc->cmos[RTC_REG_B] = data[0] & 0x7f; /* no SET mode */
	} else if (rtc->index > RTC_REG_D && rtc->index != RTC_CENTURY) {
		rtc->cmos[rtc->index] = data[0];
	}
	pthread_mutex_unlock(&rtc->lock);
	(void)size;
}

static void
rtc_set16(struct rtc *rtc, unsigned lo, uint64_t v)
{
	if (v > 0xffff)
		v = 0xffff;
	rtc->cmos[lo] = (uint8_t)v;
	rtc->cmos[lo + 1] = (uint8_t)(v >> 8);
}

/* The CMOS RAM (time is the host's) and the index register. */
static int
rtc_save(struct device *dev, struct dstate *out)
{
	struct rtc *rtc = (struct rtc *)dev;

	pthread_mutex_lock(&rtc->lock);
	dstate_put(out, &rtc->index, 1);
	dstate_put(out, rtc->cmos, sizeof(rtc->cmos));
	pthread_mutex_unlock(&rtc->lock);
	return dstate_status(out);
}

static int
rtc_restore(struct device *dev, struct dstate *in)
{
	struct rtc *rtc = (struct rtc *)dev;
	uint8_t index, cmos[sizeof(rtc->cmos)];

	dstate_get(in, &index, 1);
	dstate_get(in, cmos, sizeof(cmos));
	if (dstate_status(in) < 0)
		return -EINVAL;
	pthread_mutex_lock(&rtc->lock);
	rtc->index = index & 0x7f;
	memcpy(rtc->cmos, cmos, sizeof(cmos));
	pthread_mutex_unlock(&rtc->lock);
	return 0;
}

static void
rtc_free(struct device *dev)
{
	struct rtc *rtc = (struct rtc *)dev;

	pthread_mutex_destroy(&rtc->lock);
	free(rtc);
}

static const struct device_ops rtc_ops = {
	.kind = "mc146818",
	.save = rtc_save,
	.restore = rtc_restore,
	.free = rtc_free,
};

struct device *
rtc_device(struct rtc *rtc)
{
	return &rtc->dev;
}

/* An RTC with the memory size of the guest in CMOS. */
struct rtc *
rtc_new(uint64_t mem_bytes, bool localtime)
{
	struct rtc *rtc = calloc(1, sizeof(*rtc));
	uint64_t low, high;

	if (!rtc)
		return NULL;
	device_init(&rtc->dev, &rtc_ops, "rtc");
	pthread_mutex_init(&rtc->lock, NULL);
	rtc->localtime = localtime;
	rtc->cmos[RTC_REG_A] = 0x26;
	rtc->cmos[RTC_REG_B] = RTC_B_24H;
	rtc->cmos[RTC_REG_D] = 0x80; /* valid RAM and time */
	e820_split(mem_bytes, &low, &high);
	rtc_set16(rtc, 0x15, 640);                   /* base KiB */
	rtc_set16(rtc, 0x17, (low - HV_MIB) / 1024); /* ext KiB */
	rtc_set16(rtc, 0x30, (low - HV_MIB) / 1024);
	rtc_set16(rtc, 0x34, low > 16 * HV_MIB ? (low - 16 * HV_MIB) >> 16 : 0);
	rtc->cmos[0x5b] = (uint8_t)(high >> 16);
	rtc->cmos[0x5c] = (uint8_t)(high >> 24);
	rtc->cmos[0x5d] = (uint8_t)(high >> 32);
	return rtc;
}
