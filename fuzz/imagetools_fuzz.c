/* SPDX-License-Identifier: GPL-2.0-or-later */
/* imagetools_fuzz.c: libFuzzer target of the parsers xm-create-image and
 * xm-adapt-image run over a guest's files and a config. The first byte
 * picks one: 0 fstab_rewrite, 1 devname_remap + devname_xen_left,
 * 2 inittab_serial, 3 shadow_set_root, 4 hosts_set_name, 5 imgcfg_read,
 * 6 console_remap, 7 vbdlist_parse (xm create -n's disks), 8 dist_mirror
 * (the host's APT sources), anything else
 * kernel_version (a bzImage header). fstab_rewrite adds a note of about
 * 100 bytes to a line it comments out: its output stays under 32 bytes
 * per input byte. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"
#include "fixups.h"
#include "imgcfg.h"
#include "textfix.h"
#include "vbdlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fstab_map m = {"/dev/vda", "ext4", "/dev/vdb"};
	static const struct devmap map[] = {{"/dev/xvda1", "/dev/vda"},
					    {"/dev/xvda", "/dev/vda"},
					    {"/dev/hda2", "/dev/vdb"}};
	const char *in = (const char *)data + 1;
	size_t len = size ? size - 1 : 0;
	struct imgcfg_info info;
	char *out = NULL, *left = NULL, ver[128], path8[128];
	int ch = 0;

	if (size == 0)
		return 0;
	switch (data[0]) {
	case 0:
		if (fstab_rewrite(in, len, &m, &out, &ch) == 0 &&
		    strlen(out) > 32 * len + 1024)
			abort();
		break;
	case 1:
		if (devname_remap(in, len, map, 3, &out, &ch) == 0 &&
		    devname_xen_left(out, strlen(out), &left) < 0)
			abort();
		break;
	case 2:
		(void)!inittab_serial(in, len, &out, &ch);
		break;
	case 3:
		(void)!shadow_set_root(in, len, "$6$salt$hash", &out);
		break;
	case 4:
		(void)!hosts_set_name(in, len, "web1", &out);
		break;
	case 5:
		imgcfg_read(in, len, &info);
		if (info.nmade > 8 || strlen(info.name) >= sizeof(info.name))
			abort();
		break;
	case 6:
		(void)!console_remap(in, len, &out, &ch);
		break;
	case 8:
		if (dist_mirror(in, len, 0, path8, sizeof(path8)) == 0 &&
		    strncmp(path8, "http", 4))
			abort();
		break;
	case 7: {
		static struct vbd v[4];
		char path[256];
		size_t k, got = vbdlist_parse(in, len, v, 4);

		if (got > 4)
			abort();
		for (k = 0; k < got; k++)
			(void)vbdlist_path(&v[k], path, sizeof(path));
		break;
	}
	default:
		if (kernel_version(data, size, ver, sizeof(ver)) == 0 &&
		    (strchr(ver, '/') || strchr(ver, ' ')))
			abort();
		break;
	}
	free(out);
	free(left);
	return 0;
}
