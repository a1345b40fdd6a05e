/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the pure VMBus files (proto.h, ring.c, chan_msg.c) may use: the
 * fixed-width types and a few primitives, from the kernel inside hvpart.ko
 * and from libc in the userspace unit tests and fuzz targets.
 */
#ifndef HVP_VMBUS_COMPAT_H
#define HVP_VMBUS_COMPAT_H

#include "../kmod/pure.h"

#ifdef __KERNEL__
#include <linux/compiler.h>
#include <asm/barrier.h>
#else
#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v)	(*(volatile __typeof__(x) *)&(x) = (v))
#define virt_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define virt_rmb()		__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define virt_wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)
#endif

#endif /* HVP_VMBUS_COMPAT_H */
