/* SPDX-License-Identifier: GPL-2.0-or-later */
/* helper.c: xm-bootloader, pygrub's job done in a sandbox. It gets one
 * read-only fd of a guest's disk (fd 3) and a socket (fd 4) from xmd or
 * xm, becomes nobody (when root) in new namespaces, sets address-space,
 * file-size, CPU and wall-clock limits and a seccomp allow-list, then
 * finds the guest's boot entry (libbootdisk: nothing is mounted, run or
 * evaluated) and sends back, in one message, the kernel and initrd as
 * sealed memfds and a small escaped result (bootdisk_client.h).
 *
 *   xm-bootloader [--entry WANT]    (fds 3 and 4 given) */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/fs.h>
#include <linux/seccomp.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bootdisk_client.h"
#include "bootfind.h"

#define HELPER_DISK_FD 3
#define HELPER_SOCK_FD 4
#define HELPER_AS (512ull << 20)
#define HELPER_CPU_SECONDS 30
#define HELPER_WALL_SECONDS 60

struct helper {
	int disk, sock, kfd, ifd;
	uint64_t disk_size;
	char text[BOOTDISK_RESULT_MAX];
};

static int
helper_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	struct helper *h = ctx;
	size_t done = 0;
	ssize_t n;

	if (off > h->disk_size || len > h->disk_size - off)
		return -EIO;
	while (done < len) {
		n = pread(h->disk, (char *)buf + done, len - done,
			  (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += (size_t)n;
	}
	return 0;
}

static int
helper_sink(void *ctx, const void *buf, size_t len)
{
	int fd = *(int *)ctx;
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		buf = (const char *)buf + n;
		len -= (size_t)n;
	}
	return 0;
}

static int
helper_read_fd(void *ctx, uint64_t off, void *buf, size_t len)
{
	int fd = *(int *)ctx;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pread(fd, (char *)buf + done, len - done,
			  (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += (size_t)n;
	}
	return 0;
}

struct helper_mem {
	char buf[65536];
	size_t len;
};

static int
helper_mem_sink(void *ctx, const void *buf, size_t len)
{
	struct helper_mem *m = ctx;

	if (len > sizeof(m->buf) - 1 - m->len)
		len = sizeof(m->buf) - 1 - m->len; /* the start is enough */
	memcpy(m->buf + m->len, buf, len);
	m->len += len;
	m->buf[m->len] = '\0';
	return 0;
}

/* Does the kernel's /boot/config-VERSION build driver in (=y)? 1 yes, 0
 * no (=m or unset), -1 unknown (no such file). */
static int
helper_builtin(struct bd_boot *b, const char *kernel, const char *option)
{
	static struct helper_mem m;
	static int loaded = -1;
	char path[1024], err[256], line[128];
	const char *base = strrchr(kernel, '/'), *ver, *dash;
	uint64_t size;

	if (loaded < 0) {
		base = base ? base + 1 : kernel;
		dash = strchr(base, '-');
		ver = dash ? dash + 1 : NULL;
		m.len = 0;
		loaded = ver &&
			 snprintf(path, sizeof(path), "%.*sconfig-%s",
				  (int)(base - kernel), kernel,
				  ver) < (int)sizeof(path) &&
			 bd_boot_copy(b, path, 64u << 20, helper_mem_sink, &m,
				      &size, err, sizeof(err)) == 0;
	}
	if (!loaded)
		return -1;
	snprintf(line, sizeof(line), "\n%s=y\n", option);
	return strstr(m.buf, line) != NULL;
}

/* A warning when the guest would not find its disk: neither the initrd
 * nor the kernel has virtio_blk or virtio_pci (virt-v2v warns alike). */
static void
helper_check_initrd(struct helper *h, struct bd_boot *b,
		    const struct bd_entry *e, char *warn, size_t warnlen)
{
	static const char *const opt[2] = {"CONFIG_VIRTIO_BLK",
					   "CONFIG_VIRTIO_PCI"};
	static const char *const mod[2] = {"virtio_blk", "virtio_pci"};
	struct bd_initrd in = {0};
	char missing[64] = "";
	off_t size = lseek(h->ifd, 0, SEEK_END); /* fstat is newfstatat */
	bool have[2];
	int i, rc = 0;

	warn[0] = '\0';
	/* 256 MiB decompressed at most: the scan must stay well inside the
	 * CPU limit (a slow xz initrd), and past it nothing is said */
	if (e->initrd && size > 0)
		rc = bd_initrd_scan(helper_read_fd, &h->ifd, (uint64_t)size,
				    256ull << 20, &in);
	if (rc < 0 || in.unreadable) {
		if (in.unreadable || rc == -EINVAL)
			snprintf(warn, warnlen,
				 "the initrd could not be read (%s) to see "
				 "whether it has virtio_blk and virtio_pci",
				 in.unreadable ? in.unreadable
					       : "a broken archive");
		return;
	}
	if (e->initrd && !in.complete)
		return;
	have[0] = in.virtio_blk;
	have[1] = in.virtio_pci;
	for (i = 0; i < 2; i++)
		if (!have[i] && helper_builtin(b, e->kernel, opt[i]) != 1)
			snprintf(missing + strlen(missing),
				 sizeof(missing) - strlen(missing), "%s%s",
				 missing[0] ? " and " : "", mod[i]);
	if (missing[0])
		snprintf(warn, warnlen,
			 "%s %s no %s module and the kernel's config does not "
			 "say it is built in: the guest may not find its disk "
			 "under KVM (rebuild the initrd with them, as "
			 "virt-v2v does: dracut --add-drivers, or "
			 "/etc/initramfs-tools/modules)",
			 e->initrd ? "the initrd" : "the entry has no initrd:",
			 e->initrd ? "has" : "it has", missing);
}

/* Append "key=escaped value\n" to the result. */
static void
helper_put(struct helper *h, const char *key, const char *value)
{
	char esc[BOOTDISK_RESULT_MAX];
	size_t n = strlen(h->text);

	if (bd_escape(value ? value : "", esc, sizeof(esc)) < 0)
		return;
	snprintf(h->text + n, sizeof(h->text) - n, "%s=%s\n", key, esc);
}

#ifndef XM_SANITIZERS
#define HS_ALLOW(nr)                                                           \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1),                       \
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

/* Reading the disk, writing the memfds, answering: nothing else. */
static const struct sock_filter helper_filter[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	HS_ALLOW(SYS_pread64),
	HS_ALLOW(SYS_read),
	HS_ALLOW(SYS_write),
	HS_ALLOW(SYS_lseek),
	HS_ALLOW(SYS_fcntl), /* the memfds' seals */
	HS_ALLOW(SYS_fstat),
	HS_ALLOW(SYS_close),
	HS_ALLOW(SYS_brk),
	HS_ALLOW(SYS_mmap),
	HS_ALLOW(SYS_munmap),
	HS_ALLOW(SYS_mremap),
	HS_ALLOW(SYS_madvise),
	HS_ALLOW(SYS_sendmsg),
	HS_ALLOW(SYS_rt_sigreturn),
	HS_ALLOW(SYS_exit),
	HS_ALLOW(SYS_exit_group),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
};
#endif

/* Everything that needs privileges or files, then the limits and the
 * filter. Returns 0 or -errno. */
static int
helper_sandbox(struct helper *h)
{
	struct rlimit as = {HELPER_AS, HELPER_AS};
	struct rlimit fsz = {BOOTDISK_INITRD_MAX, BOOTDISK_INITRD_MAX};
	struct rlimit cpu = {HELPER_CPU_SECONDS, HELPER_CPU_SECONDS};
	struct rlimit nofile = {8, 8};
	struct rlimit zero = {0, 0};
	struct passwd *pw;
	uid_t uid = 65534;
	gid_t gid = 65534;
	int fd;

	if (geteuid() == 0) {
		pw = getpwnam("nobody");
		if (pw) {
			uid = pw->pw_uid;
			gid = pw->pw_gid;
		}
		/* no network, no IPC, no mounts of anyone's: best effort */
		(void)unshare(CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWNS |
			      CLONE_NEWUTS);
		if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 ||
		    setresuid(uid, uid, uid) < 0)
			return -errno;
	}
	for (fd = 0; fd < 1024; fd++)
		if (fd != HELPER_DISK_FD && fd != HELPER_SOCK_FD &&
		    fd != h->kfd && fd != h->ifd && fd != 2)
			(void)close(fd);
#ifndef XM_SANITIZERS /* ASan's shadow memory needs terabytes of it */
	if (setrlimit(RLIMIT_AS, &as) < 0)
		return -errno;
#else
	(void)as;
#endif
	if (setrlimit(RLIMIT_FSIZE, &fsz) < 0 ||
	    setrlimit(RLIMIT_CPU, &cpu) < 0 ||
	    setrlimit(RLIMIT_NOFILE, &nofile) < 0 ||
	    setrlimit(RLIMIT_CORE, &zero) < 0)
		return -errno;
	alarm(HELPER_WALL_SECONDS); /* SIGALRM ends it */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
#ifndef XM_SANITIZERS
	{
		struct sock_fprog prog = {
			.len = sizeof(helper_filter) / sizeof(helper_filter[0]),
			.filter = (struct sock_filter *)helper_filter,
		};

		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
			return -errno;
	}
#endif
	return 0;
}

static void
helper_send(struct helper *h, bool with_fds)
{
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {h->text, strlen(h->text)};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *c;
	int fds[2] = {h->kfd, h->ifd};

	if (with_fds) {
		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(fds));
		memcpy(CMSG_DATA(c), fds, sizeof(fds));
	}
	if (sendmsg(h->sock, &msg, MSG_NOSIGNAL) < 0)
		_exit(2);
}

static int
helper_fail(struct helper *h, const char *what, const char *why)
{
	char line[2048];

	h->text[0] = '\0';
	snprintf(line, sizeof(line), "%s%s%s", what, why ? ": " : "",
		 why ? why : "");
	helper_put(h, "error", line);
	helper_send(h, false);
	return 1;
}

/* The initrd files (separated by '\n') one after the other. */
static int
helper_initrd(struct helper *h, struct bd_boot *b, const char *list, char *err,
	      size_t errlen)
{
	char path[1024];
	const char *p = list;
	uint64_t total = 0, size;
	size_t n;
	int rc = 0;

	while (rc == 0 && *p) {
		n = strcspn(p, "\n");
		if (n >= sizeof(path))
			return -ENAMETOOLONG;
		memcpy(path, p, n);
		path[n] = '\0';
		p += n + (p[n] == '\n');
		if (!n)
			continue;
		rc = bd_boot_copy(b, path, BOOTDISK_INITRD_MAX - total,
				  helper_sink, &h->ifd, &size, err, errlen);
		total += size;
	}
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"entry", required_argument, NULL, 'e'},
		{NULL, 0, NULL, 0},
	};
	struct helper h = {.disk = HELPER_DISK_FD, .sock = HELPER_SOCK_FD};
	const char *want = NULL;
	char err[2048] = "", num[32];
	struct bd_boot b;
	const struct bd_entry *e;
	struct stat st;
	uint64_t size;
	int c, rc;

	while ((c = getopt_long(argc, argv, "e:", longopts, NULL)) != -1) {
		if (c != 'e') {
			fprintf(stderr, "usage: xm-bootloader [--entry WANT] "
					"(fd 3: the disk, fd 4: a socket)\n");
			return 2;
		}
		want = optarg;
	}
	if (fstat(h.disk, &st) < 0 || fstat(h.sock, &st) < 0) {
		fprintf(stderr, "xm-bootloader: fds 3 and 4 must be open\n");
		return 2;
	}
	fstat(h.disk, &st);
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(h.disk, BLKGETSIZE64, &h.disk_size) < 0)
			return helper_fail(&h, "cannot size the disk",
					   strerror(errno));
	} else if (S_ISREG(st.st_mode)) {
		h.disk_size = (uint64_t)st.st_size;
	} else {
		return helper_fail(&h,
				   "the disk is not a file or a block "
				   "device",
				   NULL);
	}
	h.kfd = (int)syscall(SYS_memfd_create, "kernel",
			     MFD_CLOEXEC | MFD_ALLOW_SEALING);
	h.ifd = (int)syscall(SYS_memfd_create, "initrd",
			     MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (h.kfd < 0 || h.ifd < 0)
		return helper_fail(&h, "memfd_create", strerror(errno));
	rc = helper_sandbox(&h);
	if (rc < 0)
		return helper_fail(&h, "cannot enter the sandbox",
				   strerror(-rc));
	rc = bd_boot_find(helper_read, &h, h.disk_size, want, &b, err,
			  sizeof(err));
	if (rc < 0)
		return helper_fail(&h, err, NULL);
	e = &b.menu.entries[b.entry];
	rc = bd_boot_copy(&b, e->kernel, BOOTDISK_KERNEL_MAX, helper_sink,
			  &h.kfd, &size, err, sizeof(err));
	if (rc == 0 && e->initrd)
		rc = helper_initrd(&h, &b, e->initrd, err, sizeof(err));
	if (rc < 0) {
		helper_fail(&h, e->kernel, err);
		bd_boot_dispose(&b);
		return 1;
	}
	if (fcntl(h.kfd, F_ADD_SEALS,
		  F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) <
		    0 ||
	    fcntl(h.ifd, F_ADD_SEALS,
		  F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
		return helper_fail(&h, "cannot seal the memfds",
				   strerror(errno));
	helper_put(&h, "title", e->title);
	helper_put(&h, "entry", e->pos);
	helper_put(&h, "config", b.config);
	snprintf(num, sizeof(num), "%u", b.part);
	helper_put(&h, "partition", num);
	helper_put(&h, "kernel", e->kernel);
	helper_put(&h, "initrd", e->initrd);
	helper_put(&h, "args", e->args);
	helper_put(&h, "skipped", b.why);
	helper_check_initrd(&h, &b, e, err, sizeof(err));
	helper_put(&h, "warning", err);
	helper_send(&h, true);
	bd_boot_dispose(&b);
	return 0;
}
