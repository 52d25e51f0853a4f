/* SPDX-License-Identifier: GPL-2.0-or-later */
/* log.h: the one logger of the programs (stderr in foreground, syslog otherwise). */
#ifndef XM_LOG_H
#define XM_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum log_level {
	LOG_LEVEL_ERR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG
};

/* Set the program name and destination. With foreground, lines go to stderr
 * (and to log_file when one is set); otherwise to syslog. Not thread-safe:
 * call once from main before threads exist. */
void log_init(const char *ident, bool foreground);

/* Also append every line to this file (NULL to stop). Returns 0 or -errno. */
int log_set_file(const char *path) __attribute__((warn_unused_result));

/* Lines at a level above max are dropped. Default: LOG_LEVEL_INFO. */
void log_set_max_level(enum log_level max);

/* Log one line; callers name the object: "domain web1: disk ...: ...".
 * Safe from any thread. */
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

#define log_err(...) log_msg(LOG_LEVEL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
