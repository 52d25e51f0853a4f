/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netstore.c: what a Xen vif script sees, without XenStore: the small
 * store the xenstore-* shims answer from (a file of PATH=VALUE lines), the
 * store of one vif (the keys xend wrote under backend/vif/D/N), and the
 * script's arguments and environment (libxl's get_hotplug_env). Pure; used
 * by xmd and by the shim program (xmd/xenstore_shim.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net.h"
#include "util.h"

#define NETSTORE_MAX_KEY 256

void
netstore_init(struct netstore *s)
{
	memset(s, 0, sizeof(*s));
}

void
netstore_dispose(struct netstore *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->key[i]);
		free(s->val[i]);
	}
	netstore_init(s);
}

static bool
netstore_key_ok(const char *k)
{
	size_t n = strlen(k), i;

	if (n == 0 || n > NETSTORE_MAX_KEY)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)k[i] <= ' ' || k[i] == '=' || k[i] == 0x7f)
			return false;
	return true;
}

static int
netstore_find(const struct netstore *s, const char *key)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->key[i], key))
			return (int)i;
	return -1;
}

int
netstore_set(struct netstore *s, const char *key, const char *val)
{
	int i = netstore_find(s, key);
	char *v;

	if (!netstore_key_ok(key))
		return -EINVAL;
	if (strlen(val) > NETSTORE_MAX_VALUE)
		return -E2BIG;
	if (i < 0 && s->n == NETSTORE_MAX_KEYS)
		return -E2BIG;
	v = strdup(val);
	if (!v)
		return -ENOMEM;
	if (i >= 0) {
		free(s->val[i]);
		s->val[i] = v;
		return 0;
	}
	s->key[s->n] = strdup(key);
	if (!s->key[s->n]) {
		free(v);
		return -ENOMEM;
	}
	s->val[s->n++] = v;
	return 0;
}

const char *
netstore_get(const struct netstore *s, const char *key)
{
	int i = netstore_find(s, key);

	return i < 0 ? NULL : s->val[i];
}

int
netstore_rm(struct netstore *s, const char *key)
{
	int i = netstore_find(s, key);

	if (i < 0)
		return -ENOENT;
	free(s->key[i]);
	free(s->val[i]);
	s->n--;
	memmove(&s->key[i], &s->key[i + 1],
		(s->n - (size_t)i) * sizeof(char *));
	memmove(&s->val[i], &s->val[i + 1],
		(s->n - (size_t)i) * sizeof(char *));
	return 0;
}

char *
netstore_format(const struct netstore *s)
{
	size_t i, len = 1;
	char *out, *o;
	const char *v;

	for (i = 0; i < s->n; i++)
		len += strlen(s->key[i]) + 2 * strlen(s->val[i]) + 2;
	out = malloc(len);
	if (!out)
		return NULL;
	o = out;
	for (i = 0; i < s->n; i++) {
		o += sprintf(o, "%s=", s->key[i]);
		for (v = s->val[i]; *v; v++) {
			if (*v == '\\' || *v == '\n') {
				*o++ = '\\';
				*o++ = *v == '\n' ? 'n' : '\\';
			} else {
				*o++ = *v;
			}
		}
		*o++ = '\n';
	}
	*o = '\0';
	return out;
}

int
netstore_parse(const char *text, size_t len, struct netstore *s)
{
	char key[NETSTORE_MAX_KEY + 1], val[NETSTORE_MAX_VALUE + 1];
	size_t pos = 0, n, k, o;
	const char *line, *eq;
	int rc;

	netstore_init(s);
	while (pos < len) {
		line = text + pos;
		for (n = 0; pos + n < len && line[n] != '\n'; n++)
			;
		pos += n + 1;
		if (n == 0)
			continue;
		eq = memchr(line, '=', n);
		if (!eq || eq == line || (size_t)(eq - line) > NETSTORE_MAX_KEY)
			goto bad;
		memcpy(key, line, (size_t)(eq - line));
		key[eq - line] = '\0';
		for (k = (size_t)(eq - line) + 1, o = 0; k < n; k++) {
			char c = line[k];

			if (c == '\0')
				goto bad;
			if (c == '\\') {
				if (++k == n ||
				    (line[k] != 'n' && line[k] != '\\'))
					goto bad;
				c = line[k] == 'n' ? '\n' : '\\';
			}
			if (o == NETSTORE_MAX_VALUE) {
				netstore_dispose(s);
				return -E2BIG;
			}
			val[o++] = c;
		}
		val[o] = '\0';
		rc = netstore_set(s, key, val);
		if (rc < 0) {
			netstore_dispose(s);
			return rc;
		}
	}
	return 0;
bad:
	netstore_dispose(s);
	return -EINVAL;
}

/* ---- a vif script's run ---- */

int
net_script_path(const char *script, const char *script_dir, char *buf,
		size_t size, bool *builtin)
{
	const char *base = strrchr(script, '/');
	int rc;

	base = base ? base + 1 : script;
	rc = script[0] == '/'
		     ? util_strlcpy(buf, script, size)
		     : util_snprintf(buf, size, "%s/%s", script_dir, script);
	if (rc < 0)
		return rc;
	/* Xen's default script, absent without Xen: the built-in attach
	 * is what it did (a port on the bridge, fe:ff:ff:ff:ff:ff, the
	 * bridge's MTU). */
	*builtin = !strcmp(base, "vif-bridge") && access(buf, F_OK) != 0;
	return 0;
}

/* Append "NAME=VALUE" to the strings of buf. NULL when it is full. */
static char *
net_script_put(char *buf, size_t size, size_t *used, const char *name,
	       const char *val)
{
	char *s = buf + *used;
	int n;

	if (*used >= size)
		return NULL;
	n = name ? snprintf(s, size - *used, "%s=%s", name, val)
		 : snprintf(s, size - *used, "%s", val);
	if (n < 0 || (size_t)n >= size - *used)
		return NULL;
	*used += (size_t)n + 1;
	return s;
}

int
net_script_argv(const struct net_script_args *a, char *buf, size_t size,
		char *argv[4], char *envp[NET_SCRIPT_ENV_MAX])
{
	char path[8192], xpath[64], devid[16];
	size_t used = 0, e = 0;
	const char *gw = a->vif && a->vif->gatewaydev ? a->vif->gatewaydev : "";
	const struct {
		const char *name;
		const char *val;
	} env[] = {
		{"PATH", path},
		{"XENBUS_TYPE", "vif"},
		{"XENBUS_PATH", xpath},
		{"XENBUS_BASE_PATH", "backend"},
		{"script", a->script},
		{"vif", a->tap},
		{"netdev", gw},
		{"XMD_XENSTORE", a->store_path},
		{"XMD_DOMAIN", a->domname},
		{"XMD_DEVID", devid},
	};
	size_t i;

	if (util_snprintf(path, sizeof(path),
			  "%s:/usr/local/sbin:/usr/local/bin:/usr/sbin:"
			  "/usr/bin:/sbin:/bin",
			  a->shim_dir) < 0 ||
	    util_snprintf(xpath, sizeof(xpath), "backend/vif/%u/%u", a->domid,
			  a->devid) < 0)
		return -E2BIG;
	snprintf(devid, sizeof(devid), "%u", a->devid);
	argv[0] = net_script_put(buf, size, &used, NULL, a->script);
	argv[1] = net_script_put(buf, size, &used, NULL, a->action);
	argv[2] = net_script_put(buf, size, &used, NULL, "type_if=vif");
	argv[3] = NULL;
	if (!argv[0] || !argv[1] || !argv[2])
		return -E2BIG;
	for (i = 0; i < ARRAY_SIZE(env); i++) {
		envp[e] = net_script_put(buf, size, &used, env[i].name,
					 env[i].val);
		if (!envp[e++])
			return -E2BIG;
	}
	envp[e] = NULL;
	return 0;
}

int
net_script_store(const struct net_script_args *a, struct netstore *s)
{
	char be[64], fe[64], vm[64], k[128], mac[18], num[16];
	const struct xmcfg_vif *v = a->vif;
	int rc = 0;
	size_t i;

	snprintf(be, sizeof(be), "backend/vif/%u/%u", a->domid, a->devid);
	snprintf(fe, sizeof(fe), "/local/domain/%u/device/vif/%u", a->domid,
		 a->devid);
	snprintf(vm, sizeof(vm), "/vm/%s", a->uuid_str);
	net_mac_string(a->mac, mac);
	snprintf(num, sizeof(num), "%u", a->devid);
	/* What xend's NetifController wrote (bridge, mac, ip, script,
	 * handle, ...). No vifname: the tap already has its name, and
	 * vif-common.sh would try to rename it. */
	const struct {
		const char *dir;
		const char *key;
		const char *val;
	} keys[] = {
		{be, "bridge", a->bridge},
		{be, "mac", mac},
		{be, "ip", v && v->ip ? v->ip : NULL},
		{be, "script", a->script},
		{be, "handle", num},
		{be, "type", v && v->type ? v->type : NULL},
		{be, "rate", v && v->rate ? v->rate : NULL},
		{be, "model", v && v->model ? v->model : NULL},
		{be, "frontend", fe},
		{be, "online", "1"},
		{fe, "mac", mac},
		{fe, "handle", num},
		{fe, "backend", be},
		{fe, "backend-id", "0"},
		{"/local/domain", "name", a->domname},
		{"/local/domain", "vm", vm},
		{vm, "name", a->domname},
		{vm, "uuid", a->uuid_str},
	};

	netstore_init(s);
	for (i = 0; rc == 0 && i < ARRAY_SIZE(keys); i++) {
		if (!keys[i].val)
			continue;
		if (keys[i].dir[0] == '/' &&
		    !strcmp(keys[i].dir, "/local/domain"))
			snprintf(k, sizeof(k), "/local/domain/%u/%s", a->domid,
				 keys[i].key);
		else
			snprintf(k, sizeof(k), "%s/%s", keys[i].dir,
				 keys[i].key);
		rc = netstore_set(s, k, keys[i].val);
	}
	if (rc == 0) {
		snprintf(k, sizeof(k), "%s/frontend-id", be);
		snprintf(num, sizeof(num), "%u", a->domid);
		rc = netstore_set(s, k, num);
	}
	if (rc == 0 && v && v->mtu) {
		snprintf(k, sizeof(k), "%s/mtu", be);
		snprintf(num, sizeof(num), "%u", v->mtu);
		rc = netstore_set(s, k, num);
	}
	if (rc < 0)
		netstore_dispose(s);
	return rc;
}
