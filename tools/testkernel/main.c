// SPDX-License-Identifier: GPL-2.0
/*
 * A tiny multiboot test kernel for `hvctl run`: 32-bit protected mode, no
 * paging, no interrupts. It talks to the platform hvctl emulates the way a
 * real kernel would (16550 registers, ACPI tables, the PM1 control block,
 * the I/O APIC through MMIO, the CMOS RTC) and reports through COM1 and
 * the isa-debug-exit port. The command line picks the test:
 *
 *   test=hello     print the boot information; exit with 0x10 (status 33)
 *   test=acpi      check every table and checksum, count the local APICs
 *                  (vps=N), look for VMBus (nohv: expect none), then power
 *                  off through \_S5 and PM1a_CNT (status 0)
 *   test=ioapic    I/O APIC registers through MMIO; exit 0x10
 *   test=rtc       read the CMOS clock; exit 0x10
 *   test=pmtimer   the ACPI PM timer runs; exit 0x10
 *   test=pit       PIT counter 2 through port 0x61 times 10 ms (--no-hyperv)
 *   test=echo      echo COM1 input until 'q'; exit 0x10
 *   test=triple    triple fault (status 2)
 *   test=halt      cli; hlt (status 4)
 *   test=reset     write the ACPI reset register (status 5)
 *   test=spin      loop forever (for --timeout, pause, stop)
 *
 * A failed check prints "FAIL: ..." and exits with 0x11 (status 35).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COM1		0x3f8
#define PORT_EXIT	0xf4
#define EXIT_PASS	0x10
#define EXIT_FAIL	0x11
#define MB_BOOT_MAGIC	0x2badb002u

struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr, syms[4], mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr, config_table, boot_loader_name;
};

void tk_main(uint32_t magic, const struct mb_info *mbi);

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t mmio_read32(uint32_t addr)
{
	return *(volatile uint32_t *)addr;
}

static inline void mmio_write32(uint32_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

static void halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

static void con_putc(char c)
{
	while (!(inb(COM1 + 5) & 0x20))
		;
	outb(COM1, (uint8_t)c);
}

static void con_puts(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			con_putc('\r');
		con_putc(*s);
	}
}

static void putdec(uint32_t v)
{
	char buf[11];
	int i = 10;

	buf[i] = '\0';
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	con_puts(buf + i);
}

static void puthex(uint32_t v)
{
	static const char digits[] = "0123456789abcdef";
	char buf[11] = "0x";
	int i;

	for (i = 0; i < 8; i++)
		buf[2 + i] = digits[(v >> (28 - 4 * i)) & 0xf];
	buf[10] = '\0';
	con_puts(buf);
}

static void exit_with(uint8_t v)
{
	outb(PORT_EXIT, v);
	halt_forever();
}

static void fail(const char *what)
{
	con_puts("FAIL: ");
	con_puts(what);
	con_puts("\n");
	exit_with(EXIT_FAIL);
}

static void pass(const char *test)
{
	con_puts("PASS: ");
	con_puts(test);
	con_puts("\n");
	exit_with(EXIT_PASS);
}

static bool memeq(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	while (n--)
		if (*x++ != *y++)
			return false;
	return true;
}

static size_t slen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* The value of "key=" in the command line, up to a space; NULL if absent. */
static const char *arg(const char *cmdline, const char *key, size_t *len)
{
	size_t k = slen(key);
	const char *p = cmdline;

	while (*p) {
		while (*p == ' ')
			p++;
		if (memeq(p, key, k) && p[k] == '=') {
			*len = 0;
			while (p[k + 1 + *len] && p[k + 1 + *len] != ' ')
				(*len)++;
			return p + k + 1;
		}
		while (*p && *p != ' ')
			p++;
	}
	return NULL;
}

static bool has_word(const char *cmdline, const char *word)
{
	size_t k = slen(word);
	const char *p = cmdline;

	while (*p) {
		while (*p == ' ')
			p++;
		if (memeq(p, word, k) && (p[k] == ' ' || !p[k]))
			return true;
		while (*p && *p != ' ')
			p++;
	}
	return false;
}

/* Program COM1 the way a driver does, and check what a 16550 must do. */
static bool serial_init(void)
{
	bool ok = true;

	outb(COM1 + 1, 0x00);		/* IER: no interrupts */
	outb(COM1 + 3, 0x80);		/* DLAB */
	outb(COM1 + 0, 0x01);		/* 115200 baud */
	outb(COM1 + 1, 0x00);
	ok &= inb(COM1 + 0) == 0x01;	/* DLL reads back */
	outb(COM1 + 3, 0x03);		/* 8N1 */
	outb(COM1 + 2, 0xc7);		/* FIFO on, cleared */
	ok &= (inb(COM1 + 2) & 0xc0) == 0xc0;	/* IIR: FIFOs enabled */
	outb(COM1 + 7, 0x5a);
	ok &= inb(COM1 + 7) == 0x5a;	/* scratch */
	outb(COM1 + 4, 0x1e);		/* loopback, RTS, OUT1, OUT2 */
	outb(COM1 + 0, 0xae);
	ok &= (inb(COM1 + 5) & 0x01) && inb(COM1 + 0) == 0xae;
	ok &= (inb(COM1 + 6) & 0xf0) == 0xd0;	/* CTS, RI, DCD mirror MCR */
	outb(COM1 + 4, 0x0b);		/* DTR, RTS, OUT2 */
	ok &= (inb(COM1 + 5) & 0x60) == 0x60;	/* THRE, TEMT */
	return ok;
}

static uint8_t sum(const void *p, uint32_t len)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (len--)
		s = (uint8_t)(s + *b++);
	return s;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A table from a 64-bit pointer: below 4 GiB, signature and checksum right. */
static const uint8_t *table(uint32_t lo, uint32_t hi, const char *sig)
{
	const uint8_t *t = (const uint8_t *)lo;

	if (hi || !lo)
		fail("ACPI table above 4 GiB or null");
	if (!memeq(t, sig, 4)) {
		con_puts("expected ");
		con_puts(sig);
		con_puts("\n");
		fail("ACPI table signature");
	}
	if (!memeq(sig, "FACS", 4) && sum(t, rd32(t + 4))) {
		con_puts(sig);
		con_puts(": ");
		fail("ACPI checksum");
	}
	return t;
}

static bool find(const uint8_t *p, uint32_t len, const char *what, uint32_t *at)
{
	uint32_t n = (uint32_t)slen(what), i;

	for (i = 0; i + n <= len; i++) {
		if (memeq(p + i, what, n)) {
			*at = i;
			return true;
		}
	}
	return false;
}

/* A Package element: ZeroOp, OneOp or BytePrefix n. */
static int aml_small_int(const uint8_t *p)
{
	if (p[0] == 0x00 || p[0] == 0x01)
		return p[0];
	if (p[0] == 0x0a)
		return p[1];
	return -1;
}

static void test_acpi(const char *cmdline)
{
	const uint8_t *rsdp = NULL, *xsdt, *fadt = NULL, *madt = NULL, *dsdt, *p;
	uint32_t a, i, n, lapics = 0, ioapic = 0, len, at, want = 1;
	size_t vlen;
	const char *v = arg(cmdline, "vps", &vlen);
	int slp_typ;
	uint16_t pm1a_cnt;

	if (v)
		for (want = 0; vlen--; v++)
			want = want * 10 + (uint32_t)(*v - '0');
	for (a = 0xe0000; a < 0x100000; a += 16) {
		if (memeq((const void *)a, "RSD PTR ", 8)) {
			rsdp = (const uint8_t *)a;
			break;
		}
	}
	if (!rsdp)
		fail("no RSDP in 0xe0000-0xfffff");
	if (sum(rsdp, 20) || rsdp[15] < 2 || sum(rsdp, rd32(rsdp + 20)))
		fail("RSDP checksum or revision");
	xsdt = table(rd32(rsdp + 24), rd32(rsdp + 28), "XSDT");
	n = (rd32(xsdt + 4) - 36) / 8;
	for (i = 0; i < n; i++) {
		const uint8_t *e = xsdt + 36 + 8 * i;
		const uint8_t *t = (const uint8_t *)rd32(e);

		if (memeq(t, "FACP", 4))
			fadt = table(rd32(e), rd32(e + 4), "FACP");
		else if (memeq(t, "APIC", 4))
			madt = table(rd32(e), rd32(e + 4), "APIC");
	}
	if (!fadt || !madt)
		fail("XSDT lacks the FADT or the MADT");
	table(rd32(fadt + 36), 0, "FACS");
	dsdt = table(rd32(fadt + 40), 0, "DSDT");
	if (rd32(fadt + 140) != rd32(fadt + 40))
		fail("FADT X_DSDT differs from DSDT");
	if (rd32(fadt + 112) & (1u << 20))
		fail("FADT is hardware-reduced");

	len = rd32(madt + 4);
	for (p = madt + 44; p < madt + len; p += p[1]) {
		if (p[1] < 2)
			fail("MADT entry of length < 2");
		if (p[0] == 0 && (rd32(p + 4) & 1)) {
			if (p[3] != lapics)
				fail("MADT: APIC IDs are not the VP indexes");
			lapics++;
		}
		if (p[0] == 1)
			ioapic = rd32(p + 4);
	}
	con_puts("acpi: ");
	putdec(lapics);
	con_puts(" local APIC(s), I/O APIC at ");
	puthex(ioapic);
	con_puts("\n");
	if (lapics != want)
		fail("local APIC count differs from vps=");
	if (ioapic != 0xfec00000)
		fail("no I/O APIC at 0xfec00000");

	len = rd32(dsdt + 4);
	if (has_word(cmdline, "nohv")) {
		if (find(dsdt, len, "VMBUS", &at))
			fail("VMBus in the DSDT of a --no-hyperv partition");
	} else {
		if (!find(dsdt, len, "VMBUS", &at) || !find(dsdt, len, "_CRS", &at))
			fail("no VMBUS device with a _CRS in the DSDT");
		con_puts("acpi: DSDT has the VMBUS device\n");
	}
	/* Name(\_S5_, Package(n) { SLP_TYPa, ... }): 0x12, PkgLength, count, elements. */
	if (!find(dsdt, len, "_S5_", &at) || dsdt[at + 4] != 0x12 || (dsdt[at + 5] & 0xc0))
		fail("no \\_S5 package in the DSDT");
	slp_typ = aml_small_int(dsdt + at + 7);
	if (slp_typ < 0 || slp_typ > 7)
		fail("\\_S5 SLP_TYPa is not a small integer");
	pm1a_cnt = (uint16_t)rd32(fadt + 64);
	con_puts("acpi: powering off: SLP_TYP ");
	putdec((uint32_t)slp_typ);
	con_puts(" to PM1a_CNT ");
	puthex(pm1a_cnt);
	con_puts("\n");
	outw(pm1a_cnt, (uint16_t)(slp_typ << 10 | 1 << 13));
	fail("still running after writing SLP_EN");
}

static void test_ioapic(void)
{
	uint32_t ver, lo;

	mmio_write32(0xfec00000, 0x01);
	ver = mmio_read32(0xfec00010);
	con_puts("ioapic: version register ");
	puthex(ver);
	con_puts("\n");
	if ((ver & 0xff) != 0x11 || ((ver >> 16) & 0xff) != 23)
		fail("I/O APIC version is not 0x11 with 24 entries");
	mmio_write32(0xfec00000, 0x10);
	lo = mmio_read32(0xfec00010);
	if (!(lo & (1u << 16)))
		fail("redirection entry 0 is not masked at reset");
	mmio_write32(0xfec00010, 0x00010031);
	if (mmio_read32(0xfec00010) != 0x00010031)
		fail("redirection entry 0 does not read back");
	pass("ioapic");
}

static uint8_t cmos(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static void put2(uint8_t bcd)
{
	con_putc((char)('0' + (bcd >> 4)));
	con_putc((char)('0' + (bcd & 0xf)));
}

static void test_rtc(void)
{
	uint8_t b = cmos(0x0b), century = cmos(0x32), year = cmos(0x09);

	con_puts("rtc: status B ");
	puthex(b);
	con_puts(", date ");
	put2(century);
	put2(year);
	con_putc('-');
	put2(cmos(0x08));
	con_putc('-');
	put2(cmos(0x07));
	con_putc(' ');
	put2(cmos(0x04));
	con_putc(':');
	put2(cmos(0x02));
	con_puts("\n");
	if ((cmos(0x0a) & 0x80) || !(cmos(0x0d) & 0x80))
		fail("RTC update in progress, or battery flagged dead");
	if (b & 0x04)
		fail("RTC is not in BCD mode at reset");
	if (century != 0x20 || year < 0x24)
		fail("RTC date is not in this century");
	pass("rtc");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* Also reports what one port exit costs, in TSC cycles (Linux's TSC
 * calibration gives up on a reference read slower than 50000). */
static void test_pmtimer(void)
{
	uint32_t a = inl(0x408), b = a, i;
	uint64_t t0 = rdtsc(), t1;

	for (i = 0; i < 1000; i++)
		b = inl(0x408);
	t1 = rdtsc();
	con_puts("pmtimer: ");
	puthex(a);
	con_puts(" -> ");
	puthex(b);
	con_puts(", ");
	putdec((uint32_t)(t1 - t0) / 1000);
	con_puts(" TSC cycles per read\n");
	if (b == a)
		fail("the PM timer does not move");
	pass("pmtimer");
}

/*
 * PIT counter 2 as Linux's TSC calibration uses it: gate it through port
 * 0x61, count 10 ms down in mode 0, wait for OUT2, and check the time
 * against the PM timer (35795 ticks; exits make it a little longer).
 */
static void test_pit(void)
{
	uint16_t latch = 11932, c;
	uint32_t t0, t1, spins = 0;

	outb(0x61, (uint8_t)((inb(0x61) & ~0x02) | 0x01));
	outb(0x43, 0xb0);		/* counter 2, LSB then MSB, mode 0 */
	outb(0x42, (uint8_t)latch);
	outb(0x42, (uint8_t)(latch >> 8));
	t0 = inl(0x408);
	if (inb(0x61) & 0x20)
		fail("OUT2 is high right after the count was loaded");
	outb(0x43, 0x80);		/* latch counter 2 */
	c = inb(0x42);
	c |= (uint16_t)(inb(0x42) << 8);
	while (!(inb(0x61) & 0x20))
		spins++;
	t1 = inl(0x408);
	con_puts("pit: counter 2 read ");
	putdec(c);
	con_puts(" of ");
	putdec(latch);
	con_puts(", OUT2 after ");
	putdec(t1 - t0);
	con_puts(" PM timer ticks (10 ms is 35795), ");
	putdec(spins);
	con_puts(" polls\n");
	if (c == 0 || c > latch)
		fail("the latched count is not below the loaded one");
	if (t1 - t0 < 30000 || t1 - t0 > 200000)
		fail("OUT2 did not rise about 10 ms after loading");
	pass("pit");
}

static void test_echo(void)
{
	char c;

	con_puts("echo: ready\n");
	do {
		while (!(inb(COM1 + 5) & 0x01))
			;
		c = (char)inb(COM1);
		con_putc(c);
	} while (c != 'q');
	con_puts("\n");
	pass("echo");
}

static void test_triple(void)
{
	static const struct __attribute__((packed)) {
		uint16_t limit;
		uint32_t base;
	} empty_idt = { 0, 0 };

	con_puts("triple: loading an empty IDT and raising #BP\n");
	__asm__ volatile("lidt %0; int3" : : "m"(empty_idt));
	fail("survived a triple fault");
}

static void test_spin(void)
{
	con_puts("spin: spinning\n");
	for (;;)
		__asm__ volatile("pause");
}

void tk_main(uint32_t magic, const struct mb_info *mbi)
{
	const char *cmdline = "", *test;
	size_t tlen;

	if (!serial_init())
		con_puts("FAIL: COM1 does not behave like a 16550A\n");
	con_puts("hvctl-testkernel: started\n");
	if (magic != MB_BOOT_MAGIC)
		fail("EAX is not the multiboot magic");
	if (mbi->flags & (1u << 2))
		cmdline = (const char *)mbi->cmdline;
	con_puts("cmdline: ");
	con_puts(cmdline);
	con_puts("\n");
	if (!(mbi->flags & 1) || !(mbi->flags & (1u << 6)))
		fail("no memory information");
	con_puts("memory: ");
	putdec(mbi->mem_upper / 1024 + 1);
	con_puts(" MiB\n");
	if (mbi->flags & (1u << 9)) {
		con_puts("loader: ");
		con_puts((const char *)mbi->boot_loader_name);
		con_puts("\n");
	}
	if (mbi->flags & (1u << 3) && mbi->mods_count) {
		const uint32_t *mod = (const uint32_t *)mbi->mods_addr;

		con_puts("module: ");
		putdec(mod[1] - mod[0]);
		con_puts(" bytes: ");
		for (uint32_t i = mod[0]; i < mod[1] && i < mod[0] + 32; i++)
			if (*(const char *)i >= ' ')
				con_putc(*(const char *)i);
		con_puts("\n");
	}

	test = arg(cmdline, "test", &tlen);
	if (!test || (tlen == 5 && memeq(test, "hello", 5)))
		pass("hello");
	else if (tlen == 4 && memeq(test, "acpi", 4))
		test_acpi(cmdline);
	else if (tlen == 6 && memeq(test, "ioapic", 6))
		test_ioapic();
	else if (tlen == 3 && memeq(test, "rtc", 3))
		test_rtc();
	else if (tlen == 7 && memeq(test, "pmtimer", 7))
		test_pmtimer();
	else if (tlen == 3 && memeq(test, "pit", 3))
		test_pit();
	else if (tlen == 4 && memeq(test, "echo", 4))
		test_echo();
	else if (tlen == 6 && memeq(test, "triple", 6))
		test_triple();
	else if (tlen == 4 && memeq(test, "halt", 4)) {
		con_puts("halt: cli; hlt\n");
		halt_forever();
	} else if (tlen == 5 && memeq(test, "reset", 5)) {
		con_puts("reset: writing the ACPI reset register\n");
		outb(0xcf9, 0x06);
		fail("still running after a reset");
	} else if (tlen == 4 && memeq(test, "spin", 4))
		test_spin();
	fail("unknown test=");
}
