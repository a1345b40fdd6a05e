#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# hvbench.sh: the in-lab half of 'make bench' (bench/run.sh, docs/BENCHMARKS.md).
#
# tests/lab/init runs it as the one lab test of the boot (LAB_TESTS_DIR=
# bench/lab, hvlab.only=lab-tests/hvbench.sh), with hvpart.ko loaded;
# hvbench itself rides in /selftests (SELFTESTS_DIR), where init leaves it
# alone because of hvlab.only.
#
# KVM and hvpart take turns, in rounds: K H, H K, K H, ... (5 rounds; 3 in
# short mode). Round 1 finds each row's n by doubling; later rounds reuse
# it (--n-from). Between turns of different hypervisors the one that ran is
# unloaded before the other is loaded, so the two never hold SVM/VMX at
# once. Alternating spreads both hypervisors' samples over the same time,
# so a busy host (other labs on the machine) skews neither more than the
# other. Then 'hvbench table' prints one table between 'hvbench: table
# begin' and 'hvbench: table end', and the raw result files follow as
# comments. hvpart.ko is left loaded, as init's rmmod step expects.
#
# Exit 0 when every run and the table worked, 1 otherwise: the figures
# themselves never fail the test.
#
# Kernel command line (from bench/run.sh):
#   hvbench.mode=full|short   short: 2^20 cycles, 3 rounds, 16 MiB memory rows
#   hvbench.emulator=TEXT     the emulator's description, '_' for spaces
#   hvbench.only=ID,...       only these benchmarks ('hvbench list')
#   hvpart.PARAM=VALUE        passed to insmod hvpart.ko, as init does
set -eu

MODS=/lib/modules/lab
HVBENCH=/selftests/hvbench

mode=full
emulator=unknown
only=
hvpart_params=
set -f
# shellcheck disable=SC2013 # words, not lines
for arg in $(cat /proc/cmdline); do
	case $arg in
	hvbench.mode=*) mode=${arg#*=} ;;
	hvbench.emulator=*) emulator=$(echo "${arg#*=}" | tr _ ' ') ;;
	hvbench.only=*) only=${arg#*=} ;;
	hvpart.*=*) hvpart_params="$hvpart_params ${arg#hvpart.}" ;;
	esac
done
set +f

args=
rounds=5
if [ "$mode" = short ]; then
	args="--short"
	rounds=3
fi
[ -z "$only" ] || args="$args --only $only"

if grep -qw svm /proc/cpuinfo; then
	kvm_vendor=kvm-amd
elif grep -qw vmx /proc/cpuinfo; then
	kvm_vendor=kvm-intel
else
	echo "# no svm or vmx flag in /proc/cpuinfo"
	exit 1
fi
[ -x "$HVBENCH" ] || {
	echo "# $HVBENCH missing from the initramfs"
	exit 1
}
[ -f "$MODS/$kvm_vendor.order" ] || {
	echo "# $kvm_vendor.ko is not in the initramfs"
	exit 1
}

kmsg() {
	echo "<6>hvbench: $*" >/dev/kmsg
}

# The hypervisor in the kernel now: hvpart (init loaded it), kvm or none.
current=hvpart
kvm_loaded=

unload_current() {
	case $current in
	hvpart) rmmod hvpart ;;
	kvm)
		for m in $kvm_loaded; do
			rmmod "$(basename "$m" .ko | tr - _)"
		done
		kvm_loaded=
		;;
	esac
	current=none
	if grep -qE '^(hvpart|kvm|kvm_amd|kvm_intel) ' /proc/modules; then
		echo "# a hypervisor module is still loaded:"
		grep -E '^(hvpart|kvm|kvm_amd|kvm_intel) ' /proc/modules | sed 's/^/#   /'
		return 1
	fi
}

# use kvm|hvpart: make it the one hypervisor in the kernel.
use() {
	[ "$current" != "$1" ] || return 0
	unload_current
	case $1 in
	hvpart)
		# shellcheck disable=SC2086 # one word per parameter
		insmod "$MODS/hvpart.ko" $hvpart_params
		;;
	kvm)
		# shellcheck disable=SC2013 # file names, one a line, no spaces
		for m in $(cat "$MODS/$kvm_vendor.order"); do
			insmod "$MODS/$m"
			kvm_loaded="$m $kvm_loaded"
		done
		;;
	esac
	current=$1
}

rc=0
kvm_files=
hvpart_files=

# turn VMM ROUND: one run of every row on VMM.
turn() {
	out=/tmp/$1.$2.res
	from=
	[ "$2" -eq 1 ] || from="--n-from /tmp/$1.1.res"
	kmsg "round $2: $1"
	echo "# round $2: $1"
	use "$1"
	# shellcheck disable=SC2086 # word lists
	"$HVBENCH" run --vmm "$1" --out "$out" $args $from || rc=1
	if [ "$1" = kvm ]; then
		kvm_files="$kvm_files $out"
	else
		hvpart_files="$hvpart_files $out"
	fi
}

r=1
while [ $r -le $rounds ]; do
	if [ $((r % 2)) -eq 1 ]; then
		turn kvm $r
		turn hvpart $r
	else
		turn hvpart $r
		turn kvm $r
	fi
	r=$((r + 1))
done
use hvpart

echo "hvbench: table begin"
# shellcheck disable=SC2086 # file lists
"$HVBENCH" table --emulator "$emulator" --kvm $kvm_files --hvpart $hvpart_files || rc=1
echo "hvbench: table end"

for f in $kvm_files $hvpart_files; do
	sed "s|^|# $(basename "$f"): |" "$f"
done
exit $rc
