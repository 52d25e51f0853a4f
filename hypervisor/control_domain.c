/* SPDX-License-Identifier: GPL-2.0-or-later */
/* control_domain.c: the requests about the domain itself in xmhv's
 * toolstack mode: PING, PAUSE, UNPAUSE, SHUTDOWN, DESTROY, GETINFO,
 * SET_VCPUS, WATCH, and the creation messages refused once built. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "control_int.h"
#include "loop.h"
#include "proto.h"
#include "util.h"
#include "vm.h"

int
control_do_ping(struct control *ctl, struct control_client *cl,
		union control_answer *ans)
{
	return 0;
}

int
control_check_alive(struct control *ctl, union control_answer *ans)
{
	if (!(ctl->state & (XMHV_STATE_SHUTDOWN | XMHV_STATE_CRASHED)))
		return 0;
	control_errmsg(ans->reply.msg, sizeof(ans->reply.msg),
		       "domain %s has shut down (%s)", control_name(ctl),
		       xmhv_reason_name(ctl->reason));
	return -EINVAL;
}

int
control_do_unpause(struct control *ctl, struct control_client *cl,
		   union control_answer *ans)
{
	int r = control_check_alive(ctl, ans);

	if (r == 0)
		r = vm_unpause(ctl->vm);

	control_sync_state(ctl);
	return r;
}

int
control_do_pause(struct control *ctl, struct control_client *cl,
		 union control_answer *ans)
{
	int r = control_check_alive(ctl, ans);

	if (r == 0)
		r = vm_pause(ctl->vm);

	control_sync_state(ctl);
	return r;
}

int
control_do_shutdown(struct control *ctl, struct control_client *cl,
		    union control_answer *ans)
{
	int r = control_check_alive(ctl, ans);

	return r < 0 ? r : vm_request_shutdown(ctl->vm, cl->msg->u32.value);
}

int
control_do_set_vcpus(struct control *ctl, struct control_client *cl,
		     union control_answer *ans)
{
	if (cl->msg->u32.value > ctl->c.cfg.max_vcpus) {
		control_errmsg(ans->reply.msg, sizeof(ans->reply.msg),
			       "domain %s has at most %u vcpus",
			       control_name(ctl), ctl->c.cfg.max_vcpus);
		return -EINVAL;
	}
	return vm_set_vcpus(ctl->vm, cl->msg->u32.value);
}

int
control_do_watch(struct control *ctl, struct control_client *cl,
		 union control_answer *ans)
{
	cl->watch = true;
	return 0;
}

int
control_do_destroy(struct control *ctl, struct control_client *cl,
		   union control_answer *ans)
{
	/* Watchers learn that the EOF which follows is a destroy. */
	control_push_event(ctl, ctl->state | XMHV_STATE_DYING, ctl->reason);
	ctl->destroyed = true;
	loop_stop(ctl->loop);
	return 0;
}

int
control_do_getinfo(struct control *ctl, struct control_client *cl,
		   union control_answer *ans)
{
	struct xmhv_dominfo *info = &ans->info.info;

	memset(info, 0, sizeof(*info));
	vm_getinfo(ctl->vm, info);
	info->domid = ctl->c.domid;
	memcpy(info->name, ctl->c.cfg.name, sizeof(info->name));
	memcpy(info->uuid, ctl->c.cfg.uuid, sizeof(info->uuid));
	info->pid = getpid();
	if (info->uptime_ns == 0)
		info->uptime_ns = util_now_ns() - ctl->created_ns;
	if (ctl->destroyed)
		info->state |= XMHV_STATE_DYING;
	return 0;
}

int
control_do_create_again(struct control *ctl, struct control_client *cl,
			union control_answer *ans)
{
	control_errmsg(ans->reply.msg, sizeof(ans->reply.msg),
		       "domain %u is already built", ctl->c.domid);
	return -EEXIST;
}
