// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl kvp NAME get|set|delete|list: read and write the guest's KVP
 * pools, as Hyper-V's Msvm_KvpExchangeComponent does. The worker does the
 * exchange (kvp.c, protocol in kvp.h); this is the command line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "hvctl.h"
#include "kvp.h"

/* An enumeration stops here even if a guest never says "no more". */
#define KVP_LIST_MAX	4096

static const char kvp_help[] =
	"Usage: hvctl kvp NAME get KEY [--pool POOL]\n"
	"       hvctl kvp NAME set KEY VALUE [--pool POOL]\n"
	"       hvctl kvp NAME delete KEY [--pool POOL]\n"
	"       hvctl kvp NAME list [--pool POOL]\n\n"
	"Reads and writes the key/value pairs of the guest in partition NAME through\n"
	"the KVP integration service (Linux guests: hv_utils and hv_kvp_daemon from\n"
	"hyperv-daemons). get prints the value, list prints KEY=VALUE lines; both\n"
	"walk the pool entry by entry, as Hyper-V's host does.\n\n"
	"Pools (--pool, by name or number):\n"
	"  external       0  written by the host; the default of get, set and delete\n"
	"  guest          1  written by the guest (Linux: /var/lib/hyperv/.kvp_pool_1)\n"
	"  auto           2  the guest's own facts: OSName, OSVersion, FullyQualified-\n"
	"                    DomainName, NetworkAddressIPv4, ...; the default of list\n"
	"  auto-external  3\n"
	"  auto-internal  4\n\n"
	"Keys hold at most 255 characters and values 1023 (UTF-16 on the wire).\n"
	"Exit status: 0 done, 1 error (no such partition or key, the guest did not\n"
	"answer or refused).\n";

/* The value of " @field=" in @reply, decoded from hex into @out. */
static int reply_field(const char *reply, const char *field, char *out, size_t max)
{
	char pat[16], hex[CONTROL_LINE_MAX];
	const char *p;
	size_t n;

	snprintf(pat, sizeof(pat), " %s=", field);
	p = strstr(reply, pat);
	if (!p)
		return -1;
	p += strlen(pat);
	n = strcspn(p, " ");
	if (n >= sizeof(hex))
		return -1;
	memcpy(hex, p, n);
	hex[n] = '\0';
	return hex_decode(hex, out, max);
}

/*
 * One exchange. Returns 0 with the guest's status in @status (and the
 * key and value for enumerate and get), or -1 after saying why.
 */
static int kvp_exchange(const char *name, const char *request, unsigned int *status,
			char *key, char *value)
{
	char reply[CONTROL_LINE_MAX], err[512];

	if (control_request(name, request, reply, sizeof(reply), err, sizeof(err))) {
		hvctl_err("%s", err);
		return -1;
	}
	if (!strncmp(reply, "error ", 6)) {
		hvctl_err("%s: kvp: %s", name, reply + 6);
		return -1;
	}
	if (sscanf(reply, "ok status=%x", status) != 1 ||
	    reply_field(reply, "key", key, KVP_KEY_MAX + 1) < 0 ||
	    reply_field(reply, "value", value, KVP_VALUE_MAX + 1) < 0) {
		hvctl_err("%s: kvp: unexpected reply from the worker: %.80s", name, reply);
		return -1;
	}
	return 0;
}

/*
 * Walk @pool by index, as Hyper-V's host reads the guest's items: print
 * every entry (@want NULL), or the value of key @want. Returns 0, 1 when
 * @want is not there, or -1 after saying why.
 */
static int kvp_walk(const char *name, int pool, const char *want)
{
	char request[64], key[KVP_KEY_MAX + 1], value[KVP_VALUE_MAX + 1];
	unsigned int i, status;

	for (i = 0; i < KVP_LIST_MAX; i++) {
		snprintf(request, sizeof(request), "kvp enumerate %d %u", pool, i);
		if (kvp_exchange(name, request, &status, key, value))
			return -1;
		if (status == KVP_S_CONT)
			return want ? 1 : 0;	/* the end of the pool */
		if (status) {
			hvctl_err("%s: kvp: the guest failed entry %u of pool %s (HRESULT 0x%08x)",
				  name, i, kvp_pool_name((unsigned int)pool), status);
			return -1;
		}
		if (!want) {
			printf("%s=%s\n", key, value);
		} else if (!strcmp(key, want)) {
			printf("%s\n", value);
			return 0;
		}
	}
	hvctl_err("%s: kvp: pool %s has more than %d entries; stopped", name,
		  kvp_pool_name((unsigned int)pool), KVP_LIST_MAX);
	return -1;
}

int cmd_kvp(int argc, char **argv)
{
	char request[CONTROL_LINE_MAX], key[KVP_KEY_MAX + 1], value[KVP_VALUE_MAX + 1];
	char key_hex[2 * KVP_KEY_MAX + 2], value_hex[2 * KVP_VALUE_MAX + 2];
	const char *pos[4], *name, *op, *pool_arg = NULL;
	unsigned int npos = 0, status;
	int i, pool, nargs;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(kvp_help, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--pool")) {
			if (++i == argc)
				return hvctl_usage_error("kvp", "--pool needs a POOL");
			pool_arg = argv[i];
		} else if (!strncmp(argv[i], "--pool=", 7)) {
			pool_arg = argv[i] + 7;
		} else if (argv[i][0] == '-' && argv[i][1] && npos < 2) {
			/* Keys and values may start with '-' (after the operation). */
			return hvctl_usage_error("kvp", "unknown option '%s'", argv[i]);
		} else if (npos < ARRAY_SIZE(pos)) {
			pos[npos++] = argv[i];
		} else {
			return hvctl_usage_error("kvp", "unexpected argument '%s'", argv[i]);
		}
	}
	if (npos < 2)
		return hvctl_usage_error("kvp", "a partition NAME and an operation are required");
	name = pos[0];
	op = pos[1];
	if (!valid_name(name)) {
		hvctl_err("'%s' is not a partition name", name);
		return HVCTL_EXIT_ERROR;
	}
	if (!strcmp(op, "list"))
		nargs = 0;
	else if (!strcmp(op, "get") || !strcmp(op, "delete"))
		nargs = 1;
	else if (!strcmp(op, "set"))
		nargs = 2;
	else
		return hvctl_usage_error("kvp", "unknown operation '%s' (get, set, delete, list)", op);
	if ((int)npos != 2 + nargs)
		return hvctl_usage_error("kvp", "%s takes %s", op,
					 nargs == 0 ? "no KEY" : nargs == 1 ? "a KEY" : "a KEY and a VALUE");
	pool = pool_arg ? kvp_pool_parse(pool_arg) : !strcmp(op, "list") ? 2 : 0;
	if (pool < 0)
		return hvctl_usage_error("kvp", "no pool '%s' (external, guest, auto, auto-external, auto-internal or 0-4)",
					 pool_arg);
	if (!strcmp(op, "list"))
		return kvp_walk(name, pool, NULL) ? HVCTL_EXIT_ERROR : 0;

	if (!pos[2][0] || strlen(pos[2]) > KVP_KEY_MAX ||
	    !hex_encode(pos[2], strlen(pos[2]), key_hex, sizeof(key_hex))) {
		hvctl_err("a KVP key has 1 to %d bytes", KVP_KEY_MAX);
		return HVCTL_EXIT_ERROR;
	}
	if (nargs == 2 && (strlen(pos[3]) > KVP_VALUE_MAX ||
			   !hex_encode(pos[3], strlen(pos[3]), value_hex, sizeof(value_hex)))) {
		hvctl_err("a KVP value has at most %d bytes", KVP_VALUE_MAX);
		return HVCTL_EXIT_ERROR;
	}
	/*
	 * Linux's hv_utils asks its daemon for a GET's value with a size of 0
	 * and so answers every GET with an empty value: find the key by
	 * walking the pool instead, as Hyper-V's host does.
	 */
	if (!strcmp(op, "get")) {
		int ret = kvp_walk(name, pool, pos[2]);

		if (ret > 0)
			hvctl_err("%s: kvp: no key '%s' in pool %s", name, pos[2],
				  kvp_pool_name((unsigned int)pool));
		return ret ? HVCTL_EXIT_ERROR : 0;
	}
	snprintf(request, sizeof(request), "kvp %s %d %s%s%s", op, pool, key_hex,
		 nargs == 2 ? " " : "", nargs == 2 ? value_hex : "");
	if (kvp_exchange(name, request, &status, key, value))
		return HVCTL_EXIT_ERROR;
	if (status == KVP_S_CONT && !strcmp(op, "delete")) {
		hvctl_err("%s: kvp: no key '%s' in pool %s", name, pos[2],
			  kvp_pool_name((unsigned int)pool));
		return HVCTL_EXIT_ERROR;
	}
	if (status) {
		hvctl_err("%s: kvp: the guest refused to %s '%s' in pool %s (HRESULT 0x%08x)", name, op,
			  pos[2], kvp_pool_name((unsigned int)pool), status);
		return HVCTL_EXIT_ERROR;
	}
	return 0;
}
