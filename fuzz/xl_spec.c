/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xl_spec.c: fuzz target for the disk dispatch and xl's disk grammar, xl's
 * vif keys and the rbd: target reader (pure functions). Besides crashes it
 * checks that an entry of the shape both grammars read, and that both
 * accept, means the same disk to both, and that a disk survives the
 * domain XML. The first byte picks the parser. Built as a libFuzzer target
 * by `make fuzz`, with a replay main() for make check. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "xl_spec.h"

static bool
xl_streq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* xm's and xl's reading of a spec of the shared shape, PREFIX:TARGET,...
 * with one prefix, that both parsers accept: the same disk (read-only counts as the guest
 * sees it: a CD-ROM is). Without a prefix xm's target is a name under
 * /dev and xl's a path; whitespace is out too: xm trims both sides of a
 * field, xl only the left. */
static void
xl_same(const char *spec, const struct xmcfg_disk *xm)
{
	size_t n = strspn(spec, "abcdefghijklmnopqrstuvwxyz0123456789");
	struct xmcfg_disk xl;
	char msg[512];

	if (!n || spec[n] != ':' || strpbrk(spec, " \t\n\r\v\f"))
		return;
	/* one prefix: xl strips every "word:" in front of the target */
	n = xm->source
		    ? strspn(xm->source, "abcdefghijklmnopqrstuvwxyz0123456789")
		    : 0;
	if (n && xm->source[n] == ':')
		return;
	memset(&xl, 0, sizeof(xl));
	xl.spec = xm_strdup(spec);
	if (!xl.spec || xmdisk_parse_xl(spec, &xl, msg, sizeof(msg)) < 0) {
		xmdisk_dispose(&xl);
		return;
	}
	if (!xl_streq(xm->source, xl.source) || !xl_streq(xm->vdev, xl.vdev) ||
	    !xl_streq(xm->format, xl.format) ||
	    !xl_streq(xm->script, xl.script) || xm->cdrom != xl.cdrom ||
	    (xm->mode == XMCFG_DISK_RO || xm->cdrom) !=
		    (xl.mode == XMCFG_DISK_RO || xl.cdrom))
		abort();
	xmdisk_dispose(&xl);
}

/* A domain with this one disk through to_xml and back (ASCII specs: the
 * config path checks text is UTF-8 before a spec is parsed). */
static void
xl_domain(const char *spec)
{
	struct xmcfg_domain *dom = NULL, *back = NULL;
	struct xmcfg_error err;
	char msg[512], *xml = NULL;
	const char *p;

	for (p = spec; *p; p++)
		if ((unsigned char)*p >= 0x80)
			return;
	dom = calloc(1, sizeof(*dom));
	if (!dom)
		return;
	dom->name = xm_strdup("fuzz");
	dom->kernel = xm_strdup("/k");
	dom->disks = calloc(1, sizeof(*dom->disks));
	dom->memory_mib = dom->maxmem_mib = 128;
	dom->vcpus = dom->maxvcpus = 1;
	if (!dom->name || !dom->kernel || !dom->disks ||
	    xmdisk_parse(spec, &dom->disks[0], msg, sizeof(msg)) < 0)
		goto out;
	dom->ndisks = 1;
	xmdisk_set_guest_dev(&dom->disks[0], 0);
	if (xmcmdline_build(dom) < 0 || xmnotes_build(dom, NULL, NULL) < 0)
		goto out;
	free(xmcfg_format_sxp(dom));
	xml = xmcfg_to_xml(dom);
	/* our own XML must read back, to the same disk */
	if (xml && xmcfg_from_xml(xml, strlen(xml), &back, &err) < 0)
		abort();
	if (back && (back->ndisks != 1 ||
		     !xl_streq(back->disks[0].source, dom->disks[0].source) ||
		     back->disks[0].mode != dom->disks[0].mode))
		abort();
out:
	free(xml);
	xmcfg_domain_free(back);
	xmcfg_domain_free(dom);
}

/* Feed one input to the parser its first byte selects. Never fails: a
 * crash, a sanitizer report or an abort() is the finding. */
int
xl_spec_one(const uint8_t *data, size_t size)
{
	char msg[512], *s, *name = NULL, **hosts = NULL;
	struct xmcfg_disk d;
	struct xmcfg_vif v;
	size_t n = 0, i;

	if (size < 1)
		return 0;
	s = xm_strndup((const char *)data + 1, size - 1);
	if (!s)
		return 0;
	switch (data[0] % 3) {
	case 0:
		if (xmdisk_parse(s, &d, msg, sizeof(msg)) == 0) {
			if (!d.xl)
				xl_same(s, &d);
			xmdisk_dispose(&d);
			xl_domain(s);
		}
		break;
	case 1:
		if (xmvif_parse(s, &v, msg, sizeof(msg)) == 0) {
			struct xmcfg_vif copy;

			if (xmvif_dup(&copy, &v) == 0 &&
			    !xl_streq(copy.vlan, v.vlan))
				abort();
			xmvif_dispose(&copy);
			xmvif_dispose(&v);
		}
		break;
	case 2:
		if (xmdisk_rbd(s, &name, &hosts, &n) == 0) {
			for (i = 0; i < 2 * n; i++)
				free(hosts[i]);
			free(hosts);
			free(name);
		}
		break;
	}
	free(s);
	return 0;
}

/* The libFuzzer entry; fuzz/replay.c calls it for each corpus file. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return xl_spec_one(data, size);
}
