/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xmhv_create.c: kvm-tier test of the creation sequence against real
 * monitors: libxmhv opens the disks (locked), taps and console log as the
 * caller and the monitor keeps the fds it is sent (and nothing else: the
 * kernel is closed once loaded); refusals leave nothing behind; a built
 * monitor takes no more fds. Needs root and /dev/kvm; the taps live in a
 * private network namespace. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "proto.h"
#include "tap.h"
#include "util.h"
#include "xmhv.h"

#define CREATE_WAIT_MS 60000

static char dir[64], run[128], kernel[4096], stderr_path[128];

static void
config(struct xmhv_domain_config *cfg, const char *name)
{
	xmhv_domain_config_init(cfg);
	(void)!util_strlcpy(cfg->name, name, sizeof(cfg->name));
	(void)!util_strlcpy(cfg->kernel, kernel, sizeof(cfg->kernel));
	(void)!util_strlcpy(cfg->cmdline, "console=ttyS0",
			    sizeof(cfg->cmdline));
	cfg->memory_mib = 32;
	cfg->max_vcpus = 1;
}

/* How many of pid's fds lead to a file whose name contains needle. */
static int
monitor_fds(pid_t pid, const char *needle)
{
	char path[320], link[4096 + 64];
	struct dirent *e;
	DIR *d;
	int n = 0;
	ssize_t k;

	(void)snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	while (d && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		(void)snprintf(path, sizeof(path), "/proc/%d/fd/%s", (int)pid,
			       e->d_name);
		k = readlink(path, link, sizeof(link) - 1);
		if (k <= 0)
			continue;
		link[k] = '\0';
		n += needle ? strstr(link, needle) != NULL : 1;
	}
	if (d)
		closedir(d);
	return n;
}

/* Files of domains in run_dir (domid.* are the allocator's). */
static int
run_files(void)
{
	struct dirent *e;
	DIR *d = opendir(run);
	int n = 0;

	while (d && (e = readdir(d)) != NULL)
		n += e->d_name[0] >= '0' && e->d_name[0] <= '9';
	if (d)
		closedir(d);
	return n;
}

static bool
gone(pid_t pid)
{
	struct pollfd pfd = {.events = POLLIN};
	bool r;

	pfd.fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd.fd < 0)
		return errno == ESRCH;
	r = poll(&pfd, 1, CREATE_WAIT_MS) == 1;
	close(pfd.fd);
	return r;
}

/* Create with the monitor's standard error (its log) going to
 * stderr_path; the test's own is kept. */
static int
create_logged(struct xmhv *h, const struct xmhv_domain_config *cfg,
	      xmhv_domid_t *id, char *err, size_t errlen)
{
	int saved = dup(STDERR_FILENO), fd, r;

	fd = open(stderr_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd >= 0) {
		(void)dup2(fd, STDERR_FILENO);
		close(fd);
	}
	r = xmhv_domain_create(h, cfg, id, err, errlen);
	if (saved >= 0) {
		(void)dup2(saved, STDERR_FILENO);
		close(saved);
	}
	return r;
}

/* Does the monitors' log have a line with both a and b? */
static bool
logged(const char *a, const char *b)
{
	char *data = NULL, *line, *save = NULL;
	size_t len;
	bool found = false;

	if (util_read_file(stderr_path, 1 << 22, &data, &len) < 0)
		return false;
	for (line = strtok_r(data, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save))
		found = strstr(line, a) && strstr(line, b);
	free(data);
	return found;
}

static void
make_image(char *path, size_t size, const char *name)
{
	int fd;

	(void)snprintf(path, size, "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0) {
		(void)!ftruncate(fd, 4 << 20);
		close(fd);
	}
}

static void
test_disks(struct xmhv *h)
{
	struct xmhv_domain_config *cfg = malloc(sizeof(*cfg));
	char rw[128], ro[128], logp[128], err[512] = "";
	struct xmhv_dominfo info;
	xmhv_domid_t id = 0, id2 = 0;
	int files, fd;

	make_image(rw, sizeof(rw), "rw.img");
	make_image(ro, sizeof(ro), "ro.img");
	(void)snprintf(logp, sizeof(logp), "%s/disks.log", dir);
	config(cfg, "disks");
	(void)!util_strlcpy(cfg->console_log, logp, sizeof(cfg->console_log));
	cfg->ndisks = 2;
	(void)!util_strlcpy(cfg->disks[0].path, rw, sizeof(cfg->disks[0].path));
	strcpy(cfg->disks[0].serial, "hda1");
	(void)!util_strlcpy(cfg->disks[1].path, ro, sizeof(cfg->disks[1].path));
	cfg->disks[1].readonly = 1;
	if (!tap_ok(create_logged(h, cfg, &id, err, sizeof(err)) == 0 &&
			    xmhv_domain_getinfo(h, id, &info) == 0,
		    "a domain with a writable and a read-only disk (%s)", err))
		goto out;
	tap_ok(monitor_fds(info.pid, "/rw.img") == 1 &&
		       monitor_fds(info.pid, "/ro.img") == 1 &&
		       monitor_fds(info.pid, "/disks.log") == 1,
	       "the monitor holds the disks and the console log it was sent");
	tap_is_int(monitor_fds(info.pid, "guest.bzImage"), 0,
		   "the kernel fd is closed once the guest is loaded");
	tap_ok(logged("disk hda1 (", "/rw.img): virtio-blk at 00:01.0, 8192 "
				     "sectors of 512 bytes, writable") &&
		       logged("/ro.img): virtio-blk at 00:02.0", "read-only"),
	       "the monitor's log reports each disk as a virtio-blk function "
	       "in config order");
	/* The lock travels with the fd: another writer is refused. */
	config(cfg, "thief");
	cfg->ndisks = 1;
	(void)!util_strlcpy(cfg->disks[0].path, rw, sizeof(cfg->disks[0].path));
	files = run_files();
	tap_ok(xmhv_domain_create(h, cfg, &id2, err, sizeof(err)) == -EBUSY &&
		       strstr(err, rw) && strstr(err, "in use (mode w)") &&
		       strstr(err, "QEMU's lock byte"),
	       "a second writer is refused: %s", err);
	tap_is_int(run_files(), files, "nothing of it is left in run_dir");
	cfg->disks[0].readonly = 1;
	tap_ok(xmhv_domain_create(h, cfg, &id2, err, sizeof(err)) == -EBUSY,
	       "so is a reader while it is written");
	(void)!util_strlcpy(cfg->disks[0].path, ro, sizeof(cfg->disks[0].path));
	tap_ok(xmhv_domain_create(h, cfg, &id2, err, sizeof(err)) == 0,
	       "two domains share a read-only disk (%s)", err);
	tap_ok(id2 && xmhv_domain_destroy(h, id2) == 0, "destroy the reader");
	tap_ok(xmhv_domain_destroy(h, id) == 0 && gone(info.pid),
	       "destroy the first");
	fd = open(rw, O_RDWR | O_CLOEXEC);
	{
		/* QEMU's lock bytes (100+, 200+): nobody holds any. */
		struct flock fl = {.l_type = F_WRLCK,
				   .l_whence = SEEK_SET,
				   .l_start = 100,
				   .l_len = 200};

		tap_ok(fd >= 0 && fcntl(fd, F_OFD_GETLK, &fl) == 0 &&
			       fl.l_type == F_UNLCK,
		       "its locks went with the monitor");
	}
	if (fd >= 0)
		close(fd);
out:
	free(cfg);
}

/* A tap in this (private) network namespace: persistent when persist,
 * else held by the returned fd. */
static int
make_tap(const char *name, bool persist)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags =
		IFF_TAP | IFF_NO_PI | IFF_VNET_HDR; /* as xmd makes them */
	(void)!util_strlcpy(ifr.ifr_name, name, sizeof(ifr.ifr_name));
	if (fd >= 0 && (ioctl(fd, TUNSETIFF, &ifr) < 0 ||
			(persist && ioctl(fd, TUNSETPERSIST, 1) < 0))) {
		close(fd);
		return -1;
	}
	if (fd >= 0 && persist) {
		close(fd);
		return 0;
	}
	return fd;
}

static void
drop_tap(const char *name)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	(void)!util_strlcpy(ifr.ifr_name, name, sizeof(ifr.ifr_name));
	if (fd >= 0 && ioctl(fd, TUNSETIFF, &ifr) == 0)
		(void)ioctl(fd, TUNSETPERSIST, 0);
	if (fd >= 0)
		close(fd);
}

static void
test_nics(struct xmhv *h, bool netns)
{
	static const uint8_t mac[6] = {0x00, 0x16, 0x3e, 0x00, 0x00, 0x01};
	struct xmhv_domain_config *cfg = malloc(sizeof(*cfg));
	struct xmhv_dominfo info;
	xmhv_domid_t id = 0;
	char err[512] = "";
	int held = -1, files, i;
	bool built;

	if (!netns || make_tap("xmt0", true) < 0 ||
	    (held = make_tap("xmt1", false)) < 0) {
		for (i = 0; i < 5; i++)
			tap_skip("no private network namespace with taps");
		goto out;
	}
	config(cfg, "nics");
	cfg->nnics = 2;
	memcpy(cfg->nics[0].mac, mac, 6);
	strcpy(cfg->nics[0].tap, "xmt0"); /* libxmhv attaches by name */
	memcpy(cfg->nics[1].mac, mac, 6);
	cfg->nics[1].mac[5] = 2;
	strcpy(cfg->nics[1].tap, "xmt1");
	cfg->nics[1].fd = held; /* the caller's own fd */
	memset(&info, 0, sizeof(info));
	built = tap_ok(create_logged(h, cfg, &id, err, sizeof(err)) == 0 &&
			       xmhv_domain_getinfo(h, id, &info) == 0,
		       "a domain with a tap by name and a tap by fd (%s)", err);
	tap_ok(built && monitor_fds(info.pid, "/dev/net/tun") == 2 &&
		       logged("nic 0 xmt0 (00:16:3e:00:00:01)", "virtio-net") &&
		       logged("nic xmt1: virtio-net at 00:",
			      "00:16:3e:00:00:02"),
	       "the monitor holds both taps (one copy each, its virtio-net "
	       "devices') and says so (%d)",
	       monitor_fds(info.pid, "/dev/net/tun"));
	tap_ok(built && xmhv_domain_destroy(h, id) == 0 && gone(info.pid),
	       "destroy");
	config(cfg, "nonic");
	cfg->nnics = 1;
	memcpy(cfg->nics[0].mac, mac, 6);
	strcpy(cfg->nics[0].tap, "nosuch0");
	tap_ok(xmhv_domain_create(h, cfg, &id, err, sizeof(err)) == -ENODEV &&
		       strcmp(err, "nic nosuch0: no such network interface") ==
			       0,
	       "a missing tap: %s", err);
	strcpy(cfg->nics[0].tap, "xmt9");
	cfg->nics[0].fd = held; /* it is xmt1 */
	files = run_files();
	tap_ok(xmhv_domain_create(h, cfg, &id, err, sizeof(err)) == -EBADF &&
		       strcmp(err, "nic xmt9: the fd is tap xmt1") == 0 &&
		       run_files() == files,
	       "the monitor refuses a tap of another name, leaving nothing: "
	       "%s",
	       err);
out:
	if (held >= 0)
		close(held);
	if (netns)
		drop_tap("xmt0");
	free(cfg);
}

/* The monitor refuses after the sequence (no KVM device): the console log
 * libxmhv created is removed again, no process or file is left. */
static void
test_refused_late(struct xmhv *h)
{
	struct xmhv_domain_config *cfg = malloc(sizeof(*cfg));
	char logp[128], err[512] = "";
	xmhv_domid_t id = 0;
	int files = run_files();

	(void)snprintf(logp, sizeof(logp), "%s/late.log", dir);
	config(cfg, "late");
	(void)!util_strlcpy(cfg->console_log, logp, sizeof(cfg->console_log));
	(void)setenv("XMHV_KVM_DEVICE", "/nonexistent/kvm", 1);
	tap_ok(xmhv_domain_create(h, cfg, &id, err, sizeof(err)) == -ENOENT &&
		       strstr(err, "/nonexistent/kvm"),
	       "a monitor that cannot build says why: %.60s...", err);
	(void)unsetenv("XMHV_KVM_DEVICE");
	tap_ok(access(logp, F_OK) < 0 && run_files() == files,
	       "no console log, no file in run_dir left");
	free(cfg);
}

/* A built monitor takes no more fds: creation messages are refused, an fd
 * on a request too, and neither is kept. */
static void
test_built(struct xmhv *h)
{
	struct xmhv_domain_config *cfg = malloc(sizeof(*cfg));
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct proto_msg *m = malloc(sizeof(*m));
	struct xmhv_dominfo info;
	xmhv_domid_t id = 0;
	char err[512] = "";
	int fd = -1, kfd, n0, r;

	config(cfg, "built");
	if (!tap_ok(xmhv_domain_create(h, cfg, &id, err, sizeof(err)) == 0 &&
			    xmhv_domain_getinfo(h, id, &info) == 0,
		    "built: create (%s)", err))
		goto out;
	(void)!util_snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%u.sock",
			     run, id);
	kfd = open(kernel, O_RDONLY | O_CLOEXEC);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	n0 = monitor_fds(info.pid, NULL);
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
			    proto_send(fd, XMHV_INTERFACE_VERSION, PROTO_KERNEL,
				       1, kernel, (uint32_t)strlen(kernel) + 1,
				       kfd) == 0
		    ? proto_recv(fd, XMHV_INTERFACE_VERSION, CREATE_WAIT_MS, m,
				 NULL, 0)
		    : -EIO;
	tap_ok(r == 0 && m->p.reply.err == -EEXIST &&
		       strstr(m->p.reply.msg, "already built"),
	       "a kernel sent to a built domain: %s",
	       r == 0 ? m->p.reply.msg : "");
	r = proto_send(fd, XMHV_INTERFACE_VERSION, PROTO_PING, 2, NULL, 0,
		       kfd) == 0
		    ? proto_recv(fd, XMHV_INTERFACE_VERSION, CREATE_WAIT_MS, m,
				 NULL, 0)
		    : -EIO;
	tap_ok(r == 0 && m->p.reply.err == -EBADF &&
		       strcmp(m->p.reply.msg,
			      "ping carries an fd, takes none") == 0,
	       "a ping with an fd: %s", r == 0 ? m->p.reply.msg : "");
	close(fd);
	fd = -1;
	if (kfd >= 0)
		close(kfd);
	usleep(100000); /* let the monitor see the close */
	tap_ok(monitor_fds(info.pid, NULL) <= n0 &&
		       monitor_fds(info.pid, "guest.bzImage") == 0,
	       "the monitor kept none of them");
	tap_ok(xmhv_domain_destroy(h, id) == 0, "built: destroy");
out:
	if (fd >= 0)
		close(fd);
	free(m);
	free(cfg);
}

int
main(void)
{
	const char *top = getenv("top_builddir"), *src = getenv("top_srcdir");
	char xmhv[4096];
	struct xmhv *h;
	bool netns;
	int kvm;

	(void)signal(SIGPIPE, SIG_IGN);
	if (geteuid() != 0)
		tap_skip_all("needs root");
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		tap_skip_all("/dev/kvm: %s", strerror(errno));
	close(kvm);
	if (!top)
		top = ".";
	(void)snprintf(xmhv, sizeof(xmhv), "%s/hypervisor/xmhv", top);
	if (access(xmhv, X_OK) < 0)
		tap_skip_all("%s not built yet", xmhv);
	(void)snprintf(kernel, sizeof(kernel), "%s/tests/guest/guest.bzImage",
		       top);
	if (access(kernel, R_OK) < 0 && src)
		(void)snprintf(kernel, sizeof(kernel),
			       "%s/tests/guest/guest.bzImage", src);
	if (access(kernel, R_OK) < 0)
		tap_skip_all("test guest tests/guest/guest.bzImage not built");
	(void)setenv("XMHV_PATH", xmhv, 1);
	/* Taps made here vanish with the namespace. */
	netns = unshare(CLONE_NEWNET) == 0;
	(void)snprintf(dir, sizeof(dir), "/tmp/xmhv-create-XXXXXX");
	if (!mkdtemp(dir))
		tap_skip_all("mkdtemp: %s", strerror(errno));
	(void)snprintf(run, sizeof(run), "%s/run", dir);
	(void)snprintf(stderr_path, sizeof(stderr_path), "%s/monitors.log",
		       dir);
	h = xmhv_open(run, NULL);
	if (!tap_ok(h != NULL, "xmhv_open %s", run))
		return tap_done();
	test_disks(h);
	test_nics(h, netns);
	test_refused_late(h);
	test_built(h);
	xmhv_close(h);
	(void)snprintf(xmhv, sizeof(xmhv), "rm -rf '%s'", dir);
	(void)!system(xmhv); /* test scratch only */
	return tap_done();
}
