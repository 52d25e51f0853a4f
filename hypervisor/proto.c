/* SPDX-License-Identifier: GPL-2.0-or-later */
/* proto.c: encode and check the libxmhv <-> xmhv wire messages. */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "proto.h"
#include "util.h"

_Static_assert(sizeof(struct proto_hdr) == PROTO_HDR_SIZE, "header layout");

struct proto_type_desc {
	const char *name;
	size_t size;
};

static const struct proto_type_desc proto_types[PROTO_TYPE_MAX] = {
	[PROTO_CREATE] = {"create", sizeof(struct proto_create)},
	[PROTO_PING] = {"ping", 0},
	[PROTO_UNPAUSE] = {"unpause", 0},
	[PROTO_PAUSE] = {"pause", 0},
	[PROTO_SHUTDOWN] = {"shutdown", sizeof(struct proto_u32)},
	[PROTO_DESTROY] = {"destroy", 0},
	[PROTO_GETINFO] = {"getinfo", 0},
	[PROTO_SET_VCPUS] = {"set_vcpus", sizeof(struct proto_u32)},
	[PROTO_WATCH] = {"watch", 0},
	[PROTO_REPLY] = {"reply", sizeof(struct proto_reply)},
	[PROTO_INFO] = {"info", sizeof(struct proto_info)},
	[PROTO_EVENT] = {"event", sizeof(struct proto_event)},
};

#define PROTO_STATE_MASK                                                       \
	(XMHV_STATE_RUNNING | XMHV_STATE_BLOCKED | XMHV_STATE_PAUSED |         \
	 XMHV_STATE_SHUTDOWN | XMHV_STATE_CRASHED | XMHV_STATE_DYING)

/* proto.h: fixed payload size of a type. */
size_t
proto_payload_size(enum proto_type type)
{
	if ((unsigned)type >= PROTO_TYPE_MAX || !proto_types[type].name)
		return (size_t)-1;
	return proto_types[type].size;
}

/* proto.h: diagnostic name of a type. */
const char *
proto_type_name(enum proto_type type)
{
	if ((unsigned)type >= PROTO_TYPE_MAX || !proto_types[type].name)
		return "?";
	return proto_types[type].name;
}

/* proto.h: header for a message of this type. */
void
proto_hdr_init(struct proto_hdr *hdr, enum proto_type type, uint32_t seq)
{
	size_t size = proto_payload_size(type);

	hdr->magic = PROTO_MAGIC;
	hdr->version = XMHV_INTERFACE_VERSION;
	hdr->type = (uint16_t)type;
	hdr->length = size == (size_t)-1 ? 0 : (uint32_t)size;
	hdr->seq = seq;
}

/* proto.h: magic, version, type and exact length. */
int
proto_hdr_check(const struct proto_hdr *hdr)
{
	size_t size;

	if (hdr->magic != PROTO_MAGIC)
		return -EBADMSG;
	if (hdr->version != XMHV_INTERFACE_VERSION)
		return -EPROTONOSUPPORT;
	size = proto_payload_size((enum proto_type)hdr->type);
	if (size == (size_t)-1 || hdr->length != size)
		return -EBADMSG;
	return 0;
}

/* proto.h: NUL inside size bytes? */
int
proto_str_ok(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static void
proto_why(char *why, size_t whylen, const char *msg)
{
	if (why && whylen > 0)
		(void)snprintf(why, whylen, "%s", msg);
}

/* A Xen cpuid mask register: empty, or 32 of 0 1 x k s. */
static bool
proto_cpuid_reg_ok(const char *reg, size_t size)
{
	size_t n;

	if (!proto_str_ok(reg, size))
		return false;
	n = strlen(reg);
	if (n == 0)
		return true;
	if (n != 32)
		return false;
	return strspn(reg, "01xks") == 32;
}

static int
proto_check_config(const struct xmhv_domain_config *cfg, char *why,
		   size_t whylen)
{
	const char *strs[] = {cfg->name, cfg->kernel, cfg->ramdisk,
			      cfg->cmdline, cfg->console_log};
	const size_t sizes[] = {sizeof(cfg->name), sizeof(cfg->kernel),
				sizeof(cfg->ramdisk), sizeof(cfg->cmdline),
				sizeof(cfg->console_log)};
	uint32_t i;
	int r;

	for (i = 0; i < ARRAY_SIZE(strs); i++) {
		if (!proto_str_ok(strs[i], sizes[i])) {
			proto_why(why, whylen, "unterminated string");
			return -EBADMSG;
		}
	}
	if (cfg->ndisks > XMHV_MAX_DISKS || cfg->nnics > XMHV_MAX_NICS ||
	    cfg->ncpuid > XMHV_MAX_CPUID) {
		proto_why(why, whylen, "too many disks, nics or cpuid masks");
		return -EBADMSG;
	}
	for (i = 0; i < cfg->ndisks; i++) {
		if (!proto_str_ok(cfg->disks[i].path,
				  sizeof(cfg->disks[i].path)) ||
		    !proto_str_ok(cfg->disks[i].serial,
				  sizeof(cfg->disks[i].serial))) {
			proto_why(why, whylen, "unterminated disk string");
			return -EBADMSG;
		}
	}
	for (i = 0; i < cfg->nnics; i++) {
		if (!proto_str_ok(cfg->nics[i].tap, sizeof(cfg->nics[i].tap))) {
			proto_why(why, whylen, "unterminated tap name");
			return -EBADMSG;
		}
	}
	for (i = 0; i < cfg->ncpuid; i++) {
		for (r = 0; r < 4; r++) {
			if (!proto_cpuid_reg_ok(cfg->cpuid[i].reg[r],
						sizeof(cfg->cpuid[i].reg[r]))) {
				proto_why(why, whylen, "bad cpuid mask");
				return -EBADMSG;
			}
		}
	}
	if (cfg->kernel[0] == '\0') {
		proto_why(why, whylen, "no kernel");
		return -EINVAL;
	}
	if (cfg->memory_mib == 0 || cfg->memory_mib > (1ull << 30)) {
		proto_why(why, whylen, "memory out of range");
		return -EINVAL;
	}
	if (cfg->max_vcpus == 0 || cfg->max_vcpus > XMHV_MAX_VCPUS ||
	    cfg->vcpus_online > cfg->max_vcpus) {
		proto_why(why, whylen, "vcpus out of range");
		return -EINVAL;
	}
	return 0;
}

static int
proto_check_create(const struct proto_create *c, char *why, size_t whylen)
{
	if (!proto_str_ok(c->run_dir, sizeof(c->run_dir)) ||
	    c->run_dir[0] != '/') {
		proto_why(why, whylen, "run_dir not an absolute path");
		return -EBADMSG;
	}
	if (c->domid == 0) {
		proto_why(why, whylen, "domain id 0");
		return -EBADMSG;
	}
	return proto_check_config(&c->cfg, why, whylen);
}

static int
proto_check_info(const struct xmhv_dominfo *info)
{
	if (!proto_str_ok(info->name, sizeof(info->name)))
		return -EBADMSG;
	if (info->state & ~(uint32_t)PROTO_STATE_MASK)
		return -EBADMSG;
	if (info->shutdown_reason > XMHV_SHUTDOWN_HALT)
		return -EBADMSG;
	return 0;
}

/* proto.h: bounds of a payload read in full. */
int
proto_payload_check(enum proto_type type, const void *payload, size_t len,
		    char *why, size_t whylen)
{
	const union proto_payload *p = payload;

	if (len != proto_payload_size(type)) {
		proto_why(why, whylen, "bad length");
		return -EBADMSG;
	}
	switch (type) {
	case PROTO_CREATE:
		return proto_check_create(&p->create, why, whylen);
	case PROTO_SHUTDOWN:
		if (p->u32.value != XMHV_SHUTDOWN_POWEROFF &&
		    p->u32.value != XMHV_SHUTDOWN_REBOOT) {
			proto_why(why, whylen, "bad shutdown reason");
			return -EINVAL;
		}
		return 0;
	case PROTO_SET_VCPUS:
		if (p->u32.value == 0 || p->u32.value > XMHV_MAX_VCPUS) {
			proto_why(why, whylen, "vcpus out of range");
			return -EINVAL;
		}
		return 0;
	case PROTO_REPLY:
		if (!proto_str_ok(p->reply.msg, sizeof(p->reply.msg)) ||
		    p->reply.err > 0 || p->reply.err < -4095)
			return -EBADMSG;
		return 0;
	case PROTO_INFO:
		return proto_check_info(&p->info.info);
	case PROTO_EVENT:
		if (p->event.state & ~(uint32_t)PROTO_STATE_MASK ||
		    p->event.reason > XMHV_SHUTDOWN_HALT)
			return -EBADMSG;
		return 0;
	default:
		return 0;
	}
}

/* Wait until fd is readable or writable; 0, -ETIMEDOUT or -errno. */
static int
proto_wait(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = {.fd = fd, .events = events};
	int n;

	do {
		n = poll(&pfd, 1, timeout_ms);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ETIMEDOUT;
	return 0;
}

static int
proto_io(int fd, void *buf, size_t len, bool out, int timeout_ms)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = out ? write(fd, p, len) : read(fd, p, len);
		int r;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			r = proto_wait(fd, out ? POLLOUT : POLLIN, timeout_ms);
			if (r < 0)
				return r;
			continue;
		}
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* proto.h: write one whole message. */
int
proto_send(int fd, enum proto_type type, uint32_t seq, const void *payload)
{
	struct proto_hdr hdr;
	int r;

	if (proto_payload_size(type) == (size_t)-1)
		return -EINVAL;
	proto_hdr_init(&hdr, type, seq);
	r = proto_io(fd, &hdr, sizeof(hdr), true, 30000);
	if (r == 0 && hdr.length > 0)
		r = proto_io(fd, (void *)payload, hdr.length, true, 30000);
	return r;
}

/* proto.h: read and check one whole message. */
int
proto_recv(int fd, int timeout_ms, struct proto_hdr *hdr_out,
	   union proto_payload *msg)
{
	struct proto_hdr hdr;
	int r;

	r = proto_wait(fd, POLLIN, timeout_ms);
	if (r < 0)
		return r;
	r = proto_io(fd, &hdr, sizeof(hdr), false, timeout_ms);
	if (r < 0)
		return r;
	*hdr_out = hdr;
	r = proto_hdr_check(&hdr);
	if (r < 0)
		return r;
	if (hdr.length > 0) {
		r = proto_io(fd, msg, hdr.length, false, timeout_ms);
		if (r < 0)
			return r;
	}
	return proto_payload_check((enum proto_type)hdr.type, msg, hdr.length,
				   NULL, 0);
}

/* The name and state-string helpers of xmhv.h live here: pure, and shared
 * by libxmhv and the monitor. */
/* xmhv.h: Xen's name of a shutdown reason. */
const char *
xmhv_reason_name(enum xmhv_shutdown_reason reason)
{
	static const char *const names[] = {
		[XMHV_SHUTDOWN_NONE] = "none",
		[XMHV_SHUTDOWN_POWEROFF] = "poweroff",
		[XMHV_SHUTDOWN_REBOOT] = "reboot",
		[XMHV_SHUTDOWN_CRASH] = "crash",
		[XMHV_SHUTDOWN_HALT] = "halt",
	};

	if ((unsigned)reason >= ARRAY_SIZE(names))
		return "unknown";
	return names[reason];
}

/* xmhv.h: an empty configuration whose files are all "not open". */
void
xmhv_domain_config_init(struct xmhv_domain_config *cfg)
{
	uint32_t i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->kernel_fd = cfg->ramdisk_fd = cfg->console_log_fd = -1;
	for (i = 0; i < XMHV_MAX_DISKS; i++)
		cfg->disks[i].fd = -1;
	for (i = 0; i < XMHV_MAX_NICS; i++)
		cfg->nics[i].fd = -1;
}

/* xmhv.h: the "rbpscd" column of xm list. */
const char *
xmhv_state_string(uint32_t state, char buf[7])
{
	static const char letters[] = "rbpscd";
	int i;

	for (i = 0; i < 6; i++)
		buf[i] = (state & (1u << i)) ? letters[i] : '-';
	buf[6] = '\0';
	return buf;
}
