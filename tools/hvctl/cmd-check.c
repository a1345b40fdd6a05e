// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl check: what this host offers hvpart, as a table of required and
 * optional features (as jailhouse-hardware-check does). Required rows are
 * exactly what `hvctl run` checks (vm_required_caps); exit status 1 if one
 * of them is missing.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "control.h"
#include "hvctl.h"
#include "vm.h"

static void row(const char *need, const char *feature, const char *value, const char *status)
{
	printf("%-9s %-34s %-14s %s\n", need, feature, value, status);
}

static void check_usage(FILE *f)
{
	fprintf(f, "Usage: hvctl check\n\n"
		   "Prints the host features hvpart needs (required) and can use (optional),\n"
		   "with their values. Exit status 1 if a required one is missing.\n");
}

static void check_host(void)
{
	char buf[128] = "";
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	const char *mode = "unknown";

	if (f) {
		if (fgets(buf, sizeof(buf), f)) {
			if (strstr(buf, "[always]"))
				mode = "always";
			else if (strstr(buf, "[madvise]"))
				mode = "madvise";
			else if (strstr(buf, "[never]"))
				mode = "never";
		}
		fclose(f);
	}
	row("optional", "transparent huge pages", mode,
	    strcmp(mode, "never") && strcmp(mode, "unknown") ? "ok" : "guest memory in 4 KiB pages");
	row("optional", "control directory", control_dir(),
	    access(control_dir(), W_OK) == 0 ? "ok" :
	    "not writable yet (created by hvctl run; needs /run access)");
}

int cmd_check(int argc, char **argv)
{
	struct hvp_dev dev;
	struct hvp_cap_req reqs[8];
	char value[32], hv[512];
	uint64_t v, assists = 0, bit, backend = 0, assist_backend;
	const char *name, *what;
	size_t n, i;
	uint32_t cap;
	int missing = 0;

	if (argc > 1) {
		if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
			check_usage(stdout);
			return 0;
		}
		return hvctl_usage_error("check", "unexpected argument '%s'", argv[1]);
	}

	row("NEED", "FEATURE", "VALUE", "STATUS");
	if (hvp_dev_open(&dev, NULL)) {
		row("required", "/dev/hvpart", "-", hvp_error());
		return HVCTL_EXIT_ERROR;
	}
	row("required", "/dev/hvpart API version", "1", "ok");

	/* Required: what a 1-VP, 256 MiB run needs; more VPs or memory need more. */
	n = vm_required_caps(1, 256ULL << 20, reqs, ARRAY_SIZE(reqs));
	for (i = 0; i < n; i++) {
		if (hvp_dev_check_cap(&dev, reqs[i].cap, &v)) {
			row("required", hvp_cap_name(reqs[i].cap), "?", hvp_error());
			missing++;
			continue;
		}
		if (reqs[i].cap == HVPART_CAP_BACKEND) {
			backend = v;
			snprintf(value, sizeof(value), "%s", hvp_backend_name(v));
		}
		else
			snprintf(value, sizeof(value), "%llu", (unsigned long long)v);
		if (hvp_cap_req_met(&reqs[i], v)) {
			row("required", hvp_cap_name(reqs[i].cap), value, "ok");
		} else {
			row("required", hvp_cap_name(reqs[i].cap), value, "MISSING");
			missing++;
		}
	}

	/* Optional: every other capability the uapi names. */
	for (i = 0; hvp_cap_iter(i, &cap, &name, &what); i++) {
		size_t j;
		bool required = false;

		for (j = 0; j < n; j++)
			required |= reqs[j].cap == cap;
		if (required)
			continue;
		if (hvp_dev_check_cap(&dev, cap, &v)) {
			row("optional", name, "?", hvp_error());
			continue;
		}
		if (cap == HVPART_CAP_HW_ASSISTS)
			assists = v;
		snprintf(value, sizeof(value), "%#llx", (unsigned long long)v);
		if (cap == HVPART_CAP_HV_FEATURES) {
			hvp_hv_features_str(v, hv, sizeof(hv));
			row("optional", name, value, v ? hv : "absent: only --no-hyperv guests");
			continue;
		}
		row("optional", name, value, v ? "ok" : "absent");
	}
	for (i = 0; hvp_assist_iter(i, &bit, &assist_backend, &name, &what); i++)
		if (assist_backend == backend)
			row("optional", what, assists & bit ? "yes" : "no",
			    assists & bit ? "ok" : "not used: slower exits");
	check_host();
	hvp_dev_close(&dev);
	if (missing) {
		hvctl_err("%d required feature(s) missing", missing);
		return HVCTL_EXIT_ERROR;
	}
	return 0;
}
