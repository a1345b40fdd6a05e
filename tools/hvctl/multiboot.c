// SPDX-License-Identifier: GPL-2.0
/*
 * Multiboot v1 (the Multiboot Specification 0.6.96), for small test
 * kernels. Facts used:
 *   - the header is 4-byte aligned within the first 8192 bytes: magic
 *     0x1BADB002, flags, checksum (the three sum to zero);
 *   - flags 0-15 are requirements a loader must fail on if it cannot meet
 *     them: bit 0 (page-aligned modules) and bit 1 (memory information)
 *     are met here, bit 2 (video mode) is not;
 *   - with flag 16 the header's address fields say where to load
 *     (header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr);
 *     otherwise the image is ELF and its PT_LOAD segments say it;
 *   - entry in 32-bit protected mode, paging off, flat CS and data
 *     segments, EAX = 0x2BADB002, EBX = the multiboot information.
 * The command line is --cmdline as given (no kernel file name in front);
 * an --initrd becomes module 0, named after its file.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "loader.h"

#define MB_SEARCH		8192
#define MB_MAGIC		0x1badb002U
#define MB_BOOT_MAGIC		0x2badb002U

#define MB_F_PAGE_ALIGN		(1U << 0)
#define MB_F_MEMORY_INFO	(1U << 1)
#define MB_F_VIDEO_MODE		(1U << 2)
#define MB_F_AOUT_KLUDGE	(1U << 16)
#define MB_F_REQUIRED_MASK	0xffffU
#define MB_F_SUPPORTED		(MB_F_PAGE_ALIGN | MB_F_MEMORY_INFO)

/* Header fields, from the magic. */
#define MBH_FLAGS		4
#define MBH_HEADER_ADDR		12
#define MBH_LOAD_ADDR		16
#define MBH_LOAD_END_ADDR	20
#define MBH_BSS_END_ADDR	24
#define MBH_ENTRY_ADDR		28
#define MBH_ADDR_SIZE		32

/* Multiboot information (§3.3) and the flags saying which fields are valid. */
#define MBI_FLAGS		0
#define MBI_MEM_LOWER		4
#define MBI_MEM_UPPER		8
#define MBI_CMDLINE		16
#define MBI_MODS_COUNT		20
#define MBI_MODS_ADDR		24
#define MBI_MMAP_LENGTH		44
#define MBI_MMAP_ADDR		48
#define MBI_BOOT_LOADER_NAME	64
#define MBI_SIZE		120
#define MBI_F_MEM		(1U << 0)
#define MBI_F_CMDLINE		(1U << 2)
#define MBI_F_MODS		(1U << 3)
#define MBI_F_MMAP		(1U << 6)
#define MBI_F_LOADER_NAME	(1U << 9)

/* Inside the one page at GPA_MB_INFO. */
#define MBI_OFF_MMAP		0x100	/* 24-byte entries */
#define MBI_OFF_MODS		0x400	/* 16-byte module entries */
#define MBI_OFF_MOD_NAME	0x500	/* module 0's string, up to 0x100 bytes */
#define MBI_OFF_LOADER_NAME	0x600
#define MB_MMAP_ENTRY		24
#define MB_MMAP_MAX		((MBI_OFF_MODS - MBI_OFF_MMAP) / MB_MMAP_ENTRY)

/* ELF (System V gABI), enough for PT_LOAD. */
#define EI_CLASS		4
#define EI_DATA			5
#define ELFCLASS32		1
#define ELFCLASS64		2
#define ELFDATA2LSB		1
#define ET_EXEC			2
#define EM_386			3
#define EM_X86_64		62
#define PT_LOAD			1

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

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);	/* x86 hosts only: little-endian */
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

int multiboot_probe(const uint8_t *k, size_t len)
{
	size_t off, end = len < MB_SEARCH ? len : MB_SEARCH;

	for (off = 0; off + 12 <= end; off += 4) {
		uint32_t magic = get32(k + off), flags = get32(k + off + 4);

		if (magic == MB_MAGIC && (uint32_t)(magic + flags + get32(k + off + 8)) == 0)
			return (int)off;
	}
	return -1;
}

/* Segments must be RAM at or above 1 MiB, below 4 GiB and the MMIO hole. */
static int check_seg(const struct boot_seg *s, const struct guest_mem *mem, char *err,
		     size_t errlen)
{
	if (s->gpa < GPA_KERNEL_MIN || !gpa_is_ram(mem, s->gpa, s->memsz) ||
	    s->gpa + s->memsz > mem->low_size) {
		snprintf(err, errlen, "multiboot segment %#llx-%#llx is not in guest RAM above 1 MiB (RAM ends at %#llx): raise --memory or relink",
			 (unsigned long long)s->gpa, (unsigned long long)(s->gpa + s->memsz - 1),
			 (unsigned long long)mem->low_size);
		return -1;
	}
	return 0;
}

static int plan_aout_kludge(struct boot_image *img, size_t hdr, char *err, size_t errlen)
{
	const uint8_t *k = img->kernel;
	uint32_t header_addr = get32(k + hdr + MBH_HEADER_ADDR);
	uint32_t load_addr = get32(k + hdr + MBH_LOAD_ADDR);
	uint32_t load_end = get32(k + hdr + MBH_LOAD_END_ADDR);
	uint32_t bss_end = get32(k + hdr + MBH_BSS_END_ADDR);
	uint64_t file_off, filesz, memsz;

	if (hdr + MBH_ADDR_SIZE > img->kernel_len || header_addr < load_addr ||
	    header_addr - load_addr > hdr) {
		snprintf(err, errlen, "multiboot header: load_addr %#x is after header_addr %#x or before the file",
			 load_addr, header_addr);
		return -1;
	}
	file_off = hdr - (header_addr - load_addr);
	filesz = load_end ? (uint64_t)load_end - load_addr : img->kernel_len - file_off;
	memsz = bss_end ? (uint64_t)bss_end - load_addr : filesz;
	if ((load_end && load_end < load_addr) || file_off + filesz > img->kernel_len ||
	    memsz < filesz) {
		snprintf(err, errlen, "multiboot header: load_end_addr %#x / bss_end_addr %#x do not fit the %zu-byte file",
			 load_end, bss_end, img->kernel_len);
		return -1;
	}
	img->segs[0] = (struct boot_seg){ k + file_off, load_addr, filesz, memsz };
	img->nsegs = 1;
	img->entry = get32(k + hdr + MBH_ENTRY_ADDR);
	return 0;
}

static int plan_elf(struct boot_image *img, char *err, size_t errlen)
{
	const uint8_t *k = img->kernel;
	size_t len = img->kernel_len;
	bool is64;
	uint64_t phoff, phentsize, phnum, i;

	if (len < 52 || memcmp(k, "\x7f" "ELF", 4) || k[EI_DATA] != ELFDATA2LSB ||
	    (k[EI_CLASS] != ELFCLASS32 && k[EI_CLASS] != ELFCLASS64)) {
		snprintf(err, errlen, "multiboot header without address fields (flag 16), and not a little-endian ELF file");
		return -1;
	}
	is64 = k[EI_CLASS] == ELFCLASS64;
	if (get16(k + 16) != ET_EXEC || (get16(k + 18) != EM_386 && get16(k + 18) != EM_X86_64)) {
		snprintf(err, errlen, "ELF: not an x86 executable (type %u, machine %u)",
			 get16(k + 16), get16(k + 18));
		return -1;
	}
	if (is64 && len < 64) {
		snprintf(err, errlen, "ELF: truncated header");
		return -1;
	}
	img->entry = is64 ? get64(k + 24) : get32(k + 24);
	phoff = is64 ? get64(k + 32) : get32(k + 28);
	phentsize = get16(k + (is64 ? 54 : 42));
	phnum = get16(k + (is64 ? 56 : 44));
	if (phentsize < (is64 ? 56U : 32U) || phoff > len || phnum * phentsize > len - phoff) {
		snprintf(err, errlen, "ELF: program headers outside the file");
		return -1;
	}
	img->nsegs = 0;
	for (i = 0; i < phnum; i++) {
		const uint8_t *ph = k + phoff + i * phentsize;
		uint64_t off, paddr, filesz, memsz;

		if (get32(ph) != PT_LOAD)
			continue;
		off = is64 ? get64(ph + 8) : get32(ph + 4);
		paddr = is64 ? get64(ph + 24) : get32(ph + 12);
		filesz = is64 ? get64(ph + 32) : get32(ph + 16);
		memsz = is64 ? get64(ph + 40) : get32(ph + 20);
		if (!memsz)
			continue;
		if (off > len || filesz > len - off || memsz < filesz) {
			snprintf(err, errlen, "ELF: segment %llu lies outside the file",
				 (unsigned long long)i);
			return -1;
		}
		if (img->nsegs == BOOT_MAX_SEGS - 1) {
			snprintf(err, errlen, "ELF: more than %d loadable segments", BOOT_MAX_SEGS - 1);
			return -1;
		}
		img->segs[img->nsegs++] = (struct boot_seg){ k + off, paddr, filesz, memsz };
	}
	if (!img->nsegs) {
		snprintf(err, errlen, "ELF: no loadable segment");
		return -1;
	}
	return 0;
}

int multiboot_plan(struct boot_image *img, const struct guest_mem *mem, char *err,
		   size_t errlen)
{
	int hdr = multiboot_probe(img->kernel, img->kernel_len);
	uint32_t flags;
	unsigned int i, j;
	int ret;

	img->kind = BOOT_MULTIBOOT;
	flags = get32(img->kernel + hdr + MBH_FLAGS);
	if (flags & MB_F_REQUIRED_MASK & ~MB_F_SUPPORTED) {
		snprintf(err, errlen, "multiboot header requires flags %#x (bit 2: video mode information), which hvctl does not provide",
			 flags & MB_F_REQUIRED_MASK & ~MB_F_SUPPORTED);
		return -1;
	}
	if (flags & MB_F_AOUT_KLUDGE)
		ret = plan_aout_kludge(img, (size_t)hdr, err, errlen);
	else
		ret = plan_elf(img, err, errlen);
	if (ret)
		return ret;

	img->image_end = 0;
	for (i = 0; i < img->nsegs; i++) {
		const struct boot_seg *s = &img->segs[i];

		if (check_seg(s, mem, err, errlen))
			return -1;
		for (j = 0; j < i; j++) {
			const struct boot_seg *t = &img->segs[j];

			if (s->gpa < t->gpa + t->memsz && t->gpa < s->gpa + s->memsz) {
				snprintf(err, errlen, "multiboot segments %u and %u overlap", j, i);
				return -1;
			}
		}
		if (s->gpa + s->memsz > img->image_end)
			img->image_end = s->gpa + s->memsz;
	}
	if (img->entry >= SZ_4G) {
		snprintf(err, errlen, "entry point %#llx is above 4 GiB",
			 (unsigned long long)img->entry);
		return -1;
	}
	if (img->initrd) {
		struct boot_seg *m = &img->segs[img->nsegs];

		*m = (struct boot_seg){ img->initrd, (img->image_end + SZ_4K - 1) & ~(SZ_4K - 1),
					img->initrd_len, img->initrd_len };
		if (!img->initrd_len || check_seg(m, mem, err, errlen)) {
			if (!img->initrd_len)
				snprintf(err, errlen, "the initrd is empty");
			return -1;
		}
		img->initrd_gpa = m->gpa;
		img->nsegs++;
	}
	snprintf(img->description, sizeof(img->description),
		 "multiboot kernel (%s), entry %#llx",
		 flags & MB_F_AOUT_KLUDGE ? "header addresses" : "ELF",
		 (unsigned long long)img->entry);
	return 0;
}

int multiboot_load(const struct boot_image *img, const struct guest_mem *mem,
		   struct boot_cpu *cpu, char *err, size_t errlen)
{
	struct e820_range map[MB_MMAP_MAX];
	uint8_t *mbi = gpa_ptr(mem, GPA_MB_INFO, SZ_4K);
	uint32_t flags = MBI_F_MEM | MBI_F_CMDLINE | MBI_F_MMAP | MBI_F_LOADER_NAME;
	size_t n, i;

	if (boot_copy_segs(img, mem, err, errlen) || boot_write_cmdline(img, mem, err, errlen))
		return -1;
	memset(mbi, 0, SZ_4K);
	/* mem_lower/mem_upper in KiB: below 640 KiB, and from 1 MiB to the hole. */
	put32(mbi + MBI_MEM_LOWER, (uint32_t)(GPA_LOW_RAM_END >> 10));
	put32(mbi + MBI_MEM_UPPER, (uint32_t)((mem->low_size - SZ_1M) >> 10));
	put32(mbi + MBI_CMDLINE, (uint32_t)GPA_CMDLINE);

	n = guest_e820(mem, map, MB_MMAP_MAX);
	for (i = 0; i < n; i++) {
		uint8_t *e = mbi + MBI_OFF_MMAP + i * MB_MMAP_ENTRY;

		put32(e, MB_MMAP_ENTRY - 4);	/* "size" excludes itself */
		put64(e + 4, map[i].addr);
		put64(e + 12, map[i].size);
		put32(e + 20, map[i].type);
	}
	put32(mbi + MBI_MMAP_LENGTH, (uint32_t)(n * MB_MMAP_ENTRY));
	put32(mbi + MBI_MMAP_ADDR, (uint32_t)(GPA_MB_INFO + MBI_OFF_MMAP));

	if (img->initrd) {
		uint8_t *mod = mbi + MBI_OFF_MODS;

		flags |= MBI_F_MODS;
		put32(mod, (uint32_t)img->initrd_gpa);
		put32(mod + 4, (uint32_t)(img->initrd_gpa + img->initrd_len));
		put32(mod + 8, (uint32_t)(GPA_MB_INFO + MBI_OFF_MOD_NAME));
		snprintf((char *)mbi + MBI_OFF_MOD_NAME, MBI_OFF_LOADER_NAME - MBI_OFF_MOD_NAME,
			 "%s", img->initrd_name ? img->initrd_name : "initrd");
		put32(mbi + MBI_MODS_COUNT, 1);
		put32(mbi + MBI_MODS_ADDR, (uint32_t)(GPA_MB_INFO + MBI_OFF_MODS));
	}
	strcpy((char *)mbi + MBI_OFF_LOADER_NAME, "hvctl");
	put32(mbi + MBI_BOOT_LOADER_NAME, (uint32_t)(GPA_MB_INFO + MBI_OFF_LOADER_NAME));
	put32(mbi + MBI_FLAGS, flags);
	_Static_assert(MBI_SIZE <= MBI_OFF_MMAP, "info overlaps the memory map");

	boot_write_gdt(mem);
	*cpu = (struct boot_cpu){
		.mode = BOOT_MODE_PROT32,
		.rip = img->entry,
		.rsp = GPA_BOOT_STACK,
		.rax = MB_BOOT_MAGIC,
		.rbx = GPA_MB_INFO,
	};
	return 0;
}
