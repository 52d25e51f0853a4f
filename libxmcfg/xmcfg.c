/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xmcfg.c: libxmcfg's domain: free and copy it, and the hint for a missing
 * test guest. Evaluating a config is load.c's. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Free a domain and everything it owns; NULL is fine. */
void
xmcfg_domain_free(struct xmcfg_domain *dom)
{
	size_t i;

	if (!dom)
		return;
	free(dom->config_path);
	free(dom->name);
	free(dom->builder);
	free(dom->xl_cmdline);
	free(dom->cpuid_xl);
	xmnotes_dispose(dom);
	free(dom->kernel);
	free(dom->ramdisk);
	free(dom->root);
	free(dom->extra);
	free(dom->cmdline);
	free(dom->root_rewritten);
	free(dom->bootloader);
	free(dom->bootargs);
	free(dom->cpus_per_vcpu);
	free(dom->cpus);
	free(dom->ip);
	free(dom->netmask);
	free(dom->gateway);
	free(dom->hostname);
	free(dom->dhcp);
	free(dom->interface);
	free(dom->nfs_server);
	free(dom->nfs_root);
	for (i = 0; i < dom->ncpuid; i++)
		xmcpuid_dispose(&dom->cpuid[i]);
	free(dom->cpuid);
	for (i = 0; i < dom->ndisks; i++)
		xmdisk_dispose(&dom->disks[i]);
	free(dom->disks);
	for (i = 0; i < dom->nvifs; i++)
		xmvif_dispose(&dom->vifs[i]);
	free(dom->vifs);
	for (i = 0; i < dom->nwarnings; i++)
		free(dom->warnings[i]);
	free(dom->warnings);
	free(dom);
}

static bool
dup_str(char **dst, const char *src)
{
	*dst = NULL;
	if (!src)
		return true;
	*dst = strdup(src);
	return *dst != NULL;
}

/* Deep copy of a domain; NULL on allocation failure. */
struct xmcfg_domain *
xmcfg_domain_dup(const struct xmcfg_domain *s)
{
	struct xmcfg_domain *d = malloc(sizeof(*d));
	bool ok = true;
	size_t i, k;

	if (!d)
		return NULL;
	*d = *s;
	ok &= dup_str(&d->config_path, s->config_path);
	ok &= dup_str(&d->name, s->name);
	ok &= dup_str(&d->builder, s->builder);
	ok &= dup_str(&d->xl_cmdline, s->xl_cmdline);
	ok &= dup_str(&d->cpuid_xl, s->cpuid_xl);
	ok &= dup_str(&d->kernel, s->kernel);
	ok &= dup_str(&d->ramdisk, s->ramdisk);
	ok &= dup_str(&d->root, s->root);
	ok &= dup_str(&d->extra, s->extra);
	ok &= dup_str(&d->cmdline, s->cmdline);
	ok &= dup_str(&d->root_rewritten, s->root_rewritten);
	ok &= dup_str(&d->bootloader, s->bootloader);
	ok &= dup_str(&d->bootargs, s->bootargs);
	ok &= dup_str(&d->cpus, s->cpus);
	ok &= dup_str(&d->ip, s->ip);
	ok &= dup_str(&d->netmask, s->netmask);
	ok &= dup_str(&d->gateway, s->gateway);
	ok &= dup_str(&d->hostname, s->hostname);
	ok &= dup_str(&d->dhcp, s->dhcp);
	ok &= dup_str(&d->interface, s->interface);
	ok &= dup_str(&d->nfs_server, s->nfs_server);
	ok &= dup_str(&d->nfs_root, s->nfs_root);
	d->cpus_per_vcpu = NULL;
	d->settings = NULL;
	d->notes = NULL;
	d->nsettings = d->nnotes = 0;
	d->cpuid = NULL;
	d->disks = NULL;
	d->vifs = NULL;
	d->warnings = NULL;
	d->ncpuid = d->ndisks = d->nvifs = d->nwarnings = 0;
	if (s->cpus_per_vcpu) {
		d->cpus_per_vcpu = malloc(s->vcpus * sizeof(*s->cpus_per_vcpu));
		ok &= d->cpus_per_vcpu != NULL;
		if (d->cpus_per_vcpu)
			memcpy(d->cpus_per_vcpu, s->cpus_per_vcpu,
			       s->vcpus * sizeof(*s->cpus_per_vcpu));
	}
	d->cpuid = calloc(s->ncpuid + 1, sizeof(*d->cpuid));
	d->disks = calloc(s->ndisks + 1, sizeof(*d->disks));
	d->vifs = calloc(s->nvifs + 1, sizeof(*d->vifs));
	d->warnings = calloc(s->nwarnings + 1, sizeof(*d->warnings));
	if (!ok || !d->cpuid || !d->disks || !d->vifs || !d->warnings)
		goto fail;
	for (i = 0; i < s->ncpuid; i++, d->ncpuid++) {
		d->cpuid[i] = s->cpuid[i];
		for (k = 0; k < 4; k++)
			ok &= dup_str(&d->cpuid[i].reg[k], s->cpuid[i].reg[k]);
	}
	for (i = 0; i < s->ndisks; i++, d->ndisks++) {
		const struct xmcfg_disk *a = &s->disks[i];
		struct xmcfg_disk *b = &d->disks[i];

		*b = *a;
		ok &= dup_str(&b->spec, a->spec) &
		      dup_str(&b->driver, a->driver) &
		      dup_str(&b->subtype, a->subtype) &
		      dup_str(&b->format, a->format) &
		      dup_str(&b->source, a->source) &
		      dup_str(&b->vdev, a->vdev) &
		      dup_str(&b->backend, a->backend) &
		      dup_str(&b->backendtype, a->backendtype) &
		      dup_str(&b->script, a->script) &
		      dup_str(&b->specification, a->specification) &
		      dup_str(&b->ignored, a->ignored);
	}
	for (i = 0; i < s->nvifs; i++, d->nvifs++) {
		ok &= xmvif_dup(&d->vifs[i], &s->vifs[i]) == 0;
	}
	for (i = 0; i < s->nwarnings; i++, d->nwarnings++)
		ok &= dup_str(&d->warnings[i], s->warnings[i]);
	ok &= xmnotes_dup(d, s) == 0;
	if (!ok)
		goto fail;
	return d;
fail:
	xmcfg_domain_free(d);
	return NULL;
}

/* The demo config checked into the source tree names the installed test
 * guest ($(pkgdatadir)/guest/guest.bzImage with the default prefix); the
 * build writes a copy per build tree naming that tree's kernel. Matched
 * by its last components, whatever the prefix. Pure. */
const char *
xmcfg_kernel_hint(const char *kernel)
{
	static const char guest[] = "/xmtools/guest/guest.bzImage";
	size_t n = kernel ? strlen(kernel) : 0, g = sizeof(guest) - 1;

	if (n < g || strcmp(kernel + n - g, guest) != 0)
		return NULL;
	return "the test guest is there only after `make install`; from a "
	       "source tree use a build tree's copy of the config, which names "
	       "that tree's kernel: _build/demo/examples/etc-xen/demo after "
	       "scripts/demo, or BUILDDIR/examples/etc-xen/demo; or pass "
	       "kernel=BUILDDIR/tests/guest/guest.bzImage";
}
