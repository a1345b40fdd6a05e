/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Hyper-V guest interface of a partition (TLFS; facts a Linux guest
 * relies on are in ../shared/hyperv-facts.md): identity CPUID leaves,
 * synthetic MSRs, hypercalls, the SynIC, synthetic timers and the
 * reference TSC page. All of it runs in the kernel; userspace only picks
 * the features (HVPART_SET_HV_CONFIG) and owns connection ids it
 * registered (HVPART_HV_CONNECT).
 *
 * Threading: a VP's SynIC pages and timers are written only by that VP's
 * own thread, right before it enters the guest (hvp_hv_vp_process). Other
 * contexts - hypercalls on other VPs, ioctls, timer interrupts - queue
 * their message or event flag under synic.lock and kick the VP.
 */
#ifndef HVP_HV_H
#define HVP_HV_H

#include <linux/hrtimer.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/xarray.h>
#include <asm/hyperv-tlfs.h>

struct hvp_partition;
struct hvp_vp;
struct hvpart_hv_config;

#define HVP_HV_MAX_CONNECTIONS		4096
#define HVP_HV_CONN_QUEUE_LEN		256	/* guest messages per connection */
#define HVP_SYNIC_QUEUE_LEN		64	/* host messages per SINT */
#define HVP_STIMER_MIN_PERIOD		1000	/* 100 us in 100 ns units */

struct hvp_hv_partition {
	u64 features;			/* HVPART_HV_F_* */
	struct mutex lock;		/* partition-wide MSRs below, connections */
	u64 guest_os_id;
	u64 hypercall_msr;
	u64 reference_tsc_msr;
	u64 crash_params[5];
	/* Reference time = ((guest TSC * tsc_scale) >> 64) when tsc_valid. */
	u64 tsc_scale;
	bool tsc_valid;
	u64 ref_base_ns;		/* otherwise: ktime at creation */
	atomic64_t ref_last;		/* and the latest value handed out */
	struct xarray conns;		/* connection id -> struct hvp_hv_conn */
	unsigned int nr_conns;
};

/* A queued message for one SINT. */
struct hvp_synic_msg {
	struct list_head link;
	struct hv_message msg;
};

struct hvp_synic {
	u64 scontrol;
	u64 siefp;
	u64 simp;
	u64 sint[HV_SYNIC_SINT_COUNT];
	spinlock_t lock;		/* queue, nr_queued */
	struct list_head queue[HV_SYNIC_SINT_COUNT];
	unsigned int nr_queued[HV_SYNIC_SINT_COUNT];
	/* Event flags to set in the SIEF page, set atomically by anyone. */
	DECLARE_BITMAP(events, HV_SYNIC_SINT_COUNT * HV_EVENT_FLAGS_COUNT);
	unsigned long work;		/* HVP_SYNIC_WORK_* bits */
};

#define HVP_SYNIC_WORK_MSG	0	/* a message is queued or a slot freed */
#define HVP_SYNIC_WORK_EVENT	1	/* an event flag is pending */
#define HVP_SYNIC_WORK_TIMER	2	/* a timer message is due */

struct hvp_stimer {
	struct hvp_vp *vp;
	u64 config;
	u64 count;
	u64 expiration;			/* reference time of the next expiry */
	u64 msg_expiration;		/* ... of the expiry the message reports */
	struct hrtimer timer;
	bool msg_pending;		/* expired, message not yet in the slot */
};

struct hvp_hv_vp {
	u64 vp_assist_msr;
	u64 runtime_tsc;		/* TSC cycles spent in guest mode */
	bool crash_exit;		/* CRASH_CTL written: exit to userspace */
	bool message_exit;		/* run->hv_message filled: exit to userspace */
	struct hvp_synic synic;
	struct hvp_stimer stimers[HV_SYNIC_STIMER_COUNT];
};

/* hv.c: configuration and lifetime */
int hvp_hv_set_config(struct hvp_partition *part, const struct hvpart_hv_config __user *uarg);
void hvp_hv_partition_init(struct hvp_partition *part);
void hvp_hv_partition_destroy(struct hvp_partition *part);
void hvp_hv_vp_init(struct hvp_vp *vp);
void hvp_hv_vp_destroy(struct hvp_vp *vp);
bool hvp_hv_enabled(struct hvp_partition *part);
bool hvp_hv_has(struct hvp_partition *part, u64 feature);
bool hvp_hv_vp_has_work(struct hvp_vp *vp);
void hvp_hv_vp_process(struct hvp_vp *vp);
u64 hvp_hv_supported_features(void);

/* hv_cpuid.c */
bool hvp_hv_cpuid(struct hvp_vp *vp, u32 function, u32 *eax, u32 *ebx, u32 *ecx, u32 *edx);

/* hv_msr.c */
bool hvp_hv_msr_owned(u32 index);
int hvp_hv_msr_get(struct hvp_vp *vp, u32 index, u64 *value, bool from_host);
int hvp_hv_msr_set(struct hvp_vp *vp, u32 index, u64 value, bool from_host);

/* tsc_page.c: reference time */
void hvp_hv_ref_time_init(struct hvp_partition *part);
u64 hvp_hv_ref_time(struct hvp_vp *vp);
u64 hvp_hv_ref_time_partition(struct hvp_partition *part);
int hvp_hv_tsc_page_update(struct hvp_partition *part);

/* hypercall.c */
int hvp_hv_hypercall(struct hvp_vp *vp);

/* synic.c */
void hvp_synic_init(struct hvp_vp *vp);
void hvp_synic_destroy(struct hvp_vp *vp);
int hvp_synic_msr_get(struct hvp_vp *vp, u32 index, u64 *value);
int hvp_synic_msr_set(struct hvp_vp *vp, u32 index, u64 value, bool from_host);
int hvp_synic_queue_message(struct hvp_vp *vp, u32 sint, const struct hv_message *msg);
int hvp_synic_queue_event(struct hvp_vp *vp, u32 sint, u32 flag);
void hvp_synic_process(struct hvp_vp *vp);
bool hvp_synic_deliver_timer(struct hvp_vp *vp, u32 sint, const struct hv_message *msg);
int hvp_hv_post_ioctl(struct hvp_partition *part, const void __user *uarg);
int hvp_hv_signal_ioctl(struct hvp_partition *part, const void __user *uarg);

/* stimer.c */
void hvp_stimer_init(struct hvp_vp *vp);
void hvp_stimer_destroy(struct hvp_vp *vp);
int hvp_stimer_msr_get(struct hvp_vp *vp, u32 index, u64 *value);
int hvp_stimer_msr_set(struct hvp_vp *vp, u32 index, u64 value, bool from_host);
void hvp_stimer_process(struct hvp_vp *vp);

/* connection.c */
struct hvp_hv_conn_ops {
	/* HvPostMessage to the id; returns an HV_STATUS. Atomic context. */
	u16 (*post)(void *priv, struct hvp_vp *vp, u32 type, u32 size, const u8 *payload);
	/* HvSignalEvent to the id. Atomic context. */
	void (*signal)(void *priv, struct hvp_vp *vp);
};
int hvp_hv_conn_register_kernel(struct hvp_partition *part, u32 id, u32 type,
				const struct hvp_hv_conn_ops *ops, void *priv);
void hvp_hv_conn_unregister_kernel(struct hvp_partition *part, u32 id);
int hvp_hv_connect_ioctl(struct hvp_partition *part, const void __user *uarg);
u16 hvp_hv_post_to_connection(struct hvp_vp *vp, u32 conn_id, u32 type, u32 size,
			      const u8 *payload);
u16 hvp_hv_signal_connection(struct hvp_vp *vp, u32 conn_id);
void hvp_hv_connections_destroy(struct hvp_partition *part);

#endif /* HVP_HV_H */
