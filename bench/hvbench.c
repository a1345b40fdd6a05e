// SPDX-License-Identifier: GPL-2.0
/*
 * hvbench: the same benchmarks on KVM and on hvpart, for ratios measured in
 * one lab boot (docs/BENCHMARKS.md).
 *
 *   hvbench run --vmm kvm|hvpart --out FILE [--short] [--only ID,...]
 *               [--min-cycles N] [--runs N] [--mem-mib N] [--n-from FILE]
 *   hvbench table [--emulator TEXT] --kvm FILE... --hvpart FILE...
 *   hvbench list
 *
 * 'run' measures every benchmark on one hypervisor and writes a result
 * file; 'table' merges result files into one Markdown table. KVM and
 * hvpart must never own SVM at the same time, so bench/lab/hvbench.sh runs
 * them in turns, swapping modules, in one boot.
 *
 * Method. For each benchmark, n operations are timed with the TSC, n = 1,
 * 2, 4, ... until one run lasts at least min-cycles (2^30; 2^20 with
 * --short); that run is the first sample. Later rounds take n from the
 * first round's file (--n-from) and run once more each, so the samples of
 * both hypervisors are spread over the same stretch of time: on a busy
 * host (the lab is emulated; the host's load shows in every figure) that
 * matters more than anything else. The table reports the median sample,
 * in cycles per operation. Exit rows are timed by the guest around its own
 * loop; creation and memory rows by the VMM around its ioctls.
 *
 * Adding a row: a benchmark function and one entry in benches[] (guest
 * work also needs a command in guest.h and guest.S). A function that
 * returns -EOPNOTSUPP marks the row "n/a" for that hypervisor instead of
 * failing.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "hvbench.h"
#include "ring.h"	/* vmbus/ring.c, the module's own ring code, built here too */

#define RESULT_MAGIC	"hvbench-results 1"
#define MAX_PARTS	2
#define MAX_RUNS	15
#define MAX_ROWS	32
#define SZ_2M		(2ULL << 20)
#define SZ_1M		(1ULL << 20)
/* VPs created per partition by the VP-create row before starting anew. */
#define VPS_PER_PARTITION 32

/* A VM running the benchmark guest, with its own low memory and mailbox. */
struct guest {
	struct bench_vm *vm;
	void *low_mem;
	volatile struct bench_mbox *mbox;
	int error;		/* why it could not be created, once tried */
	int broken;		/* a command failed: the guest is lost mid-command */
};

struct bench_ctx {
	const struct vmm_ops *ops;
	struct guest plain;	/* plain hardware: every row but one */
	struct guest hv;	/* with the Hyper-V interface, made on first use */
	struct guest usercall;	/* hypercalls handed to the VMM, made on first use */
	struct guest synic;	/* with the SynIC and its responder, made on first use */
	uint64_t mem_size;
	FILE *out;
	unsigned int call;	/* calls of the current benchmark, from 1 */
	bool ring_noted;	/* the ring row's host figures are recorded */
};

struct bench_def;
typedef int (*bench_fn)(struct bench_ctx *ctx, const struct bench_def *b, uint64_t n,
			uint64_t cycles[MAX_PARTS]);

/*
 * One benchmark: @fn runs @n operations and returns the cycles of each
 * part (a benchmark that times two phases of one operation, e.g. map and
 * unmap, has two parts, each a table row). "@MEM" in a label becomes the
 * memory size. @note is printed under the table, and so are the values of
 * the benchmark's check lines, described by @check.
 */
struct bench_def {
	const char *id;
	bench_fn fn;
	uint64_t arg;
	bool rate;		/* also print operations per second */
	unsigned int nparts;
	struct {
		const char *id;
		const char *label;
	} parts[MAX_PARTS];
	const char *note;
	/* What the benchmark's check lines (keyed by @id) say, if it has any. */
	const char *check;
	/* Bytes each operation moves: the notes give cycles per KiB per part. */
	unsigned int bytes;
	/* A second check, keyed by @check2_id, recorded once per run. */
	const char *check2_id;
	const char *check2;
};

/* ---- small helpers ------------------------------------------------------ */

static inline uint64_t tsc_now(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* TSC frequency against CLOCK_MONOTONIC_RAW over a quarter second. */
static double tsc_mhz(void)
{
	struct timespec quarter = { .tv_nsec = 250000000 };
	uint64_t t0 = mono_ns(), c0 = tsc_now(), t1, c1;

	nanosleep(&quarter, NULL);
	c1 = tsc_now();
	t1 = mono_ns();
	return t1 > t0 ? (double)(c1 - c0) * 1000.0 / (double)(t1 - t0) : 0.0;
}

int bench_read_u64_file(const char *path, uint64_t *value)
{
	unsigned long long v;
	FILE *f = fopen(path, "re");
	int ok;

	if (!f)
		return -errno;
	ok = fscanf(f, "%llu", &v) == 1;
	fclose(f);
	if (!ok)
		return -EINVAL;
	*value = v;
	return 0;
}

static void kick_handler(int sig)
{
	(void)sig;
}

volatile int bench_abort;

/*
 * The watchdog: a guest command that runs longer than its limit (the
 * slowest, touching 1 GiB on KVM, takes some 35 s on a busy 2-CPU host in
 * full mode, well under a second in short mode) has stopped making progress:
 * print where this process's threads are in the kernel and what the guest
 * left in memory, then stop RUN (SIGUSR1) and fail the run, instead of
 * hanging until the lab's timeout.
 */
#define WATCHDOG_FULL_S		300
#define WATCHDOG_SHORT_S	120	/* under bench/run.sh's 300 s per step */

static struct {
	pthread_t main;
	unsigned int limit_s;
	uint64_t deadline_ns;		/* __atomic; 0: no command running */
	const struct guest *guest;
	const struct vmm_ops *ops;
	const char *vmm;
	uint64_t cmd;
} watchdog;

static void dump_file(const char *path)
{
	char line[256];
	FILE *f = fopen(path, "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		fprintf(stderr, "hvbench:   %s", line);
	fclose(f);
}

/* Every file of debugfs directory @dir, one line each. */
static void dump_dir(const char *dir)
{
	char path[512], line[128];
	struct dirent *d;
	DIR *dp = opendir(dir);

	if (!dp)
		return;
	fprintf(stderr, "hvbench: %s:\n", dir);
	while ((d = readdir(dp))) {
		FILE *f;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = '\0';
			fprintf(stderr, "hvbench:   %s %s\n", d->d_name, line);
		}
		fclose(f);
	}
	closedir(dp);
}

static void watchdog_dump(void)
{
	const struct guest *g = watchdog.guest;
	const unsigned char *mem = g->low_mem;
	const char *vp0;
	char path[96];
	struct dirent *d;
	DIR *dir;

	fprintf(stderr, "hvbench: %s: watchdog: command %llu made no report in %u s\n",
		watchdog.vmm, (unsigned long long)watchdog.cmd, watchdog.limit_s);
	fprintf(stderr, "hvbench: guest: seq %llu, interrupts taken %llu, SIM slot type %#x, "
		"SIEF byte %#x\n", (unsigned long long)g->mbox->seq,
		(unsigned long long)*(const volatile uint64_t *)(mem + BENCH_IRQCNT_GPA),
		*(const volatile uint32_t *)(mem + BENCH_SIMP_GPA + BENCH_SINT * BENCH_HV_MSG_SIZE),
		*(const volatile uint8_t *)(mem + BENCH_SIEFP_GPA + BENCH_SINT * BENCH_HV_SINT_FLAGS));
	dir = opendir("/proc/self/task");
	while (dir && (d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		fprintf(stderr, "hvbench: thread %s:\n", d->d_name);
		snprintf(path, sizeof(path), "/proc/self/task/%.16s/stack", d->d_name);
		dump_file(path);
	}
	if (dir)
		closedir(dir);
	if (!watchdog.ops->debugfs_dirs(g->vm, path, sizeof(path), &vp0)) {
		char vpdir[160];

		dump_dir(path);
		snprintf(vpdir, sizeof(vpdir), "%.100s/%s", path, vp0);
		dump_dir(vpdir);
	}
}

static void *watchdog_thread(void *arg)
{
	struct timespec second = { .tv_sec = 1 };

	(void)arg;
	for (;;) {
		uint64_t deadline = __atomic_load_n(&watchdog.deadline_ns, __ATOMIC_ACQUIRE);

		if (deadline && mono_ns() > deadline) {
			watchdog_dump();
			__atomic_store_n(&watchdog.deadline_ns, 0, __ATOMIC_RELEASE);
			bench_abort = 1;
			pthread_kill(watchdog.main, SIGUSR1);
		}
		nanosleep(&second, NULL);
	}
	return NULL;
}

static void watchdog_start(unsigned int limit_s)
{
	pthread_t t;

	watchdog.main = pthread_self();
	watchdog.limit_s = limit_s;
	if (pthread_create(&t, NULL, watchdog_thread, NULL))
		fprintf(stderr, "hvbench: no watchdog thread\n");
	else
		pthread_detach(t);
}

static void watchdog_arm(const struct bench_ctx *ctx, const struct guest *g, uint64_t cmd)
{
	watchdog.guest = g;
	watchdog.ops = ctx->ops;
	watchdog.vmm = ctx->ops->name;
	watchdog.cmd = cmd;
	__atomic_store_n(&watchdog.deadline_ns, mono_ns() + watchdog.limit_s * 1000000000ULL,
			 __ATOMIC_RELEASE);
}

static void watchdog_disarm(void)
{
	__atomic_store_n(&watchdog.deadline_ns, 0, __ATOMIC_RELEASE);
}

void bench_kick_init(void)
{
	struct sigaction sa = { .sa_handler = kick_handler };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The first line of /proc/cpuinfo starting with @key, after the colon. */
static void cpuinfo_field(const char *key, char *buf, size_t len)
{
	char line[512];
	FILE *f = fopen("/proc/cpuinfo", "re");

	snprintf(buf, len, "?");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, key, strlen(key)) || !colon)
			continue;
		colon += strspn(colon + 1, " \t") + 1;
		colon[strcspn(colon, "\n")] = '\0';
		snprintf(buf, len, "%s", colon);
		break;
	}
	fclose(f);
}

static bool cpu_is_intel(void)
{
	char vendor[64];

	cpuinfo_field("vendor_id", vendor, sizeof(vendor));
	return !strcmp(vendor, "GenuineIntel");
}

static void size_text(uint64_t bytes, char *buf, size_t len)
{
	if (bytes >= (1ULL << 30) && !(bytes % (1ULL << 30)))
		snprintf(buf, len, "%llu GiB", (unsigned long long)(bytes >> 30));
	else
		snprintf(buf, len, "%llu MiB", (unsigned long long)(bytes >> 20));
}

/* @label with "@MEM" replaced by the memory size. */
static void expand_label(const char *label, uint64_t mem_size, char *buf, size_t len)
{
	const char *at = strstr(label, "@MEM");
	char size[32];

	if (!at) {
		snprintf(buf, len, "%s", label);
		return;
	}
	size_text(mem_size, size, sizeof(size));
	snprintf(buf, len, "%.*s%s%s", (int)(at - label), label, size, at + 4);
}

static void check_line(struct bench_ctx *ctx, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * A fact about a run that the table prints under the rows; benchmarks
 * record them on their first call only.
 */
static void check_line(struct bench_ctx *ctx, const char *key, const char *fmt, ...)
{
	va_list ap;

	fprintf(ctx->out, "check %s ", key);
	va_start(ap, fmt);
	vfprintf(ctx->out, fmt, ap);
	va_end(ap);
	fputc('\n', ctx->out);
}

/* ---- guest work ------------------------------------------------------------- */

/* Have guest @g run @cmd @count times; its cycles in *cycles. */
static int guest_cmd(struct bench_ctx *ctx, struct guest *g, uint64_t cmd, uint64_t count,
		     uint64_t arg0, uint64_t arg1, uint64_t *cycles)
{
	volatile struct bench_mbox *mb = g->mbox;
	uint64_t seq = mb->seq;
	int ret;

	/* Stopped in the middle of a command, it would never take another. */
	if (g->broken)
		return g->broken;
	mb->cmd = cmd;
	mb->count = count;
	mb->arg0 = arg0;
	mb->arg1 = arg1;
	mb->cycles = 0;
	watchdog_arm(ctx, g, cmd);
	ret = ctx->ops->vm_run(g->vm);
	watchdog_disarm();
	bench_abort = 0;
	if (!ret && mb->seq != seq + 1) {
		fprintf(stderr, "hvbench: %s: guest report %llu, expected %llu\n", ctx->ops->name,
			(unsigned long long)mb->seq, (unsigned long long)seq + 1);
		ret = -EIO;
	}
	if (ret) {
		g->broken = ret;
		return ret;
	}
	*cycles = mb->cycles;
	return 0;
}

/* Build @g's memory, create its VM and run the guest to its first report. */
static int guest_create(struct bench_ctx *ctx, struct guest *g, unsigned int flags)
{
	uint64_t seq;
	int ret;

	g->low_mem = mmap(NULL, BENCH_LOW_SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->low_mem == MAP_FAILED) {
		ret = -errno;
		perror("hvbench: mmap low memory");
		g->low_mem = NULL;
		return ret;
	}
	/* Keep it out of the 2 MiB leaf counts of the memory rows. */
	madvise(g->low_mem, BENCH_LOW_SIZE, MADV_NOHUGEPAGE);
	bench_image_build(g->low_mem);
	g->mbox = (volatile struct bench_mbox *)((char *)g->low_mem + BENCH_MBOX_GPA);

	ret = ctx->ops->vm_create(g->low_mem, flags, &g->vm);
	if (ret)
		return ret;
	seq = g->mbox->seq;
	ret = ctx->ops->vm_run(g->vm);
	if (!ret && g->mbox->seq != seq + 1)
		ret = -EIO;
	if (ret)
		fprintf(stderr, "hvbench: %s: the guest did not start\n", ctx->ops->name);
	return ret;
}

static void guest_destroy(struct bench_ctx *ctx, struct guest *g)
{
	if (g->vm)
		ctx->ops->vm_destroy(g->vm);
	if (g->low_mem)
		munmap(g->low_mem, BENCH_LOW_SIZE);
	memset(g, 0, sizeof(*g));
}

static int bench_guest(struct bench_ctx *ctx, const struct bench_def *b, uint64_t n,
		       uint64_t cycles[MAX_PARTS])
{
	return guest_cmd(ctx, &ctx->plain, b->arg, n, 0, 0, &cycles[0]);
}

/* RDMSR: record the value the guest read. */
static int bench_rdmsr(struct bench_ctx *ctx, const struct bench_def *b, uint64_t n,
		       uint64_t cycles[MAX_PARTS])
{
	volatile struct bench_mbox *mb = ctx->plain.mbox;
	int ret = guest_cmd(ctx, &ctx->plain, b->arg, n, 0, 0, &cycles[0]);

	if (!ret && ctx->call == 1)
		check_line(ctx, "rdmsr", "%#llx",
			   (unsigned long long)((mb->rdx << 32) | (mb->rax & 0xffffffff)));
	return ret;
}

/*
 * The hypercall rows, VMMCALL (VMCALL on Intel). b->arg selects the guest:
 * plain hardware (RAX an unknown KVM hypercall number, RCX an unknown
 * Hyper-V call code), with the Hyper-V interface enabled (the same call;
 * the guest identifies itself and enables the hypercall page first), or
 * with hypercalls handed to the VMM (KVM's MAP_GPA_RANGE, the call KVM can
 * pass to userspace). Checks that the guest got the answer the row's label
 * promises, and records how many calls reached userspace.
 */
static int bench_hypercall(struct bench_ctx *ctx, const struct bench_def *b, uint64_t n,
			   uint64_t cycles[MAX_PARTS])
{
	bool intel = cpu_is_intel();
	uint64_t cmd = intel ? BENCH_CMD_VMCALL : BENCH_CMD_VMMCALL;
	bool hv = b->arg & BENCH_VM_HYPERV, user = b->arg & BENCH_VM_USER_HYPERCALLS;
	struct guest *g = hv ? &ctx->hv : user ? &ctx->usercall : &ctx->plain;
	uint64_t expect = hv ? BENCH_HV_STATUS_INVALID_HYPERCALL_CODE : ctx->ops->hypercall_result;
	uint64_t before, unused;
	int ret;

	if (user) {
		cmd = intel ? BENCH_CMD_VMCALL_MAP : BENCH_CMD_VMMCALL_MAP;
		expect = ctx->ops->user_hypercall_result;
	}
	if (user && !g->vm) {
		if (g->error)
			return g->error;
		ret = guest_create(ctx, g, BENCH_VM_USER_HYPERCALLS);
		if (ret) {
			guest_destroy(ctx, g);
			g->error = ret;
			return ret;
		}
	}
	if (hv && !g->vm) {
		if (g->error)
			return g->error;
		ret = guest_create(ctx, g, BENCH_VM_HYPERV);
		if (!ret)
			ret = guest_cmd(ctx, g, BENCH_CMD_HV_ENABLE, 1, 0, 0, &unused);
		if (!ret && !(g->mbox->rax & 1)) {
			fprintf(stderr, "hvbench: %s: the hypercall page stayed disabled\n",
				ctx->ops->name);
			ret = -EIO;
		}
		if (ret) {
			guest_destroy(ctx, g);
			g->error = ret;
			return ret;
		}
	}

	before = ctx->ops->user_hypercalls(g->vm);
	ret = guest_cmd(ctx, g, cmd, n, 0, 0, &cycles[0]);
	if (ret)
		return ret;
	if (ctx->call == 1) {
		uint64_t user = ctx->ops->user_hypercalls(g->vm) - before;

		if (user == n || !user)
			check_line(ctx, b->id, "%s", user ? "all" : "none");
		else
			check_line(ctx, b->id, "%llu of %llu", (unsigned long long)user,
				   (unsigned long long)n);
	}
	if (g->mbox->rax != expect) {
		fprintf(stderr, "hvbench: %s: hypercall returned %#llx, expected %#llx\n",
			ctx->ops->name, (unsigned long long)g->mbox->rax, (unsigned long long)expect);
		return -EIO;
	}
	return 0;
}

/*
 * HLT woken by a self-IPI (guest.S do_hltipi), in the plain VM: both
 * hypervisors have the local APIC in the kernel. The guest reports how
 * many interrupts its handler took: one per IPI.
 */
static int bench_hltipi(struct bench_ctx *ctx, const struct bench_def *b, uint64_t n,
			uint64_t cycles[MAX_PARTS])
{
	volatile struct bench_mbox *mb = ctx->plain.mbox;
	int ret = guest_cmd(ctx, &ctx->plain, b->arg, n, 0, 0, &cycles[0]);

	/* Safety-timer interrupts: at most that many HLTs the IPI failed to end. */
	if (!ret)
		fprintf(stderr, "hvbench: %s: hltipi: %llu safety-timer interrupts in %llu "
			"operations\n", ctx->ops->name, (unsigned long long)mb->rdx,
			(unsigned long long)n);
	if (!ret && mb->rax != n) {
		fprintf(stderr, "hvbench: %s: %llu self-IPIs taken, expected %llu\n",
			ctx->ops->name, (unsigned long long)mb->rax, (unsigned long long)n);
		ret = -EIO;
	}
	return ret;
}

/*
 * The SynIC guest: Hyper-V interface and SynIC on (guest.S do_hv_enable,
 * do_synic_enable), each VMM answering its round trips.
 */
static int synic_guest(struct bench_ctx *ctx, struct guest **gp)
{
	struct guest *g = &ctx->synic;
	uint64_t unused;
	int ret = 0;

	*gp = g;
	if (g->vm)
		return 0;
	if (g->error)
		return g->error;
	ret = guest_create(ctx, g, BENCH_VM_HYPERV | BENCH_VM_SYNIC);
	if (!ret)
		ret = guest_cmd(ctx, g, BENCH_CMD_HV_ENABLE, 1, 0, 0, &unused);
	if (!ret && !(g->mbox->rax & 1)) {
		fprintf(stderr, "hvbench: %s: the hypercall page stayed disabled\n", ctx->ops->name);
		ret = -EIO;
	}
	if (!ret)
		ret = guest_cmd(ctx, g, BENCH_CMD_SYNIC_ENABLE, 1, 0, 0, &unused);
	if (!ret && g->mbox->rax != BENCH_SINT_VECTOR) {
		fprintf(stderr, "hvbench: %s: SINT%d reads %#llx, expected %#x\n", ctx->ops->name,
			BENCH_SINT, (unsigned long long)g->mbox->rax, BENCH_SINT_VECTOR);
		ret = -EIO;
	}
	if (ret) {
		guest_destroy(ctx, g);
		g->error = ret;
	}
	return ret;
}

/*
 * HvSignalEvent and HvPostMessage round trips (guest.S do_hvsignal,
 * do_hvpost): the guest checks every answer and reports the first failure
 * (a hypercall status, or BENCH_RT_ERR_*) with the count left. Records how
 * many of the guest's hypercalls reached the VMM's run loop.
 */
static int bench_synic(struct bench_ctx *ctx, const struct bench_def *b, uint64_t n,
		       uint64_t cycles[MAX_PARTS])
{
	volatile uint64_t *irqs;
	uint64_t before, irqs_before;
	struct guest *g;
	int ret = synic_guest(ctx, &g);

	if (ret)
		return ret;
	irqs = (volatile uint64_t *)((char *)g->low_mem + BENCH_IRQCNT_GPA);
	irqs_before = *irqs;
	before = ctx->ops->user_hypercalls(g->vm);
	ret = guest_cmd(ctx, g, b->arg, n, 0, 0, &cycles[0]);
	if (ret)
		return ret;
	if (g->mbox->rax || g->mbox->rdx) {
		fprintf(stderr, "hvbench: %s: round trip %llu of %llu failed: %#llx\n",
			ctx->ops->name, (unsigned long long)(n - g->mbox->rdx + 1),
			(unsigned long long)n, (unsigned long long)g->mbox->rax);
		return -EIO;
	}
	if (ctx->call == 1) {
		uint64_t user = ctx->ops->user_hypercalls(g->vm) - before;

		if (user == n || !user)
			check_line(ctx, b->id, "%s", user ? "all" : "none");
		else
			check_line(ctx, b->id, "%llu of %llu", (unsigned long long)user,
				   (unsigned long long)n);
		check_line(ctx, b->check2_id, "%.3f", (double)(*irqs - irqs_before) / (double)n);
	}
	return 0;
}

/*
 * The ring row's host side: vmbus/ring.c consuming the guest's ring in a
 * thread of the VMM process (the ring is only memory of the guest, so the
 * same code runs the same way next to either hypervisor). It polls, as a
 * host does with the guest's interrupt mask set, and checks each packet's
 * descriptor. If the ring breaks it keeps moving the read index so the
 * guest still finishes, and the row fails.
 */
struct ring_consumer {
	struct hvp_ring ring;
	bool running, stop;	/* __atomic */
	uint64_t packets;
	uint64_t recv_cycles;	/* TSC cycles inside successful hvp_ring_recv calls */
	uint64_t empty_polls;	/* calls that found the ring empty */
	uint64_t expect;	/* the next trans_id: the guest's countdown */
	int error;
	unsigned char buf[2 * BENCH_RING_PKT];
};

static void *ring_consume(void *arg)
{
	struct ring_consumer *c = arg;
	struct vmbus_packet_desc desc;
	bool signal;
	u32 len;
	int ret;

	__atomic_store_n(&c->running, true, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		uint64_t t0 = tsc_now();

		ret = hvp_ring_recv(&c->ring, c->buf, sizeof(c->buf), &len, &signal);
		if (ret == -EAGAIN) {
			c->empty_polls++;
			__builtin_ia32_pause();
			continue;
		}
		c->recv_cycles += tsc_now() - t0;
		if (!ret) {
			memcpy(&desc, c->buf, sizeof(desc));
			if (desc.type != BENCH_RING_PKT_TYPE || len != 16 + BENCH_RING_PAYLOAD ||
			    desc.trans_id != c->expect)
				ret = -EBADMSG;
		}
		if (ret) {
			c->error = ret;
			break;
		}
		c->expect--;
		c->packets++;
	}
	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		WRITE_ONCE(c->ring.hdr->read_index, READ_ONCE(c->ring.hdr->write_index));
		__builtin_ia32_pause();
	}
	return NULL;
}

/* The ring row notes the host's side once per run, at the first n this large. */
#define RING_NOTE_MIN_N	256

/*
 * Two spinning threads, the VP's and the consumer, must not share a CPU
 * (they would take turns of a scheduler tick): pin this thread to the CPU
 * it is on and make @attr put the consumer on another allowed one. False
 * when there is no other; *@saved is this thread's affinity to restore.
 */
static bool ring_pin(pthread_attr_t *attr, cpu_set_t *saved, int cpus[2])
{
	cpu_set_t set;
	int cpu;

	cpus[0] = sched_getcpu();
	cpus[1] = -1;
	if (cpus[0] < 0 || pthread_getaffinity_np(pthread_self(), sizeof(*saved), saved))
		return false;
	for (cpu = 0; cpu < CPU_SETSIZE && cpus[1] < 0; cpu++)
		if (cpu != cpus[0] && CPU_ISSET(cpu, saved))
			cpus[1] = cpu;
	if (cpus[1] < 0 || pthread_attr_init(attr))
		return false;
	CPU_ZERO(&set);
	CPU_SET(cpus[1], &set);
	if (pthread_attr_setaffinity_np(attr, sizeof(set), &set)) {
		pthread_attr_destroy(attr);
		return false;
	}
	CPU_ZERO(&set);
	CPU_SET(cpus[0], &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set)) {
		pthread_attr_destroy(attr);
		return false;
	}
	return true;
}

/*
 * Part 1: n packets through the ring, from the guest's first write until
 * the host has read the last (guest.S do_ring), with the host already
 * polling when the guest starts (so thread start-up is not counted). Part
 * 2: the guest copying the same payload bytes n times (do_memcpy). A fresh
 * ring every call, as a guest zeroes it before opening a channel.
 */
static int bench_ring(struct bench_ctx *ctx, const struct bench_def *b, uint64_t n,
		      uint64_t cycles[MAX_PARTS])
{
	struct guest *g = &ctx->plain;
	unsigned char *mem = g->low_mem;
	struct vmbus_ring_header *hdr = (struct vmbus_ring_header *)(mem + BENCH_RING_GPA);
	struct ring_consumer *c = calloc(1, sizeof(*c));
	pthread_attr_t attr;
	pthread_t thread;
	cpu_set_t saved;
	int ret, cpus[2];
	bool pinned;

	if (!c)
		return -ENOMEM;
	memset(hdr, 0, BENCH_RING_DATA_GPA - BENCH_RING_GPA);
	hdr->interrupt_mask = 1;	/* the host polls */
	hdr->feature_bits = 1;		/* pending_send_sz, as Linux's guest sets it */
	memset(mem + BENCH_RING_SRC_GPA, 0xa5, BENCH_RING_PAYLOAD);
	ret = hvp_ring_init(&c->ring, hdr, mem + BENCH_RING_DATA_GPA, BENCH_RING_SIZE);
	c->expect = n;
	pinned = !ret && ring_pin(&attr, &saved, cpus);
	if (!ret)
		ret = -pthread_create(&thread, pinned ? &attr : NULL, ring_consume, c);
	if (pinned)
		pthread_attr_destroy(&attr);
	if (!ret && ctx->call == 1) {
		if (pinned)
			check_line(ctx, b->id, "CPUs %d and %d", cpus[0], cpus[1]);
		else
			check_line(ctx, b->id, "not pinned (one CPU)");
	}
	if (ret) {
		if (pinned)
			pthread_setaffinity_np(pthread_self(), sizeof(saved), &saved);
		free(c);
		return ret;
	}
	while (!__atomic_load_n(&c->running, __ATOMIC_ACQUIRE))
		sched_yield();
	ret = guest_cmd(ctx, g, BENCH_CMD_RING, n, 0, 0, &cycles[0]);
	__atomic_store_n(&c->stop, true, __ATOMIC_RELEASE);
	pthread_join(thread, NULL);
	if (pinned)
		pthread_setaffinity_np(pthread_self(), sizeof(saved), &saved);
	if (!ret && (c->error || c->packets != n)) {
		fprintf(stderr, "hvbench: %s: ring: %llu of %llu packets read, %s\n",
			ctx->ops->name, (unsigned long long)c->packets, (unsigned long long)n,
			c->error ? strerror(-c->error) : "no error");
		ret = -EIO;
	}
	/* Where the time went, once per process, at an n worth reading. */
	if (!ret && !ctx->ring_noted && n >= RING_NOTE_MIN_N) {
		ctx->ring_noted = true;
		check_line(ctx, "ringhost", "%.0f cycles in hvp_ring_recv and %.1f empty polls per "
			   "packet (n=%llu)", (double)c->recv_cycles / (double)n,
			   (double)c->empty_polls / (double)n, (unsigned long long)n);
	}
	free(c);
	if (!ret)
		ret = guest_cmd(ctx, g, BENCH_CMD_MEMCPY, n, 0, 0, &cycles[1]);
	return ret;
}

/* ---- creation rows ------------------------------------------------------------- */

static int bench_partition(struct bench_ctx *ctx, const struct bench_def *b, uint64_t n,
			   uint64_t cycles[MAX_PARTS])
{
	uint64_t i, t0 = tsc_now();

	(void)b;
	for (i = 0; i < n; i++) {
		int fd = ctx->ops->partition_create();

		if (fd < 0)
			return fd;
		close(fd);
	}
	cycles[0] = tsc_now() - t0;
	return 0;
}

/*
 * VP creation, the ioctl alone, and VP destruction. KVM cannot destroy one
 * vCPU, so VPs are made VPS_PER_PARTITION at a time in a fresh partition
 * (its creation is not timed), and part 2 times closing all of them and
 * then the partition, per VP: how VPs go away on both hypervisors.
 */
static int bench_vp(struct bench_ctx *ctx, const struct bench_def *b, uint64_t n,
		    uint64_t cycles[MAX_PARTS])
{
	int fds[VPS_PER_PARTITION];
	uint64_t made = 0, t0;
	int ret = 0;

	(void)b;
	cycles[0] = cycles[1] = 0;
	while (made < n && !ret) {
		unsigned int k = n - made < VPS_PER_PARTITION ? (unsigned int)(n - made) :
								 VPS_PER_PARTITION;
		unsigned int i, created = 0;
		int part = ctx->ops->partition_create();

		if (part < 0)
			return part;
		ret = ctx->ops->partition_prepare_vps(part);
		for (i = 0; i < k && !ret; i++) {
			t0 = tsc_now();
			fds[i] = ctx->ops->vp_create(part, i);
			cycles[0] += tsc_now() - t0;
			if (fds[i] < 0)
				ret = fds[i];
			else
				created++;
		}
		t0 = tsc_now();
		for (i = 0; i < created; i++)
			close(fds[i]);
		close(part);
		cycles[1] += tsc_now() - t0;
		made += k;
	}
	return ret;
}

/* ---- memory rows ----------------------------------------------------------------- */

struct backing {
	void *map;		/* what mmap returned */
	size_t map_len;
	void *mem;		/* 2 MiB aligned */
};

/* Fresh anonymous memory, 2 MiB aligned, with or without huge pages. */
static int backing_alloc(struct backing *bk, uint64_t size, bool huge)
{
	uintptr_t p;

	bk->map_len = size + SZ_2M;
	bk->map = mmap(NULL, bk->map_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (bk->map == MAP_FAILED) {
		int err = errno;

		perror("hvbench: mmap backing");
		return -err;
	}
	p = ((uintptr_t)bk->map + SZ_2M - 1) & ~(uintptr_t)(SZ_2M - 1);
	bk->mem = (void *)p;
	if (madvise(bk->mem, size, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE)) {
		int err = errno;

		perror("hvbench: madvise backing");
		munmap(bk->map, bk->map_len);
		return -err;
	}
	return 0;
}

/* 2 MiB SLAT leaves now, or -1 when the VMM cannot say. */
static int64_t leaves_2m(struct bench_ctx *ctx)
{
	uint64_t n;

	return ctx->ops->slat_2m_leaves(ctx->plain.vm, &n) ? -1 : (int64_t)n;
}

/*
 * b->arg: bit 0 huge pages, bit 1 the guest touches every page. Parts:
 * without touch, the map ioctl and the unmap ioctl; with touch, map plus
 * the guest's run over the memory, and unmap plus munmap (the memory goes
 * back to the host either way).
 */
#define MEM_HUGE	1
#define MEM_TOUCH	2

static int bench_mem(struct bench_ctx *ctx, const struct bench_def *b, uint64_t n,
		     uint64_t cycles[MAX_PARTS])
{
	bool huge = b->arg & MEM_HUGE, touch = b->arg & MEM_TOUCH;
	uint64_t size = ctx->mem_size, i;
	int ret = 0;

	cycles[0] = cycles[1] = 0;
	for (i = 0; i < n && !ret; i++) {
		struct backing bk = { .map = NULL };
		uint64_t t0, t1, t2, t3, guest;
		int64_t before = -1, after = -1;

		ret = backing_alloc(&bk, size, huge);
		if (ret)
			return ret;
		if (touch && i == 0 && ctx->call == 1)
			before = leaves_2m(ctx);

		t0 = tsc_now();
		ret = ctx->ops->mem_map(ctx->plain.vm, BENCH_MEM_GPA, size, bk.mem);
		if (!ret && touch)
			ret = guest_cmd(ctx, &ctx->plain, BENCH_CMD_TOUCH, 1, BENCH_MEM_GPA,
					BENCH_MEM_GPA + size, &guest);
		t1 = tsc_now();
		if (ret) {
			munmap(bk.map, bk.map_len);
			return ret;
		}

		if (touch && i == 0 && ctx->call == 1) {
			after = leaves_2m(ctx);
			if (before >= 0 && after >= 0)
				check_line(ctx, b->id, "%lld of %llu", (long long)(after - before),
					   (unsigned long long)(size / SZ_2M));
		}

		t2 = tsc_now();
		ret = ctx->ops->mem_unmap(ctx->plain.vm, BENCH_MEM_GPA, size);
		if (touch)
			munmap(bk.map, bk.map_len);
		t3 = tsc_now();
		if (!touch)
			munmap(bk.map, bk.map_len);
		cycles[0] += t1 - t0;
		cycles[1] += t3 - t2;
	}
	return ret;
}

/* ---- the rows ------------------------------------------------------------------------ */

static const struct bench_def benches[] = {
	{ .id = "loop", .fn = bench_guest, .arg = BENCH_CMD_LOOP, .nparts = 1,
	  .parts = { { "loop", "guest loop iteration, no exit (sanity check)" } } },
	{ .id = "cpuid", .fn = bench_guest, .arg = BENCH_CMD_CPUID, .nparts = 1,
	  .parts = { { "cpuid", "CPUID exit, handled in the kernel" } } },
	{ .id = "hypercall", .fn = bench_hypercall, .nparts = 1,
	  .parts = { { "hypercall", "hypercall, unknown code, no Hyper-V interface: "
				    "in the kernel on both" } },
	  .note = "Plain hardware on both (the same VM as the other exit rows). KVM answers "
		  "an unknown hypercall number in the kernel with -KVM_ENOSYS; hvpart's VMM "
		  "asked for the same with HVPART_SET_HYPERCALL_POLICY (RESULT, RAX = "
		  "HV_STATUS_INVALID_HYPERCALL_CODE). The round trip through the VMM is the "
		  "hcuser row.",
	  .check = "hypercalls that reached userspace" },
	{ .id = "hcuser", .fn = bench_hypercall, .arg = BENCH_VM_USER_HYPERCALLS, .nparts = 1,
	  .parts = { { "hcuser", "hypercall answered by the VMM in userspace" } },
	  .note = "A third VM, plain hardware. The guest calls KVM_HC_MAP_GPA_RANGE, the one "
		  "hypercall KVM hands to userspace (KVM_CAP_EXIT_HYPERCALL, KVM_EXIT_HYPERCALL); "
		  "hvpart, under its default policy, hands every hypercall to the VMM "
		  "(HVPART_EXIT_HYPERCALL). Each VMM answers in its run loop.",
	  .check = "hypercalls that reached userspace" },
	{ .id = "hvcall", .fn = bench_hypercall, .arg = BENCH_VM_HYPERV, .nparts = 1,
	  .parts = { { "hvcall", "hypercall, unknown code, Hyper-V interface on: "
				 "in the kernel on both" } },
	  .note = "A second VM with each hypervisor's Hyper-V emulation (KVM: its Hyper-V "
		  "CPUID leaves; hvpart: HVPART_SET_HV_CONFIG with HYPERCALL and VP_INDEX); the "
		  "guest sets GUEST_OS_ID and enables the hypercall page, and both kernels answer "
		  "HV_STATUS_INVALID_HYPERCALL_CODE.",
	  .check = "hypercalls that reached userspace" },
	{ .id = "pio", .fn = bench_guest, .arg = BENCH_CMD_PIO, .nparts = 1,
	  .parts = { { "pio", "port I/O OUT, handled in userspace" } } },
	{ .id = "rdmsr", .fn = bench_rdmsr, .arg = BENCH_CMD_RDMSR, .nparts = 1,
	  .parts = { { "rdmsr", "RDMSR IA32_APIC_BASE (0x1B), handled in the kernel" } },
	  .check = "the value the guest read" },
	{ .id = "hltipi", .fn = bench_hltipi, .arg = BENCH_CMD_HLTIPI, .nparts = 1,
	  .parts = { { "hltipi", "HLT woken by a self-IPI: send, halt, wake, handler with EOI" } },
	  .note = "x2APIC on both, in the kernel (KVM: split irqchip). One operation: WRMSR "
		  "to the ICR (fixed, shorthand self), then sti; hlt until the handler has run; "
		  "the handler EOIs (a WRMSR) and IRETs. No AVIC on either: ICR and EOI writes "
		  "exit, and the HLT exit finds the interrupt already pending. A periodic LAPIC "
		  "timer (every 10^7 APIC ticks, its own vector and handler, not an operation) "
		  "ends a HLT the IPI did not: QEMU 7.2 can deliver the IPI before the HLT, "
		  "which left KVM's VP asleep for good; each run's count of such wake-ups is in "
		  "the raw log (\"safety-timer interrupts\")." },
	{ .id = "hvsignal", .fn = bench_synic, .arg = BENCH_CMD_HVSIGNAL, .nparts = 1,
	  .parts = { { "hvsignal", "HvSignalEvent round trip: guest signals, VMM thread "
				   "answers with an event flag" } },
	  .note = "A third VM with the SynIC (KVM: KVM_CAP_HYPERV_SYNIC2; hvpart: the SYNIC "
		  "feature). One operation: the guest's fast HvSignalEvent, which each kernel "
		  "turns into an eventfd signal (KVM_HYPERV_EVENTFD; HVPART_HV_CONNECT); a VMM "
		  "thread polling it sets event flag 0 of SINT 2 (hvpart: HVPART_HV_SIGNAL_EVENT; "
		  "KVM has no such ioctl, so the VMM sets the bit in the guest's SIEF page and "
		  "raises the SINT through an irqfd on a KVM_IRQ_ROUTING_HV_SINT route, as QEMU "
		  "does); the guest halts (sti; hlt) until the flag is set, clears it, and takes "
		  "the SINT interrupt (an interrupt window if it did not wake the halt), whose "
		  "handler EOIs. The HLT row's periodic safety timer runs in this VM too.",
	  .check = "hypercalls that reached the run loop",
	  .check2_id = "hvsignalirq",
	  .check2 = "SINT interrupts the guest took per round trip (first call of each round)" },
	{ .id = "hvpost", .fn = bench_synic, .arg = BENCH_CMD_HVPOST, .nparts = 1,
	  .parts = { { "hvpost", "HvPostMessage round trip: guest posts, VMM posts an "
				 "answer back" } },
	  .note = "The SynIC VM. One operation: the guest's HvPostMessage (8 bytes, input "
		  "page) and the VMM's message back to SINT 2 echoing them; the guest halts "
		  "(sti; hlt) until the message is in its slot, takes the SINT interrupt (its "
		  "handler EOIs), checks and frees the slot. Both VMMs answer in the VP's run "
		  "loop before resuming it: hvpart's connection is registered with "
		  "HVPART_HV_CONN_F_EXIT, so RUN returns HVPART_EXIT_HV_MESSAGE and the VMM "
		  "answers with HVPART_HV_POST_MESSAGE; KVM exits with KVM_EXIT_HYPERV_HCALL and "
		  "the VMM writes the answer into the guest's message slot and raises the SINT "
		  "through the irqfd. So the answer is there when the hypercall returns: no "
		  "halt, no thread to wake, the interrupt taken in an interrupt window. The "
		  "HLT row's periodic safety timer runs in this VM too.",
	  .check = "hypercalls that reached the run loop",
	  .check2_id = "hvpostirq",
	  .check2 = "SINT interrupts the guest took per round trip (first call of each round)" },
	{ .id = "ring", .fn = bench_ring, .nparts = 2, .bytes = BENCH_RING_PAYLOAD,
	  .parts = { { "ring", "VMBus ring: guest writes a 1000-byte packet, VMM reads it "
			       "(vmbus/ring.c)" },
		     { "ringcopy", "memcpy of the same 1000 bytes in the guest (the ring's "
				   "baseline)" } },
	  .note = "The plain VM. The guest writes packets (descriptor, 1000 bytes of payload "
		  "with rep movsb, trailer: 1 KiB) into a 64 KiB guest->host ring laid out as "
		  "VMBus lays it out, as Linux's hv_ringbuffer_write does; a thread of the VMM "
		  "polls it with hvp_ring_recv from vmbus/ring.c, the module's own code, which "
		  "copies each packet out. Timed by the guest until the VMM has read the last "
		  "packet. The ring is plain shared memory, so both hypervisors run the same "
		  "code with no exit: the hvpart/KVM ratio is a sanity check like the guest "
		  "loop; the ring/memcpy line is the figure. The VP's thread and the polling "
		  "thread are pinned to two CPUs for the row.",
	  .check = "VP thread and ring thread pinned to",
	  .check2_id = "ringhost", .check2 = "the VMM's ring thread, each round's first call with n >= 256 "
	  "(time inside hvp_ring_recv, which copies the packet out; polls that found the ring "
	  "empty)" },
	{ .id = "partition", .fn = bench_partition, .rate = true, .nparts = 1,
	  .parts = { { "partition", "partition (VM) create + destroy" } } },
	{ .id = "vp", .fn = bench_vp, .nparts = 2,
	  .parts = { { "vp", "VP (vCPU) create, ioctl only" },
		     { "vpdestroy", "VP destroy: close 32 VPs, then their partition; per VP" } },
	  .note = "VPs are created 32 per partition (partition creation not timed); KVM has its "
		  "split irqchip enabled first, so each vCPU gets an in-kernel local APIC as each "
		  "hvpart VP does. KVM frees vCPUs only with their VM." },
	{ .id = "map4k", .fn = bench_mem, .arg = 0, .nparts = 2,
	  .parts = { { "map4k", "map @MEM, 4 KiB pages: map ioctl only" },
		     { "unmap4k", "unmap @MEM untouched, 4 KiB pages: unmap ioctl only" } } },
	{ .id = "map2m", .fn = bench_mem, .arg = MEM_HUGE, .nparts = 2,
	  .parts = { { "map2m", "map @MEM, 2 MiB pages: map ioctl only" },
		     { "unmap2m", "unmap @MEM untouched, 2 MiB pages: unmap ioctl only" } } },
	{ .id = "touch4k", .fn = bench_mem, .arg = MEM_TOUCH, .nparts = 2,
	  .parts = { { "touch4k", "map @MEM + guest touches every 4 KiB, 4 KiB pages" },
		     { "release4k", "unmap + munmap @MEM after touch, 4 KiB pages" } },
	  .check = "2 MiB SLAT leaves after the guest's touch (debugfs)" },
	{ .id = "touch2m", .fn = bench_mem, .arg = MEM_TOUCH | MEM_HUGE, .nparts = 2,
	  .parts = { { "touch2m", "map @MEM + guest touches every 4 KiB, 2 MiB pages" },
		     { "release2m", "unmap + munmap @MEM after touch, 2 MiB pages" } },
	  .note = "2 MiB rows back guest memory with transparent huge pages (MADV_HUGEPAGE, "
		  "2 MiB aligned); 4 KiB rows forbid them (MADV_NOHUGEPAGE). Map+touch counts the "
		  "map ioctl, the host's page faults (zeroing included) and the guest's run over "
		  "the memory, with one nested page fault per SLAT leaf on both hypervisors.",
	  .check = "2 MiB SLAT leaves after the guest's touch (debugfs)" },
};

#define NBENCHES (sizeof(benches) / sizeof(benches[0]))

/* ---- run ----------------------------------------------------------------------------- */

struct run_opts {
	const char *vmm;
	const char *out;
	const char *only;
	const char *n_from;
	bool short_mode;
	uint64_t min_cycles;
	unsigned int runs;
	uint64_t mem_size;
};

static bool selected(const char *only, const char *id)
{
	size_t len = strlen(id);
	const char *p = only;

	if (!only)
		return true;
	while ((p = strstr(p, id))) {
		if ((p == only || p[-1] == ',') && (p[len] == ',' || !p[len]))
			return true;
		p += len;
	}
	return false;
}

/* n of row @id in an earlier result file, 0 when it has none. */
static uint64_t n_from_file(const char *path, const char *id)
{
	char line[512], rid[32], status[8];
	unsigned long long n;
	uint64_t found = 0;
	FILE *f;

	if (!path)
		return 0;
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "row %31s %7s %llu", rid, status, &n) == 3 &&
		    !strcmp(rid, id) && !strcmp(status, "ok"))
			found = n;
	fclose(f);
	return found;
}

/*
 * The method. Unless an earlier round fixed n (--n-from), double n from 1
 * until one run lasts min_cycles; the run that did is the first sample.
 * Then runs-1 more at that n. Each sample is cycles per operation.
 */
static int measure(struct bench_ctx *ctx, const struct bench_def *b, const struct run_opts *o)
{
	double samples[MAX_PARTS][MAX_RUNS];
	uint64_t cycles[MAX_PARTS], n, total;
	uint64_t t0 = mono_ns();
	unsigned int r, p;
	bool doubling;
	int ret;

	n = n_from_file(o->n_from, b->parts[0].id);
	doubling = !n;
	if (doubling)
		n = 1;
	ctx->call = 0;
	for (;;) {
		ctx->call++;
		ret = b->fn(ctx, b, n, cycles);
		if (ret)
			goto fail;
		for (total = 0, p = 0; p < b->nparts; p++)
			total += cycles[p];
		if (!doubling || total >= o->min_cycles || n >= (1ULL << 40))
			break;
		n *= 2;
	}
	for (r = 0;;) {
		for (p = 0; p < b->nparts; p++)
			samples[p][r] = (double)cycles[p] / (double)n;
		if (++r == o->runs)
			break;
		ctx->call++;
		ret = b->fn(ctx, b, n, cycles);
		if (ret)
			goto fail;
	}
	for (p = 0; p < b->nparts; p++) {
		fprintf(ctx->out, "row %s ok %llu", b->parts[p].id, (unsigned long long)n);
		for (r = 0; r < o->runs; r++)
			fprintf(ctx->out, " %.1f", samples[p][r]);
		fputc('\n', ctx->out);
		printf("# %s %-10s %14.1f cycles/op%s, n=%llu, %.1f s\n", ctx->ops->name,
		       b->parts[p].id, median(samples[p], o->runs), o->runs > 1 ? " (median)" : "",
		       (unsigned long long)n, (double)(mono_ns() - t0) / 1e9);
	}
	fflush(ctx->out);
	return 0;

fail:
	for (p = 0; p < b->nparts; p++)
		fprintf(ctx->out, "row %s %s %s\n", b->parts[p].id,
			ret == -EOPNOTSUPP ? "skip" : "fail",
			ret == -EOPNOTSUPP ? "not supported" : strerror(-ret));
	printf("# %s %s: %s\n", ctx->ops->name, b->id,
	       ret == -EOPNOTSUPP ? "not supported" : strerror(-ret));
	fflush(ctx->out);
	return ret == -EOPNOTSUPP ? 0 : ret;
}

static int cmd_run(const struct run_opts *o)
{
	struct bench_ctx ctx = { .mem_size = o->mem_size };
	struct utsname uts;
	char text[256];
	unsigned int i;
	int ret, failed = 0;

	if (!strcmp(o->vmm, "kvm"))
		ctx.ops = &vmm_kvm_ops;
	else if (!strcmp(o->vmm, "hvpart"))
		ctx.ops = &vmm_hvpart_ops;
	else {
		fprintf(stderr, "hvbench: unknown VMM '%s' (kvm or hvpart)\n", o->vmm);
		return 2;
	}
	ctx.out = fopen(o->out, "we");
	if (!ctx.out) {
		fprintf(stderr, "hvbench: %s: %s\n", o->out, strerror(errno));
		return 1;
	}
	fprintf(ctx.out, "%s\nvmm %s\n", RESULT_MAGIC, ctx.ops->name);
	uname(&uts);
	fprintf(ctx.out, "kernel %s %s\n", uts.release, uts.version);
	cpuinfo_field("model name", text, sizeof(text));
	fprintf(ctx.out, "cpu %s\n", text);
	fprintf(ctx.out, "mode %s\nmin_cycles %llu\nmem_size %llu\n",
		o->short_mode ? "short" : "full", (unsigned long long)o->min_cycles,
		(unsigned long long)o->mem_size);

	bench_kick_init();
	watchdog_start(o->short_mode ? WATCHDOG_SHORT_S : WATCHDOG_FULL_S);
	ret = ctx.ops->init();
	if (ret) {
		fclose(ctx.out);
		return 1;
	}
	ctx.ops->describe(text, sizeof(text));
	fprintf(ctx.out, "describe %s\ntsc_mhz %.1f\n", text, tsc_mhz());
	printf("# %s: %s\n", ctx.ops->name, text);

	if (guest_create(&ctx, &ctx.plain, 0))
		return 1;

	for (i = 0; i < NBENCHES; i++) {
		if (!selected(o->only, benches[i].id))
			continue;
		if (measure(&ctx, &benches[i], o))
			failed++;
	}

	guest_destroy(&ctx, &ctx.synic);
	guest_destroy(&ctx, &ctx.hv);
	guest_destroy(&ctx, &ctx.usercall);
	guest_destroy(&ctx, &ctx.plain);
	fclose(ctx.out);
	if (failed)
		fprintf(stderr, "hvbench: %s: %d benchmark(s) failed\n", ctx.ops->name, failed);
	return failed ? 1 : 0;
}

/* ---- table ----------------------------------------------------------------------------- */

#define MAX_SAMPLES	64
#define MAX_CHECKS	32

/* One hypervisor's row, merged over its result files. */
struct row_result {
	char id[32];
	bool failed, skipped;
	unsigned int nfailed;	/* rounds that failed (their samples are missing) */
	unsigned int nsamples;
	double samples[MAX_SAMPLES];
	double med, lo, hi;
};

struct check_result {
	char key[32];
	char text[256];		/* the distinct values, ", " between them */
};

struct results {
	char vmm[16], kernel[256], cpu[256], describe[256], mode[16];
	double tsc_mhz;
	unsigned long long min_cycles, mem_size;
	unsigned int nfiles, nrows, nchecks;
	struct row_result rows[MAX_ROWS];
	struct check_result checks[MAX_CHECKS];
};

/* "key rest of line" -> copy the rest into @buf if the key matches. */
static bool take_text(const char *line, const char *key, char *buf, size_t len)
{
	size_t n = strlen(key);

	if (strncmp(line, key, n) || line[n] != ' ')
		return false;
	snprintf(buf, len, "%s", line + n + 1);
	buf[strcspn(buf, "\n")] = '\0';
	return true;
}

static struct row_result *row_get(struct results *res, const char *id)
{
	unsigned int i;

	for (i = 0; i < res->nrows; i++)
		if (!strcmp(res->rows[i].id, id))
			return &res->rows[i];
	if (res->nrows == MAX_ROWS)
		return NULL;
	snprintf(res->rows[res->nrows].id, sizeof(res->rows[0].id), "%s", id);
	return &res->rows[res->nrows++];
}

static void check_add(struct results *res, const char *key, const char *text)
{
	struct check_result *c = NULL;
	unsigned int i;
	size_t used;

	for (i = 0; i < res->nchecks; i++)
		if (!strcmp(res->checks[i].key, key))
			c = &res->checks[i];
	if (!c) {
		if (res->nchecks == MAX_CHECKS)
			return;
		c = &res->checks[res->nchecks++];
		snprintf(c->key, sizeof(c->key), "%s", key);
		snprintf(c->text, sizeof(c->text), "%s", text);
		return;
	}
	/* Same value in every round, the usual case: keep one. */
	if (strstr(c->text, text))
		return;
	used = strlen(c->text);
	snprintf(c->text + used, sizeof(c->text) - used, ", %s", text);
}

/* Add one result file (one round of one hypervisor) to @res. */
static int results_load(const char *path, struct results *res)
{
	char line[1024];
	FILE *f = fopen(path, "re");

	if (!f) {
		fprintf(stderr, "hvbench: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!fgets(line, sizeof(line), f) || strncmp(line, RESULT_MAGIC, strlen(RESULT_MAGIC))) {
		fprintf(stderr, "hvbench: %s: not a result file\n", path);
		fclose(f);
		return -1;
	}
	res->nfiles++;
	while (fgets(line, sizeof(line), f)) {
		char id[32], status[8], key[32];
		struct row_result *r;
		int pos = 0;

		if (take_text(line, "vmm", res->vmm, sizeof(res->vmm)) ||
		    take_text(line, "kernel", res->kernel, sizeof(res->kernel)) ||
		    take_text(line, "cpu", res->cpu, sizeof(res->cpu)) ||
		    take_text(line, "describe", res->describe, sizeof(res->describe)) ||
		    take_text(line, "mode", res->mode, sizeof(res->mode)) ||
		    sscanf(line, "tsc_mhz %lf", &res->tsc_mhz) == 1 ||
		    sscanf(line, "min_cycles %llu", &res->min_cycles) == 1 ||
		    sscanf(line, "mem_size %llu", &res->mem_size) == 1)
			continue;
		if (sscanf(line, "check %31s %n", key, &pos) == 1 && pos) {
			line[strcspn(line, "\n")] = '\0';
			check_add(res, key, line + pos);
			continue;
		}
		if (sscanf(line, "row %31s %7s %n", id, status, &pos) != 2 || !pos)
			continue;
		r = row_get(res, id);
		if (!r)
			continue;
		if (!strcmp(status, "ok")) {
			char *p = line + pos, *end;
			double v;

			strtoull(p, &end, 10);	/* n */
			for (p = end;; p = end) {
				v = strtod(p, &end);
				if (end == p || r->nsamples == MAX_SAMPLES)
					break;
				r->samples[r->nsamples++] = v;
			}
		} else if (!strcmp(status, "skip")) {
			r->skipped = true;
		} else {
			r->failed = true;
			r->nfailed++;
		}
	}
	fclose(f);
	return 0;
}

static void results_finish(struct results *res)
{
	unsigned int i;

	for (i = 0; i < res->nrows; i++) {
		struct row_result *r = &res->rows[i];

		if (!r->nsamples)
			continue;
		r->med = median(r->samples, r->nsamples);	/* sorts them */
		r->lo = r->samples[0];
		r->hi = r->samples[r->nsamples - 1];
	}
}

static const struct row_result *row_find(const struct results *res, const char *id)
{
	unsigned int i;

	for (i = 0; i < res->nrows; i++)
		if (!strcmp(res->rows[i].id, id))
			return &res->rows[i];
	return NULL;
}

/* A row with samples: a round that failed leaves the others' median. */
static bool row_ok(const struct row_result *r)
{
	return r && !r->skipped && r->nsamples;
}

static const char *check_find(const struct results *res, const char *key)
{
	unsigned int i;

	for (i = 0; i < res->nchecks; i++)
		if (!strcmp(res->checks[i].key, key))
			return res->checks[i].text;
	return "?";
}

static void fmt_num(double v, char *buf, size_t len)
{
	if (v < 100)
		snprintf(buf, len, "%.1f", v);
	else
		snprintf(buf, len, "%.0f", v);
}

/* A cell: cycles or ns per operation, or why there is none. */
static void fmt_cell(const struct row_result *r, double scale, char *buf, size_t len)
{
	if (!r)
		snprintf(buf, len, "not run");
	else if (r->failed && !r->nsamples)
		snprintf(buf, len, "FAILED");
	else if (r->skipped || !r->nsamples)
		snprintf(buf, len, "n/a");
	else if (scale <= 0)
		snprintf(buf, len, "?");
	else {
		fmt_num(r->med * scale, buf, len);
		/* Some rounds failed: the median of the others, marked. */
		if (r->failed)
			snprintf(buf + strlen(buf), len - strlen(buf), " (FAILED %u)", r->nfailed);
	}
}

static void fmt_spread(const struct row_result *r, char *buf, size_t len)
{
	if (!row_ok(r) || r->med <= 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.0f%%", (r->hi - r->lo) * 100.0 / r->med);
}

static void fmt_power(unsigned long long v, char *buf, size_t len)
{
	unsigned int bit = 0;

	while (bit < 63 && (1ULL << bit) < v)
		bit++;
	if ((1ULL << bit) == v)
		snprintf(buf, len, "2^%u", bit);
	else
		snprintf(buf, len, "%llu", v);
}

static unsigned int max_samples(const struct results *res)
{
	unsigned int i, n = 0;

	for (i = 0; i < res->nrows; i++)
		if (res->rows[i].nsamples > n)
			n = res->rows[i].nsamples;
	return n;
}

/* Cycles per KiB moved by each part, and how the parts compare. */
static void print_bytes_note(const struct bench_def *b, const struct results *k,
			     const struct results *h)
{
	const struct row_result *rk[MAX_PARTS], *rh[MAX_PARTS];
	bool all = true;
	unsigned int p;

	for (p = 0; p < b->nparts; p++) {
		rk[p] = row_find(k, b->parts[p].id);
		rh[p] = row_find(h, b->parts[p].id);
		if (!row_ok(rk[p]) || !row_ok(rh[p]) || rk[p]->med <= 0 || rh[p]->med <= 0) {
			all = false;
			continue;
		}
		printf("- %s: %s: %.0f cycles per KiB on KVM, %.0f on hvpart.\n", b->id,
		       b->parts[p].id, rk[p]->med * 1024 / b->bytes, rh[p]->med * 1024 / b->bytes);
	}
	if (all && b->nparts == 2)
		printf("- %s: %s takes %.2f\u00d7 the time of %s on KVM, %.2f\u00d7 on hvpart.\n",
		       b->id, b->parts[0].id, rk[0]->med / rk[1]->med, b->parts[1].id,
		       rh[0]->med / rh[1]->med);
}

static void print_table(const char *emulator, const struct results *k, const struct results *h)
{
	const struct row_result *lk = row_find(k, "loop"), *lh = row_find(h, "loop");
	char minc[32];
	unsigned int i, p;

	fmt_power(k->min_cycles, minc, sizeof(minc));
	printf("Lab: CPU %s; emulator %s; kernel %s.\n", k->cpu, emulator ? emulator : "?",
	       k->kernel);
	if (strcmp(k->kernel, h->kernel) || strcmp(k->cpu, h->cpu))
		printf("WARNING: the two hypervisors ran on different kernels or CPUs "
		       "(hvpart: %s; %s).\n", h->kernel, h->cpu);
	printf("KVM: %s. hvpart: %s.\n", k->describe, h->describe);
	printf("TSC %.0f MHz (calibrated against CLOCK_MONOTONIC_RAW).\n", k->tsc_mhz);
	printf("Method (%s mode): n doubles until a run of n operations lasts >= %s TSC cycles; "
	       "%u rounds, alternating KVM and hvpart, then run every row at that n (the doubling's "
	       "last run is round 1); the figure is the median of the %u, in cycles (and ns) per "
	       "operation. Spread = (max - min) / median; minima h/K = the ratio of the "
	       "fastest samples (host noise only ever adds time).\n",
	       k->mode, minc, k->nfiles, max_samples(k));
	if (row_ok(lk) && row_ok(lh) && (lh->med / lk->med > 1.1 || lh->med / lk->med < 0.9))
		printf("WARNING: the guest loop without exits ran %.2f\u00d7 as long under hvpart as "
		       "under KVM: the host was busy or the guests differ, so the ratios below are "
		       "suspect.\n", lh->med / lk->med);
	printf("\n| row | KVM cycles | hvpart cycles | hvpart/KVM | KVM ns | hvpart ns | "
	       "spread K / h | minima h/K |\n");
	printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
	for (i = 0; i < NBENCHES; i++) {
		const struct bench_def *b = &benches[i];

		for (p = 0; p < b->nparts; p++) {
			const struct row_result *rk = row_find(k, b->parts[p].id);
			const struct row_result *rh = row_find(h, b->parts[p].id);
			char label[160], kc[32], hc[32], kn[32], hn[32], ratio[32], mins[32];
			char sk[16], sh[16];

			if (!rk && !rh)
				continue;
			expand_label(b->parts[p].label, k->mem_size, label, sizeof(label));
			fmt_cell(rk, 1.0, kc, sizeof(kc));
			fmt_cell(rh, 1.0, hc, sizeof(hc));
			fmt_cell(rk, 1000.0 / k->tsc_mhz, kn, sizeof(kn));
			fmt_cell(rh, 1000.0 / h->tsc_mhz, hn, sizeof(hn));
			fmt_spread(rk, sk, sizeof(sk));
			fmt_spread(rh, sh, sizeof(sh));
			if (row_ok(rk) && row_ok(rh) && rk->med > 0 && rk->lo > 0) {
				snprintf(ratio, sizeof(ratio), "%.2f\u00d7", rh->med / rk->med);
				snprintf(mins, sizeof(mins), "%.2f\u00d7", rh->lo / rk->lo);
			} else {
				snprintf(ratio, sizeof(ratio), "-");
				snprintf(mins, sizeof(mins), "-");
			}
			printf("| %s | %s | %s | %s | %s | %s | %s / %s | %s |\n", label, kc, hc,
			       ratio, kn, hn, sk, sh, mins);
		}
	}

	printf("\nNotes:\n");
	for (i = 0; i < NBENCHES; i++) {
		const struct bench_def *b = &benches[i];
		const struct row_result *rk = row_find(k, b->parts[0].id);
		const struct row_result *rh = row_find(h, b->parts[0].id);

		if (!rk && !rh)
			continue;
		if (b->note)
			printf("- %s: %s\n", b->id, b->note);
		if (b->rate && row_ok(rk) && row_ok(rh))
			printf("- %s: %.0f per second on KVM, %.0f per second on hvpart.\n", b->id,
			       k->tsc_mhz * 1e6 / rk->med, h->tsc_mhz * 1e6 / rh->med);
		if (b->check)
			printf("- %s: %s (first call of each round): KVM %s; hvpart %s.\n", b->id,
			       b->check, check_find(k, b->id), check_find(h, b->id));
		if (b->bytes)
			print_bytes_note(b, k, h);
		if (b->check2 && (strcmp(check_find(k, b->check2_id), "?") ||
				  strcmp(check_find(h, b->check2_id), "?")))
			printf("- %s: %s: KVM %s; hvpart %s.\n", b->id, b->check2,
			       check_find(k, b->check2_id), check_find(h, b->check2_id));
	}
	printf("- A cell marked (FAILED k) lost k rounds to a failure; its figure is the median of "
	       "the other rounds.\n");
	printf("- QEMU TCG emulates SVM: absolute figures mean nothing, only the ratios of one run.\n");
}

/* hvbench table [--emulator TEXT] --kvm FILE... --hvpart FILE... */
static int cmd_table(int argc, char **argv)
{
	struct results *k = calloc(1, sizeof(*k)), *h = calloc(1, sizeof(*h));
	struct results *into = NULL;
	const char *emulator = NULL;
	int a, ret = 1;

	if (!k || !h)
		goto out;
	for (a = 0; a < argc; a++) {
		if (!strcmp(argv[a], "--emulator") && a + 1 < argc)
			emulator = argv[++a];
		else if (!strcmp(argv[a], "--kvm"))
			into = k;
		else if (!strcmp(argv[a], "--hvpart"))
			into = h;
		else if (!into || results_load(argv[a], into))
			goto out;
	}
	if (!k->nfiles || !h->nfiles) {
		fprintf(stderr, "hvbench: table needs result files of both hypervisors\n");
		goto out;
	}
	results_finish(k);
	results_finish(h);
	print_table(emulator, k, h);
	ret = 0;
out:
	free(k);
	free(h);
	return ret;
}

/* ---- main ------------------------------------------------------------------------------ */

static void usage(void)
{
	fprintf(stderr,
		"usage: hvbench run --vmm kvm|hvpart --out FILE [--short] [--only ID,...]\n"
		"                   [--min-cycles N] [--runs N] [--mem-mib N] [--n-from FILE]\n"
		"       hvbench table [--emulator TEXT] --kvm FILE... --hvpart FILE...\n"
		"       hvbench list\n");
	exit(2);
}

static uint64_t parse_u64(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || !*s)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	struct run_opts o = { .vmm = NULL };
	bool have_min = false, have_runs = false, have_mem = false;
	unsigned int i, p;
	int a;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "list")) {
		for (i = 0; i < NBENCHES; i++)
			for (p = 0; p < benches[i].nparts; p++)
				printf("%-10s %-10s %s\n", benches[i].id, benches[i].parts[p].id,
				       benches[i].parts[p].label);
		return 0;
	}
	if (!strcmp(argv[1], "table"))
		return cmd_table(argc - 2, argv + 2);
	if (strcmp(argv[1], "run"))
		usage();
	for (a = 2; a < argc; a++) {
		const char *opt = argv[a];

		if (!strcmp(opt, "--short")) {
			o.short_mode = true;
			continue;
		}
		if (a + 1 >= argc)
			usage();
		if (!strcmp(opt, "--vmm"))
			o.vmm = argv[++a];
		else if (!strcmp(opt, "--out"))
			o.out = argv[++a];
		else if (!strcmp(opt, "--only"))
			o.only = argv[++a];
		else if (!strcmp(opt, "--n-from"))
			o.n_from = argv[++a];
		else if (!strcmp(opt, "--min-cycles"))
			o.min_cycles = parse_u64(argv[++a]), have_min = true;
		else if (!strcmp(opt, "--runs"))
			o.runs = (unsigned int)parse_u64(argv[++a]), have_runs = true;
		else if (!strcmp(opt, "--mem-mib"))
			o.mem_size = parse_u64(argv[++a]) * SZ_1M, have_mem = true;
		else
			usage();
	}
	if (!o.vmm || !o.out)
		usage();
	if (!have_min)
		o.min_cycles = o.short_mode ? 1ULL << 20 : 1ULL << 30;
	if (!have_runs)
		o.runs = 1;
	if (!have_mem)
		o.mem_size = o.short_mode ? 16 * SZ_1M : BENCH_MEM_MAX;
	if (!o.runs || o.runs > MAX_RUNS || !o.mem_size || o.mem_size > BENCH_MEM_MAX ||
	    o.mem_size % SZ_2M) {
		fprintf(stderr, "hvbench: runs 1..%d, memory a multiple of 2 MiB up to 1 GiB\n",
			MAX_RUNS);
		return 2;
	}
	return cmd_run(&o);
}
