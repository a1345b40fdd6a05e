/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The worker: one running partition, its VP threads and its devices.
 *
 * Threads:
 *   main thread   creates everything, then waits in vm_main_loop() on
 *                 signals, the control socket, console input, the
 *                 --timeout timer and the VPs' "finished" wake-up.
 *   one per VP    runs HVPART_RUN_VP and handles the exits (vp.c).
 *
 * Locks, in this order (a device may end the run or wake VPs, which takes
 * vm->lock; nothing holding vm->lock takes dev_lock):
 *   vm->dev_lock  every device model's registers (one lock for all: port
 *                 I/O is slow anyway, and a device often touches another,
 *                 e.g. the UART raising a line on the I/O APIC).
 *   vm->lock      the run state (running / paused / finished), the VP
 *                 wait counters, the exit code and message.
 *
 * Asking a VP to do something (pause, stop): change vm->state under
 * vm->lock, then vm_kick_all(): immediate_exit in each run page plus a
 * SIGUSR1 to each thread, so that RUN returns -EINTR whether the VP was in
 * the guest or about to enter it; VPs waiting on vm->cond are woken with a
 * broadcast. A VP clears immediate_exit before it looks at the state, so a
 * request can never be lost between the look and the next RUN.
 */
#ifndef HVPART_TOOLS_HVCTL_VM_H
#define HVPART_TOOLS_HVCTL_VM_H

#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "libhvpart.h"
#include "layout.h"
#include "loader.h"

enum serial_mode {
	SERIAL_STDIO,
	SERIAL_PTY,
};

/* Everything `hvctl run` was asked for, validated. */
struct run_config {
	const char *name;
	uint64_t memory;
	unsigned int nr_vps;
	const char *kernel_path;
	const char *initrd_path;
	const char *cmdline;
	enum serial_mode serial;
	bool have_affinity;
	cpu_set_t affinity;
	bool hyperv;
	unsigned int timeout;		/* seconds; 0: none */
	struct boot_image *image;	/* loaded files, planned */
};

enum vm_state {
	VM_RUNNING,
	VM_PAUSED,
	VM_FINISHED,
};

struct vm;

/*
 * A device's port or MMIO handler. @offset is from the region's base;
 * @size is 1, 2 or 4 (8 for MMIO). A read fills *data. Called with
 * vm->dev_lock held.
 */
typedef void (*io_fn)(struct vm *vm, void *opaque, uint64_t offset, unsigned int size,
		      bool write, uint64_t *data);

struct io_region {
	uint64_t base;
	uint64_t len;
	io_fn fn;
	void *opaque;
	const char *name;
};

#define VM_MAX_IO_REGIONS	16
#define VM_GUEST_REQ_MAX	8	/* shutdown and kvp requests at once */

struct vp {
	struct vm *vm;
	struct hvp_vp hvp;
	unsigned int index;
	pthread_t thread;
	bool thread_started;
};

struct vm {
	const struct run_config *cfg;
	struct hvp_dev dev;
	struct hvp_partition part;
	struct guest_mem mem;
	struct vp *vps;
	unsigned int nr_vps;
	struct timespec start;

	pthread_mutex_t lock;
	pthread_cond_t cond;		/* VPs wait here while paused */
	pthread_cond_t waiting_cond;	/* nr_waiting changed */
	enum vm_state state;
	unsigned int nr_waiting;	/* VP threads parked on cond */
	int exit_code;
	char exit_msg[256];
	int wake_fd;			/* eventfd: wakes the main loop */

	pthread_mutex_t dev_lock;
	struct io_region ports[VM_MAX_IO_REGIONS];
	unsigned int nr_ports;
	struct io_region mmio[VM_MAX_IO_REGIONS];
	unsigned int nr_mmio;
	uint8_t port_seen[65536 / 8];	/* unknown ports already logged */
	bool irq_warned;

	/* Console: where COM1's output goes and its input comes from. */
	int console_in;			/* -1: none */
	int console_out;
	int console_hold;		/* pty: our own slave fd, see console.c */
	char console_path[64];
	uint64_t console_dropped;

	bool vmbus;			/* the module hosts VMBus for this partition */
	/* Shutdown and kvp requests, each in a thread while the guest answers (vm.c). */
	struct guest_req_slot {
		pthread_t thread;
		bool started;		/* join before reuse and at the end */
		bool done;		/* answered (under lock) */
	} guest_reqs[VM_GUEST_REQ_MAX];

	struct serial *serial;
	struct pm *pm;
	struct ioapic *ioapic;
	struct rtc *rtc;
	struct pit *pit;
};

/* vm.c */
int vm_run(const struct run_config *cfg);
/* The capabilities a run with @nr_vps and @memory needs (also `hvctl check`). */
size_t vm_required_caps(unsigned int nr_vps, uint64_t memory, struct hvp_cap_req *reqs,
			size_t max);
/* Ends the run with @code; the first call wins. Any thread. */
void vm_finish(struct vm *vm, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void vm_kick_all(struct vm *vm);
/* Control requests; 0 or -errno with a message in @err. */
int vm_pause(struct vm *vm, char *err, size_t errlen);
int vm_resume(struct vm *vm, char *err, size_t errlen);
const char *vm_state_name(struct vm *vm);
double vm_uptime(const struct vm *vm);
/* HVPART_INTERRUPT; a failure is logged once and returned. */
int vm_interrupt(struct vm *vm, const struct hvpart_interrupt *irq);

/*
 * A control request that waits on the guest runs in a thread of its own
 * (vm.c), which calls this with the request's arguments; it writes the
 * reply line ("ok ..." or "error ...") into @reply.
 */
typedef void (*guest_req_fn)(struct vm *vm, const char *args, char *reply, size_t len);

/* kvp.c: "kvp ..." control requests (the protocol is in kvp.h) */
void kvp_request(struct vm *vm, const char *args, char *reply, size_t len);

/* vp.c */
void *vp_thread(void *arg);
int vp_boot(struct vp *vp, const struct boot_cpu *cpu);
void vp_dump(struct vp *vp);

/* ioport.c */
int io_register_port(struct vm *vm, uint16_t base, uint16_t len, io_fn fn, void *opaque,
		     const char *name);
int io_register_mmio(struct vm *vm, uint64_t base, uint64_t len, io_fn fn, void *opaque,
		     const char *name);
void io_port(struct vm *vm, uint16_t port, unsigned int size, bool write, uint64_t *data);
void io_mmio(struct vm *vm, uint64_t gpa, unsigned int size, bool write, uint64_t *data);

/* console.c */
int console_open(struct vm *vm, char *err, size_t errlen);
void console_close(struct vm *vm);
void console_write(struct vm *vm, const uint8_t *buf, size_t len);

/* Devices: each init claims its ports and allocates its state. */
int serial_init(struct vm *vm);
void serial_exit(struct vm *vm);
/* Console input for the guest; returns how many bytes were taken. */
size_t serial_receive(struct vm *vm, const uint8_t *buf, size_t len);
size_t serial_rx_room(struct vm *vm);

int pm_init(struct vm *vm);
void pm_exit(struct vm *vm);
/* Press the ACPI power button: 0, or -errno if the guest cannot be told. */
int pm_power_button(struct vm *vm, char *err, size_t errlen);

int rtc_init(struct vm *vm);
void rtc_exit(struct vm *vm);

int ioapic_init(struct vm *vm);
void ioapic_exit(struct vm *vm);
/*
 * Drive input pin @gsi (ISA IRQ = GSI) high or low; dev_lock held. Returns
 * 0, or -errno when an interrupt was due but could not be delivered.
 */
int ioapic_set_irq(struct vm *vm, unsigned int gsi, bool level);
/* HVPART_EXIT_EOI: the guest EOI'd @vector. Takes dev_lock. */
void ioapic_eoi(struct vm *vm, uint8_t vector);

int debugport_init(struct vm *vm);

/* Only for --no-hyperv partitions (pit.c says why); a no-op otherwise. */
int pit_init(struct vm *vm);
void pit_exit(struct vm *vm);

#endif /* HVPART_TOOLS_HVCTL_VM_H */
