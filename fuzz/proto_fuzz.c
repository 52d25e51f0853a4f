/* SPDX-License-Identifier: GPL-2.0-or-later */
/* proto_fuzz.c: the libxmhv <-> xmhv frame fuzz target: the input is a
 * byte stream as a monitor reads it (16-byte headers, payloads); every
 * header and payload goes through the pure checks, the creation messages
 * through the order check, and what passes must decode and encode back to
 * itself. Built as a libFuzzer target and as the corpus replayer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "proto_fuzz.h"

static union proto_payload proto_fuzz_buf, proto_fuzz_out;
static struct xmhv_domain_config proto_fuzz_cfg, proto_fuzz_cfg2;

/* CREATE decodes and encodes back to the same bytes. */
static void
proto_fuzz_create(const uint8_t *p, uint32_t len)
{
	char run_dir[XMHV_PATH_MAX];
	uint32_t domid = 0, len2 = 0;

	xmhv_domain_config_init(&proto_fuzz_cfg);
	proto_create_decode(p, len, &proto_fuzz_cfg, &domid, run_dir);
	if (proto_create_encode(&proto_fuzz_cfg, domid, run_dir,
				proto_fuzz_out.bytes, PROTO_PAYLOAD_MAX, &len2,
				NULL, 0) != 0 ||
	    len2 != len || memcmp(proto_fuzz_out.bytes, p, len) != 0)
		abort();
}

/* DISK and NIC decode to a configuration that encodes to the same one. */
static void
proto_fuzz_disk(const uint8_t *p, uint32_t len)
{
	struct xmhv_disk_config *a = &proto_fuzz_cfg.disks[0];
	struct xmhv_disk_config *b = &proto_fuzz_cfg2.disks[0];
	uint32_t len2 = 0;

	memset(a, 0, sizeof(*a));
	memset(b, 0, sizeof(*b));
	proto_disk_decode(p, len, a);
	if (proto_disk_encode(a, proto_fuzz_out.bytes, PROTO_PAYLOAD_MAX, &len2,
			      NULL, 0) != 0 ||
	    proto_payload_check(PROTO_DISK, proto_fuzz_out.bytes, len2, NULL,
				0) != 0)
		abort();
	proto_disk_decode(proto_fuzz_out.bytes, len2, b);
	if (memcmp(a, b, sizeof(*a)) != 0)
		abort();
}

static void
proto_fuzz_nic(const uint8_t *p, uint32_t len)
{
	struct xmhv_nic_config *n = &proto_fuzz_cfg.nics[0];
	struct proto_nic in;

	memset(&in, 0, sizeof(in));
	memcpy(&in, p, len < sizeof(in) ? len : sizeof(in));
	memset(n, 0, sizeof(*n));
	proto_nic_decode(&in, len, n);
	/* a 40-byte NIC of rate 0 comes back as 24 bytes: compare those */
	if (proto_nic_encode(n, &proto_fuzz_out.nic, NULL, 0) != 0 ||
	    memcmp(&proto_fuzz_out.nic, &in,
		   proto_nic_len(&proto_fuzz_out.nic)) != 0)
		abort();
}

void
proto_fuzz_one(const uint8_t *data, size_t size)
{
	struct proto_seq seq;
	struct proto_hdr hdr;
	uint32_t min, max;
	char why[256];

	memset(&seq, 0, sizeof(seq));
	while (size >= PROTO_HDR_SIZE) {
		memcpy(&hdr, data, PROTO_HDR_SIZE);
		data += PROTO_HDR_SIZE;
		size -= PROTO_HDR_SIZE;
		/* Version 1 peers speak the runtime messages only. */
		(void)!proto_hdr_check(&hdr, PROTO_VERSION_1, why, sizeof(why));
		if (proto_hdr_check(&hdr, XMHV_INTERFACE_VERSION, why,
				    sizeof(why)) != 0)
			return;
		if (proto_payload_bounds(hdr.type, &min, &max) != 0 ||
		    hdr.length < min || hdr.length > max ||
		    max > PROTO_PAYLOAD_MAX)
			abort();
		if (hdr.length > size)
			return;
		memcpy(proto_fuzz_buf.bytes, data, hdr.length);
		data += hdr.length;
		size -= hdr.length;
		if (proto_payload_check(hdr.type, proto_fuzz_buf.bytes,
					hdr.length, why, sizeof(why)) != 0)
			continue;
		if (hdr.type >= PROTO_CREATE &&
		    proto_seq_next(&seq, hdr.type, why, sizeof(why)) != 0)
			(void)!proto_seq_eof(&seq, why, sizeof(why));
		if (hdr.type == PROTO_CREATE)
			proto_fuzz_create(proto_fuzz_buf.bytes, hdr.length);
		else if (hdr.type == PROTO_DISK)
			proto_fuzz_disk(proto_fuzz_buf.bytes, hdr.length);
		else if (hdr.type == PROTO_NIC || hdr.type == PROTO_NIC_ATTACH)
			proto_fuzz_nic(proto_fuzz_buf.bytes, hdr.length);
	}
}

/* The libFuzzer entry; fuzz/replay.c calls it for each corpus file. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	proto_fuzz_one(data, size);
	return 0;
}
