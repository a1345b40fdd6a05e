// SPDX-License-Identifier: GPL-2.0
/*
 * GPADLs: lists of guest pages the guest hands the host for ring buffers
 * and bulk buffers (hyperv-facts §5.5). A GPADL_HEADER names the size and
 * the first PFNs; GPADL_BODY messages bring the rest. Once all PFNs are
 * in, every page is checked against the partition's memory (it must be
 * guest RAM the guest may write), pinned, and the guest is told
 * GPADL_CREATED. Linux waits for that answer without a timeout, so a bad
 * GPADL gets a failure status (the guest sees -EDQUOT), never silence.
 *
 * Bounds, so a guest cannot make the host hold unbounded memory: one range
 * with offset 0 and a whole number of pages, at most 4096 GPADLs and 1 GiB
 * of pages per partition, and PFN counts that add up exactly.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/slab.h>

#include "../kmod/hvpart.h"
#include "vmbus.h"

struct hvp_gpadl *hvp_vmbus_gpadl_find(struct hvp_vmbus *bus, u32 id)
{
	return xa_load(&bus->gpadls, id);
}

static void hvp_gpadl_reply(struct hvp_vmbus *bus, u32 relid, u32 id, u32 status)
{
	struct vmbus_msg_gpadl_created r = {
		.h.msgtype = VMBUS_MSG_GPADL_CREATED,
		.child_relid = relid,
		.gpadl = id,
		.creation_status = status,
	};

	hvp_vmbus_send_msg(bus, &r, sizeof(r));
}

static void hvp_gpadl_free(struct hvp_vmbus *bus, struct hvp_gpadl *g)
{
	xa_erase(&bus->gpadls, g->id);
	bus->nr_gpadls--;
	bus->gpadl_pages -= g->npages;
	if (g->complete)
		hvp_gpa_unpin_pages(g->pages, g->npages);
	kvfree(g->pages);
	kvfree(g->pfns);
	kfree(g);
}

/* All PFNs are in: pin the pages and answer the guest. */
static void hvp_gpadl_complete(struct hvp_vmbus *bus, struct hvp_gpadl *g)
{
	u32 relid = g->relid, id = g->id;

	g->pages = kvmalloc_array(g->npages, sizeof(*g->pages), GFP_KERNEL_ACCOUNT);
	if (!g->pages || hvp_gpa_pin_pages(bus->part, g->pfns, g->npages, g->pages)) {
		pr_warn_ratelimited("partition %u: GPADL %#x refused: pages outside writable guest memory\n",
				    bus->part->id, id);
		hvp_gpadl_free(bus, g);
		hvp_gpadl_reply(bus, relid, id, 1);
		return;
	}
	g->complete = true;
	kvfree(g->pfns);
	g->pfns = NULL;
	hvp_gpadl_reply(bus, relid, id, 0);
}

void hvp_vmbus_gpadl_header(struct hvp_vmbus *bus, const struct vmbus_msg_gpadl_header *m,
			    u32 len)
{
	u32 in_msg = (len - sizeof(*m)) / sizeof(u64), npages;
	struct hvp_gpadl *g;
	const char *why;

	why = "not connected";
	if (!bus->version)
		goto refuse;
	why = "not one whole-page range";
	if (m->rangecount != 1 || m->byte_offset || !m->byte_count || m->byte_count % PAGE_SIZE)
		goto refuse;
	npages = m->byte_count / PAGE_SIZE;
	why = "inconsistent lengths";
	if (m->range_buflen != 8 + 8 * npages || in_msg > npages)
		goto refuse;
	why = "no such channel";
	if (!hvp_vmbus_chan_find(bus, m->child_relid) ||
	    hvp_vmbus_chan_find(bus, m->child_relid)->state == HVP_CHAN_RESCINDED)
		goto refuse;
	why = "too many GPADLs or pages";
	if (bus->nr_gpadls >= HVP_VMBUS_MAX_GPADLS ||
	    bus->gpadl_pages + npages > HVP_VMBUS_MAX_GPADL_PAGES)
		goto refuse;
	why = "id in use";
	if (xa_load(&bus->gpadls, m->gpadl))
		goto refuse;

	why = "out of memory";
	g = kzalloc(sizeof(*g), GFP_KERNEL_ACCOUNT);
	if (!g)
		goto refuse;
	g->pfns = kvmalloc_array(npages, sizeof(u64), GFP_KERNEL_ACCOUNT);
	if (!g->pfns || xa_insert(&bus->gpadls, m->gpadl, g, GFP_KERNEL_ACCOUNT)) {
		kvfree(g->pfns);
		kfree(g);
		goto refuse;
	}
	g->id = m->gpadl;
	g->relid = m->child_relid;
	g->npages = npages;
	memcpy(g->pfns, m->pfn, in_msg * sizeof(u64));
	g->received = in_msg;
	bus->nr_gpadls++;
	bus->gpadl_pages += npages;
	if (g->received == g->npages)
		hvp_gpadl_complete(bus, g);
	return;

refuse:
	pr_warn_ratelimited("partition %u: GPADL %#x refused: %s\n", bus->part->id, m->gpadl, why);
	hvp_gpadl_reply(bus, m->child_relid, m->gpadl, 1);
}

void hvp_vmbus_gpadl_body(struct hvp_vmbus *bus, const struct vmbus_msg_gpadl_body *m, u32 len)
{
	u32 n = (len - sizeof(*m)) / sizeof(u64);
	struct hvp_gpadl *g = xa_load(&bus->gpadls, m->gpadl);
	u32 relid;

	if (!g || g->complete) {
		pr_warn_ratelimited("partition %u: GPADL body for unknown or complete GPADL %#x dropped\n",
				    bus->part->id, m->gpadl);
		return;
	}
	if (n > g->npages - g->received) {
		relid = g->relid;
		pr_warn_ratelimited("partition %u: GPADL %#x refused: more PFNs than pages\n",
				    bus->part->id, m->gpadl);
		hvp_gpadl_free(bus, g);
		hvp_gpadl_reply(bus, relid, m->gpadl, 1);
		return;
	}
	memcpy(g->pfns + g->received, m->pfn, n * sizeof(u64));
	g->received += n;
	if (g->received == g->npages)
		hvp_gpadl_complete(bus, g);
}

void hvp_vmbus_gpadl_teardown(struct hvp_vmbus *bus, const struct vmbus_msg_gpadl_teardown *m)
{
	struct vmbus_msg_gpadl_torndown r = {
		.h.msgtype = VMBUS_MSG_GPADL_TORNDOWN,
		.gpadl = m->gpadl,
	};
	struct hvp_gpadl *g = xa_load(&bus->gpadls, m->gpadl);
	unsigned int relid;

	if (g && g->in_use) {
		/* The guest tore down a ring still in use: close that channel. */
		for (relid = 1; relid <= HVP_VMBUS_MAX_RELID; relid++) {
			struct hvp_vmbus_channel *ch = bus->channels[relid];

			if (ch && ch->state == HVP_CHAN_OPEN && ch->ring_gpadl == g)
				hvp_vmbus_chan_close(ch);
		}
	}
	if (g)
		hvp_gpadl_free(bus, g);
	/* The guest waits for this without a timeout: always answer. */
	hvp_vmbus_send_msg(bus, &r, sizeof(r));
}

/* Channels are closed already. */
void hvp_vmbus_gpadl_destroy_all(struct hvp_vmbus *bus)
{
	struct hvp_gpadl *g;
	unsigned long id;

	xa_for_each(&bus->gpadls, id, g)
		hvp_gpadl_free(bus, g);
}
