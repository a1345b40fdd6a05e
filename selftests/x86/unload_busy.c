// SPDX-License-Identifier: GPL-2.0
/*
 * hvpart.ko cannot be unloaded while anything of it is alive: an open
 * /dev/hvpart, a partition, a VP fd outliving its partition fd, or just a
 * VP's mmap'd run page after every fd is closed. delete_module() must fail
 * with EWOULDBLOCK (O_NONBLOCK) and the module must stay loaded.
 *
 * A wrong success here unloads the module under the rest of the suite
 * (the lab then skips what follows); the failure is reported loudly.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hvp_util.h"

#define MODULE_DIR	"/sys/module/hvpart"

static void guest_code(void)
{
	GUEST_SYNC(1);
	GUEST_DONE();
}

enum holder { DEV_FD, PARTITION, VP_FD_ONLY, RUN_PAGE_ONLY };

struct unload_case {
	const char *name;
	enum holder holder;
};

static const struct unload_case cases[] = {
	{ "dev_fd_open", DEV_FD },
	{ "partition_alive", PARTITION },
	{ "vp_fd_outlives_partition_fd", VP_FD_ONLY },
	{ "run_page_mapped_after_close", RUN_PAGE_ONLY },
};

static void unload_busy(const void *arg)
{
	const struct unload_case *c = arg;
	struct hvp_vm *vm = NULL;
	struct hvp_vp *vp;
	int fd = -1, r, err;

	__TEST_REQUIRE(!access(MODULE_DIR, F_OK), "hvpart is not a loaded module here");

	if (c->holder == DEV_FD) {
		fd = open_hvpart_dev();
	} else {
		vm = vm_create_with_one_vp(&vp, guest_code);
		vp_run_expect_sync(vp, 1);
		if (c->holder >= VP_FD_ONLY) {
			close(vm->fd);
			close(vm->dev_fd);
			vm->fd = vm->dev_fd = -1;
		}
		if (c->holder == RUN_PAGE_ONLY) {
			close(vp->fd);
			vp->fd = -1;
		}
	}

	r = syscall(SYS_delete_module, "hvpart", O_NONBLOCK);
	err = errno;
	__TEST_REQUIRE(!(r && err == EPERM), "no CAP_SYS_MODULE");
	TEST_ASSERT(r == -1, "delete_module(hvpart) SUCCEEDED while a %s was alive: "
		    "the module is gone for the rest of the suite", c->name);
	TEST_ASSERT(err == EWOULDBLOCK || err == EBUSY,
		    "delete_module: %s, want EWOULDBLOCK or EBUSY", strerror(err));
	TEST_ASSERT(!access(MODULE_DIR, F_OK), "%s vanished", MODULE_DIR);

	/* What held the module still works. */
	if (c->holder == DEV_FD) {
		TEST_ASSERT_EQ(ioctl(fd, HVPART_GET_API_VERSION, NULL), HVPART_API_VERSION);
		close(fd);
	} else if (c->holder == PARTITION || c->holder == VP_FD_ONLY) {
		vp_run_expect_done(vp);
	}
	vm_free(vm);
}

int main(void)
{
	struct hvp_test tests[ARRAY_SIZE(cases)];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		tests[i] = (struct hvp_test)HVP_TEST_ARG(cases[i].name, unload_busy, &cases[i]);
	return tap_main(tests, ARRAY_SIZE(tests));
}
