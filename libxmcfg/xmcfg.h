/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xmcfg.h: public interface of libxmcfg, which evaluates /etc/xen domain
 * configs (Python syntax) in a sandboxed child and validates them into typed
 * C structures. No Python here: callers never see the interpreter. */
#ifndef XMCFG_H
#define XMCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xmhv_limits.h"

#define XMCFG_WUR __attribute__((warn_unused_result))

/* Limits a config must fit (checked during validation): xmhv's own, from
 * hypervisor/include/xmhv_limits.h, so that `xm create -n` refuses
 * exactly what xmhv_check_config() would. Lengths exclude the NUL. */
#define XMCFG_MEMORY_MIN_MIB XMHV_MEMORY_MIN_MIB
#define XMCFG_MEMORY_MAX_MIB XMHV_MEMORY_MAX_MIB
#define XMCFG_MAX_VCPUS XMHV_MAX_VCPUS
#define XMCFG_MAX_HOST_CPUS XMHV_MAX_HOST_CPUS
#define XMCFG_MAX_DISKS XMHV_MAX_DISKS
#define XMCFG_MAX_VIFS XMHV_MAX_NICS
#define XMCFG_MAX_CPUID XMHV_MAX_CPUID
#define XMCFG_NAME_LEN_MAX (XMHV_NAME_MAX - 1)
#define XMCFG_PATH_LEN_MAX (XMHV_PATH_MAX - 1)
#define XMCFG_CMDLINE_LEN_MAX (XMHV_CMDLINE_MAX - 1)
#define XMCFG_MAX_WARNINGS 64

_Static_assert(XMCFG_MEMORY_MIN_MIB == XMHV_MEMORY_MIN_MIB &&
		       XMCFG_MEMORY_MAX_MIB == XMHV_MEMORY_MAX_MIB,
	       "a dry run refuses exactly the memory sizes xmhv refuses");
_Static_assert(XMCFG_MAX_VCPUS == XMHV_MAX_VCPUS &&
		       XMCFG_MAX_DISKS == XMHV_MAX_DISKS &&
		       XMCFG_MAX_VIFS == XMHV_MAX_NICS &&
		       XMCFG_MAX_CPUID == XMHV_MAX_CPUID,
	       "a dry run refuses exactly the counts xmhv refuses");
_Static_assert(XMCFG_MAX_HOST_CPUS == XMHV_MAX_HOST_CPUS,
	       "a cpus= set is copied bit for bit into xmhv's affinity map");
_Static_assert(XMCFG_NAME_LEN_MAX < XMHV_NAME_MAX &&
		       XMCFG_PATH_LEN_MAX < XMHV_PATH_MAX &&
		       XMCFG_CMDLINE_LEN_MAX < XMHV_CMDLINE_MAX,
	       "every string a config allows fits xmhv's arrays with its NUL");

/* Error classes; code of struct xmcfg_error. */
enum xmcfg_errcode {
	XMCFG_OK = 0,
	XMCFG_ENOENT,  /* config file not found in the search path */
	XMCFG_EIO,     /* config file unreadable */
	XMCFG_ESYNTAX, /* Python syntax error */
	XMCFG_ERUNTIME, /* exception while evaluating (line of the config frame) */
	XMCFG_EFORBIDDEN,   /* sandbox: import, open, dunder escape, ... */
	XMCFG_ELIMIT,       /* sandbox: CPU time or memory cap reached */
	XMCFG_EVALUE,       /* a key has a bad value (type, range, syntax) */
	XMCFG_EXML,         /* domain XML malformed or incomplete */
	XMCFG_EINTERNAL,    /* fork/pipe/allocation failure */
	XMCFG_EUNSUPPORTED, /* valid, but xmtools cannot run it (yet) */
};

/* Every failure of libxmcfg is described here; the library never logs.
 * file is empty and line 0 when not applicable. message never repeats the
 * file and line; xmcfg_error_format() builds "FILE:LINE: message". */
struct xmcfg_error {
	enum xmcfg_errcode code;
	char file[4096];
	int line;
	char message[1024];
};

enum xmcfg_action {
	XMCFG_ACTION_DESTROY,
	XMCFG_ACTION_RESTART,
	XMCFG_ACTION_PRESERVE,
	XMCFG_ACTION_RENAME_RESTART,
};

enum xmcfg_disk_mode {
	XMCFG_DISK_RO,     /* r, ro */
	XMCFG_DISK_RW,     /* w, rw is rejected as xm did (disk[N]: mode) */
	XMCFG_DISK_SHARED, /* w!, ! */
};

/* One disk entry, validated: xm's "UNAME,VDEV[:cdrom],MODE[,BACKEND]" or
 * xl's grammar (xl-disk-configuration(5)); see xmdisk_parse for which. */
struct xmcfg_disk {
	char *spec;    /* the entry as written */
	char *driver;  /* xm: "phy", "file", "tap", "tap2", or the block script
			* prefix "drbd", "iscsi", "nbd", "enbd"; xl: "phy" for
			* backendtype=phy or a /dev/ target, else "file" */
	char *subtype; /* "aio", "sync", "qcow", ... or NULL */
	char *format;  /* "raw" (default), "qcow", "qcow2", "vhd", "qed", or
			* "empty" (xl: a CD-ROM drive without a medium) */
	char *source; /* host path; phy:VG/LV -> /dev/VG/LV; NULL: empty cdrom */
	char *vdev;   /* guest name as written, without ioemu: and :cdrom */
	char *backend;       /* backend domain: xm's 4th field, xl's backend= */
	char *backendtype;   /* xl: "phy", "qdisk", "tap", "standalone" */
	char *script;        /* block script: "block-drbd", xl's script= */
	char *specification; /* xl: "xen" or "virtio" */
	char *ignored; /* xl options that mean nothing without Xen, as written
			* and comma-separated (grant_usage=1, colo, ...) */
	bool xl;       /* parsed with xl's grammar */
	bool cdrom;
	bool direct_io_safe; /* xl direct-io-safe */
	signed char discard; /* xl: -1 not given, 0 no-discard, 1 discard */
	signed char trusted; /* xl: -1 not given, 0 untrusted, 1 trusted */
	enum xmcfg_disk_mode mode;
	char guest_dev[16]; /* virtio name this disk gets: vda, vdb, ... */
};

/* One vif = comma-separated key=value entry; NULL fields were not given. */
struct xmcfg_vif {
	char *spec;
	uint8_t mac[6];
	bool has_mac; /* false: xmd generates 00:16:3e:xx:xx:xx */
	char *bridge;
	char *ip; /* space-separated list as written */
	char *script;
	char *vifname;
	char *model;
	char *type;     /* "netfront", "ioemu", "vif" */
	char *rate;     /* as written, e.g. "10Mb/s@20ms" */
	char *datapath; /* "vhost" or "user" (xmtools' own key), or NULL */
	uint64_t rate_bytes_per_sec; /* 0: unlimited */
	uint32_t rate_interval_us;
	/* xl's keys (xl-network-configuration(5)) */
	uint32_t mtu;        /* 0: not given */
	int32_t devid;       /* -1: not given */
	char *vlan;          /* "10", "10p/20", "10p/100+10x4", checked */
	char *gatewaydev;    /* gatewaydev= (or xl's deprecated netdev=) */
	signed char trusted; /* -1 not given, 0 untrusted, 1 trusted */
	char *ignored; /* keys that mean nothing without Xen (backend, accel,
			* policy, label, forwarddev, colo_*), comma-separated */
};

/* Set of host CPUs (bit n = CPU n). */
struct xmcfg_cpuset {
	uint64_t bits[XMCFG_MAX_HOST_CPUS / 64];
};

/* Xen-style cpuid mask: for leaf[,subleaf], per register a 32-character
 * string of '0' '1' 'x' (default) 'k' (host) 's' (same as default),
 * bit 31 first; NULL register means untouched. */
struct xmcfg_cpuid {
	uint32_t leaf;
	uint32_t subleaf;
	bool has_subleaf;
	char *reg[4]; /* eax, ebx, ecx, edx */
};

/* The kind of guest a config asks for: xl's type=, else xm's builder=. */
enum xmcfg_guest_type {
	XMCFG_GUEST_PV,  /* paravirtualized: builder='linux', type='pv' */
	XMCFG_GUEST_PVH, /* type='pvh': booted like pv here */
	XMCFG_GUEST_HVM, /* builder='hvm', type='hvm': firmware, device model */
};

/* Why a key recorded in settings is not acted on. */
enum xmcfg_setting_kind {
	XMCFG_SETTING_HVM,    /* HVM firmware and device model */
	XMCFG_SETTING_XEN,    /* Xen-only tuning, no meaning with KVM */
	XMCFG_SETTING_DEVICE, /* a device or feature xmtools does not have */
};

/* A key xmtools understands but does not act on, as the config set it
 * (shown by xm create -n). */
struct xmcfg_setting {
	char *key;
	char *value; /* text: a string as is, numbers in decimal, lists as
		      * "[a, b]" */
	int line;    /* 0: not known (a VAR=VALUE or domain XML) */
	enum xmcfg_setting_kind kind;
};

enum xmcfg_note_level {
	XMCFG_NOTE_INFO,    /* what xmtools does with a key */
	XMCFG_NOTE_WARNING, /* probably not what the config meant */
	XMCFG_NOTE_BLOCKER, /* cannot run yet: xm create refuses the domain */
};

/* What the dry run says about a key beyond its value. */
struct xmcfg_note {
	enum xmcfg_note_level level;
	char *key;     /* "builder", "disk[1]", "acpi, apic, pae" */
	int line;      /* 0: no one line */
	char *message; /* starts with the key; no file or line */
};

/* A validated domain configuration. All strings are malloc'd and owned by
 * the structure; NULL means "not set". Free with xmcfg_domain_free(). */
struct xmcfg_domain {
	char *config_path; /* absolute path of the file evaluated (or NULL) */
	char *name;
	uint8_t uuid[16];
	bool has_uuid;

	enum xmcfg_guest_type type;
	char *builder;   /* builder= as written ('linux', 'generic', 'hvm') */
	bool type_given; /* xl's type= set type (it wins over builder) */

	char *kernel;
	char *ramdisk;
	char *root; /* as written */
	char *extra;
	char *xl_cmdline;     /* xl's cmdline=: the whole command line; root,
			   * extra and the ip= settings are then not used */
	bool cmdline_foreign; /* extra is the <os><cmdline> of domain XML
			       * another tool wrote: no ip= is added from
			       * a vif (see xmcmdline_build) */
	char *cmdline;        /* the command line xm would pass, root rewritten
			   to the virtio device (see root_rewritten) */
	char *root_rewritten; /* e.g. "/dev/vda ro" or NULL when unchanged */
	bool console_added;   /* cmdline got console=ttyS0: root, extra
			       * (cmdline=) named no console */
	bool console_mapped;  /* Xen's console=hvc0 or xvc0 became ttyS0 */
	char *bootloader;     /* parsed; unsupported: reported by xm create */
	char *bootargs;

	uint64_t memory_mib; /* default 128 */
	uint64_t maxmem_mib; /* default memory_mib */
	uint32_t vcpus;      /* default 1 */
	uint32_t maxvcpus;   /* default vcpus */
	bool has_cpus;
	struct xmcfg_cpuset cpus_all; /* cpus = "..." */
	struct xmcfg_cpuset
		*cpus_per_vcpu; /* cpus = [...]: vcpus entries, or NULL */
	char *cpus;             /* as written (string form) */
	bool cpus_nodes;        /* cpus names NUMA nodes (xl's node:N): not
			  * resolved, cpus_all is empty */

	enum xmcfg_action on_poweroff; /* default destroy */
	enum xmcfg_action on_reboot;   /* default restart */
	enum xmcfg_action on_crash;    /* default restart */

	/* xm turned these into the kernel ip= argument */
	char *ip, *netmask, *gateway, *hostname, *dhcp, *interface;
	char *nfs_server, *nfs_root;

	bool localtime;

	struct xmcfg_cpuid *cpuid;
	size_t ncpuid;
	char *cpuid_xl; /* xl's "host,tm=0,..." form: checked, not applied */

	struct xmcfg_disk *disks;
	size_t ndisks;
	struct xmcfg_vif *vifs;
	size_t nvifs;

	/* Keys understood but not acted on, in config order. */
	struct xmcfg_setting *settings;
	size_t nsettings;

	/* Non-fatal findings, e.g. "FILE:12: unknown key 'foo' ignored". */
	char **warnings;
	size_t nwarnings;

	/* What xmtools does with the config, and why it cannot run it yet
	 * (XMCFG_NOTE_BLOCKER); rebuilt from the fields by from_xml too. */
	struct xmcfg_note *notes;
	size_t nnotes;
};

/* Options for xmcfg_load; zero-initialise for the defaults. */
struct xmcfg_options {
	/* NULL-terminated search path for a bare name; NULL means xm's
	 * "", ".", "/etc/xen" (XEN_CONFIG_DIR / XM_CONFIG_PATH honoured). */
	const char *const *search_path;
	/* Sandbox caps; 0 means the defaults (1 s CPU, 256 MiB). */
	unsigned cpu_seconds;
	uint64_t memory_bytes;
	/* Accept a config xmtools cannot run yet (xm create -n): its reasons
	 * are the XMCFG_NOTE_BLOCKER notes. Otherwise xmcfg_load refuses it
	 * with the first one (XMCFG_EUNSUPPORTED, file and line of the key). */
	bool dry_run;
};

/* Resolve name_or_path the way xm did (absolute or relative path, then each
 * search directory). Writes the path found into buf. Returns 0, or -1 with
 * err filled (XMCFG_ENOENT). */
int xmcfg_find(const char *name_or_path, const struct xmcfg_options *opts,
	       char *buf, size_t buflen, struct xmcfg_error *err) XMCFG_WUR;

/* Evaluate and validate one config file. overrides are "VAR=VALUE" strings
 * applied after the file (as xm create did; list keys are replaced).
 * On success returns 0 and *dom_out (free with xmcfg_domain_free).
 * On failure returns -1, fills err, and leaves *dom_out untouched.
 * Forks a sandboxed child; safe to call from any single thread of a process
 * that does not reap children it does not own. */
int xmcfg_load(const char *name_or_path, const char *const *overrides,
	       size_t noverrides, const struct xmcfg_options *opts,
	       struct xmcfg_domain **dom_out,
	       struct xmcfg_error *err) XMCFG_WUR;

/* Evaluate many files in one sandbox (bench, xendomains auto-start). For
 * each path i, results[i] is a domain or NULL, errors[i] filled on failure.
 * Returns the number that loaded. */
size_t xmcfg_load_batch(const char *const *paths, size_t npaths,
			const struct xmcfg_options *opts,
			struct xmcfg_domain **results,
			struct xmcfg_error *errors);

void xmcfg_domain_free(struct xmcfg_domain *dom);

/* Whether xmtools can run dom: 0, or -1 with err (XMCFG_EUNSUPPORTED, the
 * first blocking note: its key, line and reason; file is the domain's
 * config_path). For domains that did not come through xmcfg_load (domain
 * XML); pure. */
int xmcfg_check_runnable(const struct xmcfg_domain *dom,
			 struct xmcfg_error *err) XMCFG_WUR;

/* Parse one vif entry (xm's or xl's key=value list, as in vif = [...])
 * into *v; free its strings with xmcfg_vif_dispose. 0, or -1 with msg.
 * Pure (xm network-attach's arguments, checked by xmd). */
int xmcfg_vif_parse(const char *spec, struct xmcfg_vif *v, char *msg,
		    size_t msglen) XMCFG_WUR;
void xmcfg_vif_dispose(struct xmcfg_vif *v);

/* "pv", "pvh" or "hvm". */
const char *xmcfg_guest_type_name(enum xmcfg_guest_type type);

/* Deep copy; NULL on allocation failure. */
struct xmcfg_domain *xmcfg_domain_dup(const struct xmcfg_domain *dom);

/* The normalised configuration as xm create -n printed it (SXP, with
 * "(name X)" on its own line). Returns a malloc'd string or NULL (ENOMEM). */
char *xmcfg_format_sxp(const struct xmcfg_domain *dom);

/* Serialise to libvirt-style domain XML (libxml2) and back. to_xml returns
 * a malloc'd NUL-terminated string or NULL. from_xml returns 0 or -1 with
 * err (XMCFG_EXML) filled. */
char *xmcfg_to_xml(const struct xmcfg_domain *dom);
int xmcfg_from_xml(const char *xml, size_t len, struct xmcfg_domain **dom_out,
		   struct xmcfg_error *err) XMCFG_WUR;

/* "FILE:LINE: message" (or "FILE: message", or "message"). */
const char *xmcfg_error_format(const struct xmcfg_error *err, char *buf,
			       size_t buflen);

/* When kernel is where `make install` puts xmtools' test guest (as the
 * source tree's examples/etc-xen/demo names it), the text saying which
 * copy of that config to use instead; NULL for any other path. For
 * messages about a missing kernel (xmd's create, xm create -n). */
const char *xmcfg_kernel_hint(const char *kernel);

const char *xmcfg_action_name(enum xmcfg_action action);
int xmcfg_action_parse(const char *s, enum xmcfg_action *action_out) XMCFG_WUR;

/* One disk entry as a config's disk list holds it (xm's
 * "UNAME,VDEV[:cdrom],MODE" or xl's grammar), e.g. what `xm block-attach`
 * sends: into *out (owned strings, guest_dev left empty). 0, or -EINVAL
 * with msg. xmcfg_disk_dispose frees the strings. Pure. */
int xmcfg_disk_parse(const char *spec, struct xmcfg_disk *out, char *msg,
		     size_t msglen) XMCFG_WUR;
void xmcfg_disk_dispose(struct xmcfg_disk *d);

#endif
