// SPDX-License-Identifier: GPL-2.0
/*
 * Large pages: a 2 MiB-aligned range backed by hugetlbfs pages
 * (MAP_HUGETLB, reserved through /proc/sys/vm/nr_hugepages) or by
 * transparent huge pages (MADV_HUGEPAGE) reads and writes correctly over
 * its whole length in both directions, across the 2 MiB boundary, and
 * stops being reachable when unmapped (whatever SLAT page size the module
 * chose for it).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hvp_util.h"

#define RANGE_GPA	0x40000000ULL		/* 1 GiB, 2 MiB aligned */
#define RANGE_SIZE	(2 * SZ_2M)
#define STRIDE		64			/* bytes between checked words */
#define NR_HUGEPAGES	"/proc/sys/vm/nr_hugepages"
#define FREE_HUGEPAGES	"/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages"
#define THP_ENABLED	"/sys/kernel/mm/transparent_hugepage/enabled"

static inline uint64_t guest_val(uint64_t off)
{
	return 0x6000000000000000ULL | off;
}

static inline uint64_t host_val(uint64_t off)
{
	return 0x9000000000000000ULL ^ (off * 0x9e3779b97f4a7c15ULL);
}

static void guest_code(void)
{
	volatile uint8_t *base = (volatile uint8_t *)RANGE_GPA;
	uint64_t off, v;

	for (off = 0; off < RANGE_SIZE; off += STRIDE)
		*(volatile uint64_t *)(base + off) = guest_val(off);
	for (off = SZ_4K - 8; off < RANGE_SIZE; off += SZ_4K)
		*(volatile uint64_t *)(base + off) = guest_val(off);
	/* An unaligned qword across the 2 MiB boundary. */
	*(volatile uint64_t *)(base + SZ_2M - 4) = 0x1122334455667788ULL;
	GUEST_SYNC(1);

	for (off = 0; off < RANGE_SIZE; off += STRIDE) {
		v = *(volatile uint64_t *)(base + off);
		GUEST_ASSERT_2(v == host_val(off), off, v);
	}
	GUEST_SYNC(2);

	/* Unmapped by now: the next load exits. */
	v = *(volatile uint64_t *)(base + SZ_2M + 0x1008);
	GUEST_ASSERT_EQ(v, 0xabcdULL);
	GUEST_DONE();
}

/* Diagnostic only: how many 2 MiB SLAT leaves the module says it built. */
static void show_2m_leaves(const char *what)
{
	char prefix[32], path[600];
	struct dirent *de;
	uint64_t n;
	DIR *d;

	d = opendir("/sys/kernel/debug/hvpart");
	if (!d)
		return;
	snprintf(prefix, sizeof(prefix), "%d-", (int)getpid());
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/debug/hvpart/%s/slat_2m_leaves",
			 de->d_name);
		if (!read_file_u64(path, &n))
			tap_diag("%s: slat_2m_leaves = %lu", what, (unsigned long)n);
	}
	closedir(d);
}

static void exercise(uint8_t *mem, const char *what)
{
	struct hvpart_run *run;
	struct hvp_vm *vm;
	struct hvp_vp *vp;
	uint64_t off, v;

	vm = vm_create_with_one_vp(&vp, guest_code);
	run = vp->run;
	vm_map(vm, RANGE_GPA, RANGE_SIZE, mem, HVPART_MEM_READ | HVPART_MEM_WRITE);
	tap_diag("%s at %p, CAP_LARGE_PAGES %#lx", what, mem,
		 (unsigned long)hvp_check_cap(vm->dev_fd, HVPART_CAP_LARGE_PAGES));

	vp_run_expect_sync(vp, 1);
	show_2m_leaves(what);
	for (off = 0; off < RANGE_SIZE; off += STRIDE) {
		if (off == SZ_2M)
			continue;	/* its low half is the boundary qword's high half */
		v = *(uint64_t *)(mem + off);
		TEST_ASSERT(v == guest_val(off), "%s: offset %#lx: %#lx", what, (unsigned long)off,
			    (unsigned long)v);
	}
	for (off = SZ_4K - 8; off < RANGE_SIZE; off += SZ_4K)
		TEST_ASSERT(off == SZ_2M - 8 || *(uint64_t *)(mem + off) == guest_val(off),
			    "%s: offset %#lx", what, (unsigned long)off);
	TEST_ASSERT(!memcmp(mem + SZ_2M - 4, "\x88\x77\x66\x55\x44\x33\x22\x11", 8),
		    "%s: the qword across the 2 MiB boundary", what);

	for (off = 0; off < RANGE_SIZE; off += STRIDE)
		*(uint64_t *)(mem + off) = host_val(off);
	vp_run_expect_sync(vp, 2);

	vm_unmap(vm, RANGE_GPA, RANGE_SIZE);
	vp_run(vp);
	TEST_ASSERT_EXIT_REASON(vp, HVPART_EXIT_MEMORY);
	TEST_ASSERT(run->memory.gpa == RANGE_GPA + SZ_2M + 0x1008 &&
		    run->memory.access == HVPART_ACCESS_READ, "%s: gpa %#llx", what,
		    (unsigned long long)run->memory.gpa);
	run->memory.data = 0xabcd;
	vp_run_expect_done(vp);
	vm_free(vm);
}

static void hugetlb(const void *arg __unused)
{
	uint64_t nr, free_pages = 0;
	char buf[32];
	void *mem;

	__TEST_REQUIRE(!read_file_u64(NR_HUGEPAGES, &nr), "no %s", NR_HUGEPAGES);
	read_file_u64(FREE_HUGEPAGES, &free_pages);
	if (free_pages < RANGE_SIZE / SZ_2M) {
		snprintf(buf, sizeof(buf), "%lu",
			 (unsigned long)(nr + RANGE_SIZE / SZ_2M - free_pages));
		__TEST_REQUIRE(!write_file(NR_HUGEPAGES, buf), "cannot raise %s", NR_HUGEPAGES);
	}
	mem = mmap(NULL, RANGE_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (mem == MAP_FAILED) {
		snprintf(buf, sizeof(buf), "%lu", (unsigned long)nr);
		write_file(NR_HUGEPAGES, buf);
		test_skip("MAP_HUGETLB of %llu MiB failed: %s", RANGE_SIZE >> 20, strerror(errno));
	}
	exercise(mem, "hugetlbfs");
	munmap(mem, RANGE_SIZE);
	snprintf(buf, sizeof(buf), "%lu", (unsigned long)nr);
	write_file(NR_HUGEPAGES, buf);
}

static void thp(const void *arg __unused)
{
	char enabled[128] = "";
	uint8_t *raw, *mem;

	read_file(THP_ENABLED, enabled, sizeof(enabled));
	__TEST_REQUIRE(enabled[0] && !strstr(enabled, "[never]"),
		       "transparent huge pages disabled (%s)", enabled[0] ? enabled : "absent");
	raw = mmap(NULL, RANGE_SIZE + SZ_2M, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(raw != MAP_FAILED, "mmap");
	mem = (uint8_t *)ALIGN_UP((uintptr_t)raw, SZ_2M);
	TEST_ASSERT(!madvise(mem, RANGE_SIZE, MADV_HUGEPAGE), "madvise(MADV_HUGEPAGE)");
	exercise(mem, "THP");
	munmap(raw, RANGE_SIZE + SZ_2M);
}

int main(void)
{
	static const struct hvp_test tests[] = {
		HVP_TEST(hugetlb),
		HVP_TEST(thp),
	};

	return tap_main(tests, ARRAY_SIZE(tests));
}
