// SPDX-License-Identifier: GPL-2.0
/*
 * The selftests' userspace VSP (vmbus_host.h): a channel fd, its rings
 * mmap'd and driven by vmbus/ring.c, and its two eventfd doorbells.
 */
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hvp_util.h"
#include "vmbus_guest.h"
#include "vmbus_host.h"

void vsp_offer(struct vsp *v, struct hvp_vm *vm, uint32_t instance)
{
	uint8_t type[16], inst[16];

	memset(v, 0, sizeof(*v));
	v->vm = vm;
	v->guest_kick = -1;
	v->host_kick = -1;
	vmbus_test_guid(type, 0);
	vmbus_test_guid(inst, instance);
	v->fd = vm_vmbus_offer(vm, type, inst);
}

int vsp_event(struct vsp *v, struct hvpart_vmbus_chan_event *ev, int timeout_ms)
{
	struct pollfd p = { .fd = v->fd, .events = POLLIN };
	ssize_t n;
	int r;

	r = poll(&p, 1, timeout_ms);
	TEST_ASSERT(r >= 0, "poll on the channel fd");
	if (!r)
		return 0;
	n = read(v->fd, ev, sizeof(*ev));
	TEST_ASSERT(n == sizeof(*ev), "read of a channel event returned %zd (%s)", n,
		    strerror(errno));
	return 1;
}

void vsp_expect_event(struct vsp *v, uint32_t type, struct hvpart_vmbus_chan_event *ev,
		      int timeout_ms)
{
	struct hvpart_vmbus_chan_event e;

	TEST_ASSERT(vsp_event(v, &e, timeout_ms), "no channel event %u within %d ms", type,
		    timeout_ms);
	TEST_ASSERT(e.type == type, "channel event %u, wanted %u", e.type, type);
	if (ev)
		*ev = e;
}

int __vsp_attach(struct vsp *v, const struct hvpart_vmbus_chan_event *ev)
{
	struct hvpart_vmbus_chan_eventfds fds;
	uint32_t in = ev->in_ring_size, out = ev->out_ring_size;

	TEST_ASSERT(in > 4096 && out > 4096 && !(in % 4096) && !(out % 4096),
		    "OPENED with ring sizes %u and %u", in, out);
	v->opened = *ev;
	v->map_len = (size_t)in + out;
	v->map = mmap(NULL, v->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->map == MAP_FAILED) {
		v->map = NULL;
		return -errno;
	}
	TEST_ASSERT(!hvp_ring_init(&v->in, v->map, v->map + 4096, in - 4096) &&
		    !hvp_ring_init(&v->out, v->map + in, v->map + in + 4096, out - 4096),
		    "hvp_ring_init");
	v->guest_kick = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	v->host_kick = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	TEST_ASSERT(v->guest_kick >= 0 && v->host_kick >= 0, "eventfd");
	fds = (struct hvpart_vmbus_chan_eventfds){
		.guest_kick = v->guest_kick, .host_kick = v->host_kick,
	};
	hvp_ioctl(v->fd, HVPART_VMBUS_CHAN_SET_EVENTFDS, &fds, "channel fd");
	return 0;
}

void vsp_attach(struct vsp *v, const struct hvpart_vmbus_chan_event *ev)
{
	int r = __vsp_attach(v, ev);

	errno = -r;
	TEST_ASSERT(!r, "mmap of the channel's rings (%u + %u bytes)", ev->in_ring_size,
		    ev->out_ring_size);
}

void vsp_detach(struct vsp *v)
{
	struct hvpart_vmbus_chan_eventfds fds = { .guest_kick = -1, .host_kick = -1 };

	if (v->fd >= 0)
		hvp_ioctl(v->fd, HVPART_VMBUS_CHAN_SET_EVENTFDS, &fds, "channel fd");
	if (v->map) {
		munmap(v->map, v->map_len);
		v->map = NULL;
	}
	if (v->guest_kick >= 0)
		close(v->guest_kick);
	if (v->host_kick >= 0)
		close(v->host_kick);
	v->guest_kick = v->host_kick = -1;
}

void vsp_close(struct vsp *v)
{
	if (v->map)
		vsp_detach(v);
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
}

void vsp_kick_guest(struct vsp *v)
{
	uint64_t one = 1;

	TEST_ASSERT(write(v->host_kick, &one, 8) == 8, "write to host_kick");
	v->kicks_out++;
}

int vsp_recv(struct vsp *v, void *buf, uint32_t buflen, uint32_t *len)
{
	bool signal = false;
	int r = hvp_ring_recv(&v->in, buf, buflen, len, &signal);

	if (signal)
		vsp_kick_guest(v);
	return r;
}

int vsp_send(struct vsp *v, uint16_t type, uint16_t flags, uint64_t trans_id,
	     const void *payload, uint32_t len)
{
	bool signal = false;
	int r = hvp_ring_send(&v->out, type, flags, trans_id, NULL, 0, payload, len, &signal);

	if (signal)
		vsp_kick_guest(v);
	return r;
}

bool vsp_wait_kick(struct vsp *v, int timeout_ms)
{
	struct pollfd p = { .fd = v->guest_kick, .events = POLLIN };
	uint64_t count;

	if (poll(&p, 1, timeout_ms) <= 0)
		return false;
	if (read(v->guest_kick, &count, 8) != 8)
		return false;
	v->kicks_in += count;
	return true;
}
