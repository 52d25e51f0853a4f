/* SPDX-License-Identifier: GPL-2.0-or-later */
/* limits.c: every limit of xmhv_limits.h at its edges (min-1, min, max,
 * max+1), through libxmcfg (a config file evaluated as `xm create -n`
 * does) and through xmhv_check_config(): both give the expected verdict,
 * so a dry run refuses exactly what xmhv refuses. Then what only
 * xmhv_check_config() can see (strings without their NUL, cpuid mask
 * syntax) and its messages. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "util.h"
#include "xmcfg.h"
#include "xmhv.h"

#define LIM_TEXT (XMHV_PATH_MAX + 4096)

static char tmpdir[] = "/tmp/xmlimits.XXXXXX";

/* One limit: the config text for value v, and the same value in an
 * xmhv_domain_config. */
struct limit {
	const char *what;
	bool has_min; /* min-1 is a value the config can express */
	uint64_t min, max;
	void (*text)(char *buf, size_t size, uint64_t v);
	void (*hv)(struct xmhv_domain_config *hv, uint64_t v);
};

/* n copies of c, NUL-terminated, into buf (n < size). */
static void
lim_fill(char *buf, size_t size, char c, uint64_t n)
{
	if (n >= size)
		n = size - 1;
	memset(buf, c, n);
	buf[n] = '\0';
}

/* A string of n bytes in an array of size: without its NUL when it does
 * not fit, as a toolstack that forgot to check would send it. */
static void
lim_string(char *dst, size_t size, char first, uint64_t n)
{
	memset(dst, 'k', size);
	if (n < size)
		dst[n] = '\0';
	if (n > 0)
		dst[0] = first;
}

static void
text_memory(char *buf, size_t size, uint64_t v)
{
	snprintf(buf, size, "memory = %llu\n", (unsigned long long)v);
}

static void
hv_memory(struct xmhv_domain_config *hv, uint64_t v)
{
	hv->memory_mib = v;
}

static void
text_vcpus(char *buf, size_t size, uint64_t v)
{
	snprintf(buf, size, "vcpus = %llu\n", (unsigned long long)v);
}

static void
hv_vcpus(struct xmhv_domain_config *hv, uint64_t v)
{
	hv->max_vcpus = (uint32_t)v;
	hv->vcpus_online = (uint32_t)v;
}

static void
text_maxvcpus(char *buf, size_t size, uint64_t v)
{
	snprintf(buf, size, "vcpus = 1\nmaxvcpus = %llu\n",
		 (unsigned long long)v);
}

static void
hv_maxvcpus(struct xmhv_domain_config *hv, uint64_t v)
{
	hv->max_vcpus = (uint32_t)v;
	hv->vcpus_online = v ? 1 : 0;
}

static void
text_disks(char *buf, size_t size, uint64_t v)
{
	snprintf(buf, size,
		 "disk = ['file:/srv/d%%d.img,xvd%%s,w' %% (i, "
		 "'abcdefghijklmnopqrstuvwxyz'[i]) for i in range(%llu)]\n",
		 (unsigned long long)v);
}

static void
hv_disks(struct xmhv_domain_config *hv, uint64_t v)
{
	hv->ndisks = (uint32_t)v;
}

static void
text_vifs(char *buf, size_t size, uint64_t v)
{
	snprintf(buf, size, "vif = [''] * %llu\n", (unsigned long long)v);
}

static void
hv_vifs(struct xmhv_domain_config *hv, uint64_t v)
{
	hv->nnics = (uint32_t)v;
}

static void
text_cpuid(char *buf, size_t size, uint64_t v)
{
	snprintf(buf, size,
		 "cpuid = ['%%d:eax=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' %% i "
		 "for i in range(%llu)]\n",
		 (unsigned long long)v);
}

static void
hv_cpuid(struct xmhv_domain_config *hv, uint64_t v)
{
	uint64_t i;

	hv->ncpuid = (uint32_t)v;
	for (i = 0; i < v && i < XMHV_MAX_CPUID; i++) {
		hv->cpuid[i].leaf = (uint32_t)i;
		lim_fill(hv->cpuid[i].reg[0], sizeof(hv->cpuid[i].reg[0]), 'x',
			 32);
	}
}

static void
text_name(char *buf, size_t size, uint64_t v)
{
	snprintf(buf, size, "name = 'n' * %llu\n", (unsigned long long)v);
}

static void
hv_name(struct xmhv_domain_config *hv, uint64_t v)
{
	lim_string(hv->name, sizeof(hv->name), 'n', v);
}

static void
text_extra(char *buf, size_t size, uint64_t v)
{
	snprintf(buf, size, "extra = 'x' * %llu\n", (unsigned long long)v);
}

static void
hv_cmdline(struct xmhv_domain_config *hv, uint64_t v)
{
	lim_string(hv->cmdline, sizeof(hv->cmdline), 'x', v);
}

static void
text_kernel(char *buf, size_t size, uint64_t v)
{
	snprintf(buf, size, "kernel = '/' + 'k' * %llu\n",
		 (unsigned long long)v - 1);
}

static void
hv_kernel(struct xmhv_domain_config *hv, uint64_t v)
{
	lim_string(hv->kernel, sizeof(hv->kernel), '/', v);
}

static void
text_ramdisk(char *buf, size_t size, uint64_t v)
{
	snprintf(buf, size, "ramdisk = '/' + 'k' * %llu\n",
		 (unsigned long long)v - 1);
}

static void
hv_ramdisk(struct xmhv_domain_config *hv, uint64_t v)
{
	lim_string(hv->ramdisk, sizeof(hv->ramdisk), '/', v);
}

static const struct limit limits[] = {
	{"memory", true, XMHV_MEMORY_MIN_MIB, XMHV_MEMORY_MAX_MIB, text_memory,
	 hv_memory},
	{"vcpus", true, 1, XMHV_MAX_VCPUS, text_vcpus, hv_vcpus},
	{"maxvcpus", true, 1, XMHV_MAX_VCPUS, text_maxvcpus, hv_maxvcpus},
	{"disks", false, 0, XMHV_MAX_DISKS, text_disks, hv_disks},
	{"vifs", false, 0, XMHV_MAX_NICS, text_vifs, hv_vifs},
	{"cpuid entries", false, 0, XMHV_MAX_CPUID, text_cpuid, hv_cpuid},
	/* an empty name is the config's own rule (xmhv needs none) */
	{"name length", false, 1, XMHV_NAME_MAX - 1, text_name, hv_name},
	{"command line length", false, 0, XMHV_CMDLINE_MAX - 1, text_extra,
	 hv_cmdline},
	{"kernel path length", false, 1, XMHV_PATH_MAX - 1, text_kernel,
	 hv_kernel},
	{"ramdisk path length", false, 1, XMHV_PATH_MAX - 1, text_ramdisk,
	 hv_ramdisk},
};

/* A domain xmhv accepts, to vary one value of. */
static void
lim_base(struct xmhv_domain_config *hv)
{
	memset(hv, 0, sizeof(*hv));
	strcpy(hv->name, "lim");
	strcpy(hv->kernel, "/boot/vmlinuz");
	hv->memory_mib = 64;
	hv->max_vcpus = 1;
	hv->vcpus_online = 1;
}

/* Evaluate text (after a kernel line) as a config file, as the dry run
 * does. true when it loads; msg gets the error otherwise. */
static bool
lim_load(const char *text, char *msg, size_t msglen)
{
	struct xmcfg_domain *dom = NULL;
	struct xmcfg_error err;
	char path[sizeof(tmpdir) + 8];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "%s/lim", tmpdir);
	f = fopen(path, "w");
	if (!f) {
		snprintf(msg, msglen, "%s: %s", path, strerror(errno));
		return false;
	}
	if (!strstr(text, "kernel ="))
		fputs("kernel = '/boot/vmlinuz'\n", f);
	fputs(text, f);
	fclose(f);
	memset(&err, 0, sizeof(err));
	ok = xmcfg_load(path, NULL, 0, NULL, &dom, &err) == 0;
	if (!ok)
		xmcfg_error_format(&err, msg, msglen);
	else
		snprintf(msg, msglen, "ok");
	xmcfg_domain_free(dom);
	return ok;
}

/* Value v of limit l through both; want is the expected verdict. */
static void
lim_edge(const struct limit *l, uint64_t v, bool want)
{
	struct xmhv_domain_config *hv = malloc(sizeof(*hv));
	char *text = malloc(LIM_TEXT), cfgmsg[8192], hvmsg[512];
	bool cfg_ok, hv_ok;

	if (!hv || !text) {
		tap_ok(false, "%s %llu: out of memory", l->what,
		       (unsigned long long)v);
		free(hv);
		free(text);
		return;
	}
	l->text(text, LIM_TEXT, v);
	cfg_ok = lim_load(text, cfgmsg, sizeof(cfgmsg));
	lim_base(hv);
	l->hv(hv, v);
	hv_ok = xmhv_check_config(hv, hvmsg, sizeof(hvmsg)) == 0;
	if (hv_ok)
		snprintf(hvmsg, sizeof(hvmsg), "ok");
	tap_ok(cfg_ok == want && hv_ok == want,
	       "%s %llu: %s by libxmcfg and by xmhv_check_config", l->what,
	       (unsigned long long)v, want ? "accepted" : "refused");
	if (cfg_ok != want || hv_ok != want)
		tap_diag("  libxmcfg: %.300s; xmhv: %s", cfgmsg, hvmsg);
	free(hv);
	free(text);
}

static void
test_edges(void)
{
	const struct limit *l;
	size_t i;

	for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		l = &limits[i];
		if (l->has_min)
			lim_edge(l, l->min - 1, false);
		lim_edge(l, l->min, true);
		lim_edge(l, l->max, true);
		lim_edge(l, l->max + 1, false);
	}
}

/* What a config cannot express but a toolstack could send. */
static void
test_hv_only(void)
{
	struct xmhv_domain_config *hv = malloc(sizeof(*hv));
	char msg[512];

	if (!tap_ok(hv != NULL, "a domain config to vary"))
		return;
	lim_base(hv);
	tap_ok(xmhv_check_config(hv, msg, sizeof(msg)) == 0,
	       "the base domain is accepted");
	hv->memory_mib = 8;
	tap_ok(xmhv_check_config(hv, msg, sizeof(msg)) == -EINVAL &&
		       !strcmp(msg, "memory 8 MiB: out of range (16 MiB..8 "
				    "TiB)"),
	       "memory 8: xmhv's message names the key (%s)", msg);
	lim_base(hv);
	hv->max_vcpus = 100;
	tap_ok(xmhv_check_config(hv, msg, sizeof(msg)) == -EINVAL &&
		       !strcmp(msg, "vcpus 100: out of range (1..64)"),
	       "vcpus 100: refused (%s)", msg);
	lim_base(hv);
	hv->max_vcpus = 2;
	hv->vcpus_online = 3;
	tap_ok(xmhv_check_config(hv, msg, sizeof(msg)) == -EINVAL &&
		       strstr(msg, "vcpus 3"),
	       "more vCPUs online than the maximum: refused (%s)", msg);
	lim_base(hv);
	hv->kernel[0] = '\0';
	tap_ok(xmhv_check_config(hv, msg, sizeof(msg)) == -EINVAL &&
		       !strncmp(msg, "kernel:", 7),
	       "no kernel: refused (%s)", msg);
	lim_base(hv);
	memset(hv->console_log, 'l', sizeof(hv->console_log));
	tap_ok(xmhv_check_config(hv, msg, sizeof(msg)) == -EINVAL &&
		       !strncmp(msg, "console log:", 12),
	       "console log without its NUL: refused (%s)", msg);
	lim_base(hv);
	hv->ndisks = 1;
	memset(hv->disks[0].serial, 's', sizeof(hv->disks[0].serial));
	tap_ok(xmhv_check_config(hv, msg, sizeof(msg)) == -EINVAL &&
		       !strncmp(msg, "disk[0]:", 8),
	       "disk serial without its NUL: refused (%s)", msg);
	lim_base(hv);
	hv->nnics = 1;
	memset(hv->nics[0].tap, 't', sizeof(hv->nics[0].tap));
	tap_ok(xmhv_check_config(hv, msg, sizeof(msg)) == -EINVAL &&
		       !strncmp(msg, "vif[0]:", 7),
	       "tap name without its NUL: refused (%s)", msg);
	lim_base(hv);
	hv->ncpuid = 1;
	strcpy(hv->cpuid[0].reg[2], "0101");
	tap_ok(xmhv_check_config(hv, msg, sizeof(msg)) == -EINVAL &&
		       !strcmp(msg, "cpuid[0]: ecx is not 32 of 0, 1, x, k, s"),
	       "a short cpuid mask: refused (%s)", msg);
	lim_fill(hv->cpuid[0].reg[2], sizeof(hv->cpuid[0].reg[2]), 'k', 32);
	tap_ok(xmhv_check_config(hv, msg, sizeof(msg)) == 0,
	       "a 32-character cpuid mask: accepted");
	free(hv);
}

int
main(void)
{
	char cmd[64];

	if (!mkdtemp(tmpdir))
		tap_skip_all("mkdtemp failed");
	test_edges();
	test_hv_only();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir); /* our own files */
	if (system(cmd) != 0)
		tap_diag("cleanup of %s failed", tmpdir);
	return tap_done();
}
