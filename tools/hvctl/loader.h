/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel loaders: a Linux bzImage through the x86 64-bit boot protocol
 * (loader.c), or a multiboot v1 kernel (multiboot.c).
 *
 * Two steps, so that every mistake is found before a partition exists:
 *   loader_plan()  parses the image and decides where everything goes in
 *                  a layout that has sizes but no memory yet;
 *   loader_load()  copies it into guest memory, writes the boot structures
 *                  (boot_params or multiboot info, command line, GDT, page
 *                  tables) and says how the boot processor must start.
 * Both are pure: no ioctls, no messages; errors come back as one line.
 */
#ifndef HVPART_TOOLS_HVCTL_LOADER_H
#define HVPART_TOOLS_HVCTL_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include <linux/hvpart.h>

#include "layout.h"

#define BOOT_MAX_SEGS	16

enum boot_kind {
	BOOT_LINUX,
	BOOT_MULTIBOOT,
};

/* How the boot processor starts. */
enum boot_mode {
	BOOT_MODE_LONG64,	/* long mode, paging on, CS = SEL_CODE64 */
	BOOT_MODE_PROT32,	/* 32-bit protected mode, paging off, CS = SEL_CODE32 */
};

struct boot_cpu {
	enum boot_mode mode;
	uint64_t rip, rsp, rax, rbx, rsi;
};

/* One piece of the image: @filesz bytes from @src, zeroed up to @memsz. */
struct boot_seg {
	const uint8_t *src;
	uint64_t gpa;
	uint64_t filesz;
	uint64_t memsz;
};

struct boot_image {
	/* in */
	const uint8_t *kernel;
	size_t kernel_len;
	const uint8_t *initrd;		/* NULL: none */
	size_t initrd_len;
	const char *cmdline;		/* "" for none */
	const char *initrd_name;	/* multiboot module string */

	/* out of loader_plan() */
	enum boot_kind kind;
	struct boot_seg segs[BOOT_MAX_SEGS];
	unsigned int nsegs;
	uint64_t entry;
	uint64_t initrd_gpa;
	uint64_t image_end;		/* first byte after the kernel's memory */
	char description[128];		/* "Linux 6.1.0-56-amd64 boot protocol 2.15 at 0x1000000" */
	/* Linux */
	size_t setup_hdr_end;		/* file offset after the setup header */
	uint16_t protocol;
};

/* Returns 0, or -1 with one line in @err. */
int loader_plan(struct boot_image *img, const struct guest_mem *mem, char *err, size_t errlen);
int loader_load(const struct boot_image *img, const struct guest_mem *mem,
		struct boot_cpu *cpu, char *err, size_t errlen);

/* multiboot.c, called by the two above. */
int multiboot_probe(const uint8_t *k, size_t len);
int multiboot_plan(struct boot_image *img, const struct guest_mem *mem, char *err,
		   size_t errlen);
int multiboot_load(const struct boot_image *img, const struct guest_mem *mem,
		   struct boot_cpu *cpu, char *err, size_t errlen);

/* Shared by both loaders (loader.c). */
int boot_copy_segs(const struct boot_image *img, const struct guest_mem *mem, char *err,
		   size_t errlen);
int boot_write_cmdline(const struct boot_image *img, const struct guest_mem *mem, char *err,
		       size_t errlen);
void boot_write_gdt(const struct guest_mem *mem);

/*
 * Registers for @cpu: @sregs must hold the VP's current (reset) system
 * registers, whose TR and LDT are kept.
 */
void boot_cpu_regs(const struct boot_cpu *cpu, struct hvpart_regs *regs,
		   struct hvpart_sregs *sregs);

#endif /* HVPART_TOOLS_HVCTL_LOADER_H */
