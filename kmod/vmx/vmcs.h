/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMX instructions as C: VMREAD/VMWRITE on the current VMCS, VMCLEAR,
 * VMPTRLD, VMXON/VMXOFF, INVEPT and INVVPID (SDM vol. 3C, chapter 31).
 * Field encodings come from the kernel's <asm/vmx.h>.
 *
 * Every one reports failure through RFLAGS (CF: VMfailInvalid, ZF:
 * VMfailValid with the reason in VM_INSTRUCTION_ERROR). A failed VMREAD or
 * VMWRITE is a bug in this backend: it warns once with the field and the
 * error number and goes on (a VMREAD then yields 0), so a mistake cannot
 * take the host down; the VM entry that follows will then fail cleanly.
 */
#ifndef HVP_VMX_VMCS_H
#define HVP_VMX_VMCS_H

#include <linux/types.h>
#include <asm/vmx.h>

void vmx_vmread_error(unsigned long field);
void vmx_vmwrite_error(unsigned long field, u64 value);
void vmx_insn_error(const char *insn, u64 operand);

static __always_inline u64 vmcs_read(unsigned long field)
{
	u64 value;
	bool fail;

	asm volatile("vmread %[field], %[value]\n\t"
		     "setna %[fail]"
		     : [value] "=rm"(value), [fail] "=qm"(fail)
		     : [field] "r"(field)
		     : "cc");
	if (unlikely(fail)) {
		vmx_vmread_error(field);
		return 0;
	}
	return value;
}

static __always_inline u32 vmcs_read32(unsigned long field)
{
	return vmcs_read(field);
}

static __always_inline void vmcs_write(unsigned long field, u64 value)
{
	bool fail;

	asm volatile("vmwrite %[value], %[field]\n\t"
		     "setna %[fail]"
		     : [fail] "=qm"(fail)
		     : [field] "r"(field), [value] "rm"(value)
		     : "cc");
	if (unlikely(fail))
		vmx_vmwrite_error(field, value);
}

static __always_inline void vmcs_set_bits(unsigned long field, u64 bits)
{
	vmcs_write(field, vmcs_read(field) | bits);
}

static __always_inline void vmcs_clear_bits(unsigned long field, u64 bits)
{
	vmcs_write(field, vmcs_read(field) & ~bits);
}

/* VMCLEAR: write the VMCS back to memory, make it inactive and "clear". */
static inline void vmx_vmclear(phys_addr_t pa)
{
	bool fail;

	asm volatile("vmclear %[pa]\n\tsetna %[fail]"
		     : [fail] "=qm"(fail) : [pa] "m"(pa) : "cc", "memory");
	if (unlikely(fail))
		vmx_insn_error("vmclear", pa);
}

/* VMPTRLD: make the VMCS at @pa active and current on this CPU. */
static inline bool vmx_vmptrld(phys_addr_t pa)
{
	bool fail;

	asm volatile("vmptrld %[pa]\n\tsetna %[fail]"
		     : [fail] "=qm"(fail) : [pa] "m"(pa) : "cc", "memory");
	if (unlikely(fail))
		vmx_insn_error("vmptrld", pa);
	return !fail;
}

static inline bool vmx_vmxon(phys_addr_t pa)
{
	bool fail;

	asm volatile("vmxon %[pa]\n\tsetna %[fail]"
		     : [fail] "=qm"(fail) : [pa] "m"(pa) : "cc", "memory");
	return !fail;
}

static inline void vmx_vmxoff(void)
{
	asm volatile("vmxoff" : : : "cc", "memory");
}

/* INVEPT/INVVPID types (SDM 31.3, "INVEPT" and "INVVPID"). */
#define VMX_INVEPT_SINGLE	1
#define VMX_INVEPT_ALL		2
#define VMX_INVVPID_SINGLE	1
#define VMX_INVVPID_ALL		2

static inline void vmx_invept(unsigned long type, u64 eptp)
{
	struct { u64 eptp, rsvd; } desc = { eptp, 0 };
	bool fail;

	asm volatile("invept %[desc], %[type]\n\tsetna %[fail]"
		     : [fail] "=qm"(fail) : [desc] "m"(desc), [type] "r"(type)
		     : "cc", "memory");
	if (unlikely(fail))
		vmx_insn_error("invept", eptp);
}

static inline void vmx_invvpid(unsigned long type, u16 vpid)
{
	struct { u64 vpid, gla; } desc = { vpid, 0 };
	bool fail;

	asm volatile("invvpid %[desc], %[type]\n\tsetna %[fail]"
		     : [fail] "=qm"(fail) : [desc] "m"(desc), [type] "r"(type)
		     : "cc", "memory");
	if (unlikely(fail))
		vmx_insn_error("invvpid", vpid);
}

#endif /* HVP_VMX_VMCS_H */
