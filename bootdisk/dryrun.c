/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dryrun.c: what `xm create -n` says about a config that boots from its
 * disk: the entry xm-bootloader chose there and the command line it gets,
 * or, when the disk cannot be read here (a config copied from another
 * host, a device only root may open), that the entry could not be read;
 * the dry run prints the whole configuration either way. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bootdisk.h"
#include "bootdisk_cfg.h"
#include "bootdisk_client.h"

/* See bootdisk_cfg.h. */
void
bootdisk_dry_run(const struct xmcfg_domain *cfg, FILE *out)
{
	struct bootdisk_result r;
	char helper[4096], want[256], msg[4096], cmd[4096], esc[2048];
	const char *vdev, *path;
	int k = bootdisk_cfg_disk(cfg), fd, rc;
	size_t i;

	if (!bootdisk_cfg_wanted(cfg) || k < 0)
		return;
	for (i = 0; i < cfg->nnotes; i++)
		if (cfg->notes[i].level == XMCFG_NOTE_BLOCKER)
			return; /* refused anyway: the reason is shown */
	vdev = cfg->disks[k].vdev ? cfg->disks[k].vdev : "?";
	path = cfg->disks[k].source;
	rc = bootdisk_cfg_entry(cfg, want, sizeof(want));
	if (rc < 0) {
		fprintf(out, "Note: bootloader_args: bad --entry\n");
		return;
	}
	if (bootdisk_helper_path(helper, sizeof(helper)) < 0)
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		snprintf(msg, sizeof(msg), "%s", strerror(errno));
	} else {
		rc = bootdisk_run(helper, fd, rc == 1 ? want : NULL, &r, msg,
				  sizeof(msg));
		close(fd);
		if (rc == 0) {
			(void)!bd_escape(r.kernel, esc, sizeof(esc));
			fprintf(out,
				"Note: boot entry: '%s' (entry %s of %s on "
				"%s",
				r.title_esc, r.entry, r.config, vdev);
			if (r.partition)
				fprintf(out, ", partition %u", r.partition);
			fprintf(out, "): kernel %s", esc);
			if (r.initrd_fd >= 0) {
				(void)!bd_escape(r.initrd, esc, sizeof(esc));
				fprintf(out, ", initrd %s", esc);
			}
			fprintf(out, "\n");
			if (r.skipped[0])
				fprintf(out, "Note: boot entry: %s\n",
					r.skipped);
			if (r.warning[0])
				fprintf(out, "Warning: boot entry: %s\n",
					r.warning);
			if (bootdisk_cfg_cmdline(cfg, r.args, cmd,
						 sizeof(cmd)) == 0)
				fprintf(out, "Note: kernel command line: %s\n",
					cmd);
			bootdisk_result_close(&r);
			return;
		}
	}
	fprintf(out,
		"Note: the boot entry could not be read: disk %s (%s): %s "
		"(xm create reads it again, as xmd)\n",
		vdev, path, msg);
}
