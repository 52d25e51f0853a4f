/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bus.h: port I/O or MMIO address space of a machine: ranges kept sorted,
 * overlaps refused, looked up by binary search on every exit. Ranges can
 * move and go at run time (PCI BARs follow the guest's programming). */
#ifndef XMHV_BUS_H
#define XMHV_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An access to [base, base + len): addr is absolute, size 1..8 bytes
 * (data in guest byte order). vCPU threads, several at once. */
typedef void (*io_fn)(void *opaque, uint64_t addr, uint8_t *data, uint32_t size,
		      bool write);

struct bus;

/* A bus for ranges inside [0, limit] (0xffff for ports). NULL on ENOMEM. */
struct bus *bus_new(const char *name, uint64_t limit);
void bus_free(struct bus *bus);

/* Claim [base, base + len) for fn. -EEXIST when it overlaps a claimed
 * range (*clash_out, when not NULL, is that range's owner), -EINVAL for an
 * empty range or one past the limit, -ENOSPC when the bus is full.
 * owner names the device in messages. Any thread. */
int bus_add(struct bus *bus, uint64_t base, uint64_t len, io_fn fn,
	    void *opaque, const char *owner, const char **clash_out)
	__attribute__((warn_unused_result));
/* Release the range that starts at base. -ENOENT when there is none. */
int bus_remove(struct bus *bus, uint64_t base);
/* Move the range at old_base to new_base in one step (same length).
 * -ENOENT, -EEXIST (the new place overlaps another range; nothing
 * changed), -EINVAL. */
int bus_move(struct bus *bus, uint64_t old_base, uint64_t new_base)
	__attribute__((warn_unused_result));

/* Dispatch one access. Returns false when no range holds addr (reads then
 * see all ones). The handler runs without the bus lock held, so it may
 * move or remove ranges; a range removed meanwhile may still see one last
 * access. */
bool bus_dispatch(struct bus *bus, uint64_t addr, uint8_t *data, uint32_t size,
		  bool write);

/* Number of ranges and the i-th one (sorted by base), for diagnostics and
 * tests. */
size_t bus_count(struct bus *bus);
int bus_range(struct bus *bus, size_t i, uint64_t *base_out, uint64_t *len_out,
	      const char **owner_out);

#endif
