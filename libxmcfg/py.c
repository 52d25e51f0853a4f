/* SPDX-License-Identifier: GPL-2.0-or-later */
/* py.c: the sandboxed child that evaluates configs with embedded CPython,
 * and the parent's side of its pipe (with py_sandbox.c, its limits, the
 * only files of xmtools that include Python.h). */
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
#include "py_sandbox.h"
#include "py_prelude_gen.h" /* generated from prelude.py */
#include "util.h"

#define PY_DEFAULT_CPU 1
#define PY_DEFAULT_MEM (256ull << 20)
#define PY_WALL_NS(cpu) ((uint64_t)(2 * (cpu) + 8) * 1000000000ull)

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
	py_cpu_init();

	rc = py_confine((unsigned)(cpu * n + 1), mem, &what);
	if (rc < 0) {
		snprintf(msg, sizeof(msg), "sandbox: %s failed: %s", what,
			 strerror(-rc));
		py_child_fail(fd, XMCFG_EINTERNAL, msg);
	}
	py_cap_heap(mem);

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
