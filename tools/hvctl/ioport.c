// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O and MMIO dispatch: devices claim ranges at init (as kvmtool's
 * kvm__register_iotrap), exits are routed to whoever claimed the address.
 * What nobody claimed behaves like an empty bus: reads return all-ones,
 * writes are dropped, and the first access to each port is logged at
 * debug level (-vv). The VP thread holds no lock when it calls in here;
 * handlers run under vm->dev_lock.
 */
#include <errno.h>

#include "hvctl.h"
#include "vm.h"

static int io_register(struct io_region *tab, unsigned int *n, uint64_t base, uint64_t len,
		       io_fn fn, void *opaque, const char *name)
{
	unsigned int i;

	if (*n >= VM_MAX_IO_REGIONS || !len)
		return -ENOSPC;
	for (i = 0; i < *n; i++)
		if (base < tab[i].base + tab[i].len && tab[i].base < base + len)
			return -EEXIST;
	tab[*n] = (struct io_region){ base, len, fn, opaque, name };
	(*n)++;
	return 0;
}

int io_register_port(struct vm *vm, uint16_t base, uint16_t len, io_fn fn, void *opaque,
		     const char *name)
{
	return io_register(vm->ports, &vm->nr_ports, base, len, fn, opaque, name);
}

int io_register_mmio(struct vm *vm, uint64_t base, uint64_t len, io_fn fn, void *opaque,
		     const char *name)
{
	return io_register(vm->mmio, &vm->nr_mmio, base, len, fn, opaque, name);
}

static const struct io_region *io_find(const struct io_region *tab, unsigned int n,
				       uint64_t addr)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (addr >= tab[i].base && addr - tab[i].base < tab[i].len)
			return &tab[i];
	return NULL;
}

static uint64_t all_ones(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

void io_port(struct vm *vm, uint16_t port, unsigned int size, bool write, uint64_t *data)
{
	const struct io_region *r;

	pthread_mutex_lock(&vm->dev_lock);
	r = io_find(vm->ports, vm->nr_ports, port);
	if (r) {
		r->fn(vm, r->opaque, port - r->base, size, write, data);
	} else {
		if (!write)
			*data = all_ones(size);
		if (!(vm->port_seen[port / 8] & (1U << (port % 8)))) {
			vm->port_seen[port / 8] |= (uint8_t)(1U << (port % 8));
			hvctl_debug("%s: unclaimed port %#x: %s of %u byte(s)%s", vm->cfg->name,
				    port, write ? "write" : "read", size,
				    write ? ", dropped" : ", all-ones");
		}
	}
	pthread_mutex_unlock(&vm->dev_lock);
}

void io_mmio(struct vm *vm, uint64_t gpa, unsigned int size, bool write, uint64_t *data)
{
	const struct io_region *r;

	pthread_mutex_lock(&vm->dev_lock);
	r = io_find(vm->mmio, vm->nr_mmio, gpa);
	if (r) {
		r->fn(vm, r->opaque, gpa - r->base, size, write, data);
	} else {
		if (!write)
			*data = all_ones(size);
		hvctl_debug("%s: unclaimed MMIO %#llx: %s of %u byte(s)", vm->cfg->name,
			    (unsigned long long)gpa, write ? "write" : "read", size);
	}
	pthread_mutex_unlock(&vm->dev_lock);
}
