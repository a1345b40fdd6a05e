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
#   LAB_OUT           output directory (default build/lab)
#   LAB_CONSOLE_TAIL  console lines shown on failure (default 100)
#   HVPART_KO SELFTESTS_DIR LAB_TESTS_DIR   see mkinitramfs.sh
set -eu

LAB_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$LAB_DIR/../.." && pwd)

OUT=${LAB_OUT:-$ROOT/build/lab}
LAB_TIMEOUT=${LAB_TIMEOUT:-2400}
# Per-test timeout: LAB_TEST_TIMEOUT, else selftests/settings' timeout=
# (the kselftest convention), else 120 s.
if [ -z "${LAB_TEST_TIMEOUT:-}" ] && [ -r "$ROOT/selftests/settings" ]; then
	LAB_TEST_TIMEOUT=$(sed -n 's/^timeout=\([0-9][0-9]*\)$/\1/p' "$ROOT/selftests/settings" | tail -n 1)
fi
LAB_TEST_TIMEOUT=${LAB_TEST_TIMEOUT:-120}
LAB_APPEND=${LAB_APPEND:-}
LAB_CPU=${LAB_CPU:-EPYC,+svm,+npt}
LAB_SMP=${LAB_SMP:-2}
LAB_MEM=${LAB_MEM:-2048}
LAB_ACCEL=${LAB_ACCEL:-tcg}
LAB_CONSOLE_TAIL=${LAB_CONSOLE_TAIL:-100}

if [ -z "${LAB_KVER:-}" ]; then
	LAB_KVER=$(find /boot -maxdepth 1 -name 'vmlinuz-*' -printf '%f\n' |
		sed 's/^vmlinuz-//' | sort -V | tail -n 1)
fi
KERNEL=/boot/vmlinuz-$LAB_KVER
if [ ! -r "$KERNEL" ]; then
	echo "qemu-svm: $KERNEL missing (apt-get install linux-image-amd64)" >&2
	exit 1
fi

mkdir -p "$OUT"
CONSOLE=$OUT/console.log
TAP_RAW=$OUT/tap.raw
RESULTS=$OUT/results.tap
rm -f "$CONSOLE" "$TAP_RAW" "$RESULTS" "$OUT/qemu.log"

"$LAB_DIR/mkinitramfs.sh" -k "$LAB_KVER" "$OUT/initramfs.cpio.gz"

echo "# lab: booting $KERNEL under qemu -accel $LAB_ACCEL -cpu $LAB_CPU -smp $LAB_SMP -m $LAB_MEM (timeout $LAB_TIMEOUT s)"
start=$(date +%s)
qrc=0
timeout -k 10 "$LAB_TIMEOUT" \
	qemu-system-x86_64 -M q35 -accel "$LAB_ACCEL" -cpu "$LAB_CPU" \
	-smp "$LAB_SMP" -m "$LAB_MEM" \
	-nodefaults -display none -monitor none -nic none -no-reboot \
	-serial "file:$CONSOLE" -serial "file:$TAP_RAW" \
	-kernel "$KERNEL" -initrd "$OUT/initramfs.cpio.gz" \
	-append "console=ttyS0 panic=-1 hvlab.timeout=$LAB_TEST_TIMEOUT $LAB_APPEND" \
	</dev/null >"$OUT/qemu.log" 2>&1 || qrc=$?
elapsed=$(($(date +%s) - start))

touch "$CONSOLE" "$TAP_RAW"
tr -d '\r' <"$TAP_RAW" >"$RESULTS"

# The step running when the console ends, if any (a panic or hang in it).
running=$(tr -d '\r' <"$CONSOLE" | awk '
	/hvlab: begin / { t = $NF }
	/hvlab: end /   { t = "" }
	END             { print t }')
during=${running:+ while running $running}

# What went wrong with the run itself, one line each.
problems=()
case $qrc in
0) ;;
124 | 137) problems+=("QEMU timed out after $LAB_TIMEOUT s (LAB_TIMEOUT)$during") ;;
*) problems+=("QEMU exited with status $qrc: $(tail -n 3 "$OUT/qemu.log" | tr '\n' ' ')") ;;
esac
panic=$(tr -d '\r' <"$CONSOLE" | grep -m 1 'Kernel panic' || true)
[ -z "$panic" ] || problems+=("kernel panic$during: ${panic#*] }")
grep -qE '^1\.\.[0-9]+' "$RESULTS" ||
	problems+=("no final plan in the TAP: the suite did not finish")

last=$(sed -n 's/^\(not \)\{0,1\}ok \([0-9][0-9]*\).*/\2/p' "$RESULTS" | tail -n 1)
last=${last:-0}
for p in ${problems[@]+"${problems[@]}"}; do
	last=$((last + 1))
	echo "not ok $last lab: $p" >>"$RESULTS"
done

cat "$RESULTS"

# On failure show the console: after a panic, from a little before the first
# oops-like line of the step that was running (the trace's head matters
# most); otherwise its tail.
if grep -q '^not ok' "$RESULTS"; then
	first=
	if [ -n "$panic" ]; then
		first=$(tr -d '\r' <"$CONSOLE" | awk '
			/hvlab: begin / { first = ""; next }
			first == "" && /Kernel panic|BUG:|Oops|general protection|WARNING:|Call Trace/ { first = NR }
			END { print first }')
	fi
	if [ -n "$first" ]; then
		from=$((first > 30 ? first - 30 : 1))
		echo "# ---- $CONSOLE from line $from (at most $((LAB_CONSOLE_TAIL * 3)) lines) ----"
		tr -d '\r' <"$CONSOLE" | sed -n "$from,\$p" | head -n $((LAB_CONSOLE_TAIL * 3)) | sed 's/^/# /'
	else
		echo "# ---- last $LAB_CONSOLE_TAIL lines of $CONSOLE ----"
		tail -n "$LAB_CONSOLE_TAIL" "$CONSOLE" | tr -d '\r' | sed 's/^/# /'
	fi
	echo "# ---- end of console ----"
fi

init_at=$(sed -n 's/.*hvlab: init at \([0-9.]*\) s.*/\1/p' "$CONSOLE" | head -n 1)
echo "# lab: QEMU ran ${elapsed} s wall clock (boot to power-off); init started at ${init_at:-?} s guest uptime"
summary=$("$LAB_DIR/tap-summary.sh" "$RESULTS" 2>&1) && src=0 || src=$?
echo "$summary" | sed 's/^# //; s/^/# lab: /'
exit "$src"
