/* SPDX-License-Identifier: GPL-2.0-or-later */
/* control_devices.c: the toolstack's device hot-plug requests to a running
 * domain (a disk or a NIC in, out): the fds checked as creation checks
 * them, the device built or asked to go, and a detach answered when the
 * guest ejects the device or its wait is over. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control_int.h"
#include "util.h"

/* DISK_ATTACH: the disk's fd (checked as creation checks a disk's) into
 * a hot-plugged virtio-blk. */
int
control_do_disk_attach(struct control *ctl, struct control_client *cl,
		       union control_answer *ans)
{
	struct xmhv_disk_config *d = calloc(1, sizeof(*d));
	char *msg = ans->reply.msg;
	size_t mlen = sizeof(ans->reply.msg);
	int r = -ENOMEM;

	if (!d)
		goto out;
	proto_disk_decode(cl->msg, cl->hdr.length, d);
	r = control_check_alive(ctl, ans);
	if (r == 0)
		r = creation_check_disk_fd(d, cl->msg_fd, msg, mlen);
	if (r == 0) {
		d->fd = cl->msg_fd;
		r = vm_disk_attach(ctl->vm, d, msg, mlen);
	}
out:
	free(d);
	return r;
}

static void
control_detach_reply(struct control *ctl, struct control_detach *p, int err,
		     const char *msg)
{
	if (control_reply(p->cl->fd, p->seq, err, msg) < 0)
		control_client_close(ctl, p->cl);
	p->cl = NULL;
}

/* Pending detaches past their time: answered -ETIMEDOUT (the request
 * stays: the disk goes when the guest ejects it). */
static void
control_detach_timer(void *opaque, int fd, uint32_t events)
{
	struct control *ctl = opaque;
	uint64_t now = util_now_ns(), next = 0;
	struct control_detach *p;
	char msg[160];
	unsigned i;

	(void)fd;
	(void)events;
	for (i = 0; i < CONTROL_DETACHES; i++) {
		p = &ctl->detaches[i];
		if (!p->cl)
			continue;
		if (p->deadline_ns > now) {
			if (!next || p->deadline_ns < next)
				next = p->deadline_ns;
			continue;
		}
		control_errmsg(msg, sizeof(msg),
			       "domain %s: %s %s: the guest has not released "
			       "it within %d s; it goes when the guest ejects "
			       "it (or detach it with force)",
			       control_name(ctl), p->nic ? "nic" : "disk",
			       p->serial, PROTO_DETACH_WAIT_MS / 1000);
		control_detach_reply(ctl, p, -ETIMEDOUT, msg);
	}
	if (next)
		(void)!loop_timer(ctl->loop, (int)((next - now) / 1000000 + 1),
				  control_detach_timer, ctl);
}

/* A free entry for a detach that waits; NULL when all are taken. */
static struct control_detach *
control_detach_slot(struct control *ctl)
{
	unsigned i;

	for (i = 0; i < CONTROL_DETACHES; i++)
		if (!ctl->detaches[i].cl)
			return &ctl->detaches[i];
	return NULL;
}

/* The answer to cl's request waits in p for the device named name. */
static int
control_detach_wait(struct control *ctl, struct control_client *cl,
		    struct control_detach *p, const char *name, bool nic)
{
	*p = (struct control_detach){
		cl, cl->hdr.seq, "",
		util_now_ns() + PROTO_DETACH_WAIT_MS * 1000000ULL, nic};
	snprintf(p->serial, sizeof(p->serial), "%s", name);
	control_detach_timer(ctl, -1, 0); /* armed for the first deadline */
	return CONTROL_LATER;
}

/* DISK_DETACH: forced, answered now; else answered when the guest ejects
 * the disk (control_device_removed) or when the wait is over. */
int
control_do_disk_detach(struct control *ctl, struct control_client *cl,
		       union control_answer *ans)
{
	const struct proto_disk_detach *m = &cl->msg->detach;
	struct control_detach *p = control_detach_slot(ctl);
	char serial[sizeof(p->serial)];
	int r;

	if (!p && !(m->flags & PROTO_DETACH_FORCE))
		return -EBUSY;
	r = vm_disk_detach(ctl->vm, m->serial, m->flags & PROTO_DETACH_FORCE,
			   ans->reply.msg, sizeof(ans->reply.msg));
	if (r != 0)
		return r < 0 ? r : 0;
	memcpy(serial, m->serial, sizeof(serial) - 1);
	serial[sizeof(serial) - 1] = '\0';
	return control_detach_wait(ctl, cl, p, serial, false);
}

/* NIC_ATTACH: the tap's fd (checked as creation checks a NIC's) into a
 * hot-plugged virtio-net. */
int
control_do_nic_attach(struct control *ctl, struct control_client *cl,
		      union control_answer *ans)
{
	struct xmhv_nic_config n;
	char *msg = ans->reply.msg;
	size_t mlen = sizeof(ans->reply.msg);
	int r;

	memset(&n, 0, sizeof(n));
	n.fd = n.vhost_fd = -1;
	proto_nic_decode(&cl->msg->nic, cl->hdr.length, &n);
	r = control_check_alive(ctl, ans);
	if (r == 0)
		r = creation_check_nic_fd(&n, cl->msg_fd, msg, mlen);
	if (r == 0) {
		n.fd = cl->msg_fd;
		if (cl->vhost_fd >= 0 && memcmp(cl->vhost_mac, n.mac, 6) == 0)
			n.vhost_fd = cl->vhost_fd;
		r = vm_nic_attach(ctl->vm, &n, msg, mlen);
	}
	if (cl->vhost_fd >= 0) /* the device made its own copy */
		close(cl->vhost_fd);
	cl->vhost_fd = -1;
	return r;
}

/* NIC_VHOST: /dev/vhost-net for the NIC_ATTACH that follows on this
 * connection (kept until then). */
int
control_do_nic_vhost(struct control *ctl, struct control_client *cl,
		     union control_answer *ans)
{
	struct xmhv_nic_config n;
	int r;

	memset(&n, 0, sizeof(n));
	snprintf(n.tap, sizeof(n.tap), "(attach)");
	r = control_check_alive(ctl, ans);
	if (r == 0)
		r = creation_check_vhost_fd(&n, cl->msg_fd, ans->reply.msg,
					    sizeof(ans->reply.msg));
	if (r < 0)
		return r;
	if (cl->vhost_fd >= 0)
		close(cl->vhost_fd);
	cl->vhost_fd = cl->msg_fd;
	memcpy(cl->vhost_mac, cl->msg->nic_detach.mac, 6);
	cl->msg_fd = -1;
	return 0;
}

/* NIC_DETACH: as DISK_DETACH, the NIC named by its MAC. */
int
control_do_nic_detach(struct control *ctl, struct control_client *cl,
		      union control_answer *ans)
{
	const struct proto_nic_detach *m = &cl->msg->nic_detach;
	struct control_detach *p = control_detach_slot(ctl);
	char mac[18];
	int r;

	if (!p && !(m->flags & PROTO_DETACH_FORCE))
		return -EBUSY;
	r = vm_nic_detach(ctl->vm, m->mac, m->flags & PROTO_DETACH_FORCE,
			  ans->reply.msg, sizeof(ans->reply.msg));
	if (r != 0)
		return r < 0 ? r : 0;
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m->mac[0],
		 m->mac[1], m->mac[2], m->mac[3], m->mac[4], m->mac[5]);
	return control_detach_wait(ctl, cl, p, mac, true);
}

/* The guest ejected a disk (its serial) or a NIC (its MAC): a detach
 * waiting for it is answered. */
void
control_device_removed(void *opaque, const char *serial)
{
	struct control *ctl = opaque;
	unsigned i;

	for (i = 0; i < CONTROL_DETACHES; i++)
		if (ctl->detaches[i].cl &&
		    strcmp(ctl->detaches[i].serial, serial) == 0)
			control_detach_reply(ctl, &ctl->detaches[i], 0, NULL);
}
