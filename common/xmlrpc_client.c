/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xmlrpc_client.c: a blocking XML-RPC client over HTTP/1.1 on a unix socket. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "xmlrpc.h"

static int __attribute__((format(printf, 4, 5)))
xmlrpc_client_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static long long
xmlrpc_client_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for fd to be ready for events; -ETIMEDOUT past deadline (0: none). */
static int
xmlrpc_client_wait(int fd, short events, long long deadline)
{
	struct pollfd pfd = {.fd = fd, .events = events};
	long long left;
	int n;

	for (;;) {
		left = deadline ? deadline - xmlrpc_client_now_ms() : -1;
		if (deadline && left <= 0)
			return -ETIMEDOUT;
		n = poll(&pfd, 1, deadline ? (int)left : -1);
		if (n > 0)
			return 0;
		if (n == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

static int
xmlrpc_client_send(int fd, const char *buf, size_t len, long long deadline)
{
	ssize_t n;
	int rc;

	while (len > 0) {
		rc = xmlrpc_client_wait(fd, POLLOUT, deadline);
		if (rc < 0)
			return rc;
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read until EOF (the server closes after one answer) or max bytes. */
static int
xmlrpc_client_recv(int fd, size_t max, long long deadline, char **buf_out,
		   size_t *len_out)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap + 1), *nb;
	ssize_t n;
	int rc;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (len == cap) {
			if (cap >= max) {
				rc = -E2BIG;
				goto fail;
			}
			cap *= 2;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				rc = -ENOMEM;
				goto fail;
			}
			buf = nb;
		}
		rc = xmlrpc_client_wait(fd, POLLIN, deadline);
		if (rc < 0)
			goto fail;
		n = recv(fd, buf + len, cap - len, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0) {
			rc = -errno;
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*buf_out = buf;
	*len_out = len;
	return 0;
fail:
	free(buf);
	return rc;
}

static int
xmlrpc_client_connect(const char *sock_path, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, rc;

	if (strlen(sock_path) >= sizeof(sa.sun_path))
		return xmlrpc_client_fail(err, errlen, -ENAMETOOLONG,
					  "%s: path too long", sock_path);
	memcpy(sa.sun_path, sock_path, strlen(sock_path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return xmlrpc_client_fail(err, errlen, -errno, "socket: %s",
					  strerror(errno));
	while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno == EINTR)
			continue;
		rc = -errno;
		close(fd);
		return xmlrpc_client_fail(err, errlen, rc, "%s: %s", sock_path,
					  strerror(-rc));
	}
	return fd;
}

int
xmlrpc_client_call(const char *sock_path, const char *method,
		   const struct xmlrpc_value *params, int timeout_ms,
		   struct xmlrpc_response **resp_out, char *err, size_t errlen)
{
	long long deadline =
		timeout_ms > 0 ? xmlrpc_client_now_ms() + timeout_ms : 0;
	char *body = NULL, *reply = NULL, head[256];
	size_t body_len, reply_len = 0;
	const char *sep;
	int fd = -1, rc, status;

	if (err && errlen)
		err[0] = '\0';
	body = xmlrpc_format_call(method, params, &body_len);
	if (!body) {
		rc = xmlrpc_client_fail(err, errlen, -ENOMEM,
					"cannot encode the call to %s", method);
		goto out;
	}
	fd = xmlrpc_client_connect(sock_path, err, errlen);
	if (fd < 0) {
		rc = fd;
		goto out;
	}
	snprintf(head, sizeof(head),
		 "POST /RPC2 HTTP/1.1\r\nHost: localhost\r\n"
		 "User-Agent: xmtools\r\nContent-Type: text/xml\r\n"
		 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
		 body_len);
	rc = xmlrpc_client_send(fd, head, strlen(head), deadline);
	if (rc == 0)
		rc = xmlrpc_client_send(fd, body, body_len, deadline);
	if (rc == 0)
		rc = xmlrpc_client_recv(fd,
					XMLRPC_MAX_RESPONSE + XMLRPC_MAX_HEADER,
					deadline, &reply, &reply_len);
	if (rc < 0) {
		xmlrpc_client_fail(err, errlen, rc, "%s: %s", sock_path,
				   rc == -ETIMEDOUT ? "no answer in time"
						    : strerror(-rc));
		goto out;
	}
	if (sscanf(reply, "HTTP/1.%*1[01] %d", &status) != 1 ||
	    !(sep = strstr(reply, "\r\n\r\n"))) {
		rc = xmlrpc_client_fail(err, errlen, -EPROTO,
					"%s: not an HTTP answer", sock_path);
		goto out;
	}
	if (status != 200) {
		rc = xmlrpc_client_fail(err, errlen, -EPROTO,
					"%s: HTTP status %d", sock_path,
					status);
		goto out;
	}
	sep += 4;
	rc = xmlrpc_parse_response(sep, reply_len - (size_t)(sep - reply),
				   resp_out, err, errlen);
	if (rc < 0)
		rc = -EPROTO;
out:
	if (fd >= 0)
		close(fd);
	free(body);
	free(reply);
	return rc;
}
