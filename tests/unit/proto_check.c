/* SPDX-License-Identifier: GPL-2.0-or-later */
/* proto_check.c: unit tests of the libxmhv wire protocol and of libxmhv
 * calls that need no monitor (state strings, physinfo, ids, errors). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proto.h"
#include "tap.h"
#include "util.h"
#include "xmhv.h"

static void
test_header(void)
{
	struct proto_hdr hdr;

	proto_hdr_init(&hdr, PROTO_PING, 7);
	tap_is_int(proto_hdr_check(&hdr), 0, "ping header checks");
	tap_is_int(hdr.length, 0, "ping has no payload");
	proto_hdr_init(&hdr, PROTO_CREATE, 1);
	tap_is_int(hdr.length, sizeof(struct proto_create),
		   "create length is the fixed payload size");
	hdr.length--;
	tap_is_int(proto_hdr_check(&hdr), -EBADMSG, "short create refused");
	hdr.length += 2;
	tap_is_int(proto_hdr_check(&hdr), -EBADMSG, "long create refused");
	proto_hdr_init(&hdr, PROTO_EVENT, 1);
	hdr.magic ^= 1;
	tap_is_int(proto_hdr_check(&hdr), -EBADMSG, "bad magic refused");
	proto_hdr_init(&hdr, PROTO_EVENT, 1);
	hdr.version = XMHV_INTERFACE_VERSION + 1;
	tap_is_int(proto_hdr_check(&hdr), -EPROTONOSUPPORT,
		   "other interface version refused");
	proto_hdr_init(&hdr, PROTO_EVENT, 1);
	hdr.type = PROTO_TYPE_MAX;
	tap_is_int(proto_hdr_check(&hdr), -EBADMSG, "unknown type refused");
	hdr.type = PROTO_INVALID;
	hdr.length = 0;
	tap_is_int(proto_hdr_check(&hdr), -EBADMSG, "type 0 refused");
	hdr.type = 0xffff;
	tap_is_int(proto_hdr_check(&hdr), -EBADMSG, "type 0xffff refused");
	tap_ok(proto_payload_size(PROTO_TYPE_MAX) == (size_t)-1,
	       "no size for the sentinel");
	tap_ok(strcmp(proto_type_name(PROTO_GETINFO), "getinfo") == 0,
	       "type names");
}

static void
good_create(struct proto_create *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->run_dir, "/run/xmd/dom");
	c->domid = 3;
	strcpy(c->cfg.name, "web1");
	strcpy(c->cfg.kernel, "/boot/vmlinuz");
	c->cfg.memory_mib = 256;
	c->cfg.max_vcpus = 2;
}

static void
test_create_checks(void)
{
	struct proto_create *c = calloc(1, sizeof(*c));
	char why[128];

	good_create(c);
	tap_is_int(proto_payload_check(PROTO_CREATE, c, sizeof(*c), why,
				       sizeof(why)),
		   0, "a good create passes");
	tap_is_int(proto_payload_check(PROTO_CREATE, c, sizeof(*c) - 1, why,
				       sizeof(why)),
		   -EBADMSG, "payload length checked again");
	memset(c->cfg.name, 'a', sizeof(c->cfg.name));
	tap_is_int(proto_payload_check(PROTO_CREATE, c, sizeof(*c), why,
				       sizeof(why)),
		   -EBADMSG, "unterminated name refused (%s)", why);
	good_create(c);
	memset(c->cfg.cmdline, 'x', sizeof(c->cfg.cmdline));
	tap_is_int(proto_payload_check(PROTO_CREATE, c, sizeof(*c), NULL, 0),
		   -EBADMSG, "unterminated cmdline refused");
	good_create(c);
	memset(c->run_dir, '/', sizeof(c->run_dir));
	tap_is_int(proto_payload_check(PROTO_CREATE, c, sizeof(*c), NULL, 0),
		   -EBADMSG, "unterminated run_dir refused");
	good_create(c);
	strcpy(c->run_dir, "relative");
	tap_is_int(proto_payload_check(PROTO_CREATE, c, sizeof(*c), NULL, 0),
		   -EBADMSG, "relative run_dir refused");
	good_create(c);
	c->domid = 0;
	tap_is_int(proto_payload_check(PROTO_CREATE, c, sizeof(*c), NULL, 0),
		   -EBADMSG, "domain id 0 refused");
	good_create(c);
	c->cfg.ndisks = XMHV_MAX_DISKS + 1;
	tap_is_int(proto_payload_check(PROTO_CREATE, c, sizeof(*c), NULL, 0),
		   -EBADMSG, "too many disks refused");
	good_create(c);
	c->cfg.ndisks = 1;
	memset(c->cfg.disks[0].serial, 'S', sizeof(c->cfg.disks[0].serial));
	tap_is_int(proto_payload_check(PROTO_CREATE, c, sizeof(*c), NULL, 0),
		   -EBADMSG, "unterminated disk serial refused");
	good_create(c);
	c->cfg.nnics = 1;
	memset(c->cfg.nics[0].tap, 't', sizeof(c->cfg.nics[0].tap));
	tap_is_int(proto_payload_check(PROTO_CREATE, c, sizeof(*c), NULL, 0),
		   -EBADMSG, "unterminated tap name refused");
	good_create(c);
	c->cfg.ncpuid = 1;
	strcpy(c->cfg.cpuid[0].reg[2], "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx0");
	tap_is_int(proto_payload_check(PROTO_CREATE, c, sizeof(*c), NULL, 0), 0,
		   "a good cpuid mask passes");
	strcpy(c->cfg.cpuid[0].reg[2], "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx0");
	tap_is_int(proto_payload_check(PROTO_CREATE, c, sizeof(*c), NULL, 0),
		   -EBADMSG, "a 31-character cpuid mask refused");
	strcpy(c->cfg.cpuid[0].reg[2], "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxz");
	tap_is_int(proto_payload_check(PROTO_CREATE, c, sizeof(*c), NULL, 0),
		   -EBADMSG, "a cpuid mask with 'z' refused");
	good_create(c);
	c->cfg.max_vcpus = XMHV_MAX_VCPUS + 1;
	tap_is_int(proto_payload_check(PROTO_CREATE, c, sizeof(*c), why,
				       sizeof(why)),
		   -EINVAL, "too many vcpus refused (%s)", why);
	good_create(c);
	c->cfg.vcpus_online = 3;
	tap_is_int(proto_payload_check(PROTO_CREATE, c, sizeof(*c), NULL, 0),
		   -EINVAL, "more online than max vcpus refused");
	good_create(c);
	c->cfg.memory_mib = 0;
	tap_is_int(proto_payload_check(PROTO_CREATE, c, sizeof(*c), NULL, 0),
		   -EINVAL, "zero memory refused");
	good_create(c);
	c->cfg.kernel[0] = '\0';
	tap_is_int(proto_payload_check(PROTO_CREATE, c, sizeof(*c), NULL, 0),
		   -EINVAL, "no kernel refused");
	free(c);
}

static void
test_small_checks(void)
{
	union proto_payload p;

	memset(&p, 0, sizeof(p));
	p.u32.value = XMHV_SHUTDOWN_REBOOT;
	tap_is_int(
		proto_payload_check(PROTO_SHUTDOWN, &p, sizeof(p.u32), NULL, 0),
		0, "shutdown reboot passes");
	p.u32.value = XMHV_SHUTDOWN_CRASH;
	tap_is_int(
		proto_payload_check(PROTO_SHUTDOWN, &p, sizeof(p.u32), NULL, 0),
		-EINVAL, "shutdown with reason crash refused");
	p.u32.value = 0;
	tap_is_int(proto_payload_check(PROTO_SET_VCPUS, &p, sizeof(p.u32), NULL,
				       0),
		   -EINVAL, "zero vcpus refused");
	memset(&p, 0, sizeof(p));
	memset(p.reply.msg, 'm', sizeof(p.reply.msg));
	tap_is_int(
		proto_payload_check(PROTO_REPLY, &p, sizeof(p.reply), NULL, 0),
		-EBADMSG, "unterminated reply message refused");
	memset(&p, 0, sizeof(p));
	p.reply.err = 5;
	tap_is_int(
		proto_payload_check(PROTO_REPLY, &p, sizeof(p.reply), NULL, 0),
		-EBADMSG, "positive reply error refused");
	memset(&p, 0, sizeof(p));
	p.event.state = 1u << 6;
	tap_is_int(
		proto_payload_check(PROTO_EVENT, &p, sizeof(p.event), NULL, 0),
		-EBADMSG, "unknown state bit refused");
	p.event.state = XMHV_STATE_SHUTDOWN;
	p.event.reason = XMHV_SHUTDOWN_HALT + 1;
	tap_is_int(
		proto_payload_check(PROTO_EVENT, &p, sizeof(p.event), NULL, 0),
		-EBADMSG, "unknown reason refused");
	memset(&p, 0, sizeof(p));
	memset(p.info.info.name, 'n', sizeof(p.info.info.name));
	tap_is_int(proto_payload_check(PROTO_INFO, &p, sizeof(p.info), NULL, 0),
		   -EBADMSG, "unterminated info name refused");
}

static void
test_send_recv(void)
{
	union proto_payload *in = calloc(1, sizeof(*in));
	union proto_payload out;
	struct proto_hdr hdr;
	int sp[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) < 0) {
		tap_ok(false, "socketpair: %s", strerror(errno));
		free(in);
		return;
	}
	memset(&out, 0, sizeof(out));
	out.event.domid = 4;
	out.event.state = XMHV_STATE_SHUTDOWN;
	out.event.reason = XMHV_SHUTDOWN_POWEROFF;
	tap_is_int(proto_send(sp[0], PROTO_EVENT, 9, &out.event), 0,
		   "send an event");
	tap_is_int(proto_recv(sp[1], 1000, &hdr, in), 0, "receive it");
	tap_ok(hdr.type == PROTO_EVENT && hdr.seq == 9 &&
		       in->event.domid == 4 &&
		       in->event.reason == XMHV_SHUTDOWN_POWEROFF,
	       "event round-trips");
	tap_is_int(proto_recv(sp[1], 0, &hdr, in), -ETIMEDOUT,
		   "nothing pending: timeout");
	/* A header claiming another version. */
	proto_hdr_init(&hdr, PROTO_PING, 1);
	hdr.version = 99;
	tap_is_int(util_write_all(sp[0], &hdr, sizeof(hdr)), 0, "write v99");
	tap_is_int(proto_recv(sp[1], 1000, &hdr, in), -EPROTONOSUPPORT,
		   "version 99 refused");
	tap_is_int(hdr.version, 99, "peer header returned for the message");
	/* A truncated message then EOF. */
	proto_hdr_init(&hdr, PROTO_REPLY, 2);
	tap_is_int(util_write_all(sp[0], &hdr, sizeof(hdr)), 0,
		   "write a reply header only");
	close(sp[0]);
	tap_is_int(proto_recv(sp[1], 1000, &hdr, in), -EPIPE,
		   "truncated payload is EOF");
	close(sp[1]);
	free(in);
}

/* Random headers and payloads (fixed seed): the checks never read out of
 * bounds (ASan) and accept only what they must. */
static void
test_random(void)
{
	union proto_payload *p = malloc(sizeof(*p));
	uint64_t x = 0x9e3779b97f4a7c15ull;
	unsigned long accepted = 0, i;
	size_t j;
	bool ok = true;

	for (i = 0; i < 20000; i++) {
		struct proto_hdr hdr;
		uint8_t *b = (uint8_t *)p;
		enum proto_type type;
		size_t size;

		for (j = 0; j < sizeof(hdr); j++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			((uint8_t *)&hdr)[j] = (uint8_t)x;
		}
		if (i & 1) { /* often a valid header of a random type */
			proto_hdr_init(&hdr, (enum proto_type)(x % 16), 1);
		}
		if (proto_hdr_check(&hdr) < 0)
			continue;
		type = (enum proto_type)hdr.type;
		size = proto_payload_size(type);
		ok &= size == hdr.length && size <= sizeof(*p);
		for (j = 0; j < size; j++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			/* Mostly zeros, some noise: reach deeper checks. */
			b[j] = (x & 0xff) < 8 ? (uint8_t)(x >> 8) : 0;
		}
		if (proto_payload_check(type, p, size, NULL, 0) == 0)
			accepted++;
	}
	tap_ok(ok, "random headers: accepted ones have the exact size");
	tap_diag("%lu random messages passed the checks", accepted);
	free(p);
}

static void
test_strings(void)
{
	char buf[7];

	tap_ok(strcmp(xmhv_state_string(0, buf), "------") == 0, "no state");
	tap_ok(strcmp(xmhv_state_string(XMHV_STATE_RUNNING, buf), "r-----") ==
		       0,
	       "running");
	tap_ok(strcmp(xmhv_state_string(XMHV_STATE_BLOCKED, buf), "-b----") ==
		       0,
	       "blocked");
	tap_ok(strcmp(xmhv_state_string(XMHV_STATE_PAUSED, buf), "--p---") == 0,
	       "paused");
	tap_ok(strcmp(xmhv_state_string(XMHV_STATE_SHUTDOWN, buf), "---s--") ==
		       0,
	       "shutdown");
	tap_ok(strcmp(xmhv_state_string(XMHV_STATE_CRASHED, buf), "----c-") ==
		       0,
	       "crashed");
	tap_ok(strcmp(xmhv_state_string(XMHV_STATE_DYING | XMHV_STATE_PAUSED,
					buf),
		      "--p--d") == 0,
	       "paused and dying");
	tap_ok(strcmp(xmhv_reason_name(XMHV_SHUTDOWN_POWEROFF), "poweroff") ==
		       0,
	       "reason poweroff");
	tap_ok(strcmp(xmhv_reason_name(XMHV_SHUTDOWN_CRASH), "crash") == 0,
	       "reason crash");
	tap_ok(strcmp(xmhv_reason_name((enum xmhv_shutdown_reason)77),
		      "unknown") == 0,
	       "unknown reason");
}

/* A peer that answers one request with a header of another version. */
static void *
old_peer(void *arg)
{
	int lfd = *(int *)arg, fd;
	struct proto_hdr hdr;

	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	if (util_read_all(fd, &hdr, sizeof(hdr)) == 0) {
		proto_hdr_init(&hdr, PROTO_REPLY, hdr.seq);
		hdr.version = XMHV_INTERFACE_VERSION + 1;
		(void)!util_write_all(fd, &hdr, sizeof(hdr));
	}
	close(fd);
	return NULL;
}

static void
test_handle(void)
{
	char dir[] = "/tmp/xmhv-proto-XXXXXX", sub[64];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct xmhv_physinfo pi;
	struct xmhv_dominfo di;
	struct xmhv_domain_config *cfg;
	struct xmhv_event ev;
	xmhv_domid_t ids[4];
	struct xmhv *h;
	struct stat st;
	pthread_t t;
	char err[256];
	int lfd;

	if (!mkdtemp(dir)) {
		tap_ok(false, "mkdtemp: %s", strerror(errno));
		return;
	}
	(void)snprintf(sub, sizeof(sub), "%s/a/b", dir);
	h = xmhv_open(sub, "/nonexistent/xmhv");
	tap_ok(h != NULL, "xmhv_open creates run_dir");
	if (!h)
		return;
	tap_ok(stat(sub, &st) == 0 && (st.st_mode & 0777) == 0700,
	       "run_dir is 0700");
	tap_is_int(xmhv_domain_list(h, ids, 4), 0, "no domains");
	tap_is_int(xmhv_domain_getinfo(h, 1, &di), -ESRCH,
		   "getinfo of a missing domain: ESRCH");
	tap_is_int(xmhv_domain_destroy(h, 1), -ESRCH,
		   "destroy of a missing domain: ESRCH");
	tap_is_int(xmhv_domain_unpause(h, 1), -ESRCH, "unpause: ESRCH");
	tap_is_int(xmhv_watch(h, 1), -ESRCH, "watch: ESRCH");
	tap_is_int(xmhv_event_read(h, &ev), 0, "no events");
	tap_ok(xmhv_event_fd(h) >= 0, "event fd");
	cfg = malloc(sizeof(*cfg));
	xmhv_domain_config_init(cfg);
	strcpy(cfg->kernel, "/k");
	cfg->memory_mib = 32;
	cfg->max_vcpus = 1;
	ids[0] = 0;
	tap_ok(xmhv_domain_create(h, cfg, &ids[0], err, sizeof(err)) < 0 &&
		       strstr(err, "/nonexistent/xmhv") != NULL,
	       "create without a monitor binary fails clearly: %s", err);
	free(cfg);
	memset(&pi, 0, sizeof(pi));
	tap_is_int(xmhv_physinfo(h, &pi), 0, "physinfo");
	tap_ok(pi.nr_cpus >= 1 && pi.total_memory_kib > 0 &&
		       pi.free_memory_kib <= pi.total_memory_kib &&
		       pi.threads_per_core >= 1,
	       "physinfo: %u cpus, %llu/%llu KiB free, %u MHz, %s", pi.nr_cpus,
	       (unsigned long long)pi.free_memory_kib,
	       (unsigned long long)pi.total_memory_kib, pi.cpu_mhz,
	       pi.cpu_model);

	/* A stale socket with no monitor: list removes it. */
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	(void)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/7.sock", sub);
	tap_ok(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) == 0,
	       "bind a socket nobody serves");
	close(lfd);
	tap_is_int(xmhv_domain_list(h, ids, 4), 0, "stale socket not listed");
	tap_ok(access(sa.sun_path, F_OK) < 0, "stale socket removed");

	/* Pid files without sockets: a dead monitor's goes, a live one's
	 * (still being built) stays. */
	{
		char pidp[128], txt[32];
		pid_t dead = fork();

		if (dead == 0)
			_exit(0);
		(void)waitpid(dead, NULL, 0);
		(void)snprintf(pidp, sizeof(pidp), "%s/9.pid", sub);
		(void)snprintf(txt, sizeof(txt), "%d\n", (int)dead);
		tap_is_int(util_write_file_atomic(pidp, txt, strlen(txt), 0600),
			   0, "write a dead monitor's pid file");
		tap_is_int(xmhv_domain_list(h, ids, 4), 0, "not listed");
		tap_ok(access(pidp, F_OK) < 0,
		       "dead monitor's pid file removed");
		(void)snprintf(pidp, sizeof(pidp), "%s/10.pid", sub);
		(void)snprintf(txt, sizeof(txt), "%d\n", (int)getpid());
		tap_is_int(util_write_file_atomic(pidp, txt, strlen(txt), 0600),
			   0, "write a live process's pid file");
		tap_is_int(xmhv_domain_list(h, ids, 4), 0, "not listed either");
		tap_ok(access(pidp, F_OK) == 0, "live pid file kept");
		(void)unlink(pidp);
	}

	/* A peer speaking another interface version. */
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	(void)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/8.sock", sub);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    listen(lfd, 1) == 0 &&
	    pthread_create(&t, NULL, old_peer, &lfd) == 0) {
		tap_is_int(xmhv_domain_pause(h, 8), -EPROTONOSUPPORT,
			   "a monitor of another version is refused");
		pthread_join(t, NULL);
	} else {
		tap_ok(false, "listen: %s", strerror(errno));
	}
	close(lfd);
	(void)unlink(sa.sun_path);
	xmhv_close(h);
	(void)snprintf(sub, sizeof(sub), "rm -rf '%s'",
		       dir); /* test scratch only */
	(void)!system(sub);
}

int
main(void)
{
	test_header();
	test_create_checks();
	test_small_checks();
	test_send_recv();
	test_random();
	test_strings();
	test_handle();
	return tap_done();
}
