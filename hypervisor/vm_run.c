/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vm_run.c: a built machine running (implements vm.h): the vCPU threads
 * and their parking (pause, quiesce, CPU hot-plug), pause/unpause (vCPUs,
 * then devices), shutdown reasons, and getinfo. */
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

#include "device.h"
#include "devices/cpuhp.h"
#include "devices/pm.h"
#include "devices/serial.h"
#include "log.h"
#include "sandbox.h"
#include "util.h"
#include "vcpu.h"
#include "vm.h"
#include "vm_int.h"

void
vm_quiesce(struct vm *vm)
{
	pthread_mutex_lock(&vm->lock);
	vm->quiesce++;
	vm_kick_locked(vm);
	while (vm->nparked < vm->nthreads)
		pthread_cond_wait(&vm->parked_cond, &vm->lock);
	pthread_mutex_unlock(&vm->lock);
}

void
vm_release(struct vm *vm)
{
	pthread_mutex_lock(&vm->lock);
	vm->quiesce--;
	pthread_cond_broadcast(&vm->run_cond);
	pthread_mutex_unlock(&vm->lock);
}

void
vm_kick_locked(struct vm *vm)
{
	uint32_t i;

	for (i = 0; i < vm->nvcpus; i++) {
		if (!vm->vcpus[i].thread_started)
			continue;
		vm->vcpus[i].run->immediate_exit = 1;
		pthread_kill(vm->vcpus[i].thread, SIGUSR1);
	}
}

static uint32_t
vm_state_locked(const struct vm *vm)
{
	if (vm->ended)
		return vm->reason == XMHV_SHUTDOWN_CRASH ? XMHV_STATE_CRASHED
							 : XMHV_STATE_SHUTDOWN;
	if (vm->paused)
		return XMHV_STATE_PAUSED;
	return XMHV_STATE_RUNNING;
}

static void
vm_notify(struct vm *vm, uint32_t state, enum xmhv_shutdown_reason reason)
{
	if (vm->cb.state)
		vm->cb.state(vm->cb.opaque, state, reason);
}

void
vm_end(struct vm *vm, enum xmhv_shutdown_reason reason)
{
	uint32_t state;

	pthread_mutex_lock(&vm->lock);
	if (vm->ended || vm->stopping) {
		pthread_mutex_unlock(&vm->lock);
		return;
	}
	vm->ended = true;
	vm->reason = reason;
	vm_kick_locked(vm);
	state = vm_state_locked(vm);
	pthread_mutex_unlock(&vm->lock);
	if (vm->board.com1)
		serial_flush(vm->board.com1);
	vm_notify(vm, state, reason);
}

void
vm_power_off(struct vm *vm)
{
	bool reboot;

	pthread_mutex_lock(&vm->lock);
	reboot = vm->reboot_requested;
	pthread_mutex_unlock(&vm->lock);
	vm_end(vm, reboot ? XMHV_SHUTDOWN_REBOOT : XMHV_SHUTDOWN_POWEROFF);
}

/* Caller holds vm->lock, on vcpu's own thread: after an eject the vCPU
 * waits for INIT/SIPI again, as an AP does at power-on. */
static void
vm_cpuhp_reset_locked(struct vm *vm, struct vcpu *vcpu)
{
	struct kvm_mp_state mp = {KVM_MP_STATE_UNINITIALIZED};

	vm->hp_reset[vcpu->id] = false;
	if (ioctl(vcpu->fd, KVM_SET_MP_STATE, &mp) < 0)
		log_warn("domain %s: vcpu %u: KVM_SET_MP_STATE: %s",
			 vm_name(vm), vcpu->id, strerror(errno));
}

void
vm_cpuhp_eject(void *opaque, uint32_t id)
{
	struct vm *vm = opaque;
	struct vcpu *vcpu;

	if (id == 0 || id >= vm->nvcpus)
		return;
	vcpu = &vm->vcpus[id];
	pthread_mutex_lock(&vm->lock);
	if (!vm->hp_parked[id]) {
		vm->hp_parked[id] = true;
		vm->hp_reset[id] = true;
		if (vcpu->thread_started) {
			vcpu->run->immediate_exit = 1;
			pthread_kill(vcpu->thread, SIGUSR1);
		}
	}
	pthread_mutex_unlock(&vm->lock);
}

void
vm_cpuhp_enable(void *opaque, uint32_t id)
{
	struct vm *vm = opaque;

	if (id >= vm->nvcpus)
		return;
	pthread_mutex_lock(&vm->lock);
	vm->hp_parked[id] = false;
	pthread_cond_broadcast(&vm->run_cond);
	pthread_mutex_unlock(&vm->lock);
}

static void *
vm_vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	struct vm *vm = vcpu->vm;

	if (sandbox_drop_caps() < 0)
		log_warn("domain %s: vcpu %u: cannot drop capabilities",
			 vm_name(vm), vcpu->id);
	for (;;) {
		pthread_mutex_lock(&vm->lock);
		while ((vm->paused || vm->ended || vm->quiesce ||
			vm->hp_parked[vcpu->id]) &&
		       !vm->stopping) {
			if (vm->hp_reset[vcpu->id])
				vm_cpuhp_reset_locked(vm, vcpu);
			vm->nparked++;
			pthread_cond_broadcast(&vm->parked_cond);
			pthread_cond_wait(&vm->run_cond, &vm->lock);
			vm->nparked--;
		}
		if (vm->stopping) {
			pthread_mutex_unlock(&vm->lock);
			break;
		}
		vcpu->run->immediate_exit = 0;
		pthread_mutex_unlock(&vm->lock);
		(void)vcpu_run_once(vcpu);
	}
	return NULL;
}

static int
vm_pin(struct vm *vm, struct vcpu *vcpu)
{
	const uint64_t *mask = vm->cfg->cpu_affinity[vcpu->id];
	cpu_set_t set;
	unsigned i;

	CPU_ZERO(&set);
	for (i = 0; i < XMHV_MAX_HOST_CPUS && i < CPU_SETSIZE; i++)
		if (mask[i / 64] & (1ULL << (i % 64)))
			CPU_SET(i, &set);
	if (CPU_COUNT(&set) == 0)
		return 0;
	return -pthread_setaffinity_np(vcpu->thread, sizeof(set), &set);
}

int
vm_start_threads(struct vm *vm, char *errmsg, size_t errlen)
{
	struct vcpu *vcpu;
	sigset_t all, old;
	char name[16];
	uint32_t i;
	int rc = 0;

	/* vCPU threads get the kick signal; block the rest while creating. */
	sigfillset(&all);
	sigdelset(&all, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < vm->nvcpus; i++) {
		vcpu = &vm->vcpus[i];
		rc = -pthread_create(&vcpu->thread, NULL, vm_vcpu_thread, vcpu);
		if (rc < 0)
			break;
		vcpu->thread_started = true;
		vm->nthreads++;
		snprintf(name, sizeof(name), "vcpu%u", i);
		pthread_setname_np(vcpu->thread, name);
		if (pthread_getcpuclockid(vcpu->thread, &vcpu->clock) != 0)
			vcpu->clock = CLOCK_MONOTONIC;
		if (vm->cfg->pin_vcpus && (rc = vm_pin(vm, vcpu)) < 0)
			break;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc < 0)
		snprintf(errmsg, errlen, "vcpu %u thread: %s", i,
			 strerror(-rc));
	return rc;
}

/* Devices follow the vCPUs: paused after them, resumed before them. */
static int
vm_devices_pause(struct vm *vm, bool pause)
{
	struct device *d;
	int rc;

	if (vm->devices_paused == pause)
		return 0;
	for (d = vm->devices; d; d = d->next) {
		rc = 0;
		if (pause && d->ops->pause)
			rc = d->ops->pause(d);
		else if (!pause && d->ops->resume)
			rc = d->ops->resume(d);
		if (rc < 0) {
			log_err("domain %s: device %s: %s: %s", vm_name(vm),
				d->name, pause ? "pause" : "resume",
				strerror(-rc));
			return rc;
		}
	}
	vm->devices_paused = pause;
	return 0;
}

int
vm_unpause(struct vm *vm)
{
	int rc;

	pthread_mutex_lock(&vm->lock);
	if (vm->ended || !vm->paused) {
		pthread_mutex_unlock(&vm->lock);
		return vm->ended ? -ESRCH : 0;
	}
	/* The reason goes before the devices resume: a write that finds no
	 * space again pauses the domain again, with its reason. */
	pthread_mutex_lock(&vm->pause_lock);
	vm->pause_reason = XMHV_PAUSE_NONE;
	vm->pause_device[0] = '\0';
	pthread_mutex_unlock(&vm->pause_lock);
	rc = vm_devices_pause(vm, false);
	if (rc < 0) {
		pthread_mutex_unlock(&vm->lock);
		return rc;
	}
	vm->paused = false;
	pthread_cond_broadcast(&vm->run_cond);
	pthread_mutex_unlock(&vm->lock);
	vm_notify(vm, XMHV_STATE_RUNNING, XMHV_SHUTDOWN_NONE);
	return 0;
}

int
vm_pause(struct vm *vm)
{
	int rc;

	pthread_mutex_lock(&vm->lock);
	if (vm->ended) {
		pthread_mutex_unlock(&vm->lock);
		return -ESRCH;
	}
	vm->paused = true;
	vm_kick_locked(vm);
	while (vm->nparked < vm->nthreads)
		pthread_cond_wait(&vm->parked_cond, &vm->lock);
	rc = vm_devices_pause(vm, true);
	pthread_mutex_unlock(&vm->lock);
	vm_notify(vm, XMHV_STATE_PAUSED, XMHV_SHUTDOWN_NONE);
	return rc;
}

int
vm_request_shutdown(struct vm *vm, enum xmhv_shutdown_reason reason)
{
	if (reason != XMHV_SHUTDOWN_POWEROFF && reason != XMHV_SHUTDOWN_REBOOT)
		return -EINVAL;
	pthread_mutex_lock(&vm->lock);
	if (vm->ended) {
		pthread_mutex_unlock(&vm->lock);
		return -ESRCH;
	}
	vm->reboot_requested = reason == XMHV_SHUTDOWN_REBOOT;
	pthread_mutex_unlock(&vm->lock);
	pm_power_button(vm->board.pm);
	return 0;
}

size_t
vm_console_input(struct vm *vm, const uint8_t *buf, size_t len)
{
	return serial_input(vm->board.com1, buf, len);
}

static uint64_t
vm_cpu_time_ns(const struct vm *vm)
{
	struct timespec ts;
	uint64_t sum = 0;
	uint32_t i;

	for (i = 0; i < vm->nvcpus; i++) {
		if (!vm->vcpus[i].thread_started ||
		    clock_gettime(vm->vcpus[i].clock, &ts) < 0)
			continue;
		sum += (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	}
	return sum;
}

void
vm_getinfo(struct vm *vm, struct xmhv_dominfo *info_out)
{
	struct xmhv_dominfo info;
	uint64_t now = util_now_ns(), cpu;
	uint32_t i;

	memset(&info, 0, sizeof(info));
	memcpy(info.name, vm->cfg->name, sizeof(info.name));
	memcpy(info.uuid, vm->cfg->uuid, sizeof(info.uuid));
	info.memory_kib = info.max_memory_kib = vm->cfg->memory_mib * 1024;
	info.max_vcpus = vm->nvcpus;
	info.uptime_ns = now - vm->create_ns;
	info.pid = getpid();
	pthread_mutex_lock(&vm->lock);
	cpu = vm_cpu_time_ns(vm);
	info.cpu_time_ns = cpu;
	info.state = vm_state_locked(vm);
	for (i = 0; i < vm->nvcpus; i++)
		info.online_vcpus += !vm->hp_parked[i];
	info.shutdown_reason = vm->ended ? vm->reason : XMHV_SHUTDOWN_NONE;
	if (info.state == XMHV_STATE_PAUSED) {
		pthread_mutex_lock(&vm->pause_lock);
		info.pause_reason = vm->pause_reason;
		memcpy(info.pause_device, vm->pause_device,
		       sizeof(info.pause_device));
		pthread_mutex_unlock(&vm->pause_lock);
	}
	if (info.state == XMHV_STATE_RUNNING) {
		/* In-kernel HLT never exits: a guest whose vCPUs used under
		 * 2% of one CPU since the last look is blocked. */
		if (vm->sample_ns && now > vm->sample_ns + 1000000)
			vm->sample_running = (cpu - vm->sample_cpu_ns) * 50 >
					     now - vm->sample_ns;
		else if (!vm->sample_ns)
			vm->sample_running = true;
		if (!vm->sample_ns || now > vm->sample_ns + 1000000) {
			vm->sample_ns = now;
			vm->sample_cpu_ns = cpu;
		}
		if (!vm->sample_running)
			info.state = XMHV_STATE_BLOCKED;
	}
	pthread_mutex_unlock(&vm->lock);
	*info_out = info;
}

int
vm_set_vcpus(struct vm *vm, uint32_t online)
{
	/* ACPI CPU hotplug: the guest hears of it through GPE0 and ejects
	 * removed vCPUs itself (online_vcpus drops then). */
	if (!vm->board.cpuhp)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&vm->lock);
	if (vm->ended) {
		pthread_mutex_unlock(&vm->lock);
		return -ESRCH;
	}
	pthread_mutex_unlock(&vm->lock);
	return cpuhp_set_online(vm->board.cpuhp, online);
}
