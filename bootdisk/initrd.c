/* SPDX-License-Identifier: GPL-2.0-or-later */
/* initrd.c: does an initramfs carry the drivers a KVM guest needs to find
 * its disk (virtio_blk, virtio_pci)? An initramfs is newc cpio archives
 * one after another, each maybe compressed (gzip, xz/lzma, zstd: what
 * initramfs-tools and dracut write); the names are read as a stream, with
 * bounds on what is decompressed, and nothing is written anywhere. A
 * guest converted from Xen often has an initrd built for Xen's
 * xen-blkfront only (dracut's host-only mode): it would not find its root
 * disk, as virt-v2v warns. */
#include <errno.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "bootdisk.h"

#define CPIO_HDR 110
#define CPIO_NAME_MAX 4096
#define INITRD_CHUNK (256u << 10)

/* A newc cpio stream parser: names only, data skipped. */
struct cpio {
	enum { C_MAGIC, C_HDR, C_NAME, C_SKIP, C_DONE } st;
	char hdr[CPIO_HDR];
	size_t got;
	char name[CPIO_NAME_MAX + 1];
	size_t namesize;
	uint64_t skip; /* bytes of data and padding left */
	uint64_t off;  /* bytes consumed, for the 4-byte alignment */
	bool trailer;  /* the last archive ended; zero padding may follow */
	struct bd_initrd *out;
};

static unsigned long
cpio_hex(const char *p)
{
	unsigned long v = 0;
	int i;

	for (i = 0; i < 8; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned long)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned long)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned long)(c - 'A' + 10);
		else
			return ~0ul;
	}
	return v;
}

static void
cpio_name(struct cpio *c)
{
	const char *base = strrchr(c->name, '/');

	base = base ? base + 1 : c->name;
	if (!strncmp(base, "virtio_blk.ko", 13))
		c->out->virtio_blk = true;
	else if (!strncmp(base, "virtio_pci.ko", 13))
		c->out->virtio_pci = true;
}

/* Feed len bytes. Returns 0, 1 when the stream ends in something that
 * is not cpio (*used says how much was cpio), or -EINVAL. */
static int
cpio_feed(struct cpio *c, const uint8_t *p, size_t len, size_t *used)
{
	size_t i = 0, n;
	unsigned long filesize;

	while (i < len) {
		switch (c->st) {
		case C_MAGIC:
			/* between archives: zero padding, then "0707" */
			if (c->trailer && p[i] == 0) {
				i++;
				c->off++;
				continue;
			}
			if (p[i] != '0') {
				*used = i;
				return 1;
			}
			c->st = C_HDR;
			c->got = 0;
			break;
		case C_HDR:
			n = CPIO_HDR - c->got < len - i ? CPIO_HDR - c->got
							: len - i;
			memcpy(c->hdr + c->got, p + i, n);
			c->got += n;
			i += n;
			c->off += n;
			if (c->got < CPIO_HDR)
				break;
			if (memcmp(c->hdr, "070701", 6) &&
			    memcmp(c->hdr, "070702", 6))
				return c->trailer ? (*used = i - n, 1)
						  : -EINVAL;
			c->namesize = cpio_hex(c->hdr + 94);
			filesize = cpio_hex(c->hdr + 54);
			if (c->namesize == 0 || c->namesize > CPIO_NAME_MAX ||
			    filesize == ~0ul)
				return -EINVAL;
			c->skip = filesize;
			c->st = C_NAME;
			c->got = 0;
			break;
		case C_NAME:
			n = c->namesize - c->got < len - i
				    ? c->namesize - c->got
				    : len - i;
			memcpy(c->name + c->got, p + i, n);
			c->got += n;
			i += n;
			c->off += n;
			if (c->got < c->namesize)
				break;
			c->name[c->namesize - 1] = '\0';
			/* the name is padded so that header+name is 4-aligned */
			c->skip += (4 - c->off % 4) % 4;
			if (!strcmp(c->name, "TRAILER!!!")) {
				c->trailer = true;
				c->skip = (4 - c->off % 4) % 4;
			} else {
				c->trailer = false;
				cpio_name(c);
				/* data is padded to 4 too */
				c->skip += (4 - (c->off + c->skip) % 4) % 4;
			}
			c->st = C_SKIP;
			break;
		case C_SKIP:
			n = c->skip < len - i ? (size_t)c->skip : len - i;
			i += n;
			c->off += n;
			c->skip -= n;
			if (!c->skip)
				c->st = C_MAGIC;
			break;
		case C_DONE:
			*used = i;
			return 1;
		}
	}
	*used = len;
	return 0;
}

enum initrd_kind { K_NONE, K_GZIP, K_XZ, K_ZSTD };

struct initrd_dec {
	enum initrd_kind kind;
	z_stream z;
	lzma_stream x;
	ZSTD_DStream *zs;
	uint64_t out_total, max;
};

static enum initrd_kind
initrd_magic(const uint8_t *p, size_t len)
{
	if (len >= 2 && p[0] == 0x1f && (p[1] == 0x8b || p[1] == 0x9e))
		return K_GZIP;
	if (len >= 6 && !memcmp(p,
				"\xfd"
				"7zXZ\0",
				6))
		return K_XZ;
	if (len >= 3 && p[0] == 0x5d && p[1] == 0 && p[2] == 0)
		return K_XZ; /* lzma-alone, through lzma_auto_decoder */
	if (len >= 4 && !memcmp(p, "\x28\xb5\x2f\xfd", 4))
		return K_ZSTD;
	return K_NONE;
}

static const char *
initrd_magic_name(const uint8_t *p, size_t len)
{
	if (len >= 4 && !memcmp(p, "\x02\x21\x4c\x18", 4))
		return "lz4";
	if (len >= 4 && !memcmp(p, "\x04\x22\x4d\x18", 4))
		return "lz4";
	if (len >= 3 && !memcmp(p, "BZh", 3))
		return "bzip2";
	if (len >= 3 && !memcmp(p, "\x89LZ", 3))
		return "lzo";
	return "an unknown format";
}

static int
initrd_dec_init(struct initrd_dec *d, enum initrd_kind kind)
{
	lzma_stream x = LZMA_STREAM_INIT;

	memset(d, 0, sizeof(*d));
	d->kind = kind;
	d->x = x;
	switch (kind) {
	case K_GZIP:
		return inflateInit2(&d->z, 16 + MAX_WBITS) == Z_OK ? 0
								   : -ENOMEM;
	case K_XZ:
		return lzma_auto_decoder(&d->x, 256u << 20, 0) == LZMA_OK
			       ? 0
			       : -ENOMEM;
	case K_ZSTD:
		d->zs = ZSTD_createDStream();
		if (!d->zs)
			return -ENOMEM;
		/* a window over 128 MiB is refused (memory) */
		ZSTD_DCtx_setParameter(d->zs, ZSTD_d_windowLogMax, 27);
		return 0;
	case K_NONE:
		break;
	}
	return -EINVAL;
}

static void
initrd_dec_end(struct initrd_dec *d)
{
	if (d->kind == K_GZIP)
		inflateEnd(&d->z);
	else if (d->kind == K_XZ)
		lzma_end(&d->x);
	else if (d->kind == K_ZSTD)
		ZSTD_freeDStream(d->zs);
	d->kind = K_NONE;
}

/* Decompress in (len bytes) into the cpio parser. *consumed: input used;
 * returns 0 (more input wanted), 1 (the compressed stream ended), 2 (it
 * does not hold cpio) or -errno. */
static int
initrd_dec_feed(struct initrd_dec *d, struct cpio *c, const uint8_t *in,
		size_t len, size_t *consumed, uint8_t *buf, size_t bufsize)
{
	size_t produced, used, before;
	int end = 0, rc;

	*consumed = 0;
	while (!end) {
		before = *consumed;
		if (d->kind == K_GZIP) {
			d->z.next_in = (Bytef *)(uintptr_t)(in + *consumed);
			d->z.avail_in = (uInt)(len - *consumed);
			d->z.next_out = buf;
			d->z.avail_out = (uInt)bufsize;
			rc = inflate(&d->z, Z_NO_FLUSH);
			if (rc != Z_OK && rc != Z_STREAM_END &&
			    rc != Z_BUF_ERROR)
				return -EINVAL;
			*consumed = len - d->z.avail_in;
			produced = bufsize - d->z.avail_out;
			end = rc == Z_STREAM_END;
		} else if (d->kind == K_XZ) {
			d->x.next_in = in + *consumed;
			d->x.avail_in = len - *consumed;
			d->x.next_out = buf;
			d->x.avail_out = bufsize;
			rc = (int)lzma_code(&d->x, LZMA_RUN);
			if (rc != LZMA_OK && rc != LZMA_STREAM_END &&
			    rc != LZMA_BUF_ERROR)
				return -EINVAL;
			*consumed = len - d->x.avail_in;
			produced = bufsize - d->x.avail_out;
			end = rc == LZMA_STREAM_END;
		} else {
			ZSTD_inBuffer zi = {in, len, *consumed};
			ZSTD_outBuffer zo = {buf, bufsize, 0};
			size_t r = ZSTD_decompressStream(d->zs, &zo, &zi);

			if (ZSTD_isError(r))
				return -EINVAL;
			*consumed = zi.pos;
			produced = zo.pos;
			end = r == 0;
		}
		d->out_total += produced;
		if (d->out_total > d->max)
			return -EFBIG;
		rc = cpio_feed(c, buf, produced, &used);
		if (rc < 0)
			return rc;
		if (rc == 1)
			return 2; /* not cpio inside: nothing more to learn */
		if (c->out->virtio_blk && c->out->virtio_pci)
			return 1;
		if (!produced && *consumed == len)
			return 0;
		if (!produced && *consumed == before)
			return -EINVAL; /* no progress: a broken stream */
	}
	return 1;
}

/* See bootdisk.h. */
int
bd_initrd_scan(bd_read_fn rd, void *ctx, uint64_t size, uint64_t max_out,
	       struct bd_initrd *out)
{
	struct cpio top = {0}, inner = {0};
	struct initrd_dec d = {0};
	uint8_t *in, *buf;
	uint64_t off = 0;
	size_t n, used, consumed;
	int rc = 0, r;

	memset(out, 0, sizeof(*out));
	top.out = inner.out = out;
	in = malloc(INITRD_CHUNK);
	buf = malloc(INITRD_CHUNK);
	if (!in || !buf) {
		rc = -ENOMEM;
		goto done;
	}
	while (off < size && !(out->virtio_blk && out->virtio_pci)) {
		n = size - off < INITRD_CHUNK ? (size_t)(size - off)
					      : INITRD_CHUNK;
		rc = rd(ctx, off, in, n);
		if (rc < 0)
			goto done;
		if (d.kind == K_NONE) {
			r = cpio_feed(&top, in, n, &used);
			if (r < 0) {
				rc = r;
				goto done;
			}
			off += used;
			if (r == 0)
				continue;
			/* a compressed archive starts at off */
			if (used == n)
				continue; /* its magic is in the next chunk */
			if (initrd_magic(in + used, n - used) == K_NONE) {
				out->unreadable =
					initrd_magic_name(in + used, n - used);
				goto done;
			}
			rc = initrd_dec_init(&d,
					     initrd_magic(in + used, n - used));
			if (rc < 0)
				goto done;
			d.max = max_out;
			memset(&inner, 0, sizeof(inner));
			inner.out = out;
			continue;
		}
		r = initrd_dec_feed(&d, &inner, in, n, &consumed, buf,
				    INITRD_CHUNK);
		if (r < 0) {
			rc = r;
			goto done;
		}
		off += consumed;
		if (r == 2) {
			out->unreadable = "a compressed part that is not cpio";
			goto done;
		}
		if (r == 1) {
			/* the kernel reads on after a compressed archive; so
			 * does this, for the next one (rare) */
			initrd_dec_end(&d);
			memset(&top, 0, sizeof(top));
			top.out = out;
			top.trailer = true;
		}
	}
	out->complete = true;
done:
	initrd_dec_end(&d);
	free(in);
	free(buf);
	return rc;
}
