// SPDX-License-Identifier: GPL-2.0
/*
 * Tracepoints hvpart:hvpart_entry and hvpart:hvpart_exit fire: enabled
 * through tracefs (filtered to this process), a guest does a port write and
 * a HLT at known addresses, and the trace shows entries and one exit for
 * each with its RIP and the backend's hardware exit code.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "hvp_util.h"

/* Hardware exit codes: APM vol. 2 appendix C (SVM), SDM vol. 3 appendix C (VMX). */
#define SVM_EXIT_IOIO	0x7b
#define SVM_EXIT_HLT	0x78
#define VMX_EXIT_IO	30
#define VMX_EXIT_HLT	12

void guest_trace_code(void);
extern char guest_trace_out[], guest_trace_hlt[];

asm(".pushsection .text\n"
    "guest_trace_code:\n"
    "	mov $0x80, %dx\n"
    "	mov $0x5a, %al\n"
    "guest_trace_out:\n"
    "	out %al, %dx\n"
    "guest_trace_hlt:\n"
    "	hlt\n"
    "	call guest_trace_done\n"
    ".popsection\n");

void guest_trace_done(void);
void guest_trace_done(void)
{
	GUEST_DONE();
}

static const char *tracefs(void)
{
	static const char *const roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char path[128];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(roots); i++) {
		snprintf(path, sizeof(path), "%s/events/hvpart", roots[i]);
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

/* Truncate a tracefs file (clears 'trace', empties 'set_event_pid'). */
static void tf_truncate(const char *root, const char *file)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root, file);
	fd = open(path, O_WRONLY | O_TRUNC);
	TEST_ASSERT(fd >= 0, "truncating %s", path);
	close(fd);
}

static void check_format(const char *root, const char *event, const char *const *fields)
{
	char path[256], buf[4096], want[64];

	snprintf(path, sizeof(path), "%s/events/hvpart/%s/format", root, event);
	TEST_ASSERT(read_file(path, buf, sizeof(buf)) > 0, "reading %s", path);
	for (; *fields; fields++) {
		snprintf(want, sizeof(want), " %s;", *fields);
		TEST_ASSERT(strstr(buf, want), "%s has no field '%s'", path, *fields);
	}
}

/* Does a line of @trace contain all of @needles? Returns how many such lines. */
static int count_lines(const char *trace, const char *const *needles)
{
	const char *line = trace, *nl;
	char buf[1024];
	int n = 0;

	while (*line) {
		const char *const *p;
		size_t len;

		nl = strchr(line, '\n');
		len = nl ? (size_t)(nl - line) : strlen(line);
		if (len >= sizeof(buf))
			len = sizeof(buf) - 1;
		memcpy(buf, line, len);
		buf[len] = '\0';
		for (p = needles; *p && strstr(buf, *p); p++)
			;
		if (!*p)
			n++;
		if (!nl)
			break;
		line = nl + 1;
	}
	return n;
}

static void entry_and_exit_fire(const void *arg __unused)
{
	static const char *const entry_fields[] = { "rip", NULL };
	static const char *const exit_fields[] = { "reason", "rip", "hw_exit_code", NULL };
	const char *root = tracefs();
	char pid[32], out_rip[32], hlt_rip[32], io_code[32], hlt_code[32], *trace;
	struct hvp_vm *vm;
	struct hvp_vp *vp;
	bool svm;
	int r;

	__TEST_REQUIRE(root, "no tracefs with events/hvpart (tracefs not mounted?)");
	check_format(root, "hvpart_entry", entry_fields);
	check_format(root, "hvpart_exit", exit_fields);

	vm = vm_create_with_one_vp(&vp, guest_trace_code);
	svm = vm->backend == HVPART_BACKEND_SVM;

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	tf_write(root, "tracing_on", "0");
	tf_truncate(root, "trace");
	tf_write(root, "set_event_pid", pid);
	tf_write(root, "events/hvpart/hvpart_entry/enable", "1");
	tf_write(root, "events/hvpart/hvpart_exit/enable", "1");
	tf_write(root, "tracing_on", "1");

	vp_run(vp);
	TEST_ASSERT_EXIT_REASON(vp, HVPART_EXIT_IO);
	vp_run(vp);
	TEST_ASSERT_EXIT_REASON(vp, HVPART_EXIT_HLT);
	vp_run_expect_done(vp);

	tf_write(root, "tracing_on", "0");
	tf_write(root, "events/hvpart/hvpart_entry/enable", "0");
	tf_write(root, "events/hvpart/hvpart_exit/enable", "0");
	tf_truncate(root, "set_event_pid");

	trace = malloc(4 << 20);
	TEST_ASSERT(trace, "malloc");
	{
		char path[256];

		snprintf(path, sizeof(path), "%s/trace", root);
		r = read_file(path, trace, 4 << 20);
		TEST_ASSERT(r > 0, "reading %s", path);
	}
	tf_truncate(root, "trace");

	snprintf(out_rip, sizeof(out_rip), "%#lx", (unsigned long)guest_trace_out);
	snprintf(hlt_rip, sizeof(hlt_rip), "%#lx", (unsigned long)guest_trace_hlt);
	snprintf(io_code, sizeof(io_code), "%#x", svm ? SVM_EXIT_IOIO : VMX_EXIT_IO);
	snprintf(hlt_code, sizeof(hlt_code), "%#x", svm ? SVM_EXIT_HLT : VMX_EXIT_HLT);
	{
		const char *const entries[] = { "hvpart_entry:", NULL };
		const char *const io_exit[] = { "hvpart_exit:", out_rip, io_code, NULL };
		const char *const hlt_exit[] = { "hvpart_exit:", hlt_rip, hlt_code, NULL };
		int n_entry = count_lines(trace, entries);

		if (n_entry < 3 || count_lines(trace, io_exit) < 1 || count_lines(trace, hlt_exit) < 1)
			tap_diag("trace:\n%.3000s", trace);
		TEST_ASSERT(n_entry >= 3, "%d hvpart_entry lines for 3 RUNs", n_entry);
		TEST_ASSERT(count_lines(trace, io_exit) >= 1,
			    "no hvpart_exit with rip %s and hw_exit_code %s (port I/O)", out_rip,
			    io_code);
		TEST_ASSERT(count_lines(trace, hlt_exit) >= 1,
			    "no hvpart_exit with rip %s and hw_exit_code %s (HLT)", hlt_rip,
			    hlt_code);
	}
	free(trace);
	vm_free(vm);
}

int main(void)
{
	static const struct hvp_test tests[] = {
		HVP_TEST(entry_and_exit_fire),
	};

	return tap_main(tests, ARRAY_SIZE(tests));
}
