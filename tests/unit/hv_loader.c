/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hv_loader.c: unit tests of xmhv's kernel loaders with crafted images:
 * bzImage (64-bit protocol, boot_params, initrd placement), ELF vmlinux
 * (virtual entry translated), ELF with a PVH note, and the refusals; the
 * checks made before anything is built (boot files, the KVM device). */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <grp.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boot/boot.h"
#include "check.h"
#include "mem.h"
#include "arch/x86/x86.h"
#include "tap.h"

static char tmpdir[] = "/tmp/hv_loader.XXXXXX";

static void
put(uint8_t *b, size_t off, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[off + i] = (uint8_t)(v >> (8 * i));
}

static uint64_t
get(const uint8_t *b, size_t off, size_t n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | b[off + n];
	return v;
}

static const char *
write_tmp(const char *name, const void *buf, size_t len)
{
	static char path[8][256];
	static int k;
	char *p = path[k++ % 8];
	FILE *f;

	snprintf(p, 256, "%s/%s", tmpdir, name);
	f = fopen(p, "wb");
	if (f) {
		fwrite(buf, 1, len, f);
		fclose(f);
	}
	return p;
}

/* A bzImage: 1 setup sector, protected-mode part of pm_len bytes. */
static size_t
make_bzimage(uint8_t *b, size_t pm_len, unsigned version, uint32_t init_size,
	     bool relocatable)
{
	memset(b, 0, 1024 + pm_len);
	b[0x1f1] = 1;
	put(b, 0x1f4, pm_len / 16, 4);
	put(b, 0x1fe, 0xaa55, 2);
	b[0x200] = 0xeb;
	b[0x201] = 0x66;
	memcpy(b + 0x202, "HdrS", 4);
	put(b, 0x206, version, 2);
	b[0x211] = 0x01;
	put(b, 0x22c, 0x37ffffff, 4);
	put(b, 0x230, 0x200000, 4);
	b[0x234] = relocatable;
	put(b, 0x236, 1, 2);
	put(b, 0x238, 255, 4);
	put(b, 0x258, 0x1000000, 8);
	put(b, 0x260, init_size, 4);
	memset(b + 1024, 0x90, pm_len);
	return 1024 + pm_len;
}

/* Open kernel and ramdisk as xmhv's caller does, load from the fds. */
static int
load(struct mem *mem, const char *kernel, const char *ramdisk,
     const char *cmdline, struct boot_image *img, char *err, size_t errlen)
{
	struct boot_request req = {.mem = mem,
				   .kernel = kernel,
				   .ramdisk = ramdisk,
				   .cmdline = cmdline,
				   .kernel_fd = -1,
				   .ramdisk_fd = -1};
	int rc;

	err[0] = '\0';
	req.kernel_fd = open(kernel, O_RDONLY | O_CLOEXEC);
	if (ramdisk)
		req.ramdisk_fd = open(ramdisk, O_RDONLY | O_CLOEXEC);
	if (req.kernel_fd < 0 || (ramdisk && req.ramdisk_fd < 0)) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", kernel, strerror(errno));
	} else {
		rc = boot_load_fd(&req, img, err, errlen);
	}
	if (req.kernel_fd >= 0)
		close(req.kernel_fd);
	if (req.ramdisk_fd >= 0)
		close(req.ramdisk_fd);
	return rc;
}

/* The loaders read the fds they are given, whatever path names them:
 * xmhv's machine opens nothing. */
static void
test_fds(struct mem *mem)
{
	static uint8_t b[1024 + 8192];
	struct boot_request req = {.mem = mem,
				   .kernel = "label-k",
				   .ramdisk = "label-r",
				   .cmdline = "",
				   .kernel_fd = -1,
				   .ramdisk_fd = -1};
	struct boot_image img;
	char err[512] = "";
	int kfd, pfd[2] = {-1, -1};
	size_t len;

	len = make_bzimage(b, 8192, 0x020f, 65536, true);
	kfd = open(write_tmp("byfd.bzImage", b, len), O_RDONLY | O_CLOEXEC);
	req.kernel_fd = kfd;
	tap_is_int(boot_load_fd(&req, &img, err, sizeof(err)), 0,
		   "a kernel loads from its fd; the name is only a label (%s)",
		   err);
	tap_is_int(xmhv_check_boot_fd(XMHV_BOOT_KERNEL, kfd, "label-k", err,
				      sizeof(err)),
		   0, "check: a kernel fd");
	if (pipe(pfd) < 0)
		tap_diag("pipe: %s", strerror(errno));
	req.ramdisk_fd = pfd[0];
	tap_ok(boot_load_fd(&req, &img, err, sizeof(err)) == -EINVAL &&
		       strcmp(err, "label-r: not a regular file") == 0,
	       "a pipe as the ramdisk is refused by its label: %s", err);
	tap_ok(xmhv_check_boot_fd(XMHV_BOOT_RAMDISK, pfd[0], "p", err,
				  sizeof(err)) == -EINVAL &&
		       strcmp(err, "ramdisk p: not a regular file") == 0,
	       "check: a pipe is no ramdisk: %s", err);
	req.kernel_fd = pfd[0];
	req.ramdisk_fd = -1;
	tap_ok(boot_load_fd(&req, &img, err, sizeof(err)) == -EINVAL &&
		       strstr(err, "label-k"),
	       "a pipe as the kernel is refused: %s", err);
	if (pfd[0] >= 0) {
		close(pfd[0]);
		close(pfd[1]);
	}
	if (kfd >= 0)
		close(kfd);
}

static void
test_bzimage(struct mem *mem)
{
	static uint8_t b[1024 + 8192], rd[10000];
	struct boot_image img;
	char err[512];
	const char *k, *r;
	const uint8_t *bp;
	uint64_t rd_gpa;
	size_t len;

	memset(rd, 0xab, sizeof(rd));
	r = write_tmp("initrd", rd, sizeof(rd));
	len = make_bzimage(b, 8192, 0x020f, 65536, true);
	k = write_tmp("good.bzImage", b, len);
	tap_is_int(
		load(mem, k, r, "console=ttyS0 hello", &img, err, sizeof(err)),
		0, "bzImage loads (%s)", err);
	tap_ok(img.mode == BOOT_LONG64 && img.entry == 0x1000000 + 0x200 &&
		       img.arg_gpa == HV_BOOT_PARAMS_GPA,
	       "relocatable bzImage at pref_address, 64-bit entry at +0x200");
	bp = mem_gpa_to_hva(mem, HV_BOOT_PARAMS_GPA, 4096);
	tap_ok(memcmp(bp + 0x202, "HdrS", 4) == 0 && bp[0x210] == 0xff &&
		       (bp[0x211] & 1),
	       "boot_params: setup header copied, type_of_loader 0xff");
	tap_ok(get(bp, 0x228, 4) == HV_BOOT_CMDLINE_GPA &&
		       strcmp(mem_gpa_to_hva(mem, HV_BOOT_CMDLINE_GPA, 20),
			      "console=ttyS0 hello") == 0,
	       "boot_params: cmd_line_ptr points at the command line");
	tap_is_int(bp[0x1e8], 3, "boot_params: 3 e820 entries for 64 MiB");
	tap_ok(get(bp, 0x70, 8) == HV_ACPI_RSDP_GPA,
	       "boot_params: acpi_rsdp_addr");
	rd_gpa = get(bp, 0x218, 4);
	tap_ok(get(bp, 0x21c, 4) == sizeof(rd) && (rd_gpa & 0xfff) == 0 &&
		       rd_gpa + sizeof(rd) <= 64 * HV_MIB &&
		       rd_gpa >= 0x1000000 + 65536 &&
		       memcmp(mem_gpa_to_hva(mem, rd_gpa, sizeof(rd)), rd,
			      sizeof(rd)) == 0,
	       "initrd: page aligned, at the top of RAM, above the kernel, "
	       "bytes intact");

	put(b, 0x22c, 0x2fffff, 4); /* initrd_addr_max below the kernel */
	k = write_tmp("lowmax.bzImage", b, len);
	tap_ok(load(mem, k, r, "", &img, err, sizeof(err)) == -EFBIG &&
		       strstr(err, r) && strstr(err, "initrd too large"),
	       "initrd that cannot fit below initrd_addr_max is refused: %s",
	       err);

	len = make_bzimage(b, 8192, 0x020f, 65536, false);
	put(b, 0x258, 0x100000, 8);
	k = write_tmp("fixed.bzImage", b, len);
	tap_ok(load(mem, k, NULL, "", &img, err, sizeof(err)) == 0 &&
		       img.entry == 0x100200,
	       "non-relocatable bzImage at its pref_address 1 MiB");

	len = make_bzimage(b, 8192, 0x020f, 200u << 20, true);
	k = write_tmp("huge.bzImage", b, len);
	tap_ok(load(mem, k, NULL, "", &img, err, sizeof(err)) == -EFBIG &&
		       strstr(err, k) && strstr(err, "too big for memory"),
	       "init_size beyond RAM: %s", err);

	len = make_bzimage(b, 8192, 0x0209, 65536, true);
	k = write_tmp("old.bzImage", b, len);
	tap_ok(load(mem, k, NULL, "", &img, err, sizeof(err)) == -ENOEXEC &&
		       strstr(err, k) && strstr(err, "2.09"),
	       "boot protocol 2.09 refused: %s", err);

	len = make_bzimage(b, 8192, 0x020f, 65536, true);
	k = write_tmp("trunc.bzImage", b, len - 4096);
	tap_ok(load(mem, k, NULL, "", &img, err, sizeof(err)) == -ENOEXEC &&
		       strstr(err, k) && strstr(err, "truncated"),
	       "truncated bzImage refused: %s", err);

	memcpy(b + 0x202, "HdrX", 4);
	k = write_tmp("magic.bzImage", b, len);
	tap_ok(load(mem, k, NULL, "", &img, err, sizeof(err)) == -ENOEXEC &&
		       strstr(err, k) && strstr(err, "not a kernel"),
	       "wrong magic refused: %s", err);

	len = make_bzimage(b, 8192, 0x020f, 65536, true);
	put(b, 0x238, 8, 4);
	k = write_tmp("shortcmd.bzImage", b, len);
	tap_ok(load(mem, k, NULL, "a command line longer than eight", &img, err,
		    sizeof(err)) == -E2BIG &&
		       strstr(err, "command line too long"),
	       "command line over cmdline_size refused: %s", err);
	tap_ok(load(mem, "/nonexistent/kernel", NULL, "", &img, err,
		    sizeof(err)) == -ENOENT &&
		       strstr(err, "/nonexistent/kernel"),
	       "missing kernel file named: %s", err);
}

/* ELF64: one PT_LOAD at paddr 2 MiB (vaddr high), optional PVH note. */
static size_t
make_elf(uint8_t *b, uint16_t machine, bool pvh)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)(void *)b;
	Elf64_Phdr *ph = (Elf64_Phdr *)(void *)(b + sizeof(*eh));
	uint8_t *note = b + 0x200;
	size_t len = 0x1000 + 0x800;

	memset(b, 0, len);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = machine;
	eh->e_version = EV_CURRENT;
	eh->e_entry = 0xffffffff80200100ULL;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = pvh ? 2 : 1;
	ph[0].p_type = PT_LOAD;
	ph[0].p_offset = 0x1000;
	ph[0].p_vaddr = 0xffffffff80200000ULL;
	ph[0].p_paddr = 0x200000;
	ph[0].p_filesz = 0x800;
	ph[0].p_memsz = 0x3000;
	memset(b + 0x1000, 0xcc, 0x800);
	if (pvh) {
		ph[1].p_type = PT_NOTE;
		ph[1].p_offset = 0x200;
		ph[1].p_filesz = 24;
		put(note, 0, 4, 4);
		put(note, 4, 8, 4);
		put(note, 8, 18, 4);
		memcpy(note + 12, "Xen", 4);
		put(note, 16, 0x200040, 8);
	}
	return len;
}

static void
test_elf(struct mem *mem)
{
	static uint8_t b[0x2000];
	struct boot_image img;
	const uint32_t *si;
	const uint8_t *seg;
	char err[512];
	const char *k;
	size_t len;

	len = make_elf(b, EM_X86_64, false);
	k = write_tmp("vmlinux", b, len);
	tap_ok(load(mem, k, NULL, "elf", &img, err, sizeof(err)) == 0 &&
		       img.mode == BOOT_LONG64 && img.entry == 0x200100,
	       "ELF vmlinux: virtual entry translated to 0x200100 (%s)", err);
	seg = mem_gpa_to_hva(mem, 0x200000, 0x3000);
	tap_ok(seg && seg[0] == 0xcc && seg[0x7ff] == 0xcc && seg[0x800] == 0 &&
		       seg[0x2fff] == 0,
	       "ELF: segment copied to p_paddr, bss zeroed");
	tap_is_int(elf_pvh_entry(b, len), 0, "ELF without note: no PVH entry");

	len = make_elf(b, EM_X86_64, true);
	tap_is_int(elf_pvh_entry(b, len), 0x200040, "PVH note entry parsed");
	k = write_tmp("pvh.elf", b, len);
	tap_ok(load(mem, k, NULL, "pvh cmdline", &img, err, sizeof(err)) == 0 &&
		       img.mode == BOOT_PVH32 && img.entry == 0x200040 &&
		       img.arg_gpa == HV_PVH_INFO_GPA,
	       "ELF with PVH note boots through PVH (%s)", err);
	si = mem_gpa_to_hva(mem, HV_PVH_INFO_GPA, 56);
	tap_ok(si[0] == 0x336ec578 && si[1] == 1 &&
		       si[6] == HV_BOOT_CMDLINE_GPA && si[12] == 3,
	       "hvm_start_info: magic, version 1, cmdline, 3 memmap entries");

	len = make_elf(b, 183, false);
	k = write_tmp("arm64.elf", b, len);
	tap_ok(load(mem, k, NULL, "", &img, err, sizeof(err)) == -ENOEXEC &&
		       strstr(err, k) && strstr(err, "another architecture"),
	       "ELF for aarch64 refused: %s", err);
	len = make_elf(b, EM_X86_64, false);
	k = write_tmp("short.elf", b, 0x1400);
	tap_ok(load(mem, k, NULL, "", &img, err, sizeof(err)) == -ENOEXEC &&
		       strstr(err, k) && strstr(err, "truncated"),
	       "truncated ELF refused: %s", err);
	((Elf64_Phdr *)(void *)(b + sizeof(Elf64_Ehdr)))->p_paddr = 0x7f00000;
	k = write_tmp("high.elf", b, len);
	tap_ok(load(mem, k, NULL, "", &img, err, sizeof(err)) == -EFBIG &&
		       strstr(err, "too big for memory"),
	       "ELF segment beyond RAM refused: %s", err);
}

/* Open dev as the KVM device without permission (as nobody when root:
 * root opens anything). Returns whether it failed with EACCES; the message
 * is in err. */
static bool
check_noperm(const char *dev, char *err, size_t errlen)
{
	int pfd[2], st = 0, rc;
	ssize_t n = 0;
	pid_t pid;

	if (pipe(pfd) < 0)
		return false;
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		if (geteuid() == 0 && (setgroups(0, NULL) < 0 ||
				       setresgid(65534, 65534, 65534) < 0 ||
				       setresuid(65534, 65534, 65534) < 0))
			_exit(2);
		setenv("XMHV_KVM_DEVICE", dev, 1);
		rc = xmhv_check_kvm_open(err, errlen);
		if (write(pfd[1], err, strlen(err) + 1) < 0)
			_exit(2);
		_exit(rc == -EACCES ? 0 : 1);
	}
	close(pfd[1]);
	err[0] = '\0';
	if (pid > 0)
		n = read(pfd[0], err, errlen - 1);
	close(pfd[0]);
	err[n > 0 ? n : 0] = '\0';
	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	       WEXITSTATUS(st) == 0;
}

/* The checks before a build: the boot files by name and key, the KVM
 * device with its fix (the device is pointed elsewhere: no test depends on
 * the host lacking or having /dev/kvm). */
static void
test_checks(void)
{
	static uint8_t b[1024 + 8192];
	char err[512];
	const char *k, *fifo;
	size_t len;
	int fd;

	len = make_bzimage(b, 8192, 0x020f, 65536, true);
	k = write_tmp("check.bzImage", b, len);
	tap_is_int(xmhv_check_boot_file(XMHV_BOOT_KERNEL, k, err, sizeof(err)),
		   0, "check: a bzImage is a kernel");
	tap_is_int(xmhv_check_boot_file(XMHV_BOOT_RAMDISK, k, err, sizeof(err)),
		   0, "check: any readable file is a ramdisk");
	tap_ok(xmhv_check_boot_file(XMHV_BOOT_KERNEL, "/nonexistent/vmlinuz",
				    err, sizeof(err)) == -ENOENT &&
		       strcmp(err, "kernel /nonexistent/vmlinuz: No such file "
				   "or directory") == 0,
	       "check: a missing kernel, by key and path: %s", err);
	tap_ok(xmhv_check_boot_file(XMHV_BOOT_RAMDISK, "/nonexistent/initrd",
				    err, sizeof(err)) == -ENOENT &&
		       strcmp(err, "ramdisk /nonexistent/initrd: No such file "
				   "or directory") == 0,
	       "check: a missing ramdisk, by key and path: %s", err);
	k = write_tmp("notakernel", "#!/bin/sh\n", 10);
	tap_ok(xmhv_check_boot_file(XMHV_BOOT_KERNEL, k, err, sizeof(err)) ==
			       -ENOEXEC &&
		       strncmp(err, "kernel ", 7) == 0 && strstr(err, k) &&
		       strstr(err, "not a kernel") &&
		       strstr(err, "(or truncated)"),
	       "check: not a kernel: %s", err);
	tap_ok(xmhv_check_boot_file(XMHV_BOOT_KERNEL, tmpdir, err,
				    sizeof(err)) == -EISDIR &&
		       strstr(err, "Is a directory"),
	       "check: a directory: %s", err);
	fifo = write_tmp("fifo", "", 0);
	if (unlink(fifo) == 0 && mkfifo(fifo, 0600) == 0)
		tap_ok(xmhv_check_boot_file(XMHV_BOOT_KERNEL, fifo, err,
					    sizeof(err)) == -EINVAL &&
			       strstr(err, "not a regular file"),
		       "check: a FIFO is refused without blocking: %s", err);
	else
		tap_skip("mkfifo failed");
	tap_ok(xmhv_check_boot_file(XMHV_BOOT_KERNEL, "", err, sizeof(err)) ==
			       -EINVAL &&
		       strcmp(err, "kernel: no file given") == 0,
	       "check: an empty kernel path: %s", err);

	setenv("XMHV_KVM_DEVICE", "/nonexistent/kvm", 1);
	tap_ok(strcmp(xmhv_check_kvm_device(), "/nonexistent/kvm") == 0,
	       "XMHV_KVM_DEVICE names the device");
	fd = xmhv_check_kvm_open(err, sizeof(err));
	tap_ok(fd == -ENOENT &&
		       strncmp(err, "this host has no /nonexistent/kvm (",
			       35) == 0 &&
		       strstr(err, "kvm_intel") && strstr(err, "kvm_amd") &&
		       strstr(err, "VT-x/AMD-V") &&
		       strstr(err, "scripts/with-kvm"),
	       "no device: what is missing and the fix: %s", err);
	tap_ok(xmhv_check_kvm(err, sizeof(err)) == -ENOENT &&
		       strncmp(err, "this host has no ", 17) == 0,
	       "xmhv_check_kvm says the same");
	setenv("XMHV_KVM_DEVICE", "/dev/null", 1);
	tap_ok(xmhv_check_kvm_open(err, sizeof(err)) == -ENODEV &&
		       strstr(err, "/dev/null: not a KVM device"),
	       "not a KVM device: %s", err);
	unsetenv("XMHV_KVM_DEVICE");
	tap_ok(strcmp(xmhv_check_kvm_device(), "/dev/kvm") == 0,
	       "the default device is /dev/kvm");
	k = write_tmp("kvm-noperm", "", 0);
	tap_ok(chmod(k, 0) == 0 && check_noperm(k, err, sizeof(err)) &&
		       strcmp(err + strlen(k),
			      ": permission denied: join the kvm group (and "
			      "log in again) or run as root") == 0,
	       "permission denied: the fix: %s", err);
}

int
main(void)
{
	struct mem mem;
	char cmd[300];

	if (!mkdtemp(tmpdir))
		tap_skip_all("cannot create a temporary directory");
	if (!tap_ok(mem_init(&mem, 64 * HV_MIB) == 0, "mem_init 64 MiB"))
		return tap_done();
	test_bzimage(&mem);
	test_elf(&mem);
	test_fds(&mem);
	test_checks();
	mem_dispose(&mem);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", tmpdir);
	return tap_done();
}
