#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The demo (README: make demo; also part of every `make lab`): Debian's
# stock kernel boots as a child partition with 2 VPs and does real work,
# with enlightened I/O as on Hyper-V:
#   - it detects Hyper-V, connects to VMBus and opens the integration
#     services (hv_vmbus, hv_utils, and hv_kvp_daemon from hyperv-daemons);
#   - both VPs hash a stream of numbers; 64 MiB go through gzip and back
#     in guest memory; the results come back to the host through KVP and
#     are checked against the host's own computation;
#   - the host sends a message through KVP that the guest prints;
#   - `hvctl list` shows it running, with its VMBus version and heartbeat;
#   - `hvctl shutdown` powers it off through the shutdown service.
# The child's workload is tests/lab/child/work.sh. TAP subtests; the
# narrative goes out as TAP comments. Exit 0 if all pass, 4 (skip) without
# hvctl, the child kernel or its initramfs, or under Bochs with a short
# step timeout (see hvctl-linux.sh).
set -u

HVCTL=${HVCTL:-/bin/hvctl}
KERNEL=${CHILD_KERNEL:-/lib/hvctl/vmlinuz}
INITRD=${CHILD_INITRD:-/lib/hvctl/child.cpio.gz}
N=200000	# numbers each VP hashes (child.work_n)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=tests/lab/tests/lib/labtest.sh
. "$(dirname "$0")/lib/labtest.sh"
need_files "$HVCTL" "$KERNEL" "$INITRD"
need_time_for_linux_child
say() { echo "# $*"; }
# show FILE PREFIX: a file as comments.
show() { sed "s/^/# $2/" "$1"; }
# console PATTERN: the child's console has PATTERN (a fixed string).
console() { grep -qF -- "$1" "$tmp/console" 2>/dev/null; }
# wait_for PATTERN SECONDS
wait_for() {
	i=0
	while ! console "$1"; do
		i=$((i + 1))
		[ $i -lt $(($2 * 10)) ] || return 1
		kill -0 "$worker" 2>/dev/null || return 1
		sleep 0.1
	done
}
# The child's console as comments, minus what the lab reads as its own.
show_console() {
	grep -E "^child|^hvctl" "$tmp/console" |
		sed 's/Kernel panic/[child] kernel panic/; s/^/#   | /'
}

echo "TAP version 13"
say "=== hvpart demo: an unmodified Debian kernel as a Hyper-V-style child partition ==="
say "host: $(uname -sr), $(grep -c ^processor /proc/cpuinfo) CPUs, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)"
"$HVCTL" check >"$tmp/check" 2>&1
show "$tmp/check" "hvctl check: "

# One run of the child and every check, TAP lines to stdout.
demo_attempt() {
	say "\$ hvctl run --name demo --memory 512M --vps 2 --kernel vmlinuz --initrd child.cpio.gz --cmdline '... child.work'"
	start=$(cut -d' ' -f1 /proc/uptime)
	"$HVCTL" run --name demo --memory 512M --vps 2 --kernel "$KERNEL" --initrd "$INITRD" \
		--cmdline "console=ttyS0 quiet panic=-1 child.work" --timeout 540 \
		</dev/null >"$tmp/console" 2>&1 &
	worker=$!

	wait_for "child: init at" 240
	result $? "the child boots to its init"
	# Boot times, both in this run: the lab host's kernel to its /init, and the
	# child's, each by its own clock; and hvctl run to the child's init, wall.
	at_init=$(cut -d' ' -f1 /proc/uptime)
	host_init=$(dmesg | sed -n 's/^\[ *\([0-9.]*\)\] Run \/init as init process.*/\1/p' | head -n 1)
	child_init=$(sed -n 's/^child: init at \([0-9.]*\) s uptime.*/\1/p' "$tmp/console" | head -n 1)
	wait_for "child: work:" 120
	console "2 CPUs online"
	result $? "both VPs are online"
	console "Hypervisor detected: Microsoft Hyper-V"
	result $? "the child detects Hyper-V"
	console "hv_vmbus: Vmbus version:"
	result $? "the child connects to VMBus (its version line)"
	console "hv_utils: Shutdown IC version" && console "hv_utils: Heartbeat IC version"
	result $? "hv_utils opens the shutdown and heartbeat services"

	wait_for "child: work: results published" 240
	result $? "the child runs its workload on both VPs"
	# The same busybox computes what the child's VPs must have found.
	want0=$(seq 1 $N | sha256sum | cut -c1-64)
	want1=$(seq $((N + 1)) $((2 * N)) | sha256sum | cut -c1-64)
	i=0
	until got0=$("$HVCTL" kvp demo get work.cpu0.sha256 --pool guest 2>"$tmp/kvp.err") || [ $i -ge 60 ]; do
		sleep 0.5
		i=$((i + 1))
	done
	got1=$("$HVCTL" kvp demo get work.cpu1.sha256 --pool guest 2>>"$tmp/kvp.err")
	[ "$got0" = "$want0" ] && [ "$got1" = "$want1" ]
	result $? "both VPs' hashes, read through KVP, match the host's own"
	say "VP 0: $got0 (host: $want0)"
	say "VP 1: $got1 (host: $want1)"
	[ "$("$HVCTL" kvp demo get work.memory --pool guest 2>>"$tmp/kvp.err")" = ok ]
	result $? "the 64 MiB gzip round trip in guest memory gave the same data"
	show "$tmp/kvp.err" "kvp: "

	greeting="hello from the host, $(date -u '+%H:%M:%S')"
	say "\$ hvctl kvp demo set greeting '$greeting'"
	"$HVCTL" kvp demo set greeting "$greeting" >"$tmp/kvp.err" 2>&1
	wait_for "child: work: the host says: $greeting" 60
	result $? "the child reads the host's message from its KVP pool"
	show "$tmp/kvp.err" "kvp: "

	say "\$ hvctl kvp demo list"
	"$HVCTL" kvp demo list >"$tmp/kvplist" 2>&1
	grep -qx "OSName=Linux" "$tmp/kvplist"
	result $? "hvctl kvp list shows what the guest says of itself"
	show "$tmp/kvplist" "  "

	# The heartbeat service runs every 1 s; give it time to count.
	sleep 3
	say "\$ hvctl list"
	"$HVCTL" list >"$tmp/list" 2>&1
	grep -qE "^demo +running +2 " "$tmp/list"
	result $? "hvctl list shows the child running with 2 VPs"
	show "$tmp/list" "  "

	say "\$ hvctl shutdown demo"
	"$HVCTL" -v shutdown demo >"$tmp/shutdown" 2>&1
	rc=$?
	show "$tmp/shutdown" "  "
	[ $rc -eq 0 ] && grep -q "integration service" "$tmp/shutdown"
	result $? "hvctl shutdown asks through the shutdown integration service"
	wait $worker
	rc=$?
	grep -qF "guest powered off (ACPI S5)" "$tmp/console" && [ $rc -eq 0 ]
	result $? "the child powers off and hvctl run exits 0 (status $rc)"
	end=$(cut -d' ' -f1 /proc/uptime)

	say "--- the child's console (its init and workload; the kernel ran with 'quiet') ---"
	show_console
	say "boot: lab host kernel to /init ${host_init:-?} s (its clock); child kernel to /init" \
		"${child_init:-?} s (its clock), $(echo "$start $at_init" | awk '{ printf "%.1f", $2 - $1 }') s" \
		"from hvctl run (lab clock)"
	say "demo: $start -> $end s of lab uptime"
}

# A child that triple-faults or panics, or whose VMCB the emulator filled
# with the host's state (seen now and then in the SVM lab: docs/lab.md),
# gets one more boot; the first attempt's output stays in the TAP as
# comments, and a second such failure fails.
demo_attempt >"$tmp/attempt1"
if [ "$failed" -ne 0 ] && grep -qE "triple fault|guest crashed|GUEST_STATE_LOST" "$tmp/console"; then
	say "the child crashed: the lab's known intermittent failure (docs/lab.md);" \
		"its first attempt follows as comments, then one more boot"
	sed 's/^/# attempt 1: /' "$tmp/attempt1"
	n=0
	failed=0
	rm -f "$tmp/console"
	demo_attempt
else
	cat "$tmp/attempt1"
fi
echo "1..$n"
[ "$failed" -eq 0 ]
