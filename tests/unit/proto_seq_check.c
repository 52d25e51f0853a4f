/* SPDX-License-Identifier: GPL-2.0-or-later */
/* proto_seq_check.c: unit tests of the creation sequence's messages
 * (proto_seq.c): CREATE, KERNEL, RAMDISK, CONSOLE_LOG, DISK and NIC encoded,
 * checked and decoded, the refusals of bad ones, and the order check. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "tap.h"
#include "util.h"
#include "xmhv.h"

static void
good_config(struct xmhv_domain_config *cfg)
{
	xmhv_domain_config_init(cfg);
	strcpy(cfg->name, "web1");
	strcpy(cfg->kernel, "/boot/vmlinuz");
	strcpy(cfg->cmdline, "root=/dev/vda1 console=ttyS0");
	cfg->uuid[3] = 0x33;
	cfg->memory_mib = 256;
	cfg->max_vcpus = 2;
	cfg->vcpus_online = 1;
	cfg->localtime = 1;
}

/* Encode cfg as CREATE into buf; its length, 0 on failure. */
static uint32_t
encode(const struct xmhv_domain_config *cfg, uint8_t *buf, char *why,
       size_t whylen)
{
	uint32_t len = 0;

	if (proto_create_encode(cfg, 3, "/run/xmd/dom", buf, PROTO_CREATE_MAX,
				&len, why, whylen) < 0)
		return 0;
	return len;
}

static int
check_create(const uint8_t *buf, uint32_t len, char *why, size_t whylen)
{
	return proto_payload_check(PROTO_CREATE, buf, len, why, whylen);
}

/* Change the head of an encoded CREATE and check it again. */
static int
check_head(const uint8_t *good, uint32_t len, uint8_t *buf,
	   void (*edit)(struct proto_create *h), char *why, size_t whylen)
{
	struct proto_create h;

	memcpy(buf, good, len);
	memcpy(&h, buf, sizeof(h));
	edit(&h);
	memcpy(buf, &h, sizeof(h));
	return check_create(buf, len, why, whylen);
}

static void
edit_domid0(struct proto_create *h)
{
	h->domid = 0;
}

static void
edit_vcpus(struct proto_create *h)
{
	h->max_vcpus = XMHV_MAX_VCPUS + 1;
}

static void
edit_online(struct proto_create *h)
{
	h->vcpus_online = h->max_vcpus + 1;
}

static void
edit_memory(struct proto_create *h)
{
	h->memory_mib = 0;
}

static void
edit_name(struct proto_create *h)
{
	memset(h->name, 'n', sizeof(h->name));
}

static void
edit_reserved(struct proto_create *h)
{
	h->reserved[6] = 1;
}

static void
edit_ncpuid(struct proto_create *h)
{
	h->ncpuid = XMHV_MAX_CPUID + 1;
}

static void
edit_localtime(struct proto_create *h)
{
	h->localtime = 2;
}

static void
test_create(void)
{
	struct xmhv_domain_config *cfg = malloc(sizeof(*cfg));
	struct xmhv_domain_config *out = malloc(sizeof(*out));
	uint8_t *good = malloc(PROTO_CREATE_MAX),
		*buf = malloc(PROTO_CREATE_MAX);
	char why[160], run_dir[XMHV_PATH_MAX];
	uint32_t len, domid = 0, i;

	good_config(cfg);
	cfg->pin_vcpus = 1;
	cfg->cpu_affinity[1][3] = 0x80;
	cfg->ncpuid = 1;
	cfg->cpuid[0].leaf = 1;
	strcpy(cfg->cpuid[0].reg[2], "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx0");
	len = encode(cfg, good, why, sizeof(why));
	tap_ok(len > 0 && check_create(good, len, why, sizeof(why)) == 0,
	       "a good create encodes (%u bytes) and passes (%s)", len, why);
	xmhv_domain_config_init(out);
	proto_create_decode(good, len, out, &domid, run_dir);
	tap_ok(domid == 3 && strcmp(run_dir, "/run/xmd/dom") == 0 &&
		       strcmp(out->name, "web1") == 0 &&
		       strcmp(out->cmdline, cfg->cmdline) == 0 &&
		       out->uuid[3] == 0x33 && out->memory_mib == 256 &&
		       out->max_vcpus == 2 && out->vcpus_online == 1 &&
		       out->localtime == 1 && out->pin_vcpus &&
		       out->cpu_affinity[1][3] == 0x80 && out->ncpuid == 1 &&
		       memcmp(&out->cpuid[0], &cfg->cpuid[0],
			      sizeof(cfg->cpuid[0])) == 0,
	       "it decodes to what was encoded");
	tap_ok(out->kernel_fd == -1 && out->kernel[0] == '\0',
	       "no kernel, no path in it: those come with KERNEL");
	tap_is_int(check_create(good, len - 1, NULL, 0), -EBADMSG,
		   "a create one byte short");
	memcpy(buf, good, len);
	buf[len] = 0;
	tap_is_int(check_create(buf, len + 1, NULL, 0), -EBADMSG,
		   "a create one byte long");
	memcpy(buf, good, len);
	buf[len - 1] = 'x';
	tap_is_int(check_create(buf, len, NULL, 0), -EBADMSG,
		   "an unterminated command line");
	memcpy(buf, good, len);
	buf[len - 5] = '\0';
	tap_is_int(check_create(buf, len, NULL, 0), -EBADMSG,
		   "a NUL inside the command line");
	tap_ok(check_head(good, len, buf, edit_domid0, why, sizeof(why)) ==
		       -EBADMSG,
	       "domain id 0: %s", why);
	tap_ok(check_head(good, len, buf, edit_vcpus, why, sizeof(why)) ==
		       -EINVAL,
	       "too many vcpus: %s", why);
	tap_ok(check_head(good, len, buf, edit_online, why, sizeof(why)) ==
		       -EINVAL,
	       "more online than max vcpus: %s", why);
	tap_is_int(check_head(good, len, buf, edit_memory, NULL, 0), -EINVAL,
		   "zero memory");
	tap_is_int(check_head(good, len, buf, edit_name, NULL, 0), -EBADMSG,
		   "an unterminated name");
	tap_is_int(check_head(good, len, buf, edit_reserved, NULL, 0), -EBADMSG,
		   "reserved bytes set");
	tap_is_int(check_head(good, len, buf, edit_ncpuid, NULL, 0), -EBADMSG,
		   "33 cpuid masks");
	tap_is_int(check_head(good, len, buf, edit_localtime, NULL, 0), -EINVAL,
		   "localtime 2");
	cfg->pin_vcpus = 0;
	strcpy(cfg->cpuid[0].reg[2], "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx0");
	tap_is_int(encode(cfg, buf, why, sizeof(why)), 0,
		   "a 31-character cpuid mask is not encoded");
	strcpy(cfg->cpuid[0].reg[2], "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxz");
	tap_is_int(encode(cfg, buf, NULL, 0), 0, "nor one with 'z'");
	cfg->ncpuid = 0;
	len = encode(cfg, buf, NULL, 0);
	memcpy(buf + sizeof(struct proto_create), "rel", 3);
	tap_is_int(check_create(buf, len, NULL, 0), -EBADMSG,
		   "a relative run_dir");
	/* The largest create there can be fits its maximum. */
	cfg->max_vcpus = XMHV_MAX_VCPUS;
	cfg->pin_vcpus = 1;
	cfg->ncpuid = XMHV_MAX_CPUID;
	memset(cfg->cpuid, 0, sizeof(cfg->cpuid));
	for (i = 0; i < XMHV_MAX_CPUID; i++)
		strcpy(cfg->cpuid[i].reg[0],
		       "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	memset(cfg->cmdline, 'c', sizeof(cfg->cmdline) - 1);
	memset(run_dir, 'r', sizeof(run_dir) - 1);
	run_dir[0] = '/';
	run_dir[sizeof(run_dir) - 1] = '\0';
	tap_ok(proto_create_encode(cfg, 9, run_dir, buf, PROTO_CREATE_MAX, &len,
				   why, sizeof(why)) == 0 &&
		       len == PROTO_CREATE_MAX &&
		       check_create(buf, len, NULL, 0) == 0,
	       "the largest create is exactly the maximum (%u bytes)", len);
	free(cfg);
	free(out);
	free(good);
	free(buf);
}

static int
check_bytes(enum proto_type type, const void *p, size_t len)
{
	return proto_payload_check(type, p, len, NULL, 0);
}

static void
test_files(void)
{
	struct xmhv_disk_config d, back;
	struct xmhv_nic_config n = {
		.mac = {0x00, 0x16, 0x3e, 1, 2, 3}, .tap = "vif3.0", .fd = -1};
	struct xmhv_nic_config nback;
	struct proto_nic pn;
	uint8_t buf[sizeof(struct proto_disk) + XMHV_PATH_MAX];
	struct proto_disk h;
	char why[128];
	uint32_t len = 0;

	tap_is_int(check_bytes(PROTO_KERNEL, "/boot/vmlinuz", 14), 0,
		   "a kernel name");
	tap_is_int(check_bytes(PROTO_KERNEL, "/boot/vmlinuz!", 14), -EBADMSG,
		   "an unterminated kernel name");
	tap_is_int(check_bytes(PROTO_RAMDISK, "/bo\0t", 6), -EBADMSG,
		   "a NUL inside a ramdisk name");
	tap_is_int(check_bytes(PROTO_CONSOLE_LOG, "", 1), -EBADMSG,
		   "an empty console log name");
	memset(&d, 0, sizeof(d));
	strcpy(d.path, "/srv/web1.img");
	strcpy(d.serial, "hda1");
	d.shared = 1;
	tap_ok(proto_disk_encode(&d, buf, sizeof(buf), &len, why,
				 sizeof(why)) == 0 &&
		       check_bytes(PROTO_DISK, buf, len) == 0,
	       "a shared writable disk encodes and passes (%s)", why);
	memset(&back, 0, sizeof(back));
	proto_disk_decode(buf, len, &back);
	tap_ok(strcmp(back.path, d.path) == 0 &&
		       strcmp(back.serial, "hda1") == 0 && back.shared &&
		       !back.readonly && !back.cdrom,
	       "and decodes to it");
	memcpy(&h, buf, sizeof(h));
	h.flags = PROTO_DISK_CDROM;
	memcpy(buf, &h, sizeof(h));
	tap_ok(proto_payload_check(PROTO_DISK, buf, len, why, sizeof(why)) ==
		       -EINVAL,
	       "a writable cdrom: %s", why);
	h.flags = PROTO_DISK_SHARED | PROTO_DISK_READONLY;
	memcpy(buf, &h, sizeof(h));
	tap_is_int(check_bytes(PROTO_DISK, buf, len), -EINVAL,
		   "shared and read-only");
	h.flags = 1u << 9;
	memcpy(buf, &h, sizeof(h));
	tap_is_int(check_bytes(PROTO_DISK, buf, len), -EBADMSG,
		   "an unknown disk flag");
	h.flags = 0;
	memset(h.serial, 's', sizeof(h.serial));
	memcpy(buf, &h, sizeof(h));
	tap_is_int(check_bytes(PROTO_DISK, buf, len), -EBADMSG,
		   "an unterminated serial");
	d.path[0] = '\0';
	tap_is_int(proto_disk_encode(&d, buf, sizeof(buf), &len, NULL, 0),
		   -EINVAL, "a disk without a path is not encoded");
	tap_ok(proto_nic_encode(&n, &pn, why, sizeof(why)) == 0 &&
		       proto_nic_len(&pn) == PROTO_NIC_MIN &&
		       check_bytes(PROTO_NIC, &pn, PROTO_NIC_MIN) == 0,
	       "a nic without a rate encodes to the 24 bytes of monitors "
	       "before rate= and passes (%s)",
	       why);
	memset(&nback, 0, sizeof(nback));
	nback.rate_bytes_per_sec = 7;
	proto_nic_decode(&pn, PROTO_NIC_MIN, &nback);
	tap_ok(strcmp(nback.tap, "vif3.0") == 0 && nback.mac[5] == 3 &&
		       nback.rate_bytes_per_sec == 0,
	       "and decodes to it, unlimited");
	n.rate_bytes_per_sec = 1250000;
	n.rate_interval_us = 20000;
	tap_ok(proto_nic_encode(&n, &pn, why, sizeof(why)) == 0 &&
		       proto_nic_len(&pn) == sizeof(pn) &&
		       check_bytes(PROTO_NIC, &pn, sizeof(pn)) == 0,
	       "rate=10Mb/s@20ms: 40 bytes (%s)", why);
	memset(&nback, 0, sizeof(nback));
	proto_nic_decode(&pn, sizeof(pn), &nback);
	tap_ok(nback.rate_bytes_per_sec == 1250000 &&
		       nback.rate_interval_us == 20000,
	       "and the rate decodes");
	tap_is_int(check_bytes(PROTO_NIC, &pn, 30), -EBADMSG,
		   "a 30-byte nic is refused");
	pn.rate_interval_us = PROTO_NIC_INTERVAL_MAX + 1;
	tap_is_int(check_bytes(PROTO_NIC, &pn, sizeof(pn)), -EBADMSG,
		   "a credit interval over 10 s is refused");
	pn.rate_interval_us = 0;
	n.rate_bytes_per_sec = 0;
	n.rate_interval_us = 0;
	pn.mac[0] = 0x01;
	tap_is_int(check_bytes(PROTO_NIC, &pn, sizeof(pn)), -EINVAL,
		   "a multicast MAC");
	memset(pn.mac, 0, sizeof(pn.mac));
	tap_is_int(check_bytes(PROTO_NIC, &pn, sizeof(pn)), -EINVAL,
		   "an all-zero MAC");
	pn.mac[1] = 1;
	memset(pn.tap, 't', sizeof(pn.tap));
	tap_is_int(check_bytes(PROTO_NIC, &pn, sizeof(pn)), -EBADMSG,
		   "an unterminated tap name");
	pn.tap[0] = '\0';
	tap_is_int(check_bytes(PROTO_NIC, &pn, sizeof(pn)), -EBADMSG,
		   "an empty tap name");
}

/* Feed a sequence of types; the result of the last one, why of it. */
static int
seq_run(const enum proto_type *types, size_t n, struct proto_seq *s, char *why,
	size_t whylen)
{
	size_t i;
	int r = 0;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < n && r == 0; i++)
		r = proto_seq_next(s, types[i], why, whylen);
	return r;
}

#define SEQ(s, why, ...)                                                       \
	seq_run((const enum proto_type[]){__VA_ARGS__},                        \
		sizeof((const enum proto_type[]){__VA_ARGS__}) /               \
			sizeof(enum proto_type),                               \
		s, why, sizeof(why))

static void
test_seq(void)
{
	enum proto_type many[XMHV_MAX_DISKS + 3];
	struct proto_seq s;
	char why[128] = "";
	size_t i;

	tap_ok(SEQ(&s, why, PROTO_CREATE, PROTO_KERNEL, PROTO_RAMDISK,
		   PROTO_CONSOLE_LOG, PROTO_DISK, PROTO_DISK, PROTO_NIC,
		   PROTO_START) == 0 &&
		       s.closed,
	       "the whole sequence");
	tap_ok(SEQ(&s, why, PROTO_CREATE, PROTO_KERNEL, PROTO_START) == 0 &&
		       s.closed,
	       "the shortest sequence");
	tap_ok(SEQ(&s, why, PROTO_KERNEL) == -EPROTO &&
		       strcmp(why, "kernel before create") == 0,
	       "reordered: %s", why);
	tap_ok(SEQ(&s, why, PROTO_CREATE, PROTO_DISK) == -EPROTO &&
		       strcmp(why, "disk before kernel") == 0,
	       "reordered: %s", why);
	tap_ok(SEQ(&s, why, PROTO_CREATE, PROTO_KERNEL, PROTO_DISK,
		   PROTO_RAMDISK) == -EPROTO &&
		       strcmp(why, "ramdisk after disk") == 0,
	       "reordered: %s", why);
	tap_ok(SEQ(&s, why, PROTO_CREATE, PROTO_KERNEL, PROTO_NIC,
		   PROTO_DISK) == -EPROTO &&
		       strcmp(why, "disk after nic") == 0,
	       "reordered: %s", why);
	tap_ok(SEQ(&s, why, PROTO_CREATE, PROTO_KERNEL, PROTO_KERNEL) ==
			       -EPROTO &&
		       strcmp(why, "a second kernel") == 0,
	       "%s", why);
	tap_ok(SEQ(&s, why, PROTO_CREATE, PROTO_CREATE) == -EPROTO &&
		       strcmp(why, "a second create") == 0,
	       "%s", why);
	tap_ok(SEQ(&s, why, PROTO_CREATE, PROTO_START) == -EPROTO &&
		       strcmp(why, "start before kernel") == 0,
	       "%s", why);
	tap_ok(SEQ(&s, why, PROTO_CREATE, PROTO_KERNEL, PROTO_START,
		   PROTO_NIC) == -EPROTO &&
		       strcmp(why, "nic after start") == 0,
	       "%s", why);
	tap_ok(SEQ(&s, why, PROTO_CREATE, PROTO_PING) == -EPROTO &&
		       strstr(why, "not part of the creation sequence"),
	       "%s", why);
	many[0] = PROTO_CREATE;
	many[1] = PROTO_KERNEL;
	for (i = 2; i < ARRAY_SIZE(many); i++)
		many[i] = PROTO_DISK;
	tap_ok(seq_run(many, ARRAY_SIZE(many), &s, why, sizeof(why)) ==
			       -E2BIG &&
		       strcmp(why, "more than 16 disks") == 0,
	       "%s", why);
	for (i = 2; i < 2 + XMHV_MAX_NICS + 1; i++)
		many[i] = PROTO_NIC;
	tap_ok(seq_run(many, 2 + XMHV_MAX_NICS + 1, &s, why, sizeof(why)) ==
			       -E2BIG &&
		       strcmp(why, "more than 8 nics") == 0,
	       "%s", why);
	memset(&s, 0, sizeof(s));
	tap_ok(proto_seq_eof(&s, why, sizeof(why)) == -EPIPE &&
		       strcmp(why, "connection closed before create") == 0,
	       "EOF: %s", why);
	(void)SEQ(&s, why, PROTO_CREATE, PROTO_KERNEL, PROTO_DISK);
	tap_ok(proto_seq_eof(&s, why, sizeof(why)) == -EPIPE &&
		       strcmp(why, "connection closed before start (after "
				   "disk)") == 0,
	       "EOF: %s", why);
	(void)SEQ(&s, why, PROTO_CREATE, PROTO_KERNEL, PROTO_START);
	tap_is_int(proto_seq_eof(&s, why, sizeof(why)), 0,
		   "EOF after start is the end");
}

/* The disk hot-plug requests: DISK_ATTACH is checked as DISK, never part
 * of the creation sequence; DISK_DETACH's serial and flags. */
static void
test_hotplug(void)
{
	struct xmhv_disk_config d = {.fd = -1};
	struct proto_disk_detach m;
	uint8_t buf[sizeof(struct proto_disk) + 64];
	uint32_t len = 0, min = 0, max = 0;
	struct proto_seq s;
	char why[128] = "";

	strcpy(d.path, "/srv/extra.img");
	strcpy(d.serial, "xvdc");
	tap_ok(proto_disk_encode(&d, buf, sizeof(buf), &len, why,
				 sizeof(why)) == 0 &&
		       check_bytes(PROTO_DISK_ATTACH, buf, len) == 0 &&
		       proto_type_takes_fd(PROTO_DISK_ATTACH),
	       "DISK_ATTACH: a DISK payload, with an fd");
	tap_ok(SEQ(&s, why, PROTO_CREATE, PROTO_KERNEL, PROTO_DISK_ATTACH) ==
		       -EPROTO,
	       "DISK_ATTACH is no creation message: %s", why);
	tap_ok(proto_detach_encode("xvdc", PROTO_DETACH_FORCE, &m, why,
				   sizeof(why)) == 0 &&
		       check_bytes(PROTO_DISK_DETACH, &m, sizeof(m)) == 0 &&
		       !proto_type_takes_fd(PROTO_DISK_DETACH) &&
		       proto_payload_bounds(PROTO_DISK_DETACH, &min, &max) ==
			       0 &&
		       min == 32 && max == 32,
	       "DISK_DETACH: 32 bytes, a serial and the force flag");
	tap_is_int(proto_detach_encode("", 0, &m, why, sizeof(why)), -EINVAL,
		   "DISK_DETACH of no name");
	tap_is_int(proto_detach_encode("abcdefghijklmnopqrstu", 0, &m, why,
				       sizeof(why)),
		   -EINVAL, "DISK_DETACH of a 21-character name");
	m.flags = 2;
	tap_is_int(check_bytes(PROTO_DISK_DETACH, &m, sizeof(m)), -EBADMSG,
		   "DISK_DETACH with an unknown flag");
	m.flags = 0;
	memset(m.serial, 'x', sizeof(m.serial));
	tap_is_int(check_bytes(PROTO_DISK_DETACH, &m, sizeof(m)), -EBADMSG,
		   "DISK_DETACH with an unterminated serial");
	tap_ok(proto_payload_bounds(PROTO_INFO, &min, &max) == 0 &&
		       min == PROTO_INFO_MIN &&
		       max == sizeof(struct proto_info),
	       "INFO: 144 bytes (monitors before disks) to %zu",
	       sizeof(struct proto_info));
}

/* The NIC hot-plug requests: NIC_ATTACH is checked as NIC (24 or 40
 * bytes), never part of the creation sequence; NIC_DETACH's MAC and
 * flags. */
static void
test_nic_hotplug(void)
{
	static const uint8_t mac[6] = {0x00, 0x16, 0x3e, 0x00, 0x00, 0x07};
	struct xmhv_nic_config n = {.fd = -1};
	struct proto_nic_detach m;
	struct proto_nic pn;
	uint32_t min = 0, max = 0;
	struct proto_seq s;
	char why[128] = "";

	memcpy(n.mac, mac, 6);
	strcpy(n.tap, "vif3.1");
	tap_ok(proto_nic_encode(&n, &pn, why, sizeof(why)) == 0 &&
		       check_bytes(PROTO_NIC_ATTACH, &pn, PROTO_NIC_MIN) == 0 &&
		       proto_type_takes_fd(PROTO_NIC_ATTACH) &&
		       proto_payload_bounds(PROTO_NIC_ATTACH, &min, &max) ==
			       0 &&
		       min == 24 && max == 40,
	       "NIC_ATTACH: a NIC payload (24 or 40 bytes), with an fd");
	tap_ok(SEQ(&s, why, PROTO_CREATE, PROTO_KERNEL, PROTO_NIC_ATTACH) ==
		       -EPROTO,
	       "NIC_ATTACH is no creation message: %s", why);
	tap_ok(proto_nic_detach_encode(mac, 0, &m, why, sizeof(why)) == 0 &&
		       check_bytes(PROTO_NIC_DETACH, &m, sizeof(m)) == 0 &&
		       !proto_type_takes_fd(PROTO_NIC_DETACH) &&
		       proto_payload_bounds(PROTO_NIC_DETACH, &min, &max) ==
			       0 &&
		       min == 16 && max == 16,
	       "NIC_DETACH: 16 bytes, a MAC and flags");
	tap_is_int(proto_nic_detach_encode((const uint8_t[6]){1, 0, 0, 0, 0, 1},
					   0, &m, why, sizeof(why)),
		   -EINVAL, "NIC_DETACH of a multicast MAC");
	(void)!proto_nic_detach_encode(mac, 0, &m, why, sizeof(why));
	m.flags = 2;
	tap_is_int(check_bytes(PROTO_NIC_DETACH, &m, sizeof(m)), -EBADMSG,
		   "NIC_DETACH with an unknown flag");
}

/* NIC_VHOST: a NIC's /dev/vhost-net fd, named by its MAC, right after
 * that NIC in the creation sequence (at most one per NIC), or before a
 * NIC_ATTACH on its connection. */
static void
test_nic_vhost(void)
{
	static const uint8_t mac[6] = {0x00, 0x16, 0x3e, 0x00, 0x00, 0x08};
	struct proto_nic_detach m;
	uint32_t min = 0, max = 0;
	struct proto_seq s;
	char why[128] = "";

	tap_ok(proto_nic_vhost_encode(mac, &m, why, sizeof(why)) == 0 &&
		       check_bytes(PROTO_NIC_VHOST, &m, sizeof(m)) == 0 &&
		       proto_type_takes_fd(PROTO_NIC_VHOST) &&
		       proto_payload_bounds(PROTO_NIC_VHOST, &min, &max) == 0 &&
		       min == 16 && max == 16,
	       "NIC_VHOST: 16 bytes (a MAC), with an fd");
	m.flags = 1;
	tap_is_int(check_bytes(PROTO_NIC_VHOST, &m, sizeof(m)), -EBADMSG,
		   "NIC_VHOST with a flag");
	tap_is_int(proto_nic_vhost_encode((const uint8_t[6]){0}, &m, why,
					  sizeof(why)),
		   -EINVAL, "NIC_VHOST of MAC 0");
	tap_is_int(SEQ(&s, why, PROTO_CREATE, PROTO_KERNEL, PROTO_NIC,
		       PROTO_NIC_VHOST, PROTO_NIC, PROTO_NIC_VHOST,
		       PROTO_START),
		   0, "NIC, NIC_VHOST, NIC, NIC_VHOST, START: accepted");
	tap_is_int(SEQ(&s, why, PROTO_CREATE, PROTO_KERNEL, PROTO_NIC,
		       PROTO_NIC_VHOST, PROTO_NIC_VHOST),
		   -EPROTO, "a second NIC_VHOST for one NIC: %s", why);
	tap_is_int(SEQ(&s, why, PROTO_CREATE, PROTO_KERNEL, PROTO_NIC_VHOST),
		   -EPROTO, "NIC_VHOST before any NIC: %s", why);
	tap_is_int(SEQ(&s, why, PROTO_CREATE, PROTO_KERNEL, PROTO_NIC,
		       PROTO_START, PROTO_NIC_VHOST),
		   -EPROTO, "NIC_VHOST after START");
}

int
main(void)
{
	test_nic_vhost();
	test_create();
	test_files();
	test_seq();
	test_hotplug();
	test_nic_hotplug();
	return tap_done();
}
