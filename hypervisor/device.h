/* SPDX-License-Identifier: GPL-2.0-or-later */
/* device.h: what every device model implements (ops on an object the
 * machine keeps in a list), and the narrow handles the machine gives a
 * device instead of itself: an interrupt line, the domain's end, guest
 * memory. Learned from kvmtool's device ops and vmd's per-device
 * dump/restore. */
#ifndef XMHV_DEVICE_H
#define XMHV_DEVICE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xmhv.h"

struct dstate;

/* A device is one of these, embedded first in the model's own struct.
 * Every op but free may be NULL (nothing to do). The machine calls them on
 * its main thread: pause after every vCPU left the guest (afterwards the
 * device writes no guest memory and raises no interrupt: I/O threads are
 * parked), resume before vCPUs run again, reset at a reboot in place,
 * save/restore while paused, free at the end (reverse order of adding). */
struct device;
struct device_ops {
	const char *kind;
	void (*reset)(struct device *dev);
	int (*pause)(struct device *dev);
	int (*resume)(struct device *dev);
	int (*save)(struct device *dev, struct dstate *out);
	int (*restore)(struct device *dev, struct dstate *in);
	void (*free)(struct device *dev);
};

struct device {
	const struct device_ops *ops;
	char name[24]; /* unique in the machine: "com1", "pci", ... */
	struct device *next;
};

/* Set the device's ops and name ("%s" of up to 23 bytes). */
void device_init(struct device *dev, const struct device_ops *ops,
		 const char *name);

/* Free a device through its ops (accepts NULL). */
static inline void
device_free(struct device *dev)
{
	if (dev)
		dev->ops->free(dev);
}

/* The state of every device of a list: per device its name (24 bytes), the
 * length of its part (u32) and what its save op wrote. 0 or -errno. */
int device_list_save(struct device *head, struct dstate *out)
	__attribute__((warn_unused_result));
/* Restore a list from device_list_save's stream: every device of the list
 * must have its part, each part must be read whole by its restore op;
 * -EINVAL otherwise (devices restored so far keep the new state). */
int device_list_restore(struct device *head, struct dstate *in)
	__attribute__((warn_unused_result));

/* An interrupt input of the in-kernel PIC/IOAPIC. set is NULL in tests
 * that need no interrupt. Any thread. */
struct irq_line {
	int (*set)(void *opaque, uint32_t gsi, int level);
	void *opaque;
	uint32_t gsi;
};
static inline int
irq_line_set(const struct irq_line *l, int level)
{
	return l->set ? l->set(l->opaque, l->gsi, level) : 0;
}

/* One MSI-X vector of a PCI function (pci_msix_vector), what a device
 * holds instead of the PCI core: notify delivers the vector's message, or
 * leaves it pending while the vector or the function is masked. Returns 1
 * (delivered), 0 (pending), -ENOTCONN (MSI-X is off: use INTx) or -errno.
 * Any thread. */
struct msi_vector {
	int (*notify)(void *opaque, uint32_t vec);
	void *opaque;
	uint32_t vec;
};
static inline int
msi_vector_notify(const struct msi_vector *v)
{
	return v->notify ? v->notify(v->opaque, v->vec) : -ENOTCONN;
}

/* Where MSI messages go (KVM's GSI routing, irqfds and KVM_SIGNAL_MSI;
 * a fake in tests): what the PCI core holds instead of struct vm. Routes
 * take effect at commit. Any thread; every call may block briefly. */
struct msi_router_ops {
	/* A new route to the message: its GSI, or -errno. */
	int (*route_add)(void *opaque, uint64_t addr, uint32_t data);
	/* Point route gsi at another message. 0 or -errno. */
	int (*route_set)(void *opaque, uint32_t gsi, uint64_t addr,
			 uint32_t data);
	void (*route_del)(void *opaque, uint32_t gsi);
	/* Hand the changed routes to the hypervisor. 0 or -errno. */
	int (*commit)(void *opaque);
	/* Attach eventfd efd to route gsi (a write to efd sends the route's
	 * message without an exit), or detach it. 0 or -errno. */
	int (*irqfd)(void *opaque, int efd, uint32_t gsi, bool attach);
	/* Send one message now. 0 or -errno. */
	int (*signal)(void *opaque, uint64_t addr, uint32_t data);
};
struct msi_router {
	const struct msi_router_ops *ops;
	void *opaque;
};

/* Where a device's doorbell registers go: KVM's ioeventfds (a guest write
 * to [addr, addr + len), len 0 meaning any width, signals efd without an
 * exit to xmhv). set is NULL in tests and when KVM refuses: the device's
 * register handler then signals efd itself. Any thread; may block
 * briefly. */
struct ioevent_router {
	int (*set)(void *opaque, int efd, uint64_t addr, uint32_t len, bool pio,
		   bool assign);
	void *opaque;
};

/* What a device may do to the whole domain. Any thread, never blocks. */
struct domain_hooks {
	/* End the domain with reason (first reason wins). */
	void (*end)(void *opaque, enum xmhv_shutdown_reason reason);
	/* The guest entered S5: poweroff, or reboot when one was asked. */
	void (*power_off)(void *opaque);
	/* A device cannot go on (why: ENOSPC on disk device, its serial):
	 * pause the domain. Asynchronous: the front end's thread pauses it
	 * soon (vm_service); the device keeps the request waiting. */
	void (*io_pause)(void *opaque, enum xmhv_pause_reason why,
			 const char *device);
	void *opaque;
	const char *name; /* the domain's name, for log lines */
};

/* A device's state as a bounded byte stream (save/restore; later the
 * migration stream). Writers grow it up to DSTATE_MAX; readers never read
 * past its end. Pure. */
#define DSTATE_MAX (1u << 20)
struct dstate {
	uint8_t *buf;
	size_t len, cap, pos;
	bool failed; /* a put beyond DSTATE_MAX or a get beyond len */
};
void dstate_init(struct dstate *s);
void dstate_dispose(struct dstate *s);
/* A reader over len bytes at buf (not copied). */
void dstate_reader(struct dstate *s, const void *buf, size_t len);
void dstate_put(struct dstate *s, const void *p, size_t n);
void dstate_put_u32(struct dstate *s, uint32_t v);
void dstate_put_u64(struct dstate *s, uint64_t v);
/* Copy n bytes out (zeros and failed set when fewer remain). */
void dstate_get(struct dstate *s, void *p, size_t n);
uint32_t dstate_get_u32(struct dstate *s);
uint64_t dstate_get_u64(struct dstate *s);
/* 0, or -EOVERFLOW when a put or get failed. */
int dstate_status(const struct dstate *s);

#endif
