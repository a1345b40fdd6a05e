// SPDX-License-Identifier: GPL-2.0
/*
 * Host side of the local APIC helpers (apic.h): HVPART_INTERRUPT.
 */
#include "apic.h"
#include "hvp_util.h"

int __vm_interrupt(struct hvp_vm *vm, uint32_t dest, uint8_t vector, uint8_t delivery,
		   uint32_t flags)
{
	struct hvpart_interrupt irq = {
		.dest = dest, .vector = vector, .delivery = delivery, .flags = flags,
	};

	return __vm_ioctl(vm, HVPART_INTERRUPT, &irq);
}

void vm_interrupt(struct hvp_vm *vm, uint32_t dest, uint8_t vector, uint8_t delivery,
		  uint32_t flags)
{
	int r = __vm_interrupt(vm, dest, vector, delivery, flags);

	TEST_ASSERT(!r, "HVPART_INTERRUPT(dest %#x vector %#x delivery %u flags %#x) failed, "
		    "errno %d (%s)", dest, vector, delivery, flags, errno, strerror(errno));
}
