/* SPDX-License-Identifier: GPL-2.0-or-later */
/* util.h: small helpers shared by the programs (files, strings, numbers). */
#ifndef XM_UTIL_H
#define XM_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define WUR __attribute__((warn_unused_result))

/* Copy src into dst (size bytes, always NUL-terminated). Returns 0, or
 * -ENAMETOOLONG when src did not fit (dst then holds a truncated copy). */
int util_strlcpy(char *dst, const char *src, size_t size) WUR;

/* snprintf that returns 0 or -ENAMETOOLONG on truncation. */
int util_snprintf(char *dst, size_t size, const char *fmt, ...) WUR
	__attribute__((format(printf, 3, 4)));

/* Read a whole file of at most max bytes. *data_out is malloc'd and
 * NUL-terminated (the NUL is not counted in *len_out). Returns 0 or -errno
 * (-EFBIG past max). */
int util_read_file(const char *path, size_t max, char **data_out,
		   size_t *len_out) WUR;

/* Replace path atomically with data: write a temporary file beside it,
 * fsync it, rename it over path, fsync the directory. Returns 0 or -errno;
 * on failure path is unchanged and no temporary file is left. */
int util_write_file_atomic(const char *path, const void *data, size_t len,
			   mode_t mode) WUR;

/* write()/read() the whole buffer, retrying on EINTR and short counts.
 * Return 0 or -errno (-EPIPE for EOF on read). */
int util_write_all(int fd, const void *buf, size_t len) WUR;
int util_read_all(int fd, void *buf, size_t len) WUR;

/* mkdir -p with mode for each created directory. Returns 0 or -errno. */
int util_mkdir_p(const char *path, mode_t mode) WUR;

/* Parse a whole decimal/0x-hex unsigned number in [0, max]. 0 or -EINVAL/-ERANGE. */
int util_parse_u64(const char *s, uint64_t max, uint64_t *value_out) WUR;

/* Monotonic clock in nanoseconds. */
uint64_t util_now_ns(void);

/* Set or clear O_NONBLOCK / FD_CLOEXEC. Return 0 or -errno. */
int util_set_nonblock(int fd, bool on) WUR;
int util_set_cloexec(int fd, bool on) WUR;

/* A helper program: PATH_FROM_SELF (relative to this executable's
 * directory, e.g. "xm-config" or "../xmctl/xm-config") when it is
 * executable there, as in a build tree, else NAME in INSTALLED_DIR.
 * Writes the path into buf; 0 or -errno (-ENAMETOOLONG). */
int util_helper_path(const char *path_from_self, const char *installed_dir,
		     const char *name, char *buf, size_t size) WUR;

#endif
