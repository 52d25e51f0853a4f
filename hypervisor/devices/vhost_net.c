/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vhost_net.c: the kernel's virtio-net datapath (vhost_net.h): the
 * ioctls of QEMU's vhost-net backend, in its order (SET_OWNER,
 * GET_FEATURES, SET_MEM_TABLE once; per start SET_FEATURES, per ring
 * SET_VRING_NUM/ADDR/BASE/KICK/CALL/ERR, then NET_SET_BACKEND with the
 * tap; per stop NET_SET_BACKEND -1 and GET_VRING_BASE). Guest writes by
 * the kernel are not in the device dirty log: a live migration (none
 * yet) would have to set VHOST_F_LOG_ALL and a log base first. */
#include <errno.h>
#include <fcntl.h>
#include <linux/vhost.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "mem.h"
#include "vhost_net.h"
#include "virtio.h"
#include "virtq.h"

#define VHOST_RINGS 2
#define VNET_F_MRG_RXBUF_BIT 15

struct vhost_net {
	int fd;
	uint64_t features; /* what the kernel offers */
	const struct mem *mem;
	struct virtq *vq[VHOST_RINGS];
	int err_fd[VHOST_RINGS];
	int started;
};

uint64_t
vhost_net_ring_mask(void)
{
	return VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX) |
	       VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) |
	       VIRTIO_BIT(VNET_F_MRG_RXBUF_BIT);
}

static int
vhost_fail(char *why, size_t whylen, const char *step)
{
	int e = errno;

	snprintf(why, whylen, "vhost-net: %s: %s", step, strerror(e));
	return -e;
}

/* Guest RAM as vhost sees it: one region per memory slot. */
static int
vhost_mem_table(struct vhost_net *v, char *why, size_t whylen)
{
	struct vhost_memory *t;
	unsigned i;
	int r = 0;

	t = calloc(1, sizeof(*t) + MEM_SLOTS * sizeof(t->regions[0]));
	if (!t) {
		snprintf(why, whylen, "vhost-net: out of memory");
		return -ENOMEM;
	}
	t->nregions = v->mem->nslots;
	for (i = 0; i < v->mem->nslots; i++)
		t->regions[i] = (struct vhost_memory_region){
			.guest_phys_addr = v->mem->slot[i].gpa,
			.memory_size = v->mem->slot[i].size,
			.userspace_addr =
				(uint64_t)(uintptr_t)v->mem->slot[i].hva};
	if (ioctl(v->fd, VHOST_SET_MEM_TABLE, t) < 0)
		r = vhost_fail(why, whylen, "VHOST_SET_MEM_TABLE");
	free(t);
	return r;
}

int
vhost_net_open(int fd, const struct mem *mem, struct vhost_net **out, char *why,
	       size_t whylen)
{
	struct vhost_net *v = calloc(1, sizeof(*v));
	unsigned i;
	int r = 0;

	if (!v) {
		snprintf(why, whylen, "vhost-net: out of memory");
		return -ENOMEM;
	}
	v->mem = mem;
	v->err_fd[0] = v->err_fd[1] = -1;
	v->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (v->fd < 0)
		r = vhost_fail(why, whylen, "dup");
	for (i = 0; r == 0 && i < VHOST_RINGS; i++) {
		v->err_fd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (v->err_fd[i] < 0)
			r = vhost_fail(why, whylen, "eventfd");
	}
	if (r == 0 && ioctl(v->fd, VHOST_SET_OWNER, NULL) < 0)
		r = vhost_fail(why, whylen, "VHOST_SET_OWNER");
	if (r == 0 && ioctl(v->fd, VHOST_GET_FEATURES, &v->features) < 0)
		r = vhost_fail(why, whylen, "VHOST_GET_FEATURES");
	if (r == 0)
		r = vhost_mem_table(v, why, whylen);
	if (r < 0) {
		vhost_net_close(v);
		return r;
	}
	*out = v;
	return 0;
}

static int
vhost_ring(struct vhost_net *v, unsigned i, const struct vhost_net_ring *r,
	   char *why, size_t whylen)
{
	const struct virtq *q = r->vq;
	struct vhost_vring_state num = {i, q->size}, base = {i, q->last_avail};
	struct vhost_vring_file kick = {i, r->kick_fd}, call = {i, r->call_fd},
				err = {i, v->err_fd[i]};
	struct vhost_vring_addr addr = {.index = i};
	void *d = mem_gpa_to_hva(v->mem, q->desc_gpa, 16u * q->size);
	void *a = mem_gpa_to_hva(v->mem, q->avail_gpa, 6u + 2u * q->size);
	void *u = mem_gpa_to_hva(v->mem, q->used_gpa, 6u + 8u * q->size);

	if (!d || !a || !u) {
		snprintf(why, whylen, "vhost-net: ring %u outside guest RAM",
			 i);
		return -EFAULT;
	}
	addr.desc_user_addr = (uint64_t)(uintptr_t)d;
	addr.avail_user_addr = (uint64_t)(uintptr_t)a;
	addr.used_user_addr = (uint64_t)(uintptr_t)u;
	addr.log_guest_addr = q->used_gpa;
	if (ioctl(v->fd, VHOST_SET_VRING_NUM, &num) < 0)
		return vhost_fail(why, whylen, "VHOST_SET_VRING_NUM");
	if (ioctl(v->fd, VHOST_SET_VRING_ADDR, &addr) < 0)
		return vhost_fail(why, whylen, "VHOST_SET_VRING_ADDR");
	if (ioctl(v->fd, VHOST_SET_VRING_BASE, &base) < 0)
		return vhost_fail(why, whylen, "VHOST_SET_VRING_BASE");
	if (ioctl(v->fd, VHOST_SET_VRING_KICK, &kick) < 0)
		return vhost_fail(why, whylen, "VHOST_SET_VRING_KICK");
	if (ioctl(v->fd, VHOST_SET_VRING_CALL, &call) < 0)
		return vhost_fail(why, whylen, "VHOST_SET_VRING_CALL");
	if (ioctl(v->fd, VHOST_SET_VRING_ERR, &err) < 0)
		return vhost_fail(why, whylen, "VHOST_SET_VRING_ERR");
	return 0;
}

/* Unbind ring i's eventfds (a later user-space start reads the kicks). */
static void
vhost_unbind(struct vhost_net *v, unsigned i)
{
	struct vhost_vring_file f = {i, -1};

	(void)ioctl(v->fd, VHOST_SET_VRING_KICK, &f);
	(void)ioctl(v->fd, VHOST_SET_VRING_CALL, &f);
}

int
vhost_net_start(struct vhost_net *v, uint64_t features,
		const struct vhost_net_ring r[2], int tap_fd, char *why,
		size_t whylen)
{
	uint64_t f = features & vhost_net_ring_mask(), one = 1;
	struct vhost_vring_file be;
	unsigned i, bit;
	int rc = 0;

	if (f & ~v->features) {
		for (bit = 0; !((f & ~v->features) & (1ULL << bit)); bit++)
			;
		snprintf(why, whylen,
			 "vhost-net: the kernel lacks feature bit %u", bit);
		return -EOPNOTSUPP;
	}
	if (ioctl(v->fd, VHOST_SET_FEATURES, &f) < 0)
		return vhost_fail(why, whylen, "VHOST_SET_FEATURES");
	for (i = 0; i < VHOST_RINGS && rc == 0; i++) {
		v->vq[i] = r[i].vq;
		rc = vhost_ring(v, i, &r[i], why, whylen);
	}
	for (i = 0; i < VHOST_RINGS && rc == 0; i++) {
		be = (struct vhost_vring_file){i, tap_fd};
		if (ioctl(v->fd, VHOST_NET_SET_BACKEND, &be) < 0)
			rc = vhost_fail(why, whylen, "VHOST_NET_SET_BACKEND");
		else
			v->started = 1;
	}
	if (rc < 0) {
		vhost_net_stop(v);
		for (i = 0; i < VHOST_RINGS; i++)
			vhost_unbind(v, i);
		return rc;
	}
	/* Kicks that came while nobody served the rings. */
	for (i = 0; i < VHOST_RINGS; i++)
		if (r[i].kick_fd >= 0)
			(void)!write(r[i].kick_fd, &one, sizeof(one));
	return 0;
}

void
vhost_net_stop(struct vhost_net *v)
{
	struct vhost_vring_file be;
	struct vhost_vring_state base;
	uint16_t used;
	unsigned i;

	if (!v || !v->started)
		return;
	for (i = 0; i < VHOST_RINGS; i++) {
		be = (struct vhost_vring_file){i, -1};
		(void)ioctl(v->fd, VHOST_NET_SET_BACKEND, &be);
	}
	for (i = 0; i < VHOST_RINGS; i++) {
		base = (struct vhost_vring_state){i, 0};
		if (ioctl(v->fd, VHOST_GET_VRING_BASE, &base) == 0)
			v->vq[i]->last_avail = (uint16_t)base.num;
		if (mem_read(v->mem, v->vq[i]->used_gpa + 2, &used,
			     sizeof(used)) == 0)
			v->vq[i]->used_idx = used;
		v->vq[i]->signalled_valid = false;
		vhost_unbind(v, i);
	}
	v->started = 0;
}

int
vhost_net_started(const struct vhost_net *v)
{
	return v && v->started;
}

int
vhost_net_err_fd(const struct vhost_net *v, unsigned i)
{
	return v && i < VHOST_RINGS ? v->err_fd[i] : -1;
}

void
vhost_net_close(struct vhost_net *v)
{
	unsigned i;

	if (!v)
		return;
	vhost_net_stop(v);
	for (i = 0; i < VHOST_RINGS; i++)
		if (v->err_fd[i] >= 0)
			close(v->err_fd[i]);
	if (v->fd >= 0)
		close(v->fd);
	free(v);
}
