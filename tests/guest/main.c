/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main.c: the test guest's boot report (what the loader and the machine
 * really gave it) and its line-oriented console shell. */
#include "guest.h"
#include "xmhv_platform.h"

#define PVH_MAGIC 0x336ec578
#define BP_ACPI_RSDP 0x070
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE 0x0c4
#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_E820_ENTRIES 0x1e8
#define BP_RAMDISK_IMAGE 0x218
#define BP_RAMDISK_SIZE 0x21c
#define BP_CMD_LINE_PTR 0x228
#define BP_E820_TABLE 0x2d0
#define BP_E820_MAX 128
#define E820_RAM 1
#define LOW4G 0x100000000ULL
#define SHELL_LINE_MAX 128

struct boot_info boot;

static const char *const main_boot_names[] = {
	[BOOT_KIND_BZIMAGE64] = "bzImage64",
	[BOOT_KIND_ELF64] = "elf64",
	[BOOT_KIND_PVH] = "pvh",
	[BOOT_KIND_BZIMAGE32] = "bzImage32",
	[BOOT_KIND_BZIMAGE16] = "bzImage16",
};

static const char *const main_e820_names[] = {
	"?", "ram", "reserved", "acpi", "nvs", "unusable",
};

static uint32_t
main_rd32(uint64_t gpa)
{
	uint32_t v;

	memcpy(&v, (const void *)(uintptr_t)gpa, 4);
	return v;
}

static uint64_t
main_rd64(uint64_t gpa)
{
	uint64_t v;

	memcpy(&v, (const void *)(uintptr_t)gpa, 8);
	return v;
}

static int
main_mapped(uint64_t gpa, uint64_t len)
{
	return gpa && gpa < LOW4G && len <= LOW4G - gpa;
}

static void
main_copy_cmdline(uint64_t gpa)
{
	const char *s = (const char *)(uintptr_t)gpa;
	size_t i;

	if (!main_mapped(gpa, 1))
		return;
	for (i = 0; i + 1 < sizeof(boot.cmdline) && s[i]; i++)
		boot.cmdline[i] = s[i];
	boot.cmdline[i] = 0;
}

static void
main_add_e820(uint64_t addr, uint64_t size, uint32_t type)
{
	if (boot.e820_count >= GUEST_E820_MAX)
		return;
	boot.e820[boot.e820_count].addr = addr;
	boot.e820[boot.e820_count].size = size;
	boot.e820[boot.e820_count].type = type;
	boot.e820_count++;
}

/* Linux boot protocol: struct boot_params ("zero page"). */
static void
main_from_boot_params(uint64_t bp)
{
	uint32_t i, n;

	if (!main_mapped(bp, 4096))
		return;
	main_copy_cmdline(main_rd32(bp + BP_CMD_LINE_PTR) |
			  (uint64_t)main_rd32(bp + BP_EXT_CMD_LINE_PTR) << 32);
	n = *(const uint8_t *)(uintptr_t)(bp + BP_E820_ENTRIES);
	for (i = 0; i < n && i < BP_E820_MAX; i++) {
		uint64_t e = bp + BP_E820_TABLE + 20 * i;

		main_add_e820(main_rd64(e), main_rd64(e + 8),
			      main_rd32(e + 16));
	}
	boot.initrd_gpa = main_rd32(bp + BP_RAMDISK_IMAGE) |
			  (uint64_t)main_rd32(bp + BP_EXT_RAMDISK_IMAGE) << 32;
	boot.initrd_size = main_rd32(bp + BP_RAMDISK_SIZE) |
			   (uint64_t)main_rd32(bp + BP_EXT_RAMDISK_SIZE) << 32;
	boot.rsdp_gpa = main_rd64(bp + BP_ACPI_RSDP);
}

/* PVH: struct hvm_start_info (Xen's arch-x86/hvm/start_info.h). */
static void
main_from_pvh(uint64_t si)
{
	uint32_t i, n;
	uint64_t mods;

	if (!main_mapped(si, 56) || main_rd32(si) != PVH_MAGIC) {
		console_printf("xmguest: bad hvm_start_info at 0x%lx\n", si);
		return;
	}
	main_copy_cmdline(main_rd64(si + 24));
	boot.rsdp_gpa = main_rd64(si + 32);
	mods = main_rd64(si + 16);
	if (main_rd32(si + 12) >= 1 && main_mapped(mods, 32)) {
		boot.initrd_gpa = main_rd64(mods);
		boot.initrd_size = main_rd64(mods + 8);
	}
	if (main_rd32(si + 4) < 1)
		return;
	n = main_rd32(si + 48);
	for (i = 0; i < n && main_mapped(main_rd64(si + 40), 24 * (i + 1));
	     i++) {
		uint64_t e = main_rd64(si + 40) + 24 * i;

		main_add_e820(main_rd64(e), main_rd64(e + 8),
			      main_rd32(e + 16));
	}
}

static void
main_boot_info(void)
{
	uint32_t i;
	uint64_t bytes = 0;

	boot.via = boot_kind < sizeof(main_boot_names) / sizeof(char *) &&
				   main_boot_names[boot_kind]
			   ? main_boot_names[boot_kind]
			   : "unknown";
	boot.info_gpa = boot_ptr;
	if (boot_kind == BOOT_KIND_PVH)
		main_from_pvh(boot_ptr);
	else
		main_from_boot_params(boot_ptr);
	for (i = 0; i < boot.e820_count; i++) {
		if (boot.e820[i].type != E820_RAM)
			continue;
		bytes += boot.e820[i].size;
		boot.ram_ranges++;
	}
	boot.usable_kib = bytes >> 10;
}

static void
main_print_memory(void)
{
	console_printf("memory: %lu KiB usable in %u e820 RAM ranges, mem=%lu "
		       "MiB\n",
		       boot.usable_kib, boot.ram_ranges,
		       (boot.usable_kib + 1023) >> 10);
}

static void
main_report_initrd(void)
{
	if (!boot.initrd_size) {
		console_printf("initrd: none\n");
		return;
	}
	if (!main_mapped(boot.initrd_gpa, boot.initrd_size)) {
		console_printf("initrd: at 0x%lx size %lu is not below 4 GiB\n",
			       boot.initrd_gpa, boot.initrd_size);
		return;
	}
	console_printf("initrd: %lu bytes crc32 %08x\n", boot.initrd_size,
		       lib_crc32(0, (const void *)(uintptr_t)boot.initrd_gpa,
				 boot.initrd_size));
}

/* guest_halt: stops this CPU for good (cli; hlt). */
void
guest_halt(void)
{
	for (;;)
		__asm__ volatile("cli; hlt" ::: "memory");
}

/* Shell commands. */
static void main_cmd_help(const char *args);

static void
main_cmd_info(const char *args)
{
	uint64_t t = ticks;

	(void)args;
	console_printf("cmdline: %s\n", boot.cmdline);
	main_print_memory();
	console_printf("cpus: %u online\n", cpus_online);
	console_printf("ticks=%lu uptime=%lu.%02lus\n", t, t / GUEST_HZ,
		       t % GUEST_HZ);
	intr_report_timer();
}

static void
main_cmd_echo(const char *args)
{
	console_printf("%s\n", args);
}

static void
main_cmd_poweroff(const char *args)
{
	(void)args;
	console_printf("shutting down (ACPI S5)\n");
	acpi_poweroff();
}

static void
main_cmd_reboot(const char *args)
{
	(void)args;
	console_printf("rebooting (i8042 reset)\n");
	outb(XMHV_I8042_CMD_PORT, XMHV_I8042_RESET_CMD);
	guest_halt();
}

static void
main_cmd_crash(const char *args)
{
	(void)args;
	console_printf("crashing (pvpanic)\n");
	outb(XMHV_PVPANIC_PORT, 1);
	guest_halt();
}

static void
main_cmd_ticks(const char *args)
{
	(void)args;
	console_printf("ticks=%lu\n", ticks);
}

static void
main_cmd_spin(const char *args)
{
	uint64_t s, t0 = ticks;

	if (lib_parse_uint(args, &s) || s > 86400) {
		console_printf("usage: spin SECONDS\n");
		return;
	}
	while (ticks - t0 < s * GUEST_HZ)
		cpu_relax();
	console_printf("spin: done, %lu ticks\n", ticks - t0);
}

struct main_shell_cmd {
	const char *name;
	void (*fn)(const char *args);
	const char *help;
};

static const struct main_shell_cmd main_shell_cmds[] = {
	{"help", main_cmd_help, "this list"},
	{"info", main_cmd_info, "cmdline, memory, cpus, ticks and uptime"},
	{"echo", main_cmd_echo, "echo ARGS: print ARGS"},
	{"ticks", main_cmd_ticks, "print the timer tick counter (100 Hz)"},
	{"spin", main_cmd_spin, "spin SECONDS: busy loop on the timer"},
	{"poweroff", main_cmd_poweroff, "ACPI S5 power off"},
	{"reboot", main_cmd_reboot, "reset through the i8042"},
	{"crash", main_cmd_crash, "report a panic through pvpanic"},
	{"blk", blk_cmd, "virtio-blk disks: blk help"},
	{"net", net_cmd, "virtio-net NICs: MAC, ip=, counters"},
	{NULL, NULL, NULL},
};

static void
main_cmd_help(const char *args)
{
	const struct main_shell_cmd *c;

	(void)args;
	for (c = main_shell_cmds; c->name; c++)
		console_printf("  %s - %s\n", c->name, c->help);
}

static void
main_shell_run(char *line)
{
	const struct main_shell_cmd *c;
	char *args;
	size_t n;

	while (*line == ' ')
		line++;
	if (!*line)
		return;
	for (args = line; *args && *args != ' '; args++)
		;
	n = (size_t)(args - line);
	while (*args == ' ')
		args++;
	for (c = main_shell_cmds; c->name; c++) {
		if (strlen(c->name) == n && !lib_strncmp(c->name, line, n)) {
			c->fn(args);
			return;
		}
	}
	line[n] = 0;
	console_printf("unknown command: %s (try help)\n", line);
}

static void
main_shell_loop(void)
{
	char line[SHELL_LINE_MAX];
	size_t len = 0;
	int prev = 0, esc = 0;

	console_printf("xmguest# ");
	for (;;) {
		int c = console_getc();

		if (c == '\n' && prev == '\r') {
			prev = c;
			continue;
		}
		prev = c;
		/* ESC [ ... final byte (arrow keys and the like): dropped */
		if (esc) {
			esc = (esc == 1 && c == '[') || (esc == 2 && c < 0x40)
				      ? 2
				      : 0;
			continue;
		}
		if (c == 0x1b) {
			esc = 1;
		} else if (c == '\r' || c == '\n') {
			console_printf("\n");
			line[len] = 0;
			main_shell_run(line);
			len = 0;
			console_printf("xmguest# ");
		} else if (c == 0x7f || c == 0x08) {
			if (len) {
				len--;
				console_printf("\b \b");
			}
		} else if (c == 0x03 || c == 0x15) { /* ^C, ^U: drop the line */
			len = 0;
			console_printf("^%c\nxmguest# ", c + '@');
		} else if (c >= 0x20 && c < 0x7f && len + 1 < sizeof(line)) {
			line[len++] = (char)c;
			console_putc((char)c);
		}
	}
}

/* kmain: the BSP's C entry (head.S long64), on the boot stack, interrupts
 * off; never returns. */
void
kmain(void)
{
	uint32_t i;

	console_init();
	main_boot_info();
	console_printf("\nxmguest: booted via %s\n", boot.via);
	console_printf("cmdline: %s\n", boot.cmdline);
	for (i = 0; i < boot.e820_count; i++) {
		uint32_t t = boot.e820[i].type;

		console_printf("e820: 0x%lx-0x%lx %s\n", boot.e820[i].addr,
			       boot.e820[i].addr + boot.e820[i].size,
			       t < 6 ? main_e820_names[t] : "?");
	}
	main_print_memory();
	if (acpi_init(boot.rsdp_gpa) && mptable_init() == 0)
		console_printf("mptable: %u CPUs\n", plat.ncpus);
	acpi_report();
	if (!plat.ncpus)
		plat.ncpus = 1;
	intr_init();
	intr_start();
	acpi_enable_power_button();
	smp_boot();
	main_report_initrd();
	pci_scan();
	blk_scan();
	net_scan();
	intr_report_timer();
	console_printf("ready\n");
	main_shell_loop();
}
