// SPDX-License-Identifier: GPL-2.0
/*
 * 256 partitions alive at once, each with a VP that ran to a ucall; then
 * each runs again (its memory and registers untouched by the others) and
 * all are closed.
 */
#include <sys/resource.h>

#include "hvp_util.h"

#define NR_PARTITIONS	256
#define PARTITION_MEM	(16ULL << 20)

static uint64_t cookie;		/* per partition, set by its host after creation */

static void guest_code(uint64_t idx)
{
	GUEST_SYNC(idx);
	GUEST_ASSERT_EQ(READ_ONCE(cookie), idx * 0x10001 + 7);
	GUEST_SYNC(idx + 1000);
	GUEST_DONE();
}

static void many_partitions(const void *arg __unused)
{
	static struct hvp_vm *vms[NR_PARTITIONS];
	struct rlimit rl;
	unsigned int i;

	/* Three fds per partition (/dev/hvpart, partition, VP). */
	TEST_ASSERT(!getrlimit(RLIMIT_NOFILE, &rl), "getrlimit");
	if (rl.rlim_cur < 4 * NR_PARTITIONS) {
		rl.rlim_cur = rl.rlim_max < 4 * NR_PARTITIONS ? rl.rlim_max : 4 * NR_PARTITIONS;
		setrlimit(RLIMIT_NOFILE, &rl);
	}

	for (i = 0; i < NR_PARTITIONS; i++) {
		struct hvp_vp *vp;

		vms[i] = vm_create_with_mem(PARTITION_MEM);
		vp = vm_vp_add(vms[i], 0, (void (*)(void))guest_code);
		vp_args_set(vp, 1, (uint64_t)i);
		vp_run_expect_sync(vp, i);
		write_guest_global(vms[i], cookie, i * 0x10001 + 7);
	}
	tap_diag("%u partitions alive", NR_PARTITIONS);

	/* Run them again in reverse order, all still alive. */
	for (i = NR_PARTITIONS; i-- > 0;)
		vp_run_expect_sync(vms[i]->vps[0], i + 1000);
	for (i = 0; i < NR_PARTITIONS; i++) {
		vp_run_expect_done(vms[i]->vps[0]);
		vm_free(vms[i]);
	}
}

int main(void)
{
	static const struct hvp_test tests[] = {
		{ .name = "many_partitions", .fn = many_partitions, .timeout_s = 100 },
	};

	return tap_main(tests, ARRAY_SIZE(tests));
}
