/* SPDX-License-Identifier: GPL-2.0-or-later */
/* proto_check.c: unit tests of the libxmhv wire protocol and of libxmhv
 * calls that need no monitor (state strings, physinfo, ids, errors). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proto.h"
#include "tap.h"
#include "util.h"
#include "xmhv.h"

/* A header as a peer would send it. */
static struct proto_hdr
hdr_of(enum proto_type type, uint32_t length)
{
	struct proto_hdr hdr;

	proto_hdr_init(&hdr, XMHV_INTERFACE_VERSION, type, length, 1);
	return hdr;
}

static void
test_header(void)
{
	struct proto_hdr hdr;
	uint32_t min, max;
	char why[128];

	hdr = hdr_of(PROTO_PING, 0);
	tap_is_int(proto_hdr_check(&hdr, XMHV_INTERFACE_VERSION, NULL, 0), 0,
		   "ping header checks");
	tap_is_int(XMHV_INTERFACE_VERSION, 2, "interface version 2");
	tap_ok(proto_payload_bounds(PROTO_CREATE, &min, &max) == 0 &&
		       min > sizeof(struct proto_create) &&
		       max == PROTO_CREATE_MAX,
	       "create: %u..%u bytes", min, max);
	tap_ok(PROTO_CREATE_MAX < 20000,
	       "the largest message is %zu bytes (version 1's CREATE was "
	       "about 93 KB)",
	       (size_t)PROTO_CREATE_MAX);
	hdr = hdr_of(PROTO_CREATE, max + 1);
	tap_ok(proto_hdr_check(&hdr, 2, why, sizeof(why)) == -EMSGSIZE &&
		       strstr(why, "at most"),
	       "a create longer than its maximum: %s", why);
	hdr = hdr_of(PROTO_CREATE, min - 1);
	tap_is_int(proto_hdr_check(&hdr, 2, NULL, 0), -EBADMSG,
		   "a create shorter than its head");
	hdr = hdr_of(PROTO_KERNEL, XMHV_PATH_MAX + 1);
	tap_is_int(proto_hdr_check(&hdr, 2, NULL, 0), -EMSGSIZE,
		   "a kernel name longer than a path");
	hdr = hdr_of(PROTO_PING, 0xffffffffu);
	tap_is_int(proto_hdr_check(&hdr, 2, NULL, 0), -EMSGSIZE,
		   "a 4 GiB ping refused by its header");
	hdr = hdr_of(PROTO_NIC, sizeof(struct proto_nic) - 1);
	tap_is_int(proto_hdr_check(&hdr, 2, NULL, 0), -EBADMSG,
		   "a short nic refused");
	hdr = hdr_of(PROTO_EVENT, sizeof(struct proto_event));
	hdr.magic ^= 1;
	tap_is_int(proto_hdr_check(&hdr, 2, NULL, 0), -EBADMSG,
		   "bad magic refused");
	hdr = hdr_of(PROTO_EVENT, sizeof(struct proto_event));
	hdr.version = 99;
	tap_ok(proto_hdr_check(&hdr, 2, why, sizeof(why)) == -EPROTONOSUPPORT &&
		       strstr(why, "99"),
	       "other interface version refused: %s", why);
	hdr.version = PROTO_VERSION_1;
	tap_is_int(proto_hdr_check(&hdr, PROTO_VERSION_1, NULL, 0), 0,
		   "a version 1 event checks as version 1");
	hdr = hdr_of(PROTO_CREATE_V1, 0);
	tap_is_int(proto_hdr_check(&hdr, 2, NULL, 0), -EBADMSG,
		   "version 1's create is not a version 2 message");
	hdr.version = PROTO_VERSION_1;
	tap_is_int(proto_hdr_check(&hdr, PROTO_VERSION_1, NULL, 0), -EBADMSG,
		   "nor is it spoken in version 1 (no old creates)");
	hdr = hdr_of(PROTO_KERNEL, 8);
	hdr.version = PROTO_VERSION_1;
	tap_is_int(proto_hdr_check(&hdr, PROTO_VERSION_1, NULL, 0), -EBADMSG,
		   "no creation messages in version 1");
	hdr = hdr_of(PROTO_TYPE_MAX, 0);
	tap_is_int(proto_hdr_check(&hdr, 2, NULL, 0), -EBADMSG,
		   "unknown type refused");
	hdr.type = PROTO_INVALID;
	tap_is_int(proto_hdr_check(&hdr, 2, NULL, 0), -EBADMSG,
		   "type 0 refused");
	hdr.type = 0xffff;
	tap_is_int(proto_hdr_check(&hdr, 2, NULL, 0), -EBADMSG,
		   "type 0xffff refused");
	tap_is_int(proto_payload_bounds(PROTO_TYPE_MAX, &min, &max), -EINVAL,
		   "no bounds for the sentinel");
	tap_ok(strcmp(proto_type_name(PROTO_GETINFO), "getinfo") == 0 &&
		       strcmp(proto_type_name(PROTO_CONSOLE_LOG),
			      "console_log") == 0,
	       "type names");
	tap_ok(proto_type_takes_fd(PROTO_DISK) &&
		       !proto_type_takes_fd(PROTO_START) &&
		       !proto_type_takes_fd(PROTO_PING),
	       "which types carry an fd");
}

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
		       check_bytes(PROTO_NIC, &pn, sizeof(pn)) == 0,
	       "a nic encodes and passes (%s)", why);
	memset(&nback, 0, sizeof(nback));
	proto_nic_decode(&pn, &nback);
	tap_ok(strcmp(nback.tap, "vif3.0") == 0 && nback.mac[5] == 3,
	       "and decodes to it");
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

static void
test_small_checks(void)
{
	union proto_payload p;

	memset(&p, 0, sizeof(p));
	p.u32.value = XMHV_SHUTDOWN_REBOOT;
	tap_is_int(check_bytes(PROTO_SHUTDOWN, &p, sizeof(p.u32)), 0,
		   "shutdown reboot passes");
	p.u32.value = XMHV_SHUTDOWN_CRASH;
	tap_is_int(check_bytes(PROTO_SHUTDOWN, &p, sizeof(p.u32)), -EINVAL,
		   "shutdown with reason crash refused");
	p.u32.value = 0;
	tap_is_int(check_bytes(PROTO_SET_VCPUS, &p, sizeof(p.u32)), -EINVAL,
		   "zero vcpus refused");
	memset(&p, 0, sizeof(p));
	memset(p.reply.msg, 'm', sizeof(p.reply.msg));
	tap_is_int(check_bytes(PROTO_REPLY, &p, sizeof(p.reply)), -EBADMSG,
		   "unterminated reply message refused");
	memset(&p, 0, sizeof(p));
	p.reply.err = 5;
	tap_is_int(check_bytes(PROTO_REPLY, &p, sizeof(p.reply)), -EBADMSG,
		   "positive reply error refused");
	memset(&p, 0, sizeof(p));
	p.event.state = 1u << 6;
	tap_is_int(check_bytes(PROTO_EVENT, &p, sizeof(p.event)), -EBADMSG,
		   "unknown state bit refused");
	p.event.state = XMHV_STATE_SHUTDOWN;
	p.event.reason = XMHV_SHUTDOWN_HALT + 1;
	tap_is_int(check_bytes(PROTO_EVENT, &p, sizeof(p.event)), -EBADMSG,
		   "unknown reason refused");
	memset(&p, 0, sizeof(p));
	memset(p.info.info.name, 'n', sizeof(p.info.info.name));
	tap_is_int(check_bytes(PROTO_INFO, &p, sizeof(p.info)), -EBADMSG,
		   "unterminated info name refused");
	tap_is_int(check_bytes(PROTO_EVENT, &p, sizeof(p.event) - 1), -EBADMSG,
		   "a short event refused");
}

/* Open fds of this process. */
static int
count_fds(void)
{
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d && (e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* A message with n fds (raw sendmsg). */
static int
send_fds(int sock, enum proto_type type, const void *p, uint32_t len,
	 const int *fds, int n)
{
	union {
		struct cmsghdr h;
		uint8_t room[CMSG_SPACE(4 * sizeof(int))];
	} ctl;
	uint8_t buf[PROTO_HDR_SIZE + 64];
	struct proto_hdr hdr = hdr_of(type, len);
	struct iovec iov = {.iov_base = buf, .iov_len = PROTO_HDR_SIZE + len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *cm;

	memcpy(buf, &hdr, PROTO_HDR_SIZE);
	memcpy(buf + PROTO_HDR_SIZE, p, len);
	memset(&ctl, 0, sizeof(ctl));
	mh.msg_control = ctl.room;
	mh.msg_controllen = CMSG_SPACE(n * sizeof(int));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(cm), fds, n * sizeof(int));
	return sendmsg(sock, &mh, 0) < 0 ? -errno : 0;
}

static void
test_send_recv(void)
{
	struct proto_msg *in = malloc(sizeof(*in));
	struct proto_event ev = {.domid = 4,
				 .state = XMHV_STATE_SHUTDOWN,
				 .reason = XMHV_SHUTDOWN_POWEROFF};
	struct proto_hdr hdr;
	struct stat st;
	char why[128];
	int sp[2], pfd[2], fds0;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) < 0 || pipe(pfd) < 0) {
		tap_ok(false, "socketpair: %s", strerror(errno));
		free(in);
		return;
	}
	fds0 = count_fds();
	tap_is_int(proto_send(sp[0], 2, PROTO_EVENT, 9, &ev, sizeof(ev), -1), 0,
		   "send an event");
	tap_is_int(proto_recv(sp[1], 2, 1000, in, NULL, 0), 0, "receive it");
	tap_ok(in->hdr.type == PROTO_EVENT && in->hdr.seq == 9 &&
		       in->p.event.domid == 4 &&
		       in->p.event.reason == XMHV_SHUTDOWN_POWEROFF &&
		       in->fd == -1,
	       "event round-trips, without an fd");
	tap_is_int(proto_recv(sp[1], 2, 0, in, NULL, 0), -ETIMEDOUT,
		   "nothing pending: timeout");
	/* An fd travels with the message that takes one. */
	tap_is_int(proto_send(sp[0], 2, PROTO_KERNEL, 10, "/k", 3, pfd[0]), 0,
		   "send a kernel with an fd");
	tap_ok(proto_recv(sp[1], 2, 1000, in, why, sizeof(why)) == 0 &&
		       in->fd >= 0 && in->fd != pfd[0] &&
		       fstat(in->fd, &st) == 0 && S_ISFIFO(st.st_mode) &&
		       (fcntl(in->fd, F_GETFD) & FD_CLOEXEC),
	       "it arrives as a new close-on-exec fd of the same file (%s)",
	       why);
	if (in->fd >= 0)
		close(in->fd);
	tap_is_int(proto_send(sp[0], 2, PROTO_KERNEL, 11, "/k", 3, -1), 0,
		   "send a kernel without one");
	tap_ok(proto_recv(sp[1], 2, 1000, in, why, sizeof(why)) == -EBADF &&
		       strcmp(why, "kernel: carries no fd") == 0,
	       "missing fd: %s", why);
	tap_is_int(proto_send(sp[0], 2, PROTO_START, 12, NULL, 0, pfd[0]), 0,
		   "send a start with an fd");
	tap_ok(proto_recv(sp[1], 2, 1000, in, why, sizeof(why)) == -EBADF &&
		       strcmp(why, "start: carries an fd, takes none") == 0,
	       "unexpected fd: %s", why);
	tap_is_int(send_fds(sp[0], PROTO_KERNEL, "/k", 3,
			    (const int[]){pfd[0], pfd[1]}, 2),
		   0, "send a kernel with two fds");
	tap_ok(proto_recv(sp[1], 2, 1000, in, why, sizeof(why)) == -EBADF &&
		       strcmp(why, "kernel: carries 2 fds, at most one") == 0,
	       "two fds: %s", why);
	tap_is_int(count_fds(), fds0, "every fd refused was closed");
	/* A header claiming another version. */
	hdr = hdr_of(PROTO_PING, 0);
	hdr.version = 99;
	tap_is_int(util_write_all(sp[0], &hdr, sizeof(hdr)), 0, "write v99");
	tap_is_int(proto_recv(sp[1], 2, 1000, in, NULL, 0), -EPROTONOSUPPORT,
		   "version 99 refused");
	tap_is_int(in->hdr.version, 99, "peer header returned for the message");
	/* A truncated message then EOF. */
	hdr = hdr_of(PROTO_REPLY, sizeof(struct proto_reply));
	tap_is_int(util_write_all(sp[0], &hdr, sizeof(hdr)), 0,
		   "write a reply header only");
	close(sp[0]);
	tap_ok(proto_recv(sp[1], 2, 1000, in, why, sizeof(why)) == -EBADMSG &&
		       strstr(why, "truncated"),
	       "a truncated payload: %s", why);
	tap_is_int(proto_recv(sp[1], 2, 1000, in, NULL, 0), -EPIPE,
		   "EOF between messages");
	close(sp[1]);
	close(pfd[0]);
	close(pfd[1]);
	free(in);
}

/* Random headers and payloads (fixed seed): the checks never read out of
 * bounds (ASan) and accept only what is within bounds. */
static void
test_random(void)
{
	uint8_t *p = malloc(PROTO_PAYLOAD_MAX);
	uint64_t x = 0x9e3779b97f4a7c15ull;
	unsigned long accepted = 0, i;
	size_t j;
	bool ok = true;

	for (i = 0; i < 20000; i++) {
		struct proto_hdr hdr;
		uint32_t min, max;
		enum proto_type type;

		for (j = 0; j < sizeof(hdr); j++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			((uint8_t *)&hdr)[j] = (uint8_t)x;
		}
		if (i & 1) { /* often a valid header of a random type */
			type = (enum proto_type)(x % PROTO_TYPE_MAX);
			if (proto_payload_bounds(type, &min, &max) < 0)
				continue;
			hdr = hdr_of(type, min + (uint32_t)(x >> 20) %
							   (max - min + 1));
		}
		if (proto_hdr_check(&hdr, 2, NULL, 0) < 0)
			continue;
		type = (enum proto_type)hdr.type;
		ok &= proto_payload_bounds(type, &min, &max) == 0 &&
		      hdr.length >= min && hdr.length <= max;
		for (j = 0; j < hdr.length; j++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			/* Mostly zeros, some noise: reach deeper checks. */
			p[j] = (x & 0xff) < 8 ? (uint8_t)(x >> 8) : 0;
		}
		if (proto_payload_check(type, p, hdr.length, NULL, 0) == 0)
			accepted++;
	}
	tap_ok(ok, "random headers: accepted ones are within their bounds");
	tap_diag("%lu random messages passed the checks", accepted);
	free(p);
}

static void
test_strings(void)
{
	char buf[7];

	tap_ok(strcmp(xmhv_state_string(0, buf), "------") == 0, "no state");
	tap_ok(strcmp(xmhv_state_string(XMHV_STATE_RUNNING, buf), "r-----") ==
		       0,
	       "running");
	tap_ok(strcmp(xmhv_state_string(XMHV_STATE_BLOCKED, buf), "-b----") ==
		       0,
	       "blocked");
	tap_ok(strcmp(xmhv_state_string(XMHV_STATE_PAUSED, buf), "--p---") == 0,
	       "paused");
	tap_ok(strcmp(xmhv_state_string(XMHV_STATE_SHUTDOWN, buf), "---s--") ==
		       0,
	       "shutdown");
	tap_ok(strcmp(xmhv_state_string(XMHV_STATE_CRASHED, buf), "----c-") ==
		       0,
	       "crashed");
	tap_ok(strcmp(xmhv_state_string(XMHV_STATE_DYING | XMHV_STATE_PAUSED,
					buf),
		      "--p--d") == 0,
	       "paused and dying");
	tap_ok(strcmp(xmhv_reason_name(XMHV_SHUTDOWN_POWEROFF), "poweroff") ==
		       0,
	       "reason poweroff");
	tap_ok(strcmp(xmhv_reason_name(XMHV_SHUTDOWN_CRASH), "crash") == 0,
	       "reason crash");
	tap_ok(strcmp(xmhv_reason_name((enum xmhv_shutdown_reason)77),
		      "unknown") == 0,
	       "unknown reason");
}

static void
test_handle(void)
{
	char dir[] = "/tmp/xmhv-proto-XXXXXX", sub[64];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct xmhv_physinfo pi;
	struct xmhv_dominfo di;
	struct xmhv_domain_config *cfg;
	struct xmhv_event ev;
	xmhv_domid_t ids[4];
	struct xmhv *h;
	struct stat st;
	char err[256];
	int lfd;

	if (!mkdtemp(dir)) {
		tap_ok(false, "mkdtemp: %s", strerror(errno));
		return;
	}
	(void)snprintf(sub, sizeof(sub), "%s/a/b", dir);
	h = xmhv_open(sub, "/nonexistent/xmhv");
	tap_ok(h != NULL, "xmhv_open creates run_dir");
	if (!h)
		return;
	tap_ok(stat(sub, &st) == 0 && (st.st_mode & 0777) == 0700,
	       "run_dir is 0700");
	tap_is_int(xmhv_domain_list(h, ids, 4), 0, "no domains");
	tap_is_int(xmhv_domain_getinfo(h, 1, &di), -ESRCH,
		   "getinfo of a missing domain: ESRCH");
	tap_is_int(xmhv_domain_destroy(h, 1), -ESRCH,
		   "destroy of a missing domain: ESRCH");
	tap_is_int(xmhv_domain_unpause(h, 1), -ESRCH, "unpause: ESRCH");
	tap_is_int(xmhv_watch(h, 1), -ESRCH, "watch: ESRCH");
	tap_is_int(xmhv_event_read(h, &ev), 0, "no events");
	tap_ok(xmhv_event_fd(h) >= 0, "event fd");
	cfg = malloc(sizeof(*cfg));
	xmhv_domain_config_init(cfg);
	strcpy(cfg->kernel, "/k");
	cfg->memory_mib = 32;
	cfg->max_vcpus = 1;
	ids[0] = 0;
	tap_ok(xmhv_domain_create(h, cfg, &ids[0], err, sizeof(err)) < 0 &&
		       strstr(err, "/nonexistent/xmhv") != NULL,
	       "create without a monitor binary fails clearly: %s", err);
	free(cfg);
	memset(&pi, 0, sizeof(pi));
	tap_is_int(xmhv_physinfo(h, &pi), 0, "physinfo");
	tap_ok(pi.nr_cpus >= 1 && pi.total_memory_kib > 0 &&
		       pi.free_memory_kib <= pi.total_memory_kib &&
		       pi.threads_per_core >= 1,
	       "physinfo: %u cpus, %llu/%llu KiB free, %u MHz, %s", pi.nr_cpus,
	       (unsigned long long)pi.free_memory_kib,
	       (unsigned long long)pi.total_memory_kib, pi.cpu_mhz,
	       pi.cpu_model);

	/* A stale socket with no monitor: list removes it. */
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	(void)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/7.sock", sub);
	tap_ok(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) == 0,
	       "bind a socket nobody serves");
	close(lfd);
	tap_is_int(xmhv_domain_list(h, ids, 4), 0, "stale socket not listed");
	tap_ok(access(sa.sun_path, F_OK) < 0, "stale socket removed");

	/* Pid files without sockets: a dead monitor's goes, a live one's
	 * (still being built) stays. */
	{
		char pidp[128], txt[32];
		pid_t dead = fork();

		if (dead == 0)
			_exit(0);
		(void)waitpid(dead, NULL, 0);
		(void)snprintf(pidp, sizeof(pidp), "%s/9.pid", sub);
		(void)snprintf(txt, sizeof(txt), "%d\n", (int)dead);
		tap_is_int(util_write_file_atomic(pidp, txt, strlen(txt), 0600),
			   0, "write a dead monitor's pid file");
		tap_is_int(xmhv_domain_list(h, ids, 4), 0, "not listed");
		tap_ok(access(pidp, F_OK) < 0,
		       "dead monitor's pid file removed");
		(void)snprintf(pidp, sizeof(pidp), "%s/10.pid", sub);
		(void)snprintf(txt, sizeof(txt), "%d\n", (int)getpid());
		tap_is_int(util_write_file_atomic(pidp, txt, strlen(txt), 0600),
			   0, "write a live process's pid file");
		tap_is_int(xmhv_domain_list(h, ids, 4), 0, "not listed either");
		tap_ok(access(pidp, F_OK) == 0, "live pid file kept");
		(void)unlink(pidp);
	}

	xmhv_close(h);
	(void)snprintf(sub, sizeof(sub), "rm -rf '%s'",
		       dir); /* test scratch only */
	(void)!system(sub);
}

int
main(void)
{
	test_header();
	test_create();
	test_files();
	test_seq();
	test_small_checks();
	test_send_recv();
	test_random();
	test_strings();
	test_handle();
	return tap_done();
}
