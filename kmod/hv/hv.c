// SPDX-License-Identifier: GPL-2.0
/*
 * Hyper-V interface configuration and lifetime: which features a
 * partition has (HVPART_SET_HV_CONFIG, with the TLFS dependencies
 * enforced), and the per-VP work the run loop does before each entry.
 */
#include <linux/uaccess.h>

#include "../hvpart.h"
#include "hv.h"

#define F(bit) HVPART_HV_F(bit)

/* Feature -> features it needs (TLFS; the order Linux probes them in). */
static const struct {
	u64 feature;
	u64 needs;
} hvp_hv_deps[] = {
	{ F(SYNIC),		F(HYPERCALL) | F(VP_INDEX) },
	{ F(STIMER),		F(SYNIC) | F(TIME_REF_COUNT) },
	{ F(STIMER_DIRECT),	F(STIMER) },
	{ F(REFERENCE_TSC),	F(TIME_REF_COUNT) },
	{ F(TLB_FLUSH),		F(HYPERCALL) | F(VP_INDEX) },
	{ F(CLUSTER_IPI),	F(HYPERCALL) | F(VP_INDEX) },
	{ F(EX_PROCESSOR_MASKS), F(HYPERCALL) | F(VP_INDEX) },
};

u64 hvp_hv_supported_features(void)
{
	return HVPART_HV_FEATURES_MASK;
}

bool hvp_hv_enabled(struct hvp_partition *part)
{
	return part->hv.features;
}

bool hvp_hv_has(struct hvp_partition *part, u64 feature)
{
	return (part->hv.features & feature) == feature;
}

static int hvp_hv_check_features(u64 features)
{
	unsigned int i;

	if (features & ~HVPART_HV_FEATURES_MASK)
		return -EINVAL;
	if (!features)
		return 0;
	/* A guest only sees Hyper-V with both (hyperv-facts §0.1). */
	if ((features & (F(HYPERCALL) | F(VP_INDEX))) != (F(HYPERCALL) | F(VP_INDEX)))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(hvp_hv_deps); i++)
		if ((features & hvp_hv_deps[i].feature) &&
		    (features & hvp_hv_deps[i].needs) != hvp_hv_deps[i].needs)
			return -EINVAL;
	if ((features & F(EX_PROCESSOR_MASKS)) &&
	    !(features & (F(TLB_FLUSH) | F(CLUSTER_IPI))))
		return -EINVAL;
	return 0;
}

int hvp_hv_set_config(struct hvp_partition *part, const struct hvpart_hv_config __user *uarg)
{
	struct hvpart_hv_config cfg;
	unsigned int i;
	int ret;

	if (copy_from_user(&cfg, uarg, sizeof(cfg)))
		return -EFAULT;
	if (cfg.flags)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(cfg.rsvd); i++)
		if (cfg.rsvd[i])
			return -EINVAL;
	ret = hvp_hv_check_features(cfg.features);
	if (ret)
		return ret;

	mutex_lock(&part->lock);
	if (part->nr_vps) {
		mutex_unlock(&part->lock);
		return -EBUSY;
	}
	part->hv.features = cfg.features;
	mutex_unlock(&part->lock);
	return 0;
}

void hvp_hv_partition_init(struct hvp_partition *part)
{
	struct hvp_hv_partition *hv = &part->hv;

	mutex_init(&hv->lock);
	xa_init(&hv->conns);
	hvp_hv_ref_time_init(part);
}

void hvp_hv_partition_destroy(struct hvp_partition *part)
{
	hvp_hv_connections_destroy(part);
	xa_destroy(&part->hv.conns);
}

void hvp_hv_vp_init(struct hvp_vp *vp)
{
	hvp_synic_init(vp);
	hvp_stimer_init(vp);
}

void hvp_hv_vp_destroy(struct hvp_vp *vp)
{
	hvp_stimer_destroy(vp);
	hvp_synic_destroy(vp);
}

bool hvp_hv_vp_has_work(struct hvp_vp *vp)
{
	return READ_ONCE(vp->hv.synic.work);
}

/* Before each entry: deliver what other contexts queued for this VP. */
void hvp_hv_vp_process(struct hvp_vp *vp)
{
	if (!READ_ONCE(vp->hv.synic.work))
		return;
	/* New work arriving from now on sets a bit again and kicks us. */
	xchg(&vp->hv.synic.work, 0);
	hvp_stimer_process(vp);
	hvp_synic_process(vp);
}
