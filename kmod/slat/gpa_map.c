// SPDX-License-Identifier: GPL-2.0
/*
 * A partition's guest-physical memory: ranges backed by the VMM's user
 * memory, and the SLAT entries that expose them to the guest.
 *
 * Pinning, not MMU notifiers. A page is pinned (FOLL_LONGTERM) the first
 * time the guest or the module touches it and stays pinned until its range
 * is unmapped or the partition dies. Reasons: Hyper-V's own root driver
 * (mshv) does the same, so the semantics users know carry over; the module
 * itself reads and writes guest memory from contexts where faulting user
 * memory is impossible (SynIC pages, VMBus rings), which needs the page to
 * stay put anyway; and there is no notifier/fault race to get wrong. The
 * cost is that guest memory cannot be swapped, compacted or migrated while
 * mapped - as on Hyper-V, memory is returned by unmapping (or ballooning).
 * Pinning lazily keeps HVPART_MAP_GPA O(1) in the range size.
 *
 * Unmapping removes SLAT entries, then bumps tlb_gen and kicks every VP
 * out of guest mode, waiting until each has left (a VP flushes its TLB when
 * it sees a new tlb_gen at entry); only then are tables freed and pages
 * unpinned, so no guest can reach a page after the VMM got it back.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "../arch_ops.h"
#include "../hvpart.h"

#define HVP_2M		(2ULL << 20)
#define HVP_2M_PAGES	(HVP_2M >> PAGE_SHIFT)

struct hvp_mem_region {
	u64 gpa;
	u64 size;
	u64 uaddr;
	u32 flags;		/* HVPART_MEM_* */
	struct xarray pins;	/* pinned pages by page offset in the range */
};

u32 hvp_gpa_bits(void)
{
	return min_t(u32, boot_cpu_data.x86_phys_bits, 48);
}

int hvp_gpa_map_init(struct hvp_partition *part)
{
	struct hvp_gpa_map *mem = &part->mem;

	mutex_init(&mem->lock);
	mem->nr_regions = 0;
	atomic64_set(&mem->tlb_gen, 0);
	return hvp_slat_init(&mem->slat, hvp_ops.slat_format);
}

#define HVP_UNPIN_BATCH	64

static void region_free(struct hvp_mem_region *r)
{
	struct page *batch[HVP_UNPIN_BATCH];
	unsigned int n = 0;
	struct page *page;
	unsigned long i;

	/* In batches: unpin_user_pages() drops a huge page's pins at once. */
	xa_for_each(&r->pins, i, page) {
		batch[n++] = page;
		if (n == HVP_UNPIN_BATCH) {
			unpin_user_pages(batch, n);
			n = 0;
		}
	}
	unpin_user_pages(batch, n);
	xa_destroy(&r->pins);
	kfree(r);
}

void hvp_gpa_map_destroy(struct hvp_partition *part)
{
	struct hvp_gpa_map *mem = &part->mem;
	unsigned int i;

	/* No VP is left: nothing can walk the tables any more. */
	hvp_slat_destroy(&mem->slat);
	for (i = 0; i < mem->nr_regions; i++)
		region_free(mem->regions[i]);
	mem->nr_regions = 0;
}

/* Index of the first range ending above @gpa (nr_regions when none). */
static unsigned int region_search(struct hvp_gpa_map *mem, u64 gpa)
{
	unsigned int lo = 0, hi = mem->nr_regions;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		struct hvp_mem_region *r = mem->regions[mid];

		if (r->gpa + r->size <= gpa)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct hvp_mem_region *region_find(struct hvp_gpa_map *mem, u64 gpa)
{
	unsigned int i = region_search(mem, gpa);

	if (i < mem->nr_regions && mem->regions[i]->gpa <= gpa)
		return mem->regions[i];
	return NULL;
}

static int map_args_check(const struct hvpart_mem_map *m)
{
	u64 gpa_limit = 1ULL << hvp_gpa_bits();

	if ((m->flags & ~HVPART_MEM_FLAGS_MASK) || m->rsvd)
		return -EINVAL;
	if (!(m->flags & HVPART_MEM_READ))
		return -EINVAL;
	if (!m->size || !PAGE_ALIGNED(m->guest_pa) || !PAGE_ALIGNED(m->size) ||
	    !PAGE_ALIGNED(m->user_addr))
		return -EINVAL;
	if (m->guest_pa + m->size < m->guest_pa || m->guest_pa + m->size > gpa_limit)
		return -EINVAL;
	if (m->user_addr + m->size < m->user_addr ||
	    !access_ok(u64_to_user_ptr(m->user_addr), m->size))
		return -EINVAL;
	return 0;
}

int hvp_gpa_map_ioctl(struct hvp_partition *part, const struct hvpart_mem_map __user *uarg)
{
	struct hvp_gpa_map *mem = &part->mem;
	struct hvpart_mem_map m;
	struct hvp_mem_region *r;
	unsigned int i;
	int ret;

	if (copy_from_user(&m, uarg, sizeof(m)))
		return -EFAULT;
	ret = map_args_check(&m);
	if (ret)
		return ret;

	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;
	xa_init(&r->pins);
	r->gpa = m.guest_pa;
	r->size = m.size;
	r->uaddr = m.user_addr;
	r->flags = m.flags;

	mutex_lock(&mem->lock);
	ret = -ENOSPC;
	if (mem->nr_regions >= HVP_MAX_MEM_REGIONS)
		goto err_unlock;
	i = region_search(mem, r->gpa);
	ret = -EEXIST;
	if (i < mem->nr_regions && mem->regions[i]->gpa < r->gpa + r->size)
		goto err_unlock;
	memmove(&mem->regions[i + 1], &mem->regions[i],
		(mem->nr_regions - i) * sizeof(mem->regions[0]));
	mem->regions[i] = r;
	mem->nr_regions++;
	mutex_unlock(&mem->lock);
	return 0;

err_unlock:
	mutex_unlock(&mem->lock);
	kfree(r);
	return ret;
}

/* Make sure no VP can still use a translation removed from the SLAT. */
static void gpa_map_flush_all(struct hvp_partition *part)
{
	atomic64_inc(&part->mem.tlb_gen);
	/* The new generation before reading VP modes (see hvp_vp_kick_all). */
	smp_mb__after_atomic();
	hvp_vp_kick_all(part);
}

int hvp_gpa_unmap_ioctl(struct hvp_partition *part, const struct hvpart_mem_unmap __user *uarg)
{
	struct hvp_gpa_map *mem = &part->mem;
	struct hvpart_mem_unmap u;
	struct hvp_mem_region *r;
	LIST_HEAD(zapped);
	unsigned int i;

	if (copy_from_user(&u, uarg, sizeof(u)))
		return -EFAULT;
	if (u.flags || u.rsvd || !u.size || !PAGE_ALIGNED(u.guest_pa) || !PAGE_ALIGNED(u.size))
		return -EINVAL;

	mutex_lock(&mem->lock);
	i = region_search(mem, u.guest_pa);
	if (i >= mem->nr_regions || mem->regions[i]->gpa > u.guest_pa) {
		mutex_unlock(&mem->lock);
		return -ENOENT;
	}
	r = mem->regions[i];
	if (r->gpa != u.guest_pa || r->size != u.size) {
		mutex_unlock(&mem->lock);
		return -EINVAL;
	}
	memmove(&mem->regions[i], &mem->regions[i + 1],
		(mem->nr_regions - i - 1) * sizeof(mem->regions[0]));
	mem->nr_regions--;

	hvp_slat_zap(&mem->slat, r->gpa, r->size, &zapped);
	gpa_map_flush_all(part);
	hvp_slat_free_zapped(&mem->slat, &zapped);
	mutex_unlock(&mem->lock);

	region_free(r);
	return 0;
}

/*
 * Pin @nr pages of the VMM's memory at @uaddr. The VP thread is in the
 * owner's mm and takes the fast path; other contexts go through the
 * partition's mm.
 */
static long region_pin_user(struct hvp_partition *part, struct hvp_mem_region *r,
			    u64 uaddr, unsigned long nr, struct page **pages)
{
	unsigned int flags = FOLL_LONGTERM | FOLL_WRITE;
	long got;

	if (current->mm == part->mm) {
		got = pin_user_pages_fast(uaddr, nr, flags, pages);
		/* A range the guest may not write can sit on read-only memory. */
		if (got == -EFAULT && !(r->flags & HVPART_MEM_WRITE))
			got = pin_user_pages_fast(uaddr, nr, FOLL_LONGTERM, pages);
		return got;
	}
	if (!mmget_not_zero(part->mm))
		return -EFAULT;
	mmap_read_lock(part->mm);
	got = pin_user_pages_remote(part->mm, uaddr, nr, flags, pages, NULL, NULL);
	mmap_read_unlock(part->mm);
	mmput(part->mm);
	return got;
}

/* The pinned page at @index of @r, pinning it first if needed. */
static struct page *region_page(struct hvp_partition *part, struct hvp_mem_region *r,
				unsigned long index)
{
	struct page *page = xa_load(&r->pins, index);
	long got;
	int ret;

	if (page)
		return page;
	got = region_pin_user(part, r, r->uaddr + ((u64)index << PAGE_SHIFT), 1, &page);
	if (got != 1)
		return ERR_PTR(got < 0 ? got : -EFAULT);
	ret = xa_err(xa_store(&r->pins, index, page, GFP_KERNEL_ACCOUNT));
	if (ret) {
		unpin_user_page(page);
		return ERR_PTR(ret);
	}
	return page;
}

/*
 * Pin the 512 pages of the block at page index @first of @r: in one call
 * when none of them is pinned yet (the common case), page by page
 * otherwise.
 */
static int gpa_pin_block(struct hvp_partition *part, struct hvp_mem_region *r,
			 unsigned long first)
{
	unsigned long idx = first, i;
	struct page **pages;
	long got;
	int ret = 0;

	if (!xa_find(&r->pins, &idx, first + HVP_2M_PAGES - 1, XA_PRESENT)) {
		pages = kmalloc_array(HVP_2M_PAGES, sizeof(*pages), GFP_KERNEL);
		if (!pages)
			return -ENOMEM;
		got = region_pin_user(part, r, r->uaddr + ((u64)first << PAGE_SHIFT),
				      HVP_2M_PAGES, pages);
		if (got == HVP_2M_PAGES) {
			for (i = 0; i < HVP_2M_PAGES; i++) {
				ret = xa_err(xa_store(&r->pins, first + i, pages[i],
						      GFP_KERNEL_ACCOUNT));
				/* Stored pages stay tracked; drop the rest. */
				if (ret) {
					unpin_user_pages(pages + i, HVP_2M_PAGES - i);
					break;
				}
			}
		} else {
			if (got > 0)
				unpin_user_pages(pages, got);
			ret = got < 0 ? got : -EFAULT;
		}
		kfree(pages);
		return ret;
	}
	for (i = 0; i < HVP_2M_PAGES; i++) {
		struct page *page = region_page(part, r, first + i);

		if (IS_ERR(page))
			return PTR_ERR(page);
	}
	return 0;
}

/*
 * Map the 2 MiB block around @gpa with one leaf when the whole block lies
 * in @r and the VMM backs it with one physically contiguous, aligned huge
 * page (THP or hugetlbfs). Returns 0 when mapped, 1 when 4 KiB is needed.
 */
static int gpa_fault_2m(struct hvp_partition *part, struct hvp_mem_region *r, u64 gpa)
{
	u64 base = gpa & ~(HVP_2M - 1);
	unsigned long first = (base - r->gpa) >> PAGE_SHIFT, i;
	struct page *page;
	unsigned long pfn;
	int ret;

	if (base < r->gpa || base + HVP_2M > r->gpa + r->size ||
	    !IS_ALIGNED(r->uaddr + (base - r->gpa), HVP_2M) ||
	    !hvp_slat_block_empty(&part->mem.slat, base))
		return 1;

	ret = gpa_pin_block(part, r, first);
	if (ret)
		return ret;
	page = xa_load(&r->pins, first);
	pfn = page_to_pfn(page);
	if (!IS_ALIGNED(pfn, HVP_2M_PAGES) || folio_nr_pages(page_folio(page)) < HVP_2M_PAGES)
		return 1;
	for (i = 1; i < HVP_2M_PAGES; i++) {
		page = xa_load(&r->pins, first + i);
		if (page_to_pfn(page) != pfn + i)
			return 1;
	}
	return hvp_slat_map(&part->mem.slat, base, PFN_PHYS(pfn), HVP_SLAT_2M, r->flags) ?: 0;
}

static u32 access_to_flag(u32 access)
{
	switch (access) {
	case HVPART_ACCESS_WRITE:
		return HVPART_MEM_WRITE;
	case HVPART_ACCESS_EXEC:
		return HVPART_MEM_EXEC;
	default:
		return HVPART_MEM_READ;
	}
}

int hvp_gpa_fault(struct hvp_vp *vp, u64 gpa, u32 access)
{
	struct hvp_partition *part = vp->part;
	struct hvp_gpa_map *mem = &part->mem;
	struct hvp_mem_region *r;
	struct page *page;
	int ret;

	mutex_lock(&mem->lock);
	r = region_find(mem, gpa);
	if (!r) {
		ret = HVP_FAULT_UNMAPPED;
		goto out;
	}
	if (!(r->flags & access_to_flag(access))) {
		ret = HVP_FAULT_FORBIDDEN;
		goto out;
	}

	ret = gpa_fault_2m(part, r, gpa);
	if (ret <= 0)
		goto out;

	page = region_page(part, r, (gpa - r->gpa) >> PAGE_SHIFT);
	if (IS_ERR(page)) {
		ret = PTR_ERR(page);
		goto out;
	}
	ret = hvp_slat_map(&mem->slat, gpa & PAGE_MASK, page_to_phys(page), HVP_SLAT_4K,
			   r->flags);
	/* -EEXIST: another VP installed a 2 MiB leaf meanwhile; just re-enter. */
	if (ret == -EEXIST)
		ret = 0;
	if (!ret)
		vp->stats.npf_fills++;
	ret = ret ?: HVP_FAULT_FILLED;
out:
	mutex_unlock(&mem->lock);
	return ret;
}

/*
 * The page behind @gpa, pinned if it was not yet; -EFAULT when no range
 * maps it or, for @write, the range is read-only. Under mem->lock.
 */
static struct page *gpa_page(struct hvp_partition *part, u64 gpa, bool write)
{
	struct hvp_mem_region *r = region_find(&part->mem, gpa);

	if (!r || (write && !(r->flags & HVPART_MEM_WRITE)))
		return ERR_PTR(-EFAULT);
	return region_page(part, r, (gpa - r->gpa) >> PAGE_SHIFT);
}

/* Copy to or from guest memory; -EFAULT when any byte is not mapped. */
static int gpa_copy(struct hvp_partition *part, u64 gpa, void *buf, unsigned int len,
		    bool write)
{
	struct hvp_gpa_map *mem = &part->mem;
	int ret = 0;

	mutex_lock(&mem->lock);
	while (len) {
		unsigned int off = offset_in_page(gpa);
		unsigned int n = min_t(unsigned int, len, PAGE_SIZE - off);
		struct page *page = gpa_page(part, gpa, write);
		void *va;

		if (IS_ERR(page)) {
			ret = PTR_ERR(page);
			break;
		}
		va = kmap_local_page(page);
		if (write)
			memcpy(va + off, buf, n);
		else
			memcpy(buf, va + off, n);
		kunmap_local(va);
		if (write)
			set_page_dirty_lock(page);
		gpa += n;
		buf += n;
		len -= n;
	}
	mutex_unlock(&mem->lock);
	return ret;
}

int hvp_gpa_read(struct hvp_partition *part, u64 gpa, void *buf, unsigned int len)
{
	return gpa_copy(part, gpa, buf, len, false);
}

/*
 * A burst of small reads on a VP's exit path (a guest page walk, then the
 * instruction it leads to) takes the lock once, and the VP's page cache
 * spares the region search and pin lookup for pages read before. Entries
 * are valid while no range was unmapped since they were filled: an unmap
 * bumps tlb_gen under this lock, before it unpins anything.
 */
void hvp_vp_mem_lock(struct hvp_vp *vp)
{
	struct hvp_gpa_map *mem = &vp->part->mem;
	u64 gen;

	mutex_lock(&mem->lock);
	gen = atomic64_read(&mem->tlb_gen);
	if (vp->page_cache.tlb_gen != gen) {
		memset(vp->page_cache.e, 0, sizeof(vp->page_cache.e));
		vp->page_cache.tlb_gen = gen;
	}
}

void hvp_vp_mem_unlock(struct hvp_vp *vp)
{
	mutex_unlock(&vp->part->mem.lock);
}

static void *vp_page_va(struct hvp_vp *vp, u64 gfn)
{
	struct hvp_page_cache *pc = &vp->page_cache;
	unsigned int slot = gfn % HVP_PAGE_CACHE_SIZE;
	struct page *page;

	if (pc->e[slot].va && pc->e[slot].gfn == gfn)
		return pc->e[slot].va;
	page = gpa_page(vp->part, gfn << PAGE_SHIFT, false);
	if (IS_ERR(page))
		return ERR_CAST(page);
	/* Pinned user memory is always in the direct map on x86-64. */
	pc->e[slot].gfn = gfn;
	pc->e[slot].va = page_address(page);
	return pc->e[slot].va;
}

/* As hvp_gpa_read(), between hvp_vp_mem_lock() and hvp_vp_mem_unlock(). */
int hvp_vp_mem_read(struct hvp_vp *vp, u64 gpa, void *buf, unsigned int len)
{
	lockdep_assert_held(&vp->part->mem.lock);
	while (len) {
		unsigned int off = offset_in_page(gpa);
		unsigned int n = min_t(unsigned int, len, PAGE_SIZE - off);
		void *va = vp_page_va(vp, gpa >> PAGE_SHIFT);

		if (IS_ERR(va))
			return PTR_ERR(va);
		memcpy(buf, va + off, n);
		gpa += n;
		buf += n;
		len -= n;
	}
	return 0;
}

int hvp_gpa_write(struct hvp_partition *part, u64 gpa, const void *buf, unsigned int len)
{
	return gpa_copy(part, gpa, (void *)buf, len, true);
}

/*
 * Take a reference on the pages behind guest frames @gfns for the module's
 * own long-lived use (VMBus GPADLs): each must be in a range the guest may
 * write. The references keep the pages even if the range is unmapped
 * later; release them with hvp_gpa_unpin_pages().
 */
int hvp_gpa_pin_pages(struct hvp_partition *part, const u64 *gfns, unsigned int n,
		      struct page **pages)
{
	struct hvp_gpa_map *mem = &part->mem;
	unsigned int i;
	int ret = 0;

	mutex_lock(&mem->lock);
	for (i = 0; i < n; i++) {
		/* A frame number whose address does not fit in 64 bits. */
		struct page *page = gfns[i] >> (64 - PAGE_SHIFT) ? ERR_PTR(-EFAULT) :
				    gpa_page(part, gfns[i] << PAGE_SHIFT, true);

		if (IS_ERR(page)) {
			ret = PTR_ERR(page);
			break;
		}
		get_page(page);
		pages[i] = page;
	}
	mutex_unlock(&mem->lock);
	if (ret)
		hvp_gpa_unpin_pages(pages, i);
	return ret;
}

void hvp_gpa_unpin_pages(struct page **pages, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		set_page_dirty_lock(pages[i]);
		put_page(pages[i]);
	}
}
