#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Lab test: hvctl runs real partitions on hvpart.ko. Boots the multiboot
# test kernel (tools/testkernel, built from C and asm by `make -C tools`)
# and checks what it prints on COM1 and how hvctl exits: the platform
# (16550, ACPI tables and S5 power-off, I/O APIC over MMIO, RTC, PM timer,
# debug-exit port), the ways a run ends (crash, reset, timeout, signal,
# stop), and the control socket (list, pause, resume, shutdown, stop).
# Prints TAP subtests; exits 0 if all pass, 4 (skip) without hvctl.
set -u

HVCTL=${HVCTL:-/bin/hvctl}
TK=${TESTKERNEL:-/lib/hvctl/testkernel.elf}
TKBIN=${TESTKERNEL_BIN:-/lib/hvctl/testkernel.bin}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=tests/lab/tests/lib/labtest.sh
. "$(dirname "$0")/lib/labtest.sh"
need_files "$HVCTL" "$TK"

# A failure shows the end of the run's output.
result() {
	tap_result "$@" || sed 's/^/# /' "$tmp/out" | tail -n 40
}

# run NAME RC PATTERN... -- HVCTL-RUN-ARGS: run the test kernel with a
# 60 s safety net, expect exit status RC and every PATTERN in its output.
run() {
	name=$1 want=$2
	shift 2
	patterns=
	while [ "$1" != "--" ]; do
		patterns="$patterns
$1"
		shift
	done
	shift
	timeout -s KILL 60 "$HVCTL" run "$@" </dev/null >"$tmp/out" 2>&1
	rc=$?
	bad=0
	if [ "$rc" -ne "$want" ]; then
		echo "# $name: exit status $rc, expected $want" >>"$tmp/out"
		bad=1
	fi
	echo "$patterns" | while IFS= read -r p; do
		[ -z "$p" ] || grep -qF -- "$p" "$tmp/out" || echo "# missing: $p"
	done >>"$tmp/out.missing"
	if [ -s "$tmp/out.missing" ]; then
		cat "$tmp/out.missing" >>"$tmp/out"
		bad=1
	fi
	rm -f "$tmp/out.missing"
	result "$bad" "$name"
}

# wait_for FILE|COMMAND: poll up to 20 s for a condition.
wait_until() {
	i=0
	while ! eval "$1" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 200 ] || return 1
		sleep 0.1
	done
}

echo "TAP version 13"

"$HVCTL" check >"$tmp/out" 2>&1
rc=$?
grep -q "HVPART_CAP_LAPIC" "$tmp/out" && grep -qE "HVPART_CAP_BACKEND +(svm|vmx)" "$tmp/out"
result $((rc | $?)) "hvctl check: every required feature present"
sed 's/^/# /' "$tmp/out"

run "multiboot ELF: boots, prints on COM1, exits through port 0xf4" 33 \
	"hvctl-testkernel: started" "cmdline: test=hello" "loader: hvctl" "PASS: hello" \
	-- --kernel "$TK" --cmdline "test=hello" --memory 16M
run "multiboot flat image (header addresses)" 33 "PASS: hello" "memory: 32 MiB" \
	-- --kernel "$TKBIN" --cmdline "test=hello" --memory 32M
run "4 GiB: 3 GiB below the hole, the rest mapped above 4 GiB" 33 "memory: 3072 MiB" "PASS: hello" \
	-- --kernel "$TK" --cmdline "test=hello" --memory 4G
printf 'initrd-contents-here' >"$tmp/initrd"
run "initrd becomes multiboot module 0" 33 "module: 20 bytes: initrd-contents-here" \
	-- --kernel "$TK" --initrd "$tmp/initrd" --cmdline "test=hello"
run "ACPI tables, 2 local APICs, VMBus device, power-off via \\_S5" 0 \
	"acpi: 2 local APIC(s), I/O APIC at 0xfec00000" "acpi: DSDT has the VMBUS device" \
	"guest powered off (ACPI S5)" \
	-- --kernel "$TK" --vps 2 --cmdline "test=acpi vps=2"
run "--no-hyperv: no VMBus device, still powers off" 0 "acpi: 1 local APIC(s)" \
	"guest powered off (ACPI S5)" \
	-- --kernel "$TK" --no-hyperv --cmdline "test=acpi vps=1 nohv"
run "I/O APIC registers through MMIO exits" 33 "ioapic: version register 0x00170011" "PASS: ioapic" \
	-- --kernel "$TK" --cmdline "test=ioapic"
run "CMOS RTC" 33 "PASS: rtc" -- --kernel "$TK" --cmdline "test=rtc"
run "ACPI PM timer" 33 "PASS: pmtimer" -- --kernel "$TK" --cmdline "test=pmtimer"
grep "TSC cycles per read" "$tmp/out" | sed 's/^/# port exit cost: /'
run "--no-hyperv: PIT counter 2 times 10 ms against the PM timer" 33 "PASS: pit" \
	-- --kernel "$TK" --no-hyperv --cmdline "test=pit"
grep "pit: counter" "$tmp/out" | sed 's/^/# /'
run "Hyper-V partitions have no PIT" 35 "FAIL: OUT2" -- --kernel "$TK" --cmdline "test=pit"
run "triple fault ends the run with status 2" 2 "triple fault" "rip" \
	-- --kernel "$TK" --cmdline "test=triple"
run "ACPI reset register ends the run with status 4" 4 "guest reset the machine" \
	-- --kernel "$TK" --cmdline "test=reset"
run "--timeout stops a spinning guest with status 3" 3 "spin: spinning" "timed out after 2 s" \
	-- --kernel "$TK" --cmdline "test=spin" --timeout 2
run "--affinity 0 and 4 VPs" 33 "PASS: hello" \
	-- --kernel "$TK" --vps 4 --affinity 0 --cmdline "test=hello"

# COM1 input: bytes on stdin reach the guest's RBR. Sent once the guest
# says it is ready: its UART set-up clears the receive FIFO, as a real one.
mkfifo "$tmp/in"
timeout -s KILL 60 "$HVCTL" run --kernel "$TK" --cmdline "test=echo" <"$tmp/in" \
	>"$tmp/out" 2>&1 &
worker=$!
exec 5>"$tmp/in"
wait_until "grep -q 'echo: ready' \"$tmp/out\""
printf 'hello-q' >&5
exec 5>&-
wait $worker
rc=$?
[ "$rc" -eq 33 ] && grep -q "hello-q" "$tmp/out" && grep -q "PASS: echo" "$tmp/out"
result $? "COM1 input from stdin is echoed by the guest (status $rc)"

# --serial pty needs devpts, which the lab's init does not mount.
if ! grep -q " /dev/pts devpts" /proc/mounts; then
	mkdir -p /dev/pts
	mount -t devpts devpts /dev/pts
fi

# --affinity: every VP thread (named vpN) may run only on the CPUs given.
ncpus=$(grep -c ^processor /proc/cpuinfo)
last=$((ncpus - 1))
"$HVCTL" run --name aff --vps 2 --affinity "$last" --kernel "$TK" --cmdline "test=spin" \
	>"$tmp/out" 2>&1 &
worker=$!
# The control socket can come before the VP threads do.
wait_until "[ \$(cat /proc/$worker/task/*/comm | grep -c '^vp') -ge 2 ]"
bad=0
nvp=0
for t in "/proc/$worker/task/"*; do
	case $(cat "$t/comm" 2>/dev/null) in
	vp*)
		nvp=$((nvp + 1))
		allowed=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "$t/status")
		echo "# $(cat "$t/comm"): Cpus_allowed_list $allowed" >>"$tmp/out"
		[ "$allowed" = "$last" ] || bad=1
		;;
	esac
done
[ $nvp -eq 2 ] || bad=1
"$HVCTL" stop aff >>"$tmp/out" 2>&1
wait $worker
result $bad "--affinity $last: both VP threads may run only on CPU $last"

# Lifecycle through the control socket, on a guest that spins forever.
"$HVCTL" run --name lt --serial pty --kernel "$TK" --cmdline "test=spin" \
	>"$tmp/worker.out" 2>&1 &
worker=$!
wait_until "\"$HVCTL\" list | grep -q '^lt .*running'"
result $? "hvctl list shows the partition running"
cp "$tmp/worker.out" "$tmp/out"
grep -q "lt: serial console on /dev/pts/" "$tmp/out"
result $? "--serial pty prints the pty's path"
"$HVCTL" pause lt >"$tmp/out" 2>&1 && "$HVCTL" list >>"$tmp/out" 2>&1 &&
	grep -q '^lt .*paused' "$tmp/out"
result $? "hvctl pause: list says paused"
"$HVCTL" pause lt >"$tmp/out" 2>&1
[ $? -eq 1 ] && grep -q "already paused" "$tmp/out"
result $? "hvctl pause twice: the second says already paused"
"$HVCTL" resume lt >"$tmp/out" 2>&1 && "$HVCTL" list >>"$tmp/out" 2>&1 &&
	grep -q '^lt .*running' "$tmp/out"
result $? "hvctl resume: list says running"
"$HVCTL" shutdown lt >"$tmp/out" 2>&1
[ $? -eq 1 ] && grep -q "has not enabled the ACPI power button" "$tmp/out"
result $? "hvctl shutdown of a guest without ACPI says why it cannot"
"$HVCTL" run --name lt --kernel "$TK" >"$tmp/out" 2>&1
[ $? -eq 1 ] && grep -q "already running" "$tmp/out"
result $? "a second run with the same name is refused"
"$HVCTL" stop lt >"$tmp/out" 2>&1
rc=$?
wait $worker
wrc=$?
cat "$tmp/worker.out" >>"$tmp/out"
[ $rc -eq 0 ] && [ $wrc -eq 3 ] && grep -q "stopped by 'hvctl stop'" "$tmp/out" &&
	[ ! -e /run/hvctl/lt.sock ]
result $? "hvctl stop: worker exits 3 and removes its socket"

"$HVCTL" run --name sig --kernel "$TK" --cmdline "test=spin" >"$tmp/out" 2>&1 &
worker=$!
wait_until "[ -S /run/hvctl/sig.sock ]"
kill -TERM $worker
wait $worker
rc=$?
[ $rc -eq 3 ] && grep -q "stopped by Terminated" "$tmp/out"
result $? "SIGTERM stops the worker cleanly (status $rc)"

echo "1..$n"
[ "$failed" -eq 0 ]
