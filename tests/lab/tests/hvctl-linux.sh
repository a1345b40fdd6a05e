#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Lab test: Debian's own kernel (the one the lab runs) boots as a child
# partition under hvctl with 2 VPs and the Hyper-V interface, reaches a
# busybox init, loads hv_vmbus and hv_utils, shows its Hyper-V detection
# and VMBus version lines, and powers off on `hvctl shutdown` (the shutdown
# integration service). Each is checked from the child's console. Prints
# the lab host's and the child's time to init, measured in this run. A
# second boot panics on purpose: hvctl must report the Hyper-V crash
# parameters and exit with status 2.
#
# The child's initramfs is tests/lab/mkchild.sh's (its init is
# tests/lab/child/init). The child boots with 'quiet': every console byte
# is a port exit, costly in the TCG lab; its init prints the kernel lines
# the checks need. With hyperv-daemons in the child, hvctl reads the
# guest's KVP pool through hv_kvp_daemon. TAP subtests; exit 0 if all
# pass, 4 (skip) without hvctl or the child kernel.
set -u

HVCTL=${HVCTL:-/bin/hvctl}
KERNEL=${CHILD_KERNEL:-/lib/hvctl/vmlinuz}
INITRD=${CHILD_INITRD:-/lib/hvctl/child.cpio.gz}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=tests/lab/tests/lib/labtest.sh
. "$(dirname "$0")/lib/labtest.sh"
need_files "$HVCTL" "$KERNEL" "$INITRD"
need_time_for_linux_child

# expect PATTERN NAME: the child's console has PATTERN (a fixed string).
expect() {
	grep -qF -- "$1" "$tmp/console"
	result $? "$2"
}

# wait_for PATTERN SECONDS: until the console has PATTERN; the seconds it took.
wait_for() {
	i=0
	while ! grep -qF -- "$1" "$tmp/console" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt $(($2 * 10)) ] || return 1
		kill -0 "$worker" 2>/dev/null || return 1
		sleep 0.1
	done
	waited=$((i / 10)).$((i % 10))
}

echo "TAP version 13"

# ---- boot with the Hyper-V interface, shut down through VMBus ---------------
start=$(cut -d' ' -f1 /proc/uptime)
"$HVCTL" run --name child --memory 512M --vps 2 --kernel "$KERNEL" \
	--initrd "$INITRD" --cmdline "console=ttyS0 quiet panic=-1" --timeout 300 \
	</dev/null >"$tmp/console" 2>&1 &
worker=$!

wait_for "child: init at" 240
result $? "the child boots to its busybox init"
wall_init=${waited:-?}
wait_for "child: waiting for the host" 60
result $? "the child loads hv_vmbus and hv_utils"
expect "2 CPUs online" "both VPs are online (the AP started through INIT-SIPI-SIPI)"
expect "Hypervisor detected: Microsoft Hyper-V" "the child detects Hyper-V"
expect "child: clocksource hyperv_clocksource" "the child keeps time with the Hyper-V clocksource"
expect "child: clockevent Hyper-V clockevent" "the child's timer is the Hyper-V synthetic timer"
expect "hv_vmbus: Vmbus version:" "the child connects to VMBus"
expect "hv_utils: Shutdown IC version" "the child opens the shutdown integration service"
"$HVCTL" list >"$tmp/list" 2>&1
grep -qE "^child +running +2 .* [0-9]+\.[0-9]+ " "$tmp/list"
result $? "hvctl list shows the child with its VMBus version"
sed 's/^/# /' "$tmp/list"

# ---- KVP: hvctl asks, the child's hv_kvp_daemon answers --------------------
if grep -qF "child: hv_kvp_daemon started" "$tmp/console"; then
	# hv_utils offers KVP to the host once its daemon has registered.
	i=0
	until "$HVCTL" kvp child list >"$tmp/kvp" 2>&1 || [ $i -ge 60 ]; do
		sleep 0.5
		i=$((i + 1))
	done
	grep -qx "OSName=Linux" "$tmp/kvp" && grep -qx "OSBuildNumber=$(uname -r)" "$tmp/kvp"
	result $? "hvctl kvp list: the child's daemon answers with its OS name and kernel release"
	sed 's/^/# kvp: /' "$tmp/kvp"
	value="set from the host: ü, spaces and = signs"
	"$HVCTL" kvp child set hvpart.test "$value" >"$tmp/kvp" 2>&1 &&
		[ "$("$HVCTL" kvp child get hvpart.test 2>>"$tmp/kvp")" = "$value" ]
	result $? "hvctl kvp set, then get: the value comes back from the guest (UTF-8 both ways)"
	"$HVCTL" kvp child delete hvpart.test >>"$tmp/kvp" 2>&1 &&
		! "$HVCTL" kvp child get hvpart.test >>"$tmp/kvp" 2>&1 &&
		grep -qF "no key 'hvpart.test' in pool external" "$tmp/kvp"
	result $? "hvctl kvp delete: the key is gone"
	sed 's/^/# kvp: /' "$tmp/kvp"
else
	echo "ok $((n + 1)) - hvctl kvp # SKIP no hv_kvp_daemon in the child (apt-get install hyperv-daemons)"
	n=$((n + 1))
fi

"$HVCTL" -v shutdown child >"$tmp/shutdown" 2>&1
rc=$?
cat "$tmp/shutdown" >>"$tmp/console"
[ $rc -eq 0 ] && grep -q "integration service" "$tmp/shutdown"
result $? "hvctl shutdown goes through the integration service"
wait $worker
rc=$?
[ $rc -eq 0 ] && grep -qF "guest powered off (ACPI S5)" "$tmp/console"
result $? "the child powers off (ACPI S5) and hvctl run exits 0 (status $rc)"

# ---- a crash is reported through the Hyper-V crash MSRs --------------------
"$HVCTL" run --name crash --memory 512M --vps 1 --kernel "$KERNEL" \
	--initrd "$INITRD" --cmdline "console=ttyS0 quiet panic=-1 child.crash" --timeout 300 \
	</dev/null >"$tmp/crash" 2>&1
rc=$?
grep -q "crash report: P0" "$tmp/crash" && grep -q "guest crashed" "$tmp/crash" && [ $rc -eq 2 ]
result $? "a kernel panic in the child ends the run with status 2 and its crash parameters (status $rc)"
# Not the panic line itself: the lab reads "Kernel panic" on its console as its own.
grep -E "child: crashing|hvctl: crash" "$tmp/crash" | sed 's/^/# /'

# ---- the same kernel with the Hyper-V interface off -------------------------
# A plain-hardware child calibrates its TSC and LAPIC timer against the PIT
# or PM timer; every read of those is a port exit, which the emulated lab
# makes slower than Linux accepts (about 300,000 TSC cycles against 50,000
# allowed). On silicon an exit costs a few microseconds. So the lab hands
# the child the figures it would measure: the TSC rate the lab host found,
# and the LAPIC timer period of hvpart's 1 GHz APIC bus (divided by 16 and
# by CONFIG_HZ=250).
tsc_mhz=$(dmesg | sed -n 's/.*tsc: Detected \([0-9]*\)\.\([0-9]*\) MHz processor.*/\1\2/p' | head -n 1)
"$HVCTL" run --name plain --no-hyperv --memory 512M --vps 2 --kernel "$KERNEL" \
	--initrd "$INITRD" \
	--cmdline "console=ttyS0 quiet panic=-1 tsc_early_khz=${tsc_mhz:-2000000} lapic_timer_period=250000" \
	--timeout 300 </dev/null >"$tmp/plain" 2>&1 &
worker=$!
i=0
while ! grep -qF "child: waiting for the host" "$tmp/plain" && [ $i -lt 2400 ] && kill -0 $worker 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
grep -qF "child: init at" "$tmp/plain" && grep -qF "2 CPUs online" "$tmp/plain"
result $? "with --no-hyperv the same kernel boots to its init on plain hardware (2 CPUs)"
! grep -qF "Hypervisor detected: Microsoft Hyper-V" "$tmp/plain" && ! grep -qF "hv_vmbus loaded" "$tmp/plain"
result $? "with --no-hyperv the child sees no Hyper-V and no VMBus"
"$HVCTL" stop plain >/dev/null 2>&1
wait $worker
grep -E "child: (init|clock)" "$tmp/plain" | sed 's/^/# plain: /'

host_init=$(dmesg | sed -n 's/^\[ *\([0-9.]*\)\] Run \/init as init process.*/\1/p' | head -n 1)
child_init=$(sed -n 's/^.*\[ *\([0-9.]*\)\] Run \/init as init process.*/\1/p' "$tmp/console" | head -n 1)
echo "# boot time to init: lab host ${host_init:-?} s (its kernel clock), child ${child_init:-?} s (its kernel clock), ${wall_init} s wall from hvctl run; started at ${start} s lab uptime"

if [ "$failed" -ne 0 ]; then
	echo "# ---- child console ----"
	# The lab reads "Kernel panic" and "Linux version" on its console as
	# its own (a panic, a second boot): not the child's.
	sed 's/Kernel panic/[child] kernel panic/; s/Linux version/[child] Linux-version/; s/^/# /' \
		"$tmp/console" | tail -n 80
fi
echo "1..$n"
[ "$failed" -eq 0 ]
