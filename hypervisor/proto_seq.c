/* SPDX-License-Identifier: GPL-2.0-or-later */
/* proto_seq.c: the creation sequence's messages (CREATE, KERNEL, RAMDISK,
 * CONSOLE_LOG, DISK, NIC, START): their encoding, checks and decoding, and
 * the order in which they may come. Pure. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "proto.h"
#include "util.h"

#define PROTO_DISK_FLAGS                                                       \
	(PROTO_DISK_READONLY | PROTO_DISK_CDROM | PROTO_DISK_SHARED)
#define PROTO_SERIAL_MAX 21 /* bytes with the NUL: a virtio-blk id is 20 */

static void seq_why(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
seq_why(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (!why || whylen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/* A string that fills len bytes and ends with its only NUL. */
static bool
seq_str_exact(const uint8_t *p, size_t len)
{
	return len >= 1 && p[len - 1] == '\0' && !memchr(p, '\0', len - 1);
}

/* Where the parts of a CREATE payload are, from its head. */
struct seq_create_layout {
	struct proto_create head;
	size_t affinity, cpuid, run_dir, cmdline; /* offsets */
};

static int
seq_create_layout(const uint8_t *p, size_t len, struct seq_create_layout *l,
		  char *why, size_t whylen)
{
	const struct proto_create *h = &l->head;
	size_t need;

	if (len < sizeof(*h)) {
		seq_why(why, whylen, "create: truncated head");
		return -EBADMSG;
	}
	memcpy(&l->head, p, sizeof(l->head));
	if (h->naffinity > XMHV_MAX_VCPUS || h->ncpuid > XMHV_MAX_CPUID ||
	    h->run_dir_len > XMHV_PATH_MAX ||
	    h->cmdline_len > XMHV_CMDLINE_MAX) {
		seq_why(why, whylen, "create: a count beyond its limit");
		return -EBADMSG;
	}
	l->affinity = sizeof(*h);
	l->cpuid = l->affinity + (size_t)h->naffinity * PROTO_AFFINITY_ROW;
	l->run_dir =
		l->cpuid + (size_t)h->ncpuid * sizeof(struct xmhv_cpuid_mask);
	l->cmdline = l->run_dir + h->run_dir_len;
	need = l->cmdline + h->cmdline_len;
	if (need != len) {
		seq_why(why, whylen, "create: %zu bytes, its counts say %zu",
			len, need);
		return -EBADMSG;
	}
	return 0;
}

/* A Xen cpuid mask register: empty, or 32 of 0 1 x k s. */
static bool
seq_cpuid_reg_ok(const char *reg, size_t size)
{
	size_t n;

	if (!proto_str_ok(reg, size))
		return false;
	n = strlen(reg);
	return n == 0 || (n == 32 && strspn(reg, "01xks") == 32);
}

static int
seq_check_create_parts(const uint8_t *p, const struct seq_create_layout *l,
		       char *why, size_t whylen)
{
	const struct proto_create *h = &l->head;
	struct xmhv_cpuid_mask m;
	uint32_t i, r;

	for (i = 0; i < sizeof(h->reserved); i++) {
		if (h->reserved[i]) {
			seq_why(why, whylen, "create: reserved bytes set");
			return -EBADMSG;
		}
	}
	if (!proto_str_ok(h->name, sizeof(h->name)) ||
	    !seq_str_exact(p + l->run_dir, h->run_dir_len) ||
	    !seq_str_exact(p + l->cmdline, h->cmdline_len)) {
		seq_why(why, whylen, "create: unterminated string");
		return -EBADMSG;
	}
	if (p[l->run_dir] != '/') {
		seq_why(why, whylen, "create: run_dir not an absolute path");
		return -EBADMSG;
	}
	for (i = 0; i < h->ncpuid; i++) {
		memcpy(&m, p + l->cpuid + i * sizeof(m), sizeof(m));
		for (r = 0; r < 4; r++) {
			if (!seq_cpuid_reg_ok(m.reg[r], sizeof(m.reg[r]))) {
				seq_why(why, whylen, "create: bad cpuid mask");
				return -EBADMSG;
			}
		}
	}
	return 0;
}

static int
seq_check_create(const uint8_t *p, size_t len, char *why, size_t whylen)
{
	struct seq_create_layout l;
	const struct proto_create *h = &l.head;
	int r;

	r = seq_create_layout(p, len, &l, why, whylen);
	if (r == 0)
		r = seq_check_create_parts(p, &l, why, whylen);
	if (r < 0)
		return r;
	if (h->domid == 0) {
		seq_why(why, whylen, "create: domain id 0");
		return -EBADMSG;
	}
	if (h->memory_mib == 0 || h->memory_mib > (1ull << 30)) {
		seq_why(why, whylen, "create: memory out of range");
		return -EINVAL;
	}
	if (h->max_vcpus == 0 || h->max_vcpus > XMHV_MAX_VCPUS ||
	    h->vcpus_online > h->max_vcpus) {
		seq_why(why, whylen, "create: vcpus out of range");
		return -EINVAL;
	}
	if (h->naffinity != 0 && h->naffinity != h->max_vcpus) {
		seq_why(why, whylen, "create: %u affinity rows for %u vcpus",
			h->naffinity, h->max_vcpus);
		return -EINVAL;
	}
	if (h->localtime > 1) {
		seq_why(why, whylen, "create: localtime is 0 or 1");
		return -EINVAL;
	}
	return 0;
}

static int
seq_check_label(enum proto_type type, const uint8_t *p, size_t len, char *why,
		size_t whylen)
{
	if (len < 2 || !seq_str_exact(p, len)) {
		seq_why(why, whylen, "%s: name not a terminated string",
			proto_type_name(type));
		return -EBADMSG;
	}
	return 0;
}

static int
seq_check_disk(const uint8_t *p, size_t len, char *why, size_t whylen)
{
	struct proto_disk d;

	memcpy(&d, p, sizeof(d));
	if ((d.flags & ~(uint32_t)PROTO_DISK_FLAGS) || d.reserved ||
	    !proto_str_ok(d.serial, PROTO_SERIAL_MAX)) {
		seq_why(why, whylen, "disk: bad flags or serial");
		return -EBADMSG;
	}
	if ((d.flags & PROTO_DISK_CDROM) && !(d.flags & PROTO_DISK_READONLY)) {
		seq_why(why, whylen, "disk: a cdrom is read-only");
		return -EINVAL;
	}
	if ((d.flags & PROTO_DISK_SHARED) && (d.flags & PROTO_DISK_READONLY)) {
		seq_why(why, whylen, "disk: shared (w!) is a writable mode");
		return -EINVAL;
	}
	return seq_check_label(PROTO_DISK, p + sizeof(d), len - sizeof(d), why,
			       whylen);
}

static int
seq_check_nic(const uint8_t *p, size_t len, char *why, size_t whylen)
{
	static const uint8_t zero[6];
	struct proto_nic n;

	memset(&n, 0, sizeof(n));
	if (len != PROTO_NIC_MIN && len != sizeof(n)) {
		seq_why(why, whylen, "nic: %zu bytes (%d or %zu)", len,
			PROTO_NIC_MIN, sizeof(n));
		return -EBADMSG;
	}
	memcpy(&n, p, len);
	if (n.reserved2 || n.rate_interval_us > PROTO_NIC_INTERVAL_MAX) {
		seq_why(why, whylen, "nic: bad rate interval");
		return -EBADMSG;
	}
	if (n.reserved[0] || n.reserved[1] ||
	    !proto_str_ok(n.tap, sizeof(n.tap)) || !n.tap[0]) {
		seq_why(why, whylen, "nic: bad tap name");
		return -EBADMSG;
	}
	if ((n.mac[0] & 1) || memcmp(n.mac, zero, sizeof(zero)) == 0) {
		seq_why(why, whylen, "nic %s: not a unicast MAC address",
			n.tap);
		return -EINVAL;
	}
	return 0;
}

static int
seq_check_nic_detach(const uint8_t *p, char *why, size_t whylen)
{
	static const uint8_t zero[6];
	struct proto_nic_detach d;

	memcpy(&d, p, sizeof(d));
	if ((d.flags & ~(uint32_t)PROTO_DETACH_FORCE) || d.reserved[0] ||
	    d.reserved[1] || d.reserved2 || (d.mac[0] & 1) ||
	    memcmp(d.mac, zero, sizeof(zero)) == 0) {
		seq_why(why, whylen, "nic_detach: bad flags or MAC");
		return -EBADMSG;
	}
	return 0;
}

/* NIC_VHOST: a NIC named by its MAC, no flags. */
static int
seq_check_nic_vhost(const uint8_t *p, char *why, size_t whylen)
{
	struct proto_nic_detach d;

	memcpy(&d, p, sizeof(d));
	if (d.flags || seq_check_nic_detach(p, why, whylen) < 0) {
		seq_why(why, whylen, "nic_vhost: bad flags or MAC");
		return -EBADMSG;
	}
	return 0;
}

/* proto.h: NIC_VHOST for mac. */
int
proto_nic_vhost_encode(const uint8_t mac[6], struct proto_nic_detach *out,
		       char *why, size_t whylen)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->mac, mac, sizeof(out->mac));
	return seq_check_nic_vhost((const uint8_t *)out, why, whylen) < 0
		       ? -EINVAL
		       : 0;
}

/* proto.h: NIC_DETACH for mac. */
int
proto_nic_detach_encode(const uint8_t mac[6], uint32_t flags,
			struct proto_nic_detach *out, char *why, size_t whylen)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->mac, mac, sizeof(out->mac));
	out->flags = flags;
	return seq_check_nic_detach((const uint8_t *)out, why, whylen) < 0
		       ? -EINVAL
		       : 0;
}

static int
seq_check_detach(const uint8_t *p, char *why, size_t whylen)
{
	struct proto_disk_detach d;

	memcpy(&d, p, sizeof(d));
	if ((d.flags & ~(uint32_t)PROTO_DETACH_FORCE) || d.reserved ||
	    !proto_str_ok(d.serial, PROTO_SERIAL_MAX) || !d.serial[0]) {
		seq_why(why, whylen, "disk_detach: bad flags or serial");
		return -EBADMSG;
	}
	return 0;
}

/* proto.h: DISK_DETACH for serial. */
int
proto_detach_encode(const char *serial, uint32_t flags,
		    struct proto_disk_detach *out, char *why, size_t whylen)
{
	memset(out, 0, sizeof(*out));
	if (!serial[0] || strlen(serial) >= PROTO_SERIAL_MAX ||
	    (flags & ~(uint32_t)PROTO_DETACH_FORCE)) {
		seq_why(why, whylen, "disk %s: not a disk name", serial);
		return -EINVAL;
	}
	memcpy(out->serial, serial, strlen(serial) + 1);
	out->flags = flags;
	return 0;
}

/* proto.h: the payload checks of the creation messages. */
int
proto_seq_payload_check(enum proto_type type, const void *payload, size_t len,
			char *why, size_t whylen)
{
	const uint8_t *p = payload;

	switch (type) {
	case PROTO_CREATE:
		return seq_check_create(p, len, why, whylen);
	case PROTO_KERNEL:
	case PROTO_RAMDISK:
	case PROTO_CONSOLE_LOG:
		return seq_check_label(type, p, len, why, whylen);
	case PROTO_DISK:
	case PROTO_DISK_ATTACH:
		return seq_check_disk(p, len, why, whylen);
	case PROTO_DISK_DETACH:
		return seq_check_detach(p, why, whylen);
	case PROTO_NIC:
	case PROTO_NIC_ATTACH:
		return seq_check_nic(p, len, why, whylen);
	case PROTO_NIC_DETACH:
		return seq_check_nic_detach(p, why, whylen);
	case PROTO_NIC_VHOST:
		return seq_check_nic_vhost(p, why, whylen);
	case PROTO_START:
		return 0;
	default:
		seq_why(why, whylen, "%s: not a creation message",
			proto_type_name(type));
		return -EBADMSG;
	}
}

/* proto.h: CREATE for cfg, checked as the monitor will check it. */
int
proto_create_encode(const struct xmhv_domain_config *cfg, uint32_t domid,
		    const char *run_dir, void *buf, size_t size,
		    uint32_t *len_out, char *why, size_t whylen)
{
	struct seq_create_layout l;
	struct proto_create *h = &l.head;
	uint8_t *p = buf;
	size_t rlen, clen, len;
	uint32_t i;
	int r;

	if (!proto_str_ok(cfg->name, sizeof(cfg->name)) ||
	    !proto_str_ok(cfg->cmdline, sizeof(cfg->cmdline)) ||
	    strlen(run_dir) >= XMHV_PATH_MAX) {
		seq_why(why, whylen, "a name, command line or path too long");
		return -ENAMETOOLONG;
	}
	if (cfg->max_vcpus > XMHV_MAX_VCPUS || cfg->ncpuid > XMHV_MAX_CPUID) {
		seq_why(why, whylen, "too many vcpus or cpuid masks");
		return -EINVAL;
	}
	memset(h, 0, sizeof(*h));
	h->domid = domid;
	h->max_vcpus = cfg->max_vcpus;
	h->vcpus_online = cfg->vcpus_online;
	h->naffinity = cfg->pin_vcpus ? cfg->max_vcpus : 0;
	h->ncpuid = cfg->ncpuid;
	rlen = strlen(run_dir) + 1;
	clen = strlen(cfg->cmdline) + 1;
	h->run_dir_len = (uint16_t)rlen;
	h->cmdline_len = (uint16_t)clen;
	h->localtime = cfg->localtime != 0;
	h->memory_mib = cfg->memory_mib;
	memcpy(h->uuid, cfg->uuid, sizeof(h->uuid));
	memcpy(h->name, cfg->name, sizeof(h->name));
	l.affinity = sizeof(*h);
	l.cpuid = l.affinity + (size_t)h->naffinity * PROTO_AFFINITY_ROW;
	l.run_dir =
		l.cpuid + (size_t)h->ncpuid * sizeof(struct xmhv_cpuid_mask);
	l.cmdline = l.run_dir + rlen;
	len = l.cmdline + clen;
	if (len > size) {
		seq_why(why, whylen, "create: %zu bytes do not fit", len);
		return -EINVAL;
	}
	memcpy(p, h, sizeof(*h));
	for (i = 0; i < h->naffinity; i++)
		memcpy(p + l.affinity + i * PROTO_AFFINITY_ROW,
		       cfg->cpu_affinity[i], PROTO_AFFINITY_ROW);
	if (h->ncpuid)
		memcpy(p + l.cpuid, cfg->cpuid,
		       h->ncpuid * sizeof(struct xmhv_cpuid_mask));
	memcpy(p + l.run_dir, run_dir, rlen);
	memcpy(p + l.cmdline, cfg->cmdline, clen);
	r = seq_check_create(p, len, why, whylen);
	if (r < 0)
		return r == -EBADMSG ? -EINVAL : r;
	*len_out = (uint32_t)len;
	return 0;
}

/* proto.h: a checked CREATE into cfg, its id and run_dir. */
void
proto_create_decode(const void *payload, size_t len,
		    struct xmhv_domain_config *cfg, uint32_t *domid_out,
		    char *run_dir)
{
	const uint8_t *p = payload;
	struct seq_create_layout l;
	const struct proto_create *h = &l.head;
	uint32_t i;

	if (seq_create_layout(p, len, &l, NULL, 0) < 0)
		return; /* not checked: the caller's bug */
	memcpy(cfg->name, h->name, sizeof(cfg->name));
	memcpy(cfg->uuid, h->uuid, sizeof(cfg->uuid));
	cfg->memory_mib = h->memory_mib;
	cfg->max_vcpus = h->max_vcpus;
	cfg->vcpus_online = h->vcpus_online;
	cfg->localtime = h->localtime;
	cfg->pin_vcpus = h->naffinity > 0;
	memset(cfg->cpu_affinity, 0, sizeof(cfg->cpu_affinity));
	for (i = 0; i < h->naffinity; i++)
		memcpy(cfg->cpu_affinity[i],
		       p + l.affinity + i * PROTO_AFFINITY_ROW,
		       PROTO_AFFINITY_ROW);
	cfg->ncpuid = h->ncpuid;
	if (h->ncpuid)
		memcpy(cfg->cpuid, p + l.cpuid,
		       h->ncpuid * sizeof(struct xmhv_cpuid_mask));
	memcpy(cfg->cmdline, p + l.cmdline, h->cmdline_len);
	memcpy(run_dir, p + l.run_dir, h->run_dir_len);
	*domid_out = h->domid;
}

/* proto.h: DISK for d. */
int
proto_disk_encode(const struct xmhv_disk_config *d, void *buf, size_t size,
		  uint32_t *len_out, char *why, size_t whylen)
{
	struct proto_disk h;
	size_t plen;

	if (!proto_str_ok(d->path, sizeof(d->path)) || !d->path[0] ||
	    !proto_str_ok(d->serial, PROTO_SERIAL_MAX)) {
		seq_why(why, whylen, "disk: no path, or a string too long");
		return -EINVAL;
	}
	plen = strlen(d->path) + 1;
	if (sizeof(h) + plen > size) {
		seq_why(why, whylen, "disk %s: does not fit", d->path);
		return -EINVAL;
	}
	memset(&h, 0, sizeof(h));
	h.flags = (d->readonly || d->cdrom ? PROTO_DISK_READONLY : 0) |
		  (d->cdrom ? PROTO_DISK_CDROM : 0) |
		  (d->shared && !d->readonly && !d->cdrom ? PROTO_DISK_SHARED
							  : 0);
	memcpy(h.serial, d->serial, strlen(d->serial) + 1);
	memcpy(buf, &h, sizeof(h));
	memcpy((uint8_t *)buf + sizeof(h), d->path, plen);
	*len_out = (uint32_t)(sizeof(h) + plen);
	return 0;
}

/* proto.h: a checked DISK into d. */
void
proto_disk_decode(const void *payload, size_t len, struct xmhv_disk_config *d)
{
	struct proto_disk h;

	memcpy(&h, payload, sizeof(h));
	d->readonly = (h.flags & PROTO_DISK_READONLY) != 0;
	d->cdrom = (h.flags & PROTO_DISK_CDROM) != 0;
	d->shared = (h.flags & PROTO_DISK_SHARED) != 0;
	memset(d->serial, 0, sizeof(d->serial));
	memcpy(d->serial, h.serial, strlen(h.serial) + 1);
	memset(d->path, 0, sizeof(d->path));
	if (len > sizeof(h))
		memcpy(d->path, (const uint8_t *)payload + sizeof(h),
		       len - sizeof(h));
}

/* proto.h: NIC for n. */
int
proto_nic_encode(const struct xmhv_nic_config *n, struct proto_nic *out,
		 char *why, size_t whylen)
{
	if (!proto_str_ok(n->tap, sizeof(n->tap)) || !n->tap[0]) {
		seq_why(why, whylen, "nic: no tap name, or one too long");
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	memcpy(out->mac, n->mac, sizeof(out->mac));
	memcpy(out->tap, n->tap, sizeof(out->tap));
	out->rate_bytes_per_sec = n->rate_bytes_per_sec;
	out->rate_interval_us = n->rate_bytes_per_sec ? n->rate_interval_us : 0;
	return seq_check_nic((const uint8_t *)out, proto_nic_len(out), why,
			     whylen);
}

/* proto.h: the bytes of n to send. */
uint32_t
proto_nic_len(const struct proto_nic *n)
{
	return n->rate_bytes_per_sec || n->rate_interval_us
		       ? (uint32_t)sizeof(*n)
		       : PROTO_NIC_MIN;
}

/* proto.h: a checked NIC into n. */
void
proto_nic_decode(const struct proto_nic *in, uint32_t len,
		 struct xmhv_nic_config *n)
{
	memcpy(n->mac, in->mac, sizeof(n->mac));
	memcpy(n->tap, in->tap, sizeof(n->tap));
	n->rate_bytes_per_sec = len >= sizeof(*in) ? in->rate_bytes_per_sec : 0;
	n->rate_interval_us = len >= sizeof(*in) ? in->rate_interval_us : 0;
}

/* The order of the creation sequence, and how many of each. */
static const struct {
	enum proto_type type;
	uint32_t min, max;
} seq_steps[] = {
	{PROTO_CREATE, 1, 1},
	{PROTO_KERNEL, 1, 1},
	{PROTO_RAMDISK, 0, 1},
	{PROTO_CONSOLE_LOG, 0, 1},
	{PROTO_DISK, 0, XMHV_MAX_DISKS},
	{PROTO_NIC, 0, XMHV_MAX_NICS},
	{PROTO_START, 1, 1},
};

static int
seq_step_of(enum proto_type type)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(seq_steps); i++)
		if (seq_steps[i].type == type)
			return (int)i;
	return -1;
}

/* proto.h: may type come next? */
int
proto_seq_next(struct proto_seq *s, enum proto_type type, char *why,
	       size_t whylen)
{
	const char *name = proto_type_name(type);
	int i = seq_step_of(type), cur = s->begun ? s->step : -1, j;

	/* A NIC's vhost fd follows the NIC, at most one each (the monitor
	 * checks that it names that NIC). */
	if (type == PROTO_NIC_VHOST && !s->closed && s->begun &&
	    seq_steps[cur].type == PROTO_NIC &&
	    s->count[PROTO_NIC_VHOST] < s->count[PROTO_NIC]) {
		s->count[type]++;
		return 0;
	}
	if (type == PROTO_NIC_VHOST) {
		seq_why(why, whylen, "%s not right after a nic", name);
		return -EPROTO;
	}
	if (i < 0) {
		seq_why(why, whylen, "%s is not part of the creation sequence",
			name);
		return -EPROTO;
	}
	if (s->closed) {
		seq_why(why, whylen, "%s after start", name);
		return -EPROTO;
	}
	if (i < cur) {
		seq_why(why, whylen, "%s after %s", name,
			proto_type_name(seq_steps[cur].type));
		return -EPROTO;
	}
	if (i == cur && s->count[type] >= seq_steps[i].max) {
		if (seq_steps[i].max == 1) {
			seq_why(why, whylen, "a second %s", name);
			return -EPROTO;
		}
		seq_why(why, whylen, "more than %u %ss", seq_steps[i].max,
			name);
		return -E2BIG;
	}
	for (j = cur + 1; j < i; j++) {
		if (seq_steps[j].min > 0) {
			seq_why(why, whylen, "%s before %s", name,
				proto_type_name(seq_steps[j].type));
			return -EPROTO;
		}
	}
	s->step = i;
	s->begun = true;
	s->count[type]++;
	s->closed = type == PROTO_START;
	return 0;
}

/* proto.h: EOF within the sequence. */
int
proto_seq_eof(const struct proto_seq *s, char *why, size_t whylen)
{
	if (s->closed)
		return 0;
	if (!s->begun)
		seq_why(why, whylen, "connection closed before create");
	else
		seq_why(why, whylen,
			"connection closed before start (after %s)",
			proto_type_name(seq_steps[s->step].type));
	return -EPIPE;
}
