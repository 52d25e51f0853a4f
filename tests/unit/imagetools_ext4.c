/* SPDX-License-Identifier: GPL-2.0-or-later */
/* imagetools_ext4.c: the ext4 writer on images mke2fs makes here (no
 * mount, no root): every file type with owners and modes, hard links,
 * replacing, reading back, renaming, unlinking, listing, "..", a full
 * filesystem; e2fsck -fn finds the result clean; a tar archive and a
 * directory tree through the same writer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ext4w.h"
#include "source.h"
#include "storage.h"
#include "tap.h"

static char dir[] = "/tmp/xmext4w.XXXXXX";

static void
count_names(void *ctx, const char *name, mode_t mode)
{
	(*(int *)ctx)++;
}

static int
fsck_clean(const char *img)
{
	char out[256], err[256];
	char *argv[] = {"e2fsck", "-fn", (char *)img, NULL};

	return storage_run(argv, out, sizeof(out), err, sizeof(err)) == 0;
}

static int
sh(const char *cmd)
{
	return system(cmd) == 0;
}

int
main(void)
{
	char img[256], err[512], link[256], *data = NULL, cmd[1024];
	struct ext4w *w = NULL;
	static char big[300000];
	struct ext4w_entry e;
	size_t len;
	mode_t m;
	int n = 0;

	if (access("/sbin/mke2fs", X_OK) && access("/usr/sbin/mke2fs", X_OK))
		tap_skip_all("mke2fs is not installed (e2fsprogs)");
	if (!mkdtemp(dir))
		tap_skip_all("mkdtemp: %s", strerror(errno));
	snprintf(img, sizeof(img), "%s/a.img", dir);
	if (storage_file(img, 16 << 20, 0, err, sizeof(err)) < 0 ||
	    storage_mkfs(img, "t", err, sizeof(err)) < 0)
		tap_skip_all("%s", err);
	tap_ok(ext4w_open(img, &w, err, sizeof(err)) == 0, "open (%s)", err);
	if (!w)
		return tap_done();

	memset(&e, 0, sizeof(e));
	e = (struct ext4w_entry){.path = "./", .mode = S_IFDIR | 0711};
	tap_ok(ext4w_add(w, &e, NULL, NULL) == 0, "the root's mode");
	memset(big, 'x', sizeof(big));
	tap_ok(ext4w_write(w, "/a/b/c/file", big, sizeof(big), 0640) == 0,
	       "a 300000-byte file, parents made");
	e = (struct ext4w_entry){.path = "a/b",
				 .mode = S_IFDIR | 0700,
				 .uid = 1000,
				 .gid = 100000};
	tap_ok(ext4w_add(w, &e, NULL, NULL) == 0,
	       "an existing directory gets its owner and mode");
	e = (struct ext4w_entry){
		.path = "a/hard", .mode = S_IFREG, .hardlink = "/a/b/c/file"};
	tap_ok(ext4w_add(w, &e, NULL, NULL) == 0, "a hard link");
	e = (struct ext4w_entry){
		.path = "a/short", .mode = S_IFLNK | 0777, .link = "b/c/file"};
	tap_ok(ext4w_add(w, &e, NULL, NULL) == 0, "a fast symlink");
	memset(link, 'l', 200);
	link[200] = 0;
	e = (struct ext4w_entry){
		.path = "a/long", .mode = S_IFLNK | 0777, .link = link};
	tap_ok(ext4w_add(w, &e, NULL, NULL) == 0, "a 200-byte symlink");
	e = (struct ext4w_entry){.path = "dev/null",
				 .mode = S_IFCHR | 0666,
				 .rdev_major = 1,
				 .rdev_minor = 3};
	tap_ok(ext4w_add(w, &e, NULL, NULL) == 0, "a device node");
	e = (struct ext4w_entry){.path = "dev/fifo", .mode = S_IFIFO | 0600};
	tap_ok(ext4w_add(w, &e, NULL, NULL) == 0, "a fifo");
	e = (struct ext4w_entry){.path = "a/../../etc", .mode = S_IFDIR};
	tap_ok(ext4w_add(w, &e, NULL, NULL) < 0 &&
		       strstr(ext4w_error(w), "refused"),
	       "a path with .. refused (%s)", ext4w_error(w));
	tap_ok(ext4w_read(w, "a/short", 1 << 20, &data, &len) == 0 &&
		       len == sizeof(big) && !memcmp(data, big, len),
	       "read back through the symlink");
	free(data);
	data = NULL;
	tap_ok(ext4w_readlink(w, "a/long", cmd, sizeof(cmd)) == 0 &&
		       !strcmp(cmd, link) &&
		       ext4w_readlink(w, "a/short", cmd, sizeof(cmd)) == 0 &&
		       !strcmp(cmd, "b/c/file"),
	       "readlink of both symlinks");
	tap_ok(ext4w_write(w, "a/hard", "new\n", 4, 0644) == 0 &&
		       ext4w_read(w, "a/b/c/file", 100, &data, &len) == 0 &&
		       len == 4 && !memcmp(data, "new\n", 4),
	       "rewriting one name of a hard link changes both");
	free(data);
	data = NULL;
	tap_ok(ext4w_rename(w, "a/b/c/file", "a/moved") == 0 &&
		       ext4w_lstat(w, "a/b/c/file", &m) == 1 &&
		       ext4w_lstat(w, "a/moved", &m) == 0 && S_ISREG(m),
	       "rename across directories");
	tap_ok(ext4w_unlink(w, "a/hard") == 0 &&
		       ext4w_unlink(w, "a/moved") == 0 &&
		       ext4w_unlink(w, "a/moved") == 1 &&
		       ext4w_unlink(w, "a/b") < 0,
	       "unlink both names; again: absent; a directory refused");
	tap_ok(ext4w_list(w, "a", count_names, &n) == 0 && n == 3,
	       "listing a/: b, short, long (%d)", n);
	tap_ok(ext4w_write(w, "after", big, sizeof(big), 0644) == 0,
	       "a file after the unlinks");
	tap_ok(ext4w_close(w, err, sizeof(err)) == 0, "close");
	tap_ok(fsck_clean(img), "e2fsck -fn: clean");
	snprintf(cmd, sizeof(cmd),
		 "debugfs -R 'stat /a/b' %s 2>/dev/null | "
		 "grep -q 'User:  1000   Group: 100000' && "
		 "debugfs -R 'stat /dev/null' %s 2>/dev/null | "
		 "grep -q 'Device major/minor number: 01:03'",
		 img, img);
	tap_ok(sh(cmd), "debugfs sees the owner (32-bit gid) and the device");

	w = NULL;
	tap_ok(ext4w_open(img, &w, err, sizeof(err)) == 0, "open again");
	if (!w)
		return tap_done();
	{
		int i, r = 0;

		for (i = 0; i < 80 && r == 0; i++) {
			snprintf(cmd, sizeof(cmd), "fill%d", i);
			r = ext4w_write(w, cmd, big, sizeof(big), 0644);
		}
		tap_ok(r < 0 && strstr(ext4w_error(w), "larger --size"),
		       "a full filesystem says so: %s", ext4w_error(w));
	}
	tap_ok(ext4w_close(w, err, sizeof(err)) == 0 && fsck_clean(img),
	       "and is left consistent (e2fsck -fn)");

	/* a tree and a tar archive of it, through the writer */
	snprintf(cmd, sizeof(cmd),
		 "cd %s && mkdir -p t/x && echo hi >t/x/f && ln t/x/f t/h && "
		 "ln -s x/f t/s && tar -C t -cJf t.tar.xz . && "
		 "truncate -s 16M b.img c.img && "
		 "mke2fs -q -t ext4 b.img && mke2fs -q -t ext4 c.img",
		 dir);
	if (!sh(cmd))
		tap_skip_all("making a tree and a tar.xz failed");
	snprintf(img, sizeof(img), "%s/b.img", dir);
	snprintf(link, sizeof(link), "%s/t.tar.xz", dir);
	w = NULL;
	tap_ok(ext4w_open(img, &w, err, sizeof(err)) == 0 &&
		       source_tar(w, link, NULL, NULL, err, sizeof(err)) == 5 &&
		       ext4w_read(w, "s", 100, &data, &len) == 0 && len == 3 &&
		       ext4w_close(w, err, sizeof(err)) == 0 && fsck_clean(img),
	       "a .tar.xz: 5 entries, the symlink reads \"hi\", clean (%s)",
	       err);
	free(data);
	data = NULL;
	snprintf(img, sizeof(img), "%s/c.img", dir);
	snprintf(link, sizeof(link), "%s/t", dir);
	w = NULL;
	tap_ok(ext4w_open(img, &w, err, sizeof(err)) == 0 &&
		       source_copy(w, link, "", 0, NULL, NULL, err,
				   sizeof(err)) == 5 &&
		       ext4w_close(w, err, sizeof(err)) == 0 && fsck_clean(img),
	       "--copy of the same tree: 5 entries, clean (%s)", err);
	snprintf(cmd, sizeof(cmd),
		 "debugfs -R 'stat /h' %s 2>/dev/null | grep -q 'Links: 2'",
		 img);
	tap_ok(sh(cmd), "the tree's hard link kept");
	snprintf(cmd, sizeof(cmd), "%s/t.tar.xz", dir);
	tap_ok(ext4w_open(cmd, &w, err, sizeof(err)) < 0 &&
		       strstr(err, "not an ext2/3/4 filesystem"),
	       "not a filesystem: %s", err);
	snprintf(cmd, sizeof(cmd), getenv("KEEP") ? "true %s" : "rm -rf %s",
		 dir);
	sh(cmd);
	return tap_done();
}
