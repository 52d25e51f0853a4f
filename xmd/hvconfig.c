/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hvconfig.c: turn a validated xmcfg_domain into the xmhv_domain_config
 * the hypercall interface takes (names, memory, vCPUs, pinning, cpuid,
 * disks through storage.c, console log), checked as xmhv checks it:
 * xmhv_check_config() first, then the kernel and ramdisk files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xmd.h"

/* hvconfig_cpus copies a cpus= set into an affinity map as it is. */
_Static_assert(
	sizeof(((struct xmcfg_cpuset *)0)->bits) ==
		sizeof(((struct xmhv_domain_config *)0)->cpu_affinity[0]),
	"a cpus= set and an xmhv affinity map have the same size");

static int
hvconfig_copy(char *dst, size_t size, const char *src, const char *what,
	      const char *name, char *msg, size_t msglen)
{
	if (!src)
		src = "";
	if (util_strlcpy(dst, src, size) < 0) {
		snprintf(msg, msglen, "domain %s: %s is too long (limit %zu)",
			 name, what, size - 1);
		return -ENAMETOOLONG;
	}
	return 0;
}

static void
hvconfig_cpus(const struct xmcfg_domain *cfg, struct xmhv_domain_config *hv)
{
	const struct xmcfg_cpuset *set;
	uint32_t i;

	if (!cfg->has_cpus)
		return;
	hv->pin_vcpus = 1;
	for (i = 0; i < hv->max_vcpus && i < XMHV_MAX_VCPUS; i++) {
		set = cfg->cpus_per_vcpu ? &cfg->cpus_per_vcpu[i]
					 : &cfg->cpus_all;
		memcpy(hv->cpu_affinity[i], set->bits,
		       sizeof(hv->cpu_affinity[i]));
	}
}

static int
hvconfig_cpuid(const struct xmcfg_domain *cfg, struct xmhv_domain_config *hv,
	       char *msg, size_t msglen)
{
	size_t i, r;

	if (cfg->ncpuid > XMHV_MAX_CPUID) {
		snprintf(msg, msglen, "domain %s: more than %d cpuid entries",
			 cfg->name, XMHV_MAX_CPUID);
		return -E2BIG;
	}
	for (i = 0; i < cfg->ncpuid; i++) {
		hv->cpuid[i].leaf = cfg->cpuid[i].leaf;
		hv->cpuid[i].subleaf = cfg->cpuid[i].has_subleaf
					       ? cfg->cpuid[i].subleaf
					       : UINT32_MAX;
		for (r = 0; r < 4; r++) {
			if (cfg->cpuid[i].reg[r] &&
			    util_strlcpy(hv->cpuid[i].reg[r],
					 cfg->cpuid[i].reg[r],
					 sizeof(hv->cpuid[i].reg[r])) < 0) {
				snprintf(msg, msglen,
					 "domain %s: bad cpuid mask",
					 cfg->name);
				return -EINVAL;
			}
		}
	}
	hv->ncpuid = (uint32_t)cfg->ncpuid;
	return 0;
}

/* The kernel or ramdisk of domain name, checked as xmhv checks it (same
 * message, after "domain NAME: ") before a monitor is started, so a wrong
 * path is reported as such on a host without /dev/kvm too. A missing
 * installed test guest (the source tree's demo config) says which copy
 * of the config to use. */
static int
hvconfig_boot_file(enum xmhv_boot_file kind, const char *path, const char *name,
		   char *msg, size_t msglen)
{
	const char *hint = NULL;
	char why[XMHV_PATH_MAX + 256];
	int rc;

	rc = xmhv_check_boot_file(kind, path, why, sizeof(why));
	if (rc == -ENOENT && kind == XMHV_BOOT_KERNEL)
		hint = xmcfg_kernel_hint(path);
	if (rc < 0)
		snprintf(msg, msglen, "domain %s: %s%s%s%s", name, why,
			 hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
	return rc;
}

/* The pure part: everything of cfg but the disks and the console log.
 * Returns 0 or -errno with msg naming the domain. */
static int
hvconfig_fill(const struct xmcfg_domain *cfg, struct xmhv_domain_config *hv,
	      char *msg, size_t msglen)
{
	int rc;

	rc = hvconfig_copy(hv->name, sizeof(hv->name), cfg->name, "name",
			   cfg->name, msg, msglen);
	if (rc == 0 && !cfg->kernel && !bootdisk_needed(cfg)) {
		snprintf(msg, msglen, "domain %s: no kernel given", cfg->name);
		rc = -EINVAL;
	}
	if (rc == 0)
		rc = hvconfig_copy(hv->kernel, sizeof(hv->kernel), cfg->kernel,
				   "kernel path", cfg->name, msg, msglen);
	if (rc == 0)
		rc = hvconfig_copy(hv->ramdisk, sizeof(hv->ramdisk),
				   cfg->ramdisk, "ramdisk path", cfg->name, msg,
				   msglen);
	if (rc == 0)
		rc = hvconfig_copy(hv->cmdline, sizeof(hv->cmdline),
				   cfg->cmdline, "command line", cfg->name, msg,
				   msglen);
	if (rc < 0)
		return rc;
	memcpy(hv->uuid, cfg->uuid, sizeof(hv->uuid));
	hv->memory_mib = cfg->memory_mib;
	hv->max_vcpus = cfg->maxvcpus > cfg->vcpus ? cfg->maxvcpus : cfg->vcpus;
	hv->vcpus_online = cfg->vcpus;
	hv->localtime = cfg->localtime;
	hvconfig_cpus(cfg, hv);
	return hvconfig_cpuid(cfg, hv, msg, msglen);
}

/* Build *hv_out (malloc'd, caller frees) for cfg: the configuration
 * checked by xmhv_check_config() before anything on the host is looked
 * at, as xmhv does. A domain that boots from its disk (bootdisk.c) gets
 * its kernel, initrd and command line later, in the worker thread, where
 * the kernel is checked as it is read. Returns 0 or -errno with a
 * message naming the domain in msg. */
int
hvconfig_build(struct xmd *x, const struct xmcfg_domain *cfg,
	       struct xmhv_domain_config **hv_out, char *msg, size_t msglen)
{
	bool disk_boot = bootdisk_needed(cfg);
	struct xmhv_domain_config *hv;
	char log[PATH_MAX], why[512];
	struct xmcfg_error cerr;
	int rc;

	hv = malloc(sizeof(*hv));
	if (!hv) {
		snprintf(msg, msglen, "out of memory");
		return -ENOMEM;
	}
	xmhv_domain_config_init(hv);
	/* Domain XML reaches xmd from any client: what xm create refuses
	 * (an HVM guest, a qcow2 image, ...) is refused here too, by key. */
	rc = xmcfg_check_runnable(cfg, &cerr);
	if (rc < 0) {
		char line[1400];

		xmcfg_error_format(&cerr, line, sizeof(line));
		snprintf(msg, msglen, "domain %s: %s", cfg->name, line);
		rc = -EINVAL;
	}
	if (rc == 0)
		rc = hvconfig_fill(cfg, hv, msg, msglen);
	if (rc == 0 && disk_boot) {
		/* a placeholder until bootdisk_prepare reads the disk */
		snprintf(hv->kernel, sizeof(hv->kernel), "(the boot disk)");
		rc = storage_prepare(cfg, hv, msg, msglen);
	}
	if (rc == 0) {
		rc = xmhv_check_config(hv, why, sizeof(why));
		if (rc < 0)
			snprintf(msg, msglen, "domain %s: %s", cfg->name, why);
	}
	if (rc == 0 && !disk_boot)
		rc = hvconfig_boot_file(XMHV_BOOT_KERNEL, hv->kernel, cfg->name,
					msg, msglen);
	if (rc == 0 && !disk_boot && hv->ramdisk[0])
		rc = hvconfig_boot_file(XMHV_BOOT_RAMDISK, hv->ramdisk,
					cfg->name, msg, msglen);
	if (rc == 0 && !disk_boot)
		rc = storage_prepare(cfg, hv, msg, msglen);
	if (rc < 0)
		goto fail;
	/* The NICs: taps made by net_domain_prepare (netdom.c) next. */
	hv->nnics = 0;
	if (domains_console_log(x, cfg->name, log, sizeof(log)) == 0)
		XMD_STRLCPY(hv->console_log, log);
	*hv_out = hv;
	return 0;
fail:
	free(hv);
	return rc;
}
