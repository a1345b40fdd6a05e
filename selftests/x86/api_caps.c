// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/hvpart basics: the API version is 1 and never moves; every known
 * capability answers within its documented range; an unknown one answers 0
 * (so newer userspace can probe an older module) rather than failing.
 */
#include <unistd.h>

#include "hvp_util.h"

static void api_version(const void *arg __unused)
{
	int fd = open_hvpart_dev();
	int r;

	r = __hvp_ioctl(fd, HVPART_GET_API_VERSION, NULL);
	TEST_ASSERT(r == HVPART_API_VERSION, "GET_API_VERSION returned %d, want %d",
		    r, HVPART_API_VERSION);
	close(fd);
}

struct cap_range {
	uint32_t cap;
	const char *name;
	uint64_t min, max;
	uint64_t allowed_bits;		/* for bit-mask caps: nothing outside these */
};

#define CAP(c, lo, hi)		{ HVPART_CAP_##c, #c, lo, hi, 0 }
#define CAP_BITS(c, bits)	{ HVPART_CAP_##c, #c, 0, ~0ULL, bits }

static const struct cap_range caps[] = {
	CAP(BACKEND, HVPART_BACKEND_SVM, HVPART_BACKEND_VMX),
	CAP(MAX_VPS, 256, 256),
	CAP(MAX_MEM_REGIONS, 16, 1ULL << 20),
	CAP(GPA_BITS, 36, 52),
	CAP_BITS(LARGE_PAGES, 1),
	CAP(MAX_CPUID_ENTRIES, 32, 4096),
	CAP_BITS(HW_ASSISTS, HVPART_ASSIST_NRIP_SAVE | HVPART_ASSIST_DECODE |
			     HVPART_ASSIST_FLUSH_BY_ASID | HVPART_ASSIST_VMCB_CLEAN |
			     HVPART_ASSIST_VPID),
	CAP_BITS(HV_FEATURES, HVPART_HV_FEATURES_MASK),
	CAP_BITS(LAPIC, 1),
};

static void known_caps(const void *arg __unused)
{
	int fd = open_hvpart_dev();
	size_t i;

	for (i = 0; i < ARRAY_SIZE(caps); i++) {
		const struct cap_range *c = &caps[i];
		uint64_t v = hvp_check_cap(fd, c->cap);

		tap_diag("%s = %#lx", c->name, (unsigned long)v);
		TEST_ASSERT(v >= c->min && v <= c->max,
			    "CAP_%s = %#lx, expected %#lx..%#lx", c->name,
			    (unsigned long)v, (unsigned long)c->min, (unsigned long)c->max);
		TEST_ASSERT(!c->allowed_bits || !(v & ~c->allowed_bits),
			    "CAP_%s = %#lx has bits outside %#lx", c->name,
			    (unsigned long)v, (unsigned long)c->allowed_bits);
	}
	close(fd);
}

static void unknown_caps_are_zero(const void *arg __unused)
{
	/* 0 was never a capability; the others are far past the last one. */
	static const uint32_t unknown[] = { 0, 0x1000, 0x7fffffff, 0xffffffff };
	int fd = open_hvpart_dev();
	size_t i;

	for (i = 0; i < ARRAY_SIZE(unknown); i++) {
		struct hvpart_cap_query q = { .cap = unknown[i], .value = 0xdead };
		int r = __hvp_ioctl(fd, HVPART_CHECK_CAP, &q);

		TEST_ASSERT(r == 0, "CHECK_CAP(%#x) failed, rc %d", unknown[i], r);
		TEST_ASSERT(q.value == 0, "CHECK_CAP(%#x) = %#lx, want 0", unknown[i],
			    (unsigned long)q.value);
	}
	close(fd);
}

/* The same answers on a partition's /dev/hvpart fd as on a fresh one. */
static void caps_stable_across_fds(const void *arg __unused)
{
	int fd1 = open_hvpart_dev(), fd2 = open_hvpart_dev();
	size_t i;

	for (i = 0; i < ARRAY_SIZE(caps); i++)
		TEST_ASSERT_EQ(hvp_check_cap(fd1, caps[i].cap), hvp_check_cap(fd2, caps[i].cap));
	close(fd1);
	close(fd2);
}

int main(void)
{
	static const struct hvp_test tests[] = {
		HVP_TEST(api_version),
		HVP_TEST(known_caps),
		HVP_TEST(unknown_caps_are_zero),
		HVP_TEST(caps_stable_across_fds),
	};

	return tap_main(tests, ARRAY_SIZE(tests));
}
