/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvctl: what every subcommand shares. The command table itself is in
 * hvctl.c; each subcommand lives in cmd-<verb>.c and is declared here.
 * Messages go to stderr as "hvctl: ...", one line each.
 */
#ifndef HVPART_TOOLS_HVCTL_H
#define HVPART_TOOLS_HVCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Exit codes of hvctl (hvctl.8, "EXIT STATUS"). `hvctl run` returns what
 * ended the guest; the other commands use 0 and 1 only.
 * The isa-debug-exit port adds (value << 1) | 1, as QEMU's device does,
 * which overlaps 1 and 3 for the values 0 and 1.
 */
enum hvctl_exit {
	HVCTL_EXIT_POWEROFF	= 0,	/* guest powered off (ACPI S5) */
	HVCTL_EXIT_ERROR	= 1,	/* usage, setup or host error */
	HVCTL_EXIT_CRASH	= 2,	/* triple fault, crash report, fatal exit */
	HVCTL_EXIT_STOPPED	= 3,	/* hvctl stop, --timeout, SIGINT/SIGTERM */
	HVCTL_EXIT_RESET	= 4,	/* guest asked for a reset (not restarted) */
};

struct hvctl_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;	/* one line for `hvctl --help` */
};

int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_resume(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_shutdown(int argc, char **argv);
int cmd_kvp(int argc, char **argv);

/* ---- messages (hvctl.c) -------------------------------------------------- */

extern int hvctl_verbose;	/* -v: 1 info, 2 debug */

void hvctl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hvctl_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hvctl_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hvctl_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "Try 'hvctl CMD --help'." after a usage error; returns HVCTL_EXIT_ERROR. */
int hvctl_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- argument parsing (util.c) ------------------------------------------ */

/*
 * "512M", "2G", "1048576K", "1T"; a plain number means MiB (as QEMU's -m).
 * Binary units. Returns false for anything else or on overflow.
 */
bool parse_size(const char *s, uint64_t *bytes);
/* A decimal number in [min, max]. */
bool parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *v);
/*
 * A CPU list as in cpuset(7): "0-3,8,10-11". Sets bits in @set (a
 * cpu_set_t, passed as void * to keep sched.h out of this header).
 */
bool parse_cpulist(const char *s, void *set);
/* Partition names: 1-32 of [A-Za-z0-9_.-], not starting with '.' or '-'. */
bool valid_name(const char *s);

/*
 * Reads a whole regular file (at most @max bytes) into a malloc'd buffer.
 * On failure returns -errno and puts one line in @err.
 */
int read_whole_file(const char *path, uint64_t max, uint8_t **data, size_t *len,
		    char *err, size_t errlen);

/*
 * Byte strings on the control socket's one-line protocol: lowercase hex,
 * "-" for the empty string. hex_encode fails if @buf is too small;
 * hex_decode stores at most @max - 1 bytes and a NUL and returns their
 * number, or -1 for bad hex, a NUL byte, or too long.
 */
bool hex_encode(const void *data, size_t len, char *buf, size_t buflen);
int hex_decode(const char *s, char *out, size_t max);

/* Human-readable sizes: "512M", "1.5G". */
void format_size(uint64_t bytes, char *buf, size_t len);

#endif /* HVPART_TOOLS_HVCTL_H */
