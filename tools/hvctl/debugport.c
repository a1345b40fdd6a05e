// SPDX-License-Identifier: GPL-2.0
/*
 * Small ports with fixed meanings:
 *   0x80  POST codes. Linux's io_delay writes here on every slow I/O:
 *         dropped silently (and cheaply: no log, no lookup miss).
 *   0xf4  isa-debug-exit, as QEMU's device: writing V ends the run with
 *         exit status ((V << 1) | 1) & 0xff, so test kernels can report a
 *         result without any other device.
 *   0x64  the i8042 command port: command 0xfe pulses the reset line,
 *         which Linux uses for reboot=kbd. Everything else is dropped and
 *         reads say "no controller" (all-ones), as the FADT does.
 */
#include "hvctl.h"
#include "platform.h"
#include "vm.h"

#define KBD_CMD_RESET	0xfe

static void post_io(struct vm *vm, void *opaque, uint64_t offset, unsigned int size,
		    bool write, uint64_t *data)
{
	(void)vm, (void)opaque, (void)offset;
	if (!write)
		*data = size >= 4 ? 0xffffffffULL : (1ULL << (8 * size)) - 1;
}

static void debug_exit_io(struct vm *vm, void *opaque, uint64_t offset, unsigned int size,
			  bool write, uint64_t *data)
{
	uint64_t v = *data;

	(void)opaque, (void)offset;
	if (!write) {
		*data = size >= 4 ? 0xffffffffULL : (1ULL << (8 * size)) - 1;
		return;
	}
	if (size < 4)
		v &= (1ULL << (8 * size)) - 1;
	vm_finish(vm, (int)(((v << 1) | 1) & 0xff), "guest wrote %#llx to the debug-exit port %#x",
		  (unsigned long long)v, PORT_DEBUG_EXIT);
}

static void kbd_io(struct vm *vm, void *opaque, uint64_t offset, unsigned int size,
		   bool write, uint64_t *data)
{
	(void)opaque, (void)offset;
	if (!write) {
		*data = size >= 4 ? 0xffffffffULL : (1ULL << (8 * size)) - 1;
		return;
	}
	if ((*data & 0xff) == KBD_CMD_RESET)
		vm_finish(vm, HVCTL_EXIT_RESET, "guest reset the machine (keyboard controller)");
}

int debugport_init(struct vm *vm)
{
	int ret;

	ret = io_register_port(vm, PORT_POST, 1, post_io, NULL, "post");
	if (!ret)
		ret = io_register_port(vm, PORT_DEBUG_EXIT, 1, debug_exit_io, NULL, "debug-exit");
	if (!ret)
		ret = io_register_port(vm, PORT_KBD_CMD, 1, kbd_io, NULL, "i8042-reset");
	return ret;
}
