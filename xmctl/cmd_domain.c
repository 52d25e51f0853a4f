/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_domain.c: xm's per-domain commands: destroy, shutdown, reboot, pause,
 * unpause, rename, domname, domid, trigger, mem-set, vcpu-set, vcpu-list,
 * uptime. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rpc.h"
#include "util.h"
#include "xm.h"

/* How often shutdown -w / reboot -w ask xmd (xm asked once a second). */
#define DOMAIN_POLL_NS (200ull * 1000 * 1000)
/* reboot -w: how long a domain may stay gone or shut down before we
 * conclude its policy will not bring it back. */
#define DOMAIN_LIMBO_NS (10ull * 1000 * 1000 * 1000)

/* xm's arg_check: exactly n words after the command (options removed). */
static int
domain_argc(int argc, char **argv, int lo, int hi)
{
	int n = argc - 1;

	if (n >= lo && n <= hi)
		return 0;
	if (lo == hi)
		xm_err("'xm %s' requires %d argument%s.\n", argv[0], lo,
		       lo == 1 ? "" : "s");
	else
		xm_err("'xm %s' requires between %d and %d arguments.\n",
		       argv[0], lo, hi);
	return -1;
}

/* The commands that are one call with the domain as only argument. */
static const struct {
	const char *cmd;
	const char *method;
} domain_simple[] = {
	{"destroy", "xend.domain.destroy"},
	{"pause", "xend.domain.pause"},
	{"unpause", "xend.domain.unpause"},
};

static int
domain_simple_run(int argc, char **argv)
{
	size_t i;

	if (domain_argc(argc, argv, 1, 1) < 0)
		return xm_usage(argv[0]);
	for (i = 0; i < ARRAY_SIZE(domain_simple); i++)
		if (strcmp(domain_simple[i].cmd, argv[0]) == 0)
			return rpc_call(NULL, domain_simple[i].method, "s",
					argv[1]);
	return xm_usage(argv[0]);
}

int
cmd_destroy(int argc, char **argv)
{
	return domain_simple_run(argc, argv);
}

int
cmd_pause(int argc, char **argv)
{
	return domain_simple_run(argc, argv);
}

int
cmd_unpause(int argc, char **argv)
{
	return domain_simple_run(argc, argv);
}

static void
domain_sleep_ns(uint64_t ns)
{
	struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000ull),
			      .tv_nsec = (long)(ns % 1000000000ull)};

	nanosleep(&ts, NULL);
}

/* Is this the next incarnation of a rebooted domain, running? While it is
 * built its state is "------"; the old one shows "---s--" meanwhile. */
static bool
domain_rebooted(const struct xmlrpc_value *d, int64_t old_id)
{
	int64_t id = rpc_int(d, "domid", -1);

	return id >= 0 && id != old_id &&
	       strpbrk(rpc_str(d, "state", ""), "rb") != NULL;
}

/* Wait until no domain in names[] runs any more: gone, or preserved
 * (state with 's'); for reboot, until it has a new id and runs, or has
 * stayed gone or shut down for DOMAIN_LIMBO_NS (its policy did not restart
 * it). Prints xm's "Domain X terminated" lines. Returns an exit status. */
static int
domain_wait(char **names, int64_t *ids, size_t n, bool reboot)
{
	uint64_t *limbo = calloc(n + 1, sizeof(*limbo));
	size_t left = n, i;
	int rc = XM_EXIT_OK;

	if (limbo == NULL)
		return XM_EXIT_ERR;
	while (left > 0) {
		for (i = 0; i < n; i++) {
			struct xmlrpc_value *d = NULL;
			uint64_t now = util_now_ns();
			bool done, gone;

			if (names[i] == NULL)
				continue;
			rc = rpc_call_q(true, &d, "xend.domain", "s", names[i]);
			if (rc != XM_EXIT_OK && rc != XM_EXIT_NODOM)
				goto out;
			gone = rc == XM_EXIT_NODOM ||
			       rpc_int(d, "domid", -1) < 0 ||
			       strpbrk(rpc_str(d, "state", ""), "scd") != NULL;
			rc = XM_EXIT_OK;
			if (!reboot) {
				done = gone;
			} else if (domain_rebooted(d, ids[i])) {
				done = true;
			} else if (gone) {
				if (limbo[i] == 0)
					limbo[i] = now;
				done = now - limbo[i] > DOMAIN_LIMBO_NS;
			} else {
				limbo[i] = 0;
				done = false;
			}
			xmlrpc_free(d);
			if (!done)
				continue;
			printf("Domain %s %s\n", names[i],
			       reboot ? "rebooted" : "terminated");
			fflush(stdout);
			names[i] = NULL;
			left--;
		}
		if (left > 0)
			domain_sleep_ns(DOMAIN_POLL_NS);
	}
	if (n > 1)
		printf("All domains %s\n", reboot ? "rebooted" : "terminated");
out:
	free(limbo);
	return rc;
}

/* All running domains but Domain-0, for -a. names/ids are malloc'd. */
static int
domain_all(char ***names_out, int64_t **ids_out, size_t *n_out)
{
	struct xmlrpc_value *all = NULL;
	char **names = NULL;
	int64_t *ids = NULL;
	size_t i, n = 0, total;
	int rc;

	rc = rpc_call(&all, "xend.domains", "b", 0);
	if (rc != XM_EXIT_OK)
		return rc;
	total = xmlrpc_array_len(all);
	names = calloc(total + 1, sizeof(*names));
	ids = calloc(total + 1, sizeof(*ids));
	if (names == NULL || ids == NULL) {
		rc = XM_EXIT_ERR;
		goto out;
	}
	for (i = 0; i < total; i++) {
		const struct xmlrpc_value *d = xmlrpc_array_get(all, i);

		if (rpc_int(d, "domid", 0) <= 0 ||
		    strpbrk(rpc_str(d, "state", ""), "sd") != NULL)
			continue;
		names[n] = strdup(rpc_str(d, "name", ""));
		if (names[n] == NULL) {
			rc = XM_EXIT_ERR;
			goto out;
		}
		ids[n++] = rpc_int(d, "domid", -1);
	}
	*names_out = names;
	*ids_out = ids;
	*n_out = n;
	names = NULL;
	ids = NULL;
out:
	if (names != NULL)
		for (i = 0; i < n; i++)
			free(names[i]);
	free(names);
	free(ids);
	xmlrpc_free(all);
	return rc;
}

/* xm shutdown [-waRH] DOM / xm reboot [-wa] DOM. */
static int
domain_shutdown(int argc, char **argv, bool reboot)
{
	static const struct option longopts[] = {
		{"all", no_argument, NULL, 'a'},
		{"wait", no_argument, NULL, 'w'},
		{"reboot", no_argument, NULL, 'R'},
		{"halt", no_argument, NULL, 'H'},
		{NULL, 0, NULL, 0},
	};
	const char *reason = reboot ? "reboot" : "poweroff";
	bool all = false, wait = false;
	char **names = NULL, **snap = NULL;
	int64_t *ids = NULL;
	size_t n = 0, i;
	int c, rc = XM_EXIT_ERR;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, reboot ? "aw" : "awRH", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'a':
			all = true;
			break;
		case 'w':
			wait = true;
			break;
		case 'R':
			reason = "reboot";
			break;
		case 'H':
			reason = "halt";
			break;
		default:
			xm_err("option %s not recognized", argv[optind - 1]);
			return xm_usage(argv[0]);
		}
	}
	if ((all && optind != argc) || (!all && optind + 1 != argc)) {
		xm_err("%s", all ? "-a takes no domain"
				 : "A domain name or id is required");
		return xm_usage(argv[0]);
	}
	if (all) {
		rc = domain_all(&names, &ids, &n);
		if (rc != XM_EXIT_OK)
			return rc;
	} else {
		struct xmlrpc_value *d = NULL;

		rc = rpc_call(&d, "xend.domain", "s", argv[optind]);
		if (rc != XM_EXIT_OK)
			return rc;
		names = calloc(2, sizeof(*names));
		ids = calloc(2, sizeof(*ids));
		if (names != NULL && ids != NULL) {
			names[0] = strdup(rpc_str(d, "name", argv[optind]));
			ids[0] = rpc_int(d, "domid", -1);
			n = names[0] != NULL ? 1 : 0;
		}
		xmlrpc_free(d);
		if (n == 0) {
			rc = XM_EXIT_ERR;
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		rc = rpc_call(NULL, "xend.domain.shutdown", "ss", names[i],
			      reason);
		if (rc != XM_EXIT_OK)
			goto out;
	}
	if (wait) {
		snap = calloc(n + 1, sizeof(*snap));
		if (snap == NULL) {
			rc = XM_EXIT_ERR;
			goto out;
		}
		memcpy(snap, names, n * sizeof(*snap));
		rc = domain_wait(snap, ids, n, strcmp(reason, "reboot") == 0);
	}
out:
	free(snap);
	if (names != NULL)
		for (i = 0; i < n; i++)
			free(names[i]);
	free(names);
	free(ids);
	return rc;
}

int
cmd_shutdown(int argc, char **argv)
{
	return domain_shutdown(argc, argv, false);
}

int
cmd_reboot(int argc, char **argv)
{
	return domain_shutdown(argc, argv, true);
}

int
cmd_rename(int argc, char **argv)
{
	if (domain_argc(argc, argv, 2, 2) < 0)
		return xm_usage(argv[0]);
	return rpc_call(NULL, "xend.domain.rename", "ss", argv[1], argv[2]);
}

/* domname ID / domid NAME: print one field of the domain. */
static int
domain_field(int argc, char **argv, const char *field)
{
	struct xmlrpc_value *d = NULL;
	int rc;

	if (domain_argc(argc, argv, 1, 1) < 0)
		return xm_usage(argv[0]);
	rc = rpc_call(&d, "xend.domain", "s", argv[1]);
	if (rc != XM_EXIT_OK)
		return rc;
	if (strcmp(field, "name") == 0)
		printf("%s\n", rpc_str(d, "name", ""));
	else
		printf("%lld\n", (long long)rpc_int(d, "domid", -1));
	xmlrpc_free(d);
	return XM_EXIT_OK;
}

int
cmd_domname(int argc, char **argv)
{
	return domain_field(argc, argv, "name");
}

int
cmd_domid(int argc, char **argv)
{
	return domain_field(argc, argv, "domid");
}

int
cmd_trigger(int argc, char **argv)
{
	if (domain_argc(argc, argv, 2, 3) < 0)
		return xm_usage(argv[0]);
	return rpc_call(NULL, "xend.domain.trigger", "ss", argv[1], argv[2]);
}

/* xm's int_unit(): a number with an optional k/m/g suffix, in MiB. */
static int
domain_parse_mib(const char *s, int64_t *mib_out)
{
	char num[32];
	size_t len = strlen(s);
	uint64_t v;
	int shift = 0; /* value << shift >> 10 ... done below */

	if (len == 0 || len >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, len + 1);
	switch (num[len - 1]) {
	case 'k':
	case 'K':
		shift = -10;
		num[len - 1] = '\0';
		break;
	case 'm':
	case 'M':
		num[len - 1] = '\0';
		break;
	case 'g':
	case 'G':
		shift = 10;
		num[len - 1] = '\0';
		break;
	default:
		break;
	}
	if (util_parse_u64(num, 1ull << 40, &v) < 0)
		return -EINVAL;
	*mib_out = shift > 0 ? (int64_t)(v << 10)
			     : (shift < 0 ? (int64_t)(v >> 10) : (int64_t)v);
	return 0;
}

int
cmd_mem_set(int argc, char **argv)
{
	int64_t mib;

	if (domain_argc(argc, argv, 2, 2) < 0)
		return xm_usage(argv[0]);
	if (domain_parse_mib(argv[2], &mib) < 0) {
		xm_err("Invalid memory size: %s", argv[2]);
		return XM_EXIT_ERR;
	}
	return rpc_call(NULL, "xend.domain.setMemoryTarget", "si", argv[1],
			mib);
}

int
cmd_vcpu_set(int argc, char **argv)
{
	uint64_t n;

	if (domain_argc(argc, argv, 2, 2) < 0)
		return xm_usage(argv[0]);
	if (util_parse_u64(argv[2], 4096, &n) < 0) {
		xm_err("Invalid argument: %s", argv[2]);
		return XM_EXIT_ERR;
	}
	return rpc_call(NULL, "xend.domain.setVCpuCount", "si", argv[1],
			(int64_t)n);
}

/* The domains named on the command line (or all), as an owned array. */
static int
domain_select(int argc, char **argv, int first, struct xmlrpc_value **doms_out)
{
	struct xmlrpc_value *arr = NULL, *d;
	int i, rc;

	if (first >= argc)
		return rpc_call(doms_out, "xend.domains", "bb", 0, 1);
	arr = xmlrpc_array();
	if (arr == NULL)
		return XM_EXIT_ERR;
	for (i = first; i < argc; i++) {
		d = NULL;
		rc = rpc_call(&d, "xend.domain", "s", argv[i]);
		if (rc != XM_EXIT_OK) {
			xmlrpc_free(arr);
			return rc;
		}
		if (xmlrpc_array_append(arr, d) < 0) {
			xmlrpc_free(arr);
			return XM_EXIT_ERR;
		}
	}
	*doms_out = arr;
	return XM_EXIT_OK;
}

/* xm vcpu-list: one row per vCPU. Per-vCPU times and physical CPUs are
 * not reported by xmd, so those columns show "-". */
int
cmd_vcpu_list(int argc, char **argv)
{
	struct xmlrpc_value *doms = NULL;
	size_t i;
	int v, rc;

	rc = domain_select(argc, argv, 1, &doms);
	if (rc != XM_EXIT_OK)
		return rc;
	printf("%-32s %5s %5s %5s %5s %9s %s\n", "Name", "ID", "VCPU", "CPU",
	       "State", "Time(s)", "CPU Affinity");
	for (i = 0; i < xmlrpc_array_len(doms); i++) {
		const struct xmlrpc_value *d = xmlrpc_array_get(doms, i);
		const char *st = rpc_str(d, "state", "------");
		int online = (int)rpc_int(d, "online_vcpus", 0);
		char id[32];

		if (rpc_int(d, "domid", -1) < 0)
			continue;
		snprintf(id, sizeof(id), "%lld",
			 (long long)rpc_int(d, "domid", -1));
		for (v = 0; v < (int)rpc_int(d, "vcpus", 0); v++) {
			const char *vs = "--p";

			if (v < online)
				vs = st[2] == 'p'   ? "--p"
				     : st[0] == 'r' ? "r--"
						    : "-b-";
			printf("%-32s %5s %5d %5s %5s %9s %s\n",
			       rpc_str(d, "name", "??"), id, v, "-", vs, "-",
			       "any cpu");
		}
	}
	xmlrpc_free(doms);
	return XM_EXIT_OK;
}

/* xm uptime [-s]: "Name ID Uptime" or the short uptime(1)-like form. */
int
cmd_uptime(int argc, char **argv)
{
	struct xmlrpc_value *doms = NULL;
	bool shrt = false;
	size_t i;
	int c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt(argc, argv, "s")) != -1) {
		if (c != 's') {
			xm_err("option %s not recognized", argv[optind - 1]);
			return xm_usage(argv[0]);
		}
		shrt = true;
	}
	rc = domain_select(argc, argv, optind, &doms);
	if (rc != XM_EXIT_OK)
		return rc;
	if (!shrt)
		printf("%-32s %5s %s\n", "Name", "ID", "Uptime");
	for (i = 0; i < xmlrpc_array_len(doms); i++) {
		const struct xmlrpc_value *d = xmlrpc_array_get(doms, i);
		long long up = (long long)(rpc_double(d, "uptime", 0) + 0.5);
		long long days = up / 86400, h = up % 86400 / 3600,
			  m = up % 3600 / 60, s = up % 60;
		char id[32], when[32] = "", dstr[32] = "";
		time_t now = time(NULL);
		struct tm tm;

		if (rpc_int(d, "domid", -1) < 0)
			up = 0;
		snprintf(id, sizeof(id), "%lld",
			 (long long)rpc_int(d, "domid", -1));
		if (days > 0)
			snprintf(dstr, sizeof(dstr), "%lld day%s, ", days,
				 days > 1 ? "s" : "");
		if (shrt) {
			localtime_r(&now, &tm);
			strftime(when, sizeof(when), " %H:%M:%S", &tm);
			printf("%s up %s%2lld:%02lld, %s (%s)\n", when, dstr, h,
			       m, rpc_str(d, "name", "??"), id);
		} else {
			printf("%-32s %5s %s%2lld:%02lld:%02lld\n",
			       rpc_str(d, "name", "??"), id, dstr, h, m, s);
		}
	}
	xmlrpc_free(doms);
	return XM_EXIT_OK;
}
