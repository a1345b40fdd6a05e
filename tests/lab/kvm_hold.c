// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_hold: keep KVM holding the CPU's virtualization extension.
 *
 * KVM turns SVM/VMX on (EFER.SVME, or VMXON) on every CPU only while at
 * least one VM exists. The lab's kvm-coexist step runs this in the
 * background so that hvpart.ko meets a CPU already owned by another
 * hypervisor and must refuse to load. It creates one VM and one vCPU,
 * prints "ready" once both exist, then sleeps until killed.
 *
 * Built static by tests/lab/mkinitramfs.sh; the lab has no libc.
 */
#define _POSIX_C_SOURCE 200809L

#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(void)
{
	int kvm, vm, vcpu, version;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		perror("kvm_hold: open /dev/kvm");
		return 1;
	}

	version = ioctl(kvm, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION) {
		fprintf(stderr, "kvm_hold: KVM_GET_API_VERSION: got %d, want %d\n",
			version, KVM_API_VERSION);
		return 1;
	}

	/* Creating the first VM is what enables SVM/VMX on all CPUs. */
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		perror("kvm_hold: KVM_CREATE_VM");
		return 1;
	}

	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0) {
		perror("kvm_hold: KVM_CREATE_VCPU");
		return 1;
	}

	printf("ready\n");
	fflush(stdout);

	for (;;)
		pause();
}
