// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: command line of hvpart and, as `hvctl run`, the worker process of
 * one child partition. This file holds the command table and the message
 * helpers; each subcommand is in cmd-<verb>.c. Adding a command is one
 * row below and one file.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hvctl.h"

int hvctl_verbose;

static const struct hvctl_cmd commands[] = {
	{ "run", cmd_run, "run a partition in the foreground (the worker process)" },
	{ "check", cmd_check, "print the host features hvpart needs and which are present" },
	{ "list", cmd_list, "list running partitions" },
	{ "pause", cmd_pause, "pause every VP of a partition" },
	{ "resume", cmd_resume, "resume a paused partition" },
	{ "shutdown", cmd_shutdown, "ask the guest to power off (integration service, else ACPI)" },
	{ "stop", cmd_stop, "stop a partition at once (forced power off)" },
	{ "kvp", cmd_kvp, "read and write the guest's key/value pairs (KVP)" },
};

static void vmsg(const char *level, const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	/* One write per line, so lines from VP threads do not interleave. */
	fprintf(stderr, "hvctl: %s%s\n", level, buf);
}

void hvctl_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void hvctl_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void hvctl_info(const char *fmt, ...)
{
	va_list ap;

	if (hvctl_verbose < 1)
		return;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void hvctl_debug(const char *fmt, ...)
{
	va_list ap;

	if (hvctl_verbose < 2)
		return;
	va_start(ap, fmt);
	vmsg("debug: ", fmt, ap);
	va_end(ap);
}

int hvctl_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "hvctl%s%s: %s\n", cmd ? " " : "", cmd ? cmd : "", buf);
	fprintf(stderr, "Try 'hvctl%s%s --help'.\n", cmd ? " " : "", cmd ? cmd : "");
	return HVCTL_EXIT_ERROR;
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: hvctl [-v] COMMAND [ARGS]\n"
		   "       hvctl COMMAND --help\n\n"
		   "Runs and controls hvpart child partitions.\n\nCommands:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\nOptions:\n"
		   "  -v, --verbose  more messages (twice: debug)\n"
		   "  -h, --help     this text\n\n"
		   "Exit status: 0 success (run: the guest powered off), 1 error;\n"
		   "run also returns 2 crashed, 3 stopped, 4 reset (see hvctl(8)).\n");
}

int main(int argc, char **argv)
{
	int i;
	size_t c;

	/* Global options come before the command. */
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			hvctl_verbose++;
		} else if (!strcmp(argv[i], "-vv")) {
			hvctl_verbose += 2;
		} else {
			return hvctl_usage_error(NULL, "unknown option '%s'", argv[i]);
		}
	}
	if (i >= argc) {
		usage(stderr);
		return HVCTL_EXIT_ERROR;
	}
	for (c = 0; c < ARRAY_SIZE(commands); c++)
		if (!strcmp(argv[i], commands[c].name))
			return commands[c].fn(argc - i, argv + i);
	return hvctl_usage_error(NULL, "unknown command '%s'", argv[i]);
}
