#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# qemu-svm.sh: the SVM lab. Boots the Debian kernel under QEMU TCG with an
# emulated EPYC that has SVM and NPT, runs tests/lab/init (kvm-coexist,
# insmod, selftests, lab tests, rmmod, dmesg-clean) and prints its TAP.
#
#   make lab                     # builds hvpart.ko and selftests first
#   tests/lab/qemu-svm.sh        # uses what is already built
#
# Output in build/lab/: initramfs.cpio.gz, console.log (ttyS0: kernel and
# test output), tap.raw (ttyS1 as captured), results.tap (TAP as printed
# below, including the lines this script adds), qemu.log.
#
# The run fails (exit 1) if any test fails, QEMU times out or fails, the
# kernel panics, or the TAP lacks its final plan (the suite never finished).
# On failure the tail of the console log is shown as TAP comments.
#
# Knobs (environment):
#   LAB_KVER          kernel to boot, /boot/vmlinuz-LAB_KVER (default newest)
#   LAB_TIMEOUT       seconds for the whole QEMU run (default 2400)
#   LAB_TEST_TIMEOUT  seconds per test inside the lab (default: timeout= in
#                     selftests/settings, else 120)
#   LAB_APPEND        extra kernel command line, e.g. 'hvlab.only=selftests/*'
#                     or 'hvpart.PARAM=VALUE' (see tests/lab/init)
#   LAB_CPU LAB_SMP LAB_MEM LAB_ACCEL   QEMU -cpu, -smp, -m, -accel
#   LAB_QEMU_EXTRA    more QEMU arguments, split at spaces (e.g. for debugging
#                     '-d int,guest_errors -D /tmp/qemu-int.log')
#   LAB_OUT           output directory (default build/lab)
#   LAB_CONSOLE_TAIL  console lines shown on failure (default 100)
#   HVPART_KO SELFTESTS_DIR LAB_TESTS_DIR   see mkinitramfs.sh
set -eu

# shellcheck source=tests/lab/lab-common.sh
. "$(dirname "$0")/lab-common.sh"

LAB_CPU=${LAB_CPU:-EPYC,+svm,+npt}
LAB_SMP=${LAB_SMP:-2}
LAB_MEM=${LAB_MEM:-2048}
# One host thread for both vCPUs (round-robin TCG). With a thread per vCPU
# QEMU 7.2's SVM emulation loses interrupt requests and hangs the lab host,
# under KVM and hvpart alike (a clean-clone CI run of 2026-11-26 hung in
# 'insmod hvpart' right after kvm-coexist), and corrupts partitions under
# load (docs/lab.md). The suite takes as long either way (about 170 s).
# LAB_ACCEL=tcg gives the parallel vCPUs back.
LAB_ACCEL=${LAB_ACCEL:-tcg,thread=single}

lab_setup qemu-svm
rm -f "$OUT/qemu.log"

# The TAP port (ttyS1) goes through a pipe, so that a byte a second can go
# the other way: QEMU 7.2 now and then drops a lab CPU's timer interrupt
# (it updates the pending-interrupt bits unlocked at VMRUN and #VMEXIT,
# docs/lab.md), and with both CPUs' dropped the lab host's clock stops for
# good. The port's receive interrupt makes QEMU look at that CPU's APIC
# again and deliver what it had dropped; the lab ignores the bytes (the
# port is raw, without echo, and nothing reads it).
TAP_PIPE=$OUT/tap-pipe
rm -f "$TAP_PIPE.in" "$TAP_PIPE.out"
mkfifo "$TAP_PIPE.in" "$TAP_PIPE.out"
cat "$TAP_PIPE.out" >"$TAP_RAW" &
tap_reader=$!
(while sleep 1; do printf '\n'; done) >"$TAP_PIPE.in" 2>/dev/null &
doorbell=$!

echo "# lab: booting $KERNEL under qemu -accel $LAB_ACCEL -cpu $LAB_CPU -smp $LAB_SMP -m $LAB_MEM (timeout $LAB_TIMEOUT s)"
start=$(date +%s)
qrc=0
# LAB_QEMU_EXTRA is split into arguments on purpose.
# shellcheck disable=SC2086
timeout -k 10 "$LAB_TIMEOUT" \
	qemu-system-x86_64 -M q35 -accel "$LAB_ACCEL" -cpu "$LAB_CPU" \
	-smp "$LAB_SMP" -m "$LAB_MEM" \
	-nodefaults -display none -monitor none -nic none -no-reboot \
	-serial "file:$CONSOLE" -chardev "pipe,id=tap,path=$TAP_PIPE" -serial chardev:tap \
	-kernel "$KERNEL" -initrd "$OUT/initramfs.cpio.gz" \
	-append "console=ttyS0 panic=-1 hvlab.timeout=$LAB_TEST_TIMEOUT $LAB_APPEND" \
	${LAB_QEMU_EXTRA:-} </dev/null >"$OUT/qemu.log" 2>&1 || qrc=$?
elapsed=$(($(date +%s) - start))
kill "$doorbell" 2>/dev/null || true
# Opening the pipe read-write never blocks: it ends a reader still waiting
# for QEMU (one that failed to start) as well as one that has read it all.
exec 9<>"$TAP_PIPE.out"
exec 9>&-
wait "$tap_reader" || true
rm -f "$TAP_PIPE.in" "$TAP_PIPE.out"

lab_report QEMU "$qrc" "$elapsed" "$OUT/qemu.log" && exit 0 || exit $?
