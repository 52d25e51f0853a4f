/* SPDX-License-Identifier: GPL-2.0-or-later */
/* device.c: the device helpers of device.h: names and the state stream. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"

void
device_init(struct device *dev, const struct device_ops *ops, const char *name)
{
	dev->ops = ops;
	dev->next = NULL;
	(void)snprintf(dev->name, sizeof(dev->name), "%s", name);
}

int
device_list_save(struct device *head, struct dstate *out)
{
	struct device *d;
	size_t at;
	uint32_t n;
	int rc;

	for (d = head; d; d = d->next) {
		dstate_put(out, d->name, sizeof(d->name));
		at = out->len;
		dstate_put_u32(out, 0); /* the length, filled in below */
		rc = d->ops->save ? d->ops->save(d, out) : 0;
		if (rc < 0)
			return rc;
		if (dstate_status(out) < 0)
			return -EOVERFLOW;
		n = (uint32_t)(out->len - at - sizeof(n));
		memcpy(out->buf + at, &n, sizeof(n));
	}
	return dstate_status(out);
}

static struct device *
device_by_name(struct device *head, const char *name)
{
	for (; head; head = head->next)
		if (strncmp(head->name, name, sizeof(head->name)) == 0)
			return head;
	return NULL;
}

int
device_list_restore(struct device *head, struct dstate *in)
{
	char name[sizeof(head->name)];
	struct dstate part;
	struct device *d;
	size_t count = 0, seen = 0;
	uint32_t n;
	int rc;

	for (d = head; d; d = d->next)
		count++;
	while (in->pos < in->len) {
		dstate_get(in, name, sizeof(name));
		n = dstate_get_u32(in);
		if (dstate_status(in) < 0 || n > in->len - in->pos ||
		    !memchr(name, 0, sizeof(name)))
			return -EINVAL;
		d = device_by_name(head, name);
		if (!d)
			return -EINVAL;
		dstate_reader(&part, in->buf + in->pos, n);
		in->pos += n;
		rc = d->ops->restore ? d->ops->restore(d, &part) : 0;
		if (rc == 0 && (part.pos != part.len || dstate_status(&part)))
			rc = -EINVAL;
		if (rc < 0)
			return rc;
		seen++;
	}
	return seen == count ? 0 : -EINVAL;
}

void
dstate_init(struct dstate *s)
{
	memset(s, 0, sizeof(*s));
}

void
dstate_dispose(struct dstate *s)
{
	if (s->cap)
		free(s->buf);
	memset(s, 0, sizeof(*s));
}

void
dstate_reader(struct dstate *s, const void *buf, size_t len)
{
	memset(s, 0, sizeof(*s));
	s->buf = (uint8_t *)buf; /* never written through: cap stays 0 */
	s->len = len;
}

void
dstate_put(struct dstate *s, const void *p, size_t n)
{
	size_t cap;
	uint8_t *b;

	if (s->failed || n > DSTATE_MAX - s->len) {
		s->failed = true;
		return;
	}
	if (s->len + n > s->cap) {
		cap = s->cap ? s->cap : 256;
		while (cap < s->len + n)
			cap *= 2;
		b = realloc(s->buf, cap);
		if (!b) {
			s->failed = true;
			return;
		}
		s->buf = b;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

void
dstate_put_u32(struct dstate *s, uint32_t v)
{
	dstate_put(s, &v, sizeof(v));
}

void
dstate_put_u64(struct dstate *s, uint64_t v)
{
	dstate_put(s, &v, sizeof(v));
}

void
dstate_get(struct dstate *s, void *p, size_t n)
{
	if (s->failed || n > s->len - s->pos) {
		s->failed = true;
		memset(p, 0, n);
		return;
	}
	memcpy(p, s->buf + s->pos, n);
	s->pos += n;
}

uint32_t
dstate_get_u32(struct dstate *s)
{
	uint32_t v;

	dstate_get(s, &v, sizeof(v));
	return v;
}

uint64_t
dstate_get_u64(struct dstate *s)
{
	uint64_t v;

	dstate_get(s, &v, sizeof(v));
	return v;
}

int
dstate_status(const struct dstate *s)
{
	return s->failed ? -EOVERFLOW : 0;
}
