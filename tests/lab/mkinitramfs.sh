#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh: build the lab's initramfs (newc cpio, gzip'd if OUT ends
# in .gz) around tests/lab/init.
#
#   tests/lab/mkinitramfs.sh [-k KVER] OUT.cpio[.gz]
#
# Contents:
#   /init                      tests/lab/init (busybox sh, PID 1)
#   /bin/busybox + applets     busybox-static, symlinked at their usual paths
#   /bin/kvm_hold              tests/lab/kvm_hold.c, built static here
#   /lib/modules/lab/          hvpart.ko; kvm.ko, kvm-amd.ko, kvm-intel.ko and
#                              their dependencies from /lib/modules/KVER,
#                              uncompressed (busybox insmod does not inflate),
#                              plus KVM-MODULE.order: load order, deps first
#   /selftests/                every executable in selftests/out/
#   /lab-tests/                every tests/lab/tests/*.sh, and lib/ they source
#   /bin/hvctl, /lib/hvctl/    tools/out/hvctl (static) and the test kernels
#                              tools/out/testkernel.{elf,bin}, if built; then
#                              also the lab's own kernel as /lib/hvctl/vmlinuz
#                              and /lib/hvctl/child.cpio.gz (mkchild.sh), for
#                              the lab tests that boot it as a child
#   /usr/bin/qemu-system-x86_64  only when LAB_GUEST_QEMU is set (make bench):
#                              that QEMU, its shared libraries and the
#                              firmware a -kernel boot on the pc machine
#                              loads, for booting the child under KVM
#   /etc/lab-build-info        what went in, printed by init as TAP comments
#
# KVER (the kernel the lab boots) comes from -k, else $LAB_KVER, else the
# newest /boot/vmlinuz-*. hvpart.ko must have been built for that kernel;
# a mismatch stops here rather than as an obscure insmod failure in the lab.
#
# Inputs can be pointed elsewhere (used to test the lab itself):
#   HVPART_KO      default ./hvpart.ko (repo top)
#   SELFTESTS_DIR  default selftests/out
#   LAB_TESTS_DIR  default tests/lab/tests
#   TOOLS_DIR      default tools/out (hvctl and the test kernels)
#   BUSYBOX        default /bin/busybox (must be static: busybox-static)
#   LAB_BUILD      scratch dir for kvm_hold, default the directory of OUT
#   LAB_GUEST_QEMU a qemu-system-x86_64 to put in (default none: it makes
#                  the initramfs some 25 MB bigger, slow to unpack in
#                  the emulated labs); bench/run.sh sets it
set -eu

LAB_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$LAB_DIR/../.." && pwd)

die() {
	echo "mkinitramfs: $*" >&2
	exit 1
}

usage() {
	echo "usage: $0 [-k KVER] OUT.cpio[.gz]" >&2
	exit 2
}

newest_boot_kernel() {
	local v
	v=$(find /boot -maxdepth 1 -name 'vmlinuz-*' -printf '%f\n' |
		sed 's/^vmlinuz-//' | sort -V | tail -n 1)
	[ -n "$v" ] || die "no /boot/vmlinuz-* found (apt-get install linux-image-amd64)"
	echo "$v"
}

# True if $1 is an ELF file that asks for a dynamic loader.
is_dynamic_elf() {
	[ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ] || return 1
	readelf -l "$1" 2>/dev/null | grep -q 'Requesting program interpreter'
}

KVER=${LAB_KVER:-}
while getopts k: opt; do
	case $opt in
	k) KVER=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || usage
OUT=$1
[ -n "$KVER" ] || KVER=$(newest_boot_kernel)

HVPART_KO=${HVPART_KO:-$ROOT/hvpart.ko}
SELFTESTS_DIR=${SELFTESTS_DIR:-$ROOT/selftests/out}
LAB_TESTS_DIR=${LAB_TESTS_DIR:-$ROOT/tests/lab/tests}
TOOLS_DIR=${TOOLS_DIR:-$ROOT/tools/out}
BUSYBOX=${BUSYBOX:-/bin/busybox}
mkdir -p "$(dirname "$OUT")"
OUT=$(cd "$(dirname "$OUT")" && pwd)/$(basename "$OUT")
LAB_BUILD=${LAB_BUILD:-$(dirname "$OUT")}
MODDIR=/lib/modules/$KVER

[ -d "$MODDIR" ] || die "$MODDIR missing: is linux-image for $KVER installed?"
[ -f "$HVPART_KO" ] || die "$HVPART_KO missing: run 'make modules' first"
[ -x "$BUSYBOX" ] || die "$BUSYBOX missing: apt-get install busybox-static"
if is_dynamic_elf "$BUSYBOX"; then
	die "$BUSYBOX is dynamically linked; the lab needs busybox-static"
fi

ko_kver=$(modinfo -F vermagic "$HVPART_KO" | awk '{ print $1 }')
[ "$ko_kver" = "$KVER" ] ||
	die "$HVPART_KO is built for '$ko_kver' but the lab boots '$KVER' (set KDIR or LAB_KVER)"

STAGE=$(mktemp -d "${TMPDIR:-/tmp}/hvpart-initramfs.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT

mkdir -p "$STAGE"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,etc} \
	"$STAGE/lib/modules/lab" "$STAGE/selftests" "$STAGE/lab-tests"

# The kernel's built-in initramfs already has /dev/console; ours only helps
# a kernel without one, and needs root to create, so it is best effort.
mknod -m 600 "$STAGE/dev/console" c 5 1 2>/dev/null || true

# busybox and its applets.
cp "$BUSYBOX" "$STAGE/bin/busybox"
"$BUSYBOX" --list-full | while read -r applet; do
	[ "$applet" = bin/busybox ] && continue
	mkdir -p "$STAGE/$(dirname "$applet")"
	ln -sf /bin/busybox "$STAGE/$applet"
done
[ -e "$STAGE/bin/sh" ] || die "$BUSYBOX has no sh applet"

install -m 755 "$LAB_DIR/init" "$STAGE/init"

# kvm_hold: static so that it runs without a libc in the lab.
mkdir -p "$LAB_BUILD"
gcc -static -std=c11 -O2 -Wall -Wextra -Werror \
	-o "$LAB_BUILD/kvm_hold" "$LAB_DIR/kvm_hold.c"
install -m 755 "$LAB_BUILD/kvm_hold" "$STAGE/bin/kvm_hold"

install -m 644 "$HVPART_KO" "$STAGE/lib/modules/lab/hvpart.ko"

# Copy module $1 (a name modinfo understands) uncompressed; print its file
# name, or nothing if it is built into the kernel.
copy_module() {
	local path name
	path=$(modinfo -k "$KVER" -n "$1" 2>/dev/null) || die "module $1 not found for $KVER"
	case $path in
	"" | *builtin*) return 0 ;;
	esac
	name=$(basename "$path")
	case $path in
	*.ko) cp "$path" "$STAGE/lib/modules/lab/$name" ;;
	*.ko.xz) name=${name%.xz}; xz -dc "$path" >"$STAGE/lib/modules/lab/$name" ;;
	*.ko.zst) name=${name%.zst}; zstd -qdc "$path" >"$STAGE/lib/modules/lab/$name" ;;
	*.ko.gz) name=${name%.gz}; gzip -dc "$path" >"$STAGE/lib/modules/lab/$name" ;;
	*) die "module $1: unknown file type $path" ;;
	esac
	echo "$name"
}

# Depth-first over 'modinfo -F depends': dependencies come out first.
declare -A visited
load_order=()
visit() {
	local dep file
	[ -z "${visited[$1]:-}" ] || return 0
	visited[$1]=1
	for dep in $(modinfo -k "$KVER" -F depends "$1" | tr ',' ' '); do
		visit "$dep"
	done
	file=$(copy_module "$1")
	[ -z "$file" ] || load_order+=("$file")
}

kvm_found=
for vendor in kvm-amd kvm-intel; do
	if ! modinfo -k "$KVER" -n "$vendor" >/dev/null 2>&1; then
		echo "mkinitramfs: note: $vendor not available for $KVER; kvm-coexist will skip" >&2
		continue
	fi
	visited=()
	load_order=()
	visit "$vendor"
	printf '%s\n' "${load_order[@]}" >"$STAGE/lib/modules/lab/$vendor.order"
	kvm_found="$kvm_found $vendor(${load_order[*]})"
done

# Selftests: every executable; ELF ones must be static (no libc in the lab).
nselftests=0
if [ -d "$SELFTESTS_DIR" ]; then
	for t in "$SELFTESTS_DIR"/*; do
		if [ ! -f "$t" ] || [ ! -x "$t" ]; then continue; fi
		if is_dynamic_elf "$t"; then
			die "$t is dynamically linked; the lab has no libc: link it with -static"
		fi
		install -m 755 "$t" "$STAGE/selftests/"
		nselftests=$((nselftests + 1))
	done
fi

nlabtests=0
if [ -d "$LAB_TESTS_DIR" ]; then
	for t in "$LAB_TESTS_DIR"/*.sh; do
		[ -f "$t" ] || continue
		install -m 755 "$t" "$STAGE/lab-tests/"
		nlabtests=$((nlabtests + 1))
	done
	# What they source: not run as tests (the lab runs /lab-tests/*.sh).
	if [ -d "$LAB_TESTS_DIR/lib" ]; then
		mkdir -p "$STAGE/lab-tests/lib"
		install -m 644 "$LAB_TESTS_DIR"/lib/*.sh "$STAGE/lab-tests/lib/"
	fi
fi

# hvctl and its test kernels (`make -C tools`), for the lab tests that run
# partitions; like the selftests, hvctl must be static.
tools_found=none
if [ -x "$TOOLS_DIR/hvctl" ]; then
	if is_dynamic_elf "$TOOLS_DIR/hvctl"; then
		die "$TOOLS_DIR/hvctl is dynamically linked; the lab has no libc"
	fi
	install -m 755 "$TOOLS_DIR/hvctl" "$STAGE/bin/hvctl"
	mkdir -p "$STAGE/lib/hvctl"
	for k in "$TOOLS_DIR"/testkernel.elf "$TOOLS_DIR"/testkernel.bin; do
		[ ! -f "$k" ] || install -m 644 "$k" "$STAGE/lib/hvctl/"
	done
	tools_found="hvctl and $(find "$STAGE/lib/hvctl" -type f | wc -l) test kernel(s) from $TOOLS_DIR"
	# The lab's kernel as a child partition, with its Hyper-V guest
	# drivers and KVP daemon in the child's initramfs (mkchild.sh).
	if [ -r "/boot/vmlinuz-$KVER" ]; then
		install -m 644 "/boot/vmlinuz-$KVER" "$STAGE/lib/hvctl/vmlinuz"
		"$LAB_DIR/mkchild.sh" "$KVER" "$STAGE/lib/hvctl/child.cpio.gz" >&2
		tools_found="$tools_found, child kernel $KVER and child.cpio.gz"
	fi
fi

# QEMU as a VMM inside the lab (bench/run.sh: the Linux child boot row),
# a dynamic program: its loader and libraries come with it, and the
# firmware found where it looks, relative to its binary (../share/qemu,
# ../share/seabios). Its accelerator modules stay out: it runs with KVM.
qemu_found=none
if [ -n "${LAB_GUEST_QEMU:-}" ]; then
	[ -x "$LAB_GUEST_QEMU" ] || die "LAB_GUEST_QEMU=$LAB_GUEST_QEMU is not an executable"
	install -m 755 "$LAB_GUEST_QEMU" "$STAGE/usr/bin/qemu-system-x86_64"
	for lib in $(ldd "$LAB_GUEST_QEMU" | grep -o '/[^ ]*'); do
		mkdir -p "$STAGE/$(dirname "$lib")"
		cp -L "$lib" "$STAGE/$lib"
	done
	share=$(cd "$(dirname "$LAB_GUEST_QEMU")/../share" && pwd)
	mkdir -p "$STAGE/usr/share/qemu" "$STAGE/usr/share/seabios"
	for fw in seabios/bios-256k.bin qemu/linuxboot_dma.bin qemu/kvmvapic.bin; do
		[ -r "$share/$fw" ] || die "$share/$fw missing (for $LAB_GUEST_QEMU -kernel)"
		cp -L "$share/$fw" "$STAGE/usr/share/$fw"
	done
	qemu_found="$("$LAB_GUEST_QEMU" --version | head -n 1) from $LAB_GUEST_QEMU"
fi

{
	echo "kernel: $KVER"
	echo "hvpart.ko: sha256 $(sha256sum "$HVPART_KO" | cut -c1-16) from $HVPART_KO"
	echo "git: $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)"
	echo "kvm modules:${kvm_found:- none}"
	echo "selftests: $nselftests from $SELFTESTS_DIR"
	echo "lab tests: $nlabtests from $LAB_TESTS_DIR"
	echo "tools: $tools_found"
	echo "qemu: $qemu_found"
	echo "built: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
} >"$STAGE/etc/lab-build-info"

case $OUT in
*.gz) compress() { gzip -6 -n; } ;;
*) compress() { cat; } ;;
esac
(cd "$STAGE" && find . -mindepth 1 | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --quiet) | compress >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"

echo "mkinitramfs: $OUT ($(du -h "$OUT" | cut -f1)): kernel $KVER, $nselftests selftests, $nlabtests lab tests,${kvm_found:- no kvm}"
