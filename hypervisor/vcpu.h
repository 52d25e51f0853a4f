/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vcpu.h: one vCPU: its KVM fd, run area, thread, boot registers, exits. */
#ifndef XMHV_VCPU_H
#define XMHV_VCPU_H

#include <pthread.h>
#include <time.h>

#include "boot/boot.h"
#include "hv.h"
#include "mem.h"

struct vm;
struct kvm_cpuid2;

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

#endif
