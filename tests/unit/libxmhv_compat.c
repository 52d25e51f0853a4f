/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libxmhv_compat.c: libxmhv against monitors of other interface versions,
 * played by fake peers on unix sockets (no monitor binary of version 1
 * exists any more): a version 1 monitor, still running after an upgrade,
 * is spoken to in version 1 for every runtime message and listed; a
 * monitor of an unknown version is refused with a message naming both
 * versions and what to do. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "proto.h"
#include "tap.h"
#include "util.h"
#include "xmhv.h"

/* A fake monitor of one interface version. */
struct fake {
	int lfd;
	xmhv_domid_t domid;
	uint16_t version;
	pthread_t accepter;
	pthread_mutex_t lock;
	int refused; /* connections refused for their version */
	int served;  /* requests answered in its version */
};

struct fake_conn {
	struct fake *f;
	int fd;
};

/* As a monitor of f's version answers a peer of another one. */
static void
fake_refuse(struct fake *f, int fd, const struct proto_hdr *hdr)
{
	struct proto_reply rep = {.err = -EPROTONOSUPPORT, .pid = getpid()};

	(void)snprintf(rep.msg, sizeof(rep.msg),
		       "xmhv speaks interface version %u, the peer version %u",
		       f->version, hdr->version);
	/* Counted before the answer: once it is read, the test may stop f. */
	pthread_mutex_lock(&f->lock);
	f->refused++;
	pthread_mutex_unlock(&f->lock);
	(void)!proto_send(fd, f->version, PROTO_REPLY, hdr->seq, &rep,
			  sizeof(rep), -1);
}

/* One request in f's version; false when the connection ends. */
static bool
fake_answer(struct fake *f, int fd, const struct proto_hdr *hdr)
{
	struct proto_reply rep = {.pid = getpid()};
	struct proto_event ev = {.domid = f->domid};
	struct proto_info info;

	pthread_mutex_lock(&f->lock);
	f->served++;
	pthread_mutex_unlock(&f->lock);
	switch (hdr->type) {
	case PROTO_GETINFO:
		memset(&info, 0, sizeof(info));
		info.info.domid = f->domid;
		strcpy(info.info.name, "old1");
		info.info.state = XMHV_STATE_PAUSED;
		info.info.max_vcpus = info.info.online_vcpus = 1;
		info.info.pid = getpid();
		return proto_send(fd, f->version, PROTO_INFO, hdr->seq, &info,
				  sizeof(info), -1) == 0;
	case PROTO_WATCH:
		ev.state = XMHV_STATE_SHUTDOWN;
		ev.reason = XMHV_SHUTDOWN_POWEROFF;
		return proto_send(fd, f->version, PROTO_REPLY, hdr->seq, &rep,
				  sizeof(rep), -1) == 0 &&
		       proto_send(fd, f->version, PROTO_EVENT, 0, &ev,
				  sizeof(ev), -1) == 0;
	case PROTO_DESTROY:
		(void)!proto_send(fd, f->version, PROTO_REPLY, hdr->seq, &rep,
				  sizeof(rep), -1);
		return false;
	default:
		return proto_send(fd, f->version, PROTO_REPLY, hdr->seq, &rep,
				  sizeof(rep), -1) == 0;
	}
}

static void *
fake_serve(void *arg)
{
	struct fake_conn *c = arg;
	struct proto_hdr hdr;
	uint8_t payload[64];

	while (util_read_all(c->fd, &hdr, sizeof(hdr)) == 0) {
		if (hdr.magic != PROTO_MAGIC)
			break;
		if (hdr.version != c->f->version) {
			fake_refuse(c->f, c->fd, &hdr);
			break;
		}
		if (hdr.length > sizeof(payload) ||
		    util_read_all(c->fd, payload, hdr.length) < 0 ||
		    !fake_answer(c->f, c->fd, &hdr))
			break;
	}
	close(c->fd);
	free(c);
	return NULL;
}

static void *
fake_accept(void *arg)
{
	struct fake *f = arg;
	struct fake_conn *c;
	pthread_attr_t attr;
	pthread_t t;
	int fd;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	while ((fd = accept4(f->lfd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		c = malloc(sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->f = f;
		c->fd = fd;
		if (pthread_create(&t, &attr, fake_serve, c) != 0) {
			close(fd);
			free(c);
		}
	}
	pthread_attr_destroy(&attr);
	return NULL;
}

static bool
fake_start(struct fake *f, const char *run, xmhv_domid_t domid,
	   uint16_t version)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	memset(f, 0, sizeof(*f));
	f->domid = domid;
	f->version = version;
	pthread_mutex_init(&f->lock, NULL);
	(void)!util_snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%u.sock",
			     run, domid);
	f->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	return f->lfd >= 0 &&
	       bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	       listen(f->lfd, 8) == 0 &&
	       pthread_create(&f->accepter, NULL, fake_accept, f) == 0;
}

static void
fake_stop(struct fake *f)
{
	(void)shutdown(f->lfd, SHUT_RDWR); /* accept returns */
	pthread_join(f->accepter, NULL);
	close(f->lfd);
}

static int
fake_count(struct fake *f, const int *counter)
{
	int n;

	pthread_mutex_lock(&f->lock);
	n = *counter;
	pthread_mutex_unlock(&f->lock);
	return n;
}

/* Wait for one event of domid. */
static bool
next_event(struct xmhv *h, xmhv_domid_t domid, struct xmhv_event *ev)
{
	struct pollfd pfd = {.fd = xmhv_event_fd(h), .events = POLLIN};
	int i;

	for (i = 0; i < 50; i++) {
		if (xmhv_event_read(h, ev) == 1 && ev->domid == domid)
			return true;
		(void)poll(&pfd, 1, 100);
	}
	return false;
}

static void
test_version1(struct xmhv *h, const char *run)
{
	struct xmhv_dominfo info;
	struct xmhv_event ev;
	xmhv_domid_t ids[4];
	struct fake f;
	struct xmhv *h2;
	int n;

	if (!tap_ok(fake_start(&f, run, 8, PROTO_VERSION_1),
		    "a fake monitor of version 1"))
		return;
	memset(&info, 0, sizeof(info));
	tap_ok(xmhv_domain_getinfo(h, 8, &info) == 0 &&
		       strcmp(info.name, "old1") == 0 &&
		       (info.state & XMHV_STATE_PAUSED),
	       "getinfo: a version 1 monitor answers in version 1");
	tap_is_int(fake_count(&f, &f.refused), 1,
		   "after one refusal of version 2");
	tap_is_int(xmhv_domain_unpause(h, 8), 0, "unpause");
	tap_ok(xmhv_domain_shutdown(h, 8, XMHV_SHUTDOWN_POWEROFF) == 0 &&
		       xmhv_domain_set_vcpus(h, 8, 1) == 0,
	       "shutdown and set_vcpus");
	tap_is_int(fake_count(&f, &f.refused), 1,
		   "the handle remembers: no second try in version 2");
	n = xmhv_domain_list(h, ids, 4);
	tap_ok(n == 1 && ids[0] == 8, "it is listed (xmd re-adopts it)");
	tap_ok(xmhv_watch(h, 8) == 0 && next_event(h, 8, &ev) && !ev.gone &&
		       (ev.state & XMHV_STATE_SHUTDOWN) &&
		       ev.reason == XMHV_SHUTDOWN_POWEROFF,
	       "watch: its version 1 events are read");
	h2 = xmhv_open(run, "/nonexistent/xmhv");
	tap_ok(h2 && xmhv_domain_pause(h2, 8) == 0 &&
		       fake_count(&f, &f.refused) == 2,
	       "a new handle (xmd restarted) finds out again");
	xmhv_close(h2);
	tap_ok(fake_count(&f, &f.served) >= 7,
	       "%d requests served in "
	       "version 1",
	       fake_count(&f, &f.served));
	fake_stop(&f);
}

static void
test_unknown(struct xmhv *h, const char *run)
{
	struct fake f;
	int r;

	if (!tap_ok(fake_start(&f, run, 9, 3), "a fake monitor of version 3"))
		return;
	r = xmhv_domain_pause(h, 9);
	tap_ok(r == -EPROTONOSUPPORT &&
		       strstr(xmhv_error(h), "interface version 3") &&
		       strstr(xmhv_error(h), "versions 1 and 2") &&
		       strstr(xmhv_error(h), "destroy it"),
	       "refused, saying why and what to do: %s", xmhv_error(h));
	tap_is_int(fake_count(&f, &f.served), 0,
		   "no request of ours reached it");
	fake_stop(&f);
}

int
main(void)
{
	char dir[] = "/tmp/libxmhv-compat-XXXXXX", run[64], cmd[96];
	struct xmhv *h;

	if (!mkdtemp(dir))
		tap_skip_all("mkdtemp: %s", strerror(errno));
	(void)snprintf(run, sizeof(run), "%s/run", dir);
	h = xmhv_open(run, "/nonexistent/xmhv");
	if (!tap_ok(h != NULL, "xmhv_open"))
		return tap_done();
	test_version1(h, run);
	test_unknown(h, run);
	xmhv_close(h);
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)!system(cmd); /* test scratch only */
	return tap_done();
}
