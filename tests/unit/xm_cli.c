/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xm_cli.c: runs the built xm binary: command lookup, create -n, and xm's
 * output formats and exit statuses against a small in-test XML-RPC
 * responder with canned answers (no KVM needed). Help and the no-daemon
 * message are in xm_help.c. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "cli_run.h"
#include "tap.h"
#include "util.h"
#include "xmlrpc.h"

static char cli_console_path[600]; /* the canned console socket */

/* ---- the canned responder ---- */

static struct xmlrpc_value *
resp_domain(int id, const char *name, int mem, int vcpus, const char *state,
	    double cpu)
{
	struct xmlrpc_value *d = xmlrpc_struct();

	if (d == NULL || xmlrpc_struct_set(d, "domid", xmlrpc_int(id)) < 0 ||
	    xmlrpc_struct_set(d, "name", xmlrpc_string(name)) < 0 ||
	    xmlrpc_struct_set(d, "memory", xmlrpc_int(mem)) < 0 ||
	    xmlrpc_struct_set(d, "vcpus", xmlrpc_int(vcpus)) < 0 ||
	    xmlrpc_struct_set(d, "online_vcpus", xmlrpc_int(vcpus)) < 0 ||
	    xmlrpc_struct_set(d, "state", xmlrpc_string(state)) < 0 ||
	    xmlrpc_struct_set(d, "cpu_time", xmlrpc_double(cpu)) < 0 ||
	    xmlrpc_struct_set(d, "uptime", xmlrpc_double(3725.0)) < 0 ||
	    xmlrpc_struct_set(d, "on_poweroff", xmlrpc_string("destroy")) < 0) {
		xmlrpc_free(d);
		return NULL;
	}
	return d;
}

static bool
resp_is_web1(const struct xmlrpc_call *call)
{
	const char *s = NULL;

	if (xmlrpc_get_string(xmlrpc_array_get(call->params, 0), &s) < 0)
		return false;
	return strcmp(s, "web1") == 0 || strcmp(s, "1") == 0;
}

/* The answer document for one call (malloc'd). */
static char *
resp_answer(const struct xmlrpc_call *call, size_t *len)
{
	struct xmlrpc_value *v = NULL;
	char *doc;

	if (strcmp(call->method, "xend.domains") == 0) {
		v = xmlrpc_array();
		if (v != NULL &&
		    (xmlrpc_array_append(v, resp_domain(0, "Domain-0", 2048, 2,
							"r-----", 12.34)) < 0 ||
		     xmlrpc_array_append(v, resp_domain(1, "web1", 64, 1,
							"-b----", 0.5)) < 0)) {
			xmlrpc_free(v);
			v = NULL;
		}
	} else if (strcmp(call->method, "xend.node.info") == 0) {
		v = xmlrpc_struct();
		if (v != NULL &&
		    (xmlrpc_struct_set(v, "host", xmlrpc_string("h1")) < 0 ||
		     xmlrpc_struct_set(v, "total_memory", xmlrpc_int(2048)) <
			     0)) {
			xmlrpc_free(v);
			v = NULL;
		}
	} else if (!resp_is_web1(call)) {
		return xmlrpc_format_fault(3, "Domain 'nosuch' does not exist.",
					   len);
	} else if (strcmp(call->method, "xend.domain") == 0) {
		v = resp_domain(1, "web1", 64, 1, "-b----", 0.5);
	} else if (strcmp(call->method, "xend.domain.console") == 0) {
		v = xmlrpc_struct();
		if (v != NULL &&
		    (xmlrpc_struct_set(v, "path",
				       xmlrpc_string(cli_console_path)) < 0 ||
		     xmlrpc_struct_set(v, "domid", xmlrpc_int(1)) < 0)) {
			xmlrpc_free(v);
			v = NULL;
		}
	} else {
		v = xmlrpc_int(0);
	}
	if (v == NULL)
		return xmlrpc_format_fault(1, "out of memory", len);
	doc = xmlrpc_format_response(v, len);
	xmlrpc_free(v);
	return doc;
}

static void
resp_serve_one(int c)
{
	char buf[65536], head[256], err[128];
	struct xmlrpc_call *call = NULL;
	size_t have = 0, want = 0, blen = 0;
	char *body = NULL, *hdr_end = NULL, *cl;
	ssize_t n;

	while (have < sizeof(buf) - 1) {
		n = read(c, buf + have, sizeof(buf) - 1 - have);
		if (n <= 0)
			return;
		have += (size_t)n;
		buf[have] = '\0';
		if (hdr_end == NULL && (hdr_end = strstr(buf, "\r\n\r\n"))) {
			cl = strcasestr(buf, "Content-Length:");
			want = (size_t)(hdr_end + 4 - buf) +
			       (cl != NULL ? strtoul(cl + 15, NULL, 10) : 0);
		}
		if (hdr_end != NULL && have >= want)
			break;
	}
	if (hdr_end == NULL ||
	    xmlrpc_parse_call(hdr_end + 4, have - (size_t)(hdr_end + 4 - buf),
			      &call, err, sizeof(err)) < 0)
		return;
	body = resp_answer(call, &blen);
	xmlrpc_call_free(call);
	if (body == NULL)
		return;
	snprintf(head, sizeof(head),
		 "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n"
		 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
		 blen);
	if (util_write_all(c, head, strlen(head)) < 0 ||
	    util_write_all(c, body, blen) < 0)
		tap_diag("responder: short write");
	free(body);
}

/* A child answering on root/run/xmd/xmlrpc.sock until killed. */
static pid_t
resp_start(const char *root)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char dir[600];
	pid_t pid;
	int s;

	if (util_snprintf(dir, sizeof(dir), "%s/run/xmd", root) < 0 ||
	    util_mkdir_p(dir, 0755) < 0 ||
	    util_snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/xmlrpc.sock",
			  dir) < 0)
		return -1;
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(s, 16) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		for (;;) {
			int c = accept(s, NULL, NULL);

			if (c < 0)
				continue;
			resp_serve_one(c);
			close(c);
		}
	}
	close(s);
	return pid;
}

/* A canned console socket at cli_console_path, like xmhv's: the first client gets the "ring
 * buffer" and its input is saved to root/console.in; the second one is
 * told it was taken over and closed (what xmhv does to an old client);
 * later ones are served like the first. */
static pid_t
console_start(const char *root)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char in[700];
	pid_t pid;
	int s, n = 0;

	if (util_snprintf(sa.sun_path, sizeof(sa.sun_path), "%s",
			  cli_console_path) < 0 ||
	    util_snprintf(in, sizeof(in), "%s/console.in", root) < 0)
		return -1;
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(s, 4) < 0)
		return -1;
	pid = fork();
	if (pid != 0) {
		close(s);
		return pid;
	}
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		static const char ring[] = "ring-buffer-data\r\nxmguest# ";
		static const char over[] =
			"\r\n[xmhv: console taken over by another client]\r\n";
		char buf[256];
		ssize_t r;
		FILE *f;
		int c = accept(s, NULL, NULL);

		if (c < 0)
			continue;
		if (n++ == 1) {
			(void)!write(c, over, sizeof(over) - 1);
			close(c);
			continue;
		}
		(void)!write(c, ring, sizeof(ring) - 1);
		f = fopen(in, "w");
		while ((r = read(c, buf, sizeof(buf))) > 0 && f != NULL) {
			fwrite(buf, 1, (size_t)r, f);
			fflush(f);
			if (memchr(buf, '\r', (size_t)r) != NULL)
				(void)!write(c, "abc-echo\r\n", 10);
		}
		if (f != NULL)
			fclose(f);
		close(c);
	}
}

/* Types into xm console through the fifo at path: a line, then, once xm
 * has shown the console's answer to it (so after the recent output),
 * CTRL-] and bytes that must never be sent. Ordering, not timing. */
static pid_t
console_typist(const char *path, int master)
{
	char outp[512];
	pid_t pid;
	int fd = master, i;

	if (master < 0 && mkfifo(path, 0600) < 0)
		return -1;
	pid = fork();
	if (pid != 0)
		return pid;
	snprintf(outp, sizeof(outp), "%s/out", cli_tmp);
	if (master < 0)
		fd = open(path, O_WRONLY);
	for (i = 0; master >= 0 && i < 3000; i++) { /* until xm made it raw */
		struct termios t;

		if (tcgetattr(master, &t) == 0 && !(t.c_lflag & ICANON))
			break;
		usleep(10 * 1000);
	}
	if (fd < 0 || write(fd, "echo abc\r", 9) != 9)
		_exit(1);
	for (i = 0; i < 3000; i++) { /* up to 30 s for xm to show it */
		char *out = NULL;
		size_t len;
		bool seen = util_read_file(outp, 1 << 16, &out, &len) == 0 &&
			    strstr(out, "abc-echo") != NULL;

		free(out);
		if (seen)
			break;
		usleep(10 * 1000);
	}
	if (write(fd, "\x1dnot-sent", 9) != 9)
		_exit(1);
	close(fd);
	_exit(0);
}

/* On a terminal: raw mode while attached, the settings restored exactly
 * after CTRL-]. The typist writes to the pty master; xm's stdin is the
 * slave (stdout stays a file so the typist can watch it). */
static void
test_console_tty(const char *root)
{
	struct termios before, after;
	int master = -1, slave = -1;
	char *name;
	pid_t typist;

	/* tcgetattr leaves the tail of glibc's c_cc[] alone: compare zeroed
	 * structures */
	memset(&before, 0, sizeof(before));
	memset(&after, 0, sizeof(after));
	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 ||
	    (name = ptsname(master)) == NULL ||
	    (slave = open(name, O_RDWR | O_NOCTTY)) < 0 ||
	    tcgetattr(slave, &before) < 0) {
		tap_skip("no pseudo-terminal: %s", strerror(errno));
		goto out;
	}
	typist = console_typist(NULL, master);
	cli_stdin = name;
	tap_is_int(RUN(root, "console", "web1"), 0,
		   "console on a terminal: CTRL-] detaches with 0");
	cli_stdin = "/dev/null";
	waitpid(typist, NULL, 0);
	if (!tap_ok(tcgetattr(slave, &after) == 0 &&
			    memcmp(&before, &after, sizeof(before)) == 0,
		    "terminal settings restored exactly"))
		tap_diag("iflag %x/%x oflag %x/%x cflag %x/%x lflag %x/%x "
			 "line %d/%d",
			 before.c_iflag, after.c_iflag, before.c_oflag,
			 after.c_oflag, before.c_cflag, after.c_cflag,
			 before.c_lflag, after.c_lflag, before.c_line,
			 after.c_line);
out:
	if (slave >= 0)
		close(slave);
	if (master >= 0)
		close(master);
}

static void
test_console(const char *root)
{
	char in[700], *got = NULL;
	size_t len = 0;
	pid_t typist, srv = console_start(root);

	if (!tap_ok(srv > 0, "canned console socket"))
		return;
	snprintf(in, sizeof(in), "%s/typed", cli_tmp);
	typist = console_typist(in, -1);
	tap_ok(typist > 0, "typist on a fifo");
	cli_stdin = in;
	tap_is_int(RUN(root, "console", "web1"), 0,
		   "console through pipes: CTRL-] detaches with 0");
	cli_stdin = "/dev/null";
	if (typist > 0)
		waitpid(typist, NULL, 0);
	tap_ok(strstr(cli_out, "ring-buffer-data") != NULL,
	       "the recent output is shown on attach");
	snprintf(in, sizeof(in), "%s/console.in", root);
	/* the console saves what it got when xm closes; give it a moment */
	for (int i = 0; i < 100 && access(in, R_OK) < 0; i++)
		usleep(10 * 1000);
	usleep(100 * 1000);
	tap_ok(util_read_file(in, 4096, &got, &len) == 0 && got != NULL &&
		       strcmp(got, "echo abc\r") == 0,
	       "typed bytes up to CTRL-] reached the console, none after");
	if (got != NULL && strcmp(got, "echo abc\r") != 0)
		tap_diag("got %s", got);
	free(got);
	tap_is_int(RUN(root, "console", "web1"), 0,
		   "a console taken over by another client ends with 0");
	tap_ok(strstr(cli_out, "taken over") != NULL,
	       "... after showing xmhv's notice");
	tap_is_int(RUN(root, "console", "-q", "nosuch"), 3,
		   "console -q of a missing domain: 3");
	tap_ok(cli_err[0] == '\0', "... silently");
	test_console_tty(root);
	kill(srv, SIGKILL);
	waitpid(srv, NULL, 0);
}

/* ---- the tests ---- */

static void
test_commands(const char *empty)
{
	tap_is_int(RUN(empty, "help"), 0, "xm help exits 0");
	tap_ok(strstr(cli_out, "vcpu-list") != NULL &&
		       strstr(cli_out, "network-list") != NULL,
	       "xm help lists every command");
	tap_is_int(cli_run(empty, (const char *const[]){NULL}), 1,
		   "xm without a command exits 1");
	tap_ok(strstr(cli_out, "Usage: xm <subcommand>") != NULL,
	       "... and prints the usage");
	tap_is_int(RUN(empty, "frobnicate"), 1, "unknown command exits 1");
	tap_ok(strstr(cli_err, "Error: Subcommand frobnicate not found!") !=
		       NULL,
	       "... saying so");
	tap_is_int(RUN(empty, "de", "x"), 1, "ambiguous prefix 'de' refused");
	tap_ok(strstr(cli_err, "not found") != NULL,
	       "... as an unknown command");
	tap_is_int(RUN(empty, "lis"), 1, "prefix 'lis' runs list");
	tap_ok(strstr(cli_err, "Unable to connect to xmd") != NULL,
	       "... and finds no daemon (see xm_help for the message)");
	tap_is_int(RUN(empty, "destroy"), 1, "destroy without a domain: 1");
}

static void
test_dryrun(const char *empty)
{
	tap_ok(cli_write("t1", "name = 't1'\nmemory = '128'\n"
			       "kernel = '/boot/vmlinuz'\nvif = [ 'bridge=br0, "
			       "mac=00:16:3e:00:00:01', ]\ndisk = []\n") == 0,
	       "config written");
	tap_is_int(RUN(empty, "create", "-n", "t1"), 0, "create -n exits 0");
	tap_ok(strstr(cli_out, "Using config file \"") != NULL &&
		       strstr(cli_out, "(name t1)") != NULL,
	       "create -n prints the config file and (name t1)");
	tap_is_int(
		RUN(empty, "create", "t1", "memory=96", "--dryrun", "name=t2"),
		0, "options and VAR=VALUE anywhere");
	tap_ok(strstr(cli_out, "(name t2)") != NULL &&
		       strstr(cli_out, "96") != NULL,
	       "overrides applied");
	tap_is_int(RUN(empty, "create", "-q", "-n", "-f", "t1", "--xml"), 0,
		   "create -n -f FILE --xml");
	tap_ok(strstr(cli_out, "Using config") == NULL &&
		       strstr(cli_out, "<") != NULL,
	       "--xml prints XML, -q drops the config line");
	tap_ok(cli_write("bad", "name = 'b'\nmemory = (64\n") == 0,
	       "bad config written");
	tap_is_int(RUN(empty, "create", "-n", "bad"), 1, "syntax error: 1");
	tap_ok(strncmp(cli_err, "Error: ", 7) == 0 &&
		       strstr(cli_err, "bad:") != NULL,
	       "Error: FILE:LINE: message");
	tap_is_int(RUN(empty, "create", "-n", "nonexistent-cfg"), 1,
		   "missing config: 1");
	tap_ok(cli_write("empty/etc/xen/incfgdir",
			 "name = 'incfgdir'\nkernel = '/k'\n") == 0,
	       "config written to $XMD_ROOT/etc/xen");
	tap_is_int(RUN(empty, "create", "-n", "incfgdir"), 0,
		   "a bare name is found in $XMD_ROOT/etc/xen");
	tap_ok(strstr(cli_out, "/etc/xen/incfgdir\".") != NULL,
	       "... and its path printed");
}

static void
test_daemon(const char *root)
{
	static const char hdr[] = "Name                                        "
				  "ID   Mem VCPUs      State   Time(s)\n";
	static const char row0[] = "Domain-0                                  "
				   "   0  2048     2     r-----     12.3\n";
	static const char row1[] = "web1                                      "
				   "   1    64     1     -b----      0.5\n";
	const char *p;
	int nstatus = 0;

	tap_is_int(RUN(root, "list"), 0, "list exits 0");
	tap_ok(strncmp(cli_out, hdr, strlen(hdr)) == 0, "xm's list header");
	tap_ok(strstr(cli_out, row0) != NULL && strstr(cli_out, row1) != NULL,
	       "xm's row format (%%-40s %%5s %%5d %%5d %%10s %%8.1f)");
	if (strstr(cli_out, row1) == NULL)
		tap_diag("got:\n%s", cli_out);
	tap_is_int(RUN(root, "list", "web1"), 0, "list NAME");
	tap_ok(strstr(cli_out, row1) != NULL && strstr(cli_out, row0) == NULL,
	       "... only that domain");
	tap_is_int(RUN(root, "list", "nosuch"), 3,
		   "list of a missing domain: 3");
	tap_is_int(RUN(root, "list", "--long", "web1"), 0, "list --long");
	for (p = cli_out; (p = strstr(p, "status")) != NULL; p++)
		nstatus++;
	tap_ok(strstr(cli_out, "(domain\n    (domid 1)\n") != NULL &&
		       strstr(cli_out, "\n    (name web1)\n") != NULL &&
		       strstr(cli_out, "\n    (status 2)\n") != NULL &&
		       strstr(cli_out, "\n    (state -b----)\n") != NULL &&
		       strstr(cli_out, "\n    (cpu_time 0.500)\n") != NULL &&
		       nstatus == 1,
	       "SXP: one child per line, (status 2), one 'status' line");
	tap_is_int(RUN(root, "destroy", "nosuch"), 3, "destroy nosuch: 3");
	tap_ok(strcmp(cli_err, "Error: Domain 'nosuch' does not exist.\n") == 0,
	       "Error: Domain 'nosuch' does not exist.");
	tap_is_int(RUN(root, "destroy", "web1"), 0, "destroy web1: 0");
	tap_is_int(RUN(root, "domid", "web1"), 0, "domid");
	tap_ok(strcmp(cli_out, "1\n") == 0, "... prints 1");
	tap_is_int(RUN(root, "info"), 0, "info");
	tap_ok(strstr(cli_out, "total_memory           : 2048\n") != NULL,
	       "info: %%-23s: %%s lines");
	tap_is_int(RUN(root, "list", "--xml"), 0, "list --xml");
	tap_ok(strstr(cli_out, "<name>web1</name>") != NULL &&
		       strstr(cli_out, "<status>2</status>") != NULL,
	       "... machine-readable");
	tap_is_int(RUN(root, "uptime", "web1"), 0, "uptime");
	tap_ok(strstr(cli_out, " 1:02:05") != NULL, "... h:mm:ss");
}

int
main(void)
{
	char empty[512], root[512];
	pid_t srv;

	snprintf(cli_tmp, sizeof(cli_tmp), "/tmp/xm_cli.XXXXXX");
	if (mkdtemp(cli_tmp) == NULL)
		tap_skip_all("mkdtemp: %s", strerror(errno));
	snprintf(empty, sizeof(empty), "%s/empty", cli_tmp);
	snprintf(root, sizeof(root), "%s/root", cli_tmp);
	if (access(XM_BINARY, X_OK) < 0)
		tap_skip_all("%s not built", XM_BINARY);
	test_commands(empty);
	test_dryrun(empty);
	/* before the responder forks: it answers with this path */
	snprintf(cli_console_path, sizeof(cli_console_path), "%s/console.sock",
		 root);
	srv = resp_start(root);
	if (!tap_ok(srv > 0, "canned responder started")) {
		tap_diag("%s", strerror(errno));
		return tap_done();
	}
	test_daemon(root);
	test_console(root);
	kill(srv, SIGKILL);
	waitpid(srv, NULL, 0);
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", cli_tmp);
		if (system(cmd) != 0)
			tap_diag("could not remove %s", cli_tmp);
	}
	return tap_done();
}
