/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every member of struct hvp_arch_ops, named once. HVP_OP is required of
 * every backend; HVP_OP_OPTIONAL may be NULL. main.c refuses to register a
 * backend that leaves a required op empty. Including files define both
 * macros first.
 */
HVP_OP(hardware_check)
HVP_OP(hardware_setup)
HVP_OP(hardware_unsetup)
HVP_OP(cpu_enable)
HVP_OP(cpu_disable)
HVP_OP_OPTIONAL(partition_init)
HVP_OP_OPTIONAL(partition_destroy)
HVP_OP(vp_create)
HVP_OP(vp_free)
HVP_OP(vp_reset)
HVP_OP_OPTIONAL(vp_load)
HVP_OP_OPTIONAL(vp_put)
HVP_OP(get_sregs)
HVP_OP(get_mode_regs)
HVP_OP(set_sregs)
HVP_OP(get_msr)
HVP_OP(set_msr)
HVP_OP(get_cpl)
HVP_OP(get_dr6)
HVP_OP(set_dr6)
HVP_OP(set_cr4)
HVP_OP(run)
HVP_OP(inject_exception)
HVP_OP(clear_interrupt_shadow)
HVP_OP(flush_guest_tlb)
HVP_OP(interrupt_allowed)
HVP_OP(inject_interrupt)
HVP_OP(request_irq_window)
HVP_OP_OPTIONAL(injected_irq_pending)
HVP_OP_OPTIONAL(interrupt_shadow)
HVP_OP(get_tpr)
HVP_OP(set_tpr)
