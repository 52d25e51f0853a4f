/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cfg_spec.c: fuzz target for libxmcfg's untrusted-input parsers: disk, vif,
 * cpus and cpuid specs, the child->parent value encoding plus key
 * validation, and domain XML. The first byte picks the parser. Built as a
 * libFuzzer target by `make fuzz`, and with a replay main() for make check. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "cfg_spec.h"

static void
cfg_spec_domain(struct xmcfg_domain *dom)
{
	char *s = xmcfg_format_sxp(dom);

	free(s);
	s = xmcfg_to_xml(dom);
	if (s) {
		struct xmcfg_domain *back = NULL;
		struct xmcfg_error err;

		/* our own XML must always read back */
		if (xmcfg_from_xml(s, strlen(s), &back, &err) < 0)
			abort();
		xmcfg_domain_free(back);
	}
	free(s);
}

/* Feed one input to the parser its first byte selects. Never fails: a crash
 * or sanitizer report is the finding. */
int
cfg_spec_one(const uint8_t *data, size_t size)
{
	char msg[512], *s;
	struct xmcfg_disk d;
	struct xmcfg_vif v;
	struct xmcfg_cpuset set;
	struct xmcfg_cpuid c;
	struct xmbindings b = {NULL, 0};
	struct xmcfg_domain *dom;
	struct xmcfg_error err;
	size_t used;

	if (size < 1)
		return 0;
	s = xm_strndup((const char *)data + 1, size - 1);
	if (!s)
		return 0;
	switch (data[0] % 6) {
	case 0:
		if (xmdisk_parse(s, &d, msg, sizeof(msg)) == 0)
			xmdisk_dispose(&d);
		break;
	case 1:
		if (xmvif_parse(s, &v, msg, sizeof(msg)) == 0)
			xmvif_dispose(&v);
		break;
	case 2:
		if (xmcpus_parse(s, &set, msg, sizeof(msg)) == 0)
			free(xmcpus_format(&set));
		break;
	case 3:
		if (xmcpuid_parse(s, &c, msg, sizeof(msg)) == 0)
			xmcpuid_dispose(&c);
		break;
	case 4:
		/* an evaluated config as the child would send it */
		memset(&err, 0, sizeof(err));
		if (xmwire_decode((const char *)data + 1, size - 1, &b, &err,
				  &used) == 0) {
			dom = calloc(1, sizeof(*dom));
			if (dom && xmkeys_apply(&b, "fuzz.cfg", dom, &err) == 0)
				cfg_spec_domain(dom);
			xmcfg_domain_free(dom);
			xmbindings_dispose(&b);
		}
		break;
	case 5:
		if (xmcfg_from_xml((const char *)data + 1, size - 1, &dom,
				   &err) == 0) {
			cfg_spec_domain(dom);
			xmcfg_domain_free(dom);
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
	return cfg_spec_one(data, size);
}
