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
# The Linux child boot row ('boot', issue 7) is this script's own: in the
# first turns (1 round in short mode, 3 in full), after hvbench's run, the
# lab's Debian kernel boots with the lab's child initramfs (tests/lab/
# mkchild.sh) as a 512 MiB, 2-vCPU guest, under QEMU+KVM on KVM's turn and
# under 'hvctl run' on hvpart's, until the child's init prints its 'child:
# init at' line; then the guest is stopped. Its table follows hvbench's.
#
# Exit 0 when every hvpart run and the table worked, 1 otherwise: the
# figures themselves never fail the test, and neither does KVM's side (the
# baseline: a KVM run that broke is reported and its row marked, but this
# suite tests hvpart; under QEMU's emulated SVM a halted KVM guest has
# been seen to miss its wake-up, docs/BENCHMARKS.md).
#
# Kernel command line (from bench/run.sh):
#   hvbench.mode=full|short   short: 2^20 cycles, 3 rounds, 16 MiB memory rows
#   hvbench.emulator=TEXT     the emulator's description, '_' for spaces
#   hvbench.only=ID,...       only these benchmarks ('hvbench list', and
#                             'boot' for the Linux child boot row)
#   hvpart.PARAM=VALUE        passed to insmod hvpart.ko, as init does
set -eu

MODS=/lib/modules/lab
HVBENCH=/selftests/hvbench
# The boot row: the guest, the VMMs and how long to wait for the child.
QEMU=/usr/bin/qemu-system-x86_64
HVCTL=/bin/hvctl
CHILD_KERNEL=/lib/hvctl/vmlinuz
CHILD_INITRD=/lib/hvctl/child.cpio.gz
CHILD_CMDLINE="console=ttyS0 quiet panic=-1"
BOOT_WAIT=180

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
boot_rounds=3
if [ "$mode" = short ]; then
	args="--short"
	rounds=3
	boot_rounds=1
fi
# 'boot' is this script's row, the other ids hvbench's.
hv_only=
boot_row=yes
if [ -n "$only" ]; then
	boot_row=
	for id in $(echo "$only" | tr , ' '); do
		if [ "$id" = boot ]; then
			boot_row=yes
		else
			hv_only="$hv_only${hv_only:+,}$id"
		fi
	done
	[ -z "$hv_only" ] || args="$args --only $hv_only"
	# The boot row alone: only the rounds it uses.
	[ -n "$hv_only" ] || rounds=$boot_rounds
fi

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

if [ -n "$boot_row" ]; then
	for f in "$QEMU" "$HVCTL" "$CHILD_KERNEL" "$CHILD_INITRD"; do
		[ -e "$f" ] || {
			echo "# boot row: $f missing from the initramfs (bench/run.sh: LAB_GUEST_QEMU, make tools)"
			exit 1
		}
	done
fi

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

now() { cut -d' ' -f1 /proc/uptime; }

# boot VMM ROUND: boot the child once under VMM (kvm: QEMU+KVM; hvpart:
# hvctl run) and append "VMM ROUND WALL CHILD" to /tmp/boot.res: WALL the
# seconds from starting the VMM to the child's 'child: init at' line on
# its console (the lab's clock, polled every 0.1 s), CHILD the child's own
# uptime in that line. Then the guest is stopped.
boot() {
	con=/tmp/boot.$1.$2.console
	log=/tmp/boot.$1.$2.log
	name=bench-boot-$2
	rm -f "$con" "$log"
	kmsg "round $2: $1: Linux child boot"
	t0=$(now)
	if [ "$1" = kvm ]; then
		"$QEMU" -accel kvm -cpu host -m 512 -smp 2 \
			-nodefaults -display none -vga none -monitor none -nic none -no-reboot \
			-serial "file:$con" -kernel "$CHILD_KERNEL" -initrd "$CHILD_INITRD" \
			-append "$CHILD_CMDLINE" </dev/null >"$log" 2>&1 &
	else
		"$HVCTL" run --name "$name" --memory 512M --vps 2 --kernel "$CHILD_KERNEL" \
			--initrd "$CHILD_INITRD" --cmdline "$CHILD_CMDLINE" --timeout $((BOOT_WAIT + 60)) \
			</dev/null >"$con" 2>"$log" &
	fi
	pid=$!
	i=0
	while ! grep -q "^child: init at" "$con" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt $((BOOT_WAIT * 10)) ] || ! kill -0 "$pid" 2>/dev/null; then
			break
		fi
		sleep 0.1
	done
	t1=$(now)
	line=$(grep -m 1 "^child: init at" "$con" 2>/dev/null | tr -d '\r')
	# set -e: a VMM stopped or killed exits non-zero (hvctl run: 3).
	if [ "$1" = kvm ]; then
		kill "$pid" 2>/dev/null || true
	else
		"$HVCTL" stop "$name" >>"$log" 2>&1 || kill "$pid" 2>/dev/null || true
	fi
	status=0
	wait "$pid" 2>/dev/null || status=$?
	if [ -z "$line" ]; then
		echo "# round $2: $1: no 'child: init at' line in $BOOT_WAIT s (VMM status $status); console and VMM output:"
		tail -n 30 "$con" 2>/dev/null | tr -d '\r' | sed 's/^/#   | /'
		tail -n 30 "$log" 2>/dev/null | sed 's/^/#   ! /'
		[ "$1" = kvm ] || rc=1
		return 0
	fi
	child=$(echo "$line" | sed -n 's/^child: init at \([0-9.]*\) s uptime.*/\1/p')
	wall=$(echo "$t0 $t1" | awk '{ printf "%.2f", $2 - $1 }')
	echo "# round $2: $1: Linux child boot: $wall s from launch to '$line'"
	echo "$1 $2 $wall ${child:-?}" >>/tmp/boot.res
}

# median VMM FIELD: the median of /tmp/boot.res' field FIELD (3: wall,
# 4: the child's uptime) over VMM's runs; '-' without one.
median() {
	awk -v vmm="$1" -v f="$2" '$1 == vmm && $f != "?" { print $f }' /tmp/boot.res 2>/dev/null |
		sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# The boot row's table: medians, their ratio, every run.
boot_table() {
	kw=$(median kvm 3)
	hw=$(median hvpart 3)
	kc=$(median kvm 4)
	hc=$(median hvpart 4)
	runs() { awk -v vmm="$1" -v f="$2" '$1 == vmm { printf "%s%s", s, $f; s = " " }' /tmp/boot.res 2>/dev/null; }
	ratio() { echo "$1 $2" | awk '$1 + 0 > 0 && $2 != "-" { printf "%.2f×", $2 / $1; exit } { print "n/a" }'; }
	nk=$(awk '$1 == "kvm"' /tmp/boot.res 2>/dev/null | wc -l)
	nh=$(awk '$1 == "hvpart"' /tmp/boot.res 2>/dev/null | wc -l)
	echo
	echo "Linux child boot (issue 7): the lab's kernel ($(uname -r)) with the lab's child initramfs" \
		"(tests/lab/mkchild.sh) as a 512 MiB, 2-vCPU guest, command line '$CHILD_CMDLINE'," \
		"until its init prints 'child: init at'. KVM: $("$QEMU" --version | head -n 1 | sed 's/ *Copyright.*//')," \
		"-accel kvm -cpu host, pc machine, SeaBIOS, -kernel/-initrd; hvpart: hvctl run." \
		"Median of $nk KVM and $nh hvpart runs, in turns with the other rows; seconds."
	echo
	echo "| row | KVM s | hvpart s | hvpart/KVM | KVM runs | hvpart runs |"
	echo "|---|---:|---:|---:|---|---|"
	echo "| Linux child boot: VMM launch to the child's init, wall (lab clock) | $kw | $hw | $(ratio "$kw" "$hw") | $(runs kvm 3) | $(runs hvpart 3) |"
	echo "| Linux child boot: the child's own uptime at its init (its clock) | $kc | $hc | $(ratio "$kc" "$hc") | $(runs kvm 4) | $(runs hvpart 4) |"
}

# fail_turn VMM ROUND: hvbench failed on VMM; only hvpart's failures count.
fail_turn() {
	if [ "$1" = kvm ]; then
		echo "# round $2: kvm: hvbench failed; KVM is the baseline, so this is reported, not counted"
	else
		rc=1
	fi
}

# turn VMM ROUND: one run of every row on VMM.
turn() {
	out=/tmp/$1.$2.res
	from=
	[ "$2" -eq 1 ] || from="--n-from /tmp/$1.1.res"
	kmsg "round $2: $1"
	echo "# round $2: $1"
	use "$1"
	if [ -z "$only" ] || [ -n "$hv_only" ]; then
		# shellcheck disable=SC2086 # word lists
		"$HVBENCH" run --vmm "$1" --out "$out" $args $from || fail_turn "$1" "$2"
		if [ "$1" = kvm ]; then
			kvm_files="$kvm_files $out"
		else
			hvpart_files="$hvpart_files $out"
		fi
	fi
	if [ -n "$boot_row" ] && [ "$2" -le "$boot_rounds" ]; then
		boot "$1" "$2"
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
if [ -n "$kvm_files" ]; then
	# shellcheck disable=SC2086 # file lists
	"$HVBENCH" table --emulator "$emulator" --kvm $kvm_files --hvpart $hvpart_files || rc=1
else
	echo "Lab: $emulator; kernel $(uname -r)."
fi
[ -z "$boot_row" ] || boot_table
echo "hvbench: table end"

for f in $kvm_files $hvpart_files; do
	sed "s|^|# $(basename "$f"): |" "$f"
done
exit $rc
