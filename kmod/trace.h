/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of hvpart, usable with trace-cmd and perf:
 *   trace-cmd record -e hvpart       perf stat -e 'hvpart:*'
 * hvpart_entry fires before each guest entry, hvpart_exit after each exit
 * with the vendor-neutral reason and the raw hardware exit code.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM hvpart

#if !defined(HVP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define HVP_TRACE_H

#include <linux/tracepoint.h>
#include "hvpart.h"

#define HVP_EXIT_TRACE_ENUM(name, str) TRACE_DEFINE_ENUM(HVP_EXIT_##name);
HVP_EXIT_REASONS(HVP_EXIT_TRACE_ENUM)
TRACE_DEFINE_ENUM(HVP_EXIT_COUNT);
#undef HVP_EXIT_TRACE_ENUM

#define HVP_EXIT_SYMBOL(name, str) { HVP_EXIT_##name, str },
#define HVP_EXIT_SYMBOLS HVP_EXIT_REASONS(HVP_EXIT_SYMBOL) { HVP_EXIT_COUNT, "invalid" }

TRACE_EVENT(hvpart_entry,
	TP_PROTO(struct hvp_vp *vp),
	TP_ARGS(vp),

	TP_STRUCT__entry(
		__field(u32, partition)
		__field(u32, vp)
		__field(u64, rip)
	),

	TP_fast_assign(
		__entry->partition = vp->part->id;
		__entry->vp = vp->index;
		__entry->rip = vp->rip;
	),

	TP_printk("partition %u vp %u rip %#llx", __entry->partition, __entry->vp,
		  __entry->rip)
);

TRACE_EVENT(hvpart_exit,
	TP_PROTO(struct hvp_vp *vp),
	TP_ARGS(vp),

	TP_STRUCT__entry(
		__field(u32, partition)
		__field(u32, vp)
		__field(u32, reason)
		__field(u64, rip)
		__field(u64, hw_exit_code)
		__field(u64, info1)
		__field(u64, info2)
		__field(u32, injected)
		__field(u32, int_info)
	),

	TP_fast_assign(
		__entry->partition = vp->part->id;
		__entry->vp = vp->index;
		__entry->reason = vp->exit.reason;
		__entry->rip = vp->rip;
		__entry->hw_exit_code = vp->exit.hw_code;
		__entry->info1 = vp->exit.info1;
		__entry->info2 = vp->exit.info2;
		__entry->injected = vp->exit.injected;
		__entry->int_info = vp->exit.int_info;
	),

	TP_printk("partition %u vp %u reason %s rip %#llx hw_exit_code %#llx info %#llx %#llx injected %#x in_delivery %#x",
		  __entry->partition, __entry->vp,
		  __print_symbolic(__entry->reason, HVP_EXIT_SYMBOLS),
		  __entry->rip, __entry->hw_exit_code, __entry->info1, __entry->info2,
		  __entry->injected, __entry->int_info)
);

/* One VMBus channel-management message, either way (vmbus/vmbus.c). */
TRACE_EVENT(hvpart_vmbus_msg,
	TP_PROTO(u32 partition, bool to_guest, u32 type, const char *name, u32 arg, u32 len),
	TP_ARGS(partition, to_guest, type, name, arg, len),

	TP_STRUCT__entry(
		__field(u32, partition)
		__field(bool, to_guest)
		__field(u32, type)
		__string(name, name)
		__field(u32, arg)
		__field(u32, len)
	),

	TP_fast_assign(
		__entry->partition = partition;
		__entry->to_guest = to_guest;
		__entry->type = type;
		__assign_str(name, name);
		__entry->arg = arg;
		__entry->len = len;
	),

	TP_printk("partition %u %s %s (%u) arg %#x len %u", __entry->partition,
		  __entry->to_guest ? "host->guest" : "guest->host", __get_str(name),
		  __entry->type, __entry->arg, __entry->len)
);

#endif /* HVP_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
