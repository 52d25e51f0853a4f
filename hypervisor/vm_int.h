/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vm_int.h: the machine's own structure, shared by vm.c (build,
 * teardown, devices), vm_run.c (vCPU threads, pause, getinfo), vm_disk.c
 * (disks: plugged at build, hot-plugged and unplugged at run time, what
 * devices ask of the front end) and vm_nic.c. Not for other files: they
 * use vm.h. */
#ifndef XMHV_VM_INT_H
#define XMHV_VM_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "board.h"
#include "mem.h"
#include "vcpu.h"
#include "vm.h"

struct vblk;
struct vnet;

struct vm {
	struct xmhv_domain_config *cfg;
	struct vm_callbacks cb;
	int vm_fd;
	struct mem mem;
	struct kvm_routes *routes; /* the GSI table: pc routes + MSI */
	uint32_t nvcpus;
	struct vcpu *vcpus;
	struct bus *pio, *mmio;
	struct device *devices; /* the last added first */
	struct board board;
	bool devices_paused;

	pthread_mutex_t lock;
	pthread_cond_t run_cond;    /* parked vCPUs wait here */
	pthread_cond_t parked_cond; /* pause waits for nparked */
	uint32_t nthreads, nparked;
	bool paused, ended, stopping, reboot_requested;
	enum xmhv_shutdown_reason reason;
	uint64_t create_ns;
	uint64_t sample_ns, sample_cpu_ns;
	bool sample_running;
	bool bench; /* XMHV_BENCH: log the first guest port write */
	_Atomic bool first_io_seen;
	/* CPU hotplug, under lock: a parked vCPU is not in the guest (never
	 * enabled yet, or ejected); reset: set it to wait for INIT/SIPI. */
	bool hp_parked[XMHV_MAX_VCPUS];
	bool hp_reset[XMHV_MAX_VCPUS];
	unsigned quiesce; /* under lock: vCPUs parked for a device change */
	/* Disks (vm_disk.c): main thread. What devices asked of the front
	 * end's thread (vm_service): atomics, set from any thread. */
	struct vblk *disks[XMHV_MAX_DISKS];
	_Atomic uint32_t eject_slots;   /* the guest ejected these */
	_Atomic uint32_t gone_slots;    /* removed by force, not ejected yet */
	_Atomic uint32_t pause_request; /* enum xmhv_pause_reason */
	pthread_mutex_t pause_lock;     /* the two below */
	char pause_request_device[24];
	uint32_t pause_reason; /* reported while paused */
	char pause_device[24];
	/* NICs (vm_nic.c): main thread. */
	struct vnet *nics[XMHV_MAX_NICS];
};

/* vm_run.c: park every vCPU outside KVM_RUN (the guest sees nothing) for
 * a change of devices, and let them go again. Main thread. */
void vm_quiesce(struct vm *vm);
void vm_release(struct vm *vm);
/* vm_run.c: caller holds vm->lock: make every vCPU leave KVM_RUN soon. */
void vm_kick_locked(struct vm *vm);
/* vm_run.c: one thread per vCPU (parked while the machine is paused),
 * pinned if the configuration says so. 0, or -errno with errmsg; the
 * threads started are joined by vm_destroy. Main thread, at build. */
int vm_start_threads(struct vm *vm, char *errmsg, size_t errlen) HV_WUR;
/* vm_disk.c: one virtio-blk per disk of cfg at build time, in order. */
int vm_disks_build(struct vm *vm, char *errmsg, size_t errlen) HV_WUR;
/* vm_nic.c: one virtio-net per NIC of cfg at build time, in order, and
 * one plugged into a free entry of nics[] (build or hot-plug). */
int vm_nics_build(struct vm *vm, char *errmsg, size_t errlen) HV_WUR;
int vm_nic_plug(struct vm *vm, const struct xmhv_nic_config *nic,
		struct vnet **out, char *errmsg, size_t errlen) HV_WUR;
/* The guest ejected slot: the NIC there (if any) removed, removed() told
 * its MAC. Main thread (vm_service). */
void vm_nic_ejected(struct vm *vm, unsigned slot,
		    void (*removed)(void *opaque, const char *id),
		    void *opaque);
/* The pcihp eject hook (any thread) and the io_pause hook. */
void vm_disk_ejected(void *opaque, unsigned slot);
void vm_io_pause(void *opaque, enum xmhv_pause_reason why, const char *device);

#endif
