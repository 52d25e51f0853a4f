/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libxmhv_console.c: unit tests of xmhv's console (ring buffer wrap, log
 * file, one client with takeover, input held while the UART is full). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "console.h"
#include "loop.h"
#include "tap.h"
#include "util.h"

static void
test_ring(void)
{
	struct console_ring *ring = calloc(1, sizeof(*ring));
	uint8_t *big = malloc(3 * CONSOLE_RING_SIZE), out[64];
	uint64_t pos = 0, lost = 0;
	size_t i, n;
	bool same = true;

	n = console_ring_read(ring, &pos, out, sizeof(out), &lost);
	tap_ok(n == 0 && pos == 0 && lost == 0, "empty ring reads nothing");
	console_ring_append(ring, (const uint8_t *)"hello", 5);
	n = console_ring_read(ring, &pos, out, sizeof(out), &lost);
	tap_ok(n == 5 && memcmp(out, "hello", 5) == 0 && pos == 5,
	       "read back what was appended");
	/* Fill to just before the end, then wrap. */
	for (i = 0; i < 3 * CONSOLE_RING_SIZE; i++)
		big[i] = (uint8_t)(i * 7 + i / 251);
	console_ring_append(ring, big, CONSOLE_RING_SIZE - 5 - 3);
	console_ring_append(ring, (const uint8_t *)"ABCDEFGH", 8);
	pos = ring->head - 8;
	n = console_ring_read(ring, &pos, out, sizeof(out), &lost);
	tap_ok(n == 8 && memcmp(out, "ABCDEFGH", 8) == 0 && lost == 0,
	       "a write across the end wraps and reads back whole");
	tap_is_int(console_ring_tail(ring), 5, "wrapped by 5: tail 5");
	console_ring_append(ring, (const uint8_t *)"!", 1);
	tap_is_int(console_ring_tail(ring), 6, "one more byte: tail moves");
	pos = 0;
	n = console_ring_read(ring, &pos, out, 4, &lost);
	tap_ok(lost == 6 && n == 4 && memcmp(out, big + 1, 4) == 0,
	       "a reader that fell behind skips the lost bytes");
	/* An append larger than the ring keeps its last bytes. */
	memset(ring, 0, sizeof(*ring));
	console_ring_append(ring, big, 3 * CONSOLE_RING_SIZE);
	tap_ok(ring->head == 3 * CONSOLE_RING_SIZE, "head counts all bytes");
	pos = console_ring_tail(ring);
	for (i = 0; i < CONSOLE_RING_SIZE; i += n) {
		n = console_ring_read(ring, &pos, out, sizeof(out), NULL);
		if (n == 0 ||
		    memcmp(out, big + 2 * CONSOLE_RING_SIZE + i, n) != 0) {
			same = false;
			break;
		}
	}
	tap_ok(same && i == CONSOLE_RING_SIZE,
	       "the last 64 KiB of an oversized append are kept in order");
	pos = ring->head + 100;
	tap_is_int(console_ring_read(ring, &pos, out, sizeof(out), NULL), 0,
		   "a position past the head reads nothing");
	tap_ok(pos == ring->head, "and is clamped");
	free(big);
	free(ring);
}

/* Input sink standing in for the guest UART: takes at most `room`. */
struct sink {
	char got[256];
	size_t len, room;
};

static size_t
sink_input(void *opaque, const uint8_t *buf, size_t len)
{
	struct sink *s = opaque;

	if (len > s->room)
		len = s->room;
	if (len > sizeof(s->got) - 1 - s->len)
		len = sizeof(s->got) - 1 - s->len;
	memcpy(s->got + s->len, buf, len);
	s->len += len;
	s->room -= len;
	return len;
}

static struct loop *loop;

/* Let the console's loop run for a while (rounds of up to 20 ms). */
static void
spin(struct console *c, int rounds)
{
	int i;

	(void)c;
	for (i = 0; i < rounds; i++)
		(void)!loop_run_once(loop, 20);
}

static int
dial(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	(void)!util_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	(void)!util_set_nonblock(fd, true);
	return fd;
}

static ssize_t
slurp(int fd, char *buf, size_t size)
{
	ssize_t n = read(fd, buf, size - 1);

	buf[n > 0 ? n : 0] = '\0';
	return n;
}

static void
test_console(void)
{
	char dir[] = "/tmp/xmhv-console-XXXXXX", sock[128], logp[128];
	char buf[512], *data = NULL;
	struct console *c = NULL;
	struct sink sink = {.room = 3};
	struct stat st;
	size_t len;
	int a, b, logfd;

	if (!mkdtemp(dir) || loop_new(&loop) < 0 || console_new(loop, &c) < 0) {
		tap_ok(false, "setup: %s", strerror(errno));
		return;
	}
	(void)snprintf(sock, sizeof(sock), "%s/1.console", dir);
	(void)snprintf(logp, sizeof(logp), "%s/con.log", dir);
	logfd = open(logp, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	tap_ok(logfd >= 0, "the toolstack opens the log");
	console_set_log(c, logfd);
	tap_is_int(console_listen(c, sock), 0, "listen");
	tap_ok(stat(sock, &st) == 0 && (st.st_mode & 0777) == 0600,
	       "console socket is 0600");
	console_set_input(c, sink_input, &sink);
	console_output(c, (const uint8_t *)"boot line\r\n", 11);
	spin(c, 2);
	a = dial(sock);
	spin(c, 3);
	tap_ok(slurp(a, buf, sizeof(buf)) == 11 &&
		       strcmp(buf, "boot line\r\n") == 0,
	       "a new client gets the ring first");
	console_output(c, (const uint8_t *)"xmguest# ", 9);
	spin(c, 3);
	tap_ok(slurp(a, buf, sizeof(buf)) == 9 && strcmp(buf, "xmguest# ") == 0,
	       "then live output");
	tap_ok(write(a, "info\r", 5) == 5, "client types");
	spin(c, 3);
	tap_ok(sink.len == 3 && memcmp(sink.got, "inf", 3) == 0,
	       "the UART takes what fits");
	sink.room = 100;
	spin(c, 3);
	tap_ok(sink.len == 5 && memcmp(sink.got, "info\r", 5) == 0,
	       "the rest follows when it has room (%zu bytes)", sink.len);
	b = dial(sock);
	spin(c, 3);
	tap_ok(slurp(a, buf, sizeof(buf)) > 0 &&
		       strstr(buf, "console taken over") != NULL,
	       "the old client is told it was taken over");
	spin(c, 2);
	tap_ok(slurp(a, buf, sizeof(buf)) == 0, "and then closed");
	tap_ok(slurp(b, buf, sizeof(buf)) == 20 &&
		       strcmp(buf, "boot line\r\nxmguest# ") == 0,
	       "the new client gets the ring");
	close(a);
	close(b);
	console_free(c);
	tap_ok(access(sock, F_OK) < 0, "socket removed on free");
	tap_ok(fcntl(logfd, F_GETFD) < 0 && errno == EBADF,
	       "the console closed the log fd it was given");
	tap_ok(util_read_file(logp, 4096, &data, &len) == 0 && len == 20 &&
		       memcmp(data, "boot line\r\nxmguest# ", 20) == 0,
	       "log file has every byte");
	free(data);
	(void)unlink(logp);
	(void)rmdir(dir);
	loop_free(loop);
}

int
main(void)
{
	test_ring();
	test_console();
	return tap_done();
}
