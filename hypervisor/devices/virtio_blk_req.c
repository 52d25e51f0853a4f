/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio_blk_req.c: the pure part of virtio-blk: a descriptor chain into
 * a request (header, data buffers, status byte; virtio 1.x 5.2.6), its
 * checks (directions for the type, whole sectors, the range inside the
 * disk, read-only), and the configuration space and features the device
 * offers. No assumption about framing (2.6.4): the header is the first 16
 * device-readable bytes wherever the descriptors split them, the status
 * the last device-writable byte. */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "mem.h"
#include "virtio_blk_int.h"

/* Copy len bytes that start skip bytes into segments [first, end) of c. */
static int
vblk_gather(const struct mem *mem, const struct virtq_chain *c, unsigned first,
	    unsigned end, uint64_t skip, void *buf, uint64_t len)
{
	uint8_t *out = buf;
	uint64_t n;
	unsigned i;

	for (i = first; i < end && len; i++) {
		const struct virtq_seg *s = &c->seg[i];

		if (skip >= s->len) {
			skip -= s->len;
			continue;
		}
		n = s->len - skip < len ? s->len - skip : len;
		if (mem_read(mem, s->gpa + skip, out, n) < 0)
			return -EFAULT;
		out += n;
		len -= n;
		skip = 0;
	}
	return len ? -EFAULT : 0;
}

/* The buffers of len bytes that start skip bytes into segments [first,
 * end) of c, into data[]: their count. */
static unsigned
vblk_slice(const struct virtq_chain *c, unsigned first, unsigned end,
	   uint64_t skip, uint64_t len, struct virtq_seg *data, unsigned max)
{
	unsigned i, n = 0;
	uint64_t take;

	for (i = first; i < end && len && n < max; i++) {
		const struct virtq_seg *s = &c->seg[i];

		if (skip >= s->len) {
			skip -= s->len;
			continue;
		}
		take = s->len - skip < len ? s->len - skip : len;
		data[n++] = (struct virtq_seg){s->gpa + skip, (uint32_t)take,
					       s->write};
		len -= take;
		skip = 0;
	}
	return n;
}

static bool
vblk_range_ok(const struct vblk_geom *g, uint64_t sector, uint64_t n)
{
	return n <= g->capacity && sector <= g->capacity - n;
}

/* DISCARD and WRITE_ZEROES: one range (max_*_seg is 1). */
static uint8_t
vblk_parse_range(const struct mem *mem, const struct virtq_chain *c,
		 const struct vblk_geom *g, uint64_t out_len,
		 struct vblk_parsed *p)
{
	uint8_t raw[VBLK_RANGE_LEN];
	uint32_t num, flags;
	uint64_t sector;

	if (out_len != VBLK_RANGE_LEN)
		return VBLK_S_UNSUPP; /* several ranges, or a ragged one */
	if (vblk_gather(mem, c, 0, c->nread, VBLK_HDR_LEN, raw, sizeof(raw)) <
	    0)
		return VBLK_S_IOERR;
	memcpy(&sector, raw, 8);
	memcpy(&num, raw + 8, 4);
	memcpy(&flags, raw + 12, 4);
	sector = le64toh(sector);
	num = le32toh(num);
	flags = le32toh(flags);
	if ((flags & ~VBLK_WZ_UNMAP) ||
	    (p->type == VBLK_T_DISCARD && (flags & VBLK_WZ_UNMAP)))
		return VBLK_S_UNSUPP;
	if (num > VBLK_MAX_RANGE_SECTORS || !vblk_range_ok(g, sector, num))
		return VBLK_S_IOERR;
	p->sector = sector;
	p->nsectors = num;
	p->unmap = flags & VBLK_WZ_UNMAP;
	return VBLK_S_OK;
}

/* IN and OUT: whole sectors inside the disk, data in one direction. */
static uint8_t
vblk_parse_rw(const struct vblk_geom *g, uint64_t other_len,
	      struct vblk_parsed *p)
{
	if (other_len || p->data_len % VBLK_SECTOR)
		return VBLK_S_IOERR;
	if (p->type == VBLK_T_OUT && g->ro)
		return VBLK_S_IOERR;
	p->nsectors = p->data_len / VBLK_SECTOR;
	return vblk_range_ok(g, p->sector, p->nsectors) ? VBLK_S_OK
							: VBLK_S_IOERR;
}

int
vblk_parse(const struct mem *mem, const struct virtq_chain *c,
	   const struct vblk_geom *g, struct virtq_seg *data, unsigned max,
	   struct vblk_parsed *out, const char **why)
{
	uint8_t hdr[VBLK_HDR_LEN];
	const struct virtq_seg *last;
	struct vblk_parsed p;
	uint64_t out_len, in_len;

	memset(&p, 0, sizeof(p));
	if (c->read_len < VBLK_HDR_LEN) {
		*why = "virtio-blk request header shorter than 16 bytes";
		return -EINVAL;
	}
	if (c->write_len < 1) {
		*why = "virtio-blk request without a status byte";
		return -EINVAL;
	}
	if (vblk_gather(mem, c, 0, c->nread, 0, hdr, sizeof(hdr)) < 0) {
		*why = "virtio-blk request header outside guest RAM";
		return -EINVAL;
	}
	memcpy(&p.type, hdr, 4);
	memcpy(&p.sector, hdr + 8, 8);
	p.type = le32toh(p.type);
	p.sector = le64toh(p.sector);
	last = &c->seg[c->nseg - 1];
	p.status_gpa = last->gpa + last->len - 1;
	out_len = c->read_len - VBLK_HDR_LEN;
	in_len = c->write_len - 1;
	switch (p.type) {
	case VBLK_T_IN:
	case VBLK_T_GET_ID:
		p.data_len = in_len;
		p.ndata =
			vblk_slice(c, c->nread, c->nseg, 0, in_len, data, max);
		p.status = p.type == VBLK_T_GET_ID
				   ? VBLK_S_OK
				   : vblk_parse_rw(g, out_len, &p);
		break;
	case VBLK_T_OUT:
		p.data_len = out_len;
		p.ndata = vblk_slice(c, 0, c->nread, VBLK_HDR_LEN, out_len,
				     data, max);
		p.status = vblk_parse_rw(g, in_len, &p);
		break;
	case VBLK_T_FLUSH:
		p.status = VBLK_S_OK;
		break;
	case VBLK_T_DISCARD:
	case VBLK_T_WRITE_ZEROES:
		p.status = g->ro || in_len
				   ? VBLK_S_IOERR
				   : vblk_parse_range(mem, c, g, out_len, &p);
		break;
	default:
		p.status = VBLK_S_UNSUPP;
		break;
	}
	*out = p;
	return 0;
}

static void
vblk_put(uint8_t *cfg, unsigned off, uint64_t v, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		cfg[off + i] = (uint8_t)(v >> (8 * i));
}

void
vblk_config_image(const struct vblk_geom *g, uint8_t *cfg)
{
	memset(cfg, 0, VBLK_CONFIG_LEN);
	vblk_put(cfg, 0, g->capacity, 8);             /* capacity */
	vblk_put(cfg, 12, VBLK_SEG_MAX, 4);           /* seg_max */
	vblk_put(cfg, 20, g->blk_size, 4);            /* blk_size */
	vblk_put(cfg, 34, g->nqueues, 2);             /* num_queues */
	vblk_put(cfg, 36, VBLK_MAX_RANGE_SECTORS, 4); /* max_discard_sectors */
	vblk_put(cfg, 40, 1, 4);                      /* max_discard_seg */
	vblk_put(cfg, 44, g->blk_size / VBLK_SECTOR, 4); /* its alignment */
	vblk_put(cfg, 48, VBLK_MAX_RANGE_SECTORS, 4); /* max_write_zeroes_* */
	vblk_put(cfg, 52, 1, 4);
	cfg[56] = 1; /* write_zeroes_may_unmap */
}

uint64_t
vblk_features(const struct vblk_geom *g)
{
	uint64_t f = VIRTIO_BIT(VIRTIO_F_VERSION_1) |
		     VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) |
		     VIRTIO_BIT(VIRTIO_F_EVENT_IDX) |
		     VIRTIO_BIT(VBLK_F_SEG_MAX) | VIRTIO_BIT(VBLK_F_BLK_SIZE) |
		     VIRTIO_BIT(VBLK_F_FLUSH) | VIRTIO_BIT(VBLK_F_MQ);

	if (g->ro)
		return f | VIRTIO_BIT(VBLK_F_RO);
	return f | VIRTIO_BIT(VBLK_F_DISCARD) | VIRTIO_BIT(VBLK_F_WRITE_ZEROES);
}
