/* SPDX-License-Identifier: GPL-2.0-or-later */
/* py.c: the sandboxed child that evaluates configs with embedded CPython
 * (the only file of xmtools that includes Python.h). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <marshal.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "internal.h"
#include "py_prelude_gen.h" /* generated from prelude.py */
#include "util.h"

#define PY_DEFAULT_CPU 1
#define PY_DEFAULT_MEM (256ull << 20)
#define PY_HDR 16 /* size header in front of each counted block */
#define PY_WALL_NS(cpu) ((uint64_t)(2 * (cpu) + 8) * 1000000000ull)

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

static void
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

static volatile sig_atomic_t py_cpu_expired;

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
static void
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

static void
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
static int
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

/* ---- serialisation of the results ---- */

static int
py_ser(PyObject *o, struct xmbuf *b, int depth)
{
	Py_ssize_t i, n, pos = 0;
	PyObject *k, *v;
	const char *s;

	if (depth > XMWIRE_MAX_DEPTH || b->len > XMWIRE_MAX_BYTES)
		return -1;
	if (o == Py_None) {
		xmbuf_u8(b, 'N');
	} else if (PyBool_Check(o)) {
		xmbuf_u8(b, o == Py_True ? 'T' : 'F');
	} else if (PyLong_Check(o)) {
		int overflow = 0;
		long long x = PyLong_AsLongLongAndOverflow(o, &overflow);

		if (overflow) {
			xmbuf_u8(b, 'I');
			xmbuf_str(b, overflow > 0 ? "+huge" : "-huge", 5);
		} else {
			xmbuf_u8(b, 'i');
			xmbuf_u64(b, (uint64_t)x);
		}
	} else if (PyFloat_Check(o)) {
		double d = PyFloat_AS_DOUBLE(o);
		uint64_t u;

		memcpy(&u, &d, sizeof(u));
		xmbuf_u8(b, 'f');
		xmbuf_u64(b, u);
	} else if (PyUnicode_Check(o)) {
		s = PyUnicode_AsUTF8AndSize(o, &n);
		if (!s) {
			PyErr_Clear();
			xmbuf_u8(b, 'o');
			xmbuf_str(b, "str", 3);
		} else {
			xmbuf_u8(b, 's');
			xmbuf_str(b, s, (size_t)n);
		}
	} else if (PyList_Check(o) || PyTuple_Check(o)) {
		n = PySequence_Fast_GET_SIZE(o);
		xmbuf_u8(b, 'l');
		xmbuf_u32(b, (uint32_t)n);
		for (i = 0; i < n; i++)
			if (py_ser(PySequence_Fast_GET_ITEM(o, i), b,
				   depth + 1) < 0)
				return -1;
	} else if (PyDict_Check(o)) {
		xmbuf_u8(b, 'd');
		xmbuf_u32(b, (uint32_t)PyDict_Size(o));
		while (PyDict_Next(o, &pos, &k, &v))
			if (py_ser(k, b, depth + 1) < 0 ||
			    py_ser(v, b, depth + 1) < 0)
				return -1;
	} else {
		s = Py_TYPE(o)->tp_name;
		xmbuf_u8(b, 'o');
		xmbuf_str(b, s, strlen(s));
	}
	return b->failed ? -1 : 0;
}

static void
py_err_record(struct xmbuf *b, enum xmcfg_errcode code, int line,
	      const char *msg)
{
	b->len = 0;
	xmbuf_u8(b, 'E');
	xmbuf_u32(b, code);
	xmbuf_u32(b, (uint32_t)line);
	xmbuf_str(b, msg, strlen(msg));
}

/* Turn the (tag, ...) tuple _run returned into one wire record. */
static void
py_record(PyObject *res, struct xmbuf *b)
{
	PyObject *list, *item;
	Py_ssize_t i, n;
	const char *s;
	char msg[160];
	long code, line;

	if (!res || !PyTuple_Check(res) || PyTuple_GET_SIZE(res) < 2) {
		py_err_record(
			b, py_cpu_expired ? XMCFG_ELIMIT : XMCFG_EINTERNAL, 0,
			py_cpu_expired ? "CPU time limit exceeded"
				       : "evaluator failed");
		return;
	}
	s = PyUnicode_AsUTF8(PyTuple_GET_ITEM(res, 0));
	if (s && s[0] == 'E' && PyTuple_GET_SIZE(res) == 4) {
		code = PyLong_AsLong(PyTuple_GET_ITEM(res, 1));
		line = PyLong_AsLong(PyTuple_GET_ITEM(res, 2));
		s = PyUnicode_AsUTF8(PyTuple_GET_ITEM(res, 3));
		py_err_record(b, (enum xmcfg_errcode)code, (int)line,
			      s ? s : "error");
		return;
	}
	list = PyTuple_GET_ITEM(res, 1);
	if (!PyList_Check(list)) {
		py_err_record(b, XMCFG_EINTERNAL, 0, "evaluator failed");
		return;
	}
	n = PyList_GET_SIZE(list);
	xmbuf_u8(b, 'O');
	xmbuf_u32(b, (uint32_t)n);
	for (i = 0; i < n; i++) {
		item = PyList_GET_ITEM(list, i);
		s = PyUnicode_AsUTF8(PyTuple_GET_ITEM(item, 0));
		line = PyLong_AsLong(PyTuple_GET_ITEM(item, 1));
		if (!s) {
			py_err_record(b, XMCFG_EINTERNAL, 0, "bad name");
			return;
		}
		xmbuf_str(b, s, strlen(s));
		xmbuf_u32(b, (uint32_t)line);
		xmbuf_u8(b, PyObject_IsTrue(PyTuple_GET_ITEM(item, 2)) == 1);
		if (py_ser(PyTuple_GET_ITEM(item, 3), b, 0) < 0) {
			snprintf(msg, sizeof(msg),
				 "value of '%.60s' is too large or nests too "
				 "deeply",
				 s);
			py_err_record(b, XMCFG_EVALUE, (int)line, msg);
			return;
		}
	}
}

static int
py_send(int fd, struct xmbuf *b)
{
	struct iovec iov[2];
	uint8_t hdr[4];
	ssize_t n;

	if (b->failed)
		py_err_record(b, XMCFG_ELIMIT, 0, "result too large");
	hdr[0] = (uint8_t)b->len;
	hdr[1] = (uint8_t)(b->len >> 8);
	hdr[2] = (uint8_t)(b->len >> 16);
	hdr[3] = (uint8_t)(b->len >> 24);
	/* one system call for the frame in the common case */
	iov[0].iov_base = hdr;
	iov[0].iov_len = 4;
	iov[1].iov_base = b->data;
	iov[1].iov_len = b->len;
	do
		n = writev(fd, iov, 2);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if ((size_t)n < 4)
		return util_write_all(fd, hdr + n, 4 - (size_t)n) < 0 ||
				       util_write_all(fd, b->data, b->len) < 0
			       ? -1
			       : 0;
	if ((size_t)n < 4 + b->len)
		return util_write_all(fd, b->data + (n - 4),
				      b->len - (size_t)(n - 4));
	return 0;
}

static void
py_child_fail(int fd, enum xmcfg_errcode code, const char *msg)
{
	struct xmbuf b = {0};

	py_err_record(&b, code, 0, msg);
	(void)py_send(fd, &b);
	_exit(2);
}

/* Run the prelude in g: its build-time marshalled code when this libpython
 * has the version that made it (saves compiling it in every child), else
 * its source. Returns a new reference or NULL. */
static PyObject *
py_load_prelude(PyObject *g)
{
	PyObject *code = NULL, *res;

	if ((py_prelude_code_version >> 16) ==
	    ((unsigned long)PY_VERSION_HEX >> 16))
		code = PyMarshal_ReadObjectFromString(
			(const char *)py_prelude_code, sizeof(py_prelude_code));
	if (!code) {
		PyErr_Clear();
		return PyRun_String(py_prelude, Py_file_input, g, g);
	}
	res = PyEval_EvalCode(code, g, g);
	Py_DECREF(code);
	return res;
}

static void __attribute__((noreturn))
py_child(int fd, const struct xmsrc *srcs, size_t n,
	 const char *const *overrides, size_t noverrides, unsigned cpu,
	 uint64_t mem)
{
	PyConfig config;
	PyStatus st;
	PyObject *mod = NULL, *g, *run, *ovr, *res;
	struct sigaction sa;
	const char *what = "";
	char msg[256];
	size_t i;
	int rc;

	/* nothing of the caller's but the pipe survives into the sandbox */
	if (fd != 3) {
		if (dup2(fd, 3) < 0)
			_exit(2);
		fd = 3;
	}
	syscall(SYS_close_range, 4, ~0U, 0);
	py_install_allocator();
	PyConfig_InitIsolatedConfig(&config);
#ifdef XM_PYTHON_PREFIX
	/* name the installation: no search of PATH for a python3 (and no
	 * pyvenv.cfg beside whatever it finds) in every child */
	PyConfig_SetBytesString(&config, &config.home, XM_PYTHON_PREFIX);
	PyConfig_SetBytesString(&config, &config.program_name,
				XM_PYTHON_PREFIX "/bin/python3");
#endif
	config.site_import = 0;
	config.write_bytecode = 0;
	config.install_signal_handlers = 1;
	st = Py_InitializeFromConfig(&config);
	PyConfig_Clear(&config);
	if (PyStatus_Exception(st))
		py_child_fail(fd, XMCFG_EINTERNAL, "cannot start Python");
	mod = PyImport_AddModule("__main__");
	g = mod ? PyModule_GetDict(mod) : NULL;
	res = g ? py_load_prelude(g) : NULL;
	run = g ? PyDict_GetItemString(g, "_run") : NULL;
	if (!res || !run)
		py_child_fail(fd, XMCFG_EINTERNAL, "cannot load the evaluator");
	Py_DECREF(res);
	ovr = PyList_New(0);
	for (i = 0; ovr && i < noverrides; i++) {
		PyObject *s = PyUnicode_FromString(overrides[i]);

		if (!s || PyList_Append(ovr, s) < 0)
			py_child_fail(fd, XMCFG_EINTERNAL, "out of memory");
		Py_DECREF(s);
	}
	if (!ovr)
		py_child_fail(fd, XMCFG_EINTERNAL, "out of memory");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = py_on_sigprof;
	sigaction(SIGPROF, &sa, NULL);

	rc = py_confine((unsigned)(cpu * n + 1), mem, &what);
	if (rc < 0) {
		snprintf(msg, sizeof(msg), "sandbox: %s failed: %s", what,
			 strerror(-rc));
		py_child_fail(fd, XMCFG_EINTERNAL, msg);
	}
	py_mem_limit = py_mem_used + mem;

	for (i = 0; i < n; i++) {
		struct xmbuf b = {0};
		PyObject *src;

		src = PyUnicode_DecodeUTF8(srcs[i].text,
					   (Py_ssize_t)srcs[i].len, "replace");
		py_arm_cpu(cpu);
		res = src ? PyObject_CallFunction(
				    run, "OsOIK", src, srcs[i].path, ovr, cpu,
				    (unsigned long long)(mem >> 20))
			  : NULL;
		py_disarm_cpu();
		if (!res) {
			PyObject *t, *v, *tb;

			PyErr_Fetch(&t, &v, &tb);
			if (py_cpu_expired)
				py_err_record(&b, XMCFG_ELIMIT, 0,
					      "CPU time limit exceeded");
			else if (t && PyErr_GivenExceptionMatches(
					      t, PyExc_MemoryError))
				py_err_record(&b, XMCFG_ELIMIT, 0,
					      "memory limit exceeded");
			else
				py_err_record(&b, XMCFG_EINTERNAL, 0,
					      "evaluator failed");
			Py_XDECREF(t);
			Py_XDECREF(v);
			Py_XDECREF(tb);
		} else {
			py_record(res, &b);
			PyErr_Clear();
		}
		Py_XDECREF(res);
		Py_XDECREF(src);
		if (py_send(fd, &b) < 0)
			_exit(2);
		xmbuf_free(&b);
		/* _run breaks each namespace's cycles itself; what is left
		 * is for the interpreter's own collector */
	}
	_exit(0);
}

/* ---- parent side ---- */

static int
py_reap(pid_t pid, bool kill_it)
{
	int status = 0;

	if (kill_it)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 0; /* reaped by the caller's own SIGCHLD handling:
				     the records decide */
	return status;
}

int
xmpy_run(const struct xmsrc *srcs, size_t n, const char *const *overrides,
	 size_t noverrides, const struct xmcfg_options *opts, struct xmbuf *out,
	 struct xmcfg_error *err)
{
	unsigned cpu =
		opts && opts->cpu_seconds ? opts->cpu_seconds : PY_DEFAULT_CPU;
	uint64_t mem = opts && opts->memory_bytes ? opts->memory_bytes
						  : PY_DEFAULT_MEM;
	int p[2] = {-1, -1};
	pid_t pid = -1;
	uint64_t deadline, now;
	bool timed_out = false;
	char buf[65536];
	int status, rc = -1;

	if (pipe2(p, O_CLOEXEC) < 0) {
		xmerr_set(err, XMCFG_EINTERNAL, NULL, 0, "pipe: %s",
			  strerror(errno));
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		xmerr_set(err, XMCFG_EINTERNAL, NULL, 0, "fork: %s",
			  strerror(errno));
		goto out;
	}
	if (pid == 0) {
		close(p[0]);
		py_child(p[1], srcs, n, overrides, noverrides, cpu, mem);
	}
	close(p[1]);
	p[1] = -1;
	/* wall clock, only against hangs: the CPU limit (a timer on the
	 * child's CPU time) ends a busy config first unless the host is
	 * heavily overloaded; the wall limit then ends it without a line */
	deadline = util_now_ns() + PY_WALL_NS(cpu);
	for (;;) {
		struct pollfd pfd = {p[0], POLLIN, 0};
		ssize_t r;
		int ms;

		now = util_now_ns();
		if (now >= deadline) {
			timed_out = true;
			break;
		}
		ms = (int)((deadline - now) / 1000000) + 1;
		r = poll(&pfd, 1, ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			continue;
		r = read(p[0], buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		xmbuf_put(out, buf, (size_t)r);
		if (out->failed || out->len > XMWIRE_MAX_BYTES * 2) {
			timed_out = true; /* treat as runaway */
			break;
		}
		deadline = util_now_ns() + PY_WALL_NS(cpu);
	}
	status = py_reap(pid, timed_out);
	pid = -1;
	if (timed_out) {
		xmerr_set(err, XMCFG_ELIMIT, NULL, 0,
			  "time limit exceeded (%u s CPU, evaluation killed)",
			  cpu);
		goto out;
	}
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);

		if (sig == SIGXCPU || sig == SIGKILL)
			xmerr_set(err, XMCFG_ELIMIT, NULL, 0,
				  "CPU time limit (%u s) exceeded", cpu);
		else if (sig == SIGSYS)
			xmerr_set(err, XMCFG_EFORBIDDEN, NULL, 0,
				  "forbidden system call in a domain config");
		else
			xmerr_set(err, XMCFG_EINTERNAL, NULL, 0,
				  "config evaluator died (%s)", strsignal(sig));
		goto out;
	}
	rc = 0;
out:
	if (pid > 0)
		py_reap(pid, true);
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	return rc;
}
