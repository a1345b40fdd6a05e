// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel loading (loader.h): format detection, the Linux x86 64-bit boot
 * protocol, and what both loaders share (segments, command line, GDT,
 * identity page tables, the boot processor's registers).
 *
 * Linux, as Documentation/x86/boot.rst describes it (the struct layouts
 * come from the kernel's own <asm/bootparam.h>):
 *   - a bzImage has 0xAA55 at 0x1fe and "HdrS" at 0x202; its real-mode
 *     setup is (setup_sects + 1) * 512 bytes (setup_sects 0 means 4) and
 *     the protected-mode kernel follows;
 *   - protocol 2.12 or later with XLF_KERNEL_64 has a 64-bit entry point at
 *     the load address + 0x200, entered in long mode with paging on, an
 *     identity map covering the kernel, boot_params and the command line,
 *     a GDT with flat __BOOT_CS (0x10) and __BOOT_DS (0x18) loaded into CS
 *     and DS/ES/SS, interrupts off, and RSI = the boot_params address;
 *   - boot_params is zeroed, then the setup header is copied from the file
 *     (0x1f1 up to 0x202 + the byte at 0x201) and completed by the loader;
 *   - the kernel runs from pref_address when it can, or anywhere aligned to
 *     kernel_alignment if relocatable, and needs init_size bytes there;
 *   - the initrd must end below initrd_addr_max.
 */
#include <stdio.h>
#include <string.h>

#include <asm/bootparam.h>

#include "loader.h"

#define SETUP_HDR_OFF		0x1f1
#define BOOT_FLAG_OFF		0x1fe
#define JUMP_OFF		0x200
#define HDRS_OFF		0x202
#define LINUX_ENTRY64_OFF	0x200	/* startup_64, from the load address */
#define LINUX_MIN_PROTOCOL	0x020c	/* 2.12: xloadflags, 64-bit entry */
#define LOADER_TYPE_UNDEFINED	0xff

/* Boot GDT descriptors: flat 4 GiB, base 0 (SDM vol. 3A §3.4.5). */
#define GDT_CODE32		0x00cf9a000000ffffULL	/* G, D, P, S, exec/read */
#define GDT_CODE64		0x00af9a000000ffffULL	/* G, L, P, S, exec/read */
#define GDT_DATA		0x00cf92000000ffffULL	/* G, B, P, S, read/write */
#define GDT_ENTRIES		4

/* Page-table entry bits (SDM vol. 3A §4.5). */
#define PTE_P			(1ULL << 0)
#define PTE_RW			(1ULL << 1)
#define PTE_PS			(1ULL << 7)

#define X86_CR0_PE		(1ULL << 0)
#define X86_CR0_ET		(1ULL << 4)
#define X86_CR0_NE		(1ULL << 5)
#define X86_CR0_PG		(1ULL << 31)
#define X86_CR4_PAE		(1ULL << 5)
#define EFER_LME		(1ULL << 8)
#define EFER_LMA		(1ULL << 10)

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) | (uint32_t)get16(p + 2) << 16;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static int is_bzimage(const uint8_t *k, size_t len)
{
	return len >= 0x250 && get16(k + BOOT_FLAG_OFF) == 0xaa55 &&
	       !memcmp(k + HDRS_OFF, "HdrS", 4);
}

/* Offset of a setup_header field inside the file. */
#define HDR(field) (SETUP_HDR_OFF + offsetof(struct setup_header, field))

/* "6.1.0-56-amd64" from the kernel_version string, if there is one. */
static void linux_version(const uint8_t *k, size_t len, char *buf, size_t buflen)
{
	uint16_t ptr = get16(k + HDR(kernel_version));
	size_t off = (size_t)ptr + JUMP_OFF, n = 0;

	buf[0] = '\0';
	if (!ptr || off >= len)
		return;
	while (off + n < len && n + 1 < buflen && k[off + n] > ' ' && k[off + n] < 0x7f)
		n++;
	memcpy(buf, k + off, n);
	buf[n] = '\0';
}

static int linux_plan(struct boot_image *img, const struct guest_mem *mem, char *err,
		      size_t errlen)
{
	const uint8_t *k = img->kernel;
	size_t len = img->kernel_len;
	unsigned int setup_sects;
	size_t pm_off, pm_size;
	uint64_t pref, init_size, align, load = 0, ceiling, end, cmdline_max;
	char version[64];

	img->kind = BOOT_LINUX;
	img->protocol = get16(k + HDR(version));
	if (img->protocol < LINUX_MIN_PROTOCOL) {
		snprintf(err, errlen, "boot protocol %u.%02u is older than 2.12, which the 64-bit entry needs",
			 img->protocol >> 8, img->protocol & 0xff);
		return -1;
	}
	if (!(k[HDR(loadflags)] & LOADED_HIGH)) {
		snprintf(err, errlen, "not a bzImage (zImage kernels load below 1 MiB)");
		return -1;
	}
	if (!(get16(k + HDR(xloadflags)) & XLF_KERNEL_64)) {
		snprintf(err, errlen, "no 64-bit entry point (XLF_KERNEL_64): a 32-bit kernel?");
		return -1;
	}
	img->setup_hdr_end = HDRS_OFF + k[JUMP_OFF + 1];
	if (img->setup_hdr_end > len ||
	    img->setup_hdr_end > offsetof(struct boot_params, edd_mbr_sig_buffer)) {
		snprintf(err, errlen, "setup header runs past the end of the zero page");
		return -1;
	}
	setup_sects = k[HDR(setup_sects)] ? k[HDR(setup_sects)] : 4;
	pm_off = (size_t)(setup_sects + 1) * 512;
	if (pm_off >= len) {
		snprintf(err, errlen, "truncated: %u setup sectors but only %zu bytes", setup_sects, len);
		return -1;
	}
	pm_size = len - pm_off;
	pref = get64(k + HDR(pref_address));
	init_size = get32(k + HDR(init_size));
	align = get32(k + HDR(kernel_alignment));
	if (init_size < pm_size)
		init_size = pm_size;
	if (!align || (align & (align - 1)))
		align = SZ_2M;

	/* pref_address if the kernel fits there, else as low as allowed. */
	if (pref >= GPA_KERNEL_MIN && pref + init_size <= mem->low_size)
		load = pref;
	else if (k[HDR(relocatable_kernel)] &&
		 align_up(GPA_KERNEL_MIN, align) + init_size <= mem->low_size)
		load = align_up(GPA_KERNEL_MIN, align);
	if (!load) {
		snprintf(err, errlen, "the kernel decompresses into %llu MiB at %llu MiB: --memory must be at least %lluM",
			 (unsigned long long)((init_size + SZ_1M - 1) >> 20),
			 (unsigned long long)(pref >> 20),
			 (unsigned long long)((pref + init_size + SZ_1M - 1) >> 20));
		return -1;
	}
	img->segs[0] = (struct boot_seg){ k + pm_off, load, pm_size, pm_size };
	img->nsegs = 1;
	img->entry = load + LINUX_ENTRY64_OFF;
	img->image_end = load + init_size;

	cmdline_max = get32(k + HDR(cmdline_size));
	if (cmdline_max > CMDLINE_MAX - 1)
		cmdline_max = CMDLINE_MAX - 1;
	if (strlen(img->cmdline) > cmdline_max) {
		snprintf(err, errlen, "--cmdline is %zu bytes; this kernel takes at most %llu",
			 strlen(img->cmdline), (unsigned long long)cmdline_max);
		return -1;
	}

	if (img->initrd) {
		/* As high as allowed: below initrd_addr_max and the 3 GiB hole. */
		ceiling = (uint64_t)get32(k + HDR(initrd_addr_max)) + 1;
		end = mem->low_size < ceiling ? mem->low_size : ceiling;
		end &= ~(SZ_4K - 1);
		if (img->initrd_len > end || ((end - img->initrd_len) & ~(SZ_4K - 1)) < img->image_end) {
			snprintf(err, errlen, "the initrd (%zu KiB) does not fit between the kernel (ends at %#llx) and %#llx: raise --memory",
				 img->initrd_len >> 10, (unsigned long long)img->image_end,
				 (unsigned long long)end);
			return -1;
		}
		img->initrd_gpa = (end - img->initrd_len) & ~(SZ_4K - 1);
		img->segs[img->nsegs++] = (struct boot_seg){ img->initrd, img->initrd_gpa,
							     img->initrd_len, img->initrd_len };
	}

	linux_version(k, len, version, sizeof(version));
	snprintf(img->description, sizeof(img->description),
		 "Linux %s, boot protocol %u.%02u, at %#llx", version[0] ? version : "(unknown version)",
		 img->protocol >> 8, img->protocol & 0xff, (unsigned long long)load);
	return 0;
}

static void linux_e820(const struct guest_mem *mem, struct boot_params *bp)
{
	struct e820_range map[E820_MAX_ENTRIES_ZEROPAGE];
	size_t n = guest_e820(mem, map, E820_MAX_ENTRIES_ZEROPAGE), i;

	for (i = 0; i < n; i++) {
		bp->e820_table[i].addr = map[i].addr;
		bp->e820_table[i].size = map[i].size;
		bp->e820_table[i].type = map[i].type;
	}
	bp->e820_entries = (uint8_t)n;
}

/* Identity map of the first 4 GiB with 2 MiB pages. */
static void boot_write_page_tables(const struct guest_mem *mem)
{
	uint8_t *pml4 = gpa_ptr(mem, GPA_PML4, SZ_4K);
	uint8_t *pdpt = gpa_ptr(mem, GPA_PDPT, SZ_4K);
	uint8_t *pd = gpa_ptr(mem, GPA_PD, 4 * SZ_4K);
	uint64_t e;
	unsigned int i;

	memset(pml4, 0, SZ_4K);
	memset(pdpt, 0, SZ_4K);
	e = GPA_PDPT | PTE_P | PTE_RW;
	memcpy(pml4, &e, 8);
	for (i = 0; i < 4; i++) {
		e = (GPA_PD + i * SZ_4K) | PTE_P | PTE_RW;
		memcpy(pdpt + 8 * i, &e, 8);
	}
	for (i = 0; i < 4 * 512; i++) {
		e = (uint64_t)i * SZ_2M | PTE_P | PTE_RW | PTE_PS;
		memcpy(pd + 8 * i, &e, 8);
	}
}

static int linux_load(const struct boot_image *img, const struct guest_mem *mem,
		      struct boot_cpu *cpu, char *err, size_t errlen)
{
	struct boot_params *bp = gpa_ptr(mem, GPA_BOOT_PARAMS, sizeof(*bp));

	if (boot_copy_segs(img, mem, err, errlen) || boot_write_cmdline(img, mem, err, errlen))
		return -1;
	memset(bp, 0, sizeof(*bp));
	memcpy((uint8_t *)bp + SETUP_HDR_OFF, img->kernel + SETUP_HDR_OFF,
	       img->setup_hdr_end - SETUP_HDR_OFF);
	bp->hdr.type_of_loader = LOADER_TYPE_UNDEFINED;
	bp->hdr.ext_loader_ver = 0;
	bp->hdr.ext_loader_type = 0;
	bp->hdr.vid_mode = 0xffff;		/* "normal" */
	bp->hdr.loadflags |= LOADED_HIGH;
	bp->hdr.code32_start = (uint32_t)img->segs[0].gpa;
	bp->hdr.cmd_line_ptr = (uint32_t)GPA_CMDLINE;
	bp->ext_cmd_line_ptr = 0;
	if (img->initrd) {
		bp->hdr.ramdisk_image = (uint32_t)img->initrd_gpa;
		bp->hdr.ramdisk_size = (uint32_t)img->initrd_len;
		bp->ext_ramdisk_image = (uint32_t)(img->initrd_gpa >> 32);
		bp->ext_ramdisk_size = (uint32_t)((uint64_t)img->initrd_len >> 32);
	}
	bp->hdr.setup_data = 0;
	bp->acpi_rsdp_addr = GPA_ACPI;
	linux_e820(mem, bp);

	boot_write_gdt(mem);
	boot_write_page_tables(mem);
	*cpu = (struct boot_cpu){
		.mode = BOOT_MODE_LONG64,
		.rip = img->entry,
		.rsp = GPA_BOOT_STACK,
		.rsi = GPA_BOOT_PARAMS,
	};
	return 0;
}

int loader_plan(struct boot_image *img, const struct guest_mem *mem, char *err, size_t errlen)
{
	img->nsegs = 0;
	img->initrd_gpa = 0;
	img->description[0] = '\0';
	if (!img->cmdline)
		img->cmdline = "";
	if (strlen(img->cmdline) >= CMDLINE_MAX) {
		snprintf(err, errlen, "--cmdline is longer than %llu bytes", CMDLINE_MAX - 1);
		return -1;
	}
	if (mem->low_size < GPA_ACPI_END) {
		snprintf(err, errlen, "--memory must be at least 1 MiB plus the kernel");
		return -1;
	}
	if (is_bzimage(img->kernel, img->kernel_len))
		return linux_plan(img, mem, err, errlen);
	if (multiboot_probe(img->kernel, img->kernel_len) >= 0)
		return multiboot_plan(img, mem, err, errlen);
	snprintf(err, errlen, "neither a Linux bzImage (no \"HdrS\" at 0x202) nor a multiboot kernel (no header in the first 8 KiB)");
	return -1;
}

int loader_load(const struct boot_image *img, const struct guest_mem *mem,
		struct boot_cpu *cpu, char *err, size_t errlen)
{
	if (img->kind == BOOT_LINUX)
		return linux_load(img, mem, cpu, err, errlen);
	return multiboot_load(img, mem, cpu, err, errlen);
}

int boot_copy_segs(const struct boot_image *img, const struct guest_mem *mem, char *err,
		   size_t errlen)
{
	unsigned int i;

	for (i = 0; i < img->nsegs; i++) {
		const struct boot_seg *s = &img->segs[i];
		uint8_t *dst = gpa_ptr(mem, s->gpa, s->memsz);

		if (!dst) {
			snprintf(err, errlen, "segment %#llx-%#llx is not in guest RAM",
				 (unsigned long long)s->gpa,
				 (unsigned long long)(s->gpa + s->memsz - 1));
			return -1;
		}
		memcpy(dst, s->src, s->filesz);
		memset(dst + s->filesz, 0, s->memsz - s->filesz);
	}
	return 0;
}

int boot_write_cmdline(const struct boot_image *img, const struct guest_mem *mem, char *err,
		       size_t errlen)
{
	size_t n = strlen(img->cmdline) + 1;
	char *dst = gpa_ptr(mem, GPA_CMDLINE, n);

	if (!dst || n > CMDLINE_MAX) {
		snprintf(err, errlen, "no room for the command line");
		return -1;
	}
	memcpy(dst, img->cmdline, n);
	return 0;
}

void boot_write_gdt(const struct guest_mem *mem)
{
	static const uint64_t gdt[GDT_ENTRIES] = {
		[SEL_CODE32 >> 3] = GDT_CODE32,
		[SEL_CODE64 >> 3] = GDT_CODE64,
		[SEL_DATA >> 3] = GDT_DATA,
	};

	memcpy(gpa_ptr(mem, GPA_GDT, sizeof(gdt)), gdt, sizeof(gdt));
}

/* A segment register loaded from one of the boot GDT's flat descriptors. */
static void flat_segment(struct hvpart_segment *s, uint16_t sel, uint32_t attrib)
{
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = sel;
	s->attrib = attrib;
}

void boot_cpu_regs(const struct boot_cpu *cpu, struct hvpart_regs *regs,
		   struct hvpart_sregs *sregs)
{
	/* Type 0xb: code, exec/read, accessed; 0x3: data, read/write, accessed. */
	uint32_t data = 0x3 | HVPART_SEG_S | HVPART_SEG_P | HVPART_SEG_DB | HVPART_SEG_G;
	uint32_t code;

	if (cpu->mode == BOOT_MODE_LONG64) {
		code = 0xb | HVPART_SEG_S | HVPART_SEG_P | HVPART_SEG_L | HVPART_SEG_G;
		flat_segment(&sregs->cs, SEL_CODE64, code);
		sregs->cr0 = X86_CR0_PG | X86_CR0_NE | X86_CR0_ET | X86_CR0_PE;
		sregs->cr3 = GPA_PML4;
		sregs->cr4 = X86_CR4_PAE;
		sregs->efer = EFER_LME | EFER_LMA;
	} else {
		code = 0xb | HVPART_SEG_S | HVPART_SEG_P | HVPART_SEG_DB | HVPART_SEG_G;
		flat_segment(&sregs->cs, SEL_CODE32, code);
		sregs->cr0 = X86_CR0_NE | X86_CR0_ET | X86_CR0_PE;
		sregs->cr3 = 0;
		sregs->cr4 = 0;
		sregs->efer = 0;
	}
	flat_segment(&sregs->ds, SEL_DATA, data);
	flat_segment(&sregs->es, SEL_DATA, data);
	flat_segment(&sregs->fs, SEL_DATA, data);
	flat_segment(&sregs->gs, SEL_DATA, data);
	flat_segment(&sregs->ss, SEL_DATA, data);
	sregs->gdt.base = GPA_GDT;
	sregs->gdt.limit = GDT_ENTRIES * 8 - 1;
	sregs->idt.base = 0;
	sregs->idt.limit = 0;
	sregs->cr2 = 0;
	sregs->cr8 = 0;

	memset(regs, 0, sizeof(*regs));
	regs->rip = cpu->rip;
	regs->rsp = cpu->rsp;
	regs->rax = cpu->rax;
	regs->rbx = cpu->rbx;
	regs->rsi = cpu->rsi;
	regs->rflags = 0x2;	/* bit 1 is always set; IF clear */
}
