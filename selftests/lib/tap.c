// SPDX-License-Identifier: GPL-2.0
/*
 * A small TAP 13 harness for selftests with several subtests per binary.
 *
 * Each subtest runs in a forked child: a failed TEST_ASSERT (exit 1), a
 * crash, or a hang (killed after its timeout) marks that subtest "not ok"
 * and the next one still runs. A child that calls test_skip() leaves its
 * reason in a shared page and exits KSFT_SKIP, which becomes
 * "ok N - name # SKIP reason". The parent never opens /dev/hvpart, so every
 * subtest starts from a clean process (fresh debugfs directory names, no
 * inherited partitions). HVP_TEST_ONLY=TEXT in the environment runs only
 * the subtests whose name contains TEXT (the rest are skipped).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_util.h"

char *tap_skip_reason;
size_t tap_skip_reason_len;

static size_t tap_planned, tap_count;
static unsigned int tap_pass, tap_fail, tap_skip;
static char *tap_shared;

#define TAP_SHARED_SIZE 4096

void tap_plan(size_t n)
{
	/* Children inherit stdio buffers: line buffering keeps output in order. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	tap_shared = mmap(NULL, TAP_SHARED_SIZE, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tap_shared == MAP_FAILED) {
		printf("Bail out! mmap of the harness page failed\n");
		exit(KSFT_FAIL);
	}
	tap_planned = n;
	printf("TAP version 13\n1..%zu\n", n);
	fflush(stdout);
}

/* Wait for @pid for at most @timeout_s; kill it when the time is up. */
static int wait_child(pid_t pid, unsigned int timeout_s, bool *timed_out)
{
	uint64_t deadline = time_now_ns() + (uint64_t)timeout_s * 1000000000ULL;
	struct timespec nap = { .tv_nsec = 2 * 1000 * 1000 };
	int status;
	pid_t r;

	*timed_out = false;
	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR) {
			printf("Bail out! waitpid: %s\n", strerror(errno));
			exit(KSFT_FAIL);
		}
		if (!*timed_out && time_now_ns() > deadline) {
			*timed_out = true;
			kill(pid, SIGKILL);
		}
		nanosleep(&nap, NULL);
	}
}

void tap_run(const char *name, void (*fn)(const void *arg), const void *arg,
	     unsigned int timeout_s)
{
	bool timed_out;
	pid_t pid;
	int status;

	tap_count++;
	/* HVP_TEST_ONLY=TEXT runs only the subtests whose name contains TEXT. */
	if (getenv("HVP_TEST_ONLY") && !strstr(name, getenv("HVP_TEST_ONLY"))) {
		tap_skip++;
		printf("ok %zu - %s # SKIP not selected by HVP_TEST_ONLY\n", tap_count, name);
		fflush(stdout);
		return;
	}
	memset(tap_shared, 0, TAP_SHARED_SIZE);
	fflush(stdout);
	fflush(stderr);

	pid = fork();
	if (pid < 0) {
		printf("Bail out! fork: %s\n", strerror(errno));
		exit(KSFT_FAIL);
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		tap_skip_reason = tap_shared;
		tap_skip_reason_len = TAP_SHARED_SIZE;
		fn(arg);
		fflush(stdout);
		exit(KSFT_PASS);
	}

	status = wait_child(pid, timeout_s ? timeout_s : HVP_TEST_TIMEOUT_S,
			    &timed_out);
	if (timed_out) {
		tap_fail++;
		printf("# %s: timed out after %u s\n", name,
		       timeout_s ? timeout_s : HVP_TEST_TIMEOUT_S);
		printf("not ok %zu - %s\n", tap_count, name);
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == KSFT_PASS) {
		tap_pass++;
		printf("ok %zu - %s\n", tap_count, name);
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == KSFT_SKIP) {
		tap_skip++;
		printf("ok %zu - %s # SKIP %s\n", tap_count, name,
		       tap_shared[0] ? tap_shared : "(no reason given)");
	} else {
		tap_fail++;
		if (WIFSIGNALED(status))
			printf("# %s: killed by signal %d (%s)\n", name,
			       WTERMSIG(status), strsignal(WTERMSIG(status)));
		else
			printf("# %s: exit code %d\n", name, WEXITSTATUS(status));
		printf("not ok %zu - %s\n", tap_count, name);
	}
	fflush(stdout);
}

int tap_done(void)
{
	if (tap_count != tap_planned) {
		printf("# planned %zu subtests, ran %zu\n", tap_planned, tap_count);
		tap_fail++;
	}
	printf("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:%u error:0\n",
	       tap_pass, tap_fail, tap_skip);
	fflush(stdout);
	if (tap_fail)
		return KSFT_FAIL;
	if (!tap_pass && tap_skip)
		return KSFT_SKIP;
	return KSFT_PASS;
}

int tap_main(const struct hvp_test *tests, size_t n)
{
	size_t i;

	tap_plan(n);
	for (i = 0; i < n; i++)
		tap_run(tests[i].name, tests[i].fn, tests[i].arg, tests[i].timeout_s);
	return tap_done();
}
