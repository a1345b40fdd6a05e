// SPDX-License-Identifier: GPL-2.0
/*
 * The channel-management messages of one guest's connect-to-open, as the
 * module's debug options capture them: the vmbus_log parameter (writable
 * in /sys/module/hvpart/parameters/, one kernel-log line per message) and
 * the hvpart:hvpart_vmbus_msg tracepoint. Both must show exactly this
 * sequence for a 5.3 guest opening the one channel offered, with a
 * 32-page ring (26 PFNs in the header, 6 in a body):
 *
 *   guest->host initiate_contact (14)  arg 0x50003 (version)      len 40
 *   host->guest version_response (15)  arg 0x1 (supported)        len 16
 *   guest->host request_offers (3)                                len 8
 *   host->guest offer (1)              arg first 4 bytes of class len 196
 *   host->guest all_offers_delivered (4)                          len 8
 *   guest->host gpadl_header (8)       arg relid                  len 236
 *   guest->host gpadl_body (9)         arg 0 (msgnumber)          len 64
 *   host->guest gpadl_created (10)     arg relid                  len 20
 *   guest->host open (5)               arg relid                  len 148
 *   host->guest open_result (6)        arg relid                  len 20
 *
 * The capture is printed as TAP diagnostics (docs/ quotes it).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "hvp_util.h"
#include "hyperv.h"
#include "vmbus_guest.h"

#define PARAM		"/sys/module/hvpart/parameters/vmbus_log"
#define TEST_CLASS_LE	0x61707668	/* "hvpa": the first bytes of vmbus_test_guid() */

struct step {
	const char *dir, *name;
	uint32_t type;
	bool has_arg;		/* arg below is checked (else it must be 0) */
	uint32_t arg;		/* RELID: the channel's relid */
	uint32_t len;
};

#define RELID	0xffffffffU

static const struct step expected[] = {
	{ "guest->host", "initiate_contact", 14, true, 0x50003, 40 },
	{ "host->guest", "version_response", 15, true, 0x1, 16 },
	{ "guest->host", "request_offers", 3, false, 0, 8 },
	{ "host->guest", "offer", 1, true, TEST_CLASS_LE, 196 },
	{ "host->guest", "all_offers_delivered", 4, false, 0, 8 },
	{ "guest->host", "gpadl_header", 8, true, RELID, 236 },
	{ "guest->host", "gpadl_body", 9, true, 0, 64 },
	{ "host->guest", "gpadl_created", 10, true, RELID, 20 },
	{ "guest->host", "open", 5, true, RELID, 148 },
	{ "host->guest", "open_result", 6, true, RELID, 20 },
};

static const uint8_t guid_test[16] = { 0x68, 0x76, 0x70, 0x61, 0x72, 0x74, 0x2d, 0x74,
				       0x65, 0x73, 0x74, 0, 0, 0, 0, 0 };
static uint32_t guest_relid;

static void guest_connect_to_open(void)
{
	struct vmbus_chan c;

	vmbus_guest_init();
	GUEST_ASSERT(vmbus_connect(VMBUS_VERSION_WIN10_V5_3));
	vmbus_request_offers();
	guest_relid = vmbus_find_offer(guid_test, 0);
	GUEST_ASSERT(guest_relid);
	GUEST_ASSERT(!vmbus_chan_open(&c, guest_relid, 16, 16, 0));
	GUEST_DONE();
}

/* This process's partition id, from its debugfs directory "<pid>-<id>". */
static int partition_id(void)
{
	char prefix[32];
	struct dirent *e;
	DIR *d = opendir("/sys/kernel/debug/hvpart");
	int id = -1;

	if (!d)
		return -1;
	snprintf(prefix, sizeof(prefix), "%d-", (int)getpid());
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, prefix, strlen(prefix)))
			id = atoi(e->d_name + strlen(prefix));
	closedir(d);
	return id;
}

struct seen {
	char dir[16], name[40];
	uint32_t type, arg, len;
};

/* Parse "... partition P [vmbus] DIR NAME (TYPE) arg ARG len LEN" lines of partition @id. */
static unsigned int parse(const char *text, int id, const char *marker, struct seen *out,
			  unsigned int max)
{
	char key[64];
	unsigned int n = 0;
	const char *p = text;

	snprintf(key, sizeof(key), "partition %d %s", id, marker);
	while ((p = strstr(p, key)) && n < max) {
		struct seen *s = &out[n];

		p += strlen(key);
		if (sscanf(p, " %15s %39s (%u) arg %x len %u", s->dir, s->name, &s->type, &s->arg,
			   &s->len) == 5)
			n++;
	}
	return n;
}

static void check(const char *what, const struct seen *s, unsigned int n, uint32_t relid)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		tap_diag("%s: %s %s (%u) arg %#x len %u", what, s[i].dir, s[i].name, s[i].type,
			 s[i].arg, s[i].len);
	TEST_ASSERT(n == ARRAY_SIZE(expected), "%s: %u messages, expected %zu", what, n,
		    ARRAY_SIZE(expected));
	for (i = 0; i < n; i++) {
		const struct step *e = &expected[i];
		uint32_t arg = e->arg == RELID ? relid : e->arg;

		TEST_ASSERT(!strcmp(s[i].dir, e->dir) && !strcmp(s[i].name, e->name) &&
			    s[i].type == e->type && s[i].len == e->len &&
			    (e->has_arg ? s[i].arg == arg : s[i].arg == 0),
			    "%s: message %u is %s %s (%u) arg %#x len %u, expected %s %s (%u) "
			    "arg %#x len %u", what, i, s[i].dir, s[i].name, s[i].type, s[i].arg,
			    s[i].len, e->dir, e->name, e->type, arg, e->len);
	}
}

static const char *tracefs(void)
{
	static const char *const roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char path[128];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(roots); i++) {
		snprintf(path, sizeof(path), "%s/events/hvpart/hvpart_vmbus_msg", roots[i]);
		if (!access(path, F_OK))
			return roots[i];
	}
	return NULL;
}

static void tf_write(const char *root, const char *file, const char *val)
{
	char path[256];
	int r;

	snprintf(path, sizeof(path), "%s/%s", root, file);
	r = write_file(path, val);
	TEST_ASSERT(!r, "writing '%s' to %s: %s", val, path, strerror(-r));
}

/* Empty the trace buffer. */
static void tf_clear(const char *root)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/trace", root);
	fd = open(path, O_WRONLY | O_TRUNC);
	TEST_ASSERT(fd >= 0, "truncating %s", path);
	close(fd);
}

static char *read_kmsg_since(int fd)
{
	size_t cap = 1 << 20, len = 0;
	char *buf = malloc(cap);
	ssize_t n;

	TEST_ASSERT(buf, "malloc");
	for (;;) {
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EPIPE)
			continue;
		if (n <= 0)
			break;
		len += n;
		if (cap - len < 4096)
			break;
	}
	buf[len] = 0;
	return buf;
}

static void connect_to_open(const void *arg __unused)
{
	const char *root = tracefs();
	struct seen seen[64];
	char path[256], filter[64], *text;
	struct hvp_vp *vp;
	struct hvp_vm *vm;
	uint8_t type[16], inst[16];
	int kmsg, id, fd, r;
	uint32_t relid;
	unsigned int n;

	__TEST_REQUIRE(!access(PARAM, W_OK), "%s is not writable", PARAM);
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	__TEST_REQUIRE(kmsg >= 0, "no /dev/kmsg");
	lseek(kmsg, 0, SEEK_END);

	vm = vmbus_vm_create(&vp, guest_connect_to_open);
	vm_vmbus_create(vm, 0);
	vmbus_test_guid(type, 0);
	vmbus_test_guid(inst, 1);
	fd = vm_vmbus_offer(vm, type, inst);
	id = partition_id();
	TEST_ASSERT(id > 0, "no debugfs directory for this partition");

	if (root) {
		snprintf(filter, sizeof(filter), "partition == %d", id);
		tf_write(root, "tracing_on", "0");
		tf_clear(root);
		tf_write(root, "events/hvpart/hvpart_vmbus_msg/filter", filter);
		tf_write(root, "events/hvpart/hvpart_vmbus_msg/enable", "1");
		tf_write(root, "tracing_on", "1");
	}
	TEST_ASSERT(!write_file(PARAM, "1"), "enabling vmbus_log");

	vp_run_expect_done(vp);

	/* Every message is handled by now: the guest had its answers. */
	TEST_ASSERT(!write_file(PARAM, "0"), "disabling vmbus_log");
	sync_global_from_guest(vm, guest_relid);
	relid = guest_relid;

	text = read_kmsg_since(kmsg);
	n = parse(text, id, "vmbus", seen, ARRAY_SIZE(seen));
	check("vmbus_log", seen, n, relid);
	free(text);
	close(kmsg);

	if (root) {
		tf_write(root, "tracing_on", "0");
		tf_write(root, "events/hvpart/hvpart_vmbus_msg/enable", "0");
		tf_write(root, "events/hvpart/hvpart_vmbus_msg/filter", "0");
		text = malloc(4 << 20);
		TEST_ASSERT(text, "malloc");
		snprintf(path, sizeof(path), "%s/trace", root);
		r = read_file(path, text, 4 << 20);
		TEST_ASSERT(r > 0, "reading %s", path);
		tf_clear(root);
		n = parse(text, id, "", seen, ARRAY_SIZE(seen));
		check("hvpart_vmbus_msg", seen, n, relid);
		free(text);
	} else {
		tap_diag("no tracefs: tracepoint not checked");
	}
	close(fd);
	vm_free(vm);
}

int main(void)
{
	static const struct hvp_test tests[] = {
		HVP_TEST(connect_to_open),
	};

	return tap_main(tests, ARRAY_SIZE(tests));
}
