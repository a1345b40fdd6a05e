# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the lab tests (tests/lab/tests/*.sh; the lab runs only those,
# not this directory): TAP subtest results and the reasons to skip.

n=0
failed=0

# tap_result RC NAME: one TAP subtest, counted in $n and $failed; returns
# RC's verdict (0 or 1) so a test can add diagnostics to a failure.
tap_result() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
		return 0
	fi
	failed=$((failed + 1))
	echo "not ok $n - $2"
	return 1
}

# result RC NAME: a test may redefine it to add its own diagnostics.
result() {
	tap_result "$@"
}

# need_files FILE...: skip the test (exit 4) unless each FILE is here.
need_files() {
	for f in "$@"; do
		if [ ! -e "$f" ]; then
			echo "SKIP: $f is not in the initramfs (make -C tools, mkinitramfs.sh)"
			exit 4
		fi
	done
}

# Bochs (the VMX lab, which says so on the kernel line) emulates about 50
# times slower than QEMU's TCG: one Linux child takes about 130 s to boot
# and power off there, more than the default step timeout. Tests that
# boot one run under Bochs only when the timeout was raised
# (LAB_APPEND=hvlab.timeout=600 make lab-vmx); the QEMU lab always runs them.
need_time_for_linux_child() {
	emulator=$(sed -n 's/.*hvlab\.emulator=\([^ ]*\).*/\1/p' /proc/cmdline)
	step_timeout=$(sed -n 's/.*hvlab\.timeout=\([0-9]*\).*/\1/p' /proc/cmdline)
	if [ "$emulator" = bochs ] && [ "${step_timeout:-120}" -lt 600 ]; then
		echo "SKIP: Linux children under Bochs need hvlab.timeout=600 or more (it is ${step_timeout:-120})"
		exit 4
	fi
}
