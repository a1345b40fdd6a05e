# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# lab-common.sh: what the lab runners (qemu-svm.sh, bochs-vmx.sh) share,
# sourced by them. Two halves:
#
#   lab_setup PREFIX   read the common knobs, pick the kernel, prepare the
#                      output directory and build the initramfs
#   lab_report EMU RC ELAPSED LOG
#                      after the emulator stopped: turn what went wrong with
#                      the run itself (timeout, emulator failure, panic, no
#                      final plan) into 'not ok' lines, print the TAP, show the
#                      console on failure, print the summary; returns its status
#
# Common knobs (environment), documented in docs/lab.md:
#   LAB_KVER LAB_TIMEOUT LAB_TEST_TIMEOUT LAB_APPEND LAB_OUT LAB_CONSOLE_TAIL
#   HVPART_KO SELFTESTS_DIR LAB_TESTS_DIR (see mkinitramfs.sh)
#
# Sets: LAB_DIR ROOT OUT KERNEL CONSOLE TAP_RAW RESULTS and the knobs above.

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$LAB_DIR/../.." && pwd)

# lab_setup PREFIX: PREFIX names the runner in error messages.
lab_setup() {
	local prefix=$1

	OUT=${LAB_OUT:-$ROOT/build/lab}
	LAB_TIMEOUT=${LAB_TIMEOUT:-2400}
	# Per-test timeout: LAB_TEST_TIMEOUT, else selftests/settings' timeout=
	# (the kselftest convention), else 120 s.
	if [ -z "${LAB_TEST_TIMEOUT:-}" ] && [ -r "$ROOT/selftests/settings" ]; then
		LAB_TEST_TIMEOUT=$(sed -n 's/^timeout=\([0-9][0-9]*\)$/\1/p' "$ROOT/selftests/settings" | tail -n 1)
	fi
	LAB_TEST_TIMEOUT=${LAB_TEST_TIMEOUT:-120}
	LAB_APPEND=${LAB_APPEND:-}
	LAB_CONSOLE_TAIL=${LAB_CONSOLE_TAIL:-100}

	if [ -z "${LAB_KVER:-}" ]; then
		LAB_KVER=$(find /boot -maxdepth 1 -name 'vmlinuz-*' -printf '%f\n' |
			sed 's/^vmlinuz-//' | sort -V | tail -n 1)
	fi
	KERNEL=/boot/vmlinuz-$LAB_KVER
	if [ ! -r "$KERNEL" ]; then
		echo "$prefix: $KERNEL missing (apt-get install linux-image-amd64)" >&2
		exit 1
	fi

	mkdir -p "$OUT"
	CONSOLE=$OUT/console.log
	TAP_RAW=$OUT/tap.raw
	RESULTS=$OUT/results.tap
	rm -f "$CONSOLE" "$TAP_RAW" "$RESULTS"

	"$LAB_DIR/mkinitramfs.sh" -k "$LAB_KVER" "$OUT/initramfs.cpio.gz"
}

# lab_report EMU RC ELAPSED LOG: EMU names the emulator ("QEMU", "Bochs"),
# RC is its exit status (124/137: timeout's), ELAPSED its wall-clock seconds,
# LOG its own log file.
lab_report() {
	local emu=$1 rc=$2 elapsed=$3 log=$4
	local running during panic last first from init_at summary src p
	local problems=()

	touch "$CONSOLE" "$TAP_RAW"
	tr -d '\r' <"$TAP_RAW" >"$RESULTS"

	# The step running when the console ends, if any (a panic or hang in it).
	running=$(tr -d '\r' <"$CONSOLE" | awk '
		/hvlab: begin / { t = $NF }
		/hvlab: end /   { t = "" }
		END             { print t }')
	during=${running:+ while running $running}

	# What went wrong with the run itself, one line each.
	case $rc in
	0) ;;
	124 | 137) problems+=("$emu timed out after $LAB_TIMEOUT s (LAB_TIMEOUT)$during") ;;
	*) problems+=("$emu exited with status $rc: $(tail -n 3 "$log" | tr '\n' ' ')") ;;
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

	# On failure show the console: after a panic, from a little before the
	# first oops-like line of the step that was running (the trace's head
	# matters most); otherwise its tail.
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

	init_at=$(tr -d '\r' <"$CONSOLE" | sed -n 's/.*hvlab: init at \([0-9.]*\) s.*/\1/p' | head -n 1)
	echo "# lab: $emu ran ${elapsed} s wall clock (boot to power-off); init started at ${init_at:-?} s guest uptime"
	summary=$("$LAB_DIR/tap-summary.sh" "$RESULTS" 2>&1) && src=0 || src=$?
	echo "$summary" | sed 's/^# //; s/^/# lab: /'
	return "$src"
}
