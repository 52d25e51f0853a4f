/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bus.c: a sorted table of port or MMIO ranges (implements bus.h). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"

#define BUS_MAX_RANGES 256

struct bus_range {
	uint64_t base, len;
	io_fn fn;
	void *opaque;
	const char *owner;
};

struct bus {
	const char *name;
	uint64_t limit;
	pthread_rwlock_t lock;
	size_t n;
	struct bus_range r[BUS_MAX_RANGES]; /* sorted by base, disjoint */
};

struct bus *
bus_new(const char *name, uint64_t limit)
{
	struct bus *bus = calloc(1, sizeof(*bus));

	if (!bus)
		return NULL;
	bus->name = name;
	bus->limit = limit;
	pthread_rwlock_init(&bus->lock, NULL);
	return bus;
}

void
bus_free(struct bus *bus)
{
	if (!bus)
		return;
	pthread_rwlock_destroy(&bus->lock);
	free(bus);
}

/* Index of the first range whose end is above addr (n when none). */
static size_t
bus_lower(const struct bus *bus, uint64_t addr)
{
	size_t lo = 0, hi = bus->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (bus->r[mid].base + bus->r[mid].len - 1 < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool
bus_valid(const struct bus *bus, uint64_t base, uint64_t len)
{
	return len > 0 && base <= bus->limit && len - 1 <= bus->limit - base;
}

/* Caller holds the write lock: where [base, base+len) would go, or -EEXIST
 * (with the clashing range in *clash) when it overlaps. skip: an index to
 * ignore (the range being moved), or SIZE_MAX. */
static long
bus_slot(const struct bus *bus, uint64_t base, uint64_t len, size_t skip,
	 const struct bus_range **clash)
{
	size_t i = bus_lower(bus, base);

	if (i == skip)
		i++;
	if (i < bus->n && bus->r[i].base <= base + len - 1) {
		*clash = &bus->r[i];
		return -EEXIST;
	}
	return (long)i;
}

int
bus_add(struct bus *bus, uint64_t base, uint64_t len, io_fn fn, void *opaque,
	const char *owner, const char **clash_out)
{
	const struct bus_range *clash = NULL;
	long i;
	int rc = 0;

	if (!bus_valid(bus, base, len) || !fn)
		return -EINVAL;
	pthread_rwlock_wrlock(&bus->lock);
	if (bus->n == BUS_MAX_RANGES) {
		rc = -ENOSPC;
		goto out;
	}
	i = bus_slot(bus, base, len, SIZE_MAX, &clash);
	if (i < 0) {
		rc = (int)i;
		if (clash_out)
			*clash_out = clash->owner;
		goto out;
	}
	memmove(&bus->r[i + 1], &bus->r[i],
		(bus->n - (size_t)i) * sizeof(bus->r[0]));
	bus->r[i] = (struct bus_range){base, len, fn, opaque, owner};
	bus->n++;
out:
	pthread_rwlock_unlock(&bus->lock);
	return rc;
}

/* Caller holds the lock: index of the range starting at base, or -1. */
static long
bus_find(const struct bus *bus, uint64_t base)
{
	size_t i = bus_lower(bus, base);

	return i < bus->n && bus->r[i].base == base ? (long)i : -1;
}

int
bus_remove(struct bus *bus, uint64_t base)
{
	long i;

	pthread_rwlock_wrlock(&bus->lock);
	i = bus_find(bus, base);
	if (i >= 0) {
		memmove(&bus->r[i], &bus->r[i + 1],
			(bus->n - (size_t)i - 1) * sizeof(bus->r[0]));
		bus->n--;
	}
	pthread_rwlock_unlock(&bus->lock);
	return i < 0 ? -ENOENT : 0;
}

int
bus_move(struct bus *bus, uint64_t old_base, uint64_t new_base)
{
	const struct bus_range *clash;
	struct bus_range moved;
	long i, j;
	int rc = 0;

	pthread_rwlock_wrlock(&bus->lock);
	i = bus_find(bus, old_base);
	if (i < 0) {
		rc = -ENOENT;
		goto out;
	}
	moved = bus->r[i];
	if (!bus_valid(bus, new_base, moved.len)) {
		rc = -EINVAL;
		goto out;
	}
	j = bus_slot(bus, new_base, moved.len, (size_t)i, &clash);
	if (j < 0) {
		rc = (int)j;
		goto out;
	}
	/* Take it out, then put it in at its new place. */
	memmove(&bus->r[i], &bus->r[i + 1],
		(bus->n - (size_t)i - 1) * sizeof(bus->r[0]));
	bus->n--;
	if (j > i)
		j--;
	memmove(&bus->r[j + 1], &bus->r[j],
		(bus->n - (size_t)j) * sizeof(bus->r[0]));
	moved.base = new_base;
	bus->r[j] = moved;
	bus->n++;
out:
	pthread_rwlock_unlock(&bus->lock);
	return rc;
}

bool
bus_dispatch(struct bus *bus, uint64_t addr, uint8_t *data, uint32_t size,
	     bool write)
{
	io_fn fn = NULL;
	void *opaque = NULL;
	size_t i;

	pthread_rwlock_rdlock(&bus->lock);
	i = bus_lower(bus, addr);
	if (i < bus->n && bus->r[i].base <= addr) {
		fn = bus->r[i].fn;
		opaque = bus->r[i].opaque;
	}
	pthread_rwlock_unlock(&bus->lock);
	if (!fn) {
		if (!write)
			memset(data, 0xff, size);
		return false;
	}
	fn(opaque, addr, data, size, write);
	return true;
}

size_t
bus_count(struct bus *bus)
{
	size_t n;

	pthread_rwlock_rdlock(&bus->lock);
	n = bus->n;
	pthread_rwlock_unlock(&bus->lock);
	return n;
}

int
bus_range(struct bus *bus, size_t i, uint64_t *base_out, uint64_t *len_out,
	  const char **owner_out)
{
	int rc = -ENOENT;

	pthread_rwlock_rdlock(&bus->lock);
	if (i < bus->n) {
		*base_out = bus->r[i].base;
		*len_out = bus->r[i].len;
		*owner_out = bus->r[i].owner;
		rc = 0;
	}
	pthread_rwlock_unlock(&bus->lock);
	return rc;
}
