/* SPDX-License-Identifier: GPL-2.0-or-later */
/* proto.h: the wire protocol between libxmhv and an xmhv monitor. */
#ifndef XMHV_PROTO_H
#define XMHV_PROTO_H

/*
 * Every message is a 16-byte header followed by a payload of at most the
 * maximum of its type (proto_payload_max; fixed-layout types have one
 * size): a header whose length is out of bounds is refused before anything
 * is allocated or read. A message carries at most one fd (SCM_RIGHTS on
 * its first byte), and only when its type takes one. Integers are in host
 * byte order (both ends run on the same host). The header carries the
 * interface version; a peer speaking another version gets a PROTO_REPLY
 * with -EPROTONOSUPPORT and a message naming both versions, and the
 * connection is closed. doc/PROTOCOL.md describes the messages.
 *
 * Creation (version 2), on the spawn socketpair only, in this order:
 *   CREATE, KERNEL, [RAMDISK], [CONSOLE_LOG], DISK*, NIC*, START -> REPLY
 * KERNEL, RAMDISK, CONSOLE_LOG, DISK and NIC each carry one fd, opened by
 * the toolstack; the monitor opens no file of the guest's. The REPLY
 * answers START, or the first message refused (then the monitor exits and
 * leaves nothing behind).
 *
 * Requests (libxmhv -> xmhv) once built, and their answers:
 *   PING, UNPAUSE, PAUSE, SHUTDOWN, DESTROY, SET_VCPUS   -> REPLY
 *   DISK_ATTACH (with the disk's fd), DISK_DETACH        -> REPLY
 *   GETINFO                                              -> INFO
 *   WATCH -> REPLY, then EVENT messages pushed on that connection for
 *            every state change until it closes (running <-> blocked flips
 *            are not events). DESTROY first pushes an EVENT with the DYING
 *            bit, so a watcher knows the EOF that follows is a destroy; an
 *            EOF without it means the monitor died (reason crash).
 * These runtime messages have the layout they had in version 1: libxmhv
 * still speaks version 1 to a monitor that answers in it.
 * After START succeeds the spawn socketpair stays open as an ordinary
 * connection (libxmhv sends WATCH on it). The control socket
 * "<run_dir>/<domid>.sock" is mode 0600.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "xmhv.h"

#define PROTO_MAGIC 0x56484d58u /* "XMHV" in little-endian memory */
#define PROTO_HDR_SIZE 16
#define PROTO_ERRMSG_MAX 512
/* The interface version before the creation sequence: its runtime
 * messages are version 2's. */
#define PROTO_VERSION_1 1

enum proto_type {
	PROTO_INVALID = 0,
	PROTO_CREATE_V1, /* version 1's fixed CREATE: never accepted */
	PROTO_PING,
	PROTO_UNPAUSE,
	PROTO_PAUSE,
	PROTO_SHUTDOWN,
	PROTO_DESTROY,
	PROTO_GETINFO,
	PROTO_SET_VCPUS,
	PROTO_WATCH,
	PROTO_REPLY,
	PROTO_INFO,
	PROTO_EVENT,
	/* Version 2: the creation sequence. */
	PROTO_CREATE,
	PROTO_KERNEL,
	PROTO_RAMDISK,
	PROTO_CONSOLE_LOG,
	PROTO_DISK,
	PROTO_NIC,
	PROTO_START,
	/* Version 2, requests to a built domain: disk hot-plug. */
	PROTO_DISK_ATTACH,
	PROTO_DISK_DETACH,
	/* Version 2, requests to a built domain: NIC hot-plug. */
	PROTO_NIC_ATTACH,
	PROTO_NIC_DETACH,
	/* Version 2: a NIC's /dev/vhost-net fd, in the creation sequence
	 * right after its NIC, or on a connection before its NIC_ATTACH. */
	PROTO_NIC_VHOST,
	PROTO_TYPE_MAX /* sentinel */
};

struct proto_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t type;   /* enum proto_type */
	uint32_t length; /* payload bytes after the header */
	uint32_t seq;    /* echoed in the answer */
};

/* CREATE: the core of a domain, no file and no path of the guest's. The
 * head is followed, in this order, by naffinity rows of CPU affinity
 * (XMHV_MAX_HOST_CPUS bits each), ncpuid struct xmhv_cpuid_mask, run_dir
 * (run_dir_len bytes) and the command line (cmdline_len bytes); each
 * string ends with its only NUL. run_dir is where the monitor publishes
 * its pid file and sockets. */
struct proto_create {
	uint32_t domid;
	uint32_t max_vcpus;
	uint32_t vcpus_online; /* 0: max_vcpus */
	uint32_t naffinity;    /* 0 (not pinned) or max_vcpus */
	uint32_t ncpuid;
	uint16_t run_dir_len;
	uint16_t cmdline_len;
	uint8_t localtime;
	uint8_t reserved[7];
	uint64_t memory_mib;
	uint8_t uuid[16];
	char name[XMHV_NAME_MAX];
};
#define PROTO_AFFINITY_ROW (XMHV_MAX_HOST_CPUS / 8)

/* KERNEL, RAMDISK, CONSOLE_LOG: the payload is the file's name in
 * messages (its path), NUL-terminated, not empty; the fd is the file. */

/* DISK: one per disk, in guest order; the path (a name for messages, as
 * in KERNEL) follows the head. */
enum proto_disk_flag {
	PROTO_DISK_READONLY = 1u << 0,
	PROTO_DISK_CDROM = 1u << 1, /* read-only too */
	PROTO_DISK_SHARED = 1u << 2 /* w!: writable, shared lock */
};
struct proto_disk {
	uint32_t flags; /* enum proto_disk_flag */
	uint32_t reserved;
	char serial[24]; /* virtio-blk id: NUL within the first 21 bytes */
};

/* DISK_ATTACH: as DISK (head, path), with the disk's fd, to a built
 * domain; answered when the function is plugged (the guest hears of it
 * through ACPI). DISK_DETACH: the disk's serial (its Xen name); answered
 * once the guest ejected it (or at once with FORCE, or -ETIMEDOUT after
 * PROTO_DETACH_WAIT_MS: the request stays, the disk goes when the guest
 * lets it go). */
enum proto_detach_flag {
	PROTO_DETACH_FORCE = 1u << 0 /* remove without the guest's help */
};
struct proto_disk_detach {
	char serial[24]; /* NUL within the first 21 bytes, not empty */
	uint32_t flags;  /* enum proto_detach_flag */
	uint32_t reserved;
};
#define PROTO_DETACH_WAIT_MS 20000

/* NIC: one per network interface; the fd is the tap. The rate (rate=)
 * came later within interface version 2: the first PROTO_NIC_MIN bytes
 * alone are a NIC without one, and libxmhv sends them alone when no rate
 * is set (proto_nic_len), so a monitor from before reads such a NIC. */
struct proto_nic {
	uint8_t mac[6];
	uint8_t reserved[2];
	char tap[16]; /* its name, for messages: NUL-terminated, not empty */
	uint64_t rate_bytes_per_sec; /* 0: unlimited */
	uint32_t rate_interval_us;   /* 0: 50 ms; at most 10 s */
	uint32_t reserved2;
};
#define PROTO_NIC_MIN 24
#define PROTO_NIC_INTERVAL_MAX 10000000u

/* NIC_ATTACH is a NIC (with the tap's fd) to a built domain; NIC_DETACH
 * names the NIC by its guest MAC. */
struct proto_nic_detach {
	uint8_t mac[6];
	uint8_t reserved[2];
	uint32_t flags; /* enum proto_detach_flag */
	uint32_t reserved2;
};

/* SHUTDOWN (enum xmhv_shutdown_reason) and SET_VCPUS (vCPUs online). */
struct proto_u32 {
	uint32_t value;
	uint32_t reserved;
};

/* REPLY: 0 or -errno, the answering monitor's pid, and a message. */
struct proto_reply {
	int32_t err;
	int32_t pid;
	char msg[PROTO_ERRMSG_MAX];
};

/* INFO: the answer to GETINFO. Monitors before disks send it without
 * pause_device (PROTO_INFO_MIN bytes; pause_reason was padding they
 * zeroed): a shorter INFO is read with the rest zero. */
struct proto_info {
	struct xmhv_dominfo info;
};
#define PROTO_INFO_MIN 144

/* EVENT: pushed on WATCH connections. */
struct proto_event {
	uint32_t domid;
	uint32_t state;  /* enum xmhv_state_flag bits */
	uint32_t reason; /* enum xmhv_shutdown_reason */
	/* enum xmhv_pause_reason with PAUSED; 0 from monitors before disks
	 * (the word was reserved and zero). */
	uint32_t pause_reason;
};

/* The largest payload of any type: CREATE's. */
#define PROTO_CREATE_MAX                                                       \
	(sizeof(struct proto_create) + XMHV_MAX_VCPUS * PROTO_AFFINITY_ROW +   \
	 XMHV_MAX_CPUID * sizeof(struct xmhv_cpuid_mask) + XMHV_PATH_MAX +     \
	 XMHV_CMDLINE_MAX)
#define PROTO_PAYLOAD_MAX PROTO_CREATE_MAX

/* A payload as held in memory (aligned for every type's head). */
union proto_payload {
	struct proto_create create;
	struct proto_disk disk;
	struct proto_nic nic;
	struct proto_disk_detach detach;
	struct proto_nic_detach nic_detach;
	struct proto_u32 u32;
	struct proto_reply reply;
	struct proto_info info;
	struct proto_event event;
	uint64_t align;
	uint8_t bytes[PROTO_PAYLOAD_MAX];
};

/* A received message: its header, payload and the fd it carried (-1:
 * none; whoever holds the message owns it). */
struct proto_msg {
	struct proto_hdr hdr;
	int fd;
	union proto_payload p;
};

/* ---- frames (proto.c; pure) ---- */

/* Bounds of a type's payload in interface version XMHV_INTERFACE_VERSION:
 * 0 with *min_out and *max_out, or -EINVAL for an unknown type. */
int proto_payload_bounds(enum proto_type type, uint32_t *min_out,
			 uint32_t *max_out) XMHV_WUR;
/* Does a message of this type carry one fd (true) or none (false)? */
bool proto_type_takes_fd(enum proto_type type);
/* Name of a message type for diagnostics ("?" when unknown). */
const char *proto_type_name(enum proto_type type);

/* Fill a header. */
void proto_hdr_init(struct proto_hdr *hdr, uint16_t version,
		    enum proto_type type, uint32_t length, uint32_t seq);

/* Check a received header against the version this end speaks: magic
 * (-EBADMSG), version (-EPROTONOSUPPORT), a type of that version
 * (-EBADMSG), length within the type's bounds (-EMSGSIZE when longer,
 * -EBADMSG when shorter). Returns 0 or -errno with a reason in why (may be
 * NULL). */
int proto_hdr_check(const struct proto_hdr *hdr, uint16_t version, char *why,
		    size_t whylen) XMHV_WUR;

/* Check a payload of the given type read in full (len bytes): bounds,
 * strings NUL-terminated where they must end, counts and enums within
 * bounds, reserved fields zero. Returns 0 or -EBADMSG (-EINVAL for a
 * well-formed message whose values are out of range), with a reason in
 * why (may be NULL). Never reads outside payload[0, len). */
int proto_payload_check(enum proto_type type, const void *payload, size_t len,
			char *why, size_t whylen) XMHV_WUR;

/* Is s NUL-terminated within size bytes? */
int proto_str_ok(const char *s, size_t size);

/* ---- the creation sequence (proto_seq.c; pure) ---- */

/* Encode CREATE for cfg (domain domid, publishing in run_dir) into buf of
 * size bytes (PROTO_CREATE_MAX is enough). Returns 0 with the length in
 * *len_out, or -EINVAL/-ENAMETOOLONG with why. */
int proto_create_encode(const struct xmhv_domain_config *cfg, uint32_t domid,
			const char *run_dir, void *buf, size_t size,
			uint32_t *len_out, char *why, size_t whylen) XMHV_WUR;
/* Decode a CREATE that passed proto_payload_check into cfg (its fds are
 * left alone), *domid_out and run_dir (XMHV_PATH_MAX bytes). */
void proto_create_decode(const void *payload, size_t len,
			 struct xmhv_domain_config *cfg, uint32_t *domid_out,
			 char *run_dir);
/* DISK for disk d: into buf (sizeof(struct proto_disk) + XMHV_PATH_MAX
 * bytes). Returns 0 with *len_out, or -EINVAL with why. */
int proto_disk_encode(const struct xmhv_disk_config *d, void *buf, size_t size,
		      uint32_t *len_out, char *why, size_t whylen) XMHV_WUR;
/* Decode a checked DISK into d (d->fd left alone). */
void proto_disk_decode(const void *payload, size_t len,
		       struct xmhv_disk_config *d);
/* NIC for nic n. Returns 0 or -EINVAL with why. */
int proto_nic_encode(const struct xmhv_nic_config *n, struct proto_nic *out,
		     char *why, size_t whylen) XMHV_WUR;
/* The bytes of an encoded NIC to send: PROTO_NIC_MIN without a rate. */
uint32_t proto_nic_len(const struct proto_nic *n);
/* Decode a checked NIC of len bytes into n (n->fd left alone). */
void proto_nic_decode(const struct proto_nic *in, uint32_t len,
		      struct xmhv_nic_config *n);

/* NIC_VHOST (the payload of a NIC_DETACH without flags) for mac. 0 or
 * -EINVAL with why. */
int proto_nic_vhost_encode(const uint8_t mac[6], struct proto_nic_detach *out,
			   char *why, size_t whylen) XMHV_WUR;

/* NIC_DETACH for mac (flags: enum proto_detach_flag). 0 or -EINVAL with
 * why. */
int proto_nic_detach_encode(const uint8_t mac[6], uint32_t flags,
			    struct proto_nic_detach *out, char *why,
			    size_t whylen) XMHV_WUR;

/* DISK_DETACH for serial (flags: enum proto_detach_flag). 0 or -EINVAL
 * with why. */
int proto_detach_encode(const char *serial, uint32_t flags,
			struct proto_disk_detach *out, char *why,
			size_t whylen) XMHV_WUR;

/* proto_payload_check of the creation messages (CREATE to START) and of
 * the disk requests (DISK_ATTACH, DISK_DETACH). */
int proto_seq_payload_check(enum proto_type type, const void *payload,
			    size_t len, char *why, size_t whylen) XMHV_WUR;

/* Where a creation sequence stands. Start zeroed. */
struct proto_seq {
	int step;    /* index of the last message's step; -1 before CREATE */
	bool begun;  /* a message was accepted */
	bool closed; /* START was accepted: the sequence is over */
	uint32_t count[PROTO_TYPE_MAX];
};
/* May a message of this type come next? Updates s when it may. 0, or
 * -EPROTO (not part of the sequence, out of order, a second one, after
 * START) or -E2BIG (more disks or NICs than the limit), with why. */
int proto_seq_next(struct proto_seq *s, enum proto_type type, char *why,
		   size_t whylen) XMHV_WUR;
/* The peer closed: 0 after START, else -EPIPE with why saying after which
 * message. */
int proto_seq_eof(const struct proto_seq *s, char *why, size_t whylen) XMHV_WUR;

/* ---- I/O (proto_io.c) ---- */

/* Write one whole message (blocking; the socket may be non-blocking: it
 * polls), with fd (-1: none) as SCM_RIGHTS on its first byte. Returns 0
 * or -errno (-EPIPE: the peer is gone). */
int proto_send(int sock, uint16_t version, enum proto_type type, uint32_t seq,
	       const void *payload, uint32_t len, int fd) XMHV_WUR;

/* Read one whole message into *msg, waiting at most timeout_ms (-1:
 * forever) for each part: the header, checked (proto_hdr_check) before the
 * payload is read, the payload, checked (proto_payload_check), and the fd
 * it carried, which must be there exactly when its type takes one.
 * msg->hdr holds what was received of the header even on failure (a
 * peer's version after -EPROTONOSUPPORT). Returns 0 (msg->fd owned by the
 * caller), -ETIMEDOUT, -EPIPE (EOF before the message), -EBADMSG (also EOF
 * within it: "truncated"), -EMSGSIZE, -EPROTONOSUPPORT, -EBADF (a missing,
 * unexpected or second fd), with why. On failure every fd received is
 * closed and msg->fd is -1. */
int proto_recv(int sock, uint16_t version, int timeout_ms,
	       struct proto_msg *msg, char *why, size_t whylen) XMHV_WUR;

/* One recvmsg (MSG_CMSG_CLOEXEC) of at most len bytes, for readers that
 * assemble messages themselves: *nfds_io counts the fds that came with
 * the bytes; the first is kept in *fd_io when that is -1, every other one
 * is closed. Returns the bytes read (0 on EOF) or -errno (-EAGAIN). */
ssize_t proto_read(int sock, void *buf, size_t len, int *fd_io,
		   unsigned *nfds_io);

#endif
