// SPDX-License-Identifier: GPL-2.0
/*
 * Hyper-V helpers (see hyperv.h): the guest's hypercall page and calls
 * through it, and host wrappers of the partition's Hyper-V ioctls.
 */
#include "hvp_util.h"
#include "hyperv.h"

/* ---- guest side --------------------------------------------------------------- */

uint8_t hv_hypercall_page[4096] __attribute__((aligned(4096)));

void hv_enable_hypercalls(void)
{
	wrmsr(HV_X64_MSR_GUEST_OS_ID, HV_LINUX_GUEST_OS_ID);
	wrmsr(HV_X64_MSR_HYPERCALL, (uint64_t)hv_hypercall_page | HV_X64_MSR_HYPERCALL_ENABLE);
}

/* Linux declares R8-R11 and the flags clobbered; every other register survives. */
uint64_t hv_hypercall(uint64_t control, uint64_t input, uint64_t output)
{
	register uint64_t r8 asm("r8") = output;
	uint64_t status;

	asm volatile("call *%[page]"
		     : "=a"(status), "+c"(control), "+d"(input), "+r"(r8)
		     : [page] "r"(hv_hypercall_page)
		     : "cc", "memory", "r9", "r10", "r11");
	return status;
}

uint8_t hv_hypercall_insn_safe(uint64_t control, uint64_t input, uint64_t output,
			       uint64_t *result)
{
	register uint64_t r8 asm("r8") = output;
	uint64_t rax = 0;
	uint8_t vector;

	if (READ_ONCE(guest_backend) == HVPART_BACKEND_VMX)
		asm volatile(ASM_SAFE("vmcall")
			     : "+a"(rax), "+c"(control), "+d"(input), "+r"(r8),
			       ASM_SAFE_OUTPUT(vector)
			     : : "cc", ASM_SAFE_CLOBBERS);
	else
		asm volatile(ASM_SAFE("vmmcall")
			     : "+a"(rax), "+c"(control), "+d"(input), "+r"(r8),
			       ASM_SAFE_OUTPUT(vector)
			     : : "cc", ASM_SAFE_CLOBBERS);
	*result = rax;
	return vector;
}

/* ---- host side ----------------------------------------------------------------- */

int __vm_set_hv_config(struct hvp_vm *vm, uint64_t features)
{
	struct hvpart_hv_config cfg = { .features = features };

	return __vm_ioctl(vm, HVPART_SET_HV_CONFIG, &cfg);
}

void vm_set_hv_config(struct hvp_vm *vm, uint64_t features)
{
	int r = __vm_set_hv_config(vm, features);

	TEST_ASSERT(!r, "HVPART_SET_HV_CONFIG(features %#lx) failed, errno %d (%s)",
		    (unsigned long)features, errno, strerror(errno));
}

int __vm_hv_connect(struct hvp_vm *vm, uint32_t conn_id, uint32_t type, int eventfd)
{
	struct hvpart_hv_connect c = {
		.connection_id = conn_id, .type = type, .eventfd = eventfd,
	};

	return __vm_ioctl(vm, HVPART_HV_CONNECT, &c);
}

int vm_hv_connect(struct hvp_vm *vm, uint32_t conn_id, uint32_t type, int eventfd)
{
	int fd = __vm_hv_connect(vm, conn_id, type, eventfd);

	TEST_ASSERT(fd >= 0, "HVPART_HV_CONNECT(id %#x type %u) failed, errno %d (%s)",
		    conn_id, type, errno, strerror(errno));
	return fd;
}

int __vm_hv_post(struct hvp_vm *vm, uint32_t vp_index, uint32_t sint, uint32_t type,
		 const void *payload, uint32_t size)
{
	struct hvpart_hv_post p = {
		.vp_index = vp_index, .sint = sint, .message_type = type, .payload_size = size,
	};

	if (size <= sizeof(p.payload))
		memcpy(p.payload, payload, size);
	return __vm_ioctl(vm, HVPART_HV_POST_MESSAGE, &p);
}

void vm_hv_post(struct hvp_vm *vm, uint32_t vp_index, uint32_t sint, uint32_t type,
		const void *payload, uint32_t size)
{
	int r = __vm_hv_post(vm, vp_index, sint, type, payload, size);

	TEST_ASSERT(!r, "HVPART_HV_POST_MESSAGE(vp %u sint %u type %#x) failed, errno %d (%s)",
		    vp_index, sint, type, errno, strerror(errno));
}

int __vm_hv_signal(struct hvp_vm *vm, uint32_t vp_index, uint32_t sint, uint32_t flag)
{
	struct hvpart_hv_event e = { .vp_index = vp_index, .sint = sint, .flag = flag };

	return __vm_ioctl(vm, HVPART_HV_SIGNAL_EVENT, &e);
}

void vm_hv_signal(struct hvp_vm *vm, uint32_t vp_index, uint32_t sint, uint32_t flag)
{
	int r = __vm_hv_signal(vm, vp_index, sint, flag);

	TEST_ASSERT(!r, "HVPART_HV_SIGNAL_EVENT(vp %u sint %u flag %u) failed, errno %d (%s)",
		    vp_index, sint, flag, errno, strerror(errno));
}
