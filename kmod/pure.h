/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The only header that pure-logic files (instruction decoder, guest page
 * walker, ring and message code) include: fixed-width types and a few
 * helpers, from the kernel when built into hvpart.ko and from libc when the
 * same file is built as a userspace unit test or fuzz target.
 */
#ifndef HVP_PURE_H
#define HVP_PURE_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#include <linux/errno.h>
#else
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <errno.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
#endif

#endif /* HVP_PURE_H */
