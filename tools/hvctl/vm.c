// SPDX-License-Identifier: GPL-2.0
/*
 * The worker (vm.h): build a partition from a validated run_config, run
 * its VPs, serve the control socket, and tear everything down in reverse
 * order, whatever ended the run. vm_run() returns the exit status.
 *
 * Build order, each undone by the matching err_ label:
 *   /dev/hvpart and its capabilities  (the first missing one is named)
 *   console (stdio or pty), control socket
 *   partition, guest memory (one hugepage-friendly mapping, two GPA ranges)
 *   ACPI tables and the kernel in guest memory
 *   devices, VPs (the boot processor's registers from the loader)
 *   VP threads (pinned to --affinity), then the main loop
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <poll.h>
#include <unistd.h>

#include "acpi.h"
#include "control.h"
#include "hvctl.h"
#include "vm.h"

#define PAUSE_WAIT_SECONDS	5

/* The devices, in init order; exit runs in reverse. */
static const struct {
	const char *name;
	int (*init)(struct vm *vm);
	void (*exit)(struct vm *vm);
} devices[] = {
	{ "ioapic", ioapic_init, ioapic_exit },
	{ "com1", serial_init, serial_exit },
	{ "acpi-pm", pm_init, pm_exit },
	{ "rtc", rtc_init, rtc_exit },
	{ "pit", pit_init, pit_exit },
	{ "debug ports", debugport_init, NULL },
};

static void vm_kick_handler(int sig)
{
	(void)sig;	/* only there to make HVPART_RUN_VP return -EINTR */
}

/* thread_started is written under vm->lock (vm_start_threads), read here. */
void vm_kick_all(struct vm *vm)
{
	unsigned int i;

	pthread_mutex_lock(&vm->lock);
	pthread_cond_broadcast(&vm->cond);
	for (i = 0; i < vm->nr_vps; i++) {
		struct vp *vp = &vm->vps[i];

		if (!vp->thread_started)
			continue;
		__atomic_store_n(&vp->hvp.run->immediate_exit, 1, __ATOMIC_SEQ_CST);
		pthread_kill(vp->thread, SIGUSR1);
	}
	pthread_mutex_unlock(&vm->lock);
}

void vm_finish(struct vm *vm, int code, const char *fmt, ...)
{
	uint64_t one = 1;
	va_list ap;
	bool first;

	pthread_mutex_lock(&vm->lock);
	first = vm->state != VM_FINISHED;
	if (first) {
		vm->state = VM_FINISHED;
		vm->exit_code = code;
		va_start(ap, fmt);
		vsnprintf(vm->exit_msg, sizeof(vm->exit_msg), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&vm->lock);
	if (!first)
		return;
	if (write(vm->wake_fd, &one, sizeof(one)) < 0)
		hvctl_debug("%s: eventfd: %s", vm->cfg->name, strerror(errno));
	vm_kick_all(vm);
}

int vm_pause(struct vm *vm, char *err, size_t errlen)
{
	struct timespec deadline;
	int ret = 0;

	pthread_mutex_lock(&vm->lock);
	if (vm->state != VM_RUNNING) {
		snprintf(err, errlen, "is %s", vm->state == VM_PAUSED ? "already paused" : "finishing");
		pthread_mutex_unlock(&vm->lock);
		return -EINVAL;
	}
	vm->state = VM_PAUSED;
	pthread_mutex_unlock(&vm->lock);
	vm_kick_all(vm);

	/* Answer only once every VP is out of the guest. */
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += PAUSE_WAIT_SECONDS;
	pthread_mutex_lock(&vm->lock);
	while (vm->state == VM_PAUSED && vm->nr_waiting < vm->nr_vps && !ret)
		ret = pthread_cond_timedwait(&vm->waiting_cond, &vm->lock, &deadline);
	if (ret)
		snprintf(err, errlen, "only %u of %u VPs stopped within %d s", vm->nr_waiting,
			 vm->nr_vps, PAUSE_WAIT_SECONDS);
	pthread_mutex_unlock(&vm->lock);
	return ret ? -ETIMEDOUT : 0;
}

int vm_resume(struct vm *vm, char *err, size_t errlen)
{
	int ret = 0;

	pthread_mutex_lock(&vm->lock);
	if (vm->state == VM_PAUSED) {
		vm->state = VM_RUNNING;
		pthread_cond_broadcast(&vm->cond);
	} else {
		snprintf(err, errlen, "is not paused");
		ret = -EINVAL;
	}
	pthread_mutex_unlock(&vm->lock);
	return ret;
}

const char *vm_state_name(struct vm *vm)
{
	static const char *const names[] = {
		[VM_RUNNING] = "running",
		[VM_PAUSED] = "paused",
		[VM_FINISHED] = "finishing",
	};
	enum vm_state s;

	pthread_mutex_lock(&vm->lock);
	s = vm->state;
	pthread_mutex_unlock(&vm->lock);
	return names[s];
}

double vm_uptime(const struct vm *vm)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - vm->start.tv_sec) +
	       (double)(now.tv_nsec - vm->start.tv_nsec) / 1e9;
}

int vm_interrupt(struct vm *vm, const struct hvpart_interrupt *irq)
{
	int ret = hvp_partition_interrupt(&vm->part, irq);

	if (ret && !vm->irq_warned) {
		hvctl_warn("%s; interrupts to the guest are dropped (shown once)", hvp_error());
		vm->irq_warned = true;
	}
	return ret;
}

size_t vm_required_caps(unsigned int nr_vps, uint64_t memory, struct hvp_cap_req *reqs,
			size_t max)
{
	struct guest_mem mem;
	uint64_t top, bits = 32;
	size_t n = 0;

	guest_mem_layout(&mem, memory);
	top = mem.high_size ? GPA_HIGH_BASE + mem.high_size - 1 : SZ_4G - 1;
	while (bits < 64 && (top >> bits))
		bits++;
	if (n < max)
		reqs[n++] = (struct hvp_cap_req){ HVPART_CAP_BACKEND, 1, 0, "SVM or VMX" };
	if (n < max)
		reqs[n++] = (struct hvp_cap_req){ HVPART_CAP_MAX_VPS, nr_vps, 0, "--vps" };
	if (n < max)
		reqs[n++] = (struct hvp_cap_req){ HVPART_CAP_MAX_MEM_REGIONS, 2, 0,
						  "RAM below and above the 3 GiB hole" };
	if (n < max)
		reqs[n++] = (struct hvp_cap_req){ HVPART_CAP_GPA_BITS, bits, 0,
						  "--memory, the APICs at 0xfee00000" };
	/* Interrupts, HLT, timers and AP start-up all need it. */
	if (n < max)
		reqs[n++] = (struct hvp_cap_req){ HVPART_CAP_LAPIC, 0, 1, "in-kernel local APIC" };
	return n;
}

static int vm_open_dev(struct vm *vm)
{
	struct hvp_cap_req reqs[8];
	size_t n = vm_required_caps(vm->cfg->nr_vps, vm->cfg->memory, reqs, ARRAY_SIZE(reqs));

	if (hvp_dev_open(&vm->dev, NULL) || hvp_dev_require_caps(&vm->dev, reqs, n, NULL)) {
		hvctl_err("%s", hvp_error());
		hvp_dev_close(&vm->dev);
		return -1;
	}
	return 0;
}

/*
 * The Hyper-V guest interface: everything the module offers (CPUID
 * 0x40000000+, synthetic MSRs, hypercalls, SynIC, synthetic timers,
 * reference TSC, crash MSRs, the enlightened IPI and flush paths), as a
 * Hyper-V child gets it; nothing with --no-hyperv, so the guest sees plain
 * hardware and uses the emulated devices only. Must precede the first VP.
 */
static int vm_setup_hyperv(struct vm *vm)
{
	uint64_t offered, features;
	char names[512];
	int ret;

	if (!vm->cfg->hyperv) {
		hvctl_info("%s: --no-hyperv: the guest sees plain hardware", vm->cfg->name);
		return 0;
	}
	if (hvp_dev_check_cap(&vm->dev, HVPART_CAP_HV_FEATURES, &offered)) {
		hvctl_err("%s", hvp_error());
		return -1;
	}
	features = offered & HVPART_HV_FEATURES_MASK;
	if (!(features & HVPART_HV_F(HYPERCALL)) || !(features & HVPART_HV_F(VP_INDEX))) {
		hvctl_err("%s: this hvpart.ko offers no Hyper-V interface (HVPART_CAP_HV_FEATURES %#llx); use --no-hyperv",
			  vm->cfg->name, (unsigned long long)offered);
		return -1;
	}
	if (hvp_partition_set_hv_config(&vm->part, features)) {
		hvctl_err("%s", hvp_error());
		return -1;
	}
	hvp_hv_features_str(features, names, sizeof(names));
	hvctl_info("%s: Hyper-V interface: %s", vm->cfg->name, names);

	/*
	 * VMBus lives in the module, with the heartbeat, shutdown, time sync
	 * and KVP integration services. A module without it (ENOTTY) still
	 * runs the guest, just without enlightened I/O.
	 */
	if (!(features & HVPART_HV_F(SYNIC)))
		return 0;
	ret = hvp_partition_vmbus_create(&vm->part, HVPART_VMBUS_IC_MASK);
	if (ret == -ENOTTY) {
		hvctl_info("%s: this hvpart.ko has no VMBus", vm->cfg->name);
		return 0;
	}
	if (ret) {
		hvctl_err("%s", hvp_error());
		return -1;
	}
	vm->vmbus = true;
	return 0;
}

static int vm_map_memory(struct vm *vm)
{
	void *host;
	uint32_t rwx = HVPART_MEM_READ | HVPART_MEM_WRITE | HVPART_MEM_EXEC;

	if (hvp_mem_alloc(vm->cfg->memory, &host)) {
		hvctl_err("%s: %s", vm->cfg->name, hvp_error());
		return -1;
	}
	vm->mem.host = host;
	if (hvp_partition_map(&vm->part, 0, vm->mem.low_size, host, rwx) ||
	    (vm->mem.high_size &&
	     hvp_partition_map(&vm->part, GPA_HIGH_BASE, vm->mem.high_size,
			       (uint8_t *)host + vm->mem.low_size, rwx))) {
		hvctl_err("%s", hvp_error());
		return -1;
	}
	return 0;
}

static int vm_load(struct vm *vm, struct boot_cpu *cpu)
{
	struct acpi_config acpi = { .nr_vps = vm->nr_vps, .vmbus = vm->cfg->hyperv };
	char err[256];

	if (acpi_build(&vm->mem, &acpi, err, sizeof(err)) ||
	    loader_load(vm->cfg->image, &vm->mem, cpu, err, sizeof(err))) {
		hvctl_err("%s: %s", vm->cfg->name, err);
		return -1;
	}
	hvctl_info("%s: %s", vm->cfg->name, vm->cfg->image->description);
	return 0;
}

static int vm_create_vps(struct vm *vm, const struct boot_cpu *cpu)
{
	unsigned int i;

	for (i = 0; i < vm->nr_vps; i++) {
		struct vp *vp = &vm->vps[i];

		vp->vm = vm;
		vp->index = i;
		if (hvp_vp_create(&vm->part, &vp->hvp, i)) {
			hvctl_err("%s", hvp_error());
			return -1;
		}
	}
	/*
	 * The boot processor starts at the kernel's entry. Application
	 * processors wait for their start-up IPI, as after a real reset:
	 * their RUN sleeps in the module until the guest's INIT-SIPI-SIPI.
	 */
	if (vp_boot(&vm->vps[0], cpu)) {
		hvctl_err("%s", hvp_error());
		return -1;
	}
	for (i = 1; i < vm->nr_vps; i++) {
		if (hvp_vp_set_mp_state(&vm->vps[i].hvp, HVPART_MP_WAIT_SIPI)) {
			hvctl_err("%s", hvp_error());
			return -1;
		}
	}
	return 0;
}

static int vm_start_threads(struct vm *vm)
{
	pthread_attr_t attr;
	unsigned int i;
	int ret;

	pthread_attr_init(&attr);
	if (vm->cfg->have_affinity)
		pthread_attr_setaffinity_np(&attr, sizeof(cpu_set_t), &vm->cfg->affinity);
	/* A VP may end the run (and kick the others) before the last one exists. */
	pthread_mutex_lock(&vm->lock);
	for (i = 0; i < vm->nr_vps; i++) {
		ret = pthread_create(&vm->vps[i].thread, &attr, vp_thread, &vm->vps[i]);
		if (ret) {
			hvctl_err("%s: VP thread %u: %s", vm->cfg->name, i, strerror(ret));
			break;
		}
		vm->vps[i].thread_started = true;
	}
	pthread_mutex_unlock(&vm->lock);
	pthread_attr_destroy(&attr);
	return i < vm->nr_vps ? -1 : 0;
}

/*
 * Requests that wait on the guest (`hvctl shutdown`, `hvctl kvp`): the
 * integration services wait up to 10 s or 35 s for the guest's answer, so
 * each runs in a thread of its own and the main loop stays responsive.
 * The module serialises each service's requests itself.
 */
struct guest_req {
	struct vm *vm;
	struct guest_req_slot *slot;
	int fd;		/* the client, answered when the guest has answered */
	guest_req_fn fn;
	char args[CONTROL_LINE_MAX];
	char reply[CONTROL_LINE_MAX];
};

static void *vm_guest_req_thread(void *arg)
{
	struct guest_req *req = arg;
	struct vm *vm = req->vm;
	sigset_t kick;

	/* vm_run() interrupts the service's wait with SIGUSR1 at the end. */
	sigemptyset(&kick);
	sigaddset(&kick, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &kick, NULL);

	req->fn(vm, req->args, req->reply, sizeof(req->reply));
	/* Done before the client hears back: its next request finds a slot. */
	pthread_mutex_lock(&vm->lock);
	req->slot->done = true;
	pthread_mutex_unlock(&vm->lock);
	control_reply(req->fd, "%s", req->reply);
	close(req->fd);
	free(req);
	return NULL;
}

static void vm_guest_request(struct vm *vm, int fd, guest_req_fn fn, const char *args)
{
	struct guest_req_slot *slot = NULL;
	struct guest_req *req;
	unsigned int i;
	int ret;

	pthread_mutex_lock(&vm->lock);
	for (i = 0; i < VM_GUEST_REQ_MAX; i++) {
		struct guest_req_slot *s = &vm->guest_reqs[i];

		if (s->started && s->done) {
			/* Answered: reap the thread, reuse the slot. */
			pthread_join(s->thread, NULL);
			s->started = false;
		}
		if (!s->started && !slot)
			slot = s;
	}
	pthread_mutex_unlock(&vm->lock);
	req = slot ? malloc(sizeof(*req)) : NULL;
	if (!req) {
		control_reply(fd, "error %s", slot ? strerror(ENOMEM) :
			      "too many shutdown and kvp requests in progress, try again");
		close(fd);
		return;
	}
	req->vm = vm;
	req->slot = slot;
	req->fd = fd;
	req->fn = fn;
	snprintf(req->args, sizeof(req->args), "%s", args);
	pthread_mutex_lock(&vm->lock);
	slot->done = false;
	ret = pthread_create(&slot->thread, NULL, vm_guest_req_thread, req);
	slot->started = !ret;
	pthread_mutex_unlock(&vm->lock);
	if (ret) {
		control_reply(fd, "error %s", strerror(ret));
		close(fd);
		free(req);
	}
}

/*
 * `hvctl shutdown`, as Hyper-V does it: the shutdown integration service
 * when the guest has opened it, else the ACPI power button.
 */
static void vm_shutdown(struct vm *vm, const char *args, char *reply, size_t len)
{
	char why[256] = "", err[256];
	int ret;

	(void)args;
	if (vm->vmbus) {
		ret = hvp_partition_vmbus_shutdown(&vm->part, 0);
		if (!ret) {
			snprintf(reply, len, "ok the guest accepted the shutdown request (integration service)");
			return;
		}
		if (ret != -ENODEV && ret != -ENOTCONN) {
			snprintf(reply, len, "error %s", hvp_error());
			return;
		}
		snprintf(why, sizeof(why), "the guest has not opened the shutdown integration service (Linux: hv_utils), and ");
	}
	if (pm_power_button(vm, err, sizeof(err)))
		snprintf(reply, len, "error %s%s", why, err);
	else
		snprintf(reply, len, "ok power button pressed (ACPI)");
}

/* " vmbus=5.2 heartbeat=3" when the guest is connected, else " vmbus=-". */
static void vm_vmbus_status(struct vm *vm, char *buf, size_t len)
{
	struct hvpart_vmbus_status st;

	buf[0] = '\0';
	if (!vm->vmbus || hvp_partition_vmbus_status(&vm->part, &st))
		return;
	if (!st.version)
		snprintf(buf, len, " vmbus=-");
	else
		snprintf(buf, len, " vmbus=%u.%u channels=%u/%u heartbeat=%llu",
			 st.version >> 16, st.version & 0xffff, st.open_channels, st.channels,
			 (unsigned long long)st.heartbeat_seq);
}

static void vm_control(struct vm *vm, int listen_fd)
{
	char req[CONTROL_LINE_MAX], err[256];
	int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (control_read_request(fd, req, sizeof(req)) <= 0) {
		close(fd);
		return;
	}
	hvctl_debug("%s: control request '%s'", vm->cfg->name, req);
	if (!strcmp(req, "status")) {
		char vmbus[128];

		vm_vmbus_status(vm, vmbus, sizeof(vmbus));
		control_reply(fd, "ok name=%s state=%s vps=%u memory=%llu pid=%d uptime=%.0f serial=%s%s",
			      vm->cfg->name, vm_state_name(vm), vm->nr_vps,
			      (unsigned long long)vm->cfg->memory, (int)getpid(), vm_uptime(vm),
			      vm->console_path, vmbus);
	} else if (!strcmp(req, "pause")) {
		if (vm_pause(vm, err, sizeof(err)))
			control_reply(fd, "error %s", err);
		else
			control_reply(fd, "ok");
	} else if (!strcmp(req, "resume")) {
		if (vm_resume(vm, err, sizeof(err)))
			control_reply(fd, "error %s", err);
		else
			control_reply(fd, "ok");
	} else if (!strcmp(req, "stop")) {
		vm_finish(vm, HVCTL_EXIT_STOPPED, "stopped by 'hvctl stop'");
		control_reply(fd, "ok");
	} else if (!strcmp(req, "shutdown")) {
		vm_guest_request(vm, fd, vm_shutdown, "");
		return;		/* the thread answers and closes */
	} else if (!strncmp(req, "kvp ", 4)) {
		if (!vm->vmbus) {
			control_reply(fd, "error the partition has no VMBus (it runs with --no-hyperv)");
			close(fd);
			return;
		}
		vm_guest_request(vm, fd, kvp_request, req + 4);
		return;
	} else {
		control_reply(fd, "error unknown request '%s'", req);
	}
	close(fd);
}

/* Console input into COM1, as much as it has room for. */
static void vm_console_input(struct vm *vm)
{
	uint8_t buf[256];
	size_t room = serial_rx_room(vm);
	ssize_t n;

	if (!room)
		return;
	n = read(vm->console_in, buf, room < sizeof(buf) ? room : sizeof(buf));
	if (n > 0)
		serial_receive(vm, buf, (size_t)n);
	else if (n == 0 || (errno != EINTR && errno != EAGAIN))
		vm->console_in = -1;	/* EOF: the guest just gets no more input */
}

enum { PFD_SIGNAL, PFD_WAKE, PFD_CONTROL, PFD_CONSOLE, PFD_TIMER, PFD_COUNT };

static void vm_main_loop(struct vm *vm, int sig_fd, int listen_fd, int timer_fd)
{
	struct pollfd pfd[PFD_COUNT];
	struct signalfd_siginfo si;
	uint64_t v;

	for (;;) {
		bool throttled = vm->console_in >= 0 && !serial_rx_room(vm);

		pthread_mutex_lock(&vm->lock);
		if (vm->state == VM_FINISHED) {
			pthread_mutex_unlock(&vm->lock);
			break;
		}
		pthread_mutex_unlock(&vm->lock);

		pfd[PFD_SIGNAL] = (struct pollfd){ .fd = sig_fd, .events = POLLIN };
		pfd[PFD_WAKE] = (struct pollfd){ .fd = vm->wake_fd, .events = POLLIN };
		pfd[PFD_CONTROL] = (struct pollfd){ .fd = listen_fd, .events = POLLIN };
		pfd[PFD_CONSOLE] = (struct pollfd){ .fd = throttled ? -1 : vm->console_in,
						    .events = POLLIN };
		pfd[PFD_TIMER] = (struct pollfd){ .fd = timer_fd, .events = POLLIN };
		/* While COM1's buffer is full, look again soon instead. */
		if (poll(pfd, PFD_COUNT, throttled ? 50 : -1) < 0 && errno != EINTR) {
			vm_finish(vm, HVCTL_EXIT_ERROR, "poll: %s", strerror(errno));
			break;
		}
		if (pfd[PFD_SIGNAL].revents & POLLIN &&
		    read(sig_fd, &si, sizeof(si)) == sizeof(si))
			vm_finish(vm, HVCTL_EXIT_STOPPED, "stopped by %s", strsignal((int)si.ssi_signo));
		if (pfd[PFD_WAKE].revents & POLLIN && read(vm->wake_fd, &v, sizeof(v)) < 0)
			hvctl_debug("%s: eventfd: %s", vm->cfg->name, strerror(errno));
		if (pfd[PFD_TIMER].revents & POLLIN && read(timer_fd, &v, sizeof(v)) == sizeof(v))
			vm_finish(vm, HVCTL_EXIT_STOPPED, "timed out after %u s", vm->cfg->timeout);
		if (pfd[PFD_CONTROL].revents & POLLIN)
			vm_control(vm, listen_fd);
		if (pfd[PFD_CONSOLE].revents & (POLLIN | POLLHUP | POLLERR))
			vm_console_input(vm);
	}
}

/* SIGINT/SIGTERM/SIGHUP go to the main loop; SIGUSR1 kicks VP threads. */
static int vm_signals(sigset_t *old)
{
	struct sigaction sa = { .sa_handler = vm_kick_handler };
	sigset_t set;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART: RUN must see EINTR */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, old);
	sigdelset(&set, SIGUSR1);
	return signalfd(-1, &set, SFD_CLOEXEC);
}

static int vm_timer(const struct run_config *cfg)
{
	struct itimerspec its = { .it_value.tv_sec = cfg->timeout };
	int fd;

	if (!cfg->timeout)
		return -1;
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (fd >= 0)
		timerfd_settime(fd, 0, &its, NULL);
	return fd;
}

int vm_run(const struct run_config *cfg)
{
	struct vm *vm;
	struct boot_cpu cpu;
	char path[256], err[512];
	int listen_fd = -1, sig_fd = -1, timer_fd = -1, code = HVCTL_EXIT_ERROR;
	size_t ndev = 0, i;
	sigset_t oldmask;

	vm = calloc(1, sizeof(*vm));
	if (!vm) {
		hvctl_err("out of memory");
		return HVCTL_EXIT_ERROR;
	}
	vm->cfg = cfg;
	vm->nr_vps = cfg->nr_vps;
	vm->dev.fd = vm->part.fd = -1;
	vm->console_in = vm->console_out = vm->console_hold = -1;
	vm->wake_fd = -1;
	pthread_mutex_init(&vm->lock, NULL);
	pthread_mutex_init(&vm->dev_lock, NULL);
	pthread_cond_init(&vm->cond, NULL);
	pthread_cond_init(&vm->waiting_cond, NULL);
	guest_mem_layout(&vm->mem, cfg->memory);
	clock_gettime(CLOCK_MONOTONIC, &vm->start);
	vm->vps = calloc(cfg->nr_vps, sizeof(*vm->vps));
	if (!vm->vps) {
		hvctl_err("out of memory");
		goto err_free;
	}
	for (i = 0; i < cfg->nr_vps; i++)
		vm->vps[i].hvp.fd = -1;

	if (vm_open_dev(vm))
		goto err_free;
	if (console_open(vm, err, sizeof(err))) {
		hvctl_err("%s: %s", cfg->name, err);
		goto err_dev;
	}
	listen_fd = control_listen(cfg->name, path, sizeof(path), err, sizeof(err));
	if (listen_fd < 0) {
		hvctl_err("%s", err);
		goto err_console;
	}
	vm->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->wake_fd < 0) {
		hvctl_err("eventfd: %s", strerror(errno));
		goto err_socket;
	}
	if (hvp_partition_create(&vm->dev, &vm->part, cfg->name, 0)) {
		hvctl_err("%s", hvp_error());
		goto err_socket;
	}
	if (vm_setup_hyperv(vm) || vm_map_memory(vm) || vm_load(vm, &cpu))
		goto err_partition;
	for (ndev = 0; ndev < ARRAY_SIZE(devices); ndev++) {
		if (devices[ndev].init(vm)) {
			hvctl_err("%s: device %s: cannot claim its ports", cfg->name, devices[ndev].name);
			goto err_devices;
		}
	}
	if (vm_create_vps(vm, &cpu))
		goto err_vps;

	sig_fd = vm_signals(&oldmask);
	timer_fd = vm_timer(cfg);
	if (sig_fd < 0 || (cfg->timeout && timer_fd < 0)) {
		hvctl_err("signalfd/timerfd: %s", strerror(errno));
		goto err_signals;
	}
	hvctl_info("%s: %u VP(s), %llu MiB, control socket %s", cfg->name, vm->nr_vps,
		   (unsigned long long)(cfg->memory >> 20), path);
	if (vm_start_threads(vm))
		vm_finish(vm, HVCTL_EXIT_ERROR, "could not start the VP threads");
	else
		vm_main_loop(vm, sig_fd, listen_fd, timer_fd);

	vm_kick_all(vm);
	for (i = 0; i < vm->nr_vps; i++)
		if (vm->vps[i].thread_started)
			pthread_join(vm->vps[i].thread, NULL);
	for (i = 0; i < VM_GUEST_REQ_MAX; i++) {
		if (!vm->guest_reqs[i].started)
			continue;
		pthread_kill(vm->guest_reqs[i].thread, SIGUSR1);
		pthread_join(vm->guest_reqs[i].thread, NULL);
	}
	code = vm->exit_code;
	hvctl_err("%s: %s (exit status %d, %.1f s)", cfg->name, vm->exit_msg, code,
		  vm_uptime(vm));

err_signals:
	if (timer_fd >= 0)
		close(timer_fd);
	if (sig_fd >= 0) {
		close(sig_fd);
		pthread_sigmask(SIG_SETMASK, &oldmask, NULL);
	}
err_vps:
	for (i = 0; i < vm->nr_vps; i++)
		hvp_vp_close(&vm->vps[i].hvp);
err_devices:
	while (ndev-- > 0)
		if (devices[ndev].exit)
			devices[ndev].exit(vm);
err_partition:
	hvp_partition_close(&vm->part);
	hvp_mem_free(vm->mem.host, cfg->memory);
err_socket:
	if (vm->wake_fd >= 0)
		close(vm->wake_fd);
	close(listen_fd);
	unlink(path);
err_console:
	console_close(vm);
err_dev:
	hvp_dev_close(&vm->dev);
err_free:
	free(vm->vps);
	pthread_cond_destroy(&vm->waiting_cond);
	pthread_cond_destroy(&vm->cond);
	pthread_mutex_destroy(&vm->dev_lock);
	pthread_mutex_destroy(&vm->lock);
	free(vm);
	return code;
}
