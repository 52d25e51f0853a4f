/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hv_creation.c: unit tests of the monitor's side of the creation sequence
 * (creation.c) fed over a socketpair: a whole sequence with its fds, and
 * truncated, reordered, oversized and out-of-version messages, missing,
 * extra and wrong fds. Every refusal names the message and closes every
 * fd received. No KVM, no root. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "creation.h"
#include "proto.h"
#include "tap.h"
#include "util.h"

static char tmpdir[] = "/tmp/hv_creation.XXXXXX";
static char kernel[128], initrd[128], logpath[128], disk[128], notk[128];

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

static void
write_file(char *path, size_t size, const char *name, const void *data,
	   size_t len)
{
	(void)snprintf(path, size, "%s/%s", tmpdir, name);
	(void)!util_write_file_atomic(path, data, len, 0644);
}

/* The files a toolstack would open: a bzImage (its setup header is all
 * the check reads), an initrd, a log, a disk image, a text file. */
static void
make_files(void)
{
	static uint8_t bz[2048];

	memcpy(bz + 0x202, "HdrS", 4);
	write_file(kernel, sizeof(kernel), "bzImage", bz, sizeof(bz));
	write_file(initrd, sizeof(initrd), "initrd", "rd", 2);
	write_file(logpath, sizeof(logpath), "con.log", "", 0);
	write_file(disk, sizeof(disk), "disk.img", "disk", 4);
	write_file(notk, sizeof(notk), "notes.txt", "no kernel\n", 10);
}

static int
send_msg(int sock, enum proto_type type, const void *p, uint32_t len, int fd)
{
	static uint32_t seq;

	return proto_send(sock, XMHV_INTERFACE_VERSION, type, ++seq, p, len,
			  fd);
}

/* Send a message with a freshly opened file (closed again here: the
 * message carries its own copy). */
static void
send_file(int sock, enum proto_type type, const char *name, const char *path,
	  int flags)
{
	int fd = path ? open(path, flags | O_CLOEXEC) : -1;

	(void)!send_msg(sock, type, name, (uint32_t)strlen(name) + 1, fd);
	if (fd >= 0)
		close(fd);
}

static void
send_create(int sock)
{
	struct xmhv_domain_config *cfg = malloc(sizeof(*cfg));
	uint8_t *buf = malloc(PROTO_CREATE_MAX);
	uint32_t len = 0;

	xmhv_domain_config_init(cfg);
	strcpy(cfg->name, "seq");
	strcpy(cfg->cmdline, "console=ttyS0");
	cfg->memory_mib = 32;
	cfg->max_vcpus = 1;
	if (proto_create_encode(cfg, 7, tmpdir, buf, PROTO_CREATE_MAX, &len,
				NULL, 0) == 0)
		(void)!send_msg(sock, PROTO_CREATE, buf, len, -1);
	free(buf);
	free(cfg);
}

static void
send_disk(int sock, const char *path, bool ro, int flags)
{
	struct xmhv_disk_config d;
	uint8_t buf[sizeof(struct proto_disk) + XMHV_PATH_MAX];
	uint32_t len = 0;
	int fd = open(path, flags | O_CLOEXEC);

	memset(&d, 0, sizeof(d));
	(void)!util_strlcpy(d.path, path, sizeof(d.path));
	strcpy(d.serial, "hda1");
	d.readonly = ro;
	if (proto_disk_encode(&d, buf, sizeof(buf), &len, NULL, 0) == 0)
		(void)!send_msg(sock, PROTO_DISK, buf, len, fd);
	if (fd >= 0)
		close(fd);
}

static void
send_head(int sock)
{
	send_create(sock);
	send_file(sock, PROTO_KERNEL, kernel, kernel, O_RDONLY);
}

/* Run a script of messages into creation_receive; EOF after it. */
static int
run(void (*script)(int sock), struct creation *c, char *err, size_t errlen)
{
	int sp[2], r;

	err[0] = '\0';
	creation_init(c);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
		return -errno;
	script(sp[0]);
	close(sp[0]);
	r = creation_receive(sp[1], 2000, c, err, errlen);
	close(sp[1]);
	return r;
}

static void
script_whole(int sock)
{
	send_head(sock);
	send_file(sock, PROTO_RAMDISK, initrd, initrd, O_RDONLY);
	send_file(sock, PROTO_CONSOLE_LOG, logpath, logpath,
		  O_WRONLY | O_APPEND);
	send_disk(sock, disk, false, O_RDWR);
	send_disk(sock, disk, true, O_RDONLY);
	(void)!send_msg(sock, PROTO_START, NULL, 0, -1);
}

static void
test_whole(void)
{
	struct creation c;
	char err[512];
	struct stat st;
	int fds0 = count_fds();

	tap_ok(run(script_whole, &c, err, sizeof(err)) == 0,
	       "a whole sequence is received (%s)", err);
	tap_ok(c.domid == 7 && strcmp(c.run_dir, tmpdir) == 0 &&
		       strcmp(c.cfg.name, "seq") == 0 &&
		       c.cfg.memory_mib == 32 &&
		       strcmp(c.cfg.cmdline, "console=ttyS0") == 0,
	       "the core: id, run_dir, name, memory, command line");
	tap_ok(c.cfg.kernel_fd >= 0 && strcmp(c.cfg.kernel, kernel) == 0 &&
		       fstat(c.cfg.kernel_fd, &st) == 0 && st.st_size == 2048,
	       "the kernel: its fd and its name");
	tap_ok(c.cfg.ramdisk_fd >= 0 && c.cfg.console_log_fd >= 0 &&
		       strcmp(c.cfg.console_log, logpath) == 0,
	       "the ramdisk and the console log");
	tap_ok(c.cfg.ndisks == 2 && c.cfg.disks[0].fd >= 0 &&
		       !c.cfg.disks[0].readonly && c.cfg.disks[1].readonly &&
		       strcmp(c.cfg.disks[1].serial, "hda1") == 0 &&
		       strcmp(c.cfg.disks[1].path, disk) == 0,
	       "two disks, writable and read-only, with their fds");
	tap_is_int(count_fds(), fds0 + 5, "five fds held");
	creation_close_boot(&c);
	tap_ok(c.cfg.kernel_fd == -1 && c.cfg.ramdisk_fd == -1 &&
		       count_fds() == fds0 + 3,
	       "the boot files closed after the build");
	creation_dispose(&c);
	tap_is_int(count_fds(), fds0, "and the rest at destroy");
}

static void
script_truncated(int sock)
{
	struct proto_hdr hdr;

	send_head(sock);
	proto_hdr_init(&hdr, XMHV_INTERFACE_VERSION, PROTO_DISK, 100, 9);
	(void)!util_write_all(sock, &hdr, sizeof(hdr));
	(void)!util_write_all(sock, "short", 5);
}

static void
script_reordered(int sock)
{
	send_create(sock);
	send_disk(sock, disk, false, O_RDWR);
}

static void
script_oversized(int sock)
{
	struct proto_hdr hdr;

	send_create(sock);
	proto_hdr_init(&hdr, XMHV_INTERFACE_VERSION, PROTO_KERNEL,
		       XMHV_PATH_MAX + 1, 9);
	(void)!util_write_all(sock, &hdr, sizeof(hdr));
}

static void
script_nofd(int sock)
{
	send_create(sock);
	send_file(sock, PROTO_KERNEL, kernel, NULL, 0);
}

static void
script_startfd(int sock)
{
	int fd = open(disk, O_RDONLY | O_CLOEXEC);

	send_head(sock);
	(void)!send_msg(sock, PROTO_START, NULL, 0, fd);
	close(fd);
}

static void
script_twofds(int sock)
{
	union {
		struct cmsghdr h;
		uint8_t room[CMSG_SPACE(2 * sizeof(int))];
	} ctl;
	uint8_t buf[PROTO_HDR_SIZE + 8];
	struct iovec iov = {.iov_base = buf, .iov_len = PROTO_HDR_SIZE + 3};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	int fds[2] = {open(kernel, O_RDONLY | O_CLOEXEC),
		      open(kernel, O_RDONLY | O_CLOEXEC)};
	struct proto_hdr hdr;
	struct cmsghdr *cm;

	send_create(sock);
	proto_hdr_init(&hdr, XMHV_INTERFACE_VERSION, PROTO_KERNEL, 3, 9);
	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(buf + PROTO_HDR_SIZE, "/k", 3);
	memset(&ctl, 0, sizeof(ctl));
	mh.msg_control = ctl.room;
	mh.msg_controllen = sizeof(ctl.room);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(cm), fds, sizeof(fds));
	(void)!sendmsg(sock, &mh, 0);
	close(fds[0]);
	close(fds[1]);
}

static void
script_second_kernel(int sock)
{
	send_head(sock);
	send_file(sock, PROTO_KERNEL, kernel, kernel, O_RDONLY);
}

static void
script_many_disks(int sock)
{
	int i;

	send_head(sock);
	for (i = 0; i <= XMHV_MAX_DISKS; i++)
		send_disk(sock, disk, true, O_RDONLY);
}

static void
script_eof(int sock)
{
	send_head(sock);
	send_disk(sock, disk, true, O_RDONLY);
}

static void
script_writable_kernel(int sock)
{
	send_create(sock);
	send_file(sock, PROTO_KERNEL, kernel, kernel, O_RDWR);
}

static void
script_not_kernel(int sock)
{
	send_create(sock);
	send_file(sock, PROTO_KERNEL, notk, notk, O_RDONLY);
}

static void
script_disk_mode(int sock)
{
	send_head(sock);
	send_disk(sock, disk, false, O_RDONLY);
}

static void
script_disk_kind(int sock)
{
	send_head(sock);
	send_disk(sock, tmpdir, true, O_RDONLY | O_DIRECTORY);
}

static void
script_nic_pipe(int sock)
{
	struct xmhv_nic_config n = {.mac = {0x00, 0x16, 0x3e, 0, 0, 1},
				    .tap = "vif7.0"};
	struct proto_nic pn;
	int p[2];

	send_head(sock);
	if (pipe2(p, O_CLOEXEC) < 0 || proto_nic_encode(&n, &pn, NULL, 0) < 0)
		return;
	(void)!send_msg(sock, PROTO_NIC, &pn, sizeof(pn), p[0]);
	close(p[0]);
	close(p[1]);
}

static void
script_version1(int sock)
{
	struct proto_hdr hdr;

	proto_hdr_init(&hdr, PROTO_VERSION_1, PROTO_CREATE_V1, 0, 1);
	(void)!util_write_all(sock, &hdr, sizeof(hdr));
}

static void
script_ping(int sock)
{
	(void)!send_msg(sock, PROTO_PING, NULL, 0, -1);
}

static void
script_empty(int sock)
{
	(void)sock;
}

/* Each refusal: its error, a phrase of its message, no fd left. */
static void
test_refusals(void)
{
	static const struct {
		const char *what;
		void (*script)(int sock);
		int err;
		const char *says;
	} cases[] = {
		{"truncated", script_truncated, -EBADMSG,
		 "refused: disk: truncated (5 of 100 bytes)"},
		{"reordered", script_reordered, -EPROTO,
		 "refused: disk before kernel"},
		{"oversized", script_oversized, -EMSGSIZE,
		 "refused: kernel: 4097 bytes, at most 4096"},
		{"missing fd", script_nofd, -EBADF,
		 "refused: kernel: carries no fd"},
		{"an fd on start", script_startfd, -EBADF,
		 "refused: start: carries an fd, takes none"},
		{"two fds", script_twofds, -EBADF,
		 "refused: kernel: carries 2 fds, at most one"},
		{"a second kernel", script_second_kernel, -EPROTO,
		 "refused: a second kernel"},
		{"17 disks", script_many_disks, -E2BIG,
		 "refused: more than 16 disks"},
		{"EOF before start", script_eof, -EPIPE,
		 "refused: connection closed before start (after disk)"},
		{"EOF before create", script_empty, -EPIPE,
		 "refused: connection closed before create"},
		{"a writable kernel fd", script_writable_kernel, -EBADF,
		 "the fd is writable"},
		{"not a kernel", script_not_kernel, -ENOEXEC, "not a kernel"},
		{"a read-only fd for a writable disk", script_disk_mode, -EBADF,
		 "the fd is not read-write, the disk writable"},
		{"a directory as a disk", script_disk_kind, -EBADF,
		 "not a regular file or block device"},
		{"a pipe as a tap", script_nic_pipe, -EBADF,
		 "nic vif7.0: the fd is not a tap"},
		{"version 1", script_version1, -EPROTONOSUPPORT,
		 "xmhv speaks interface version 2, the peer version 1"},
		{"a ping", script_ping, -EPROTO,
		 "ping is not part of the creation sequence"},
	};
	struct creation c;
	char err[512];
	size_t i;
	int fds0, r;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		fds0 = count_fds();
		r = run(cases[i].script, &c, err, sizeof(err));
		tap_ok(r == cases[i].err && strstr(err, cases[i].says) &&
			       count_fds() == fds0,
		       "%s: %s (%d)", cases[i].what, err, r);
	}
}

int
main(void)
{
	char cmd[160];

	if (!mkdtemp(tmpdir))
		tap_skip_all("mkdtemp: %s", strerror(errno));
	make_files();
	test_whole();
	test_refusals();
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	(void)!system(cmd); /* test scratch only */
	return tap_done();
}
