# SPDX-License-Identifier: GPL-2.0
#
# hvpart top-level Makefile. Kbuild (next to this file) says what goes into
# hvpart.ko; this file only drives builds and tests:
#
#   make [modules]   hvpart.ko, against KDIR
#   make selftests   static test binaries in selftests/out/
#   make tools       libhvpart, hvctl and its test kernels (tools/out/)
#   make unit        host-side unit tests (TAP), including tools' (no module)
#   make dkms-check  hvpart.ko built by dkms from the shipped dkms.conf (TAP)
#   make demo        the demo: in the QEMU lab, a Linux child partition boots,
#                    works on 2 VPs, talks KVP, and is shut down (README.md)
#   make lab         modules + selftests, then the QEMU SVM lab (tests/lab/)
#   make lab-vmx     modules + selftests, then the Bochs VMX lab (tests/lab/)
#   make bench       modules + bench/, then KVM vs hvpart in one QEMU lab boot,
#                    one table (docs/BENCHMARKS.md); BENCH_MODE=short is quick
#   make check       unit + dkms-check + both labs + short bench; last line 'N passed, N failed'
#   make clean
#
# KDIR is the kernel build tree to compile against. Normally that of the
# running kernel, but the development machines and CI run a kernel with no
# headers installed (uname -r is not a Debian kernel there): hvpart.ko is
# built for the Debian kernel that the lab boots. So when
# /lib/modules/$(uname -r)/build does not exist, KDIR defaults to the
# newest /lib/modules/*/build instead. Override with KDIR=...

KERNEL_RUNNING := $(shell uname -r)
ifneq ($(wildcard /lib/modules/$(KERNEL_RUNNING)/build),)
KDIR ?= /lib/modules/$(KERNEL_RUNNING)/build
else
KDIR ?= $(shell ls -d /lib/modules/*/build 2>/dev/null | sort -V | tail -n 1)
endif

# The release KDIR builds for (not include/config/kernel.release: Debian's
# headers put the upstream version there); the lab boots this kernel.
KVER ?= $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null)

.PHONY: all modules selftests tools unit dkms-check demo lab lab-vmx bench check clean kdir-check

all: modules

kdir-check:
	@test -n "$(KDIR)" -a -f "$(KDIR)/Makefile" || { \
		echo "No kernel build tree (KDIR='$(KDIR)'):" \
		     "apt-get install linux-headers-amd64, or set KDIR=" >&2; \
		exit 1; }

modules: kdir-check
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

selftests:
	$(MAKE) -C selftests

tools:
	$(MAKE) -C tools

# Both halves run even when one fails; each prints its own TAP.
unit:
	@rc=0; $(MAKE) -C tests/unit run || rc=1; $(MAKE) -C tools check || rc=1; exit $$rc

# In a scratch dkms tree: /usr/src and the system's dkms tree stay as they are.
dkms-check: kdir-check
	tests/dkms-check.sh $(KVER)

# modules and selftests may build in parallel; the lab needs both.
lab: modules selftests tools
	LAB_KVER=$(KVER) tests/lab/qemu-svm.sh

# Only the demo (tests/lab/tests/demo.sh, which every 'make lab' runs too);
# output in build/demo/.
demo: modules selftests tools
	LAB_KVER=$(KVER) LAB_OUT=$(CURDIR)/build/demo LAB_TEST_TIMEOUT=600 \
		LAB_APPEND="hvlab.only=lab-tests/demo.sh $(LAB_APPEND)" tests/lab/qemu-svm.sh

# The same kernel, initramfs and suite under Bochs (Intel VMX, EPT, VPID).
lab-vmx: modules selftests tools
	LAB_KVER=$(KVER) tests/lab/bochs-vmx.sh

# KVM and hvpart in turns in one boot of the SVM lab; table in build/bench/.
# tools: hvctl and the child kernel for the Linux child boot row.
BENCH_MODE ?= full
bench: modules tools
	$(MAKE) -C bench
	BENCH_MODE=$(BENCH_MODE) LAB_KVER=$(KVER) bench/run.sh

# Each half runs even when the other fails; tap-summary.sh has the verdict,
# kept in build/check/summary.txt (.ci/run repeats its last line).
check:
	@rm -rf build/check
	@mkdir -p build/check
	@tests/lab/tap-run.sh build/check/unit.tap unit $(MAKE) unit
	@tests/lab/tap-run.sh build/check/dkms.tap dkms $(MAKE) dkms-check
	@tests/lab/tap-run.sh build/check/lab.tap lab $(MAKE) lab
	@tests/lab/tap-run.sh build/check/lab-vmx.tap lab-vmx $(MAKE) lab-vmx
	@tests/lab/tap-run.sh build/check/bench.tap bench $(MAKE) bench BENCH_MODE=short \
		LAB_OUT=$(CURDIR)/build/check/bench
	@tests/lab/tap-summary.sh build/check/unit.tap build/check/dkms.tap build/check/lab.tap \
		build/check/lab-vmx.tap build/check/bench.tap \
		>build/check/summary.txt; rc=$$?; cat build/check/summary.txt; exit $$rc

clean:
	if [ -f Kbuild ] && [ -f "$(KDIR)/Makefile" ]; then \
		$(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	if [ -f selftests/Makefile ]; then $(MAKE) -C selftests clean; fi
	if [ -f tests/unit/Makefile ]; then $(MAKE) -C tests/unit clean; fi
	if [ -f tools/Makefile ]; then $(MAKE) -C tools clean; fi
	if [ -f bench/Makefile ]; then $(MAKE) -C bench clean; fi
	rm -rf build
