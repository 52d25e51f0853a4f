/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vm.c: one KVM virtual machine (implements vm.h): build and teardown,
 * the list of devices and the two buses their ranges live on, interrupts,
 * and saving the devices. The running machine (vCPU threads, pause,
 * shutdown, getinfo) is vm_run.c. */
#include <errno.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "arch/x86/x86.h"
#include "board.h"
#include "boot/boot.h"
#include "bus.h"
#include "check.h"
#include "device.h"
#include "devices/cpuhp.h"
#include "devices/pm.h"
#include "devices/serial.h"
#include "kvm.h"
#include "log.h"
#include "mem.h"
#include "sandbox.h"
#include "util.h"
#include "vcpu.h"
#include "vm.h"
#include "vm_int.h"

int
vm_vm_fd(const struct vm *vm)
{
	return vm->vm_fd;
}

const struct mem *
vm_mem(const struct vm *vm)
{
	return &vm->mem;
}

const char *
vm_name(const struct vm *vm)
{
	return vm->cfg->name[0] ? vm->cfg->name : "(unnamed)";
}

struct bus *
vm_bus(struct vm *vm, bool mmio)
{
	return mmio ? vm->mmio : vm->pio;
}

struct board *
vm_board(struct vm *vm)
{
	return &vm->board;
}

void
vm_io_dispatch(struct vm *vm, bool mmio, uint64_t addr, uint8_t *data,
	       uint32_t size, bool write)
{
	if (vm->bench && !atomic_exchange(&vm->first_io_seen, true))
		log_info("domain %s: first guest port write at %llu ns "
			 "(CLOCK_MONOTONIC)",
			 vm_name(vm), (unsigned long long)util_now_ns());
	(void)bus_dispatch(mmio ? vm->mmio : vm->pio, addr, data, size, write);
}

void
vm_add_device(struct vm *vm, struct device *dev)
{
	dev->next = vm->devices;
	vm->devices = dev;
}

void
vm_remove_device(struct vm *vm, struct device *dev)
{
	struct device **pp;

	pthread_mutex_lock(&vm->lock);
	for (pp = &vm->devices; *pp; pp = &(*pp)->next) {
		if (*pp == dev) {
			*pp = dev->next;
			break;
		}
	}
	pthread_mutex_unlock(&vm->lock);
}

static int
vm_irq_set(void *opaque, uint32_t gsi, int level)
{
	struct vm *vm = opaque;

	return kvm_irq_line(vm->vm_fd, gsi, level);
}

struct irq_line
vm_irq_line_of(struct vm *vm, uint32_t gsi)
{
	return (struct irq_line){vm_irq_set, vm, gsi};
}

struct msi_router
vm_msi_router(struct vm *vm)
{
	return kvm_routes_router(vm->routes);
}

static void
vm_hook_end(void *opaque, enum xmhv_shutdown_reason reason)
{
	vm_end(opaque, reason);
}

static void
vm_hook_power_off(void *opaque)
{
	vm_power_off(opaque);
}

struct domain_hooks
vm_domain_hooks(struct vm *vm)
{
	return (struct domain_hooks){.end = vm_hook_end,
				     .power_off = vm_hook_power_off,
				     .io_pause = vm_io_pause,
				     .opaque = vm,
				     .name = vm_name(vm)};
}

static int
vm_build_vcpus(struct vm *vm, int kvm_fd, const struct boot_image *img,
	       char *errmsg, size_t errlen)
{
	struct kvm_cpuid2 *supported = NULL, *c = NULL;
	uint32_t i;
	int rc = 0;

	supported = kvm_supported_cpuid(kvm_fd);
	if (!supported) {
		rc = -errno;
		snprintf(errmsg, errlen, "KVM_GET_SUPPORTED_CPUID: %s",
			 strerror(-rc));
		goto out;
	}
	for (i = 0; i < vm->nvcpus; i++) {
		c = cpuid_for_vcpu(supported, i, vm->nvcpus, vm->cfg->cpuid,
				   vm->cfg->ncpuid);
		if (!c) {
			rc = -errno;
			snprintf(errmsg, errlen, "cpuid for vcpu %u: %s", i,
				 rc == -EINVAL ? "bad cpuid mask"
					       : strerror(-rc));
			goto out;
		}
		rc = vcpu_init(&vm->vcpus[i], vm, kvm_fd, i, c);
		free(c);
		c = NULL;
		if (rc == 0 && i == 0)
			rc = vcpu_setup_boot(&vm->vcpus[0], &vm->mem, img);
		if (rc < 0) {
			snprintf(errmsg, errlen, "vcpu %u: %s", i,
				 strerror(-rc));
			goto out;
		}
	}
out:
	free(supported);
	return rc;
}

/* The guest's UART output, to the front end's console. */
static void
vm_serial_out(void *opaque, const uint8_t *buf, size_t len)
{
	struct vm *vm = opaque;

	if (vm->cb.console_out)
		vm->cb.console_out(vm->cb.opaque, buf, len);
}

int
vm_create(const struct xmhv_domain_config *cfg, const struct vm_callbacks *cb,
	  struct vm **vm_out, char *errmsg, size_t errlen)
{
	return vm_create_with(cfg, NULL, cb, vm_out, errmsg, errlen);
}

int
vm_create_with(const struct xmhv_domain_config *cfg,
	       const struct vm_options *opts, const struct vm_callbacks *cb,
	       struct vm **vm_out, char *errmsg, size_t errlen)
{
	struct board_config board;
	struct boot_request req;
	struct boot_image img;
	struct vm *vm = NULL;
	int kvm_fd = -1, rc;
	uint32_t online, i;

	/* The configuration first, then the device: a missing kernel is
	 * reported as such on a host without /dev/kvm too. */
	rc = xmhv_check_config(cfg, errmsg, errlen);
	if (rc == 0)
		rc = xmhv_check_boot_fd(XMHV_BOOT_KERNEL, cfg->kernel_fd,
					cfg->kernel, errmsg, errlen);
	if (rc == 0 && cfg->ramdisk_fd >= 0)
		rc = xmhv_check_boot_fd(XMHV_BOOT_RAMDISK, cfg->ramdisk_fd,
					cfg->ramdisk, errmsg, errlen);
	if (rc < 0)
		return rc;
	/* Load the time zone now: localtime=1 and log stamps need it, and
	 * the sandbox will not let /etc/localtime be opened later. */
	tzset();
	rc = vcpu_kick_signal();
	if (rc < 0) {
		snprintf(errmsg, errlen, "sigaction: %s", strerror(-rc));
		return rc;
	}
	rc = -ENOMEM;
	vm = calloc(1, sizeof(*vm));
	if (vm)
		vm->vm_fd =
			-1; /* before anything can fail: vm_destroy closes it */
	if (!vm || !(vm->cfg = malloc(sizeof(*cfg)))) {
		snprintf(errmsg, errlen, "out of memory");
		goto fail;
	}
	memcpy(vm->cfg, cfg, sizeof(*cfg));
	if (cb)
		vm->cb = *cb;
	vm->paused = true;
	vm->bench = getenv("XMHV_BENCH") != NULL;
	vm->create_ns = util_now_ns();
	pthread_mutex_init(&vm->lock, NULL);
	pthread_mutex_init(&vm->pause_lock, NULL);
	pthread_cond_init(&vm->run_cond, NULL);
	pthread_cond_init(&vm->parked_cond, NULL);
	vm->nvcpus = cfg->max_vcpus;
	online = cfg->vcpus_online ? cfg->vcpus_online : cfg->max_vcpus;
	vm->vcpus = calloc(vm->nvcpus, sizeof(*vm->vcpus));
	vm->pio = bus_new("port", 0xffff);
	vm->mmio = bus_new("mmio", UINT64_MAX);
	if (!vm->vcpus || !vm->pio || !vm->mmio) {
		snprintf(errmsg, errlen, "out of memory");
		goto fail;
	}

	rc = kvm_fd = xmhv_check_kvm_open(errmsg, errlen);
	if (rc < 0)
		goto fail;
	rc = mem_init(&vm->mem, cfg->memory_mib * HV_MIB);
	if (rc < 0) {
		snprintf(errmsg, errlen, "guest memory (%llu MiB): %s",
			 (unsigned long long)cfg->memory_mib, strerror(-rc));
		goto fail;
	}
	rc = vm->vm_fd = kvm_create_vm(kvm_fd, &vm->mem, errmsg, errlen);
	if (rc < 0)
		goto fail;
	vm->routes = kvm_routes_new(vm->vm_fd);
	if (!vm->routes) {
		rc = -ENOMEM;
		snprintf(errmsg, errlen, "out of memory");
		goto fail;
	}

	req = (struct boot_request){
		&vm->mem,       cfg->kernel,          cfg->ramdisk,
		cfg->cmdline,   opts && opts->no_pvh, cfg->kernel_fd,
		cfg->ramdisk_fd};
	rc = boot_load_fd(&req, &img, errmsg, errlen);
	if (rc < 0)
		goto fail;
	for (i = online; i < vm->nvcpus; i++)
		vm->hp_parked[i] = true;
	rc = acpi_write_cpus(&vm->mem, HV_ACPI_RSDP_GPA, HV_ACPI_TABLES_GPA,
			     HV_ACPI_TABLES_END, vm->nvcpus, online);
	if (rc == 0)
		rc = mptable_write(&vm->mem, HV_MPTABLE_GPA, online);
	if (rc < 0) {
		snprintf(errmsg, errlen, "ACPI/MP tables: %s", strerror(-rc));
		goto fail;
	}
	rc = vm_build_vcpus(vm, kvm_fd, &img, errmsg, errlen);
	if (rc < 0)
		goto fail;
	board = (struct board_config){vm->mem.size,  cfg->localtime != 0,
				      vm->nvcpus,    online,
				      vm_serial_out, vm};
	rc = board_build(vm, &board, &vm->board, errmsg, errlen);
	if (rc == 0)
		rc = vm_disks_build(vm, errmsg, errlen);
	if (rc == 0)
		rc = vm_nics_build(vm, errmsg, errlen);
	if (rc < 0)
		goto fail;
	rc = vm_start_threads(vm, errmsg, errlen);
	if (rc < 0)
		goto fail;
	close(kvm_fd);
	*vm_out = vm;
	return 0;
fail:
	if (kvm_fd >= 0)
		close(kvm_fd);
	vm_destroy(vm);
	return rc;
}

void
vm_destroy(struct vm *vm)
{
	uint32_t i;

	if (!vm)
		return;
	pthread_mutex_lock(&vm->lock);
	vm->stopping = true;
	vm_kick_locked(vm);
	pthread_cond_broadcast(&vm->run_cond);
	pthread_mutex_unlock(&vm->lock);
	for (i = 0; vm->vcpus && i < vm->nvcpus; i++)
		if (vm->vcpus[i].thread_started)
			pthread_join(vm->vcpus[i].thread, NULL);
	while (vm->devices) { /* the reverse order of adding */
		struct device *d = vm->devices;

		vm->devices = d->next;
		d->ops->free(d);
	}
	bus_free(vm->pio);
	bus_free(vm->mmio);
	kvm_routes_free(vm->routes);
	for (i = 0; vm->vcpus && i < vm->nvcpus; i++)
		vcpu_dispose(&vm->vcpus[i]);
	free(vm->vcpus);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	mem_dispose(&vm->mem);
	pthread_cond_destroy(&vm->run_cond);
	pthread_cond_destroy(&vm->parked_cond);
	pthread_mutex_destroy(&vm->pause_lock);
	pthread_mutex_destroy(&vm->lock);
	free(vm->cfg);
	free(vm);
}

int
vm_save_devices(struct vm *vm, struct dstate *out)
{
	int rc;

	pthread_mutex_lock(&vm->lock);
	rc = vm->paused ? device_list_save(vm->devices, out) : -EBUSY;
	pthread_mutex_unlock(&vm->lock);
	return rc;
}

int
vm_restore_devices(struct vm *vm, struct dstate *in)
{
	int rc;

	pthread_mutex_lock(&vm->lock);
	rc = vm->paused ? device_list_restore(vm->devices, in) : -EBUSY;
	pthread_mutex_unlock(&vm->lock);
	return rc;
}
