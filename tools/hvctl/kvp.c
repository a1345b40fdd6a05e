// SPDX-License-Identifier: GPL-2.0
/*
 * The worker's half of `hvctl kvp` (protocol in kvp.h): one control
 * request becomes one HVPART_VMBUS_KVP call. It runs in the worker's
 * guest-request thread (vm.c), since the guest may take 35 s to answer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "hvctl.h"
#include "kvp.h"
#include "vm.h"

/* Hyper-V's names for the pools (Msvm_KvpExchangeComponent and the guest's files). */
static const char *const pool_names[HVPART_KVP_POOL_COUNT] = {
	"external",		/* 0: written by the host */
	"guest",		/* 1: written by the guest */
	"auto",			/* 2: the guest's intrinsic items: OS name, version, ... */
	"auto-external",	/* 3 */
	"auto-internal",	/* 4 */
};

int kvp_pool_parse(const char *s)
{
	unsigned int i;

	for (i = 0; i < HVPART_KVP_POOL_COUNT; i++)
		if (!strcmp(s, pool_names[i]) || (s[0] == (char)('0' + i) && !s[1]))
			return (int)i;
	return -1;
}

const char *kvp_pool_name(unsigned int pool)
{
	return pool < HVPART_KVP_POOL_COUNT ? pool_names[pool] : "?";
}

static const struct {
	const char *name;
	int op;
	int nargs;		/* after the pool */
} kvp_ops[] = {
	{ "get", HVPART_KVP_OP_GET, 1 },
	{ "set", HVPART_KVP_OP_SET, 2 },
	{ "delete", HVPART_KVP_OP_DELETE, 1 },
	{ "enumerate", HVPART_KVP_OP_ENUMERATE, 1 },
};

static const char *kvp_errno_text(int err)
{
	switch (err) {
	case -ENODEV:
		return "the partition does not offer the KVP integration service";
	case -ENOTCONN:
		return "the guest has not opened the KVP integration service (Linux: hv_utils)";
	case -ETIMEDOUT:
		return "the guest did not answer within 35 s (Linux: is hv_kvp_daemon running?)";
	case -EINVAL:
		return "the key or value is not valid UTF-8 or too long for KVP "
		       "(255 and 1023 UTF-16 characters)";
	case -EINTR:
		return "the partition is going away";
	default:
		return NULL;
	}
}

void kvp_request(struct vm *vm, const char *args, char *reply, size_t len)
{
	char buf[CONTROL_LINE_MAX], *tok[4], *save = NULL, *p;
	char key_hex[2 * KVP_KEY_MAX + 2], value_hex[2 * KVP_VALUE_MAX + 2];
	struct hvpart_vmbus_kvp kvp;
	const char *why;
	unsigned int ntok = 0, i;
	int pool, ret;
	uint64_t index;

	snprintf(buf, sizeof(buf), "%s", args);
	for (p = strtok_r(buf, " ", &save); p && ntok < 4; p = strtok_r(NULL, " ", &save))
		tok[ntok++] = p;
	for (i = 0; i < ARRAY_SIZE(kvp_ops); i++)
		if (ntok && !strcmp(tok[0], kvp_ops[i].name))
			break;
	if (i == ARRAY_SIZE(kvp_ops) || p || ntok != 2 + (unsigned int)kvp_ops[i].nargs) {
		snprintf(reply, len, "error malformed kvp request '%.64s'", args);
		return;
	}
	pool = kvp_pool_parse(tok[1]);
	if (pool < 0) {
		snprintf(reply, len, "error no KVP pool '%.32s'", tok[1]);
		return;
	}

	memset(&kvp, 0, sizeof(kvp));
	kvp.op = (uint8_t)kvp_ops[i].op;
	kvp.pool = (uint8_t)pool;
	if (kvp.op == HVPART_KVP_OP_ENUMERATE) {
		if (!parse_uint(tok[2], 0, UINT32_MAX, &index)) {
			snprintf(reply, len, "error bad KVP index '%.32s'", tok[2]);
			return;
		}
		kvp.index = (uint32_t)index;
	} else if (hex_decode(tok[2], kvp.key, KVP_KEY_MAX + 1) <= 0 ||
		   (kvp.op == HVPART_KVP_OP_SET &&
		    hex_decode(tok[3], kvp.value, KVP_VALUE_MAX + 1) < 0)) {
		snprintf(reply, len, "error malformed key or value (hex, at most %d and %d bytes)",
			      KVP_KEY_MAX, KVP_VALUE_MAX);
		return;
	}

	ret = hvp_partition_vmbus_kvp(&vm->part, &kvp);
	if (ret) {
		why = kvp_errno_text(ret);
		snprintf(reply, len, "error %s", why ? why : hvp_error());
		return;
	}
	kvp.key[sizeof(kvp.key) - 1] = '\0';
	kvp.value[sizeof(kvp.value) - 1] = '\0';
	if (!hex_encode(kvp.key, strlen(kvp.key), key_hex, sizeof(key_hex)) ||
	    !hex_encode(kvp.value, strlen(kvp.value), value_hex, sizeof(value_hex))) {
		snprintf(reply, len, "error the guest's answer is too long");
		return;
	}
	snprintf(reply, len, "ok status=0x%08x key=%s value=%s", kvp.status, key_hex, value_hex);
}
