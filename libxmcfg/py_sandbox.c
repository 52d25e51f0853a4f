/* SPDX-License-Identifier: GPL-2.0-or-later */
/* py_sandbox.c: the limits and confinement of the config evaluator's
 * child (py.c): a counting allocator under CPython, a CPU timer that
 * interrupts the interpreter, and the drop of privileges, rlimits and
 * seccomp filter applied before any config code runs. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "py_sandbox.h"
#include "util.h"

#define PY_HDR 16 /* size header in front of each counted block */

/* ---- counting allocator: caps the interpreter's heap (also under ASan,
 * where RLIMIT_AS cannot be used) ---- */

static PyMemAllocatorEx py_prev_mem, py_prev_obj;
static size_t py_mem_used, py_mem_limit;

static void *
py_count_alloc(PyMemAllocatorEx *prev, size_t n, bool zero)
{
	unsigned char *p;

	if (n > SIZE_MAX - PY_HDR)
		return NULL;
	if (py_mem_limit && py_mem_used + n > py_mem_limit)
		return NULL;
	p = zero ? prev->calloc(prev->ctx, 1, n + PY_HDR)
		 : prev->malloc(prev->ctx, n + PY_HDR);
	if (!p)
		return NULL;
	memcpy(p, &n, sizeof(n));
	py_mem_used += n;
	return p + PY_HDR;
}

static void *
py_count_malloc(void *ctx, size_t n)
{
	return py_count_alloc(ctx, n, false);
}

static void *
py_count_calloc(void *ctx, size_t nelem, size_t elsize)
{
	if (elsize && nelem > SIZE_MAX / elsize)
		return NULL;
	return py_count_alloc(ctx, nelem * elsize, true);
}

static void *
py_count_realloc(void *ctx, void *ptr, size_t n)
{
	PyMemAllocatorEx *prev = ctx;
	unsigned char *p, *q;
	size_t old;

	if (!ptr)
		return py_count_alloc(prev, n, false);
	if (n > SIZE_MAX - PY_HDR)
		return NULL;
	p = (unsigned char *)ptr - PY_HDR;
	memcpy(&old, p, sizeof(old));
	if (py_mem_limit && n > old && py_mem_used + (n - old) > py_mem_limit)
		return NULL;
	q = prev->realloc(prev->ctx, p, n + PY_HDR);
	if (!q)
		return NULL;
	memcpy(q, &n, sizeof(n));
	py_mem_used = py_mem_used - old + n;
	return q + PY_HDR;
}

static void
py_count_free(void *ctx, void *ptr)
{
	PyMemAllocatorEx *prev = ctx;
	unsigned char *p;
	size_t old;

	if (!ptr)
		return;
	p = (unsigned char *)ptr - PY_HDR;
	memcpy(&old, p, sizeof(old));
	py_mem_used -= old;
	prev->free(prev->ctx, p);
}

void
py_install_allocator(void)
{
	PyMemAllocatorEx a = {NULL, py_count_malloc, py_count_calloc,
			      py_count_realloc, py_count_free};

	PyMem_GetAllocator(PYMEM_DOMAIN_MEM, &py_prev_mem);
	PyMem_GetAllocator(PYMEM_DOMAIN_OBJ, &py_prev_obj);
	a.ctx = &py_prev_mem;
	PyMem_SetAllocator(PYMEM_DOMAIN_MEM, &a);
	a.ctx = &py_prev_obj;
	PyMem_SetAllocator(PYMEM_DOMAIN_OBJ, &a);
}

/* ---- CPU limit: a profiling timer interrupts the interpreter ---- */

volatile sig_atomic_t py_cpu_expired;

static void
py_on_sigprof(int sig)
{
	(void)sig;
	py_cpu_expired = 1;
	PyErr_SetInterruptEx(SIGINT);
}

/* Interrupt the interpreter after seconds of CPU; a config that swallows
 * the interrupt (a bare except: in a loop) meets RLIMIT_CPU one second
 * later, which kills the child: move its soft limit to now + seconds + 1
 * (below the hard limit set when confining). */
void
py_arm_cpu(unsigned seconds)
{
	struct itimerval it = {{0, 0}, {seconds, 0}};
	struct rusage ru;
	struct rlimit rl;

	py_cpu_expired = 0;
	if (getrusage(RUSAGE_SELF, &ru) == 0 &&
	    getrlimit(RLIMIT_CPU, &rl) == 0) {
		rlim_t used = (rlim_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec);

		rl.rlim_cur = used + seconds + 1;
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_cur > rl.rlim_max)
			rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_CPU, &rl);
	}
	setitimer(ITIMER_PROF, &it, NULL);
}

void
py_disarm_cpu(void)
{
	struct itimerval it = {{0, 0}, {0, 0}};

	setitimer(ITIMER_PROF, &it, NULL);
}

/* ---- confinement ---- */

/* Syscalls a config never needs: files, processes, network, kernel state. */
static const int py_denied_syscalls[] = {
	SYS_open,
	SYS_openat,
	SYS_creat,
	SYS_execve,
	SYS_execveat,
	SYS_socket,
	SYS_socketpair,
	SYS_connect,
	SYS_bind,
	SYS_listen,
	SYS_accept,
	SYS_accept4,
	SYS_ptrace,
	SYS_process_vm_readv,
	SYS_process_vm_writev,
	SYS_fork,
	SYS_vfork,
	SYS_clone,
	SYS_mount,
	SYS_umount2,
	SYS_chroot,
	SYS_pivot_root,
	SYS_unshare,
	SYS_setns,
	SYS_keyctl,
	SYS_add_key,
	SYS_request_key,
	SYS_bpf,
	SYS_perf_event_open,
	SYS_mknod,
	SYS_mknodat,
	SYS_link,
	SYS_linkat,
	SYS_symlink,
	SYS_symlinkat,
	SYS_unlink,
	SYS_unlinkat,
	SYS_rename,
	SYS_renameat,
	SYS_renameat2,
	SYS_mkdir,
	SYS_mkdirat,
	SYS_rmdir,
	SYS_chmod,
	SYS_fchmod,
	SYS_fchmodat,
	SYS_chown,
	SYS_fchown,
	SYS_lchown,
	SYS_fchownat,
	SYS_truncate,
	SYS_init_module,
	SYS_finit_module,
	SYS_delete_module,
	SYS_kexec_load,
	SYS_reboot,
	SYS_swapon,
	SYS_swapoff,
	SYS_ioctl,
	SYS_userfaultfd,
	SYS_io_uring_setup,
	SYS_io_uring_enter,
	SYS_io_uring_register,
	SYS_name_to_handle_at,
	SYS_open_by_handle_at,
	SYS_personality,
	SYS_setuid,
	SYS_setgid,
	SYS_setreuid,
	SYS_setregid,
	SYS_setresuid,
	SYS_setresgid,
	SYS_setgroups,
	SYS_acct,
	SYS_quotactl,
	SYS_sendmsg,
	SYS_sendto,
	SYS_recvfrom,
	SYS_recvmsg,
	SYS_inotify_init1,
	SYS_fanotify_init,
#ifdef SYS_clone3
	SYS_clone3,
#endif
#ifdef SYS_openat2
	SYS_openat2,
#endif
};

static int
py_seccomp(void)
{
	enum { N = ARRAY_SIZE(py_denied_syscalls) };
	struct sock_filter f[6 + 2 * N + 1];
	struct sock_fprog prog;
	size_t i, k = 0;

	f[k++] = (struct sock_filter)BPF_STMT(
		BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
					      AUDIT_ARCH_X86_64, 1, 0);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
					      SECCOMP_RET_KILL_PROCESS);
	f[k++] = (struct sock_filter)BPF_STMT(
		BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	/* x32 system calls share the x86-64 audit arch: refuse them all, or
	 * they would walk around the list below */
	f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K,
					      0x40000000u, 0, 1);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
					      SECCOMP_RET_KILL_PROCESS);
	for (i = 0; i < N; i++) {
		f[k++] = (struct sock_filter)BPF_JUMP(
			BPF_JMP | BPF_JEQ | BPF_K,
			(unsigned)py_denied_syscalls[i], 0, 1);
		f[k++] = (struct sock_filter)BPF_STMT(
			BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & 0xffff));
	}
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
					      SECCOMP_RET_ALLOW);
	prog.len = (unsigned short)k;
	prog.filter = f;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		return -errno;
	return 0;
}

#ifndef XM_SANITIZERS
/* Resident address space now, to size RLIMIT_AS above it. */
static uint64_t
py_vm_size(void)
{
	char buf[128];
	unsigned long long pages = 0;
	ssize_t n;
	int fd;

	fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (sscanf(buf, "%llu", &pages) != 1)
		return 0;
	return (uint64_t)pages * (uint64_t)sysconf(_SC_PAGESIZE);
}
#endif

/* Drop root (to nobody) when we have it, no new privileges, rlimits,
 * seccomp. Returns 0 or a negative errno naming the failed step in *what. */
int
py_confine(unsigned cpu_total, uint64_t mem, const char **what)
{
	struct rlimit rl;
	uid_t uid = 65534;
	gid_t gid = 65534;
	int rc;

	if (geteuid() == 0) {
		struct passwd *pw = getpwnam("nobody");

		if (pw) {
			uid = pw->pw_uid;
			gid = pw->pw_gid;
		}
		*what = "dropping privileges";
		if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 ||
		    setresuid(uid, uid, uid) < 0)
			return -errno;
	}
	*what = "no-new-privs";
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	*what = "rlimits";
	rl.rlim_cur = rl.rlim_max = 0;
	if (setrlimit(RLIMIT_CORE, &rl) < 0 || setrlimit(RLIMIT_FSIZE, &rl) < 0)
		return -errno;
	rl.rlim_cur = cpu_total; /* moved per file by py_arm_cpu */
	rl.rlim_max = cpu_total + 1;
	if (setrlimit(RLIMIT_CPU, &rl) < 0)
		return -errno;
#ifndef XM_SANITIZERS
	rl.rlim_cur = rl.rlim_max = py_vm_size() + mem + (64ull << 20);
	if (setrlimit(RLIMIT_AS, &rl) < 0)
		return -errno;
#else
	(void)mem;
#endif
	*what = "seccomp";
	rc = py_seccomp();
	return rc;
}

void
py_cap_heap(size_t bytes)
{
	py_mem_limit = py_mem_used + bytes;
}

void
py_cpu_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = py_on_sigprof;
	sigaction(SIGPROF, &sa, NULL);
}
