// SPDX-License-Identifier: GPL-2.0
/*
 * VMBus connection from a minimal guest VSC (lib/vmbus_guest.c): the
 * VMBus ioctls' own errors; version negotiation the way Linux 6.1 does it
 * (5.x on connection 4 with the message SINT, older on connection 1 with
 * an interrupt page; unsupported versions, a missing VP and unregistered
 * connections refused); REQUESTOFFERS collecting the channels the VMM
 * offered and the in-kernel integration services, each offer's fields,
 * ALLOFFERS_DELIVERED last, offers added while connected; a second
 * INITIATE_CONTACT and UNLOAD forgetting the guest's channels and GPADLs.
 */
#include <stdlib.h>
#include <unistd.h>

#include "hvp_util.h"
#include "hyperv.h"
#include "vmbus_guest.h"

#define ALL_ICS		HVPART_VMBUS_IC_MASK

static const uint8_t guid_heartbeat[16] = VMBUS_GUID_HEARTBEAT;
static const uint8_t guid_shutdown[16] = VMBUS_GUID_SHUTDOWN;
static const uint8_t guid_timesync[16] = VMBUS_GUID_TIMESYNC;
static const uint8_t guid_kvp[16] = VMBUS_GUID_KVP;
/* vmbus_test_guid(, 0): the class of the VMM's test channels. */
static const uint8_t guid_test[16] = { 0x68, 0x76, 0x70, 0x61, 0x72, 0x74, 0x2d, 0x74,
				       0x65, 0x73, 0x74, 0, 0, 0, 0, 0 };

/* ---- the ioctls ------------------------------------------------------------------- */

static void ioctl_errors(const void *arg __unused)
{
	struct hvp_vm *vm = vm_create_with_flags(HVP_DEFAULT_MEM_SIZE, 0);
	struct hvpart_vmbus_create c = {};
	struct hvpart_vmbus_status st;
	struct hvpart_vmbus_offer o = {};
	struct hvpart_vmbus_shutdown sd = {};
	struct hvpart_vmbus_kvp *kvp = calloc(1, sizeof(*kvp));

	/* No SynIC yet. */
	TEST_ASSERT(__vm_vmbus_create(vm, 0) == -1 && errno == EINVAL, "CREATE without SynIC");
	TEST_ASSERT(__vm_ioctl(vm, HVPART_VMBUS_STATUS, &st) == -1 && errno == ENOTCONN,
		    "STATUS before CREATE: errno %d", errno);
	TEST_ASSERT(__vm_vmbus_offer(vm, &o) == -1 && errno == ENOTCONN,
		    "OFFER before CREATE: errno %d", errno);
	TEST_ASSERT(__vm_ioctl(vm, HVPART_VMBUS_SHUTDOWN, &sd) == -1 && errno == ENODEV,
		    "SHUTDOWN before CREATE: errno %d", errno);
	TEST_ASSERT(__vm_ioctl(vm, HVPART_VMBUS_KVP, kvp) == -1 && errno == ENODEV,
		    "KVP before CREATE: errno %d", errno);

	vm_set_hv_config(vm, HV_FEATURES_VMBUS);
	TEST_ASSERT(__vm_vmbus_create(vm, HVPART_VMBUS_IC_MASK + 1) == -1 && errno == EINVAL,
		    "CREATE with an unknown IC bit");
	c.flags = 1;
	TEST_ASSERT(__vm_ioctl(vm, HVPART_VMBUS_CREATE, &c) == -1 && errno == EINVAL,
		    "CREATE with flags");
	c.flags = 0;
	c.rsvd[2] = 1;
	TEST_ASSERT(__vm_ioctl(vm, HVPART_VMBUS_CREATE, &c) == -1 && errno == EINVAL,
		    "CREATE with rsvd");
	vm_vmbus_create(vm, HVPART_VMBUS_IC(HEARTBEAT));
	TEST_ASSERT(__vm_vmbus_create(vm, 0) == -1 && errno == EEXIST, "CREATE twice: errno %d",
		    errno);

	vm_vmbus_status(vm, &st);
	TEST_ASSERT(st.version == 0 && st.channels == 1 && st.open_channels == 0 && !st.gpadls &&
		    !st.ics_ready && st.heartbeat_age_ms == ~0ULL,
		    "fresh bus: version %#x channels %u open %u gpadls %u ready %#x age %llu",
		    st.version, st.channels, st.open_channels, st.gpadls, st.ics_ready,
		    (unsigned long long)st.heartbeat_age_ms);

	o.flags = 1;
	TEST_ASSERT(__vm_vmbus_offer(vm, &o) == -1 && errno == EINVAL, "OFFER with flags");
	o.flags = 0;
	o.rsvd[1] = 1;
	TEST_ASSERT(__vm_vmbus_offer(vm, &o) == -1 && errno == EINVAL, "OFFER with rsvd");

	/* Services not offered, or offered but not opened by the guest. */
	TEST_ASSERT(__vm_ioctl(vm, HVPART_VMBUS_SHUTDOWN, &sd) == -1 && errno == ENODEV,
		    "SHUTDOWN, service not offered: errno %d", errno);
	TEST_ASSERT(__vm_ioctl(vm, HVPART_VMBUS_KVP, kvp) == -1 && errno == ENODEV,
		    "KVP, service not offered: errno %d", errno);
	sd.flags = 2;
	TEST_ASSERT(__vm_ioctl(vm, HVPART_VMBUS_SHUTDOWN, &sd) == -1 && errno == EINVAL,
		    "SHUTDOWN with an unknown flag");
	sd.flags = 0;
	sd.rsvd = 1;
	TEST_ASSERT(__vm_ioctl(vm, HVPART_VMBUS_SHUTDOWN, &sd) == -1 && errno == EINVAL,
		    "SHUTDOWN with rsvd");
	kvp->pool = HVPART_KVP_POOL_COUNT;
	TEST_ASSERT(__vm_ioctl(vm, HVPART_VMBUS_KVP, kvp) == -1 && errno == EINVAL,
		    "KVP with pool %u", kvp->pool);
	free(kvp);
	vm_free(vm);
}

static void ioctl_errors_ics(const void *arg __unused)
{
	struct hvp_vm *vm = vm_create_with_flags(HVP_DEFAULT_MEM_SIZE, 0);
	struct hvpart_vmbus_shutdown sd = {};
	struct hvpart_vmbus_kvp *kvp = calloc(1, sizeof(*kvp));

	vm_set_hv_config(vm, HV_FEATURES_VMBUS);
	vm_vmbus_create(vm, ALL_ICS);
	/* Offered, but no guest opened them: ENOTCONN, at once. */
	TEST_ASSERT(__vm_ioctl(vm, HVPART_VMBUS_SHUTDOWN, &sd) == -1 && errno == ENOTCONN,
		    "SHUTDOWN, service not open: errno %d", errno);
	strcpy(kvp->key, "k");
	TEST_ASSERT(__vm_ioctl(vm, HVPART_VMBUS_KVP, kvp) == -1 && errno == ENOTCONN,
		    "KVP, service not open: errno %d", errno);
	kvp->op = 7;
	TEST_ASSERT(__vm_ioctl(vm, HVPART_VMBUS_KVP, kvp) == -1 && errno == EINVAL,
		    "KVP with operation 7: errno %d", errno);
	kvp->op = HVPART_KVP_OP_GET;
	memset(kvp->key, 'a', sizeof(kvp->key));
	TEST_ASSERT(__vm_ioctl(vm, HVPART_VMBUS_KVP, kvp) == -1 && errno == EINVAL,
		    "KVP with an unterminated key: errno %d", errno);
	free(kvp);
	vm_free(vm);
}

/* ---- version negotiation --------------------------------------------------------- */

struct contact_row {
	uint32_t version;
	uint32_t conn_id;
	uint32_t target_vcpu;
	uint8_t supported;		/* expected */
	uint16_t post_status;		/* expected HvPostMessage status */
	const char *name;
};

static const struct contact_row contact_rows[] = {
	{ 0x00060000, 4, 0, 0, HV_STATUS_SUCCESS, "6.0 (newer than the host) on connection 4" },
	{ 0x00050004, 4, 0, 0, HV_STATUS_SUCCESS, "5.4 (no such version)" },
	{ 0xdeadbeef, 4, 0, 0, HV_STATUS_SUCCESS, "0xdeadbeef" },
	{ 0x00020004, 1, 0, 0, HV_STATUS_SUCCESS, "2.4 (Win8, not served) on connection 1" },
	{ 0x00010001, 1, 0, 0, HV_STATUS_SUCCESS, "1.1" },
	{ 0, 1, 0, 0, HV_STATUS_SUCCESS, "version 0" },
	{ VMBUS_VERSION_WIN10_V5_3, 4, 5, 0, HV_STATUS_SUCCESS, "5.3 naming a VP that does not exist" },
	{ VMBUS_VERSION_WIN10_V5_3, 2, 0, 0, HV_STATUS_INVALID_CONNECTION_ID, "connection 2" },
	{ VMBUS_VERSION_WIN10_V5_3, 3, 0, 0, HV_STATUS_INVALID_CONNECTION_ID, "connection 3" },
	{ VMBUS_VERSION_WIN10_V5_3, 0x800074, 0, 0, HV_STATUS_INVALID_CONNECTION_ID,
	  "OpenVMM's redirect connection 0x800074" },
	{ VMBUS_VERSION_WIN10_V5_3, 4, 0, 1, HV_STATUS_SUCCESS, "5.3 on connection 4" },
	{ VMBUS_VERSION_WIN10, 1, 0, 1, HV_STATUS_SUCCESS, "4.0 on connection 1" },
	{ VMBUS_VERSION_WIN10_V5_3, 1, 0, 1, HV_STATUS_SUCCESS, "5.3 on connection 1" },
};

/* Linux's list, newest first; all but 2.4 are served. */
static const uint32_t linux_versions[] = {
	VMBUS_VERSION_WIN10_V5_3, VMBUS_VERSION_WIN10_V5_2, VMBUS_VERSION_WIN10_V5_1,
	VMBUS_VERSION_WIN10_V5, VMBUS_VERSION_WIN10_RS3, VMBUS_VERSION_WIN10,
	VMBUS_VERSION_WIN8_1, VMBUS_VERSION_WIN8,
};

static uint32_t guest_row;

static void guest_contact(void)
{
	const struct contact_row *r;
	struct vmbus_rx resp;
	struct vmbus_msg_initiate_contact m = { .h.msgtype = VMBUS_MSG_INITIATE_CONTACT };
	uint16_t st;
	unsigned int i;

	vmbus_guest_init();
	for (i = 0; i < ARRAY_SIZE(contact_rows); i++) {
		r = &contact_rows[i];
		m.version = r->version;
		m.target_vcpu = r->target_vcpu;
		m.interrupt_page_or_sint = r->version >= VMBUS_VERSION_WIN10_V5 ?
					   VMBUS_MESSAGE_SINT : 0x200000;
		guest_row = i;
		st = vmbus_send_to(r->conn_id, &m, sizeof(m));
		GUEST_ASSERT_2(st == r->post_status, i, st);
		if (st != HV_STATUS_SUCCESS) {
			/* Nothing reached the bus: no answer. */
			GUEST_ASSERT_1(vmbus_quiet(50), i);
			continue;
		}
		vmbus_expect(VMBUS_MSG_VERSION_RESPONSE, 0, 0, &resp);
		GUEST_ASSERT_2(resp.len >= sizeof(resp.version), i, resp.len);
		GUEST_ASSERT_2(resp.version.version_supported == r->supported, i,
			       resp.version.version_supported);
		if (r->supported) {
			/* Everything after goes to the connection the host names. */
			GUEST_ASSERT_2(resp.version.msg_conn_id == VMBUS_MESSAGE_CONN_ID ||
				       resp.version.msg_conn_id == VMBUS_MESSAGE_CONN_ID_4, i,
				       resp.version.msg_conn_id);
			GUEST_ASSERT_2(resp.version.connection_state == 0, i,
				       resp.version.connection_state);
			vmbus_g.msg_conn_id = resp.version.msg_conn_id;
			vmbus_ping();
		}
		GUEST_SYNC3(1, i, resp.version.version_supported);
	}

	/* Linux's loop: newest first until one is accepted (5.3 here). */
	for (i = 0; i < ARRAY_SIZE(linux_versions); i++)
		if (vmbus_connect(linux_versions[i]))
			break;
	GUEST_ASSERT_1(i == 0, i);
	/* Each of Linux's versions on its own: all but 2.4 accepted. */
	for (i = 0; i < ARRAY_SIZE(linux_versions); i++) {
		bool ok = vmbus_connect(linux_versions[i]);

		GUEST_ASSERT_2(ok == (linux_versions[i] != VMBUS_VERSION_WIN8), i, ok);
		GUEST_SYNC3(2, linux_versions[i], ok);
	}
	GUEST_DONE();
}

static void version_negotiation(const void *arg __unused)
{
	struct hvpart_vmbus_status st;
	struct hvp_vp *vp;
	struct hvp_vm *vm = vmbus_vm_create(&vp, guest_contact);
	struct ucall uc;

	vm_vmbus_create(vm, 0);
	while (vp_run_ucall(vp, &uc) == UCALL_SYNC) {
		vm_vmbus_status(vm, &st);
		if (uc.args[0] == 1) {
			const struct contact_row *r = &contact_rows[uc.args[1]];

			TEST_ASSERT(st.version == (r->supported ? r->version : 0),
				    "%s: STATUS version %#x", r->name, st.version);
			tap_diag("%s: %s", r->name, r->supported ? "accepted" : "refused");
		} else {
			TEST_ASSERT(st.version == (uc.args[2] ? uc.args[1] : 0),
				    "version %#lx: STATUS version %#x", (unsigned long)uc.args[1],
				    st.version);
		}
	}
	vm_free(vm);
}

/* ---- offers ------------------------------------------------------------------------------- */

#define NR_VSP		3

static struct {
	uint32_t relids[16];
	uint32_t n;
} guest_seen;

static void guest_offers(void)
{
	static const uint8_t *const ics[] = { guid_heartbeat, guid_shutdown, guid_timesync,
					      guid_kvp };
	const uint8_t *test_type = guid_test;
	uint32_t relid, i, first_log;

	vmbus_guest_init();
	GUEST_ASSERT(vmbus_connect(VMBUS_VERSION_WIN10_V5_3));
	/* Nothing arrives before the guest asks. */
	GUEST_ASSERT(vmbus_quiet(20) && !vmbus_g.nr_offers);
	first_log = vmbus_g.log_len;
	vmbus_request_offers();
	GUEST_ASSERT_1(vmbus_g.nr_offers == NR_VSP + 4, vmbus_g.nr_offers);
	/* ALLOFFERS_DELIVERED comes after every offer. */
	GUEST_ASSERT_1(vmbus_g.log[first_log + NR_VSP + 4] == VMBUS_MSG_ALLOFFERS_DELIVERED,
		       vmbus_g.log[first_log + NR_VSP + 4]);
	for (i = 0; i < NR_VSP + 4; i++)
		GUEST_ASSERT_2(vmbus_g.log[first_log + i] == VMBUS_MSG_OFFERCHANNEL, i,
			       vmbus_g.log[first_log + i]);

	for (relid = 1; relid < VMBUS_MAX_RELID; relid++) {
		const struct vmbus_msg_offer *o = &vmbus_g.offers[relid];

		if (!vmbus_g.offered[relid])
			continue;
		guest_seen.relids[guest_seen.n++] = relid;
		GUEST_ASSERT_2(o->child_relid == relid, relid, o->child_relid);
		GUEST_ASSERT_2(o->connection_id == VMBUS_CHAN_CONN_BASE + relid, relid,
			       o->connection_id);
		/* No monitor pages: every doorbell is a HvSignalEvent. */
		GUEST_ASSERT_2(!(o->monitor_allocated & 1), relid, o->monitor_allocated);
		GUEST_ASSERT_2(o->is_dedicated_interrupt & 1, relid, o->is_dedicated_interrupt);
		GUEST_ASSERT_2(o->sub_channel_index == 0, relid, o->sub_channel_index);
	}
	for (i = 0; i < 4; i++) {
		relid = vmbus_find_offer(ics[i], 0);
		GUEST_ASSERT_1(relid, i);
		/* One instance per class: the instance GUID is the class GUID. */
		GUEST_ASSERT_1(!memcmp(vmbus_g.offers[relid].if_instance.b, ics[i], 16), i);
		GUEST_ASSERT_1(!vmbus_find_offer(ics[i], 1), i);
	}
	for (i = 0; i < NR_VSP; i++) {
		const struct vmbus_msg_offer *o;

		relid = vmbus_find_offer(test_type, i);
		GUEST_ASSERT_1(relid, i);
		o = &vmbus_g.offers[relid];
		GUEST_ASSERT_2(o->if_instance.b[12] == 10 + i, i, o->if_instance.b[12]);
		GUEST_ASSERT_2(o->chn_flags == 0x100 + i, i, o->chn_flags);
		GUEST_ASSERT_2(o->mmio_megabytes == 16 * i, i, o->mmio_megabytes);
		GUEST_ASSERT_2(o->user_def[0] == i && o->user_def[119] == 0x77, i, o->user_def[0]);
	}
	GUEST_SYNC(1);		/* the host offers one more while we are connected */

	for (i = 0; i < 2000 && vmbus_g.nr_offers < NR_VSP + 5; i++) {
		vmbus_pump();
		vmbus_idle();
	}
	GUEST_ASSERT_1(vmbus_g.nr_offers == NR_VSP + 5, vmbus_g.nr_offers);
	relid = vmbus_find_offer(test_type, NR_VSP);
	GUEST_ASSERT(relid);
	for (i = 0; i < guest_seen.n; i++)
		GUEST_ASSERT_1(guest_seen.relids[i] != relid, relid);
	GUEST_ASSERT(vmbus_quiet(20));
	GUEST_DONE();
}

static void offers(const void *arg __unused)
{
	struct hvpart_vmbus_status st;
	struct hvpart_vmbus_offer o = {};
	struct hvp_vp *vp;
	struct hvp_vm *vm = vmbus_vm_create(&vp, guest_offers);
	uint8_t type[16], inst[16];
	int fds[NR_VSP + 1], i;

	vm_vmbus_create(vm, ALL_ICS);
	vmbus_test_guid(o.class_id, 0);
	for (i = 0; i < NR_VSP; i++) {
		vmbus_test_guid(o.instance_id, 10 + i);
		o.chn_flags = 0x100 + i;
		o.mmio_megabytes = 16 * i;
		memset(o.user_defined, 0x77, sizeof(o.user_defined));
		o.user_defined[0] = i;
		fds[i] = __vm_vmbus_offer(vm, &o);
		TEST_ASSERT(fds[i] >= 0, "OFFER %d", i);
	}
	vm_vmbus_status(vm, &st);
	TEST_ASSERT(st.channels == NR_VSP + 4 && !st.version, "STATUS channels %u", st.channels);
	vp_run_expect_sync(vp, 1);
	vmbus_test_guid(type, 0);
	vmbus_test_guid(inst, 10 + NR_VSP);
	fds[NR_VSP] = vm_vmbus_offer(vm, type, inst);
	vp_run_expect_done(vp);
	vm_vmbus_status(vm, &st);
	TEST_ASSERT(st.channels == NR_VSP + 5 && st.version == VMBUS_VERSION_WIN10_V5_3,
		    "STATUS channels %u version %#x", st.channels, st.version);
	sync_global_from_guest(vm, guest_seen);
	for (i = 0; i < (int)guest_seen.n; i++)
		tap_diag("offer: relid %u", guest_seen.relids[i]);
	for (i = 0; i <= NR_VSP; i++)
		close(fds[i]);
	vm_free(vm);
}

/* ---- a second contact, and UNLOAD ---------------------------------------------------- */

static void guest_reset(void)
{
	const uint8_t *test_type = guid_test;
	struct vmbus_chan hb, vsp;
	uint32_t g_extra, relid;
	uint8_t *extra;
	int round;

	vmbus_guest_init();
	for (round = 0; round < 2; round++) {
		GUEST_ASSERT(vmbus_connect(VMBUS_VERSION_WIN10_V5_3));
		vmbus_request_offers();
		relid = vmbus_find_offer(guid_heartbeat, 0);
		GUEST_ASSERT(relid);
		GUEST_ASSERT(!vmbus_chan_open(&hb, relid, 4, 4, 0));
		relid = vmbus_find_offer(test_type, 0);
		GUEST_ASSERT(relid);
		GUEST_ASSERT(!vmbus_chan_open(&vsp, relid, 2, 2, 0));
		extra = vmbus_pages(30);
		GUEST_ASSERT(!vmbus_gpadl_create(relid, extra, 30, &g_extra));
		GUEST_SYNC2(1, round);		/* host: 2 open, 3 GPADLs */

		if (round == 0) {
			/* INITIATE_CONTACT again: the bus forgets channels and GPADLs. */
			GUEST_ASSERT(vmbus_connect(VMBUS_VERSION_WIN10_V5_3));
		} else {
			vmbus_unload();
		}
		GUEST_SYNC2(2, round);		/* host: nothing open, no GPADLs */
		/* The old handles are gone: tearing one down is still answered. */
		if (round == 0) {
			vmbus_gpadl_teardown(relid, g_extra);
			/* Connected again but not asked: no offers pushed. */
			GUEST_SYNC(3);	/* host offers another channel */
			GUEST_ASSERT(vmbus_quiet(50));
			vmbus_request_offers();
			GUEST_ASSERT(vmbus_find_offer(test_type, 1));
		}
		vmbus_flush_queue();
		vmbus_pages_reset();
	}
	GUEST_DONE();
}

static void contact_again_and_unload(const void *arg __unused)
{
	struct hvpart_vmbus_status st;
	struct hvp_vp *vp;
	struct hvp_vm *vm = vmbus_vm_create(&vp, guest_reset);
	uint8_t type[16], inst[16];
	struct ucall uc;
	int fd, fd2 = -1;

	vm_vmbus_create(vm, HVPART_VMBUS_IC(HEARTBEAT));
	vmbus_test_guid(type, 0);
	vmbus_test_guid(inst, 1);
	fd = vm_vmbus_offer(vm, type, inst);
	while (vp_run_ucall(vp, &uc) == UCALL_SYNC) {
		vm_vmbus_status(vm, &st);
		switch (uc.args[0]) {
		case 1:
			TEST_ASSERT(st.open_channels == 2 && st.gpadls == 3 &&
				    st.version == VMBUS_VERSION_WIN10_V5_3,
				    "round %lu connected: open %u gpadls %u version %#x",
				    (unsigned long)uc.args[1], st.open_channels, st.gpadls,
				    st.version);
			break;
		case 2:
			TEST_ASSERT(st.open_channels == 0 && st.gpadls == 0 && st.channels == 2 + (fd2 >= 0),
				    "round %lu after %s: open %u gpadls %u channels %u",
				    (unsigned long)uc.args[1], uc.args[1] ? "UNLOAD" : "a second contact",
				    st.open_channels, st.gpadls, st.channels);
			TEST_ASSERT(st.version == (uc.args[1] ? 0 : VMBUS_VERSION_WIN10_V5_3),
				    "version %#x", st.version);
			break;
		case 3:
			vmbus_test_guid(inst, 2);
			fd2 = vm_vmbus_offer(vm, type, inst);
			break;
		}
	}
	TEST_ASSERT(uc.cmd == UCALL_DONE, "guest done");
	close(fd);
	close(fd2);
	vm_free(vm);
}

int main(void)
{
	static const struct hvp_test tests[] = {
		HVP_TEST(ioctl_errors),
		HVP_TEST(ioctl_errors_ics),
		HVP_TEST(version_negotiation),
		HVP_TEST(offers),
		HVP_TEST(contact_again_and_unload),
	};

	return tap_main(tests, ARRAY_SIZE(tests));
}
