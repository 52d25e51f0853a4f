/* SPDX-License-Identifier: GPL-2.0-or-later */
/* node.c: host-level XML-RPC methods: xend.node.info, xend.node.log and
 * the Domain-0 row (the host itself). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"
#include "xmd.h"

#define NODE_LOG_MAX (1024 * 1024)

/* The host's CPU time in seconds (all CPUs), from /proc/stat. */
static double
node_host_cpu_time(void)
{
	unsigned long long v[8] = {0};
	long hz = sysconf(_SC_CLK_TCK);
	char *data = NULL;
	size_t len;
	double t = 0;
	int i;

	if (util_read_file("/proc/stat", 1 << 20, &data, &len) < 0)
		return 0;
	if (sscanf(data, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
		   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8) {
		for (i = 0; i < 8; i++)
			if (i != 3 && i != 4) /* idle, iowait */
				t += (double)v[i];
	}
	free(data);
	return hz > 0 ? t / (double)hz : 0;
}

static double
node_boot_time(void)
{
	struct timespec rt, mono;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &mono);
	return (double)(rt.tv_sec - mono.tv_sec) +
	       (rt.tv_nsec - mono.tv_nsec) / 1e9;
}

static int
node_physinfo(struct xmd *x, struct xmhv_physinfo *pi)
{
	int rc = xmhv_physinfo(x->hv, pi);

	if (rc < 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		memset(pi, 0, sizeof(*pi));
		pi->nr_cpus = n > 0 ? (uint32_t)n : 1;
		pi->nr_nodes = pi->cores_per_socket = pi->threads_per_core = 1;
		pi->total_memory_kib = (uint64_t)sysconf(_SC_PHYS_PAGES) *
				       (uint64_t)sysconf(_SC_PAGESIZE) / 1024;
	}
	return rc;
}

struct xmlrpc_value *
node_dom0_struct(struct xmd *x)
{
	struct xmlrpc_value *st = xmlrpc_struct();
	struct xmhv_physinfo pi;
	double boot = node_boot_time(), now = (double)time(NULL);
	int rc = 0;

	(void)node_physinfo(x, &pi);
	rc |= xmlrpc_struct_set(st, "domid", xmlrpc_int(0));
	rc |= xmlrpc_struct_set(st, "name", xmlrpc_string("Domain-0"));
	rc |= xmlrpc_struct_set(
		st, "uuid",
		xmlrpc_string("00000000-0000-0000-0000-000000000000"));
	rc |= xmlrpc_struct_set(
		st, "memory",
		xmlrpc_int((int64_t)(pi.total_memory_kib / 1024)));
	rc |= xmlrpc_struct_set(
		st, "maxmem",
		xmlrpc_int((int64_t)(pi.total_memory_kib / 1024)));
	rc |= xmlrpc_struct_set(st, "vcpus", xmlrpc_int(pi.nr_cpus));
	rc |= xmlrpc_struct_set(st, "online_vcpus", xmlrpc_int(pi.nr_cpus));
	rc |= xmlrpc_struct_set(st, "state", xmlrpc_string("r-----"));
	rc |= xmlrpc_struct_set(st, "cpu_time",
				xmlrpc_double(node_host_cpu_time()));
	rc |= xmlrpc_struct_set(st, "start_time", xmlrpc_double(boot));
	rc |= xmlrpc_struct_set(st, "uptime", xmlrpc_double(now - boot));
	rc |= xmlrpc_struct_set(st, "shutdown_reason", xmlrpc_string(""));
	rc |= xmlrpc_struct_set(st, "on_poweroff", xmlrpc_string("destroy"));
	rc |= xmlrpc_struct_set(st, "on_reboot", xmlrpc_string("restart"));
	rc |= xmlrpc_struct_set(st, "on_crash", xmlrpc_string("restart"));
	rc |= xmlrpc_struct_set(st, "managed", xmlrpc_bool(false));
	rc |= xmlrpc_struct_set(st, "restart_count", xmlrpc_int(0));
	rc |= xmlrpc_struct_set(st, "console_log", xmlrpc_string(""));
	rc |= xmlrpc_struct_set(st, "disks", xmlrpc_array());
	rc |= xmlrpc_struct_set(st, "vifs", xmlrpc_array());
	if (rc) {
		xmlrpc_free(st);
		return NULL;
	}
	return st;
}

/* Whether this host can run a domain now: the KVM device opens and
 * creates a VM (checked per request: the module may be loaded later). */
static bool
node_has_hvm(void)
{
	char msg[512];

	return xmhv_check_kvm(msg, sizeof(msg)) == 0;
}

struct xmlrpc_value *
node_info(struct xmd *x, struct control_req *req,
	  const struct xmlrpc_value *params, bool *pending)
{
	struct xmlrpc_value *st = xmlrpc_struct();
	struct xmhv_physinfo pi;
	struct utsname u;
	bool hvm = node_has_hvm();
	int rc = 0;

	(void)node_physinfo(x, &pi);
	if (uname(&u) < 0)
		memset(&u, 0, sizeof(u));
	rc |= xmlrpc_struct_set(st, "host", xmlrpc_string(u.nodename));
	rc |= xmlrpc_struct_set(st, "release", xmlrpc_string(u.release));
	rc |= xmlrpc_struct_set(st, "version", xmlrpc_string(u.version));
	rc |= xmlrpc_struct_set(st, "machine", xmlrpc_string(u.machine));
	rc |= xmlrpc_struct_set(st, "nr_cpus", xmlrpc_int(pi.nr_cpus));
	rc |= xmlrpc_struct_set(st, "nr_nodes",
				xmlrpc_int(pi.nr_nodes ? pi.nr_nodes : 1));
	rc |= xmlrpc_struct_set(
		st, "cores_per_socket",
		xmlrpc_int(pi.cores_per_socket ? pi.cores_per_socket : 1));
	rc |= xmlrpc_struct_set(
		st, "threads_per_core",
		xmlrpc_int(pi.threads_per_core ? pi.threads_per_core : 1));
	rc |= xmlrpc_struct_set(
		st, "sockets_per_node",
		xmlrpc_int(pi.sockets_per_node ? pi.sockets_per_node : 1));
	rc |= xmlrpc_struct_set(st, "cpu_mhz", xmlrpc_int(pi.cpu_mhz));
	rc |= xmlrpc_struct_set(st, "hw_caps", xmlrpc_string(pi.hw_caps));
	/* Xen's physinfo spelled virt_caps as a space-separated list of
	 * "hvm" and "hvm_directio", and "" on a host with neither (xc.c
	 * pyxc_physinfo); tools test `'hvm' in virt_caps`. A domain here is
	 * a KVM VM: "hvm" when one can be created, else "" as on such a Xen
	 * host. xen_caps lists hvm-3.0-x86_64 under the same condition. */
	rc |= xmlrpc_struct_set(st, "virt_caps",
				xmlrpc_string(hvm ? "hvm" : ""));
	rc |= xmlrpc_struct_set(
		st, "total_memory",
		xmlrpc_int((int64_t)(pi.total_memory_kib / 1024)));
	rc |= xmlrpc_struct_set(
		st, "free_memory",
		xmlrpc_int((int64_t)(pi.free_memory_kib / 1024)));
	rc |= xmlrpc_struct_set(st, "xen_major", xmlrpc_int(3));
	rc |= xmlrpc_struct_set(st, "xen_minor", xmlrpc_int(4));
	rc |= xmlrpc_struct_set(st, "xen_extra", xmlrpc_string(".0-xmtools"));
	rc |= xmlrpc_struct_set(
		st, "xen_caps",
		xmlrpc_string(hvm ? "xen-3.0-x86_64 hvm-3.0-x86_64"
				  : "xen-3.0-x86_64"));
	rc |= xmlrpc_struct_set(st, "xen_scheduler", xmlrpc_string("credit"));
	rc |= xmlrpc_struct_set(st, "xen_pagesize", xmlrpc_int(4096));
	rc |= xmlrpc_struct_set(st, "platform_params",
				xmlrpc_string("virt_start=0xffff800000000000"));
	rc |= xmlrpc_struct_set(st, "xen_changeset",
				xmlrpc_string("xmtools " PACKAGE_VERSION));
	rc |= xmlrpc_struct_set(st, "cc_compiler",
				xmlrpc_string("gcc version " __VERSION__));
	rc |= xmlrpc_struct_set(st, "cc_compile_by", xmlrpc_string("xmtools"));
	rc |= xmlrpc_struct_set(st, "cc_compile_domain", xmlrpc_string(""));
	rc |= xmlrpc_struct_set(st, "cc_compile_date", xmlrpc_string(__DATE__));
	rc |= xmlrpc_struct_set(st, "xend_config_format", xmlrpc_int(4));
	rc |= xmlrpc_struct_set(st, "xmd_version",
				xmlrpc_string(PACKAGE_VERSION));
	if (rc) {
		xmlrpc_free(st);
		return NULL;
	}
	return st;
}

struct xmlrpc_value *
node_log(struct xmd *x, struct control_req *req,
	 const struct xmlrpc_value *params, bool *pending)
{
	struct xmlrpc_value *v = NULL;
	struct stat st;
	char *buf = NULL;
	ssize_t n;
	off_t off;
	int fd;

	fd = open(x->log_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return xmlrpc_string("");
	if (fstat(fd, &st) < 0)
		goto out;
	off = st.st_size > NODE_LOG_MAX ? st.st_size - NODE_LOG_MAX : 0;
	buf = malloc(NODE_LOG_MAX);
	if (!buf)
		goto out;
	n = pread(fd, buf, NODE_LOG_MAX, off);
	if (n < 0)
		goto out;
	v = xmlrpc_string_n(buf, (size_t)n);
out:
	free(buf);
	close(fd);
	if (!v)
		control_fault(req, XMLRPC_FAULT_GENERIC, "%s: %s", x->log_path,
			      strerror(errno));
	return v;
}
