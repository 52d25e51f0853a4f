/* SPDX-License-Identifier: GPL-2.0-or-later */
/* proto_check.c: unit tests of the libxmhv wire protocol (headers, runtime
 * payloads, fd passing) and of libxmhv calls that need no monitor (state
 * strings, physinfo, ids, errors). The creation messages: proto_seq_check. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

/* A header as a peer would send it. */
static struct proto_hdr
hdr_of(enum proto_type type, uint32_t length)
{
	struct proto_hdr hdr;

	proto_hdr_init(&hdr, XMHV_INTERFACE_VERSION, type, length, 1);
	return hdr;
}

static void
test_header(void)
{
	struct proto_hdr hdr;
	uint32_t min, max;
	char why[128];

	hdr = hdr_of(PROTO_PING, 0);
	tap_is_int(proto_hdr_check(&hdr, XMHV_INTERFACE_VERSION, NULL, 0), 0,
		   "ping header checks");
	tap_is_int(XMHV_INTERFACE_VERSION, 2, "interface version 2");
	tap_ok(proto_payload_bounds(PROTO_CREATE, &min, &max) == 0 &&
		       min > sizeof(struct proto_create) &&
		       max == PROTO_CREATE_MAX,
	       "create: %u..%u bytes", min, max);
	tap_ok(PROTO_CREATE_MAX < 20000,
	       "the largest message is %zu bytes (version 1's CREATE was "
	       "about 93 KB)",
	       (size_t)PROTO_CREATE_MAX);
	hdr = hdr_of(PROTO_CREATE, max + 1);
	tap_ok(proto_hdr_check(&hdr, 2, why, sizeof(why)) == -EMSGSIZE &&
		       strstr(why, "at most"),
	       "a create longer than its maximum: %s", why);
	hdr = hdr_of(PROTO_CREATE, min - 1);
	tap_is_int(proto_hdr_check(&hdr, 2, NULL, 0), -EBADMSG,
		   "a create shorter than its head");
	hdr = hdr_of(PROTO_KERNEL, XMHV_PATH_MAX + 1);
	tap_is_int(proto_hdr_check(&hdr, 2, NULL, 0), -EMSGSIZE,
		   "a kernel name longer than a path");
	hdr = hdr_of(PROTO_PING, 0xffffffffu);
	tap_is_int(proto_hdr_check(&hdr, 2, NULL, 0), -EMSGSIZE,
		   "a 4 GiB ping refused by its header");
	hdr = hdr_of(PROTO_NIC, PROTO_NIC_MIN - 1);
	tap_is_int(proto_hdr_check(&hdr, 2, NULL, 0), -EBADMSG,
		   "a short nic refused");
	hdr = hdr_of(PROTO_EVENT, sizeof(struct proto_event));
	hdr.magic ^= 1;
	tap_is_int(proto_hdr_check(&hdr, 2, NULL, 0), -EBADMSG,
		   "bad magic refused");
	hdr = hdr_of(PROTO_EVENT, sizeof(struct proto_event));
	hdr.version = 99;
	tap_ok(proto_hdr_check(&hdr, 2, why, sizeof(why)) == -EPROTONOSUPPORT &&
		       strstr(why, "99"),
	       "other interface version refused: %s", why);
	hdr.version = PROTO_VERSION_1;
	tap_is_int(proto_hdr_check(&hdr, PROTO_VERSION_1, NULL, 0), 0,
		   "a version 1 event checks as version 1");
	hdr = hdr_of(PROTO_CREATE_V1, 0);
	tap_is_int(proto_hdr_check(&hdr, 2, NULL, 0), -EBADMSG,
		   "version 1's create is not a version 2 message");
	hdr.version = PROTO_VERSION_1;
	tap_is_int(proto_hdr_check(&hdr, PROTO_VERSION_1, NULL, 0), -EBADMSG,
		   "nor is it spoken in version 1 (no old creates)");
	hdr = hdr_of(PROTO_KERNEL, 8);
	hdr.version = PROTO_VERSION_1;
	tap_is_int(proto_hdr_check(&hdr, PROTO_VERSION_1, NULL, 0), -EBADMSG,
		   "no creation messages in version 1");
	hdr = hdr_of(PROTO_TYPE_MAX, 0);
	tap_is_int(proto_hdr_check(&hdr, 2, NULL, 0), -EBADMSG,
		   "unknown type refused");
	hdr.type = PROTO_INVALID;
	tap_is_int(proto_hdr_check(&hdr, 2, NULL, 0), -EBADMSG,
		   "type 0 refused");
	hdr.type = 0xffff;
	tap_is_int(proto_hdr_check(&hdr, 2, NULL, 0), -EBADMSG,
		   "type 0xffff refused");
	tap_is_int(proto_payload_bounds(PROTO_TYPE_MAX, &min, &max), -EINVAL,
		   "no bounds for the sentinel");
	tap_ok(strcmp(proto_type_name(PROTO_GETINFO), "getinfo") == 0 &&
		       strcmp(proto_type_name(PROTO_CONSOLE_LOG),
			      "console_log") == 0,
	       "type names");
	tap_ok(proto_type_takes_fd(PROTO_DISK) &&
		       !proto_type_takes_fd(PROTO_START) &&
		       !proto_type_takes_fd(PROTO_PING),
	       "which types carry an fd");
}

static int
check_bytes(enum proto_type type, const void *p, size_t len)
{
	return proto_payload_check(type, p, len, NULL, 0);
}

static void
test_small_checks(void)
{
	union proto_payload p;

	memset(&p, 0, sizeof(p));
	p.u32.value = XMHV_SHUTDOWN_REBOOT;
	tap_is_int(check_bytes(PROTO_SHUTDOWN, &p, sizeof(p.u32)), 0,
		   "shutdown reboot passes");
	p.u32.value = XMHV_SHUTDOWN_CRASH;
	tap_is_int(check_bytes(PROTO_SHUTDOWN, &p, sizeof(p.u32)), -EINVAL,
		   "shutdown with reason crash refused");
	p.u32.value = 0;
	tap_is_int(check_bytes(PROTO_SET_VCPUS, &p, sizeof(p.u32)), -EINVAL,
		   "zero vcpus refused");
	memset(&p, 0, sizeof(p));
	memset(p.reply.msg, 'm', sizeof(p.reply.msg));
	tap_is_int(check_bytes(PROTO_REPLY, &p, sizeof(p.reply)), -EBADMSG,
		   "unterminated reply message refused");
	memset(&p, 0, sizeof(p));
	p.reply.err = 5;
	tap_is_int(check_bytes(PROTO_REPLY, &p, sizeof(p.reply)), -EBADMSG,
		   "positive reply error refused");
	memset(&p, 0, sizeof(p));
	p.event.state = 1u << 6;
	tap_is_int(check_bytes(PROTO_EVENT, &p, sizeof(p.event)), -EBADMSG,
		   "unknown state bit refused");
	p.event.state = XMHV_STATE_SHUTDOWN;
	p.event.reason = XMHV_SHUTDOWN_HALT + 1;
	tap_is_int(check_bytes(PROTO_EVENT, &p, sizeof(p.event)), -EBADMSG,
		   "unknown reason refused");
	memset(&p, 0, sizeof(p));
	memset(p.info.info.name, 'n', sizeof(p.info.info.name));
	tap_is_int(check_bytes(PROTO_INFO, &p, sizeof(p.info)), -EBADMSG,
		   "unterminated info name refused");
	tap_is_int(check_bytes(PROTO_EVENT, &p, sizeof(p.event) - 1), -EBADMSG,
		   "a short event refused");
}

/* Open fds of this process. */
static int
count_fds(void)
{
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d && (e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* A message with n fds (raw sendmsg). */
static int
send_fds(int sock, enum proto_type type, const void *p, uint32_t len,
	 const int *fds, int n)
{
	union {
		struct cmsghdr h;
		uint8_t room[CMSG_SPACE(4 * sizeof(int))];
	} ctl;
	uint8_t buf[PROTO_HDR_SIZE + 64];
	struct proto_hdr hdr = hdr_of(type, len);
	struct iovec iov = {.iov_base = buf, .iov_len = PROTO_HDR_SIZE + len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *cm;

	memcpy(buf, &hdr, PROTO_HDR_SIZE);
	memcpy(buf + PROTO_HDR_SIZE, p, len);
	memset(&ctl, 0, sizeof(ctl));
	mh.msg_control = ctl.room;
	mh.msg_controllen = CMSG_SPACE(n * sizeof(int));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(cm), fds, n * sizeof(int));
	return sendmsg(sock, &mh, 0) < 0 ? -errno : 0;
}

static void
test_send_recv(void)
{
	struct proto_msg *in = malloc(sizeof(*in));
	struct proto_event ev = {.domid = 4,
				 .state = XMHV_STATE_SHUTDOWN,
				 .reason = XMHV_SHUTDOWN_POWEROFF};
	struct proto_hdr hdr;
	struct stat st;
	char why[128];
	int sp[2], pfd[2], fds0;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) < 0 || pipe(pfd) < 0) {
		tap_ok(false, "socketpair: %s", strerror(errno));
		free(in);
		return;
	}
	fds0 = count_fds();
	tap_is_int(proto_send(sp[0], 2, PROTO_EVENT, 9, &ev, sizeof(ev), -1), 0,
		   "send an event");
	tap_is_int(proto_recv(sp[1], 2, 1000, in, NULL, 0), 0, "receive it");
	tap_ok(in->hdr.type == PROTO_EVENT && in->hdr.seq == 9 &&
		       in->p.event.domid == 4 &&
		       in->p.event.reason == XMHV_SHUTDOWN_POWEROFF &&
		       in->fd == -1,
	       "event round-trips, without an fd");
	tap_is_int(proto_recv(sp[1], 2, 0, in, NULL, 0), -ETIMEDOUT,
		   "nothing pending: timeout");
	/* An fd travels with the message that takes one. */
	tap_is_int(proto_send(sp[0], 2, PROTO_KERNEL, 10, "/k", 3, pfd[0]), 0,
		   "send a kernel with an fd");
	tap_ok(proto_recv(sp[1], 2, 1000, in, why, sizeof(why)) == 0 &&
		       in->fd >= 0 && in->fd != pfd[0] &&
		       fstat(in->fd, &st) == 0 && S_ISFIFO(st.st_mode) &&
		       (fcntl(in->fd, F_GETFD) & FD_CLOEXEC),
	       "it arrives as a new close-on-exec fd of the same file (%s)",
	       why);
	if (in->fd >= 0)
		close(in->fd);
	tap_is_int(proto_send(sp[0], 2, PROTO_KERNEL, 11, "/k", 3, -1), 0,
		   "send a kernel without one");
	tap_ok(proto_recv(sp[1], 2, 1000, in, why, sizeof(why)) == -EBADF &&
		       strcmp(why, "kernel: carries no fd") == 0,
	       "missing fd: %s", why);
	tap_is_int(proto_send(sp[0], 2, PROTO_START, 12, NULL, 0, pfd[0]), 0,
		   "send a start with an fd");
	tap_ok(proto_recv(sp[1], 2, 1000, in, why, sizeof(why)) == -EBADF &&
		       strcmp(why, "start: carries an fd, takes none") == 0,
	       "unexpected fd: %s", why);
	tap_is_int(send_fds(sp[0], PROTO_KERNEL, "/k", 3,
			    (const int[]){pfd[0], pfd[1]}, 2),
		   0, "send a kernel with two fds");
	tap_ok(proto_recv(sp[1], 2, 1000, in, why, sizeof(why)) == -EBADF &&
		       strcmp(why, "kernel: carries 2 fds, at most one") == 0,
	       "two fds: %s", why);
	tap_is_int(count_fds(), fds0, "every fd refused was closed");
	/* A header claiming another version. */
	hdr = hdr_of(PROTO_PING, 0);
	hdr.version = 99;
	tap_is_int(util_write_all(sp[0], &hdr, sizeof(hdr)), 0, "write v99");
	tap_is_int(proto_recv(sp[1], 2, 1000, in, NULL, 0), -EPROTONOSUPPORT,
		   "version 99 refused");
	tap_is_int(in->hdr.version, 99, "peer header returned for the message");
	/* A truncated message then EOF. */
	hdr = hdr_of(PROTO_REPLY, sizeof(struct proto_reply));
	tap_is_int(util_write_all(sp[0], &hdr, sizeof(hdr)), 0,
		   "write a reply header only");
	close(sp[0]);
	tap_ok(proto_recv(sp[1], 2, 1000, in, why, sizeof(why)) == -EBADMSG &&
		       strstr(why, "truncated"),
	       "a truncated payload: %s", why);
	tap_is_int(proto_recv(sp[1], 2, 1000, in, NULL, 0), -EPIPE,
		   "EOF between messages");
	close(sp[1]);
	close(pfd[0]);
	close(pfd[1]);
	free(in);
}

/* Random headers and payloads (fixed seed): the checks never read out of
 * bounds (ASan) and accept only what is within bounds. */
static void
test_random(void)
{
	uint8_t *p = malloc(PROTO_PAYLOAD_MAX);
	uint64_t x = 0x9e3779b97f4a7c15ull;
	unsigned long accepted = 0, i;
	size_t j;
	bool ok = true;

	for (i = 0; i < 20000; i++) {
		struct proto_hdr hdr;
		uint32_t min, max;
		enum proto_type type;

		for (j = 0; j < sizeof(hdr); j++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			((uint8_t *)&hdr)[j] = (uint8_t)x;
		}
		if (i & 1) { /* often a valid header of a random type */
			type = (enum proto_type)(x % PROTO_TYPE_MAX);
			if (proto_payload_bounds(type, &min, &max) < 0)
				continue;
			hdr = hdr_of(type, min + (uint32_t)(x >> 20) %
							   (max - min + 1));
		}
		if (proto_hdr_check(&hdr, 2, NULL, 0) < 0)
			continue;
		type = (enum proto_type)hdr.type;
		ok &= proto_payload_bounds(type, &min, &max) == 0 &&
		      hdr.length >= min && hdr.length <= max;
		for (j = 0; j < hdr.length; j++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			/* Mostly zeros, some noise: reach deeper checks. */
			p[j] = (x & 0xff) < 8 ? (uint8_t)(x >> 8) : 0;
		}
		if (proto_payload_check(type, p, hdr.length, NULL, 0) == 0)
			accepted++;
	}
	tap_ok(ok, "random headers: accepted ones are within their bounds");
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

	xmhv_close(h);
	(void)snprintf(sub, sizeof(sub), "rm -rf '%s'",
		       dir); /* test scratch only */
	(void)!system(sub);
}

int
main(void)
{
	test_header();
	test_small_checks();
	test_send_recv();
	test_random();
	test_strings();
	test_handle();
	return tap_done();
}
