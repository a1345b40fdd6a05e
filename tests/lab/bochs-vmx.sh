#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bochs-vmx.sh: the VMX lab. Boots the same Debian kernel and the same
# initramfs as qemu-svm.sh, from an ISO (isolinux), under Bochs emulating an
# Intel Skylake-X with VMX, EPT, VPID and unrestricted guest, and runs the
# same tests/lab/init (kvm-coexist with kvm-intel, insmod, selftests, lab
# tests, rmmod, dmesg-clean). Bochs implements VMX close to the SDM,
# including the VM-entry checks on guest state (see docs/lab.md).
#
#   make lab-vmx                 # builds hvpart.ko and selftests first
#   tests/lab/bochs-vmx.sh       # uses what is already built
#
# Output in build/lab-vmx/: initramfs.cpio.gz, lab.iso, bochsrc, console.log
# (COM1: kernel and test output), tap.raw (COM2 as captured), results.tap,
# bochs.log.
#
# Bochs has no -no-reboot: a reboot would boot the ISO again. So while it
# runs, this script watches the serial logs and stops Bochs itself once the
# TAP plan line is out (init powers off right after it; Bochs usually
# quits on its own first), after a kernel panic, or when a second boot
# starts. Verdicts are as in qemu-svm.sh, from lab-common.sh.
#
# Knobs (environment), besides the common ones (lab-common.sh, docs/lab.md):
#   LAB_CPU           Bochs CPU model (default corei7_skylake_x)
#   LAB_SMP           CPUs (default 2)
#   LAB_MEM           MiB of guest memory (default 2048, as QEMU's lab)
#   LAB_IPS           emulated instructions per second of guest time
#                     (default 50000000, roughly Bochs' speed here, so guest
#                     time and timeouts track wall-clock time)
#   LAB_OUT           output directory (default build/lab-vmx)
set -eu

# shellcheck source=tests/lab/lab-common.sh
. "$(dirname "$0")/lab-common.sh"

LAB_OUT=${LAB_OUT:-$ROOT/build/lab-vmx}
LAB_TIMEOUT=${LAB_TIMEOUT:-3600}
LAB_CPU=${LAB_CPU:-corei7_skylake_x}
LAB_SMP=${LAB_SMP:-2}
LAB_MEM=${LAB_MEM:-2048}
LAB_IPS=${LAB_IPS:-50000000}

for f in /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 \
	/usr/share/bochs/BIOS-bochs-latest /usr/share/vgabios/vgabios.bin; do
	if [ ! -r "$f" ]; then
		echo "bochs-vmx: $f missing (apt-get install bochs bochsbios vgabios isolinux syslinux-common)" >&2
		exit 1
	fi
done
for cmd in bochs genisoimage; do
	command -v "$cmd" >/dev/null || {
		echo "bochs-vmx: $cmd missing (apt-get install bochs genisoimage)" >&2
		exit 1
	}
done

lab_setup bochs-vmx
BOCHS_LOG=$OUT/bochs.log
rm -f "$BOCHS_LOG" "$OUT/lab.iso"

# The ISO: isolinux loads the kernel and the initramfs through the BIOS.
# console=ttyS0 comes last: the last console= is /dev/console, where init's
# own output goes. Bochs' TSC counts one per emulated instruction tick,
# i.e. LAB_IPS per second of the emulated timers (PIT, HPET, local APIC),
# while CPUID of the Skylake model claims 3.5 GHz: without tsc_early_khz
# the kernel's TSC clock (and every sleep and timeout inside the lab) would
# run 70 times slower than its timers. hvpart.preemption_timer_us: Bochs
# 2.7 never takes an external-interrupt VM exit while the guest has
# RFLAGS.IF=0 (docs/vmx.md), so the module bounds each stay in the guest.
# idle=halt: the kernel would otherwise idle with MONITOR/MWAIT, and in
# Bochs an idle CPU then sometimes sleeps through its own local APIC timer
# until another CPU wakes it: hrtimers on it (hvpart's synthetic timers
# among them) fire seconds late (docs/lab.md).
# hvlab.emulator=bochs: for lab tests too slow to run here (they skip).
ISO_STAGE=$(mktemp -d "${TMPDIR:-/tmp}/hvpart-iso.XXXXXX")
trap 'rm -rf "$ISO_STAGE"' EXIT
mkdir -p "$ISO_STAGE/isolinux"
cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 \
	"$ISO_STAGE/isolinux/"
cp "$KERNEL" "$ISO_STAGE/vmlinuz"
cp "$OUT/initramfs.cpio.gz" "$ISO_STAGE/initrd.gz"
cat >"$ISO_STAGE/isolinux/isolinux.cfg" <<CFG
DEFAULT lab
PROMPT 0
TIMEOUT 0
LABEL lab
  KERNEL /vmlinuz
  INITRD /initrd.gz
  APPEND panic=-1 idle=halt tsc_early_khz=$((LAB_IPS / 1000)) hvpart.preemption_timer_us=1000 hvlab.emulator=bochs hvlab.timeout=$LAB_TEST_TIMEOUT $LAB_APPEND console=ttyS0,115200
CFG
genisoimage -quiet -o "$OUT/lab.iso" -b isolinux/isolinux.bin -c isolinux/boot.cat \
	-no-emul-boot -boot-load-size 4 -boot-info-table -J -R "$ISO_STAGE"

# Bochs' configuration. Facts found the hard way: the Debian build has no
# usable headless display but rfb with timeout=0 (it then never waits for a
# viewer); sound and the speaker must be off or stubbed; clock sync=none
# makes guest time run at LAB_IPS, independent of the host's load; the
# build has its debugger on, so '-rc' feeds it 'c' (continue).
cat >"$OUT/bochsrc" <<RC
megs: $LAB_MEM
cpu: model=$LAB_CPU, count=$LAB_SMP, ips=$LAB_IPS, reset_on_triple_fault=0
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
ata0-master: type=cdrom, path=$OUT/lab.iso, status=inserted
boot: cdrom
display_library: rfb, options="timeout=0"
speaker: enabled=0
sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
com1: enabled=1, mode=file, dev=$CONSOLE
com2: enabled=1, mode=file, dev=$TAP_RAW
clock: sync=none, time0=local
mouse: enabled=0
log: $BOCHS_LOG
panic: action=fatal
error: action=report
info: action=ignore
debug: action=ignore
RC
echo c >"$OUT/bochs.rc"

# watch_bochs PID: stop Bochs once the run is over (see the header). Prints
# why it stopped it, which lab_report does not count as a failure.
watch_bochs() {
	local pid=$1 done_at='' boots
	while kill -0 "$pid" 2>/dev/null; do
		sleep 2
		if [ -z "$done_at" ]; then
			boots=$(grep -ac 'Linux version' "$CONSOLE" 2>/dev/null || true)
			if grep -qaE '^1\.\.[0-9]+' "$TAP_RAW" 2>/dev/null ||
				grep -qa 'Kernel panic' "$CONSOLE" 2>/dev/null ||
				[ "${boots:-0}" -gt 1 ]; then
				done_at=$SECONDS
			fi
		elif [ $((SECONDS - done_at)) -ge 20 ]; then
			echo "stopped" >"$OUT/bochs.stopped"
			kill "$pid" 2>/dev/null
			return
		fi
	done
}

echo "# lab: booting $KERNEL under bochs cpu $LAB_CPU x$LAB_SMP, $LAB_MEM MiB, ips $LAB_IPS (timeout $LAB_TIMEOUT s)"
rm -f "$OUT/bochs.stopped"
start=$(date +%s)
brc=0
timeout -k 10 "$LAB_TIMEOUT" bochs -q -f "$OUT/bochsrc" -rc "$OUT/bochs.rc" \
	</dev/null >"$OUT/bochs.out" 2>&1 &
bpid=$!
watch_bochs $bpid &
wpid=$!
wait $bpid || brc=$?
kill $wpid 2>/dev/null || true
wait $wpid 2>/dev/null || true
elapsed=$(($(date +%s) - start))
# Stopped by the watcher after the run ended, or powered off by the guest
# (Bochs then exits with status 1 and says so): not a failure of Bochs.
[ ! -e "$OUT/bochs.stopped" ] || brc=0
if [ "$brc" = 1 ] && grep -q 'ACPI control: soft power off' "$OUT/bochs.out"; then
	brc=0
fi
cat "$OUT/bochs.out" >>"$BOCHS_LOG" 2>/dev/null || true

lab_report Bochs "$brc" "$elapsed" "$BOCHS_LOG" && exit 0 || exit $?
