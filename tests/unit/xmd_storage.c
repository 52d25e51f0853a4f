/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xmd_storage.c: unit tests of the image locks (hypervisor/imagelock.c:
 * QEMU's byte protocol, on a temporary file opened several times: OFD
 * locks conflict between open file descriptions even in one process) and
 * of xmd's pure storage helpers: image format magics, `lvs` answers, the
 * mode conflict table. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hypervisor/imagelock.h"
#include "storage_probe.h"
#include "tap.h"

static char img[] = "/tmp/xmd_storage_XXXXXX";

static int
open_img(void)
{
	return open(img, O_RDWR | O_CLOEXEC);
}

/* Is byte off held by another open file description than fd's? */
static bool
held(int fd, int off)
{
	struct flock fl = {.l_type = F_WRLCK,
			   .l_whence = SEEK_SET,
			   .l_start = off,
			   .l_len = 1};

	return fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
}

static void
test_bytes(void)
{
	int a = open_img(), probe = open_img();
	char why[160];

	tap_ok(imagelock_take(a, IMAGELOCK_W, why, sizeof(why)) == 0,
	       "w takes its locks on a free image");
	tap_ok(held(probe, 100) && held(probe, 101) && held(probe, 102) &&
		       !held(probe, 103),
	       "w holds bytes 100 101 102 (read, write, write unchanged), "
	       "not 103");
	tap_ok(held(probe, 201) && held(probe, 203) && !held(probe, 200) &&
		       !held(probe, 202),
	       "w does not share write (201) nor resize (203), shares read "
	       "(200) and write unchanged (202)");
	close(a);
	tap_ok(!held(probe, 100) && !held(probe, 201),
	       "closing the fd releases every byte");
	a = open_img();
	tap_ok(imagelock_take(a, IMAGELOCK_SHARED, why, sizeof(why)) == 0 &&
		       held(probe, 101) && !held(probe, 201) &&
		       !held(probe, 203),
	       "w! holds write but leaves every 2xx byte (shares all)");
	close(a);
	a = open_img();
	tap_ok(imagelock_take(a, IMAGELOCK_R, why, sizeof(why)) == 0 &&
		       held(probe, 100) && !held(probe, 101) &&
		       held(probe, 201),
	       "r holds read (100) and refuses writers (201)");
	close(a);
	close(probe);
}

static void
test_pairs(void)
{
	static const char *const names[] = {"r", "w", "w!"};
	/* [first][second]: may the second open while the first holds it? */
	static const bool may[3][3] = {
		{true, false, false},
		{false, false, false},
		{false, false, true},
	};
	char why[160];
	int i, j, a, b, r;

	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++) {
			a = open_img();
			b = open_img();
			why[0] = '\0';
			r = imagelock_take(a, (enum imagelock_mode)i, why,
					   sizeof(why));
			if (r == 0)
				r = imagelock_take(b, (enum imagelock_mode)j,
						   why, sizeof(why));
			tap_ok(may[i][j] ? r == 0 : r == -EBUSY,
			       "%s then %s: %s (%s)", names[i], names[j],
			       may[i][j] ? "shared" : "refused",
			       r ? why : "ok");
			tap_ok(storage_probe_conflict(
				       i == 0   ? XMCFG_DISK_RO
				       : i == 1 ? XMCFG_DISK_RW
						: XMCFG_DISK_SHARED,
				       false,
				       j == 0   ? XMCFG_DISK_RO
				       : j == 1 ? XMCFG_DISK_RW
						: XMCFG_DISK_SHARED,
				       false) == !may[i][j],
			       "xmd's conflict table agrees for %s, %s",
			       names[i], names[j]);
			close(a);
			close(b);
		}
	a = open_img();
	b = open_img();
	r = imagelock_take(a, IMAGELOCK_W, why, sizeof(why));
	tap_ok(r == 0 &&
		       imagelock_take(b, IMAGELOCK_R, why, sizeof(why)) ==
			       -EBUSY &&
		       strstr(why, "'write'") && !held(a, 100),
	       "a refused take names the permission (%s) and leaves no byte "
	       "behind",
	       why);
	close(a);
	tap_ok(imagelock_take(b, IMAGELOCK_R, why, sizeof(why)) == 0,
	       "once the holder closes, the same fd takes it");
	close(b);
}

/* A writer in the style of a QEMU drive (bytes 100-102 held, 201 and 203
 * not shared) and of `qemu-img info` (100 held, 201 203 not shared). */
static void
test_qemu_style(void)
{
	struct flock fl = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_len = 1};
	static const int qemu_bytes[] = {100, 101, 102, 201};
	int q = open_img(), a = open_img();
	char why[160];
	size_t i;

	for (i = 0; i < sizeof(qemu_bytes) / sizeof(qemu_bytes[0]); i++) {
		fl.l_start = qemu_bytes[i];
		(void)!fcntl(q, F_OFD_SETLK, &fl);
	}
	tap_ok(imagelock_take(a, IMAGELOCK_R, why, sizeof(why)) == -EBUSY &&
		       strstr(why, "holds 'write'"),
	       "r refuses an image a QEMU writer holds (%s)", why);
	tap_ok(imagelock_take(a, IMAGELOCK_SHARED, why, sizeof(why)) ==
			       -EBUSY &&
		       strstr(why, "does not share 'write'"),
	       "so does w! (%s)", why);
	close(q);
	fl.l_type = F_WRLCK;
	fl.l_start = 0;
	fl.l_len = 0;
	q = open_img();
	(void)!fcntl(q, F_OFD_SETLK, &fl);
	tap_ok(imagelock_take(a, IMAGELOCK_R, why, sizeof(why)) == -EBUSY &&
		       strstr(why, "write lock"),
	       "a whole-file write lock (cloud-hypervisor's) is busy too "
	       "(%s)",
	       why);
	close(q);
	close(a);
}

static void
test_format(void)
{
	unsigned char raw[512] = {0},
		      q[512] = {'Q', 'F', 'I', 0xfb, 0, 0, 0, 3};

	tap_ok(storage_probe_format(q, sizeof(q)) &&
		       !strcmp(storage_probe_format(q, sizeof(q)), "qcow2"),
	       "qcow2's magic QFI\\xfb");
	memcpy(q, "conectix", 8);
	tap_ok(!strcmp(storage_probe_format(q, 8), "vhd"), "vhd's conectix");
	memcpy(q, "KDMV", 4);
	tap_ok(!strcmp(storage_probe_format(q, 4), "vmdk"), "vmdk's KDMV");
	tap_ok(storage_probe_format(raw, sizeof(raw)) == NULL, "zeros are raw");
	tap_ok(storage_probe_format((const unsigned char *)"QF", 2) == NULL,
	       "a short read is raw");
	raw[510] = 0x55;
	raw[511] = 0xaa;
	tap_ok(storage_probe_format(raw, sizeof(raw)) == NULL, "an MBR is raw");
}

static void
test_lvs(void)
{
	tap_ok(storage_probe_lvs(0, "  -wi-a-----\n") == STORAGE_LV_ACTIVE,
	       "lvs: an active volume");
	tap_ok(storage_probe_lvs(0, "  -wi-------\n") == STORAGE_LV_INACTIVE,
	       "lvs: an inactive one");
	tap_ok(storage_probe_lvs(5, "  Volume group \"vg9\" not found\n"
				    "  Cannot process volume group vg9\n") ==
		       STORAGE_LV_NO_VG,
	       "lvs: no such volume group");
	tap_ok(storage_probe_lvs(5, "  Failed to find logical volume "
				    "\"vg/lv9\"\n") == STORAGE_LV_NO_LV,
	       "lvs: no such volume");
	tap_ok(storage_probe_lvs(5, "  /dev/mapper/control: open failed: No "
				    "such device\n  Failure to communicate "
				    "with kernel device-mapper driver.\n") ==
		       STORAGE_LV_NO_DM,
	       "lvs: no device-mapper");
	tap_ok(storage_probe_lvs(3, "") == STORAGE_LV_UNKNOWN &&
		       storage_probe_lvs(0, "x") == STORAGE_LV_UNKNOWN,
	       "lvs: anything else is unknown");
}

int
main(void)
{
	int fd = mkstemp(img);

	if (fd < 0 || ftruncate(fd, 1 << 20) < 0) {
		tap_skip_all("cannot make a temporary file: %s",
			     strerror(errno));
		return 0;
	}
	close(fd);
	test_bytes();
	test_pairs();
	test_qemu_style();
	test_format();
	test_lvs();
	unlink(img);
	return tap_done();
}
