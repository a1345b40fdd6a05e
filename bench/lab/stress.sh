#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The same interrupt-heavy guest load under KVM, then under hvpart: three
# hvbench processes at once (three VMs on the lab's two CPUs), each running
# the HLT, HvSignalEvent and HvPostMessage rows STRESS_ROUNDS times. A run
# that ends in a triple fault or a wrong count is printed with its last
# lines. Used to tell the QEMU lab's own failures from hvpart's
# (docs/lab.md, "KVM fails the same way"); not part of 'make bench':
#
#   make -C bench && mkdir -p /tmp/stress-bin && cp bench/out/hvbench /tmp/stress-bin/
#   SELFTESTS_DIR=/tmp/stress-bin LAB_TESTS_DIR=bench/lab LAB_MEM=3072 \
#     LAB_APPEND="hvlab.only=lab-tests/stress.sh STRESS_ROUNDS=20" tests/lab/qemu-svm.sh
#
# (LAB_ACCEL=tcg for QEMU's thread per vCPU.) Runs as a lab test: hvpart
# is loaded when it starts; KVM's modules come from the initramfs.
MODS=/lib/modules/lab
HVBENCH=/selftests/hvbench
ROUNDS=${STRESS_ROUNDS:-6}
ROWS=${STRESS_ROWS:-hltipi,hvsignal,hvpost}

stress() {
	vmm=$1
	for p in 1 2 3; do
		(
		j=0
		while [ "$j" -lt "$ROUNDS" ]; do
			log=/tmp/stress.$vmm.$p.$j.log
			if timeout 120 "$HVBENCH" run --vmm "$vmm" --out "/tmp/stress.$vmm.$p.$j" \
				--only "$ROWS" --runs 1 --min-cycles 200000000 >"$log" 2>&1; then
				echo "# $vmm process $p run $j ok"
			else
				echo "# $vmm process $p run $j FAILED:"
				: >"/tmp/stress.$vmm.failed.$p.$j"
				grep -v '^#' "$log" | tail -4 | sed 's/^/#     /'
			fi
			j=$((j + 1))
		done
		) &
	done
	wait
	echo "# $vmm: $(find /tmp -maxdepth 1 -name "stress.$vmm.failed.*" | wc -l) of $((ROUNDS * 3)) runs failed"
}

echo "1..1"
rmmod hvpart || exit 1
# shellcheck disable=SC2013 # one module name per line
for m in $(cat "$MODS/kvm-amd.order"); do
	insmod "$MODS/$m" || exit 1
done
stress kvm
for m in kvm_amd ccp kvm irqbypass; do
	rmmod "$m" 2>/dev/null
done
insmod "$MODS/hvpart.ko" || exit 1
stress hvpart
dmesg | grep -E 'soft lockup|hvpart: partition' | tail -10 | sed 's/^/# dmesg: /'
echo "ok 1 stress"
