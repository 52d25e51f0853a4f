/* SPDX-License-Identifier: GPL-2.0-or-later */
/* info.c: keeps every domain's getinfo fresh from a worker thread, so that
 * xend.domains answers from the cache without one round trip per domain
 * (xm list at 100 domains). State changes still arrive at once as xmhv
 * events; the cache only ages cpu_time and the r/b flags. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "util.h"
#include "xmd.h"

#define INFO_PERIOD_MS 1000

/* One sweep: the ids and generations to refresh, and the answers. */
struct info_sweep {
	char dom_dir[PATH_MAX];
	int notify_fd;
	size_t n;
	struct {
		xmhv_domid_t domid;
		uint64_t gen;
		int rc;
		struct xmhv_dominfo info;
	} e[];
};

static bool info_busy;
static struct event *info_timer;
static struct event *info_done_event;
static int info_pipe[2] = {-1, -1};

static void *
info_thread(void *arg)
{
	struct info_sweep *s = arg;
	struct xmhv *h;
	size_t i;

	h = xmhv_open(s->dom_dir, NULL);
	for (i = 0; i < s->n; i++)
		s->e[i].rc =
			h ? xmhv_domain_getinfo(h, s->e[i].domid, &s->e[i].info)
			  : -ENOMEM;
	xmhv_close(h);
	if (util_write_all(s->notify_fd, &s, sizeof(s)) < 0)
		abort(); /* the main loop would wait for this sweep forever */
	return NULL;
}

static void
info_done_cb(int fd, short what, void *arg)
{
	struct xmd *x = arg;
	struct info_sweep *s;
	struct xmd_domain *d;
	size_t i;

	if (util_read_all(fd, &s, sizeof(s)) < 0)
		return;
	for (i = 0; i < s->n; i++) {
		d = domains_find_domid(x, s->e[i].domid);
		/* An event or a direct refresh since the snapshot wins. */
		if (!d || d->info_gen != s->e[i].gen || s->e[i].rc < 0)
			continue;
		domains_info_store(d, &s->e[i].info);
		/* A shutdown whose event was missed (e.g. between the end of
		 * a create and our watch) is still handled. */
		if ((d->info.state &
		     (XMHV_STATE_SHUTDOWN | XMHV_STATE_CRASHED)) &&
		    !d->policy_done && !d->destroying) {
			log_warn("domain %s (id %u): shutdown seen by polling",
				 d->name, d->domid);
			policy_apply(x, d,
				     d->info.state & XMHV_STATE_CRASHED
					     ? XMHV_SHUTDOWN_CRASH
					     : d->info.shutdown_reason);
		}
	}
	free(s);
	info_busy = false;
}

static void
info_timer_cb(int fd, short what, void *arg)
{
	struct xmd *x = arg;
	struct info_sweep *s;
	struct xmd_domain *d;
	pthread_attr_t attr;
	pthread_t tid;
	size_t n = 0;

	if (info_busy)
		return;
	TAILQ_FOREACH(d, &x->domains, link)
	{
		if (d->phase == XMD_PHASE_ACTIVE)
			n++;
	}
	if (n == 0)
		return;
	s = calloc(1, sizeof(*s) + n * sizeof(s->e[0]));
	if (!s)
		return;
	XMD_STRLCPY(s->dom_dir, x->dom_dir);
	s->notify_fd = info_pipe[1];
	TAILQ_FOREACH(d, &x->domains, link)
	{
		if (d->phase != XMD_PHASE_ACTIVE || s->n == n)
			continue;
		s->e[s->n].domid = d->domid;
		s->e[s->n].gen = d->info_gen;
		s->n++;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&tid, &attr, info_thread, s) == 0)
		info_busy = true;
	else
		free(s);
	pthread_attr_destroy(&attr);
}

int
info_init(struct xmd *x)
{
	struct timeval tv = {.tv_sec = INFO_PERIOD_MS / 1000,
			     .tv_usec = (INFO_PERIOD_MS % 1000) * 1000};

	if (pipe2(info_pipe, O_CLOEXEC) < 0)
		return -errno;
	info_done_event = event_new(x->base, info_pipe[0], EV_READ | EV_PERSIST,
				    info_done_cb, x);
	info_timer = event_new(x->base, -1, EV_PERSIST, info_timer_cb, x);
	if (!info_done_event || !info_timer ||
	    event_add(info_done_event, NULL) < 0 ||
	    event_add(info_timer, &tv) < 0)
		return -ENOMEM;
	return 0;
}

void
info_dispose(void)
{
	if (info_timer)
		event_free(info_timer);
	if (info_done_event)
		event_free(info_done_event);
	info_timer = info_done_event = NULL;
}

bool
info_fresh(const struct xmd_domain *d)
{
	return d->info_valid && util_now_ns() - d->info_time_ns <
					2ull * INFO_PERIOD_MS * 1000000ull;
}
