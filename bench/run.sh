#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh: the host half of 'make bench'. Boots the QEMU SVM lab once
# (tests/lab/qemu-svm.sh) with hvbench and bench/lab/hvbench.sh in the
# initramfs; in that boot hvbench measures KVM, then hvpart, and prints one
# table. Prints the lab's TAP, then the table, which is also kept in
# build/bench/table.md (docs/BENCHMARKS.md says how to read it).
#
#   make bench                      # full: 2^30 cycles, 5 runs, 1 GiB
#   make bench BENCH_MODE=short     # what 'make check' runs: 2^20, 3 runs, 16 MiB
#
# Knobs (environment), besides the lab's own (docs/lab.md):
#   BENCH_MODE    full (default) or short
#   BENCH_ONLY    comma-separated benchmark ids ('bench/out/hvbench list';
#                 'boot': the Linux child boot row, bench/lab/hvbench.sh's)
#   LAB_MEM       default 3072 here: the memory rows need 1 GiB at a time
#   LAB_TEST_TIMEOUT, LAB_TIMEOUT   default 300/900 s short, 5400/7200 s full
#   LAB_GUEST_QEMU  the QEMU put in the lab's initramfs for the Linux child
#                 boot row (default: qemu-system-x86_64 from PATH)
#
# Exit status: the lab's (non-zero when a step failed, e.g. hvbench broke,
# or dmesg has a warning), or 1 when no table came out. Figures never fail.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH_MODE=${BENCH_MODE:-full}
OUT=${LAB_OUT:-$ROOT/build/bench}
HVBENCH=$ROOT/bench/out/hvbench

case $BENCH_MODE in
short)
	LAB_TEST_TIMEOUT=${LAB_TEST_TIMEOUT:-300}
	LAB_TIMEOUT=${LAB_TIMEOUT:-900}
	;;
full)
	LAB_TEST_TIMEOUT=${LAB_TEST_TIMEOUT:-5400}
	LAB_TIMEOUT=${LAB_TIMEOUT:-7200}
	;;
*)
	echo "bench: BENCH_MODE must be full or short, not '$BENCH_MODE'" >&2
	exit 2
	;;
esac
[ -x "$HVBENCH" ] || {
	echo "bench: $HVBENCH missing: make -C bench" >&2
	exit 1
}

# hvbench goes in as the initramfs' only "selftest"; hvlab.only keeps init
# from running it as one.
mkdir -p "$OUT/bin"
rm -f "$OUT/bin/"*
install -m 755 "$HVBENCH" "$OUT/bin/hvbench"

LAB_CPU=${LAB_CPU:-EPYC,+svm,+npt}
LAB_SMP=${LAB_SMP:-2}
# Round-robin TCG, as in the test lab (tests/lab/qemu-svm.sh): with a
# thread per vCPU KVM's rounds hung in three of four full runs on
# 2026-11-26. Both hypervisors run under the same mode, so the ratios stay
# comparable; rows with two busy vCPUs (the ring, the child boot) take
# longer on both.
LAB_ACCEL=${LAB_ACCEL:-tcg,thread=single}
emulator="$(qemu-system-x86_64 --version | head -n 1), -accel $LAB_ACCEL -cpu $LAB_CPU -smp $LAB_SMP"
append="hvlab.only=lab-tests/hvbench.sh hvbench.mode=$BENCH_MODE hvbench.emulator=${emulator// /_}"
[ -z "${BENCH_ONLY:-}" ] || append="$append hvbench.only=$BENCH_ONLY"

export LAB_OUT=$OUT LAB_CPU LAB_SMP LAB_ACCEL LAB_TEST_TIMEOUT LAB_TIMEOUT
export LAB_MEM=${LAB_MEM:-3072}
export SELFTESTS_DIR=$OUT/bin LAB_TESTS_DIR=$ROOT/bench/lab
# The boot row runs QEMU+KVM in the lab: only this initramfs carries it.
LAB_GUEST_QEMU=${LAB_GUEST_QEMU:-$(command -v qemu-system-x86_64)}
export LAB_GUEST_QEMU
export LAB_APPEND="$append ${LAB_APPEND:-}"

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
rc=0
"$ROOT/tests/lab/qemu-svm.sh" || rc=$?
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# The table, from the TAP copy of hvbench.sh's output (indented 4 spaces).
table=$OUT/table.md
sed -n '/^    hvbench: table begin$/,/^    hvbench: table end$/p' "$OUT/results.tap" |
	sed '1d;$d; s/^    //' >"$table.tmp" || true
if [ -s "$table.tmp" ]; then
	# What went into the lab, as mkinitramfs.sh recorded it.
	ko=$(sed -n 's/^# hvpart.ko: sha256 \([0-9a-f]*\).*/\1/p' "$OUT/results.tap" | head -n 1)
	{
		echo "Produced by: make bench BENCH_MODE=$BENCH_MODE${BENCH_ONLY:+ BENCH_ONLY=$BENCH_ONLY}" \
			"on $(date -u '+%Y-%m-%d'); tree $(git -C "$ROOT" describe --always --dirty 2>/dev/null ||
				echo unknown), hvpart.ko sha256 ${ko:-?}."
		echo "Host: $(grep -m 1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) CPUs;" \
			"load average ${load_before%% *} before, ${load_after%% *} after the run."
		cat "$table.tmp"
	} >"$table"
	rm -f "$table.tmp"
	echo "# ---- hvbench table ($table) ----"
	cat "$table"
else
	rm -f "$table.tmp"
	echo "not ok - bench: no table in $OUT/results.tap"
	rc=1
fi
exit "$rc"
