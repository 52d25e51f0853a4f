/* SPDX-License-Identifier: GPL-2.0-or-later */
/* domains_lifecycle.c: each domain's transitions: create and start (a
 * worker thread builds it), the worker's result, destroy, the xmhv events
 * that end it, policy restarts. (The machine itself is hypervisor/vm.c,
 * inside xmhv.) Main thread, but for domains_job_thread. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domains_int.h"
#include "log.h"
#include "netdom.h"
#include "util.h"
#include "xmd.h"

/* One domain build, handed to a worker thread and back. */
struct domains_job {
	struct xmd_domain *d; /* owned by the main thread; never touched */
	struct xmhv_domain_config *hv;
	struct net_job *net; /* the vifs: taps made, attached by the worker */
	char dom_dir[PATH_MAX];
	char xmhv_path[PATH_MAX];
	int notify_fd;
	int rc;
	xmhv_domid_t domid;
	char errmsg[XMHV_PATH_MAX + 256];
	/* booting from the disk: a copy of the config for the worker (the
	 * helper runs there, not in the main loop); the entry it read */
	struct xmcfg_domain *boot_cfg;
	char boot[2048];
};

static void *
domains_job_thread(void *arg)
{
	struct domains_job *job = arg;
	struct xmhv *h = NULL;

	if (job->boot_cfg)
		job->rc = bootdisk_prepare(job->boot_cfg, job->hv, job->boot,
					   sizeof(job->boot), job->errmsg,
					   sizeof(job->errmsg));
	if (job->rc == 0)
		h = xmhv_open(job->dom_dir,
			      job->xmhv_path[0] ? job->xmhv_path : NULL);
	if (job->rc < 0) {
		/* errmsg says why */
	} else if (!h) {
		job->rc = -errno;
		snprintf(job->errmsg, sizeof(job->errmsg), "%s: %s",
			 job->dom_dir, strerror(errno));
	} else {
		job->rc = xmhv_domain_create(h, job->hv, &job->domid,
					     job->errmsg, sizeof(job->errmsg));
		bootdisk_release(job->hv); /* the monitor has them now */
		/* Built and paused: the vifs are named and attached now,
		 * before the guest runs, as xend did. */
		if (job->rc == 0) {
			job->rc = net_job_attach(job->net, job->domid,
						 job->errmsg,
						 sizeof(job->errmsg));
			if (job->rc < 0 &&
			    xmhv_domain_destroy(h, job->domid) < 0) {
				/* gone already */
			}
		}
		xmhv_close(h);
	}
	net_job_close(job->net); /* the monitor holds the taps, or none does */
	if (util_write_all(job->notify_fd, &job, sizeof(job)) < 0)
		abort(); /* the main loop would never hear of this domain */
	return NULL;
}

/* Start building d in a worker thread. Returns 0 or -errno with msg. */
static int
domains_launch(struct xmd *x, struct xmd_domain *d, char *msg, size_t msglen)
{
	struct domains_job *job;
	pthread_attr_t attr;
	pthread_t tid;
	int rc;

	job = calloc(1, sizeof(*job));
	if (!job) {
		snprintf(msg, msglen, "out of memory");
		return -ENOMEM;
	}
	rc = hvconfig_build(x, d->cfg, &job->hv, msg, msglen);
	if (rc == 0 && bootdisk_needed(d->cfg) &&
	    !(job->boot_cfg = xmcfg_domain_dup(d->cfg))) {
		snprintf(msg, msglen, "out of memory");
		free(job->hv);
		rc = -ENOMEM;
	} else if (rc == 0) {
		rc = net_domain_prepare(x, d, job->hv, &job->net, msg, msglen);
		if (rc < 0) {
			xmcfg_domain_free(job->boot_cfg);
			free(job->hv);
		}
	}
	if (rc < 0) {
		free(job);
		return rc;
	}
	job->d = d;
	job->notify_fd = x->job_pipe[1];
	XMD_STRLCPY(job->dom_dir, x->dom_dir);
	XMD_STRLCPY(job->xmhv_path, x->xmhv_path);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = -pthread_create(&tid, &attr, domains_job_thread, job);
	pthread_attr_destroy(&attr);
	if (rc < 0) {
		snprintf(msg, msglen, "domain %s: cannot start a worker: %s",
			 d->name, strerror(-rc));
		net_job_free(job->net);
		xmcfg_domain_free(job->boot_cfg);
		free(job->hv);
		free(job);
		return rc;
	}
	d->phase = XMD_PHASE_CREATING;
	d->domid = 0;
	d->info_valid = false;
	(void)record_write(x,
			   d); /* kill -9 from here on: see domains_adopt_all */
	d->policy_done = false;
	d->reboot_requested = false;
	d->destroying = false;
	return 0;
}

int
domains_create(struct xmd *x, struct xmcfg_domain *cfg, bool paused,
	       bool managed, struct control_req *req, char *msg, size_t msglen)
{
	struct xmd_domain *d, *other;
	int rc;

	other = domains_find_name(x, cfg->name);
	if (other) {
		if (other->phase == XMD_PHASE_ACTIVE)
			snprintf(msg, msglen,
				 "Domain '%s' already exists with ID '%u'",
				 cfg->name, other->domid);
		else
			snprintf(msg, msglen, "Domain '%s' already exists",
				 cfg->name);
		xmcfg_domain_free(cfg);
		return XMLRPC_FAULT_EXISTS;
	}
	if (strlen(cfg->name) >= XMHV_NAME_MAX) {
		snprintf(msg, msglen, "domain name '%s' is too long",
			 cfg->name);
		xmcfg_domain_free(cfg);
		return XMLRPC_FAULT_INVALID;
	}
	d = domains_insert(x, cfg, managed);
	if (!d) {
		snprintf(msg, msglen, "out of memory");
		return XMLRPC_FAULT_GENERIC;
	}
	other = NULL;
	TAILQ_FOREACH(other, &x->domains, link)
	{
		if (other != d && memcmp(other->uuid, d->uuid, 16) == 0)
			break;
	}
	if (other) {
		snprintf(msg, msglen, "Domain '%s' already exists with UUID %s",
			 other->name, other->uuid_str);
		domains_forget(x, d, true);
		return XMLRPC_FAULT_EXISTS;
	}
	d->paused_on_create = paused;
	d->waiting = req;
	d->first_start_time = domains_now();
	rc = domains_launch(x, d, msg, msglen);
	if (rc < 0) {
		log_err("%s", msg);
		domains_forget(x, d, false);
		return XMLRPC_FAULT_GENERIC;
	}
	return 0;
}

int
domains_start(struct xmd *x, struct xmd_domain *d, bool paused,
	      struct control_req *req, char *msg, size_t msglen)
{
	int rc;

	if (d->phase != XMD_PHASE_STOPPED) {
		snprintf(msg, msglen, "Domain '%s' is already running",
			 d->name);
		return XMLRPC_FAULT_EXISTS;
	}
	d->paused_on_create = paused;
	d->waiting = req;
	d->restart_count = 0;
	d->auto_restarted = false;
	rc = domains_launch(x, d, msg, msglen);
	if (rc < 0) {
		log_err("%s", msg);
		return XMLRPC_FAULT_GENERIC;
	}
	return 0;
}

/* The worker is done: make the domain live (or clean up). */
static void
domains_job_finish(struct xmd *x, struct domains_job *job)
{
	struct xmd_domain *d = job->d;
	struct control_req *req = d->waiting;
	struct xmlrpc_value *st;
	int rc;

	d->waiting = NULL;
	if (job->rc == -EBUSY)
		(void)storage_name_holder(x, d->name, job->hv, job->errmsg,
					  sizeof(job->errmsg));
	if (job->rc < 0) {
		log_err("domain %s: create failed: %s", d->name,
			job->errmsg[0] ? job->errmsg : strerror(-job->rc));
		if (req)
			control_fault(req, XMLRPC_FAULT_GENERIC, "%s",
				      job->errmsg[0] ? job->errmsg
						     : strerror(-job->rc));
		if (d->managed) {
			d->phase = XMD_PHASE_STOPPED;
			(void)record_write(x, d);
		} else {
			domains_forget(x, d, false);
		}
		return;
	}
	d->domid = job->domid;
	d->phase = XMD_PHASE_ACTIVE;
	d->start_time = domains_now();
	net_job_log(job->net, d->domid);
	d->vhost_devids = net_job_vhost_devids(job->net);
	d->datapath_known = true;
	rc = xmhv_watch(x->hv, d->domid);
	if (rc < 0)
		log_warn("domain %s (id %u): cannot watch: %s", d->name,
			 d->domid, strerror(-rc));
	if (d->destroying) {
		(void)domains_destroy(x, d, "destroyed while being created");
		if (req)
			control_fault(req, XMLRPC_FAULT_GENERIC,
				      "Domain '%s' was destroyed while being "
				      "created",
				      job->hv->name);
		return;
	}
	if (d->auto_restarted && !req)
		log_info("domain %s (id %u): restarted (restart %u)", d->name,
			 d->domid, d->restart_count);
	else
		log_info("domain %s (id %u): created%s", d->name, d->domid,
			 d->paused_on_create ? " (paused)" : "");
	if (!d->paused_on_create) {
		rc = xmhv_domain_unpause(x->hv, d->domid);
		if (rc < 0) {
			char msg[256];

			snprintf(msg, sizeof(msg),
				 "domain %s (id %u): cannot unpause: %s",
				 d->name, d->domid, strerror(-rc));
			log_err("%s", msg);
			if (req)
				control_fault(req, XMLRPC_FAULT_GENERIC, "%s",
					      msg);
			(void)domains_destroy(x, d, "unpause failed");
			return;
		}
	}
	(void)domains_refresh(x, d);
	(void)record_write(x, d);
	if (!req)
		return;
	st = xmlrpc_struct();
	if (xmlrpc_struct_set(st, "domid", xmlrpc_int(d->domid)) < 0 ||
	    xmlrpc_struct_set(st, "name", xmlrpc_string(d->name)) < 0 ||
	    xmlrpc_struct_set(st, "uuid", xmlrpc_string(d->uuid_str)) < 0 ||
	    (job->boot[0] && xmlrpc_struct_set(st, "boot_entry",
					       xmlrpc_string(job->boot)) < 0)) {
		xmlrpc_free(st);
		control_fault(req, XMLRPC_FAULT_GENERIC, "out of memory");
		return;
	}
	control_reply(req, st);
}

void
domains_job_cb(int fd, short what, void *arg)
{
	struct xmd *x = arg;
	struct domains_job *job;

	while (util_read_all(fd, &job, sizeof(job)) == 0) {
		domains_job_finish(x, job);
		net_job_free(job->net);
		xmcfg_domain_free(job->boot_cfg);
		bootdisk_release(job->hv);
		free(job->hv);
		free(job);
		break; /* one per wakeup: the pipe stays readable */
	}
}

int
domains_destroy(struct xmd *x, struct xmd_domain *d, const char *why)
{
	xmhv_domid_t domid = d->domid;
	int rc = 0;

	if (d->phase == XMD_PHASE_CREATING) {
		/* The worker still builds it; domains_job_finish destroys it. */
		d->destroying = true;
		log_info("domain %s: destroy requested while being created",
			 d->name);
		return 0;
	}
	if (d->phase == XMD_PHASE_ACTIVE) {
		d->destroying = true;
		rc = xmhv_domain_destroy(x->hv, domid);
		if (rc == -ESRCH)
			rc = 0;
		if (rc < 0) {
			log_err("domain %s (id %u): destroy failed: %s",
				d->name, domid, strerror(-rc));
			d->destroying = false;
			return rc;
		}
		log_info("domain %s (id %u): destroyed%s%s", d->name, domid,
			 why ? ": " : "", why ? why : "");
		net_domain_down(x, d);
	}
	d->domid = 0;
	d->info_valid = false;
	if (d->managed) {
		d->phase = XMD_PHASE_STOPPED;
		(void)record_write(x, d);
	} else {
		domains_forget(x, d, false);
	}
	return 0;
}

static void
domains_handle_event(struct xmd *x, const struct xmhv_event *ev)
{
	struct xmd_domain *d = domains_find_domid(x, ev->domid);
	uint32_t state = ev->state;

	if (!d || d->destroying)
		return;
	d->info.state = state;
	d->info_gen++;
	if (ev->pause_reason && !(d->info.pause_reason == ev->pause_reason)) {
		/* The monitor paused it (a disk without space): the device's
		 * name comes with getinfo; the log says why at once. */
		(void)domains_refresh(x, d);
		log_warn("domain %s (id %u): paused by its monitor: no space "
			 "left on disk %s (free some, then xm unpause)",
			 d->name, d->domid,
			 d->info.pause_device[0] ? d->info.pause_device : "?");
	}
	d->info.pause_reason = state & XMHV_STATE_PAUSED ? ev->pause_reason : 0;
	if (ev->gone) {
		log_warn("domain %s (id %u): monitor exited unexpectedly",
			 d->name, d->domid);
		if (xmhv_domain_destroy(x->hv, d->domid) < 0) {
			/* gone already: this only removes its files */
		}
		net_domain_down(x, d);
		d->domid = 0;
		d->phase = XMD_PHASE_STOPPED; /* no monitor any more */
		if (!d->policy_done)
			policy_apply(x, d, XMHV_SHUTDOWN_CRASH);
		return;
	}
	if ((state & (XMHV_STATE_SHUTDOWN | XMHV_STATE_CRASHED)) &&
	    !d->policy_done) {
		(void)domains_refresh(x, d);
		policy_apply(x, d,
			     state & XMHV_STATE_CRASHED ? XMHV_SHUTDOWN_CRASH
							: ev->reason);
	}
}

void
domains_event_cb(int fd, short what, void *arg)
{
	struct xmd *x = arg;
	struct xmhv_event ev;
	int n, rc;

	for (n = 0; n < 64; n++) {
		rc = xmhv_event_read(x->hv, &ev);
		if (rc <= 0)
			break;
		domains_handle_event(x, &ev);
	}
}
/* Restart d with its config (policy restart): called with no monitor. */
int
domains_restart(struct xmd *x, struct xmd_domain *d)
{
	char msg[1024];
	int rc;

	d->paused_on_create = false;
	d->waiting = NULL;
	d->restart_count++;
	d->auto_restarted = true;
	rc = domains_launch(x, d, msg, sizeof(msg));
	if (rc < 0) {
		log_err("domain %s: restart failed: %s", d->name, msg);
		d->restart_count--;
		return rc;
	}
	return 0;
}
