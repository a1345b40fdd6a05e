// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side unit tests of hvctl's pure parts, no module needed: the AML
 * writer, the ACPI tables (parsed back the way a guest would, checksums
 * included), the multiboot and Linux loaders (on the test kernel, on a
 * synthetic bzImage and, if /boot has one, on a real Debian kernel), the
 * boot processor's registers, the identity page tables, and the argument
 * parsers. TAP on stdout; built with ASan and UBSan.
 *
 *   test_platform [TESTKERNEL_DIR]   (default: out)
 */
#include <dirent.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <asm/bootparam.h>

#include "acpi.h"
#include "aml.h"
#include "hvctl.h"
#include "layout.h"
#include "loader.h"

static unsigned int tap_n, tap_failed;

static __attribute__((format(printf, 2, 3))) bool ok(bool pass, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	if (!pass)
		tap_failed++;
	printf("%sok %u - ", pass ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return pass;
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* Guest memory of @size backed by plain host memory. */
static void mem_alloc(struct guest_mem *mem, uint64_t size)
{
	guest_mem_layout(mem, size);
	mem->host = calloc(1, size);
	if (!mem->host) {
		printf("Bail out! cannot allocate %llu bytes\n", (unsigned long long)size);
		exit(1);
	}
}

static bool find(const uint8_t *p, size_t len, const void *what, size_t n, size_t *at)
{
	size_t i;

	for (i = 0; i + n <= len; i++) {
		if (!memcmp(p + i, what, n)) {
			*at = i;
			return true;
		}
	}
	return false;
}

/* ---- AML ----------------------------------------------------------------- */

static void test_aml(void)
{
	uint8_t buf[512];
	struct aml a;
	size_t m, i;
	static const uint8_t pnp0501[] = { 0x0c, 0x41, 0xd0, 0x05, 0x01 };
	static const uint8_t sb_name[] = { 0x5c, '_', 'S', 'B', '_' };

	aml_init(&a, buf, sizeof(buf));
	aml_eisaid(&a, "PNP0501");
	ok(a.len == 5 && !memcmp(buf, pnp0501, 5), "aml: EISAID(\"PNP0501\") is 0C 41 D0 05 01");

	aml_init(&a, buf, sizeof(buf));
	aml_namestring(&a, "\\_SB");
	ok(a.len == 5 && !memcmp(buf, sb_name, 5), "aml: \\_SB pads to \\_SB_");

	aml_init(&a, buf, sizeof(buf));
	aml_namestring(&a, "\\_SB_.VMOD.VMBS");
	ok(a.len == 15 && buf[1] == 0x2f && buf[2] == 3, "aml: three segments use MultiNamePrefix");

	aml_init(&a, buf, sizeof(buf));
	aml_integer(&a, 0);
	aml_integer(&a, 1);
	aml_integer(&a, 0x80);
	aml_integer(&a, 0x1234);
	aml_integer(&a, 0x12345678);
	aml_integer(&a, 0x123456789ULL);
	ok(a.len == 1 + 1 + 2 + 3 + 5 + 9 && buf[2] == 0x0a && buf[4] == 0x0b && buf[7] == 0x0c &&
	   buf[12] == 0x0e, "aml: integers take the smallest encoding");

	/* A package of 62 bytes body: PkgLength needs 2 bytes (63 + 1 >= 64). */
	aml_init(&a, buf, sizeof(buf));
	m = aml_package_begin(&a, 30);
	for (i = 0; i < 30; i++)
		aml_integer(&a, 0x10);	/* 2 bytes each */
	aml_end(&a, m);
	/* body = 1 (count) + 60 = 61; total = 61 + 2 = 63 > 63? no: 61 + 1 = 62 < 64 */
	ok(buf[0] == 0x12 && buf[1] == 62 && buf[2] == 30 && a.len == 1 + 62,
	   "aml: one-byte PkgLength counts itself (62)");
	aml_init(&a, buf, sizeof(buf));
	m = aml_package_begin(&a, 40);
	for (i = 0; i < 40; i++)
		aml_integer(&a, 0x10);
	aml_end(&a, m);
	/* body 81, total 83 = 0x53: lead 0x40 | 0x3, next 0x05 */
	ok(buf[1] == 0x43 && buf[2] == 0x05 && buf[3] == 40 && a.len == 1 + 83,
	   "aml: two-byte PkgLength (83 = 0x43 0x05)");

	aml_init(&a, buf, 4);
	aml_string(&a, "too long for four bytes");
	ok(a.overflow, "aml: overflow is reported, not written past the end");
}

/* ---- ACPI ---------------------------------------------------------------- */

static const uint8_t *xsdt_find(const struct guest_mem *mem, const uint8_t *xsdt, const char *sig)
{
	uint32_t n = (rd32(xsdt + 4) - 36) / 8, i;

	for (i = 0; i < n; i++) {
		const uint8_t *t = gpa_ptr(mem, rd64(xsdt + 36 + 8 * i), 36);

		if (t && !memcmp(t, sig, 4))
			return gpa_ptr(mem, rd64(xsdt + 36 + 8 * i), rd32(t + 4));
	}
	return NULL;
}

static void test_acpi_one(unsigned int nr_vps, bool vmbus)
{
	struct acpi_config cfg = { .nr_vps = nr_vps, .vmbus = vmbus };
	struct guest_mem mem;
	char err[256];
	const uint8_t *rsdp, *xsdt, *fadt, *madt, *dsdt, *facs, *p;
	unsigned int lapics = 0, x2apics = 0, ioapics = 0, iso9 = 0;
	size_t at;
	bool ids_ok = true;

	mem_alloc(&mem, 64ULL << 20);
	err[0] = '\0';
	if (!ok(acpi_build(&mem, &cfg, err, sizeof(err)) == 0, "acpi(%u vps): built %s", nr_vps, err))
		goto out;
	rsdp = gpa_ptr(&mem, GPA_ACPI, 36);
	ok(!memcmp(rsdp, "RSD PTR ", 8) && rsdp[15] == 2 && !acpi_sum(rsdp, 20) &&
	   !acpi_sum(rsdp, 36), "acpi(%u vps): RSDP at 0xe0000, revision 2, both checksums", nr_vps);
	xsdt = gpa_ptr(&mem, rd64(rsdp + 24), 36);
	xsdt = gpa_ptr(&mem, rd64(rsdp + 24), rd32(xsdt + 4));
	ok(xsdt && !memcmp(xsdt, "XSDT", 4) && !acpi_sum(xsdt, rd32(xsdt + 4)),
	   "acpi(%u vps): XSDT checksum", nr_vps);
	fadt = xsdt_find(&mem, xsdt, "FACP");
	madt = xsdt_find(&mem, xsdt, "APIC");
	ok(fadt && madt, "acpi(%u vps): XSDT lists the FADT and the MADT", nr_vps);
	if (!fadt || !madt)
		goto out;
	ok(!acpi_sum(fadt, rd32(fadt + 4)) && rd32(fadt + 4) == 276 && fadt[8] == 6,
	   "acpi(%u vps): FADT revision 6, 276 bytes, checksum", nr_vps);
	ok(!(rd32(fadt + 112) & (1U << 20)) && !(rd32(fadt + 112) & (1U << 4)),
	   "acpi(%u vps): FADT is not hardware-reduced; the power button is a fixed feature", nr_vps);
	ok(rd32(fadt + 56) == 0x400 && rd32(fadt + 64) == 0x404 && rd32(fadt + 76) == 0x408 &&
	   fadt[88] == 4 && fadt[89] == 2 && fadt[91] == 4 && rd32(fadt + 48) == 0 &&
	   *(const uint16_t *)(fadt + 46) == 9,
	   "acpi(%u vps): PM1a_EVT/CNT, PM timer, SCI 9, no SMI_CMD", nr_vps);
	facs = gpa_ptr(&mem, rd32(fadt + 36), 64);
	ok(facs && !memcmp(facs, "FACS", 4) && rd32(facs + 4) == 64 && !(rd32(fadt + 36) & 63),
	   "acpi(%u vps): FACS, 64-byte aligned", nr_vps);
	dsdt = gpa_ptr(&mem, rd32(fadt + 40), 36);
	dsdt = dsdt ? gpa_ptr(&mem, rd32(fadt + 40), rd32(dsdt + 4)) : NULL;
	ok(dsdt && !memcmp(dsdt, "DSDT", 4) && !acpi_sum(dsdt, rd32(dsdt + 4)) &&
	   rd64(fadt + 140) == rd32(fadt + 40), "acpi(%u vps): DSDT checksum, X_DSDT = DSDT", nr_vps);
	if (!dsdt)
		goto out;

	ok(!acpi_sum(madt, rd32(madt + 4)) && rd32(madt + 36) == 0xfee00000 && rd32(madt + 40) == 0,
	   "acpi(%u vps): MADT checksum, LAPIC at 0xfee00000, no PCAT_COMPAT", nr_vps);
	for (p = madt + 44; p < madt + rd32(madt + 4) && p[1] >= 2; p += p[1]) {
		if (p[0] == 0) {
			ids_ok &= p[2] == lapics && p[3] == lapics && (rd32(p + 4) & 1);
			lapics++;
		} else if (p[0] == 9) {
			ids_ok &= rd32(p + 4) == 255 + x2apics && rd32(p + 12) == 255 + x2apics;
			x2apics++;
		} else if (p[0] == 1) {
			ioapics += rd32(p + 4) == 0xfec00000 && rd32(p + 8) == 0;
		} else if (p[0] == 2) {
			iso9 += p[3] == 9 && rd32(p + 4) == 9 && (*(const uint16_t *)(p + 8) == 0xd);
		}
	}
	ok(lapics + x2apics == nr_vps && ids_ok && lapics == (nr_vps < 255 ? nr_vps : 255),
	   "acpi(%u vps): one enabled local APIC per VP, APIC ID = UID = VP index (%u xAPIC, %u x2APIC)",
	   nr_vps, lapics, x2apics);
	ok(ioapics == 1 && iso9 == 1, "acpi(%u vps): one I/O APIC at GSI 0, SCI override level/high",
	   nr_vps);

	ok(vmbus == find(dsdt, rd32(dsdt + 4), "\rVMBUS", 7, &at),
	   "acpi(%u vps): VMBus device %s", nr_vps, vmbus ? "present" : "absent (--no-hyperv)");
	if (vmbus) {
		/* Device(VMBS): ... Name(_HID, "VMBUS") ... Name(_CRS, Buffer) */
		size_t dev, crs;

		ok(find(dsdt, rd32(dsdt + 4), "VMBS", 4, &dev) &&
		   find(dsdt + dev, rd32(dsdt + 4) - dev, "_CRS\x11", 5, &crs),
		   "acpi(%u vps): VMBS has a _CRS buffer", nr_vps);
		ok(find(dsdt, rd32(dsdt + 4), "\rACPI0004", 10, &at),
		   "acpi(%u vps): VMOD module device (ACPI0004) holds the MMIO window", nr_vps);
	}
	/* NameOp \_S5_ PackageOp PkgLength(8) NumElements(4) BytePrefix 5 ... */
	ok(find(dsdt, rd32(dsdt + 4), "\x08\\_S5_\x12\x08\x04\x0a\x05\x0a\x05\x00\x00", 14, &at),
	   "acpi(%u vps): Name(\\_S5, Package(4) { 5, 5, 0, 0 })", nr_vps);
	ok(find(dsdt, rd32(dsdt + 4), "\x0c\x41\xd0\x05\x01", 5, &at),
	   "acpi(%u vps): COM1 as PNP0501", nr_vps);
out:
	free(mem.host);
}

static void test_acpi(void)
{
	test_acpi_one(1, true);
	test_acpi_one(2, false);
	test_acpi_one(300, true);
}

/* ---- loaders ------------------------------------------------------------- */

static uint8_t *slurp(const char *path, size_t *len)
{
	char err[256];
	uint8_t *data;

	if (read_whole_file(path, 1ULL << 30, &data, len, err, sizeof(err)))
		return NULL;
	return data;
}

static void test_multiboot_file(const char *path, bool aout)
{
	struct boot_image img = { 0 };
	struct guest_mem mem;
	struct boot_cpu cpu;
	char err[256];
	static const uint8_t module[] = "module-contents";
	const uint8_t *mbi, *mod;
	size_t len;
	uint8_t *k = slurp(path, &len);
	int ret;

	if (!k) {
		ok(true, "multiboot %s: # SKIP not built", path);
		return;
	}
	mem_alloc(&mem, 16ULL << 20);
	img.kernel = k;
	img.kernel_len = len;
	img.initrd = module;
	img.initrd_len = sizeof(module);
	img.initrd_name = "mod0";
	img.cmdline = "test=hello";
	ret = loader_plan(&img, &mem, err, sizeof(err));
	ok(!ret && img.kind == BOOT_MULTIBOOT, "multiboot %s: planned (%s)", path,
	   ret ? err : img.description);
	ok(strstr(img.description, aout ? "header addresses" : "ELF") != NULL,
	   "multiboot %s: loaded by %s", path, aout ? "the header's addresses" : "ELF program headers");
	ok(img.segs[0].gpa == 0x100000 && img.entry > 0x100000 && img.entry < img.image_end,
	   "multiboot %s: at 1 MiB, entry %#llx inside the image", path, (unsigned long long)img.entry);
	ok(!loader_load(&img, &mem, &cpu, err, sizeof(err)), "multiboot %s: loaded", path);
	ok(cpu.mode == BOOT_MODE_PROT32 && cpu.rax == 0x2badb002 && cpu.rbx == GPA_MB_INFO &&
	   cpu.rip == img.entry, "multiboot %s: EAX magic, EBX info, 32-bit entry", path);
	mbi = gpa_ptr(&mem, GPA_MB_INFO, 4096);
	ok((rd32(mbi) & 0x24d) == 0x24d && rd32(mbi + 8) == (16 << 10) - 1024,
	   "multiboot %s: info flags mem/cmdline/mods/mmap/loader, mem_upper 15 MiB", path);
	ok(!strcmp((const char *)gpa_ptr(&mem, rd32(mbi + 16), 11), "test=hello"),
	   "multiboot %s: command line", path);
	mod = gpa_ptr(&mem, rd32(mbi + 24), 16);
	ok(rd32(mbi + 20) == 1 && !(rd32(mod) & 0xfff) && rd32(mod) >= img.image_end &&
	   rd32(mod + 4) - rd32(mod) == sizeof(module) &&
	   !memcmp(gpa_ptr(&mem, rd32(mod), sizeof(module)), module, sizeof(module)) &&
	   !strcmp((const char *)gpa_ptr(&mem, rd32(mod + 8), 5), "mod0"),
	   "multiboot %s: initrd as page-aligned module 0 after the kernel", path);
	ok(rd32(mbi + 44) % 24 == 0 && rd32(mbi + 44) >= 4 * 24, "multiboot %s: memory map", path);
	ok(!memcmp(gpa_ptr(&mem, img.segs[0].gpa, 4), "\x02\xb0\xad\x1b", 4),
	   "multiboot %s: image copied (header at the start)", path);

	/* Too little memory for the image: refused at planning. */
	{
		struct guest_mem small;

		memset(&small, 0, sizeof(small));
		guest_mem_layout(&small, 1ULL << 20);
		ok(loader_plan(&img, &small, err, sizeof(err)) != 0,
		   "multiboot %s: 1 MiB of memory is refused: %s", path, err);
	}
	free(mem.host);
	free(k);
}

/* A minimal bzImage: setup header only, a protected-mode part of 64 KiB. */
static uint8_t *fake_bzimage(size_t *len, uint16_t version, uint16_t xloadflags)
{
	size_t n = 2 * 512 + 65536;
	uint8_t *k = calloc(1, n);
	struct setup_header *h = (struct setup_header *)(k + 0x1f1);

	h->setup_sects = 1;
	h->boot_flag = 0xaa55;
	h->jump = 0x6aeb;		/* jmp to 0x26c: header ends at 0x202 + 0x6a */
	memcpy(&h->header, "HdrS", 4);
	h->version = version;
	h->loadflags = LOADED_HIGH;
	h->initrd_addr_max = 0x7fffffff;
	h->kernel_alignment = 0x200000;
	h->relocatable_kernel = 1;
	h->xloadflags = xloadflags;
	h->cmdline_size = 255;
	h->pref_address = 0x1000000;
	h->init_size = 0x400000;
	k[2 * 512] = 0xe9;		/* first byte of the protected-mode kernel */
	*len = n;
	return k;
}

static void check_e820(const struct boot_params *bp, const char *what)
{
	unsigned int i;
	bool sorted = bp->e820_entries >= 4;

	for (i = 1; i < bp->e820_entries; i++)
		sorted &= bp->e820_table[i].addr >=
			  bp->e820_table[i - 1].addr + bp->e820_table[i - 1].size;
	ok(sorted && bp->e820_table[0].addr == 0 && bp->e820_table[0].type == 1,
	   "%s: e820 map sorted, without overlaps, RAM from 0", what);
}

static void test_linux_fake(void)
{
	struct boot_image img = { 0 };
	struct guest_mem mem;
	struct boot_cpu cpu;
	struct hvpart_regs regs;
	struct hvpart_sregs sregs;
	char err[256];
	const struct boot_params *bp;
	static const uint8_t initrd[8192] = { 1, 2, 3 };
	size_t len;
	uint8_t *k;
	int ret;

	k = fake_bzimage(&len, 0x0209, 1);
	img.kernel = k;
	img.kernel_len = len;
	guest_mem_layout(&mem, 64ULL << 20);
	mem.host = NULL;
	ok(loader_plan(&img, &mem, err, sizeof(err)) && strstr(err, "2.12"),
	   "linux: protocol 2.09 is refused: %s", err);
	free(k);
	k = fake_bzimage(&len, 0x020f, 0);
	img.kernel = k;
	ok(loader_plan(&img, &mem, err, sizeof(err)) && strstr(err, "XLF_KERNEL_64"),
	   "linux: no 64-bit entry is refused: %s", err);
	free(k);

	k = fake_bzimage(&len, 0x020f, 1);
	img.kernel = k;
	img.cmdline = "console=ttyS0";
	img.initrd = initrd;
	img.initrd_len = sizeof(initrd);
	mem_alloc(&mem, 64ULL << 20);
	ret = loader_plan(&img, &mem, err, sizeof(err));
	ok(!ret, "linux: fake bzImage planned: %s", ret ? err : img.description);
	ok(img.segs[0].gpa == 0x1000000 && img.entry == 0x1000200,
	   "linux: loaded at pref_address, entry = load + 0x200");
	ok(img.initrd_gpa + sizeof(initrd) <= 64ULL << 20 && !(img.initrd_gpa & 0xfff) &&
	   img.initrd_gpa >= 0x1400000, "linux: initrd page-aligned at the top of RAM, above init_size");
	ok(!loader_load(&img, &mem, &cpu, err, sizeof(err)), "linux: loaded");
	bp = gpa_ptr(&mem, GPA_BOOT_PARAMS, sizeof(*bp));
	ok(bp->hdr.type_of_loader == 0xff && bp->hdr.cmd_line_ptr == GPA_CMDLINE &&
	   !strcmp((const char *)gpa_ptr(&mem, GPA_CMDLINE, 14), "console=ttyS0") &&
	   bp->hdr.ramdisk_image == img.initrd_gpa && bp->hdr.ramdisk_size == sizeof(initrd) &&
	   bp->acpi_rsdp_addr == GPA_ACPI && !memcmp(&bp->hdr.header, "HdrS", 4) &&
	   bp->hdr.version == 0x020f, "linux: boot_params: loader, cmdline, initrd, RSDP, header copied");
	check_e820(bp, "linux");
	ok(cpu.mode == BOOT_MODE_LONG64 && cpu.rsi == GPA_BOOT_PARAMS && cpu.rip == 0x1000200,
	   "linux: long mode, RSI = boot_params");
	memset(&sregs, 0, sizeof(sregs));
	boot_cpu_regs(&cpu, &regs, &sregs);
	ok(sregs.cs.selector == 0x10 && sregs.ds.selector == 0x18 && sregs.ss.selector == 0x18 &&
	   (sregs.cs.attrib & HVPART_SEG_L) && !(sregs.cs.attrib & HVPART_SEG_DB) &&
	   sregs.efer == 0x500 && (sregs.cr0 & 0x80000001) == 0x80000001 && sregs.cr4 == 0x20 &&
	   regs.rflags == 2 && regs.rsi == GPA_BOOT_PARAMS,
	   "linux: __BOOT_CS 0x10 (64-bit), __BOOT_DS 0x18, EFER.LME|LMA, PG|PE, PAE, IF clear");
	{
		const uint64_t *gdt = gpa_ptr(&mem, GPA_GDT, 32);
		const uint64_t *pml4 = gpa_ptr(&mem, GPA_PML4, 8);
		const uint64_t *pdpt = gpa_ptr(&mem, *pml4 & ~0xfffULL, 32);
		const uint64_t *pd3 = gpa_ptr(&mem, pdpt[3] & ~0xfffULL, 4096);

		ok(gdt[2] == 0x00af9a000000ffffULL && gdt[3] == 0x00cf92000000ffffULL,
		   "linux: GDT entries 0x10/0x18 are flat code64/data");
		ok(pd3 && (pd3[511] & ~0xfffULL) == 0xffe00000ULL && (pd3[511] & 0x83) == 0x83,
		   "linux: identity map reaches 4 GiB with 2 MiB pages");
	}

	img.cmdline = "x";
	{
		char longline[300];

		memset(longline, 'a', sizeof(longline) - 1);
		longline[sizeof(longline) - 1] = '\0';
		img.cmdline = longline;
		ok(loader_plan(&img, &mem, err, sizeof(err)) && strstr(err, "at most 255"),
		   "linux: a command line over cmdline_size is refused: %s", err);
	}
	free(mem.host);
	guest_mem_layout(&mem, 8ULL << 20);
	mem.host = NULL;
	img.cmdline = "";
	img.initrd = NULL;
	ok(!loader_plan(&img, &mem, err, sizeof(err)) && img.segs[0].gpa == 0x200000,
	   "linux: with 8 MiB a relocatable kernel moves to 2 MiB (kernel_alignment)");
	guest_mem_layout(&mem, 4ULL << 20);
	ok(loader_plan(&img, &mem, err, sizeof(err)) != 0, "linux: 4 MiB is too little: %s", err);
	free(k);
}

/* The newest /boot/vmlinuz-*, if any. */
static bool boot_kernel(char *path, size_t len)
{
	DIR *d = opendir("/boot");
	struct dirent *de;
	bool found = false;

	if (!d)
		return false;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "vmlinuz-", 8))
			continue;
		if (!found || strcmp(de->d_name, strrchr(path, '/') + 1) > 0)
			snprintf(path, len, "/boot/%s", de->d_name);
		found = true;
	}
	closedir(d);
	return found;
}

static void test_linux_real(void)
{
	struct boot_image img = { 0 };
	struct guest_mem mem;
	struct boot_cpu cpu;
	char path[512] = "/boot/x", err[256];
	const struct boot_params *bp;
	static const uint8_t initrd[4096];
	size_t len;
	uint8_t *k;
	int ret;

	if (!boot_kernel(path, sizeof(path)) || !(k = slurp(path, &len))) {
		ok(true, "linux /boot kernel # SKIP none readable");
		return;
	}
	mem_alloc(&mem, 512ULL << 20);
	img.kernel = k;
	img.kernel_len = len;
	img.initrd = initrd;
	img.initrd_len = sizeof(initrd);
	img.cmdline = "console=ttyS0 panic=-1";
	ret = loader_plan(&img, &mem, err, sizeof(err));
	ok(!ret && img.kind == BOOT_LINUX, "linux %s: %s", path, ret ? err : img.description);
	ok(!loader_load(&img, &mem, &cpu, err, sizeof(err)), "linux %s: loaded", path);
	bp = gpa_ptr(&mem, GPA_BOOT_PARAMS, sizeof(*bp));
	ok(bp->hdr.version >= 0x020c && (bp->hdr.xloadflags & XLF_KERNEL_64) &&
	   img.initrd_gpa + sizeof(initrd) <= (uint64_t)bp->hdr.initrd_addr_max + 1 &&
	   img.initrd_gpa >= img.image_end, "linux %s: protocol >= 2.12, initrd within limits", path);
	check_e820(bp, "linux real");
	free(mem.host);
	free(k);
}

/* ---- guest memory layout ------------------------------------------------ */

static void test_layout(void)
{
	struct guest_mem mem;
	struct e820_range map[16];
	size_t n, i;
	uint64_t ram = 0;

	memset(&mem, 0, sizeof(mem));
	guest_mem_layout(&mem, 4ULL << 30);
	n = guest_e820(&mem, map, 16);
	for (i = 0; i < n; i++)
		if (map[i].type == E820_TYPE_RAM)
			ram += map[i].size;
	ok(mem.low_size == 3ULL << 30 && mem.high_size == 1ULL << 30 &&
	   map[n - 1].addr == 4ULL << 30 && map[n - 1].size == 1ULL << 30,
	   "layout 4G: 3 GiB low, 1 GiB at 4 GiB, in the e820 map");
	/* RAM the e820 reports: all but the holes below 1 MiB. */
	ok(ram == (4ULL << 30) - (GPA_KERNEL_MIN - GPA_LOW_RAM_END),
	   "layout 4G: e820 RAM adds up");
	ok(gpa_is_ram(&mem, (5ULL << 30) - 4096, 4096) && !gpa_is_ram(&mem, 5ULL << 30, 1) &&
	   !gpa_is_ram(&mem, 3ULL << 30, 1) && !gpa_is_ram(&mem, (3ULL << 30) - 4096, 8192),
	   "layout 4G: the hole and the end are not RAM, no range straddles them");
	mem.host = (uint8_t *)0x1000;	/* never dereferenced */
	ok(gpa_ptr(&mem, 4ULL << 30, 16) == mem.host + (3ULL << 30) &&
	   gpa_ptr(&mem, (3ULL << 30) - 8, 16) == NULL, "layout 4G: high RAM follows low RAM in the host mapping");
}

/* ---- argument parsing ---------------------------------------------------- */

static void test_hex(void)
{
	char hex[16], out[8];

	ok(hex_encode("OSName", 6, hex, sizeof(hex)) && !strcmp(hex, "4f534e616d65") &&
	   hex_decode(hex, out, sizeof(out)) == 6 && !strcmp(out, "OSName"), "hex round trip");
	ok(hex_encode("", 0, hex, sizeof(hex)) && !strcmp(hex, "-") &&
	   hex_decode("-", out, sizeof(out)) == 0 && out[0] == '\0', "hex: '-' is the empty string");
	ok(!hex_encode("12345678", 8, hex, sizeof(hex)), "hex_encode: too small a buffer");
	ok(hex_decode("4F4b", out, sizeof(out)) == 2 && !strcmp(out, "OK"), "hex_decode: either case");
	ok(hex_decode("4f4", out, sizeof(out)) < 0 && hex_decode("zz", out, sizeof(out)) < 0 &&
	   hex_decode("", out, sizeof(out)) < 0 && hex_decode("4100", out, sizeof(out)) < 0,
	   "hex_decode rejects odd length, non-hex, empty, a NUL byte");
	ok(hex_decode("41414141414141", out, sizeof(out)) == 7 &&
	   hex_decode("4141414141414141", out, sizeof(out)) < 0, "hex_decode: at most max - 1 bytes");
}

static void test_parsers(void)
{
	uint64_t v = 0;
	cpu_set_t set;

	ok(parse_size("512M", &v) && v == 512ULL << 20, "parse_size 512M");
	ok(parse_size("2G", &v) && v == 2ULL << 30 && parse_size("2GiB", &v) && v == 2ULL << 30,
	   "parse_size 2G, 2GiB");
	ok(parse_size("1024", &v) && v == 1ULL << 30, "parse_size: a bare number is MiB");
	ok(!parse_size("abc", &v) && !parse_size("-1M", &v) && !parse_size("1X", &v) &&
	   !parse_size("", &v) && !parse_size("99999999999999999999T", &v),
	   "parse_size rejects abc, -1M, 1X, empty, overflow");
	ok(parse_uint("4", 1, 8, &v) && v == 4 && !parse_uint("0", 1, 8, &v) &&
	   !parse_uint("9", 1, 8, &v) && !parse_uint("1x", 1, 8, &v) && !parse_uint(" 1", 1, 8, &v),
	   "parse_uint range and junk");
	ok(parse_cpulist("0-2,5", &set) && CPU_COUNT(&set) == 4 && CPU_ISSET(5, &set) &&
	   !CPU_ISSET(3, &set), "parse_cpulist 0-2,5");
	ok(!parse_cpulist("3-1", &set) && !parse_cpulist("1,", &set) && !parse_cpulist("a", &set) &&
	   !parse_cpulist("", &set) && !parse_cpulist("1-", &set), "parse_cpulist rejects 3-1, 1,, a, empty, 1-");
	ok(valid_name("vm1") && valid_name("web_2.test-a") && !valid_name("") &&
	   !valid_name("-x") && !valid_name(".x") && !valid_name("a/b") &&
	   !valid_name("012345678901234567890123456789012"), "valid_name");
	test_hex();
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "out";
	char elf[512], bin[512];

	printf("TAP version 13\n");
	test_aml();
	test_acpi();
	snprintf(elf, sizeof(elf), "%s/testkernel.elf", dir);
	snprintf(bin, sizeof(bin), "%s/testkernel.bin", dir);
	test_multiboot_file(elf, false);
	test_multiboot_file(bin, true);
	test_linux_fake();
	test_linux_real();
	test_layout();
	test_parsers();
	printf("1..%u\n", tap_n);
	return tap_failed ? 1 : 0;
}
