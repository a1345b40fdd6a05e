// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl list: every partition with a control socket in the control
 * directory, asked for its status. A socket nobody answers on (its worker
 * was killed) is shown as "stale", one of another user's as "no-access". VMBUS is the protocol version the guest
 * negotiated, "-" before it connects or without VMBus.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "hvctl.h"

/* The value of @key in a "key=value key=value" reply, or "-". */
static void field(const char *reply, const char *key, char *out, size_t len)
{
	size_t klen = strlen(key);
	const char *p = reply;

	snprintf(out, len, "-");
	while ((p = strstr(p, key))) {
		if ((p == reply || p[-1] == ' ') && p[klen] == '=') {
			size_t n = strcspn(p + klen + 1, " ");

			snprintf(out, len, "%.*s", (int)n, p + klen + 1);
			return;
		}
		p += klen;
	}
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int cmd_list(int argc, char **argv)
{
	DIR *d;
	struct dirent *de;
	char *names[1024];
	size_t n = 0, i;

	if (argc > 1) {
		if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
			printf("Usage: hvctl list\n\nLists the partitions running on this host (their\n"
			       "control sockets in %s).\n", control_dir());
			return 0;
		}
		return hvctl_usage_error("list", "unexpected argument '%s'", argv[1]);
	}
	printf("%-20s %-10s %4s %8s %8s %9s %-6s %s\n", "NAME", "STATE", "VPS", "MEMORY", "PID",
	       "UPTIME", "VMBUS", "SERIAL");
	d = opendir(control_dir());
	if (!d)
		return 0;	/* no directory: nothing has ever run */
	while ((de = readdir(d)) && n < ARRAY_SIZE(names)) {
		size_t len = strlen(de->d_name);

		if (len > 5 && !strcmp(de->d_name + len - 5, ".sock")) {
			names[n] = strndup(de->d_name, len - 5);
			if (names[n])
				n++;
		}
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_names);
	for (i = 0; i < n; i++) {
		char reply[CONTROL_LINE_MAX], err[512], state[16], vps[8], mem[32], pid[16];
		char up[48], serial[64], msize[16], vmbus[16];
		unsigned long long uptime, bytes;
		int ret;

		ret = control_request(names[i], "status", reply, sizeof(reply), err, sizeof(err));
		if (ret || strncmp(reply, "ok ", 3)) {
			/* Another user's partition, or a worker that was killed. */
			printf("%-20s %-10s\n", names[i], ret == -EACCES ? "no-access" : "stale");
			free(names[i]);
			continue;
		}
		field(reply, "state", state, sizeof(state));
		field(reply, "vps", vps, sizeof(vps));
		field(reply, "memory", mem, sizeof(mem));
		field(reply, "pid", pid, sizeof(pid));
		field(reply, "uptime", up, sizeof(up));
		field(reply, "serial", serial, sizeof(serial));
		field(reply, "vmbus", vmbus, sizeof(vmbus));
		bytes = strtoull(mem, NULL, 10);
		format_size(bytes, msize, sizeof(msize));
		uptime = strtoull(up, NULL, 10);
		snprintf(up, sizeof(up), "%llu:%02llu:%02llu", uptime / 3600, uptime / 60 % 60,
			 uptime % 60);
		printf("%-20s %-10s %4s %8s %8s %9s %-6s %s\n", names[i], state, vps, msize, pid, up,
		       vmbus, serial);
		free(names[i]);
	}
	return 0;
}
