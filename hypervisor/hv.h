/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hv.h: internal interfaces between the parts of xmhv's machine (memory,
 * KVM, vCPUs, loaders, devices, x86 tables); not used outside hypervisor/. */
#ifndef XMHV_HV_H
#define XMHV_HV_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xmhv.h"
#include "xmhv_platform.h"

#define HV_WUR __attribute__((warn_unused_result))
#define HV_GIB (1ULL << 30)
#define HV_MIB (1ULL << 20)
#define ARRAY_SIZE_HV(a) (sizeof(a) / sizeof((a)[0]))

/* Where the boot structures live in guest RAM (all in e820 RAM below
 * 640 KiB; a guest may reuse them once it has read them). */
#define HV_BOOT_GDT_GPA 0x500ULL
#define HV_BOOT_STACK_TOP 0x6ff0ULL
#define HV_BOOT_PARAMS_GPA 0x7000ULL
#define HV_PVH_INFO_GPA 0x8000ULL /* hvm_start_info, modlist, memmap */
#define HV_BOOT_PML4_GPA 0x9000ULL
#define HV_BOOT_PDPT_GPA 0xa000ULL
#define HV_BOOT_PD_GPA 0xb000ULL /* 4 pages: 2 MiB pages over 4 GiB */
#define HV_BOOT_CMDLINE_GPA 0x20000ULL
#define HV_ACPI_RSDP_GPA 0xe0000ULL
#define HV_ACPI_TABLES_GPA 0xe1000ULL
#define HV_ACPI_TABLES_END 0xf0000ULL
#define HV_MPTABLE_GPA 0xf0000ULL
#define HV_KERNEL_DEFAULT_GPA 0x100000ULL

/* ---- mem.c: guest RAM, the only gpa -> host translation ---- */
struct mem {
	uint8_t *base;      /* one mapping: low part, then high part */
	uint64_t size;      /* total bytes */
	uint64_t low_size;  /* RAM at gpa [0, low_size) */
	uint64_t high_size; /* RAM at gpa [4 GiB, 4 GiB + high_size) */
};

int mem_init(struct mem *mem, uint64_t size) HV_WUR;
void mem_dispose(struct mem *mem);
/* Host pointer for [gpa, gpa + len) if it lies wholly inside one RAM
 * region, else NULL. Any thread. */
void *mem_gpa_to_hva(const struct mem *mem, uint64_t gpa, uint64_t len);
/* Copy into / out of guest RAM. 0 or -EFAULT when out of range. */
int mem_write(const struct mem *mem, uint64_t gpa, const void *src,
	      uint64_t len) HV_WUR;
int mem_read(const struct mem *mem, uint64_t gpa, void *dst,
	     uint64_t len) HV_WUR;

/* ---- arch/x86/e820.c ---- */
#define E820_RAM 1
#define E820_RESERVED 2
#define E820_MAX 8
struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));
/* Fill the map for a guest of mem_bytes (>= 2 MiB). Returns the count. */
size_t e820_build(uint64_t mem_bytes, struct e820_entry *out, size_t max);
/* Split mem_bytes into RAM below the PCI hole and above 4 GiB. */
void e820_split(uint64_t mem_bytes, uint64_t *low_out, uint64_t *high_out);

/* ---- arch/x86/cpuid.c ---- */
struct kvm_cpuid2;
/* The supported table, normalised for vCPU apic_id of ncpus, then the
 * Xen-style masks applied. Caller frees. NULL with errno on failure. */
struct kvm_cpuid2 *cpuid_for_vcpu(const struct kvm_cpuid2 *supported,
				  uint32_t apic_id, uint32_t ncpus,
				  const struct xmhv_cpuid_mask *masks,
				  size_t nmasks);
/* Apply one register mask string ('0' '1' 'x' 'k' 's', bit 31 first) to
 * value, with host as the host's register. -EINVAL on a bad string. */
int cpuid_apply_mask(const char *mask, uint32_t host, uint32_t *value) HV_WUR;

/* ---- arch/x86/mptable.c, devices/acpi.c ---- */
/* Write the MP floating pointer + configuration table at gpa. Returns the
 * bytes used or -errno. */
int mptable_write(const struct mem *mem, uint64_t gpa, uint32_t ncpus) HV_WUR;
uint8_t acpi_checksum(const void *buf, size_t len);
/* Write RSDP at rsdp_gpa and the other tables from tables_gpa up to
 * tables_end. Returns 0 or -errno. */
int acpi_write(const struct mem *mem, uint64_t rsdp_gpa, uint64_t tables_gpa,
	       uint64_t tables_end, uint32_t ncpus) HV_WUR;

/* ---- boot/ ---- */
enum boot_mode { BOOT_LONG64, BOOT_PVH32 };
struct boot_image {
	enum boot_mode mode;
	uint64_t entry;      /* guest-physical */
	uint64_t arg_gpa;    /* boot_params or hvm_start_info */
	uint64_t kernel_end; /* first byte above the loaded kernel */
};
struct boot_request {
	const struct mem *mem;
	const char *kernel;
	const char *ramdisk; /* NULL or "": none */
	const char *cmdline;
	bool no_pvh;
};
/* Load kernel (bzImage, ELF vmlinux, ELF with PVH note) and ramdisk into
 * guest memory and write the boot structures. On error returns -errno and
 * errmsg names the file and the reason. */
int boot_load(const struct boot_request *req, struct boot_image *out,
	      char *errmsg, size_t errlen) HV_WUR;
/* Per format: buf/len is the whole kernel file. */
int bzimage_load(const struct boot_request *req, const uint8_t *buf, size_t len,
		 struct boot_image *out, char *errmsg, size_t errlen) HV_WUR;
int elf_load(const struct boot_request *req, const uint8_t *buf, size_t len,
	     struct boot_image *out, char *errmsg, size_t errlen) HV_WUR;
/* The PHYS32 entry from an ELF's PT_NOTE, 0 when absent. */
uint64_t elf_pvh_entry(const uint8_t *buf, size_t len);
int pvh_write_start_info(const struct boot_request *req, uint64_t initrd_gpa,
			 uint64_t initrd_size, uint64_t *gpa_out) HV_WUR;
/* Shared by the loaders: place the ramdisk below max_gpa, above min_gpa. */
int boot_load_ramdisk(const struct boot_request *req, uint64_t min_gpa,
		      uint64_t max_gpa, uint64_t *gpa_out, uint64_t *size_out,
		      char *errmsg, size_t errlen) HV_WUR;
/* Write the zero page for the 64-bit boot protocol. hdr/hdrlen: setup
 * header bytes from 0x1f1 (NULL for ELF kernels). */
int boot_write_params(const struct boot_request *req, const uint8_t *hdr,
		      size_t hdrlen, uint64_t initrd_gpa, uint64_t initrd_size,
		      char *errmsg, size_t errlen) HV_WUR;

/* ---- the I/O dispatch table (vm.c) ---- */
struct vm;
typedef void (*io_fn)(void *opaque, uint64_t addr, uint8_t *data, uint32_t size,
		      bool write);
int vm_io_register(struct vm *vm, bool mmio, uint64_t base, uint64_t len,
		   io_fn fn, void *opaque) HV_WUR;
/* Exit-time dispatch from vcpu.c. Unclaimed reads return all ones. */
void vm_io_dispatch(struct vm *vm, bool mmio, uint64_t addr, uint8_t *data,
		    uint32_t size, bool write);
/* End the domain (first reason wins), from any thread. */
void vm_end(struct vm *vm, enum xmhv_shutdown_reason reason);
/* S5 from the guest: poweroff, or reboot when a reboot was requested. */
void vm_power_off(struct vm *vm);
/* Set an in-kernel PIC/IOAPIC input (1 asserted). 0 or -errno. Any thread. */
int vm_irq_line(struct vm *vm, uint32_t gsi, int level);
/* Accessors for the machine's parts; valid for the VM's lifetime. */
int vm_vm_fd(const struct vm *vm);
const struct mem *vm_mem(const struct vm *vm);
const char *vm_name(const struct vm *vm);
bool vm_localtime(const struct vm *vm);

/* ---- vcpu.c ---- */
struct vcpu {
	struct vm *vm;
	uint32_t id;
	int fd;
	struct kvm_run *run;
	size_t run_size;
	pthread_t thread;
	bool thread_started;
	clockid_t clock;
};
int vcpu_init(struct vcpu *vcpu, struct vm *vm, int kvm_fd, uint32_t id,
	      const struct kvm_cpuid2 *cpuid) HV_WUR;
int vcpu_setup_boot(struct vcpu *vcpu, const struct mem *mem,
		    const struct boot_image *img) HV_WUR;
void vcpu_dispose(struct vcpu *vcpu);
/* One KVM_RUN and its exit handling. Returns 0 to continue, -EINTR when
 * kicked, other -errno when the domain ended. vCPU thread. */
int vcpu_run_once(struct vcpu *vcpu);
void vcpu_dump(struct vcpu *vcpu, const char *why);
/* Install the kick signal handler (once per process). */
int vcpu_kick_signal(void);

/* ---- libxmhv_check.c (also in libxmhv.a): the checks before a build ---- */
/* Open the KVM device (xmhv_check_kvm_device) and check its API version.
 * Returns the fd or -errno with errmsg naming the device and the fix. */
int xmhv_check_kvm_open(char *errmsg, size_t errlen) HV_WUR;
enum xmhv_kernel_format { XMHV_KERNEL_ELF, XMHV_KERNEL_BZIMAGE };
/* The loader for the kernel file path (file_len bytes) from its first len
 * bytes (1 KiB when it has them): the format, or -ENOEXEC with errmsg
 * "kernel PATH: not a kernel (...)". Pure. */
int xmhv_check_kernel_format(const char *path, const uint8_t *buf, size_t len,
			     uint64_t file_len, char *errmsg,
			     size_t errlen) HV_WUR;

/* ---- kvm.c ---- */
int kvm_create_vm(int kvm_fd, const struct mem *mem, char *errmsg,
		  size_t errlen) HV_WUR;
struct kvm_cpuid2 *kvm_supported_cpuid(int kvm_fd);
/* Routes of the pc GSI table: 15 to the PIC, 23 to the IOAPIC. */
#define KVM_GSI_ROUTES 38
struct kvm_irq_routing_entry;
int kvm_gsi_routes(struct kvm_irq_routing_entry *e, size_t max);
int kvm_set_xcr0(int vcpu_fd, const struct kvm_cpuid2 *cpuid) HV_WUR;
int kvm_irq_line(int vm_fd, uint32_t gsi, int level) HV_WUR;
int kvm_irqfd(int vm_fd, int efd, uint32_t gsi, int resample_fd,
	      bool deassign) HV_WUR;
int kvm_ioeventfd(int vm_fd, int efd, uint64_t addr, uint32_t len, bool pio,
		  bool deassign) HV_WUR;

/* ---- devices ---- */
/* Device models. *_new returns NULL on allocation failure, *_free accepts
 * NULL; *_io are the port handlers for vm_io_register (vCPU threads). */
struct serial;
typedef void (*serial_out_fn)(void *opaque, const uint8_t *buf, size_t len);
struct serial *serial_new(struct vm *vm, serial_out_fn out, void *opaque);
void serial_free(struct serial *s);
size_t serial_input(struct serial *s, const uint8_t *buf, size_t len);
void serial_flush(struct serial *s);
void serial_io(void *opaque, uint64_t port, uint8_t *data, uint32_t size,
	       bool write);

struct pm;
struct pm *pm_new(struct vm *vm);
void pm_free(struct pm *pm);
void pm_power_button(struct pm *pm);
void pm_io(void *opaque, uint64_t port, uint8_t *data, uint32_t size,
	   bool write);
/* PM timer ticks for a monotonic time in ns (3.579545 MHz, 32 bits). */
uint32_t pm_timer_ticks(uint64_t ns);

struct i8042;
struct i8042 *i8042_new(struct vm *vm);
void i8042_free(struct i8042 *k);
void i8042_io(void *opaque, uint64_t port, uint8_t *data, uint32_t size,
	      bool write);
void pvpanic_io(void *opaque, uint64_t port, uint8_t *data, uint32_t size,
		bool write);

struct rtc;
struct rtc *rtc_new(uint64_t mem_bytes, bool localtime);
void rtc_free(struct rtc *rtc);
void rtc_io(void *opaque, uint64_t port, uint8_t *data, uint32_t size,
	    bool write);
/* CMOS register value at unix time t (pure; for tests). */
uint8_t rtc_read_reg(struct rtc *rtc, uint8_t index, int64_t t);

struct pci;
struct pci *pci_new(struct vm *vm);
void pci_free(struct pci *pci);
void pci_io(void *opaque, uint64_t port, uint8_t *data, uint32_t size,
	    bool write);
/* MMIO handler for the PCI window [XMHV_PCI_MMIO_START, +SIZE). */
void pci_mmio(void *opaque, uint64_t addr, uint8_t *data, uint32_t size,
	      bool write);
/* What a device plugs into bus 0 (see pci.c): IDs, class, BAR0. */
struct pci_function_desc {
	uint16_t vendor, device, subsys_vendor, subsys;
	uint32_t class_code; /* class << 16 | subclass << 8 | prog-if */
	uint8_t revision;
	uint32_t bar0_size; /* power of two, 4 KiB..1 MiB; 0: no BAR */
	io_fn bar0_fn;      /* called with the offset into BAR0 */
	void *bar0_opaque;
};
int pci_add_function(struct pci *pci, const struct pci_function_desc *d,
		     unsigned *slot_out, uint32_t *gsi_out) HV_WUR;
uint8_t *pci_config_space(struct pci *pci, unsigned slot);
uint32_t pci_slot_gsi(unsigned slot);

/* Register the legacy devices (i8042, pvpanic, RTC, PM, PCI, reset port). */
int devices_register(struct vm *vm) HV_WUR;

#endif
