/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Second-level address translation tables (AMD NPT, Intel EPT): one walker
 * and filler for both. A backend describes its entry format once in a
 * struct hvp_slat_format and never walks tables itself.
 */
#ifndef HVP_SLAT_H
#define HVP_SLAT_H

#include <linux/list.h>
#include <linux/types.h>

#define HVP_SLAT_LEVELS		4	/* 4 KiB leaves at level 0 ... 512 GiB at 3 */
#define HVP_SLAT_ENTRIES	512

/* Leaf sizes the filler can install. */
enum hvp_slat_page_size {
	HVP_SLAT_4K,
	HVP_SLAT_2M,
};

/* Permissions of a leaf, in HVPART_MEM_* bits. */
struct hvp_slat_format {
	u64 table_bits;		/* set in every non-leaf entry */
	u64 leaf_bits;		/* set in every leaf (memory type, A/D) */
	u64 read;		/* leaf bits that grant read */
	u64 write;
	u64 exec;		/* set to grant execute ... */
	u64 nx;			/* ... or set to deny it (NPT) */
	u64 large;		/* PS: a level-1 leaf maps 2 MiB */
	u64 present_mask;	/* entry is in use when any of these is set */
	u64 addr_mask;		/* physical-address bits of an entry */
};

struct hvp_slat {
	const struct hvp_slat_format *fmt;
	u64 *root;		/* level-3 table, kernel address */
	phys_addr_t root_pa;
	unsigned long nr_tables;
	unsigned long nr_leaves_2m;	/* currently installed 2 MiB leaves */
};

int hvp_slat_init(struct hvp_slat *slat, const struct hvp_slat_format *fmt);
void hvp_slat_destroy(struct hvp_slat *slat);
/*
 * Install one leaf mapping @gpa to @hpa. Fails with -EEXIST when a 2 MiB
 * leaf is asked for where a lower table exists, -ENOMEM on allocation.
 */
int hvp_slat_map(struct hvp_slat *slat, u64 gpa, u64 hpa, enum hvp_slat_page_size size,
		 u32 perms);
/* True when nothing is mapped in the 2 MiB block containing @gpa. */
bool hvp_slat_block_empty(struct hvp_slat *slat, u64 gpa);
/*
 * Remove every leaf in [gpa, gpa + size). Tables left empty are unlinked
 * and put on @zapped; free them with hvp_slat_free_zapped() only after the
 * TLBs of every VP were flushed.
 */
void hvp_slat_zap(struct hvp_slat *slat, u64 gpa, u64 size, struct list_head *zapped);
void hvp_slat_free_zapped(struct hvp_slat *slat, struct list_head *zapped);

#endif /* HVP_SLAT_H */
