/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `hvctl kvp`: the host's side of Hyper-V's key/value exchange (KVP), an
 * integration service the module hosts (vmbus/ic/kvp.c). The client
 * (cmd-kvp.c) asks the worker over the control socket; the worker
 * (kvp.c) makes the HVPART_VMBUS_KVP call, which waits for the guest.
 *
 * Request:  "kvp get POOL KEY" | "kvp set POOL KEY VALUE" |
 *           "kvp delete POOL KEY" | "kvp enumerate POOL INDEX"
 * Reply:    "ok status=0xHRESULT key=KEY value=VALUE" | "error MESSAGE"
 * KEY and VALUE are UTF-8 in hex ("-" when empty), so any string fits
 * on the one line; status is the guest's answer, 0 for success.
 */
#ifndef HVPART_TOOLS_HVCTL_KVP_H
#define HVPART_TOOLS_HVCTL_KVP_H

#include <stdint.h>

/* What the wire holds, in UTF-8 bytes without the NUL (uapi hvpart.h). */
#define KVP_KEY_MAX		511
#define KVP_VALUE_MAX		2047

/* Linux's hv_kvp_daemon answers this for "no such key" and "no more". */
#define KVP_S_CONT		0x80070103u

/* The pools, as Hyper-V numbers them: "external" is 0, ..., or a digit. */
int kvp_pool_parse(const char *s);
const char *kvp_pool_name(unsigned int pool);

#endif /* HVPART_TOOLS_HVCTL_KVP_H */
