/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cfg_xml.c: domain XML round trips (config -> XML -> domain gives the same
 * SXP), libvirt-style XML without our metadata, bad XML, domain copies and
 * batch loading, on the golden configs of tests/cfg/pass. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmcfg.h"
#include "tap.h"

static const char libvirt_xml[] =
	"<domain type='xen'><name>lv1</name>"
	"<uuid>4f7b2d3c-0000-1111-2222-333344445555</uuid>"
	"<memory unit='KiB'>1048576</memory>"
	"<currentMemory unit='KiB'>524288</currentMemory>"
	"<vcpu placement='static' cpuset='0-1' current='2'>4</vcpu>"
	"<os><type arch='x86_64' machine='xenpv'>linux</type>"
	"<kernel>/boot/vmlinuz</kernel><initrd>/boot/initrd</initrd>"
	"<cmdline>root=/dev/xvda1 ro</cmdline></os>"
	"<clock offset='localtime'/><on_crash>preserve</on_crash>"
	"<devices><disk type='block' device='disk'><driver name='phy'/>"
	"<source dev='/dev/vg/lv1'/><target dev='xvda1' bus='xen'/></disk>"
	"<disk type='file' device='cdrom'><driver name='file'/>"
	"<source file='/x.iso'/><target dev='hdc' bus='ide'/><readonly/></disk>"
	"<interface type='bridge'><mac address='00:16:3e:01:02:03'/>"
	"<source bridge='xenbr0'/><ip address='10.0.0.2'/>"
	"<script path='vif-bridge'/></interface></devices></domain>";

static void
test_libvirt(void)
{
	struct xmcfg_domain *dom = NULL;
	struct xmcfg_error err;
	int rc;

	rc = xmcfg_from_xml(libvirt_xml, strlen(libvirt_xml), &dom, &err);
	tap_ok(rc == 0, "libvirt XML without xmtools metadata parses: %s",
	       rc == 0 ? "ok" : err.message);
	if (rc)
		return;
	tap_ok(!strcmp(dom->name, "lv1") && dom->memory_mib == 512 &&
		       dom->maxmem_mib == 1024 && dom->vcpus == 2 &&
		       dom->maxvcpus == 4 && dom->localtime &&
		       dom->on_crash == XMCFG_ACTION_PRESERVE &&
		       dom->has_uuid && dom->uuid[0] == 0x4f,
	       "libvirt XML scalars");
	tap_ok(dom->ndisks == 2 &&
		       !strcmp(dom->disks[0].source, "/dev/vg/lv1") &&
		       !strcmp(dom->disks[1].vdev, "hdc") &&
		       dom->disks[1].cdrom &&
		       dom->disks[1].mode == XMCFG_DISK_RO,
	       "libvirt XML disks");
	tap_ok(dom->nvifs == 1 && dom->vifs[0].has_mac && dom->vifs[0].bridge &&
		       !strcmp(dom->vifs[0].bridge, "xenbr0") &&
		       !strcmp(dom->vifs[0].ip, "10.0.0.2"),
	       "libvirt XML interface");
	tap_ok(dom->cmdline && !strcmp(dom->cmdline, "root=/dev/vda ro"),
	       "libvirt XML cmdline, root mapped: '%s'",
	       dom->cmdline ? dom->cmdline : "(null)");
	xmcfg_domain_free(dom);
}

static void
test_bad_xml(void)
{
	static const char *const bad[] = {
		"",
		"<domain>",
		"<notdomain/>",
		"<domain><memory>lots</memory><name>x</name></domain>",
		"<domain><vcpu>0</vcpu><name>x</name></domain>",
		"<domain/>",
		"<!DOCTYPE d [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>"
		"<domain><name>&e;</name></domain>",
		/* what xmd receives is checked like a config */
		"<domain><name>../../etc/x</name><os><kernel>/k</kernel></os>"
		"</domain>",
		"<domain><name>a b</name><os><kernel>/k</kernel></os></domain>",
		"<domain><name>x</name></domain>",
		"<domain><name>x</name><os><kernel>/k&#10;</kernel></os>"
		"</domain>",
		"<domain><name>x</name><memory>8589935616</memory>"
		"<currentMemory>8589935616</currentMemory>"
		"<os><kernel>/k</kernel></os></domain>",
	};
	struct xmcfg_domain *dom = NULL;
	struct xmcfg_error err;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rc = xmcfg_from_xml(bad[i], strlen(bad[i]), &dom, &err);
		if (rc == 0 && i == 6) {
			/* external entities are never loaded */
			tap_ok(!strstr(dom->name, "root:"),
			       "external entity not expanded");
			xmcfg_domain_free(dom);
			continue;
		}
		tap_ok(rc < 0 && err.code == XMCFG_EXML,
		       "bad XML %zu rejected: %s", i,
		       rc < 0 ? err.message : "accepted");
		if (rc == 0)
			xmcfg_domain_free(dom);
	}
}

/* The same notes (levels, keys, messages; lines are the config's). */
static bool
notes_same(const struct xmcfg_domain *a, const struct xmcfg_domain *b)
{
	size_t i;

	if (a->nnotes != b->nnotes)
		return false;
	for (i = 0; i < a->nnotes; i++)
		if (a->notes[i].level != b->notes[i].level ||
		    strcmp(a->notes[i].key, b->notes[i].key) ||
		    strcmp(a->notes[i].message, b->notes[i].message))
			return false;
	return true;
}

int
main(void)
{
	const char *top = getenv("top_srcdir");
	char dir[4096], path[8192];
	struct dirent **ents = NULL;
	const char *paths[64];
	struct xmcfg_domain *batch[64];
	struct xmcfg_error errs[64];
	/* the golden configs are dry runs: some cannot run yet */
	const struct xmcfg_options dry = {.dry_run = true};
	size_t np = 0, i, loaded;
	int n, k;

	snprintf(dir, sizeof(dir), "%s/tests/cfg/pass", top ? top : ".");
	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0)
		tap_skip_all("no golden configs in %s", dir);
	for (k = 0; k < n; k++) {
		const char *nm = ents[k]->d_name;
		size_t len = strlen(nm);
		struct xmcfg_domain *dom = NULL, *back = NULL, *copy = NULL;
		struct xmcfg_error err;
		char *a = NULL, *b = NULL, *c = NULL, *xml = NULL;

		if (len < 5 || strcmp(nm + len - 4, ".cfg") || np >= 64) {
			free(ents[k]);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, nm);
		/* configs that need VAR=VALUE are loaded without: skip them */
		if (!strcmp(nm, "xm-vars.cfg")) {
			free(ents[k]);
			continue;
		}
		paths[np++] = strdup(path);
		if (xmcfg_load(path, NULL, 0, &dry, &dom, &err) < 0) {
			tap_ok(false, "%s loads: %s", nm, err.message);
			free(ents[k]);
			continue;
		}
		xml = xmcfg_to_xml(dom);
		if (xml && xmcfg_from_xml(xml, strlen(xml), &back, &err) == 0) {
			a = xmcfg_format_sxp(dom);
			b = xmcfg_format_sxp(back);
		}
		tap_ok(a && b && !strcmp(a, b),
		       "%s: XML round trip keeps the "
		       "configuration",
		       nm);
		tap_ok(back && notes_same(dom, back),
		       "%s: XML round trip keeps the notes", nm);
		copy = xmcfg_domain_dup(dom);
		c = copy ? xmcfg_format_sxp(copy) : NULL;
		tap_ok(c && a && !strcmp(a, c) &&
			       copy->nwarnings == dom->nwarnings,
		       "%s: domain copy is identical", nm);
		free(a);
		free(b);
		free(c);
		free(xml);
		xmcfg_domain_free(dom);
		xmcfg_domain_free(back);
		xmcfg_domain_free(copy);
		free(ents[k]);
	}
	free(ents);
	loaded = xmcfg_load_batch(paths, np, &dry, batch, errs);
	tap_is_int(loaded, np, "batch loads all %zu configs in one sandbox",
		   np);
	for (i = 0; i < np; i++) {
		xmcfg_domain_free(batch[i]);
		free((char *)paths[i]);
	}
	test_libvirt();
	test_bad_xml();
	return tap_done();
}
