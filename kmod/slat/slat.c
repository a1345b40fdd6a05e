// SPDX-License-Identifier: GPL-2.0
/*
 * SLAT table walker and filler shared by NPT and EPT.
 *
 * Four levels of 512 entries; level 0 holds 4 KiB leaves, level 1 may hold
 * 2 MiB leaves. Only struct hvp_slat_format differs between vendors: which
 * bits mark a table, grant read/write/execute and mark a large leaf.
 *
 * Callers serialize every change with the partition's gpa_map lock; the
 * hardware walks the tables concurrently, so entries change with single
 * WRITE_ONCE stores. A CPU may keep walking a table from its caches after
 * the parent entry is cleared, so zapped tables are not freed at once: they
 * go on a list the caller frees with hvp_slat_free_zapped() after every VP's
 * TLB was flushed (see hvp_gpa_unmap_ioctl()).
 */
#include <linux/mm.h>
#include <linux/gfp.h>
#include <linux/bug.h>
#include <linux/io.h>
#include <uapi/linux/hvpart.h>

#include "slat.h"

#define SLAT_SHIFT(level)	(12 + 9 * (level))

static unsigned int slat_index(u64 gpa, int level)
{
	return (gpa >> SLAT_SHIFT(level)) & (HVP_SLAT_ENTRIES - 1);
}

static bool slat_present(const struct hvp_slat *slat, u64 entry)
{
	return entry & slat->fmt->present_mask;
}

static u64 *slat_child(const struct hvp_slat *slat, u64 entry)
{
	return phys_to_virt(entry & slat->fmt->addr_mask);
}

static u64 *slat_alloc_table(struct hvp_slat *slat)
{
	u64 *table = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);

	if (table)
		slat->nr_tables++;
	return table;
}

static void slat_free_table(struct hvp_slat *slat, u64 *table)
{
	free_page((unsigned long)table);
	slat->nr_tables--;
}

void hvp_slat_free_zapped(struct hvp_slat *slat, struct list_head *zapped)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, zapped, lru) {
		list_del(&page->lru);
		slat_free_table(slat, page_address(page));
	}
}

int hvp_slat_init(struct hvp_slat *slat, const struct hvp_slat_format *fmt)
{
	slat->fmt = fmt;
	slat->nr_tables = 0;
	slat->nr_leaves_2m = 0;
	slat->root = slat_alloc_table(slat);
	if (!slat->root)
		return -ENOMEM;
	slat->root_pa = virt_to_phys(slat->root);
	return 0;
}

static bool slat_is_leaf(const struct hvp_slat *slat, u64 entry, int level)
{
	return level == 0 || (level == 1 && (entry & slat->fmt->large));
}

static void slat_free_tree(struct hvp_slat *slat, u64 *table, int level)
{
	unsigned int i;

	for (i = 0; level > 0 && i < HVP_SLAT_ENTRIES; i++) {
		u64 entry = table[i];

		if (slat_present(slat, entry) && !slat_is_leaf(slat, entry, level))
			slat_free_tree(slat, slat_child(slat, entry), level - 1);
	}
	slat_free_table(slat, table);
}

void hvp_slat_destroy(struct hvp_slat *slat)
{
	if (!slat->root)
		return;
	slat_free_tree(slat, slat->root, HVP_SLAT_LEVELS - 1);
	slat->root = NULL;
	WARN_ON_ONCE(slat->nr_tables);
}

static u64 slat_leaf(const struct hvp_slat *slat, u64 hpa, enum hvp_slat_page_size size,
		     u32 perms)
{
	const struct hvp_slat_format *fmt = slat->fmt;
	u64 entry = (hpa & fmt->addr_mask) | fmt->leaf_bits;

	if (perms & HVPART_MEM_READ)
		entry |= fmt->read;
	if (perms & HVPART_MEM_WRITE)
		entry |= fmt->write;
	entry |= (perms & HVPART_MEM_EXEC) ? fmt->exec : fmt->nx;
	if (size == HVP_SLAT_2M)
		entry |= fmt->large;
	return entry;
}

int hvp_slat_map(struct hvp_slat *slat, u64 gpa, u64 hpa, enum hvp_slat_page_size size,
		 u32 perms)
{
	int leaf_level = size == HVP_SLAT_2M ? 1 : 0;
	u64 *table = slat->root;
	u64 *entry;
	int level;

	for (level = HVP_SLAT_LEVELS - 1; level > leaf_level; level--) {
		u64 *child;

		entry = &table[slat_index(gpa, level)];
		if (!slat_present(slat, *entry)) {
			child = slat_alloc_table(slat);
			if (!child)
				return -ENOMEM;
			WRITE_ONCE(*entry, virt_to_phys(child) | slat->fmt->table_bits);
		} else if (slat_is_leaf(slat, *entry, level)) {
			/* A 2 MiB leaf already covers this 4 KiB page. */
			return -EEXIST;
		}
		table = slat_child(slat, *entry);
	}

	entry = &table[slat_index(gpa, leaf_level)];
	if (leaf_level == 1 && slat_present(slat, *entry) && !slat_is_leaf(slat, *entry, 1))
		return -EEXIST;
	if (leaf_level == 1 && !slat_present(slat, *entry))
		slat->nr_leaves_2m++;
	WRITE_ONCE(*entry, slat_leaf(slat, hpa, size, perms));
	return 0;
}

bool hvp_slat_block_empty(struct hvp_slat *slat, u64 gpa)
{
	u64 *table = slat->root;
	int level;

	for (level = HVP_SLAT_LEVELS - 1; level > 1; level--) {
		u64 entry = table[slat_index(gpa, level)];

		if (!slat_present(slat, entry))
			return true;
		table = slat_child(slat, entry);
	}
	return !slat_present(slat, table[slat_index(gpa, 1)]);
}

static bool slat_table_empty(const struct hvp_slat *slat, const u64 *table)
{
	unsigned int i;

	for (i = 0; i < HVP_SLAT_ENTRIES; i++)
		if (slat_present(slat, table[i]))
			return false;
	return true;
}

/*
 * Clear leaves of @table (at @level, covering addresses from @base) that
 * fall in [start, end). A 2 MiB leaf is only ever installed inside one
 * mapped range, and ranges are zapped whole, so a large leaf is never cut.
 * Returns true when @table ended up empty.
 */
static bool slat_zap_table(struct hvp_slat *slat, u64 *table, int level, u64 base,
			   u64 start, u64 end, struct list_head *zapped)
{
	u64 span = 1ULL << SLAT_SHIFT(level);
	unsigned int first = 0, last = HVP_SLAT_ENTRIES - 1, i;

	if (start > base)
		first = (start - base) >> SLAT_SHIFT(level);
	if (end - base < HVP_SLAT_ENTRIES * span)
		last = (end - 1 - base) >> SLAT_SHIFT(level);

	for (i = first; i <= last; i++) {
		u64 entry = table[i];
		u64 *child;

		if (!slat_present(slat, entry))
			continue;
		if (slat_is_leaf(slat, entry, level)) {
			if (level == 1)
				slat->nr_leaves_2m--;
			WRITE_ONCE(table[i], 0);
			continue;
		}
		child = slat_child(slat, entry);
		if (slat_zap_table(slat, child, level - 1, base + i * span, start, end,
				   zapped)) {
			WRITE_ONCE(table[i], 0);
			list_add(&virt_to_page(child)->lru, zapped);
		}
	}
	return slat_table_empty(slat, table);
}

void hvp_slat_zap(struct hvp_slat *slat, u64 gpa, u64 size, struct list_head *zapped)
{
	if (size)
		slat_zap_table(slat, slat->root, HVP_SLAT_LEVELS - 1, 0, gpa, gpa + size,
			       zapped);
}
