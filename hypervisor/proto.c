/* SPDX-License-Identifier: GPL-2.0-or-later */
/* proto.c: the libxmhv <-> xmhv frames: the type table, header and
 * payload checks (pure), and the name helpers of xmhv.h. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "proto.h"
#include "util.h"

_Static_assert(sizeof(struct proto_hdr) == PROTO_HDR_SIZE, "header layout");
_Static_assert(sizeof(struct proto_create) % 8 == 0, "create head layout");
_Static_assert(sizeof(struct proto_disk) == 32, "disk head layout");
_Static_assert(sizeof(struct proto_nic) == 40, "nic layout");
_Static_assert(offsetof(struct proto_nic, rate_bytes_per_sec) == PROTO_NIC_MIN,
	       "a NIC without a rate is the NIC of monitors before rate=");
_Static_assert(sizeof(struct proto_disk_detach) == 32, "detach layout");
_Static_assert(sizeof(struct proto_nic_detach) == 16, "nic detach layout");
_Static_assert(offsetof(struct xmhv_dominfo, pause_device) == PROTO_INFO_MIN,
	       "INFO of monitors before disks ends where pause_device starts");
_Static_assert(offsetof(struct xmhv_dominfo, pause_reason) == 140,
	       "pause_reason is the padding monitors before disks zeroed");

/* In which interface versions a type exists. */
#define PROTO_V1 (1u << 1)
#define PROTO_V2 (1u << 2)
#define PROTO_FIXED(t) sizeof(t), sizeof(t)

struct proto_type_desc {
	const char *name;
	uint32_t min, max; /* payload bytes */
	uint8_t versions;  /* PROTO_V1 | PROTO_V2 */
	bool fd;           /* carries exactly one fd */
};

static const struct proto_type_desc proto_types[PROTO_TYPE_MAX] = {
	[PROTO_CREATE_V1] = {"create (version 1)", 0, 0, 0, false},
	[PROTO_PING] = {"ping", 0, 0, PROTO_V1 | PROTO_V2, false},
	[PROTO_UNPAUSE] = {"unpause", 0, 0, PROTO_V1 | PROTO_V2, false},
	[PROTO_PAUSE] = {"pause", 0, 0, PROTO_V1 | PROTO_V2, false},
	[PROTO_SHUTDOWN] = {"shutdown", PROTO_FIXED(struct proto_u32),
			    PROTO_V1 | PROTO_V2, false},
	[PROTO_DESTROY] = {"destroy", 0, 0, PROTO_V1 | PROTO_V2, false},
	[PROTO_GETINFO] = {"getinfo", 0, 0, PROTO_V1 | PROTO_V2, false},
	[PROTO_SET_VCPUS] = {"set_vcpus", PROTO_FIXED(struct proto_u32),
			     PROTO_V1 | PROTO_V2, false},
	[PROTO_WATCH] = {"watch", 0, 0, PROTO_V1 | PROTO_V2, false},
	[PROTO_REPLY] = {"reply", PROTO_FIXED(struct proto_reply),
			 PROTO_V1 | PROTO_V2, false},
	[PROTO_INFO] = {"info", PROTO_INFO_MIN, sizeof(struct proto_info),
			PROTO_V1 | PROTO_V2, false},
	[PROTO_EVENT] = {"event", PROTO_FIXED(struct proto_event),
			 PROTO_V1 | PROTO_V2, false},
	[PROTO_CREATE] = {"create", sizeof(struct proto_create) + 3,
			  PROTO_CREATE_MAX, PROTO_V2, false},
	[PROTO_KERNEL] = {"kernel", 2, XMHV_PATH_MAX, PROTO_V2, true},
	[PROTO_RAMDISK] = {"ramdisk", 2, XMHV_PATH_MAX, PROTO_V2, true},
	[PROTO_CONSOLE_LOG] = {"console_log", 2, XMHV_PATH_MAX, PROTO_V2, true},
	[PROTO_DISK] = {"disk", sizeof(struct proto_disk) + 2,
			sizeof(struct proto_disk) + XMHV_PATH_MAX, PROTO_V2,
			true},
	[PROTO_NIC] = {"nic", PROTO_NIC_MIN, sizeof(struct proto_nic), PROTO_V2,
		       true},
	[PROTO_START] = {"start", 0, 0, PROTO_V2, false},
	[PROTO_DISK_ATTACH] = {"disk_attach", sizeof(struct proto_disk) + 2,
			       sizeof(struct proto_disk) + XMHV_PATH_MAX,
			       PROTO_V2, true},
	[PROTO_DISK_DETACH] = {"disk_detach",
			       PROTO_FIXED(struct proto_disk_detach), PROTO_V2,
			       false},
	[PROTO_NIC_ATTACH] = {"nic_attach", PROTO_NIC_MIN,
			      sizeof(struct proto_nic), PROTO_V2, true},
	[PROTO_NIC_DETACH] = {"nic_detach",
			      PROTO_FIXED(struct proto_nic_detach), PROTO_V2,
			      false},
	[PROTO_NIC_VHOST] = {"nic_vhost", PROTO_FIXED(struct proto_nic_detach),
			     PROTO_V2, true},
};

#define PROTO_STATE_MASK                                                       \
	(XMHV_STATE_RUNNING | XMHV_STATE_BLOCKED | XMHV_STATE_PAUSED |         \
	 XMHV_STATE_SHUTDOWN | XMHV_STATE_CRASHED | XMHV_STATE_DYING)

static const struct proto_type_desc *
proto_desc(enum proto_type type, uint16_t version)
{
	const struct proto_type_desc *d;

	if ((unsigned)type >= PROTO_TYPE_MAX || version > 7)
		return NULL;
	d = &proto_types[type];
	return d->name && (d->versions & (1u << version)) ? d : NULL;
}

/* proto.h: payload bounds of a type of this interface version. */
int
proto_payload_bounds(enum proto_type type, uint32_t *min_out, uint32_t *max_out)
{
	const struct proto_type_desc *d =
		proto_desc(type, XMHV_INTERFACE_VERSION);

	if (!d)
		return -EINVAL;
	*min_out = d->min;
	*max_out = d->max;
	return 0;
}

/* proto.h: does the type carry an fd? */
bool
proto_type_takes_fd(enum proto_type type)
{
	return (unsigned)type < PROTO_TYPE_MAX && proto_types[type].fd;
}

/* proto.h: diagnostic name of a type. */
const char *
proto_type_name(enum proto_type type)
{
	if ((unsigned)type >= PROTO_TYPE_MAX || !proto_types[type].name)
		return "?";
	return proto_types[type].name;
}

/* proto.h: a header. */
void
proto_hdr_init(struct proto_hdr *hdr, uint16_t version, enum proto_type type,
	       uint32_t length, uint32_t seq)
{
	hdr->magic = PROTO_MAGIC;
	hdr->version = version;
	hdr->type = (uint16_t)type;
	hdr->length = length;
	hdr->seq = seq;
}

static void proto_why(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
proto_why(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (!why || whylen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/* proto.h: magic, version, type and length bounds. */
int
proto_hdr_check(const struct proto_hdr *hdr, uint16_t version, char *why,
		size_t whylen)
{
	const struct proto_type_desc *d;

	if (hdr->magic != PROTO_MAGIC) {
		proto_why(why, whylen, "not a message (bad magic)");
		return -EBADMSG;
	}
	if (hdr->version != version) {
		proto_why(why, whylen, "interface version %u, not %u",
			  hdr->version, version);
		return -EPROTONOSUPPORT;
	}
	d = proto_desc((enum proto_type)hdr->type, version);
	if (!d) {
		proto_why(why, whylen, "unknown message type %u", hdr->type);
		return -EBADMSG;
	}
	if (hdr->length > d->max) {
		proto_why(why, whylen, "%s: %u bytes, at most %u", d->name,
			  hdr->length, d->max);
		return -EMSGSIZE;
	}
	if (hdr->length < d->min) {
		proto_why(why, whylen, "%s: %u bytes, at least %u", d->name,
			  hdr->length, d->min);
		return -EBADMSG;
	}
	return 0;
}

/* proto.h: NUL inside size bytes? */
int
proto_str_ok(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
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
	if (info->pause_reason > XMHV_PAUSE_REASON_MAX ||
	    !proto_str_ok(info->pause_device, sizeof(info->pause_device)))
		return -EBADMSG;
	return 0;
}

/* The payloads of the runtime messages (versions 1 and 2). */
union proto_runtime {
	struct proto_u32 u32;
	struct proto_reply reply;
	struct proto_info info;
	struct proto_event event;
};

static int
proto_check_runtime(enum proto_type type, const union proto_runtime *p,
		    char *why, size_t whylen)
{
	switch (type) {
	case PROTO_SHUTDOWN:
		if (p->u32.value != XMHV_SHUTDOWN_POWEROFF &&
		    p->u32.value != XMHV_SHUTDOWN_REBOOT) {
			proto_why(why, whylen, "bad shutdown reason %u",
				  p->u32.value);
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
		    p->reply.err > 0 || p->reply.err < -4095) {
			proto_why(why, whylen, "bad reply");
			return -EBADMSG;
		}
		return 0;
	case PROTO_INFO:
		if (proto_check_info(&p->info.info) < 0) {
			proto_why(why, whylen, "bad info");
			return -EBADMSG;
		}
		return 0;
	case PROTO_EVENT:
		if (p->event.state & ~(uint32_t)PROTO_STATE_MASK ||
		    p->event.reason > XMHV_SHUTDOWN_HALT ||
		    p->event.pause_reason > XMHV_PAUSE_REASON_MAX) {
			proto_why(why, whylen, "bad event");
			return -EBADMSG;
		}
		return 0;
	default:
		return 0;
	}
}

/* proto.h: bounds and values of a payload read in full. */
int
proto_payload_check(enum proto_type type, const void *payload, size_t len,
		    char *why, size_t whylen)
{
	const struct proto_type_desc *d =
		proto_desc(type, XMHV_INTERFACE_VERSION);
	union proto_runtime fixed;

	if (!d) {
		proto_why(why, whylen, "unknown message type %u",
			  (unsigned)type);
		return -EBADMSG;
	}
	if (len < d->min || len > d->max) {
		proto_why(why, whylen, "%s: %zu bytes, not %u..%u", d->name,
			  len, d->min, d->max);
		return -EBADMSG;
	}
	if (type >= PROTO_CREATE)
		return proto_seq_payload_check(type, payload, len, why, whylen);
	/* Runtime payloads are small and fixed: check an aligned copy. */
	if (len > sizeof(fixed)) {
		proto_why(why, whylen, "%s: too long", d->name);
		return -EBADMSG;
	}
	memset(&fixed, 0, sizeof(fixed)); /* a short INFO reads zeros */
	if (len > 0)
		memcpy(&fixed, payload, len);
	return proto_check_runtime(type, &fixed, why, whylen);
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
		cfg->nics[i].fd = cfg->nics[i].vhost_fd = -1;
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
