/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sandbox.c: what xmhv gives up before the first guest instruction:
 * inherited fds, capabilities, new privileges and most system calls. */
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox.h"

static bool
sandbox_in(int fd, const int *fds, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (fds[i] == fd)
			return true;
	return false;
}

int
sandbox_close_inherited(const int *keep_fds, size_t nkeep)
{
	int fds[1024], dfd, fd;
	size_t n = 0, i;
	struct dirent *de;
	DIR *d;

	d = opendir("/proc/self/fd");
	if (!d)
		return -errno;
	dfd = dirfd(d);
	while ((de = readdir(d)) != NULL && n < 1024) {
		fd = atoi(de->d_name);
		if (de->d_name[0] < '0' || de->d_name[0] > '9' || fd < 3 ||
		    fd == dfd || sandbox_in(fd, keep_fds, nkeep))
			continue;
		fds[n++] = fd;
	}
	closedir(d);
	for (i = 0; i < n; i++)
		close(fds[i]);
	return 0;
}

/* Capabilities are per thread: each thread calls this for itself. */
int
sandbox_drop_caps(void)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2] = {{0, 0, 0}, {0, 0, 0}};
	int cap;

	if (geteuid() != 0)
		return 0;
	for (cap = 0; cap <= 63; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 &&
		    errno != EINVAL && errno != EPERM)
			return -errno;
	if (syscall(SYS_capset, &hdr, data) < 0)
		return -errno;
	return 0;
}

#ifndef XM_SANITIZERS
#define SB_ALLOW(nr)                                                           \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1),                       \
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

/* What the vCPU threads, the console flusher and the control loop use. */
static const struct sock_filter sandbox_filter[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	SB_ALLOW(SYS_ioctl),
	SB_ALLOW(SYS_read),
	SB_ALLOW(SYS_write),
	SB_ALLOW(SYS_readv),
	SB_ALLOW(SYS_writev),
	SB_ALLOW(SYS_pread64),
	SB_ALLOW(SYS_pwrite64),
	SB_ALLOW(SYS_preadv),
	SB_ALLOW(SYS_pwritev),
	SB_ALLOW(SYS_preadv2), /* virtio-blk: page-cache reads, RWF_NOWAIT */
	/* virtio-blk's io_uring: a ring restricted to readv/writev of the one
	 * fd it registered (the contract in devices/virtio_blk_uring.c). */
	SB_ALLOW(SYS_io_uring_setup),
	SB_ALLOW(SYS_io_uring_enter),
	SB_ALLOW(SYS_io_uring_register),
	SB_ALLOW(SYS_lseek),
	SB_ALLOW(SYS_fsync),
	SB_ALLOW(SYS_fdatasync),
	SB_ALLOW(SYS_fallocate),
	SB_ALLOW(SYS_close),
	SB_ALLOW(SYS_fcntl),
	SB_ALLOW(SYS_fstat),
	SB_ALLOW(SYS_newfstatat),
	SB_ALLOW(SYS_dup),
	SB_ALLOW(SYS_poll),
	SB_ALLOW(SYS_ppoll),
	SB_ALLOW(SYS_select),
	SB_ALLOW(SYS_pselect6),
	SB_ALLOW(SYS_epoll_wait),
	SB_ALLOW(SYS_epoll_pwait),
	SB_ALLOW(SYS_epoll_ctl),
	SB_ALLOW(SYS_epoll_create1),
	SB_ALLOW(SYS_eventfd2),
	SB_ALLOW(SYS_pipe2),
	SB_ALLOW(SYS_timerfd_create),
	SB_ALLOW(SYS_timerfd_settime),
	SB_ALLOW(SYS_timerfd_gettime),
	SB_ALLOW(SYS_futex),
	SB_ALLOW(SYS_set_robust_list),
	SB_ALLOW(SYS_rseq),
	SB_ALLOW(SYS_sched_yield),
	SB_ALLOW(SYS_sched_getaffinity),
	SB_ALLOW(SYS_sched_setaffinity),
	SB_ALLOW(SYS_clock_gettime),
	SB_ALLOW(SYS_clock_getres),
	SB_ALLOW(SYS_clock_nanosleep),
	SB_ALLOW(SYS_nanosleep),
	SB_ALLOW(SYS_gettimeofday),
	SB_ALLOW(SYS_time),
	SB_ALLOW(SYS_getpid),
	SB_ALLOW(SYS_gettid),
	SB_ALLOW(SYS_getppid),
	SB_ALLOW(SYS_getuid),
	SB_ALLOW(SYS_geteuid),
	SB_ALLOW(SYS_getgid),
	SB_ALLOW(SYS_getegid),
	SB_ALLOW(SYS_tgkill),
	SB_ALLOW(SYS_kill),
	SB_ALLOW(SYS_rt_sigaction),
	SB_ALLOW(SYS_rt_sigprocmask),
	SB_ALLOW(SYS_rt_sigreturn),
	SB_ALLOW(SYS_rt_sigtimedwait),
	SB_ALLOW(SYS_sigaltstack),
	SB_ALLOW(SYS_restart_syscall),
	SB_ALLOW(SYS_mmap),
	SB_ALLOW(SYS_munmap),
	SB_ALLOW(SYS_mprotect),
	SB_ALLOW(SYS_mremap),
	SB_ALLOW(SYS_madvise),
	SB_ALLOW(SYS_brk),
	SB_ALLOW(SYS_clone),
	SB_ALLOW(SYS_clone3),
	SB_ALLOW(SYS_exit),
	SB_ALLOW(SYS_exit_group),
	SB_ALLOW(SYS_wait4),
	SB_ALLOW(SYS_accept),
	SB_ALLOW(SYS_accept4),
	SB_ALLOW(SYS_recvfrom),
	SB_ALLOW(SYS_sendto),
	SB_ALLOW(SYS_recvmsg),
	SB_ALLOW(SYS_sendmsg),
	SB_ALLOW(SYS_shutdown),
	SB_ALLOW(SYS_getsockopt),
	SB_ALLOW(SYS_setsockopt),
	SB_ALLOW(SYS_getsockname),
	SB_ALLOW(SYS_getpeername),
	SB_ALLOW(SYS_getrandom),
	SB_ALLOW(SYS_prctl),
	SB_ALLOW(SYS_uname),
	SB_ALLOW(SYS_capset),
	SB_ALLOW(SYS_capget),
	/* Everything else (open, exec, socket, ptrace, ...) fails. */
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
};

static int
sandbox_seccomp(void)
{
	struct sock_fprog prog = {
		.len = sizeof(sandbox_filter) / sizeof(sandbox_filter[0]),
		.filter = (struct sock_filter *)sandbox_filter,
	};

	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
		    SECCOMP_FILTER_FLAG_TSYNC, &prog) != 0)
		return errno ? -errno : -EBUSY;
	return 0;
}
#endif

int
sandbox_enter(const int *close_fds, size_t nclose)
{
	size_t i;
	int rc;

	for (i = 0; close_fds && i < nclose; i++)
		if (close_fds[i] >= 0)
			close(close_fds[i]);
	if ((rc = sandbox_drop_caps()) < 0)
		return rc;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
#ifndef XM_SANITIZERS
	rc = sandbox_seccomp();
	if (rc < 0)
		return rc;
#endif
	return 0;
}
