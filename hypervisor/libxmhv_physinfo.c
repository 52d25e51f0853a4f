/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libxmhv_physinfo.c: xmhv_physinfo, the host facts (Xen's sysctl physinfo). */
#include <cpuid.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "xmhv.h"

/* Count the CPUs in a Linux cpu list such as "0-3,8,10-11". */
static uint32_t
physinfo_count_cpulist(const char *s)
{
	uint32_t n = 0;

	while (*s && *s != '\n') {
		char *end;
		unsigned long a = strtoul(s, &end, 10), b = a;

		if (end == s)
			break;
		if (*end == '-')
			b = strtoul(end + 1, &end, 10);
		if (b >= a && b - a < 65536)
			n += (uint32_t)(b - a + 1);
		s = end;
		if (*s == ',')
			s++;
	}
	return n;
}

static uint32_t
physinfo_cpulist_file(const char *path)
{
	char *data = NULL;
	size_t len;
	uint32_t n = 0;

	if (util_read_file(path, 65536, &data, &len) == 0)
		n = physinfo_count_cpulist(data);
	free(data);
	return n;
}

/* Value of "key : value" in a /proc file, copied into out. */
static int
physinfo_proc_field(const char *data, const char *key, char *out, size_t size)
{
	const char *p = data;
	size_t klen = strlen(key);

	while (p && *p) {
		if (strncmp(p, key, klen) == 0 &&
		    (p[klen] == ' ' || p[klen] == '\t' || p[klen] == ':')) {
			const char *v = strchr(p, ':');
			size_t n;

			if (!v)
				return -ENOENT;
			v++;
			while (*v == ' ' || *v == '\t')
				v++;
			n = strcspn(v, "\n");
			if (n >= size)
				n = size - 1;
			memcpy(out, v, n);
			out[n] = '\0';
			return 0;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -ENOENT;
}

static uint32_t
physinfo_nodes(void)
{
	DIR *d = opendir("/sys/devices/system/node");
	struct dirent *e;
	uint32_t n = 0;

	if (!d)
		return 1;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "node", 4) == 0 && e->d_name[4] >= '0' &&
		    e->d_name[4] <= '9')
			n++;
	}
	closedir(d);
	return n ? n : 1;
}

/* Xen printed hw_caps as 8 hex words of CPUID feature bits. */
static void
physinfo_hw_caps(char *buf, size_t size)
{
	unsigned int a, b, c, d, e1c = 0, e1d = 0, l7b = 0, l7c = 0, l7d = 0;

	a = b = c = d = 0;
	__get_cpuid(1, &a, &b, &c, &d);
	if (__get_cpuid_max(0x80000000, NULL) >= 0x80000001)
		__get_cpuid(0x80000001, &a, &b, &e1c, &e1d);
	if (__get_cpuid_max(0, NULL) >= 7)
		__cpuid_count(7, 0, a, l7b, l7c, l7d);
	(void)snprintf(buf, size, "%08x:%08x:%08x:%08x:%08x:%08x:%08x:%08x", d,
		       e1d, l7c, 0u, c, e1c, l7b, l7d);
}

/* Fill info_out from sysconf, /proc and /sys. Reports MemAvailable as the
 * free memory, which is what a new domain could really get. Returns 0 or
 * -errno. Any thread. */
int
xmhv_physinfo(struct xmhv *h, struct xmhv_physinfo *info_out)
{
	struct xmhv_physinfo pi;
	char *mem = NULL, *cpu = NULL, val[128];
	size_t len;
	uint32_t threads, cores;
	long ncpu;
	int r;

	(void)h;
	memset(&pi, 0, sizeof(pi));
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	pi.nr_cpus = ncpu > 0 ? (uint32_t)ncpu : 1;
	pi.nr_nodes = physinfo_nodes();
	threads = physinfo_cpulist_file(
		"/sys/devices/system/cpu/cpu0/topology/thread_siblings_list");
	cores = physinfo_cpulist_file(
		"/sys/devices/system/cpu/cpu0/topology/core_siblings_list");
	pi.threads_per_core = threads ? threads : 1;
	pi.cores_per_socket = cores >= pi.threads_per_core
				      ? cores / pi.threads_per_core
				      : pi.nr_cpus;
	pi.sockets_per_node = pi.nr_cpus / (pi.cores_per_socket *
					    pi.threads_per_core * pi.nr_nodes);
	if (pi.sockets_per_node == 0)
		pi.sockets_per_node = 1;

	r = util_read_file("/proc/meminfo", 1 << 20, &mem, &len);
	if (r < 0)
		goto out;
	if (physinfo_proc_field(mem, "MemTotal", val, sizeof(val)) == 0)
		pi.total_memory_kib = strtoull(val, NULL, 10);
	if (physinfo_proc_field(mem, "MemAvailable", val, sizeof(val)) == 0)
		pi.free_memory_kib = strtoull(val, NULL, 10);
	else if (physinfo_proc_field(mem, "MemFree", val, sizeof(val)) == 0)
		pi.free_memory_kib = strtoull(val, NULL, 10);

	if (util_read_file("/proc/cpuinfo", 4 << 20, &cpu, &len) == 0) {
		if (physinfo_proc_field(cpu, "cpu MHz", val, sizeof(val)) == 0)
			pi.cpu_mhz = (uint32_t)strtoul(val, NULL, 10);
		if (physinfo_proc_field(cpu, "model name", val, sizeof(val)) ==
		    0)
			(void)!util_strlcpy(pi.cpu_model, val,
					    sizeof(pi.cpu_model));
	}
	physinfo_hw_caps(pi.hw_caps, sizeof(pi.hw_caps));
	*info_out = pi;
	r = 0;
out:
	free(mem);
	free(cpu);
	return r;
}
