/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xmd.h: the daemon's internal interfaces (paths, domain table, lifecycle,
 * records, storage, the XML-RPC server). Everything runs on the libevent
 * main thread unless a comment says otherwise. */
#ifndef XMD_XMD_H
#define XMD_XMD_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>
#include <sys/types.h>

#include "admission.h"
#include "xmcfg.h"
#include "xmhv.h"
#include "xmlrpc.h"

#define XMD_WUR __attribute__((warn_unused_result))
/* Copy into an array whose size bounds a value already validated (or
 * where truncation is harmless, e.g. log text). */
#define XMD_STRLCPY(dst, src)                                                  \
	do {                                                                   \
		if (util_strlcpy((dst), (src), sizeof(dst)) < 0) {             \
			/* truncated: see above */                             \
		}                                                              \
	} while (0)
#define XMD_RESTART_GUARD_S 60.0 /* xend's MINIMUM_RESTART_TIME */

struct event_base;
struct event;
struct control_req;

/* Where a domain is in its life, as xmd sees it. */
enum xmd_dom_phase {
	XMD_PHASE_CREATING, /* a worker thread is building its xmhv */
	XMD_PHASE_ACTIVE,   /* an xmhv monitor exists (any xm state) */
	XMD_PHASE_STOPPED,  /* managed, no monitor */
};

struct xmd_domain {
	TAILQ_ENTRY(xmd_domain) link;
	char name[XMHV_NAME_MAX];
	uint8_t uuid[16];
	char uuid_str[37];
	xmhv_domid_t domid; /* 0 unless ACTIVE or CREATING a restart */
	enum xmd_dom_phase phase;
	struct xmcfg_domain *cfg; /* validated config; owned */
	bool managed;
	bool paused_on_create;
	double start_time; /* epoch seconds of this incarnation */
	double first_start_time;
	unsigned restart_count;
	bool auto_restarted; /* this incarnation came from a policy restart */
	bool policy_done;    /* the shutdown of this incarnation was handled */
	bool reboot_requested; /* xend.domain.shutdown(reboot): not a loop */
	bool destroying;       /* we destroy it: its "gone" event is expected */
	struct xmhv_dominfo info; /* last getinfo/event */
	bool info_valid;
	uint64_t info_gen;     /* bumped by every event and direct refresh */
	uint64_t info_time_ns; /* util_now_ns() of the last getinfo */
	struct control_req *waiting; /* create/start request to answer */
	/* The vifs (bit: devid) given the kernel's datapath at create or
	 * attach; known once this xmd created the domain. */
	uint32_t vhost_devids;
	bool datapath_known;
};

TAILQ_HEAD(xmd_domain_list, xmd_domain);

struct xmd {
	char root[PATH_MAX];        /* "" for "/" */
	char etc_dir[PATH_MAX];     /* <root>/etc/xen */
	char run_dir[PATH_MAX];     /* <root>/run/xmd */
	char dom_dir[PATH_MAX];     /* <root>/run/xmd/dom (xmhv run_dir) */
	char sock_path[PATH_MAX];   /* <root>/run/xmd/xmlrpc.sock */
	char lib_dir[PATH_MAX];     /* <root>/var/lib/xmd/domains */
	char log_dir[PATH_MAX];     /* <root>/var/log/xmd */
	char log_path[PATH_MAX];    /* <root>/var/log/xmd/xmd.log */
	char console_dir[PATH_MAX]; /* <root>/var/log/xmd/console */
	char xmhv_path[PATH_MAX];   /* "" : libxmhv's default */
	bool foreground;
	bool autostart;
	bool has_ro_group;
	gid_t ro_gid;
	uid_t self_uid;
	double restart_guard_s;
	struct admission_limits limits; /* the control socket's */
	struct event_base *base;
	struct xmhv *hv;
	struct event *hv_event;
	struct xmd_domain_list domains;
	int listen_fd;
	int job_pipe[2]; /* worker threads -> main loop */
	struct event *job_event;
	struct event *sig_events[3];
};

/* ---- domains.c: the domain table ---- */

/* Look a domain up by id, name or uuid string (xm's designators). */
struct xmd_domain *domains_find(struct xmd *x, const char *designator);
struct xmd_domain *domains_find_name(struct xmd *x, const char *name);
struct xmd_domain *domains_find_domid(struct xmd *x, xmhv_domid_t domid);
/* A new table entry (phase CREATING, no id) for cfg, which is taken over
 * (freed on failure); a uuid is generated when cfg has none. NULL: ENOMEM. */
struct xmd_domain *domains_insert(struct xmd *x, struct xmcfg_domain *cfg,
				  bool managed);
/* Remove d from the table and free it (and its record unless keep). */
void domains_forget(struct xmd *x, struct xmd_domain *d, bool keep_record);
/* Refresh d->info with getinfo; returns 0 or -errno. */
int domains_refresh(struct xmd *x, struct xmd_domain *d);
/* Store a getinfo answer for d, fresh as of now: d->info (with d's id),
 * valid, its generation bumped (an older sweep loses, see info.c). */
void domains_info_store(struct xmd_domain *d, const struct xmhv_dominfo *info);
/* The xm state string of d into buf[7]. */
const char *domains_state_string(const struct xmd_domain *d, char buf[7]);
/* Console log path of a domain name. */
int domains_console_log(struct xmd *x, const char *name, char *buf, size_t len);

/* ---- domains_lifecycle.c: create, destroy, events, restarts ---- */

/* Validate cfg (taken over in every case) and start building the domain in
 * a worker thread; req (may be NULL) is answered when it is done. Returns
 * 0 (pending) or a fault code with msg filled. */
int domains_create(struct xmd *x, struct xmcfg_domain *cfg, bool paused,
		   bool managed, struct control_req *req, char *msg,
		   size_t msglen) XMD_WUR;
/* Boot a stopped managed domain (same contract as domains_create). */
int domains_start(struct xmd *x, struct xmd_domain *d, bool paused,
		  struct control_req *req, char *msg, size_t msglen) XMD_WUR;
/* Destroy now. Managed domains become STOPPED, others are freed (d is
 * invalid afterwards unless managed). Returns 0 or -errno. */
int domains_destroy(struct xmd *x, struct xmd_domain *d, const char *why);
/* Boot d again from its config after a policy restart (no monitor left).
 * Returns 0 or -errno (logged). */
int domains_restart(struct xmd *x, struct xmd_domain *d);
/* Main-loop callbacks for the job pipe and the xmhv event fd. */
void domains_job_cb(int fd, short what, void *arg);
void domains_event_cb(int fd, short what, void *arg);

/* ---- domains_adopt.c: the table at xmd start ---- */

/* Adopt live monitors and records at start (xmd restart). */
void domains_adopt_all(struct xmd *x);

/* ---- policy.c ---- */

/* Apply the on_* action for reason to a shut-down domain. The decision
 * (policy_done, the reason) is in the record before it is carried out. */
void policy_apply(struct xmd *x, struct xmd_domain *d, uint32_t reason);
/* The on_* action d's config gives reason. */
enum xmcfg_action policy_action(const struct xmd_domain *d, uint32_t reason);

/* ---- notify.c ---- */
/* Read and unset $NOTIFY_SOCKET (before any child is started). */
void notify_init(void);
/* Send STATE ("READY=1", "STOPPING=1", newline-separated assignments) to
 * the service manager; 0 when there is none, else 0 or a negative errno. */
int notify_send(const char *state) XMD_WUR;

/* ---- autostart.c ---- */

/* Start the configs in <root>/etc/xen/auto not already running; fills
 * result (an ARRAY of {name, error}) when non-NULL. */
void autostart_run(struct xmd *x, struct xmlrpc_value *result);

/* ---- info.c: the getinfo cache ---- */

/* Start refreshing every domain's info once a second from a worker
 * thread. Returns 0 or -errno. */
int info_init(struct xmd *x) XMD_WUR;
void info_dispose(void);
/* Whether d->info is recent enough to answer a list from. */
bool info_fresh(const struct xmd_domain *d);

/* ---- record.c ---- */

/* Write d's record atomically. Returns 0 or -errno (logged). */
int record_write(struct xmd *x, const struct xmd_domain *d);
void record_remove(struct xmd *x, const struct xmd_domain *d);
/* Load every record into the table (phase as recorded). */
void record_load_all(struct xmd *x);

/* ---- hvconfig.c ---- */

/* Build *hv_out (malloc'd, caller frees) for cfg: checks storage. Returns
 * 0 or -errno with a message naming the domain in msg. */
int hvconfig_build(struct xmd *x, const struct xmcfg_domain *cfg,
		   struct xmhv_domain_config **hv_out, char *msg,
		   size_t msglen) XMD_WUR;

/* ---- bootdisk.c ---- */

/* Does cfg boot from its disk (bootloader = pygrub, kernel = PV-GRUB, an
 * HVM guest without a Linux kernel=)? */
bool bootdisk_needed(const struct xmcfg_domain *cfg);

/* Read the boot entry from hv's boot disk with xm-bootloader: sets
 * hv->kernel and ramdisk (descriptions), kernel_fd and ramdisk_fd (sealed
 * memfds, owned by hv: bootdisk_release) and cmdline; boot says which
 * entry ("'TITLE' (entry 0 of /boot/grub/grub.cfg on xvda): KERNEL").
 * After hvconfig_build (whose storage_prepare resolved the disk), in the
 * worker thread that creates the domain: the helper may take seconds.
 * Returns 0 or -errno with msg naming the domain and the disk. Any
 * thread. */
int bootdisk_prepare(const struct xmcfg_domain *cfg,
		     struct xmhv_domain_config *hv, char *boot, size_t bootlen,
		     char *msg, size_t msglen) XMD_WUR;

/* Close the fds bootdisk_prepare put in hv (hv may be NULL). */
void bootdisk_release(struct xmhv_domain_config *hv);

/* ---- storage.c ---- */

/* Check and resolve the disks of cfg into hv (paths, read-only, shared,
 * O_DIRECT for phy: and tap:aio:); images in a format xmhv cannot serve
 * are refused. Returns 0 or -errno with a message naming the domain and
 * disk (for an LVM volume: what is wrong and the command that fixes it). */
int storage_prepare(const struct xmcfg_domain *cfg,
		    struct xmhv_domain_config *hv, char *msg,
		    size_t msglen) XMD_WUR;
/* A create or attach of domain `name` with the disks of hv failed with
 * -EBUSY (an image lock): when one of those disks is an image another of
 * our domains uses in a mode that excludes it, rewrite msg to name that
 * domain, its disk and mode. Returns true when it did. */
bool storage_name_holder(struct xmd *x, const char *name,
			 const struct xmhv_domain_config *hv, char *msg,
			 size_t msglen);

/* ---- control.c: the XML-RPC server ---- */

/* Bind the socket and start serving. Returns 0 or -errno. */
int control_init(struct xmd *x) XMD_WUR;
void control_dispose(struct xmd *x);
/* Answer a pending request with value (taken) or a fault. */
void control_reply(struct control_req *req, struct xmlrpc_value *value);
void control_fault(struct control_req *req, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- domview.c: xend.domains and xend.domain ---- */

/* The domain struct of doc/PROTOCOL.md. NULL on ENOMEM. */
struct xmlrpc_value *domview_struct(struct xmd *x, struct xmd_domain *d,
				    bool detail);

struct xmlrpc_value *domview_list(struct xmd *x, struct control_req *req,
				  const struct xmlrpc_value *params,
				  bool *pending);
struct xmlrpc_value *domview_one(struct xmd *x, struct control_req *req,
				 const struct xmlrpc_value *params,
				 bool *pending);

/* ---- methods.c ---- */

struct control_method {
	const char *name;
	/* Return a value, or NULL after calling control_fault, or set
	 * *pending and answer later through control_reply. */
	struct xmlrpc_value *(*fn)(struct xmd *x, struct control_req *req,
				   const struct xmlrpc_value *params,
				   bool *pending);
	bool readonly;
};

const struct control_method *methods_find(const char *name);

/* The domain named by parameter 0 of a method, or NULL after a fault;
 * parameter i as a string, or false after a fault. */
/* Parameter i as a bool (dflt when absent), or fault 6 (false). */
bool methods_bool(struct control_req *req, const struct xmlrpc_value *params,
		  size_t i, bool dflt, bool *out);
/* Whether a designator names Domain-0 ("0" or "Domain-0"). */
bool methods_is_dom0(const char *dom);
struct xmd_domain *methods_dom(struct xmd *x, struct control_req *req,
			       const struct xmlrpc_value *params,
			       bool need_active);
bool methods_str(struct control_req *req, const struct xmlrpc_value *params,
		 size_t i, const char **out);

/* ---- devices.c: disk hot-plug (xm block-attach, block-detach) ---- */

struct xmlrpc_value *devices_create(struct xmd *x, struct control_req *req,
				    const struct xmlrpc_value *params,
				    bool *pending);
struct xmlrpc_value *devices_destroy(struct xmd *x, struct control_req *req,
				     const struct xmlrpc_value *params,
				     bool *pending);
struct xmlrpc_value *devices_block_class(struct xmd *x, struct control_req *req,
					 const struct xmlrpc_value *params,
					 bool *pending);

/* ---- node.c: host-level methods ---- */

struct xmlrpc_value *node_info(struct xmd *x, struct control_req *req,
			       const struct xmlrpc_value *params,
			       bool *pending);
struct xmlrpc_value *node_log(struct xmd *x, struct control_req *req,
			      const struct xmlrpc_value *params, bool *pending);
/* The Domain-0 row: the host. NULL on ENOMEM. */
struct xmlrpc_value *node_dom0_struct(struct xmd *x);

#endif
