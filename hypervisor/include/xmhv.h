/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xmhv.h: the hypercall interface. A small, versioned C API modelled on
 * Xen's domctl/sysctl; the only way xmd (or any toolstack) drives domains.
 * Each domain is one xmhv monitor process; libxmhv speaks a fixed-layout,
 * length-checked protocol with it over a unix socket per domain under
 * run_dir ("<run_dir>/<domid>.sock", console "<run_dir>/<domid>.console"). */
#ifndef XMHV_H
#define XMHV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* XMHV_MAX_VCPUS, _HOST_CPUS, _DISKS, _NICS, _CPUID, XMHV_PATH_MAX,
 * XMHV_CMDLINE_MAX, XMHV_NAME_MAX and the memory range: one header that
 * libxmcfg and xmd share with xmhv. */
#include "xmhv_limits.h"

#define XMHV_INTERFACE_VERSION 2

#define XMHV_WUR __attribute__((warn_unused_result))

typedef uint32_t xmhv_domid_t;

/* Domain state flags, as Xen's xm list printed them (r b p s c d). */
enum xmhv_state_flag {
	XMHV_STATE_RUNNING = 1u << 0,  /* r: a vCPU is executing */
	XMHV_STATE_BLOCKED = 1u << 1,  /* b: every vCPU is halted */
	XMHV_STATE_PAUSED = 1u << 2,   /* p */
	XMHV_STATE_SHUTDOWN = 1u << 3, /* s: guest shut down, not destroyed */
	XMHV_STATE_CRASHED = 1u << 4,  /* c */
	XMHV_STATE_DYING = 1u << 5,    /* d */
};

/* Why a domain shut down (or was asked to). */
enum xmhv_shutdown_reason {
	XMHV_SHUTDOWN_NONE = 0,
	XMHV_SHUTDOWN_POWEROFF, /* ACPI S5 */
	XMHV_SHUTDOWN_REBOOT,   /* i8042 reset, triple fault from reboot, ... */
	XMHV_SHUTDOWN_CRASH, /* pvpanic, triple fault, unhandled exit, xmhv died */
	XMHV_SHUTDOWN_HALT, /* every vCPU halted with interrupts off */
};

/* Why the monitor itself paused a domain (it reports it in getinfo and
 * events until the next unpause). */
enum xmhv_pause_reason {
	XMHV_PAUSE_NONE = 0, /* running, or paused on request */
	XMHV_PAUSE_ENOSPC,   /* a disk write found no space left: free some,
				then unpause (the write is retried) */
};
#define XMHV_PAUSE_REASON_MAX XMHV_PAUSE_ENOSPC

/* Xen-style cpuid mask (see xmdomain.cfg(5)): per register 32 characters,
 * bit 31 first, of '0' '1' 'x' 'k' 's'; an empty string leaves it alone. */
struct xmhv_cpuid_mask {
	uint32_t leaf;
	uint32_t subleaf; /* UINT32_MAX: any */
	char reg[4][33];  /* eax, ebx, ecx, edx */
};

struct xmhv_disk_config {
	char path[XMHV_PATH_MAX]; /* file or block device */
	uint8_t readonly;
	uint8_t cdrom;   /* read-only too */
	uint8_t shared;  /* w!: writable, shared with other domains */
	uint8_t direct;  /* opened O_DIRECT (phy:, tap:aio:): no host cache */
	char serial[21]; /* virtio-blk id */
	int fd;          /* open backend, or -1 (see xmhv_domain_config) */
};

struct xmhv_nic_config {
	uint8_t mac[6];
	char tap[16]; /* existing tap device name (created by the toolstack) */
	int fd;       /* open tap, or -1 (see xmhv_domain_config) */
	/* /dev/vhost-net opened by the toolstack for this NIC (the kernel's
	 * datapath), or -1: the user-space datapath. Never opened by
	 * libxmhv or xmhv; the caller keeps it. */
	int vhost_fd;
	/* rate= (xm's netback credit scheduler): bytes per second and the
	 * credit interval in microseconds; 0: unlimited. Not yet carried by
	 * the NIC message (the virtio-net device will honour it). */
	uint64_t rate_bytes_per_sec;
	uint32_t rate_interval_us;
};

/* Everything xmhv needs to build a domain. Strings are NUL-terminated
 * within their arrays. Start from xmhv_domain_config_init.
 * Each file (kernel, ramdisk, console log, disks, taps) is a path and an
 * fd: with fd -1 the path is opened (see xmhv_domain_create); an fd >= 0
 * is used as it is and the path (or tap name) only names it in messages.
 * The fds stay the caller's. */
struct xmhv_domain_config {
	char name[XMHV_NAME_MAX];
	uint8_t uuid[16];
	char kernel[XMHV_PATH_MAX];
	char ramdisk[XMHV_PATH_MAX]; /* empty: none */
	char cmdline[XMHV_CMDLINE_MAX];
	int kernel_fd;
	int ramdisk_fd;
	uint64_t memory_mib;
	uint32_t max_vcpus;
	uint32_t vcpus_online; /* 0: max_vcpus */
	uint8_t localtime;
	uint8_t pin_vcpus; /* cpu_affinity below is valid */
	uint64_t cpu_affinity[XMHV_MAX_VCPUS][XMHV_MAX_HOST_CPUS / 64];
	uint32_t ncpuid;
	struct xmhv_cpuid_mask cpuid[XMHV_MAX_CPUID];
	uint32_t ndisks;
	struct xmhv_disk_config disks[XMHV_MAX_DISKS];
	uint32_t nnics;
	struct xmhv_nic_config nics[XMHV_MAX_NICS];
	char console_log[XMHV_PATH_MAX]; /* empty: no log file */
	int console_log_fd;
};

/* Zero cfg and set every fd of it to -1. Any thread. */
void xmhv_domain_config_init(struct xmhv_domain_config *cfg);

/* getinfo. */
struct xmhv_dominfo {
	xmhv_domid_t domid;
	char name[XMHV_NAME_MAX];
	uint8_t uuid[16];
	uint32_t state; /* enum xmhv_state_flag bits */
	uint32_t
		shutdown_reason; /* enum xmhv_shutdown_reason when SHUTDOWN/CRASHED */
	uint64_t memory_kib;
	uint64_t max_memory_kib;
	uint32_t max_vcpus;
	uint32_t online_vcpus;
	uint64_t cpu_time_ns; /* summed over vCPU threads */
	uint64_t uptime_ns;   /* since create */
	int32_t pid;          /* the xmhv process */
	/* Since interface version 2 with disks (monitors before it send an
	 * INFO without these fields: libxmhv reads them as 0 and ""). */
	uint32_t pause_reason; /* enum xmhv_pause_reason when PAUSED */
	char pause_device[24]; /* the disk's serial (its Xen name) */
};

/* physinfo. */
struct xmhv_physinfo {
	uint32_t nr_cpus;
	uint32_t nr_nodes;
	uint32_t cores_per_socket;
	uint32_t threads_per_core;
	uint32_t sockets_per_node;
	uint32_t cpu_mhz;
	uint64_t total_memory_kib;
	uint64_t free_memory_kib; /* MemAvailable */
	char cpu_model[64];
	char hw_caps[128];
};

/* A state change, read from xmhv_event_fd(). */
struct xmhv_event {
	xmhv_domid_t domid;
	uint32_t state;  /* new enum xmhv_state_flag bits */
	uint32_t reason; /* enum xmhv_shutdown_reason */
	bool gone;       /* the monitor process exited (destroyed or died) */
	uint32_t pause_reason; /* enum xmhv_pause_reason, with PAUSED */
};

struct xmhv;

/* Open the interface on run_dir (created if missing). xmhv_path is the
 * monitor binary (NULL: $XMHV_PATH or the installed one). Returns NULL with
 * errno set. Not thread-safe: use one handle per thread. */
struct xmhv *xmhv_open(const char *run_dir, const char *xmhv_path);
void xmhv_close(struct xmhv *h);

/* Create a domain, paused: spawns a detached xmhv (it outlives the caller),
 * sends cfg, waits until the VM is built. The domain id is allocated by the
 * interface (counting up from 1, never reused while run_dir exists).
 * On failure nothing is left behind and errmsg says why (file, reason).
 * Returns 0 or -errno. */
int xmhv_domain_create(struct xmhv *h, const struct xmhv_domain_config *cfg,
		       xmhv_domid_t *domid_out, char *errmsg,
		       size_t errlen) XMHV_WUR;

int xmhv_domain_unpause(struct xmhv *h, xmhv_domid_t domid) XMHV_WUR;
int xmhv_domain_pause(struct xmhv *h, xmhv_domid_t domid) XMHV_WUR;
/* Ask the guest to shut down: POWEROFF presses the ACPI power button;
 * REBOOT does the same and reports the resulting S5 as reason reboot. */
int xmhv_domain_shutdown(struct xmhv *h, xmhv_domid_t domid,
			 enum xmhv_shutdown_reason reason) XMHV_WUR;
/* Kill the domain and its monitor; returns once the process is gone. */
int xmhv_domain_destroy(struct xmhv *h, xmhv_domid_t domid) XMHV_WUR;
int xmhv_domain_getinfo(struct xmhv *h, xmhv_domid_t domid,
			struct xmhv_dominfo *info_out) XMHV_WUR;
int xmhv_domain_set_vcpus(struct xmhv *h, xmhv_domid_t domid,
			  uint32_t online) XMHV_WUR;
/* Live domains (monitor processes that answer), sorted by id. Returns the
 * count (at most max) or -errno. Used by xmd to re-adopt after restart.
 * Monitors of interface version 1 (started before an upgrade) are listed
 * and answer every call but create: libxmhv speaks version 1 to them. */
int xmhv_domain_list(struct xmhv *h, xmhv_domid_t *domids, int max) XMHV_WUR;
/* Wait (at most timeout_ms) until no monitor is between its spawn and its
 * answer to the creation sequence: one whose creator was killed meanwhile
 * either answers and lives, or exits and drops what it holds (the image
 * locks). xmd calls it before xmhv_domain_list at start. Returns how many
 * it waited for, or -ETIMEDOUT (those still building are left alone). */
int xmhv_wait_creates(struct xmhv *h, int timeout_ms) XMHV_WUR;
int xmhv_physinfo(struct xmhv *h, struct xmhv_physinfo *info_out) XMHV_WUR;

/* Detach flags (NIC and disk). */
#define XMHV_DETACH_FORCE 1u

/* Plug a NIC into a running domain (ACPI PCI hot-plug of a virtio-net
 * function): nic->fd is an open tap (the caller's; the monitor takes a
 * copy; -1: the tap nic->tap is attached here), nic->vhost_fd the
 * caller's /dev/vhost-net or -1, nic->mac its guest MAC, its rate
 * honoured. 0, or -errno with errmsg (-EEXIST: a NIC of that MAC;
 * -EOPNOTSUPP: a monitor started before NIC hot-plug). */
int xmhv_domain_nic_attach(struct xmhv *h, xmhv_domid_t domid,
			   const struct xmhv_nic_config *nic, char *errmsg,
			   size_t errlen) XMHV_WUR;
/* Unplug the NIC with guest MAC mac: answered once the guest ejected it
 * and the monitor closed its tap fd (a non-persistent tap then goes
 * away). With XMHV_DETACH_FORCE (flags) it is removed at once, the guest
 * told afterwards, its slot kept until the guest lets it go. 0, or
 * -errno with errmsg (-ENOENT: no such NIC; -ETIMEDOUT: the guest did not
 * let it go within 20 s, it goes when it does; -EOPNOTSUPP: a monitor
 * started before NIC hot-plug). */
int xmhv_domain_nic_detach(struct xmhv *h, xmhv_domid_t domid,
			   const uint8_t mac[6], unsigned flags, char *errmsg,
			   size_t errlen) XMHV_WUR;
/* Hot-plug a disk into a running (or paused) domain: a virtio-blk
 * function the guest hears of through ACPI PCI hot-plug, named by
 * disk->serial (the Xen vdev: the guest's /dev/disk/by-id/virtio-NAME).
 * With disk->fd < 0 the path is opened here, in the caller's process, as
 * xmhv_domain_create opens disks (read-only or read-write, locked in
 * QEMU's image-locking byte protocol);
 * else the fd is sent as it is (it stays the caller's). 0, or -errno with
 * errmsg: -EEXIST (a disk of that name), -E2BIG (XMHV_MAX_DISKS),
 * -EOPNOTSUPP (a monitor started before disk hot-plug). */
int xmhv_domain_disk_attach(struct xmhv *h, xmhv_domid_t domid,
			    const struct xmhv_disk_config *disk, char *errmsg,
			    size_t errlen) XMHV_WUR;
/* Unplug the disk named vdev_or_serial: the guest is asked to eject it
 * (its driver lets go, then the monitor removes it and its fd, with the
 * lock); returns once it did, or -ETIMEDOUT after 20 s (the request
 * stays: the disk goes whenever the guest ejects it). With
 * XMHV_DETACH_FORCE the disk is removed at once, the guest not asked.
 * -ENOENT (no such disk), -EOPNOTSUPP as for attach. */
int xmhv_domain_disk_detach(struct xmhv *h, xmhv_domid_t domid,
			    const char *vdev_or_serial, unsigned flags,
			    char *errmsg, size_t errlen) XMHV_WUR;

/* Connect to the domain's console: the recent output (ring buffer) arrives
 * first, then live output; bytes written go to the guest UART. One client
 * at a time: a new one takes over and the old connection is closed.
 * Returns a stream fd (caller closes) or -errno. */
int xmhv_console_open(struct xmhv *h, xmhv_domid_t domid) XMHV_WUR;

/* A pollable fd: readable when state changes are pending for any domain
 * this handle watches. xmhv_watch() subscribes to a domain (create does so
 * automatically). Returns the fd (owned by the handle) or -errno. */
int xmhv_event_fd(struct xmhv *h);
int xmhv_watch(struct xmhv *h, xmhv_domid_t domid) XMHV_WUR;
/* Fetch one pending event: 1 with *ev_out, 0 when none, -errno. */
int xmhv_event_read(struct xmhv *h, struct xmhv_event *ev_out) XMHV_WUR;

/* Does cfg fit what xmhv can build (xmhv_limits.h)? Memory and vCPU
 * ranges, counts of disks, NICs and cpuid masks, strings terminated within
 * their arrays, a kernel given, cpuid masks well formed. 0, or -EINVAL
 * with errmsg naming the key ("memory 8 MiB: out of range (16 MiB..8
 * TiB)"). Pure: xmhv checks the same before it builds a domain, xmd before
 * it starts a monitor. Any thread. */
int xmhv_check_config(const struct xmhv_domain_config *cfg, char *errmsg,
		      size_t errlen) XMHV_WUR;

/* What a domain needs from the host, checked before anything is built
 * (xmhv makes the same checks, configuration first, with the same
 * messages). Any thread; no handle needed. */
enum xmhv_boot_file { XMHV_BOOT_KERNEL, XMHV_BOOT_RAMDISK };
/* The KVM device: $XMHV_KVM_DEVICE (for tests: a host without KVM), else
 * /dev/kvm. */
const char *xmhv_check_kvm_device(void);
/* Can a VM be created? Opens the device and creates (and drops) a VM. 0,
 * or -errno with errmsg naming the device, the problem and its fix. */
int xmhv_check_kvm(char *errmsg, size_t errlen) XMHV_WUR;
/* Is path a readable regular file, and for the kernel a bzImage or an ELF?
 * 0, or -errno with errmsg "kernel PATH: reason" ("ramdisk PATH: ..."). */
int xmhv_check_boot_file(enum xmhv_boot_file kind, const char *path,
			 char *errmsg, size_t errlen) XMHV_WUR;

/* What the last failed call on h said, for the log: a monitor's answer
 * ("domain web1 has shut down (poweroff)") or why a monitor is not spoken
 * to (its interface version, and what to do); "" when it said nothing.
 * Owned by h, valid until the next call. */
const char *xmhv_error(const struct xmhv *h);

const char *xmhv_reason_name(enum xmhv_shutdown_reason reason);
/* "r-----" style string of 6 characters + NUL into buf[7]. */
const char *xmhv_state_string(uint32_t state, char buf[7]);

#endif
