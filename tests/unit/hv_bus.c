/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hv_bus.c: xmhv's machine layer without KVM: the bus (sorted ranges,
 * overlaps refused, moves, dispatch), the device list's save/restore
 * stream, and the event loop. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "bus.h"
#include "device.h"
#include "devices/i8042.h"
#include "devices/pm.h"
#include "devices/rtc.h"
#include "devices/serial.h"
#include "loop.h"
#include "tap.h"

static uint64_t last_addr;
static int last_id;

static void
io_a(void *opaque, uint64_t addr, uint8_t *data, uint32_t size, bool write)
{
	(void)write;
	last_addr = addr;
	last_id = *(int *)opaque;
	memset(data, 0x11 * last_id, size);
}

static void
test_bus(void)
{
	struct bus *b = bus_new("test", 0xffff);
	static int one = 1, two = 2, three = 3;
	const char *clash = NULL, *owner;
	uint64_t base, len;
	uint8_t d[4];

	tap_is_int(bus_add(b, 0x100, 0x10, io_a, &one, "one", NULL), 0,
		   "bus: [0x100, 0x110) claimed");
	tap_is_int(bus_add(b, 0x10, 0x10, io_a, &two, "two", NULL), 0,
		   "bus: [0x10, 0x20) claimed (sorted before)");
	tap_ok(bus_add(b, 0x108, 4, io_a, &three, "three", &clash) == -EEXIST &&
		       clash && strcmp(clash, "one") == 0,
	       "bus: a range inside another is refused, naming its owner");
	tap_is_int(bus_add(b, 0xf8, 0x10, io_a, &three, "three", NULL), -EEXIST,
		   "bus: a range overlapping the start is refused");
	tap_is_int(bus_add(b, 0x10f, 1, io_a, &three, "three", NULL), -EEXIST,
		   "bus: the last byte of a range is taken");
	tap_is_int(bus_add(b, 0x110, 1, io_a, &three, "three", NULL), 0,
		   "bus: the byte after a range is free");
	tap_is_int(bus_add(b, 0xfff0, 0x20, io_a, &three, "x", NULL), -EINVAL,
		   "bus: a range past the limit is refused");
	tap_is_int(bus_add(b, 0x200, 0, io_a, &three, "x", NULL), -EINVAL,
		   "bus: an empty range is refused");
	tap_ok(bus_count(b) == 3 && bus_range(b, 0, &base, &len, &owner) == 0 &&
		       base == 0x10 && strcmp(owner, "two") == 0,
	       "bus: ranges listed in address order");
	tap_ok(bus_dispatch(b, 0x105, d, 1, false) && last_id == 1 &&
		       last_addr == 0x105 && d[0] == 0x11,
	       "bus: an access reaches its range with the absolute address");
	tap_ok(!bus_dispatch(b, 0x50, d, 2, false) && d[0] == 0xff &&
		       d[1] == 0xff,
	       "bus: an unclaimed read sees all ones");
	tap_is_int(bus_move(b, 0x100, 0x18), -EEXIST,
		   "bus: a move onto another range is refused");
	tap_ok(bus_dispatch(b, 0x100, d, 1, false) && last_id == 1,
	       "bus: a refused move leaves the range where it was");
	tap_is_int(bus_move(b, 0x100, 0x400), 0, "bus: a range moves");
	tap_ok(!bus_dispatch(b, 0x100, d, 1, false) &&
		       bus_dispatch(b, 0x40f, d, 1, false) && last_id == 1 &&
		       bus_range(b, 2, &base, &len, &owner) == 0 &&
		       base == 0x400 && len == 0x10,
	       "bus: after the move the old place is free, the new one "
	       "answers, the order is kept");
	tap_is_int(bus_move(b, 0x400, 0x404), 0,
		   "bus: a range moves over its own old place");
	tap_is_int(bus_move(b, 0x999, 0x1000), -ENOENT,
		   "bus: moving an unknown range fails");
	tap_is_int(bus_move(b, 0x404, 0x108), -EEXIST,
		   "bus: a move onto the neighbour at 0x110 is refused");
	tap_is_int(bus_remove(b, 0x404), 0, "bus: a range is released");
	tap_is_int(bus_remove(b, 0x404), -ENOENT,
		   "bus: releasing it twice fails");
	tap_is_int(bus_add(b, 0x100, 0x20, io_a, &three, "three", NULL),
		   -EEXIST,
		   "bus: the neighbour at 0x110 still blocks a wide range");
	bus_free(b);
}

static void
test_state(void)
{
	struct domain_hooks hooks = {0};
	struct irq_line none = {0};
	struct serial *s = serial_new(&none, NULL, NULL);
	struct pm *pm = pm_new(&none, &hooks);
	struct rtc *rtc = rtc_new(64 << 20, false);
	struct i8042 *k = i8042_new(&hooks);
	struct device *list = NULL, *d;
	struct dstate a, b, in;
	uint8_t v;
	int rc;

	if (!tap_ok(s && pm && rtc && k, "four devices without a machine"))
		return;
	d = rtc_device(rtc);
	d->next = list, list = d;
	d = pm_device(pm);
	d->next = list, list = d;
	d = serial_device(s);
	d->next = list, list = d;
	d = i8042_device(k);
	d->next = list, list = d;
	/* Give them state a guest would: UART scratch and IER, RTC CMOS. */
	v = 0x5a;
	serial_io(s, XMHV_COM1_PORT + 7, &v, 1, true);
	v = 0x03;
	serial_io(s, XMHV_COM1_PORT + 1, &v, 1, true);
	v = 0x40;
	rtc_io(rtc, XMHV_RTC_PORT, &v, 1, true);
	v = 0x99;
	rtc_io(rtc, XMHV_RTC_PORT + 1, &v, 1, true);
	dstate_init(&a);
	tap_is_int(device_list_save(list, &a), 0, "the device list saves");
	/* Change the state, restore, save again: the same bytes. */
	v = 0x00;
	serial_io(s, XMHV_COM1_PORT + 7, &v, 1, true);
	dstate_reader(&in, a.buf, a.len);
	tap_is_int(device_list_restore(list, &in), 0,
		   "the saved state restores");
	serial_io(s, XMHV_COM1_PORT + 7, &v, 1, false);
	tap_is_int(v, 0x5a, "the UART's scratch register came back");
	dstate_init(&b);
	tap_ok(device_list_save(list, &b) == 0 && a.len == b.len &&
		       memcmp(a.buf, b.buf, a.len) == 0,
	       "save, restore, save: the same %zu bytes", a.len);
	dstate_reader(&in, a.buf, a.len - 1);
	tap_is_int(device_list_restore(list, &in), -EINVAL,
		   "a truncated stream is refused");
	memcpy(b.buf, "nosuchdevice", 13);
	dstate_reader(&in, b.buf, b.len);
	tap_is_int(device_list_restore(list, &in), -EINVAL,
		   "a stream naming an unknown device is refused");
	memcpy(b.buf, a.buf, a.len);
	rc = 0x7fffffff;
	memcpy(b.buf + 24, &rc, 4); /* the first part's length */
	dstate_reader(&in, b.buf, b.len);
	tap_is_int(device_list_restore(list, &in), -EINVAL,
		   "a part longer than the stream is refused");
	dstate_reader(&in, a.buf, 0);
	tap_is_int(device_list_restore(list, &in), -EINVAL,
		   "a stream missing devices is refused");
	dstate_dispose(&a);
	dstate_dispose(&b);
	while (list) {
		d = list;
		list = d->next;
		device_free(d);
	}
}

static int loop_hits, timer_hits;

static void
on_efd(void *opaque, int fd, uint32_t events)
{
	uint64_t v;

	(void)events;
	(void)!read(fd, &v, sizeof(v));
	loop_hits++;
	if (loop_hits == 2)
		loop_stop(opaque);
}

static void
on_timer(void *opaque, int fd, uint32_t events)
{
	uint64_t one = 1;

	(void)events;
	timer_hits++;
	/* Wake the fd watch from the timer: the loop dispatches both. */
	(void)!write(*(int *)opaque, &one, sizeof(one));
	(void)fd;
}

static void
test_loop(void)
{
	struct loop *loop = NULL;
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	uint64_t one = 1;

	if (!tap_ok(loop_new(&loop) == 0 && efd >= 0, "a loop"))
		return;
	tap_is_int(loop_add(loop, efd, 1 /* EPOLLIN */, on_efd, loop), 0,
		   "loop: an fd is watched");
	tap_is_int(loop_add(loop, efd, 1, on_efd, loop), -EEXIST,
		   "loop: the same fd twice is refused");
	tap_is_int(loop_timer(loop, 5, on_timer, &efd), 0,
		   "loop: a timer is armed");
	(void)!write(efd, &one, sizeof(one));
	tap_ok(loop_run(loop) == 0 && loop_hits == 2 && timer_hits == 1,
	       "loop: fd events and the timer dispatched until stopped");
	loop_del(loop, efd);
	tap_is_int(loop_mod(loop, efd, 1), -ENOENT,
		   "loop: a removed fd is forgotten");
	loop_free(loop);
	close(efd);
}

int
main(void)
{
	test_bus();
	test_state();
	test_loop();
	return tap_done();
}
