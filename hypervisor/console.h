/* SPDX-License-Identifier: GPL-2.0-or-later */
/* console.h: a domain's console: ring buffer, log file and one attached
 * client on "<run_dir>/<domid>.console". */
#ifndef XMHV_CONSOLE_H
#define XMHV_CONSOLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONSOLE_RING_SIZE (64u * 1024u) /* power of two */
#define CONSOLE_TAKEOVER_MSG                                                   \
	"\r\n[xmhv: console taken over by another client]\r\n"

/* The last CONSOLE_RING_SIZE bytes of output. head counts every byte ever
 * appended; a reader keeps its own position in that count. Not locked:
 * struct console wraps it in a mutex. */
struct console_ring {
	uint64_t head;
	uint8_t buf[CONSOLE_RING_SIZE];
};

/* Append len bytes (only the last CONSOLE_RING_SIZE matter). Pure. */
void console_ring_append(struct console_ring *ring, const uint8_t *buf,
			 size_t len);

/* Copy up to len bytes from *pos into out and advance *pos. A reader that
 * fell behind by more than the ring skips to the oldest byte kept; *lost_out
 * (when not NULL) is the number of bytes skipped. Returns the bytes copied.
 * Pure. */
size_t console_ring_read(const struct console_ring *ring, uint64_t *pos,
			 uint8_t *out, size_t len, uint64_t *lost_out);

/* Position of the oldest byte still in the ring. Pure. */
uint64_t console_ring_tail(const struct console_ring *ring);

struct console;
struct loop;

/* A console with an empty ring, no log, no socket, its fds watched by loop
 * (guest output, the listening socket, the client). Returns 0 or -errno. */
int console_new(struct loop *loop, struct console **console_out)
	__attribute__((warn_unused_result));

/* Stop and free (accepts NULL): writes what the log has not got yet and
 * closes it, closes the client and unlinks the listening socket. Main
 * thread, after the vCPUs stopped. */
void console_free(struct console *c);

/* Guest output (a vm_console_out_cb: opaque is the struct console). Copies
 * into the ring and wakes the main loop; never blocks on I/O. Any thread. */
void console_output(void *opaque, const uint8_t *buf, size_t len);

/* Append output from now on to fd, a log file the toolstack opened (the
 * console owns it from here; a previous one is closed). Main thread. */
void console_set_log(struct console *c, int fd);

/* Listen on a unix socket at path (mode 0600). 0 or -errno. */
int console_listen(struct console *c, const char *path)
	__attribute__((warn_unused_result));

/* Where client input goes: fn returns how many bytes it accepted (the
 * guest UART FIFO may be full; the rest is retried later, and the client
 * is not read meanwhile). NULL fn: input is dropped. Main thread. */
typedef size_t (*console_input_fn)(void *opaque, const uint8_t *buf,
				   size_t len);
void console_set_input(struct console *c, console_input_fn fn, void *opaque);

/* Copy the newest output since the last call to the log and the client
 * (what the loop does on a wake-up). Main thread. */
void console_flush(struct console *c);

#endif
