/* SPDX-License-Identifier: GPL-2.0-or-later */
/* internal.h: libxmcfg's private types: evaluated values, bindings, parsers. */
#ifndef XMCFG_INTERNAL_H
#define XMCFG_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xmcfg.h"

/* A value the sandboxed child evaluated, as sent over the pipe. */
enum xmval_type {
	XMVAL_NONE,
	XMVAL_BOOL,
	XMVAL_INT,
	XMVAL_BIGINT, /* an int outside int64: kept as its decimal text */
	XMVAL_FLOAT,
	XMVAL_STR,
	XMVAL_LIST, /* list or tuple */
	XMVAL_DICT,
	XMVAL_OTHER, /* function, module, ...: its type name in str */
};

struct xmval {
	enum xmval_type type;
	bool b;
	int64_t i;
	double f;
	char *str; /* STR, BIGINT, OTHER */
	size_t len;
	struct xmval *items; /* LIST: n items; DICT: 2n (key, value, ...) */
	size_t n;
};

/* One top-level name the config bound, with the line of its last
 * assignment (0: set by a VAR=VALUE override). */
struct xmbinding {
	char *name;
	int line;
	bool declared; /* declared with xm_vars.var() or read by the config
			* itself (a helper): no unknown-key warning */
	struct xmval val;
};

struct xmbindings {
	struct xmbinding *v;
	size_t n;
};

/* Wire format (child -> parent), all integers little-endian:
 * record := 'O' u32 nbind { str name, u32 line, u8 declared, value }
 *         | 'E' u32 code u32 line str message
 * value  := 'N' | 'T' | 'F' | 'i' i64 | 'I' str | 'f' f64 | 's' str
 *         | 'l' u32 n value* | 'd' u32 n (value value)* | 'o' str
 * str    := u32 len bytes */
#define XMWIRE_MAX_DEPTH 32
#define XMWIRE_MAX_BYTES (64u << 20)

struct xmbuf {
	char *data;
	size_t len, cap;
	bool failed; /* an allocation failed: the content is incomplete */
};

void xmbuf_put(struct xmbuf *b, const void *p, size_t n);
void xmbuf_u8(struct xmbuf *b, uint8_t v);
void xmbuf_u32(struct xmbuf *b, uint32_t v);
void xmbuf_u64(struct xmbuf *b, uint64_t v);
void xmbuf_str(struct xmbuf *b, const char *s, size_t n);
void xmbuf_printf(struct xmbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void xmbuf_free(struct xmbuf *b);
/* Terminate b's text with a NUL and hand it over (caller frees), or NULL
 * when a put failed (b is freed then). b is empty afterwards. */
char *xmbuf_finish(struct xmbuf *b);

/* Decode one record from data[0..len). On success fills either bindings
 * (returns 0) or err (returns 1, with err->code/line/message set, file
 * left alone); *used_out is the record length. -1: malformed. */
int xmwire_decode(const char *data, size_t len, struct xmbindings *b,
		  struct xmcfg_error *err, size_t *used_out);

void xmval_dispose(struct xmval *v);
void xmbindings_dispose(struct xmbindings *b);
/* Short description of the value for messages ("int 5", "list", ...). */
const char *xmval_type_name(const struct xmval *v);

/* Run the sandboxed evaluator over n files (contents already read).
 * For each file, appends one record to out (see wire format). Returns 0 or
 * -1 with err filled for a failure of the sandbox as a whole (the caller
 * then attributes it to the file being evaluated, see *done_out). */
struct xmsrc {
	const char *path; /* as shown in messages */
	const char *text;
	size_t len;
};
int xmpy_run(const struct xmsrc *srcs, size_t n, const char *const *overrides,
	     size_t noverrides, const struct xmcfg_options *opts,
	     struct xmbuf *out, struct xmcfg_error *err);

/* error.c */
void xmerr_set(struct xmcfg_error *err, enum xmcfg_errcode code,
	       const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void xmerr_vset(struct xmcfg_error *err, enum xmcfg_errcode code,
		const char *file, int line, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));

/* keytab.c: every config key, its type, limits and meaning. */
enum xmkey_kind {
	KEY_STR,         /* char * at off */
	KEY_U64,         /* uint64_t at off, [min, max] */
	KEY_U32,         /* uint32_t at off, [min, max] */
	KEY_BOOL,        /* bool at off */
	KEY_ACTION,      /* enum xmcfg_action at off */
	KEY_UUID,        /* uuid + has_uuid */
	KEY_CPUS,        /* string or per-vCPU list */
	KEY_CPU,         /* deprecated cpu=N, folded into cpus */
	KEY_RESTART,     /* deprecated restart=, mapped to on_* */
	KEY_DISK,        /* list of disk specs */
	KEY_VIF,         /* list of vif specs */
	KEY_CPUID,       /* xm's list of cpuid entries, or xl's string */
	KEY_BUILDER,     /* xm builder= ('linux', 'hvm'; xl: 'generic') */
	KEY_TYPE,        /* xl type= ('pv', 'pvh', 'hvm'), wins over builder */
	KEY_BOOTARGS,    /* bootloader arguments: a string or xl's list */
	KEY_UNSUPPORTED, /* a device or feature xmtools lacks: warning */
	KEY_HVM,         /* HVM firmware or device model: recorded, noted */
	KEY_XEN,         /* Xen-only tuning: recorded, noted */
};

struct xmkey_def {
	const char *name;
	enum xmkey_kind kind;
	size_t off;
	uint64_t min, max;
	const char *doc;
};

extern const struct xmkey_def xmkeys_table[]; /* ends with a NULL name */
/* The row of a key, or NULL. Pure. */
const struct xmkey_def *xmkeys_find(const char *name);

/* keys.c: turn the bindings of one file into a validated domain. path is
 * the file (for messages and the default name). Returns 0 or -1 with err. */
int xmkeys_apply(const struct xmbindings *b, const char *path,
		 struct xmcfg_domain *dom, struct xmcfg_error *err);
/* Rules every domain obeys whatever its source (also domain XML given to
 * xmd): names, text, ranges. Returns 0 or -1 with msg. */
int xmkeys_check(const struct xmcfg_domain *dom, char *msg, size_t msglen);
/* Apply "VAR=VALUE" overrides to bindings (replacing or adding; line 0).
 * Returns 0 or -1 with err (XMCFG_EVALUE for a malformed override). */
int xmkeys_override(struct xmbindings *b, const char *const *overrides,
		    size_t n, struct xmcfg_error *err);

/* disk.c: parse one disk spec into *d (owned strings). Returns 0 or -1
 * with msg (a message without file/line) filled. */
int xmdisk_parse(const char *spec, struct xmcfg_disk *d, char *msg,
		 size_t msglen);
void xmdisk_dispose(struct xmcfg_disk *d);
/* Whether xm's parser reads spec (else xl's grammar). Pure. */
bool xmdisk_is_xm_shape(const char *spec);
/* xldisk.c: spec in xl's grammar into *d (spec set, the rest zeroed).
 * Returns 0 or -1 with msg. Pure. */
int xmdisk_parse_xl(const char *spec, struct xmcfg_disk *d, char *msg,
		    size_t msglen);
/* A Ceph "rbd:POOL/IMAGE:mon_host=..." target: the image and its monitors
 * as HOST, PORT string pairs. Returns 0, 1 (no rbd: target) or -1
 * (ENOMEM). Pure. */
int xmdisk_rbd(const char *target, char **name_out, char ***hosts_out,
	       size_t *nhosts_out);
/* Name the virtio disk the index-th disk entry becomes (vda, vdb, ...):
 * the one place the config order maps to guest names. */
void xmdisk_set_guest_dev(struct xmcfg_disk *d, size_t index);
/* Split a vdev ("hda1", "xvdb", "sdc3") into its disk index and partition
 * (0: whole disk). Returns 0 or -1. */
int xmdisk_vdev_index(const char *vdev, unsigned *index_out,
		      unsigned *part_out);

/* vif.c */
int xmvif_parse(const char *spec, struct xmcfg_vif *v, char *msg,
		size_t msglen);
void xmvif_dispose(struct xmcfg_vif *v);
/* dst = a deep copy of src. Returns 0, or -1 (out of memory) with dst
 * partly copied: dispose it. */
int xmvif_dup(struct xmcfg_vif *dst, const struct xmcfg_vif *src);

/* cpus.c: "0-3,^2,5" into a set. Returns 0 or -1 with msg. */
int xmcpus_parse(const char *s, struct xmcfg_cpuset *set, char *msg,
		 size_t msglen);
/* Format a set as ranges ("0-3,5"); returns a malloc'd string or NULL. */
char *xmcpus_format(const struct xmcfg_cpuset *set);
/* cpuid: "leaf[,subleaf]:eax=...,ebx=..." (xm/xend style). */
int xmcpuid_parse(const char *s, struct xmcfg_cpuid *c, char *msg,
		  size_t msglen);
void xmcpuid_dispose(struct xmcfg_cpuid *c);

/* cmdline.c: fill dom->cmdline and dom->root_rewritten from root, extra,
 * ip settings and the disk mapping. Returns 0 or -ENOMEM. */
int xmcmdline_build(struct xmcfg_domain *dom);

/* notes.c: settings (keys understood, not acted on) and notes. */
int xmnote_add(struct xmcfg_domain *dom, enum xmcfg_note_level level,
	       const char *key, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void xmnotes_clear(struct xmcfg_domain *dom);
int xmsetting_add(struct xmcfg_domain *dom, const char *key, const char *value,
		  int line, enum xmcfg_setting_kind kind);
/* A value as setting text; malloc'd or NULL. */
char *xmval_text(const struct xmval *v);
/* Build dom->notes from its fields and settings; line_of(ctx, key) is the
 * line of a key, or NULL. Returns 0 or -ENOMEM. */
int xmnotes_build(struct xmcfg_domain *dom,
		  int (*line_of)(void *ctx, const char *key), void *ctx);
const struct xmcfg_note *xmnotes_blocker(const struct xmcfg_domain *dom);
void xmnotes_dispose(struct xmcfg_domain *dom);
int xmnotes_dup(struct xmcfg_domain *dst, const struct xmcfg_domain *src);

/* suggest.c: "did you mean" for misspelt keys. The edit distance of a
 * and b (case folded; a swap of neighbours counts 1), UINT_MAX for words
 * over 64 characters. */
unsigned xmsuggest_distance(const char *a, const char *b);
/* The closest name of table (rows of stride bytes, the name first, a NULL
 * name last) when close enough to word to be a typo of it, else NULL. */
const char *xmsuggest(const char *word, const void *table, size_t stride);

/* Helpers */
char *xm_strdup(const char *s);
char *xm_strndup(const char *s, size_t n);

#endif
