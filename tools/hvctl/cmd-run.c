// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl run: parse and check everything, then become the worker (vm.c).
 * Every mistake the user can make here (an option, a file, a kernel that
 * does not fit, a name in use) is reported before /dev/hvpart is opened.
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control.h"
#include "hvctl.h"
#include "vm.h"

#define MEMORY_DEFAULT		(256ULL << 20)
#define MEMORY_MIN		(4ULL << 20)
#define MEMORY_MAX		(1ULL << 40)
#define VPS_MAX			1024
#define TIMEOUT_MAX		(7ULL * 24 * 3600)
#define KERNEL_MAX		(256ULL << 20)

static void run_usage(FILE *f)
{
	fprintf(f,
		"Usage: hvctl run --kernel FILE [OPTIONS]\n\n"
		"Runs a child partition in the foreground until the guest powers off or\n"
		"is stopped. COM1 is the console.\n\n"
		"  -k, --kernel FILE      Linux bzImage (64-bit boot protocol) or multiboot kernel\n"
		"  -i, --initrd FILE      initial ramdisk (multiboot: module 0)\n"
		"  -c, --cmdline STR      kernel command line\n"
		"  -m, --memory SIZE      guest memory, e.g. 512M or 2G; a bare number is MiB\n"
		"                         (default 256M)\n"
		"  -p, --vps N            virtual processors (default 1)\n"
		"  -s, --serial stdio|pty COM1 on stdin/stdout (default), or on a new pty\n"
		"                         whose path is printed\n"
		"  -a, --affinity CPULIST run the VP threads only on these host CPUs (\"0-3,6\")\n"
		"      --no-hyperv        no Hyper-V interface: a plain hardware guest\n"
		"  -n, --name NAME        partition name for hvctl list/stop/... (default hvctl-PID)\n"
		"  -t, --timeout SECONDS  stop the partition after this long (exit status 3)\n"
		"  -h, --help             this text\n\n"
		"Exit status: 0 powered off, 1 error, 2 crashed (triple fault, crash report),\n"
		"3 stopped (hvctl stop, --timeout, SIGINT/SIGTERM), 4 reset; a write of V to\n"
		"port 0xf4 exits with (V << 1) | 1. See hvctl(8).\n");
}

/* Every CPU in @want must be one this process may run on. */
static bool check_affinity(const cpu_set_t *want)
{
	cpu_set_t have;
	int cpu;

	if (sched_getaffinity(0, sizeof(have), &have)) {
		hvctl_err("--affinity: sched_getaffinity: %m");
		return false;
	}
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (CPU_ISSET(cpu, want) && !CPU_ISSET(cpu, &have)) {
			hvctl_err("--affinity: CPU %d is not available to this process (%d CPU(s) are)",
				  cpu, CPU_COUNT(&have));
			return false;
		}
	}
	return true;
}

/* @limit says what @max is, for the message when the file is bigger. */
static bool load_file(const char *what, const char *path, uint64_t max, const char *limit,
		      uint8_t **data, size_t *len)
{
	char err[512];
	int ret = read_whole_file(path, max, data, len, err, sizeof(err));

	if (ret == -EFBIG) {
		hvctl_err("%s: %s is larger than %s", what, path, limit);
		return false;
	}
	if (ret) {
		hvctl_err("%s: %s", what, err);
		return false;
	}
	if (!*len) {
		hvctl_err("%s: %s is empty", what, path);
		free(*data);
		*data = NULL;
		return false;
	}
	return true;
}

int cmd_run(int argc, char **argv)
{
	enum { OPT_NO_HYPERV = 0x100 };
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "cmdline", required_argument, NULL, 'c' },
		{ "memory", required_argument, NULL, 'm' },
		{ "vps", required_argument, NULL, 'p' },
		{ "serial", required_argument, NULL, 's' },
		{ "affinity", required_argument, NULL, 'a' },
		{ "no-hyperv", no_argument, NULL, OPT_NO_HYPERV },
		{ "name", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct run_config cfg = {
		.memory = MEMORY_DEFAULT,
		.nr_vps = 1,
		.cmdline = "",
		.serial = SERIAL_STDIO,
		.hyperv = true,
	};
	struct boot_image img = { 0 };
	struct guest_mem plan;
	uint8_t *kernel = NULL, *initrd = NULL;
	size_t kernel_len = 0, initrd_len = 0;
	char default_name[32], reply[CONTROL_LINE_MAX], err[512];
	uint64_t v;
	int c, ret = HVCTL_EXIT_ERROR;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":k:i:c:m:p:s:a:n:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			cfg.kernel_path = optarg;
			break;
		case 'i':
			cfg.initrd_path = optarg;
			break;
		case 'c':
			cfg.cmdline = optarg;
			break;
		case 'm':
			if (!parse_size(optarg, &v) || v < MEMORY_MIN || v > MEMORY_MAX || (v & 0xfff))
				return hvctl_usage_error("run", "--memory: '%s' is not a size from 4M to 1T in whole KiB (e.g. 512M, 2G)",
							 optarg);
			cfg.memory = v;
			break;
		case 'p':
			if (!parse_uint(optarg, 1, VPS_MAX, &v))
				return hvctl_usage_error("run", "--vps: '%s' is not a number from 1 to %d",
							 optarg, VPS_MAX);
			cfg.nr_vps = (unsigned int)v;
			break;
		case 's':
			if (!strcmp(optarg, "stdio"))
				cfg.serial = SERIAL_STDIO;
			else if (!strcmp(optarg, "pty"))
				cfg.serial = SERIAL_PTY;
			else
				return hvctl_usage_error("run", "--serial: '%s' is neither 'stdio' nor 'pty'",
							 optarg);
			break;
		case 'a':
			if (!parse_cpulist(optarg, &cfg.affinity))
				return hvctl_usage_error("run", "--affinity: '%s' is not a CPU list like 0-3,6",
							 optarg);
			cfg.have_affinity = true;
			break;
		case OPT_NO_HYPERV:
			cfg.hyperv = false;
			break;
		case 'n':
			if (!valid_name(optarg))
				return hvctl_usage_error("run", "--name: '%s' is not 1-32 of A-Z a-z 0-9 _ . - (not starting with . or -)",
							 optarg);
			cfg.name = optarg;
			break;
		case 't':
			if (!parse_uint(optarg, 1, TIMEOUT_MAX, &v))
				return hvctl_usage_error("run", "--timeout: '%s' is not a number of seconds from 1 to %llu",
							 optarg, TIMEOUT_MAX);
			cfg.timeout = (unsigned int)v;
			break;
		case 'h':
			run_usage(stdout);
			return 0;
		case ':':
			return hvctl_usage_error("run", "option '%s' needs an argument", argv[optind - 1]);
		default:
			return hvctl_usage_error("run", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return hvctl_usage_error("run", "unexpected argument '%s'", argv[optind]);
	if (!cfg.kernel_path)
		return hvctl_usage_error("run", "--kernel is required");
	if (!cfg.name) {
		snprintf(default_name, sizeof(default_name), "hvctl-%d", (int)getpid());
		cfg.name = default_name;
	}
	if (cfg.have_affinity && !check_affinity(&cfg.affinity))
		return HVCTL_EXIT_ERROR;

	if (!load_file("--kernel", cfg.kernel_path, KERNEL_MAX, "256 MiB, the most hvctl loads",
		       &kernel, &kernel_len))
		goto out;
	if (cfg.initrd_path && !load_file("--initrd", cfg.initrd_path, cfg.memory, "--memory",
					  &initrd, &initrd_len))
		goto out;

	/* Where everything will go, before anything exists. */
	memset(&plan, 0, sizeof(plan));
	guest_mem_layout(&plan, cfg.memory);
	img.kernel = kernel;
	img.kernel_len = kernel_len;
	img.initrd = initrd;
	img.initrd_len = initrd_len;
	img.initrd_name = cfg.initrd_path;
	img.cmdline = cfg.cmdline;
	if (loader_plan(&img, &plan, err, sizeof(err))) {
		hvctl_err("--kernel %s: %s", cfg.kernel_path, err);
		goto out;
	}
	cfg.image = &img;

	if (!control_request(cfg.name, "status", reply, sizeof(reply), err, sizeof(err))) {
		hvctl_err("a partition named '%s' is already running (use --name)", cfg.name);
		goto out;
	}
	ret = vm_run(&cfg);
out:
	free(kernel);
	free(initrd);
	return ret;
}
