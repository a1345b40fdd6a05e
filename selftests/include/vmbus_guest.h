/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal VMBus client (VSC) for guest code, shaped after Linux's
 * hv_vmbus (drivers/hv/connection.c, channel_mgmt.c, channel.c,
 * ring_buffer.c) but tiny, plus the host-side helpers a test needs to run
 * it against the module's VMBus host: HVPART_VMBUS_* wrappers and a
 * userspace VSP on a channel fd (vmbus/ring.c linked in).
 *
 * Guest side. vmbus_guest_init() identifies the guest, enables hypercalls,
 * the x2APIC and the SynIC (SINT2 -> VMBUS_VECTOR, as Linux) and a 5 ms
 * synthetic-timer tick (direct mode), so that every wait is a HLT loop
 * with a deadline: a request the host never answers fails the test with
 * the message type it waited for instead of hanging it. Messages arriving
 * are pumped from the SIMP slot into: the offer table (OFFERCHANNEL,
 * RESCIND), a flag (ALLOFFERS_DELIVERED) and a queue of everything else
 * that vmbus_wait() searches by type and key. vmbus_g.log keeps the type
 * of every message received, in order.
 *
 * Channels. vmbus_gpadl_create() sends GPADL_HEADER and as many GPADL_BODY
 * messages as the PFNs need (26 in the header, 28 per body) and waits for
 * GPADL_CREATED; vmbus_chan_open() builds a ring GPADL (send ring, then
 * receive ring, each a header page and data), sends OPENCHANNEL and waits
 * for the result. Rings follow Linux's rules: signal the host only on
 * empty -> non-empty unless it masked interrupts, signal after reading
 * when the host waits for room (pending_send_sz); packets from the host
 * are checked (descriptor, trailer) and a malformed one fails the test.
 *
 * The host side needs VMBUS_HV_FEATURES and vmbus_vm_setup() (interrupt
 * handlers) before the guest runs.
 */
#ifndef SELFTEST_HVPART_VMBUS_GUEST_H
#define SELFTEST_HVPART_VMBUS_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "../../vmbus/proto.h"
#include "hyperv.h"

#define VMBUS_VECTOR		0xf3	/* HYPERVISOR_CALLBACK_VECTOR */
#define VMBUS_TICK_VECTOR	0xed
#define VMBUS_TICK_100NS	50000	/* 5 ms */
#define VMBUS_WAIT_MS		20000	/* how long a guest waits for an answer */

#define VMBUS_MAX_RELID		2048
#define VMBUS_QUEUE_LEN		128
#define VMBUS_LOG_LEN		4096
#define VMBUS_GPADL_FIRST	0xe1e10	/* Linux's first GPADL handle */
#define VMBUS_HEADER_PFNS	26
#define VMBUS_BODY_PFNS		28

/* Channel connection ids the module uses for its channels (uapi comment). */
#define VMBUS_CHAN_CONN_BASE	0xa00000

#define HV_FEATURES_VMBUS	(HVPART_HV_F(HYPERCALL) | HVPART_HV_F(VP_INDEX) |	\
				 HVPART_HV_F(TIME_REF_COUNT) | HVPART_HV_F(SYNIC) |	\
				 HVPART_HV_F(STIMER) | HVPART_HV_F(STIMER_DIRECT))

/* Integration-service class GUIDs, wire byte order (hyperv-facts §6.0). */
#define VMBUS_GUID_HEARTBEAT	{ 0x39, 0x4f, 0x16, 0x57, 0x15, 0x91, 0x78, 0x4e, \
				  0xab, 0x55, 0x38, 0x2f, 0x3b, 0xd5, 0x42, 0x2d }
#define VMBUS_GUID_SHUTDOWN	{ 0x31, 0x60, 0x0b, 0x0e, 0x13, 0x52, 0x34, 0x49, \
				  0x81, 0x8b, 0x38, 0xd9, 0x0c, 0xed, 0x39, 0xdb }
#define VMBUS_GUID_TIMESYNC	{ 0x30, 0xe6, 0x27, 0x95, 0xae, 0xd0, 0x7b, 0x49, \
				  0xad, 0xce, 0xe8, 0x0a, 0xb0, 0x17, 0x5c, 0xaf }
#define VMBUS_GUID_KVP		{ 0xe7, 0xf4, 0xa0, 0xa9, 0x45, 0x5a, 0x96, 0x4d, \
				  0xb8, 0x27, 0x8a, 0x84, 0x1e, 0x8c, 0x03, 0xe6 }

/* One message as it arrived: its length and payload. */
struct vmbus_rx {
	uint32_t len;
	union {
		uint8_t b[VMBUS_MSG_MAX_SIZE];
		struct vmbus_msg_header h;
		struct vmbus_msg_version_response version;
		struct vmbus_msg_open_result open_result;
		struct vmbus_msg_gpadl_created gpadl_created;
		struct vmbus_msg_gpadl_torndown gpadl_torndown;
		struct vmbus_msg_modify_channel_response modify;
		struct vmbus_msg_offer offer;
		struct vmbus_msg_rescind rescind;
	};
};

struct vmbus_guest_state {
	uint32_t version;		/* negotiated, 0 when not connected */
	uint32_t msg_conn_id;		/* where channel messages go */
	bool all_offers;		/* ALLOFFERS_DELIVERED seen */
	uint32_t nr_offers;		/* OFFERCHANNELs seen */
	uint32_t nr_rescinds;
	bool offered[VMBUS_MAX_RELID];
	bool rescinded[VMBUS_MAX_RELID];
	struct vmbus_msg_offer offers[VMBUS_MAX_RELID];

	struct vmbus_rx queue[VMBUS_QUEUE_LEN];
	uint32_t queued;

	uint32_t log[VMBUS_LOG_LEN];	/* message types received, in order */
	uint32_t log_len;
	uint32_t next_gpadl;
	uint32_t post_retries;		/* INSUFFICIENT_BUFFERS seen by vmbus_send */
};

extern struct vmbus_guest_state vmbus_g;
extern volatile uint64_t vmbus_irqs, vmbus_ticks;

/* ---- guest: the bus ------------------------------------------------------------ */

void vmbus_guest_init(void);
/* Sleep until an interrupt (the SINT or the tick). */
void vmbus_idle(void);
/* Partition reference time in ms. */
uint64_t vmbus_now_ms(void);

/* HvPostMessage as is: any connection, type and size; returns the status. */
uint16_t vmbus_post_raw(uint32_t conn_id, uint32_t hv_type, const void *payload, uint32_t size);
/* A channel message to vmbus_g.msg_conn_id, retried while the host's inbox is full. */
void vmbus_send(const void *msg, uint32_t len);
/* The same to @conn_id; returns the final status instead of asserting. */
uint16_t vmbus_send_to(uint32_t conn_id, const void *msg, uint32_t len);

/* Move messages from the SIMP slot into the offer table and the queue. */
void vmbus_pump(void);
/*
 * Wait for a queued message of @type whose u32 at byte @key_off equals
 * @key (@key_off 0: any), take it into @out (may be NULL). False after
 * @timeout_ms.
 */
bool vmbus_wait(uint32_t type, uint32_t key_off, uint32_t key, struct vmbus_rx *out,
		uint64_t timeout_ms);
/* The same, failing the test with @what when nothing comes. */
void __vmbus_expect(uint32_t type, uint32_t key_off, uint32_t key, struct vmbus_rx *out,
		    const char *what, const char *file, uint64_t line);
#define vmbus_expect(type, key_off, key, out)						\
	__vmbus_expect(type, key_off, key, out, "no " #type " from the host", __FILE__,	\
		       __LINE__)
/* Nothing but bookkeeping arrives for @ms: the queue stays empty. */
bool vmbus_quiet(uint64_t ms);
/* Drop everything queued. */
void vmbus_flush_queue(void);

/*
 * Every message sent before has been handled: GPADL_TEARDOWN of a handle
 * nobody uses always gets GPADL_TORNDOWN, in order.
 */
void vmbus_ping(void);
/* The same, dropping whatever arrives before the answer (and the queue). */
void vmbus_ping_flush(void);

/* INITIATE_CONTACT(@version) to @conn_id; the VERSION_RESPONSE in *out. */
bool vmbus_initiate_contact(uint32_t version, uint32_t conn_id, uint32_t target_vcpu,
			    uint64_t sint_or_page, struct vmbus_rx *out);
/* Linux's connect: 5.x to connection 4, older to 1; true when accepted. */
bool vmbus_connect(uint32_t version);
/* REQUESTOFFERS, then wait for ALLOFFERS_DELIVERED. */
void vmbus_request_offers(void);
/* The @n-th offer (0 first, lowest relid) of class @type, or 0. */
uint32_t vmbus_find_offer(const uint8_t type[16], unsigned int n);
void vmbus_unload(void);

/* ---- guest: GPADLs and channels ---------------------------------------------- */

/*
 * @n zeroed pages from the guest's pool (GVA == GPA): the binary's own
 * pages, or the region vmbus_vm_add_pool() mapped.
 */
void *vmbus_pages(uint32_t n);
/* Back to an empty pool (nothing may use its pages any more). */
void vmbus_pages_reset(void);

/* GPADL_HEADER + GPADL_BODY for @npages PFNs; returns the creation status. */
uint32_t vmbus_gpadl_pfns(uint32_t relid, uint32_t gpadl, const uint64_t *pfns, uint32_t npages);
/* The same for contiguous pages at @va; *gpadl gets the handle used. */
uint32_t vmbus_gpadl_create(uint32_t relid, const void *va, uint32_t npages, uint32_t *gpadl);
void vmbus_gpadl_teardown(uint32_t relid, uint32_t gpadl);

struct vmbus_gring {
	struct vmbus_ring_header *hdr;
	uint8_t *data;
	uint32_t size;
};

struct vmbus_chan {
	uint32_t relid;
	uint32_t conn_id;		/* from the offer: HvSignalEvent target */
	uint32_t gpadl;
	uint32_t send_pages, recv_pages;	/* each ring, header page included */
	void *ring;
	struct vmbus_gring send;	/* guest -> host */
	struct vmbus_gring recv;	/* host -> guest */
	uint32_t signals;		/* HvSignalEvents made */
};

/*
 * Ring GPADL of @send_pages + @recv_pages pages (headers included) and
 * OPENCHANNEL on VP @target_vp. Returns the OPENCHANNEL_RESULT status
 * (0 = open); the GPADL stays either way (vmbus_chan_close tears it down).
 */
uint32_t vmbus_chan_open(struct vmbus_chan *c, uint32_t relid, uint32_t send_pages,
			 uint32_t recv_pages, uint32_t target_vp);
/* The same with OPENCHANNEL user data (up to 120 bytes). */
uint32_t vmbus_chan_open_ud(struct vmbus_chan *c, uint32_t relid, uint32_t send_pages,
			    uint32_t recv_pages, uint32_t target_vp, const void *ud,
			    uint32_t ud_len);
/* CLOSECHANNEL, then GPADL_TEARDOWN of the ring. */
void vmbus_chan_close(struct vmbus_chan *c);
/* HvSignalEvent to the channel's connection id; returns the status. */
uint16_t vmbus_chan_signal(struct vmbus_chan *c);
/* One packet; -EAGAIN when the ring is full. Signals the host by the rules. */
int vmbus_chan_send(struct vmbus_chan *c, uint16_t type, uint16_t flags, uint64_t trans_id,
		    const void *payload, uint32_t len);
/*
 * The same, waiting while the ring is full: pending_send_sz asks the host
 * to signal once it has read enough. Fails the test after @timeout_ms.
 */
void vmbus_chan_send_wait(struct vmbus_chan *c, uint16_t type, uint16_t flags,
			  uint64_t trans_id, const void *payload, uint32_t len,
			  uint64_t timeout_ms);
/* The next packet (descriptor included) into @buf; -EAGAIN when empty. */
int vmbus_chan_recv(struct vmbus_chan *c, void *buf, uint32_t buflen, uint32_t *len);
/* Test and clear the channel's event flag (SIEF slot 2, bit relid). */
bool vmbus_chan_event(struct vmbus_chan *c);
bool vmbus_event_flag(uint32_t relid);
/* Wait until a packet is readable; false after @timeout_ms. */
bool vmbus_chan_wait(struct vmbus_chan *c, uint64_t timeout_ms);
/* Bytes the host has written and the guest not read. */
uint32_t vmbus_chan_pending(struct vmbus_chan *c);

/* ---- host side --------------------------------------------------------------------- */

struct hvp_vm;
struct hvp_vp;

/*
 * A partition for VMBus guests: HV_FEATURES_VMBUS, no HLT exits (a halted
 * VP sleeps in the kernel until its SINT or tick), VP 0 running @guest and
 * the interrupt handlers vmbus_guest_init() relies on.
 */
struct hvp_vm *vmbus_vm_create(struct hvp_vp **vp, void (*guest)(void));
/*
 * Back the guest's page pool (rings, GPADLs) with @pages of shared memory
 * (memfd) at @gpa instead of the binary's anonymous pages.
 */
void vmbus_vm_add_pool(struct hvp_vm *vm, uint64_t gpa, uint32_t pages);
/* Install the guest's VMBus interrupt handlers (done by vmbus_vm_create). */
void vmbus_vm_setup(struct hvp_vm *vm);

int __vm_vmbus_create(struct hvp_vm *vm, uint32_t ics);
void vm_vmbus_create(struct hvp_vm *vm, uint32_t ics);
int __vm_vmbus_offer(struct hvp_vm *vm, const struct hvpart_vmbus_offer *o);
/* Offer a channel of class @type, instance @instance; returns the channel fd. */
int vm_vmbus_offer(struct hvp_vm *vm, const uint8_t type[16], const uint8_t instance[16]);
void vm_vmbus_status(struct hvp_vm *vm, struct hvpart_vmbus_status *st);

/* A class GUID for test channels; instance @n. */
void vmbus_test_guid(uint8_t out[16], uint32_t n);

#endif /* SELFTEST_HVPART_VMBUS_GUEST_H */
