// SPDX-License-Identifier: GPL-2.0
/*
 * The NPT entry format for the shared SLAT code. Nested page tables use
 * the host's long-mode page-table format (APM 15.25.5). Every nested walk
 * is a user-mode access, so U/S is set at every level; A and D are preset
 * so the CPU never writes entries back. Leaves use PAT index 0, which
 * Linux keeps as write-back, and the guest's own PAT (G_PAT) combines
 * with it as on bare metal.
 */
#include <asm/pgtable_types.h>

#include "svm.h"

const struct hvp_slat_format svm_npt_format = {
	.table_bits	= _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED,
	.leaf_bits	= _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY,
	.read		= _PAGE_PRESENT,
	.write		= _PAGE_RW,
	.exec		= 0,
	.nx		= _PAGE_NX,
	.large		= _PAGE_PSE,
	.present_mask	= _PAGE_PRESENT,
	.addr_mask	= GENMASK_ULL(51, 12),
};
