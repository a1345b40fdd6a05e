// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O exits: OUT and IN of 1, 2 and 4 bytes, port in DX or as an
 * immediate. OUT hands the low "size" bytes of EAX to userspace; IN
 * completes on the next RUN with the value userspace stored in run->io.data,
 * with the architectural register effect: IN AL/AX leave the rest of RAX
 * alone, IN EAX zero-extends into RAX. Userspace deliberately leaves
 * garbage above the access size in io.data; only "size" bytes may land.
 */
#include "hvp_util.h"

#define IMM_OUT_PORT	0x80
#define IMM_IN_PORT	0x71

struct io_case {
	uint16_t port;		/* IMM_*_PORT for immediate forms */
	uint8_t size;
	uint8_t dir;
	bool imm;
	uint64_t rax;		/* RAX before the instruction */
	uint64_t data;		/* OUT: expected run->io.data; IN: what the host stores */
	uint64_t rax_after;	/* IN: expected RAX afterwards */
};

#define OUT(p, sz, imm, rax, data) { p, sz, HVPART_IO_OUT, imm, rax, data, 0 }
#define IN(p, sz, imm, rax, data, after) { p, sz, HVPART_IO_IN, imm, rax, data, after }

static const struct io_case cases[] = {
	OUT(0x3f8,  1, false, 0x1122334455667788ULL, 0x88),
	OUT(0xcf8,  2, false, 0x1122334455667788ULL, 0x7788),
	OUT(0xcfc,  4, false, 0x1122334455667788ULL, 0x55667788),
	OUT(0xffff, 1, false, 0xa5, 0xa5),
	OUT(0,      4, false, 0xffffffffULL, 0xffffffffULL),
	OUT(IMM_OUT_PORT, 1, true, 0xdeadbeefcafef00dULL, 0x0d),
	OUT(IMM_OUT_PORT, 2, true, 0xdeadbeefcafef00dULL, 0xf00d),
	OUT(IMM_OUT_PORT, 4, true, 0xdeadbeefcafef00dULL, 0xcafef00dULL),
	IN(0x3f8,  1, false, 0x1122334455667788ULL, 0x5a, 0x112233445566775aULL),
	IN(0x3f8,  1, false, 0x1122334455667788ULL, 0xffffffffffffff5aULL, 0x112233445566775aULL),
	IN(0xcfc,  2, false, 0x1122334455667788ULL, 0xabcd, 0x112233445566abcdULL),
	IN(0xcfc,  2, false, 0x1122334455667788ULL, 0x12345678abcdULL, 0x112233445566abcdULL),
	IN(0xcfc,  4, false, 0x1122334455667788ULL, 0x87654321ULL, 0x87654321ULL),
	IN(0xcfc,  4, false, 0x1122334455667788ULL, 0xfedcba9887654321ULL, 0x87654321ULL),
	IN(0xffff, 4, false, 0, 0xffffffffULL, 0xffffffffULL),
	IN(IMM_IN_PORT, 1, true, 0x1122334455667788ULL, 0x42, 0x1122334455667742ULL),
	IN(IMM_IN_PORT, 2, true, 0x1122334455667788ULL, 0x4242, 0x1122334455664242ULL),
	IN(IMM_IN_PORT, 4, true, 0x1122334455667788ULL, 0x42424242, 0x42424242ULL),
};

static uint64_t guest_io(const struct io_case *c)
{
	uint64_t rax = c->rax;

	if (c->dir == HVPART_IO_OUT) {
		if (c->imm) {
			if (c->size == 1)
				asm volatile("outb %%al, %0" : : "i"(IMM_OUT_PORT), "a"(rax));
			else if (c->size == 2)
				asm volatile("outw %%ax, %0" : : "i"(IMM_OUT_PORT), "a"(rax));
			else
				asm volatile("outl %%eax, %0" : : "i"(IMM_OUT_PORT), "a"(rax));
		} else {
			if (c->size == 1)
				asm volatile("outb %%al, %%dx" : : "d"(c->port), "a"(rax));
			else if (c->size == 2)
				asm volatile("outw %%ax, %%dx" : : "d"(c->port), "a"(rax));
			else
				asm volatile("outl %%eax, %%dx" : : "d"(c->port), "a"(rax));
		}
		return rax;
	}
	if (c->imm) {
		if (c->size == 1)
			asm volatile("inb %1, %%al" : "+a"(rax) : "i"(IMM_IN_PORT));
		else if (c->size == 2)
			asm volatile("inw %1, %%ax" : "+a"(rax) : "i"(IMM_IN_PORT));
		else
			asm volatile("inl %1, %%eax" : "+a"(rax) : "i"(IMM_IN_PORT));
	} else {
		if (c->size == 1)
			asm volatile("inb %%dx, %%al" : "+a"(rax) : "d"(c->port));
		else if (c->size == 2)
			asm volatile("inw %%dx, %%ax" : "+a"(rax) : "d"(c->port));
		else
			asm volatile("inl %%dx, %%eax" : "+a"(rax) : "d"(c->port));
	}
	return rax;
}

static void guest_code(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t rax = guest_io(&cases[i]);

		if (cases[i].dir == HVPART_IO_IN)
			GUEST_ASSERT_2(rax == cases[i].rax_after, i, rax);
	}
	GUEST_DONE();
}

static void port_io(const void *arg __unused)
{
	struct hvpart_run *run;
	struct hvp_vm *vm;
	struct hvp_vp *vp;
	unsigned int i;

	vm = vm_create_with_one_vp(&vp, guest_code);
	run = vp->run;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct io_case *c = &cases[i];

		vp_run(vp);
		TEST_ASSERT_EXIT_REASON(vp, HVPART_EXIT_IO);
		TEST_ASSERT(run->io.port == c->port && run->io.size == c->size &&
			    run->io.direction == c->dir && run->io.count == 1,
			    "case %u: exit port %#x size %u dir %u count %u, want port %#x "
			    "size %u dir %u count 1", i, run->io.port, run->io.size,
			    run->io.direction, run->io.count, c->port, c->size, c->dir);
		if (c->dir == HVPART_IO_OUT)
			TEST_ASSERT(run->io.data == c->data, "case %u: OUT data %#llx, want %#lx",
				    i, (unsigned long long)run->io.data, (unsigned long)c->data);
		else
			run->io.data = c->data;
	}
	vp_run_expect_done(vp);
	vm_free(vm);
}

int main(void)
{
	static const struct hvp_test tests[] = {
		HVP_TEST(port_io),
	};

	return tap_main(tests, ARRAY_SIZE(tests));
}
