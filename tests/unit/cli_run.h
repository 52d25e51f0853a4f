/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli_run.h: runs the built xm binary (XM_BINARY) for the xm unit tests. */
#ifndef XM_TESTS_CLI_RUN_H
#define XM_TESTS_CLI_RUN_H

#ifndef XM_BINARY
#define XM_BINARY "xmctl/xm"
#endif

#define CLI_OUT_MAX (1 << 16)

/* The test's scratch directory (the caller creates it; xm runs in it),
 * what xm read and wrote on the last run, what it reads next. */
extern char cli_tmp[256];
extern char cli_out[CLI_OUT_MAX], cli_err[CLI_OUT_MAX];
extern const char *cli_stdin;

/* Run xm with args (NULL-terminated) and XMD_ROOT=root (NULL: unset);
 * capture stdout and stderr into cli_out and cli_err. Returns the exit
 * status, or -1. */
int cli_run(const char *root, const char *const *args);
#define RUN(root, ...) cli_run(root, (const char *const[]){__VA_ARGS__, NULL})

/* Write text to cli_tmp/name (directories created). 0 or -errno. */
int cli_write(const char *name, const char *text);

#endif
