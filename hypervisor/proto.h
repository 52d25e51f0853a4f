/* SPDX-License-Identifier: GPL-2.0-or-later */
/* proto.h: the wire protocol between libxmhv and an xmhv monitor. */
#ifndef XMHV_PROTO_H
#define XMHV_PROTO_H

/*
 * Every message is a fixed 16-byte header followed by a fixed-layout payload
 * whose exact size is given by its type (proto_payload_size): a message
 * whose length field differs is refused before anything is allocated or
 * read. Integers are in host byte order (both ends run on the same host).
 * The header carries XMHV_INTERFACE_VERSION; a peer speaking another
 * version gets a PROTO_REPLY with -EPROTONOSUPPORT and a message naming
 * both versions, and the connection is closed.
 *
 * Requests (libxmhv -> xmhv) and their answers:
 *   CREATE  (first message on the spawn socketpair only) -> REPLY
 *   PING, UNPAUSE, PAUSE, SHUTDOWN, DESTROY, SET_VCPUS   -> REPLY
 *   GETINFO                                              -> INFO
 *   WATCH -> REPLY, then EVENT messages pushed on that connection for
 *            every state change until it closes (running <-> blocked flips
 *            are not events). DESTROY first pushes an EVENT with the DYING
 *            bit, so a watcher knows the EOF that follows is a destroy; an
 *            EOF without it means the monitor died (reason crash).
 * After CREATE succeeds the spawn socketpair stays open as an ordinary
 * connection (libxmhv sends WATCH on it). The control socket
 * "<run_dir>/<domid>.sock" is mode 0600.
 */

#include <stddef.h>
#include <stdint.h>

#include "xmhv.h"

#define PROTO_MAGIC 0x56484d58u /* "XMHV" in little-endian memory */
#define PROTO_HDR_SIZE 16
#define PROTO_ERRMSG_MAX 512

enum proto_type {
	PROTO_INVALID = 0,
	PROTO_CREATE,
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
	PROTO_TYPE_MAX /* sentinel */
};

struct proto_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t type;   /* enum proto_type */
	uint32_t length; /* payload bytes after the header */
	uint32_t seq;    /* echoed in the answer */
};

/* CREATE: where the monitor lives and what to build. */
struct proto_create {
	char run_dir[XMHV_PATH_MAX];
	uint32_t domid;
	uint32_t reserved;
	struct xmhv_domain_config cfg;
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

/* INFO: the answer to GETINFO. */
struct proto_info {
	struct xmhv_dominfo info;
};

/* EVENT: pushed on WATCH connections. */
struct proto_event {
	uint32_t domid;
	uint32_t state;  /* enum xmhv_state_flag bits */
	uint32_t reason; /* enum xmhv_shutdown_reason */
	uint32_t reserved;
};

/* A message as held in memory: header + the largest payload. */
union proto_payload {
	struct proto_create create;
	struct proto_u32 u32;
	struct proto_reply reply;
	struct proto_info info;
	struct proto_event event;
};

/* Payload size of a message type; (size_t)-1 for an unknown type. Pure. */
size_t proto_payload_size(enum proto_type type);

/* Name of a message type for diagnostics ("?" when unknown). Pure. */
const char *proto_type_name(enum proto_type type);

/* Fill a header for a message of this type. Pure. */
void proto_hdr_init(struct proto_hdr *hdr, enum proto_type type, uint32_t seq);

/* Check a received header: magic, interface version (-EPROTONOSUPPORT),
 * known type and exact length (-EBADMSG). Pure; returns 0 or -errno. */
int proto_hdr_check(const struct proto_hdr *hdr)
	__attribute__((warn_unused_result));

/* Check a payload of the given type after it was read in full: strings
 * NUL-terminated inside their arrays, counts and enums within bounds.
 * len must be the payload size. Pure; returns 0 or -EBADMSG (-EINVAL for
 * a well-formed CREATE whose values are out of range, with a reason in
 * why when why is not NULL). */
int proto_payload_check(enum proto_type type, const void *payload, size_t len,
			char *why, size_t whylen)
	__attribute__((warn_unused_result));

/* Is s NUL-terminated within size bytes? Pure. */
int proto_str_ok(const char *s, size_t size);

/* Blocking I/O helpers (retry on EINTR; the fd may be non-blocking: they
 * poll). proto_send writes header + payload; returns 0 or -errno.
 * proto_recv waits at most timeout_ms (-1: forever) for a whole message,
 * checks header and payload, and copies it into *msg (type in
 * hdr_out->type). Returns 0, -ETIMEDOUT, -EPIPE on EOF, -EBADMSG,
 * -EPROTONOSUPPORT (then *hdr_out still holds the peer's header). */
int proto_send(int fd, enum proto_type type, uint32_t seq, const void *payload)
	__attribute__((warn_unused_result));
int proto_recv(int fd, int timeout_ms, struct proto_hdr *hdr_out,
	       union proto_payload *msg) __attribute__((warn_unused_result));

#endif
